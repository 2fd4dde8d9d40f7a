"""Citizens' feedback redacted for the public database: what could identify a person is replaced by a marker.

A published text names no one and gives no number, address or case that leads to a person; the place is given
as its municipality and the time as its month. The rules are code, not a model: the same text is redacted the
same way every time, every removal can be explained, and nothing leaves the service to be redacted. Where a
rule is unsure it removes: a false positive costs a word, a false negative a person's privacy. A staff member
reads and approves every redacted text before it is published, which is the second line
(docs/adr/0094-what-is-published-of-feedback-and-how-it-is-redacted.md).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from importlib import resources
from itertools import pairwise

from shared.clock import STOCKHOLM
from shared.identity import luhn_is_valid
from shared.regions import all_municipalities, municipality


class PersonalData(StrEnum):
    """What a removed span was; the value is the marker's word, in Swedish as the published text is."""

    NAME = "namn"
    PERSONNUMMER = "personnummer"  # and samordningsnummer
    PHONE = "telefonnummer"
    EMAIL = "e-post"
    ADDRESS = "adress"  # streets, postal codes
    REGISTRATION = "registreringsnummer"
    CASE_NUMBER = "ärendenummer"  # K-numbers, diarienummer
    ACCOUNT = "kontonummer"  # bank accounts, cards, IBAN

    @property
    def marker(self) -> str:
        return f"[{self.value}]"


@dataclass(frozen=True)
class Redacted:
    """The redacted text and how many spans of each kind were removed (keyed by :class:`PersonalData`)."""

    text: str
    found: Counter[str]


def redact(text: str, *, known_names: Iterable[str] = ()) -> Redacted:
    """``text`` with every span that could identify a person replaced by its kind's marker, e.g. ``[namn]``.

    ``known_names`` are names the service already knows belong to the case (the sender's, the employee's):
    every word of them is removed wherever it stands, in any case.
    """
    claims = _Claims()
    for kind, finder in _FINDERS:
        for start, end in finder(text):
            claims.take(_Span(start, end, kind))
    for start, end in _names(text, claims, _known_words(known_names)):
        claims.take(_Span(start, end, PersonalData.NAME))
    return _replace(text, claims.spans())


def generalise_place(municipality_code: str) -> str:
    """The municipality's name, which is all a published text says of where; raises ``UnknownMunicipality``."""
    return municipality(municipality_code).name


def generalise_time(moment: datetime | date) -> str:
    """The month, ``YYYY-MM`` in Stockholm time, which is all a published text says of when."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("a moment without a time zone has no month in Stockholm")
        moment = moment.astimezone(STOCKHOLM)
    return f"{moment.year:04d}-{moment.month:02d}"


def may_be_published(*, consented: bool, about_an_employee: bool) -> bool:
    """Whether feedback may reach the public database at all: the sender consented, and it is not a
    complaint about an employee (whose handling is a personnel matter, however well redacted)."""
    return consented and not about_an_employee


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: PersonalData


class _Claims:
    """The spans taken so far, apart and in order, so that an overlap is found by bisection, not by a scan:
    a long text with many numbers stays linear."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._spans: list[_Span] = []

    def overlaps(self, start: int, end: int) -> bool:
        index = bisect_right(self._starts, start)
        if index and self._spans[index - 1].end > start:
            return True
        return index < len(self._spans) and self._spans[index].start < end

    def take(self, span: _Span) -> None:
        """Keep ``span`` unless an earlier finder took part of it: the finders run most specific first."""
        if span.end <= span.start or self.overlaps(span.start, span.end):
            return
        index = bisect_right(self._starts, span.start)
        self._starts.insert(index, span.start)
        self._spans.insert(index, span)

    def spans(self) -> list[_Span]:
        return list(self._spans)


