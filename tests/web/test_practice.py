"""练习模式: drawn by the contest's rules, the answer after each question, and nothing written anywhere."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from datetime import date

import pytest

from quizapp.extensions import db
from quizapp.models import Question
from tests.conftest import app_with_contest, backend_params, contest_definition

from .conftest import Player, parse_question

PRACTICE = "/c/demo/practice"
STEM = re.compile(r'<span class="stem">([^<]+)</span>')
OPTION = re.compile(r'name="choice" value="(\d+)">\s*<span class="letter">([A-Z])</span><span class="text">([^<]*)</span>')
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def shown(app, page: str) -> dict:
    """The question on a practice page with its right and wrong option values, read from the bank itself."""
    stem = STEM.search(page).group(1)
    options = OPTION.findall(page)
    with app.app_context():
        question = db.session.execute(db.select(Question).filter_by(stem=stem)).scalar_one()
        right_texts = {question.options[i] for i in question.answer}
        kind = question.type
    right = [value for value, _letter, label in options if label in right_texts]
    wrong = [value for value, _letter, label in options if label not in right_texts]
    letters = [letter for value, letter, _label in options if value in right]
    return {"stem": stem, "type": kind, "right": right, "wrong": wrong, "letters": letters,
            "values": [value for value, _l, _t in options], "number": int(re.search(r"(\d+) / \d+", page).group(1))}


def feedback_shown(page: str) -> bool:
    return "回答正确" in page or "回答错误" in page


def start(client) -> str:
    """Start a practice round; returns the first question's page."""
    response = client.post(f"{PRACTICE}/new")
    assert response.status_code == 302 and response.headers["Location"].endswith(PRACTICE)
    return text(client.get(PRACTICE))


def play_round(app, client, right_numbers: set[int]) -> tuple[str, list[dict]]:
    """Answer every question (right for the numbers given, else wrong); returns the summary page and the questions."""
    page, seen = start(client), []
    while "本组练习完成" not in page:
        question = shown(app, page)
        seen.append(question)
        choice = question["right"] if question["number"] in right_numbers else question["wrong"][:1]
        assert client.post(f"{PRACTICE}/answer", data={"n": question["number"], "choice": choice}).status_code == 302
        assert client.post(f"{PRACTICE}/next").status_code == 302
        page = text(client.get(PRACTICE))
    return page, seen


def row_counts(app) -> dict[str, int]:
    """Rows in every table of the schema."""
    with app.app_context():
        return {table.name: db.session.execute(db.select(db.func.count()).select_from(table)).scalar_one()
                for table in db.metadata.sorted_tables}


def finished_player(app, phone: str = "13812345678") -> None:
    """A registered participant with one finished round, so the leaderboard and tallies have something in them."""
    who = Player(app)
    assert who.register(phone=phone, age_confirmed="y").status_code == 302
    who.start()
    first = parse_question(who.page(1).get_data(as_text=True))
    who.answer(1, first["key"], first["options"][:1])
    who.client.post("/c/demo/submit", data={"attempt_id": who.running().id})


def test_a_practice_round_writes_nothing_and_changes_no_leaderboard(app, contest):
    finished_player(app)
    before, board = row_counts(app), app.test_client().get("/api/v1/contests/demo/leaderboard").get_json()
    assert before["attempt"] == 1 and before["participant"] == 1 and board["entries"]
    client = app.test_client()
    summary, questions = play_round(app, client, right_numbers={1, 2, 3})
    play_round(app, client, right_numbers=set())  # 再练一组 as well
    assert len(questions) == 8 and "答对 3 道" in summary
    assert row_counts(app) == before
    assert app.test_client().get("/api/v1/contests/demo/leaderboard").get_json() == board


def test_a_registered_participant_practising_gets_no_attempt(app, contest):
    who = Player(app)
    assert who.register(age_confirmed="y").status_code == 302
    before = row_counts(app)
    play_round(app, who.client, right_numbers={1})
    assert row_counts(app) == before
    assert "开始答题" in text(who.client.get("/c/demo"))  # no round was started on their behalf


def test_the_paper_follows_the_contest_draw_rules(app, contest):
    _summary, questions = play_round(app, app.test_client(), right_numbers=set())
    assert Counter(q["type"] for q in questions) == {"single": 4, "multiple": 2, "judge": 2}
    assert len({q["stem"] for q in questions}) == 8


def test_the_question_page_reveals_no_answer(app, contest):
    page = start(app.test_client())
    question = shown(app, page)
    assert question["number"] == 1 and "1 / 8" in page
    with app.app_context():
        explanation = db.session.execute(db.select(Question.explanation).filter_by(stem=question["stem"])).scalar_one()
    assert "正确答案：" not in page and "解析：" not in page and explanation not in page and not feedback_shown(page)
    assert "is-right" not in page and "✓" not in page and 'name="n" value="1"' in page


