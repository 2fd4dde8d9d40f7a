"""Each service's secrets in the templates: generated at deploy time, encrypted with the service's key, and
readable by the functions the manifest names and no other."""

from __future__ import annotations

from typing import Any

from infra.cloud.inventory import resources
from tests.infra.conftest import ServiceTemplate


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _function_by_role(template: dict[str, Any]) -> dict[str, str]:
    return {
        props["Role"]["Fn::GetAtt"][0]: props["FunctionName"]
        for _, props in resources(template, "AWS::Lambda::Function")
    }


def test_the_page_token_key_is_generated_and_encrypted_with_the_service_key(
    services: list[ServiceTemplate],
) -> None:
    for service in services:
        secrets = dict(resources(service.json, "AWS::SecretsManager::Secret"))
        assert {props["Name"] for props in secrets.values()} == {
            service.manifest.secret_name("dev", s.name) for s in service.manifest.secrets
        }
        [key] = [logical_id for logical_id, _ in resources(service.json, "AWS::KMS::Key")]
        for props in secrets.values():
            assert "SecretString" not in props  # no value in the template: Secrets Manager generates it
            assert props["GenerateSecretString"]["PasswordLength"] >= 64
            assert props["KmsKeyId"] == {"Fn::GetAtt": [key, "Arn"]}


def test_only_the_named_readers_may_read_a_secret(services: list[ServiceTemplate]) -> None:
    for service in services:
        secret_ids = {logical_id for logical_id, _ in resources(service.json, "AWS::SecretsManager::Secret")}
        functions = _function_by_role(service.json)
        readers: set[str] = set()
        for _, policy in resources(service.json, "AWS::IAM::Policy"):
            for statement in policy["PolicyDocument"]["Statement"]:
                targets = {r.get("Ref") for r in _as_list(statement["Resource"]) if isinstance(r, dict)}
                if any(a.startswith("secretsmanager:") for a in _as_list(statement["Action"])):
                    assert _as_list(statement["Action"]) == ["secretsmanager:GetSecretValue"]
                    assert targets <= secret_ids
                    readers |= {functions[role["Ref"]] for role in policy["Roles"]}
        assert readers == {
            service.manifest.function_name("dev", reader)
            for secret in service.manifest.secrets
            for reader in secret.readers
        }
