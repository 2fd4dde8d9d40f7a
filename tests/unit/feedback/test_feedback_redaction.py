"""Citizens' feedback redacted for the public database: over realistic Swedish texts, what must go and what
must stay. Every identity number is generated (a fixed seed), every phone number is from the ranges set aside
for fiction, every e-mail address is at example domains."""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest

from services.feedback.domain.redaction import (
    PersonalData,
    generalise_place,
    generalise_time,
    may_be_published,
    redact,
)
from shared.identity import generate_personnummer
from shared.regions import UnknownMunicipality

TODAY = date(2026, 12, 2)
_rng = random.Random(94)

NAME = PersonalData.NAME
PNR = PersonalData.PERSONNUMMER
PHONE = PersonalData.PHONE
EMAIL = PersonalData.EMAIL
ADDRESS = PersonalData.ADDRESS
REG = PersonalData.REGISTRATION
CASE = PersonalData.CASE_NUMBER
ACCOUNT = PersonalData.ACCOUNT

_adult = generate_personnummer(_rng, birth_date=date(1984, 3, 17))
_young = generate_personnummer(_rng, birth_date=date(2003, 8, 9))
_centenarian = generate_personnummer(_rng, birth_date=date(1924, 5, 30))
_visitor = generate_personnummer(_rng, birth_date=date(1991, 11, 2), coordination=True)
_other = generate_personnummer(_rng)

ADULT_10 = _adult.display_on(TODAY)  # YYMMDD-NNNN
ADULT_12 = _adult.digits  # YYYYMMDDNNNN
ADULT_12_DASH = f"{_adult.digits[:8]}-{_adult.digits[8:]}"
YOUNG_BARE = _young.digits[2:]  # YYMMDDNNNN, which a phone number's shape can have too
CENTENARIAN = _centenarian.display_on(TODAY)  # YYMMDD+NNNN
VISITOR = _visitor.display_on(TODAY)  # samordningsnummer, the day + 60
OTHER_SPACED = f"{_other.digits[2:8]} - {_other.digits[8:]}"


@dataclass(frozen=True)
class Feedback:
    """A text, what must be gone from it by kind, how many markers of each kind, and what must stay."""

    id: str
    text: str
    removed: dict[PersonalData, tuple[str, ...]]
    kept: tuple[str, ...] = ()
    known_names: tuple[str, ...] = ()
    markers: dict[PersonalData, int] = field(default_factory=dict)  # when not one per removed string


