"""Backup flows (issue 14 §2) on SQLite and PostgreSQL: a consistent copy under writes, restore,
two backups at once, the client tools' command lines."""

from __future__ import annotations

import sqlite3
import tarfile
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from quizapp.domain.backup_manifest import BackupError
from quizapp.extensions import db
from quizapp.services import backup as backup_service
from quizapp.services import backup_backends
from tests.backup_helpers import (
    HEAD,
    NOW,
    Burst,
    Databases,
    backend_params,
    contest_slugs,
    postgres_available,
    rewrite_archive,
    row_counts,
    seed,
)


@pytest.fixture(params=backend_params())
def dbs(request, tmp_path):
    """Fresh databases of one backend, removed after the test."""
    made = Databases(request.param, tmp_path)
    yield made
    made.close()


def create(app, output: Path | None = None) -> backup_service.Created:
    with app.app_context():
        return backup_service.create_backup(output, NOW)


def sqlite_file(app) -> Path:
    with app.app_context():
        return Path(db.engine.url.database)


def assert_integrity(app, backend: str) -> None:
    """SQLite: integrity_check ok, no foreign-key violation. PostgreSQL: the foreign keys exist and hold."""
    if backend == "sqlite":
        conn = sqlite3.connect(sqlite_file(app))
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            conn.close()
        return
    with app.app_context(), db.engine.connect() as conn:
        foreign_keys = conn.execute(text("SELECT count(*) FROM pg_constraint WHERE contype = 'f'")).scalar()
        assert foreign_keys >= len([fk for t in db.metadata.sorted_tables for fk in t.foreign_key_constraints])
        orphans = conn.execute(text("SELECT count(*) FROM participant_token t LEFT JOIN participant p "
                                    "ON p.id = t.participant_id WHERE p.id IS NULL")).scalar()
        assert orphans == 0


def test_backup_under_writes_restores_the_manifest_counts(dbs):
    source = dbs.schema_app()
    contest_id = seed(source, participants=3000)
    with source.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
    burst = Burst(url, contest_id)
    burst.start()
    try:
        burst.wait_for(20)
        before = burst.inserted
        created = create(source)
        after = burst.inserted
        burst.wait_for(after + 5)  # still writing after the backup: the backup never blocked it
    finally:
        burst.stop()
    assert after > before, "no write happened while the backup ran"
    tables = created.manifest.tables
    # Participant and token go in one transaction: equal counts mean one snapshot, not two moments.
    assert tables["participant"] == tables["participant_token"]
    assert 3000 + before <= tables["participant"] <= 3000 + after
    assert tables["alembic_version"] == 1 and created.manifest.alembic_revision == HEAD
    assert row_counts(source)["participant"] > tables["participant"]

    target = dbs.empty_app()
    with target.app_context():
        restored = backup_service.restore_backup(created.path)
    assert all(check.ok for check in restored.checks)
    assert row_counts(target) == tables
    assert_integrity(target, dbs.backend)


def test_the_archive_holds_the_manifest_first_and_is_private(dbs):
    source = dbs.schema_app()
    seed(source, participants=5)
    created = create(source)
    assert created.path.parent == dbs.backup_dir
    assert created.path.name.startswith(f"quizapp-{dbs.backend}-20261120T020000Z-")
    assert created.path.stat().st_mode & 0o777 == 0o600
    with tarfile.open(created.path, "r:gz") as tar:
        names = tar.getnames()
    expected = "database.sqlite3" if dbs.backend == "sqlite" else "database.sql"
    assert names == ["manifest.json", expected]
    manifest = created.manifest
    assert manifest.backend == dbs.backend and manifest.created_at == "2026-11-20T02:00:00Z"
    assert manifest.tables["participant"] == 5 and manifest.tables["contest"] == 1
    assert manifest.app_version == "0.1.0"
    assert [p for p in dbs.backup_dir.iterdir()] == [created.path]  # no work files left behind


def test_default_directory_is_created_owner_only(dbs, tmp_path):
    source = dbs.schema_app()
    source.config["BACKUP_DIR"] = str(tmp_path / "fresh" / "backups")
    created = create(source)
    assert created.path.parent == tmp_path / "fresh" / "backups"
    assert created.path.parent.stat().st_mode & 0o777 == 0o700


def test_an_explicit_file_name_is_used_but_never_overwritten(dbs, tmp_path):
    source = dbs.schema_app()
    target = tmp_path / "mine.tar.gz"
    assert create(source, target).path == target
    before = target.read_bytes()
    with pytest.raises(BackupError, match="已存在"):
        create(source, target)
    assert target.read_bytes() == before


