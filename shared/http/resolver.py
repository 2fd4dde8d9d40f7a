"""The REST resolver every service API uses: validation from the pydantic contracts, problem+json errors in
the language the request asks for (``Accept-Language``, Swedish by default), times in Stockholm time, and the
OpenAPI document served next to the API."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import partial
from importlib import import_module
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIResponseValidationMiddleware,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.shared.json_encoder import Encoder
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.clock import in_stockholm_time
from shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, Referral
from shared.http.access import RouteAccess
from shared.http.body import StrictJsonRequestValidation
from shared.http.problems import (
    PROBLEM_JSON,
    ConflictProblem,
    ForbiddenProblem,
    NotFoundProblem,
    Problem,
    ProblemError,
    UnprocessableProblem,
    ValidationProblem,
    field_name,
)
from shared.http.problems import (
    title as problem_title,
)
from shared.i18n import InvalidValue, Language, Text, current_language, localized, negotiate, using_language
from shared.manifest import Route
from shared.messages import TEXTS

# What every answer varies by besides its path: the language its texts are written in.
VARY = "Accept-Language"


def _reason(error: dict[str, Any]) -> Text:
    """Why pydantic refused a value: our validators' own words from their catalog, pydantic's sentence in
    English and its Swedish counterpart from the shared catalog."""
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    if kind == "json_invalid":
        return TEXTS("json_invalid", error=str(context.get("error", "cannot be parsed")))
    cause = context.get("error")
    if isinstance(cause, InvalidValue):
        return cause.message
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    if current_language() == "en" or kind == "value_error":
        return message
    key = f"pydantic.{kind}"
    # pydantic joins the values it expected with an English "or" ('a', 'b' or 'c').
    values = {k: str(v).replace(" or ", " eller ") if k == "expected" else str(v) for k, v in context.items()}
    try:
        return TEXTS(key, **values).render("sv")
    except (KeyError, IndexError):
        return TEXTS("pydantic.invalid_value")


def _header(event: Mapping[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if str(key).lower() == name:
            return str(value)
    for key, values in (event.get("multiValueHeaders") or {}).items():
        if str(key).lower() == name and values:
            return ", ".join(str(v) for v in values)
    return None


def request_language(event: Mapping[str, Any]) -> Language:
    """The language to answer ``event`` in, from its ``Accept-Language``."""
    return negotiate(_header(event, "accept-language"))


def _with_language(result: dict[str, Any], language: Language) -> dict[str, Any]:
    """``Content-Language`` names the language the answer's texts are in; ``Vary`` tells caches it mattered."""
    added = {"Content-Language": language, "Vary": VARY}
    if isinstance(result.get("multiValueHeaders"), dict):
        for name, value in added.items():
            result["multiValueHeaders"].setdefault(name, [value])
    else:
        result["headers"] = {**added, **(result.get("headers") or {})}
    return result


def _problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(
        status_code=problem.status, content_type=PROBLEM_JSON, body=problem.to_json(), headers=headers
    )


def problem_for(error: DomainError) -> ProblemError:
    """The HTTP face of a domain error."""
    if isinstance(error, InvalidInput):
        return ValidationProblem(None, invalid_parameters=list(error.reasons.items()))
    if isinstance(error, NotFound):
        return NotFoundProblem(error.detail)
    if isinstance(error, Forbidden):
        return ForbiddenProblem(error.detail)
    if isinstance(error, Conflict):
        return ConflictProblem(error.detail)
    if isinstance(error, Referral):
        return UnprocessableProblem(error.detail, refer_to=error.refer_to)
    return UnprocessableProblem(error.detail)


class StockholmTimeResponses(OpenAPIResponseValidationMiddleware):
    """Powertools' response validation, with every time in the answer turned to Stockholm time first (a
    citizen reads ``2026-12-02T10:15:00+01:00``, whatever the service keeps (UTC) and in every service), and
    every text kept as a catalog key shown in the request's language."""

    def _handle_response(self, *, route: Any, response: Response[Any]) -> Response[Any]:
        response.body = localized(in_stockholm_time(response.body))
        return super()._handle_response(route=route, response=response)  # type: ignore[no-any-return]


