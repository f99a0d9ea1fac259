"""Rural networks (issue 12): the round in a real Chromium at 360×740 with the network cut through CDP.
Choices made offline wait in localStorage, survive a reload and reach the database when the network is back;
the countdown warns in words at 5 and 1 minutes and the confirm page hands in by itself at the deadline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import request

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptAnswer, utcnow
from quizapp.services import attempts
from tests.api.test_rate_limits import random_phone
from tests.browser.support import browser_page, require_chromium, serving
from tests.conftest import Clock, backend_params, contest_definition, make_app, sample_bank

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 360, 740
SHOTS = Path("/tmp/shots/round")
OFFLINE_TEXT = "离线，稍后自动保存"
SAVES = re.compile(r".*/c/live/play$")  # the background saves post to the play page itself
# Chromium reports each refused or cut request itself; anything else on the console would be ours.
NETWORK_NOISE = ("ERR_INTERNET_DISCONNECTED", "ERR_FAILED", "ERR_NAME_NOT_RESOLVED")


def build(target: dict, clock, grace: int = 5):
    """An app with CSRF on, fast save retries (100 ms) and the sample contest 'live' open around `clock`."""
    from quizapp.services.banks import import_bank_bytes
    from quizapp.services.contests import load_contest

    app = make_app(target, clock, WTF_CSRF_ENABLED=True, ROUND_SAVE_RETRY_MS=100)

    @app.before_request
    def refuse_saves_while_told():
        # The server side of a dead network: while REFUSE_SAVES is set no save can reach the database.
        if app.config.get("REFUSE_SAVES") and request.method == "POST" and request.path == "/c/live/play":
            return "down", 503, {"Retry-After": "1"}
        return None

    definition = contest_definition(slug="live", starts_at="today-1d", ends_at="today+30d")
    definition["round"]["grace_seconds"] = grace
    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(definition, clock())
    return app


@pytest.fixture(params=backend_params())
def live(request, database_targets):
    """(app, base URL) on the real clock, on SQLite and (when configured) PostgreSQL."""
    require_chromium()
    app = build(database_targets[request.param], utcnow)
    with serving(app) as base:
        yield app, base


@pytest.fixture(params=backend_params())
def timed(request, database_targets):
    """(app, base URL, clock): the server's clock stands still until the test moves it."""
    require_chromium()
    clock = Clock(utcnow())
    app = build(database_targets[request.param], clock, grace=10)
    with serving(app) as base:
        yield app, base, clock


@pytest.fixture
def phone():
    """A 360×740 touch page; console errors are collected."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    with browser_page(viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True, has_touch=True) as page:
        yield page


def register_and_start(page, base: str) -> None:
    """Register through the landing page's form and press 开始答题."""
    page.goto(f"{base}/c/live")
    page.fill("#name", "王阿姨")
    page.fill("#phone", random_phone())
    page.select_option("#region", "包头市")
    page.locator("label.option", has=page.locator("#consent")).click()
    if page.locator("#age_confirmed").count():
        page.locator("label.option", has=page.locator("#age_confirmed")).click()
    page.get_by_role("button", name="登记", exact=True).click()
    page.get_by_role("button", name="开始答题").click()
    page.wait_for_url(re.compile(r"/c/live/play"))


