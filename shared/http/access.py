"""Who may call a route at all, as its manifest declares it: checked before the request is parsed.

API Gateway authenticates (a route that is not public never runs without a valid token), but one user pool
signs citizens, staff and agencies alike. This is the service's first decision, made from the route's
declared audience alone: a staff token on a citizen route or a citizen on a staff route is refused here,
before the body is read, so a caller of the wrong kind learns nothing of what the route expects.

A staff route's ``role`` is not checked here but by the domain, with the case in hand: a refused attempt by
staff is audited with the case it was about (brottsdatalagen's log of who tried what), which this edge cannot
do. The authorization matrix proves every declared role is enforced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shared.http.auth import caller_from_event
from shared.http.problems import PROBLEM_JSON, ForbiddenProblem, ProblemError, UnauthorizedProblem
from shared.manifest import Route
from shared.messages import TEXTS

_WHO: dict[str, str] = {"citizen": "only_citizens", "staff": "only_staff", "agency": "only_agencies"}


class RouteAccess:
    """The routes of one service, by method and path template (the REST proxy event's ``resource``)."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self._routes: dict[tuple[str, str], Route] = {(r.method, r.path): r for r in routes}

    def refusal(self, event: Mapping[str, Any]) -> dict[str, Any] | None:
        """The 401 or 403 proxy result for a caller the route shuts out; None when the caller may go on."""
        route = self._routes.get((str(event.get("httpMethod", "")), str(event.get("resource", ""))))
        if route is None or route.audience == "public":
            return None
        problem = _refused(route, event)
        if problem is None:
            return None
        document = problem.problem(str(event.get("path") or "") or None)
        return {
            "statusCode": document.status,
            "headers": {"Content-Type": PROBLEM_JSON},
            "body": document.to_json(),
        }


def _refused(route: Route, event: Mapping[str, Any]) -> ProblemError | None:
    caller = caller_from_event(event)
    if caller is None:
        return UnauthorizedProblem(TEXTS("login"))
    if route.audience == "citizen" and not caller.is_citizen:
        return ForbiddenProblem(TEXTS(_WHO["citizen"]))
    if route.audience == "staff" and (
        not caller.is_staff or caller.region is None or caller.staff_id is None
    ):
        return ForbiddenProblem(TEXTS(_WHO["staff"]))
    if route.audience == "agency" and caller.principal_type != "agency":
        return ForbiddenProblem(TEXTS(_WHO["agency"]))
    return None
