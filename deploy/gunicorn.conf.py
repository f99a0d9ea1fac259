"""gunicorn settings for quizapp: `gunicorn -c deploy/gunicorn.conf.py wsgi:app` (README "Deploying").

Everything can be set from the environment, so that one file serves every server:
BIND (127.0.0.1:8000), WEB_CONCURRENCY (workers, 2), GUNICORN_TIMEOUT (300 s), GUNICORN_RUN_DIR
(instance/: the control socket and the metrics files),
METRICS_ENABLED (the workers then share their counters through PROMETHEUS_MULTIPROC_DIR).
"""

import os
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A large xlsx export or the summary PDF can take minutes on one request; a sync worker is killed
# after `timeout` seconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))
graceful_timeout = 30
keepalive = 5
# The app writes one line per request itself (route template, status, duration, request id) and
# never the query string; gunicorn's access log would print raw paths and queries.
accesslog = None
errorlog = "-"

# One control socket per bind address: two servers on one host (a second port, a blue/green
# switch) must not fight over gunicorn's default ~/.gunicorn/gunicorn.ctl.
_run_dir = os.environ.get("GUNICORN_RUN_DIR", str(ROOT / "instance"))
_tag = re.sub(r"[^A-Za-z0-9]+", "-", bind).strip("-")
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", os.path.join(_run_dir, f"gunicorn-{_tag}.ctl"))

if os.environ.get("METRICS_ENABLED", "").strip().lower() in {"1", "true", "yes", "on"}:
    # Chosen before any worker imports prometheus_client, so that each worker writes its values
    # to files that /metrics adds up.
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", os.path.join(_run_dir, f"prometheus-{_tag}"))


def on_starting(server):
    """Start every run with an empty metrics directory: files of a previous run would be added in."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, mode=0o700, exist_ok=True)
    os.makedirs(os.path.dirname(control_socket), exist_ok=True)


def child_exit(server, worker):
    """Tell prometheus_client that a worker is gone (its live gauges stop counting)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
