"""The play and confirm pages as round.js uses them (issue 12): the whole paper in the page, the background
save's answers (204 or a JSON error, never a redirect), and what each page promises with and without script."""

from __future__ import annotations

import html as htmllib
import json
import re

from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.services import attempts

from .conftest import parse_question

PAPER = re.compile(r"data-paper='([^']*)'")
ANSWERS = re.compile(r"data-answers='([^']*)'")
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def attribute_json(pattern: re.Pattern, page: str):
    return json.loads(htmllib.unescape(pattern.search(page).group(1)))


def stay(player, key: str, option_ids: list[str], **extra):
    """The script's background save, as round_queue.js sends it."""
    data = {"action": "stay", "question": key, "choice": option_ids, **extra}
    return player.client.post("/c/demo/play", data=data, headers={"Accept": "application/json"})


def saved(app, attempt_id: str) -> dict:
    with app.app_context():
        return attempts.saved_answers(db.session.get(Attempt, attempt_id))


def test_the_page_carries_the_whole_paper_in_order_without_the_right_answers(app, player):
    player.start()
    attempt_id = player.running().id
    first = parse_question(player.page(1).get_data(as_text=True))
    player.answer(1, first["key"], first["options"][:1])
    page = player.page(3).get_data(as_text=True)
    paper = attribute_json(PAPER, page)
    shown = [parse_question(player.page(n).get_data(as_text=True)) for n in range(1, 9)]
    assert [q["id"] for q in paper] == [s["key"] for s in shown]
    assert [[o["id"] for o in q["options"]] for q in paper] == [s["options"] for s in shown]
    assert {key for q in paper for key in q} == {"id", "type", "stem", "options", "label", "points"}
    assert {key for q in paper for o in q["options"] for key in o} == {"id", "text"}
    assert all(q["label"].endswith("（可多选）") == (q["type"] == "multiple") for q in paper)
    assert attribute_json(ANSWERS, page) == {first["key"]: first["options"][:1]} == saved(app, attempt_id)
    assert f'data-attempt="{attempt_id}"' in page and 'data-save-url="/c/demo/play"' in page


def test_a_background_save_is_204_and_moves_nothing(app, player):
    player.start()
    attempt_id = player.running().id
    shown = parse_question(player.page(2).get_data(as_text=True))
    response = stay(player, shown["key"], shown["options"][1:2], attempt_id=attempt_id)
    assert response.status_code == 204 and not response.data
    assert saved(app, attempt_id) == {shown["key"]: shown["options"][1:2]}
    cleared = stay(player, shown["key"], [], attempt_id=attempt_id)  # an untick clears, no `had` needed
    assert cleared.status_code == 204 and saved(app, attempt_id) == {shown["key"]: []}


def test_a_bad_choice_gets_a_json_error_not_a_page(app, player):
    player.start()
    attempt_id = player.running().id
    shown = parse_question(player.page(1).get_data(as_text=True))
    bad = stay(player, shown["key"], ["not-an-option"], attempt_id=attempt_id)
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "validation_error"
    unknown = stay(player, "nosuchq", shown["options"][:1], attempt_id=attempt_id)
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "not_found"
    assert saved(app, attempt_id) == {}


def test_after_the_deadline_a_save_is_409_with_the_result_to_show(app, player, clock):
    player.start()
    attempt_id = player.running().id
    shown = parse_question(player.page(1).get_data(as_text=True))
    clock.advance(seconds=600 + 6)  # past the deadline and its 5 s of grace
    late = stay(player, shown["key"], shown["options"][:1], attempt_id=attempt_id)
    body = late.get_json()["error"]
    assert late.status_code == 409 and body["code"] == "attempt_closed"
    assert body["result_url"] == f"/c/demo/result/{attempt_id}" and "答题已结束" in body["message"]
    assert saved(app, attempt_id) == {}
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).status == "finished"  # handed in with what it had


def test_a_queue_left_from_an_earlier_round_never_lands_in_the_next(app, player):
    player.start()
    old_id = player.running().id
    old = parse_question(player.page(1).get_data(as_text=True))
    player.client.post("/c/demo/submit", data={"attempt_id": old_id})
    player.start()
    new_id = player.running().id
    stale = stay(player, old["key"], old["options"][:1], attempt_id=old_id)
    assert stale.status_code == 409 and stale.get_json()["error"]["result_url"] == f"/c/demo/result/{old_id}"
    assert saved(app, new_id) == {} and saved(app, old_id) == {}


def test_a_background_save_needs_the_pages_csrf_token(app, player):
    player.start()
    attempt_id = player.running().id
    app.config["WTF_CSRF_ENABLED"] = True
    page = player.page(1).get_data(as_text=True)
    shown = parse_question(page)
    assert stay(player, shown["key"], shown["options"][:1], attempt_id=attempt_id).status_code == 400
    assert saved(app, attempt_id) == {}
    token = TOKEN.search(page).group(1)
    ok = stay(player, shown["key"], shown["options"][:1], attempt_id=attempt_id, csrf_token=token)
    assert ok.status_code == 204 and saved(app, attempt_id) == {shown["key"]: shown["options"][:1]}


def visible_text(page: str) -> str:
    """The page's text as shown without script: tags and attribute values dropped."""
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", page))


def test_without_script_the_pages_promise_only_what_the_server_does(player):
    player.start()
    play = player.page(1).get_data(as_text=True)
    shown = visible_text(play)
    assert "服务器只计入截止前已保存的答案" in shown and "前点“交卷”" in shown
    assert "自动交卷" not in shown and "已保存" not in shown.replace("已保存的答案", "")
    # The script swaps in the promise it keeps (it hands in at the deadline).
    assert 'data-js="请在' in play and "时间到系统会自动交卷" in play
    confirm = player.client.get("/c/demo/play/confirm").get_data(as_text=True)
    shown = visible_text(confirm)
    assert "服务器只计入截止前已保存的答案" in shown and "前点“确定交卷”" in shown and "自动交卷" not in shown
    assert 'id="countdown">10:00<' in confirm and "data-deadline=" in confirm and "data-server-time=" in confirm
    assert 'id="handin"' in confirm and 'aria-live="assertive"' in confirm
