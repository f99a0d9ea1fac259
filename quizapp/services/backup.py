"""`flask backup` flows: create a compressed archive with a manifest, verify it, restore it.

An archive is one .tar.gz holding `manifest.json` first, then the data member: `database.sqlite3`
(a copy taken with SQLite's online backup API) or `database.sql` (pg_dump, plain SQL). The row
counts in the manifest are taken from that copy itself, never from a second query that could see
another moment, so they describe the copy exactly while the app goes on writing.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import secrets
import shutil
import sqlite3
import tarfile
import tempfile
import tomllib
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import func, inspect, select, table
from sqlalchemy.exc import SQLAlchemyError

from ..domain.backup_manifest import (
    BACKEND_LABELS,
    DATA_NAMES,
    MANIFEST_MAX_BYTES,
    MANIFEST_NAME,
    BackupError,
    Check,
    Manifest,
    archive_name,
    build_manifest,
    compare_counts,
    compare_data,
    data_tables,
    manifest_bytes,
    parse_manifest,
)
from ..extensions import db
from . import backup_backends as backends

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Created:
    """A backup just written: where it is and what its manifest says."""

    path: Path
    manifest: Manifest


@dataclass(frozen=True)
class Verification:
    """The outcome of verifying an archive, one check per line."""

    path: Path
    manifest: Manifest | None
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        """True when the manifest was read and every check passed."""
        return self.manifest is not None and all(check.ok for check in self.checks)


@dataclass(frozen=True)
class Restored:
    """A restore done: the manifest, the counts found afterwards, and what the operator must do next."""

    manifest: Manifest
    counts: dict[str, int]
    checks: tuple[Check, ...]
    replaced: dict[str, int]  # tables that held rows before a --force restore
    upgrade_note: str | None


def current_backend() -> str:
    """The configured database's backend, "sqlite" or "postgresql"; any other is refused."""
    name = db.engine.dialect.name
    if name not in DATA_NAMES:
        raise BackupError(f"不支持备份 {name} 数据库，只支持 SQLite 和 PostgreSQL")
    return name


# --- create ---------------------------------------------------------------------------------------


def create_backup(output: Path | None, now: datetime) -> Created:
    """Write a consistent, compressed backup of the configured database, with its manifest."""
    backend = current_backend()
    directory, final = _destination(output)
    # Work inside the destination directory: same file system, so the finished archive is linked
    # into place in one step, and a large database does not have to fit in /tmp.
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=directory))
    try:
        data = work / DATA_NAMES[backend]
        revision, tables = _copy_database(backend, data)
        size, digest = _size_and_digest(data)
        manifest = build_manifest(backend, now, revision, tables, size, digest, app_version())
        staged = work / "archive.tar.gz"
        _write_archive(staged, manifest, data, now.timestamp())
        return Created(_publish(staged, directory, final, backend, now), manifest)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _destination(output: Path | None) -> tuple[Path, Path | None]:
    """The directory to write into and, when the operator named the file, its final path."""
    if output is None:
        directory = Path(current_app.config["BACKUP_DIR"])
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # archives hold phone numbers
        return directory, None
    if output.is_dir():
        return output, None
    if not output.parent.is_dir():
        raise BackupError(f"目录 {output.parent} 不存在")
    if output.exists():
        raise BackupError(f"{output} 已存在，不会覆盖；请换一个文件名或给出目录")
    return output.parent, output


def _copy_database(backend: str, data: Path) -> tuple[str | None, dict[str, int]]:
    if backend == "sqlite":
        backends.sqlite_copy(backends.sqlite_path(db.engine.url), data)
        counts, revision = backends.sqlite_counts(data)
        return revision, counts
    scan = backends.pg_dump(db.engine.url, data)
    return scan.alembic_revision, scan.tables


def _size_and_digest(path: Path) -> tuple[int, str]:
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return path.stat().st_size, digest


