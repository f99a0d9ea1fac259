"""Rate limits (CONTRACT §1): a school on one Wi-Fi gets through; one phone or one token is throttled."""

from __future__ import annotations

import json
import os
import secrets

import pytest

from quizapp.extensions import db
from quizapp.services.banks import import_bank_bytes
from quizapp.services.contests import load_contest
from tests.conftest import Api, contest_definition, make_app, sample_bank

REDIS_URL = os.environ.get("TEST_REDIS_URL")


def limited_app(database_targets, clock, **extra):
    """An app with rate limiting on and the sample contest loaded."""
    # No launch budget (tests/api/test_admission.py has its own): a fast machine's burst of 300 would trip it.
    config = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", "ADMISSION_REGISTER_PER_SECOND": 0,
              "ADMISSION_START_PER_SECOND": 0, **extra}
    app = make_app(database_targets["sqlite"], clock, **config)
    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(), clock.now)
    return app


@pytest.fixture
def apps(database_targets):
    """Apps built by a test; their engines are disposed afterwards."""
    built = []
    yield built
    for app in built:
        with app.app_context():
            db.engine.dispose()


def random_phone() -> str:
    """A valid mainland mobile number that no earlier run used (keys in a shared Redis stay apart)."""
    return f"1{secrets.choice('3456789')}{secrets.randbelow(10**9):09d}"


def register(client, phone: str, slug: str = "demo", **headers):
    body = {"name": "张三", "phone": phone, "region": "包头市", "consent": True}
    return client.post(f"/api/v1/contests/{slug}/participants", json=body, headers=headers)


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.get_json()
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert response.get_json()["error"]["message"]
    retry_after = response.headers.get("Retry-After")
    assert retry_after is not None and retry_after.isdigit() and 0 < int(retry_after) <= 3600, retry_after


def test_a_school_on_one_wifi_gets_through(database_targets, clock, apps):
    app = limited_app(database_targets, clock)
    apps.append(app)
    client = app.test_client()
    statuses = [register(client, f"139{n:08d}").status_code for n in range(300)]
    assert statuses == [201] * 300
    # And each of them can start a round.
    player = Api(client, "demo")
    player.register(phone="13900000299")
    assert player.start().status_code == 201


def test_one_phone_is_throttled(database_targets, clock, apps):
    app = limited_app(database_targets, clock)
    apps.append(app)
    assert app.config["RATELIMIT_PER_PHONE"] == "10 per minute"
    client = app.test_client()
    phone = random_phone()
    responses = [register(client, phone) for _ in range(10)]
    assert [r.status_code for r in responses] == [201] + [200] * 9
    # The same number written another way is the same phone.
    assert_throttled(register(client, f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}"))
    assert_throttled(register(client, phone))
    # Other phones behind the same address are not affected.
    assert register(client, random_phone()).status_code == 201


def test_ip_ceiling_is_configurable(database_targets, clock, apps):
    app = limited_app(database_targets, clock, RATELIMIT_PER_IP="5 per minute")
    apps.append(app)
    client = app.test_client()
    assert [register(client, random_phone()).status_code for _ in range(5)] == [201] * 5
    assert_throttled(register(client, random_phone()))
    other = register(client, random_phone(), **{"X-Forwarded-For": "10.0.0.2"})
    assert other.status_code == 429  # the address is the socket's, not a header anyone can set
    assert register(app.test_client(), random_phone()).status_code == 429


def test_answer_saves_are_throttled_per_token(database_targets, clock, apps):
    app = limited_app(database_targets, clock, RATELIMIT_PER_TOKEN="5 per minute")
    apps.append(app)
    client = app.test_client()
    first, second = Api(client, "demo"), Api(client, "demo")
    first.register(phone=random_phone())
    second.register(phone=random_phone())
    attempt = first.start().get_json()
    question = attempt["questions"][0]
    choice = [question["options"][0]["id"]]
    for _ in range(5):
        assert first.save(attempt["attempt_id"], question["id"], choice).status_code == 204
    assert_throttled(first.save(attempt["attempt_id"], question["id"], choice))
    # Another participant (another token) behind the same address still saves.
    other = second.start().get_json()
    other_question = other["questions"][0]
    saved = second.save(other["attempt_id"], other_question["id"], [other_question["options"][0]["id"]])
    assert saved.status_code == 204


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set")
def test_one_phone_is_throttled_with_redis(database_targets, clock, apps):
    app = limited_app(database_targets, clock, RATELIMIT_STORAGE_URI=REDIS_URL)
    apps.append(app)
    client = app.test_client()
    phone = random_phone()
    assert [register(client, phone).status_code for _ in range(10)] == [201] + [200] * 9
    assert_throttled(register(client, phone))
    assert register(client, random_phone()).status_code == 201


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set")
def test_redis_limits_are_shared_between_app_servers(database_targets, clock, apps):
    first = limited_app(database_targets, clock, RATELIMIT_STORAGE_URI=REDIS_URL)
    apps.append(first)
    phone = random_phone()
    client = first.test_client()
    assert [register(client, phone).status_code for _ in range(6)] == [201] + [200] * 5
    # A second server: a separate app object using the same Redis (same database, too).
    second = make_app(database_targets["sqlite"], clock, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL)
    apps.append(second)
    with second.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(), clock.now)
    other = second.test_client()
    assert [register(other, phone).status_code for _ in range(4)] == [201] + [200] * 3
    assert_throttled(register(other, phone))
    assert_throttled(register(client, phone))


