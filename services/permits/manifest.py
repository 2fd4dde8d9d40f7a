"""The permits service: permits to use a public place and the four weapons e-services (licence, renewal,
purchase permit, duplicate licence), from the fee to the decision, with the municipality's answer to a
referral through an agency API."""

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

BASE = "/permits/v1"
APPLICATIONS = f"{BASE}/applications"
STAFF = f"{BASE}/staff"
# The queue of letters to citizens' digital mailboxes (see shared/adapters/mailbox.py), drained by a connector
# outside this stack.
OUTGOING_MAIL = "outgoing-mail"
# The shared secret the payment provider signs its callbacks with.
PAYMENT_CALLBACK_SECRET = "payment-callbacks"  # noqa: S105 - the secret's name, not its value
# The key of the keyed hash that indexes licences by holder without the personnummer in a key.
HOLDER_KEYS = "holder-keys"
# Audit records of staff's reads and changes are kept five years, then expire (configurable here).
AUDIT_RETENTION_DAYS = 5 * 365 + 1
# Paid applications still unprepared ten minutes after payment (their event lost or dead-lettered), counted by
# the deadlines job on every run.
STALLED_METRIC = "PermitPreparationsStalled"

# Staff roles: weapons cases (the national queue) and public-place cases (each region's).
WEAPONS_ROLE = "weapons"
PERMITS_ROLE = "permits"
CASE_ROLES = (WEAPONS_ROLE, PERMITS_ROLE)
IDEMPOTENCY_KEYS = TableAccess("idempotency", IDEMPOTENCY_KEY_ACTIONS)
# Numbers (diarienummer, licence numbers) are UpdateItem counters; every other write is a conditional put.
API_ACCESS = (
    TableAccess(
        "main",
        ("GetItem", "Query", "PutItem", "UpdateItem"),
        indexes=("byApplicant", "byQueue", "byMunicipality", "byHolder"),
    ),
    IDEMPOTENCY_KEYS,
    # Staff's reads and changes are recorded, never read back by the service.
    TableAccess("audit", ("PutItem",)),
    # Sketches through presigned POSTs, the upload check (HeadObject is GetObject) and a mismatch removed.
    BucketAccess("sketches", ("PutObject", "GetObject", "DeleteObject")),
)

