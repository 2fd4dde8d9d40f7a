"""Demo feedback: a realistic mix over the last six months, the same every time, for the local cloud's staff
views (the learning endpoint and chart have themes to show at once) and the benches.

Generated from a fixed seed. Senders are synthetic: generated personnummer with valid check digits, never a
real person's on purpose, with e-ID subjects of their own (no test token logs in as them).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.feedback.domain.model import AnswerBy, AnswerWish, Category, Concerns, FeedbackDraft, Kind, Unit
from shared.identity import generate_personnummer

DEMO_SEED = 20261202
_DEMO_SUBJECTS = uuid.UUID("5c1d7e2a-9b3f-4e61-8a20-7f4b2c9d1e55")
DEMO_COUNT = 240

_PLACES = ("0180", "1280", "1480", "0380", "2480", "0580", "1880", "1380", "0980", "2180")
_UNITS = ("Passexpeditionen", "Lokalpolisområde City", "Kontaktcenter 114 14", "Trafikpolisen", "Hittegods")
# What people write about, by category: (kind, text).
_TEXTS: dict[Category, tuple[tuple[Kind, str], ...]] = {
    Category.WAITING_TIME: (
        (Kind.SERVICE_COMPLAINT, "Jag fick vänta över en timme på passexpeditionen trots bokad tid."),
        (Kind.SUGGESTION, "Skicka gärna ett sms när det är min tur i kön på passexpeditionen."),
    ),
    Category.TREATMENT: (
        (Kind.PRAISE, "Polisen som tog emot min anmälan var lugn, vänlig och förklarade allt."),
        (Kind.EMPLOYEE_COMPLAINT, "Polisen vid kontrollen var otrevlig och lyssnade inte på mig."),
    ),
    Category.ACCESSIBILITY: (
        (Kind.SERVICE_COMPLAINT, "Det var omöjligt att komma fram på 114 14 under lunchtid."),
        (Kind.SUGGESTION, "Entrén till polishuset borde ha en ramp för rullstol."),
    ),
    Category.INFORMATION: (
        (Kind.SUGGESTION, "Skriv tydligare på webben vilka handlingar som behövs för ett barns pass."),
        (Kind.PRAISE, "Bra information om hur man spärrar ett borttappat id-kort."),
    ),
    Category.CASE_HANDLING: (
        (Kind.SERVICE_COMPLAINT, "Jag har inte fått något besked om min anmälan på tre månader."),
        (Kind.PRAISE, "Snabbt besked om min cykelstöld, tack."),
    ),
    Category.DIGITAL_SERVICES: (
        (Kind.SUGGESTION, "E-tjänsten borde spara det jag skrivit om jag blir utloggad."),
        (Kind.SERVICE_COMPLAINT, "Bokningssidan fungerade inte i min mobil."),
    ),
    Category.INTERVENTION: ((Kind.PRAISE, "Tack till patrullen som hjälpte min pappa när han gått vilse."),),
}


@dataclass(frozen=True)
class DemoFeedback:
    owner_ref: str
    personnummer: str
    draft: FeedbackDraft
    received_at: datetime
    # Days until the manager answered, or None for an item still open.
    answered_after_days: float | None


def demo_feedback(now: datetime, count: int = DEMO_COUNT) -> list[DemoFeedback]:
    rng = random.Random(DEMO_SEED)  # noqa: S311 - reproducible demo data, not a secret
    found: list[DemoFeedback] = []
    categories = list(_TEXTS)
    for n in range(count):
        category = rng.choice(categories)
        kind, text = rng.choice(_TEXTS[category])
        wants = rng.random() < 0.7
        received = now - timedelta(days=rng.uniform(1, 180), hours=rng.uniform(0, 12))
        answered = rng.choice((None, rng.uniform(1, 10), rng.uniform(1, 20))) if wants else None
        draft = FeedbackDraft(
            kind=kind,
            category=category,
            concerns=Concerns(municipality_code=rng.choice(_PLACES), unit=Unit(name=rng.choice(_UNITS))),
            text=text,
            answer=AnswerWish(by=AnswerBy.DIGITAL_MAIL) if wants else None,
            publish_consent=kind is not Kind.EMPLOYEE_COMPLAINT and rng.random() < 0.5,
        )
        found.append(
            DemoFeedback(
                owner_ref=str(uuid.uuid5(_DEMO_SUBJECTS, str(n))),
                personnummer=str(generate_personnummer(rng)),
                draft=draft,
                received_at=received,
                answered_after_days=answered
                if answered is not None and received + timedelta(days=answered) < now
                else None,
            )
        )
    return found
