"""Case work by police staff: the queues, taking a case, asking the applicant for more, and deciding.

Weapons cases are in one national queue, in the order their fees were paid, for staff with the weapons role
in any region; public-place cases in their place's region, for that region's staff (or national staff) with
the permits role. Anything else is as unknown as a missing case. Every read, change and refused attempt
leaves an audit record; a change is stored with its record or not at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import Field

from services.permits.domain import deciding
from services.permits.domain.applying import WEAPONS_QUEUE
from services.permits.domain.model import (
    Application,
    ApplicationStatus,
    CompletionRequest,
    PermitKind,
)
from services.permits.domain.ports import ApplicationRepository, LicenceRegister, Page
from services.permits.domain.rules import PermitRules
from services.permits.messages import TEXTS
from shared import audit
from shared.clock import Clock, stockholm_time
from shared.concurrency import retry_on_conflict
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events.contracts.permits import SOURCE, PermitCompletionRequested
from shared.events.envelope import Envelope, EventData, new_event
from shared.staff import StaffMember

WEAPONS_ROLE = "weapons"
PERMITS_ROLE = "permits"
CASE_ROLES = (WEAPONS_ROLE, PERMITS_ROLE)
MAX_COMPLETION_DAYS = 60


class AuditAction(StrEnum):
    VIEW_QUEUE = "viewQueue"
    VIEW_APPLICATION = "viewApplication"
    TAKE_CASE = "takeCase"
    REQUEST_COMPLETION = "requestCompletion"
    DECIDE = "decide"


class AuditRecord(audit.AuditRecord):
    action: AuditAction
    diarienummer: str | None = None
    diarienummers: list[str] = Field(default_factory=list)

    def subject(self) -> audit.AuditSubject:
        if self.diarienummer:
            return audit.AuditSubject("permit", self.diarienummer)
        return super().subject()


class NotPermitted(Forbidden):
    """The staff member's roles or region do not allow this."""


def role_for(kind: PermitKind) -> str:
    return WEAPONS_ROLE if kind.is_weapons else PERMITS_ROLE