TEXTS: tuple[Feedback, ...] = (
    Feedback(
        "praise-two-officers",
        "Jag vill tacka polisen Andersson och inspektör Lindqvist i Malmö för hjälpen i tisdags, ni var fantastiska!",
        {NAME: ("Andersson", "Lindqvist")},
        kept=("polisen", "inspektör", "i Malmö", "i tisdags", "fantastiska"),
    ),
    Feedback(
        "praise-full-name-first-in-sentence",
        "Anna Svensson på passexpeditionen i Göteborg var otroligt hjälpsam. Tack!",
        {NAME: ("Anna", "Svensson")},
        kept=("passexpeditionen i Göteborg", "otroligt hjälpsam", "Tack!"),
        markers={NAME: 1},
    ),
    Feedback(
        "complaint-lower-case-heter",
        "hon som heter anna eller nåt i receptionen var jätteotrevlig mot min mamma",
        {NAME: ("anna",)},
        kept=("hon som heter", "eller nåt i receptionen", "min mamma"),
    ),
    Feedback(
        "complaint-konstapel-lower-case",
        "konstapel svensson sa åt mig att sluta filma, det är väl inte olagligt??",
        {NAME: ("svensson",)},
        kept=("konstapel", "sluta filma", "olagligt??"),
    ),
    Feedback(
        "complaint-personnummer-with-dash",
        f"Jag heter Karin, mitt personnummer är {ADULT_10}. Ingen har hört av sig om min anmälan på tre veckor.",
        {NAME: ("Karin",), PNR: (ADULT_10,)},
        kept=("mitt personnummer är", "tre veckor"),
    ),
    Feedback(
        "complaint-twelve-digits",
        f"pnr {ADULT_12} , ring mig på 070-174 06 05 innan kl 17. Jag har väntat sedan i måndags.",
        {PNR: (ADULT_12,), PHONE: ("070-174 06 05",)},
        kept=("kl 17", "i måndags"),
    ),
    Feedback(
        "suggestion-twelve-digits-with-dash",
        f"Förslag: låt oss slippa skriva {ADULT_12_DASH} på varje sida i formuläret.",
        {PNR: (ADULT_12_DASH,)},
        kept=("Förslag", "varje sida i formuläret"),
    ),
    Feedback(
        "complaint-bare-ten-digits",
        f"Min son ({YOUNG_BARE}) blev stoppad utan anledning utanför Centralstationen i Uppsala.",
        {PNR: (YOUNG_BARE,)},
        kept=("Min son", "stoppad utan anledning", "i Uppsala"),
    ),
    Feedback(
        "praise-centenarian",
        f"Min farmor, {CENTENARIAN}, fick skjuts hem av två poliser efter att ha gått vilse i Skövde. Tack!!",
        {PNR: (CENTENARIAN,)},
        kept=("Min farmor", "två poliser", "i Skövde"),
    ),
    Feedback(
        "complaint-samordningsnummer",
        f"Jag har samordningsnummer {VISITOR} och fick inte boka tid för pass i Västerås.",
        {PNR: (VISITOR,)},
        kept=("samordningsnummer", "boka tid för pass i Västerås"),
    ),
    Feedback(
        "complaint-personnummer-with-spaces",
        f"personnummer: {OTHER_SPACED} . ni har skrivit fel namn i beslutet",
        {PNR: (OTHER_SPACED,)},
        kept=("ni har skrivit fel namn i beslutet",),
    ),
    Feedback(
        "phones-every-form",
        "Nå mig på 0701740606, +46 70 174 06 07, 08-465 004 12 (jobbet) eller 031-390 06 55.",
        {PHONE: ("0701740606", "+46 70 174 06 07", "08-465 004 12", "031-390 06 55")},
        kept=("Nå mig på", "(jobbet)", "eller"),
    ),
    Feedback(
        "phone-020-and-police-number",
        "Jag ringde 114 14 och blev hänvisad till 020-91 00 00, som aldrig svarade. Det tog 45 minuter.",
        {PHONE: ("020-91 00 00",)},
        kept=("114 14", "45 minuter", "aldrig svarade"),
    ),
    Feedback(
        "email-and-signature",
        "Tack för ett bra bemötande på stationen i Luleå!\nMvh Dusan Petrović\ndusan.petrovic@example.com",
        {NAME: ("Dusan", "Petrović"), EMAIL: ("dusan.petrovic@example.com",)},
        kept=("bra bemötande på stationen i Luleå", "Mvh"),
        markers={NAME: 1},
    ),
    Feedback(
        "email-written-out",
        "svara gärna till kalle.k (at) example.se istället för brev",
        {EMAIL: ("kalle.k (at) example.se",)},
        kept=("svara gärna till", "istället för brev"),
    ),
    Feedback(
        "address-storgatan-with-floor",
        "Inbrottet var hos oss på Storgatan 5B, 3 tr i Sundsvall och polisen kom först efter två dygn.",
        {ADDRESS: ("Storgatan 5B", "3 tr")},
        kept=("i Sundsvall", "polisen kom först efter två dygn"),
        markers={ADDRESS: 1},
    ),
    Feedback(
        "address-with-postal-code",
        "Skicka svaret till Lundavägen 12, 212 24 Malmö, inte till min gamla adress.",
        {ADDRESS: ("Lundavägen 12", "212 24")},
        kept=("Skicka svaret till", "Malmö", "min gamla adress"),
        markers={ADDRESS: 2},
    ),
    Feedback(
        "address-lower-case",
        "nån klottrade på vår port på kvarnbacken 4 i natt, det händer varje vecka",
        {ADDRESS: ("kvarnbacken 4",)},
        kept=("klottrade på vår port", "i natt", "varje vecka"),
    ),
    Feedback(
        "address-genitive-street",
        "Det står en övergiven bil på Drottning Kristinas väg 5 sedan en månad tillbaka.",
        {ADDRESS: ("Drottning Kristinas väg 5",)},
        kept=("övergiven bil", "sedan en månad tillbaka"),
    ),
    Feedback(
        "address-apartment-number",
        "Grannen på Sankt Eriksgatan 45 lgh 1102 spelar hög musik varje natt och ni gör ingenting",
        {ADDRESS: ("Sankt Eriksgatan 45 lgh 1102",)},
        kept=("Grannen på", "spelar hög musik", "ni gör ingenting"),
    ),
    Feedback(
        "address-square-without-number",
        "Ni borde ha fler poliser vid Stortorget på helgerna, särskilt efter stängning.",
        {ADDRESS: ("Stortorget",)},
        kept=("fler poliser vid", "på helgerna", "efter stängning"),
    ),
    Feedback(
        "address-several-forms",
        "Jag bodde på Björkstigen 7 men har flyttat till Lindallén 3 A, 413 01 Göteborg.",
        {ADDRESS: ("Björkstigen 7", "Lindallén 3 A", "413 01")},
        kept=("Jag bodde på", "har flyttat till", "Göteborg"),
        markers={ADDRESS: 3},
    ),
    Feedback(
        "registration-classic",
        "En bil med regnr ABC 123 körde mot rött vid Ringvägen och polisen brydde sig inte.",
        {REG: ("ABC 123",), ADDRESS: ("Ringvägen",)},
        kept=("körde mot rött", "polisen brydde sig inte"),
    ),
    Feedback(
        "registration-new-form-lower-case",
        "min bil xyz12d blev bortforslad utan att nån sa nåt, jag vill ha tillbaka pengarna (1 200 kr)",
        {REG: ("xyz12d",)},
        kept=("blev bortforslad", "1 200 kr"),
    ),
    Feedback(
        "registration-upper-case-mid-sentence",
        "Mopeden med skylten MLB 45K har kört på trottoaren i Eskilstuna i flera veckor.",
        {REG: ("MLB 45K",)},
        kept=("på trottoaren i Eskilstuna", "flera veckor"),
    ),
    Feedback(
        "case-k-number",
        "Min anmälan K123456-26 om cykelstölden har inte fått någon utredare, vad händer?",
        {CASE: ("K123456-26",)},
        kept=("om cykelstölden", "någon utredare"),
    ),
    Feedback(
        "case-k-number-lower-case-and-legacy",
        "ärende k 98765-25 och det gamla 2200-K1276-14 hänger ihop, men ingen lyssnar",
        {CASE: ("k 98765-25", "2200-K1276-14")},
        kept=("hänger ihop", "ingen lyssnar"),
    ),
    Feedback(
        "case-diarienummer",
        "Jag fick beslut i A579.501/2026 efter fem månader. Det är för långsamt för ett vapenlicens.",
        {CASE: ("A579.501/2026",)},
        kept=("efter fem månader", "för långsamt"),
    ),
    Feedback(
        "case-named-number",
        "Ärendenummer: 4711-2026. Handläggaren Fredriksson svarade aldrig på mina mejl.",
        {CASE: ("4711-2026",), NAME: ("Fredriksson",)},
        kept=("Ärendenummer", "Handläggaren", "svarade aldrig"),
    ),
    Feedback(
        "account-iban-and-clearing",
        "Betala tillbaka avgiften till SE45 5000 0000 0583 9825 7466 eller kontonummer 8327-9, 914 555 667-3",
        {ACCOUNT: ("SE45 5000 0000 0583 9825 7466", "8327-9, 914 555 667-3")},
        kept=("Betala tillbaka avgiften till", "eller"),
    ),
    Feedback(
        "account-card-numbers",
        "Mitt kort 4111 1111 1111 1111 och min frus kort 378282246310005 skimmades på en bensinmack i Kalmar.",
        {ACCOUNT: ("4111 1111 1111 1111", "378282246310005")},
        kept=("skimmades på en bensinmack i Kalmar", "min frus kort"),
    ),
    Feedback(
        "known-names-sender-and-employee",
        "Jag, Zlatko Berisha, klagar på hur Berisha-familjen behandlades av poliskvinnan Mirela i Borås.",
        {NAME: ("Zlatko", "Berisha", "Mirela")},
        kept=("klagar på hur", "behandlades av poliskvinnan", "i Borås"),
        known_names=("Zlatko Berisha", "Mirela Hadžić"),
    ),
    Feedback(
        "known-name-lower-case",
        "zlatko här igen. ingen har ringt tillbaka.",
        {NAME: ("zlatko",)},
        kept=("här igen", "ingen har ringt tillbaka"),
        known_names=("Zlatko Berisha",),
    ),
    Feedback(
        "genitive-name",
        "Anderssons bemötande var det bästa jag varit med om hos polisen i Jönköping.",
        {NAME: ("Anderssons",)},
        kept=("bemötande", "hos polisen i Jönköping"),
    ),
    Feedback(
        "unknown-pair-mid-sentence",
        "Vi pratade med Goran Zivkovic på plats och han lugnade ner alla, stort tack till honom.",
        {NAME: ("Goran", "Zivkovic")},
        kept=("Vi pratade med", "på plats", "stort tack till honom"),
        markers={NAME: 1},
    ),
    Feedback(
        "initial-and-surname",
        "Polisinspektör E. Holmberg hade inte läst min anmälan innan förhöret.",
        {NAME: ("E. Holmberg",)},
        kept=("Polisinspektör", "min anmälan innan förhöret"),
    ),
    Feedback(
        "names-that-are-words",
        "Hans bil stod kvar hela natten, men när Per kom dit sa han att det inte var hans sak.",
        {NAME: ("Per",)},
        kept=("Hans bil stod kvar", "hans sak", "när", "sa han"),
    ),
    Feedback(
        "police-units-stay",
        "Lokalpolisområde Rosengård och polisen i Malmö gör ett bra jobb, Region Syd borde ge dem mer resurser.",
        {},
        kept=("Lokalpolisområde Rosengård", "polisen i Malmö", "Region Syd", "mer resurser"),
    ),
    Feedback(
        "municipalities-stay",
        "Jag har bott i Malmö, Upplands Väsby och Östersund, och aldrig blivit så bra bemött som i Mora.",
        {},
        kept=("Malmö", "Upplands Väsby", "Östersund", "Mora"),
    ),
    Feedback(
        "ordinary-words-and-dates-stay",
        "I tisdags kl. 14.30 stod vi på motorvägen vid E6:an i 40 minuter. Vägen var avstängd och ingen informerade.",
        {},
        kept=("I tisdags kl. 14.30", "på motorvägen", "E6:an", "40 minuter", "Vägen var avstängd"),
    ),
    Feedback(
        "typos-and-mixed-case",
        "Polisman Eriksen va jätte bra!!! han hjälpte mej me min väska på centralen i örebro, ring 0701740688",
        {NAME: ("Eriksen",), PHONE: ("0701740688",)},
        kept=("jätte bra!!!", "min väska på centralen i örebro"),
    ),
    Feedback(
        "relatives-by-name",
        "Min dotter Ebba och hennes kompis Lejla blev trakasserade på bussen i Helsingborg.",
        {NAME: ("Ebba", "Lejla")},
        kept=("Min dotter", "hennes kompis", "på bussen i Helsingborg"),
    ),
    Feedback(
        "everything-at-once",
        (
            f"Hej! Jag heter Maria Johansson ({ADULT_10}), bor på Ringvägen 102, 118 60 Stockholm, "
            "tel 070-174 06 99, maria.j@example.com. Min bil DLK 12A skadades och ärende K55501-26 "
            "handläggs av utredare Nyström. Ersättning till SE45 5000 0000 0583 9825 7466 tack."
        ),
        {
            NAME: ("Maria", "Johansson", "Nyström"),
            PNR: (ADULT_10,),
            ADDRESS: ("Ringvägen 102", "118 60"),
            PHONE: ("070-174 06 99",),
            EMAIL: ("maria.j@example.com",),
            REG: ("DLK 12A",),
            CASE: ("K55501-26",),
            ACCOUNT: ("SE45 5000 0000 0583 9825 7466",),
        },
        kept=("Hej!", "Stockholm", "skadades", "handläggs av utredare", "Ersättning till"),
        markers={NAME: 2, ADDRESS: 2},
    ),
    Feedback(
        "suggestion-without-personal-data",
        "Förslag: öppna passexpeditionen i Kiruna även på lördagar, många jobbar i gruvan på vardagarna.",
        {},
        kept=("Förslag: öppna passexpeditionen i Kiruna även på lördagar", "i gruvan på vardagarna"),
    ),
    Feedback(
        "complaint-hette-with-filler",
        "han som hette typ Micke på stationen i Lund skrattade åt mig när jag anmälde",
        {NAME: ("Micke",)},
        kept=("han som hette typ", "på stationen i Lund", "skrattade åt mig"),
    ),
    Feedback(
        "models-and-roads-stay",
        "En Volvo V70 och en BMW X5 körde om på E4 vid Ljungby i 180, regnr KLM 987 på Volvon.",
        {REG: ("KLM 987",)},
        kept=("En Volvo V70 och en BMW X5", "på E4 vid Ljungby i 180", "på Volvon"),
    ),
    Feedback(
        "address-ordinal-street-and-newline-signature",
        "Cykeln stals utanför Fjärde Långgatan 12 i Göteborg.\nHälsningar\nAnna-Karin Öberg",
        {ADDRESS: ("Fjärde Långgatan 12",), NAME: ("Anna-Karin", "Öberg")},
        kept=("Cykeln stals utanför", "i Göteborg", "Hälsningar"),
        markers={NAME: 1},
    ),
    Feedback(
        "account-bankgiro-and-email",
        "Vår förening har bankgiro 5050-1055 och nås på info@example.org om polisen i Ludvika vill samarbeta.",
        {ACCOUNT: ("5050-1055",), EMAIL: ("info@example.org",)},
        kept=("Vår förening har", "om polisen i Ludvika vill samarbeta"),
    ),
    Feedback(
        "account-contiguous-card-and-upper-case-email",
        "Mitt kort 5555555555554444 spärrades först efter två dagar. MEJLA SVARET TILL LISA.B@EXAMPLE.COM",
        {ACCOUNT: ("5555555555554444",), EMAIL: ("LISA.B@EXAMPLE.COM",)},
        kept=("spärrades först efter två dagar", "MEJLA SVARET TILL"),
    ),
    Feedback(
        "unknown-single-names-mid-sentence",
        "Vi fick hjälp av Branko och Jelena när vi blev rånade, och Jouni på stationen ringde oss dagen efter.",
        {NAME: ("Branko", "Jelena", "Jouni")},
        kept=("Vi fick hjälp av", "när vi blev rånade", "på stationen ringde oss dagen efter"),
    ),
    Feedback(
        "districts-and-shops-stay",
        "Efter skottlossningen i Rinkeby kom polisen från Husby direkt, och personalen på ICA Kvantum i Märsta var lugn.",
        {},
        kept=("i Rinkeby", "från Husby", "på ICA Kvantum i Märsta"),
    ),
    Feedback(
        "police-area-named-without-preposition",
        "Polisen Rosengård svarade aldrig på mitt mejl, men lokalpolisområdet Södermalm gjorde det.",
        {},
        kept=("Polisen Rosengård", "lokalpolisområdet Södermalm"),
    ),
    Feedback(
        "address-post-box-and-flat",
        "Skicka beslutet till Box 1234, 111 22 Stockholm, inte hem till lgh 1203 där jag inte bor längre.",
        {ADDRESS: ("Box 1234", "111 22", "lgh 1203")},
        kept=("Skicka beslutet till", "Stockholm", "där jag inte bor längre"),
        markers={ADDRESS: 3},
    ),
    Feedback(
        "case-reference-with-spaces",
        "Jag betalade avgiften med referens 7534 2211 4 men ansökan står fortfarande som obetald.",
        {CASE: ("7534 2211 4",)},
        kept=("Jag betalade avgiften med referens", "står fortfarande som obetald"),
    ),
    Feedback(
        "numbers-that-stay",
        "Det hände 2026-11-28 kl 23.45: böter på 2 500 kr, 110 km/h på väg 40, felkod 8004 i appen och 15 personer i kö.",
        {},
        kept=("2026-11-28 kl 23.45", "2 500 kr", "110 km/h på väg 40", "felkod 8004", "15 personer"),
    ),
    Feedback(
        "authorities-and-compounds-stay",
        "Jag har klagat till JO och Kronofogden, Securitas-vakten såg allt och Polismannen skrev inget i Malmö-polisens rapport.",
        {},
        kept=(
            "till JO och Kronofogden",
            "Securitas-vakten såg allt",
            "Polismannen skrev inget",
            "Malmö-polisens",
        ),
    ),
    Feedback(
        "surnames-that-are-municipalities",
        "Jag, Ingrid Berg, bor numera i Berg och fick hjälp av polisen i Lund genom Anna Lund. Ring 072 - 174 06 77.",
        {NAME: ("Ingrid Berg", "Anna Lund"), PHONE: ("072 - 174 06 77",)},
        kept=("bor numera i Berg", "polisen i Lund"),
    ),
    Feedback(
        "praise-greeting-by-first-name",
        "Tack Sofia och Mohammed för att ni tog er tid med min pappa när han var förvirrad i Västervik.",
        {NAME: ("Sofia", "Mohammed")},
        kept=("Tack", "för att ni tog er tid", "min pappa", "i Västervik"),
    ),
)


