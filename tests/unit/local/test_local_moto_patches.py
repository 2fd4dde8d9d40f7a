"""The moto corrections of the local cloud fit the installed moto, and say which one broke when they do not."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from moto.dynamodb.models import DynamoDBBackend
from moto.events.utils import EventTemplateParser

from infra.local import moto_patches
from infra.local.moto_patches import MotoPatchOutdated, Patch
from infra.local.processes import REPO_ROOT


def test_every_patch_fits_the_installed_moto() -> None:
    assert moto_patches.check() == {}
    assert {p.name for p in moto_patches.PATCHES} == {"transactions", "event-account"}


# Applied in a child interpreter: the patches change moto for the whole process, and the other unit tests
# use moto in this one.
APPLIED = textwrap.dedent(
    """
    import json
    import boto3
    from moto import mock_aws
    from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
    from infra.local import moto_patches

    moto_patches.install()
    moto_patches.install()  # a second install changes nothing
    with mock_aws():
        events = boto3.client("events", region_name="eu-north-1")
        sqs = boto3.client("sqs", region_name="eu-north-1")
        queue = sqs.create_queue(QueueName="q")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.create_event_bus(Name="bus")
        events.put_rule(Name="r", EventBusName="bus", EventPattern=json.dumps({"source": ["polisen.reports"]}))
        events.put_targets(Rule="r", EventBusName="bus", Targets=[{"Id": "q", "Arn": arn}])
        events.put_events(Entries=[{"EventBusName": "bus", "Source": "polisen.reports",
                                    "DetailType": "ReportFiled", "Detail": json.dumps({"data": {}})}])
        body = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)["Messages"][0]["Body"]
    delivered = EventBridgeModel.model_validate_json(body)
    print(json.dumps({"account": delivered.account, "detailType": delivered.detail_type,
                      "checkAfterInstall": moto_patches.check()}))
    """
)


def test_applied_to_the_installed_moto_a_delivered_event_is_what_eventbridge_delivers() -> None:
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", APPLIED],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer == {"account": "123456789012", "detailType": "ReportFiled", "checkAfterInstall": {}}


def test_a_patch_that_no_longer_fits_stops_every_patch_and_names_itself() -> None:
    applied: list[str] = []
    patches = (
        Patch("fits", lambda: [], lambda: applied.append("fits")),
        Patch("outdated", lambda: ["Thing.attribute is gone"], lambda: applied.append("outdated")),
    )
    with pytest.raises(MotoPatchOutdated, match=r"moto patch 'outdated': Thing.attribute is gone"):
        moto_patches.install(patches)
    assert applied == []


def test_a_moto_whose_event_template_changed_fails_the_event_patch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EventTemplateParser, "DEFAULT_EVENT_INPUT_TEMPLATE", '{"detail": <detail>}')
    assert list(moto_patches.check()) == ["event-account"]
    monkeypatch.setattr(
        EventTemplateParser,
        "DEFAULT_EVENT_INPUT_TEMPLATE",
        '{"source": "<source>", "account": "<account>", "detail": <detail>}',
    )
    assert "remove this patch" in moto_patches.check()["event-account"][0]


def test_a_moto_whose_transactions_changed_fails_the_transactions_patch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def transact_write_items(self: DynamoDBBackend, items: list[object], token: str) -> None:
        raise NotImplementedError

    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", transact_write_items)
    problems = moto_patches.check()
    assert list(problems) == ["transactions"]
    assert "transact_write_items(self, transact_items)" in problems["transactions"][0]
