"""The OpenAPI document a service serves and commits: Powertools' document, completed with what the API
really answers, so a client generated from it is never surprised (see ADR 36).

Powertools documents each route's success and one ``422 application/json`` validation error. The services
answer every error as ``application/problem+json``, from the service or from the gateway in front of it, and
which errors a route can give follows from what it is: who may call it (its audience in the manifest), its
method, and whether it takes parameters or a body. This module declares exactly those, with the Problem
schema, the headers that come with them (``Retry-After``, ``WWW-Authenticate``), and the login each route
needs as security schemes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from shared.http.problems import PROBLEM_JSON, Problem
from shared.manifest import Audience, Route

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

SECURITY_SCHEMES: dict[Audience, tuple[str, dict[str, Any]]] = {
    "citizen": (
        "citizenEid",
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A citizen logged in with e-ID (BankID, Freja+) through the OIDC broker: the "
            "token names the citizen (subject and personnummer). A staff or agency token is refused (403).",
        },
    ),
    "staff": (
        "policeStaff",
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Police staff logged in with the police identity provider: the token carries the "
            "staff id, roles and region. A citizen's token is refused (403).",
        },
    ),
    "agency": (
        "agency",
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Another agency, by OAuth 2.0 client credentials: the token's scopes name what "
            "it may read.",
        },
    ),
}

_WHY: dict[int, str] = {
    400: "Bad input: `invalidParameters` names each field, parameter or header to correct (or `body`)",
    401: "No valid login: the bearer token is missing, expired or not ours",
    403: "Logged in, but not as someone who may do this",
    404: "No such resource, or not one the caller may see",
    409: "The request clashes with the resource's current state (or a retry is still running)",
    413: "The body is larger than the API accepts",
    415: "The body is not application/json in UTF-8",
    422: "Understood but refused: a rule, a referral elsewhere (`referTo`), or an Idempotency-Key reused "
    "with another body",
    429: "Too many requests: try again after `Retry-After` seconds",
}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "The authentication scheme expected",
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds to wait before trying again",
            "required": True,
            "schema": {"type": "integer", "minimum": 0},
        }
    },
}
_CHANGES = frozenset({"post", "put", "patch", "delete"})

ACCEPT_LANGUAGE: dict[str, Any] = {
    "name": "Accept-Language",
    "in": "header",
    "required": False,
    "description": "The language to answer in: `sv` (the default, also for any language not offered) or `en`; "
    "q-values are honoured. Texts in the answer (problem details, reasons, letters, receipts) follow it.",
    "schema": {"type": "string", "examples": ["sv", "en", "en-GB,en;q=0.9,sv;q=0.5"]},
}
CONTENT_LANGUAGE: dict[str, Any] = {
    "description": "The language the answer's texts are in",
    "schema": {"type": "string", "enum": ["sv", "en"]},
}
STOCKHOLM_TIME = "Stockholm time with its offset, e.g. 2026-12-02T10:15:00+01:00"


def created(description: str, model: type[Any] | None = None, *, location: bool = True) -> dict[int, Any]:
    """``responses=`` of a route answering 201: the body's model and, when it names where to read what was
    created, the ``Location`` header."""
    response: dict[str, Any] = {"description": description}
    if model is not None:
        response["content"] = {"application/json": {"model": model}}
    if location:
        response["headers"] = {
            "Location": {
                "description": "Where the created resource can be read",
                "required": True,
                "schema": {"type": "string", "format": "uri-reference"},
            }
        }
    return {201: response}


def statuses_for(audience: Audience, method: str, operation: Mapping[str, Any]) -> list[int]:
    """The error statuses a route can answer, from who may call it, its method, and what it takes."""
    parameters = operation.get("parameters") or []
    has_body = "requestBody" in operation
    in_path = any(p.get("in") == "path" for p in parameters)
    statuses = {429}
    if parameters or has_body:
        statuses.add(400)
    if audience != "public":
        statuses |= {401, 403}
    if in_path or has_body:
        statuses.add(404)
    if method in _CHANGES:
        statuses |= {409, 422}
    if has_body:
        statuses |= {413, 415}
    return sorted(statuses)


def _problem_response(status: int, description: str | None = None) -> dict[str, Any]:
    """A route's own words for when it answers ``status`` are kept; the body is a Problem either way."""
    response: dict[str, Any] = {
        "description": description or _WHY[status],
        "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
    }
    if status in _HEADERS:
        response["headers"] = dict(_HEADERS[status])
    return response


