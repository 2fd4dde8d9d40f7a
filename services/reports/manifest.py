"""The reports service: crime reports filed by citizens, decided at once by rules or queued for staff in their
region."""

from shared.manifest import (
    PUBLISHER_HANDLER,
    Bucket,
    Function,
    Index,
    Queue,
    Route,
    Schedule,
    ServiceManifest,
    Subscription,
    Table,
)

BASE = "/reports/v1"
FOUND_ITEMS = f"{BASE}/staff/found-items"
# Lost and found property (see domain/lost_and_found.py).
FOUND_PROPERTY_EVENTS = (
    "FoundItemRegistered",
    "LostPropertyMatched",
    "FoundItemDeadlinePassed",
    "FoundItemHandedOver",
)
STAFF = f"{BASE}/staff"
# The queue of letters to citizens' digital mailboxes (see adapters/mailbox.py), drained by a connector
# outside this stack.
OUTGOING_MAIL = "outgoing-mail"
# Audit records of staff's reads and changes are kept five years, then expire (brottsdatalagen requires the
# logging; the period is our choice and configurable here).
AUDIT_RETENTION_DAYS_VARIABLE = "AUDIT_RETENTION_DAYS"
AUDIT_RETENTION_DAYS = 5 * 365 + 1

MANIFEST = ServiceManifest(
    name="reports",
    title="Crime reports",
    routes=(
        Route("POST", f"{BASE}/reports", "citizen"),
        Route("GET", f"{BASE}/reports", "citizen"),
        Route("GET", f"{BASE}/reports/{{caseNumber}}", "citizen"),
        Route("POST", f"{BASE}/reports/{{caseNumber}}/amendments", "citizen"),
        Route("GET", f"{BASE}/reports/{{caseNumber}}/receipt", "citizen"),
        Route("POST", f"{BASE}/reports/{{caseNumber}}/attachments", "citizen"),
        Route("POST", f"{BASE}/reports/{{caseNumber}}/attachments/{{attachmentId}}/complete", "citizen"),
        Route("DELETE", f"{BASE}/reports/{{caseNumber}}/attachments/{{attachmentId}}", "citizen"),
        # Open to anyone: a tighter limit than the service's keeps tips from being flooded.
        Route("POST", f"{BASE}/tips", "public", rate_limit_per_second=20, burst_limit=50),
        Route("POST", f"{BASE}/identified-tips", "citizen"),
        # Open to anyone: the limit slows walking through serial numbers. In AWS all callers share it, so it
        # stays generous; the end-to-end tests poll it at 20/s from one client.
        Route(
            "GET", f"{BASE}/stolen-goods/{{serialNumber}}", "public", rate_limit_per_second=20, burst_limit=40
        ),
        Route("GET", f"{BASE}/openapi.json", "public"),
        # Staff at police receptions: found items (hittegods).
        Route("POST", FOUND_ITEMS, "staff"),
        Route("GET", FOUND_ITEMS, "staff"),
        Route("GET", f"{FOUND_ITEMS}/{{foundItemId}}", "staff"),
        Route("POST", f"{FOUND_ITEMS}/{{foundItemId}}/owner-notices", "staff"),
        Route("POST", f"{FOUND_ITEMS}/{{foundItemId}}/handover", "staff"),
        # Staff's case work; changes need the role caseHandler (see README).
        Route("GET", f"{STAFF}/queue", "staff"),
        Route("GET", f"{STAFF}/reports/{{caseNumber}}", "staff"),
        Route("POST", f"{STAFF}/reports/{{caseNumber}}/assignment", "staff"),
        Route("POST", f"{STAFF}/reports/{{caseNumber}}/status", "staff"),
        Route("POST", f"{STAFF}/reports/{{caseNumber}}/decision", "staff"),
        Route("POST", f"{STAFF}/reports/{{caseNumber}}/notes", "staff"),
    ),
    functions=(
        # More memory means more CPU, and a cold start is CPU-bound: citizens wait on this one.
        Function(
            "api",
            "services.reports.api.handler",
            "api",
            memory_mb=1024,
            description="Citizen and staff HTTP API",
        ),
        Function("publisher", PUBLISHER_HANDLER, "publisher", description="Outbox stream to the event bus"),
        Function(
            "triage",
            "services.reports.consumers.triage_handler",
            "consumer",
            description="Decides clear cases by the decision rules; queues the rest in their region",
        ),
        Function(
            "notify",
            "services.reports.consumers.notify_handler",
            "consumer",
            description="Writes to citizens' digital mailboxes: decisions, and found items that may be theirs",
        ),
        Function(
            "lostAndFound",
            "services.reports.consumers.lost_and_found_handler",
            "consumer",
            description="Matches found items to open loss and theft reports and tells the owner",
        ),
        Function(
            "foundItemDeadlines",
            "services.reports.jobs.found_item_deadlines_handler",
            "job",
            timeout_s=60,
            description="Moves found items on when their statutory deadlines end",
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
                # Found items whose running period ends first, per region: the deadline job's work.
                Index("byDeadline", "dueKey", "dueAt"),
            ),
            stream=True,
        ),
        Table("idempotency", partition_key="id", sort_key=None, ttl_attribute="expiration"),
        # Append-only: who read or changed which case, when. Expires after the retention period.
        Table(
            "audit",
            indexes=(Index("byStaff", "staffKey", "staffSort"),),
            ttl_attribute="expiresAt",
            append_only=True,
        ),
    ),
    subscriptions=(
        Subscription(
            "triage",
            function="triage",
            source="polisen.reports",
            detail_types=("ReportFiled",),
        ),
        Subscription(
            "notify",
            function="notify",
            source="polisen.reports",
            detail_types=("ReportDecided", "LostPropertyMatched"),
        ),
        Subscription(
            "lostAndFound",
            function="lostAndFound",
            source="polisen.reports",
            # A new loss or theft report is matched by triage; a report's additions may name more items.
            detail_types=("FoundItemRegistered", "ReportAmended"),
        ),
    ),
    # Photos and receipts citizens attach to their reports (private, KMS-encrypted).
    buckets=(Bucket("attachments"),),
    # Only notify writes letters (decisions, and found items that may be the owner's).
    binary_media_types=("application/pdf",),
    queues=(Queue(OUTGOING_MAIL, senders=("notify",), max_age_alarm_minutes=60),),
    schedules=(
        # Periods end at midnight, Swedish time; an item moves on within the hour after.
        Schedule("foundItemDeadlines", function="foundItemDeadlines", expression="rate(1 hour)"),
    ),
    publishes=("ReportFiled", "ReportStatusChanged", *FOUND_PROPERTY_EVENTS, "ReportDecided"),
    # Demo reports for the local cloud, decided or queued by the rules, so staff have work at once.
    seed_handler="services.reports.seed.handler",
    extra_environment={AUDIT_RETENTION_DAYS_VARIABLE: str(AUDIT_RETENTION_DAYS)},
)