def set_offline(page, offline: bool) -> None:
    """Cut or restore the page's network the way DevTools does (navigator.onLine and its events follow)."""
    if not hasattr(page, "cdp"):
        page.cdp = page.context.new_cdp_session(page)
        page.cdp.send("Network.enable")
    page.cdp.send("Network.emulateNetworkConditions",
                  {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    page.wait_for_function("offline => navigator.onLine === !offline", arg=offline)


def save_state(page) -> str:
    return page.locator("#save-state").inner_text().strip()


def wait_state(page, text: str, timeout: float = 15000) -> None:
    page.wait_for_function("t => document.getElementById('save-state').textContent.indexOf(t) >= 0", arg=text,
                           timeout=timeout)


def pick(page, index: int) -> tuple[str, list[str]]:
    """Tap option `index` of the question shown; returns (question key, the option ids now ticked)."""
    page.locator("label.option").nth(index).click()
    ticked = page.locator("input[name=choice]:checked").evaluate_all("inputs => inputs.map(i => i.value)")
    return page.locator("input[name=question]").input_value(), ticked


def next_question(page) -> None:
    page.get_by_role("button", name="保存并下一题").click()


def saved(app, attempt_id: str) -> tuple[dict, Attempt, list]:
    """What the server holds: the answers through the service, the attempt and the stored rows."""
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        answers = attempts.saved_answers(attempt)
        rows = db.session.execute(db.select(AttemptAnswer).filter_by(attempt_id=attempt_id)).scalars().all()
        db.session.expunge_all()
        return answers, attempt, rows


def attempt_of(page) -> str:
    return page.locator("#round").get_attribute("data-attempt")


def queued(page, attempt_id: str) -> dict:
    return page.evaluate("k => JSON.parse(localStorage.getItem(k) || '{}')", f"quizapp.answers.{attempt_id}")


def our_errors(page) -> list[str]:
    return [e for e in page.errors if not any(noise in e for noise in NETWORK_NOISE)]


def test_offline_choices_are_queued_and_saved_when_the_network_returns(live, phone):
    app, base = live
    page = phone
    register_and_start(page, base)
    attempt_id = attempt_of(page)
    documents = []
    page.on("request", lambda r: r.resource_type == "document" and documents.append(r.url))
    first = pick(page, 0)
    wait_state(page, "已保存")
    page.screenshot(path=str(SHOTS / "saved.png"))

    set_offline(page, True)
    chosen = dict([first])
    for _ in range(3):  # three more questions, each moved to without the network
        next_question(page)
        key, ticked = pick(page, 0)
        chosen[key] = ticked
        assert OFFLINE_TEXT in save_state(page)
    assert page.locator(".progress").inner_text() == "4 / 8"
    # The answer sheet follows each choice at once, offline too.
    assert page.locator(".cell.answered").count() == 4 and "已答 4 / 8" in page.locator("#sheet-count").inner_text()
    assert page.get_by_role("button", name="第 4 题，已作答").count() == 1
    # A second thought on question 2 replaces its queued choice instead of queueing another.
    page.get_by_role("button", name="第 2 题，已作答").click()
    assert page.locator(".progress").inner_text() == "2 / 8" and re.search(r"q=2$", page.url)
    key, ticked = pick(page, 1)
    assert chosen[key] != ticked
    chosen[key] = ticked
    waiting = queued(page, attempt_id)
    assert len(waiting) == 3 and waiting[key]["ids"] == ticked
    assert saved(app, attempt_id)[0] == dict([first])  # nothing reached the server meanwhile
    assert page.locator("#save-state").get_attribute("aria-live") == "polite"
    page.screenshot(path=str(SHOTS / "offline.png"))

    set_offline(page, False)
    wait_state(page, "已保存")
    answers, attempt, rows = saved(app, attempt_id)
    assert answers == chosen and len(rows) == 4
    assert all(row.saved_at < attempt.deadline for row in rows)
    assert queued(page, attempt_id) == {}
    assert documents == []  # the whole round so far without loading a page
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert our_errors(page) == []


def test_a_reload_while_offline_keeps_the_queue_and_sends_it_later(live, phone):
    app, base = live
    page = phone
    register_and_start(page, base)
    attempt_id = attempt_of(page)
    refused = []

    def refuse_saves(route):
        if route.request.method == "POST":
            refused.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    # The saves fail from here on, even after the network is back, until the test lets them through. The
    # server refuses them too: while Chromium tears the page down for the reload, a request can slip past
    # both the emulated offline network and Playwright's routing.
    page.context.route(SAVES, refuse_saves)
    app.config["REFUSE_SAVES"] = True
    set_offline(page, True)
    first = pick(page, 1)
    next_question(page)
    second = pick(page, 0)
    assert OFFLINE_TEXT in save_state(page)
    with pytest.raises(Exception, match="ERR_INTERNET_DISCONNECTED"):
        page.reload()  # the phone cannot even load the page: the queue in localStorage is all there is
    page.wait_for_url(re.compile(r"^chrome-error://"))  # Chromium's own "no internet" page
    set_offline(page, False)
    assert saved(app, attempt_id)[0] == {}

    page.goto(f"{base}/c/live/play?q=1")
    # The server has neither choice, yet the page shows both from the queue: ticked and on the sheet.
    wait_state(page, OFFLINE_TEXT)
    assert refused and saved(app, attempt_id)[0] == {}
    assert page.locator(f"input[value='{first[1][0]}']").is_checked()
    assert page.locator(".cell.answered").count() == 2 and len(queued(page, attempt_id)) == 2

    page.context.unroute(SAVES)
    app.config["REFUSE_SAVES"] = False
    wait_state(page, "已保存")  # the periodic retry sends it without anyone pressing anything
    assert saved(app, attempt_id)[0] == dict([first, second])
    assert queued(page, attempt_id) == {}
    assert our_errors(page) == []


def test_without_javascript_the_form_round_works_and_promises_nothing_more(live):
    app, base = live
    with browser_page(viewport={"width": WIDTH, "height": HEIGHT}, java_script_enabled=False) as page:
        register_and_start(page, base)
        attempt_id = page.locator("input[name=question]").evaluate("e => e.form.dataset.attempt")
        note = page.locator("#deadline-note").inner_text()
        assert "服务器只计入截止前已保存的答案" in note and "“交卷”" in note and "自动交卷" not in note
        assert save_state(page) == ""  # no "已保存" that nothing would keep true
        picks = {}
        while True:
            key, ticked = pick(page, 0)
            picks[key] = ticked
            primary = page.locator(".actions button.primary")
            last = primary.inner_text().strip() == "交卷"
            primary.click()
            page.wait_for_load_state()
            if last:
                break
            assert re.search(rf"q={len(picks) + 1}$", page.url)  # one page load a question, as before
        page.get_by_text("确定交卷吗").wait_for()
        note = page.locator("#deadline-note").inner_text()
        assert "“确定交卷”" in note and "自动交卷" not in note
        assert saved(app, attempt_id)[0] == picks
        page.get_by_role("button", name="确定交卷").click()
        page.wait_for_url(re.compile(r"/c/live/result/"))
        assert saved(app, attempt_id)[1].status == "finished"


def test_warnings_at_five_and_one_minute_and_the_confirm_page_hands_in_at_the_deadline(timed, phone):
    app, base, clock = timed
    page = phone
    register_and_start(page, base)
    attempt_id = attempt_of(page)
    warning, alert = page.locator("#time-warning"), page.locator("#time-alert")
    assert warning.inner_text() == "" and alert.inner_text() == ""
    assert "时间到系统会自动交卷" in page.locator("#deadline-note").inner_text()  # the script keeps that promise

    clock.advance(seconds=600 - 295)
    page.reload()
    assert "不到 5 分钟" in warning.inner_text() and warning.get_attribute("aria-live") == "polite"
    assert warning.is_visible() and alert.inner_text() == ""
    assert re.fullmatch(r"04:5\d", page.locator("#countdown").inner_text())
    page.screenshot(path=str(SHOTS / "warning-5min.png"))

    clock.advance(seconds=295 - 50)
    page.reload()
    assert "不到 1 分钟" in alert.inner_text() and alert.get_attribute("aria-live") == "assertive"
    assert warning.inner_text() == "" and "urgent" in page.locator(".timer").get_attribute("class")

    # A choice the server has not got yet: its saves fail until after the countdown has reached zero.
    page.route(SAVES, lambda r: r.abort() if r.request.method == "POST" else r.continue_())
    key, ticked = pick(page, 1)
    wait_state(page, OFFLINE_TEXT)
    clock.advance(seconds=50 - 3)
    page.goto(f"{base}/c/live/play/confirm")
    assert "确认交卷" in page.locator("h1").inner_text()
    assert re.fullmatch(r"00:0[0-3]", page.locator("#countdown").inner_text())
    page.screenshot(path=str(SHOTS / "confirm-timer.png"))
    page.wait_for_function("() => document.getElementById('countdown').textContent === '00:00'")
    assert saved(app, attempt_id)[0] == {}
    page.unroute(SAVES)
    page.wait_for_url(re.compile(rf"/c/live/result/{attempt_id}"), timeout=15000)
    answers, attempt, _rows = saved(app, attempt_id)
    assert attempt.status == "finished" and answers == {key: ticked}
    assert any(row["question_id"] == key and row["chosen_option_ids"] == ticked for row in attempt.results)
    assert our_errors(page) == []
