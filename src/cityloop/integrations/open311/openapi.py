"""The JSON side of /open311/v2/ described as OpenAPI 3.0, for tools (scripts/api-fuzz runs
schemathesis against it). The shapes are those of selectors.py and views.py."""

from __future__ import annotations

from typing import Any

TEXT: dict[str, Any] = {"type": "string"}
ERRORS: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": TEXT},
    },
}
SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": TEXT,
        "service_name": TEXT,
        "description": TEXT,
        "metadata": {"type": "boolean"},
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": TEXT,
        "group": TEXT,
    },
}
ATTRIBUTE = {
    "type": "object",
    "required": ["variable", "code", "datatype", "required", "order", "description"],
    "properties": {
        "variable": {"type": "boolean"},
        "code": TEXT,
        "datatype": {
            "type": "string",
            "enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"],
        },
        "required": {"type": "boolean"},
        "datatype_description": TEXT,
        "order": {"type": "integer"},
        "description": TEXT,
        "values": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "name"],
                "properties": {"key": TEXT, "name": TEXT},
            },
        },
    },
}
_REQUEST_TEXT = [
    "service_request_id", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
    "expected_datetime", "address", "address_id", "zipcode", "media_url",
]  # fmt: skip
REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "requested_datetime"],
    "properties": {
        # null: not known (no deadline yet for expected_datetime, say)
        **{name: {**TEXT, "nullable": True} for name in _REQUEST_TEXT},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "lat": {"type": "number", "nullable": True},
        "long": {"type": "number", "nullable": True},
        "extended_attributes": {"type": "object"},
        "notes": {"type": "array", "items": {"type": "object"}},
    },
}
CREATED = {
    "type": "object",
    "required": ["service_request_id", "token"],
    "properties": {
        "service_request_id": TEXT,
        "token": TEXT,
        "service_notice": TEXT,
        "account_id": TEXT,
    },
}
DISCOVERY = {
    "type": "object",
    "required": ["changeset", "endpoints"],
    "properties": {
        "changeset": TEXT,
        "contact": TEXT,
        "key_service": TEXT,
        "endpoints": {"type": "array", "items": {"type": "object"}},
    },
}
POST_FIELDS = {
    "api_key": TEXT,
    "jurisdiction_id": TEXT,
    "service_code": TEXT,
    "lat": {"type": "number"},
    "long": {"type": "number"},
    "address_string": TEXT,
    "address_id": TEXT,
    "email": TEXT,
    "device_id": TEXT,
    "account_id": TEXT,
    "first_name": TEXT,
    "last_name": TEXT,
    "phone": TEXT,
    "description": TEXT,
    "media_url": TEXT,
}

# A request that is taken in (the api_key comes as the X-Api-Key header): the street-light
# service of the official taxonomy, placed from the address text.
EXAMPLE_POST = {
    "api_key": "",
    "service_code": "01.02.04",
    "address_string": "光华路1号",
    "description": "路灯不亮",
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _answers(ok: dict[str, Any]) -> dict[str, Any]:
    return {
        "200": _json(ok, "OK"),
        "400": _json(ERRORS, "bad input"),
        "403": _json(ERRORS, "missing, bad, revoked or out-of-scope api_key"),
        "404": _json(ERRORS, "unknown service, request, token or jurisdiction"),
        "429": _json(ERRORS, "over the key's rate"),
    }


def _query(name: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema or TEXT}


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {**TEXT, "minLength": 1}}


READ = [_query("jurisdiction_id"), _query("api_key")]
LIST_FILTERS = [
    _query("service_request_id"),
    _query("service_code"),
    _query("start_date"),
    _query("end_date"),
    _query("status"),
    _query("updated_after"),
    _query("updated_before"),
    _query("page", {"type": "integer"}),
    _query("page_size", {"type": "integer"}),
    _query("extensions", {"type": "boolean"}),
]


def document(prefix: str) -> dict[str, Any]:
    post_body = {
        "type": "object",
        "required": ["api_key", "service_code"],
        "properties": POST_FIELDS,
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "cityloop Open311 GeoReport v2 (JSON)", "version": "2"},
        "servers": [{"url": prefix}],
        "paths": {
            "/discovery.json": {"get": {"responses": _answers(DISCOVERY)}},
            "/services.json": {
                "get": {
                    "parameters": READ[:1],
                    "responses": _answers({"type": "array", "items": SERVICE}),
                }
            },
            "/services/{service_code}.json": {
                "get": {
                    "parameters": [_path("service_code"), *READ[:1]],
                    "responses": _answers(
                        {
                            "type": "object",
                            "required": ["service_code", "attributes"],
                            "properties": {
                                "service_code": TEXT,
                                "attributes": {"type": "array", "items": ATTRIBUTE},
                            },
                        }
                    ),
                }
            },
            "/requests.json": {
                "get": {
                    "parameters": [*READ, *LIST_FILTERS],
                    "responses": _answers({"type": "array", "items": REQUEST}),
                },
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": post_body,
                                "example": EXAMPLE_POST,
                            },
                            "multipart/form-data": {
                                "schema": {
                                    **post_body,
                                    "properties": {
                                        **POST_FIELDS,
                                        "media": {"type": "string", "format": "binary"},
                                    },
                                }
                            },
                        },
                    },
                    "responses": _answers({"type": "array", "items": CREATED}),
                },
            },
            "/requests/{service_request_id}.json": {
                "get": {
                    "parameters": [_path("service_request_id"), *READ, LIST_FILTERS[-1]],
                    "responses": _answers({"type": "array", "items": REQUEST}),
                }
            },
            "/tokens/{token}.json": {
                "get": {
                    "parameters": [_path("token"), *READ],
                    "responses": _answers({"type": "array", "items": CREATED}),
                }
            },
        },
    }