def _write_archive(path: Path, manifest: Manifest, data: Path, mtime: float) -> None:
    """Write the archive under a private temporary name: manifest first, then the data."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as raw:
        with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
            body = manifest_bytes(manifest)
            tar.addfile(_member(MANIFEST_NAME, len(body), mtime), io.BytesIO(body))
            with data.open("rb") as handle:
                tar.addfile(_member(manifest.data_name, manifest.data_size, mtime), handle)
        raw.flush()
        os.fsync(raw.fileno())


def _member(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), 0o600
    return info


def _publish(staged: Path, directory: Path, final: Path | None, backend: str, now: datetime) -> Path:
    """Give the finished archive its final name, never replacing a file already there."""
    if final is not None:
        if not _link(staged, final):
            raise BackupError(f"{final} 已存在，不会覆盖；请换一个文件名或给出目录")
        return final
    for _ in range(8):
        candidate = directory / archive_name(backend, now, secrets.token_hex(3))
        if _link(staged, candidate):
            return candidate
    raise BackupError(f"无法在 {directory} 中取得不重复的备份文件名")


def _link(staged: Path, final: Path) -> bool:
    """Link `staged` to `final` unless a file is there (False); the name appears only when complete."""
    try:
        os.link(staged, final)
    except FileExistsError:
        return False
    except OSError:
        # A file system without hard links (some network shares): a rename is as atomic, only it would
        # replace a file of the same name, which the random suffix and the check make unlikely.
        if final.exists():
            return False
        os.replace(staged, final)
    _sync_directory(final.parent)
    return True


def _sync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # not every file system lets a directory be synced
    finally:
        os.close(fd)


def app_version() -> str | None:
    """The application's version from pyproject.toml, when it is there."""
    from .. import ROOT

    try:
        with (ROOT / "pyproject.toml").open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return None


# --- verify ---------------------------------------------------------------------------------------


def verify_backup(path: Path) -> Verification:
    """Check an archive: its manifest, the data's size and digest, the row counts, SQLite's integrity."""
    with unpacked(path) as (verification, _data):
        return verification


