"""Reserves, verification and publication of a run draw: the public sees the result once published."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from quizapp.extensions import db
from quizapp.models import AuditLog
from quizapp.services import contests as contest_service
from quizapp.services import draw as draw_service
from quizapp.services.draw import DrawRefused
from tests.conftest import contest_definition
from tests.services.test_draw_support import AFTER_END, SLUG, phone, play

ENTROPY = "2026-12-17 福彩3D 开奖号码 582"


@pytest.fixture
def with_reserves(app, client, clock, contest):
    """Eight passing participants; prizes with reserves and a 公示 period; the clock after the end."""
    definition = contest_definition()
    definition["prizes"] = [{"tier": 1, "name": "一等奖", "count": 1, "reserve": 1},
                            {"tier": 2, "name": "二等奖", "count": 2, "reserve": 2}]
    definition.update(organizer="包头市市场监督管理局", contact="0472-1234567", publicity_days=10)
    with app.app_context():
        contest_service.load_contest(definition, clock.now)
    for i in range(8):
        play(app, client, clock, phone(i), name=f"王小{i}")
    clock.now = AFTER_END


def commit_and_run(app, clock, publish: bool):
    with app.app_context():
        draw_service.commit_draw(SLUG, clock.now, "主办方")
        return draw_service.run_draw(SLUG, clock.now, "主办方", ENTROPY, publish=publish)


def test_reserves_are_drawn_after_the_winners_and_differ_from_them(app, clock, with_reserves):
    drawn, ran, winners = commit_and_run(app, clock, publish=True)
    assert ran and len(winners) == 3
    with app.app_context():
        body = draw_service.public_notice(SLUG)
    assert [(r["tier"], r["rank"]) for r in body["reserves"]] == [(1, 1), (2, 1), (2, 2)]
    codes = [w["entrant_code"] for w in body["winners"]] + [r["entrant_code"] for r in body["reserves"]]
    assert len(set(codes)) == 6
    # Nobody here consented to publishing: the notice shows the entrant code and the region only.
    assert all(r["name"] == "" and r["phone"] == "" and r["region"] for r in body["reserves"])
    assert all("*" in w["name"] for w in winners)  # the organizer's own lines stay masked, never blank


def test_an_unpublished_result_stays_private_until_verified_and_published(app, clock, with_reserves):
    commit_and_run(app, clock, publish=False)
    with app.app_context():
        hidden = draw_service.public_notice(SLUG, full=True)
        assert hidden["state"] == "drawn" and hidden["reveal"] is None and hidden["winners"] == []
        assert hidden["reserves"] == [] and hidden["publicity"] is None
        _draw, problems = draw_service.verify_draw(SLUG, "审核人", clock.now)
        assert problems == []
        clock.advance(hours=2)
        published, changed = draw_service.publish_draw(SLUG, "主办方", clock.now)
        again, changed_again = draw_service.publish_draw(SLUG, "主办方", clock.now)
        shown = draw_service.public_notice(SLUG)
        audit = [(a.action, a.actor) for a in db.session.execute(db.select(AuditLog).order_by(AuditLog.id)).scalars()]
    assert changed and not changed_again
    assert shown["state"] == "published" and len(shown["winners"]) == 3 and shown["reveal"]["seed"]
    assert shown["publicity"] == {"organizer": "包头市市场监督管理局", "days": 10,
                                  "starts_at": "2026-12-16T10:00:00+08:00", "ends_at": "2026-12-26T10:00:00+08:00",
                                  "objection_contact": "0472-1234567"}
    assert ("draw_verify", "审核人") in audit and audit.count(("draw_publish", "主办方")) == 1


def test_publishing_is_refused_before_the_run_or_when_verification_fails(app, clock, with_reserves):
    with app.app_context():
        draw_service.commit_draw(SLUG, clock.now, "主办方")
        with pytest.raises(DrawRefused):
            draw_service.publish_draw(SLUG, "主办方", clock.now)
        draw_service.run_draw(SLUG, clock.now, "主办方", ENTROPY, publish=False)
        drawn = draw_service.latest_draw(contest_service.get_contest(SLUG))
        drawn.reserves = list(reversed(drawn.reserves))  # tampered with after the run
        db.session.commit()
        with pytest.raises(DrawRefused, match="候补名单"):
            draw_service.publish_draw(SLUG, "主办方", clock.now)
        assert draw_service.public_notice(SLUG)["winners"] == []


def test_the_cli_run_publishes_at_once_and_lists_the_reserves(app, runner, clock, with_reserves):
    assert runner.invoke(args=["draw", "commit", SLUG, "--by", "主办方"]).exit_code == 0
    result = runner.invoke(args=["draw", "run", SLUG, "--public-entropy", ENTROPY, "--by", "主办方"])
    assert result.exit_code == 0, result.output
    reserve_lines = [line for line in result.stdout.splitlines() if line.startswith("候补\t")]
    assert [line.split("\t")[1:4] for line in reserve_lines] == [["1", "一等奖", "1"], ["2", "二等奖", "1"],
                                                                  ["2", "二等奖", "2"]]
    with app.app_context():
        assert draw_service.public_notice(SLUG)["state"] == "published"


def test_the_winners_export_has_a_sheet_of_reserves(app, clock, with_reserves):
    commit_and_run(app, clock, publish=True)
    with app.app_context():
        data, count = draw_service.export_winners(SLUG, "管理员", clock.now)
        audit = db.session.execute(db.select(AuditLog).filter_by(action="draw_export")).scalar_one()
    book = load_workbook(io.BytesIO(data))
    assert count == 3 and book.sheetnames == ["中奖名单", "候补名单"]
    reserves = list(book["候补名单"].iter_rows(values_only=True))
    assert reserves[0][:3] == ("奖项等级", "奖项", "候补顺位") and len(reserves) == 4
    assert all(row[5].startswith("139") and len(row[5]) == 11 for row in reserves[1:])  # full phones
    assert audit.rows == 6 and audit.detail["full"] is True


def test_exclusions_are_refused_once_the_draw_has_run(app, clock, with_reserves):
    commit_and_run(app, clock, publish=True)
    from quizapp.services import eligibility

    with app.app_context(), pytest.raises(DrawRefused, match="已经开奖"):
        eligibility.exclude_phones(SLUG, phone(0), "主办方", clock.now)
