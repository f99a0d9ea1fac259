"""Bad input never gives a 500 (issue 11): oversized chunked bodies and bodies that are not JSON.

A chunked body has no Content-Length, so MAX_CONTENT_LENGTH can only be enforced while reading it;
the in-process tests build such a request by hand, and one test sends it to a real gunicorn.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Request
from werkzeug.test import EnvironBuilder

from tests.conftest import contest_definition, sample_bank

LIMIT = 1000
ROOT = Path(__file__).resolve().parents[2]
REGISTRATION = {"name": "张三", "phone": "13812345678", "region": "包头市", "consent": True}
TOO_LARGE = "提交的内容过大"


class EndlessBody(io.RawIOBase):
    """A client that keeps sending (up to `total` bytes) and counts what the server took."""

    def __init__(self, total: int = 5 * 1024 * 1024):
        self.total = total
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = min(len(buffer), self.total - self.served)
        buffer[:size] = b" " * size
        self.served += size
        return size


def chunked(client, path: str, body, content_type: str, method: str = "POST", headers: dict | None = None):
    """Send `body` (bytes or a stream) as gunicorn hands a chunked request to the app: no Content-Length,
    wsgi.input_terminated set."""
    environ = EnvironBuilder(path=path, method=method, headers={
        "Content-Type": content_type, "Transfer-Encoding": "chunked", **(headers or {})}).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = io.BytesIO(body) if isinstance(body, bytes) else body
    environ["wsgi.input_terminated"] = True
    return client.open(Request(environ))


def padded_registration(size: int, **fields) -> bytes:
    """A valid registration body padded with trailing JSON whitespace to exactly `size` bytes."""
    raw = json.dumps({**REGISTRATION, **fields}).encode()
    return raw + b" " * (size - len(raw))


@pytest.fixture
def limited(app, api):
    app.config["MAX_CONTENT_LENGTH"] = LIMIT
    return api


def test_chunked_json_over_the_limit_is_413_envelope(limited):
    response = chunked(limited.client, "/api/v1/contests/demo/participants", padded_registration(LIMIT + 1),
                       "application/json")
    assert response.status_code == 413
    assert response.get_json()["error"] == {"code": "payload_too_large", "message": TOO_LARGE}


def test_chunked_form_over_the_limit_is_413_page(limited):
    body = b"name=%E5%BC%A0&phone=13812345678&region=x&note=" + b"a" * LIMIT
    response = chunked(limited.client, "/c/demo/register", body, "application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert TOO_LARGE in response.get_data(as_text=True)


@pytest.mark.parametrize(("path", "content_type"), [
    ("/api/v1/contests/demo/participants", "application/json"),
    ("/c/demo/register", "application/x-www-form-urlencoded"),
])
def test_endless_chunked_body_is_not_read_past_the_limit(limited, path, content_type):
    body = EndlessBody()
    response = chunked(limited.client, path, body, content_type)
    assert response.status_code == 413
    assert body.served <= LIMIT + 1  # one byte past the limit proves the body too large


def test_chunked_body_within_the_limit_is_read_whole(limited):
    # Exactly at the limit is allowed: the byte of headroom that detects a longer body must not refuse it.
    response = chunked(limited.client, "/api/v1/contests/demo/participants", padded_registration(LIMIT),
                       "application/json")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["token"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_registration_with_a_body_that_is_not_json_is_415(api, content_type):
    response = api.client.post("/api/v1/contests/demo/participants", data=json.dumps(REGISTRATION),
                               content_type=content_type)
    assert response.status_code == 415
    error = response.get_json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert "JSON" in error["message"] and "请求内容" in error["message"]


def test_body_without_content_type_is_415(api):
    response = api.client.post("/api/v1/contests/demo/participants", data=json.dumps(REGISTRATION))
    assert response.status_code == 415


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON",
                                          "application/merge-patch+json"])
def test_json_media_types_with_parameters_or_suffix_are_accepted(api, content_type):
    response = api.client.post("/api/v1/contests/demo/participants", data=json.dumps(REGISTRATION),
                               content_type=content_type)
    assert response.status_code == 201


def test_empty_registration_body_stays_400_bad_json(api):
    response = api.client.post("/api/v1/contests/demo/participants")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_json"


def test_answer_and_submit_refuse_other_media_types(api):
    api.register()
    attempt = api.start().get_json()
    question = attempt["questions"][0]
    url = f"/api/v1/attempts/{attempt['attempt_id']}"
    body = json.dumps({"option_ids": [question["options"][0]["id"]]})
    saved = api.client.put(f"{url}/answers/{question['id']}", data=body, content_type="text/plain",
                           headers=api.headers())
    assert saved.status_code == 415
    submitted = api.client.post(f"{url}/submit", data=json.dumps({"answers": {}}),
                                content_type="application/x-www-form-urlencoded", headers=api.headers())
    assert submitted.status_code == 415
    # The refused calls changed nothing: the answer was not saved and the attempt still runs.
    assert api.show(attempt["attempt_id"]).get_json()["answers"] == {}


def test_submit_without_body_or_content_type_is_allowed(api):
    api.register()
    attempt = api.start().get_json()
    response = api.client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", headers=api.headers())
    assert response.status_code == 200
    assert response.get_json()["attempt_id"] == attempt["attempt_id"]


# --- a real gunicorn ----------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _seed(database_url: str) -> None:
    """Create the schema with the real migrations, then a bank and a contest open around now."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "gunicorn-test"}
    flask_cli = Path(sys.executable).parent / "flask"
    subprocess.run([str(flask_cli), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=60)
    from quizapp import create_app
    from quizapp.services.banks import import_bank_bytes
    from quizapp.services.contests import load_contest

    now = datetime.now(UTC)
    window = {"starts_at": (now - timedelta(days=1)).isoformat(), "ends_at": (now + timedelta(days=1)).isoformat()}
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "gunicorn-test"})
    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(**window), now)
        from quizapp.extensions import db

        db.engine.dispose()


