"""`flask doctor`'s judgements: plain facts about a deployment in, one ✓ or ✗ with its fix out."""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from .addresses import is_loopback
from .units import GIB, human_bytes

MIN_SECRET_LENGTH = 32
MIN_BUSY_TIMEOUT_MS = 5000
MIN_POSTGRES_VERSION = 120000  # server_version_num of PostgreSQL 12
# Connections kept free beyond the workers' own: the CLI, cron jobs (backup, finalize), one psql.
CONNECTION_MARGIN = 5

SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
UPGRADE = "运行 flask --app wsgi db upgrade"
BASE_URL_EXAMPLE = "PUBLIC_BASE_URL=https://quiz.example.gov.cn"
LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class Check:
    """One check's outcome: whether it passed, what was found, and how to fix it."""

    ok: bool
    name: str
    detail: str
    fix: str = ""


def skipped(name: str, reason: str, fix: str) -> Check:
    """A check that could not run; it counts as not passed, since nothing was verified."""
    return Check(False, name, f"未检查（{reason}）", fix)


def render(checks: Iterable[Check]) -> list[str]:
    """One line per check: ✓ or ✗, the name, what was found and, for a ✗, the fix."""
    lines = []
    for check in checks:
        line = f"{'✓' if check.ok else '✗'} {check.name}：{check.detail}"
        lines.append(f"{line} —— 修复：{check.fix}" if check.fix and not check.ok else line)
    return lines


def summary(checks: Sequence[Check]) -> str:
    """The closing line: how many checks ran and how many did not pass."""
    failed = sum(1 for check in checks if not check.ok)
    if not failed:
        return f"共 {len(checks)} 项，全部通过"
    return f"共 {len(checks)} 项：{len(checks) - failed} 项通过，{failed} 项未通过"


def fingerprint(secret: str) -> str:
    """Eight hex digits of the key's SHA-256, to compare servers without showing the key."""
    return hashlib.sha256(secret.encode()).hexdigest()[:8]


def mask_url(url: str) -> str:
    """The URL with any password replaced by ***, in the user part or a password= parameter."""
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    if at and ":" in userinfo:
        userinfo = userinfo.split(":", 1)[0] + ":***"
    masked = parts._replace(netloc=f"{userinfo}{at}{host}").geturl()
    return re.sub(r"(?i)(password=)[^&]*", r"\1***", masked)


_SECRET_ORIGINS = {
    "env": "来自环境变量 SECRET_KEY",
    "file": "来自 instance/secret_key",
    "new": "本次运行刚生成并写入 instance/secret_key",
    "config": "由程序配置给出",
}


def judge_secret_key(source: str, servers: int, key_length: int, key_fingerprint: str = "") -> Check:
    """A key of at least 32 characters that survives restarts and is the same on every server."""
    origin = _SECRET_ORIGINS.get(source, f"来源不明（{source}）")
    found = f"{origin}，{key_length} 个字符" + (f"，指纹 {key_fingerprint}" if key_fingerprint else "")
    if key_length < MIN_SECRET_LENGTH:
        return Check(False, "SECRET_KEY", f"{found}，太短", "设置至少 32 个字符的随机 SECRET_KEY，"
                     "如 python3 -c 'import secrets; print(secrets.token_hex(32))' 的输出")
    generated = source in ("file", "new")
    if generated and servers > 1:
        # Each server generated its own file: a session signed on one is refused by the others.
        return Check(False, "SECRET_KEY", f"{found}，而共有 {servers} 台服务器：每台各自生成的密钥不同，会话换一台就失效",
                     "在每台服务器上设置同一个 SECRET_KEY 环境变量")
    if generated:
        return Check(True, "SECRET_KEY", f"{found}（重启后不变；instance/ 须在持久磁盘上）")
    if servers > 1:
        return Check(True, "SECRET_KEY", f"{found}（{servers} 台服务器的指纹须一致）")
    return Check(True, "SECRET_KEY", found)


def _host_note(host: str) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return ""
    return "，内网地址，只有同一网络内能打开" if address.is_private else ""


