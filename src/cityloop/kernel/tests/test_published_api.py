"""The API's operation ids are what generated clients call: moving a route to another package
must not rename them (core.api_errors.PUBLISHED_MODULE keeps the published names)."""

from __future__ import annotations

from pathlib import Path

PUBLISHED = Path(__file__).with_name("published_operations.txt")


def test_every_published_operation_keeps_its_path_and_id(client):
    schema = client.get("/api/openapi.json").json()
    served = {
        f"{method} {path} {operation['operationId']}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    published = set(PUBLISHED.read_text(encoding="utf-8").splitlines())
    assert published - served == set(), "renamed or removed operations"
