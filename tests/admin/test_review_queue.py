"""The console's review queue /admin/contests/<slug>/flags: access, evidence, masking, single and bulk reviews."""

from __future__ import annotations

import re

import pytest

from quizapp.extensions import db
from quizapp.models import AttemptFlag, AuditLog, Participant
from tests.services.test_draw_support import SLUG, me, phone, play

QUEUE = f"/admin/contests/{SLUG}/flags"
SCHOOL = {"REMOTE_ADDR": "203.0.113.57"}


@pytest.fixture
def flagged(app, client, clock, contest):
    """张三 (139…0001) too fast; 李四's tablet registered 6 phones and the last one passed; 王五 is clean."""
    token, _ = play(app, client, clock, phone(1), seconds=0)
    for i in range(2, 7):
        body = {"name": "李四", "phone": phone(i), "region": "呼和浩特市", "consent": True}
        client.post(f"/api/v1/contests/{SLUG}/participants", json=body, environ_base=SCHOOL,
                    headers={"X-Client-Id": "tablet-0001"})
    body = {"name": "李四", "phone": phone(7), "region": "呼和浩特市", "consent": True}
    tablet = client.post(f"/api/v1/contests/{SLUG}/participants", json=body, environ_base=SCHOOL,
                         headers={"X-Client-Id": "tablet-0001"}).get_json()["token"]
    play(app, client, clock, phone(7), seconds=60, token=tablet)
    play(app, client, clock, phone(9), name="王五", seconds=60)
    return {"fast": token, "tablet": tablet}


def flag_id(app, phone_number: str, kind: str) -> int:
    with app.app_context():
        return db.session.execute(
            db.select(AttemptFlag.id).join(Participant, Participant.id == AttemptFlag.participant_id)
            .where(Participant.phone == phone_number, AttemptFlag.kind == kind)).scalar_one()


def audit(app) -> list[tuple[str, str, int, dict]]:
    with app.app_context():
        return [(a.action, a.actor, a.rows, a.detail) for a in db.session.execute(
            db.select(AuditLog).where(AuditLog.action.like("flag_%")).order_by(AuditLog.id)).scalars()]


def test_staff_may_not_see_it_and_anonymous_is_sent_to_sign_in(app, console, flagged):
    assert app.test_client().get(QUEUE).status_code == 302
    assert "/admin/login" in app.test_client().get(QUEUE).headers["Location"]
    staff = console("staff")
    assert staff.get(QUEUE).status_code == 403
    fid = flag_id(app, phone(1), "too_fast")
    assert staff.post(f"{QUEUE}/{fid}", data={"action": "clear", "reason": "x"}).status_code == 403
    assert staff.post(f"{QUEUE}/confirm", data={"ids": [fid], "action": "clear", "reason": "x"}).status_code == 403
    assert staff.post(f"{QUEUE}/bulk", data={"ids": [fid], "action": "clear", "reason": "x",
                                             "confirmed": "1"}).status_code == 403
    assert console("organizer").get(QUEUE).status_code == 200
    assert console("organizer").get("/admin/contests/nope/flags").status_code == 404
    assert audit(app) == []


def test_the_queue_shows_the_evidence_masked(app, console, flagged):
    html = console("organizer").get(QUEUE).get_data(as_text=True)
    assert "张*" in html and "139****0001" in html and "李*" in html and "139****0007" in html
    assert "张三" not in html and "李四" not in html and phone(1) not in html and phone(7) not in html
    assert "王*" not in html  # not flagged: not in the queue
    assert "平均每题用时过短" in html and "同一设备短时间内登记多个手机号" in html
    assert "共登记 6 个手机号" in html  # the tablet's registrations, listed masked
    assert html.count("139****000") >= 7
    assert "203.0.113.*" in html and "203.0.113.57" not in html  # the address is masked for organizers
    assert "距开始" in html and "本题用时" in html and "60.0" in html  # answer times of the tablet's round
    assert "50 / 50" in html and "1分钟" in html  # score and duration


def test_an_admin_sees_the_full_address_but_never_full_names(app, console, flagged):
    html = console("admin").get(QUEUE).get_data(as_text=True)
    assert "203.0.113.57" in html and "李四" not in html and phone(7) not in html


def test_unresolved_come_first_and_the_filter_hides_reviewed_ones(app, console, flagged):
    reviewer = console("organizer", username="reviewer")
    fast = [flag_id(app, phone(1), kind) for kind in ("too_fast", "burst")]
    for fid in fast:
        reviewer.post(f"{QUEUE}/{fid}", data={"action": "uphold", "reason": "0 秒交卷"})
    pending = reviewer.get(QUEUE).get_data(as_text=True)
    assert "139****0007" in pending and "139****0001" not in pending
    every = reviewer.get(f"{QUEUE}?show=all").get_data(as_text=True)
    assert every.index("139****0007") < every.index("139****0001")
    assert "已维持" in every and "0 秒交卷" in every and "reviewer" in every


