"""`flask doctor` through the CLI runner, on SQLite and PostgreSQL, and the facts it gathers."""

from __future__ import annotations

import os
import secrets

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from quizapp import ROOT, create_app
from quizapp.domain.doctor import GIB
from quizapp.extensions import db
from quizapp.services import doctor as doctor_service
from quizapp.services.doctor import Deployment, Probes, run_checks
from tests.cli.test_cli import keep_logging  # noqa: F401  (fixture)
from tests.helpers import scratch_postgres_schema

MIGRATIONS = str(ROOT / "migrations")


def _script() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return ScriptDirectory.from_config(config)


def _lines(result) -> dict[str, str]:
    """Each printed check by name ("✓ 数据库：…" → {"数据库": "✓ 数据库：…"}), plus the summary."""
    lines = result.output.splitlines()
    checks = {line[2:].split("：", 1)[0]: line for line in lines if line[:1] in "✓✗"}
    checks["summary"] = lines[-1]
    return checks


def _good_config(url: str, tmp_path, **extra) -> dict:
    """A configuration every non-database check accepts."""
    return {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_hex(32), "TESTING": True,
            "PUBLIC_BASE_URL": "https://quiz.example.gov.cn", "REDIS_URL": "", "WEB_CONCURRENCY": 1,
            "APP_SERVERS": 1, "BACKUP_DIR": str(tmp_path / "backups"), **extra}


def _assert_all_passed(result) -> None:
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(line.startswith("✓ ") for line in lines[:-1]), result.output
    assert lines[-1] == f"共 {len(lines) - 1} 项，全部通过"


# --- a deployment that passes -----------------------------------------------------------------


@pytest.mark.usefixtures("keep_logging")
def test_doctor_passes_on_a_migrated_sqlite_file(tmp_path):
    app = create_app(_good_config(f"sqlite:///{tmp_path / 'quiz.sqlite3'}", tmp_path))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["doctor"])
    _assert_all_passed(result)
    lines = _lines(result)
    head = _script().get_current_head()
    assert f"迁移已是最新（{head}）" in lines["数据库"] and str(tmp_path / "quiz.sqlite3") in lines["数据库"]
    assert "journal_mode=WAL" in lines["SQLite"] and "foreign_keys=ON" in lines["SQLite"]
    assert "未配置（单进程" in lines["Redis"]
    assert str(tmp_path) in lines["磁盘"] and "数据库 " in lines["磁盘"]
    with app.app_context():
        db.engine.dispose()


@pytest.mark.usefixtures("keep_logging")
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL not set")
def test_doctor_passes_on_a_migrated_postgresql_schema(tmp_path):
    base = os.environ["TEST_DATABASE_URL"]
    with scratch_postgres_schema("doc") as options:
        app = create_app(_good_config(base, tmp_path, SQLALCHEMY_ENGINE_OPTIONS=options))
        runner = app.test_cli_runner()
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        result = runner.invoke(args=["doctor", "--threads", "4"])
        _assert_all_passed(result)
        lines = _lines(result)
        assert f"迁移已是最新（{_script().get_current_head()}）" in lines["数据库"]
        assert "PostgreSQL" in lines["数据库"] and "1 个 worker × 1 台服务器 × 4 线程" in lines["PostgreSQL"]
        with app.app_context():
            db.engine.dispose()


# --- what fails, and that the rest still prints -------------------------------------------------


def test_doctor_names_every_problem_and_exits_1(app, runner):
    app.config.update(PUBLIC_BASE_URL="http://127.0.0.1:8000", REDIS_URL="redis://:hunter2@127.0.0.1:1/0")
    result = runner.invoke(args=["doctor"])
    assert result.exit_code == 1, result.output
    lines = _lines(result)
    assert lines["PUBLIC_BASE_URL"].startswith("✗ ") and "指向本机" in lines["PUBLIC_BASE_URL"]
    assert lines["Redis"].startswith("✗ ") and "ConnectionError" in lines["Redis"] and "hunter2" not in result.output
    # The test schema comes from create_all, which records no migration.
    assert lines["数据库"].startswith("✗ ") and "db stamp head" in lines["数据库"]
    assert lines["SECRET_KEY"].startswith("✗ ") and "太短" in lines["SECRET_KEY"]  # the fixture's 30 characters
    backend = "SQLite" if app.config["BACKEND"] == "sqlite" else "PostgreSQL"
    assert lines[backend].startswith("✓ ")
    failed = sum(1 for line in result.output.splitlines() if line.startswith("✗ "))
    assert lines["summary"].endswith(f"{failed} 项未通过") and failed == 4


@pytest.mark.usefixtures("keep_logging")
def test_doctor_reports_migrations_behind_head(tmp_path):
    app = create_app(_good_config(f"sqlite:///{tmp_path / 'old.sqlite3'}", tmp_path))
    runner = app.test_cli_runner()
    script = _script()
    head = script.get_current_head()
    previous = script.get_revision(head).down_revision
    assert runner.invoke(args=["db", "upgrade", previous]).exit_code == 0
    result = runner.invoke(args=["doctor"])
    assert result.exit_code == 1
    line = _lines(result)["数据库"]
    assert line.startswith("✗ ") and f"数据库在 {previous}，最新是 {head}" in line and "db upgrade" in line
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["doctor"]).exit_code == 0
    with app.app_context():
        db.engine.dispose()