def _wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read().decode(errors="replace")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start")


@pytest.fixture
def gunicorn_port(tmp_path):
    binary = Path(sys.executable).parent / "gunicorn"
    if not binary.exists():
        pytest.skip("gunicorn is not installed in this environment")
    database_url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    _seed(database_url)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "gunicorn-test",
           "MAX_CONTENT_LENGTH": str(LIMIT), "REDIS_URL": ""}
    server = subprocess.Popen([str(binary), "--workers", "1", "--bind", f"127.0.0.1:{port}", "--no-control-socket",
                               "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_until_up(port, server)
        yield port
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert b"Traceback" not in errors, errors.decode(errors="replace")


def _send_chunked(port: int, path: str, body: bytes, content_type: str) -> tuple[int, str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        pieces = (body[i:i + 300] for i in range(0, len(body), 300))
        conn.request("POST", path, body=pieces, headers={"Content-Type": content_type}, encode_chunked=True)
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read().decode(errors="replace")
    finally:
        conn.close()


def test_gunicorn_answers_oversized_chunked_bodies_with_413(gunicorn_port):
    status, content_type, text = _send_chunked(gunicorn_port, "/api/v1/contests/demo/participants",
                                               padded_registration(5 * LIMIT), "application/json")
    assert (status, content_type) == (413, "application/json")
    assert json.loads(text)["error"]["code"] == "payload_too_large"
    status, content_type, text = _send_chunked(gunicorn_port, "/c/demo/register", b"phone=1&name=" + b"a" * 5 * LIMIT,
                                               "application/x-www-form-urlencoded")
    assert status == 413 and content_type.startswith("text/html") and TOO_LARGE in text


def test_gunicorn_reads_a_chunked_body_within_the_limit(gunicorn_port):
    status, _, text = _send_chunked(gunicorn_port, "/api/v1/contests/demo/participants",
                                    padded_registration(LIMIT - 10), "application/json")
    assert status == 201, text
    assert json.loads(text)["token"]
