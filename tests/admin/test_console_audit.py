"""操作日志 page: every change listed with who, when, what and how many rows; filters narrow it."""

from __future__ import annotations

from datetime import timedelta

from quizapp.extensions import db
from quizapp.services import audit
from tests.admin.conftest import make_account, sign_in


def _seed(app, clock):
    with app.app_context():
        audit.record("bank_import", "wang", None, 120, clock.now, {"created": 120}, target="drug-law")
        audit.record("draw_run", "zhao", None, 3, clock.now - timedelta(days=2), target="demo")
        db.session.commit()


def _rows(page: str) -> str:
    """The table body only (the filter's choices name every action too)."""
    return page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_the_log_lists_logins_and_changes_newest_first(app, console, clock):
    client = console("admin", username="boss")
    _seed(app, clock)
    clock.advance(minutes=1)
    client.post("/admin/accounts", data={"username": "liu", "role": "staff", "password": "a good password"})
    page = _rows(client.get("/admin/audit").get_data(as_text=True))
    for text in ("创建账号", "liu", "登录成功", "boss", "导入题库", "drug-law", "120"):
        assert text in page, text
    assert page.index("创建账号") < page.index("导入题库") < page.index("开奖")  # newest first
    assert "2026-11-20 10:01" in page  # shown in Asia/Shanghai


def test_filters_by_actor_action_and_day(app, console, clock):
    client = console("admin", username="boss")
    _seed(app, clock)
    by_actor = _rows(client.get("/admin/audit?actor=zhao").get_data(as_text=True))
    assert "开奖" in by_actor and "导入题库" not in by_actor
    by_action = _rows(client.get("/admin/audit?action=bank_import").get_data(as_text=True))
    assert "drug-law" in by_action and "开奖" not in by_action
    one_day = _rows(client.get("/admin/audit?from=2026-11-18&to=2026-11-18").get_data(as_text=True))
    assert "开奖" in one_day and "导入题库" not in one_day
    nothing = client.get("/admin/audit?from=2030-01-01").get_data(as_text=True)
    assert "没有符合条件的记录" in nothing
    assert client.get("/admin/audit?from=not-a-date&page=x").status_code == 200


def test_the_log_pages_through_many_rows(app, console, clock):
    client = console("admin")
    with app.app_context():
        for number in range(audit.PAGE_SIZE + 5):
            audit.record("bank_export", "wang", None, number, clock.now + timedelta(seconds=number), target=f"b{number}")
        db.session.commit()
    first = client.get("/admin/audit?action=bank_export").get_data(as_text=True)
    assert "第 1 / 2 页" in first and f">b{audit.PAGE_SIZE + 4}<" in first and ">b0<" not in first
    second = client.get("/admin/audit?action=bank_export&page=2").get_data(as_text=True)
    assert ">b0<" in second


def test_staff_cannot_read_the_log(app, console):
    assert console("staff").get("/admin/audit").status_code == 403


def test_cli_account_commands_are_audited_too(app, runner):
    make_account(app, "boss", "admin")
    result = runner.invoke(args=["user", "create", "liu", "--role", "organizer", "--region", "包头市",
                                 "--password-stdin"], input="a good password\n")
    assert result.exit_code == 0, result.output
    client = app.test_client()
    sign_in(client, "boss")
    assert "liu" in _rows(client.get("/admin/audit?action=account_create").get_data(as_text=True))
