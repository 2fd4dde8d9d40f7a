"""RFC 9457 problem details: every client error says what is wrong, and a 5xx never leaks internals."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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
    """Raised by domain use cases and handlers; rendered as problem+json by the resolver."""

    status: HTTPStatus = HTTPStatus.BAD_REQUEST
    slug: str = "bad-request"

    def __init__(
        self,
        detail: str,
        *,
        invalid_parameters: Sequence[InvalidParameter] | None = None,
        refer_to: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.invalid_parameters = list(invalid_parameters) if invalid_parameters else None
        self.refer_to = refer_to
        self.headers = dict(headers or {})

    def problem(self, instance: str | None = None) -> Problem:
        return Problem(
            type=PROBLEM_BASE + self.slug,
            title=self.status.phrase,
            status=self.status.value,
            detail=self.detail,
            instance=instance,
            invalid_parameters=self.invalid_parameters,
            refer_to=self.refer_to,
        )


class ValidationProblem(ProblemError):
    status = HTTPStatus.BAD_REQUEST
    slug = "validation-failed"

    @classmethod
    def for_field(cls, name: str, reason: str) -> ValidationProblem:
        return cls(f"{name}: {reason}", invalid_parameters=[InvalidParameter(name=name, reason=reason)])


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
