"""Several worker processes add up in /metrics, and deploy/gunicorn.conf.py serves them (two servers at once)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from quizapp import ROOT

WORKER = """
import sys
from quizapp import create_app
app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 32,
                  "METRICS_ENABLED": True})
client = app.test_client()
for _ in range(int(sys.argv[1])):
    assert client.get("/healthz").status_code == 200
if sys.argv[2] == "scrape":
    sys.stdout.write(client.get("/metrics").get_data(as_text=True))
"""


def healthz_count(text: str) -> float:
    """The summed request count of GET /healthz 200 in a /metrics text."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "quizapp_http_requests_total" and sample.labels.get("route") == "/healthz":
                return sample.value
    return 0.0


def _run(env: dict, count: int, mode: str) -> str:
    done = subprocess.run([sys.executable, "-c", WORKER, str(count), mode], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_processes_sharing_a_multiprocess_dir_add_up(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    _run(env, 3, "count")
    _run(env, 4, "count")
    assert healthz_count(_run(env, 0, "scrape")) == 7
    alone = {k: v for k, v in env.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    assert healthz_count(_run(alone, 2, "scrape")) == 2  # without the directory: this process only


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict | None = None, wait: float = 0.0) -> tuple[int, str]:
    deadline = time.monotonic() + wait
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as answer:
                return answer.status, answer.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _gunicorn(tmp_path: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2", "METRICS_ENABLED": "1",
           "METRICS_TOKEN": "t" * 24, "GUNICORN_RUN_DIR": str(tmp_path / f"instance-{port}"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'quiz.sqlite3'}", "SECRET_KEY": "k" * 32}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py",
                             "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.slow
def test_gunicorn_config_sums_workers_and_two_servers_do_not_collide(tmp_path):
    ports = [_free_port(), _free_port()]
    servers = [_gunicorn(tmp_path, port) for port in ports]
    try:
        metrics = (f"http://127.0.0.1:{ports[0]}/metrics", {"Authorization": "Bearer " + "t" * 24})
        for port in ports:
            _get(f"http://127.0.0.1:{port}/healthz", wait=20)
        # Counted from here: on a slow machine the wait above may have retried a request that was served.
        before = healthz_count(_get(*metrics)[1])
        for _ in range(24):
            _get(f"http://127.0.0.1:{ports[0]}/healthz")  # a new connection each: the workers take turns
        status, text = _get(*metrics)
        assert status == 200 and before >= 1 and healthz_count(text) == before + 24
        files = list((tmp_path / f"instance-{ports[0]}").glob("prometheus-*/counter_*.db"))
        assert files, "the workers kept their counters in the multiprocess directory"
        for port in ports:
            assert (tmp_path / f"instance-{port}" / f"gunicorn-127-0-0-1-{port}.ctl").exists()
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            output = server.communicate(timeout=30)[0].decode(errors="replace")
            assert "Traceback" not in output, output
