"""Lambda (local cloud only): demo reports filed and triaged at start, so staff have a queue to work at once.

The local cloud invokes the manifest's ``seed_handler`` once, in the service's own worker, before traffic.
Reports are filed through the same use cases as citizens' and the decision rules run on them at once; their
``ReportFiled`` events still cross the bus afterwards, where triage finds them already triaged and leaves them.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from services.reports import dependencies
from services.reports.adapters.mailbox import create_outgoing_mail_queue
from services.reports.demo import demo_reports
from services.reports.domain import decisions, filing, stolen_goods
from services.reports.telemetry import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # No manifest can declare a queue of its own yet, so nothing provisions the outgoing-mail queue; the seed,
    # which only the local cloud runs, creates it. In AWS it must come from the stack (see README).
    create_outgoing_mail_queue(dependencies.outgoing_mail_queue(), dependencies.sqs())

    repository = dependencies.repository()
    clock = dependencies.clock()
    rules = dependencies.decision_rules()
    correlation_id = f"demo-seed-{uuid.uuid4()}"
    verdicts: Counter[str] = Counter()
    for demo in demo_reports(clock.now()):
        report = filing.file_report(
            demo.draft,
            citizen=demo.citizen,
            repository=repository,
            clock=clock,
            correlation_id=correlation_id,
        )
        triaged = decisions.triage(
            report.case_number, rules=rules, repository=repository, clock=clock, correlation_id=correlation_id
        )
        if triaged is not None:
            verdicts["decided" if isinstance(triaged.verdict, decisions.Decided) else "queued"] += 1
            stolen_goods.index_stolen_goods(triaged.report, dependencies.stolen_goods())
    summary = {"filed": sum(verdicts.values()), **verdicts}
    logger.info("Demo reports filed", extra=summary)
    return summary
