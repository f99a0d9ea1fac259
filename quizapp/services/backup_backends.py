"""The two databases `flask backup` knows: SQLite through its online backup API, PostgreSQL through
pg_dump and psql. Each function copies or reads one file; the flows live in services/backup.py."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from ..domain.backup_manifest import VERSION_TABLE, BackupError, Check, DumpScan, scan_dump

# --clean --if-exists: the script drops each object before creating it, so that it restores into an
# empty database as well as over the same schema. pg_dump 15 neither drops nor creates the `public`
# schema, which every new database already has. No owners or grants: the restoring role owns it all.
PG_DUMP_OPTIONS = ("--format=plain", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--encoding=UTF8")
MISSING_TOOL = ("未找到 {tool}：请在运行本命令的机器上安装 PostgreSQL 客户端（Debian：apt install postgresql-client），"
                "其版本不低于数据库服务器的版本")
SQLITE_TIMEOUT_SECONDS = 30


# --- SQLite ---------------------------------------------------------------------------------------


def sqlite_path(url: URL) -> Path:
    """The file of a SQLite URL; an in-memory database has none to back up or restore."""
    if not url.database or url.database == ":memory:" or url.database.startswith("file::memory:"):
        raise BackupError("当前是内存中的 SQLite 数据库，没有可备份或恢复的文件")
    return Path(url.database)


def _read_only(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=SQLITE_TIMEOUT_SECONDS)
    # A damaged file may hold bytes that are not UTF-8 where text should be: report, do not crash.
    conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
    return conn


def _backup_into(src: sqlite3.Connection, dest: Path, journal_mode: str) -> None:
    with closing(src), closing(sqlite3.connect(dest, timeout=SQLITE_TIMEOUT_SECONDS)) as dst:
        # One step (pages=-1) copies the whole file inside a single read transaction: a snapshot.
        # In WAL mode that transaction does not block the source's writers meanwhile.
        src.backup(dst)
        dst.execute(f"PRAGMA journal_mode={journal_mode}")


def sqlite_copy(source: Path, dest: Path) -> None:
    """Copy a live database into `dest` as one consistent snapshot, without stopping its writers."""
    if not source.is_file():
        raise BackupError(f"数据库文件 {source} 不存在")
    try:
        # DELETE: a self-contained file, with no -wal beside it to lose when it is archived.
        _backup_into(sqlite3.connect(source, timeout=SQLITE_TIMEOUT_SECONDS), dest, "DELETE")
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite 备份失败：{exc}") from None


def sqlite_counts(path: Path) -> tuple[dict[str, int], str | None]:
    """Rows per table of a SQLite file, and the schema revision it records."""
    conn = _read_only(path)
    try:
        names = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")]
        counts = {name: conn.execute(f"SELECT count(*) FROM {_quoted(name)}").fetchone()[0] for name in names}
        revision = None
        if VERSION_TABLE in counts:
            row = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
            revision = row[0] if row else None
        return counts, revision
    finally:
        conn.close()


def sqlite_integrity(path: Path) -> list[Check]:
    """PRAGMA integrity_check and foreign_key_check on a SQLite file, as two checks."""
    conn = _read_only(path)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        violations = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    integrity = (Check(True, "SQLite 完整性检查（integrity_check）：ok") if problems == ["ok"]
                 else Check(False, f"SQLite 完整性检查未通过：{'；'.join(problems[:3])}"))
    tables = sorted({row[0] for row in violations})  # table names only: the rows are personal data
    foreign = (Check(True, "外键检查（foreign_key_check）：无违例") if not violations
               else Check(False, f"外键检查发现 {len(violations)} 处违例，涉及表：{'、'.join(tables)}"))
    return [integrity, foreign]


def sqlite_restore(copy: Path, dest: Path) -> None:
    """Overwrite the database at `dest` as a whole with the copy, through the backup API."""
    if not dest.parent.is_dir():
        raise BackupError(f"目录 {dest.parent} 不存在")
    try:
        _backup_into(_read_only(copy), dest, "WAL")  # the mode the app runs in (database.py)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite 恢复失败：{exc}") from None


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- PostgreSQL -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PgCommand:
    """A pg_dump or psql invocation: its argv, and the environment that carries the password."""

    argv: list[str]
    env: dict[str, str]


def pg_command(tool: str, url: URL, *args: str) -> PgCommand:
    """The command line for a PostgreSQL client tool, connecting where the app's URL points."""
    program = shutil.which(tool)
    if program is None:
        raise BackupError(MISSING_TOOL.format(tool=tool))
    # Everything but the password goes on the command line (seen by `ps`); the password only into the
    # child's PGPASSWORD. The URL's query (sslmode, host=/socket/dir, …) is libpq's own syntax.
    conninfo = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                          database=url.database, query=url.query)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return PgCommand([program, *args, f"--dbname={conninfo.render_as_string(hide_password=False)}"], env)


def pg_dump(url: URL, dest: Path) -> DumpScan:
    """Dump the database into `dest` as plain SQL and count the rows of each table in the dump."""
    command = pg_command("pg_dump", url, *PG_DUMP_OPTIONS, f"--file={dest}")
    _run(command, "pg_dump 备份失败")
    return pg_scan(dest)


def pg_scan(path: Path) -> DumpScan:
    """Row counts and schema revision of a plain-format dump, read from its COPY blocks."""
    with path.open("rb") as handle:
        return scan_dump(handle)


def psql_restore(url: URL, script: Path) -> None:
    """Run a dump in one transaction that stops at the first error, so nothing is half restored."""
    command = pg_command("psql", url, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
                         f"--file={script}")
    _run(command, "psql 恢复失败，数据库未作任何改动")


def _run(command: PgCommand, failure: str) -> None:
    try:
        done = subprocess.run(command.argv, env=command.env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupError(f"{failure}：{exc.strerror}") from None
    if done.returncode != 0:
        raise BackupError(f"{failure}：{first_error(done.stderr)}")


def first_error(stderr: str) -> str:
    """The line of a client tool's output that states its error, without psql's file:line prefix.

    One line only: the DETAIL lines that follow an error may quote a row, and rows are personal data.
    """
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if not lines:
        return "（无错误输出）"
    # A warning may come before the error; the error line names ERROR or FATAL (or 错误 when localized).
    chosen = next((line for line in lines if re.search(r"ERROR|FATAL|错误|致命", line)), lines[0])
    return re.sub(r"^psql:.*?:\d+:\s*", "", chosen)