def judge_public_base_url(url: str | None) -> Check:
    """An http(s) address with a host that participants' phones can reach (not this machine)."""
    url = (url or "").strip()
    fix = f"设置为参赛者能打开的地址，如 {BASE_URL_EXAMPLE}"
    if not url:
        return Check(False, "PUBLIC_BASE_URL", "未设置，命令行生成的二维码和海报会指向 http://127.0.0.1:8000", fix)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return Check(False, "PUBLIC_BASE_URL", f"{url} 不是合法的网址", fix)
    if parts.scheme not in ("http", "https"):
        return Check(False, "PUBLIC_BASE_URL", f"{url} 不是 http(s) 地址", fix)
    if not host:
        return Check(False, "PUBLIC_BASE_URL", f"{url} 没有主机名", fix)
    if is_loopback(url):
        return Check(False, "PUBLIC_BASE_URL", f"{url} 指向本机，别人扫码打不开", fix)
    note = _host_note(host)
    if parts.scheme == "http":
        return Check(True, "PUBLIC_BASE_URL", f"{url}{note}（http：微信和浏览器会提示“不安全”，建议改用 https）")
    return Check(True, "PUBLIC_BASE_URL", url + note)


def judge_database(where: str, error: str, current: Sequence[str] = (), heads: Sequence[str] = (),
                   known: Iterable[str] = (), has_tables: bool = False, backend: str = "",
                   read_error: str = "") -> Check:
    """Reachable, and its recorded migration (alembic_version) is the newest this code has."""
    if error:
        check = ("DATABASE_URL 里的文件路径" if backend == "sqlite"
                 else "DATABASE_URL 的主机、端口、用户、密码和库名，并确认数据库服务在运行")
        return Check(False, "数据库", f"无法连接（{where}）：{error}", f"检查 {check}；新部署先{UPGRADE}")
    reached = f"可连接（{where}）"
    if read_error:
        return Check(False, "数据库", f"{reached}，但读取迁移版本或设置失败：{read_error}",
                     "确认 DATABASE_URL 的用户有权读取该库的表")
    if set(current) == set(heads):
        return Check(True, "数据库", f"{reached}，迁移已是最新（{', '.join(heads)}）")
    if not current and not has_tables:
        return Check(False, "数据库", f"{reached}，但还没有建表", UPGRADE)
    if not current:
        return Check(False, "数据库", f"{reached}，有数据表却没有迁移版本记录（alembic_version）",
                     "表若是用本版本的 db.create_all 建的，运行 flask --app wsgi db stamp head；否则先备份，再对照迁移修正")
    unknown = [revision for revision in current if revision not in set(known)]
    if unknown:
        return Check(False, "数据库", f"{reached}，数据库的迁移版本 {', '.join(unknown)} 不在本程序的迁移中（数据库比程序新？）",
                     "部署与数据库一致的程序版本")
    return Check(False, "数据库", f"{reached}，迁移落后：数据库在 {', '.join(current)}，最新是 {', '.join(heads)}",
                 "先备份数据库，再" + UPGRADE)


def judge_sqlite_pragmas(journal_mode: str, synchronous: int, busy_timeout: int, foreign_keys: bool,
                         servers: int = 1) -> Check:
    """WAL, synchronous not OFF, busy_timeout ≥ 5000 ms, foreign keys on, and one server only."""
    found = (f"journal_mode={journal_mode.upper()}，synchronous={SYNCHRONOUS.get(synchronous, synchronous)}，"
             f"busy_timeout={busy_timeout} ms，foreign_keys={'ON' if foreign_keys else 'OFF'}")
    problems, fixes = [], []
    if journal_mode.lower() != "wal":
        problems.append("不是 WAL 模式")
        fixes.append("把数据库放在本地磁盘的可写目录里（WAL 不支持网络文件系统）")
    if synchronous == 0:
        problems.append("synchronous=OFF，断电可能损坏数据库")
    if busy_timeout < MIN_BUSY_TIMEOUT_MS:
        problems.append(f"busy_timeout 低于 {MIN_BUSY_TIMEOUT_MS} ms，并发写入时会报“database is locked”")
    if not foreign_keys:
        problems.append("外键约束未启用")
    if len(problems) > len(fixes):
        fixes.append("这些设置由 quizapp/database.py 的 SQLITE_PRAGMAS 在每个连接上设置，确认它未被改动")
    if servers > 1:
        problems.append(f"SQLite 只能供一台服务器使用，而共有 {servers} 台")
        fixes.append("多台服务器请改用 PostgreSQL（DATABASE_URL=postgresql+psycopg://…）")
    if problems:
        return Check(False, "SQLite", f"{found}：{'；'.join(problems)}", "；".join(fixes))
    return Check(True, "SQLite", found)