@contextmanager
def unpacked(path: Path) -> Iterator[tuple[Verification, Path | None]]:
    """Extract an archive into a private temporary directory, verify it, and remove it afterwards."""
    work = Path(tempfile.mkdtemp(prefix="quizapp-restore-"))
    try:
        yield _inspect(path, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _inspect(path: Path, work: Path) -> tuple[Verification, Path | None]:
    try:
        manifest, data, size, digest, extra = _extract(path, work)
    except BackupError as exc:
        return Verification(path, None, (Check(False, exc.message),)), None
    label = BACKEND_LABELS[manifest.backend]
    checks = [Check(True, f"清单可读：{label} 备份，创建于 {manifest.created_at}，"
                          f"数据库版本 {manifest.alembic_revision or '未知'}"),
              compare_data(manifest, size, digest)]
    if extra:
        checks.append(Check(False, f"备份中有清单未列出的文件：{'、'.join(extra)}"))
    checks.extend(_content_checks(manifest, data))
    return Verification(path, manifest, tuple(checks)), data


def _extract(path: Path, work: Path) -> tuple[Manifest, Path, int, str, list[str]]:
    """Read the manifest and copy the data member out, hashing it; a damaged archive is a BackupError."""
    try:
        with gzip.open(path, "rb") as stream:
            with tarfile.open(fileobj=stream, mode="r|") as tar:
                manifest = _read_manifest(tar)
                member = tar.next()
                if member is None or member.name != manifest.data_name or not member.isfile():
                    raise BackupError(f"备份中缺少数据文件 {manifest.data_name}")
                data = work / manifest.data_name
                size, digest = _copy_hashing(tar.extractfile(member), data)
                extra = [other.name for other in iter(tar.next, None)]
            # Read to the end of the gzip stream, so that its length and CRC are checked too.
            while stream.read(_CHUNK):
                pass
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(f"备份文件损坏或不完整，无法解压：{exc}") from None
    return manifest, data, size, digest, extra


def _read_manifest(tar: tarfile.TarFile) -> Manifest:
    first = tar.next()
    if first is None or first.name != MANIFEST_NAME or not first.isfile():
        raise BackupError(f"备份的第一个文件应是 {MANIFEST_NAME}，这不是 quizapp 的备份")
    if first.size > MANIFEST_MAX_BYTES:
        raise BackupError(f"{MANIFEST_NAME} 过大，这不是 quizapp 的备份")
    return parse_manifest(tar.extractfile(first).read())


def _copy_hashing(source: BinaryIO, dest: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


def _content_checks(manifest: Manifest, data: Path) -> list[Check]:
    """Recount the rows in the data member and, for SQLite, check the file's integrity."""
    try:
        if manifest.backend == "sqlite":
            counts, revision = backends.sqlite_counts(data)
            integrity = backends.sqlite_integrity(data)
        else:
            scan = backends.pg_scan(data)
            counts, revision, integrity = scan.tables, scan.alembic_revision, []
    except BackupError as exc:
        return [Check(False, exc.message)]
    except (sqlite3.Error, ValueError) as exc:
        return [Check(False, f"数据文件不是可读的 SQLite 数据库：{exc}")]
    checks = compare_counts(manifest.tables, counts)
    if revision != manifest.alembic_revision:
        checks.append(Check(False, f"数据库版本不符：清单 {manifest.alembic_revision}，文件 {revision}"))
    return checks + integrity


# --- restore --------------------------------------------------------------------------------------


def restore_backup(path: Path, force: bool = False) -> Restored:
    """Restore a verified archive into the configured database: an empty one, or any with `force`."""
    backend = current_backend()
    with unpacked(path) as (verification, data):
        if not verification.ok:
            failed = "；".join(check.text for check in verification.checks if not check.ok)
            raise BackupError(f"备份未通过校验，未恢复：{failed}")
        manifest = verification.manifest
        if manifest.backend != backend:
            raise BackupError(f"这是 {BACKEND_LABELS[manifest.backend]} 的备份，当前数据库是 "
                              f"{BACKEND_LABELS[backend]}，不能恢复")
        try:
            occupied = occupied_tables()
        except SQLAlchemyError as exc:
            raise BackupError(f"无法读取当前数据库：{_first_line(exc)}") from None
        if occupied and not force:
            raise BackupError(f"当前数据库已有数据（{_tables_text(occupied)}），未恢复；"
                              "确认要用备份整体替换现有数据时加 --force")
        # No pooled connection may hold the old database open while it is replaced.
        db.session.remove()
        db.engine.dispose()
        if backend == "sqlite":
            backends.sqlite_restore(data, backends.sqlite_path(db.engine.url))
        else:
            backends.psql_restore(db.engine.url, data)
        db.engine.dispose()
    counts = table_counts(manifest.tables)
    checks = tuple(compare_counts(manifest.tables, counts, "恢复后"))
    return Restored(manifest, counts, checks, occupied, upgrade_note(manifest.alembic_revision))


def occupied_tables() -> dict[str, int]:
    """Tables of the configured database that hold rows, the schema-version table left out."""
    return {name: rows for name, rows in data_tables(table_counts(inspect(db.engine).get_table_names())).items()
            if rows}


def table_counts(names) -> dict[str, int]:
    """Rows per table of the configured database, for the names given (`schema.table` or `table`)."""
    counts = {}
    with db.engine.connect() as conn:
        for name in names:
            schema, _, bare = name.rpartition(".")
            counts[name] = conn.execute(select(func.count()).select_from(table(bare, schema=schema or None))).scalar()
    return counts


def _first_line(exc: SQLAlchemyError) -> str:
    # The driver's own message, without SQLAlchemy's statement echo and help link.
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def _tables_text(occupied: dict[str, int]) -> str:
    shown = "、".join(f"{name} {rows} 行" for name, rows in sorted(occupied.items())[:5])
    return shown + ("等" if len(occupied) > 5 else "")


def upgrade_note(revision: str | None) -> str | None:
    """What to do when the restored schema is not the code's: upgrade it, or deploy matching code."""
    scripts = ScriptDirectory(current_app.extensions["migrate"].directory)
    head = scripts.get_current_head()
    if revision == head:
        return None
    if revision is None:
        return "备份中没有数据库版本记录（alembic_version）：请确认表结构与当前代码一致"
    known = {script.revision for script in scripts.walk_revisions()}
    if revision not in known:
        return (f"备份的数据库版本 {revision} 不在当前代码的迁移中（备份可能来自更新的版本）："
                "请部署与之对应的代码")
    return f"备份的数据库版本 {revision} 早于当前代码（{head}）：请运行 flask --app wsgi db upgrade"
