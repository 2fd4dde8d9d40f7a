"""RFC 9457 problem details: every client error says what is wrong, and a 5xx never leaks internals."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.i18n import Language, Text, current_language, render
from shared.messages import TEXTS

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://polisen.se/problems/"


class InvalidParameter(BaseModel):
    name: str
    reason: str


class Problem(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    invalid_parameters: list[InvalidParameter] | None = Field(default=None, alias="invalidParameters")
    # Where the citizen should turn instead (e.g. 112 for a crime in progress).
    refer_to: str | None = Field(default=None, alias="referTo")

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, exclude_none=True)


class ProblemError(Exception):
    """Raised by domain use cases and handlers; rendered as problem+json by the resolver, in the language
    of the request (the title and ``detail``; field names stay as the contract spells them)."""

    status: HTTPStatus = HTTPStatus.BAD_REQUEST
    slug: str = "bad-request"

    def __init__(
        self,
        detail: Text | None,
        *,
        invalid_parameters: Sequence[InvalidParameter | tuple[str, Text]] | None = None,
        refer_to: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Without ``detail``, the detail lists the invalid parameters (``field: reason; ...``)."""
        self.detail = detail
        self.invalid = [
            (p.name, p.reason) if isinstance(p, InvalidParameter) else p for p in invalid_parameters or ()
        ]
        self.refer_to = refer_to
        self.headers = dict(headers or {})
        super().__init__(self.detail_in("en"))

    @property
    def invalid_parameters(self) -> list[InvalidParameter] | None:
        """The invalid parameters with their reasons in English, as ``str()`` of the error is."""
        return [InvalidParameter(name=n, reason=render(r, "en")) for n, r in self.invalid] or None

    def detail_in(self, language: Language) -> str | None:
        if self.detail is not None:
            return render(self.detail, language)
        if not self.invalid:
            return None
        return render(TEXTS("invalid_joiner"), language).join(
            TEXTS("invalid_field", field=name, reason=reason).render(language)
            for name, reason in self.invalid
        )

    def problem(self, instance: str | None = None, language: Language | None = None) -> Problem:
        language = language or current_language()
        invalid = [
            InvalidParameter(name=name, reason=render(reason, language)) for name, reason in self.invalid
        ]
        return Problem(
            type=PROBLEM_BASE + self.slug,
            title=title(self.status.value, language),
            status=self.status.value,
            detail=self.detail_in(language),
            instance=instance,
            invalid_parameters=invalid or None,
            refer_to=self.refer_to,
        )


def title(status: int, language: Language | None = None) -> str:
    """The status's title in ``language``: our own words for the statuses we answer, HTTP's phrase else."""
    try:
        return TEXTS(f"title.{status}").render(language)
    except KeyError:
        return HTTPStatus(status).phrase


class ValidationProblem(ProblemError):
    status = HTTPStatus.BAD_REQUEST
    slug = "validation-failed"

    @classmethod
    def for_field(cls, name: str, reason: Text) -> ValidationProblem:
        return cls(None, invalid_parameters=[(name, reason)])


class NotFoundProblem(ProblemError):
    status = HTTPStatus.NOT_FOUND
    slug = "not-found"


class ForbiddenProblem(ProblemError):
    status = HTTPStatus.FORBIDDEN
    slug = "forbidden"


class UnauthorizedProblem(ProblemError):
    status = HTTPStatus.UNAUTHORIZED
    slug = "unauthorized"


class ConflictProblem(ProblemError):
    status = HTTPStatus.CONFLICT
    slug = "conflict"


class UnprocessableProblem(ProblemError):
    status = HTTPStatus.UNPROCESSABLE_ENTITY
    slug = "unprocessable"


def field_name(location: Iterable[Any], discriminator: str | None = None) -> str:
    """``("body", "location", "municipalityCode")`` → ``location.municipalityCode``; list positions as [i];
    tagged-union tags (``type=theft``, see shared.models) dropped; a bad tag names the discriminator field."""
    parts: list[str] = []
    for part in location:
        if part in ("body", "query", "path", "header") or (isinstance(part, str) and "=" in part):
            continue
        if isinstance(part, int):
            if parts:
                parts[-1] += f"[{part}]"
            continue
        parts.append(str(part))
    if discriminator:
        parts.append(discriminator)
    return ".".join(parts) or "body"


def problem_body(problem: Problem) -> str:
    return problem.to_json()


def problem_response(status: int, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """A ready API Gateway proxy result, for code paths that run outside the resolver."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return {"statusCode": status, "headers": {"Content-Type": PROBLEM_JSON}, "body": json.dumps(body)}
