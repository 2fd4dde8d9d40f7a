"""The local cloud for end-to-end tests: started once per session (per xdist worker), on free ports."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from infra.local.cloud import LocalCloud
from tests.e2e.support import LocalClient


@pytest.fixture(scope="session")
def local_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    """Every service of the catalog, as ``make run`` starts them, on free ports. A failed queued message
    comes back after a tenth of its queue's visibility timeout (but never before its consumer's timeout, as
    in AWS), so a test that meets a retry waits seconds, not minutes."""
    cloud = LocalCloud(run_dir=tmp_path_factory.mktemp("local-cloud"), time_scale=0.1)
    cloud.start(timeout_s=60)
    try:
        yield cloud
    finally:
        cloud.stop()


@pytest.fixture
def client(local_cloud: LocalCloud) -> LocalClient:
    return LocalClient(local_cloud.base_url)


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    return random.Random(request.node.nodeid)
