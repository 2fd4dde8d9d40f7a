"""One cold measurement, run by ``bench/cold_start.py`` in a fresh interpreter.

Usage: ``python bench/cold_probe.py MODULE SPEC.json RESULT.json``. The probe imports MODULE (a handler's
module, or ``boto3`` for the baseline), then makes the first request the spec describes: a handler invocation,
or one bare boto3 call (the handler's first, as a warm-up run recorded it). It writes both times to
RESULT.json, with the AWS calls made when asked to record them; stdout and stderr are left to the handler's
logs.

Nothing but modules the interpreter loads at start-up is imported before the clock starts (not even ``json``
or ``typing``), so the import time is the module's own, as in a Lambda cold start.
"""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ACCOUNT_ID = "123456789012"


class LambdaContextStub:
    """The attributes of the Lambda context that Powertools and the handlers read."""

    def __init__(self, function_name: str, memory_mb: int) -> None:
        region = os.environ["AWS_REGION"]
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{function_name}"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = "cold-start-bench"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "cold-start-bench"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def record_aws_calls() -> list[dict[str, Any]]:
    """Every AWS call made from now on: service, operation and parameters, for the baseline to replay.

    Only for the untimed warm-up: if the module did not import botocore, this import would land in the timing.
    """
    from botocore.client import BaseClient

    calls: list[dict[str, Any]] = []
    original = BaseClient._make_api_call  # type: ignore[attr-defined]

    def recording(client: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        calls.append({"service": service, "operation": operation_name, "params": api_params})
        return original(client, operation_name, api_params)

    BaseClient._make_api_call = recording  # type: ignore[attr-defined]
    return calls


def to_json(value: Any) -> Any:
    """What JSON has no type for in boto3 parameters: binary attribute values and times."""
    import base64
    from datetime import datetime

    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value).decode()}
    if isinstance(value, datetime):
        return {"__datetime__": value.isoformat()}
    return str(value)


def from_json(value: dict[str, Any]) -> Any:
    import base64
    from datetime import datetime

    if "__bytes__" in value:
        return base64.b64decode(value["__bytes__"])
    if "__datetime__" in value:
        return datetime.fromisoformat(value["__datetime__"])
    return value


def invoke_handler(module: Any, spec: dict[str, Any]) -> Any:
    handler = getattr(module, spec["attribute"])
    return handler(spec["event"], LambdaContextStub(spec["function_name"], spec["memory_mb"]))


def call_aws(boto3: Any, spec: dict[str, Any]) -> Any:
    """The handler's first call, bare. A refusal (a condition that held the first time) is a round trip too."""
    from botocore.exceptions import ClientError

    call = spec["call"]
    client = boto3.client(call["service"])
    try:
        response = client._make_api_call(call["operation"], call["params"])
    except ClientError as error:
        response = error.response
    return {"HTTPStatusCode": response["ResponseMetadata"]["HTTPStatusCode"]}


def main(module_name: str, spec_path: str, result_path: str) -> None:
    started = time.perf_counter()
    __import__(module_name)
    imported = time.perf_counter()
    module = sys.modules[module_name]

    import json  # free by now: boto3 and every handler have imported it

    with open(spec_path, encoding="utf-8") as spec_file:
        spec: dict[str, Any] = json.load(spec_file, object_hook=from_json)
    calls = record_aws_calls() if spec["record_calls"] else []
    request_started = time.perf_counter()
    if spec["mode"] == "handler":
        result = invoke_handler(module, spec)
    elif spec["mode"] == "baseline":
        result = call_aws(module, spec)
    else:  # import only: no first request is scripted for this function
        result = None
    served = time.perf_counter()

    figures = {
        "import_ms": (imported - started) * 1000,
        "request_ms": (served - request_started) * 1000,
        "result": result,
        "aws_calls": calls,
    }
    with open(result_path, "w", encoding="utf-8") as result_file:
        json.dump(figures, result_file, default=to_json)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
