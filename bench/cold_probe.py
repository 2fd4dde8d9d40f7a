"""One cold measurement, run by ``bench/cold_start.py`` in a fresh interpreter.

Usage: ``python bench/cold_probe.py MODULE SPEC.json RESULT.json``. The probe imports MODULE (a handler's
module, or ``boto3`` for the baseline), then makes the first request the spec describes: a handler invocation,
or one bare boto3 call. It writes both times to RESULT.json; stdout and stderr are left to the handler's logs.

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


def record_aws_calls() -> list[str]:
    """Every AWS call made from now on, as ``service.Operation``.

    Only for the untimed warm-up: if the module did not import botocore, this import would land in the timing.
    """
    from botocore.client import BaseClient

    calls: list[str] = []
    original = BaseClient._make_api_call  # type: ignore[attr-defined]

    def recording(client: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        calls.append(f"{client.meta.service_model.service_name}.{operation_name}")
        return original(client, operation_name, api_params)

    BaseClient._make_api_call = recording  # type: ignore[attr-defined]
    return calls


def invoke_handler(module: Any, spec: dict[str, Any]) -> Any:
    handler = getattr(module, spec["attribute"])
    return handler(spec["event"], LambdaContextStub(spec["function_name"], spec["memory_mb"]))


def call_aws(boto3: Any, spec: dict[str, Any]) -> Any:
    call = spec["call"]
    response = getattr(boto3.client(call["service"]), call["method"])(**call["params"])
    return {"HTTPStatusCode": response["ResponseMetadata"]["HTTPStatusCode"]}


def main(module_name: str, spec_path: str, result_path: str) -> None:
    started = time.perf_counter()
    __import__(module_name)
    imported = time.perf_counter()
    module = sys.modules[module_name]

    import json  # free by now: boto3 and every handler have imported it

    with open(spec_path, encoding="utf-8") as spec_file:
        spec: dict[str, Any] = json.load(spec_file)
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
        json.dump(figures, result_file, default=str)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
