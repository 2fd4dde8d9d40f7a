"""The reports domain is layered: no module imports, however indirectly, a module that imports it back, and
the ports know only the model. Imports under ``TYPE_CHECKING`` and inside functions count as well: a circle
hidden from the interpreter is still a circle for whoever reads or moves the code."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOMAIN = ROOT / "services" / "reports" / "domain"
PACKAGE = "services.reports.domain"
# What the ports may import of the domain: the model modules (no use case), and the package they are in.
MODEL = {
    PACKAGE,
    f"{PACKAGE}.model",
    f"{PACKAGE}.found_item",
    f"{PACKAGE}.audit",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(DOMAIN.rglob("*.py"))}


def _imports(name: str) -> set[str]:
    """The domain modules ``name`` imports, by any import statement anywhere in it."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from package import module`` imports the module; ``from module import name`` the module.
            targets = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        for target in targets:
            # Importing a.b.c runs a and a.b first.
            while target:
                if target in MODULES and target != name:
                    found.add(target)
                target = target.rpartition(".")[0]
    return found


GRAPH = {name: _imports(name) for name in MODULES}


def _cycle() -> list[str] | None:
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == "open":
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = "done"
        return None

    for start in sorted(GRAPH):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_domain_has_no_import_circle() -> None:
    cycle = _cycle()
    assert cycle is None, "import circle: " + " → ".join(cycle or [])


def test_the_ports_import_only_the_model() -> None:
    beyond = GRAPH[f"{PACKAGE}.ports"] - MODEL
    assert not beyond, f"ports import use cases: {sorted(beyond)}"


def test_the_model_imports_no_use_case() -> None:
    for name in MODEL - {PACKAGE}:
        assert GRAPH[name] <= MODEL, f"{name} imports {sorted(GRAPH[name] - MODEL)}"


def test_the_checker_sees_a_circle() -> None:
    GRAPH["services.reports.domain.model"].add("services.reports.domain.ports")
    try:
        assert _cycle() is not None
    finally:
        GRAPH["services.reports.domain.model"].discard("services.reports.domain.ports")
