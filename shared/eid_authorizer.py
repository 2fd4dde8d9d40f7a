"""Lambda: API Gateway's authorizer of the citizens' routes, checking the e-ID broker's ID token (ADR 77).

A TOKEN authorizer: API Gateway hands it the ``Authorization`` header and the method called; it answers with
a policy allowing the API's methods and, as the context the service reads (``shared.http.auth``), the citizen's
``sub``, ``principalType`` and ``personnummer``. A token that is not a valid login is refused with
``Unauthorized``, which API Gateway answers 401. When the broker's keys cannot be read the login cannot be
checked: the authorizer fails, and API Gateway answers its authorizer failure (a 503 problem, see the stage's
gateway responses).

No result is cached by API Gateway: a cached policy would outlive the token's expiry by the cache's age.

The policy is written here as the dictionary it is: Powertools' authorizer response helper comes with its event
data classes package, whose import (about 100 ms, every event source's class) would sit in front of every
citizen's first request (ADR 73).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, NoReturn

from aws_lambda_powertools.metrics import MetricUnit

from shared.adapters.eid_keys import BrokerKeys, KeysUnavailable
from shared.eid_tokens import InvalidToken, key_id, verify
from shared.observability import create_logger, create_metrics, create_tracer, entry_point

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = create_logger()
metrics = create_metrics()
tracer = create_tracer()

ISSUER_VARIABLE = "EID_ISSUER"
AUDIENCE_VARIABLE = "EID_AUDIENCE"
JWKS_URL_VARIABLE = "EID_JWKS_URL"
# Logins refused (a citizen's token was no valid login) and logins that could not be checked at all (the
# broker's keys unreadable: this one alarms).
REFUSED_LOGINS_METRIC = "EidLoginsRefused"
UNCHECKABLE_LOGINS_METRIC = "EidLoginsUncheckable"


class Unauthorized(Exception):
    """API Gateway answers 401 for an authorizer that raises exactly this message."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


@cache
def _keys() -> BrokerKeys:
    return BrokerKeys(os.environ[JWKS_URL_VARIABLE])


@entry_point(logger, metrics=metrics, tracer=tracer)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    token = _bearer(event.get("authorizationToken"))
    if token is None:
        _refused("no bearer token")
    kid = key_id(token)
    if kid is None:
        # Refused before the broker's keys are asked for: garbage is a 401 even while the broker is away.
        _refused("not a JWT naming its key")
    try:
        keys = _keys().current(kid)
        login = verify(
            token,
            keys=keys,
            issuer=os.environ[ISSUER_VARIABLE],
            audience=os.environ[AUDIENCE_VARIABLE],
            now=datetime.now(UTC),
        )
    except InvalidToken as refused:
        _refused(str(refused))
    except KeysUnavailable:
        metrics.add_metric(name=UNCHECKABLE_LOGINS_METRIC, unit=MetricUnit.Count, value=1)
        logger.exception("The e-ID broker's keys could not be read")
        raise
    return allow_api(str(event.get("methodArn", "")), principal=login.subject, context=login.claims())


def _refused(reason: str) -> NoReturn:
    metrics.add_metric(name=REFUSED_LOGINS_METRIC, unit=MetricUnit.Count, value=1)
    logger.info("Login refused", extra={"reason": reason})
    raise Unauthorized()


def _bearer(header: Any) -> str | None:
    if not isinstance(header, str):
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def allow_api(method_arn: str, *, principal: str, context: dict[str, str]) -> dict[str, Any]:
    """A policy allowing every method of the API and stage ``method_arn`` belongs to: the services decide
    what the caller may do, and a policy for one method only would refuse the next route the token calls."""
    # arn:aws:execute-api:<region>:<account>:<api id>/<stage>/<method>/<path>
    prefix, _, path = method_arn.partition("/")
    stage = path.split("/", 1)[0]
    if not prefix.startswith("arn:") or not stage:
        raise ValueError(f"not a method ARN: {method_arn!r}")
    return {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": f"{prefix}/{stage}/*/*"}
            ],
        },
        "context": context,
    }
