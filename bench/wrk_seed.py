"""Seed a benchmark database with participants and running rounds, and write wrk's request files.

    python bench/wrk_seed.py OUTDIR --people N        (DATABASE_URL names the database)

Rows go in through the models in bulk (registering one by one through the service would take
minutes); rounds are started through the service, so their papers are real."""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quizapp import create_app  # noqa: E402
from quizapp.domain.timing import local_day_hour  # noqa: E402
from quizapp.extensions import db  # noqa: E402
from quizapp.models import Participant, ParticipantToken  # noqa: E402
from quizapp.services import attempts, contests  # noqa: E402

SLUG = "demo"


def add_people(contest, count: int, first: int, now: datetime) -> list[tuple[int, str]]:
    """Insert `count` participants with one token each; returns (participant id, token) pairs."""
    day, hour = local_day_hour(now, contest.timezone)
    people = [Participant(contest_id=contest.id, name="测试者", phone=f"13{first + i:09d}", region=contest.regions[0],
                          consent_at=now, created_at=now, registered_day=day, registered_hour=hour)
              for i in range(count)]
    db.session.add_all(people)
    db.session.flush()
    pairs = []
    for person in people:
        token = secrets.token_urlsafe(24)
        db.session.add(ParticipantToken(token_hash=hashlib.sha256(token.encode()).hexdigest(),
                                        participant_id=person.id, created_at=now))
        pairs.append((person, token))
    db.session.commit()
    return pairs


def line(method: str, path: str, token: str = "", body: str = "") -> str:
    """One request for bench/wrk/replay.lua."""
    return f"{method}\t{path}\t{token}\t{body}\n"


def write(outdir: Path, name: str, lines) -> None:
    (outdir / f"{name}.txt").write_text("".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--people", type=int, default=12000, help="participants for each of start and submit")
    parser.add_argument("--rounds-for-saves", type=int, default=400)
    args = parser.parse_args()
    app = create_app({"RATELIMIT_ENABLED": False})
    now = datetime.now(UTC)
    rng = random.Random(7)
    with app.app_context():
        contest = contests.get_contest(SLUG)
        starters = add_people(contest, args.people, 0, now)
        finishers = add_people(contest, args.people + args.rounds_for_saves, args.people, now)
        rounds = [(attempts.start_attempt(contest, person, now, rng)[0], token) for person, token in finishers]
        write(args.outdir, "start", (line("POST", f"/api/v1/contests/{SLUG}/attempts", t) for _, t in starters))
        write(args.outdir, "submit", (line("POST", f"/api/v1/attempts/{a.id}/submit", t, "{}")
                                      for a, t in rounds[:args.people]))
        saves = []
        for attempt, token in rounds[args.people:]:
            for item in attempts.paper_items(attempt):
                body = json.dumps({"option_ids": [item.option_ids[0]]})
                saves.append(line("PUT", f"/api/v1/attempts/{attempt.id}/answers/{item.key}", token, body))
        rng.shuffle(saves)
        write(args.outdir, "save", saves)
        region = contest.regions[0] if contest.regions else ""
        write(args.outdir, "register", (line("POST", f"/api/v1/contests/{SLUG}/participants", "", json.dumps(
            {"name": "新参赛者", "phone": f"15{i:09d}", "region": region, "consent": True}, ensure_ascii=False))
            for i in range(args.people)))
    print(f"seeded {len(starters)} starters, {len(rounds)} running rounds, {len(saves)} answer saves")


if __name__ == "__main__":
    main()
