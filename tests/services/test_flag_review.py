"""Reviewing flags (clear, uphold, bulk) and the one eligibility rule that `me`, the pages and the draw share."""

from __future__ import annotations

from datetime import timedelta

import pytest

from quizapp.domain.errors import DomainError, ValidationError
from quizapp.domain.flags import AnswerTime, answer_times, mask_ip
from quizapp.domain.permissions import RegionScope
from quizapp.extensions import db
from quizapp.models import AttemptFlag, AuditLog, Participant
from quizapp.services import contests as contest_service
from quizapp.services import draw as draw_service
from quizapp.services import eligibility, flag_review, flags
from quizapp.services.contests import NotFound
from tests.services.test_draw_support import AFTER_END, SLUG, me, phone, play, register


def contest_obj():
    return contest_service.get_contest(SLUG)


def flag_ids(app, phone_number: str | None = None) -> list[int]:
    with app.app_context():
        query = db.select(AttemptFlag.id).join(Participant, Participant.id == AttemptFlag.participant_id)
        if phone_number:
            query = query.where(Participant.phone == phone_number)
        return list(db.session.execute(query.order_by(AttemptFlag.id)).scalars())


def audit_rows(app) -> list[AuditLog]:
    with app.app_context():
        return db.session.execute(db.select(AuditLog).where(AuditLog.action.like("flag_%"))
                                  .order_by(AuditLog.id)).scalars().all()


def in_frozen_list(app, clock, token_of: dict[str, str], client) -> dict[str, tuple[bool, bool]]:
    """Per phone: (me says eligible, the committed draw's list holds their code)."""
    records = {number: me(client, token) for number, token in token_of.items()}
    clock.now = AFTER_END
    with app.app_context():
        draw = draw_service.commit_draw(SLUG, clock.now, "主办方")
        frozen = set(draw.entrants)
        codes = dict(db.session.execute(db.select(Participant.phone, Participant.entrant_code)).all())
    return {number: (records[number]["eligible"], codes[number] in frozen if codes[number] else False)
            for number in token_of}


def test_me_agrees_with_the_draw_when_the_device_registers_more_phones_after_the_round(app, client, clock, contest):
    # The old disagreement: A passes at a human pace on the family phone, and `me` shows a code. Then
    # five more phones register from that same device within ten minutes of A. Nothing re-checked A's
    # finished attempt, so `me` kept saying eligible while the draw's re-check left A out.
    token_a, _ = play(app, client, clock, phone(1), ua="family-phone-0001", seconds=60)
    before = me(client, token_a)
    assert before["eligible"] is True and before["entrant_code"]
    for i in range(2, 7):
        clock.advance(minutes=1)
        register(client, phone(i), ua="family-phone-0001")
    token_b, _ = play(app, client, clock, phone(20), seconds=60)  # someone else, own device: unaffected
    after = me(client, token_a)
    assert after["eligible"] is False and after["in_draw"] is False and after["entrant_code"] is None
    assert after["passed"] is True and after["draw_status"] == "under_review"
    with app.app_context():
        assert not eligibility.is_eligible(contest_obj(), db.session.get(Participant, before["participant_id"]))
    agreement = in_frozen_list(app, clock, {phone(1): token_a, phone(20): token_b}, client)
    assert agreement == {phone(1): (False, False), phone(20): (True, True)}


def test_me_and_the_draw_agree_for_every_kind_of_participant(app, client, clock, contest):
    tokens = {phone(1): play(app, client, clock, phone(1), seconds=60)[0],             # in the draw
              phone(2): play(app, client, clock, phone(2), seconds=0)[0],              # flagged, unresolved
              phone(3): play(app, client, clock, phone(3), seconds=0)[0],              # flagged, upheld
              phone(4): play(app, client, clock, phone(4), seconds=60, correct=False)[0],  # failed
              phone(5): play(app, client, clock, phone(5), seconds=60)[0]}             # excluded
    with app.app_context():
        flags.resolve_flags(flag_ids(app, phone(3)), "uphold", "答题过快，确认代答", "审核员", clock.now)
        eligibility.exclude_phones(SLUG, phone(5), "主办方", clock.now)
    statuses = {number: me(client, token)["draw_status"] for number, token in tokens.items()}
    assert statuses == {phone(1): "in_draw", phone(2): "under_review", phone(3): "not_in_draw",
                        phone(4): "not_passed", phone(5): "not_in_draw"}
    agreement = in_frozen_list(app, clock, tokens, client)
    assert all(said == drawn for said, drawn in agreement.values()) and agreement[phone(1)] == (True, True)


