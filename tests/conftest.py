"""Shared fixtures: an app per test on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL."""

from __future__ import annotations

import json
import os
import random
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from quizapp import create_app
from quizapp.extensions import db

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai, mid-contest


class Clock:
    """A settable clock for the app's CLOCK hook."""

    def __init__(self, moment: datetime):
        self.now = moment

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def _postgres_schema_url(base: str, schema: str) -> str:
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return base


@pytest.fixture(scope="session")
def database_targets(tmp_path_factory):
    """One SQLite file and, if configured, one PostgreSQL schema private to this run."""
    targets = {"sqlite": {"url": f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}", "options": {}}}
    base = os.environ.get("TEST_DATABASE_URL")
    schema = f"qa_{os.getpid()}_{secrets.token_hex(4)}"
    if base:
        _postgres_schema_url(base, schema)
        targets["postgresql"] = {"url": base, "options": {"connect_args": {"options": f"-csearch_path={schema}"}}}
    yield targets
    if base:
        engine = create_engine(base)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


_created: set[str] = set()


def make_app(target: dict, clock: Clock, **extra):
    """An app bound to a test database whose tables exist and are empty."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-not-for-production",
        "SQLALCHEMY_DATABASE_URI": target["url"],
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, **target["options"]},
        "CLOCK": clock,
        "RNG_FACTORY": lambda: random.Random(random.getrandbits(32)),
        "POOL_CACHE_SECONDS": 0,
        "QUESTION_CACHE_SECONDS": 0,
        "LEADERBOARD_CACHE_SECONDS": 0,
        "LANDING_CACHE_SECONDS": 0,
        "STATS_CACHE_SECONDS": 0,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
        **extra,
    }
    app = create_app(config)
    with app.app_context():
        key = target["url"] + str(target["options"])
        if key not in _created:
            db.drop_all()
            db.create_all()
            _created.add(key)
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
    return app


def app_with_contest(target: dict, clock, definition: dict | None = None, **extra):
    """make_app with the sample bank and a contest (the sample one unless `definition`) loaded."""
    from quizapp.services.banks import import_bank_bytes
    from quizapp.services.contests import load_contest

    app = make_app(target, clock, **extra)
    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(definition or contest_definition(), clock())
    return app


def backend_params():
    """sqlite always; postgresql when TEST_DATABASE_URL is set."""
    marks = [] if os.environ.get("TEST_DATABASE_URL") else [pytest.mark.skip(reason="TEST_DATABASE_URL not set")]
    return [pytest.param("sqlite"), pytest.param("postgresql", marks=marks)]


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture(params=backend_params())
def app(request, database_targets, clock):
    app = make_app(database_targets[request.param], clock)
    app.config["BACKEND"] = request.param
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def sqlite_app(database_targets, clock):
    app = make_app(database_targets["sqlite"], clock)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def sample_bank(name: str = "drug-law", singles: int = 12, multiples: int = 6, judges: int = 6) -> dict:
    """A generated bank in the canonical JSON form."""
    questions = []
    for i in range(singles):
        questions.append({"type": "single", "stem": f"{name} 单选题 {i}", "options": [f"甲{i}", f"乙{i}", f"丙{i}", f"丁{i}"],
                          "answer": "ABCD"[i % 4], "explanation": f"解析 {i}", "source": "《中华人民共和国药品管理法》",
                          "category": "法规"})
    for i in range(multiples):
        questions.append({"type": "multiple", "stem": f"{name} 多选题 {i}", "options": ["一", "二", "三", "四"],
                          "answer": "AC", "explanation": f"多选解析 {i}", "source": "国家药监局", "category": "用药"})
    for i in range(judges):
        questions.append({"type": "judge", "stem": f"{name} 判断题 {i}", "answer": "对" if i % 2 else "错",
                          "explanation": f"判断解析 {i}", "source": "国家药监局", "category": "用药"})
    return {"bank": name, "title": "测试题库", "questions": questions}


def contest_definition(slug: str = "demo", **overrides) -> dict:
    """A contest open at T0 drawing 4 single, 2 multiple and 2 judge questions (max 50 points)."""
    definition = {
        "slug": slug, "title": "测试竞赛", "starts_at": "2026-11-15T00:00:00+08:00",
        "ends_at": "2026-12-15T23:59:59+08:00", "timezone": "Asia/Shanghai",
        "regions": ["呼和浩特市", "包头市"],
        "round": {"time_limit_seconds": 600, "attempts_per_day": 3, "max_attempts": 5, "pass_score": 30,
                  "draw": [{"bank": "drug-law", "type": "single", "count": 4, "points": 5},
                           {"bank": "drug-law", "type": "multiple", "count": 2, "points": 10, "partial": "proportional"},
                           {"bank": "drug-law", "type": "judge", "count": 2, "points": 5}]},
        "prizes": [{"tier": 1, "name": "一等奖", "count": 1}, {"tier": 2, "name": "二等奖", "count": 2}],
    }
    for key, value in overrides.items():
        if key in definition["round"]:
            definition["round"][key] = value
        else:
            definition[key] = value
    return definition


@pytest.fixture
def contest(app, clock):
    """The sample bank and contest loaded; returns the slug."""
    from quizapp.services.banks import import_bank_bytes
    from quizapp.services.contests import load_contest

    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(), clock.now)
    return "demo"


class Api:
    """A thin JSON client for the participant API."""

    def __init__(self, client, slug: str):
        self.client = client
        self.slug = slug
        self.token: str | None = None

    def headers(self, token: str | None = None) -> dict:
        token = token or self.token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def register(self, phone: str = "13812345678", name: str = "张三", region: str = "包头市", **extra):
        body = {"name": name, "phone": phone, "region": region, "consent": True, **extra}
        response = self.client.post(f"/api/v1/contests/{self.slug}/participants", json=body)
        if response.status_code in (200, 201):
            self.token = response.get_json()["token"]
        return response

    def start(self, token: str | None = None):
        return self.client.post(f"/api/v1/contests/{self.slug}/attempts", headers=self.headers(token))

    def save(self, attempt_id: str, question_id: str, option_ids, token: str | None = None):
        return self.client.put(f"/api/v1/attempts/{attempt_id}/answers/{question_id}",
                               json={"option_ids": option_ids}, headers=self.headers(token))

    def submit(self, attempt_id: str, answers: dict | None = None, token: str | None = None):
        body = {"answers": answers} if answers is not None else None
        return self.client.post(f"/api/v1/attempts/{attempt_id}/submit", json=body, headers=self.headers(token))

    def show(self, attempt_id: str, token: str | None = None):
        return self.client.get(f"/api/v1/attempts/{attempt_id}", headers=self.headers(token))

    def me(self, token: str | None = None):
        return self.client.get(f"/api/v1/contests/{self.slug}/me", headers=self.headers(token))


@pytest.fixture
def api(client, contest):
    return Api(client, contest)