def _replace(text: str, spans: list[_Span]) -> Redacted:
    merged: list[_Span] = []
    for span in spans:
        # "Anna Svensson" is one name, not two: spans of a kind with only blanks between them become one.
        if merged and merged[-1].kind is span.kind and not text[merged[-1].end : span.start].strip():
            merged[-1] = _Span(merged[-1].start, span.end, span.kind)
        else:
            merged.append(span)
    parts: list[str] = []
    found: Counter[str] = Counter()
    position = 0
    for span in merged:
        parts.append(text[position : span.start])
        parts.append(span.kind.marker)
        found[span.kind.value] += 1
        position = span.end
    parts.append(text[position:])
    return Redacted(text="".join(parts), found=found)


# ---- numbers, addresses and the like: patterns -------------------------------------------------------------

_MONTH_DAY = (
    r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"  # the day + 60: samordningsnummer
)
_SEPARATED_PERSONNUMMER = re.compile(
    rf"(?<![\d.,])(?:(?:19|20)?\d{{2}}{_MONTH_DAY} ?[-+] ?\d{{4}}|(?:19|20)\d{{2}}{_MONTH_DAY} ?\d{{4}}"
    rf"|\d{{2}}{_MONTH_DAY} \d{{4}})(?![\d.,]?\d)"
)
_BARE_PERSONNUMMER = re.compile(rf"(?<![\d.,])\d{{2}}{_MONTH_DAY}\d{{4}}(?![\d.,]?\d)")

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+ ?(?:@|\((?:at|snabel-a)\)|\[(?:at|snabel-a)\]) ?[\w-]+(?:(?:\.| ?\((?:dot|punkt)\) ?)[\w-]+)+",
    re.IGNORECASE,
)
_IBAN = re.compile(r"(?<![\w])(?:[A-Z]{2}|se|Se)\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\w])")

_K_NUMBER = re.compile(r"(?<![\w-])(?:\d{4}-)?K ?\d{1,9}-\d{2}(?![\d-])", re.IGNORECASE)
_DIARIENUMMER = re.compile(r"(?<!\w)[A-Z] ?\d{1,3}[.,]?\d{3}/\d{2,4}(?!\d)", re.IGNORECASE)
_NAMED_CASE_NUMBER = re.compile(
    r"\b(?:ärende(?:nummer|nr)?|diarie(?:nummer|nr)|dnr|referens(?:nummer|nr)?|ref(?:\.|nr)?|anmälan"
    r"|anmälningsnummer|målnummer)\s*(?:nr\.?|nummer)?\s*[:.]?\s*(?:är\s+)?"
    r"(?P<number>[A-Za-zÅÄÖåäö]{0,3}[-. ]?\d[\w./-]+\d(?: \d+)*)",
    re.IGNORECASE,
)

_GROUPED_CARD = re.compile(
    r"(?<!\d)(?:\d{4}[ -]){3}\d{4}(?:[ -]?\d{1,3})?(?!\d)|(?<!\d)\d{4}[ -]\d{6}[ -]\d{5}(?!\d)"
)
_CONTIGUOUS_CARD = re.compile(r"(?<!\d)\d{13,19}(?!\d)")
_NAMED_ACCOUNT = re.compile(
    r"\b(?:bank)?(?:konto(?:nummer|nr|t)?|kontonr|clearing(?:nummer|nr)?|bankgiro(?:nummer)?|plusgiro(?:nummer)?"
    r"|bg|pg|kortnummer|kortet|swish(?:nummer)?)\s*(?:nr\.?|nummer)?\s*[:.]?\s*(?:är\s+)?(?P<number>\d[\d ,.-]{2,}\d)",
    re.IGNORECASE,
)
_LONG_NUMBER = re.compile(r"(?<![\d-])\d{9,}(?![\d-])")

_INTERNATIONAL_PHONE = re.compile(r"(?<![\w+])(?:\+|00)\d{1,3}[ -]?(?:\(0\)[ -]?)?\d(?:[ -]?\d){6,11}(?!\d)")
_NATIONAL_PHONE = re.compile(r"(?<![\w+])(?:\(0\d{1,3}\) ?|0\d)(?:(?: - |[ /-])?\d){5,8}(?![\d])")

