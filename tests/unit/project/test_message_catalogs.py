"""Every text a citizen reads comes from a catalog that has it in Swedish and in English, with the same
placeholders, and every key the code names is in its catalog."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from infra.catalog import MANIFESTS
from services.reports.domain.decisions import DecideAction, current_rule_set
from shared.i18n import Catalog, placeholders

ROOT = Path(__file__).resolve().parents[3]
_NAMED_KEY = re.compile(r"""\bTEXTS\(\s*["']([^"'{}]+)["']""")


def _catalogs() -> dict[str, tuple[Catalog, Path]]:
    found = {"shared": (importlib.import_module("shared.messages").TEXTS, ROOT / "shared")}
    for manifest in MANIFESTS:
        module = importlib.import_module(f"services.{manifest.name}.messages")
        found[manifest.name] = (module.TEXTS, ROOT / "services" / manifest.name)
    return found


CATALOGS = _catalogs()


@pytest.mark.parametrize("name", sorted(CATALOGS))
def test_the_catalog_has_every_text_in_swedish_and_english_with_the_same_placeholders(name: str) -> None:
    catalog, _ = CATALOGS[name]
    assert catalog.problems() == []
    assert set(catalog.texts) == {"sv", "en"}
    assert all(catalog.texts["sv"].values())
    assert all(catalog.texts["en"].values())


@pytest.mark.parametrize("name", sorted(CATALOGS))
def test_every_key_the_code_names_is_in_its_catalog(name: str) -> None:
    catalog, where = CATALOGS[name]
    named = {
        (path.relative_to(ROOT).as_posix(), key)
        for path in where.rglob("*.py")
        for key in _NAMED_KEY.findall(path.read_text(encoding="utf-8"))
    }
    assert named, f"{name} names no text"
    missing = sorted(f"{path}: {key}" for path, key in named if key not in catalog.texts["sv"])
    assert missing == []


def test_every_service_with_an_api_has_its_own_catalog() -> None:
    assert {m.name for m in MANIFESTS} <= set(CATALOGS)


def test_a_decision_rule_tells_its_reason_in_swedish_and_english() -> None:
    decided = [r for r in current_rule_set().rules if isinstance(r.then, DecideAction)]
    assert decided
    for rule in decided:
        assert isinstance(rule.then, DecideAction)
        kept = rule.then.reason_kept
        assert not isinstance(kept, str), rule.id
        assert kept.texts is not None
        assert kept.texts["sv"] != kept.texts["en"], rule.id
        assert placeholders(kept.texts["sv"]) == placeholders(kept.texts["en"]) == set()
