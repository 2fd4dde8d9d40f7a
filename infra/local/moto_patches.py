"""Every correction the moto server child makes to moto's internals, each checked before it is applied.

A patch of another library's internals breaks silently when an upgrade renames what it patches: the patch
lands on nothing, or on something that now means another thing. So each patch names exactly what of moto it
relies on, :func:`check` confirms all of it is there in the installed moto, and :func:`install` refuses to
apply anything (raising :class:`MotoPatchOutdated`, which names the patch and what changed) when it is not.
The moto server runs :func:`install` before it serves a request, so a moto upgrade that breaks a patch stops
``make run`` at start-up with the patch's name, and ``tests/unit/local/test_local_moto_patches.py`` fails in the suite.

The patches:

- ``transactions``: DynamoDB transactions without table copies, rolled back item by item
  (:mod:`infra.local.moto_transactions`, ADR 8's lock makes that safe).
- ``event-account``: events a rule delivers to a queue carry ``account``, as EventBridge's do; moto's
  default input template leaves it out, and Powertools' ``EventBridgeModel`` requires it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

from infra.local import moto_transactions


class MotoPatchOutdated(RuntimeError):
    """The installed moto no longer has what a patch of ``infra/local`` relies on."""


@dataclass(frozen=True)
class Patch:
    name: str
    check: Callable[[], list[str]]  # what is missing or changed, in words; empty when the patch fits
    apply: Callable[[], None]


def _has_parameters(function: object, names: tuple[str, ...]) -> bool:
    try:
        parameters = tuple(inspect.signature(function).parameters)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return parameters[: len(names)] == names


def _source(function: object) -> str:
    try:
        return inspect.getsource(function)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return ""


def _check_transactions() -> list[str]:
    import copy

    import moto.dynamodb.models as dynamodb_models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import StreamShard, Table

    problems = []
    if getattr(dynamodb_models, "copy", None) is not copy:
        problems.append("moto.dynamodb.models no longer reaches deepcopy through its module global `copy`")
    transact = getattr(DynamoDBBackend, "transact_write_items", None)
    if not _has_parameters(transact, ("self", "transact_items")):
        problems.append(
            "DynamoDBBackend.transact_write_items(self, transact_items) is gone or takes other arguments"
        )
    elif "copy.deepcopy(" not in _source(transact):
        problems.append("DynamoDBBackend.transact_write_items no longer backs tables up with copy.deepcopy")
    table_init = _source(Table.__init__)
    for attribute in ("self.items", "self.stream_shard", "self.hash_key_attr", "self.range_key_attr"):
        if attribute not in table_init:
            problems.append(f"Table no longer sets {attribute}")
    if not _has_parameters(getattr(Table, "get_item", None), ("self", "hash_key", "range_key")):
        problems.append("Table.get_item(self, hash_key, range_key) is gone or takes other arguments")
    if "self.items" not in _source(StreamShard.__init__):
        problems.append("StreamShard no longer keeps its records in self.items")
    return problems


_EVENT_SOURCE_FIELD = '"source": "<source>",'
_EVENT_ACCOUNT_FIELD = '"account": "<account>",'


def _check_event_account() -> list[str]:
    from moto.events.models import Rule
    from moto.events.utils import EventTemplateParser

    problems = []
    template = getattr(EventTemplateParser, "DEFAULT_EVENT_INPUT_TEMPLATE", None)
    paths = getattr(EventTemplateParser, "DEFAULT_EVENT_INPUT_PATHS_MAP", None)
    if not isinstance(template, str) or _EVENT_SOURCE_FIELD not in template:
        problems.append(
            f"EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE has no {_EVENT_SOURCE_FIELD} to add to"
        )
    elif "<account>" in template:
        problems.append("moto's default event template now carries account itself: remove this patch")
    if not isinstance(paths, dict) or paths.get("account") != "$.account":
        problems.append(
            "EventTemplateParser.DEFAULT_EVENT_INPUT_PATHS_MAP no longer maps account to $.account"
        )
    if "EventTemplateParser.parse(" not in _source(getattr(Rule, "send_to_targets", None)):
        problems.append(
            "Rule.send_to_targets no longer builds what it delivers with EventTemplateParser.parse"
        )
    return problems


def _apply_event_account() -> None:
    from moto.events.utils import EventTemplateParser

    EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE = (
        EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE.replace(
            _EVENT_SOURCE_FIELD, f"{_EVENT_SOURCE_FIELD} {_EVENT_ACCOUNT_FIELD}", 1
        )
    )


PATCHES: tuple[Patch, ...] = (
    Patch("transactions", _check_transactions, moto_transactions.install),
    Patch("event-account", _check_event_account, _apply_event_account),
)


# Patches applied in this process: checked before they were applied, and never applied twice.
_applied: set[str] = set()


def check(patches: tuple[Patch, ...] = PATCHES) -> dict[str, list[str]]:
    """Patch name → what it relies on that the installed moto lacks; only patches that do not fit (those
    already applied here fitted when they were)."""
    return {
        patch.name: problems
        for patch in patches
        if patch.name not in _applied and (problems := patch.check())
    }


def install(patches: tuple[Patch, ...] = PATCHES) -> None:
    """Apply every patch, or none of them if any no longer fits the installed moto."""
    outdated = check(patches)
    if outdated:
        from importlib.metadata import version

        lines = [f"moto patch {name!r}: {'; '.join(problems)}" for name, problems in outdated.items()]
        raise MotoPatchOutdated(
            f"moto {version('moto')} no longer fits what infra/local/moto_patches.py patches:\n"
            + "\n".join(lines)
        )
    for patch in patches:
        if patch.name not in _applied:
            patch.apply()
            _applied.add(patch.name)
