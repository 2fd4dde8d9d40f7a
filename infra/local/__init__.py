"""The local cloud: every service of the catalog on a laptop, with moto for AWS (see ``cloud.LocalCloud``)."""

from infra.local.plan import describe_local_plan

__all__ = ["describe_local_plan"]
