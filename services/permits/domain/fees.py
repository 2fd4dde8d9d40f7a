"""The fee of an application, known before it is submitted and due even if the permit is refused."""

from __future__ import annotations

from services.permits.domain.model import (
    Details,
    DuplicateDetails,
    Fee,
    FeeLine,
    PublicPlaceDetails,
    PublicPlacePurpose,
    RenewalDetails,
    WeaponLicenceDetails,
)
from services.permits.domain.rules import PermitRules
from services.permits.messages import TEXTS


def fee_for(details: Details, rules: PermitRules) -> Fee:
    fees = rules.fees
    if isinstance(details, PublicPlaceDetails):
        if details.purpose is PublicPlacePurpose.MONEY_COLLECTION:
            lines = [FeeLine(what=TEXTS("fee.money_collection").kept(), amount_sek=fees.money_collection)]
        else:
            lines = [FeeLine(what=TEXTS("fee.public_place").kept(), amount_sek=fees.public_place)]
    elif isinstance(details, WeaponLicenceDetails):
        lines = [FeeLine(what=TEXTS("fee.first_weapon").kept(), amount_sek=fees.first_weapon)]
        further = len(details.weapons) - 1
        if further:
            lines.append(
                FeeLine(
                    what=TEXTS("fee.further_weapons", count=further, each=fees.further_weapon).kept(),
                    amount_sek=further * fees.further_weapon,
                )
            )
    elif isinstance(details, RenewalDetails):
        lines = [FeeLine(what=TEXTS("fee.renewal").kept(), amount_sek=fees.renewal)]
    elif isinstance(details, DuplicateDetails):
        lines = [FeeLine(what=TEXTS("fee.duplicate").kept(), amount_sek=fees.duplicate_licence)]
    else:
        lines = [FeeLine(what=TEXTS("fee.purchase_permit").kept(), amount_sek=fees.purchase_permit)]
    return Fee(amount_sek=sum(line.amount_sek for line in lines), lines=tuple(lines))
