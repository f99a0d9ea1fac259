"""Helpers for the participant-page tests: a player who drives the HTML forms like a browser would."""

from __future__ import annotations

import re

import pytest

from quizapp.extensions import db
from quizapp.models import Attempt, Question
from quizapp.services.attempts import paper_items

KEY = re.compile(r'name="question" value="([^"]+)"')
CHOICE = re.compile(r'type="(radio|checkbox)" name="choice" value="([^"]+)"( checked)?')
PROGRESS = re.compile(r'class="progress"[^>]*>(\d+) / (\d+)<')


class Player:
    """One browser (its own cookie jar) playing through the pages."""

    def __init__(self, app, slug: str = "demo"):
        self.app = app
        self.client = app.test_client()
        self.slug = slug

    def url(self, tail: str = "") -> str:
        return f"/c/{self.slug}{tail}"

    def register(self, phone: str = "13812345678", name: str = "张三", region: str = "包头市", **extra):
        data = {"name": name, "phone": phone, "region": region, "consent": "y", "age_confirmed": "y", **extra}
        return self.client.post(self.url("/register"), data=data)

    def start(self):
        return self.client.post(self.url("/start"))

    def page(self, q: int | None = None):
        return self.client.get(self.url("/play") + (f"?q={q}" if q else ""))

    def answer(self, q: int, key: str, option_ids: list[str], action: str = "next", **extra):
        data = {"q": str(q), "question": key, "choice": option_ids, "action": action, **extra}
        return self.client.post(self.url("/play"), data=data)

    def running(self) -> Attempt:
        with self.app.app_context():
            attempt = db.session.execute(db.select(Attempt).filter_by(status="running")
                                         .order_by(Attempt.started_at.desc())).scalars().first()
            db.session.expunge_all()
            return attempt

    def correct(self, attempt_id: str) -> dict[str, list[str]]:
        """The right option ids per question key (what a perfect player ticks)."""
        with self.app.app_context():
            attempt = db.session.get(Attempt, attempt_id)
            answers = {}
            for item in paper_items(attempt):
                right = set(db.session.get(Question, item.question_id).answer)
                answers[item.key] = [oid for oid, idx in zip(item.option_ids, item.option_index, strict=True)
                                     if idx in right]
            return answers


def parse_question(html: str) -> dict:
    """Question key, option ids, input type, the checked ones and the progress shown on a play page."""
    choices = CHOICE.findall(html)
    number, count = PROGRESS.search(html).groups()
    return {"key": KEY.search(html).group(1), "options": [c[1] for c in choices],
            "type": choices[0][0], "checked": [c[1] for c in choices if c[2]],
            "number": int(number), "count": int(count)}


@pytest.fixture
def player(app, contest):
    """A registered player of the sample contest, no round started yet."""
    who = Player(app, contest)
    assert who.register().status_code == 302
    return who


@pytest.fixture
def new_player(app, contest):
    """Factory for more browsers on the same contest."""
    return lambda: Player(app, contest)
