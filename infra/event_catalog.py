"""The event catalog, ``docs/events.md``, from the contracts and the manifests, and the checks that keep the
three in step.

What a service publishes is known three ways: the contracts in ``shared/events/contracts/<producer>.py`` (what
an event looks like), the manifest's ``publishes`` (what the service declares) and the code (which contract
classes it builds into its outbox). Who consumes an event is known from the manifests' subscriptions. The
catalog is rendered from the first two and :func:`catalog_problems` names every way they and the code
disagree, so a test fails before an event nobody documented reaches the bus.
"""

from __future__ import annotations

import ast
import functools
import inspect
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from infra.catalog import MANIFESTS
from shared.events.catalog import CONTRACTS_BY_SOURCE, WITHDRAWN, schema_of
from shared.events.envelope import EventData
from shared.manifest import ServiceManifest

ROOT = Path(__file__).resolve().parents[1]
# Where contract classes may be defined: nowhere else may a class derive from EventData.
CONTRACTS_PACKAGE = Path("shared") / "events" / "contracts"


@dataclass(frozen=True)
class Consumer:
    service: str
    subscription: str
    function: str
    description: str


def consumers_of(
    source: str, event_type: str, manifests: Iterable[ServiceManifest] = MANIFESTS
) -> list[Consumer]:
    found = []
    for manifest in manifests:
        for subscription in manifest.subscriptions:
            if subscription.source == source and event_type in subscription.detail_types:
                function = next((f for f in manifest.functions if f.name == subscription.function), None)
                description = function.description if function else ""
                found.append(Consumer(manifest.name, subscription.name, subscription.function, description))
    return found


@dataclass(frozen=True)
class SourceFile:
    """One Python file of the code base, by its path relative to the repository."""

    path: Path
    text: str


def code_files(root: Path = ROOT) -> list[SourceFile]:
    """Every Python file of ``services/`` and ``shared/``."""
    files = []
    for top in ("services", "shared"):
        for path in sorted((root / top).rglob("*.py")):
            files.append(SourceFile(path.relative_to(root), path.read_text(encoding="utf-8")))
    return files


@functools.lru_cache(maxsize=1024)
def _parsed(path: Path, text: str) -> ast.Module:
    return ast.parse(text, filename=str(path))


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _event_classes(trees: Mapping[Path, ast.Module]) -> dict[str, list[Path]]:
    """Class name → files defining it, for every class deriving (directly or through another) from EventData."""
    definitions = [
        (path, node)
        for path, tree in trees.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    ]
    event_names = {"EventData"}
    while True:
        more = {c.name for _, c in definitions if any(_name(b) in event_names for b in c.bases)} - event_names
        if not more:
            break
        event_names |= more
    found: dict[str, list[Path]] = {}
    for path, node in definitions:
        if node.name != "EventData" and node.name in event_names:
            found.setdefault(node.name, []).append(path)
    return found


def _built(tree: ast.Module, names: set[str]) -> set[str]:
    """Contract classes a module builds events from: called (``ReportFiled(...)``) or chosen to be called
    (``contract = AppointmentAttended if ... else AppointmentMissed``)."""
    built = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in names:
            built.add(_name(node.func))
        elif isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.IfExp):
            for branch in (node.value.body, node.value.orelse):
                if _name(branch) in names:
                    built.add(_name(branch))
    return {n for n in built if n is not None}


def catalog_problems(
    manifests: Iterable[ServiceManifest] = MANIFESTS,
    contracts_by_source: Mapping[str, tuple[type[EventData], ...]] = CONTRACTS_BY_SOURCE,
    files: Iterable[SourceFile] | None = None,
) -> list[str]:
    """Every way the contracts, the manifests and the code disagree about events, in words naming the part."""
    manifests = tuple(manifests)
    files = code_files() if files is None else list(files)
    problems: list[str] = []
    by_source = {m.source: m for m in manifests}
    catalogued = {(s, c.event_type) for s, cs in contracts_by_source.items() for c in cs}
    class_source = {c.__name__: s for s, cs in contracts_by_source.items() for c in cs}

    for source in contracts_by_source:
        if source not in by_source:
            problems.append(f"contracts of {source} are catalogued but no service has that source")
    for manifest in manifests:
        declared = set(manifest.publishes)
        contracted = {c.event_type for c in contracts_by_source.get(manifest.source, ())}
        for event_type in sorted(declared - contracted):
            problems.append(
                f"{manifest.name} declares it publishes {event_type} but {manifest.source} has no contract of it"
            )
        for event_type in sorted(contracted - declared):
            problems.append(
                f"{manifest.source} has a contract of {event_type} but the {manifest.name} manifest does not declare it in publishes"
            )
        for subscription in manifest.subscriptions:
            for event_type in subscription.detail_types:
                if (subscription.source, event_type) not in catalogued:
                    problems.append(
                        f"the {manifest.name} subscription {subscription.name} names {subscription.source} {event_type}, "
                        "which nobody publishes"
                    )

    trees = {f.path: _parsed(f.path, f.text) for f in files}
    for name, paths in sorted(_event_classes(trees).items()):
        for path in paths:
            if path.parent != CONTRACTS_PACKAGE:
                problems.append(
                    f"{path} defines the event {name} outside the contracts ({CONTRACTS_PACKAGE}/)"
                )
            elif name not in class_source:
                problems.append(f"{path} defines the event {name} but its module's CONTRACTS do not list it")

    for manifest in manifests:
        package = Path("services") / manifest.name
        for path, tree in trees.items():
            if package not in path.parents:
                continue
            for name in sorted(_built(tree, set(class_source))):
                if class_source[name] != manifest.source:
                    problems.append(
                        f"{path} builds {name}, an event of {class_source[name]}: {manifest.name} publishes only {manifest.source}"
                    )
        for path, tree in trees.items():
            if package in path.parents and any(
                isinstance(n, ast.Constant) and n.value == "detailType" for n in ast.walk(tree)
            ):
                problems.append(
                    f"{path} writes an outbox item by hand: build it from a contract with new_event"
                )
    return problems


