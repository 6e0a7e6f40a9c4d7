"""The OpenAPI 3 document of /api/v1, with the site schema generated from the survey form."""

from __future__ import annotations

from typing import Any

from wtforms import (
    DateField,
    FieldList,
    HiddenField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import Length

from forms.fields import IntField, NumberField, RangeMessage, YesNoField
from forms.survey import CoverageForm, MeasurementForm, SurveyFields

EXAMPLE_SITE: dict[str, Any] = {
    "uuid": "0f8c7f1e-2d4b-4c55-9a0e-3b7d2f1a6c01",
    "name": "白浜町ITビジネスオフィス",
    "name_en": "Shirahama IT Business Office",
    "facility_type": "satellite_office",
    "municipality_code": "304018",
    "postal_code": "649-2211",
    "address_town": "白浜町",
    "address_line": "2998番地の1",
    "latitude": 33.6781,
    "longitude": 135.348,
    "location_source": "gps",
    "location_accuracy_m": 6.0,
    "location_fix_count": 5,
    "surveyed_on": "2026-10-14",
    "line_type": "fiber",
    "wifi_security": "wpa3",
    "wifi_client_isolation": True,
    "seats": 40,
    "seats_with_outlet": 40,
    "meeting_booths": 4,
    "weekday_open": "09:00",
    "weekday_close": "18:00",
    "days_per_week": 5,
    "lodging_minutes": 5,
    "lodging_accepts_3_nights": True,
    "transport_options": ["rental_car", "taxi"],
    "amenities": ["aed", "meeting_booth", "seat_outlet", "wifi"],
    "measurements": [
        {
            "uuid": "6a0e2c1d-4b3f-4e2a-8c5d-1f0e9d8c7b6a",
            "measured_at": "2026-10-14T10:00:00+09:00",
            "method": "browser",
            "download_mbps": 420.5,
            "upload_mbps": 380.2,
            "latency_ms": 12.0,
            "jitter_ms": 3.0,
            "where_on_site": "2F booth",
            "server": "https://survey.example.jp/speedtest/",
            "tool_version": "browser 1",
            "bytes_moved": 1048576000,
            "duration_s": 24.5,
        }
    ],
    "coverage": [{"carrier": "docomo", "technology": "5g", "rsrp_dbm": -82, "placement": "indoor"}],
    "photos": [{"sha256": "9" * 64, "caption": "入口"}],
    "notes": "海に近い旧保養所を改装したオフィス。",
}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def field_schema(field: Any) -> dict[str, Any]:
    """JSON Schema of one WTForms field, from its class, choices and validators."""
    if isinstance(field, YesNoField):
        return _nullable({"type": "boolean"})
    if isinstance(field, SelectMultipleField):
        return {"type": "array", "items": {"enum": [v for v, _ in field.choices]}}
    if isinstance(field, SelectField):
        return _nullable({"enum": [v for v, _ in field.choices if v]})
    if isinstance(field, DateField):
        return _nullable({"type": "string", "format": "date"})
    if isinstance(field, IntField | NumberField):
        schema: dict[str, Any] = {"type": "integer" if isinstance(field, IntField) else "number"}
        for validator in field.validators:
            if isinstance(validator, RangeMessage):
                schema |= {"minimum": validator.min, "maximum": validator.max}
        return _nullable(schema)
    schema = {"type": "string"}
    for validator in field.validators:
        if isinstance(validator, Length) and validator.max != -1:
            schema["maxLength"] = validator.max
    return (
        _nullable(schema)
        if isinstance(field, TextAreaField | HiddenField) or not field.flags.required
        else schema
    )


def _object(form: Any, required: tuple[str, ...] = ()) -> dict[str, Any]:
    properties = {f.short_name: field_schema(f) for f in form if not isinstance(f, FieldList)}
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def site_schema() -> dict[str, Any]:
    schema = _object(SurveyFields(meta={"csrf": False}), required=("name", "municipality_code"))
    schema["properties"]["municipality_code"] = {"type": "string", "pattern": "^[0-9]{6}$"}
    schema["properties"] |= {
        "uuid": {"type": "string", "format": "uuid"},
        "measurements": {"type": "array", "maxItems": 30, "items": _object(MeasurementForm())},
        "coverage": {
            "type": "array",
            "maxItems": 5,
            "items": _object(CoverageForm(), ("carrier",)),
        },
        "photos": {"type": "array", "items": {"$ref": "#/components/schemas/PhotoRef"}},
        "revision": {"type": "integer", "minimum": 1, "description": "Base revision (push only)"},
        "status": {"type": "string", "description": "'submitted' asks for review"},
        "photos_complete": {"type": "boolean", "readOnly": True},
        "updated_at": {"type": "string", "format": "date-time", "readOnly": True},
        "score": _nullable({"type": "number"}),
        "tier": _nullable({"type": "string"}),
    }
    return schema


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def openapi_document() -> dict[str, Any]:
    site_ref = {"$ref": "#/components/schemas/SiteDocument"}
    uuid_param = {
        "name": "uuid",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "format": "uuid"},
    }
    sha_param = {
        "name": "sha256",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    }
    saved = {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["uuid", "revision"],
                "properties": {"uuid": {"type": "string"}, "revision": {"type": "integer"}},
            }
        }
    }
    common = {"401": _error("No or bad token"), "403": _error("Wrong role or municipality")}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Workation Site Survey API", "version": "1"},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "SiteDocument": site_schema(),
                "PhotoRef": {
                    "type": "object",
                    "required": ["sha256"],
                    "additionalProperties": False,
                    "properties": {
                        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        "caption": {"type": "string", "maxLength": 200},
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
                },
                "ValidationErrors": {
                    "type": "object",
                    "required": ["errors"],
                    "properties": {
                        "errors": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        }
                    },
                },
                "PushResult": {
                    "type": "object",
                    "required": ["uuid", "status", "revision", "errors"],
                    "properties": {
                        "uuid": {"type": "string"},
                        "status": {
                            "enum": ["created", "updated", "unchanged", "conflict", "invalid"]
                        },
                        "revision": _nullable({"type": "integer"}),
                        "errors": {"type": "object"},
                    },
                },
                "Change": {
                    "type": "object",
                    "required": ["cursor", "uuid", "kind", "revision", "status"],
                    "properties": {
                        "cursor": {"type": "integer"},
                        "uuid": {"type": "string"},
                        "kind": {"enum": ["revision", "status", "photos"]},
                        "revision": {"type": "integer"},
                        "status": {"type": "string"},
                        "comment": {"type": "string"},
                        "changed_at": {"type": "string"},
                        "score": _nullable({"type": "number"}),
                        "tier": _nullable({"type": "string"}),
                    },
                },
            },
            "examples": {"SiteDocument": {"summary": "A surveyed site", "value": EXAMPLE_SITE}},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/sites/{uuid}": {
                "parameters": [uuid_param],
                "put": {
                    "summary": "Create or update a site document",
                    "parameters": [
                        {
                            "name": "If-Match",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string"},
                            "description": 'Base revision, e.g. "3"',
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": site_ref,
                                "examples": {
                                    "site": {"$ref": "#/components/examples/SiteDocument"}
                                },
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "Updated, or the same document again",
                            "content": saved,
                        },
                        "201": {"description": "Created", "content": saved},
                        "400": _error("Malformed JSON or If-Match"),
                        "409": _error("Stale base revision; `current` holds the server's document"),
                        "413": _error("Body too large"),
                        "422": {
                            "description": "Invalid",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/ValidationErrors"}
                                }
                            },
                        },
                        **common,
                    },
                },
                "get": {
                    "summary": "The site document with revision, status, score and tier",
                    "responses": {
                        "200": {
                            "description": "The document",
                            "content": {"application/json": {"schema": site_ref}},
                        },
                        "404": _error("No such site"),
                        **common,
                    },
                },
            },
            "/api/v1/sync/push": {
                "post": {
                    "summary": "Apply up to 100 site documents, each on its own",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["sites"],
                                    "properties": {
                                        "sites": {
                                            "type": "array",
                                            "maxItems": 100,
                                            "items": site_ref,
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "One result per document, in request order",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["results"],
                                        "properties": {
                                            "results": {
                                                "type": "array",
                                                "items": {
                                                    "$ref": "#/components/schemas/PushResult"
                                                },
                                            }
                                        },
                                    }
                                }
                            },
                        },
                        "400": _error("Malformed JSON"),
                        "413": _error("Too large"),
                        "422": _error("Not a push body"),
                        **common,
                    },
                }
            },
            "/api/v1/sync/changes": {
                "get": {
                    "summary": "What changed since the cursor, oldest first",
                    "parameters": [
                        {
                            "name": "since",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 0},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "Changes and the next cursor",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["changes", "next", "more"],
                                        "properties": {
                                            "changes": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Change"},
                                            },
                                            "next": {"type": "integer"},
                                            "more": {"type": "boolean"},
                                        },
                                    }
                                }
                            },
                        },
                        "400": _error("Bad cursor"),
                        **common,
                    },
                }
            },
            "/api/v1/photos/{sha256}": {
                "parameters": [sha_param],
                "put": {
                    "summary": "Upload a photo's bytes (JPEG, PNG or WebP)",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/octet-stream": {
                                "schema": {"type": "string", "format": "binary"}
                            }
                        },
                    },
                    "responses": {
                        "200": {"description": "Already held"},
                        "201": {"description": "Stored"},
                        "400": _error("Hash does not match the bytes"),
                        "413": _error("Too large"),
                        "415": _error("Not JPEG, PNG or WebP"),
                        "422": _error("Damaged image"),
                        **common,
                    },
                },
                "head": {
                    "summary": "Whether the photo is held",
                    "responses": {
                        "200": {"description": "Held"},
                        "404": {"description": "Not held"},
                        **common,
                    },
                },
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3"}},
                }
            },
        },
    }
