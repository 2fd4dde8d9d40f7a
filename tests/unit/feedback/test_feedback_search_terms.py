"""The words feedback is found by: Swedish letters kept, other accents folded, stop words left out, the last
word of a search a prefix."""

from __future__ import annotations

import pytest

from services.feedback.domain.search_terms import STOP_WORDS, normalise, query_terms, terms


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("Polisen", "polisen"),
        ("ÅÄÖ åäö", "åäö åäö"),
        ("Café Crème", "cafe creme"),
        ("Müller Ångström", "muller ångström"),
        ("Señora François", "senora francois"),
        ("Søren Ærø", "sören ärö"),
        ("STRAßE", "strasse"),
        # Decomposed input (as some keyboards send it) reads as the composed letters.
        ("va\u030ald", "våld"),
        ("o\u0308vervåld", "övervåld"),
    ],
)
def test_text_is_casefolded_and_accents_folded_but_swedish_letters_kept(typed: str, normal: str) -> None:
    assert normalise(typed) == normal


def test_a_is_not_taken_for_å_so_violence_is_not_chosen() -> None:
    assert normalise("våld") != normalise("vald")
    assert terms("Det var våld") == {"våld"}


def test_terms_are_the_distinct_words_of_two_letters_or_more_without_stop_words() -> None:
    found = terms("Jag blev väl bemött av polisen i Umeå, och polisen var snabb! Tack, ID-kort klart 2026.")

    assert found == {"väl", "bemött", "polisen", "umeå", "snabb", "tack", "id", "kort", "klart", "2026"}
    assert not found & STOP_WORDS


def test_a_text_of_stop_words_and_single_letters_has_no_terms() -> None:
    assert terms("och i att x y") == set()


def test_the_last_word_of_a_search_is_kept_as_a_prefix_even_a_stop_word() -> None:
    assert query_terms("Bemött POLIS") == ["bemött", "polis"]
    assert query_terms("polis och man") == ["polis", "man"]
    assert query_terms("och polis") == ["polis"]


def test_a_search_repeats_no_word_and_its_prefix_comes_last() -> None:
    assert query_terms("polis bil polis") == ["bil", "polis"]
    assert query_terms("Café cafe") == ["cafe"]


def test_a_search_of_nothing_findable_has_no_words() -> None:
    assert query_terms("") == []
    assert query_terms(" ? x ") == []