def test_one_flag_is_reviewed_with_a_required_reason_and_audited(app, client, console, flagged):
    reviewer = console("organizer", username="reviewer")
    fid = flag_id(app, phone(7), "many_phones")
    refused = reviewer.post(f"{QUEUE}/{fid}", data={"action": "clear", "reason": "  "}, follow_redirects=True)
    assert "请填写审核理由" in refused.get_data(as_text=True) and audit(app) == []
    done = reviewer.post(f"{QUEUE}/{fid}", data={"action": "clear", "reason": "学校平板，老师代为登记",
                                                 "back": f"{QUEUE}?show=all"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/flags?show=all")
    assert audit(app) == [("flag_clear", "reviewer", 1, {"flag_id": fid, "kind": "many_phones",
                                                           "attempt_id": audit(app)[0][3]["attempt_id"],
                                                           "reason": "学校平板，老师代为登记"})]
    assert me(client, flagged["tablet"])["eligible"] is True
    reviewer.post(f"{QUEUE}/{fid}", data={"action": "uphold", "reason": "核实后确认一人多号"})
    record = me(client, flagged["tablet"])
    assert record["eligible"] is False and record["draw_status"] == "not_in_draw" and record["entrant_code"] is None
    assert [row[0] for row in audit(app)] == ["flag_clear", "flag_uphold"]


def test_bulk_review_goes_through_a_confirmation_page(app, client, console, flagged):
    reviewer = console("organizer", username="reviewer")
    ids = sorted(flag_id(app, phone(1), kind) for kind in ("too_fast", "burst"))
    asked = reviewer.post(f"{QUEUE}/confirm", data={"ids": [str(i) for i in ids], "action": "uphold",
                                                   "reason": "同一时间集中交卷"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "将维持 2 条标记" in page and "同一时间集中交卷" in page
    assert "139****0001" in page and "张三" not in page and "139****0007" not in page
    assert sorted(int(v) for v in re.findall(r'name="ids" value="(\d+)"', page)) == ids
    assert 'name="confirmed" value="1"' in page
    assert audit(app) == []  # nothing changes before the confirmation
    done = reviewer.post(f"{QUEUE}/bulk", data={"ids": ids, "action": "uphold", "reason": "同一时间集中交卷",
                                               "confirmed": "1"}, follow_redirects=True)
    assert "已维持 2 条标记" in done.get_data(as_text=True)
    assert audit(app) == [("flag_uphold", "reviewer", 2, {"flag_id": ids, "reason": "同一时间集中交卷"})]
    assert me(client, flagged["fast"])["draw_status"] == "not_in_draw"


def test_bulk_without_a_reason_asks_again_on_the_confirmation_page(app, console, flagged):
    reviewer = console("organizer")
    fid = flag_id(app, phone(7), "many_phones")
    again = reviewer.post(f"{QUEUE}/bulk", data={"ids": [fid], "action": "clear", "reason": "", "confirmed": "1"})
    assert again.status_code == 422 and "请填写审核理由" in again.get_data(as_text=True)
    unconfirmed = reviewer.post(f"{QUEUE}/bulk", data={"ids": [fid], "action": "clear", "reason": "理由"})
    assert unconfirmed.status_code == 200 and "确认批量复核" in unconfirmed.get_data(as_text=True)
    nothing = reviewer.post(f"{QUEUE}/confirm", data={"action": "clear", "reason": "理由"}, follow_redirects=True)
    assert "请先勾选要处理的标记" in nothing.get_data(as_text=True)
    assert audit(app) == []


def test_the_whole_page_button_takes_every_unresolved_flag_listed(app, console, flagged):
    reviewer = console("organizer")
    html = reviewer.get(QUEUE).get_data(as_text=True)
    page_ids = re.findall(r'name="page_ids" value="(\d+)"', html)
    assert len(page_ids) == 3 and "本页全部 3 条待审核标记" in html
    asked = reviewer.post(f"{QUEUE}/confirm", data={"page_ids": page_ids, "whole_page": "1", "action": "clear",
                                                   "reason": "抽查无误"}).get_data(as_text=True)
    assert "将解除 3 条标记" in asked


def test_a_region_account_sees_and_reviews_only_its_region(app, console, flagged):
    local = console("organizer", region="包头市")
    html = local.get(QUEUE).get_data(as_text=True)
    assert "139****0001" in html and "139****0007" not in html  # the tablet's people are in 呼和浩特市
    other = flag_id(app, phone(7), "many_phones")
    assert local.post(f"{QUEUE}/{other}", data={"action": "clear", "reason": "越权"}).status_code == 404
    assert audit(app) == []


def test_the_checkboxes_belong_to_the_bulk_form_so_no_javascript_is_needed(app, console, flagged):
    html = console("organizer").get(QUEUE).get_data(as_text=True)
    assert '<form method="post" action="/admin/contests/demo/flags/confirm" id="bulk"' in html
    boxes = re.findall(r'<input type="checkbox" name="ids" value="\d+" form="bulk"', html)
    assert len(boxes) == 3 and "<script" not in html
