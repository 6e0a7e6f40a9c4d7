"""The OpenAPI document: valid, its example valid, real responses conform, fuzzing finds no 500."""

from __future__ import annotations

import copy
import hashlib
from uuid import uuid4

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


def _declared(spec: dict, path: str, method: str, status: int) -> Draft202012Validator | None:
    """The validator of the JSON body the spec declares for this status (None: no body);
    fails when the spec does not declare the status at all."""
    responses = spec["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} answered {status}: not declared"
    content = responses[str(status)].get("content", {}).get("application/json")
    if content is None:
        return None
    root = copy.deepcopy(spec)
    return Draft202012Validator(content["schema"] | {"components": root["components"]})


def test_every_real_response_is_declared_with_its_body(client, bearer):
    """Each request below gets a status the spec declares for that operation, and its body
    follows the schema declared for that status: saves, replays, conflicts (with `current`),
    refusals, photos and the feed."""
    from tests.factories import image_bytes

    spec, headers = openapi_document(), bearer()
    viewer = bearer("viewer", None, "30")
    site, photo = "/api/v1/sites/{uuid}", "/api/v1/photos/{sha256}"
    example = EXAMPLE_SITE | {"photos": []}
    url = f"/api/v1/sites/{example['uuid']}"
    png = image_bytes("PNG", (20, 20))
    sha = hashlib.sha256(png).hexdigest()
    text_sha = hashlib.sha256(b"plain text").hexdigest()
    calls = [
        (site, "put", lambda: client.put(url, json=example, headers=headers), 201),
        (site, "put", lambda: client.put(url, json=example, headers=headers), 200),
        (site, "put", lambda: client.put(url, json=example | {"seats": 3}, headers=headers), 409),
        (
            site,
            "put",
            lambda: client.put(url, json=example | {"seats": -1}, headers=headers),
            422,
        ),
        (site, "put", lambda: client.put(url, data=b"{", headers=headers), 400),
        (site, "put", lambda: client.put(url, json=example), 401),
        (site, "put", lambda: client.put(url, json=example, headers=viewer), 403),
        (site, "get", lambda: client.get(url, headers=headers), 200),
        (site, "get", lambda: client.get(f"/api/v1/sites/{uuid4()}", headers=headers), 404),
        (
            "/api/v1/sync/push",
            "post",
            lambda: client.post("/api/v1/sync/push", json={"sites": [document()]}, headers=headers),
            200,
        ),
        (
            "/api/v1/sync/push",
            "post",
            lambda: client.post("/api/v1/sync/push", json={"sites": []}, headers=viewer),
            403,
        ),
        (
            "/api/v1/sync/changes",
            "get",
            lambda: client.get("/api/v1/sync/changes?since=0", headers=headers),
            200,
        ),
        (photo, "put", lambda: client.put(f"/api/v1/photos/{sha}", data=png, headers=headers), 201),
        (photo, "put", lambda: client.put(f"/api/v1/photos/{sha}", data=png, headers=headers), 200),
        (
            photo,
            "put",
            lambda: client.put(f"/api/v1/photos/{'0' * 64}", data=png, headers=headers),
            400,
        ),
        (
            photo,
            "put",
            lambda: client.put(f"/api/v1/photos/{text_sha}", data=b"plain text", headers=headers),
            415,
        ),
    ]
    for path, method, call, expected in calls:
        response = call()
        assert response.status_code == expected, (method, path, response.get_data()[:200])
        validator = _declared(spec, path, method, expected)
        if validator is not None:
            assert response.is_json, (method, path, expected, response.get_data()[:200])
            validator.validate(response.get_json())
    conflict = client.put(url, json=example | {"seats": 3}, headers=headers).get_json()
    _validator(spec, "SiteDocument").validate(conflict["current"])  # the server's document