def test_two_backups_at_once_give_two_complete_distinct_files(dbs):
    source = dbs.schema_app()
    seed(source, participants=500)
    barrier, results, errors = threading.Barrier(2), [], []

    def run():
        try:
            barrier.wait()
            results.append(create(source))  # the same `now`: only the random suffix tells them apart
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    paths = {created.path for created in results}
    assert len(paths) == 2
    assert sorted(dbs.backup_dir.iterdir()) == sorted(paths)
    for path in paths:
        with source.app_context():
            verification = backup_service.verify_backup(path)
        assert verification.ok, verification.checks
        assert verification.manifest.tables["participant"] == 500


def test_restore_refuses_a_database_with_data_unless_forced(dbs):
    source = dbs.schema_app()
    seed(source, participants=7)
    created = create(source)
    target = dbs.schema_app()
    seed(target, slug="other", participants=2)
    before = row_counts(target)
    with target.app_context(), pytest.raises(BackupError, match="--force"):
        backup_service.restore_backup(created.path)
    assert row_counts(target) == before and contest_slugs(target) == ["other"]

    with target.app_context():
        restored = backup_service.restore_backup(created.path, force=True)
    assert restored.replaced["participant"] == 2
    assert row_counts(target) == created.manifest.tables
    assert contest_slugs(target) == ["demo"]
    assert_integrity(target, dbs.backend)


def test_an_upgraded_but_empty_schema_counts_as_empty(dbs):
    source = dbs.schema_app()
    seed(source, participants=4)
    created = create(source)
    target = dbs.schema_app()  # tables and alembic_version, no data: what `flask db upgrade` leaves
    with target.app_context():
        restored = backup_service.restore_backup(created.path)
    assert restored.replaced == {} and restored.upgrade_note is None
    assert row_counts(target)["participant"] == 4


def test_restore_refuses_a_tampered_archive_and_changes_nothing(dbs, tmp_path):
    source = dbs.schema_app()
    seed(source, participants=3)
    created = create(source)
    bad = rewrite_archive(created.path, tmp_path / "bad.tar.gz",
                          manifest=lambda m: {**m, "tables": {**m["tables"], "participant": 4}})
    target = dbs.empty_app()
    with target.app_context(), pytest.raises(BackupError, match="未通过校验"):
        backup_service.restore_backup(bad)
    assert row_counts(target) == {}


def test_restore_names_an_older_schema_revision(dbs):
    source = dbs.schema_app()
    with source.app_context(), db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '759255e56da8'"))
    created = create(source)
    target = dbs.empty_app()
    with target.app_context():
        restored = backup_service.restore_backup(created.path)
    assert "db upgrade" in restored.upgrade_note and "759255e56da8" in restored.upgrade_note


def test_pg_commands_keep_the_password_out_of_argv(monkeypatch, tmp_path):
    monkeypatch.setattr(backup_backends.shutil, "which", lambda tool: f"/usr/bin/{tool}")
    url = make_url("postgresql+psycopg://quiz:s3cr%40t-pw@db.internal:6543/quiz?sslmode=require")
    for tool in ("pg_dump", "psql"):
        command = backup_backends.pg_command(tool, url, "--file=x.sql")
        assert command.argv[0] == f"/usr/bin/{tool}"
        assert not any("s3cr" in arg for arg in command.argv), command.argv
        assert command.env["PGPASSWORD"] == "s3cr@t-pw"
        assert command.argv[-1] == "--dbname=postgresql://quiz@db.internal:6543/quiz?sslmode=require"


def test_a_missing_client_tool_is_named(monkeypatch):
    monkeypatch.setattr(backup_backends.shutil, "which", lambda tool: None)
    with pytest.raises(BackupError, match="未找到 psql.*postgresql-client"):
        backup_backends.pg_command("psql", make_url("postgresql+psycopg://quiz@db/quiz"))


def test_psql_errors_are_one_line_without_the_rows():
    stderr = ('psql:/tmp/x/database.sql:120: ERROR:  duplicate key value violates unique constraint "pk_user"\n'
              "DETAIL:  Key (phone)=(13800000000) already exists.\n")
    line = backup_backends.first_error(stderr)
    assert line.startswith("ERROR:") and "pk_user" in line and "1380" not in line


@pytest.mark.skipif(not postgres_available(), reason="TEST_DATABASE_URL or pg_dump/psql missing")
def test_a_failing_postgresql_restore_changes_nothing(tmp_path):
    made = Databases("postgresql", tmp_path)
    try:
        source = made.schema_app()
        seed(source, participants=3)
        created = create(source)
        target = made.schema_app()
        seed(target, slug="other", participants=2)
        with target.app_context(), db.engine.begin() as conn:
            # A table the backup does not know that points at one it drops: DROP TABLE fails midway.
            conn.execute(text("CREATE TABLE extra (contest_id integer REFERENCES contest (id))"))
        before = row_counts(target)
        with target.app_context(), pytest.raises(BackupError, match="psql 恢复失败，数据库未作任何改动"):
            backup_service.restore_backup(created.path, force=True)
        assert row_counts(target) == before and contest_slugs(target) == ["other"]
    finally:
        made.close()