def test_feedback_after_a_right_answer_shows_the_answer_explanation_and_source(app, contest):
    client = app.test_client()
    question = shown(app, start(client))
    client.post(f"{PRACTICE}/answer", data={"n": "1", "choice": question["right"]})
    page = text(client.get(PRACTICE))
    assert "✓ 回答正确" in page and "回答错误" not in page
    assert f"正确答案：{'、'.join(question['letters'])}" in page
    with app.app_context():
        stored = db.session.execute(db.select(Question).filter_by(stem=question["stem"])).scalar_one()
        explanation, source = stored.explanation, stored.source
    assert f"解析：</strong>{explanation}" in page and f"出处：</strong>{source}" in page
    assert page.count("is-right") == len(question["right"]) and "下一题" in page
    client.post(f"{PRACTICE}/next")
    assert shown(app, text(client.get(PRACTICE)))["number"] == 2


def test_feedback_after_a_wrong_answer_marks_the_choice_and_the_right_option(app, contest):
    client = app.test_client()
    question = shown(app, start(client))
    wrong = question["wrong"][0]
    client.post(f"{PRACTICE}/answer", data={"n": "1", "choice": [wrong]})
    page = text(client.get(PRACTICE))
    assert "✗ 回答错误" in page and "回答正确" not in page
    chosen = re.search(r'<li class="opt is-chosen">\s*<span class="letter">([A-Z])', page).group(1)
    assert chosen == "ABCDEF"[question["values"].index(wrong)] and "✗ 您的选择" in page
    assert f"正确答案：{'、'.join(question['letters'])}" in page


def test_answering_twice_keeps_the_first_answer(app, contest):
    client = app.test_client()
    question = shown(app, start(client))
    client.post(f"{PRACTICE}/answer", data={"n": "1", "choice": question["wrong"][:1]})
    client.post(f"{PRACTICE}/answer", data={"n": "1", "choice": question["right"]})
    assert "回答错误" in text(client.get(PRACTICE))
    client.post(f"{PRACTICE}/next")
    client.post(f"{PRACTICE}/next")  # a double tap on 下一题 moves on once
    assert shown(app, text(client.get(PRACTICE)))["number"] == 2


def test_a_stale_form_for_another_question_is_ignored(app, contest):
    client = app.test_client()
    question = shown(app, start(client))
    client.post(f"{PRACTICE}/answer", data={"n": "2", "choice": question["right"]})
    page = text(client.get(PRACTICE))
    assert not feedback_shown(page) and shown(app, page)["number"] == 1


@pytest.mark.parametrize("choice,message", [([], "请先选择答案"), (["9"], "所选选项不存在"), (["x"], "所选选项不存在")])
def test_bad_choices_are_refused_with_a_message(app, contest, choice, message):
    client = app.test_client()
    start(client)
    client.post(f"{PRACTICE}/answer", data={"n": "1", "choice": choice})
    page = text(client.get(PRACTICE))
    assert message in page and 'role="alert"' in page and not feedback_shown(page)


def test_a_single_choice_question_takes_one_answer(app, contest):
    client = app.test_client()
    page = start(client)
    while shown(app, page)["type"] != "single":  # walk on until a single-choice question
        question = shown(app, page)
        client.post(f"{PRACTICE}/answer", data={"n": question["number"], "choice": question["right"]})
        client.post(f"{PRACTICE}/next")
        page = text(client.get(PRACTICE))
    question = shown(app, page)
    client.post(f"{PRACTICE}/answer", data={"n": question["number"], "choice": question["values"][:2]})
    assert "只能选一个答案" in text(client.get(PRACTICE))


def test_summary_links_while_open_and_after_the_contest_closed(app, contest, clock):
    summary, _questions = play_round(app, app.test_client(), right_numbers={1, 2, 3, 4, 5, 6, 7, 8})
    assert "答对 8 道" in summary and "8</strong> / 8" in summary
    assert "再练一组" in summary and "返回竞赛首页" in summary and "参加正式答题" in summary
    clock.advance(days=40)  # closed: practice stays a learning resource, without the contest link
    summary, questions = play_round(app, app.test_client(), right_numbers=set())
    assert len(questions) == 8 and "答对 0 道" in summary
    assert "再练一组" in summary and "参加正式答题" not in summary


def test_again_draws_a_fresh_round(app, contest):
    client = app.test_client()
    play_round(app, client, right_numbers=set())
    page = start(client)  # 再练一组 posts to the same address
    assert shown(app, page)["number"] == 1 and not feedback_shown(page)


def test_the_cookie_holds_ids_only(app, contest):
    client = app.test_client()
    start(client)
    with client.session_transaction() as session:
        kept = session["practice"]
    assert set(kept) == {"s", "q", "r", "p", "m"} and len(kept["q"]) == 8
    assert all(isinstance(qid, int) for qid in kept["q"])
    assert len(json.dumps(kept)) < 120 and "单选题" not in json.dumps(kept, ensure_ascii=False)


def test_a_damaged_or_other_contests_round_is_not_used(app, contest, clock):
    from quizapp.services.contests import load_contest

    with app.app_context():
        load_contest(contest_definition(slug="other"), clock.now)
    client = app.test_client()
    start(client)
    assert "开始练习" in text(client.get("/c/other/practice"))
    assert client.post("/c/other/practice/answer", data={"n": "1", "choice": ["0"]}).status_code == 302
    with client.session_transaction() as session:
        session["practice"] = {"s": "demo", "q": [1, 2], "r": 1, "p": 5, "m": ""}
    assert "开始练习" in text(client.get(PRACTICE))
    assert client.get("/c/nowhere/practice").status_code == 404


