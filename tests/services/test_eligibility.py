"""Eligibility for the draw: pass mark, one entry per phone, cheat flags, exclusions, entrant codes."""

from __future__ import annotations

import json

import pytest

from quizapp.domain.eligibility import ENTRANT_ALPHABET
from quizapp.domain.errors import DomainError
from quizapp.extensions import db
from quizapp.models import AttemptFlag, AuditLog, Exclusion, Participant
from quizapp.services import contests as contest_service
from quizapp.services import eligibility, flags
from tests.conftest import contest_definition
from tests.services.test_draw_support import SLUG, me, phone, play


def eligible_phones(app) -> set[str]:
    with app.app_context():
        ids = eligibility.eligible_participant_ids(contest_service.get_contest(SLUG))
        return set(db.session.execute(db.select(Participant.phone).where(Participant.id.in_(ids))).scalars())


def flag_kinds(app, phone_number: str) -> set[str]:
    with app.app_context():
        return set(db.session.execute(
            db.select(AttemptFlag.kind).join(Participant, Participant.id == AttemptFlag.participant_id)
            .where(Participant.phone == phone_number, AttemptFlag.cleared_at.is_(None))).scalars())


def test_pass_mark_decides_and_each_phone_enters_once(app, client, clock, contest):
    token, _ = play(app, client, clock, phone(1))
    play(app, client, clock, phone(1), token=token)  # a second passing attempt: still one entry
    play(app, client, clock, phone(2), correct=False)
    assert eligible_phones(app) == {phone(1)}
    with app.app_context():
        contest_obj = contest_service.get_contest(SLUG)
        assert len(eligibility.eligible_entrants(contest_obj)) == 1
        assert eligibility.eligible_participant_ids(contest_obj, now=clock.now) == eligibility.eligible_participant_ids(
            contest_obj)


def test_entrant_code_is_null_until_eligible_then_stable(app, client, clock, contest):
    token, _ = play(app, client, clock, phone(1), correct=False)
    assert me(client, token)["entrant_code"] is None
    play(app, client, clock, phone(1), token=token)
    record = me(client, token)
    code = record["entrant_code"]
    assert record["eligible"] is True and record["in_draw"] is True and record["draw_status"] == "in_draw"
    assert len(code) == 8 and set(code) <= set(ENTRANT_ALPHABET)
    assert me(client, token)["entrant_code"] == code
    with app.app_context():
        assert db.session.execute(db.select(Participant.entrant_code)).scalar_one() == code


def test_codes_differ_between_participants(app, client, clock, contest):
    codes = {me(client, play(app, client, clock, phone(i))[0])["entrant_code"] for i in range(5)}
    assert len(codes) == 5 and None not in codes


def test_a_too_fast_attempt_is_flagged_and_blocked_until_cleared(app, client, clock, contest):
    token, _ = play(app, client, clock, phone(1), seconds=0)  # everything answered at the start
    assert flag_kinds(app, phone(1)) == {"too_fast", "burst"}
    record = me(client, token)
    # Passed, but held by the flags: `me` says so exactly as the draw will (not eligible, no code).
    assert record["passed"] is True and record["eligible"] is False and record["in_draw"] is False
    assert record["draw_status"] == "under_review" and record["entrant_code"] is None
    assert eligible_phones(app) == set()
    with app.app_context():
        ids = [row["id"] for row in flags.review_flags(SLUG)]
        flags.clear_flag(ids[0], "审核员", clock.now)
    assert eligible_phones(app) == set()  # one flag left
    with app.app_context():
        flag, changed = flags.clear_flag(ids[1], "审核员", clock.now)
        assert changed and flag.cleared_by == "审核员"
        assert flags.clear_flag(ids[1], "别人", clock.now)[1] is False  # twice: no change
        assert [a.action for a in db.session.execute(db.select(AuditLog).where(AuditLog.action.not_like("contest_%"))).scalars()] == ["flag_clear"] * 2
    assert eligible_phones(app) == {phone(1)}
    assert me(client, token)["entrant_code"]


def test_a_slow_enough_attempt_is_not_flagged_and_failed_ones_never_are(app, client, clock, contest):
    play(app, client, clock, phone(1), seconds=17)  # 8 questions: 2.1 s each
    play(app, client, clock, phone(2), seconds=0, correct=False)  # cannot win, so nobody needs to review it
    assert flag_kinds(app, phone(1)) == set() and flag_kinds(app, phone(2)) == set()


def test_many_phones_from_one_client_are_flagged(app, client, clock, contest):
    for i in range(6):  # the sample contest allows 5 phones per client within 10 minutes
        play(app, client, clock, phone(i), ua="one-shared-phone", seconds=30)
    assert flag_kinds(app, phone(5)) == {"many_phones"}  # flagged when it finished
    assert flag_kinds(app, phone(0)) == set()  # registered before the others came
    with app.app_context():
        listed = flags.review_flags(SLUG)  # the re-check catches the earlier ones too
    assert {row["kind"] for row in listed} == {"many_phones"} and len(listed) == 6
    assert all(row["phone"].startswith("139****") and row["name"] == "张*" for row in listed)
    assert eligible_phones(app) == set()


def test_rules_set_to_zero_are_off(app, client, clock, contest):
    with app.app_context():
        contest_service.load_contest(contest_definition(flags={"min_seconds_per_question": 0, "burst_seconds": 0}),
                                     clock.now)
    play(app, client, clock, phone(1), seconds=0)
    assert flag_kinds(app, phone(1)) == set() and eligible_phones(app) == {phone(1)}


def test_exclusion_list_is_all_or_nothing_and_audited(app, client, clock, contest):
    token, _ = play(app, client, clock, phone(1))
    play(app, client, clock, phone(2))
    with app.app_context():
        with pytest.raises(DomainError) as info:
            eligibility.exclude_phones(SLUG, f"{phone(1)}\n12345\n\nabc\n", "管理员", clock.now)
        assert "第 2、4 行" in info.value.message
        assert db.session.execute(db.select(Exclusion)).first() is None
        added, already = eligibility.exclude_phones(SLUG, f"{phone(1)}\n+86 {phone(1)}\n# 工作人员\n", "管理员",
                                                    clock.now)
        assert (added, already) == (1, 0)
        assert eligibility.exclude_phones(SLUG, phone(1), "管理员", clock.now) == (0, 1)
        audit = db.session.execute(db.select(AuditLog).where(AuditLog.action.not_like("contest_%")).order_by(AuditLog.id)).scalars().all()
        assert [(a.action, a.actor, a.rows) for a in audit] == [("exclude", "管理员", 1), ("exclude", "管理员", 0)]
        assert phone(1) not in json.dumps([a.detail for a in audit])
    assert eligible_phones(app) == {phone(2)}
    assert me(client, token)["entrant_code"] is None


def test_excluding_before_registration_still_counts(app, client, clock, contest):
    with app.app_context():
        eligibility.exclude_phones(SLUG, phone(7), "管理员", clock.now)
    play(app, client, clock, phone(7))
    assert eligible_phones(app) == set()
