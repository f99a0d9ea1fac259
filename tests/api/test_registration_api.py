"""POST /contests/{slug}/participants: validation, re-registration, the contest window."""

import json

from tests.conftest import contest_definition


def test_register_returns_token_and_same_phone_gets_same_participant(api):
    first = api.register(phone="13812345678")
    assert first.status_code == 201
    again = api.register(phone="+86 138-1234-5678", name="张三")
    assert again.status_code == 200
    assert again.get_json()["participant_id"] == first.get_json()["participant_id"]
    assert again.get_json()["token"] != first.get_json()["token"]
    # Both tokens keep working: a second phone or browser does not log the first out.
    for token in (first.get_json()["token"], again.get_json()["token"]):
        assert api.me(token).status_code == 200


def test_validation_errors_name_every_field(api):
    response = api.client.post("/api/v1/contests/demo/participants",
                               json={"name": " ", "phone": "12345", "region": "火星", "consent": "true"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"name", "phone", "region", "consent"}
    assert all(isinstance(reason, str) and reason for reason in error["fields"].values())


def test_name_limit_is_32_characters_after_trimming(api):
    assert api.register(name="  " + "李" * 32 + "  ").status_code == 201
    too_long = api.register(phone="13900000000", name="李" * 33)
    assert too_long.status_code == 422 and "name" in too_long.get_json()["error"]["fields"]


def test_bad_json_and_non_object_bodies_are_400(api):
    url = "/api/v1/contests/demo/participants"
    broken = api.client.post(url, data="{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.get_json()["error"]["code"] == "bad_json"
    listed = api.client.post(url, data=json.dumps([1, 2]), content_type="application/json")
    assert listed.status_code == 400 and listed.get_json()["error"]["code"] == "bad_json"


def test_unknown_contest_is_404_envelope(api):
    response = api.client.post("/api/v1/contests/nope/participants", json={})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_registration_needs_an_open_contest(api, clock):
    clock.advance(days=60)
    response = api.register()
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "contest_not_open"


def test_same_phone_in_another_contest_is_another_participant(app, api, clock):
    from quizapp.services.contests import load_contest

    with app.app_context():
        load_contest(contest_definition(slug="other"), clock.now)
    first = api.register().get_json()["participant_id"]
    other = api.client.post("/api/v1/contests/other/participants",
                            json={"name": "张三", "phone": "13812345678", "region": "包头市", "consent": True})
    assert other.status_code == 201
    assert other.get_json()["participant_id"] != first


def test_token_of_one_contest_does_not_work_in_another(app, api, clock):
    from quizapp.services.contests import load_contest

    with app.app_context():
        load_contest(contest_definition(slug="other"), clock.now)
    api.register()
    response = api.client.post("/api/v1/contests/other/attempts", headers=api.headers())
    assert response.status_code == 404


def test_contest_view_follows_the_contract(api, clock):
    body = api.client.get("/api/v1/contests/demo").get_json()
    assert body["status"] == "open"
    assert body["starts_at"] == "2026-11-15T00:00:00+08:00"
    assert body["round"] == {"question_count": 8, "time_limit_seconds": 600, "attempts_per_day": 3,
                             "max_attempts": 5, "pass_score": 30, "max_score": 50.0}
    assert body["prizes"][0] == {"tier": 1, "name": "一等奖", "count": 1}
    assert "个人信息" in body["consent_text"]
    clock.advance(days=60)
    assert api.client.get("/api/v1/contests/demo").get_json()["status"] == "closed"
