"""Lambda (local cloud only): loads the reference data and the synthetic registers into the bookings table.

The local cloud invokes it once at start (the manifest's ``seed_handler``): the passport receptions, the
population register's guardians and children, and the register of issued documents (``seed_data``).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from services.bookings import dependencies, reference_data, seed_data
from shared.observability import create_logger, entry_point

logger = create_logger()


@entry_point(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    receptions = reference_data.receptions()
    dependencies.receptions().put_all(receptions)
    guardianship = [pair for family in seed_data.FAMILIES for pair in family.guardianship]
    dependencies.population().put_families(guardianship)
    dependencies.documents().put_all(seed_data.DOCUMENTS)
    seeded = {
        "receptions": len(receptions),
        "guardianships": len(guardianship),
        "documents": len(seed_data.DOCUMENTS),
    }
    logger.info("Seeded the bookings registers", extra=seeded)
    return seeded
