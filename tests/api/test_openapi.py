"""The OpenAPI 3 document describes exactly the API's routes (CONTRACT §1)."""

from __future__ import annotations

import json
import re

import pytest

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
OUTSIDE_API = {"/readyz"}  # the readiness probe is documented beside the API


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def route_table(app) -> dict[str, set[str]]:
    """OpenAPI-style path -> lower-case methods, for every /api/v1 rule of the app and OUTSIDE_API."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/v1") or rule.rule in OUTSIDE_API):
            continue
        path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)
        methods = {m.lower() for m in rule.methods} - {"head", "options"}
        routes.setdefault(path, set()).update(methods)
    return routes


def documented_table(document: dict) -> dict[str, set[str]]:
    """Path -> methods as the document lists them."""
    return {path: {m for m in item if m in HTTP_METHODS} for path, item in document["paths"].items()}


def test_document_is_openapi_3(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] and document["info"]["version"]
    assert document["paths"]


def test_every_route_is_documented_and_every_documented_path_exists(app, document):
    routes = route_table(app)
    documented = documented_table(document)
    assert len(routes) >= 9  # the CONTRACT's nine calls at least
    assert routes == documented


def test_contract_calls_are_documented(document):
    documented = documented_table(document)
    expected = {
        "/api/v1/contests/{slug}": {"get"},
        "/api/v1/contests/{slug}/participants": {"post"},
        "/api/v1/contests/{slug}/attempts": {"post"},
        "/api/v1/attempts/{attempt_id}": {"get"},
        "/api/v1/attempts/{attempt_id}/answers/{question_id}": {"put"},
        "/api/v1/attempts/{attempt_id}/submit": {"post"},
        "/api/v1/contests/{slug}/me": {"get"},
        "/api/v1/contests/{slug}/leaderboard": {"get"},
        "/api/v1/contests/{slug}/winners": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= documented.get(path, set()), path


def test_path_parameters_are_declared(document):
    for path, item in document["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            params = operation.get("parameters", []) + item.get("parameters", [])
            declared = {p["name"] for p in params if p.get("in") == "path"}
            assert names == declared, (method, path)
            assert operation["responses"], (method, path)


def test_references_resolve(document):
    schemas = document.get("components", {}).get("schemas", {})
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(document)))
    assert refs and refs <= set(schemas)


def test_bearer_calls_declare_security(document):
    schemes = document["components"]["securitySchemes"]
    bearer = [name for name, scheme in schemes.items() if scheme.get("scheme") == "bearer"]
    assert bearer
    for path, method in [("/api/v1/contests/{slug}/attempts", "post"), ("/api/v1/attempts/{attempt_id}", "get"),
                         ("/api/v1/attempts/{attempt_id}/submit", "post"), ("/api/v1/contests/{slug}/me", "get")]:
        assert document["paths"][path][method].get("security"), (path, method)

