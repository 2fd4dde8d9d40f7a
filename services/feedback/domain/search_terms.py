"""The words feedback is found by: one normal form for what is stored and for what staff type.

- :func:`normalise`: casefolded; accents folded to their base letters (é, è, ê → e; ü → u; ç → c; ...), but
  å, ä and ö kept as the letters of their own they are in Swedish. Æ and ø are the Danish and Norwegian
  spellings of ä and ö, and a Swedish keyboard has only ä and ö, so they become those, as Swedish
  collation has them.
- :func:`terms`: the distinct words of a text, 2 characters or more, without the Swedish stop words.
- :func:`query_terms`: the words of a search; the last one is a prefix ("polis" finds "polisen").

"a" typed for "å" (or "o" for "ö") is not accepted: it would make "våld" (violence) match "vald" (chosen),
"får" "far", "hår" "har", "mål" "mal", "åtal" "atal". Staff search on Swedish keyboards, and a search that
finds the wrong word is worse than one the searcher corrects.
"""

from __future__ import annotations

import re
import unicodedata

MIN_TERM_LENGTH = 2

# Combining marks that make a letter of its own in Swedish: å (ring above), ä and ö (diaeresis on a or o).
_KEPT_MARKS = {"a": {"\u030a", "\u0308"}, "o": {"\u0308"}}
# Letters that do not decompose into a base letter and a mark.
_LETTERS = str.maketrans({"æ": "ä", "ø": "ö", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ı": "i"})
_WORD = re.compile(r"[^\W_]+")

STOP_WORDS = frozenset(
    [
        "alla",
        "allt",
        "att",
        "av",
        "blev",
        "bli",
        "blir",
        "de",
        "dem",
        "den",
        "denna",
        "deras",
        "dess",
        "det",
        "detta",
        "dig",
        "din",
        "dina",
        "ditt",
        "du",
        "då",
        "där",
        "efter",
        "ej",
        "eller",
        "en",
        "er",
        "era",
        "ert",
        "ett",
        "från",
        "för",
        "ha",
        "hade",
        "han",
        "hans",
        "har",
        "hen",
        "henne",
        "hennes",
        "hon",
        "honom",
        "hur",
        "här",
        "i",
        "icke",
        "ingen",
        "inom",
        "inte",
        "jag",
        "ju",
        "kan",
        "man",
        "med",
        "mej",
        "men",
        "mig",
        "min",
        "mina",
        "mitt",
        "mot",
        "mycket",
        "ni",
        "nu",
        "när",
        "och",
        "om",
        "oss",
        "på",
        "sa",
        "sig",
        "sin",
        "sina",
        "sitt",
        "själv",
        "ska",
        "skulle",
        "som",
        "så",
        "till",
        "under",
        "upp",
        "ut",
        "utan",
        "vad",
        "var",
        "vara",
        "varit",
        "vi",
        "vid",
        "vilka",
        "vilken",
        "vilket",
        "vår",
        "våra",
        "vårt",
        "än",
        "är",
        "åt",
        "över",
    ]
)


def normalise(text: str) -> str:
    """``text`` casefolded, with accents folded but å, ä and ö kept."""
    decomposed = unicodedata.normalize("NFD", text.casefold().translate(_LETTERS))
    kept: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char):
            if kept and char in _KEPT_MARKS.get(kept[-1], ()):
                kept.append(char)
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def words(text: str) -> list[str]:
    """The normalised words of ``text``, in order, repeats kept."""
    return _WORD.findall(normalise(text))


def terms(text: str) -> set[str]:
    """The distinct words ``text`` is found by: 2 characters or more, no stop words."""
    return {word for word in words(text) if len(word) >= MIN_TERM_LENGTH and word not in STOP_WORDS}


def query_terms(query: str) -> list[str]:
    """The words to look for, in the order typed, each once; the last is a prefix of the word it finds.

    A stop word before the last is dropped (it is in nearly every text); the last is kept even when it is
    one, since as a prefix it stands for longer words ("man" finds "mannen"). Words shorter than 2 are
    dropped: the index is partitioned by a term's first two letters."""
    found = [word for word in words(query) if len(word) >= MIN_TERM_LENGTH]
    if not found:
        return []
    *whole, last = found
    kept: list[str] = []
    for word in whole:
        if word not in STOP_WORDS and word != last and word not in kept:
            kept.append(word)
    return [*kept, last]