_STREET_SUFFIX = (
    r"(?:gatan|gata|vägen|väg|gränd|gränden|torget|torg|backen|backe|stigen|allén|allé|alle|plan|planen|leden"
    r"|platsen|plats|gången|stråket|kajen|kaj|esplanaden|promenaden|slingan|parken|hagen|liden)"
)
_STREET_PREFIX = (
    r"(?:(?:Södra|Norra|Östra|Västra|Stora|Lilla|Gamla|Nya|Övre|Nedre|Sankt|S:t|Drottning|Kung|Första|Andra"
    r"|Tredje|Fjärde|Femte)\s)?"
)
_STREET_WORD = rf"{_STREET_PREFIX}[^\W\d_]{{2,}}{_STREET_SUFFIX}"
# "Drottning Kristinas väg 5", "Gustav Adolfs torg 2": a name in the genitive and the street's own word.
_GENITIVE_STREET = r"(?-i:[A-ZÅÄÖ][^\W\d_]+s) (?:väg|gata|allé|torg|gränd|plan|plats|backe|stig|gång)"
_HOUSE_NUMBER = (
    r" ?\d{1,4}(?:(?:[A-Za-z]|(?-i: [A-Z]))(?![\w]))?(?: ?- ?\d{1,4})?"
    r"(?:,? ?(?:\d{1,2} ?(?:tr|trappor|trappa|vån|våning|våningen)\b\.?|(?:lgh|lägenhet)\.? ?\d{1,4}|nb\b|bv\b|ög\b))*"
)
_NUMBERED_STREET = re.compile(
    rf"(?<![\w-])(?:{_STREET_WORD}|{_STREET_PREFIX}{_GENITIVE_STREET}){_HOUSE_NUMBER}(?!\w)", re.IGNORECASE
)
_STREET = re.compile(rf"(?<![\w-]){_STREET_WORD}(?![\w])")
# A post box or a flat is an address without a street: "Box 1234", "lgh 1102".
_BOX_OR_FLAT = re.compile(
    r"(?<![\w-])(?:(?:Box|Postbox|Fack) ?\d{1,6}|(?:lgh|lägenhet|lägenhetsnummer)\.? ?\d{3,4})(?!\d)",
    re.IGNORECASE,
)
_POSTAL_CODE = re.compile(
    r"(?<![\w-])(?:SE-?|S-)?(?:\d{3} \d{2}(?![\d])(?! \d)|\d{5}(?= +[A-ZÅÄÖ][a-zåäö]))"
    r"|(?<=postnummer )\d{3} ?\d{2}|(?<=postnr )\d{3} ?\d{2}",
)

# The Police's own number for what is not an emergency reads like a postal code, and is no one's.
_POLICE_NUMBERS = frozenset({"114 14", "11414"})

_REGISTRATION = re.compile(r"(?<![\w-])[A-Z]{3}[ -]?\d{2}[A-Z0-9](?![\w-])")
_LOWER_CASE_REGISTRATION = re.compile(r"(?<![\w-])[A-Za-z]{3}\d{2}[A-Za-z0-9](?![\w-])")
_NAMED_REGISTRATION = re.compile(
    r"\b(?:reg(?:istrerings)?(?:nummer|numret|nr|\.? ?nr)|regnr|skylt(?:en)?|bil(?:en)?|bilnummer|bilnr)"
    r"\s*[:.]?\s*(?:med\s+)?(?P<number>[a-zA-Z]{3}[ -]?\d{2}[a-zA-Z0-9])(?![\w-])",
    re.IGNORECASE,
)
# Three capitals and three digits that are not a vehicle: currencies, the emergency number and laws.
_NOT_REGISTRATIONS = frozenset(
    {"SEK", "EUR", "USD", "NOK", "DKK", "GBP", "SOS", "SFS", "LSS", "LVU", "LVM", "LOB"}
)


def _matches(pattern: re.Pattern[str], group: str | int = 0) -> Callable[[str], Iterator[tuple[int, int]]]:
    def find(text: str) -> Iterator[tuple[int, int]]:
        for match in pattern.finditer(text):
            yield match.span(group)

    return find


