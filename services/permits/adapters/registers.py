"""The registers of others the permits service asks, as local simulators in the permits table.

The company register of representatives is national and outside the police; the suitability check asks police
registers that answer only clear or flagged. In the local cloud the ``seed`` function loads synthetic people
into these items; in AWS the seed function is not deployed, so nobody may apply for a company and every
suitability check fails closed as flagged, until adapters to the real registers replace these behind the same
ports (``domain.ports.CompanyRegister``, ``SuitabilityRegister``).

Item layout (pk / sk), local simulator only:
- ``REGISTER#COMPANY#<organisationsnummer>`` / ``REPRESENTATIVES``: ``representatives`` (personnummer).
- ``REGISTER#SUITABILITY#<personnummer>`` / ``SUITABILITY``: ``answer`` ``flagged`` or ``unavailable`` (the
  register is away for this person's checks: the checks are tried again, then dead-lettered). A person with
  no item gets the answer of ``REGISTER#SUITABILITY#DEFAULT``, which the seed sets to ``clear``; with no
  seed (in AWS) there is none, and everyone is flagged for a case handler: the simulator fails closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from services.permits.domain.errors import RegisterUnavailable
from services.permits.domain.ports import Suitability
from services.permits.messages import TEXTS
from shared.adapters.dynamodb import from_item, put_all, to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

UNAVAILABLE = "unavailable"
CLEAR = "clear"
DEFAULT = "DEFAULT"


class _Simulator:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        found = self._client.get_item(TableName=self._table, Key=to_item({"pk": pk, "sk": sk})).get("Item")
        return from_item(found) if found else None


class DynamoDbCompanyRegister(_Simulator):
    def representatives_of(self, organisationsnummer: str) -> frozenset[str]:
        found = self._get(f"REGISTER#COMPANY#{organisationsnummer}", "REPRESENTATIVES")
        return frozenset(found.get("representatives", set())) if found else frozenset()

    def put_companies(self, representatives: dict[str, set[str]]) -> None:
        put_all(
            self._client,
            self._table,
            [
                to_item(
                    {"pk": f"REGISTER#COMPANY#{number}", "sk": "REPRESENTATIVES", "representatives": people}
                )
                for number, people in representatives.items()
                if people
            ],
        )


class DynamoDbSuitabilityRegister(_Simulator):
    def check(self, personnummer: str) -> Suitability:
        found = self._get(f"REGISTER#SUITABILITY#{personnummer}", "SUITABILITY") or self._get(
            f"REGISTER#SUITABILITY#{DEFAULT}", "SUITABILITY"
        )
        answer = found.get("answer") if found else None
        if answer == UNAVAILABLE:
            raise RegisterUnavailable(TEXTS("register_unavailable"))
        return Suitability.CLEAR if answer == CLEAR else Suitability.FLAGGED

    def put_answers(self, answers: Iterable[tuple[str, str]]) -> None:
        """Each (personnummer or ``DEFAULT``, ``clear``, ``flagged`` or ``unavailable``)."""
        put_all(
            self._client,
            self._table,
            [
                to_item({"pk": f"REGISTER#SUITABILITY#{number}", "sk": "SUITABILITY", "answer": answer})
                for number, answer in answers
            ],
        )