MANIFEST = ServiceManifest(
    name="permits",
    title="Permits",
    routes=(
        # The fee before submission, for any draft: no login needed to see what an application costs.
        Route("POST", f"{BASE}/fee-quotes", "public"),
        Route("POST", APPLICATIONS, "citizen"),
        Route("GET", APPLICATIONS, "citizen"),
        Route("GET", f"{APPLICATIONS}/{{diarienummer}}", "citizen"),
        Route("POST", f"{APPLICATIONS}/{{diarienummer}}/sketch", "citizen"),
        Route("POST", f"{APPLICATIONS}/{{diarienummer}}/sketch/complete", "citizen"),
        Route("PUT", f"{APPLICATIONS}/{{diarienummer}}/completions/{{requestId}}", "citizen"),
        Route("GET", f"{APPLICATIONS}/{{diarienummer}}/receipt", "citizen"),
        Route("GET", f"{APPLICATIONS}/{{diarienummer}}/decision", "citizen"),
        Route("GET", f"{BASE}/licences", "citizen"),
        # The payment provider's signed confirmation: authenticated by its signature, not a login.
        Route("POST", f"{BASE}/payment-callbacks", "public", rate_limit_per_second=20, burst_limit=40),
        # Municipalities, as agency clients scoped to their municipality code.
        Route("GET", f"{BASE}/referrals", "agency"),
        Route("GET", f"{BASE}/referrals/{{diarienummer}}", "agency"),
        Route("PUT", f"{BASE}/referrals/{{diarienummer}}/answer", "agency"),
        # Staff: the weapons role for weapons cases, the permits role for public-place cases (see README).
        Route("GET", f"{STAFF}/queues/{{queue}}", "staff", any_role=CASE_ROLES),
        Route("GET", f"{STAFF}/applications/{{diarienummer}}", "staff", any_role=CASE_ROLES),
        Route("POST", f"{STAFF}/applications/{{diarienummer}}/assignment", "staff", any_role=CASE_ROLES),
        Route(
            "POST", f"{STAFF}/applications/{{diarienummer}}/completion-requests", "staff", any_role=CASE_ROLES
        ),
        Route("POST", f"{STAFF}/applications/{{diarienummer}}/decision", "staff", any_role=CASE_ROLES),
        Route("GET", f"{BASE}/openapi.json", "public"),
    ),
    functions=(
        Function(
            "api",
            "services.permits.api.handler",
            "api",
            memory_mb=1024,
            description="Permits HTTP API",
            access=API_ACCESS,
        ),
        Function("publisher", PUBLISHER_HANDLER, "publisher", description="Outbox stream to the event bus"),
        OUTBOX_SWEEPER,
        EID_AUTHORIZER,
        Function(
            "prepare",
            "services.permits.consumers.prepare_handler",
            "consumer",
            description="Runs the checks of a paid application; decides clear duplicates and renewals by rule, "
            "refers public-place applications to their municipality and queues the rest",
            # Reads the case, the applicant's licences and the registers; writes the case, licences and the
            # decided tally in one transaction (conditional puts); UpdateItem is the licence number counter.
            access=(
                TableAccess("main", ("GetItem", "Query", "PutItem", "UpdateItem"), indexes=("byHolder",)),
            ),
        ),
        Function(
            "referralAnswers",
            "services.permits.consumers.referral_answers_handler",
            "consumer",
            description="Moves a case the municipality answered to its region's queue",
            access=(TableAccess("main", ("GetItem", "PutItem")),),
        ),
        Function(
            "letters",
            "services.permits.consumers.letters_handler",
            "consumer",
            description="Writes to applicants' digital mailboxes: decisions, completion requests, dismissals, and "
            "licence holders' reminders before a licence ends",
            # Reads the case and records the letter on it; sends to the outgoing-mail queue.
            access=(TableAccess("main", ("GetItem", "PutItem")),),
        ),
        Function(
            "deadlines",
            "services.permits.jobs.deadlines_handler",
            "job",
            timeout_s=120,
            description="Dismisses unpaid applications, reminds and escalates referrals, lapses completion "
            "requests, sends delay notices and reminds licence holders before their licence ends",
            access=(
                TableAccess(
                    "main", ("GetItem", "Query", "PutItem"), indexes=("byDue", "byQueue", "byExpiry")
                ),
            ),
        ),
    ),
    tables=(
        Table(
            "main",
            indexes=(
                # An applicant's own applications, latest first.
                Index("byApplicant", "applicantKey", "applicantSort", projection="KEYS_ONLY"),
                # Cases waiting for a case handler, in the order paid: the national weapons queue and each
                # region's public-place queue.
                Index("byQueue", "queueKey", "queueSort", projection="KEYS_ONLY"),
                # Referrals waiting for their municipality's answer.
                Index("byMunicipality", "referralKey", "referralSort", projection="KEYS_ONLY"),
                # Cases with something due (sparse: the keys go when nothing is).
                Index("byDue", "dueKey", "dueSort", projection="KEYS_ONLY"),
                # Licences by holder (a keyed hash of the personnummer) and by the end of their validity.
                Index("byHolder", "holderKey", "holderSort", projection="KEYS_ONLY"),
                Index("byExpiry", "expiryKey", "expirySort", projection="KEYS_ONLY"),
            ),
            stream=True,
        ),
        Table("idempotency", partition_key="id", sort_key=None, ttl_attribute="expiration"),
        Table("audit", indexes=(Index("byStaff", "staffKey", "staffSort"),), append_only=True),
    ),
    buckets=(Bucket("sketches"),),
    queues=(Queue(OUTGOING_MAIL, senders=("letters", "deadlines"), max_age_alarm_minutes=60),),
    subscriptions=(
        Subscription(
            "prepare", function="prepare", source="polisen.permits", detail_types=("PermitFeePaid",)
        ),
        Subscription(
            "referralAnswers",
            function="referralAnswers",
            source="polisen.permits",
            detail_types=("MunicipalityAnswered",),
        ),
        Subscription(
            "letters",
            function="letters",
            source="polisen.permits",
            detail_types=(
                "PermitDecided",
                "PermitCompletionRequested",
                "PermitApplicationDismissed",
                "LicenceExpiring",
            ),
        ),
    ),
    schedules=(Schedule("deadlines", function="deadlines", expression="rate(5 minutes)"), OUTBOX_SWEEP),
    secrets=(
        # The key that seals the lists' nextToken (shared/http/pagination.py).
        Secret("page-tokens", readers=("api",)),
        Secret(PAYMENT_CALLBACK_SECRET, readers=("api",)),
        Secret(HOLDER_KEYS, readers=("api", "prepare", "deadlines", "letters")),
    ),
    alarms=(
        MetricAlarm(
            name=STALLED_METRIC,
            metric=STALLED_METRIC,
            threshold=0,
            description="Paid permit applications not prepared ten minutes after payment: their fee-paid event "
            "was lost or dead-lettered. Look for dead letters (make redrive) and the outbox sweeper.",
        ),
    ),
    publishes=(
        "PermitApplicationSubmitted",
        "PermitFeePaid",
        "PermitApplicationDismissed",
        "PermitReferralSent",
        "MunicipalityAnswered",
        "PermitCompletionRequested",
        "PermitCompletionAnswered",
        "PermitDecided",
        "LicenceExpiring",
    ),
    rate_limit_per_second=50,
    burst_limit=100,
    seed_handler="services.permits.seed.handler",
    extra_environment={"AUDIT_RETENTION_DAYS": str(AUDIT_RETENTION_DAYS)},
)
