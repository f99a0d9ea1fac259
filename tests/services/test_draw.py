"""The draw service: commit after the end, run once and atomically, refuse a changed list, verify, export."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from quizapp.domain import prize_draw
from quizapp.extensions import db
from quizapp.models import AuditLog, Participant, PrizeDraw
from quizapp.services import contests as contest_service
from quizapp.services import draw as draw_service
from quizapp.services import eligibility
from quizapp.services.draw import DrawRefused
from tests.conftest import contest_definition
from tests.services.test_draw_support import AFTER_END, SLUG, me, phone, play

ENTROPY = "2026-12-17 福彩3D 开奖号码 582"


@pytest.fixture
def players(app, client, clock, contest):
    """Five passing participants and one failing; returns the passing tokens. The clock ends after the contest."""
    tokens = [play(app, client, clock, phone(i), name=f"王小{i}")[0] for i in range(5)]
    play(app, client, clock, phone(9), correct=False)
    clock.now = AFTER_END
    return tokens


def actions(app) -> list[tuple[str, str, int]]:
    with app.app_context():
        return [(a.action, a.actor, a.rows) for a in
                db.session.execute(db.select(AuditLog).where(AuditLog.action.not_like("contest_%")).order_by(AuditLog.id)).scalars()]


def commit(app, clock, **options):
    with app.app_context():
        return draw_service.commit_draw(SLUG, clock.now, "主办方", **options)


def run(app, clock, entropy=ENTROPY):
    with app.app_context():
        return draw_service.run_draw(SLUG, clock.now, "主办方", entropy)


def test_commit_is_refused_until_the_contest_and_its_grace_are_over(app, client, clock, contest):
    play(app, client, clock, phone(1))
    with app.app_context():
        ends = contest_service.get_contest(SLUG).ends_at
    for moment in (clock.now, ends, ends + timedelta(seconds=5)):
        clock.now = moment
        with pytest.raises(DrawRefused, match="尚未结束"):
            commit(app, clock)
    clock.now = ends + timedelta(seconds=6)
    assert commit(app, clock).version == 1
    assert [a[0] for a in actions(app)] == ["draw_commit"]


def test_commit_freezes_the_sorted_list_and_publishes_hashes(app, client, clock, players):
    draw = commit(app, clock, entropy_source="2026-12-17 福彩3D")
    codes = sorted(me(client, token)["entrant_code"] for token in players)
    assert draw.entrants == codes and len(codes) == 5
    assert draw.entrants_sha256 == hashlib.sha256("".join(c + "\n" for c in codes).encode()).hexdigest()
    assert draw.seed_sha256 == hashlib.sha256(draw.seed_hex.encode()).hexdigest() and len(draw.seed_hex) == 64
    assert draw.prizes == [{"tier": 1, "name": "一等奖", "count": 1}, {"tier": 2, "name": "二等奖", "count": 2}]
    assert draw.entropy_source == "2026-12-17 福彩3D" and draw.status == "committed"
    assert actions(app) == [("draw_commit", "主办方", 5)]
    with app.app_context():
        detail = db.session.execute(db.select(AuditLog.detail).filter_by(action="draw_commit")).scalar_one()
    assert draw.seed_hex not in str(detail)  # the seed is never recorded before the reveal


def test_commit_gives_codes_to_eligible_people_who_never_looked(app, client, clock, contest):
    play(app, client, clock, phone(1))  # never calls `me`, so no code yet
    clock.now = AFTER_END
    draw = commit(app, clock)
    with app.app_context():
        assert draw.entrants == [db.session.execute(db.select(Participant.entrant_code)).scalar_one()]
    assert "福彩3D" in draw.entropy_source  # the default source


def test_commit_without_entrants_or_prizes_is_refused(app, client, clock, contest):
    play(app, client, clock, phone(1), correct=False)
    clock.now = AFTER_END
    with pytest.raises(DrawRefused, match="没有符合抽奖条件"):
        commit(app, clock)
    with app.app_context():
        definition = contest_definition()
        definition.pop("prizes")
        contest_service.load_contest(definition, clock.now)
    with pytest.raises(DrawRefused, match="奖项"):
        commit(app, clock)
    assert actions(app) == []


def test_a_second_commit_needs_a_reason_and_publishes_a_new_commitment(app, clock, players):
    first = commit(app, clock)
    with pytest.raises(DrawRefused, match="--reason"):
        commit(app, clock)
    second = commit(app, clock, reason="补充排除工作人员")
    assert second.version == 2 and second.seed_hex != first.seed_hex
    with app.app_context():
        statuses = dict(db.session.execute(db.select(PrizeDraw.version, PrizeDraw.status)).all())
        notice = draw_service.public_notice(SLUG)
    assert statuses == {1: "superseded", 2: "committed"}
    assert notice["commitment"]["version"] == 2 and notice["commitment"]["reason"] == "补充排除工作人员"
    assert [h["version"] for h in notice["history"]] == [1]
    assert [a[0] for a in actions(app)] == ["draw_commit", "draw_commit"]


def test_run_draws_every_tier_once_and_a_second_run_changes_nothing(app, clock, players):
    commit(app, clock)
    with pytest.raises(DrawRefused, match="--public-entropy"):
        run(app, clock, None)
    draw, ran, shown = run(app, clock)
    assert ran and draw.status == "drawn" and draw.public_entropy == ENTROPY
    assert [(w["tier"], w["prize"]) for w in draw.winners] == [(1, "一等奖"), (2, "二等奖"), (2, "二等奖")]
    assert len({w["participant_id"] for w in draw.winners}) == 3
    with app.app_context():
        codes = dict(db.session.execute(db.select(Participant.id, Participant.entrant_code)).all())
    assert all(codes[w["participant_id"]] == w["entrant_code"] for w in draw.winners)  # the funnel relies on it
    assert [s["entrant_code"] for s in shown] == [w["entrant_code"] for w in draw.winners]
    assert all(s["name"] == "王**" and "****" in s["phone"] for s in shown)
    clock.advance(days=1)
    for entropy in (ENTROPY, None):
        again, ran_again, _ = run(app, clock, entropy)
        assert not ran_again and again.winners == draw.winners and again.revealed_at == draw.revealed_at
    with pytest.raises(DrawRefused, match="不能更换"):
        run(app, clock, "another number")
    assert [a[0] for a in actions(app)] == ["draw_commit", "draw_run"]


def test_run_without_a_commitment_is_refused(app, clock, players):
    with pytest.raises(DrawRefused, match="draw commit"):
        run(app, clock)


def test_the_result_is_the_documented_construction(app, clock, players):
    draw = commit(app, clock)
    drawn, _, _ = run(app, clock)
    expected = prize_draw.draw_codes(draw.seed_hex, ENTROPY, draw.entrants, draw.prizes)
    assert [(w["tier"], w["prize"], w["entrant_code"]) for w in drawn.winners] == [
        (w["tier"], w["prize"], w["entrant_code"]) for w in expected]


@pytest.mark.parametrize("change", ["exclude", "flag_cleared", "prizes", "new_passer"])
def test_run_refuses_when_eligibility_or_prizes_changed_after_the_commit(app, client, clock, players, change):
    if change == "flag_cleared":
        clock.now -= timedelta(days=20)
        play(app, client, clock, phone(20), seconds=0)  # flagged, so not in the list
        clock.now = AFTER_END
    commit(app, clock)
    with app.app_context():
        if change == "exclude":
            eligibility.exclude_phones(SLUG, phone(0), "主办方", clock.now)
        elif change == "flag_cleared":
            from quizapp.services import flags
            for row in flags.review_flags(SLUG):
                flags.clear_flag(row["id"], "主办方", clock.now)
        elif change == "prizes":
            contest_service.load_contest(contest_definition(prizes=[{"tier": 1, "name": "一等奖", "count": 3}]),
                                         clock.now)
        else:
            participant = db.session.execute(db.select(Participant).filter_by(phone=phone(9))).scalar_one()
            db.session.execute(db.text("UPDATE attempt SET score = 50 WHERE participant_id = :p"),
                               {"p": participant.id})
            db.session.commit()
    with pytest.raises(DrawRefused, match="重新承诺"):
        run(app, clock)
    with app.app_context():
        assert db.session.execute(db.select(PrizeDraw.status)).scalar_one() == "committed"
    commit(app, clock, reason="名单变化")
    assert run(app, clock)[1] is True


def test_an_interrupted_run_leaves_nothing(app, clock, players, monkeypatch):
    commit(app, clock)

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(draw_service.audit, "record", crash)  # fails after the winners were written
    with pytest.raises(RuntimeError):
        run(app, clock)
    with app.app_context():
        stored = db.session.execute(db.select(PrizeDraw)).scalar_one()
        assert (stored.status, stored.winners, stored.public_entropy, stored.revealed_at) == (
            "committed", None, None, None)
        assert draw_service.public_notice(SLUG)["reveal"] is None
    monkeypatch.undo()
    assert run(app, clock)[1] is True


def test_verify_matches_and_detects_tampering(app, clock, players):
    commit(app, clock)
    run(app, clock)
    with app.app_context():
        draw, problems = draw_service.verify_draw(SLUG)
        assert problems == []
        stored = db.session.get(PrizeDraw, draw.id)
        loser = next(code for code in stored.entrants if code not in {w["entrant_code"] for w in stored.winners})
        stored.winners = [{**stored.winners[0], "entrant_code": loser}, *stored.winners[1:]]
        db.session.commit()
        assert draw_service.verify_draw(SLUG)[1]


def test_verify_before_the_run_is_refused(app, clock, players):
    commit(app, clock)
    with app.app_context(), pytest.raises(DrawRefused, match="尚未开奖"):
        draw_service.verify_draw(SLUG)


def test_export_has_full_contact_data_and_is_audited(app, clock, players):
    commit(app, clock)
    with app.app_context(), pytest.raises(DrawRefused):
        draw_service.export_winners(SLUG, "奖品办", clock.now)
    draw, _, _ = run(app, clock)
    with app.app_context():
        data, rows = draw_service.export_winners(SLUG, "奖品办", clock.now)
        phones = dict(db.session.execute(db.select(Participant.id, Participant.phone)).all())
    sheet = load_workbook(io.BytesIO(data)).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0] == draw_service.EXPORT_HEADER and rows == 3 and len(table) == 4
    assert [row[4] for row in table[1:]] == [phones[w["participant_id"]] for w in draw.winners]
    assert table[1][3].startswith("王小") and table[1][7] == 50
    assert actions(app)[-1] == ("draw_export", "奖品办", 3)
