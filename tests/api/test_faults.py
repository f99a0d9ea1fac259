"""Outages and hostile input never cost a participant the round (no 500s)."""

from __future__ import annotations

import json
import logging

import pytest

from quizapp.services.banks import import_bank_bytes
from quizapp.services.contests import load_contest
from quizapp.web.input_guard import MAX_JSON_DEPTH, json_depth
from tests.api.test_security import assert_envelope
from tests.conftest import Api, backend_params, contest_definition, make_app, sample_bank

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused at once


@pytest.fixture(params=backend_params())
def redis_down_api(request, database_targets, clock):
    app = make_app(database_targets[request.param], clock, RATELIMIT_ENABLED=True,
                   RATELIMIT_STORAGE_URI=UNREACHABLE_REDIS, RATELIMIT_PER_PHONE="3 per minute",
                   RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.5, "socket_timeout": 0.5})
    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(), clock.now)
    return Api(app.test_client(), "demo")


def test_redis_unreachable_falls_back_to_memory_and_the_round_goes_on(redis_down_api, caplog):
    api = redis_down_api
    with caplog.at_level(logging.WARNING, logger="flask-limiter"):
        assert api.register().status_code == 201
    assert any("unreachable" in record.getMessage() for record in caplog.records)
    started = api.start()
    assert started.status_code == 201
    attempt = started.get_json()
    question = attempt["questions"][0]
    assert api.save(attempt["attempt_id"], question["id"], [question["options"][0]["id"]]).status_code == 204
    assert api.submit(attempt["attempt_id"]).status_code == 200


def test_limits_still_hold_in_memory_while_redis_is_down(redis_down_api):
    api = redis_down_api
    statuses = [api.register().status_code for _ in range(4)]
    assert statuses[:3] == [201, 200, 200]
    assert statuses[3] == 429  # the per-phone limit (3 a minute) is now counted in process memory


def test_json_depth_ignores_brackets_inside_strings():
    assert json_depth('{"a": [1, [2]]}') == 3
    assert json_depth('{"a": "[[[[[[[[[["}') == 1
    assert json_depth('{"a": "\\"[[[["}') == 1
    assert json_depth("42") == 0


def test_deeply_nested_json_is_a_400_not_a_500(api):
    body = "[" * 1000 + "]" * 1000
    response = api.client.post("/api/v1/contests/demo/participants", data=body, content_type="application/json")
    assert_envelope(response, 400, "bad_json")
    api.register()
    attempt = api.start().get_json()
    deep = {"answers": json.loads("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))}
    response = api.client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", json=deep, headers=api.headers())
    assert_envelope(response, 400, "bad_json")
    assert api.show(attempt["attempt_id"]).get_json().get("status", "running") == "running"


def test_json_at_the_depth_limit_is_still_read(api):
    nested: object = "13812345678"
    for _ in range(MAX_JSON_DEPTH - 2):
        nested = [nested]
    body = {"name": "张三", "phone": "13812345678", "region": "包头市", "consent": True, "extra": nested}
    response = api.client.post("/api/v1/contests/demo/participants", json=body)
    assert response.status_code == 201


@pytest.mark.parametrize("path", [
    "/api/v1/contests/de%00mo",
    "/api/v1/contests/demo%01/leaderboard",
    "/api/v1/attempts/ab%00cd",
    "/api/v1/contests/demo/leaderboard?limit=1%00",
])
def test_control_characters_in_api_paths_are_refused_before_the_database(api, path):
    api.register()
    assert_envelope(api.client.get(path, headers=api.headers()), 400, "bad_request")


def test_nul_in_an_answer_path_is_refused(api):
    api.register()
    attempt = api.start().get_json()
    response = api.client.put(f"/api/v1/attempts/{attempt['attempt_id']}/answers/q%00",
                              json={"option_ids": []}, headers=api.headers())
    assert_envelope(response, 400, "bad_request")


def test_control_characters_on_pages_get_the_friendly_page(client, contest):
    for path in ("/c/de%00mo", "/c/demo?ch=a%00b", "/c/demo/leaderboard?x%7f=1"):
        response = client.get(path)
        assert response.status_code == 400
        assert response.mimetype == "text/html"
        assert "不允许的字符" in response.get_data(as_text=True)
