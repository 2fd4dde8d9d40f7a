"""Who to log in as on the local cloud: the seeded test people, documents, companies, licences, staff and
municipalities, with what each is good for. ``GET /_local/people`` answers :func:`directory`; the ``make run`` banner prints
:func:`banner_lines`.

Everything here is read from the seed data the registers are loaded with (``shared/synthetic_people.py``,
the bookings service's ``seed_data.py`` and receptions, the permits service's seeded licences), so the list
cannot name someone the registers do not know. Every number is generated with a valid check digit, never a real person's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from infra.catalog import MANIFESTS
from services.bookings import reference_data, seed_data
from services.bookings.domain.ports import IssuedDocument
from services.permits.domain.model import Licence
from services.permits.seed import seeded_licences
from shared import synthetic_people
from shared.http.auth import NATIONAL
from shared.manifest import ServiceManifest
from shared.regions import Region

# What each seeded document is for, by its name in seed_data. A document seeded without a purpose here is
# refused at start-up (see document_purposes), so the list never silently leaves one out.
DOCUMENT_PURPOSES: dict[str, str] = {
    "VALID_PASSPORT": "the validity check answers Giltig",
    "VALID_ID_CARD": "the validity check answers Giltig (an ID card)",
    "EXPIRED_PASSPORT": "the validity check answers Inget resultat: an expired document is neither valid nor blocked",
    "BLOCKED_ID_CARD": "the validity check answers Spärrat",
    "PASSPORT_TO_REPORT_LOST": "report it lost as its holder: the register blocks it (an end-to-end test does)",
    "PASSPORT_TO_BLOCK_ON_THE_BUS": "blocked through the bus by an end-to-end test",
    "PASSPORT_OF_SOMEONE_ELSE": "name it in your own report: the register refuses, it is not yours",
    "CHILD_PASSPORT": "a child's passport; its guardian may report it lost",
    "CHILD_PASSPORT_TO_REPORT_STOLEN": "a child's passport its guardian reports stolen (an end-to-end test does)",
    "PASSPORT_OF_A_STRANGER": "named in a report filed on behalf of its holder: it stays valid",
}

# What the public validity check answers for a document in each state (it reveals nothing more).
VALIDITY_ANSWERS = {"valid": "Giltig", "blocked": "Spärrat", "expired": "Inget resultat"}

# What each staff role the services name lets its holder do; a role no route names is not listed.
ROLE_PURPOSES: dict[str, str] = {
    "caseHandler": "assign, change the status of, decide and note a report of the region (reports' staff routes)",
    "reception": (
        "a police reception: register and hand over found items (reports) and see the day's appointments and "
        "mark attendance at a reception of the region (bookings)"
    ),
    "weapons": (
        "weapons permit cases of the one national queue, whatever your region: read the queue `weapons`, take, "
        "ask for more and decide (permits' staff routes)"
    ),
    "permits": (
        "public-place permit cases of the region: read the region's queue (/permits/v1/staff/queues/<region>), "
        "take, ask for more and decide (permits' staff routes)"
    ),
}
# The region of each staff example: a reception's for reception staff, Stockholm's for public-place cases
# (the municipality example answers for Stockholm), any other for the rest.
PERMITS_REGION = Region.STOCKHOLM

# What each of the permits service's test people is for, by its name in shared.synthetic_people.
PERMIT_PEOPLE_PURPOSES: dict[str, str] = {
    "WEAPON_HOLDERS[0]": (
        "a hunter with a normal set of four weapons: a fifth hunting weapon is flagged (huntingSet); a "
        "duplicate of one of the licences is decided at once by rule"
    ),
    "WEAPON_HOLDERS[1]": (
        "a target shooter: renew the time-limited pistol licence (decided at once by rule; it ends within the "
        "reminder period), and a purchase permit that runs out soon"
    ),
    "SUITABILITY_FLAGGED": "the suitability check flags every weapons application: it goes to a case handler",
    "SUITABILITY_UNAVAILABLE": (
        "the suitability register does not answer: the preparation is tried again, then dead-lettered"
    ),
    "YOUNG_ADULT": "19 years old: old enough for a licence, flagged for a fully automatic weapon (20)",
}
# How a municipality signs in to answer the referrals of its municipality: an agency client of one scope.
MUNICIPALITY_CODE = "0180"
MUNICIPALITY_TOKEN: dict[str, Any] = {
    "clientId": "stockholms-stad",
    "scopes": [f"permits/referrals:{MUNICIPALITY_CODE}"],
}


def _personnummer(digits: str) -> str:
    """The form ``POST /_local/token`` takes and a person reads: YYYYMMDD-NNNC."""
    return f"{digits[:8]}-{digits[8:]}"


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def document_purposes() -> list[tuple[IssuedDocument, str]]:
    """Every seeded document with its purpose; raises if one has none, or a purpose names no document."""
    named = {name: getattr(seed_data, name, None) for name in DOCUMENT_PURPOSES}
    missing = [name for name, document in named.items() if not isinstance(document, IssuedDocument)]
    if missing:
        raise LookupError(f"seed_data has no document {', '.join(missing)}: update DOCUMENT_PURPOSES")
    by_number = {document.number: name for name, document in named.items() if document is not None}
    unnamed = [d.number for d in seed_data.DOCUMENTS if d.number not in by_number]
    if unnamed:
        raise LookupError(f"seeded documents without a purpose in DOCUMENT_PURPOSES: {', '.join(unnamed)}")
    return [(document, DOCUMENT_PURPOSES[by_number[document.number]]) for document in seed_data.DOCUMENTS]


def staff_roles(manifests: Iterable[ServiceManifest] = MANIFESTS) -> list[str]:
    """Every role a route of a service requires, in the order the manifests name them."""
    roles: dict[str, None] = {}
    for manifest in manifests:
        for route in manifest.routes:
            for role in route.roles:
                roles.setdefault(role)
    return list(roles)


def staff_examples(manifests: Iterable[ServiceManifest] = MANIFESTS) -> list[dict[str, Any]]:
    """A token request per role the services know, and one without a role (reads only)."""
    receptions = reference_data.receptions()
    reception = receptions[0]
    examples: list[dict[str, Any]] = []
    for index, role in enumerate(staff_roles(manifests), start=1):
        region = {"reception": reception.region.value, "permits": PERMITS_REGION.value}.get(
            role, Region.VAST.value
        )
        examples.append(
            {
                "token": {"staffId": f"P1000{index}", "roles": [role], "region": region},
                "goodFor": ROLE_PURPOSES.get(role, f"the routes that need the role {role}"),
            }
        )
    examples.append(
        {
            "token": {"staffId": "P10000", "roles": [], "region": NATIONAL},
            "goodFor": "reading any region's queue (name it: ?region=Väst) and reports, changing nothing",
        }
    )
    return examples


def named_permits_people() -> list[tuple[str, str]]:
    """Every permits test person of shared.synthetic_people (name, personnummer); raises if one has no purpose."""
    named = [
        *((f"WEAPON_HOLDERS[{i}]", number) for i, number in enumerate(synthetic_people.WEAPON_HOLDERS)),
        *(
            (name, getattr(synthetic_people, name))
            for name in ("SUITABILITY_FLAGGED", "SUITABILITY_UNAVAILABLE", "YOUNG_ADULT")
        ),
    ]
    missing = [name for name, _ in named if name not in PERMIT_PEOPLE_PURPOSES]
    if missing:
        raise LookupError(f"permits test people without a purpose: {', '.join(missing)}")
    return named


def _licence_entry(licence: Licence) -> dict[str, Any]:
    weapon = licence.weapon
    return {
        "licenceNumber": licence.licence_number,
        "kind": licence.kind.value,
        "weapon": f"{weapon.type.value} {weapon.make} {weapon.model} {weapon.calibre}",
        "purpose": licence.purpose.value,
        "validUntil": licence.valid_until.isoformat() if licence.valid_until else None,
    }


def permits_people(today: date) -> list[dict[str, Any]]:
    """The permits service's test people, each with the licences the register is seeded with for them."""
    held: dict[str, list[Licence]] = {}
    for licence in seeded_licences(today):
        held.setdefault(licence.holder_personnummer, []).append(licence)
    return [
        {
            "name": name,
            "personnummer": _personnummer(number),
            "licences": [_licence_entry(licence) for licence in held.get(number, [])],
            "goodFor": PERMIT_PEOPLE_PURPOSES[name],
        }
        for name, number in named_permits_people()
    ]


