"""The domain facts in docs/domain/ agree with the code that relies on them."""

from __future__ import annotations

import importlib
import json
import re
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from shared.casenumbers import parse_diarienummer, parse_k_number
from shared.identity import InvalidIdentifier, parse_imei, parse_organisationsnummer, parse_personnummer

ROOT = Path(__file__).resolve().parents[3]
DOMAIN = ROOT / "docs" / "domain"
TODAY = date(2026, 12, 2)


def _page(name: str) -> str:
    return (DOMAIN / name).read_text(encoding="utf-8")


@cache
def _constant(name: str) -> Any:
    """A module-level constant of the services or shared, wherever the code keeps it now."""
    assignment = re.compile(rf"^{name}(?:: [^=]+)? = ", re.M)
    for path in sorted([*(ROOT / "services").rglob("*.py"), *(ROOT / "shared").rglob("*.py")]):
        if assignment.search(path.read_text(encoding="utf-8")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            return getattr(importlib.import_module(module), name)
    raise LookupError(f"no module defines {name}")


def _line_naming(page: str, name: str) -> str:
    lines = [line for line in page.splitlines() if f"`{name}`" in line]
    assert lines, f"the page names no `{name}`"
    return lines[0]


def _minutes(value: timedelta) -> int:
    return int(value.total_seconds() // 60)


FIGURES: list[tuple[str, Any]] = [
    ("OWNER_CLAIM_MONTHS", lambda v: f"**{v} month"),
    ("UNCLAIMED_MONTHS", lambda v: f"**{v} months**"),
    ("FINDER_COLLECT_MONTHS", lambda v: f"**{v} month**"),
    ("FOUND_AFTER_LOSS", lambda v: f"**{v.days} days**"),
    ("TRIAGE_OVERDUE_MINUTES", lambda v: f"**{v} minutes**"),
    ("AUDIT_RETENTION_DAYS", lambda v: f"({v:,} days)"),
    ("EXPIRES_AFTER_SECONDS", lambda v: f"**{v // 3600} hours**"),
    ("CLOCK_SKEW", lambda v: f"**{_minutes(v)} minutes**"),
    ("UPLOAD_WINDOW", lambda v: f"**{_minutes(v)} minutes**"),
    ("SLOT_LENGTH", lambda v: f"**{' / '.join(str(_minutes(length)) for length in v.values())} minutes**"),
    ("REMINDER_LEAD", lambda v: f"**{int(v.total_seconds() // 3600)} hours**"),
    ("MAX_SLOT_RANGE", lambda v: f"**{v.days} days**"),
    ("APPOINTMENT_RETENTION", lambda v: f"**{v.days} days**"),
    ("ADULT_AGE", lambda v: f"**under {v}**"),
]


@pytest.mark.parametrize(("name", "figure"), FIGURES, ids=[name for name, _ in FIGURES])
def test_each_time_limit_on_the_deadlines_page_is_the_code_s(name: str, figure: Any) -> None:
    assert figure(_constant(name)) in _line_naming(_page("deadlines.md"), name)


def test_the_feedback_service_s_own_time_limits_are_the_code_s() -> None:
    page = _page("feedback.md")
    assert f"**{_constant('ANSWER_DAYS')} days**" in _line_naming(page, "FEEDBACK_ANSWER_DAYS")
    assert f"**{_constant('REMINDER_BEFORE').days} days**" in _line_naming(page, "REMINDER_BEFORE")


def test_the_finder_s_reward_is_the_code_s_share() -> None:
    assert _constant("FINDERS_REWARD_SHARE") == 0.10
    assert "about **a tenth**" in _line_naming(_page("legal-grounds.md"), "FINDERS_REWARD_SHARE")


def test_the_decision_rules_are_listed_in_order_with_what_each_does() -> None:
    rules = json.loads(
        (ROOT / "services/reports/domain/rules/decision_rules.json").read_text(encoding="utf-8")
    )
    page = _page("legal-grounds.md")
    assert f"**version {rules['version']}**" in page
    listed = re.findall(r"^\| `([a-z-]+)` \|([^|]+)\|", page, re.M)
    assert [rule_id for rule_id, _ in listed] == [rule["id"] for rule in rules["rules"]]
    for (_, what), rule in zip(listed, rules["rules"], strict=True):
        then = rule["then"]
        expected = (
            f"decides: `{then['outcome']}`" if "outcome" in then else f"priority {then['route']['priority']}"
        )
        assert expected in what, rule["id"]


def test_the_identifier_examples_are_what_the_code_accepts_and_refuses() -> None:
    page = _page("identifiers.md")
    for example in ("19400908-3272", "19400968-3279", "556677-8899", "556677-8894", "35-209900-176148-1"):
        assert f"`{example}`" in page
    assert not parse_personnummer("19400908-3272", today=TODAY).is_coordination_number
    assert parse_personnummer("19400968-3279", today=TODAY).is_coordination_number
    assert parse_organisationsnummer("556677-8899").display == "556677-8899"
    with pytest.raises(InvalidIdentifier, match="check digit"):
        parse_organisationsnummer("556677-8894")
    assert parse_imei("35-209900-176148-1") == "352099001761481"


def test_the_case_number_examples_are_what_the_code_reads() -> None:
    page = _page("identifiers.md")
    for example in ("K42-26", "2200-K1276-14", "A579.501/2026", "HG17-26", "7KQ2MX9D"):
        assert f"`{example}`" in page
    assert str(parse_k_number("K42-26")) == "K42-26"
    assert parse_k_number("2200-K1276-14").unit == "2200"
    assert str(parse_diarienummer("A579.501/2026")) == "A579.501/2026"
    assert re.fullmatch(_constant("FOUND_ITEM_ID_PATTERN"), "HG17-26")
    assert re.fullmatch(_constant("BOOKING_NUMBER_PATTERN"), "7KQ2MX9D")
    assert f"`{_constant('BOOKING_NUMBER_ALPHABET')}`" in page


def test_every_domain_page_is_in_its_index() -> None:
    index = _page("README.md")
    for page in DOMAIN.glob("*.md"):
        if page.name != "README.md":
            assert f"]({page.name})" in index, page.name