@pytest.mark.parametrize("feedback", TEXTS, ids=lambda f: f.id)
def test_what_identifies_a_person_is_removed_and_the_rest_stays(feedback: Feedback) -> None:
    redacted = redact(feedback.text, known_names=feedback.known_names)

    for kind, spans in feedback.removed.items():
        for span in spans:
            assert span not in redacted.text, f"{kind.value} {span!r} left in: {redacted.text}"
        expected = feedback.markers.get(kind, len(spans))
        assert redacted.text.count(kind.marker) == expected, redacted.text
        assert redacted.found[kind] == expected
    for kind in set(PersonalData) - set(feedback.removed):
        assert kind.marker not in redacted.text, f"nothing is a {kind.value} here: {redacted.text}"
    for words in feedback.kept:
        assert words in redacted.text, f"{words!r} was removed: {redacted.text}"


def test_a_removed_span_is_replaced_by_its_marker_in_place() -> None:
    redacted = redact(f"Ring Anna Svensson på 070-174 06 05 om {ADULT_10}.")

    assert redacted.text == "Ring [namn] på [telefonnummer] om [personnummer]."
    assert redacted.found == Counter({"namn": 1, "telefonnummer": 1, "personnummer": 1})


def test_a_text_without_personal_data_comes_back_unchanged() -> None:
    text = "Bra bemötande av polisen i Malmö i tisdags, tack!"

    assert redact(text) == redact(text)
    assert redact(text).text == text
    assert not redact(text).found


