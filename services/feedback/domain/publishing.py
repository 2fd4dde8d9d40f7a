"""The public database of feedback: only items whose sender consented and whose redacted text a staff member
approved, with the place generalised to the municipality and the time to the month. Searched by free text
(Swedish, case- and accent-insensitive, a word's beginning is enough), kind, category, municipality and period.

The public database is small (a share of the consented items, a few thousand a year), so a month's rows are
read and matched here; the staff's search over all feedback uses the search index instead.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

KEEP = {"å", "ä", "ö"}


def fold(text: str) -> str:
    """Lower case, accents dropped (é → e, ü → u) but å, ä and ö kept: they are letters of their own."""
    out = []
    # Composed first: a text sent decomposed (a + ring) keeps its å.
    for char in unicodedata.normalize("NFC", text).casefold():
        if char in KEEP:
            out.append(char)
            continue
        decomposed = unicodedata.normalize("NFD", char)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(out)


def words(text: str) -> list[str]:
    return [w for w in "".join(c if c.isalnum() else " " for c in fold(text)).split() if w]


@dataclass(frozen=True)
class PublicQuery:
    text: str | None = None
    kind: str | None = None
    category: str | None = None
    municipality: str | None = None

    def matches(self, row: Mapping[str, Any]) -> bool:
        if self.kind and row.get("kind") != self.kind:
            return False
        if self.category and row.get("category") != self.category:
            return False
        if self.municipality and fold(str(row.get("municipality") or "")) != fold(self.municipality):
            return False
        if self.text:
            have = words(str(row.get("text", "")))
            return all(any(w.startswith(q) for w in have) for q in words(self.text))
        return True


def search(
    rows: Iterable[Mapping[str, Any]], query: PublicQuery, *, limit: int, skip: int
) -> tuple[list[Mapping[str, Any]], bool]:
    """The ``limit`` matching rows after the first ``skip``, and whether there are more."""
    found: list[Mapping[str, Any]] = []
    seen = 0
    iterator: Iterator[Mapping[str, Any]] = iter(rows)
    for row in iterator:
        if not query.matches(row):
            continue
        seen += 1
        if seen <= skip:
            continue
        if len(found) == limit:
            return found, True
        found.append(row)
    return found, False
