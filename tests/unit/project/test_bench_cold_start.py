"""The pure helpers of the cold-start benchmark: reading ``python -X importtime`` output, and finding a first
request for every function of every manifest."""

from __future__ import annotations

import random

from bench.cold_start import (
    ImportTime,
    World,
    parse_importtime,
    scheduled_runs,
    self_time_by_package,
    targets_of,
)
from infra.catalog import MANIFESTS

IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       120 |        120 |   _json
import time:       300 |        420 | json
import time:      1500 |       1500 |       botocore.compat
import time:       200 |       1700 |     botocore.session
import time:       100 |       1800 |   boto3.session
import time:        50 |       1850 | boto3
some other line a module printed
"""


def test_importtime_lines_become_entries_with_their_nesting_depth() -> None:
    entries = parse_importtime(IMPORTTIME)

    assert entries[0] == ImportTime("_json", self_us=120, cumulative_us=120, depth=1)
    assert entries[1] == ImportTime("json", self_us=300, cumulative_us=420, depth=0)
    assert [(e.module, e.depth) for e in entries[2:]] == [
        ("botocore.compat", 3),
        ("botocore.session", 2),
        ("boto3.session", 1),
        ("boto3", 0),
    ]


def test_self_time_is_summed_by_top_level_package_largest_first() -> None:
    totals = self_time_by_package(parse_importtime(IMPORTTIME))

    assert totals == [("botocore", 1700), ("json", 300), ("boto3", 150), ("_json", 120)]


def test_every_function_of_every_manifest_has_a_first_request() -> None:
    # Building the scenarios touches no AWS: only making a request does.
    world = World(dynamodb=None, people=random.Random(1), manifests={m.name: m for m in MANIFESTS})  # type: ignore[arg-type]

    targets = targets_of(MANIFESTS, world)

    assert {t.label for t in targets} == {f"{m.name}/{f.name}" for m in MANIFESTS for f in m.functions}
    assert [t.label for t in targets if t.first_request is None] == []


def test_a_job_s_first_request_is_its_schedule_s_event() -> None:
    manifest = next(m for m in MANIFESTS if m.name == "reports")

    request = scheduled_runs(manifest)["stalledReports"]()

    assert request.event["detail-type"] == "Scheduled Event"
    assert request.event["resources"][0].endswith(f"/{manifest.schedule_name('bench', 'stalledReports')}")