def postgres_version(version_num: int) -> str:
    """server_version_num as people write it: 150020 → 15.20, 90624 → 9.6.24."""
    if version_num >= 100000:
        return f"{version_num // 10000}.{version_num % 10000}"
    return f"{version_num // 10000}.{version_num // 100 % 100}.{version_num % 100}"


def is_local_host(host: str | None) -> bool:
    """Whether a PostgreSQL host is this machine: localhost, a loopback address or a socket directory."""
    host = (host or "").strip().lower()
    return host in LOCAL_HOSTS or host.startswith("/") or host.startswith("127.")


def judge_postgres(version_num: int, max_connections: int, reserved: int, workers: int, servers: int,
                   threads: int = 1) -> Check:
    """PostgreSQL 12 or newer, with connections for every worker thread on every server plus a margin."""
    needed = workers * servers * threads + CONNECTION_MARGIN
    available = max_connections - reserved
    per_worker = f" × {threads} 线程" if threads > 1 else ""
    found = (f"版本 {postgres_version(version_num)}，max_connections={max_connections}"
             f"（{reserved} 个留给超级用户，可用 {available}），需要 {workers} 个 worker × {servers} 台服务器"
             f"{per_worker} + {CONNECTION_MARGIN}（命令行与定时任务）= {needed}")
    if version_num < MIN_POSTGRES_VERSION:
        return Check(False, "PostgreSQL", f"{found}：版本低于 12", "升级到 PostgreSQL 12 或更新版本")
    if needed > available:
        return Check(False, "PostgreSQL", f"{found}：连接数不够",
                     f"把 postgresql.conf 的 max_connections 提高到至少 {needed + reserved} 并重启数据库，或减少 worker")
    return Check(True, "PostgreSQL", found)


def judge_redis(url: str, reachable: bool, error: str, workers: int, servers: int) -> Check:
    """Reachable when configured; configured whenever more than one process counts rate limits."""
    processes = workers * servers
    if url and reachable:
        return Check(True, "Redis", f"可连接（{mask_url(url)}）")
    if url:
        return Check(False, "Redis", f"无法连接 {mask_url(url)}（{error}），限流暂按每个进程各自计数",
                     "启动 Redis，或改正 REDIS_URL")
    if processes > 1:
        # Flask-Limiter's memory storage is per process: N processes let N times the limit through.
        return Check(False, "Redis", f"未配置，而共有 {processes} 个进程（{workers} 个 worker × {servers} 台服务器），"
                     "参赛者的限流按进程各自计数", "设置 REDIS_URL=redis://主机:6379/0")
    return Check(True, "Redis", "未配置（单进程，限流计数在本进程内）")


def judge_font(path: str | None, fallback: str = "STSong-Light") -> Check:
    """A CJK TrueType font that posters embed; the built-in fallback is only named in the PDF."""
    if path:
        return Check(True, "海报字体", f"{path}（嵌入 PDF）")
    return Check(False, "海报字体", f"未找到可嵌入的中文字体，海报只引用 {fallback}，没有该字体的手机会显示方框",
                 "apt install fonts-wqy-zenhei")


def judge_disk(where: str, free_bytes: int, total_bytes: int, database_bytes: int | None = None,
               note: str = "") -> Check:
    """At least 1 GiB free, and twice the database's size so that a backup fits."""
    needed = max(GIB, 2 * (database_bytes or 0))
    size = f"，数据库 {human_bytes(database_bytes)}" if database_bytes is not None else ""
    found = f"{where} 所在磁盘剩余 {human_bytes(free_bytes)}（共 {human_bytes(total_bytes)}）{size}"
    found += f"，{note}" if note else ""
    if free_bytes < needed:
        return Check(False, "磁盘", f"{found}：空间不足",
                     f"清理或扩容，至少留出 {human_bytes(needed)}（不少于 1 GiB，也不少于数据库的两倍，供备份）")
    return Check(True, "磁盘", found)