def _strict_personnummer(text: str) -> Iterator[tuple[int, int]]:
    yield from _matches(_SEPARATED_PERSONNUMMER)(text)
    # Without a separator ten digits may be a phone number (0701234567 has a date's shape): the check digit
    # decides here, and a number that fails it is taken below, after the phone numbers.
    for match in _BARE_PERSONNUMMER.finditer(text):
        if luhn_is_valid(match[0]):
            yield match.span()


def _ibans(text: str) -> Iterator[tuple[int, int]]:
    for match in _IBAN.finditer(text):
        compact = match[0].replace(" ", "").upper()
        if compact.startswith("SE") or _iban_checks(compact):
            yield match.span()


def _iban_checks(compact: str) -> bool:
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return len(compact) >= 15 and int(digits) % 97 == 1


def _cards(text: str) -> Iterator[tuple[int, int]]:
    yield from _matches(_GROUPED_CARD)(text)
    for match in _CONTIGUOUS_CARD.finditer(text):
        if luhn_is_valid(match[0]):
            yield match.span()


def _postal_codes(text: str) -> Iterator[tuple[int, int]]:
    for match in _POSTAL_CODE.finditer(text):
        if match[0] not in _POLICE_NUMBERS:
            yield match.span()


def _registrations(text: str) -> Iterator[tuple[int, int]]:
    yield from _matches(_NAMED_REGISTRATION, "number")(text)
    for match in _REGISTRATION.finditer(text):
        if match[0][:3] not in _NOT_REGISTRATIONS:
            yield match.span()
    yield from _matches(_LOWER_CASE_REGISTRATION)(text)


def _streets(text: str) -> Iterator[tuple[int, int]]:
    for match in _NUMBERED_STREET.finditer(text):
        if any(char.isdigit() for char in match[0]):
            yield match.span()
    # A street without a number is still a place that may point at a home, when it is written as a name:
    # capitalised, and not just the first word of a sentence ("Motorvägen var avstängd").
    for match in _STREET.finditer(text):
        if match[0][0].isupper() and not _starts_sentence(text, match.start()):
            yield match.span()


_FINDERS: tuple[tuple[PersonalData, Callable[[str], Iterator[tuple[int, int]]]], ...] = (
    (PersonalData.EMAIL, _matches(_EMAIL)),
    (PersonalData.ACCOUNT, _ibans),
    (PersonalData.CASE_NUMBER, _matches(_K_NUMBER)),
    (PersonalData.CASE_NUMBER, _matches(_DIARIENUMMER)),
    (PersonalData.CASE_NUMBER, _matches(_NAMED_CASE_NUMBER, "number")),
    (PersonalData.PERSONNUMMER, _strict_personnummer),
    (PersonalData.ACCOUNT, _cards),
    (PersonalData.ACCOUNT, _matches(_NAMED_ACCOUNT, "number")),
    (PersonalData.PHONE, _matches(_INTERNATIONAL_PHONE)),
    (PersonalData.PHONE, _matches(_NATIONAL_PHONE)),
    (PersonalData.PERSONNUMMER, _matches(_BARE_PERSONNUMMER)),
    # Any other long run of digits is more likely an account or a customer number than anything harmless.
    (PersonalData.ACCOUNT, _matches(_LONG_NUMBER)),
    (PersonalData.ADDRESS, _streets),
    (PersonalData.ADDRESS, _postal_codes),
    (PersonalData.ADDRESS, _matches(_BOX_OR_FLAT)),
    (PersonalData.REGISTRATION, _registrations),
)


