"""Backup manifests: build, parse and compare them, name archives, count rows in a pg_dump stream.

Plain Python: the services hand in the figures (row counts, sizes, digests) and the moment;
nothing here opens a database or a file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from .errors import DomainError

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DATA_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.sql"}
BACKEND_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
VERSION_TABLE = "alembic_version"
# A manifest is a few hundred bytes; anything far larger is not one of ours.
MANIFEST_MAX_BYTES = 1024 * 1024


class BackupError(DomainError):
    """A backup cannot be made, read or restored; the message says why, in Chinese."""

    code = "backup_error"


@dataclass(frozen=True)
class Manifest:
    """What an archive holds: the backend, when, the schema revision, and each table's rows."""

    backend: str
    created_at: str
    alembic_revision: str | None
    tables: dict[str, int]
    data_name: str
    data_size: int
    data_sha256: str
    app_version: str | None = None
    format: int = FORMAT_VERSION

    @property
    def total_rows(self) -> int:
        """Rows over every table, the schema-version table included."""
        return sum(self.tables.values())


@dataclass(frozen=True)
class Check:
    """One line of a verification: passed or not, and what was compared."""

    ok: bool
    text: str


@dataclass
class DumpScan:
    """Row counts of a plain-format pg_dump, one per COPY block, and the revision it records."""

    tables: dict[str, int] = field(default_factory=dict)
    alembic_revision: str | None = None


def iso_utc(now: datetime) -> str:
    """The moment as an ISO 8601 UTC string ending in Z, to the second."""
    return now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def archive_name(backend: str, now: datetime, suffix: str) -> str:
    """A file name that sorts by time; the random suffix keeps two backups in one second apart."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"quizapp-{backend}-{stamp}-{suffix}.tar.gz"


def build_manifest(backend: str, now: datetime, revision: str | None, tables: dict[str, int],
                   size: int, sha256: str, app_version: str | None = None) -> Manifest:
    """The manifest of a data member just written."""
    if backend not in DATA_NAMES:
        raise BackupError(f"不支持备份 {backend} 数据库，只支持 SQLite 和 PostgreSQL")
    return Manifest(backend=backend, created_at=iso_utc(now), alembic_revision=revision,
                    tables=dict(sorted(tables.items())), data_name=DATA_NAMES[backend], data_size=size,
                    data_sha256=sha256, app_version=app_version)


def manifest_bytes(manifest: Manifest) -> bytes:
    """The manifest as indented UTF-8 JSON."""
    return json.dumps(asdict(manifest), ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def parse_manifest(raw: bytes) -> Manifest:
    """Read a manifest, refusing anything malformed with a BackupError."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"清单不是有效的 UTF-8 JSON：{exc}") from None
    if not isinstance(data, dict):
        raise BackupError("清单应是一个 JSON 对象")
    if data.get("format") != FORMAT_VERSION:
        raise BackupError(f"清单格式版本 {data.get('format')!r} 不受支持（应为 {FORMAT_VERSION}）")
    backend = data.get("backend")
    if backend not in DATA_NAMES:
        raise BackupError(f"清单中的数据库类型 {backend!r} 不受支持")
    if data.get("data_name") != DATA_NAMES[backend]:
        raise BackupError(f"清单中的数据文件名 {data.get('data_name')!r} 与 {backend} 不符")
    _require_fields(data)
    return Manifest(backend=backend, created_at=data["created_at"], alembic_revision=data.get("alembic_revision"),
                    tables=dict(data["tables"]), data_name=data["data_name"], data_size=data["data_size"],
                    data_sha256=data["data_sha256"], app_version=data.get("app_version"))


