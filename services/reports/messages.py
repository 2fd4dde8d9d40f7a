"""Every text of the reports service a citizen or a finder reads, in Swedish and English (see ADR 80).

Texts that only staff read (the case desk's refusals) stay English in the code: see ADR 82.
"""

from __future__ import annotations

from shared.i18n import Catalog

TEXTS = Catalog(
    "reports",
    {
        "sv": {
            # Referrals: matters that do not belong in an online report.
            "refer.emergency": "Ett brott som pågår just nu är en nödsituation: ring 112.",
            "refer.card_by_phone": "Kortuppgifter som lämnats ut per telefon anmäls genom att ringa 114 14.",
            "refer.block_card_first": "Spärra kortet hos din bank först och anmäl sedan bedrägeriet här, eller "
            "ring 114 14.",
            "refer.card_merchant_unknown": "Kortbedrägeri kan anmälas på nätet när butiken är känd; ring annars "
            "114 14.",
            "refer.lost_keys": "Borttappade nycklar anmäls inte till polisen. Fråga en polisreception om de har "
            "lämnats in.",
            # Refusals a citizen can correct.
            "invalid.in_the_future": "får inte ligga i framtiden",
            "invalid.own_personnummer": "är ditt eget; utelämna onBehalfOf",
            "invalid.items_not_listed": "en anmälan om {reportType} listar inga föremål; beskriv dem i text",
            "invalid.too_many_items": "en anmälan tar upp högst {max} föremål, tillägg inräknade",
            "invalid.municipality": "{code} är inte en svensk kommunkod",
            "invalid.content_type": "måste vara en av {choices}",
            "invalid.size": "måste vara mellan 1 och {max} byte (10 MiB)",
            "invalid.file_mismatch": "den uppladdade filen har inte den angivna typen och storleken; den togs "
            "bort",
            "invalid.serial_number": "måste vara 3 till 64 bokstäver och siffror",
            "invalid.document_number_missing": "documentNumber måste anges för ett pass eller nationellt id-kort",
            "invalid.document_number_not_here": "documentNumber hör bara till ett pass eller nationellt id-kort",
            "invalid.before_start": "får inte ligga före occurredFrom",
            "invalid.registration_number": "måste vara ett svenskt registreringsnummer som ABC123 eller ABC12A",
            "not_found.report_of_yours": "Ingen anmälan {caseNumber} av dig hittades",
            "not_found.report": "Anmälan {caseNumber} finns inte",
            "not_found.attachment": "Ingen bilaga {attachmentId} i anmälan {caseNumber}",
            "not_found.tip": "Inget tips {tipId} från dig hittades",
            "conflict.closed_no_additions": "Anmälan {caseNumber} är avslutad; inga uppgifter kan längre läggas "
            "till",
            "conflict.too_many_additions": "Anmälan {caseNumber} har redan {max} tillägg; ring 114 14 för att "
            "lägga till fler",
            "conflict.closed_no_attachments": "Anmälan {caseNumber} är avslutad; inget mer kan bifogas",
            "conflict.too_many_attachments": "En anmälan kan ha högst {max} bilagor; ta bort en begärd "
            "uppladdning som du inte längre behöver, eller vänta tills dess uppladdningsfönster stängs",
            "conflict.upload_window_closed": "Uppladdningsfönstret stängdes innan filen kom fram; begäran togs "
            "bort. Begär en ny uppladdning.",
            "conflict.not_uploaded": "Filen har inte laddats upp än; ladda upp den och försök sedan igen",
            "conflict.uploaded_stays": "En uppladdad fil är en del av anmälan och kan inte tas bort; lägg till "
            "en anteckning i stället",
            "forbidden.not_representative": "Bolagsregistret anger inte dig som företrädare för {org}: bara den "
            "som får företräda bolaget kan anmäla en stöld i dess butik. Be butikens chef eller ägare att göra "
            "anmälan, eller ring 114 14.",
            # The timeline the reporter reads.
            "timeline.received": "Anmälan har tagits emot.",
            "timeline.in_queue": "Anmälan ligger i polisregion {region}s kö för bedömning.",
            "timeline.assessing": "En handläggare bedömer anmälan.",
            "timeline.child_not_confirmed": "Folkbokföringen anger inte dig som vårdnadshavare för barnet du "
            "anmälde för (under 18), så en handläggare bedömer anmälan; den avgörs inte automatiskt.",
            "timeline.relation_not_confirmed": "Inget register kan bekräfta din relation ({relation}) till "
            "personen du anmälde för, så en handläggare bedömer anmälan; den avgörs inte automatiskt.",
            # Passports and ID cards named in a report.
            "document.passport": "passet",
            "document.nationalIdCard": "det nationella id-kortet",
            "document.passport.start": "Passet",
            "document.nationalIdCard.start": "Det nationella id-kortet",
            "block.requested": "Registret över utfärdade pass och id-kort ombads spärra {document} "
            "{documentNumber}. Anmälan visar när det är spärrat.",
            "block.blocked": "{Document} {documentNumber} är spärrat: det kan inte längre användas, även om det "
            "hittas igen.",
            "block.already_blocked": "{Document} {documentNumber} var redan spärrat: det kan inte längre "
            "användas, även om det hittas igen.",
            "block.refused_yours": "{Document} {documentNumber} kunde inte spärras: registret har inget sådant "
            "dokument med dig som innehavare. Kontrollera numret och lägg till rätt nummer i anmälan, eller ring "
            "114 14. Inget spärrades.",
            "block.refused_theirs": "{Document} {documentNumber} kunde inte spärras: registret har inget sådant "
            "dokument med personen du anmälde för som innehavare. Kontrollera numret och lägg till rätt nummer "
            "i anmälan, eller ring 114 14. Inget spärrades.",
            "block.not_requested": "{Document} {documentNumber} spärrades inte: bara innehavaren, eller en "
            "vårdnadshavare till en innehavare under 18 enligt folkbokföringen, kan spärra det genom en "
            "anmälan. Innehavaren måste själv anmäla det förlorat eller stulet, inloggad med e-legitimation på "
            "polisen.se, eller ringa 114 14; till dess gäller det.",
            # The decision letter.
            "letter.subject": "Beslut om din anmälan {caseNumber}",
            "letter.case": "Ärendenummer: {caseNumber}",
            "letter.report": "Anmälan: {reportType}, gjord {filed} (svensk tid)",
            "letter.decision": "Beslut: {headline}",
            "letter.reason": "Skäl: {reason}",
            "letter.by_rule": "Beslutet fattades automatiskt enligt polisens publicerade beslutsregler (regel "
            "{ruleId}, version {ruleVersion}).",
            "letter.by_staff": "Beslutet fattades av en handläggare i polisregion {region}.",
            "letter.follow": "Du kan läsa och följa din anmälan när du är inloggad med e-legitimation på "
            "polisen.se. Uppge ärendenumret när du kontaktar polisen (114 14) eller ditt försäkringsbolag.",
            "outcome.investigationNotOpened": "Förundersökning inleds inte.",
            "outcome.investigationOpened": "Förundersökning har inletts.",
            "outcome.investigationDiscontinued": "Förundersökningen har lagts ned.",
            "outcome.registered": "Din förlustanmälan är registrerad.",
            "type.theft": "stöld eller inbrott",
            "type.shopTheft": "stöld i butik",
            "type.cardFraud": "kortbedrägeri",
            "type.vandalism": "skadegörelse",
            "type.parkingDamage": "skada på parkerat fordon",
            "type.loss": "förlust",
            # The receipt for the insurer.
            "receipt.authority": "Polismyndigheten",
            "receipt.title": "Kvitto på anmälan",
            "receipt.document_title": "Kvitto {caseNumber}",
            "receipt.case": "Ärendenummer: {caseNumber}",
            "receipt.filed": "Anmälan mottagen: {when}",
            "receipt.type": "Typ: {type}",
            "receipt.region": "Polisregion: {region}",
            "receipt.status": "Status: {status}",
            "receipt.occurred": "Händelsen inträffade: {start} – {end}",
            "receipt.place": "Plats: {place}",
            "receipt.ask_insurer": "Uppge ärendenumret när du kontaktar ditt försäkringsbolag.",
            "receipt.issued": "Kvittot skapades {when} i polisens e-tjänst.",
            "receipt.shop": "Butik",
            "receipt.shop_line": "{store}, organisationsnummer {org}",
            "receipt.goods_line": "– {quantity} st {description} à {price}",
            "receipt.total": "Sammanlagt värde: {total}",
            "receipt.card_fraud": "Kortbedrägeri",
            "receipt.card_line": "Kortutgivare: {issuer}; butik: {merchant}",
            "receipt.merchant_unknown": "okänd",
            "receipt.transactions": {
                "one": "{count} transaktion, sammanlagt {total}",
                "other": "{count} transaktioner, sammanlagt {total}",
            },
            "receipt.vehicle": "Fordon",
            "receipt.registration": "Registreringsnummer: {number}",
            "receipt.tff": "Kvittot kan visas för Trafikförsäkringsföreningen (TFF) vid skada av okänt fordon.",
            "receipt.damage": "Skada",
            "receipt.estimated_cost": "; uppskattad kostnad {cost}",
            "receipt.property": "Egendom",
            "receipt.serial_number": "serienummer {number}",
            "receipt.imei": "IMEI {number}",
            "receipt.frame_number": "ramnummer {number}",
            "receipt.document_number": "dokumentnummer {number}",
            "receipt.value": "värde {value}",
            "receipt.sek": "{amount} kr",
            "receipt.block.blocked": "spärrat",
            "receipt.block.requested": "spärr begärd, ännu inte bekräftad",
            "receipt.block.refused": "ingen spärr gjord: registret har inget sådant dokument hos innehavaren",
            "receipt.block.notRequested": "ingen spärr gjord: innehavaren anmäler själv",
            "receipt.type.theft": "Stöld och inbrott",
            "receipt.type.shopTheft": "Stöld i butik",
            "receipt.type.cardFraud": "Kortbedrägeri",
            "receipt.type.vandalism": "Skadegörelse",
            "receipt.type.parkingDamage": "Parkeringsskada",
            "receipt.type.loss": "Förlust (borttappat)",
            "category.bicycle": "Cykel",
            "category.mobilePhone": "Mobiltelefon",
            "category.computer": "Dator",
            "category.jewellery": "Smycke",
            "category.wallet": "Plånbok",
            "category.bag": "Väska",
            "category.camera": "Kamera",
            "category.tools": "Verktyg",
            "category.vehiclePart": "Fordonsdel",
            "category.cash": "Kontanter",
            "category.paymentCard": "Betalkort",
            "category.passport": "Pass",
            "category.nationalIdCard": "Nationellt id-kort",
            "category.keys": "Nycklar",
            "category.other": "Övrigt",
            "status.received": "Mottagen",
            "status.awaitingAssessment": "Väntar på bedömning",
            "status.underAssessment": "Under bedömning",
            "status.underInvestigation": "Under utredning",
            "status.registered": "Registrerad",
            "status.closed": "Avslutad",
            # Found property: the owner's notice and letter, the finder's receipt.
            "item.bicycle": "cykel",
            "item.mobilePhone": "mobiltelefon",
            "item.computer": "dator",
            "item.jewellery": "smycke",
            "item.wallet": "plånbok",
            "item.bag": "väska",
            "item.camera": "kamera",
            "item.tools": "verktyg",
            "item.vehiclePart": "fordonsdel",
            "item.cash": "kontanter",
            "item.paymentCard": "betalkort",
            "item.passport": "pass",
            "item.nationalIdCard": "nationellt id-kort",
            "item.keys": "nycklar",
            "item.other": "föremål",
            "found.owner_message": "Ett upphittat föremål ({what}) som kan vara ditt finns på polisens reception "
            "{reception} ({town}). Hämta det senast {claimBy}: ta med legitimation och uppge hittegodsnummer "
            "{foundItemId}.",
            "found.handed_back": "Hittegods {foundItemId} ({what}) lämnades tillbaka till dig på {reception}.",
            "found.letter_subject": "Ett upphittat föremål kan vara ditt (anmälan {caseNumber})",
            "found.letter_case": "Ärendenummer: {caseNumber}\nHittegods: {foundItemId}",
            "found.reward": "Upphittaren kan be dig om hittelön på ungefär {reward} kr (en tiondel av värdet).",
            "found.in_time": "Om du inte hämtar det i tid kan det gå till upphittaren eller till staten. Du ser "
            "detta i din anmälan när du är inloggad med e-legitimation på polisen.se.",
            "finder.may_collect": "Om ingen ägare gör anspråk på föremålet senast {until} får du hämta det på "
            "{reception} inom en månad därefter, mot att du betalar polisens kostnader.",
            "finder.to_state": "Om ingen ägare gör anspråk på föremålet senast {until} tillfaller det staten.",
            # Tips.
            "tip.thanks_anonymous": "Tack. Tipset togs emot anonymt; det kan inte besvaras.",
            "tip.thanks_identified": "Tack. Polisen kan komma att kontakta dig om tipset.",
        },
        "en": {
            "refer.emergency": "A crime that is happening now is an emergency: call 112.",
            "refer.card_by_phone": "Card details given away on the phone are reported by calling 114 14.",
            "refer.block_card_first": "Block the card at your bank first, then report the fraud here, or call "
            "114 14.",
            "refer.card_merchant_unknown": "Card fraud can be reported online when the merchant is known; "
            "otherwise call 114 14.",
            "refer.lost_keys": "Lost keys are not reported to the police. Ask a police reception whether they "
            "have been handed in.",
            "invalid.in_the_future": "must not be in the future",
            "invalid.own_personnummer": "is your own; leave onBehalfOf out",
            "invalid.items_not_listed": "a {reportType} report lists no items; describe them in text",
            "invalid.too_many_items": "a report names at most {max} items, additions included",
            "invalid.municipality": "{code} is not a Swedish municipality code",
            "invalid.content_type": "must be one of {choices}",
            "invalid.size": "must be between 1 and {max} bytes (10 MiB)",
            "invalid.file_mismatch": "the uploaded file is not the declared type and size; it was removed",
            "invalid.serial_number": "must be 3 to 64 letters and digits",
            "invalid.document_number_missing": "documentNumber is required for a passport or national ID card",
            "invalid.document_number_not_here": "documentNumber belongs only to a passport or national ID card",
            "invalid.before_start": "must not be before occurredFrom",
            "invalid.registration_number": "must be a Swedish registration number such as ABC123 or ABC12A",
            "not_found.report_of_yours": "No report {caseNumber} of yours was found",
            "not_found.report": "Report {caseNumber} does not exist",
            "not_found.attachment": "No attachment {attachmentId} on report {caseNumber}",
            "not_found.tip": "No tip {tipId} of yours was found",
            "conflict.closed_no_additions": "Report {caseNumber} is closed; information can no longer be added",
            "conflict.too_many_additions": "Report {caseNumber} already has {max} additions; call 114 14 to add "
            "more",
            "conflict.closed_no_attachments": "Report {caseNumber} is closed; nothing more can be attached",
            "conflict.too_many_attachments": "A report can have at most {max} attachments; remove a requested "
            "upload you no longer need, or wait until its upload window closes",
            "conflict.upload_window_closed": "The upload window closed before the file arrived; the request was "
            "removed. Request a new upload.",
            "conflict.not_uploaded": "The file has not been uploaded yet; upload it, then try again",
            "conflict.uploaded_stays": "An uploaded file is part of the report and cannot be removed; add a "
            "note instead",
            "forbidden.not_representative": "The company register does not name you as a representative of "
            "{org}: only someone who may act for the company can report a theft in its shop. Ask the shop's "
            "manager or owner to file it, or call 114 14.",
            "timeline.received": "The report was received.",
            "timeline.in_queue": "The report is in police region {region}'s queue for assessment.",
            "timeline.assessing": "A case handler is assessing the report.",
            "timeline.child_not_confirmed": "The population register does not list you as a guardian of the "
            "child you filed for (under 18), so a case handler will assess the report; it is not decided "
            "automatically.",
            "timeline.relation_not_confirmed": "No register can confirm your relation ({relation}) to the "
            "person you filed for, so a case handler will assess the report; it is not decided automatically.",
            "document.passport": "the passport",
            "document.nationalIdCard": "the national ID card",
            "document.passport.start": "The passport",
            "document.nationalIdCard.start": "The national ID card",
            "block.requested": "The register of issued passports and ID cards was asked to block "
            "{document} {documentNumber}. This report will say when it is blocked.",
            "block.blocked": "{Document} {documentNumber} is blocked (spärrat): it can no longer be used, even "
            "if it is found again.",
            "block.already_blocked": "{Document} {documentNumber} was already blocked (spärrat): it can no "
            "longer be used, even if it is found again.",
            "block.refused_yours": "{Document} {documentNumber} could not be blocked: the register lists no such "
            "document held by you. Check the number and add the right one to the report, or call 114 14. "
            "Nothing was blocked.",
            "block.refused_theirs": "{Document} {documentNumber} could not be blocked: the register lists no "
            "such document held by the person you filed for. Check the number and add the right one to the "
            "report, or call 114 14. Nothing was blocked.",
            "block.not_requested": "{Document} {documentNumber} was not blocked: only its holder, or a guardian "
            "of a holder under 18 as the population register shows, can block it through a report. The holder "
            "must report it lost or stolen themselves, logged in with e-ID at polisen.se, or call 114 14; until "
            "then it stays valid.",
            "letter.subject": "Decision on your report {caseNumber}",
            "letter.case": "Case number: {caseNumber}",
            "letter.report": "Report: {reportType}, filed {filed} (Swedish time)",
            "letter.decision": "Decision: {headline}",
            "letter.reason": "Reason: {reason}",
            "letter.by_rule": "The decision was made automatically, by the police's published decision rules "
            "(rule {ruleId}, version {ruleVersion}).",
            "letter.by_staff": "The decision was made by a case handler in police region {region}.",
            "letter.follow": "You can read your report and follow it when logged in with e-ID at polisen.se. "
            "Give the case number whenever you contact the police (114 14) or your insurer.",
            "outcome.investigationNotOpened": "A preliminary investigation will not be opened.",
            "outcome.investigationOpened": "A preliminary investigation has been opened.",
            "outcome.investigationDiscontinued": "The preliminary investigation has been discontinued.",
            "outcome.registered": "Your loss report is registered.",
            "type.theft": "theft or burglary",
            "type.shopTheft": "theft from a shop",
            "type.cardFraud": "card fraud",
            "type.vandalism": "vandalism",
            "type.parkingDamage": "damage to a parked vehicle",
            "type.loss": "loss",
            "receipt.authority": "Swedish Police Authority",
            "receipt.title": "Receipt for a report",
            "receipt.document_title": "Receipt {caseNumber}",
            "receipt.case": "Case number: {caseNumber}",
            "receipt.filed": "Report received: {when}",
            "receipt.type": "Type: {type}",
            "receipt.region": "Police region: {region}",
            "receipt.status": "Status: {status}",
            "receipt.occurred": "It happened: {start} – {end}",
            "receipt.place": "Place: {place}",
            "receipt.ask_insurer": "Give the case number when you contact your insurer.",
            "receipt.issued": "This receipt was made {when} in the police's e-service.",
            "receipt.shop": "Shop",
            "receipt.shop_line": "{store}, organisationsnummer {org}",
            "receipt.goods_line": "– {quantity} × {description} at {price}",
            "receipt.total": "Total value: {total}",
            "receipt.card_fraud": "Card fraud",
            "receipt.card_line": "Card issuer: {issuer}; merchant: {merchant}",
            "receipt.merchant_unknown": "unknown",
            "receipt.transactions": {
                "one": "{count} transaction, {total} in total",
                "other": "{count} transactions, {total} in total",
            },
            "receipt.vehicle": "Vehicle",
            "receipt.registration": "Registration number: {number}",
            "receipt.tff": "The receipt can be shown to the traffic insurance fund (Trafikförsäkringsföreningen, "
            "TFF) for damage by an unknown vehicle.",
            "receipt.damage": "Damage",
            "receipt.estimated_cost": "; estimated cost {cost}",
            "receipt.property": "Property",
            "receipt.serial_number": "serial number {number}",
            "receipt.imei": "IMEI {number}",
            "receipt.frame_number": "frame number {number}",
            "receipt.document_number": "document number {number}",
            "receipt.value": "value {value}",
            "receipt.sek": "SEK {amount}",
            "receipt.block.blocked": "blocked (spärrat)",
            "receipt.block.requested": "block requested, not yet confirmed",
            "receipt.block.refused": "not blocked: the register holds no such document of the holder",
            "receipt.block.notRequested": "not blocked: the holder reports it themselves",
            "receipt.type.theft": "Theft and burglary",
            "receipt.type.shopTheft": "Theft from a shop",
            "receipt.type.cardFraud": "Card fraud",
            "receipt.type.vandalism": "Vandalism",
            "receipt.type.parkingDamage": "Damage to a parked vehicle",
            "receipt.type.loss": "Loss (lost property)",
            "category.bicycle": "Bicycle",
            "category.mobilePhone": "Mobile phone",
            "category.computer": "Computer",
            "category.jewellery": "Jewellery",
            "category.wallet": "Wallet",
            "category.bag": "Bag",
            "category.camera": "Camera",
            "category.tools": "Tools",
            "category.vehiclePart": "Vehicle part",
            "category.cash": "Cash",
            "category.paymentCard": "Payment card",
            "category.passport": "Passport",
            "category.nationalIdCard": "National ID card",
            "category.keys": "Keys",
            "category.other": "Other",
            "status.received": "Received",
            "status.awaitingAssessment": "Awaiting assessment",
            "status.underAssessment": "Under assessment",
            "status.underInvestigation": "Under investigation",
            "status.registered": "Registered",
            "status.closed": "Closed",
            "item.bicycle": "bicycle",
            "item.mobilePhone": "mobile phone",
            "item.computer": "computer",
            "item.jewellery": "jewellery",
            "item.wallet": "wallet",
            "item.bag": "bag",
            "item.camera": "camera",
            "item.tools": "tools",
            "item.vehiclePart": "vehicle part",
            "item.cash": "cash",
            "item.paymentCard": "payment card",
            "item.passport": "passport",
            "item.nationalIdCard": "national id card",
            "item.keys": "keys",
            "item.other": "other",
            "found.owner_message": "A found {what} that may be yours is at the police reception {reception} "
            "({town}). Claim it by {claimBy}: bring identification and quote found item {foundItemId}.",
            "found.handed_back": "Found item {foundItemId} ({what}) was handed back to you at {reception}.",
            "found.letter_subject": "A found item may be yours (report {caseNumber})",
            "found.letter_case": "Case number: {caseNumber}\nFound item: {foundItemId}",
            "found.reward": "The finder may ask you for a finder's reward of about {reward} SEK (a tenth of its "
            "value).",
            "found.in_time": "If you do not claim it in time, it may go to the finder or to the state. You can see "
            "this on your report when logged in with e-ID at polisen.se.",
            "finder.may_collect": "If no owner claims the item by {until}, you may collect it at {reception} "
            "within a month after that, after paying the police's costs.",
            "finder.to_state": "If no owner claims the item by {until}, it goes to the state.",
            "tip.thanks_anonymous": "Thank you. The tip was received anonymously; it cannot be answered.",
            "tip.thanks_identified": "Thank you. The police may contact you about the tip.",
        },
    },
)