# ---- names --------------------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_SENTENCE_END = ".!?:;…\n"
_OPENERS = " \t\"'“”«»()[]-–—*•"
# Words after which the next capitalised word is a person however it looks: ranks and titles.
_RANKS = frozenset(
    {
        "inspektör", "inspektören", "polisinspektör", "polisinspektören", "kriminalinspektör",
        "kriminalinspektören", "konstapel", "konstapeln", "poliskonstapel", "kommissarie", "kommissarien",
        "polisassistent", "polisassistenten", "assistent", "assistenten", "aspirant", "aspiranten",
        "polisaspirant", "utredare", "utredaren", "förhörsledare", "förhörsledaren", "handläggare",
        "handläggaren", "gruppchef", "gruppchefen", "befäl", "befälet", "vakthavande", "herr", "hr", "fru",
        "fröken", "dr", "doktor", "advokat", "advokaten", "åklagare", "åklagaren", "chef", "chefen",
    }
)  # fmt: skip
# Words after which a capitalised word that is not a place is a person: how people are spoken of and greeted.
_ADDRESS_FORMS = frozenset(
    {
        "polis", "polisen", "polisman", "polismannen", "poliskvinnan", "polismän", "poliserna", "kollega", "kollegan",
        "granne", "grannen", "sambo", "sambon", "pojkvän", "flickvän", "maken", "makan", "sonen", "dottern",
        "son", "dotter", "bror", "brodern", "brorsan", "syster", "systern", "systra", "mamma", "pappa",
        "farbror", "morbror", "faster", "moster", "kompis", "kompisen", "vän", "vännen", "väninnan",
        "tjejen", "killen", "mannen", "kvinnan", "hej", "hejsan", "tack", "mvh", "hälsningar", "hälsning",
    }
)  # fmt: skip
# Words after which the next word is a name even in lower case: "hon som heter anna".
_NAMING_WORDS = frozenset({"heter", "hette", "kallas", "kallades", "kallad"})
# Words between "heter" and the name that say nothing: "han som hette typ Micke".
_FILLERS = frozenset(
    {"typ", "nog", "väl", "kanske", "nåt", "något", "liksom", "visst", "tydligen", "ju", "alltså"}
)
# Words that are never a name however they stand: "vad det heter", "hon heter inte".
_FUNCTION_WORDS = frozenset(
    {
        "tror", "jag", "att", "hon", "han", "hen", "det", "den", "inte", "som", "och", "så", "en", "ett",
        "är", "var", "på", "i", "av", "med", "till", "för", "om", "vad", "ni", "vi", "de", "du", "eller",
    }
)  # fmt: skip
# Words after which a capitalised word is a place or a unit, not a person.
_PLACE_WORDS = frozenset(
    {
        "i", "på", "vid", "utanför", "nära", "genom", "över", "runt", "längs", "mellan", "bakom", "ur",
        "in", "invid", "söder", "norr", "öster", "väster", "lokalpolisområde",
        "lokalpolisområdet", "polisområde", "polisområdet", "polisregion", "region", "stadsdel", "stadsdelen",
        "området", "kommun", "polisstation", "polisstationen", "station", "stationen", "hållplats",
        "hållplatsen", "centrum", "gatan", "torget", "parken", "skolan", "butiken", "affären", "restaurang",
        "restaurangen", "puben", "klubben", "köpcentret", "köpcentrum", "arenan",
    }
)  # fmt: skip
# "Polismannen", "Handläggaren" capitalised mid-sentence are still the words, not a name.
_VOCABULARY = _RANKS | _ADDRESS_FORMS | _NAMING_WORDS | _FILLERS | _FUNCTION_WORDS | _PLACE_WORDS
_SURNAME_ENDINGS = (
    "sson", "son", "berg", "ström", "gren", "qvist", "kvist", "lund", "holm", "stedt", "dahl", "ić", "vić",
    "ovic", "evic",
)  # fmt: skip
_NOT_SURNAMES = frozenset({"person", "personen", "säsong", "lektion"})


@dataclass(frozen=True)
class _NameLists:
    given: frozenset[str]  # lower case, first names and surnames together
    surnames: frozenset[str]  # lower case
    ordinary: frozenset[str]  # names that are also everyday words, lower case
    places: frozenset[str]  # municipalities' words and the words that are never a person, lower case


