"""The reports service: crime reports filed by citizens, triaged into their region's queue."""

from shared.manifest import (
    PUBLISHER_HANDLER,
    Function,
    Index,
    Route,
    ServiceManifest,
    Subscription,
    Table,
)

BASE = "/reports/v1"

MANIFEST = ServiceManifest(
    name="reports",
    title="Crime reports",
    routes=(
        Route("POST", f"{BASE}/reports", "citizen"),
        Route("GET", f"{BASE}/reports", "citizen"),
        Route("GET", f"{BASE}/reports/{{caseNumber}}", "citizen"),
        Route("POST", f"{BASE}/reports/{{caseNumber}}/amendments", "citizen"),
        Route("GET", f"{BASE}/reports/{{caseNumber}}/receipt", "citizen"),
        Route("POST", f"{BASE}/tips", "public"),
        Route("POST", f"{BASE}/identified-tips", "citizen"),
        Route("GET", f"{BASE}/stolen-goods/{{serialNumber}}", "public"),
        Route("GET", f"{BASE}/openapi.json", "public"),
    ),
    functions=(
        # More memory means more CPU, and a cold start is CPU-bound: citizens wait on this one.
        Function(
            "api", "services.reports.api.handler", "api", memory_mb=1024, description="Citizen HTTP API"
        ),
        Function("publisher", PUBLISHER_HANDLER, "publisher", description="Outbox stream to the event bus"),
        Function(
            "triage",
            "services.reports.consumers.triage_handler",
            "consumer",
            description="Places each filed report in its region's intake queue",
        ),
    ),
    tables=(
        Table(
            "main",
            indexes=(
                # A citizen's own reports, newest first.
                Index("byOwner", "ownerKey", "ownerSort"),
                # A region's intake queue, most urgent first.
                Index("byRegionQueue", "queueKey", "queueSort"),
            ),
            stream=True,
        ),
        Table("idempotency", partition_key="id", sort_key=None, ttl_attribute="expiration"),
    ),
    subscriptions=(
        Subscription(
            "triage",
            function="triage",
            source="polisen.reports",
            detail_types=("ReportFiled",),
        ),
    ),
    publishes=("ReportFiled", "ReportStatusChanged"),
)
