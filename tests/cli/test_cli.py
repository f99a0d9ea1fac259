"""The `flask bank|contest|user|db ...` commands (CONTRACT §2), run through the CLI runner."""

from __future__ import annotations

import json
import logging
import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func

from quizapp import ROOT, create_app
from quizapp.extensions import db
from quizapp.models import Attempt, Bank, Contest, Question, utcnow
from tests.conftest import contest_definition, sample_bank
from tests.helpers import scratch_postgres_schema


def write_json(path: Path, data) -> Path:
    """Write `data` as UTF-8 JSON and return the path."""
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def question_count(app, bank: str | None = None) -> int:
    """Questions in the database, in one bank or in all."""
    with app.app_context():
        query = db.select(func.count(Question.id))
        if bank is not None:
            query = query.join(Bank).where(Bank.name == bank)
        return db.session.execute(query).scalar_one()


def bank_names(app) -> list[str]:
    """Names of every bank in the database."""
    with app.app_context():
        return sorted(db.session.execute(db.select(Bank.name)).scalars())


def assert_one_line_failure(result, *words: str) -> None:
    """Non-zero exit, nothing on stdout, and a single stderr line naming each of `words`."""
    assert result.exit_code != 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert "Traceback" not in result.output


# --- db upgrade / check -------------------------------------------------------------------


