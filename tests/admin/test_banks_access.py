"""Who may open the 题库 pages: admin and organizer; staff 403; anonymous to the sign-in page; CSRF on every POST."""

from __future__ import annotations

import pytest

from tests.admin.banks_support import (
    bank_names,
    good_rows,
    load_sample,
    preview_url,
    stored,
    upload,
    upload_count,
    xlsx_bytes,
)
from tests.admin.conftest import csrf_token, make_account, sign_in

GET_PAGES = ("/admin/banks", "/admin/banks/import", "/admin/banks/template.xlsx", "/admin/banks/drug-law",
             "/admin/banks/drug-law?q=单选&type=single&review=pending&retired=no",
             "/admin/banks/drug-law/q/{qid}", "/admin/banks/drug-law/export.xlsx",
             "/admin/banks/drug-law/export.csv", "/admin/banks/drug-law/export.gift")


def post_pages(qid: int) -> list[tuple[str, dict]]:
    return [("/admin/banks/import", {}), (f"/admin/banks/import/{'a' * 32}", {}),
            ("/admin/banks/drug-law/review", {"ids": str(qid)}), (f"/admin/banks/drug-law/q/{qid}", {"stem": "x"}),
            (f"/admin/banks/drug-law/q/{qid}/retire", {"r-confirm": "y"}),
            (f"/admin/banks/drug-law/q/{qid}/restore", {"r-confirm": "y"})]


@pytest.fixture
def bank(app):
    load_sample(app)
    return stored(app)[0]["id"]


@pytest.mark.parametrize("role", ["admin", "organizer"])
def test_admin_and_organizer_open_every_bank_page(app, console, bank, role):
    client = console(role)
    for path in GET_PAGES:
        response = client.get(path.format(qid=bank))
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:500])
    stored_upload = preview_url(upload(client, xlsx_bytes(good_rows()), "新题.xlsx"))
    assert client.get(stored_upload).status_code == 200
    listing = client.get("/admin/banks").get_data(as_text=True)
    assert 'href="/admin/banks/import"' in listing and "/admin/banks/drug-law/export.xlsx" in listing
    assert 'aria-current="page"' in listing and ">题库</a>" in listing  # the navigation marks the area


def test_staff_gets_403_on_every_bank_page_and_changes_nothing(app, console, bank):
    client = console("staff")
    for path in GET_PAGES:
        assert client.get(path.format(qid=bank)).status_code == 403, path
    for path, data in post_pages(bank):
        assert client.post(path, data=data).status_code == 403, path
    assert upload(client, xlsx_bytes(good_rows()), "新题.xlsx").status_code == 403
    assert upload_count(app) == 0 and bank_names(app) == ["drug-law"]
    assert stored(app)[0]["valid_until"] is None and stored(app)[0]["review"] == "pending"


def test_anonymous_is_sent_to_sign_in_and_json_paths_get_401(app, client, bank):
    for path in GET_PAGES:
        path = path.format(qid=bank)
        response = client.get(path)
        if path.endswith(".json"):
            assert response.status_code == 401
        else:
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/admin/login"), path
    json_export = client.get("/admin/banks/drug-law/export.json")
    assert json_export.status_code == 401 and json_export.get_json()["error"]["code"] == "unauthorized"
    for path, data in post_pages(bank):
        response = client.post(path, data=data)
        assert response.status_code == 302 and response.headers["Location"].startswith("/admin/login"), path
    assert upload_count(app) == 0


def test_json_export_is_a_download_for_an_organizer(app, console, bank):
    response = console("organizer").get("/admin/banks/drug-law/export.json")
    assert response.status_code == 200 and response.get_json()["bank"] == "drug-law"
    assert "attachment" in response.headers["Content-Disposition"]


def test_every_bank_post_needs_the_csrf_token(csrf_app):
    load_sample(csrf_app)
    qid = stored(csrf_app)[0]["id"]
    make_account(csrf_app, "org", "organizer")
    client = csrf_app.test_client()
    assert sign_in(client, "org").status_code == 302

    refused = upload(client, xlsx_bytes(good_rows()), "新题.xlsx")
    assert refused.status_code == 400 and "页面已过期" in refused.get_data(as_text=True)
    assert upload_count(csrf_app) == 0
    for path, data in post_pages(qid):
        assert client.post(path, data=data).status_code == 400, path

    # With the token the same upload is kept, and 确认导入 without the token still imports nothing.
    token = csrf_token(client, "/admin/banks/import")
    url = preview_url(upload(client, xlsx_bytes(good_rows()), "新题.xlsx", csrf_token=token))
    assert client.post(url, data={}).status_code == 400
    assert bank_names(csrf_app) == ["drug-law"]
    page_token = csrf_token(client, url)
    done = client.post(url, data={"csrf_token": page_token})
    assert done.status_code == 302 and bank_names(csrf_app) == ["drug-law", "新题"]
    assert stored(csrf_app)[0]["valid_until"] is None and stored(csrf_app)[0]["review"] == "pending"

    # A body over MAX_CONTENT_LENGTH is refused before the token is even read: still the form, not a 500.
    csrf_app.config["MAX_CONTENT_LENGTH"] = 1000
    token = csrf_token(client, "/admin/banks/import")
    huge = upload(client, b"x" * 5000, "大.csv", csrf_token=token)
    assert huge.status_code == 413 and "超过了服务器允许的" in huge.get_data(as_text=True)
