"""Where the time goes per endpoint: cProfile over in-process requests, grouped by library.

    .venv/bin/python bench/profile_endpoints.py [--backend sqlite|postgresql] [--requests 400] [--top 12]

The same seeded database as bench/wrk_bench.py; requests go through the WSGI app in this process
(no sockets, no gunicorn), so the figures are the app's own cost per request, split into: the
database driver, SQLAlchemy, Jinja, Flask and Werkzeug, Flask-Limiter, logging, metrics, the
standard library and quizapp itself. PROFILE_SORT=cumulative orders the function list by cumulative
time; PROFILE_CALLERS=<regex> prints who calls the functions it matches."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import prepare  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GROUPS = [("driver", ("sqlite3", "psycopg", "_sqlite3")), ("sqlalchemy", ("sqlalchemy",)),
          ("jinja", ("jinja2", "markupsafe")), ("limiter", ("flask_limiter", "limits")),
          ("flask/werkzeug", ("flask", "werkzeug", "itsdangerous", "flask_wtf", "flask_login", "flask_babel",
                              "babel", "wtforms", "flask_sqlalchemy")),
          ("metrics", ("prometheus_client", "quizapp/metrics")), ("logging", ("logging", "quizapp/logs")),
          ("quizapp", ("quizapp",)), ("json", ("json",))]


def group_of(filename: str) -> str:
    """The library a profiled function's file belongs to."""
    for name, needles in GROUPS:
        if any(f"/{needle}" in filename or filename.startswith(f"<{needle}") for needle in needles):
            return name
    return "stdlib/other" if filename.startswith(("/", "<")) else "builtins"


def requests_of(workdir: Path, name: str, count: int) -> list[tuple[str, str, dict, bytes | None]]:
    """`count` requests of one endpoint from the seeded request files (or a fixed path)."""
    fixed = {"healthz": "/healthz", "landing": "/c/demo", "leaderboard": "/api/v1/contests/demo/leaderboard"}
    if name in fixed:
        return [("GET", fixed[name], {}, None)] * count
    rows = (workdir / f"{name}.txt").read_text().splitlines()[:count]
    out = []
    for row in rows:
        method, path, token, body = row.split("\t", 3)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        out.append((method, path, headers, body.encode() or None))
    return out


def profile(app, workdir: Path, name: str, count: int, top: int) -> None:
    """Time the requests plainly, then run as many more under cProfile; print the grouped breakdown."""
    client = app.test_client()
    todo = requests_of(workdir, name, 2 * count + 20)
    for method, path, headers, body in todo[:20]:
        client.open(path, method=method, headers=headers, data=body)  # warm-up (uses up 20 once-only rows)
    timed, profiled = todo[20:20 + count], todo[20 + count:]
    started = time.perf_counter()
    for method, path, headers, body in timed:
        client.open(path, method=method, headers=headers, data=body)
    wall = (time.perf_counter() - started) / len(timed)
    profiler = cProfile.Profile()
    profiler.enable()
    for method, path, headers, body in profiled:
        client.open(path, method=method, headers=headers, data=body)
    profiler.disable()
    stats = pstats.Stats(profiler)
    per_group: dict[str, float] = defaultdict(float)
    for (filename, _line, _func), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        per_group[group_of(filename)] += tottime
    total = sum(per_group.values())
    done = len(profiled)
    print(f"\n== {name}: {wall * 1000:.2f} ms per request in process ({len(timed)} requests; "
          f"{total / done * 1000:.2f} ms under cProfile, split as follows) ==")
    for group, seconds in sorted(per_group.items(), key=lambda kv: -kv[1]):
        print(f"   {group:<16}{seconds / done * 1000:>7.3f} ms  {seconds / total:>5.0%}")
    stats.sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(top)
    if os.environ.get("PROFILE_CALLERS"):
        stats.print_callers(os.environ["PROFILE_CALLERS"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--only", nargs="*", default=["healthz", "landing", "leaderboard", "start", "save", "submit"])
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="quizapp-profile-"))
    env, cleanup = prepare(args.backend, workdir)
    subprocess.run([sys.executable, str(Path(__file__).resolve().parent / "wrk_seed.py"), str(workdir),
                    "--people", str(2 * args.requests + 40), "--rounds-for-saves", str(args.requests // 10 + 5)],
                   cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from quizapp import create_app

    app = create_app({"RATELIMIT_PER_IP": "100000000 per minute", "RATELIMIT_PER_TOKEN": "100000 per minute",
                      "ADMISSION_REGISTER_PER_SECOND": 0, "ADMISSION_START_PER_SECOND": 0})
    try:
        for name in args.only:
            profile(app, workdir, name, args.requests, args.top)
    finally:
        cleanup()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