@pytest.fixture
def keep_logging():
    """Alembic's env.py calls logging.config.fileConfig, which disables every existing logger;
    restore them so that later tests still see the app's log records."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    loggers = {name: (lg.disabled, lg.level) for name, lg in logging.Logger.manager.loggerDict.items()
               if isinstance(lg, logging.Logger)}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, (disabled, lvl) in loggers.items():
        lg = logging.getLogger(name)
        lg.disabled, lg.level = disabled, lvl


def _migrate_and_check(app) -> None:
    runner = app.test_cli_runner()
    before = runner.invoke(args=["db", "check"])
    assert before.exit_code != 0, "db check must fail on a database that was never upgraded"

    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    with app.app_context():
        tables = set(db.inspect(db.engine).get_table_names())
    assert {table.name for table in db.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables

    checked = runner.invoke(args=["db", "check"])
    assert checked.exit_code == 0, f"models and migrations differ:\n{checked.output}"
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0  # a second upgrade is a no-op


def test_db_upgrade_creates_schema_in_step_with_models(tmp_path, keep_logging):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "cli-test", "TESTING": True})
    _migrate_and_check(app)
    # Every app connection runs with WAL, foreign keys and a busy timeout.
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar().lower() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
        db.engine.dispose()


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL not set")
def test_db_upgrade_on_postgresql_in_step_with_models(keep_logging):
    with scratch_postgres_schema("mig") as options:
        app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["TEST_DATABASE_URL"], "SECRET_KEY": "cli-test",
                          "TESTING": True, "SQLALCHEMY_ENGINE_OPTIONS": options})
        _migrate_and_check(app)
        with app.app_context():
            db.engine.dispose()


def test_foreign_keys_are_enforced_on_sqlite(sqlite_app):
    with sqlite_app.app_context():
        db.session.add(Question(bank_id=987654, stem_key="孤儿题", type="single", stem="孤儿题",
                                options=["甲", "乙"], answer=[0]))
        with pytest.raises(Exception, match="(?i)foreign key"):
            db.session.commit()
        db.session.rollback()


# --- bank import ---------------------------------------------------------------------------


def test_bank_import_prints_counts_and_stores_questions(app, runner, tmp_path):
    path = write_json(tmp_path / "whatever.json", sample_bank("drug-law"))
    result = runner.invoke(args=["bank", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "drug-law" in result.output and "新增 24 题" in result.output
    assert question_count(app, "drug-law") == 24
    # The file's "bank" field wins over the file name.
    assert bank_names(app) == ["drug-law"]


def test_bank_import_default_name_is_file_stem_without_bank_field(app, runner, tmp_path):
    data = sample_bank("ignored")
    del data["bank"]
    path = write_json(tmp_path / "children-meds.json", data)
    result = runner.invoke(args=["bank", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert bank_names(app) == ["children-meds"]
    assert question_count(app, "children-meds") == 24


def test_bank_import_bank_option_overrides_file(app, runner, tmp_path):
    path = write_json(tmp_path / "drug-law.json", sample_bank("drug-law"))
    result = runner.invoke(args=["bank", "import", str(path), "--bank", "custom"])
    assert result.exit_code == 0, result.output
    assert "custom" in result.output
    assert bank_names(app) == ["custom"]


def test_bank_import_dry_run_writes_nothing(app, runner, tmp_path):
    path = write_json(tmp_path / "drug-law.json", sample_bank("drug-law"))
    result = runner.invoke(args=["bank", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "24" in result.output
    assert bank_names(app) == []
    assert question_count(app) == 0


def test_bank_import_invalid_questions_lists_each_error_and_imports_nothing(app, runner, tmp_path):
    data = sample_bank("drug-law", singles=5, multiples=0, judges=0)
    data["questions"][1]["answer"] = "Z"          # question 2: an answer that is not an option
    data["questions"][3]["type"] = "填空"           # question 4: an unknown type
    del data["questions"][4]["stem"]               # question 5: no stem
    path = write_json(tmp_path / "bad.json", data)
    result = runner.invoke(args=["bank", "import", str(path)])
    assert result.exit_code == 1
    errors = result.stderr
    for number in (2, 4, 5):
        assert f"第 {number} " in errors, errors
    for number in (1, 3):
        assert f"第 {number} " not in errors, errors
    assert bank_names(app) == [] and question_count(app) == 0


def test_bank_import_duplicate_policies(app, runner, tmp_path):
    path = write_json(tmp_path / "drug-law.json", sample_bank("drug-law"))
    assert runner.invoke(args=["bank", "import", str(path)]).exit_code == 0

    again = runner.invoke(args=["bank", "import", str(path)])
    assert again.exit_code == 1
    assert "重复" in again.stderr or "已有" in again.stderr
    assert question_count(app) == 24

    skipped = runner.invoke(args=["bank", "import", str(path), "--on-duplicate", "skip"])
    assert skipped.exit_code == 0, skipped.output
    assert "跳过重复 24 题" in skipped.output and "新增 0 题" in skipped.output
    assert question_count(app) == 24

    data = sample_bank("drug-law")
    data["questions"][0]["explanation"] = "改写后的解析"
    data["questions"].append({"type": "judge", "stem": "新增的判断题", "answer": "对"})
    write_json(path, data)
    updated = runner.invoke(args=["bank", "import", str(path), "--on-duplicate", "update"])
    assert updated.exit_code == 0, updated.output
    assert "新增 1 题" in updated.output and "更新 24 题" in updated.output
    assert question_count(app) == 25
    with app.app_context():
        stems = dict(db.session.execute(db.select(Question.stem, Question.explanation)).all())
    assert stems["drug-law 单选题 0"] == "改写后的解析"


def test_bank_import_rejects_bad_on_duplicate_and_missing_file(runner, tmp_path):
    path = write_json(tmp_path / "drug-law.json", sample_bank("drug-law"))
    assert runner.invoke(args=["bank", "import", str(path), "--on-duplicate", "merge"]).exit_code != 0
    assert runner.invoke(args=["bank", "import", str(tmp_path / "missing.json")]).exit_code != 0


def test_bank_load_dir_and_list(app, runner, tmp_path):
    write_json(tmp_path / "a.json", sample_bank("drug-law"))
    write_json(tmp_path / "b.json", sample_bank("safe-medication", singles=3, multiples=2, judges=1))
    (tmp_path / "notes.txt").write_text("not a bank", encoding="utf-8")
    result = runner.invoke(args=["bank", "load-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "drug-law" in result.output and "safe-medication" in result.output
    assert question_count(app, "drug-law") == 24 and question_count(app, "safe-medication") == 6

    # Loading the same folder again updates in place: no duplicates, no error.
    again = runner.invoke(args=["bank", "load-dir", str(tmp_path)])
    assert again.exit_code == 0, again.output
    assert question_count(app) == 30

    listing = runner.invoke(args=["bank", "list"])
    assert listing.exit_code == 0
    rows = [line.split("\t") for line in listing.output.splitlines() if line.strip()]
    assert [(row[0], row[1]) for row in rows] == [("drug-law", "24"), ("safe-medication", "6")]


def test_bank_load_dir_without_banks_fails(runner, tmp_path):
    result = runner.invoke(args=["bank", "load-dir", str(tmp_path)])
    assert_one_line_failure(result)


# --- contest load / finalize --------------------------------------------------------------


@pytest.fixture
def bank_loaded(app, runner, tmp_path):
    """The 24-question drug-law sample bank imported through the CLI."""
    path = write_json(tmp_path / "drug-law.json", sample_bank("drug-law"))
    assert runner.invoke(args=["bank", "import", str(path)]).exit_code == 0
    return path


def contest_rows(app) -> list[tuple[str, str]]:
    """(slug, title) of every contest."""
    with app.app_context():
        return [tuple(row) for row in db.session.execute(db.select(Contest.slug, Contest.title)).all()]


def test_contest_load_creates_then_updates(app, runner, tmp_path, bank_loaded):
    path = write_json(tmp_path / "contest.json", contest_definition("cli-demo"))
    first = runner.invoke(args=["contest", "load", str(path)])
    assert first.exit_code == 0, first.output
    assert "cli-demo" in first.output

    again = runner.invoke(args=["contest", "load", str(path)])
    assert again.exit_code == 0, again.output
    assert contest_rows(app) == [("cli-demo", "测试竞赛")]
    assert first.output.split("cli-demo")[0] != again.output.split("cli-demo")[0], "create and update read alike"

    write_json(path, contest_definition("cli-demo", title="改名后的竞赛", pass_score=40))
    changed = runner.invoke(args=["contest", "load", str(path)])
    assert changed.exit_code == 0, changed.output
    assert contest_rows(app) == [("cli-demo", "改名后的竞赛")]
    with app.app_context():
        assert db.session.execute(db.select(Contest.pass_score)).scalar_one() == 40


@pytest.mark.parametrize("mutate, words", [
    (lambda d: d.update(colour="red"), ["colour"]),
    (lambda d: d["round"].update(shuffle=True), ["shuffle"]),
    (lambda d: d["round"]["draw"][0].update(count=99), ["99"]),
    (lambda d: d["round"]["draw"][0].update(bank="no-such-bank"), ["no-such-bank"]),
], ids=["unknown-key", "unknown-round-key", "too-few-questions", "unknown-bank"])
def test_contest_load_refusals(app, runner, tmp_path, bank_loaded, mutate, words):
    definition = contest_definition("refused")
    mutate(definition)
    path = write_json(tmp_path / "contest.json", definition)
    result = runner.invoke(args=["contest", "load", str(path)])
    assert_one_line_failure(result, *words)
    assert contest_rows(app) == []


def test_contest_load_refuses_invalid_json(app, runner, tmp_path, bank_loaded):
    path = tmp_path / "broken.json"
    path.write_text('{"slug": "x", "title": ', encoding="utf-8")
    assert_one_line_failure(runner.invoke(args=["contest", "load", str(path)]), "broken.json")
    path.write_text("[1, 2]", encoding="utf-8")
    assert_one_line_failure(runner.invoke(args=["contest", "load", str(path)]), "broken.json")
    assert contest_rows(app) == []


def test_contest_finalize_closes_abandoned_attempts(app, runner, api):
    assert api.register().status_code == 201
    attempt_id = api.start().get_json()["attempt_id"]
    with app.app_context():
        # The CLI reads the real clock: give the attempt a deadline in the real future first.
        attempt = db.session.get(Attempt, attempt_id)
        attempt.started_at, attempt.deadline = utcnow(), utcnow() + timedelta(hours=1)
        db.session.commit()
    assert runner.invoke(args=["contest", "finalize", "demo"]).exit_code == 0
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).status == "running"  # its time is not up yet
        # Abandoned: move its deadline into the past.
        attempt = db.session.get(Attempt, attempt_id)
        attempt.started_at = utcnow() - timedelta(hours=2)
        attempt.deadline = utcnow() - timedelta(hours=1)
        db.session.commit()
    result = runner.invoke(args=["contest", "finalize", "demo"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.status == "finished" and attempt.late is True and attempt.score == 0
    assert "0" in runner.invoke(args=["contest", "finalize", "demo"]).output
    assert_one_line_failure(runner.invoke(args=["contest", "finalize", "nope"]), "nope")


# --- the shipped demo ----------------------------------------------------------------------


def _demo_banks_present() -> tuple[bool, str]:
    demo = ROOT / "questions" / "demo-contest.json"
    banks_dir = ROOT / "questions" / "banks"
    if not demo.exists() or not list(banks_dir.glob("*.json")):
        return False, "the demo banks are not written yet"
    wanted = set()
    for rule in json.loads(demo.read_text(encoding="utf-8"))["round"]["draw"]:
        wanted.update([rule["bank"]] if isinstance(rule["bank"], str) else rule["bank"])
    present = set()
    for path in banks_dir.glob("*.json"):
        try:
            present.add(json.loads(path.read_text(encoding="utf-8")).get("bank") or path.stem)
        except (ValueError, AttributeError):
            return False, f"{path.name} is being written"
    missing = wanted - present
    return not missing, f"demo banks still missing: {', '.join(sorted(missing))}"


def test_shipped_demo_loads_and_is_open_today(app, runner):
    ready, why = _demo_banks_present()
    if not ready:
        pytest.skip(why)
    loaded = runner.invoke(args=["bank", "load-dir", str(ROOT / "questions" / "banks")])
    assert loaded.exit_code == 0, loaded.output
    assert question_count(app) > 0
    result = runner.invoke(args=["contest", "load", str(ROOT / "questions" / "demo-contest.json")])
    assert result.exit_code == 0, result.output
    # A second run of both is harmless.
    assert runner.invoke(args=["bank", "load-dir", str(ROOT / "questions" / "banks")]).exit_code == 0
    assert runner.invoke(args=["contest", "load", str(ROOT / "questions" / "demo-contest.json")]).exit_code == 0

    app.config["CLOCK"] = None  # the demo's dates are relative to the real today
    view = app.test_client().get("/api/v1/contests/demo")
    assert view.status_code == 200
    assert view.get_json()["status"] == "open"
    assert len(contest_rows(app)) == 1

