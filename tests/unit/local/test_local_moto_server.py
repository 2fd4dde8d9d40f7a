"""Which requests the moto server serialises: DynamoDB's and DynamoDB Streams', and no other service's."""

from __future__ import annotations

import pytest

from infra.local.moto_server import is_serialised


@pytest.mark.parametrize(
    "target",
    [
        "DynamoDB_20120810.UpdateItem",
        "DynamoDB_20120810.TransactWriteItems",
        "DynamoDBStreams_20120810.GetRecords",
    ],
)
def test_dynamodb_requests_take_the_lock(target: str) -> None:
    assert is_serialised({"HTTP_X_AMZ_TARGET": target})


@pytest.mark.parametrize("target", ["AmazonSQS.ReceiveMessage", "AWSEvents.PutEvents", None])
def test_other_services_stay_concurrent(target: str | None) -> None:
    environ = {"HTTP_X_AMZ_TARGET": target} if target else {"PATH_INFO": "/bucket/key"}
    assert not is_serialised(environ)
