"""Launch-spike admission (issue 11): one per-second budget of registrations and of round starts for
the whole cluster, shared by every client; over it, a quick 429 with an honest, small Retry-After."""

from __future__ import annotations

import json
import os
import random
import time

import pytest

from quizapp.config import settings_from_env
from quizapp.extensions import db
from quizapp.services.banks import import_bank_bytes
from quizapp.services.contests import load_contest
from tests.api.test_faults import UNREACHABLE_REDIS
from tests.api.test_rate_limits import random_phone
from tests.conftest import Api, backend_params, contest_definition, make_app, sample_bank

REDIS_URL = os.environ.get("TEST_REDIS_URL")


def budget_app(target: dict, clock, **extra):
    """An app with rate limits on (in-memory counters unless told), without the sample contest yet."""
    config = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
              "ADMISSION_REGISTER_PER_SECOND": 2, "ADMISSION_START_PER_SECOND": 0, **extra}
    return make_app(target, clock, **config)


def load_sample(app, clock) -> None:
    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(), clock.now)


@pytest.fixture(params=backend_params())
def target(request, database_targets):
    """The database of this run: SQLite, and PostgreSQL when TEST_DATABASE_URL is set."""
    return database_targets[request.param]


@pytest.fixture
def build(target, clock):
    """Factory of budget apps on `target`; every engine is disposed afterwards."""
    built = []

    def make(load: bool = True, **extra):
        app = budget_app(target, clock, **extra)
        built.append(app)
        if load:
            load_sample(app, clock)
        return app

    yield make
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def register(client, phone: str):
    body = {"name": "张三", "phone": phone, "region": "包头市", "consent": True}
    return client.post("/api/v1/contests/demo/participants", json=body)


def assert_queued(response) -> int:
    """A 429 rate_limited that says 排队 and asks for 1–5 seconds; returns the seconds."""
    assert response.status_code == 429, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["code"] == "rate_limited"
    assert "排队" in error["message"]
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit() and 1 <= int(retry_after) <= 5, retry_after
    return int(retry_after)


def burst(client, count: int) -> list:
    """`count` registrations of different phones, well inside one second (else the test says so)."""
    began = time.monotonic()
    responses = [register(client, random_phone()) for _ in range(count)]
    assert time.monotonic() - began < 0.9, "too slow to fit one budget window"
    return responses


def test_the_third_registration_in_a_second_queues_and_gets_in_after_retry_after(build):
    client = build().test_client()
    first, second, third = burst(client, 3)
    assert [first.status_code, second.status_code] == [201, 201]
    wait = assert_queued(third)  # three different phones: the shared budget, not the per-phone limit
    time.sleep(wait)
    assert register(client, random_phone()).status_code == 201


def test_a_refused_phone_keeps_its_own_allowance(build):
    """Waiting in the queue must not use up the per-phone limit (2 here): the budget is checked first."""
    app = build(RATELIMIT_PER_PHONE="2 per minute", ADMISSION_REGISTER_PER_SECOND=1)
    client = app.test_client()
    phone = random_phone()
    assert register(client, random_phone()).status_code == 201
    for _ in range(3):
        assert_queued(register(client, phone))
    time.sleep(1.05)
    assert register(client, phone).status_code == 201


def test_the_page_form_and_the_api_share_one_budget(build):
    client = build().test_client()
    assert register(client, random_phone()).status_code == 201
    form = {"name": "李四", "phone": random_phone(), "region": "包头市", "consent": "y", "age_confirmed": "y"}
    assert client.post("/c/demo/register", data=form).status_code == 302
    assert_queued(register(client, random_phone()))


def test_a_deep_queue_is_spread_over_the_next_seconds(build):
    """The Nth refusal in a window waits about N/budget seconds more, never more than 5."""
    client = build().test_client()
    waits = [int(r.headers["Retry-After"]) for r in burst(client, 40)[2:]]
    assert waits[:2] == [1, 1] and waits == sorted(waits), waits
    assert waits[-1] == 5 and max(waits) <= 5, waits


