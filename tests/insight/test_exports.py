"""Exports (CONTRACT §6): masked by default, ?full=1 for admins only and audited, no formula cells."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.conftest import Api
from tests.insight.support import known_activity


def _csv(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())  # a BOM, so that Excel reads UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_participant_csv_is_masked_by_default(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    response = console("organizer").get(f"/admin/contests/{contest}/export/participants.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _csv(response)
    assert rows[0][:8] == ["姓名", "手机号", "地区", "渠道", "答题次数", "完成次数", "最高分", "抽奖资格"]
    by_phone = {row[1]: row for row in rows[1:]}
    assert set(by_phone) == {"138****0001", "138****0002", "138****0003", "138****0004"}
    assert by_phone["138****0002"][:8] == ["欧阳**", "138****0002", "呼和浩特市", "", "2", "2", "40.0", "是"]
    assert "13800000001" not in response.get_data(as_text=True)


def test_full_export_is_refused_to_organizers_and_audited_for_admins(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    assert console("organizer").get(f"/admin/contests/{contest}/export/participants.csv?full=1").status_code == 403
    admin = console("admin", username="boss")
    response = admin.get(f"/admin/contests/{contest}/export/participants.xlsx?full=1")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["张一", "13800000001"] in [row[:2] for row in values]
    log = admin.get("/admin/audit").get_data(as_text=True)
    assert "导出数据" in log and "完整联系方式 是" in log and "boss" in log
    with app.app_context():
        from quizapp.extensions import db
        from quizapp.models import AuditLog

        entry = db.session.execute(db.select(AuditLog).filter_by(action="export").order_by(AuditLog.id.desc())
                                   ).scalars().first()
        assert (entry.actor, entry.rows, entry.detail["full"]) == ("boss", 4, True)


def test_staff_may_not_export(app, contest, console):
    assert console("staff").get(f"/admin/contests/{contest}/export/participants.csv").status_code == 403


def test_formula_like_names_cannot_run_in_csv_or_xlsx(app, contest, clock, console):
    evil = Api(app.test_client(), contest)
    assert evil.register("13900000009", "=HYPERLINK(1)", "包头市").status_code == 201
    reader = console("admin")
    rows = _csv(reader.get(f"/admin/contests/{contest}/export/participants.csv?full=1"))
    assert rows[1][0] == "'=HYPERLINK(1)"
    sheet = load_workbook(io.BytesIO(reader.get(
        f"/admin/contests/{contest}/export/participants.xlsx?full=1").get_data())).active
    cell = sheet["A2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=HYPERLINK(1)", "s", True)


def test_attempts_export_lists_every_started_attempt(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    rows = _csv(console("organizer").get(f"/admin/contests/{contest}/export/attempts.csv"))
    assert len(rows) == 5  # header + P1 1, P2 2, P4 1 (running)
    assert sorted(row[6] for row in rows[1:]) == ["已交卷", "已交卷", "已交卷", "答题中"]
    assert {row[2] for row in rows[1:]} == {"138****0001", "138****0002", "138****0004"}


def test_region_scoped_exports_hold_only_that_region(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    rows = _csv(console("organizer", region="呼和浩特市").get(f"/admin/contests/{contest}/export/participants.csv"))
    assert [row[2] for row in rows[1:]] == ["呼和浩特市"]


def test_summary_exports(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    reader = console("organizer")
    regions = _csv(reader.get(f"/admin/contests/{contest}/export/regions.csv"))
    assert regions[1] == ["包头市", "3", "1", "1", "50.0"]
    items = _csv(reader.get(f"/admin/contests/{contest}/export/items.csv"))
    assert items[0][7] == "正确率" and len(items) > 1
    assert reader.get(f"/admin/contests/{contest}/export/secrets.csv").status_code == 404
