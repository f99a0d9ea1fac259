"""`flask draw flags|clear-flag|exclude|commit|run|verify|export|audit` (CONTRACT §2): exit codes and output."""

from __future__ import annotations

from datetime import timedelta

import pytest
from openpyxl import load_workbook

from quizapp.extensions import db
from quizapp.models import AuditLog, PrizeDraw
from tests.cli.test_cli import assert_one_line_failure
from tests.services.test_draw_support import AFTER_END, SLUG, phone, play


@pytest.fixture
def played(app, client, clock, contest):
    """Three passing players, one of them flagged (too fast); the clock is still inside the contest."""
    for i in range(2):
        play(app, client, clock, phone(i))
    play(app, client, clock, phone(2), seconds=0)
    return app


def invoke(runner, *args):
    return runner.invoke(args=["draw", *args])


def audit_rows(app) -> list[tuple[str, str, int]]:
    with app.app_context():
        return [(a.action, a.actor, a.rows) for a in db.session.execute(db.select(AuditLog).where(AuditLog.action.not_like("contest_%")).order_by(AuditLog.id))
                .scalars()]


def test_commit_before_the_end_fails_with_one_line(runner, played):
    assert_one_line_failure(invoke(runner, "commit", SLUG), "尚未结束")
    assert_one_line_failure(invoke(runner, "commit", "nope"), "nope")
    with played.app_context():
        assert db.session.execute(db.select(PrizeDraw)).first() is None


def test_flags_are_listed_masked_and_cleared_with_an_actor(runner, played):
    listed = invoke(runner, "flags", SLUG)
    assert listed.exit_code == 0, listed.output
    assert "平均每题用时过短" in listed.output and "139****0002" in listed.output and phone(2) not in listed.output
    flag_ids = [int(line.split("\t")[0]) for line in listed.output.splitlines() if "\t" in line]
    assert len(flag_ids) == 2
    assert_one_line_failure(invoke(runner, "clear-flag", "99999"), "99999")
    for flag_id in flag_ids:
        cleared = invoke(runner, "clear-flag", str(flag_id), "--by", "审核员甲")
        assert cleared.exit_code == 0 and "已解除" in cleared.output
    assert invoke(runner, "flags", SLUG).output.strip().endswith("共 0 条标记待审核（--all 显示全部）")
    assert "已解除（审核员甲）" in invoke(runner, "flags", SLUG, "--all").output
    assert audit_rows(played) == [("flag_clear", "审核员甲", 1)] * 2


def test_a_flag_upheld_from_the_cli_keeps_its_reason_and_state(runner, played):
    listed = invoke(runner, "flags", SLUG)
    first, second = [int(line.split("\t")[0]) for line in listed.output.splitlines() if "\t" in line]
    assert invoke(runner, "uphold-flag", str(first), "--by", "审核员乙").exit_code != 0  # a reason is required
    upheld = invoke(runner, "uphold-flag", str(first), "--reason", "同一人代答", "--by", "审核员乙")
    assert upheld.exit_code == 0 and "已维持" in upheld.output
    cleared = invoke(runner, "clear-flag", str(second), "--reason", "本人现场答题", "--by", "审核员甲")
    assert cleared.exit_code == 0
    everything = invoke(runner, "flags", SLUG, "--all").output
    assert "已维持（审核员乙：同一人代答）" in everything and "已解除（审核员甲：本人现场答题）" in everything
    assert [row[0] for row in audit_rows(played)] == ["flag_uphold", "flag_clear"]


def test_exclude_reports_bad_lines_and_loads_nothing(runner, played, tmp_path):
    bad = tmp_path / "staff.txt"
    bad.write_text(f"{phone(0)}\n1234\n", encoding="utf-8")
    assert_one_line_failure(invoke(runner, "exclude", SLUG, "--phones", str(bad)), "第 2 行")
    good = tmp_path / "staff-ok.txt"
    good.write_text(f"{phone(0)}\n\n", encoding="utf-8")
    loaded = invoke(runner, "exclude", SLUG, "--phones", str(good), "--by", "管理员")
    assert loaded.exit_code == 0 and "已排除 1 个手机号" in loaded.output
    assert audit_rows(played) == [("exclude", "管理员", 1)]
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(f"{phone(1)} # 工作人员\n".encode("gbk"))
    assert invoke(runner, "exclude", SLUG, "--phones", str(gbk)).exit_code == 0
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x80\x80\xff")
    assert_one_line_failure(invoke(runner, "exclude", SLUG, "--phones", str(binary)), "GBK")


