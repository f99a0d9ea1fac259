"""Databases for the backup tests: fresh SQLite files and fresh PostgreSQL databases, a burst writer,
and archive surgery (tamper with a member, edit the manifest)."""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import tarfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, inspect, select, table, text
from sqlalchemy.engine import make_url

from quizapp import ROOT, create_app
from quizapp.extensions import db
from quizapp.models import Contest, Participant, ParticipantToken
from tests.conftest import Clock, contest_definition, make_app, sample_bank

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
HEAD = ScriptDirectory(str(ROOT / "migrations")).get_current_head()


def postgres_available() -> bool:
    """TEST_DATABASE_URL is set and pg_dump and psql are installed."""
    return bool(os.environ.get("TEST_DATABASE_URL")) and bool(shutil.which("pg_dump")) and bool(shutil.which("psql"))


def backend_params():
    """sqlite always; postgresql when its server and client tools are there."""
    skip = [] if postgres_available() else [pytest.mark.skip(reason="TEST_DATABASE_URL or pg_dump/psql missing")]
    return [pytest.param("sqlite"), pytest.param("postgresql", marks=skip)]


class Databases:
    """Makes fresh databases of one backend and removes them all at the end."""

    def __init__(self, backend: str, tmp_path: Path):
        self.backend, self.tmp_path = backend, tmp_path
        self.backup_dir = tmp_path / "backups"
        self.backup_dir.mkdir(mode=0o700, parents=True)
        self.apps: list = []
        self.pg_names: list[str] = []

    def new_url(self) -> str:
        """The URL of a database that exists and holds no table."""
        name = f"qa_bk_{secrets.token_hex(4)}"
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp_path / (name + '.sqlite3')}"
        base = os.environ["TEST_DATABASE_URL"]
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.pg_names.append(name)
        return make_url(base).set(database=name).render_as_string(hide_password=False)

    def empty_app(self, url: str | None = None):
        """An app over a brand-new database without any table."""
        app = create_app({"TESTING": True, "SECRET_KEY": "backup-test", "SQLALCHEMY_DATABASE_URI": url or self.new_url(),
                          "BACKUP_DIR": str(self.backup_dir), "RATELIMIT_ENABLED": False})
        self.apps.append(app)
        return app

    def schema_app(self):
        """An app over a new database with the current schema and its alembic_version row, no data."""
        app = make_app({"url": self.new_url(), "options": {}}, Clock(NOW), BACKUP_DIR=str(self.backup_dir))
        self.apps.append(app)
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
            conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": HEAD})
        return app

    def close(self) -> None:
        """Dispose every engine and drop the PostgreSQL databases made."""
        for app in self.apps:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        if self.pg_names:
            admin = create_engine(os.environ["TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                for name in self.pg_names:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def seed(app, slug: str = "demo", participants: int = 0) -> int:
    """Load the sample bank and a contest, and `participants` registrations; returns the contest id."""
    from quizapp.services.banks import import_bank_bytes
    from quizapp.services.contests import load_contest

    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        contest, _ = load_contest(contest_definition(slug), NOW)
        rows = [{"contest_id": contest.id, "name": f"甲{i}", "phone": f"139{i:08d}", "region": "包头市"}
                for i in range(participants)]
        if rows:
            db.session.execute(Participant.__table__.insert(), rows)
            ids = db.session.execute(select(Participant.id).where(Participant.contest_id == contest.id)).scalars()
            db.session.execute(ParticipantToken.__table__.insert(),
                               [{"token_hash": secrets.token_hex(32), "participant_id": pid} for pid in ids])
        db.session.commit()
        return contest.id


def row_counts(app) -> dict[str, int]:
    """Rows per table, counted directly in the app's database."""
    with app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            return {name: conn.execute(select(func.count()).select_from(table(name))).scalar()
                    for name in inspect(engine).get_table_names()}


def contest_slugs(app) -> list[str]:
    """The slugs of every contest in the app's database."""
    with app.app_context():
        return sorted(db.session.execute(select(Contest.slug)).scalars())


class Burst(threading.Thread):
    """Registers participants, each with a token in the same transaction, until stopped."""

    def __init__(self, url: str, contest_id: int):
        super().__init__(daemon=True)
        self.engine = create_engine(url)
        self.contest_id = contest_id
        self.inserted = 0
        self.error: BaseException | None = None
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            while not self._stop_event.is_set():
                self._register(self.inserted)
                self.inserted += 1
        except BaseException as exc:  # reported by stop(), so that a failed writer fails the test
            self.error = exc
        finally:
            self.engine.dispose()

    def _register(self, i: int) -> None:
        with self.engine.begin() as conn:
            pid = conn.execute(Participant.__table__.insert().returning(Participant.id),
                               {"contest_id": self.contest_id, "name": f"乙{i}", "phone": f"137{i:08d}",
                                "region": "呼和浩特市"}).scalar_one()
            conn.execute(ParticipantToken.__table__.insert(),
                         {"token_hash": secrets.token_hex(32), "participant_id": pid})

    def wait_for(self, rows: int, timeout: float = 20) -> None:
        """Block until the writer has committed `rows` registrations."""
        deadline = time.monotonic() + timeout
        while self.inserted < rows:
            assert self.error is None, self.error
            assert time.monotonic() < deadline, "the writer made no progress"
            time.sleep(0.005)

    def stop(self) -> None:
        """Stop writing and re-raise the writer's failure, if any."""
        self._stop_event.set()
        self.join(timeout=30)
        if self.error is not None:
            raise self.error


def rewrite_archive(source: Path, dest: Path, manifest=None, data=None) -> Path:
    """Copy an archive, passing the manifest (a dict) and the data (bytes) through optional edits."""
    with tarfile.open(source, "r:gz") as tar:
        members = [(member, tar.extractfile(member).read()) for member in tar.getmembers()]
    with tarfile.open(dest, "w:gz") as out:
        for member, body in members:
            if member.name == "manifest.json" and manifest is not None:
                body = json.dumps(manifest(json.loads(body))).encode()
            elif member.name != "manifest.json" and data is not None:
                body = data(body)
            member.size = len(body)
            out.addfile(member, io.BytesIO(body))
    return dest
