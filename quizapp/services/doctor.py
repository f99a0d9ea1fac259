"""`flask doctor`: gather the facts about this deployment and let domain.doctor judge each one.

Every fact is gathered on its own, so that one failure (the database down, Redis refusing)
still lets the other checks print their line.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Connection, Engine, make_url

from ..domain import doctor as rules
from ..domain.doctor import Check
from ..domain.poster import FALLBACK_FONT, load_cjk_font
from ..extensions import db

CONNECT_TIMEOUT_SECONDS = 5
DiskUsage = Callable[[str], tuple[int, int, int]]  # (total, used, free), as shutil.disk_usage


def ping_redis(url: str) -> None:
    """Raise unless the Redis at `url` answers PING within a second."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


@dataclass(frozen=True)
class Deployment:
    """How many processes share the database and the rate limits."""

    workers: int = 1
    servers: int = 1
    threads: int = 1


@dataclass(frozen=True)
class Probes:
    """What the checks touch outside the database, replaceable in tests."""

    redis_ping: Callable[[str], None] = ping_redis
    disk_usage: DiskUsage = shutil.disk_usage
    font_candidates: Sequence[str] | None = None  # None: domain.poster.FONT_CANDIDATES


@dataclass
class DatabaseFacts:
    """What one connection to the database told us (error: why there was no connection)."""

    backend: str
    where: str
    path: str = ""  # the SQLite file
    host: str | None = None  # the PostgreSQL host or socket directory
    error: str = ""  # no connection
    read_error: str = ""  # connected, but a query failed
    current: tuple[str, ...] = ()
    heads: tuple[str, ...] = ()
    known: frozenset[str] = frozenset()
    has_tables: bool = False
    settings: dict = field(default_factory=dict)  # PRAGMA values or pg_settings rows
    size: int | None = None  # bytes, when the database can say
    data_directory: str = ""


def run_checks(config: Mapping, migrations_dir: str, deployment: Deployment,
               probes: Probes | None = None) -> list[Check]:
    """Every deployment check, in the order `flask doctor` prints them."""
    probes = probes or Probes()
    facts = database_facts(config, migrations_dir)
    return [
        _secret_key(config, deployment),
        rules.judge_public_base_url(config.get("PUBLIC_BASE_URL")),
        rules.judge_database(facts.where, facts.error, facts.current, facts.heads, facts.known, facts.has_tables,
                             facts.backend, facts.read_error),
        _backend_check(facts, deployment),
        _redis(config.get("REDIS_URL") or "", deployment, probes.redis_ping),
        _font(probes.font_candidates),
        _disk(facts, config, probes.disk_usage),
    ]


def _secret_key(config: Mapping, deployment: Deployment) -> Check:
    key = str(config.get("SECRET_KEY") or "")
    source = config.get("SECRET_KEY_SOURCE", "config")
    return rules.judge_secret_key(source, deployment.servers, len(key), rules.fingerprint(key) if key else "")


def _one_line(exc: BaseException, password: str | None) -> str:
    cause = getattr(exc, "orig", None) or exc
    message = (str(cause).strip().splitlines() or [""])[0][:160]
    if password:
        message = message.replace(password, "***")
    return f"{type(cause).__name__}: {message}" if message else type(cause).__name__


def database_facts(config: Mapping, migrations_dir: str) -> DatabaseFacts:
    """Connect once with a short timeout and read the migration state and the server's settings."""
    url = db.engine.url  # as Flask-SQLAlchemy resolved it (a relative SQLite path is under instance/)
    backend = url.get_backend_name()
    path = url.database if backend == "sqlite" and url.database != ":memory:" else ""
    host = url.host or url.query.get("host")  # ?host=/var/run/postgresql names a socket directory
    facts = DatabaseFacts(backend, _where(url), path or "", host if isinstance(host, str) else None)
    if facts.path and not Path(facts.path).exists():
        facts.error = f"文件 {facts.path} 不存在"  # connecting would create an empty file
        return facts
    engine = _probe_engine(url, config)
    try:
        with engine.connect() as conn:
            try:
                _read_facts(conn, migrations_dir, facts)
            except Exception as exc:  # noqa: BLE001  reported as read failure, not as unreachable
                facts.read_error = _one_line(exc, url.password)
    except Exception as exc:  # noqa: BLE001  whatever stops the connection is this check's ✗
        facts.error = _one_line(exc, url.password)
    finally:
        engine.dispose()
    return facts


def _read_facts(conn: Connection, migrations_dir: str, facts: DatabaseFacts) -> None:
    _read_migrations(conn, migrations_dir, facts)
    if facts.backend == "sqlite":
        _read_sqlite(conn, facts)
    elif facts.backend == "postgresql":
        _read_postgres(conn, facts)


def _where(url) -> str:
    if url.get_backend_name() == "sqlite":
        return f"SQLite，{url.database or ':memory:'}"
    name = {"postgresql": "PostgreSQL"}.get(url.get_backend_name(), url.get_backend_name())
    return f"{name}，{url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)}"