def test_a_short_bank_gives_a_shorter_round_and_an_empty_one_a_message(app, contest):
    with app.app_context():
        singles = db.session.execute(db.select(Question).filter_by(type="single").order_by(Question.id)).scalars().all()
        for question in singles[2:]:
            question.valid_until = date(2020, 1, 1)  # retired: the law changed
        db.session.commit()
    _summary, questions = play_round(app, app.test_client(), right_numbers=set())
    assert Counter(q["type"] for q in questions) == {"single": 2, "multiple": 2, "judge": 2}
    with app.app_context():
        db.session.execute(db.update(Question).values(valid_until=date(2020, 1, 1)))
        db.session.commit()
    client = app.test_client()
    response = client.post(f"{PRACTICE}/new")
    assert response.status_code == 302
    assert "暂时没有可以练习的题目" in text(client.get(PRACTICE))


def test_a_question_deleted_during_the_round_is_skipped(app, contest):
    client = app.test_client()
    first = shown(app, start(client))
    with client.session_transaction() as session:
        second_id = session["practice"]["q"][1]
    client.post(f"{PRACTICE}/answer", data={"n": "1", "choice": first["right"]})
    with app.app_context():
        db.session.execute(db.delete(Question).where(Question.id == second_id))
        db.session.commit()
    client.post(f"{PRACTICE}/next")
    page = text(client.get(PRACTICE))
    assert "2 / 7" in page and shown(app, page)["stem"] != first["stem"]


def test_forms_need_the_csrf_token(app, contest):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    assert client.post(f"{PRACTICE}/new").status_code == 400
    token = TOKEN.search(text(client.get(PRACTICE))).group(1)
    assert client.post(f"{PRACTICE}/new", data={"csrf_token": token}).status_code == 302
    page = text(client.get(PRACTICE))
    question = shown(app, page)
    assert client.post(f"{PRACTICE}/answer", data={"n": "1", "choice": question["right"]}).status_code == 400
    answered = client.post(f"{PRACTICE}/answer", data={"n": "1", "choice": question["right"],
                                                       "csrf_token": TOKEN.search(page).group(1)})
    assert answered.status_code == 302 and "回答正确" in text(client.get(PRACTICE))


def test_pages_are_personal_and_never_cached(app, contest):
    client = app.test_client()
    assert client.get(PRACTICE).headers["Cache-Control"] == "no-store"
    start(client)
    assert client.get(PRACTICE).headers["Cache-Control"] == "no-store"


@pytest.fixture(params=backend_params())
def limited_app(request, database_targets, clock):
    """The sample contest with rate limits on: 3 practice answers and 2 new rounds a minute per address."""
    app = app_with_contest(database_targets[request.param], clock, RATELIMIT_ENABLED=True,
                           RATELIMIT_STORAGE_URI="memory://", PRACTICE_RATELIMIT_ANSWER="3 per minute",
                           PRACTICE_RATELIMIT_ROUND="2 per minute")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_answers_and_rounds_are_rate_limited_per_address(limited_app):
    client = limited_app.test_client()
    for _ in range(2):
        assert client.post(f"{PRACTICE}/new").status_code == 302
    refused = client.post(f"{PRACTICE}/new")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    for _ in range(3):
        assert client.post(f"{PRACTICE}/answer", data={"n": "1", "choice": ["0"]}).status_code == 302
    assert client.post(f"{PRACTICE}/answer", data={"n": "1", "choice": ["0"]}).status_code == 429
    other = limited_app.test_client()  # the limit is per address: another address still gets through
    response = other.post(f"{PRACTICE}/answer", data={"n": "1", "choice": ["0"]},
                          environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 302


def test_overlapping_rules_short_of_questions_still_give_a_round_without_repeats():
    from random import Random

    from quizapp.domain.paper import Candidate, DrawRule
    from quizapp.services.practice import _draw_ids

    # Both rules draw from the same three questions: 2 + 2 cannot be met, 3 distinct ones can.
    shared = [Candidate(question_id=qid, option_count=4) for qid in (11, 12, 13)]
    rules = [DrawRule(banks=("a",), type="single", count=2, points=1),
             DrawRule(banks=("a",), type="single", count=2, points=1, category="法规")]
    for seed in range(20):
        ids = _draw_ids(rules, [shared, shared], Random(seed))
        assert sorted(ids) == [11, 12, 13]


def test_option_order_is_stable_per_round_and_keeps_judge_order():
    from quizapp.services.practice import option_order

    assert option_order(7, 42, 4, "single") == option_order(7, 42, 4, "single")
    assert sorted(option_order(7, 42, 4, "single")) == [0, 1, 2, 3]
    assert len({tuple(option_order(seed, 42, 4, "single")) for seed in range(50)}) > 5  # really shuffled
    assert all(option_order(seed, 42, 2, "judge") == [0, 1] for seed in range(20))