@pytest.mark.parametrize(
    "text",
    ["a" * 20_000, "1" * 20_000, "a@" * 10_000, "Aa " * 7_000],
    ids=["letters", "digits", "ats", "words"],
)
def test_a_long_text_takes_no_longer_than_its_length_warrants(text: str) -> None:
    # Each of these once took over ten seconds: a pattern tried from every position, a scan per span.
    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 5


def coverage_by_kind() -> dict[PersonalData, int]:
    """How many of the test texts exercise each kind of personal data."""
    return {kind: sum(1 for feedback in TEXTS if kind in feedback.removed) for kind in PersonalData}


@pytest.mark.parametrize(
    ("kind", "texts"),
    coverage_by_kind().items(),
    ids=[f"{k.value}-{n}-texts" for k, n in coverage_by_kind().items()],
)
def test_every_kind_of_personal_data_is_exercised_by_several_texts(kind: PersonalData, texts: int) -> None:
    assert texts >= 3, f"only {texts} texts exercise {kind.value}"


def test_the_texts_are_many_and_some_keep_everything() -> None:
    assert len(TEXTS) >= 40
    assert sum(1 for feedback in TEXTS if not feedback.removed) >= 3


def test_the_place_is_given_as_its_municipality() -> None:
    assert generalise_place("1280") == "Malmö"
    assert generalise_place("0114") == "Upplands Väsby"
    with pytest.raises(UnknownMunicipality):
        generalise_place("9999")


def test_the_time_is_given_as_its_month_in_stockholm() -> None:
    assert generalise_time(datetime(2026, 11, 28, 14, 30, tzinfo=UTC)) == "2026-11"
    # 23:30 UTC on the last of the month is already the first of the next in Stockholm.
    assert generalise_time(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == "2026-12"
    assert generalise_time(date(2026, 3, 9)) == "2026-03"
    with pytest.raises(ValueError, match="time zone"):
        generalise_time(datetime(2026, 11, 28, 14, 30))  # a naive moment: no month to give


def test_a_complaint_about_an_employee_is_never_published() -> None:
    assert may_be_published(consented=True, about_an_employee=False)
    assert not may_be_published(consented=True, about_an_employee=True)
    assert not may_be_published(consented=False, about_an_employee=False)
