"""Load benchmark: gunicorn (2 workers) on SQLite and PostgreSQL, a full round per virtual participant.

Prints, per endpoint, requests/s, p50 and p99 latency, and the throughput's ratio to the bare
/healthz endpoint of the same app measured in the same run (the mean of a run before and one after).

    .venv/bin/python bench/load.py [--participants 200] [--concurrency 16] [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
# A Redis database of its own (flushed at the start); empty: limits counted in process memory.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PG_BASE = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


class Client:
    """A tiny HTTP client; one connection per request, as gunicorn's sync workers close them."""

    def __init__(self, port: int):
        self.port = port

    def call(self, method: str, path: str, body=None, token: str | None = None) -> tuple[int, dict | None, float]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        payload = json.dumps(body).encode() if body is not None else None
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        conn.close()
        elapsed = time.perf_counter() - started
        return response.status, (json.loads(raw) if raw else None), elapsed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env: dict, *args: str) -> None:
    subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def prepare(backend: str, workdir: Path) -> tuple[dict, callable]:
    """Environment for a fresh database of the backend, and a clean-up function."""
    env = {**os.environ, "SECRET_KEY": secrets.token_hex(16), "RATELIMIT_PER_IP": "1000000 per minute",
           "RATELIMIT_PER_TOKEN": "100000 per minute"}
    if REDIS_URL:
        # As deployed: more than one worker counts its limits in Redis (`flask doctor` insists).
        env["REDIS_URL"] = REDIS_URL
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    cleanup = lambda: None  # noqa: E731
    if backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        import sqlalchemy

        schema = f"bench_{secrets.token_hex(4)}"
        engine = sqlalchemy.create_engine(PG_BASE)
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        env["DATABASE_URL"] = f"{PG_BASE}?options=-csearch_path%3D{schema}"

        def cleanup():
            with engine.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')

    flask(env, "db", "upgrade")
    flask(env, "bank", "load-dir", "questions/banks")
    flask(env, "contest", "load", "questions/demo-contest.json")
    return env, cleanup


def serve(env: dict, port: int) -> subprocess.Popen:
    """Start gunicorn with 2 sync workers and wait until it answers.

    The app still writes its request line, as in production (its cost is part of the figures), but
    into a file in the temp directory rather than over the results; no control socket, so that a bench
    can run beside `make run`."""
    log_path = Path(tempfile.gettempdir()) / f"quizapp-bench-{port}.log"
    print(f"   (app log: {log_path})")
    with open(log_path, "w") as log:
        process = subprocess.Popen([str(VENV_BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                                    "--log-level", "warning", "--no-control-socket", "wsgi:app"], cwd=ROOT, env=env,
                                   stderr=log)
    client = Client(port)
    for _ in range(100):
        try:
            if client.call("GET", "/healthz")[0] == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def phase(name: str, jobs: list, concurrency: int) -> dict:
    """Run the callables concurrently; return throughput and latency figures."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()

    def run(job):
        nonlocal failures
        ok, elapsed = job()
        with lock:
            latencies.append(elapsed)
            failures += 0 if ok else 1

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(run, jobs))
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"name": name, "requests": len(ordered), "failures": failures, "rps": len(ordered) / wall,
            "p50": statistics.median(ordered) * 1000, "p99": ordered[int(len(ordered) * 0.99) - 1] * 1000}


def round_phases(client: Client, participants: int, concurrency: int) -> list[dict]:
    """Bare endpoint, then register, start, 20 answer saves and submit for every participant."""
    results = [phase("bare /healthz", [lambda: _ok(client.call("GET", "/healthz"), 200)] * (participants * 5),
                     concurrency)]
    people: list[dict] = [{"phone": f"139{i:08d}"} for i in range(participants)]

    def register(person):
        status, body, elapsed = client.call("POST", "/api/v1/contests/demo/participants", {
            "name": "测试者", "phone": person["phone"], "region": "北京市", "consent": True})
        person["token"] = body["token"] if body and "token" in body else None
        return status == 201, elapsed

    def start(person):
        status, body, elapsed = client.call("POST", "/api/v1/contests/demo/attempts", token=person["token"])
        person["attempt"] = body
        return status == 201, elapsed

    results.append(phase("register", [lambda p=p: register(p) for p in people], concurrency))
    results.append(phase("start", [lambda p=p: start(p) for p in people], concurrency))
    saves = [lambda p=p, q=q: _ok(client.call(
        "PUT", f"/api/v1/attempts/{p['attempt']['attempt_id']}/answers/{q['id']}",
        {"option_ids": [q["options"][0]["id"]]}, p["token"]), 204)
        for p in people for q in p["attempt"]["questions"]]
    results.append(phase("answer-save", saves, concurrency))
    results.append(phase("submit", [lambda p=p: _ok(client.call(
        "POST", f"/api/v1/attempts/{p['attempt']['attempt_id']}/submit", {}, p["token"]), 200) for p in people],
        concurrency))
    # The baseline again at the end: the ratio uses the mean of both, so drift in the machine's load
    # during the run does not favour or penalise the endpoints measured in between.
    results.append(phase("bare /healthz", [lambda: _ok(client.call("GET", "/healthz"), 200)] * (participants * 5),
                         concurrency))
    return results


def _ok(response, expected: int):
    return response[0] == expected, response[2]


def report(backend: str, results: list[dict]) -> None:
    bare = (results[0]["rps"] + results[-1]["rps"]) / 2
    print(f"\n== {backend}: gunicorn 2 sync workers ==")
    print(f"{'endpoint':<16}{'requests':>9}{'fail':>6}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'× bare':>8}")
    for row in results:
        print(f"{row['name']:<16}{row['requests']:>9}{row['failures']:>6}{row['rps']:>9.0f}"
              f"{row['p50']:>9.1f}{row['p99']:>9.1f}{row['rps'] / bare:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        workdir = Path(tempfile.mkdtemp(prefix="quizapp-bench-"))
        env, cleanup = prepare(backend, workdir)
        port = free_port()
        server = serve(env, port)
        try:
            report(backend, round_phases(Client(port), args.participants, args.concurrency))
        finally:
            server.terminate()
            server.wait(timeout=10)
            cleanup()
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
