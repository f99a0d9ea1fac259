"""PIPL after the contest: publish consent in the notice, deletion on request, the retention purge."""

from __future__ import annotations

from datetime import timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import AuditLog, Participant, ParticipantToken, PrizeDraw
from quizapp.services import draw as draw_service
from quizapp.services import eligibility, privacy
from quizapp.services.contests import get_contest
from tests.services.test_draw_support import AFTER_END, SLUG, phone, play

ENTROPY = "2026-12-17 福彩3D 开奖号码 582"
NAMES = ["张三丰", "李四", "王五"]


def register(client, i: int, consent: bool) -> str:
    body = {"name": NAMES[i], "phone": phone(i), "region": "包头市", "consent": True, "publish_consent": consent}
    response = client.post(f"/api/v1/contests/{SLUG}/participants", json=body)
    assert response.status_code == 201
    return response.get_json()["token"]


@pytest.fixture
def three(app, client, clock, contest):
    """Three passing players (the first consents to publishing); the clock after the end. Tokens by index."""
    tokens = []
    for i in range(3):
        token = register(client, i, consent=i == 0)
        play(app, client, clock, phone(i), name=NAMES[i], token=token)
        tokens.append(token)
    clock.now = AFTER_END
    return tokens


def delete_me(client, token):
    return client.delete(f"/api/v1/contests/{SLUG}/me", headers={"Authorization": f"Bearer {token}"})


def person(app, i: int) -> Participant:
    """The i-th registered participant (by id: the order they registered in)."""
    with app.app_context():
        return db.session.execute(db.select(Participant).order_by(Participant.id)).scalars().all()[i]


def run_and_publish(app, clock):
    with app.app_context():
        draw_service.commit_draw(SLUG, clock.now, "主办方")
        draw_service.run_draw(SLUG, clock.now, "主办方", ENTROPY, publish=True)
        return draw_service.public_notice(SLUG)


def test_the_notice_shows_a_name_only_with_consent(app, clock, three):
    notice = run_and_publish(app, clock)
    shown = {w["entrant_code"]: w for w in notice["winners"]}
    assert len(shown) == 3
    with app.app_context():
        codes = dict(db.session.execute(db.select(Participant.name, Participant.entrant_code)).all())
    assert shown[codes["张三丰"]]["name"] == "张**" and shown[codes["张三丰"]]["phone"].count("*") == 4
    for other in ("李四", "王五"):
        assert shown[codes[other]]["name"] == "" and shown[codes[other]]["phone"] == ""
        assert shown[codes[other]]["region"] == "包头市"


def test_deleting_before_the_commit_anonymises_and_withdraws_from_the_draw(app, client, three):
    response = delete_me(client, three[1])
    assert response.status_code == 200 and response.get_json() == {"status": "deleted"}
    gone = person(app, 1)
    assert gone.name == privacy.ANONYMOUS_NAME and gone.phone == f"x{gone.id}" and gone.anonymised_at
    assert gone.region == "包头市" and gone.best_score is not None  # statistics keep their figures
    assert delete_me(client, three[1]).status_code == 401  # the token went with the data
    board = client.get(f"/api/v1/contests/{SLUG}/leaderboard?limit=10").get_json()["entries"]
    assert len(board) == 2 and "已*" not in str(board)  # off the public board
    with app.app_context():
        assert db.session.query(ParticipantToken).filter_by(participant_id=gone.id).count() == 0
        eligible = eligibility.eligible_participant_ids(get_contest(SLUG))
        assert gone.id not in eligible and len(eligible) == 2
        assert AuditLog.query.filter_by(action="privacy_delete").one().detail == {"kind": "done"}


def test_deleting_after_the_commit_waits_for_the_end_of_the_publicity(app, client, clock, three):
    with app.app_context():
        draw_service.commit_draw(SLUG, clock.now, "主办方")
    response = delete_me(client, three[2])
    assert response.status_code == 202 and response.get_json() == {"status": "pending"}
    assert person(app, 2).name == "王五" and person(app, 2).deletion_requested_at is not None
    with app.app_context():
        assert privacy.purge(SLUG, clock.now, "cron").waiting == 1  # still held: not even drawn yet
        draw_service.run_draw(SLUG, clock.now, "主办方", ENTROPY, publish=True)
        before = draw_service.public_notice(SLUG)["winners"]
        days = get_contest(SLUG).publicity_days
        assert privacy.purge(SLUG, clock.now + timedelta(days=days) - timedelta(minutes=1), "cron").on_request == 0
        report = privacy.purge(SLUG, clock.now + timedelta(days=days), "cron")
        assert (report.on_request, report.waiting, report.expired) == (1, 0, 0)
        assert draw_service.public_notice(SLUG)["winners"] == before  # the published record reads the same
    assert person(app, 2).name == privacy.ANONYMOUS_NAME and person(app, 0).name == "张三丰"


def test_purge_waits_for_the_retention_period_then_anonymises_everyone_once(app, clock, three):
    notice = run_and_publish(app, clock)
    with app.app_context():
        contest = get_contest(SLUG)
        ends = privacy.retention_ends(contest)
        assert ends == contest.ends_at + timedelta(days=180)
        early = privacy.purge(SLUG, ends - timedelta(seconds=1), "cron")
        assert (early.expired, early.on_request) == (0, 0)
        scores = sorted(db.session.execute(db.select(Participant.best_score)).scalars())
        report = privacy.purge(SLUG, ends, "cron")
        assert report.expired == 3
        people = db.session.execute(db.select(Participant)).scalars().all()
        assert {p.name for p in people} == {privacy.ANONYMOUS_NAME}
        assert all(not p.phone.startswith("1") and p.client_hash is None for p in people)
        assert sorted(p.best_score for p in people) == scores
        assert draw_service.public_notice(SLUG)["winners"] == notice["winners"]
        assert draw_service.verify_draw(SLUG)[1] == []  # the draw still verifies from its published inputs
        again = privacy.purge(SLUG, ends + timedelta(days=1), "cron")
        assert (again.expired, again.on_request) == (0, 0)
        purges = AuditLog.query.filter_by(action="privacy_purge").all()
        assert [row.rows for row in purges] == [3]
        assert db.session.query(PrizeDraw).count() == 1


def test_only_the_current_commitment_holds_a_deletion(app, client, clock, three):
    with app.app_context():
        draw_service.commit_draw(SLUG, clock.now, "主办方")
        eligibility.exclude_phones(SLUG, phone(1), "主办方", clock.now, "工作人员")
        draw_service.commit_draw(SLUG, clock.now, "主办方", reason="排除工作人员后重新锁定")
    # The superseded commitment listed this person; the current one does not: deleted at once.
    assert delete_me(client, three[1]).status_code == 200
    assert delete_me(client, three[2]).status_code == 202  # still in the current list