def test_commit_run_verify_export_round_trip(runner, played, clock, tmp_path):
    clock.now = AFTER_END
    committed = invoke(runner, "commit", SLUG, "--entropy-source", "2026-12-17 福彩3D", "--by", "主办方")
    assert committed.exit_code == 0, committed.stderr
    assert "2 人" in committed.output and "名单 SHA-256：" in committed.output and "2026-12-17 福彩3D" in committed.output
    with played.app_context():
        seed = db.session.execute(db.select(PrizeDraw.seed_hex)).scalar_one()
    assert seed not in committed.output
    assert_one_line_failure(invoke(runner, "commit", SLUG), "--reason")
    assert_one_line_failure(invoke(runner, "run", SLUG), "--public-entropy")
    assert_one_line_failure(invoke(runner, "verify", SLUG), "尚未开奖")

    first = invoke(runner, "run", SLUG, "--public-entropy", "582", "--by", "主办方")
    assert first.exit_code == 0, first.stderr
    winners = [line for line in first.output.splitlines() if line.count("\t") == 4]
    assert len(winners) == 2 and all("139****" in line for line in winners) and seed in first.output
    assert phone(0) not in first.output and phone(1) not in first.output
    clock.advance(hours=1)
    second = invoke(runner, "run", SLUG)
    assert second.exit_code == 0 and [line for line in second.output.splitlines() if line.count("\t") == 4] == winners
    assert_one_line_failure(invoke(runner, "run", SLUG, "--public-entropy", "999"), "不能更换")

    verified = invoke(runner, "verify", SLUG)
    assert verified.exit_code == 0 and "验证通过" in verified.output

    target = tmp_path / "winners.xlsx"
    exported = invoke(runner, "export", SLUG, "-o", str(target), "--by", "奖品办")
    assert exported.exit_code == 0 and "2 名" in exported.output
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert len(rows) == 3 and {rows[1][4], rows[2][4]} == {phone(0), phone(1)}
    assert audit_rows(played) == [("draw_commit", "主办方", 2), ("draw_run", "主办方", 2), ("draw_export", "奖品办", 2)]
    log = invoke(runner, "audit", SLUG)
    assert log.exit_code == 0 and "draw_export" in log.output and "奖品办" in log.output


def test_verify_fails_on_a_tampered_result(runner, played, clock):
    clock.now = AFTER_END
    invoke(runner, "commit", SLUG)
    invoke(runner, "run", SLUG, "--public-entropy", "582")
    with played.app_context():
        draw = db.session.execute(db.select(PrizeDraw)).scalar_one()
        draw.winners = list(reversed(draw.winners))
        db.session.commit()
    assert_one_line_failure(invoke(runner, "verify", SLUG), "验证失败")


def test_run_refuses_a_changed_list_and_a_reasoned_recommit_fixes_it(runner, played, clock, tmp_path):
    clock.now = AFTER_END
    assert invoke(runner, "commit", SLUG).exit_code == 0
    staff = tmp_path / "staff.txt"
    staff.write_text(phone(1), encoding="utf-8")
    assert invoke(runner, "exclude", SLUG, "--phones", str(staff)).exit_code == 0
    assert_one_line_failure(invoke(runner, "run", SLUG, "--public-entropy", "582"), "重新承诺")
    again = invoke(runner, "commit", SLUG, "--reason", "排除工作人员")
    assert again.exit_code == 0 and "第 2 版" in again.output and "1 人" in again.output
    clock.advance(seconds=1)
    assert invoke(runner, "run", SLUG, "--public-entropy", "582").exit_code == 0


def test_default_actor_is_the_os_user(runner, played, clock, monkeypatch):
    monkeypatch.setenv("LOGNAME", "organizer-os-user")
    monkeypatch.setenv("USER", "organizer-os-user")
    clock.now = AFTER_END + timedelta(minutes=1)
    assert invoke(runner, "commit", SLUG).exit_code == 0
    assert audit_rows(played)[-1][1] == "organizer-os-user"
