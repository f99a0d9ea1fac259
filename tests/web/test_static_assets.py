"""Static files under content-hashed names: immutable when current, briefly cached when stale, plain names revalidated."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from flask import url_for

from .conftest import Player

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
LINKED = re.compile(r'(?:href|src)="(/static/[^"]*)"')
TEMPLATE_REF = re.compile(r"""url_for\(\s*['"]static['"]\s*,\s*filename\s*=\s*['"]([^'"]+)['"]\s*\)""")
TYPES = {".css": "text/css", ".js": "text/javascript"}


def short_sha256(path: Path) -> str:
    """The expected hash, computed here independently of the app."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:8]


def expected_url(name: str, folder: Path = STATIC) -> str:
    """css/site.css -> /static/css/site.<hash>.css, built from the file's bytes."""
    stem, dot, suffix = name.rpartition(".")
    return f"/static/{stem}.{short_sha256(folder / name)}{dot}{suffix}"


def assert_served_immutable(client, url: str, name: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Cache-Control"] == IMMUTABLE, url
    assert response.mimetype == TYPES[Path(name).suffix], url
    assert response.data == (STATIC / name).read_bytes(), url
    assert "script-src 'self'" in response.headers["Content-Security-Policy"], url  # the hook still ran


def test_participant_pages_link_only_hashed_current_files(app, contest):
    who = Player(app)
    pages = {"/c/demo": who.client.get("/c/demo"), "/c/missing": who.client.get("/c/missing")}
    who.register()
    who.start()
    pages["/c/demo/play"] = who.page(1)
    linked = {path: LINKED.findall(response.get_data(as_text=True)) for path, response in pages.items()}
    assert all(linked.values()), linked
    seen = {url for urls in linked.values() for url in urls}
    assert expected_url("css/site.css") in seen and expected_url("js/round.js") in seen
    for url in seen:
        name = re.sub(r"\.[0-9a-f]{8}(\.\w+)$", r"\1", url.removeprefix("/static/"))
        assert url == expected_url(name), url  # hashed, and the hash is of the file's current bytes
        assert_served_immutable(who.client, url, name)


def test_every_template_reference_resolves_to_a_hashed_file(app):
    names = {name for path in (ROOT / "templates").rglob("*.html") for name in TEMPLATE_REF.findall(path.read_text())}
    assert {"css/admin.css", "css/site.css", "vendor/chartjs/chart.umd.min.js"} <= names
    client = app.test_client()
    for name in sorted(names):
        with app.test_request_context():
            url = url_for("static", filename=name)
        assert url == expected_url(name), name
        assert_served_immutable(client, url, name)


@pytest.mark.parametrize("development", ["debug", "TEMPLATES_AUTO_RELOAD"])
def test_the_hash_follows_the_file_in_development(app, tmp_path, development):
    (tmp_path / "css").mkdir()
    sheet = tmp_path / "css" / "a.css"
    sheet.write_text("body { color: red; }")
    app.static_folder = str(tmp_path)
    client = app.test_client()
    with app.test_request_context():
        first = url_for("static", filename="css/a.css")
    assert first == expected_url("css/a.css", tmp_path)
    sheet.write_text("body { color: 000; }")  # the same size: only the mtime tells the change
    os.utime(sheet, ns=(sheet.stat().st_atime_ns, sheet.stat().st_mtime_ns + 10**9))
    with app.test_request_context():
        assert url_for("static", filename="css/a.css") == first  # production: computed once per process
    if development == "debug":
        app.debug = True
    else:
        app.config["TEMPLATES_AUTO_RELOAD"] = True
    with app.test_request_context():
        second = url_for("static", filename="css/a.css")
    assert second == expected_url("css/a.css", tmp_path) != first
    fresh = client.get(second)
    assert (fresh.headers["Cache-Control"], fresh.data) == (IMMUTABLE, sheet.read_bytes())
    assert client.get(first).headers["Cache-Control"] == "public, max-age=300"


def test_a_stale_hash_gets_the_current_file_cached_briefly(client):
    current = short_sha256(STATIC / "css" / "site.css")
    stale = "0" * 8 if current != "0" * 8 else "1" * 8
    response = client.get(f"/static/css/site.{stale}.css")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"  # not immutable: the URL names other bytes
    assert response.data == (STATIC / "css" / "site.css").read_bytes()
    assert response.mimetype == "text/css"
    assert client.get("/static/css/nothing.0123abcd.css").status_code == 404


def test_the_plain_name_is_revalidated(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.data == (STATIC / "css" / "site.css").read_bytes()
    again = client.get("/static/css/site.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_a_real_file_that_looks_hashed_is_served_by_its_own_name(app, tmp_path):
    (tmp_path / "lib.deadbeef.js").write_text("var lib = 1;")
    app.static_folder = str(tmp_path)
    response = app.test_client().get("/static/lib.deadbeef.js")
    assert (response.status_code, response.headers["Cache-Control"]) == (200, "no-cache")
    with app.test_request_context():
        url = url_for("static", filename="lib.deadbeef.js")
    assert url == f"/static/lib.deadbeef.{short_sha256(tmp_path / 'lib.deadbeef.js')}.js"
    assert app.test_client().get(url).headers["Cache-Control"] == IMMUTABLE


@pytest.mark.parametrize("path", [
    "/static/../wsgi.py", "/static/..%2fwsgi.py", "/static/css/..%2f..%2fwsgi.py", "/static/%2e%2e/wsgi.py",
    "/static/..%2fwsgi.0123abcd.py", "/static/css/..%2f..%2fquizapp%2f__init__.0123abcd.py",
    "/static/css/site.css%00", "/static/css/site.0123abcd.css%00.py", "/static/css/", "/static/css.0123abcd.",
])
def test_files_outside_static_are_refused(client, path):
    response = client.get(path)
    assert response.status_code in (400, 404), path
    assert b"create_app" not in response.data and b"color" not in response.data


def test_invented_names_are_not_remembered(app, client):
    client.get("/static/css/made-up.0123abcd.css")  # the 404 page hashes its own stylesheet once
    known = dict(app.extensions["static_assets"]._digests)
    for i in range(50):
        assert client.get(f"/static/css/made-up-{i}.0123abcd.css").status_code == 404
    assert app.extensions["static_assets"]._digests == known  # no memory grows with what clients invent
