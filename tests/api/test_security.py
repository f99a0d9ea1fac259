"""Headers, error envelopes, hostile input and secrets (CONTRACT §1)."""

from __future__ import annotations

import json
import os
import re
import stat

import pytest

from quizapp.config import load_secret_key
from quizapp.extensions import db
from quizapp.models import Attempt, ParticipantToken
from quizapp.services.banks import import_bank_bytes
from quizapp.services.contests import load_contest
from tests.conftest import Api, contest_definition, make_app, sample_bank

URLSAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def assert_envelope(response, status: int | None = None, code: str | None = None) -> dict:
    """A 4xx/5xx JSON error in the CONTRACT envelope; returns the error object."""
    if status is None:
        assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:300])
    else:
        assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
    return error


def csp_directives(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as directive -> sources."""
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


# --- headers -------------------------------------------------------------------------------


def assert_security_headers(response) -> None:
    csp = csp_directives(response)
    assert csp.get("script-src") == ["'self'"], csp
    assert "'unsafe-inline'" not in csp.get("script-src", []) + csp.get("default-src", [])
    assert csp.get("frame-ancestors") == ["'none'"], csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") in {"same-origin", "strict-origin-when-cross-origin", "no-referrer",
                                                       "strict-origin"}


def test_security_headers_on_api_and_pages(app, client, contest):
    assert_security_headers(client.get(f"/api/v1/contests/{contest}"))
    assert_security_headers(client.get("/api/v1/openapi.json"))
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert_security_headers(page)
    if any(rule.rule.startswith("/c/") for rule in app.url_map.iter_rules()):
        landing = client.get(f"/c/{contest}")
        assert landing.status_code == 200
        assert_security_headers(landing)


def test_personal_responses_are_not_cached(app, api):
    registered = api.register()
    assert registered.headers.get("Cache-Control") == "no-store"
    started = api.start()
    assert started.headers.get("Cache-Control") == "no-store"
    attempt_id = started.get_json()["attempt_id"]
    resumed = api.start()
    assert resumed.status_code == 200 and resumed.headers.get("Cache-Control") == "no-store"
    assert api.show(attempt_id).headers.get("Cache-Control") == "no-store"
    assert api.me().headers.get("Cache-Control") == "no-store"
    submitted = api.submit(attempt_id)
    assert submitted.status_code == 200 and submitted.headers.get("Cache-Control") == "no-store"
    assert api.show(attempt_id).headers.get("Cache-Control") == "no-store"
    # A refused personal call is not cached either.
    assert api.me(token="not-a-real-token").headers.get("Cache-Control") == "no-store"


# --- error envelopes -----------------------------------------------------------------------


def test_unknown_api_route_is_a_404_envelope(client):
    error = assert_envelope(client.get("/api/v1/no/such/thing"), 404, "not_found")
    assert "fields" not in error
    assert_envelope(client.get("/api/v1/contests/does-not-exist"), 404, "not_found")


def test_wrong_method_is_a_405_envelope(client, contest):
    response = client.delete(f"/api/v1/contests/{contest}")
    assert_envelope(response, 405)
    assert "GET" in response.headers.get("Allow", "")
    assert_envelope(client.get("/api/v1/attempts/abc/submit"), 405)


def test_oversized_body_is_a_413_envelope(database_targets, clock):
    app = make_app(database_targets["sqlite"], clock, MAX_CONTENT_LENGTH=2048)
    try:
        with app.app_context():
            import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
            load_contest(contest_definition(), clock.now)
        body = {"name": "张三", "phone": "13812345678", "region": "包头市", "consent": True, "pad": "x" * 5000}
        response = app.test_client().post("/api/v1/contests/demo/participants", json=body)
        assert_envelope(response, 413)
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def crashing_app(database_targets, clock):
    """An app like production (no TESTING, exceptions not propagated) with routes that raise."""
    app = make_app(database_targets["sqlite"], clock, TESTING=False, PROPAGATE_EXCEPTIONS=False)

    def boom():
        raise RuntimeError("secret internal detail /etc/passwd")

    app.add_url_rule("/api/v1/test-boom", "api_test_boom", boom)
    app.add_url_rule("/test-boom", "page_test_boom", boom)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_unexpected_exception_is_a_500_without_traceback(crashing_app):
    client = crashing_app.test_client()
    response = client.get("/api/v1/test-boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert response.get_json()["error"]["code"]
    for leak in ("Traceback", "RuntimeError", "secret internal detail", "/etc/passwd", ".py"):
        assert leak not in body
    page = client.get("/test-boom")
    assert page.status_code == 500 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "Traceback" not in text and "secret internal detail" not in text


# --- hostile input -------------------------------------------------------------------------


def raw_post(client, url, data: str, headers=None):
    return client.post(url, data=data, content_type="application/json", headers=headers or {})


def test_malformed_json_is_bad_json(api, client):
    for broken in ('{"name": "张三",', "{'name': 1}", "\xff\xfe", "nul"):
        assert_envelope(raw_post(client, "/api/v1/contests/demo/participants", broken), 400, "bad_json")
    api.register()
    attempt = api.start().get_json()
    question = attempt["questions"][0]["id"]
    response = client.put(f"/api/v1/attempts/{attempt['attempt_id']}/answers/{question}", data="{oops",
                          content_type="application/json", headers=api.headers())
    assert_envelope(response, 400, "bad_json")
    response = raw_post(client, f"/api/v1/attempts/{attempt['attempt_id']}/submit", "{oops", api.headers())
    assert_envelope(response, 400, "bad_json")
    assert api.show(attempt["attempt_id"]).get_json()["status"] == "running"


REGISTRATIONS = {
    "array-body": [{"name": "张三", "phone": "13812345678", "region": "包头市", "consent": True}],
    "string-body": "张三",
    "null-body": None,
    "number-body": 42,
    "huge-phone": {"name": "张三", "phone": "1" * 10240, "region": "包头市", "consent": True},
    "numeric-phone": {"name": "张三", "phone": 13812345678, "region": "包头市", "consent": True},
    "name-number": {"name": 123, "phone": "13812345678", "region": "包头市", "consent": True},
    "name-list": {"name": ["张三"], "phone": "13812345678", "region": "包头市", "consent": True},
    "name-object": {"name": {"x": 1}, "phone": "13812345678", "region": "包头市", "consent": True},
    "region-list": {"name": "张三", "phone": "13812345678", "region": ["包头市"], "consent": True},
    "consent-string": {"name": "张三", "phone": "13812345678", "region": "包头市", "consent": "true"},
    "channel-object": {"name": "张三", "phone": "13812345678", "region": "包头市", "consent": True,
                       "channel": {"a": 1}},
    "huge-name": {"name": "张" * 10000, "phone": "13812345678", "region": "包头市", "consent": True},
    "deep-nesting": {"name": json.loads("[" * 50 + "]" * 50), "phone": "13812345678", "region": "包头市",
                     "consent": True},
}


@pytest.mark.parametrize("body", list(REGISTRATIONS.values()), ids=list(REGISTRATIONS))
def test_hostile_registration_is_4xx_never_500(app, client, contest, body):
    response = raw_post(client, f"/api/v1/contests/{contest}/participants", json.dumps(body))
    assert_envelope(response)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(ParticipantToken.token_hash))).scalar_one() == 0


def test_hostile_registration_fields_are_named(client, contest):
    cases = {"huge-phone": "phone", "name-number": "name", "region-list": "region", "consent-string": "consent"}
    for case, field in cases.items():
        response = raw_post(client, f"/api/v1/contests/{contest}/participants", json.dumps(REGISTRATIONS[case]))
        error = assert_envelope(response, 422, "validation_error")
        assert field in error.get("fields", {}), (case, error)


@pytest.mark.parametrize("body", [
    {"option_ids": "A"}, {"option_ids": {"a": 1}}, {"option_ids": [1, 2]}, {"option_ids": None}, {"option_ids": [[]]},
    {}, [], ["x"], "x", 3, {"option_ids": ["x" * 10000]},
], ids=["string", "object", "ints", "null", "nested", "missing", "array", "array2", "string-body", "number",
        "huge-id"])
def test_hostile_answer_is_4xx_never_500(api, client, body):
    api.register()
    attempt = api.start().get_json()
    question = attempt["questions"][0]["id"]
    response = client.put(f"/api/v1/attempts/{attempt['attempt_id']}/answers/{question}",
                          data=json.dumps(body), content_type="application/json", headers=api.headers())
    assert_envelope(response)
    assert api.show(attempt["attempt_id"]).get_json()["answers"] == {}


@pytest.mark.parametrize("body", [
    {"answers": ["x"]}, {"answers": "x"}, {"answers": 1}, {"answers": {"nope": ["a"]}}, {"answers": {"Q": "A"}},
    [], "x",
], ids=["list", "string", "number", "unknown-question", "string-choice", "array-body", "string-body"])
def test_hostile_submit_is_4xx_and_keeps_attempt_open(api, client, body):
    api.register()
    attempt = api.start().get_json()
    if isinstance(body, dict) and isinstance(body["answers"], dict) and "Q" in body["answers"]:
        body = {"answers": {attempt["questions"][0]["id"]: "A"}}
    response = raw_post(client, f"/api/v1/attempts/{attempt['attempt_id']}/submit", json.dumps(body), api.headers())
    assert_envelope(response)
    assert api.show(attempt["attempt_id"]).get_json()["status"] == "running"


def test_hostile_paths_and_headers_are_4xx(api, client):
    api.register()
    for auth in ("Bearer", "Bearer " + "x" * 5000, "Basic abc", "bearer  ", "Bearer \u4e2d\u6587"):
        assert_envelope(client.get("/api/v1/contests/demo/me", headers={"Authorization": auth}), 401)
    assert_envelope(api.show("x" * 500), 404)
    assert_envelope(api.show("../../etc/passwd"), 404)
    assert_envelope(api.save("x" * 500, "q", ["a"]), 404)
    assert client.get("/api/v1/contests/demo/leaderboard?limit=-5").status_code == 200
    assert client.get("/api/v1/contests/demo/leaderboard?limit=abc").status_code == 200
    assert client.get("/api/v1/contests/demo/leaderboard?limit=99999999999999999999").status_code == 200


# --- secrets: tokens, attempt ids, sessions, SECRET_KEY -----------------------------------


def test_tokens_are_long_random_and_stored_only_hashed(app, api):
    tokens = []
    for n in range(4):
        response = api.register(phone=f"1381234{n:04d}")
        assert response.status_code == 201
        tokens.append(response.get_json()["token"])
    again = api.register(phone="13812340000")
    assert again.status_code == 200
    tokens.append(again.get_json()["token"])
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        assert len(token) >= 22 and URLSAFE.match(token), token
    with app.app_context():
        rows = db.session.execute(db.select(ParticipantToken)).scalars().all()
        stored = [str(value) for row in rows for value in vars(row).values()]
    assert len(rows) == len(tokens)
    for token in tokens:
        assert all(token not in value for value in stored)
    # Both tokens of the re-registered phone still work.
    assert api.me(token=tokens[0]).status_code == 200
    assert api.me(token=tokens[-1]).status_code == 200


def test_attempt_ids_are_long_hex_and_random(app, client, contest):
    ids = []
    for n in range(6):
        player = Api(client, contest)
        assert player.register(phone=f"1391234{n:04d}").status_code == 201
        ids.append(player.start().get_json()["attempt_id"])
    for attempt_id in ids:
        assert len(attempt_id) >= 32 and re.fullmatch(r"[0-9a-f]+", attempt_id), attempt_id
    assert len(set(ids)) == len(ids)
    assert len({attempt_id[:8] for attempt_id in ids}) == len(ids), "ids share a prefix: time- or counter-based?"
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Attempt.id))).scalar_one() == 6


def test_session_cookie_flags(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    with app.test_request_context("/"):
        from flask import session

        session["probe"] = "1"
        response = app.response_class()
        app.session_interface.save_session(app, session, response)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # a local http run must still keep its session


def test_page_registration_sets_a_protected_session_cookie(app, client, contest):
    if not any(rule.rule == "/c/<slug>/register" for rule in app.url_map.iter_rules()):
        pytest.skip("participant pages not there yet")
    form = {"name": "张三", "phone": "13812345678", "region": "包头市", "consent": "y", "age_confirmed": "y"}
    response = client.post(f"/c/{contest}/register", data=form)
    assert response.status_code in (302, 303), response.status_code
    cookies = [value for name, value in response.headers.items() if name == "Set-Cookie"]
    session_cookie = next(c for c in cookies if c.startswith(app.config.get("SESSION_COOKIE_NAME", "session") + "="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert response.headers.get("Cache-Control") == "no-store"
    with app.app_context():  # one registration, one token
        assert db.session.execute(db.select(db.func.count(ParticipantToken.token_hash))).scalar_one() == 1


def test_session_cookie_secure_switch(database_targets, clock, monkeypatch):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    app = make_app(database_targets["sqlite"], clock)
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
        with app.test_request_context("/"):
            from flask import session

            session["probe"] = "1"
            response = app.response_class()
            app.session_interface.save_session(app, session, response)
        assert "Secure" in response.headers.get("Set-Cookie", "")
    finally:
        with app.app_context():
            db.engine.dispose()


def test_secret_key_generated_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    first = load_secret_key(instance)
    second = load_secret_key(instance)
    assert first == second and len(first) >= 32
    key_file = next(instance.iterdir())
    assert key_file.read_text().strip() == first
    if os.name == "posix":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_secret_key(tmp_path / "other") != first  # generated, never a constant

    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert load_secret_key(instance) == "from-the-environment"
