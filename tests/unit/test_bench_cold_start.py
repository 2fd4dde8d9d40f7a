"""The pure helpers of the cold-start benchmark: reading ``python -X importtime`` output."""

from __future__ import annotations

from bench.cold_start import ImportTime, parse_importtime, self_time_by_package

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
