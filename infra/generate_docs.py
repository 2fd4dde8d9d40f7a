"""Regenerates the committed API and event documents: ``make docs``.

The OpenAPI document of each service, the JSON Schema of each event and the event catalog (who publishes
and who consumes each event) are generated from the code and committed, so a pull request's diff shows every
change to what clients and agencies depend on.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from infra.catalog import MANIFESTS
from infra.event_catalog import render_catalog
from shared.events.catalog import rendered_schemas
from shared.http.openapi import openapi_document

ROOT = Path(__file__).resolve().parents[1]
EVENT_SCHEMAS = ROOT / "docs" / "events"
EVENT_CATALOG = ROOT / "docs" / "events.md"


def openapi_documents() -> dict[Path, str]:
    documents: dict[Path, str] = {}
    for manifest in MANIFESTS:
        api = importlib.import_module(manifest.api_function.handler.rsplit(".", 1)[0])
        document = openapi_document(api.app, title=manifest.title, routes=manifest.routes)
        documents[ROOT / "services" / manifest.name / "openapi.json"] = (
            json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        )
    return documents


def event_documents() -> dict[Path, str]:
    documents = {EVENT_SCHEMAS / relative: text for relative, text in rendered_schemas().items()}
    documents[EVENT_CATALOG] = render_catalog()
    return documents


def all_documents() -> dict[Path, str]:
    return {**openapi_documents(), **event_documents()}


def main() -> None:
    for path, text in all_documents().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
