"""API Gateway (REST, Lambda proxy integration) as pure functions: routes, the proxy event, the result.

Nothing here does I/O, so every rule API Gateway applies between HTTP and a function is unit-testable.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote

from infra.local.plan import ACCOUNT_ID, RoutePlan
from shared.http.problems import PROBLEM_BASE, PROBLEM_JSON

STAGE = "local"
_HOP_BY_HOP = frozenset({"connection", "content-length", "keep-alive", "transfer-encoding", "upgrade"})
_PARAM = re.compile(r"^\{(?P<name>[A-Za-z0-9_.-]+)(?P<greedy>\+?)\}$")


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str  # as sent, still percent-encoded
    query: str
    headers: Sequence[tuple[str, str]]
    body: bytes
    source_ip: str

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


# --- routes --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteMatch:
    route: RoutePlan
    path_parameters: dict[str, str]


@dataclass(frozen=True)
class MethodNotAllowed:
    allowed: tuple[str, ...]


@dataclass(frozen=True)
class _Template:
    route: RoutePlan
    segments: tuple[str, ...]
    # Lower sorts first: API Gateway prefers a literal segment over a parameter, and both over a greedy one.
    specificity: tuple[int, ...]


class RouteTable:
    def __init__(self, routes: Iterable[RoutePlan]) -> None:
        self._templates = [_template(route) for route in routes]

    def match(self, method: str, path: str) -> RouteMatch | MethodNotAllowed | None:
        """The route for ``method`` and the percent-encoded ``path``; None when no route has this path."""
        segments = _segments(path)
        by_method: dict[str, tuple[tuple[int, ...], RouteMatch]] = {}
        for template in self._templates:
            parameters = _match_segments(template.segments, segments)
            if parameters is None:
                continue
            current = by_method.get(template.route.method)
            if current is None or template.specificity < current[0]:
                by_method[template.route.method] = (
                    template.specificity,
                    RouteMatch(template.route, parameters),
                )
        if not by_method:
            return None
        if method in by_method:
            return by_method[method][1]
        return MethodNotAllowed(tuple(sorted(by_method)))


def _template(route: RoutePlan) -> _Template:
    segments = tuple(_segments(route.path))
    specificity = []
    for segment in segments:
        parameter = _PARAM.match(segment)
        specificity.append(0 if parameter is None else 2 if parameter["greedy"] else 1)
    return _Template(route, segments, tuple(specificity))


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def _match_segments(template: Sequence[str], actual: Sequence[str]) -> dict[str, str] | None:
    parameters: dict[str, str] = {}
    for index, segment in enumerate(template):
        parameter = _PARAM.match(segment)
        if parameter and parameter["greedy"]:
            rest = actual[index:]
            if not rest:
                return None
            parameters[parameter["name"]] = unquote("/".join(rest))
            return parameters
        if index >= len(actual):
            return None
        if parameter:
            parameters[parameter["name"]] = unquote(actual[index])
        elif unquote(actual[index]) != segment:
            return None
    return parameters if len(template) == len(actual) else None


# --- the proxy event -----------------------------------------------------------------------------------


def proxy_event(
    request: HttpRequest,
    match: RouteMatch,
    *,
    request_id: str,
    claims: Mapping[str, str] | None,
    now: datetime,
    domain_name: str,
) -> dict[str, Any]:
    """The event API Gateway's REST proxy integration sends for ``request``."""
    headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    canonical: dict[str, str] = {}
    for name, value in [*request.headers, *_forwarding_headers(request)]:
        key = canonical.setdefault(name.lower(), name)
        headers[key] = value
        multi_headers.setdefault(key, []).append(value)

    query: dict[str, str] = {}
    multi_query: dict[str, list[str]] = {}
    for name, value in parse_qsl(request.query, keep_blank_values=True):
        query[name] = value
        multi_query.setdefault(name, []).append(value)

    body: str | None
    is_base64 = False
    if not request.body:
        body = None
    else:
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError:
            body, is_base64 = base64.b64encode(request.body).decode("ascii"), True

    path = unquote(request.path)
    request_context: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": f"local-{match.route.service}",
        "resourceId": f"{zlib.crc32(match.route.path.encode()):08x}"[:6],
        "stage": STAGE,
        "requestId": request_id,
        "extendedRequestId": request_id,
        "requestTime": now.astimezone(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "requestTimeEpoch": int(now.timestamp() * 1000),
        "resourcePath": match.route.path,
        "httpMethod": request.method,
        "path": path,
        "protocol": "HTTP/1.1",
        "domainName": domain_name,
        "identity": {
            "sourceIp": request.source_ip,
            "userAgent": request.header("User-Agent"),
            "accountId": None,
            "caller": None,
            "user": None,
            "userArn": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "cognitoAuthenticationType": None,
            "cognitoAuthenticationProvider": None,
        },
    }
    if claims is not None:
        request_context["authorizer"] = authorizer_context(claims)

    return {
        "resource": match.route.path,
        "path": path,
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": match.path_parameters or None,
        "stageVariables": None,
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": is_base64,
    }


