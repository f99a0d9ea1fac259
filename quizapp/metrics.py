"""Prometheus counters and histograms that the web layer and the services add to.

Under gunicorn, PROMETHEUS_MULTIPROC_DIR (set by deploy/gunicorn.conf.py before the app is imported)
makes prometheus_client keep each worker's values in files there, and `exposition()` adds the workers
up. Counting costs a lock and an addition, so it happens whether or not /metrics is switched on.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.engine import Engine

REGISTRY = CollectorRegistry(auto_describe=True)
disable_created_metrics()  # the *_created series double the output and nobody graphs them

# Seconds: most pages take milliseconds; the top buckets catch a worker that is starved at launch.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter("quizapp_http_requests", "HTTP requests by route template, method and status",
                   ["route", "method", "status"], registry=REGISTRY)
LATENCY = Histogram("quizapp_http_request_duration_seconds", "Time to answer a request, by route template",
                    ["route", "method"], buckets=LATENCY_BUCKETS, registry=REGISTRY)
RATE_LIMITED = Counter("quizapp_http_rate_limited", "Requests answered 429 (rate limit or daily allowance)",
                       ["route"], registry=REGISTRY)
SERVER_ERRORS = Counter("quizapp_http_server_errors", "Requests answered with a 5xx status",
                        ["route", "status"], registry=REGISTRY)
DATABASE_ERRORS = Counter("quizapp_database_errors", "Errors raised by the database driver, by class",
                          ["kind"], registry=REGISTRY)
REGISTRATIONS = Counter("quizapp_registrations", "Registrations: new participants and returning ones",
                        ["kind"], registry=REGISTRY)
ATTEMPTS_STARTED = Counter("quizapp_attempts_started", "Rounds started", registry=REGISTRY)
ATTEMPTS_FINISHED = Counter("quizapp_attempts_finished",
                            "Rounds finished: handed in by the participant, or closed at the deadline",
                            ["how"], registry=REGISTRY)
ANSWER_SAVES = Counter("quizapp_answer_saves", "Answers saved during a round", registry=REGISTRY)


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request under its route template (never the raw path)."""
    REQUESTS.labels(route, method, str(status)).inc()
    LATENCY.labels(route, method).observe(seconds)
    if status == 429:
        RATE_LIMITED.labels(route).inc()
    elif status >= 500:
        SERVER_ERRORS.labels(route, str(status)).inc()


def registered(created: bool) -> None:
    """A registration committed (a new participant, or a returning one)."""
    REGISTRATIONS.labels("new" if created else "again").inc()


def attempt_started() -> None:
    """A round was created."""
    ATTEMPTS_STARTED.inc()


def attempt_finished(how: str) -> None:
    """A round was closed, `how` being "submitted" or "expired"."""
    ATTEMPTS_FINISHED.labels(how).inc()


def answer_saved() -> None:
    """One answer was committed."""
    ANSWER_SAVES.inc()


@event.listens_for(Engine, "handle_error")
def _count_database_error(context) -> None:
    # Every driver error, handled or not: a burst of OperationalError is the first sign of trouble.
    original = context.original_exception
    DATABASE_ERRORS.labels(type(original).__name__ if original is not None else "unknown").inc()


def multiprocess_dir() -> str | None:
    """The directory where gunicorn's workers keep their values, when running under several processes."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def exposition() -> bytes:
    """The text format of every metric: all workers' sum in multiprocess mode, else this process's."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)
