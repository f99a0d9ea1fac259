"""Statistics benchmark on a national-size contest: 1,000,000 finished attempts by 300,000 participants.

Generates it with bulk SQL (executemany on SQLite, COPY on PostgreSQL; fixed seed): the real banks, a contest
over the 12 盟市 of Inner Mongolia (2026-11-15..12-15), 40 channels, 600,000 scans, the participants (4 % never
finish) with their running totals, the attempts, question and option tallies from an ability-vs-difficulty
model, a few hundred flags and exclusions. Measures the console (test client, no stats cache): stats.json
(≤ 1 s) and items.json (≤ 2 s) as an admin and a 盟市 organizer, 5 times each; each export in a child
process: peak RSS (< 200 MB), time and bytes.

    .venv/bin/python bench/insight.py --backend sqlite|postgresql [--keep] [--json-only] [--xlsx-attempts]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

import sqlalchemy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from quizapp import create_app, models  # noqa: E402
from quizapp.extensions import db  # noqa: E402
from quizapp.services import banks, contests, users  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SQLITE_PATH = Path(os.environ.get("BENCH_SQLITE_PATH", "/tmp/quizapp-bench-insight.sqlite3"))
PG_SERVER = os.environ.get("BENCH_POSTGRES_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432")
PG_DATABASE, SLUG, PASSWORD = "quizapp_bench", "nmg-2026", "bench-insight-pass-1"
ADMIN, ORGANIZER, ORGANIZER_REGION = "bench-admin", "bench-chifeng", "赤峰市"
# (盟市, weight ~ population in 10,000s)
REGIONS = [("呼和浩特市", 355), ("包头市", 274), ("呼伦贝尔市", 220), ("兴安盟", 140), ("通辽市", 285),
           ("赤峰市", 400), ("锡林郭勒盟", 111), ("乌兰察布市", 160), ("鄂尔多斯市", 220), ("巴彦淖尔市", 150),
           ("乌海市", 56), ("阿拉善盟", 27)]
FIRST_DAY, DAYS, UTC_OFFSET = datetime(2026, 11, 15), 31, timedelta(hours=8)
NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)  # 20:00 on the last day, local time
HOUR_WEIGHTS = [1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 3, 6, 9, 10, 9, 6, 5, 7, 9, 9, 7, 6, 8, 10, 10, 7, 3]
PLAN = (("single", 10, 5.0), ("multiple", 5, 6.0), ("judge", 5, 4.0))  # as questions/demo-contest.json
BLANK, LEVELS, CHANNELS, SCANS = 0.02, 81, 40, 600_000
TARGETS, RSS_LIMIT_MB = {"stats.json": 1.0, "items.json": 2.0}, 200
SURNAMES, GIVEN = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"
DATES = [(FIRST_DAY + timedelta(days=day)).date().isoformat() for day in range(DAYS)]  # local dates, as stored


def make_app(backend: str):
    """The real app on the bench database, every figure computed per request, the clock fixed."""
    url = os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}" if backend == "sqlite" else f"{PG_SERVER}/{PG_DATABASE}"
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-insight-secret", "STATS_CACHE_SECONDS": 0,
                       "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False, "CLOCK": lambda: NOW})


def recreate_database(backend: str):
    """A fresh, empty database: a new SQLite file, or DROP and CREATE DATABASE quizapp_bench."""
    if backend == "sqlite":
        return [Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True) for suffix in ("", "-wal", "-shm")]
    engine = sqlalchemy.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {PG_DATABASE}")


def _stamp(day: int, seconds: int) -> str:  # local day and second → the naive UTC both backends store
    return (FIRST_DAY + timedelta(days=day, seconds=seconds) - UTC_OFFSET).isoformat(" ", "microseconds")


class Loader:
    """Bulk inserts on the raw DBAPI connection (COPY on PostgreSQL, executemany on SQLite), rows in the
    model's column order."""

    def __init__(self, engine):
        self.raw, self.pg = engine.raw_connection(), engine.dialect.name == "postgresql"
        if not self.pg:
            self.raw.cursor().execute("PRAGMA cache_size=-262144")

    def insert(self, model, rows: list) -> None:
        """Insert rows (tuples in the order of the model's columns) in one transaction."""
        cursor, table = self.raw.cursor(), model.__table__
        columns = ", ".join(column.name for column in table.columns)
        if not self.pg:
            cursor.execute("BEGIN")
            cursor.executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({', '.join('?' * len(table.columns))})", rows)
            cursor.execute("COMMIT")
            return
        with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        self.raw.commit()

    def finish(self, tables: list[str]) -> None:
        """PostgreSQL: id sequences past the explicit ids, then VACUUM ANALYZE as autovacuum would; SQLite: checkpoint."""
        cursor = self.raw.cursor()
        for table in tables if self.pg else ():
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        self.raw.commit()
        if self.pg:
            self.raw.driver_connection.autocommit = True  # VACUUM (it fills the visibility map that index-only scans need) refuses a transaction
        cursor.execute("VACUUM ANALYZE" if self.pg else "PRAGMA wal_checkpoint(TRUNCATE)")
        self.raw.close()


