"""One log line per request under a request id, JSON lines on demand, the id on the 500 page, no PII."""

from __future__ import annotations

import json
import logging
import re

import pytest

from quizapp.extensions import db
from quizapp.models import Participant
from tests.conftest import Api, make_app
from tests.web.conftest import Player

REQUEST_LOGGER = "quizapp.request"


def request_records(caplog) -> list[logging.LogRecord]:
    """The request lines captured so far."""
    return [r for r in caplog.records if r.name == REQUEST_LOGGER]


def test_each_request_is_one_line_with_route_template_status_duration_and_id(client, contest, caplog):
    caplog.set_level(logging.INFO, logger="quizapp")
    api = Api(client, contest)
    api.register()
    started = api.start()
    attempt_id = started.get_json()["attempt_id"]
    api.show(attempt_id)
    lines = request_records(caplog)
    assert [(r.method, r.route, r.status) for r in lines] == [
        ("POST", "/api/v1/contests/<slug>/participants", 201),
        ("POST", "/api/v1/contests/<slug>/attempts", 201),
        ("GET", "/api/v1/attempts/<attempt_id>", 200),
    ]
    assert all(r.duration_ms >= 0 for r in lines)
    assert attempt_id not in caplog.text  # the template, never the raw path
    ids = [r.request_id for r in lines]
    assert len(set(ids)) == 3 and all(re.fullmatch(r"[0-9a-f]{16}", i) for i in ids)
    assert started.headers["X-Request-Id"] == ids[1]


def test_the_liveness_probe_is_not_logged_unless_it_fails(client, caplog):
    caplog.set_level(logging.INFO, logger="quizapp")
    client.get("/healthz")
    client.post("/healthz")  # 405: worth a line (no rule matched the method)
    assert [(r.route, r.status) for r in request_records(caplog)] == [("<unmatched>", 405)]


def test_unmatched_path_and_query_string_are_not_logged(client, contest, caplog):
    caplog.set_level(logging.INFO, logger="quizapp")
    client.get("/no/such/13812345678?phone=13812345678")
    client.get("/c/demo/channel?ch=13812345678")
    assert [r.route for r in request_records(caplog)][0] == "<unmatched>"
    assert "13812345678" not in caplog.text


@pytest.mark.parametrize("proxies, sent, kept", [
    (1, "0123456789abcdef0123456789abcdef", True),
    (0, "0123456789abcdef0123456789abcdef", False),   # no trusted proxy: a client could forge it
    (1, "bad id; INFO forged line", False),
    (1, "x" * 200, False),
])
def test_incoming_request_id_is_kept_only_from_a_trusted_proxy(app, proxies, sent, kept, caplog):
    caplog.set_level(logging.INFO, logger="quizapp")
    app.config["TRUSTED_PROXIES"] = proxies
    response = app.test_client().get("/api/v1/openapi.json", headers={"X-Request-Id": sent})
    answered = response.headers["X-Request-Id"]
    assert (answered == sent) is kept
    assert request_records(caplog)[-1].request_id == answered
    assert "forged line" not in caplog.text


def _raising_app(database_targets, clock, **extra):
    app = make_app(database_targets["sqlite"], clock, **extra)

    def explode():
        raise RuntimeError("boom")

    app.add_url_rule("/c/demo/explode", "explode", explode)
    app.add_url_rule("/api/v1/explode", "explode_api", explode)
    return app


def test_server_error_page_shows_the_request_id_that_the_log_holds(database_targets, clock, caplog):
    caplog.set_level(logging.INFO, logger="quizapp")
    client = _raising_app(database_targets, clock).test_client()
    page = client.get("/c/demo/explode")
    assert page.status_code == 500
    request_id = page.headers["X-Request-Id"]
    assert request_id in page.get_data(as_text=True) and "错误编号" in page.get_data(as_text=True)
    failure = next(r for r in caplog.records if r.levelno == logging.ERROR)
    assert failure.request_id == request_id and failure.exc_info is not None
    body = client.get("/api/v1/explode")
    assert body.get_json()["error"]["request_id"] == body.headers["X-Request-Id"]
    not_found = client.get("/c/nothing-here")
    assert not_found.status_code == 404 and "错误编号" not in not_found.get_data(as_text=True)


def test_json_format_writes_one_object_per_line(database_targets, clock, capsys):
    app = _raising_app(database_targets, clock, LOG_FORMAT="json")
    try:
        client = app.test_client()
        ok = client.get("/api/v1/openapi.json")
        client.get("/c/demo/explode")
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    finally:
        make_app(database_targets["sqlite"], clock)  # back to plain text for the tests after this one
    first = next(line for line in lines if line.get("route") == "/api/v1/openapi.json")
    assert first["request_id"] == ok.headers["X-Request-Id"]
    assert first["method"] == "GET" and first["status"] == 200 and first["level"] == "INFO"
    assert isinstance(first["duration_ms"], float)
    error = next(line for line in lines if line["level"] == "ERROR")
    assert "RuntimeError: boom" in error["exc"] and error["request_id"] != first["request_id"]


def test_a_registration_and_a_round_leave_no_phone_name_or_token_in_the_log(app, contest, caplog, capsys):
    caplog.set_level(logging.DEBUG, logger="quizapp")
    phone, name = "13955501234", "欧阳秀英"
    api = Api(app.test_client(), contest)
    api.register(phone=phone, name=name)
    attempt = api.start().get_json()
    key = attempt["questions"][0]["id"]
    api.save(attempt["attempt_id"], key, [attempt["questions"][0]["options"][0]["id"]])
    api.submit(attempt["attempt_id"])
    api.me()
    api.client.get(f"/api/v1/contests/{contest}/leaderboard")
    player = Player(app)
    player.register(phone="13955505678", name="慕容雪")
    player.start()
    player.page()
    player.client.post(f"/c/{contest}/submit", data={"attempt_id": player.running().id})
    logged = caplog.text + capsys.readouterr().err
    assert len(request_records(caplog)) >= 10
    for secret in (phone, name, api.token, "13955505678", "慕容雪", phone[-4:] + " "):
        assert secret not in logged


def test_database_errors_do_not_carry_the_row_into_messages(app):
    phone = "13955509999"
    with app.app_context():
        db.session.add(Participant(contest_id=987654, name="某某", phone=phone, region="包头市", consent_at=None))
        with pytest.raises(Exception) as failure:
            db.session.commit()
        db.session.rollback()
    assert phone not in str(failure.value) and "某某" not in str(failure.value)
