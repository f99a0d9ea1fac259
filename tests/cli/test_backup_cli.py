"""`flask backup create|verify|restore` through the CLI runner, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import re
import tarfile
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from quizapp.domain.backup_manifest import build_manifest, manifest_bytes
from quizapp.services import backup_backends
from tests.backup_helpers import (
    HEAD,
    NOW,
    Databases,
    backend_params,
    contest_slugs,
    postgres_available,
    rewrite_archive,
    row_counts,
    seed,
)

PASSWORD = "pw-Zq81-secret"


@pytest.fixture(params=backend_params())
def dbs(request, tmp_path):
    """Fresh databases of one backend, removed after the test."""
    made = Databases(request.param, tmp_path)
    yield made
    made.close()


@pytest.fixture
def sqlite_dbs(tmp_path):
    made = Databases("sqlite", tmp_path)
    yield made
    made.close()


def invoke(app, *args: str):
    return app.test_cli_runner().invoke(args=["backup", *args])


def created_path(result) -> Path:
    """The archive named on `backup create`'s first line."""
    assert result.exit_code == 0, result.output
    match = re.search(r"已创建备份：(\S+)", result.output)
    assert match, result.output
    return Path(match.group(1))


def assert_one_line_failure(result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert "Traceback" not in result.output


def write_archive(path: Path, backend: str, data: bytes, tables: dict[str, int]) -> Path:
    """An archive made by hand, as `backup create` lays it out."""
    manifest = build_manifest(backend, NOW, HEAD, tables, len(data), hashlib.sha256(data).hexdigest())
    with tarfile.open(path, "w:gz") as tar:
        for name, body in (("manifest.json", manifest_bytes(manifest)), (manifest.data_name, data)):
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


def test_create_verify_restore(dbs):
    source = dbs.schema_app()
    seed(source, participants=12)
    created = invoke(source, "create", "-o", str(dbs.backup_dir))
    path = created_path(created)
    assert path.parent == dbs.backup_dir and "12 行" not in created.output  # a summary, not a table dump
    assert "13800" not in created.output

    verified = invoke(source, "verify", str(path))
    assert verified.exit_code == 0, verified.output
    assert "✗" not in verified.output and verified.output.count("✓") >= 3
    assert "校验通过" in verified.output

    target = dbs.empty_app()
    restored = invoke(target, "restore", str(path))
    assert restored.exit_code == 0, restored.output
    assert re.search(r"participant\s+12 行", restored.output)
    assert "✓ 各表行数与清单一致" in restored.output
    assert row_counts(target) == row_counts(source)


def _tamper_data(body: bytes) -> bytes:
    if body.startswith(b"SQLite format 3"):
        middle = len(body) // 2
        return body[:middle] + bytes(b ^ 0xFF for b in body[middle:middle + 64]) + body[middle + 64:]
    return body.replace("\t甲3\t".encode(), "\t丙3\t".encode(), 1)


@pytest.mark.parametrize("damage", ["data", "counts", "half", "tail"])
def test_verify_fails_on_a_damaged_archive(dbs, tmp_path, damage):
    source = dbs.schema_app()
    seed(source, participants=6)
    good = created_path(invoke(source, "create"))
    bad = tmp_path / f"bad-{damage}.tar.gz"
    if damage == "data":
        rewrite_archive(good, bad, data=_tamper_data)
    elif damage == "counts":
        rewrite_archive(good, bad, manifest=lambda m: {**m, "tables": {**m["tables"], "participant": 5}})
    else:
        raw = good.read_bytes()
        bad.write_bytes(raw[: len(raw) // 2] if damage == "half" else raw[:-8])  # "tail": no gzip trailer
    result = invoke(source, "verify", str(bad))
    assert_one_line_failure(result, "未通过校验")
    assert "✗" in result.stdout
    expected = {"data": "SHA-256", "counts": "表 participant 行数不符", "half": "损坏或不完整",
                "tail": "损坏或不完整"}[damage]
    assert expected in result.stdout


def test_restore_refuses_a_database_with_data_and_force_replaces_it(dbs):
    source = dbs.schema_app()
    seed(source, participants=9)
    path = created_path(invoke(source, "create"))
    target = dbs.schema_app()
    seed(target, slug="other", participants=4)
    before = row_counts(target)

    refused = invoke(target, "restore", str(path))
    assert_one_line_failure(refused, "已有数据", "--force")
    assert row_counts(target) == before and contest_slugs(target) == ["other"]

    forced = invoke(target, "restore", "--force", str(path))
    assert forced.exit_code == 0, forced.output
    assert "原有数据已被替换" in forced.output
    assert row_counts(target) == row_counts(source) and contest_slugs(target) == ["demo"]


def test_restore_refuses_a_postgresql_archive_on_sqlite(sqlite_dbs, tmp_path):
    dump = b"COPY public.alembic_version (version_num) FROM stdin;\n" + HEAD.encode() + b"\n\\.\n"
    archive = write_archive(tmp_path / "pg.tar.gz", "postgresql", dump, {"alembic_version": 1})
    target = sqlite_dbs.empty_app()
    assert invoke(target, "verify", str(archive)).exit_code == 0  # a valid archive, only of the other backend
    result = invoke(target, "restore", str(archive))
    assert_one_line_failure(result, "PostgreSQL 的备份", "SQLite")
    assert row_counts(target) == {}


@pytest.mark.skipif(not postgres_available(), reason="TEST_DATABASE_URL or pg_dump/psql missing")
def test_restore_refuses_a_sqlite_archive_on_postgresql(tmp_path):
    sqlite_side, pg_side = Databases("sqlite", tmp_path / "s"), Databases("postgresql", tmp_path / "p")
    try:
        source = sqlite_side.schema_app()
        seed(source, participants=2)
        path = created_path(invoke(source, "create"))
        target = pg_side.empty_app()
        assert_one_line_failure(invoke(target, "restore", "--force", str(path)), "SQLite 的备份", "PostgreSQL")
        assert row_counts(target) == {}
    finally:
        sqlite_side.close()
        pg_side.close()


def test_missing_pg_dump_is_a_clear_failure_and_leaves_no_file(sqlite_dbs, tmp_path, monkeypatch):
    # No server is needed: the tool is looked for before anything connects.
    app = sqlite_dbs.empty_app(f"postgresql+psycopg://quiz:{PASSWORD}@127.0.0.1:1/quiz")
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(backup_backends.shutil, "which", lambda tool: None)
    result = invoke(app, "create", "-o", str(out))
    assert_one_line_failure(result, "未找到 pg_dump", "postgresql-client")
    assert list(out.iterdir()) == []
    assert PASSWORD not in result.output


def test_a_failing_pg_dump_hides_the_password(sqlite_dbs, tmp_path, monkeypatch):
    if not backup_backends.shutil.which("pg_dump"):
        pytest.skip("pg_dump missing")
    seen = []
    real_run = backup_backends.subprocess.run
    monkeypatch.setattr(backup_backends.subprocess, "run",
                        lambda argv, **kw: seen.append((argv, kw["env"])) or real_run(argv, **kw))
    app = sqlite_dbs.empty_app(f"postgresql+psycopg://quiz:{PASSWORD}@127.0.0.1:1/quiz")  # nothing listens
    out = tmp_path / "out"
    out.mkdir()
    result = invoke(app, "create", "-o", str(out))
    assert_one_line_failure(result, "pg_dump 备份失败")
    assert PASSWORD not in result.output
    (argv, env), = seen
    assert not any(PASSWORD in arg for arg in argv) and env["PGPASSWORD"] == PASSWORD
    assert list(out.iterdir()) == []


@pytest.mark.skipif(not postgres_available(), reason="TEST_DATABASE_URL or pg_dump/psql missing")
def test_password_in_the_url_stays_out_of_argv_and_output(tmp_path, monkeypatch):
    made = Databases("postgresql", tmp_path)
    try:
        def with_password(url: str) -> str:
            parsed = make_url(url)
            if parsed.password:
                pytest.skip("TEST_DATABASE_URL has a password of its own")
            # The server trusts local connections, so this password is sent and never checked.
            return parsed.set(password=PASSWORD).render_as_string(hide_password=False)

        source = made.schema_app()
        url = with_password(source.config["SQLALCHEMY_DATABASE_URI"])
        app = made.empty_app(url)
        seed(app, participants=3)
        seen = []
        real_run = backup_backends.subprocess.run
        monkeypatch.setattr(backup_backends.subprocess, "run",
                            lambda argv, **kw: seen.append(argv) or real_run(argv, **kw))
        created = invoke(app, "create")
        path = created_path(created)
        restored = invoke(made.empty_app(with_password(made.new_url())), "restore", str(path))
        assert restored.exit_code == 0, restored.output
        assert [Path(argv[0]).name for argv in seen] == ["pg_dump", "psql"]
        for text in (created.output, restored.output, *(arg for argv in seen for arg in argv)):
            assert PASSWORD not in text
    finally:
        made.close()