def _forwarding_headers(request: HttpRequest) -> list[tuple[str, str]]:
    present = {name.lower() for name, _ in request.headers}
    added = [("X-Forwarded-For", request.source_ip), ("X-Forwarded-Proto", "http")]
    return [(name, value) for name, value in added if name.lower() not in present]


# --- the proxy result ----------------------------------------------------------------------------------


class MalformedProxyResult(ValueError):
    """A function result API Gateway cannot turn into a response: it answers 502."""


def response_from_proxy_result(result: Any) -> HttpResponse:
    if not isinstance(result, Mapping):
        raise MalformedProxyResult("the result is not an object")
    status = result.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedProxyResult(f"statusCode {status!r} is not an HTTP status")

    body = result.get("body")
    if body is not None and not isinstance(body, str):
        raise MalformedProxyResult("body must be a string")
    raw = (body or "").encode("utf-8")
    if result.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body or "", validate=True)
        except (binascii.Error, ValueError):
            raise MalformedProxyResult("isBase64Encoded is set but body is not base64") from None

    headers = _merged_headers(result.get("headers"), result.get("multiValueHeaders"))
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return HttpResponse(status, headers, raw)


def _merged_headers(single: Any, multi: Any) -> list[tuple[str, str]]:
    """API Gateway merges both maps; a name and value given in both appear once."""
    if single is not None and not isinstance(single, Mapping):
        raise MalformedProxyResult("headers must be an object")
    if multi is not None and not isinstance(multi, Mapping):
        raise MalformedProxyResult("multiValueHeaders must be an object")
    merged: list[tuple[str, str]] = []
    for name, values in (multi or {}).items():
        if not isinstance(values, list):
            raise MalformedProxyResult(f"multiValueHeaders[{name!r}] must be a list")
        merged.extend((str(name), _header_value(value)) for value in values)
    seen = {(name.lower(), value) for name, value in merged}
    for name, value in (single or {}).items():
        pair = (str(name), _header_value(value))
        if (pair[0].lower(), pair[1]) not in seen:
            merged.append(pair)
    return [(name, value) for name, value in merged if name.lower() not in _HOP_BY_HOP]


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str | int | float):
        return str(value)
    raise MalformedProxyResult(f"header value {value!r} is not a string")


# --- problem+json --------------------------------------------------------------------------------------


def problem(
    status: HTTPStatus,
    slug: str,
    detail: str,
    *,
    instance: str | None = None,
    invalid_parameters: Sequence[tuple[str, str]] = (),
    headers: Sequence[tuple[str, str]] = (),
) -> HttpResponse:
    """An RFC 9457 response, typed like the services' own problems."""
    document: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": status.phrase,
        "status": status.value,
        "detail": detail,
    }
    if instance:
        document["instance"] = instance
    if invalid_parameters:
        document["invalidParameters"] = [
            {"name": name, "reason": reason} for name, reason in invalid_parameters
        ]
    return HttpResponse(
        status.value,
        [("Content-Type", PROBLEM_JSON), *headers],
        json.dumps(document, ensure_ascii=False).encode("utf-8"),
    )


def json_response(status: HTTPStatus, document: Any) -> HttpResponse:
    return HttpResponse(
        status.value,
        [("Content-Type", "application/json")],
        json.dumps(document, ensure_ascii=False).encode("utf-8"),
    )


def authorizer_context(claims: Mapping[str, str]) -> dict[str, Any]:
    """``requestContext.authorizer`` as API Gateway fills it: a Lambda authorizer's context (the citizens' e-ID
    authorizer) at its top, with the principal; a user pool authorizer's token claims under ``claims``."""
    if claims.get("principalType") == "citizen":
        return {"principalId": claims.get("sub", ""), **claims, "integrationLatency": 0}
    return {"claims": dict(claims)}
