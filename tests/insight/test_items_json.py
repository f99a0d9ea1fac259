"""items.json (CONTRACT §6): per question drawn, with options by the bank's letters."""

from __future__ import annotations

from tests.insight.support import known_activity


def _items(console, slug, **kwargs):
    return console("organizer", **kwargs).get(f"/admin/contests/{slug}/items.json").get_json()


def test_every_drawn_question_is_counted_once_per_finished_attempt(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    items = _items(console, contest)["items"]
    # Three finished papers of 8 questions; P4's running round is not counted.
    assert sum(item["drawn"] for item in items) == 24
    assert sum(item["answered"] for item in items) == 24
    # P1 all 8 right, P2 none, then singles and multiples (6 of 8) right.
    assert sum(item["correct"] for item in items) == 14
    for item in items:
        assert 0 <= item["correct_rate"] <= 1
        assert item["correct_rate"] == round(item["correct"] / item["drawn"], 4)


def test_options_carry_bank_letters_and_the_right_answer(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    items = _items(console, contest)["items"]
    single = next(item for item in items if item["type"] == "single")
    index = int(single["stem"].rsplit(" ", 1)[1])
    assert [o["label"] for o in single["options"]] == ["A", "B", "C", "D"]
    assert [o["text"] for o in single["options"]] == [f"{c}{index}" for c in "甲乙丙丁"]
    assert [o["label"] for o in single["options"] if o["correct"]] == ["ABCD"[index % 4]]
    assert sum(o["chosen"] for o in single["options"]) == single["answered"]
    judge = next(item for item in items if item["type"] == "judge")
    assert [o["text"] for o in judge["options"]] == ["正确", "错误"]


def test_judges_answered_right_only_by_the_top_scorer_discriminate(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    items = _items(console, contest)["items"]
    # Judges are right only in P1's paper (rest score 45 against P2's 0 and 40): a positive index
    # wherever a judge was drawn by P1 and by someone else.
    shared = [item for item in items if item["type"] == "judge" and item["drawn"] > 1 and item["correct"] == 1]
    assert all(item["discrimination"] > 0 for item in shared)
    assert all(item["discrimination"] is None for item in items if item["correct"] in (0, item["drawn"]))


def test_region_scope_limits_the_items_to_its_participants(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    items = _items(console, contest, region="包头市")["items"]
    assert sum(item["drawn"] for item in items) == 8  # P1's one paper
    assert all(item["correct"] == item["drawn"] for item in items)


def test_rebuild_gives_the_same_totals_as_the_submits_kept(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    reader = console("organizer")
    before = (reader.get(f"/admin/contests/{contest}/items.json").get_json(),
              reader.get(f"/admin/contests/{contest}/stats.json").get_json())
    with app.app_context():
        from quizapp.extensions import db
        from quizapp.services.contests import get_contest
        from quizapp.services.tallies import rebuild

        assert rebuild(db.session, get_contest(contest)) == 3
        db.session.commit()
    after = (reader.get(f"/admin/contests/{contest}/items.json").get_json(),
             reader.get(f"/admin/contests/{contest}/stats.json").get_json())
    assert after[0] == before[0]
    assert {k: v for k, v in after[1].items() if k != "generated_at"} == \
        {k: v for k, v in before[1].items() if k != "generated_at"}


def test_items_page_shows_flags_and_an_edit_link_for_editors(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    page = console("organizer").get(f"/admin/contests/{contest}/items")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "逐题分析（" in html and "编辑本题" in html
    staff = console("staff").get(f"/admin/contests/{contest}/items").get_data(as_text=True)
    assert "编辑本题" not in staff


def test_cli_rebuild_stats_recomputes_after_totals_were_lost(app, contest, clock, console, runner):
    known_activity(app.test_client(), contest, clock)
    with app.app_context():
        from quizapp.extensions import db
        from quizapp.models import ItemTally, Participant

        db.session.execute(db.delete(ItemTally))
        db.session.execute(db.update(Participant).values(best_score=None, finished_count=0))
        db.session.commit()
    reader = console("organizer")
    assert reader.get(f"/admin/contests/{contest}/stats.json").get_json()["totals"]["finished"] == 0
    result = runner.invoke(args=["contest", "rebuild-stats", contest])
    assert result.exit_code == 0 and "3 份" in result.output
    assert reader.get(f"/admin/contests/{contest}/stats.json").get_json()["totals"]["finished"] == 2
    assert sum(i["drawn"] for i in reader.get(f"/admin/contests/{contest}/items.json").get_json()["items"]) == 24


def test_items_page_filters_sorts_and_pages(app, contest, clock, console):
    known_activity(app.test_client(), contest, clock)
    reader = console("organizer")
    items = reader.get(f"/admin/contests/{contest}/items.json").get_json()["items"]
    page = reader.get(f"/admin/contests/{contest}/items?sort=correct").get_data(as_text=True)
    shown = [int(part.split('"')[0]) for part in page.split('id="q')[1:]]
    ordered = sorted(items, key=lambda item: (item["correct_rate"], item["question_id"]))
    assert shown == [item["question_id"] for item in ordered][:len(shown)]
    judges = reader.get(f"/admin/contests/{contest}/items?category=用药").get_data(as_text=True)
    expected = sum(1 for item in items if item["category"] == "用药")
    assert f"符合条件 {expected} 题" in judges and 0 < expected < len(items)
    none_flagged = reader.get(f"/admin/contests/{contest}/items?flagged=1").get_data(as_text=True)
    assert "符合条件 0 题" in none_flagged  # fewer than 20 answers each: nothing is flagged yet
