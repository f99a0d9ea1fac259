"""HTTP benchmark with wrk: each hot endpoint against gunicorn (deploy/gunicorn.conf.py, 2 workers).

For each backend it prints req/s, p50, p99, unexpected answers and socket errors per endpoint, and
the ratio to /healthz measured in the same run (the mean of a run before and one after). A bare WSGI
app under the same gunicorn settings runs too: when it is far above /healthz, neither wrk nor
gunicorn is what limits the figures.

    .venv/bin/python bench/wrk_bench.py [--backend sqlite|postgresql|both] [--duration 6] [--spike]
    .venv/bin/python bench/wrk_bench.py --cluster   (nginx and two app servers, bench/cluster.py)

`--spike` adds the launch phase: 1,000 connections for 20 s on landing, register and start, where
every answer must be a 2xx or a 429/503 with Retry-After, and p99 must stay under 2 s.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cluster  # noqa: E402
from load import free_port, prepare  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
LUA = Path(__file__).resolve().parent / "wrk"

# name, request file (or a fixed request), expected status
FIXED = {"healthz": ("GET", "/healthz"), "landing": ("GET", "/c/demo"),
         "leaderboard": ("GET", "/api/v1/contests/demo/leaderboard"),
         "leaderboard page": ("GET", "/c/demo/leaderboard")}
PLAN = [("healthz", 200), ("hello (bare WSGI)", 200), ("landing", 200), ("leaderboard", 200),
        ("leaderboard page", 200), ("register", 201), ("start", 201), ("answer-save", 204), ("submit", 200), ("healthz", 200)]
FLOORS = {"sqlite": {"answer-save": 0.45, "start": 0.30, "submit": 0.30, "landing": 0.50, "leaderboard": 0.80},
          "postgresql": {"answer-save": 0.30, "start": 0.20, "submit": 0.20}}
FILES = {"register": "register", "start": "start", "answer-save": "save", "submit": "submit"}


def gunicorn(env: dict, app: str, port: int, rundir: Path) -> subprocess.Popen:
    """Start gunicorn with the deploy configuration on `port` and wait until it answers."""
    env = {**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2", "GUNICORN_RUN_DIR": str(rundir)}
    chdir = Path(__file__).resolve().parent if app == "hello_wsgi:app" else ROOT
    with open(rundir / f"gunicorn-{port}.log", "w") as log:
        process = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "deploy/gunicorn.conf.py"),
                                    "--chdir", str(chdir), app], cwd=ROOT, env=env, stdout=log, stderr=log)
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"gunicorn {app} did not start; see {rundir}")


def wrk(url: str, requests_file: Path, expected: int, seconds: float, connections: int = 32,
        script: str = "replay.lua") -> dict:
    """One wrk run (2 threads); returns the figures its Lua `done` printed."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "5s", "-s", str(LUA / script),
               url, "--", str(requests_file), str(expected), "2"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = json.loads(output.split("RESULT ", 1)[1].splitlines()[0])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def fixed_file(workdir: Path, name: str) -> Path:
    """A one-line request file for an endpoint that needs no state."""
    method, path = FIXED[name]
    target = workdir / f"{name.replace(' ', '_')}.txt"
    target.write_text(f"{method}\t{path}\t\t\n")
    return target


def run_plan(app_url: str, hello_url: str, workdir: Path, seconds: float,
             only: list[str] | None = None) -> list[tuple[str, dict]]:
    """Every endpoint of PLAN once (or those in `only`, /healthz always), in order, with a short warm-up
    for the fixed ones."""
    results = []
    for name, expected in PLAN:
        if only and name != "healthz" and name not in only:
            continue
        if name.startswith("hello"):
            url, requests_file = hello_url, fixed_file(workdir, "healthz")
        elif name in FILES:
            url, requests_file = app_url, workdir / f"{FILES[name]}.txt"
        else:
            url, requests_file = app_url, fixed_file(workdir, name)
            wrk(url, requests_file, expected, 1)  # warm the caches and the connection pools
        results.append((name, wrk(url, requests_file, expected, seconds)))
    return results


def report(title: str, results: list[tuple[str, dict]], floors: dict) -> bool:
    """Print the table; True when every floor holds."""
    bare = (results[0][1]["rps"] + results[-1][1]["rps"]) / 2
    print(f"\n== {title} (wrk -t2 -c32; ratio to the mean /healthz of {bare:.0f} req/s) ==")
    print(f"{'endpoint':<19}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'unexp.':>8}{'errors':>8}{'ratio':>7}{'floor':>7}")
    held = True
    for name, row in results:
        errors = row["connect"] + row["read"] + row["write"] + row["timeout"]
        ratio = row["rps"] / bare
        floor = floors.get(name)
        mark = "" if floor is None else (f"{floor:.2f}" + (" ✓" if ratio >= floor else " ✗"))
        held &= floor is None or ratio >= floor
        print(f"{name:<19}{row['rps']:>8.0f}{row['p50_us'] / 1000:>8.1f}{row['p99_us'] / 1000:>8.1f}"
              f"{row['unexpected']:>8}{errors:>8}{ratio:>7.2f}{mark:>9}")
    return held


