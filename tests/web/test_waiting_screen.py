"""The 排队中 waiting screen: a participant turned away by the launch budget (429) or a busy
database (503) keeps what they typed and gets a button (and, with JavaScript, a countdown) to retry."""

from __future__ import annotations

import html
import re
import time

import pytest
from sqlalchemy import exc as sa_exc
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import ServiceUnavailable

from quizapp.extensions import db
from quizapp.services import attempts as attempt_service
from quizapp.services import contests as contest_service
from tests.api.test_rate_limits import random_phone
from tests.conftest import app_with_contest, backend_params
from tests.web.conftest import Player, parse_question

FORM = {"name": "李小红", "phone": "139 0000 1111", "region": "包头市", "consent": "y", "age_confirmed": "y", "channel": "poster"}
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@pytest.fixture(params=backend_params())
def busy_app(request, database_targets, clock):
    """The sample contest with rate limits on and a budget of one registration and one start a second."""
    app = app_with_contest(database_targets[request.param], clock, RATELIMIT_ENABLED=True,
                           RATELIMIT_STORAGE_URI="memory://", ADMISSION_REGISTER_PER_SECOND=1,
                           ADMISSION_START_PER_SECOND=1)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def assert_waiting(response, status: int = 429) -> str:
    """The waiting screen with its status, a 1–5 s Retry-After, the panel and waiting.js; returns the page."""
    body = page(response)
    assert response.status_code == status, body[:400]
    assert response.mimetype == "text/html"
    assert 1 <= int(response.headers["Retry-After"]) <= 5, response.headers["Retry-After"]
    assert "排队中" in body and "再试一次" in body
    assert 'id="waiting-status" role="status" aria-live="polite"' in body
    assert re.search(r'<script src="/static/js/waiting[.\w]*\.js" defer>', body)
    assert "no-store" in response.headers["Cache-Control"]
    return body


def test_over_budget_registration_keeps_what_was_typed(busy_app):
    assert Player(busy_app).register(phone=random_phone()).status_code == 302
    body = assert_waiting(busy_app.test_client().post("/c/demo/register", data=FORM))
    assert "参加的人很多，正在排队" in body
    assert re.search(r'data-wait="[1-5]"', body)
    # The same registration form, filled in: name, phone, region, consent ticked, the channel.
    assert 'id="register-form"' in body and 'form="register-form"' in body
    assert re.search(r'<input[^>]*id="name"[^>]*value="李小红"', body)
    assert re.search(r'<input[^>]*id="phone"[^>]*value="139 0000 1111"', body)
    assert re.search(r'<option selected value="包头市">|<option value="包头市" selected>', body)
    assert " checked " in re.search(r'<input[^>]*id="consent"[^>]*>', body).group(0)
    assert re.search(r'<input[^>]*name="channel"[^>]*value="poster"', body)
    assert 'class="error"' not in body  # nothing was wrong with the form


def test_an_unticked_consent_stays_unticked(busy_app):
    assert Player(busy_app).register(phone=random_phone()).status_code == 302
    body = assert_waiting(busy_app.test_client().post("/c/demo/register", data={**FORM, "consent": ""}))
    consent = re.search(r'<input[^>]*id="consent"[^>]*>', body).group(0)
    assert "checked" not in consent


def test_the_automatic_retry_count_comes_back(busy_app):
    assert Player(busy_app).register(phone=random_phone()).status_code == 302
    body = assert_waiting(busy_app.test_client().post("/c/demo/register", data={**FORM, "retry_count": "3"}))
    assert 'data-tries="3"' in body


def test_over_budget_start_shows_the_panel_with_the_start_form(busy_app):
    first, second = Player(busy_app), Player(busy_app)
    assert first.register(phone=random_phone()).status_code == 302
    assert_register_later(second)
    assert first.start().status_code == 302
    body = assert_waiting(second.start())
    form = re.search(r'<form id="retry-form" method="post" action="([^"]+)">(.*?)</form>', body, re.S)
    assert form and form.group(1) == "/c/demo/start"
    assert [name for name, _ in HIDDEN.findall(form.group(2))] == ["csrf_token"]
    assert "参加的人很多" in body


