"""Names the CDK app derives on top of ``shared.manifest``: stacks, construct ids, platform SSM parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.manifest import ServiceManifest, ssm_parameter

PLATFORM_OWNER = "platform"


def pascal(name: str) -> str:
    """``"reports"`` -> ``"Reports"``, ``"lost-property"`` -> ``"LostProperty"``: stack and construct ids."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_\s]+", name) if part)


def platform_stack_name(env: str) -> str:
    return f"EServices-{env}-Platform"


def service_stack_name(env: str, manifest: ServiceManifest) -> str:
    return f"EServices-{env}-{pascal(manifest.name)}"


@dataclass(frozen=True)
class PlatformParameter:
    """A platform resource attribute that service stacks read from SSM at deploy time."""

    resource: str
    attribute: str

    def name(self, env: str) -> str:
        return ssm_parameter(env, PLATFORM_OWNER, self.resource, self.attribute)


BUS_ARN = PlatformParameter("bus", "arn")
BUS_NAME = PlatformParameter("bus", "name")
ARCHIVE_ARN = PlatformParameter("archive", "arn")
ALARM_TOPIC_ARN = PlatformParameter("alarm-topic", "arn")
USER_POOL_ARN = PlatformParameter("user-pool", "arn")
USER_POOL_ID = PlatformParameter("user-pool", "id")
# The citizens' e-ID broker, as the e-ID authorizer checks its tokens (ADR 77).
EID_ISSUER = PlatformParameter("eid-broker", "issuer")
EID_CLIENT_ID = PlatformParameter("eid-broker", "client-id")
EID_JWKS_URL = PlatformParameter("eid-broker", "jwks-url")
