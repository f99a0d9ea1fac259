"""Service: channels, scans (one per browser and contest-local day) and the per-channel funnel."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest

from quizapp.domain.errors import ValidationError
from quizapp.domain.qr import ChannelListError, QrOptions
from quizapp.extensions import db
from quizapp.models import Channel, Participant, PrizeDraw, Scan
from quizapp.services import channels
from quizapp.services.contests import NotFound, get_contest
from tests.helpers import correct_answers, wrong_answers

BASE = "https://yjj.example.cn/"


def scan_count(code: str) -> int:
    return db.session.execute(db.select(db.func.count(Scan.id)).join(Channel).where(Channel.code == code)).scalar_one()


def test_add_creates_then_renames_then_keeps(app, contest, clock):
    with app.app_context():
        first, outcome = channels.add_channel(contest, "school-01", " 第一中学 ", clock.now)
        assert (outcome, first.name) == ("created", "第一中学")
        assert channels.add_channel(contest, "school-01", "五进·进校园·第一中学", clock.now)[1] == "renamed"
        assert channels.add_channel(contest, "school-01", "五进·进校园·第一中学", clock.now)[1] == "kept"
        rows = channels.list_channels(get_contest(contest))
        assert [(c.code, c.name) for c in rows] == [("school-01", "五进·进校园·第一中学")]


@pytest.mark.parametrize("code,name,field", [("a b", "x", "code"), ("", "x", "code"), ("x" * 33, "x", "code"),
                                             ("ok", "", "name"), ("ok", "名" * 101, "name")])
def test_add_refuses_bad_codes_and_names(app, contest, clock, code, name, field):
    with app.app_context(), pytest.raises(ValidationError) as caught:
        channels.add_channel(contest, code, name, clock.now)
    assert field in caught.value.fields


def test_unknown_contest_or_channel_is_not_found(app, contest, clock):
    with app.app_context():
        with pytest.raises(NotFound):
            channels.add_channel("nope", "a", "b", clock.now)
        with pytest.raises(NotFound):
            channels.get_channel(get_contest(contest), "missing")


def test_short_url_and_contest_url_ignore_a_trailing_slash():
    assert channels.short_url(BASE, "demo", "school-01") == "https://yjj.example.cn/s/demo/school-01"
    assert channels.contest_url(BASE, "demo") == "https://yjj.example.cn/c/demo"


def test_scans_are_counted_once_per_visitor_and_local_day(app, contest, clock):
    with app.app_context():
        channel, _ = channels.add_channel(contest, "school-01", "第一中学", clock.now)
        contest_row = get_contest(contest)
        # 23:59 and 00:01 in Asia/Shanghai are two days, though both fall on the same UTC date.
        late = datetime(2026, 11, 20, 15, 59, tzinfo=UTC)
        early = datetime(2026, 11, 20, 16, 1, tzinfo=UTC)
        assert channels.record_scan(contest_row, channel, "visitor-a", late) is True
        assert channels.record_scan(contest_row, channel, "visitor-a", late) is False
        assert channels.record_scan(contest_row, channel, "visitor-a", early) is True
        assert channels.record_scan(contest_row, channel, "visitor-b", early) is True
        assert scan_count("school-01") == 3


def test_make_code_creates_an_unknown_channel_named_after_its_code(app, contest, clock):
    with app.app_context():
        made = channels.make_code(contest, "village-7", "png", QrOptions(), BASE, clock.now)
        assert made.created and made.url == "https://yjj.example.cn/s/demo/village-7"
        assert made.data.startswith(b"\x89PNG")
        again = channels.make_code(contest, "village-7", "svg", QrOptions(), BASE, clock.now)
        assert not again.created
        assert channels.get_channel(get_contest(contest), "village-7").name == "village-7"
        plain = channels.make_code(contest, None, "pdf", QrOptions(), BASE, clock.now)
        assert plain.url == "https://yjj.example.cn/c/demo" and plain.channel is None
        with pytest.raises(ValidationError):
            channels.make_code(contest, "x", "gif", QrOptions(), BASE, clock.now)


def test_batch_is_all_or_nothing(app, contest, clock):
    with app.app_context():
        with pytest.raises(ChannelListError):
            channels.batch_posters(contest, "ok-1,好的\nbad code,坏\n".encode(), BASE, clock.now)
        assert channels.list_channels(get_contest(contest)) == []
        channels.add_channel(contest, "ok-1", "旧名字", clock.now)
        batch = channels.batch_posters(contest, "ok-1,好的\nok-2,也好\n".encode(), BASE, clock.now)
        assert (batch.count, batch.created, batch.renamed) == (2, 1, 1)
        names = zipfile.ZipFile(io.BytesIO(batch.data)).namelist()
        assert sorted(names) == ["index.csv", "index.pdf", "ok-1.pdf", "ok-2.pdf"]


# --- funnel ----------------------------------------------------------------------------------


def _register(client, phone: str, channel: str | None, n: int):
    # Each person on their own device: one device registering many phones is a cheat flag.
    body = {"name": "参赛者", "phone": phone, "region": "包头市", "consent": True}
    if channel:
        body["channel"] = channel
    response = client.post("/api/v1/contests/demo/participants", json=body,
                           environ_base={"REMOTE_ADDR": f"10.1.0.{n}"}, headers={"User-Agent": f"phone-{n}"})
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()["token"]


def _round(app, client, clock, token: str, passing: bool) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    attempt_id = client.post("/api/v1/contests/demo/attempts", headers=auth).get_json()["attempt_id"]
    answers = (correct_answers if passing else wrong_answers)(app, attempt_id)
    clock.advance(minutes=2)  # a human pace: too fast a round is flagged and kept out of the draw
    body = client.post(f"/api/v1/attempts/{attempt_id}/submit", json={"answers": answers}, headers=auth).get_json()
    assert body["eligible"] is passing


def _people(app, client, clock) -> dict[str, int]:
    """A: p1 passes, p2 fails, p3 never plays; B: p4 passes twice, p5 passes; one unknown code, one without."""
    plan = [("p1", "school-01", [True]), ("p2", "school-01", [False]), ("p3", "school-01", []),
            ("p4", "village-02", [True, True]), ("p5", "village-02", [True]), ("p6", "tv-ad", []), ("p7", None, [])]
    ids = {}
    for n, (who, channel, rounds) in enumerate(plan, start=1):
        token = _register(client, f"1380000000{n}", channel, n)
        for passing in rounds:
            _round(app, client, clock, token, passing)
        with app.app_context():
            ids[who] = db.session.execute(db.select(Participant.id).filter_by(phone=f"1380000000{n}")).scalar_one()
    # p1 comes back through another channel: they keep the one that first brought them in.
    _register(client, "13800000001", "village-02", 1)
    return ids


def _draw(app, slug: str, version: int, status: str, winner_ids: list[int]) -> None:
    with app.app_context():
        db.session.add(PrizeDraw(contest_id=get_contest(slug).id, version=version, status=status, entrants=[],
                                 entrants_sha256="0" * 64, seed_hex="00", seed_sha256="0" * 64, entropy_source="test",
                                 winners=[{"participant_id": pid, "tier": 1} for pid in winner_ids]))
        db.session.commit()


def test_funnel_counts_each_channel(app, client, contest, clock):
    with app.app_context():
        for code, name in (("school-01", "进校园"), ("village-02", "进农村"), ("hosp-03", "进医院")):
            channels.add_channel(contest, code, name, clock.now)
        contest_row = get_contest(contest)
        school = channels.get_channel(contest_row, "school-01")
        for visitor in ("a", "b", "c", "a"):
            channels.record_scan(contest_row, school, visitor, clock.now)
        channels.record_scan(contest_row, channels.get_channel(contest_row, "village-02"), "d", clock.now)
    ids = _people(app, client, clock)
    with app.app_context():
        rows = {row.code: row for row in channels.funnel(get_contest(contest))}
    assert list(rows) == ["hosp-03", "school-01", "village-02", "tv-ad", None]
    as_tuples = {code: (r.scans, r.registrations, r.finished_rounds, r.eligible, r.winners) for code, r in rows.items()}
    assert as_tuples == {"hosp-03": (0, 0, 0, 0, None), "school-01": (3, 3, 2, 1, None),
                         "village-02": (1, 2, 3, 2, None), "tv-ad": (0, 1, 0, 0, None), None: (0, 1, 0, 0, None)}
    assert rows["tv-ad"].name == channels.UNKNOWN_CHANNEL and rows[None].name == channels.NO_CHANNEL

    _draw(app, contest, 1, "committed", [ids["p5"]])
    _draw(app, contest, 2, "drawn", [ids["p1"], ids["p4"]])
    _draw(app, contest, 3, "committed", [])  # a newer commitment not yet drawn: the drawn one still stands
    with app.app_context():
        winners = {row.code: row.winners for row in channels.funnel(get_contest(contest))}
    assert winners == {"hosp-03": 0, "school-01": 1, "village-02": 1, "tv-ad": 0, None: 0}