def assert_register_later(player) -> None:
    """Register `player`, waiting out the one-a-second registration budget if need be."""
    response = player.register(phone=random_phone())
    if response.status_code == 429:
        time.sleep(int(response.headers["Retry-After"]))
        response = player.register(phone=random_phone())
    assert response.status_code == 302


def outage(*args, **kwargs):
    """A service call while the database is away (what errors.py makes of an outage)."""
    raise ServiceUnavailable(retry_after=5)


def test_a_service_unavailable_page_is_the_waiting_screen(app, contest, monkeypatch):
    monkeypatch.setattr(contest_service, "get_contest", outage)
    response = app.test_client().get("/c/demo?ch=poster")
    body = assert_waiting(response, 503)
    assert response.headers["Retry-After"] == "5"
    # Without JavaScript the button reloads the page; waiting.js goes to data-next, which counts.
    assert 'href="/c/demo?ch=poster"' in body
    assert 'data-next="/c/demo?ch=poster&retry_count=1"' in body
    assert "错误代码 503" in body


def test_a_service_unavailable_post_is_echoed_for_the_retry(app, contest, monkeypatch):
    monkeypatch.setattr(contest_service, "get_contest", outage)
    body = assert_waiting(app.test_client().post("/c/demo/register", data={**FORM, "retry_count": "2"}), 503)
    form = re.search(r'<form id="retry-form" method="post" action="([^"]+)">(.*?)</form>', body, re.S)
    assert form.group(1) == "/c/demo/register"
    echoed = HIDDEN.findall(form.group(2))
    assert echoed[1:] == [(k, v) for k, v in FORM.items()]  # after a fresh csrf_token, as typed
    assert 'data-tries="2"' in body


def test_a_busy_database_keeps_the_answer_of_a_round_without_javascript(app, contest, monkeypatch):
    player = Player(app, contest)
    assert player.register().status_code == 302 and player.start().status_code == 302
    question = parse_question(page(player.page()))
    choice = question["options"][:1]
    saver = attempt_service.save_answer

    def pool_exhausted(*args, **kwargs):
        raise sa_exc.TimeoutError("QueuePool limit reached")

    monkeypatch.setattr(attempt_service, "save_answer", pool_exhausted)
    body = assert_waiting(player.answer(1, question["key"], choice), 503)
    form = re.search(r'<form id="retry-form" method="post" action="([^"]+)">(.*?)</form>', body, re.S)
    assert form.group(1) == "/c/demo/play"
    echoed = HIDDEN.findall(form.group(2))
    assert ("choice", choice[0]) in echoed and ("question", question["key"]) in echoed
    # The database is back: sending the screen's form again saves the answer.
    monkeypatch.setattr(attempt_service, "save_answer", saver)
    again = player.client.post(form.group(1), data=MultiDict([pair for pair in echoed if pair[0] != "csrf_token"]))
    assert again.status_code == 302
    assert parse_question(page(player.page(1)))["checked"] == choice


def test_the_api_keeps_its_json_envelope(app, contest, monkeypatch):
    monkeypatch.setattr(contest_service, "get_contest", outage)
    response = app.test_client().get("/api/v1/contests/demo")
    assert response.status_code == 503 and response.mimetype == "application/json"
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["error"]["code"] == "service_unavailable"
    assert "排队中" not in response.get_data(as_text=True)


def test_the_console_keeps_its_error_page(app, monkeypatch):
    from quizapp.web.admin import auth as admin_auth

    monkeypatch.setattr(admin_auth, "render_template", outage)
    response = app.test_client().get("/admin/login")
    assert response.status_code == 503 and "排队中" not in page(response)