@dataclass(frozen=True)
class CaseDesk:
    staff: StaffMember
    applications: ApplicationRepository
    licences: LicenceRegister
    audit: audit.AuditLog
    rules: PermitRules
    clock: Clock
    correlation_id: str

    def _record(
        self, action: AuditAction, now: datetime, *, allowed: bool = True, **fields: Any
    ) -> AuditRecord:
        return AuditRecord(
            audit_id=str(uuid.uuid4()),
            at=now,
            staff_id=self.staff.staff_id,
            staff_region=self.staff.region,
            action=action,
            allowed=allowed,
            correlation_id=self.correlation_id,
            **fields,
        )

    def _may_work_on(self, application: Application) -> bool:
        if application.kind.is_weapons:
            return self.staff.has_role(WEAPONS_ROLE)
        return self.staff.has_role(PERMITS_ROLE) and self.staff.may_see(application.region)

    def _works_on_permits(self, action: AuditAction, now: datetime, **fields: Any) -> None:
        """Staff who hold neither role are refused outright (403), and the attempt is audited."""
        if not any(self.staff.has_role(role) for role in CASE_ROLES):
            self.audit.record(self._record(action, now, allowed=False, **fields))
            raise NotPermitted(TEXTS("forbidden.no_role"))

    def _visible(self, diarienummer: str, action: AuditAction, now: datetime) -> Application:
        self._works_on_permits(action, now, diarienummer=diarienummer)
        application = self.applications.get(diarienummer)
        if application is None or not self._may_work_on(application):
            self.audit.record(self._record(action, now, allowed=False, diarienummer=diarienummer))
            raise NotFound(TEXTS("not_found.application", diarienummer=diarienummer))
        return application

    # --- reads ---------------------------------------------------------------------------------------------

    def queue(self, queue: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        now = self.clock.now()
        self._works_on_permits(AuditAction.VIEW_QUEUE, now, region=queue)
        allowed = (
            self.staff.has_role(WEAPONS_ROLE)
            if queue == WEAPONS_QUEUE
            else self.staff.has_role(PERMITS_ROLE) and self.staff.may_see(queue)
        )
        if not allowed:
            self.audit.record(self._record(AuditAction.VIEW_QUEUE, now, allowed=False, region=queue))
            raise NotPermitted(TEXTS("forbidden.queue", queue=queue))
        page = self.applications.queue(queue, limit=limit, start=start)
        self.audit.record(
            self._record(
                AuditAction.VIEW_QUEUE,
                now,
                region=queue,
                diarienummers=[a.diarienummer for a in page.applications],
            )
        )
        return page

    def read(self, diarienummer: str) -> Application:
        now = self.clock.now()
        application = self._visible(diarienummer, AuditAction.VIEW_APPLICATION, now)
        self.audit.record(
            self._record(
                AuditAction.VIEW_APPLICATION, now, diarienummer=diarienummer, region=application.region
            )
        )
        return application

    # --- changes -------------------------------------------------------------------------------------------

    def take(self, diarienummer: str) -> Application:
        return retry_on_conflict(lambda: self._take(diarienummer))

    def _take(self, diarienummer: str) -> Application:
        now = self.clock.now()
        application = self._visible(diarienummer, AuditAction.TAKE_CASE, now)
        if application.assigned_to == self.staff.staff_id:
            return application
        if application.status not in (ApplicationStatus.QUEUED, ApplicationStatus.REFERRED):
            raise Conflict(
                TEXTS("conflict.not_takeable", diarienummer=diarienummer, status=application.status.value)
            )
        taken = application.moved(
            ApplicationStatus.IN_PROGRESS,
            now,
            TEXTS("timeline.taken").kept(),
            assigned_to=self.staff.staff_id,
        )
        self.applications.save(
            taken,
            expected_version=application.version,
            audit=self._record(
                AuditAction.TAKE_CASE, now, diarienummer=diarienummer, region=application.region
            ),
        )
        return taken

    def _held(self, diarienummer: str, action: AuditAction, now: datetime) -> Application:
        application = self._visible(diarienummer, action, now)
        if (
            application.status is not ApplicationStatus.IN_PROGRESS
            or application.assigned_to != self.staff.staff_id
        ):
            raise Conflict(TEXTS("conflict.not_held", diarienummer=diarienummer))
        return application

    def request_completion(self, diarienummer: str, *, asked: str, due_on: date) -> Application:
        return retry_on_conflict(lambda: self._request_completion(diarienummer, asked=asked, due_on=due_on))

    def _request_completion(self, diarienummer: str, *, asked: str, due_on: date) -> Application:
        now = self.clock.now()
        today = stockholm_time(now).date()
        if due_on <= today or due_on > today + timedelta(days=MAX_COMPLETION_DAYS):
            raise InvalidInput.of("dueOn", TEXTS("invalid.completion_due", days=MAX_COMPLETION_DAYS))
        application = self._held(diarienummer, AuditAction.REQUEST_COMPLETION, now)
        request = CompletionRequest(
            request_id=str(uuid.uuid4()),
            asked=asked,
            due_on=due_on,
            requested_at=now,
            requested_by=self.staff.staff_id,
        )
        asking = application.moved(
            ApplicationStatus.AWAITING_COMPLETION,
            now,
            TEXTS("timeline.completion_requested", dueOn=due_on.isoformat()).kept(),
            completions=(*application.completions, request),
        )
        event: Envelope[EventData] = new_event(
            PermitCompletionRequested(
                diarienummer=diarienummer,
                request_id=request.request_id,
                due_on=due_on,
                requested_at=now,
                owner_ref=application.applicant_ref,
            ),
            producer=SOURCE,
            occurred_at=now,
            correlation_id=application.correlation_id or self.correlation_id,
        )
        self.applications.save(
            asking,
            expected_version=application.version,
            events=[event],
            audit=self._record(
                AuditAction.REQUEST_COMPLETION, now, diarienummer=diarienummer, region=application.region
            ),
        )
        return asking

    def decide(
        self,
        diarienummer: str,
        *,
        grant: bool,
        reasons: str,
        conditions: str | None,
        valid_until: date | None,
    ) -> Application:
        """Decide the case; a change by the system meanwhile (a letter recorded, a reminder) is read again."""
        return retry_on_conflict(
            lambda: self._decide(
                diarienummer, grant=grant, reasons=reasons, conditions=conditions, valid_until=valid_until
            )
        )

    def _decide(
        self,
        diarienummer: str,
        *,
        grant: bool,
        reasons: str,
        conditions: str | None,
        valid_until: date | None,
    ) -> Application:
        now = self.clock.now()
        application = self._held(diarienummer, AuditAction.DECIDE, now)
        if valid_until is not None and valid_until <= stockholm_time(now).date():
            raise InvalidInput.of("validUntil", TEXTS("invalid.valid_until"))
        if grant:
            decided = deciding.grant(
                application,
                reasons=reasons,
                conditions=conditions,
                valid_until=valid_until,
                by_rule=None,
                staff_id=self.staff.staff_id,
                licences=self.licences,
                rules=self.rules,
                now=now,
                correlation_id=self.correlation_id,
            )
        else:
            decided = deciding.refuse(
                application,
                reasons=reasons,
                staff_id=self.staff.staff_id,
                now=now,
                correlation_id=self.correlation_id,
            )
        saved = decided.application.changed(version=application.version + 1)
        self.applications.save(
            saved,
            expected_version=application.version,
            events=decided.events,
            audit=self._record(
                AuditAction.DECIDE,
                now,
                diarienummer=diarienummer,
                region=application.region,
                change="granted" if grant else "refused",
            ),
            licences=decided.licences,
            expected_licence_versions=decided.expected_licence_versions,
        )
        return saved
