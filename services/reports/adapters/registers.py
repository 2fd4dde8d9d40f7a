"""The registers of others the reports service asks, as local simulators in the reports table.

The population register (folkbokföringen: who is guardian of whom, birth dates) and the company register of
representatives are national registers outside the police. In the local cloud the ``seed`` function loads
synthetic people and companies (``shared.synthetic_people``, and the demo shops of ``services.reports.demo``)
into these items; in AWS the seed function is not deployed, so these adapters find nobody: every relation is
unconfirmed and nobody may file for a company until adapters to the national registers replace them behind the
same ports (``domain.ports.PopulationRegister``, ``CompanyRegister``). The simulators fail closed.

Item layout (pk / sk), local simulator only:
- ``REGISTER#PERSON#<personnummer>`` / ``POPULATION``: ``birthDate``, ``guardians`` (of a child under 18).
- ``REGISTER#COMPANY#<organisationsnummer>`` / ``REPRESENTATIVES``: ``representatives`` (personnummer).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from services.reports.domain.ports import RegisteredPerson

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import WriteRequestTypeDef

_BATCH = 25  # BatchWriteItem's limit
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _item(values: dict[str, Any]) -> dict[str, Any]:
    # DynamoDB refuses empty sets: a relation nobody has is left out.
    return {k: _serializer.serialize(v) for k, v in values.items() if v not in (None, set())}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def person_key(personnummer: str) -> dict[str, Any]:
    return _item({"pk": f"REGISTER#PERSON#{personnummer}", "sk": "POPULATION"})


def company_key(organisationsnummer: str) -> dict[str, Any]:
    return _item({"pk": f"REGISTER#COMPANY#{organisationsnummer}", "sk": "REPRESENTATIVES"})


class _Simulator:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        found = self._client.get_item(TableName=self._table, Key=key).get("Item")
        return _plain(found) if found else None

    def _put_all(self, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), _BATCH):
            requests: list[WriteRequestTypeDef] = [
                {"PutRequest": {"Item": r}} for r in rows[start : start + _BATCH]
            ]
            pending: dict[str, Any] = {self._table: requests}
            while pending:
                pending = dict(
                    self._client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
                )


class DynamoDbPopulationRegister(_Simulator):
    def person(self, personnummer: str) -> RegisteredPerson | None:
        found = self._get(person_key(personnummer))
        if found is None:
            return None
        return RegisteredPerson(
            personnummer=personnummer,
            birth_date=date.fromisoformat(found["birthDate"]),
            guardians=frozenset(found.get("guardians", set())),
        )

    def put_people(self, people: Iterable[RegisteredPerson]) -> None:
        self._put_all(
            [
                {
                    **person_key(p.personnummer),
                    **_item({"birthDate": p.birth_date.isoformat(), "guardians": set(p.guardians)}),
                }
                for p in people
            ]
        )


class DynamoDbCompanyRegister(_Simulator):
    def representatives_of(self, organisationsnummer: str) -> frozenset[str]:
        found = self._get(company_key(organisationsnummer))
        return frozenset(found.get("representatives", set())) if found else frozenset()

    def put_companies(self, representatives: dict[str, set[str]]) -> None:
        """Each organisationsnummer with everyone who may act for it."""
        self._put_all(
            [
                {**company_key(number), **_item({"representatives": people})}
                for number, people in representatives.items()
                if people
            ]
        )
