"""The REST resolver every service API uses: validation from the pydantic contracts, problem+json errors,
and the OpenAPI document served next to the API."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.shared.json_encoder import Encoder
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, Referral
from shared.http.access import RouteAccess
from shared.http.body import StrictJsonRequestValidation
from shared.http.problems import (
    PROBLEM_JSON,
    ConflictProblem,
    ForbiddenProblem,
    InvalidParameter,
    NotFoundProblem,
    Problem,
    ProblemError,
    UnprocessableProblem,
    ValidationProblem,
    field_name,
)
from shared.manifest import Route


def _reason(error: dict[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        return f"malformed JSON: {error.get('ctx', {}).get('error', 'cannot be parsed')}"
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


def _problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(
        status_code=problem.status, content_type=PROBLEM_JSON, body=problem.to_json(), headers=headers
    )


def problem_for(error: DomainError) -> ProblemError:
    """The HTTP face of a domain error."""
    if isinstance(error, InvalidInput):
        invalid = [InvalidParameter(name=field, reason=reason) for field, reason in error.reasons.items()]
        return ValidationProblem(error.detail, invalid_parameters=invalid)
    if isinstance(error, NotFound):
        return NotFoundProblem(error.detail)
    if isinstance(error, Forbidden):
        return ForbiddenProblem(error.detail)
    if isinstance(error, Conflict):
        return ConflictProblem(error.detail)
    if isinstance(error, Referral):
        return UnprocessableProblem(error.detail, refer_to=error.refer_to)
    return UnprocessableProblem(error.detail)


class ServiceResolver(APIGatewayRestResolver):
    """Powertools' REST resolver that first refuses callers the route's declared audience shuts out
    (:mod:`shared.http.access`), before validation reads the body."""

    def __init__(self, *, access: RouteAccess, **options: Any) -> None:
        super().__init__(**options)
        self._access = access

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        refusal = self._access.refusal(event)
        return refusal if refusal is not None else super().resolve(event, context)


def create_resolver(
    *, title: str, base_path: str, logger: Logger, routes: Sequence[Route] = ()
) -> APIGatewayRestResolver:
    """A resolver whose every error is problem+json. ``base_path`` is e.g. ``/reports/v1``; ``routes`` are the
    manifest's: their audience is enforced before anything else, and says which errors and logins the
    served OpenAPI document declares."""
    # Swedish text stays readable on the wire (å, ä, ö), not \u escapes.
    serializer = partial(json.dumps, separators=(",", ":"), ensure_ascii=False, cls=Encoder)
    app = ServiceResolver(access=RouteAccess(routes), enable_validation=True, serializer=serializer)
    # Bodies are read as JSON only, UTF-8 only, strictly typed (shared.http.body).
    app._request_validation_middleware = StrictJsonRequestValidation()

    def instance() -> str | None:
        event = app.current_event
        return event.path if event is not None else None

    @app.exception_handler(ProblemError)
    def _problem(error: ProblemError) -> Response[str]:
        return _problem_response(error.problem(instance()), error.headers)

    @app.exception_handler(DomainError)
    def _domain(error: DomainError) -> Response[str]:
        return _problem_response(problem_for(error).problem(instance()))

    @app.exception_handler(RequestValidationError)
    def _invalid(error: RequestValidationError) -> Response[str]:
        invalid = [
            InvalidParameter(
                name=field_name(e["loc"], e.get("ctx", {}).get("discriminator")), reason=_reason(e)
            )
            for e in error.errors()
        ]
        detail = "; ".join(f"{p.name}: {p.reason}" for p in invalid)
        return _problem_response(ValidationProblem(detail, invalid_parameters=invalid).problem(instance()))

    @app.exception_handler(RequestUnsupportedContentType)
    def _unsupported(_: RequestUnsupportedContentType) -> Response[str]:
        problem = Problem(
            title="Unsupported Media Type", status=415, detail="Send the body as application/json"
        )
        return _problem_response(problem)

    @app.not_found
    def _not_found(_: NotFoundError) -> Response[str]:
        return _problem_response(NotFoundProblem("No such resource").problem(instance()))

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response[str]:
        # The citizen gets a plain apology; the details stay in our logs only.
        logger.exception("Unhandled error", extra={"errorType": type(error).__name__})
        problem = Problem(
            title="Internal Server Error",
            status=500,
            detail="Something went wrong on our side. Nothing was saved; please try again later.",
        )
        return _problem_response(problem)

    served: list[str] = []

    @app.get(f"{base_path}/openapi.json", include_in_schema=False)
    def _openapi() -> Response[str]:
        if not served:
            # Built on first request only: it imports and walks every model, which a cold start need not.
            from shared.http.openapi import openapi_document

            served.append(json.dumps(openapi_document(app, title=title, routes=routes), ensure_ascii=False))
        return Response(status_code=200, content_type="application/json", body=served[0])

    return app