def _markdown(text: str) -> str:
    """A docstring as one Markdown paragraph per paragraph: reST literals become Markdown code."""
    paragraphs = [" ".join(p.split()) for p in inspect.cleandoc(text).split("\n\n")]
    return "\n\n".join(re.sub(r"``([^`]+)``", r"`\1`", p) for p in paragraphs if p)


def _fields(contract: type[EventData]) -> str:
    names = [field.alias or name for name, field in contract.model_fields.items()]
    return ", ".join(f"`{n}`" for n in names)


def _consumers_cell(source: str, event_type: str, manifests: Iterable[ServiceManifest]) -> str:
    consumers = consumers_of(source, event_type, manifests)
    if not consumers:
        return "—"
    return "; ".join(f"{c.service}: `{c.function}` ({c.description.rstrip('.')})" for c in consumers)


HEADER = """\
# Event catalog

<!-- Generated by `make docs` from shared/events/contracts/ and the service manifests: edit those, not this. -->

Every event crosses the bus `eservices-<env>` as an EventBridge event whose `source` is `polisen.<service>` and
whose `detail-type` is the event type (PascalCase, past tense). The `detail` is always:

```json
{
  "metadata": {"eventId": "uuid", "eventType": "ReportFiled", "version": 1,
               "occurredAt": "2026-11-22T09:00:00Z", "correlationId": "…", "producer": "polisen.reports"},
  "data": { … }
}
```

- **Delivery is at least once.** Deduplicate on `metadata.eventId`.
- **Versions.** An additive change keeps the version: ignore fields you do not know. A breaking change publishes
  the next version beside the old one until every consumer has moved.
- **Personal data** is the exception and marked `x-contains-personal-data: true` in the schema; such events
  never leave the police. The rule is code, not only this sentence: `shared/events/catalog.py`'s
  `check_grant` refuses a grant of any such event type (and of any type not in the catalog), and agency grants,
  when they come, are rendered into rules only after passing it.
- **Schemas** are generated from the contracts in `shared/events/contracts/<producer>.py` into
  [`docs/events/`](events/) by `make docs`, and so is this page (the consumers come from the manifests'
  subscriptions); a test fails when the committed files are stale, when a service builds an event that has no
  contract or does not declare it, and when a subscription names an event nobody publishes.
"""


def render_catalog(
    manifests: Iterable[ServiceManifest] = MANIFESTS,
    contracts_by_source: Mapping[str, tuple[type[EventData], ...]] = CONTRACTS_BY_SOURCE,
) -> str:
    manifests = tuple(manifests)
    producers = {m.source: m.name for m in manifests}
    parts = [HEADER]
    for source, contracts in contracts_by_source.items():
        producer = producers.get(source, "?")
        module = sys.modules[contracts[0].__module__] if contracts else None
        contracts_path = f"shared/events/contracts/{producer}.py"
        parts.append(f"## {source}\n")
        parts.append(
            f"Published by the {producer} service ([README](../services/{producer}/README.md)); contracts in "
            f"[`{contracts_path}`](../{contracts_path}).\n"
        )
        if module is not None and module.__doc__:
            parts.append(_markdown(module.__doc__) + "\n")
        parts.append("| detail-type | version | when | data | personal data | consumers | schema |")
        parts.append("|---|---|---|---|---|---|---|")
        for contract in contracts:
            schema = schema_of(contract)
            when = _markdown(schema.get("description", "")).split("\n\n")[0]
            file = f"{contract.event_type}.v{contract.version}.json"
            parts.append(
                f"| `{contract.event_type}` | {contract.version} | {when} | {_fields(contract)} | "
                f"{'**yes**: never leaves the police' if contract.contains_personal_data else 'no'} | "
                f"{_consumers_cell(source, contract.event_type, manifests)} | [{file}](events/{source}/{file}) |"
            )
        parts.append("")
        withdrawn = [w for w in WITHDRAWN if w.source == source]
        for w in withdrawn:
            parts.append(
                f"Withdrawn: `{w.event_type}` v{w.version}, replaced by `{w.replaced_by}`. {w.why}\n"
            )
    return "\n".join(parts).rstrip("\n") + "\n"
