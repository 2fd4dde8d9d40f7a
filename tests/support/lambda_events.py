"""Events as API Gateway sends them to a Lambda handler, for tests that call handlers directly."""

from __future__ import annotations

import json
import uuid
from typing import Any

from infra.local.apigw import authorizer_context


class FakeLambdaContext:
    function_name = "eservices-test-reports-api"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-north-1:123456789012:function:eservices-test-reports-api"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def citizen_claims(personnummer: str, subject: str | None = None) -> dict[str, str]:
    return {
        "sub": subject or str(uuid.uuid5(uuid.NAMESPACE_OID, personnummer)),
        "principalType": "citizen",
        "personnummer": personnummer,
    }


def rest_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    claims: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    resource: str | None = None,
) -> dict[str, Any]:
    """``resource`` is the route's template as API Gateway names it (``/reports/v1/reports/{caseNumber}``);
    by default the path itself."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": None,
        "body": body if body is None or isinstance(body, str) else json.dumps(body),
        "isBase64Encoded": False,
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "httpMethod": method,
            "path": path,
            "stage": "v1",
            "authorizer": authorizer_context(claims) if claims else None,
        },
    }


def response_json(result: dict[str, Any]) -> Any:
    return json.loads(result["body"])


def response_header(result: dict[str, Any], name: str) -> str | None:
    for key, values in (result.get("multiValueHeaders") or {}).items():
        if key.lower() == name.lower():
            return str(values[0])
    for key, value in (result.get("headers") or {}).items():
        if key.lower() == name.lower():
            return str(value)
    return None
