"""The committed OpenAPI documents and event schemas are what the code generates: `make docs` updates them."""

from __future__ import annotations

import pytest

from infra.generate_docs import ROOT, all_documents

DOCUMENTS = all_documents()


@pytest.mark.parametrize("path", sorted(DOCUMENTS), ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_document_is_up_to_date(path) -> None:
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: run `make docs`"
    stale = f"{path.relative_to(ROOT)} is stale: run `make docs`"
    assert path.read_text(encoding="utf-8") == DOCUMENTS[path], stale


def test_every_event_schema_names_its_type_and_carries_metadata() -> None:
    events = [p for p in DOCUMENTS if p.suffix == ".json" and "docs" in p.parts]
    assert {p.name for p in events} >= {"ReportFiled.v1.json", "ReportStatusChanged.v1.json"}
    for path in events:
        assert '"metadata"' in DOCUMENTS[path]
        assert '"eventId"' in DOCUMENTS[path]