def test_missing_sqlite_file_is_reported_and_not_created(tmp_path):
    path = tmp_path / "nowhere.sqlite3"
    app = create_app(_good_config(f"sqlite:///{path}", tmp_path))
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1
    lines = _lines(result)
    assert lines["数据库"].startswith("✗ ") and "不存在" in lines["数据库"] and "文件路径" in lines["数据库"]
    assert lines["SQLite"].startswith("✗ ") and "未检查" in lines["SQLite"]
    assert lines["Redis"].startswith("✓ ") and lines["磁盘"].startswith("✓ ")  # the other checks still ran
    assert not path.exists()


def test_unreachable_postgresql_still_lets_the_other_checks_print(tmp_path):
    app = create_app(_good_config("postgresql+psycopg://quiz:s3cr3t-pw@127.0.0.1:1/quiz", tmp_path))
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1
    lines = _lines(result)
    assert lines["数据库"].startswith("✗ ") and "OperationalError" in lines["数据库"]
    assert "quiz:***@127.0.0.1:1/quiz" in lines["数据库"] and "s3cr3t-pw" not in result.output
    assert lines["PostgreSQL"].startswith("✗ ") and "未检查" in lines["PostgreSQL"]
    for name in ("SECRET_KEY", "PUBLIC_BASE_URL", "Redis", "海报字体", "磁盘"):
        assert lines[name].startswith("✓ "), lines[name]


# --- options and Redis --------------------------------------------------------------------------


def test_several_workers_without_redis_fail(app, runner):
    app.config.update(REDIS_URL="", WEB_CONCURRENCY=1)
    assert _lines(runner.invoke(args=["doctor"]))["Redis"].startswith("✓ ")
    line = _lines(runner.invoke(args=["doctor", "--workers", "3", "--servers", "2"]))["Redis"]
    assert line.startswith("✗ ") and "6 个进程（3 个 worker × 2 台服务器）" in line


def test_workers_default_to_web_concurrency(app, runner):
    app.config.update(REDIS_URL="", WEB_CONCURRENCY=4)
    line = _lines(runner.invoke(args=["doctor"]))["Redis"]
    assert line.startswith("✗ ") and "4 个 worker" in line


def test_several_servers_on_sqlite_fail(sqlite_app):
    line = _lines(sqlite_app.test_cli_runner().invoke(args=["doctor", "--servers", "2"]))["SQLite"]
    assert line.startswith("✗ ") and "一台服务器" in line


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL not set")
def test_reachable_redis_passes(app, runner):
    app.config["REDIS_URL"] = os.environ["TEST_REDIS_URL"]
    line = _lines(runner.invoke(args=["doctor", "--workers", "4"]))["Redis"]
    assert line.startswith("✓ ") and "可连接" in line


# --- the gathered facts, with probes swapped in -------------------------------------------------


def _checks(app, probes: Probes, deployment: Deployment | None = None) -> dict:
    with app.app_context():
        checks = run_checks(app.config, MIGRATIONS, deployment or Deployment(), probes)
    return {check.name: check for check in checks}


def test_full_disk_fails(app):
    free = 512 * 1024 ** 2
    check = _checks(app, Probes(disk_usage=lambda path: (100 * GIB, 100 * GIB - free, free)))["磁盘"]
    assert not check.ok and "剩余 512.0 MiB" in check.detail
    roomy = _checks(app, Probes(disk_usage=lambda path: (100 * GIB, 0, 100 * GIB)))["磁盘"]
    assert roomy.ok


def test_missing_cjk_font_fails(app, tmp_path):
    check = _checks(app, Probes(font_candidates=(str(tmp_path / "no-such-font.ttf"),)))["海报字体"]
    assert not check.ok and check.fix == "apt install fonts-wqy-zenhei"
    assert _checks(app, Probes())["海报字体"].ok, "no CJK TrueType font: run `make system-deps`"


def test_redis_error_type_comes_from_the_ping(app):
    def refuse(url: str) -> None:
        raise TimeoutError("slow")

    app.config["REDIS_URL"] = "redis://cache.internal:6379/0"
    check = _checks(app, Probes(redis_ping=refuse))["Redis"]
    assert not check.ok and "TimeoutError" in check.detail and "cache.internal" in check.detail
    assert _checks(app, Probes(redis_ping=lambda url: None))["Redis"].ok


def test_a_failed_read_is_not_reported_as_unreachable(app, monkeypatch):
    def denied(conn, migrations_dir, facts):
        raise PermissionError("permission denied for table alembic_version")

    monkeypatch.setattr(doctor_service, "_read_migrations", denied)
    checks = _checks(app, Probes())
    assert not checks["数据库"].ok and "可连接" in checks["数据库"].detail
    assert "PermissionError: permission denied" in checks["数据库"].detail
    backend = "SQLite" if app.config["BACKEND"] == "sqlite" else "PostgreSQL"
    assert not checks[backend].ok and "读取数据库失败" in checks[backend].detail
