"""Every text of the bookings service a citizen reads, in Swedish and English (see ADR 80).

Refusals only reception staff read stay English in the code: see ADR 82.
"""

from __future__ import annotations

from shared.i18n import Catalog

TEXTS = Catalog(
    "bookings",
    {
        "sv": {
            "full": "Tiden är fullbokad. Välj en annan tid.",
            "limit": "Du har redan {limit} aktiva bokningar, det högsta antal en e-legitimation får ha. Avboka en "
            "för att boka en ny.",
            "number_taken": "Bokningsnumret är upptaget",
            "not_guardian": "Folkbokföringen anger inte dig som vårdnadshavare för den sökande. En "
            "vårdnadshavare får boka för sitt barn under 18; alla andra bokar för sig själva.",
            "not_guardian_reason": "du är inte registrerad som vårdnadshavare",
            "already_booked_case": "Ärende {caseNumber} har redan ett bokat möte",
            "already_booked_document": "Den sökande har redan en aktiv bokning för {service}",
            "service.passport": "pass",
            "service.idCard": "id-kort",
            "changed": "Bokningen ändrades under tiden. Läs den igen.",
            "changed_retry": "Bokning {bookingNumber} ändrades under tiden. Läs den igen och försök på nytt.",
            "yours_changed": "Dina bokningar ändrades under tiden. Försök igen.",
            "busy": "Många bokar samma tid just nu. Försök igen om en stund.",
            "no_reception_id": "ingen mottagning har id {receptionId}",
            "no_reception": "Det finns ingen mottagning {receptionId}",
            "in_the_future": "måste ligga i framtiden",
            "to_before_from": "får inte ligga före from",
            "range_too_long": "måste vara mindre än {days} dagar efter from",
            "no_case_of_yours": "Inget ärende {caseNumber} av dig hittades",
            "no_appointment_of_yours": "Ingen bokning {bookingNumber} av dig hittades",
            "no_appointment_by_mail": "Ingen bokning har detta bokningsnummer och denna e-postadress",
            "not_movable": "Bokningen är {status} och kan inte längre flyttas",
            "not_cancellable": "Bokningen är {status} och kan inte längre avbokas",
            "same_time": "är bokningens nuvarande tid",
            "status.booked": "bokad",
            "status.cancelled": "avbokad",
            "status.attended": "genomförd",
            "status.missed": "missad",
            "kind.documents": "pass och id-kort",
            "kind.caseMeeting": "möten om ett ärende",
            "offers_none": "{reception} har inga tider för {kind}",
            "closed_on": "{reception} är stängd {day} ({why})",
            "not_a_slot": "är inte början på en tid om {minutes} minuter inom öppettiderna {hours} (svensk tid)",
            "booking_number": "ett bokningsnummer har 8 tecken (A–Z och 2–9, utan O och I)",
            "services_once": "ange varje tjänst en gång",
            "case_number": "är varken ett anmälningsnummer (K123456-26) eller ett diarienummer (A579.501/2026)",
            "municipality": "{code} är inte en svensk kommunkod",
            "too_many_requests": "För många förfrågningar från din adress. Försök igen om {seconds} sekunder.",
        },
        "en": {
            "full": "The time is fully booked. Choose another time.",
            "limit": "You already have {limit} active bookings, the most one e-ID may hold. Cancel one to book "
            "another.",
            "number_taken": "The booking number is taken",
            "not_guardian": "The population register does not list you as guardian of the applicant. A guardian "
            "may book for their child under 18; anyone else books for themself.",
            "not_guardian_reason": "you are not registered as guardian",
            "already_booked_case": "Case {caseNumber} already has a booked meeting",
            "already_booked_document": "The applicant already has an active booking for {service}",
            "service.passport": "passport",
            "service.idCard": "idCard",
            "changed": "The appointment changed meanwhile. Read it again.",
            "changed_retry": "Appointment {bookingNumber} changed meanwhile. Read it again and retry.",
            "yours_changed": "Your bookings changed meanwhile. Try again.",
            "busy": "Many are booking the same time right now. Try again in a moment.",
            "no_reception_id": "no reception has the id {receptionId}",
            "no_reception": "No reception {receptionId}",
            "in_the_future": "must be in the future",
            "to_before_from": "must not be before from",
            "range_too_long": "must be less than {days} days after from",
            "no_case_of_yours": "No case {caseNumber} of yours was found",
            "no_appointment_of_yours": "No appointment {bookingNumber} of yours was found",
            "no_appointment_by_mail": "No appointment has this booking number and e-mail address",
            "not_movable": "The appointment is {status} and can no longer be moved",
            "not_cancellable": "The appointment is {status} and can no longer be cancelled",
            "same_time": "is the appointment's current time",
            "status.booked": "booked",
            "status.cancelled": "cancelled",
            "status.attended": "attended",
            "status.missed": "missed",
            "kind.documents": "documents",
            "kind.caseMeeting": "caseMeeting",
            "offers_none": "{reception} offers no {kind} appointments",
            "closed_on": "{reception} is closed on {day} ({why})",
            "not_a_slot": "is not the start of a {minutes}-minute slot within the opening hours {hours} "
            "(Europe/Stockholm)",
            "booking_number": "a booking number has 8 characters (A-Z and 2-9, without O and I)",
            "services_once": "name each service once",
            "case_number": "is neither a crime report number (K123456-26) nor a diarienummer (A579.501/2026)",
            "municipality": "{code} is not a Swedish municipality code",
            "too_many_requests": "Too many requests from your address. Try again in {seconds} seconds.",
        },
    },
)