def _problem_schemas() -> dict[str, Any]:
    schema = Problem.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
    definitions = schema.pop("$defs", {})
    schema["description"] = "RFC 9457 problem details"
    return {"Problem": schema, **definitions}


def _unused_schemas(document: dict[str, Any]) -> set[str]:
    schemas = document.get("components", {}).get("schemas", {})
    text = json.dumps({k: v for k, v in document.items() if k != "components"})
    used: set[str] = set()
    pending = [name for name in schemas if f'"#/components/schemas/{name}"' in text]
    while pending:
        name = pending.pop()
        if name in used:
            continue
        used.add(name)
        inner = json.dumps(schemas.get(name, {}))
        pending.extend(n for n in schemas if f'"#/components/schemas/{n}"' in inner and n not in used)
    return set(schemas) - used


def _describe_times(schema: Any) -> None:
    """Every time an answer gives is in Stockholm time (shared.clock.in_stockholm_time): said where the
    schema has no words of its own."""
    if isinstance(schema, dict):
        if schema.get("format") == "date-time" and "description" not in schema:
            schema["description"] = STOCKHOLM_TIME
        for value in schema.values():
            _describe_times(value)
    elif isinstance(schema, list):
        for value in schema:
            _describe_times(value)


def complete(document: dict[str, Any], routes: Iterable[Route]) -> dict[str, Any]:
    """``document`` with each manifest route's errors, security and headers declared."""
    audiences = {(r.method.lower(), r.path): r.audience for r in routes}
    used_schemes: set[Audience] = set()
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            audience = audiences.get((method, path), "public")
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)  # Powertools' validation error; ours is problem+json, below
            for status, response in list(responses.items()):
                if status == "204":
                    response.pop("content", None)
            # Every error is a Problem: those the audience and method imply, and those the route names itself.
            declared = {int(status) for status in responses if status.isdigit() and int(status) >= 400}
            for status in sorted(set(statuses_for(audience, method, operation)) | declared):
                own = responses.get(str(status), {}).get("description")
                responses[str(status)] = _problem_response(status, own)
            for response in responses.values():
                response.setdefault("headers", {})["Content-Language"] = {
                    "$ref": "#/components/headers/ContentLanguage"
                }
            operation["responses"] = dict(sorted(responses.items()))
            operation["parameters"] = [
                *operation.get("parameters", []),
                {"$ref": "#/components/parameters/AcceptLanguage"},
            ]
            if audience == "public":
                operation["security"] = []
            else:
                used_schemes.add(audience)
                operation["security"] = [{SECURITY_SCHEMES[audience][0]: []}]
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update(_problem_schemas())
    for name in _unused_schemas(document):
        schemas.pop(name, None)
    components["securitySchemes"] = {
        SECURITY_SCHEMES[a][0]: SECURITY_SCHEMES[a][1]
        for a in ("citizen", "staff", "agency")
        if a in used_schemes
    }
    for schema in schemas.values():
        _describe_times(schema)
    components["parameters"] = {"AcceptLanguage": ACCEPT_LANGUAGE}
    components["headers"] = {"ContentLanguage": CONTENT_LANGUAGE}
    components["schemas"] = dict(sorted(schemas.items()))
    return document


def openapi_document(app: Any, *, title: str, routes: Iterable[Route]) -> dict[str, Any]:
    """The document ``app`` serves at ``<base>/openapi.json`` and the repository commits."""
    include_every_router = getattr(app, "include_every_router", None)
    if include_every_router is not None:  # a ServiceResolver names its routers before it includes them
        include_every_router()
    text = app.get_openapi_json_schema(title=title, version="1", openapi_version="3.1.0")
    return complete(json.loads(text), routes)