def _probe_engine(url, config: Mapping) -> Engine:
    # A separate engine so that a firewalled database host fails in seconds, not minutes.
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if url.get_backend_name() == "postgresql":
        options["connect_args"] = {**options.get("connect_args", {}), "connect_timeout": CONNECT_TIMEOUT_SECONDS}
    return create_engine(make_url(url), **options)


def _read_migrations(conn: Connection, migrations_dir: str, facts: DatabaseFacts) -> None:
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    alembic_config = Config()
    alembic_config.set_main_option("script_location", migrations_dir)
    script = ScriptDirectory.from_config(alembic_config)
    facts.heads = tuple(script.get_heads())
    facts.known = frozenset(revision.revision for revision in script.walk_revisions())
    facts.current = tuple(MigrationContext.configure(conn).get_current_heads())
    facts.has_tables = bool(set(inspect(conn).get_table_names()) - {"alembic_version"})


def _read_sqlite(conn: Connection, facts: DatabaseFacts) -> None:
    for pragma in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys"):
        facts.settings[pragma] = conn.exec_driver_sql(f"PRAGMA {pragma}").scalar()
    if facts.path:
        # The WAL file holds committed pages not yet copied back; a backup copies both.
        files = (Path(facts.path), Path(f"{facts.path}-wal"))
        facts.size = sum(file.stat().st_size for file in files if file.exists())


_PG_SETTINGS = ("server_version_num", "max_connections", "superuser_reserved_connections",
                "reserved_connections", "data_directory")


def _read_postgres(conn: Connection, facts: DatabaseFacts) -> None:
    # pg_settings rather than SHOW: a setting this server lacks (reserved_connections before 16) or
    # hides from non-superusers (data_directory) is simply absent instead of aborting the transaction.
    rows = conn.exec_driver_sql("SELECT name, setting FROM pg_settings WHERE name = ANY(%(names)s)",
                                {"names": list(_PG_SETTINGS)}).all()
    facts.settings = dict(rows)
    facts.data_directory = facts.settings.pop("data_directory", "")
    facts.size = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()


def _backend_check(facts: DatabaseFacts, deployment: Deployment) -> Check:
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(facts.backend, facts.backend)
    if facts.error or facts.read_error:
        return rules.skipped(name, "数据库无法连接" if facts.error else "读取数据库失败", "先解决上面的数据库问题")
    values = facts.settings
    if facts.backend == "sqlite":
        return rules.judge_sqlite_pragmas(str(values["journal_mode"]), int(values["synchronous"]),
                                          int(values["busy_timeout"]), bool(values["foreign_keys"]), deployment.servers)
    if facts.backend == "postgresql":
        reserved = int(values.get("superuser_reserved_connections", 0)) + int(values.get("reserved_connections", 0))
        return rules.judge_postgres(int(values["server_version_num"]), int(values["max_connections"]), reserved,
                                    deployment.workers, deployment.servers, deployment.threads)
    return Check(False, name, "本程序只在 SQLite 和 PostgreSQL 上测试过", "改用 PostgreSQL")


def _redis(url: str, deployment: Deployment, ping: Callable[[str], None]) -> Check:
    error = ""
    if url:
        try:
            ping(url)
        except Exception as exc:  # noqa: BLE001  whatever stops the ping is what the operator must see
            error = type(exc).__name__
    return rules.judge_redis(url, bool(url) and not error, error, deployment.workers, deployment.servers)


def _font(candidates: Sequence[str] | None) -> Check:
    try:
        font = load_cjk_font(candidates)
    except Exception as exc:  # noqa: BLE001  reportlab refusing even the fallback
        return Check(False, "海报字体", f"无法载入字体（{type(exc).__name__}）", "apt install fonts-wqy-zenhei")
    return rules.judge_font(font.path, FALLBACK_FONT)


def _existing(path: Path) -> Path:
    # BACKUP_DIR may not exist before the first backup: measure the disk it will be created on.
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _disk_target(facts: DatabaseFacts, config: Mapping) -> tuple[Path, int | None, str]:
    """Which directory to measure, the database's size if it lives there, and a note when it does not."""
    fallback = _existing(Path(config.get("BACKUP_DIR") or "."))
    if facts.path:
        return _existing(Path(facts.path).parent), facts.size, ""
    if facts.backend != "postgresql":
        return fallback, None, ""
    if not rules.is_local_host(facts.host):
        return fallback, facts.size, f"数据库在另一台主机 {facts.host}，只检查了备份目录"
    if facts.data_directory and Path(facts.data_directory).exists():
        return Path(facts.data_directory), facts.size, ""
    return fallback, facts.size, "看不到 PostgreSQL 的数据目录，只检查了备份目录"


def _disk(facts: DatabaseFacts, config: Mapping, disk_usage: DiskUsage) -> Check:
    path, size, note = _disk_target(facts, config)
    try:
        total, _used, free = disk_usage(str(path))
    except OSError as exc:
        return Check(False, "磁盘", f"无法读取 {path} 的磁盘空间（{type(exc).__name__}）", "确认该目录存在且可访问")
    return rules.judge_disk(str(path), free, total, size, note)