def test_starts_have_their_own_budget(build):
    app = build(ADMISSION_REGISTER_PER_SECOND=0, ADMISSION_START_PER_SECOND=2)
    players = [Api(app.test_client(), "demo") for _ in range(3)]
    for player in players:
        assert player.register(phone=random_phone()).status_code == 201
    assert [players[0].start().status_code, players[1].start().status_code] == [201, 201]
    wait = assert_queued(players[2].start())
    time.sleep(wait)
    assert players[2].start().status_code == 201


def test_attempts_exhausted_stays_the_domain_429(build, clock):
    app = build(ADMISSION_START_PER_SECOND=1000)
    player = Api(app.test_client(), "demo")
    assert player.register(phone=random_phone()).status_code == 201
    for _ in range(3):  # the sample contest allows 3 rounds a day
        attempt = player.start().get_json()
        assert player.submit(attempt["attempt_id"], {}).status_code == 200
    refused = player.start()
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "attempts_exhausted"


def test_a_disabled_budget_never_limits(build):
    client = build(ADMISSION_REGISTER_PER_SECOND=0).test_client()
    assert {r.status_code for r in burst(client, 25)} == {201}
    client = build(ADMISSION_REGISTER_PER_SECOND="").test_client()
    assert {r.status_code for r in burst(client, 10)} == {201}


def test_budgets_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("ADMISSION_REGISTER_PER_SECOND", raising=False)
    monkeypatch.setenv("ADMISSION_START_PER_SECOND", "")
    settings = settings_from_env(tmp_path)
    assert (settings["ADMISSION_REGISTER_PER_SECOND"], settings["ADMISSION_START_PER_SECOND"]) == (200, 0)
    monkeypatch.setenv("ADMISSION_REGISTER_PER_SECOND", "0")
    monkeypatch.setenv("ADMISSION_START_PER_SECOND", " 350 ")
    settings = settings_from_env(tmp_path)
    assert (settings["ADMISSION_REGISTER_PER_SECOND"], settings["ADMISSION_START_PER_SECOND"]) == (0, 350)


def test_a_per_phone_refusal_names_its_real_reset(build):
    """Retry-After is the limiter's own reset, rounded up: here within 10 s, not a stock 60."""
    client = build(RATELIMIT_PER_PHONE="1 per 10 seconds", ADMISSION_REGISTER_PER_SECOND=0).test_client()
    phone = random_phone()
    assert register(client, phone).status_code == 201
    refused = register(client, phone)
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 10, refused.headers["Retry-After"]


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set")
def test_two_app_servers_share_one_budget_through_redis(build, clock):
    # A budget no other test uses, so that a concurrent run on the same Redis keeps to its own counter.
    budget = random.randint(3, 40)
    first = build(load=False, RATELIMIT_STORAGE_URI=REDIS_URL, ADMISSION_REGISTER_PER_SECOND=budget)
    second = build(load=False, RATELIMIT_STORAGE_URI=REDIS_URL, ADMISSION_REGISTER_PER_SECOND=budget)
    load_sample(first, clock)  # one database behind both servers, as in production
    one, other = first.test_client(), second.test_client()
    began = time.monotonic()
    assert [register(one, random_phone()).status_code for _ in range(budget - 1)] == [201] * (budget - 1)
    assert register(other, random_phone()).status_code == 201
    assert_queued(register(other, random_phone()))
    wait = assert_queued(register(one, random_phone()))
    assert time.monotonic() - began < 0.9, "too slow to fit one budget window"
    time.sleep(wait)
    assert register(other, random_phone()).status_code == 201


def test_with_redis_away_each_process_still_keeps_a_budget(build):
    """Redis refused: Flask-Limiter counts in process memory, so the budget holds per worker meanwhile."""
    app = build(RATELIMIT_STORAGE_URI=UNREACHABLE_REDIS, ADMISSION_REGISTER_PER_SECOND=2,
                RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.5, "socket_timeout": 0.5})
    client = app.test_client()
    statuses = [register(client, random_phone()) for _ in range(3)]
    assert [r.status_code for r in statuses[:2]] == [201, 201]
    assert_queued(statuses[2])
