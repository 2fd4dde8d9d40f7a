"""The feedback service: praise, suggestions and complaints handled by the national model (seven regional
functions and a national one), from intake on the web or at the contact centre to the answer, the searchable
database and what the police learnt."""

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
    Queue,
    Route,
    Schedule,
    Secret,
    ServiceManifest,
    Subscription,
    Table,
    TableAccess,
)

BASE = "/feedback/v1"
ITEMS = f"{BASE}/items"
STAFF = f"{BASE}/staff"
OUTGOING_MAIL = "outgoing-mail"
# Staff roles: the regional (or national) feedback function, and the responsible managers who answer.
FUNCTION_ROLE = "feedback"
MANAGER_ROLE = "manager"
CONTACT_CENTRE_ROLE = "contactCentre"
CASE_ROLES = (FUNCTION_ROLE, MANAGER_ROLE)
# The answer is due this many days after the item is received (configurable per environment).
ANSWER_DAYS = 14
AUDIT_RETENTION_DAYS = 5 * 365 + 1

IDEMPOTENCY_KEYS = TableAccess("idempotency", IDEMPOTENCY_KEY_ACTIONS)

MANIFEST = ServiceManifest(
    name="feedback",
    title="Feedback and complaints",
    routes=(
        Route("GET", f"{BASE}/guidance", "public"),
        # Anonymous feedback: nothing that could identify the sender is kept on the way in.
        Route(
            "POST",
            f"{BASE}/anonymous-items",
            "public",
            rate_limit_per_second=10,
            burst_limit=20,
            anonymous=True,
        ),
        Route("POST", ITEMS, "citizen"),
        Route("GET", ITEMS, "citizen"),
        Route("GET", f"{ITEMS}/{{feedbackNumber}}", "citizen"),
        Route("POST", f"{ITEMS}/{{feedbackNumber}}/reopening", "citizen"),
        Route("POST", f"{ITEMS}/{{feedbackNumber}}/attachments", "citizen"),
        Route("POST", f"{ITEMS}/{{feedbackNumber}}/attachments/{{attachmentId}}/complete", "citizen"),
        Route("POST", f"{STAFF}/items", "staff", role=CONTACT_CENTRE_ROLE),
        Route("GET", f"{STAFF}/items", "staff", role=FUNCTION_ROLE),
        Route("GET", f"{BASE}/lessons", "public"),
        Route("GET", f"{BASE}/published", "public", rate_limit_per_second=20, burst_limit=40),
        Route("POST", f"{STAFF}/lessons", "staff", role=FUNCTION_ROLE),
        Route("GET", f"{STAFF}/learning", "staff", role=FUNCTION_ROLE),
        Route("GET", f"{STAFF}/learning.csv", "staff", role=FUNCTION_ROLE),
        Route("GET", f"{STAFF}/learning/chart.svg", "staff", role=FUNCTION_ROLE),
        Route("GET", f"{STAFF}/search", "staff", role=FUNCTION_ROLE),
        Route("GET", f"{STAFF}/items/{{feedbackNumber}}", "staff", any_role=CASE_ROLES),
        Route("POST", f"{STAFF}/items/{{feedbackNumber}}/assignment", "staff", role=FUNCTION_ROLE),
        Route("POST", f"{STAFF}/items/{{feedbackNumber}}/transfer", "staff", role=FUNCTION_ROLE),
        Route("POST", f"{STAFF}/items/{{feedbackNumber}}/referral", "staff", role=FUNCTION_ROLE),
        Route("POST", f"{STAFF}/items/{{feedbackNumber}}/answer", "staff", role=MANAGER_ROLE),
        Route("POST", f"{STAFF}/items/{{feedbackNumber}}/employee-feedback", "staff", role=MANAGER_ROLE),
        Route("POST", f"{STAFF}/items/{{feedbackNumber}}/closing", "staff", role=MANAGER_ROLE),
        Route("PUT", f"{STAFF}/items/{{feedbackNumber}}/publication", "staff", role=FUNCTION_ROLE),
        Route("GET", f"{BASE}/openapi.json", "public"),
    ),
    functions=(
        Function(
            "api",
            "services.feedback.api.handler",
            "api",
            memory_mb=1024,
            description="Feedback HTTP API",
            access=(
                TableAccess(
                    "main",
                    # BatchGetItem: a search's candidates' words; DeleteItem: index rows of a region an item left.
                    ("GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "DeleteItem"),
                    indexes=("byOwner", "byRegionOpen"),
                ),
                IDEMPOTENCY_KEYS,
                TableAccess("audit", ("PutItem",)),
                # Attachments through presigned POSTs, the upload check (HeadObject) and a mismatch removed.
                BucketAccess("attachments", ("PutObject", "GetObject", "DeleteObject")),
            ),
        ),
        Function("publisher", PUBLISHER_HANDLER, "publisher", description="Outbox stream to the event bus"),
        OUTBOX_SWEEPER,
        EID_AUTHORIZER,
        Function(
            "cases",
            "services.feedback.consumers.cases_handler",
            "consumer",
            description="Learns whose report or permit case is whose, for feedback about one's own case",
            access=(TableAccess("main", ("PutItem",)),),
        ),
        Function(
            "letters",
            "services.feedback.consumers.letters_handler",
            "consumer",
            description="Writes the manager's answer, and the lessons their feedback fed, to senders' digital mailboxes",
            access=(TableAccess("main", ("GetItem", "PutItem")),),
        ),
        Function(
            "deadlines",
            "services.feedback.jobs.deadlines_handler",
            "job",
            timeout_s=120,
            description="Reminds managers before an answer is due, escalates overdue items and tells senders",
            access=(TableAccess("main", ("GetItem", "Query", "PutItem"), indexes=("byDue",)),),
        ),
    ),
    tables=(
        Table(
            "main",
            indexes=(
                Index("byOwner", "ownerKey", "ownerSort", projection="KEYS_ONLY"),
                Index("byRegionOpen", "regionKey", "regionSort", projection="KEYS_ONLY"),
                Index("byDue", "dueKey", "dueSort", projection="KEYS_ONLY"),
            ),
            stream=True,
        ),
        Table("idempotency", partition_key="id", sort_key=None, ttl_attribute="expiration"),
        Table("audit", indexes=(Index("byStaff", "staffKey", "staffSort"),), append_only=True),
    ),
    buckets=(Bucket("attachments"),),
    queues=(Queue(OUTGOING_MAIL, senders=("letters", "deadlines"), max_age_alarm_minutes=60),),
    subscriptions=(
        Subscription(
            "reportCases", function="cases", source="polisen.reports", detail_types=("ReportFiled",)
        ),
        Subscription(
            "permitCases",
            function="cases",
            source="polisen.permits",
            detail_types=("PermitApplicationSubmitted",),
        ),
        Subscription(
            "letters",
            function="letters",
            source="polisen.feedback",
            detail_types=("FeedbackAnswered", "LessonPublished"),
        ),
    ),
    schedules=(Schedule("deadlines", function="deadlines", expression="rate(15 minutes)"), OUTBOX_SWEEP),
    secrets=(Secret("page-tokens", readers=("api",)),),
    publishes=(
        "FeedbackReceived",
        "FeedbackRouted",
        "FeedbackAnswered",
        "FeedbackClosed",
        "FeedbackReopened",
        "LessonPublished",
    ),
    rate_limit_per_second=50,
    burst_limit=100,
    seed_handler="services.feedback.seed.handler",
    extra_environment={
        "AUDIT_RETENTION_DAYS": str(AUDIT_RETENTION_DAYS),
        "FEEDBACK_ANSWER_DAYS": str(ANSWER_DAYS),
    },
)