class ServiceResolver(APIGatewayRestResolver):
    """Powertools' REST resolver that answers in the request's language and first refuses callers the
    route's declared audience shuts out (:mod:`shared.http.access`), before validation reads the body.

    Its routers are named, not imported (:meth:`serve`): each is imported and included by the first request
    under one of the paths it serves, so a cold start loads the router its request needs, with the contracts
    and the domain behind it, and not the others (ADR 74). A path no router claims (the OpenAPI document, a
    path that does not exist) includes them all, so it is answered as if every router had been included at
    import."""

    def __init__(self, *, access: RouteAccess, **options: Any) -> None:
        super().__init__(**options)
        self._access = access
        # module -> the path prefixes its router serves, before and after its first request
        self._pending: dict[str, tuple[str, ...]] = {}
        self._included: dict[str, tuple[str, ...]] = {}

    def serve(self, module: str, *, under: Sequence[str]) -> None:
        """``module``'s ``router`` serves every path under the prefixes ``under`` (``/reports/v1/staff``
        serves ``/reports/v1/staff/queue``); a longer prefix of another router wins inside it."""
        self._pending[module] = tuple(under)

    def router_for(self, path: str) -> str | None:
        """The module whose router serves ``path``: the one with the longest prefix of it."""
        best: tuple[int, str] | None = None
        for module, prefixes in {**self._included, **self._pending}.items():
            for prefix in prefixes:
                if (path == prefix or path.startswith(prefix + "/")) and (
                    best is None or len(prefix) > best[0]
                ):
                    best = (len(prefix), module)
        return best[1] if best is not None else None

    def include_every_router(self) -> None:
        """What the OpenAPI document and a path no router claims need."""
        for module in list(self._pending):
            self._include(module)

    def _include(self, module: str) -> None:
        prefixes = self._pending.pop(module, None)
        if prefixes is None:
            return
        self.include_router(import_module(module).router)
        self._included[module] = prefixes

    def _include_for(self, event: Mapping[str, Any]) -> None:
        if not self._pending:
            return
        module = self.router_for(str(event.get("path") or ""))
        if module is None:
            self.include_every_router()
        else:
            self._include(module)

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        language = request_language(event)
        with using_language(language):
            refusal = self._access.refusal(event)
            if refusal is None:
                self._include_for(event)
            result = refusal if refusal is not None else super().resolve(event, context)
        return _with_language(result, language)


def create_resolver(
    *, title: str, base_path: str, logger: Logger, routes: Sequence[Route] = ()
) -> ServiceResolver:
    """A resolver whose every error is problem+json. ``base_path`` is e.g. ``/reports/v1``; ``routes`` are the
    manifest's: their audience is enforced before anything else, and says which errors and logins the
    served OpenAPI document declares."""
    # Swedish text stays readable on the wire (å, ä, ö), not \u escapes.
    serializer = partial(json.dumps, separators=(",", ":"), ensure_ascii=False, cls=Encoder)
    app = ServiceResolver(access=RouteAccess(routes), enable_validation=True, serializer=serializer)
    # Bodies are read as JSON only, UTF-8 only, strictly typed (shared.http.body).
    app._request_validation_middleware = StrictJsonRequestValidation()
    # Every time in an answer is Stockholm time with its offset (shared.clock.in_stockholm_time).
    app._response_validation_middleware = StockholmTimeResponses(
        validation_serializer=serializer, has_response_validation_error=app._has_response_validation_error
    )

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
        invalid: list[tuple[str, Text]] = [
            (field_name(e["loc"], (e.get("ctx") or {}).get("discriminator")), _reason(e))
            for e in error.errors()
        ]
        return _problem_response(ValidationProblem(None, invalid_parameters=invalid).problem(instance()))

    @app.exception_handler(RequestUnsupportedContentType)
    def _unsupported(_: RequestUnsupportedContentType) -> Response[str]:
        problem = Problem(title=problem_title(415), status=415, detail=TEXTS("send_json").render())
        return _problem_response(problem)

    @app.not_found
    def _not_found(_: NotFoundError) -> Response[str]:
        return _problem_response(NotFoundProblem(TEXTS("no_such_resource")).problem(instance()))

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response[str]:
        # The citizen gets a plain apology; the details stay in our logs only.
        logger.exception("Unhandled error", extra={"errorType": type(error).__name__})
        problem = Problem(title=problem_title(500), status=500, detail=TEXTS("internal_error").render())
        return _problem_response(problem)

    served: list[str] = []

    @app.get(f"{base_path}/openapi.json", include_in_schema=False)
    def _openapi() -> Response[str]:
        if not served:
            # Built on first request only: it imports and walks every model, which a cold start need not.
            from shared.http.openapi import openapi_document

            app.include_every_router()
            served.append(json.dumps(openapi_document(app, title=title, routes=routes), ensure_ascii=False))
        return Response(status_code=200, content_type="application/json", body=served[0])

    return app
