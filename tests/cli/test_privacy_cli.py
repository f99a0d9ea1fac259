"""`flask privacy purge SLUG`: waits for the retention period, then anonymises once, and says what it did."""

from __future__ import annotations

from datetime import timedelta

from quizapp.extensions import db
from quizapp.models import AuditLog, Participant
from tests.cli.test_cli import assert_one_line_failure
from tests.services.test_draw_support import AFTER_END, phone, play


def test_purge_before_and_after_the_retention_period(app, client, clock, contest, runner):
    for i in range(2):
        play(app, client, clock, phone(i), name=f"王小{i}")
    clock.now = AFTER_END
    early = runner.invoke(args=["privacy", "purge", "demo"])
    assert early.exit_code == 0 and "保留期至 2027-" in early.stdout and "按本人申请删除 0 人" in early.stdout
    with app.app_context():
        assert {p.name for p in db.session.execute(db.select(Participant)).scalars()} == {"王小0", "王小1"}
    clock.now = AFTER_END + timedelta(days=181)
    done = runner.invoke(args=["privacy", "purge", "demo"])
    assert done.exit_code == 0 and "匿名化 2 人" in done.stdout
    again = runner.invoke(args=["privacy", "purge", "demo"])
    assert again.exit_code == 0 and "匿名化" not in again.stdout
    with app.app_context():
        assert {p.name for p in db.session.execute(db.select(Participant)).scalars()} == {"已删除"}
        rows = AuditLog.query.filter_by(action="privacy_purge").all()
        assert len(rows) == 1 and rows[0].rows == 2 and "王小" not in str(rows[0].detail)


def test_purge_of_an_unknown_contest_fails_with_one_line(runner, contest):
    assert_one_line_failure(runner.invoke(args=["privacy", "purge", "nope"]))
