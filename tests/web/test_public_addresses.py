"""CONTRACT §1's address rule for codes made by a web request: PUBLIC_BASE_URL when set, else the
scheme and host the request came to; behind TRUSTED_PROXIES proxies, the forwarded ones."""

from __future__ import annotations

import json

import pytest
from flask import request

from quizapp.domain.addresses import choose_base_url, cli_warning, is_loopback
from quizapp.extensions import db
from quizapp.services import channels
from quizapp.services.banks import import_bank_bytes
from quizapp.services.contests import load_contest
from tests.conftest import contest_definition, make_app, sample_bank
from tests.unit.test_qr_decoding import decode_image, rasterize_svg

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "quiz.example.cn", "X-Forwarded-For": "203.0.113.9"}


@pytest.fixture
def school(app, contest, clock):
    with app.app_context():
        channels.add_channel(contest, "school-01", "第一中学", clock.now)
    return "school-01"


def poster_url(client, **kwargs) -> str:
    """The URL the poster page's QR carries, decoded from the SVG the page embeds."""
    svg = client.get("/c/demo/poster/qr.svg?ch=school-01", **kwargs)
    assert svg.status_code == 200
    (found,) = decode_image(rasterize_svg(svg.get_data(as_text=True)))
    return found.text


def test_without_public_base_url_the_code_points_where_the_request_came(app, school):
    app.config["PUBLIC_BASE_URL"] = ""
    client = app.test_client()
    assert poster_url(client, base_url="http://192.168.1.20:8080") == "http://192.168.1.20:8080/s/demo/school-01"
    page = client.get("/c/demo/poster?ch=school-01", base_url="http://192.168.1.20:8080").get_data(as_text=True)
    assert "http://192.168.1.20:8080/s/demo/school-01" in page
    assert "127.0.0.1:8000" not in page


def test_public_base_url_wins_over_the_request_host(app, school):
    app.config["PUBLIC_BASE_URL"] = "https://yjj.example.gov.cn/"
    assert poster_url(app.test_client(), base_url="http://10.0.0.5:9000") == "https://yjj.example.gov.cn/s/demo/school-01"


def test_forwarded_headers_are_ignored_unless_proxies_are_trusted(app, school):
    app.config["PUBLIC_BASE_URL"] = ""
    assert poster_url(app.test_client(), headers=FORWARDED) == "http://localhost/s/demo/school-01"


def test_behind_a_trusted_proxy_scheme_host_and_address_are_the_forwarded_ones(database_targets, clock):
    app = make_app(database_targets["sqlite"], clock, TRUSTED_PROXIES=1, PUBLIC_BASE_URL="")
    seen = {}

    @app.get("/_probe_remote")
    def _probe():
        seen["remote"] = request.remote_addr
        return ""

    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(), clock.now)
        channels.add_channel("demo", "school-01", "第一中学", clock.now)
    try:
        assert poster_url(app.test_client(), headers=FORWARDED) == "https://quiz.example.cn/s/demo/school-01"
        app.test_client().get("/_probe_remote", headers=FORWARDED)
        assert seen["remote"] == "203.0.113.9"
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize("url,loopback", [
    ("http://127.0.0.1:8000", True), ("http://localhost", True), ("http://[::1]/", True),
    ("http://0.0.0.0:8000", True), ("http://app.localhost", True), ("https://quiz.example.cn", False),
    ("http://192.168.1.20:8080", False), ("http://10.1.2.3", False),
])
def test_loopback_addresses_are_recognised(url, loopback):
    assert is_loopback(url) is loopback
    assert (cli_warning(url) is not None) is loopback


def test_choice_order_and_trailing_slashes():
    assert choose_base_url(" https://a.cn/ ", "http://b.cn/") == "https://a.cn"
    assert choose_base_url("", "http://b.cn:8080/") == "http://b.cn:8080"
    assert choose_base_url(None, None) == "http://127.0.0.1:8000"
    assert cli_warning("") is not None
