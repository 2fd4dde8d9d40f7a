"""API Gateway passes a service's binary responses (the PDF receipt) through as binary."""

from __future__ import annotations

from tests.infra.conftest import ServiceTemplate


def test_each_api_declares_the_binary_media_types_of_its_manifest(services: list[ServiceTemplate]) -> None:
    for service in services:
        [api] = [
            r["Properties"]
            for r in service.json["Resources"].values()
            if r["Type"] == "AWS::ApiGateway::RestApi"
        ]
        assert api.get("BinaryMediaTypes", []) == list(service.manifest.binary_media_types)
    assert any("application/pdf" in s.manifest.binary_media_types for s in services)
