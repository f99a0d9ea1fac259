"""Participant pages through HTML: landing, registration, a whole round, time-out, record, leaderboard."""

from __future__ import annotations

import json

from quizapp.extensions import db
from quizapp.models import Participant

from .conftest import Player, parse_question


def play_through(who: Player, skip: set[int] = frozenset()) -> list[str]:
    """Answer every question correctly (except the numbers in `skip`); returns the keys in order."""
    first = parse_question(who.page(1).get_data(as_text=True))
    attempt = who.running()
    right = who.correct(attempt.id)
    keys = []
    for number in range(1, first["count"] + 1):
        shown = parse_question(who.page(number).get_data(as_text=True))
        keys.append(shown["key"])
        if number not in skip:
            who.answer(number, shown["key"], right[shown["key"]])
    return keys


def test_landing_shows_rules_dates_prizes_consent_and_form(client, contest):
    html = client.get("/c/demo?ch=qr-01").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "测试竞赛" in html and "进行中" in html
    assert "2026年11月15日 00:00" in html and "2026年12月15日 23:59" in html
    assert "每次答题 8 道题，限时 10分钟" in html
    assert "每天可答 3 次" in html and "最多答 5 次" in html
    assert "满分 50 分，达到 30 分即获得抽奖资格" in html
    assert "一等奖：1 名" in html and "二等奖：2 名" in html
    assert "个人信息收集使用说明" in html and "保留至竞赛结束后 180 日" in html and "{retention_days}" not in html
    assert 'name="phone"' in html and 'type="checkbox"' in html and 'name="consent"' in html
    assert '<option value="包头市">包头市</option>' in html
    assert 'name="channel" type="hidden" value="qr-01"' in html


def test_unknown_contest_is_a_styled_404(client, contest):
    response = client.get("/c/nope")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "/static/css/site." in html and "不存在" in html