def municipality_examples() -> list[dict[str, Any]]:
    """A token request per municipality example, for ``POST /_local/token``."""
    return [
        {
            "token": MUNICIPALITY_TOKEN,
            "goodFor": (
                f"a municipality ({MUNICIPALITY_CODE}): list and answer its referrals of public-place "
                "applications (/permits/v1/referrals); another municipality's are not found"
            ),
        }
    ]


def directory(today: date | None = None) -> dict[str, Any]:
    """Everything ``GET /_local/people`` lists."""
    today = today or date.today()
    born = {p.personnummer: p.birth_date for p in synthetic_people.PEOPLE}
    families = [
        {
            "guardians": [_personnummer(g) for g in family.guardians],
            "children": [
                {"personnummer": _personnummer(c), "age": _age(born[c], today)} for c in family.children
            ],
            "goodFor": (
                "log in as a guardian: file a report for a child (confirmed in the population register), "
                "book a passport appointment for a child, block a child's passport"
            ),
        }
        for family in synthetic_people.FAMILIES
    ]
    holders_documents: dict[str, list[str]] = {}
    documents = []
    for document, purpose in document_purposes():
        holders_documents.setdefault(document.holder_personnummer, []).append(document.number)
        state = "blocked" if document.blocked else "expired" if document.expiry_date < today else "valid"
        documents.append(
            {
                "documentType": document.type.value,
                "documentNumber": document.number,
                "holder": _personnummer(document.holder_personnummer),
                "expiryDate": document.expiry_date.isoformat(),
                "state": state,
                "validityCheckAnswers": VALIDITY_ANSWERS[state],
                "goodFor": purpose,
            }
        )
    holders = [
        {
            "personnummer": _personnummer(holder),
            "documents": holders_documents.get(holder, []),
            "goodFor": "an adult without children: book for yourself, report your own documents lost",
        }
        for holder in seed_data.HOLDERS
    ]
    companies = [
        {
            "organisationsnummer": f"{company.organisationsnummer[:6]}-{company.organisationsnummer[6:]}",
            "name": company.name,
            "representatives": [_personnummer(r) for r in company.representatives],
            "goodFor": "log in as a representative and file a shop theft for the company",
        }
        for company in synthetic_people.COMPANIES
    ]
    receptions = [
        {"receptionId": r.id, "name": r.name, "region": r.region.value} for r in reference_data.receptions()
    ]
    return {
        "about": (
            "Generated test identities with valid check digits, never a real person's; the same in every run. "
            "Documents are listed as seeded: a test or you may have blocked one since. "
            'Get a token with POST /_local/token: {"personnummer": ...} for a citizen, the staff entries\' '
            "token bodies for staff, the municipalities' for a municipality (an agency client)."
        ),
        "families": families,
        "documentHolders": holders,
        "documents": documents,
        "companies": companies,
        "permits": permits_people(today),
        "staff": staff_examples(),
        "municipalities": municipality_examples(),
        "receptions": receptions,
    }


def banner_lines(today: date | None = None) -> list[str]:
    """A few of each kind, for the ``make run`` banner; the rest are at ``/_local/people``."""
    listing = directory(today)
    family = listing["families"][0]
    company = listing["companies"][0]
    by_state: dict[str, dict[str, Any]] = {}
    for document in listing["documents"]:
        by_state.setdefault(document["state"], document)
    lines = [
        f"guardian {family['guardians'][0]} of {family['children'][0]['personnummer']} "
        f"(age {family['children'][0]['age']})",
        f"representative {company['representatives'][0]} of {company['name']} ({company['organisationsnummer']})",
    ]
    for state in ("valid", "expired", "blocked"):
        if state in by_state:
            document = by_state[state]
            lines.append(
                f"{state} {document['documentType']} {document['documentNumber']} of {document['holder']}"
            )
    for person in listing["permits"]:
        licences = ", ".join(licence["licenceNumber"] for licence in person["licences"])
        lines.append(
            f"{person['name']} {person['personnummer']}" + (f" (licences {licences})" if licences else "")
        )
    return lines
