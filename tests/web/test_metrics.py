"""/metrics: off by default, only for the scraper when on, and counters that follow what happened."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from quizapp.models import Attempt
from tests.conftest import Api

TOKEN = "scrape-token-0123456789"


def scrape(app, **headers) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics as {(name, sorted labels): value}."""
    app.config.update(METRICS_ENABLED=True, METRICS_TOKEN=TOKEN, METRICS_ALLOW="")
    response = app.test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.status_code
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    """One sample's value (0 when the series does not exist yet)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_off_by_default(client):
    assert client.get("/metrics").status_code == 404


@pytest.mark.parametrize("config, address, headers, allowed", [
    ({}, "127.0.0.1", {}, True),                                    # nothing configured: this host only
    ({}, "203.0.113.7", {}, False),
    ({"METRICS_TOKEN": TOKEN}, "127.0.0.1", {}, False),             # a token is then the only way in
    ({"METRICS_TOKEN": TOKEN}, "203.0.113.7", {"Authorization": f"Bearer {TOKEN}"}, True),
    ({"METRICS_TOKEN": TOKEN}, "203.0.113.7", {"Authorization": "Bearer wrong"}, False),
    ({"METRICS_TOKEN": TOKEN}, "203.0.113.7", {"Authorization": TOKEN}, False),
    ({"METRICS_ALLOW": "10.1.0.0/16, 192.0.2.9"}, "10.1.44.3", {}, True),
    ({"METRICS_ALLOW": "10.1.0.0/16, 192.0.2.9"}, "192.0.2.9", {}, True),
    ({"METRICS_ALLOW": "10.1.0.0/16, 192.0.2.9"}, "127.0.0.1", {}, False),
    ({"METRICS_ALLOW": "10.1.0.0/16", "METRICS_TOKEN": TOKEN}, "198.51.100.1",
     {"Authorization": f"Bearer {TOKEN}"}, True),
])
def test_only_the_scraper_may_read_metrics(app, config, address, headers, allowed):
    app.config.update({"METRICS_ENABLED": True, "METRICS_TOKEN": "", "METRICS_ALLOW": "", **config})
    response = app.test_client().get("/metrics", headers=headers, environ_base={"REMOTE_ADDR": address})
    assert response.status_code == (200 if allowed else 404)
    if allowed:
        assert response.mimetype == "text/plain" and b"quizapp_http_requests_total" in response.data


def test_requests_are_counted_by_route_template_never_by_raw_path(app, contest):
    before = scrape(app)
    api = Api(app.test_client(), contest)
    api.register()
    attempt_id = api.start().get_json()["attempt_id"]
    api.show(attempt_id)
    api.show(attempt_id)
    after = scrape(app)
    route = "/api/v1/attempts/<attempt_id>"
    grew = value(after, "quizapp_http_requests_total", route=route, method="GET", status="200") \
        - value(before, "quizapp_http_requests_total", route=route, method="GET", status="200")
    assert grew == 2
    timed = value(after, "quizapp_http_request_duration_seconds_count", route=route, method="GET") \
        - value(before, "quizapp_http_request_duration_seconds_count", route=route, method="GET")
    assert timed == 2
    assert not any(attempt_id in str(labels) for _, labels in after)


def test_participant_flow_counters(app, contest, clock):
    before = scrape(app)
    api = Api(app.test_client(), contest)
    api.register()
    api.register()  # the same person again
    first = api.start().get_json()
    question = first["questions"][0]
    api.save(first["attempt_id"], question["id"], [question["options"][0]["id"]])
    api.save(first["attempt_id"], question["id"], [question["options"][1]["id"]])
    api.submit(first["attempt_id"])
    api.submit(first["attempt_id"])  # idempotent: counted once
    second = api.start().get_json()
    clock.advance(hours=1)
    api.show(second["attempt_id"])  # past the deadline: closed by the server
    after = scrape(app)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("quizapp_registrations_total", kind="new") == 1
    assert grew("quizapp_registrations_total", kind="again") == 1
    assert grew("quizapp_attempts_started_total") == 2
    assert grew("quizapp_answer_saves_total") == 2
    assert grew("quizapp_attempts_finished_total", how="submitted") == 1
    assert grew("quizapp_attempts_finished_total", how="expired") == 1
    with app.app_context():
        from quizapp.extensions import db

        assert db.session.query(Attempt).filter_by(status="finished").count() == 2


def test_429_5xx_and_database_errors_are_counted(app, contest):
    def explode():
        from quizapp.extensions import db

        db.session.execute(db.text("SELECT * FROM no_such_table"))

    app.add_url_rule("/api/v1/explode", "explode", explode)
    before = scrape(app)
    api = Api(app.test_client(), contest)
    api.register()
    for _ in range(3):
        attempt_id = api.start().get_json()["attempt_id"]
        api.submit(attempt_id)
    refused = api.start()  # attempts_per_day is 3
    failed = api.client.get("/api/v1/explode")
    after = scrape(app)
    assert refused.status_code == 429 and failed.status_code == 500
    start_route = "/api/v1/contests/<slug>/attempts"
    assert value(after, "quizapp_http_rate_limited_total", route=start_route) \
        - value(before, "quizapp_http_rate_limited_total", route=start_route) == 1
    assert value(after, "quizapp_http_server_errors_total", route="/api/v1/explode", status="500") \
        - value(before, "quizapp_http_server_errors_total", route="/api/v1/explode", status="500") == 1
    kind = "OperationalError" if app.config["BACKEND"] == "sqlite" else "UndefinedTable"
    assert value(after, "quizapp_database_errors_total", kind=kind) \
        - value(before, "quizapp_database_errors_total", kind=kind) == 1