def test_uphold_keeps_out_clear_brings_back_unless_another_flag_holds(app, client, clock, contest):
    token, _ = play(app, client, clock, phone(1), seconds=0)  # too_fast and burst
    too_fast, burst = flag_ids(app)
    with app.app_context():
        flag, changed = flags.uphold_flag(too_fast, "审核员", clock.now, "8 题 0 秒")
        assert changed and flag.upheld_by == "审核员" and flag.cleared_at is None and flag.review_reason == "8 题 0 秒"
        flags.clear_flag(burst, "审核员", clock.now, "网络重发")
    assert me(client, token)["eligible"] is False and me(client, token)["draw_status"] == "not_in_draw"
    with app.app_context():
        outcome = flags.resolve_flags([too_fast], "clear", "复核录像，确为本人作答", "组长", clock.now)
        assert [f.id for f in outcome.changed] == [too_fast] and outcome.draw_committed is False
        flag = db.session.get(AttemptFlag, too_fast)
        assert flag.cleared_by == "组长" and flag.upheld_at is None and flag.upheld_by is None
    assert me(client, token)["eligible"] is True and me(client, token)["entrant_code"]
    rows = audit_rows(app)
    assert [(r.action, r.actor, r.rows, r.detail["reason"]) for r in rows] == [
        ("flag_uphold", "审核员", 1, "8 题 0 秒"), ("flag_clear", "审核员", 1, "网络重发"),
        ("flag_clear", "组长", 1, "复核录像，确为本人作答")]
    assert rows[0].detail["flag_id"] == too_fast and rows[0].detail["kind"] == "too_fast"


def test_bulk_review_is_one_audited_transaction_and_skips_flags_already_there(app, client, clock, contest):
    for i in range(3):
        play(app, client, clock, phone(i), seconds=0)
    ids = flag_ids(app)
    assert len(ids) == 6
    with app.app_context():
        flags.uphold_flag(ids[0], "审核员", clock.now, "先维持")
        outcome = flags.resolve_flags([str(i) for i in ids], "uphold", "  同一班级集体代答  ", "组长", clock.now)
        assert len(outcome.changed) == 5 and [f.id for f in outcome.unchanged] == [ids[0]]
        assert flags.resolve_flags(ids, "uphold", "再来一次", "组长", clock.now).changed == []
        reasons = set(db.session.execute(db.select(AttemptFlag.review_reason)).scalars())
        assert reasons == {"先维持", "同一班级集体代答"}
        assert flags.unresolved_count(contest_obj()) == 0
        assert flags.state_counts(contest_obj()) == {"unresolved": 0, "cleared": 0, "upheld": 6, "held": 3}
    bulk = audit_rows(app)[-1]
    assert (bulk.action, bulk.rows, bulk.detail) == ("flag_uphold", 5, {"flag_id": ids[1:], "reason": "同一班级集体代答"})
    assert len(audit_rows(app)) == 2  # nothing changed by the repeat, nothing written


@pytest.mark.parametrize(("ids", "action", "reason", "field"), [
    ([1], "uphold", "   ", "reason"), ([1], "uphold", "字" * 201, "reason"), ([1], "delete", "理由", "action"),
    ([], "clear", "理由", "ids")])
def test_a_review_needs_a_flag_an_action_and_a_reason(app, client, clock, contest, ids, action, reason, field):
    play(app, client, clock, phone(1), seconds=0)
    real = flag_ids(app)[:1] if ids else []
    with app.app_context(), pytest.raises(ValidationError) as info:
        flags.resolve_flags(real, action, reason, "审核员", clock.now)
    assert field in info.value.fields
    assert audit_rows(app) == [] and set(flag_ids(app)) and eligibility_count(app) == 0


def eligibility_count(app) -> int:
    with app.app_context():
        return len(eligibility.eligible_participant_ids(contest_obj()))


def test_unknown_out_of_scope_or_other_contest_flags_are_not_found(app, client, clock, contest):
    play(app, client, clock, phone(1), seconds=0)
    ids = flag_ids(app)
    with app.app_context():
        with pytest.raises(NotFound, match="99999"):
            flags.resolve_flags([ids[0], 99999], "clear", "理由", "审核员", clock.now)
        with pytest.raises(NotFound):  # the player is in 包头市
            flags.resolve_flags(ids, "clear", "理由", "审核员", clock.now, scope=RegionScope("呼和浩特市"))
        assert flags.unresolved_count(contest_obj(), RegionScope("呼和浩特市")) == 0
        assert flags.unresolved_count(contest_obj(), RegionScope("包头市")) == 2
        with pytest.raises(NotFound):
            flags.clear_flag(99999, "审核员", clock.now)
    assert audit_rows(app) == []


def test_reviews_after_a_commit_warn_and_after_the_run_are_refused(app, client, clock, contest):
    play(app, client, clock, phone(1), seconds=60)
    play(app, client, clock, phone(2), seconds=0)
    first, second = flag_ids(app)
    clock.now = AFTER_END
    with app.app_context():
        draw_service.commit_draw(SLUG, clock.now, "主办方")
        assert flags.resolve_flags([first], "clear", "本人作答", "审核员", clock.now).draw_committed is True
        draw_service.commit_draw(SLUG, clock.now, "主办方", reason="解除一条标记后名单变化")
        draw_service.run_draw(SLUG, clock.now, "主办方", "123")
        with pytest.raises(DomainError, match="已开奖") as info:
            flags.resolve_flags([second], "clear", "理由", "审核员", clock.now)
        assert info.value.code == "draw_refused"
        assert db.session.get(AttemptFlag, second).cleared_at is None