class ResponseModel:
    """Papers drawn per the contest's rules, answers from ability vs difficulty; tallies per region × question."""

    def __init__(self, rng: random.Random, questions: list, regions: int):
        self.rng, self.questions, self.nq = rng, questions, len(questions)
        self.pools = [([i for i, q in enumerate(questions) if q.type == kind], count, points) for kind, count, points in PLAN]
        self.partial = [round(6.0 * (len(q.answer) - 1) / len(q.answer), 2) if q.type == "multiple" and len(q.answer) > 1
                        else None for q in questions]
        hardness = [-0.8 + 0.5 * ((q.difficulty or 2) - 1) + rng.gauss(0, 0.5) for q in questions]
        self.table = [[1 / (1 + math.exp(-1.7 * (level / 10 - 3 - b))) for b in hardness] for level in range(LEVELS)]
        self.drawn, self.answered, self.correct, self.partly = ([0] * (regions * self.nq) for _ in range(4))
        self.rest, self.rest_sq, self.rest_correct = ([0.0] * (regions * self.nq) for _ in range(3))

    def attempt(self, level: int, region: int) -> tuple[float, int]:
        """Simulate one finished attempt; returns (score, questions fully right)."""
        random_, probs, base, picks = self.rng.random, self.table[min(level, LEVELS - 1)], region * self.nq, []
        for pool, count, points in self.pools:
            for q in self.rng.sample(pool, count):  # outcome 2 right, 1 partly right, 3 wrong, 0 blank
                r, p, partial = random_(), probs[q], self.partial[q]
                outcome = 2 if r < p else 0 if r > 1 - BLANK else 1 if partial and r < p + (1 - p - BLANK) / 2 else 3
                picks.append((base + q, points if outcome == 2 else partial if outcome == 1 else 0.0, outcome))
        score = round(sum(pick[1] for pick in picks), 2)
        for key, awarded, outcome in picks:
            rest = score - awarded
            self.drawn[key] += 1
            self.rest[key] += rest
            self.rest_sq[key] += rest * rest
            self.answered[key] += outcome > 0
            self.correct[key] += outcome == 2
            self.rest_correct[key] += rest if outcome == 2 else 0.0
            self.partly[key] += outcome == 1
        return score, sum(1 for pick in picks if pick[2] == 2)

    def tally_rows(self, contest_id: int, regions: list[str]) -> tuple[list[tuple], list[tuple]]:
        """ItemTally rows, and OptionTally rows: right options from the full and partial answers, wrong by lures."""
        items, rows = [(contest_id, region, q.id, self.drawn[k], self.answered[k], self.correct[k], self.rest[k],
                        self.rest_sq[k], self.rest_correct[k]) for r, region in enumerate(regions)
                       for i, q in enumerate(self.questions) if self.drawn[k := r * self.nq + i]], []
        for r, region in enumerate(regions):
            for i, q in enumerate(self.questions):
                key, right, wrong = r * self.nq + i, q.answer, [o for o in range(len(q.options)) if o not in q.answer]
                full, partly = self.correct[key], self.partly[key]
                missed, lures = self.answered[key] - full - partly, [1.0 / (o + 1) for o in range(len(wrong))]
                chosen = {o: full + partly * (len(right) - 1) // max(len(right), 1) for o in right}
                if q.type == "multiple":  # a wrong answer: half of the right options, lures by their pull
                    chosen = {o: n + missed // 2 for o, n in chosen.items()}
                    chosen.update({o: int(missed * (0.3 + 0.5 * w / sum(lures)))
                                   for o, w in zip(wrong, lures, strict=True)})
                elif wrong:
                    shares = [int(missed * w / sum(lures)) for w in lures]
                    shares[0] += missed - sum(shares)
                    chosen.update(zip(wrong, shares, strict=True))
                rows.extend((contest_id, region, q.id, o, n) for o, n in sorted(chosen.items()) if n > 0)
        return items, rows


def _hour_second(rng: random.Random) -> int:  # the busy hours of a WeChat quiz
    return rng.choices(range(24), HOUR_WEIGHTS)[0] * 3600 + rng.randrange(3600)


def schedule(rng: random.Random, count: int, first_day: int, reg_second: int) -> list[tuple[int, int]]:
    """(day, start second) of `count` attempts: ≤ 3 a day from the registration day on, none overlapping."""
    spread = rng.randint(math.ceil(count / 3), min(count, DAYS - first_day))
    days = [0, *sorted(rng.sample(range(1, DAYS - first_day), spread - 1))]
    per_day, found = [1] * spread, []
    while sum(per_day) < count:
        pick = rng.randrange(spread)
        per_day[pick] += per_day[pick] < 3
    for offset, n in zip(days, per_day, strict=True):
        latest = 86400 - 610 * n - 1  # n rounds of ≤ 600 s must end on this local day
        begin = min(reg_second + rng.randint(20, 300) if offset == 0 else _hour_second(rng), latest)
        starts = sorted(rng.uniform(0, min(7200, latest - begin)) for _ in range(n))
        found.extend((first_day + offset, int(begin + s) + 610 * k) for k, s in enumerate(starts))
    return found


def make_people(rng: random.Random, n: int, channels: list[tuple[str, int]], total: int) -> list[dict]:
    """Region, channel, registration day and second, ability and attempt count of each participant."""
    day_weights = [0.6 + 4 * math.exp(-d / 2.5) + 0.4 * ((FIRST_DAY + timedelta(days=d)).weekday() >= 5)
                   + (1.0 if d >= DAYS - 3 else 0) for d in range(DAYS)]
    weights, cum_channels = [w for _, w in REGIONS], list(accumulate(1 / (i + 1) ** 0.8 for i in range(CHANNELS)))
    people = []
    for _ in range(n):
        channel, region = None, rng.choices(range(len(REGIONS)), weights)[0]
        roll = rng.random()
        if roll < 0.002:
            channel = "old-poster"  # a code nobody registered: the 未登记的渠道代码 row
        elif roll < 0.65:
            code, home = channels[rng.choices(range(len(channels)), cum_weights=cum_channels)[0]]
            channel, region = code, home if rng.random() < 0.8 else region
        people.append({"region": region, "channel": channel, "day": rng.choices(range(DAYS), day_weights)[0],
                       "second": min(_hour_second(rng), 84000), "ability": rng.gauss(0.3, 1.0)})
    for person in people:  # then `total` attempts spread unevenly, within 30 and 3 a remaining day each
        person["count"], person["cap"] = 0 if rng.random() < 0.04 else 1, min(30, 3 * (DAYS - person["day"]))
    remaining = total - sum(p["count"] for p in people)
    if remaining > sum(p["cap"] - p["count"] for p in people):
        raise SystemExit("more attempts than the participants may make")
    cumulative = list(accumulate(p["count"] * rng.expovariate(1.0) ** 1.5 for p in people))
    while remaining > 0:
        for index in rng.choices(range(len(people)), cum_weights=cumulative, k=remaining):
            if people[index]["count"] < people[index]["cap"] and remaining > 0:
                people[index]["count"] += 1
                remaining -= 1
    return people


def _phone_of(pid: int) -> str:  # distinct per id: a bijection on the last eight digits
    return f"{(138, 139, 150, 151, 186, 187, 135, 136, 177, 199)[pid % 10]}{pid * 7919 % 10 ** 8:08d}"


def _entrant_code(pid: int) -> str:  # distinct per id: an odd multiplier permutes 32**8
    return "".join("23456789ABCDEFGHJKLMNPQRSTUVWXYZ"[pid * 0x9E3779B1 % 32 ** 8 >> (5 * i) & 31] for i in range(8))


def person_rows(rng, model: ResponseModel, contest_id: int, pid: int, person: dict, extras: dict):
    """The participant row (running totals folded from its attempts) and its attempt rows."""
    attempts, best, durations, first, day_seq = [], None, 0, None, Counter()
    times = schedule(rng, person["count"], person["day"], person["second"]) if person["count"] else []
    for seq, (day, start) in enumerate(times, start=1):
        level = max(0, int((person["ability"] + 3) * 10)) + 2 * min(seq - 1, 5)  # a little better each round
        score, right = model.attempt(level, person["region"])
        duration = int(60 + 540 * rng.random() ** 1.5)
        day_seq[day] += 1
        aid = f"{rng.getrandbits(128):032x}"
        attempts.append((aid, contest_id, pid, seq, DATES[day], day_seq[day], None, "finished",
                         _stamp(day, start), _stamp(day, start + 600), 5, "[]", _stamp(day, start + duration), score,
                         100.0, right, duration, False, "[]"))
        best, durations = score if best is None else max(best, score), durations + duration
        first = first or (DATES[day], (start + duration) // 3600)
        if rng.random() < extras["flag_rate"]:
            extras["flags"].append((aid, pid))
    created, name = _stamp(person["day"], person["second"]), rng.choice(SURNAMES) + "".join(
        rng.choices(GIVEN, k=rng.randint(1, 2)))
    return (pid, contest_id, name, _phone_of(pid), REGIONS[person["region"]][0], person["channel"],
            f"{rng.getrandbits(128):032x}", None, _entrant_code(pid) if best is not None and best >= 80 else None, created,
            created, DATES[person["day"]], person["second"] // 3600, first and first[0], first and first[1],
            len(attempts), best, durations), attempts


def write_people(loader: Loader, rng, model, contest_id: int, people: list[dict], extras: dict) -> None:
    """Participants and attempts in batches of 10,000 participants (≈ 33,000 attempts)."""
    for start in range(0, len(people), 10_000):
        made = [person_rows(rng, model, contest_id, pid, people[pid - 1], extras)
                for pid in range(start + 1, min(start + 10_000, len(people)) + 1)]
        loader.insert(models.Participant, [row for row, _ in made])
        loader.insert(models.Attempt, [attempt for _, attempts in made for attempt in attempts])


def write_channels(loader: Loader, rng, contest_id: int, people: list[dict], channels: list) -> None:
    """The channels, and their scans (2 per participant) shared out by the people each channel brought."""
    # Columns in table order: id, contest_id, code, name, event_date, place, person, created_at.
    loader.insert(models.Channel, [(i + 1, contest_id, code, f"{REGIONS[home][0]}五进活动 {i + 1:02d}", None, "", "",
                                    _stamp(0, 0)) for i, (code, home) in enumerate(channels)])
    brought = Counter(person["channel"] for person in people)
    total, rows = sum(brought[code] for code, _ in channels), []
    for index, (code, _) in enumerate(channels):
        for _ in range(SCANS * len(people) // 300_000 * brought[code] // total):
            rows.append((len(rows) + 1, index + 1, DATES[rng.randrange(DAYS)], f"v{len(rows):09d}"))
    for start in range(0, len(rows), 50_000):
        loader.insert(models.Scan, rows[start:start + 50_000])


def write_flags(loader: Loader, rng, contest_id: int, participants: int, flags: list) -> None:
    """Cheat flags on a few hundred attempts (a third cleared) and a few hundred excluded phones."""
    loader.insert(models.AttemptFlag, [(n + 1, contest_id, aid, pid, ("too_fast", "burst", "many_phones")[n % 3], "bench",
                                 _stamp(DAYS - 1, 0), *((_stamp(DAYS - 1, 3600), ADMIN) if n % 3 == 0 else (None, None)),
                                 None, None, "复核：正常作答" if n % 3 == 0 else "")
                                for n, (aid, pid) in enumerate(flags)])
    phones = [_phone_of(pid) for pid in rng.sample(range(1, participants + 1), 250)] + [f"1990000{n:04d}" for n in range(20)]
    loader.insert(models.Exclusion, [(i + 1, contest_id, phone, "工作人员", _stamp(0, 0)) for i, phone in enumerate(phones)])


def generate(app, participants: int, attempts: int) -> None:
    """Schema by the migrations, the real banks, the contest, two console accounts, then the bulk data."""
    started, rng, loaded = time.perf_counter(), random.Random(20261115), datetime(2026, 11, 1, tzinfo=UTC)
    with app.app_context():
        upgrade()
        banks.load_bank_dir(ROOT / "questions" / "banks", actor="bench", now=loaded)
        definition = json.loads((ROOT / "questions" / "demo-contest.json").read_text())
        definition.update(slug=SLUG, title="2026 年内蒙古自治区药品安全网络知识竞赛（压测）", regions=[name for name, _ in REGIONS],
                          starts_at="2026-11-15T00:00:00+08:00", ends_at="2026-12-15T23:59:59+08:00")
        contest_id, regions = contests.load_contest(definition, loaded, actor="bench")[0].id, [name for name, _ in REGIONS]
        users.create_user(ADMIN, PASSWORD, "admin", actor="bench", now=loaded)
        users.create_user(ORGANIZER, PASSWORD, "organizer", ORGANIZER_REGION, actor="bench", now=loaded)
        questions = list(db.session.execute(db.select(models.Question).order_by(models.Question.id)).scalars())
        db.session.commit()  # end the read transaction, else SQLite's WAL cannot be checkpointed during the load
        loader, channels = Loader(db.engine), [(f"c{i + 1:02d}", i % len(REGIONS)) for i in range(CHANNELS)]
        people = make_people(rng, participants, channels, attempts)
        write_channels(loader, rng, contest_id, people, channels)
        model, extras = ResponseModel(rng, questions, len(REGIONS)), {"flags": [], "flag_rate": 400 / attempts}
        write_people(loader, rng, model, contest_id, people, extras)
        items, options = model.tally_rows(contest_id, regions)
        loader.insert(models.ItemTally, items)
        loader.insert(models.OptionTally, options)
        write_flags(loader, rng, contest_id, participants, extras["flags"])
        loader.finish(["participant", "channel", "scan", "attempt_flag", "exclusion"])
    print(f"generated {participants:,} participants, {attempts:,} attempts in {time.perf_counter() - started:.1f} s"
          + (" (incl. VACUUM ANALYZE)" if loader.pg else ""), flush=True)


def signed_in(app, username: str):
    """A test client signed in to the console as `username`."""
    client = app.test_client()
    if (status := client.post("/admin/login", data={"username": username, "password": PASSWORD}).status_code) != 302:
        raise SystemExit(f"sign-in as {username} failed: HTTP {status}")
    return client


def measure_json(app) -> bool:
    """stats.json and items.json, 5 times each, as the admin and as the 盟市 organizer."""
    ok = True
    print(f"{'endpoint':<34}{'min s':>8}{'median':>8}{'max s':>8}{'target':>8}  verdict   size")
    for label, username in (("admin", ADMIN), (ORGANIZER_REGION, ORGANIZER)):
        client = signed_in(app, username)
        for name, target in TARGETS.items():
            times = []
            for _ in range(5):
                started, response = time.perf_counter(), client.get(f"/admin/contests/{SLUG}/{name}")
                times.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise SystemExit(f"{name}: HTTP {response.status_code}")
            ok &= (passed := max(times) <= target)
            print(f"{name + ' (' + label + ')':<34}{min(times):8.3f}{statistics.median(times):8.3f}"
                  f"{max(times):8.3f}{target:8.1f}  {'PASS' if passed else 'FAIL':<8}{len(response.data) / 1024:6.0f} KB")
        if label == "admin":
            totals = client.get(f"/admin/contests/{SLUG}/stats.json").get_json()["totals"]
            print("  totals:", {k: totals[k] for k in ("participants", "finished", "attempts", "finished_attempts", "scans",
                                                       "eligible", "flagged", "average_score")})
    return ok


def export_child(backend: str, kind: str, fmt: str) -> int:
    """Stream one export to nowhere and print its peak RSS, time and bytes as JSON (child process)."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent through fork and exec.
    def peak_rss_mb():
        return int(re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text()).group(1)) / 1024
    client = signed_in(make_app(backend), ADMIN)
    before, started, size = peak_rss_mb(), time.perf_counter(), 0
    response = client.get(f"/admin/contests/{SLUG}/export/{kind}.{fmt}", buffered=False)
    size += sum(len(chunk) for chunk in response.response)
    response.close()
    print(json.dumps({"status": response.status_code, "seconds": time.perf_counter() - started, "bytes": size,
                      "rss_before_mb": before, "peak_mb": peak_rss_mb()}))
    return 0


def measure_exports(backend: str, xlsx_attempts: bool) -> bool:
    """Each export in its own process, so that its peak RSS is its own."""
    print(f"{'export':<22}{'seconds':>9}{'MB out':>9}{'RSS before':>12}{'peak RSS':>10}  verdict")
    ok, kinds = True, [("participants", "csv"), ("attempts", "csv"), ("participants", "xlsx")] + xlsx_attempts * [("attempts", "xlsx")]
    for kind, fmt in kinds:
        done = subprocess.run([sys.executable, __file__, "--backend", backend, "--export-child", kind, fmt],
                              capture_output=True, text=True, cwd=ROOT)
        if done.returncode:
            raise SystemExit(f"export {kind}.{fmt} failed:\n{done.stderr[-3000:]}")
        found = json.loads(done.stdout.strip().splitlines()[-1])
        ok &= (passed := found["status"] == 200 and found["peak_mb"] < RSS_LIMIT_MB)
        print(f"{kind + '.' + fmt:<22}{found['seconds']:9.1f}{found['bytes'] / 1e6:9.1f}"
              f"{found['rss_before_mb']:10.0f}MB{found['peak_mb']:8.0f}MB  {'PASS' if passed else 'FAIL'}")
    return ok


def main() -> int:
    """Generate (unless --keep finds the contest), then measure the statistics and the exports."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--participants", type=int, default=300_000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="reuse the generated database if there is one")
    parser.add_argument("--xlsx-attempts", action="store_true", help="also export attempts.xlsx (slow)")
    parser.add_argument("--json-only", action="store_true", help="time stats.json and items.json, skip the exports")
    parser.add_argument("--export-child", nargs=2, metavar=("KIND", "FMT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        return export_child(args.backend, *args.export_child)
    app = make_app(args.backend)
    print(f"== {args.backend}: {app.config['SQLALCHEMY_DATABASE_URI']} ==", flush=True)
    if not args.keep:
        recreate_database(args.backend)
        generate(make_app(args.backend), args.participants, args.attempts)
    ok = measure_json(app)  # the exports run whatever this gives
    ok = (args.json_only or measure_exports(args.backend, args.xlsx_attempts)) and ok
    print("ALL PASS" if ok else "SOME TARGETS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
