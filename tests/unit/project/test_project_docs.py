"""The project's documents stand on their own: every link stays inside the repository and resolves, no page
points at notes the repository does not hold, and every decision record is dated and in the index."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from infra.generate_docs import ADR_DIRECTORY, ADR_INDEX, adrs

ROOT = Path(__file__).resolve().parents[3]
SKIPPED = {"cdk.out", "node_modules", "__pycache__"}
# Notes that once lived beside the repository, never in it.
OUTSIDE_NOTES = re.compile(r"\b(?:DESIGN|DOMAIN)\.md\b")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _files(*suffixes: str) -> list[Path]:
    found = []
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if any(part.startswith(".") or part in SKIPPED for part in relative.parts[:-1]):
            continue
        if path.is_file() and path.suffix in suffixes:
            found.append(path)
    return sorted(found)


MARKDOWN = _files(".md")
TEXT = _files(".md", ".py", ".json", ".toml")


@pytest.mark.parametrize("page", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_of_a_page_resolves_inside_the_repository(page: Path) -> None:
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        resolved = (page.parent / target.split("#", 1)[0]).resolve()
        assert resolved.is_relative_to(ROOT), f"{target} leaves the repository"
        assert resolved.exists(), f"{target} does not exist"


def test_no_file_points_at_notes_outside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in TEXT
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if OUTSIDE_NOTES.search(line)
    ]
    assert offenders == []


def test_every_adr_has_a_date_and_its_number_in_its_name_and_heading() -> None:
    records = adrs()
    assert len(records) == len([p for p in ADR_DIRECTORY.glob("[0-9]*.md")])
    for record in records:
        assert record.date is not None, f"{record.file} has no Date: YYYY-MM-DD line"
        date.fromisoformat(record.date)
        heading = (ADR_DIRECTORY / record.file).read_text(encoding="utf-8").splitlines()[0]
        assert heading.startswith(f"# {record.number}. "), record.file
        assert record.status, f"{record.file} has no Status: line"


def test_the_adr_index_lists_every_adr_with_its_date_and_status() -> None:
    index = ADR_INDEX.read_text(encoding="utf-8")
    for record in adrs():
        row = next(
            (line for line in index.splitlines() if line.startswith(f"| [{record.number}]({record.file}) |")),
            None,
        )
        assert row is not None, f"{record.file} is not in docs/adr/README.md: run `make docs`"
        assert f"| {record.date} |" in row
        assert record.title in row


def test_ci_runs_the_linters_and_the_readme_says_so() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make lint" in ci.splitlines()
    assert "make test" in ci.splitlines()
    assert "`.ci/run`" in (ROOT / "README.md").read_text(encoding="utf-8")
