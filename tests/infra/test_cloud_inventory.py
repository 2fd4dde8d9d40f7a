"""The inventory read back from the templates is what the manifests declare."""

from __future__ import annotations

from infra.catalog import MANIFESTS
from infra.cloud.inventory import cloud_inventory
from infra.local.plan import describe_local_plan
from tests.infra.conftest import ENV


def test_inventory_lists_the_manifests_routes_tables_queues_and_rules() -> None:
    inventory = cloud_inventory(ENV)

    assert inventory["routes"] == {(r.method, r.path) for m in MANIFESTS for r in m.routes}
    assert inventory["tables"] == {m.table_name(ENV, t.name) for m in MANIFESTS for t in m.tables}
    assert inventory["queues"] == {
        name
        for m in MANIFESTS
        for s in m.subscriptions
        for name in (m.queue_name(ENV, s.name), m.dlq_name(ENV, s.name))
    } | {m.failure_queue_name(ENV, f.name) for m in MANIFESTS for f in m.asynchronous_functions} | {
        m.queue_name(ENV, q.name) for m in MANIFESTS for q in m.queues
    }
    assert inventory["rules"] == {
        m.rule_name(ENV, s.name): {"pattern": m.event_pattern(s), "target_queue": m.queue_name(ENV, s.name)}
        for m in MANIFESTS
        for s in m.subscriptions
    }
    assert inventory["secrets"] == {m.secret_name(ENV, s.name) for m in MANIFESTS for s in m.secrets}


def test_reports_inventory_by_name() -> None:
    inventory = cloud_inventory(ENV)

    assert ("GET", "/reports/v1/reports/{caseNumber}") in inventory["routes"]
    assert "eservices-dev-reports-main" in inventory["tables"]
    assert {
        "eservices-dev-reports-triage",
        "eservices-dev-reports-triage-dlq",
        "eservices-dev-reports-publisher-failures",
        "eservices-dev-reports-outgoing-mail",
    } <= inventory["queues"]
    assert inventory["rules"]["eservices-dev-reports-triage"] == {
        "pattern": {"source": ["polisen.reports"], "detail-type": ["ReportFiled"]},
        "target_queue": "eservices-dev-reports-triage",
    }


def test_the_cloud_runs_what_the_local_cloud_runs() -> None:
    assert cloud_inventory(ENV) == describe_local_plan(MANIFESTS, ENV)
