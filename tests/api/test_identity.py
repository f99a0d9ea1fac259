"""CONTRACT §1 as changed: the same phone with another name is refused, tokens are revoked and expire."""

from datetime import timedelta

from quizapp.extensions import db
from quizapp.models import Participant, ParticipantToken


def test_same_phone_and_name_is_the_same_person_with_a_new_token(api):
    first = api.register(phone="13812345678", name="王秀英")
    # Typed again with a trailing space and a full-width space inside the number: the same person.
    again = api.register(phone="138 1234 5678", name="王秀英　")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["participant_id"] == first.get_json()["participant_id"]
    assert again.get_json()["token"] != first.get_json()["token"]


def test_same_phone_with_another_name_is_409_and_reveals_nothing(api, app):
    api.register(phone="13812345678", name="王秀英", region="呼和浩特市")
    owner_token = api.token
    response = api.register(phone="13812345678", name="李四", region="包头市")
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"]["code"] == "phone_registered" and "token" not in body
    text = response.get_data(as_text=True)
    assert "王" not in text and "秀英" not in text and "呼和浩特" not in text
    with app.app_context():
        person = db.session.execute(db.select(Participant).filter_by(phone="13812345678")).scalar_one()
        assert person.name == "王秀英"  # the typed name did not overwrite it
        assert db.session.query(ParticipantToken).filter_by(participant_id=person.id).count() == 1
    assert api.me(owner_token).status_code == 200


def test_logout_revokes_only_that_token(api):
    api.register(phone="13812345678")
    first = api.token
    api.register(phone="13812345678")
    second = api.token
    out = api.client.post("/api/v1/contests/demo/logout", headers=api.headers(first))
    assert out.status_code == 204
    assert api.me(first).status_code == 401
    assert api.client.post("/api/v1/contests/demo/logout", headers=api.headers(first)).status_code == 401
    assert api.me(second).status_code == 200


def test_tokens_expire_after_the_contest_its_draw_period_and_publicity(api, app, clock):
    api.register()
    started = api.start()
    attempt_id = started.get_json()["attempt_id"]
    api.submit(attempt_id, {})
    with app.app_context():
        ends_at = db.session.execute(db.select(Participant)).scalar_one().contest.ends_at
    # Default: 30 days for the draw plus the contest's 7 days of 公示 after the end.
    clock.now = ends_at + timedelta(days=37) - timedelta(seconds=1)
    assert api.me().status_code == 200
    assert api.show(attempt_id).status_code == 200
    clock.now = ends_at + timedelta(days=37, seconds=1)
    assert api.me().status_code == 401
    assert api.show(attempt_id).status_code == 401


def test_token_expiry_follows_the_configured_draw_period(api, app, clock):
    api.register()
    app.config["TOKEN_DRAW_PERIOD_DAYS"] = 3
    with app.app_context():
        ends_at = db.session.execute(db.select(Participant)).scalar_one().contest.ends_at
    clock.now = ends_at + timedelta(days=11)  # 3 + 7 days of 公示 are over
    assert api.me().status_code == 401


def test_age_confirmation_may_be_left_out_but_not_refused(api):
    assert api.register(phone="13812345678", age_confirmed=True).status_code == 201
    refused = api.register(phone="13900000000", age_confirmed=False)
    assert refused.status_code == 422 and set(refused.get_json()["error"]["fields"]) == {"age_confirmed"}
    bad = api.register(phone="13900000001", publish_consent="yes")
    assert bad.status_code == 422 and "publish_consent" in bad.get_json()["error"]["fields"]


def test_publish_consent_is_stored(api, app):
    api.register(phone="13812345678", publish_consent=True)
    api.register(phone="13900000000", name="李四")
    with app.app_context():
        stored = dict(db.session.execute(db.select(Participant.phone, Participant.publish_consent)).all())
    assert stored == {"13812345678": True, "13900000000": False}