def test_bad_phone_is_shown_on_the_phone_field(client, contest):
    response = client.post("/c/demo/register", data={"name": "张三", "phone": "12345", "region": "包头市",
                                                     "consent": "y", "age_confirmed": "y"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = html[html.index('<label for="phone"') - 60:html.index('id="phone"') + 200]
    assert "has-error" in field and "11 位手机号码" in field and 'aria-invalid="true"' in field
    assert 'value="张三"' in html  # what was typed stays in the form
    assert "开始答题" not in html


def test_consent_and_region_are_required(client, contest):
    response = client.post("/c/demo/register", data={"name": "张三", "phone": "13812345678", "region": "北京"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "请阅读并同意" in html and "所选地区不在本次竞赛的地区列表中" in html


def test_registration_redirects_and_offers_start(app, contest, new_player):
    who = new_player()
    response = who.register(phone="+86 138-1234-5678", channel="qr-01")
    assert response.status_code == 302 and response.headers["Location"].endswith("/c/demo")
    assert response.headers["Cache-Control"] == "no-store"
    html = who.client.get("/c/demo").get_data(as_text=True)
    assert "登记成功" in html and "开始答题" in html and "/c/demo/me" in html and "/c/demo/leaderboard" in html
    assert 'name="phone"' not in html
    with app.app_context():
        person = db.session.execute(db.select(Participant)).scalar_one()
        assert (person.phone, person.channel) == ("13812345678", "qr-01")
    again = new_player()  # the same phone on another device finds the same participant
    assert again.register(phone="13812345678").status_code == 302
    assert "欢迎回来" in again.client.get("/c/demo").get_data(as_text=True)


def test_malformed_channel_is_ignored_not_fatal(app, contest, new_player):
    who = new_player()
    assert who.register(channel="<bad channel>").status_code == 302


def test_whole_round_with_back_reload_confirm_and_result(player, clock):
    started = player.start()
    clock.advance(seconds=40)  # a human pace: a round answered in no time is flagged and not in the draw
    assert started.status_code == 302 and started.headers["Location"].endswith("/c/demo/play")
    first = player.page()
    assert first.headers["Cache-Control"] == "no-store"
    q1 = parse_question(first.get_data(as_text=True))
    assert (q1["number"], q1["count"]) == (1, 8)
    right = player.correct(player.running().id)
    moved = player.answer(1, q1["key"], right[q1["key"]])
    assert moved.status_code == 302 and moved.headers["Location"].endswith("/c/demo/play?q=2")
    q2 = parse_question(player.page(2).get_data(as_text=True))
    back = player.answer(2, q2["key"], right[q2["key"]], action="prev")
    assert back.headers["Location"].endswith("?q=1")
    again = parse_question(player.page(1).get_data(as_text=True))
    assert again["key"] == q1["key"] and again["checked"] == right[q1["key"]]
    keys = play_through(player)
    reloaded = [parse_question(player.page(n).get_data(as_text=True))["key"] for n in range(1, 9)]
    assert reloaded == keys and len(set(keys)) == 8  # a reload (or second tab) resumes the same order
    resumed = player.start()  # pressing 开始答题 again resumes the running round
    assert resumed.headers["Location"].endswith("/c/demo/play")
    last = parse_question(player.page(8).get_data(as_text=True))
    html = player.page(8).get_data(as_text=True)
    assert "交卷" in html and "保存并下一题" not in html and html.count("，已作答\"") == 8
    to_confirm = player.answer(8, last["key"], right[last["key"]], action="submit")
    assert to_confirm.headers["Location"].endswith("/c/demo/play/confirm")
    confirm = player.client.get("/c/demo/play/confirm").get_data(as_text=True)
    assert "8 道题已全部作答，确定交卷吗？" in confirm
    attempt_id = player.running().id
    done = player.client.post("/c/demo/submit", data={"attempt_id": attempt_id})
    assert done.headers["Location"].endswith(f"/c/demo/result/{attempt_id}")
    result = player.client.get(done.headers["Location"])
    assert result.headers["Cache-Control"] == "no-store"
    html = result.get_data(as_text=True)
    assert "50</strong> / 50" in html and "答对 8 / 8 题" in html
    assert "成绩达到 30 分，获得抽奖资格" in html
    assert html.count("✓ 正确答案") >= 8 and "✓ 您的选择" in html and "✗ 您的选择" not in html
    assert "解析 " in html and "出处" in html and "《中华人民共和国药品管理法》" in html
    again = player.client.post("/c/demo/submit", data={"attempt_id": attempt_id})  # idempotent
    assert again.headers["Location"].endswith(f"/c/demo/result/{attempt_id}")


def test_confirmation_lists_unanswered_questions(player):
    player.start()
    play_through(player, skip={2, 5, 7})
    html = player.client.get("/c/demo/play/confirm").get_data(as_text=True)
    assert "还有 3 题未作答，确定交卷吗？" in html
    for number in (2, 5, 7):
        assert f"/c/demo/play?q={number}" in html
    attempt_id = player.running().id
    result = player.client.post("/c/demo/submit", data={"attempt_id": attempt_id}, follow_redirects=True)
    html = result.get_data(as_text=True)
    assert html.count("✗ 未作答") == 3 and "答对 5 / 8 题" in html


def test_wrong_answer_and_multiple_choice_marks(player):
    player.start()
    attempt = player.running()
    right = player.correct(attempt.id)
    for number in range(1, 9):
        shown = parse_question(player.page(number).get_data(as_text=True))
        if shown["type"] == "checkbox":
            player.answer(number, shown["key"], shown["options"][:2])
            assert parse_question(player.page(number).get_data(as_text=True))["checked"] == shown["options"][:2]
            player.answer(number, shown["key"], [], had="1")  # unticking everything clears the answer
            assert parse_question(player.page(number).get_data(as_text=True))["checked"] == []
        else:
            wrong = [o for o in shown["options"] if o not in right[shown["key"]]][:1]
            player.answer(number, shown["key"], wrong)
    html = player.client.post("/c/demo/submit", data={"attempt_id": attempt.id},
                              follow_redirects=True).get_data(as_text=True)
    assert "0</strong> / 50" in html and "✗ 您的选择" in html and "✗ 答错" in html
    assert "成绩未达到 30 分" in html and "再答一次" in html


def test_bad_option_is_a_message_not_an_error_page(player):
    player.start()
    shown = parse_question(player.page(1).get_data(as_text=True))
    response = player.answer(1, shown["key"], ["not-an-option"])
    assert response.status_code == 302
    assert "选项不属于这道题" in player.page(1).get_data(as_text=True)


def test_time_out_goes_to_result(player, clock):
    player.start()
    shown = parse_question(player.page(1).get_data(as_text=True))
    right = player.correct(player.running().id)
    player.answer(1, shown["key"], right[shown["key"]])
    attempt_id = player.running().id
    clock.advance(seconds=606)
    late = player.page(2)
    assert late.status_code == 302 and late.headers["Location"].endswith(f"/result/{attempt_id}")
    html = player.client.get(late.headers["Location"]).get_data(as_text=True)
    assert "时间已到" in html and "答对 1 / 8 题" in html
    too_late = player.answer(2, "whatever", [])
    assert too_late.headers["Location"].endswith("/c/demo")  # nothing running any more


def test_answer_after_deadline_is_not_saved(player, clock):
    player.start()
    shown = parse_question(player.page(1).get_data(as_text=True))
    attempt_id = player.running().id
    clock.advance(seconds=700)
    response = player.answer(1, shown["key"], shown["options"][:1])
    assert response.headers["Location"].endswith(f"/result/{attempt_id}")
    assert "答对 0 / 8 题" in player.client.get(response.headers["Location"]).get_data(as_text=True)


def test_countdown_reaching_zero_hands_in(player, clock):
    player.start()
    shown = parse_question(player.page(1).get_data(as_text=True))
    clock.advance(seconds=500)  # a phone clock far ahead: the server only shows the page again
    early = player.answer(1, shown["key"], [], timeup="1")
    assert early.headers["Location"].endswith("/c/demo/play?q=1")
    clock.advance(seconds=99)
    done = player.answer(1, shown["key"], shown["options"][:1], timeup="1")
    assert "/c/demo/result/" in done.headers["Location"]


def test_pages_need_registration(client, contest):
    for path in ("/c/demo/play", "/c/demo/me", "/c/demo/result/abc", "/c/demo/play/confirm"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/c/demo"), path
    assert "请先登记参赛信息" in client.get("/c/demo").get_data(as_text=True)


def test_play_without_round_goes_back_and_start_is_post_only(player):
    response = player.page()
    assert response.status_code == 302 and response.headers["Location"].endswith("/c/demo")
    assert player.client.get("/c/demo/start").status_code == 405
    assert player.running() is None


def test_exhausted_allowance_is_a_message_on_the_landing_page(player):
    for _ in range(3):
        player.start()
        attempt_id = player.running().id
        player.client.post("/c/demo/submit", data={"attempt_id": attempt_id})
    html = player.client.get("/c/demo").get_data(as_text=True)
    assert "今天的答题次数已用完" in html and 'action="/c/demo/start"' not in html
    refused = player.start()
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/c/demo")
    assert "今天的 3 次答题机会已用完" in player.client.get("/c/demo").get_data(as_text=True)


def test_contest_not_open_shows_status_and_refuses_registration(app, clock):
    from quizapp.services.banks import import_bank_bytes
    from quizapp.services.contests import load_contest
    from tests.conftest import contest_definition, sample_bank

    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(slug="later", starts_at="2027-01-01T00:00:00+08:00",
                                        ends_at="2027-02-01T00:00:00+08:00"), clock.now)
    client = app.test_client()
    html = client.get("/c/later").get_data(as_text=True)
    assert "未开始" in html and 'name="phone"' not in html
    refused = client.post("/c/later/register", data={"name": "张三", "phone": "13812345678",
                                                      "region": "包头市", "consent": "y", "age_confirmed": "y"}, follow_redirects=True)
    assert "竞赛尚未开始" in refused.get_data(as_text=True)


def test_my_record_and_forget(player, clock):
    player.start()
    clock.advance(seconds=40)  # a human pace: a round answered in no time is flagged and not in the draw
    play_through(player)
    attempt_id = player.running().id
    player.client.post("/c/demo/submit", data={"attempt_id": attempt_id})
    response = player.client.get("/c/demo/me")
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "最好成绩" in html and "<strong>50</strong>" in html and "已获得抽奖资格" in html
    assert "今天还可以答 2 次" in html and f"/c/demo/result/{attempt_id}" in html
    player.client.post("/c/demo/forget")
    assert player.client.get("/c/demo/me").status_code == 302


def test_leaderboard_masks_names(app, contest, new_player):
    for phone, name in (("13812345678", "张三丰"), ("13912345678", "欧阳娜娜")):
        who = new_player()
        who.register(phone=phone, name=name)
        who.start()
        play_through(who)
        who.client.post("/c/demo/submit", data={"attempt_id": who.running().id})
    response = app.test_client().get("/c/demo/leaderboard")
    html = response.get_data(as_text=True)
    assert "张**" in html and "欧阳**" in html and "张三丰" not in html and "欧阳娜娜" not in html
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_background_save_stores_the_choice_without_moving(player):
    player.start()
    shown = parse_question(player.page(2).get_data(as_text=True))
    response = player.answer(2, shown["key"], shown["options"][:1], action="stay")
    assert response.status_code == 204 and not response.get_data()
    assert parse_question(player.page(2).get_data(as_text=True))["checked"] == shown["options"][:1]