@cache
def _lists() -> _NameLists:
    raw = resources.files("services.feedback.domain").joinpath("data/names.json").read_text("utf-8")
    data: dict[str, list[str]] = {k: v for k, v in json.loads(raw).items() if isinstance(v, list)}
    places = {word.lower() for word in data["not_names"]}
    for place in all_municipalities():
        places.add(place.name.lower())
        places.update(part.lower() for part in re.split(r"[ -]", place.name))
    return _NameLists(
        given=frozenset(name.lower() for name in data["first_names"] + data["surnames"]),
        surnames=frozenset(name.lower() for name in data["surnames"]),
        ordinary=frozenset(data["ordinary_words"]),
        places=frozenset(places),
    )


def _known_words(known_names: Iterable[str]) -> frozenset[str]:
    words: set[str] = set()
    for name in known_names:
        for word in _WORD.findall(name):
            words.add(word.lower())
            words.update(part.lower() for part in re.split(r"[-'’]", word) if len(part) >= 2)
    return frozenset(word for word in words if len(word) >= 2)


@dataclass
class _Word:
    start: int
    end: int
    text: str
    initial: bool  # first in its sentence
    follows_closely: bool  # nothing but blanks between it and the word before

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def capitalised(self) -> bool:
        # A word in capitals says nothing by its first letter: "MEJLA SVARET TILL".
        return self.text[0].isupper() and not self.shouted

    @property
    def shouted(self) -> bool:
        return len(self.text) > 1 and self.text.isupper()


def _glued_to_a_digit(text: str, word: re.Match[str]) -> bool:
    """A model or a road, not a person: "V70", "E4", "XC60"."""
    start, end = word.span()
    return (start > 0 and text[start - 1].isdigit()) or (end < len(text) and text[end].isdigit())


def _starts_sentence(text: str, start: int) -> bool:
    position = start - 1
    while position >= 0 and text[position] in _OPENERS:
        position -= 1
    return position < 0 or text[position] in _SENTENCE_END


def _forms(word: str) -> tuple[str, ...]:
    """The word and, when it could be a genitive ("Anderssons", "Malmös"), the word without its s."""
    lower = word.lower()
    if len(lower) > 3 and lower.endswith("s"):
        return (lower, lower[:-1])
    return (lower,)


