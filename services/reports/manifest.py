"""The reports service: crime reports filed by citizens, decided at once by rules or queued for staff in their
region."""

from shared.manifest import (
    EID_AUTHORIZER,
    IDEMPOTENCY_KEY_ACTIONS,
    OUTBOX_SWEEP,
    OUTBOX_SWEEPER,
    PUBLISHER_HANDLER,
    Bucket,
    BucketAccess,
    Function,
    Index,
    MetricAlarm,
    Queue,
    Route,
    Schedule,
    Secret,
    ServiceManifest,
    Subscription,
    Table,
    TableAccess,
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
# Staff roles the routes name (see README): case handlers change cases; reception staff handle found items.
CASE_HANDLER_ROLE = "caseHandler"
RECEPTION_ROLE = "reception"
# The queue of letters to citizens' digital mailboxes (see shared/adapters/mailbox.py), drained by a connector
# outside this stack.
OUTGOING_MAIL = "outgoing-mail"
# Audit records of staff's reads and changes are kept five years, then expire (brottsdatalagen requires the
# logging; the period is our choice and configurable here).
AUDIT_RETENTION_DAYS_VARIABLE = "AUDIT_RETENTION_DAYS"
AUDIT_RETENTION_DAYS = 5 * 365 + 1
# A report still ``received`` this long after filing was never triaged (its event was lost or dead-lettered):
# the stalledReports job shows it in its region's queue and counts it in ReportsStalled, which alarms.
TRIAGE_OVERDUE_MINUTES_VARIABLE = "TRIAGE_OVERDUE_AFTER_MINUTES"
TRIAGE_OVERDUE_MINUTES = 10
STALLED_METRIC = "ReportsStalled"

# What each function does to the service's data (its IAM role is rendered from it; see README).
# Writes are conditional puts in transactions; UpdateItem is the number counters; BatchWriteItem adds rows
# of the stolen-goods and reported-property indexes.
IDEMPOTENCY_KEYS = TableAccess("idempotency", IDEMPOTENCY_KEY_ACTIONS)
API_ACCESS = (
    TableAccess(
        "main",
        ("GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem"),
        indexes=("byOwner", "byRegionQueue"),
    ),
    IDEMPOTENCY_KEYS,
    # Staff's reads and changes are recorded, never read back by the service.
    TableAccess("audit", ("PutItem",)),
    # Uploads through presigned POSTs (the function's PutObject), the upload check (HeadObject is
    # GetObject), and a citizen removing an attachment.
    BucketAccess("attachments", ("PutObject", "GetObject", "DeleteObject")),
)
MATCHING_ACCESS = (TableAccess("main", ("GetItem", "Query", "PutItem", "BatchWriteItem")),)

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
        # Open to anyone: a tighter limit than the service's keeps tips from being flooded. Anonymous: no
        # address or trace of the sender is kept.
        Route("POST", f"{BASE}/tips", "public", rate_limit_per_second=20, burst_limit=50, anonymous=True),
        Route("POST", f"{BASE}/identified-tips", "citizen"),
        # Open to anyone: the limit slows walking through serial numbers. In AWS all callers share it, so it
        # stays generous; the end-to-end tests poll it at 20/s from one client.
        Route(
            "GET", f"{BASE}/stolen-goods/{{serialNumber}}", "public", rate_limit_per_second=20, burst_limit=40
        ),
        Route("GET", f"{BASE}/openapi.json", "public"),
        # Staff at police receptions: found items (hittegods).
        Route("POST", FOUND_ITEMS, "staff", role=RECEPTION_ROLE),
        # The list shows no finder's data: open to the region's staff.
        Route("GET", FOUND_ITEMS, "staff"),
        Route("GET", f"{FOUND_ITEMS}/{{foundItemId}}", "staff", role=RECEPTION_ROLE),
        Route("POST", f"{FOUND_ITEMS}/{{foundItemId}}/owner-notices", "staff", role=RECEPTION_ROLE),
        Route("POST", f"{FOUND_ITEMS}/{{foundItemId}}/handover", "staff", role=RECEPTION_ROLE),
        # Staff's case work; changes need the role caseHandler (see README).
        Route("GET", f"{STAFF}/queue", "staff"),
        Route("GET", f"{STAFF}/reports/{{caseNumber}}", "staff"),
        Route("POST", f"{STAFF}/reports/{{caseNumber}}/assignment", "staff", role=CASE_HANDLER_ROLE),
        Route("POST", f"{STAFF}/reports/{{caseNumber}}/status", "staff", role=CASE_HANDLER_ROLE),
        Route("POST", f"{STAFF}/reports/{{caseNumber}}/decision", "staff", role=CASE_HANDLER_ROLE),
        Route("POST", f"{STAFF}/reports/{{caseNumber}}/notes", "staff", role=CASE_HANDLER_ROLE),
    ),
    functions=(
        # More memory means more CPU, and a cold start is CPU-bound: citizens wait on this one.
        Function(
            "api",
            "services.reports.api.handler",
            "api",
            memory_mb=1024,
            description="Citizen and staff HTTP API",
            access=API_ACCESS,
        ),
        Function("publisher", PUBLISHER_HANDLER, "publisher", description="Outbox stream to the event bus"),
        OUTBOX_SWEEPER,
        EID_AUTHORIZER,
        Function(
            "triage",
            "services.reports.consumers.triage_handler",
            "consumer",
            description="Decides clear cases by the decision rules; queues the rest in their region",
            access=MATCHING_ACCESS,
        ),
        Function(
            "notify",
            "services.reports.consumers.notify_handler",
            "consumer",
            description="Writes to citizens' digital mailboxes: decisions, and found items that may be theirs",
            # Reads the report or found item and records the letter on it; sends to the outgoing-mail queue.
            access=(TableAccess("main", ("GetItem", "PutItem")),),
        ),
        Function(
            "lostAndFound",
            "services.reports.consumers.lost_and_found_handler",
            "consumer",
            description="Matches found items to open loss and theft reports and tells the owner",
            access=MATCHING_ACCESS,
        ),
        Function(
            "documentBlocks",
            "services.reports.consumers.document_blocks_handler",
            "consumer",
            description="Records on the report whether a passport or ID card it named was blocked",
            # Reads the report and writes the register's answer on it (a conditional put).
            access=(TableAccess("main", ("GetItem", "PutItem")),),
        ),
        Function(
            "foundItemDeadlines",
            "services.reports.jobs.found_item_deadlines_handler",
            "job",
            timeout_s=60,
            description="Moves found items on when their statutory deadlines end",
            access=(TableAccess("main", ("GetItem", "PutItem"), indexes=("byDeadline",)),),
        ),
        Function(
            "stalledReports",
            "services.reports.jobs.stalled_reports_handler",
            "job",
            timeout_s=60,
            description="Finds reports whose triage never ran, shows them to staff and counts them",
            # Reads the received reports by filing time and marks each overdue one once (a conditional put).
            access=(TableAccess("main", ("GetItem", "PutItem"), indexes=("byDeadline",)),),
        ),
    ),
    tables=(
        Table(
            "main",
            indexes=(
                # A citizen's own reports, newest first. Keys only: an entry is written once, at filing, and
                # not again with every change of the report; the listing gets its page of reports by key.
                Index("byOwner", "ownerKey", "ownerSort", projection="KEYS_ONLY"),
                # A region's intake queue, most urgent first.
                Index("byRegionQueue", "queueKey", "queueSort"),
                # Found items whose running period ends first, per region: the deadline job's work. Also
                # reports awaiting triage, oldest first: the stalledReports job's work. Keys only: both jobs
                # read the few items they move on by key.
                Index("byDeadline", "dueKey", "dueAt", projection="KEYS_ONLY"),
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
        Subscription(
            "documentBlocks",
            function="documentBlocks",
            # The document register's answer to DocumentBlockRequested.
            source="polisen.bookings",
            detail_types=("DocumentBlocked", "DocumentBlockRefused"),
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
        Schedule("stalledReports", function="stalledReports", expression="rate(5 minutes)"),
        OUTBOX_SWEEP,
    ),
    alarms=(
        MetricAlarm(
            name=STALLED_METRIC,
            metric=STALLED_METRIC,
            threshold=0,
            description=(
                f"Reports still received {TRIAGE_OVERDUE_MINUTES} minutes after filing: their triage never ran. "
                "Look for dead letters (make redrive) and the outbox sweeper; staff see them in their queue."
            ),
        ),
    ),
    # The key that seals the lists' nextToken (shared/http/pagination.py); only the API reads it.
    secrets=(Secret("page-tokens", readers=("api",)),),
    publishes=(
        "ReportFiled",
        "ReportStatusChanged",
        *FOUND_PROPERTY_EVENTS,
        "ReportDecided",
        "ReportAmended",
        "DocumentBlockRequested",
    ),
    # Demo reports for the local cloud, decided or queued by the rules, so staff have work at once.
    seed_handler="services.reports.seed.handler",
    extra_environment={
        AUDIT_RETENTION_DAYS_VARIABLE: str(AUDIT_RETENTION_DAYS),
        TRIAGE_OVERDUE_MINUTES_VARIABLE: str(TRIAGE_OVERDUE_MINUTES),
    },
)