def test_unresolved_count_includes_flags_due_from_later_registrations(app, client, clock, contest):
    play(app, client, clock, phone(1), ua="shared-device-01", seconds=60)
    with app.app_context():
        assert flags.unresolved_count(contest_obj()) == 0
    for i in range(2, 7):
        register(client, phone(i), ua="shared-device-01")
    with app.app_context():
        assert flags.unresolved_count(contest_obj()) == 1  # found without anyone re-checking first
        assert [row["kind"] for row in flags.review_flags(SLUG)] == ["many_phones"]


def test_the_cli_listing_shows_unresolved_by_default_and_every_review_with_all(app, client, clock, contest):
    play(app, client, clock, phone(1), seconds=0)
    too_fast, burst = flag_ids(app)
    with app.app_context():
        flags.uphold_flag(too_fast, "审核员", clock.now, "过快")
        assert [row["id"] for row in flags.review_flags(SLUG)] == [burst]
        listed = {row["id"]: row for row in flags.review_flags(SLUG, include_cleared=True)}
    assert listed[too_fast]["state"] == "upheld" and listed[too_fast]["upheld_by"] == "审核员"
    assert listed[too_fast]["reason"] == "过快" and listed[burst]["state"] == "unresolved"


def test_queue_lists_unresolved_first_with_answer_times_device_and_address(app, client, clock, contest):
    play(app, client, clock, phone(1), seconds=0)  # flagged first, then resolved
    for i in range(2, 8):  # one device, six phones; only the last one plays a round
        register(client, phone(i), name="王小明", ua="school-tablet-01")
    play(app, client, clock, phone(8), seconds=60, ua="school-tablet-01")
    with app.app_context():
        flags.resolve_flags(flag_ids(app, phone(1)), "clear", "本人", "审核员", clock.now)
        queue = flag_review.review_queue(contest_obj(), flag_review.QueueQuery(show="all"))
        pending = flag_review.review_queue(contest_obj())
    assert [item["unresolved"] for item in queue["items"]] == [True, False]
    assert len(pending["items"]) == 1 and pending["counts"]["unresolved"] == 1
    item = queue["items"][0]
    assert [f["kind"] for f in item["flags"]] == ["many_phones"] and item["score"] == 50
    assert item["person"] == {**item["person"], "name": "张*", "phone": "139****0008"}
    assert item["device"]["count"] == 7 and len(item["device"]["short"]) == 8
    assert {row["name"] for row in item["device"]["shown"]} == {"王**", "张*"}
    assert all("****" in row["phone"] for row in item["device"]["shown"])
    assert item["address"] == "127.0.0.*"  # masked unless asked for in full
    times = item["answer_times"]
    assert [t.number for t in times] == list(range(1, 9)) and all(t.at_seconds == 60.0 for t in times)


def test_answer_times_follow_question_order_and_measure_time_spent_from_the_save_before(clock):
    start = clock.now
    saved = {"b": start + timedelta(seconds=5), "a": start + timedelta(seconds=12), "d": start + timedelta(seconds=13)}
    assert answer_times(start, ["a", "b", "c", "d"], saved) == [
        AnswerTime(1, 12.0, 7.0), AnswerTime(2, 5.0, 5.0), AnswerTime(3, None, None), AnswerTime(4, 13.0, 1.0)]


@pytest.mark.parametrize(("address", "shown"), [
    ("203.0.113.57", "203.0.113.*"), ("2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3:*"), (None, "—"),
    ("garbage", "*")])
def test_addresses_are_masked_to_their_network(address, shown):
    assert mask_ip(address) == shown


def test_a_rule_turned_on_later_is_applied_by_the_re_check(app, client, clock, contest):
    # The re-check picks its candidates in SQL (seconds between times differ on SQLite and PostgreSQL):
    # a round with every answer saved in the first half second, submitted a minute later, is a burst;
    # the same round with answers spread over the minute is not.
    from tests.conftest import contest_definition
    from tests.helpers import correct_answers

    with app.app_context():
        contest_service.load_contest(contest_definition(flags={"burst_seconds": 0}), clock.now)
    for number, spread in ((phone(1), 0), (phone(2), 7)):
        token = register(client, number)
        auth = {"Authorization": f"Bearer {token}"}
        attempt_id = client.post(f"/api/v1/contests/{SLUG}/attempts", headers=auth).get_json()["attempt_id"]
        for key, options in correct_answers(app, attempt_id).items():
            clock.advance(seconds=spread, milliseconds=50)
            client.put(f"/api/v1/attempts/{attempt_id}/answers/{key}", json={"option_ids": options}, headers=auth)
        clock.advance(seconds=60)
        assert client.post(f"/api/v1/attempts/{attempt_id}/submit", json={}, headers=auth).get_json()["score"] == 50
    assert flag_ids(app) == []
    with app.app_context():
        contest_service.load_contest(contest_definition(flags={"burst_seconds": 1}), clock.now)
        assert flags.unresolved_count(contest_obj()) == 1
        assert [(row["kind"], row["phone"]) for row in flags.review_flags(SLUG)] == [("burst", "139****0001")]