def test_limiter_settings_belong_to_each_app(database_targets, clock, apps):
    """The limiter is one module-level object bound to every app: later apps must not
    switch an earlier app's limits off (or on), nor share its counters."""
    limited = limited_app(database_targets, clock)
    apps.append(limited)
    phone = random_phone()
    client = limited.test_client()
    assert [register(client, phone).status_code for _ in range(10)] == [201] + [200] * 9

    unlimited = make_app(database_targets["sqlite"], clock)  # RATELIMIT_ENABLED False
    apps.append(unlimited)
    assert_throttled(register(client, phone))

    fresh = limited_app(database_targets, clock)  # its own in-memory counters (and a wiped database)
    apps.append(fresh)
    assert register(fresh.test_client(), phone).status_code == 201
    assert_throttled(register(client, phone))

    # The unlimited app stays unlimited even though limited apps exist.
    open_client = unlimited.test_client()
    statuses = {register(open_client, phone).status_code for _ in range(15)}
    assert statuses == {200}


def test_limit_keys_survive_hostile_bodies(database_targets, clock, apps):
    """The per-phone key reads the body before the view does: bad bodies must still get 4xx."""
    app = limited_app(database_targets, clock, MAX_CONTENT_LENGTH=2048)
    apps.append(app)
    client = app.test_client()
    url = "/api/v1/contests/demo/participants"
    huge = {"name": "张三", "phone": random_phone(), "region": "包头市", "consent": True, "pad": "x" * 5000}
    assert client.post(url, json=huge).status_code == 413
    for raw in ("{broken", "[1, 2]", '{"phone": 13812345678}', '{"phone": ["1"]}', '"x"'):
        response = client.post(url, data=raw, content_type="application/json")
        assert 400 <= response.status_code < 500 and response.get_json()["error"]["code"], raw


def test_the_registration_form_is_throttled_per_phone_too(database_targets, clock, apps):
    app = limited_app(database_targets, clock, RATELIMIT_PER_PHONE="2 per minute")
    apps.append(app)
    phone = random_phone()
    form = {"name": "张三", "phone": phone, "region": "包头市", "consent": "y", "age_confirmed": "y"}
    statuses = [app.test_client().post("/c/demo/register", data=form).status_code for _ in range(3)]
    assert statuses[:2] == [302, 302] and statuses[2] == 429
    other = app.test_client().post("/c/demo/register", data={**form, "phone": random_phone()})
    assert other.status_code == 302  # another phone from the same address still gets through