def _require_fields(data: dict) -> None:
    tables = data.get("tables")
    if not isinstance(tables, dict) or not all(
            isinstance(name, str) and _is_count(count) for name, count in tables.items()):
        raise BackupError("清单中的 tables 应是“表名: 行数”的对象")
    if not _is_count(data.get("data_size")):
        raise BackupError("清单中的 data_size 应是非负整数")
    digest = data.get("data_sha256")
    if not isinstance(digest, str) or len(digest) != 64:
        raise BackupError("清单中的 data_sha256 应是 64 位十六进制摘要")
    if not isinstance(data.get("created_at"), str):
        raise BackupError("清单中缺少 created_at")
    revision = data.get("alembic_revision")
    if revision is not None and not isinstance(revision, str):
        raise BackupError("清单中的 alembic_revision 应是字符串")


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def compare_data(manifest: Manifest, size: int, sha256: str) -> Check:
    """The data member's size and SHA-256 against the manifest's."""
    if size != manifest.data_size:
        return Check(False, f"数据文件 {manifest.data_name} 大小不符：清单 {manifest.data_size} 字节，实际 {size} 字节")
    if sha256 != manifest.data_sha256:
        return Check(False, f"数据文件 {manifest.data_name} 的 SHA-256 与清单不符（文件被改动或损坏）")
    return Check(True, f"数据文件 {manifest.data_name}：{size} 字节，SHA-256 与清单一致")


def compare_counts(expected: dict[str, int], found: dict[str, int], where: str = "文件") -> list[Check]:
    """Each table's rows against the manifest: one line per difference, or one line saying all agree."""
    wrong = []
    for name in sorted(set(expected) | set(found)):
        want, got = expected.get(name), found.get(name)
        if want != got:
            wrong.append(Check(False, f"表 {name} 行数不符：清单 {_count_text(want)}，{where} {_count_text(got)}"))
    if wrong:
        return wrong
    return [Check(True, f"各表行数与清单一致（{len(expected)} 张表，共 {sum(expected.values())} 行）")]


def _count_text(count: int | None) -> str:
    return "无此表" if count is None else f"{count} 行"


def scan_dump(lines: Iterable[bytes]) -> DumpScan:
    """Count the data lines of each `COPY … FROM stdin;` block of a plain-format dump.

    COPY's text format puts one row on one line (newlines inside values are escaped as \\n) and ends
    the block with a line holding only `\\.`, so the count is exact for the dump's own snapshot.
    """
    scan, current, first_row = DumpScan(), None, None
    for line in lines:
        if current is None:
            if line.startswith(b"COPY ") and line.rstrip().endswith(b"FROM stdin;"):
                current, first_row = copy_table(line.decode("utf-8")), None
                scan.tables[current] = 0
            continue
        if line.rstrip(b"\r\n") == b"\\.":
            if current == VERSION_TABLE and first_row is not None:
                scan.alembic_revision = first_row.split(b"\t", 1)[0].decode("ascii", "replace")
            current = None
            continue
        if current == VERSION_TABLE and first_row is None:
            first_row = line.rstrip(b"\r\n")
        scan.tables[current] += 1
    if current is not None:
        raise BackupError(f"SQL 转储在表 {current} 的数据中途结束（文件不完整）")
    return scan


def copy_table(line: str) -> str:
    """The table named by a COPY line: `public.` dropped, other schemas kept, quotes undone."""
    rest = line[len("COPY "):]
    parts, index = [], 0
    while True:
        name, index = _identifier(rest, index)
        parts.append(name)
        if index < len(rest) and rest[index] == ".":
            index += 1
            continue
        break
    if len(parts) == 2 and parts[0] == "public":
        parts = parts[1:]
    return ".".join(parts)


def _identifier(text: str, index: int) -> tuple[str, int]:
    if text.startswith('"', index):
        out, index = [], index + 1
        while index < len(text):
            if text[index] == '"':
                if text.startswith('""', index):
                    out.append('"')
                    index += 2
                    continue
                return "".join(out), index + 1
            out.append(text[index])
            index += 1
        raise BackupError(f"无法识别的 COPY 行：{text[:80]}")
    end = index
    while end < len(text) and text[end] not in ". (":
        end += 1
    if end == index:
        raise BackupError(f"无法识别的 COPY 行：{text[:80]}")
    return text[index:end], end


def data_tables(counts: dict[str, int]) -> dict[str, int]:
    """The tables that hold the application's data: every one but the schema-version table."""
    return {name: rows for name, rows in counts.items() if name != VERSION_TABLE}
