"""How every service reads a request body: JSON only, UTF-8 only, strictly typed, before any route runs.

Powertools' request validation parses a body with ``json.loads`` and validates the result in pydantic's lax
mode. That lets through what a client did not mean (``"yes"`` as true, ``"100"`` as a number, ``0`` as a
time, a form or a multipart body on a JSON route) and turns what it cannot read into a 500 (bytes that are not
UTF-8, JSON nested thousands of levels, a number of 5,000 digits, a multipart body without a boundary). This
middleware takes its place (see ADR 35): the body is

- refused with 415 unless it is sent as ``application/json`` (or a ``+json`` type) in UTF-8,
- refused with 400 naming ``body`` unless it is UTF-8 text holding one JSON document nested at most
  :data:`MAX_DEPTH` deep,
- validated against the route's model in pydantic's strict JSON mode, errors naming each field.
"""

from __future__ import annotations

import base64
import binascii
import re
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from shared.http.problems import ProblemError, ValidationProblem
from shared.messages import TEXTS

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.compat import ModelField
    from aws_lambda_powertools.event_handler.types import EventHandlerInstance

# No contract of ours nests deeper than a handful of levels; this leaves room and keeps parsing cheap.
MAX_DEPTH = 32
JSON_MEDIA_TYPES = ("application/json",)
_JSON_SUFFIX = "+json"
_ANY_JSON: TypeAdapter[Any] = TypeAdapter(object)
_STRUCTURE = re.compile(rb'[\[\]{}]|"(?:[^"\\]|\\.)*"', re.DOTALL)


class UnsupportedMediaTypeProblem(ProblemError):
    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    slug = "unsupported-media-type"


def _is_json(content_type: str) -> bool:
    media_type, _, parameters = content_type.partition(";")
    media_type = media_type.strip().lower()
    if media_type not in JSON_MEDIA_TYPES and not (
        media_type.startswith("application/") and media_type.endswith(_JSON_SUFFIX)
    ):
        return False
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return False
    return True


def _depth(raw: bytes) -> int:
    """How deep arrays and objects nest, strings skipped; counted before parsing, which recurses."""
    depth = deepest = 0
    for match in _STRUCTURE.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def _header(headers: Any, name: str) -> str:
    value = headers.get(name) if headers else None
    return str(value) if value is not None else ""


def raw_body(event: Any) -> bytes:
    """The bytes the client sent (API Gateway passes bodies that are not text as base64)."""
    body = event.body
    if not body:
        return b""
    if event.is_base64_encoded:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationProblem.for_field("body", TEXTS("body_unreadable")) from None
    if isinstance(body, bytes):
        return body
    return str(body).encode("utf-8", errors="surrogatepass")


def json_text(event: Any) -> bytes | None:
    """The body as JSON bytes ready to validate, or None when there is none. Refuses what is not JSON."""
    raw = raw_body(event)
    content_type = _header(event.headers, "content-type")
    if not raw and not content_type:
        return None
    if not _is_json(content_type or "application/json"):
        raise UnsupportedMediaTypeProblem(
            TEXTS("send_json_not", contentType=content_type.split(";")[0].strip()),
            invalid_parameters=[("Content-Type", TEXTS("must_be_json"))],
        )
    if not raw.strip():
        return None
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationProblem.for_field("body", TEXTS("body_not_utf8")) from None
    if _depth(raw) > MAX_DEPTH:
        raise ValidationProblem.for_field("body", TEXTS("body_too_deep", depth=MAX_DEPTH))
    return raw


def _adapter(field: ModelField) -> TypeAdapter[Any]:
    """The route's own adapter, built by Powertools once per route (building another would cost cold start)."""
    adapter = getattr(field, "_type_adapter", None)
    if not isinstance(adapter, TypeAdapter):
        raise TypeError("Powertools' ModelField no longer keeps its TypeAdapter: update shared/http/body.py")
    return adapter


class StrictJsonRequestValidation(OpenAPIRequestValidationMiddleware):
    """Powertools' request validation with the body read as described in the module docstring."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]

    def _get_body(self, app: EventHandlerInstance) -> Any:
        route = app.context["_route"]
        fields: list[ModelField] = route.dependant.body_params
        raw = json_text(app.current_event)
        if raw is None:
            return None
        single = len(fields) == 1 and not getattr(fields[0].field_info, "embed", None)
        if not single:
            # Several body fields (none of our routes has them): parse strictly, validate as Powertools does.
            return _ANY_JSON.validate_json(raw, strict=True)
        try:
            # Powertools validates what this returns once more, in python mode: a model instance passes as is.
            return _adapter(fields[0]).validate_json(raw, strict=True)
        except ValidationError as error:
            errors: list[dict[str, Any]] = []
            for e in error.errors(include_url=False):
                if e["type"] == "json_invalid":
                    errors.append({**e, "loc": ("body",)})
                else:
                    errors.append({**e, "loc": ("body", *e["loc"])})
            raise RequestValidationError(errors) from None