def _names(text: str, claims: _Claims, known: frozenset[str]) -> Iterator[tuple[int, int]]:
    lists = _lists()
    words = [
        _Word(m.start(), m.end(), m[0], _starts_sentence(text, m.start()), False)
        for m in _WORD.finditer(text)
        if not claims.overlaps(m.start(), m.end()) and not _glued_to_a_digit(text, m)
    ]
    for before, word in pairwise(words):
        word.follows_closely = not text[before.end : word.start].strip()

    def is_place(word: _Word) -> bool:
        """Whether the word is never a person: a place, an authority, or one of the words these rules read."""
        if word.lower in _VOCABULARY or any(form in lists.places for form in _forms(word.text)):
            return True
        # A compound noun on a place or a firm: "Securitas-vakten", "Malmö-polisen", "Ica-butiken".
        head, _, tail = word.text.partition("-")
        return bool(tail) and tail.islower() and head.lower() in lists.places

    def is_listed(word: _Word) -> bool:
        return any(form in lists.given for form in _forms(word.text)) or any(
            part.lower() in lists.given
            for part in re.split(r"[-'’]", word.text)
            if len(word.text) > len(part)
        )

    def looks_like_surname(word: _Word) -> bool:
        return (
            len(word.text) >= 5
            and word.lower not in _NOT_SURNAMES
            and any(form.endswith(_SURNAME_ENDINGS) for form in _forms(word.text))
        )

    def is_surname(word: _Word) -> bool:
        return looks_like_surname(word) or any(form in lists.surnames for form in _forms(word.text))

    def is_ordinary(word: _Word) -> bool:
        return word.lower in lists.ordinary

    def namelike(word: _Word) -> bool:
        """Whether the word reads as a name wherever it stands."""
        parts = [word.text, *re.split(r"[-'’]", word.text)]
        if any(form in known for part in parts for form in _forms(part)):
            return word.capitalised or not is_ordinary(word)
        if is_place(word):
            return False
        if is_listed(word):
            if not word.capitalised:
                return not is_ordinary(word)
            # "Hans bil stod..." is his car; "Hans Berg" and "till Hans" are a person.
            return not (word.initial and is_ordinary(word))
        return (word.capitalised or word.shouted) and looks_like_surname(word)

    marked = [namelike(word) for word in words]

    for index, word in enumerate(words[:-1]):
        following = words[index + 1]
        if not following.follows_closely and text[word.end : following.start].strip() not in {",", ":"}:
            continue
        after_a_rank = word.lower in _RANKS and (
            following.capitalised or is_listed(following) or looks_like_surname(following)
        )
        after_an_address_form = (
            word.lower in _ADDRESS_FORMS and following.capitalised and not is_place(following)
        )
        if after_a_rank or after_an_address_form:
            marked[index + 1] = True
        elif word.lower in _NAMING_WORDS:
            ahead = index + 1
            while ahead < len(words) - 1 and words[ahead].lower in _FILLERS:
                ahead += 1
            named = words[ahead]
            if named.lower not in _FILLERS | _FUNCTION_WORDS and not is_place(named):
                marked[ahead] = True
        # Two capitalised words mid-sentence, neither a place: "Firstname Lastname".
        elif (
            word.capitalised
            and following.capitalised
            and following.follows_closely
            and min(len(word.text), len(following.text)) >= 2
            and not word.initial
            and not is_place(word)
            and not is_place(following)
        ):
            marked[index] = marked[index + 1] = True

    # Any other capitalised word inside a sentence is taken for a name, unless it stands where places stand
    # ("i Rinkeby", "lokalpolisområde X") or beside a place: a shop's name lost costs less than a person's kept.
    def stands_where_places_stand(index: int) -> bool:
        if index == 0:
            return False
        previous = words[index - 1]
        return previous.lower in _PLACE_WORDS or (
            (previous.capitalised or previous.shouted) and is_place(previous)
        )

    for index, word in enumerate(words):
        if (
            not marked[index]
            and word.capitalised
            and not word.initial
            and len(word.text) >= 2
            and not is_place(word)
            and not stands_where_places_stand(index)
        ):
            marked[index] = True

    # A capitalised word beside a name, or a lower-case name beside one, belongs to it: "Anna Xyz", "Dusan
    # Andersson", "anna svensson".
    changed = True
    while changed:
        changed = False
        for index in range(len(words) - 1):
            left, right = words[index], words[index + 1]
            if not right.follows_closely or marked[index] == marked[index + 1]:
                continue
            candidate = left if marked[index + 1] else right
            position = index if marked[index + 1] else index + 1
            # A surname that is also a municipality's name stands after a first name: "Ingrid Berg".
            surname_after_a_name = candidate is right and right.capitalised and right.lower in lists.surnames
            if (
                len(candidate.text) < 2
                or (is_place(candidate) and not surname_after_a_name)
                or candidate.lower in _FILLERS | _FUNCTION_WORDS
            ):
                continue
            # The first word of a sentence joins only a surname: "Dusan Petrović var...", not "Ring Anna".
            if candidate is left and left.initial and not is_surname(right):
                continue
            if candidate.capitalised or (is_listed(candidate) and not is_ordinary(candidate)):
                marked[position] = changed = True

    for word, is_name in zip(words, marked, strict=True):
        if is_name:
            yield _initial_before(text, word.start), word.end


def _initial_before(text: str, start: int) -> int:
    """Where a name starts when an initial stands before it: "A. Svensson"."""
    window = max(0, start - 4)
    match = re.search(r"(?<![\w])[A-ZÅÄÖ]\. ?$", text[window:start])
    if match is None or (window + match.start() > 0 and text[window + match.start() - 1].isalnum()):
        return start
    return window + match.start()
