"""The OpenAPI document: valid, its example valid, real responses conform, fuzzing finds no 500."""

from __future__ import annotations

import copy

import schemathesis
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from app.api.openapi import EXAMPLE_SITE, openapi_document
from forms.document import validate_site_document
from tests.api.conftest import document


def _validator(document_: dict, name: str) -> Draft202012Validator:
    """A JSON Schema validator for components.schemas[name], resolving its $refs."""
    root = copy.deepcopy(document_)
    schema = {"$ref": f"#/components/schemas/{name}", "components": root["components"]}
    return Draft202012Validator(schema)


def test_the_document_is_valid_openapi(client):
    response = client.get("/api/v1/openapi.json")  # public, no token needed
    assert response.status_code == 200
    validate(response.get_json())
    paths = response.get_json()["paths"]
    assert {
        "/api/v1/sites/{uuid}",
        "/api/v1/sync/push",
        "/api/v1/sync/changes",
        "/api/v1/photos/{sha256}",
    } <= set(paths)


def test_the_example_site_follows_the_schema_and_the_rules(app):
    doc = openapi_document()
    example = doc["components"]["examples"]["SiteDocument"]["value"]
    assert example == EXAMPLE_SITE
    _validator(doc, "SiteDocument").validate(example)
    with app.test_request_context():
        check = validate_site_document(example)
    assert check.ok, check.errors


def test_the_schema_refuses_what_the_rules_refuse():
    validator = _validator(openapi_document(), "SiteDocument")
    assert not validator.is_valid(EXAMPLE_SITE | {"seats": 501})
    assert not validator.is_valid(EXAMPLE_SITE | {"colour": "blue"})
    assert not validator.is_valid(EXAMPLE_SITE | {"wifi_security": "wpa9"})


def test_real_responses_conform(client, bearer):
    spec, headers = openapi_document(), bearer()
    example = EXAMPLE_SITE | {"photos": []}
    url = f"/api/v1/sites/{example['uuid']}"
    created = client.put(url, json=example, headers=headers)
    assert created.status_code == 201
    got = client.get(url, headers=headers).get_json()
    _validator(spec, "SiteDocument").validate(got)
    pushed = client.post("/api/v1/sync/push", json={"sites": [document()]}, headers=headers)
    for result in pushed.get_json()["results"]:
        _validator(spec, "PushResult").validate(result)
    feed = client.get("/api/v1/sync/changes", headers=headers).get_json()
    for change in feed["changes"]:
        _validator(spec, "Change").validate(change)
    invalid = client.put(url, json=example | {"seats": -1}, headers=headers | {"If-Match": '"1"'})
    _validator(spec, "ValidationErrors").validate(invalid.get_json())
    conflict = client.put(url, json=example | {"seats": 3}, headers=headers)
    assert conflict.status_code == 409
    _validator(spec, "Error").validate(conflict.get_json())


def test_fuzzing_finds_no_server_error(app, bearer):
    """Schemathesis generates requests for every operation; none may get a 5xx."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = bearer("admin", None)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:
        _fuzz(operation, headers)


def _fuzz(operation, headers) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(headers=headers)
        assert response.status_code < 500, (operation.label, response.text[:500])

    run()
