"""The event catalog cannot drift from the contracts, the manifests' subscriptions and what the code builds."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from infra.catalog import MANIFESTS
from infra.event_catalog import ROOT, SourceFile, catalog_problems, code_files, render_catalog
from services.bookings.manifest import MANIFEST as BOOKINGS
from services.feedback.manifest import MANIFEST as FEEDBACK
from services.permits.manifest import MANIFEST as PERMITS
from services.reports.manifest import MANIFEST as REPORTS
from shared.events.catalog import CONTRACTS_BY_SOURCE
from shared.manifest import ServiceManifest, Subscription

CODE = code_files()
CATALOG = render_catalog()


def _with(path: str, text: str) -> list[SourceFile]:
    return [*CODE, SourceFile(Path(path), text)]


def _row(event_type: str, source: str) -> str:
    section = CATALOG.split(f"## {source}\n", 1)[1].split("\n## ", 1)[0]
    return next(line for line in section.splitlines() if line.startswith(f"| `{event_type}` |"))


def test_the_code_the_contracts_and_the_manifests_agree() -> None:
    assert catalog_problems() == []


def test_every_published_event_is_in_the_catalog_with_its_schema() -> None:
    catalog = CATALOG
    for source, contracts in CONTRACTS_BY_SOURCE.items():
        for contract in contracts:
            row = _row(contract.event_type, source)
            assert f"events/{source}/{contract.event_type}.v{contract.version}.json" in row
            assert f"| {contract.version} |" in row
    assert catalog.count("| `") >= sum(len(c) for c in CONTRACTS_BY_SOURCE.values())


def test_the_catalog_names_who_consumes_each_event_from_the_subscriptions() -> None:
    assert "reports: `lostAndFound`" in _row("ReportAmended", "polisen.reports")
    assert "reports: `documentBlocks`" in _row("DocumentBlocked", "polisen.bookings")
    filed = _row("ReportFiled", "polisen.reports")
    assert "reports: `triage`" in filed
    assert "bookings: `cases`" in filed
    assert _row("ReportStatusChanged", "polisen.reports").split("|")[6].strip() == "—"


def test_the_catalog_says_which_events_carry_personal_data() -> None:
    assert "**yes**" in _row("DocumentBlockRequested", "polisen.reports")
    assert "| no |" in _row("ReportFiled", "polisen.reports")


def test_an_event_defined_outside_the_contracts_is_found() -> None:
    files = _with(
        "services/reports/domain/sneaky.py",
        "from shared.events.envelope import EventData\n\n"
        "class ReportWhispered(EventData):\n    event_type = 'ReportWhispered'\n",
    )
    problems = catalog_problems(files=files)
    assert any("ReportWhispered outside the contracts" in p for p in problems), problems


def test_an_event_derived_from_another_contract_outside_the_contracts_is_found() -> None:
    files = _with(
        "services/bookings/domain/sneaky.py",
        "from shared.events.contracts.reports import ReportFiled\n\nclass ReportRefiled(ReportFiled):\n    pass\n",
    )
    assert any("ReportRefiled outside the contracts" in p for p in catalog_problems(files=files))


def test_a_contract_its_module_does_not_list_is_found() -> None:
    files = _with(
        "shared/events/contracts/reports_more.py",
        "from shared.events.envelope import EventData\n\nclass ReportForgotten(EventData):\n    pass\n",
    )
    problems = catalog_problems(files=files)
    assert any("ReportForgotten but its module's CONTRACTS do not list it" in p for p in problems), problems


def test_a_service_building_another_service_s_event_is_found() -> None:
    files = _with(
        "services/bookings/domain/sneaky.py",
        "from shared.events.contracts.reports import ReportFiled\n\ndef f():\n    return ReportFiled(case_number='x')\n",
    )
    problems = catalog_problems(files=files)
    assert any("builds ReportFiled, an event of polisen.reports" in p for p in problems), problems


def test_an_outbox_item_written_by_hand_is_found() -> None:
    files = _with("services/reports/adapters/sneaky.py", "ITEM = {'detailType': 'ReportWhispered'}\n")
    assert any("writes an outbox item by hand" in p for p in catalog_problems(files=files))


def test_a_subscription_to_an_event_nobody_publishes_is_found() -> None:
    listening = dataclasses.replace(
        BOOKINGS,
        subscriptions=(
            *BOOKINGS.subscriptions,
            Subscription(
                "ghost", function="cases", source="polisen.reports", detail_types=("ReportWhispered",)
            ),
        ),
    )
    problems = catalog_problems(manifests=(REPORTS, listening, PERMITS, FEEDBACK), files=CODE)
    assert problems == [
        "the bookings subscription ghost names polisen.reports ReportWhispered, which nobody publishes"
    ]


@pytest.mark.parametrize(
    ("publishes", "expected"),
    [
        (
            (*REPORTS.publishes, "ReportWhispered"),
            "reports declares it publishes ReportWhispered but polisen.reports has no contract of it",
        ),
        (
            tuple(t for t in REPORTS.publishes if t != "ReportAmended"),
            "polisen.reports has a contract of ReportAmended but the reports manifest does not declare it in publishes",
        ),
    ],
)
def test_a_manifest_s_publishes_and_the_contracts_must_agree(
    publishes: tuple[str, ...], expected: str
) -> None:
    reports = dataclasses.replace(REPORTS, publishes=publishes)
    assert catalog_problems(manifests=(reports, BOOKINGS, PERMITS, FEEDBACK), files=CODE) == [expected]


def test_every_service_with_contracts_is_deployed() -> None:
    assert {m.source for m in MANIFESTS} >= set(CONTRACTS_BY_SOURCE)


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda m: m.name)
def test_each_service_readme_names_what_it_publishes_and_consumes(manifest: ServiceManifest) -> None:
    readme = (ROOT / "services" / manifest.name / "README.md").read_text(encoding="utf-8")
    events = readme.split("## Events", 1)[-1].split("\n## ", 1)[0]
    consumed = {t for s in manifest.subscriptions for t in s.detail_types}
    missing = sorted(t for t in {*manifest.publishes, *consumed} if f"`{t}`" not in events)
    assert missing == [], f"services/{manifest.name}/README.md's Events section does not name {missing}"
