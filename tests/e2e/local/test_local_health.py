"""The local cloud's health tells the truth: not ok once the AWS APIs it runs on are gone."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from infra.local.cloud import LocalCloud
from tests.e2e import probe_service
from tests.e2e.support import LocalClient, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("health_cloud")]


@pytest.fixture
def small_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    cloud = LocalCloud(
        [probe_service.MANIFEST], run_dir=tmp_path_factory.mktemp("health-cloud"), concurrency=1
    )
    cloud.start(timeout_s=60)
    try:
        yield cloud
    finally:
        cloud.stop()


def test_health_answers_503_down_once_the_moto_server_is_gone(small_cloud: LocalCloud) -> None:
    client = LocalClient(small_cloud.base_url)
    healthy = client.request("GET", "/_local/health")
    assert healthy.status == 200
    assert healthy.json()["awsApis"] == "ok"
    assert healthy.json()["persistence"] == "in memory, gone on restart"

    pid = small_cloud.aws_pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)

    down = eventually(
        lambda: (r := client.request("GET", "/_local/health")).status != 200 and r,
        timeout_s=10,
        what="health to notice moto is gone",
    )
    assert down.status == 503
    assert down.json()["status"] == "down"
    assert down.json()["awsApis"] == "down"
