"""A local cluster: nginx (deploy/nginx-quizapp.conf, made local) in front of two gunicorn servers
(deploy/gunicorn.conf.py, 2 workers each) on PostgreSQL and Redis.

    .venv/bin/python bench/cluster.py            serve the demo contest until Ctrl-C (make cluster)
    .venv/bin/python bench/wrk_bench.py --cluster the benchmark through it (make bench-cluster)

The nginx file is the deployment's own, with only what a laptop lacks replaced: the certificate
(plain HTTP on a free port), the upstream addresses, the checkout's path and the log files. Each
replacement must match, so a change to the deployment file that the cluster would silently miss
stops it instead."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import free_port, prepare  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SITE = ROOT / "deploy" / "nginx-quizapp.conf"


def _replace(text: str, pattern: str, new: str, count: int = 1) -> str:
    result, done = re.subn(pattern, new, text, flags=re.M | re.S)
    if done < count:
        raise SystemExit(f"deploy/nginx-quizapp.conf changed: no match for {pattern!r}; update bench/cluster.py")
    return result


def local_site(port: int, app_ports: list[int], workdir: Path) -> str:
    """The deployment's site file, served on 127.0.0.1:`port` over plain HTTP to `app_ports`."""
    text = SITE.read_text()
    servers = "".join(f"    server 127.0.0.1:{p};\n" for p in app_ports)
    text = _replace(text, r"upstream quizapp \{\n.*?(?=    keepalive)", f"upstream quizapp {{\n{servers}")
    text = _replace(text, r"server \{\n    listen 80;.*?\n\}\n", "")  # the redirect to HTTPS
    text = _replace(text, r"listen 443 ssl http2;[^\n]*", f"listen 127.0.0.1:{port};")
    text = _replace(text, r"\n    ssl_certificate[^\n]*", "", count=2)
    text = _replace(text, r"/srv/quizapp", str(ROOT), count=2)
    text = _replace(text, r"access_log /var/log/nginx/[^ ;]+", f"access_log {workdir}/nginx-access.log")
    return text


def nginx_main(workdir: Path) -> str:
    """A main configuration around the site file, with every path inside `workdir`."""
    temp = "".join(f"    {kind}_temp_path {workdir}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (f"worker_processes 1;\npid {workdir}/nginx.pid;\nerror_log {workdir}/nginx-error.log warn;\n"
            f"user root;\nevents {{ worker_connections 4096; }}\n"
            f"http {{\n    include /etc/nginx/mime.types;\n{temp}    include {workdir}/site.conf;\n}}\n")


def wait_for(url: str, seconds: float = 20) -> None:
    """Wait until `url` answers 200."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError as exc:
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not answer") from exc
            time.sleep(0.1)


def start(env: dict, workdir: Path) -> tuple[str, list[subprocess.Popen]]:
    """Two app servers and nginx; returns nginx's URL and the processes."""
    if not shutil.which("nginx"):
        raise SystemExit("nginx is missing: make bench-deps")
    app_ports, port = [free_port(), free_port()], free_port()
    processes = []
    for app_port in app_ports:
        server_env = {**env, "BIND": f"127.0.0.1:{app_port}", "WEB_CONCURRENCY": "2", "TRUSTED_PROXIES": "1",
                      "GUNICORN_RUN_DIR": str(workdir), "APP_SERVERS": "2"}
        with open(workdir / f"gunicorn-{app_port}.log", "w") as log:
            processes.append(subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "deploy/gunicorn.conf.py"),
                                               "wsgi:app"], cwd=ROOT, env=server_env, stdout=log, stderr=log))
    for app_port in app_ports:
        wait_for(f"http://127.0.0.1:{app_port}/healthz")
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / kind).mkdir(exist_ok=True)
    (workdir / "site.conf").write_text(local_site(port, app_ports, workdir))
    (workdir / "nginx.conf").write_text(nginx_main(workdir))
    processes.append(subprocess.Popen(["nginx", "-c", str(workdir / "nginx.conf"), "-p", str(workdir),
                                       "-g", "daemon off;"], stderr=subprocess.DEVNULL))
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/healthz")
    return url, processes


def stop(processes: list[subprocess.Popen]) -> None:
    """Terminate nginx and the app servers."""
    for process in reversed(processes):
        process.terminate()
    for process in processes:
        process.wait(timeout=15)


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="quizapp-cluster-"))
    env, cleanup = prepare("postgresql", workdir)
    url, processes = start(env, workdir)
    print(f"\n  cluster: nginx → 2 gunicorn servers × 2 workers, PostgreSQL + Redis\n  → {url}/c/demo"
          f"\n  logs and configuration: {workdir}\n  Ctrl-C stops it and drops its database schema\n", flush=True)
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        stop(processes)
        cleanup()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