def spike(app_url: str, workdir: Path, seconds: float) -> bool:
    """1,000 connections on landing, register and start; every answer 2xx or 429/503 with Retry-After."""
    row = wrk(app_url, workdir / "start.txt", 0, seconds, connections=1000, script="spike.lua")
    errors = row["connect"] + row["read"] + row["write"] + row["timeout"]
    ok = row["unexpected"] == 0 and row["timeout"] == 0 and row["p99_us"] <= 2_000_000
    print(f"\n== launch spike: wrk -t2 -c1000 -d{seconds:.0f}s, landing : register : start = 2 : 1 : 1 ==")
    print(f"{row['rps']:.0f} req/s, p50 {row['p50_us'] / 1000:.0f} ms, p99 {row['p99_us'] / 1000:.0f} ms, "
          f"{row['requests']} answers: {row.get('ok', 0)} 2xx, {row.get('admission', 0)} 429/503 with Retry-After, "
          f"{row['unexpected']} other; socket errors {errors} (timeouts {row['timeout']}) → {'✓' if ok else '✗'}")
    return ok


def serve_app(env: dict, workdir: Path, use_cluster: bool) -> tuple[str, list[subprocess.Popen]]:
    """One gunicorn (deploy config, 2 workers), or nginx and two of them; returns the URL and processes."""
    if use_cluster:
        return cluster.start(env, workdir)
    port = free_port()
    return f"http://127.0.0.1:{port}", [gunicorn(env, "wsgi:app", port, workdir)]


def bench_backend(backend: str, args) -> bool:
    """Fresh database, seed, serve, run the plan (and the spike); True when the floors hold."""
    workdir = Path(tempfile.mkdtemp(prefix=f"quizapp-wrk-{backend}-"))
    env, cleanup = prepare(backend, workdir)
    env.update({"RATELIMIT_PER_IP": "100000000 per minute", "RATELIMIT_PER_TOKEN": "100000 per minute"})
    env.update(args.extra_env)
    subprocess.run([sys.executable, str(Path(__file__).resolve().parent / "wrk_seed.py"), str(workdir),
                    "--people", str(args.people)], cwd=ROOT, env=env, check=True)
    # The per-endpoint phases measure capacity, so the launch budget (a configured cap) is off there;
    # the spike phase runs against fresh servers with the budget as configured.
    plan_env = {"ADMISSION_REGISTER_PER_SECOND": "0", "ADMISSION_START_PER_SECOND": "0", **env}
    servers = []
    try:
        hello_port = free_port()
        servers = [gunicorn(env, "hello_wsgi:app", hello_port, workdir)]
        url, processes = serve_app(plan_env, workdir, args.cluster)
        servers += processes
        title = (f"{backend} cluster: nginx → 2 servers × gunicorn -w 2" if args.cluster
                 else f"{backend}: gunicorn -w 2, deploy/gunicorn.conf.py")
        held = report(title, run_plan(url, f"http://127.0.0.1:{hello_port}", workdir, args.duration, args.only),
                      {} if args.cluster else FLOORS[backend])
        if args.spike:
            cluster.stop(processes)
            servers = [servers[0]]
            url, processes = serve_app(env, workdir, args.cluster)
            servers += processes
            held &= spike(url, workdir, 20)
        return held
    finally:
        cluster.stop(servers)
        cleanup()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--duration", type=float, default=6)
    parser.add_argument("--people", type=int, default=12000)
    parser.add_argument("--spike", action="store_true")
    parser.add_argument("--cluster", action="store_true",
                        help="through nginx and two app servers (bench/cluster.py); PostgreSQL only")
    parser.add_argument("--only", nargs="*", help="endpoints to run (names as printed; /healthz always runs)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, request files)")
    parser.add_argument("--env", dest="extra_env", action="append", default=[],
                        help="NAME=VALUE for the app servers (repeatable)")
    args = parser.parse_args()
    args.extra_env = dict(item.split("=", 1) for item in args.extra_env)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: make bench-deps")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if args.cluster:
        backends = ["postgresql"]  # two servers cannot share one SQLite file safely
    held = [bench_backend(backend, args) for backend in backends]
    sys.exit(0 if all(held) else 1)


if __name__ == "__main__":
    main()
