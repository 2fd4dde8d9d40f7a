"""Lambda (local cloud only): the register simulators seeded, and demo reports filed and triaged at start, so
staff have a queue to work at once.

The local cloud invokes the manifest's ``seed_handler`` once, in the service's own worker, before traffic.
First the population register and the company register of representatives are loaded with the platform's
synthetic people (``shared.synthetic_people``) and the demo shops with the demo staff who file for them. Then
reports are filed through the same use cases as citizens' and the decision rules run on them at once, with
what triage does besides (stolen goods, the index found property is matched against).

Their events are not put on the outbox. On the bus they would only make triage find every report already
triaged, write letters to people who do not exist and block documents no one holds; and that backlog held up
the first requests of every fresh local cloud by some ten seconds.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from services.reports import dependencies
from services.reports.demo import DemoReport, demo_reports
from services.reports.domain import decisions, filing
from services.reports.domain.model import Report, ShopTheftReport
from services.reports.domain.ports import Page, RegisteredPerson, ReportRepository
from services.reports.domain.triage import triage_filed_report
from services.reports.telemetry import logger
from shared import synthetic_people
from shared.events.envelope import Envelope, EventData
from shared.observability import entry_point


class Unannounced:
    """A report repository that stores reports and leaves their events out."""

    def __init__(self, repository: ReportRepository) -> None:
        self._repository = repository

    def allocate_case_number(self, year: int) -> int:
        return self._repository.allocate_case_number(year)

    def add(self, report: Report, events: Sequence[Envelope[EventData]]) -> None:
        self._repository.add(report, [])

    def get(self, case_number: str) -> Report | None:
        return self._repository.get(case_number)

    def replace(
        self,
        report: Report,
        *,
        expected_version: int,
        events: Sequence[Envelope[EventData]],
        subject: str | None = None,
    ) -> None:
        self._repository.replace(report, expected_version=expected_version, events=[], subject=subject)

    def list_owned(self, owner_ref: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        return self._repository.list_owned(owner_ref, limit=limit, start=start)


def seed_registers(demos: Sequence[DemoReport]) -> dict[str, int]:
    """The simulated population register and company register, with the platform's synthetic people and
    the demo shops (each represented by the demo citizen who files for it)."""
    people = [
        RegisteredPerson(p.personnummer, p.birth_date, frozenset(p.guardians))
        for p in synthetic_people.PEOPLE
    ]
    dependencies.population().put_people(people)
    companies = {c.organisationsnummer: set(c.representatives) for c in synthetic_people.COMPANIES}
    for demo in demos:
        if isinstance(demo.draft, ShopTheftReport):
            companies.setdefault(demo.draft.organisationsnummer, set()).add(demo.citizen.personnummer)
    dependencies.companies().put_companies(companies)
    return {"people": len(people), "companies": len(companies)}


@entry_point(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    demos = demo_reports(dependencies.clock().now())
    registered = seed_registers(demos)
    repository = Unannounced(dependencies.repository())
    clock = dependencies.clock()
    rules = dependencies.decision_rules()
    correlation_id = f"demo-seed-{uuid.uuid4()}"
    verdicts: Counter[str] = Counter()
    for demo in demos:
        report = filing.file_report(
            demo.draft,
            citizen=demo.citizen,
            repository=repository,
            registers=dependencies.registers(),
            clock=clock,
            correlation_id=correlation_id,
        )
        outcome = triage_filed_report(
            report.case_number,
            rules=rules,
            repository=repository,
            stolen_goods=dependencies.stolen_goods(),
            found_items=dependencies.found_items(),
            reported_property=dependencies.reported_property(),
            clock=clock,
            correlation_id=correlation_id,
        )
        if outcome.triaged is not None:
            verdicts["decided" if isinstance(outcome.triaged.verdict, decisions.Decided) else "queued"] += 1
    summary = {"filed": sum(verdicts.values()), **verdicts, **registered}
    logger.info("Demo reports filed", extra=summary)
    return summary
