"""The device behind the many-phones rule: a random first-party cookie on the pages, X-Client-Id on the API,
never the address and browser. 40 students on one school Wi-Fi with one phone model give 0 flags."""

from __future__ import annotations

import re

from quizapp.extensions import db
from quizapp.models import AttemptFlag, Participant
from quizapp.services import contests as contest_service
from quizapp.services import eligibility, flags
from tests.helpers import correct_answers

SLUG = "demo"
SCHOOL = {"REMOTE_ADDR": "203.0.113.7"}  # one school's Wi-Fi: every student behind the same address
PHONE_MODEL = {"User-Agent": "Mozilla/5.0 (Linux; Android 12; Redmi Note 11) MicroMessenger/8.0.40"}


def phone(i: int) -> str:
    return f"1371234{i:04d}"


def form_register(client, i: int) -> str:
    """Register through the page's form as a student of the school; returns the token the session keeps."""
    data = {"name": "李四", "phone": phone(i), "region": "包头市", "consent": "y", "age_confirmed": "y"}
    response = client.post(f"/c/{SLUG}/register", data=data, environ_base=SCHOOL, headers=PHONE_MODEL)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    with client.session_transaction() as session:
        return session["tokens"][SLUG]


def api_register(client, i: int, client_id: str | None = None) -> str:
    """Register through the API from the school's address and phone model, with X-Client-Id when given."""
    headers = {**PHONE_MODEL, **({"X-Client-Id": client_id} if client_id is not None else {})}
    body = {"name": "李四", "phone": phone(i), "region": "包头市", "consent": True}
    response = client.post(f"/api/v1/contests/{SLUG}/participants", json=body, environ_base=SCHOOL, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def pass_a_round(app, client, clock, token: str) -> None:
    """A passing round at a human pace (30 s for 8 questions), so that only the device rule could flag it."""
    auth = {"Authorization": f"Bearer {token}"}
    attempt_id = client.post(f"/api/v1/contests/{SLUG}/attempts", headers=auth).get_json()["attempt_id"]
    clock.advance(seconds=30)
    body = client.post(f"/api/v1/attempts/{attempt_id}/submit", json={"answers": correct_answers(app, attempt_id)},
                       headers=auth).get_json()
    assert body["score"] == 50


def every_flag(app) -> list[tuple[str, str]]:
    """(phone, kind) of every flag after the full re-check the draw and the review queue run."""
    with app.app_context():
        flags.review_flags(SLUG)
        return sorted(db.session.execute(
            db.select(Participant.phone, AttemptFlag.kind).join(Participant,
                                                                Participant.id == AttemptFlag.participant_id)).all())


def stored(app) -> list[Participant]:
    with app.app_context():
        return db.session.execute(db.select(Participant).order_by(Participant.id)).scalars().all()


def test_forty_students_on_one_wifi_with_one_phone_model_give_no_flags(app, clock, contest):
    students = [app.test_client() for _ in range(40)]
    for student in students:  # each opens the poster's link on their own phone, within a minute
        assert student.get(f"/c/{SLUG}", environ_base=SCHOOL, headers=PHONE_MODEL).status_code == 200
    tokens = [form_register(student, i) for i, student in enumerate(students)]
    for student, token in zip(students, tokens, strict=True):
        pass_a_round(app, student, clock, token)
    assert every_flag(app) == []
    with app.app_context():
        contest_obj = contest_service.get_contest(SLUG)
        assert flags.unresolved_count(contest_obj) == 0
        assert len(eligibility.eligible_entrants(contest_obj)) == 40
    people = stored(app)
    assert len({p.client_hash for p in people}) == 40 and all(p.client_ip == "203.0.113.7" for p in people)
    cookies = {student.get_cookie("qz_device").value for student in students}
    assert len(cookies) == 40
    # Only a keyed digest is kept, never the cookie's value itself.
    assert all(re.fullmatch(r"[0-9a-f]{64}", p.client_hash) and p.client_hash not in cookies for p in people)


def test_one_device_registering_six_phones_is_flagged(app, clock, contest):
    shared = app.test_client()  # one phone handed round: one cookie
    shared.get(f"/c/{SLUG}", environ_base=SCHOOL, headers=PHONE_MODEL)
    tokens = []
    for i in range(6):  # the sample contest allows 5 phones a device within 10 minutes
        tokens.append(form_register(shared, i))
        clock.advance(seconds=20)
    for token in tokens:
        pass_a_round(app, shared, clock, token)
    assert every_flag(app) == [(phone(i), "many_phones") for i in range(6)]
    assert len({p.client_hash for p in stored(app)}) == 1


def test_five_phones_from_one_device_are_within_the_limit(app, clock, contest):
    shared = app.test_client()
    shared.get(f"/c/{SLUG}")
    for token in [form_register(shared, i) for i in range(5)]:
        pass_a_round(app, shared, clock, token)
    assert every_flag(app) == []


def test_the_api_counts_one_x_client_id_as_one_device(app, client, clock, contest):
    tokens = [api_register(client, i, "mini-program-device-0001") for i in range(6)]
    tokens += [api_register(client, 10 + i, f"student-phone-{i:04d}") for i in range(40)]
    for token in tokens:
        pass_a_round(app, client, clock, token)
    assert every_flag(app) == [(phone(i), "many_phones") for i in range(6)]


def test_the_api_without_a_client_id_is_never_one_device(app, client, clock, contest):
    client.get(f"/c/{SLUG}")  # even a device cookie in the jar is not the API's device: only the header is
    for i, sent in enumerate([None, None, None, "short", "has space in it", "x" * 65, None, "bad/slash!"]):
        pass_a_round(app, client, clock, api_register(client, i, sent))
    assert every_flag(app) == []
    assert {p.client_hash for p in stored(app)} == {None}


def test_the_cookie_is_random_http_only_lax_long_lived_and_kept(app, client, contest):
    first = client.get(f"/c/{SLUG}")
    cookie = next(h for h in first.headers.getlist("Set-Cookie") if h.startswith("qz_device="))
    value = cookie.split(";")[0].split("=", 1)[1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", value)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=34560000" in cookie
    assert first.headers["Cache-Control"] == "no-store"
    again = client.get(f"/c/{SLUG}")
    assert not any(h.startswith("qz_device=") for h in again.headers.getlist("Set-Cookie"))
    other = app.test_client().get(f"/c/{SLUG}").headers.getlist("Set-Cookie")
    assert value not in " ".join(other)


def test_a_malformed_cookie_is_replaced_and_public_pages_set_none(app, client, contest):
    client.set_cookie("qz_device", "short")
    replaced = client.get(f"/c/{SLUG}").headers.getlist("Set-Cookie")
    assert any(h.startswith("qz_device=") and "short" not in h for h in replaced)
    board = app.test_client().get(f"/c/{SLUG}/leaderboard")  # cacheable: no per-browser cookie on it
    assert not any(h.startswith("qz_device=") for h in board.headers.getlist("Set-Cookie"))
    assert "no-store" not in board.headers.get("Cache-Control", "")


def test_a_form_post_without_a_cookie_has_no_device(app, contest):
    bare = app.test_client()  # cookies blocked: no device evidence, not a shared "unknown" device
    for i in range(7):
        bare.delete_cookie("qz_device")
        form_register(bare, i)
    assert {p.client_hash for p in stored(app)} == {None}


def test_openapi_documents_the_optional_client_id_header(client):
    document = client.get("/api/v1/openapi.json").get_json()
    parameters = document["paths"]["/api/v1/contests/{slug}/participants"]["post"]["parameters"]
    header = next(p for p in parameters if p["in"] == "header")
    assert header["name"] == "X-Client-Id" and header["required"] is False
    assert header["schema"]["pattern"] == "^[A-Za-z0-9_-]{8,64}$"
