"""The bookings service: passport and ID-card appointments, the document validity check, and meetings about
one's own case."""

from shared.manifest import (
    EID_AUTHORIZER,
    IDEMPOTENCY_KEY_ACTIONS,
    OUTBOX_SWEEP,
    OUTBOX_SWEEPER,
    PUBLISHER_HANDLER,
    Function,
    Index,
    Route,
    Schedule,
    Secret,
    ServiceManifest,
    Subscription,
    Table,
    TableAccess,
)

BASE = "/bookings/v1"
# Staff who run a passport reception: they see its day's list and mark attendance.
RECEPTION_ROLE = "reception"
# What each function does to the service's data (its IAM role is rendered from it; see README).
IDEMPOTENCY_KEYS = TableAccess("idempotency", IDEMPOTENCY_KEY_ACTIONS)

MANIFEST = ServiceManifest(
    name="bookings",
    title="Passport and ID-card bookings",
    routes=(
        Route("GET", f"{BASE}/receptions", "public"),
        Route("GET", f"{BASE}/receptions/{{receptionId}}", "public"),
        Route("GET", f"{BASE}/receptions/{{receptionId}}/slots", "public"),
        # Open routes that answer about one document or booking: limited at the gateway as well as in the
        # service (per address, see README), so guessing numbers is slow.
        Route("POST", f"{BASE}/document-validity", "public", rate_limit_per_second=50, burst_limit=100),
        Route("POST", f"{BASE}/cancellations", "public", rate_limit_per_second=10, burst_limit=20),
        Route("POST", f"{BASE}/appointments", "citizen"),
        Route("GET", f"{BASE}/appointments", "citizen"),
        Route("GET", f"{BASE}/appointments/{{bookingNumber}}", "citizen"),
        Route("PATCH", f"{BASE}/appointments/{{bookingNumber}}", "citizen"),
        Route("DELETE", f"{BASE}/appointments/{{bookingNumber}}", "citizen"),
        Route("POST", f"{BASE}/case-appointments", "citizen"),
        Route("GET", f"{BASE}/staff/receptions/{{receptionId}}/appointments", "staff", role=RECEPTION_ROLE),
        Route("PUT", f"{BASE}/staff/appointments/{{bookingNumber}}/attendance", "staff", role=RECEPTION_ROLE),
        Route("GET", f"{BASE}/openapi.json", "public"),
    ),
    functions=(
        # Citizens wait on this one, and a cold start is CPU-bound: more memory is more CPU.
        Function(
            "api",
            "services.bookings.api.handler",
            "api",
            memory_mb=1024,
            description="Bookings HTTP API",
            # Bookings are transactions of puts, updates (places taken, the booker's ledger) and deletes
            # (guards given back); UpdateItem is also the per-address limit of the open routes.
            access=(
                TableAccess(
                    "main",
                    ("GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem"),
                    indexes=("byBooker", "byReceptionDay"),
                ),
                IDEMPOTENCY_KEYS,
            ),
        ),
        Function("publisher", PUBLISHER_HANDLER, "publisher", description="Outbox stream to the event bus"),
        OUTBOX_SWEEPER,
        EID_AUTHORIZER,
        Function(
            "documents",
            "services.bookings.consumers.documents_handler",
            "consumer",
            description="Blocks passports and ID cards reported lost or stolen by their holder or guardian",
            # Reads the document; one transaction blocks it (a conditional update) with the event that answers
            # the report (an outbox put), or stores the refusal's event alone.
            access=(TableAccess("main", ("GetItem", "UpdateItem", "PutItem")),),
        ),
        Function(
            "cases",
            "services.bookings.consumers.cases_handler",
            "consumer",
            description="Learns whose case is whose, for meetings about a report or a permit application",
            access=(TableAccess("main", ("PutItem",)),),
        ),
        Function(
            "reminders",
            "services.bookings.jobs.reminders_handler",
            "job",
            timeout_s=60,
            description="Reminds citizens a day before their appointment",
            access=(TableAccess("main", ("PutItem",), indexes=("byReminderDue",)),),
        ),
    ),
    tables=(
        Table(
            "main",
            indexes=(
                # A citizen's own appointments, latest time first.
                Index("byBooker", "bookerKey", "bookerSort"),
                # A reception's day, for its staff.
                Index("byReceptionDay", "dayKey", "daySort"),
                # Reminders not yet sent, by the day they fall due (sparse: the keys go once sent).
                Index("byReminderDue", "reminderKey", "reminderSort"),
            ),
            stream=True,
        ),
        Table("idempotency", partition_key="id", sort_key=None, ttl_attribute="expiration"),
    ),
    subscriptions=(
        Subscription(
            "documents",
            function="documents",
            source="polisen.reports",
            detail_types=("DocumentBlockRequested",),
        ),
        Subscription(
            "cases",
            function="cases",
            source="polisen.reports",
            detail_types=("ReportFiled",),
        ),
        # A rule matches one source, so permit applications come to the same consumer by a rule of their own.
        Subscription(
            "permitCases",
            function="cases",
            source="polisen.permits",
            detail_types=("PermitApplicationSubmitted",),
        ),
    ),
    schedules=(Schedule("reminders", function="reminders", expression="rate(5 minutes)"), OUTBOX_SWEEP),
    # The key that seals the lists' nextToken (shared/http/pagination.py); only the API reads it.
    secrets=(Secret("page-tokens", readers=("api",)),),
    publishes=(
        "AppointmentBooked",
        "AppointmentRescheduled",
        "AppointmentCancelled",
        "AppointmentReminderDue",
        "AppointmentAttended",
        "AppointmentMissed",
        "DocumentBlocked",
        "DocumentBlockRefused",
    ),
    rate_limit_per_second=50,
    burst_limit=100,
    seed_handler="services.bookings.seed.handler",
    extra_environment={
        # The validity check and cancelling without login, per client address.
        "PUBLIC_REQUESTS_PER_MINUTE": "30",
        # Above the slowest normal answer, so the time taken says nothing about the register.
        "VALIDITY_MIN_RESPONSE_MS": "200",
    },
)
