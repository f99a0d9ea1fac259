"""Channels (a poster, an event): short links, scans, QR codes, posters and the funnel each brings."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from ..database import begin_write, saved_unless_duplicate
from ..domain.consent import DEFAULT_CONSENT_TEXT
from ..domain.errors import ValidationError
from ..domain.participants import CHANNEL_PATTERN
from ..domain.poster import (
    PosterSpec,
    data_use_text,
    date_range_text,
    event_date_text,
    index_pdf,
    load_cjk_font,
    poster_pdf,
    prize_text,
    steps_text,
)
from ..domain.qr import CHANNEL_NAME_MAX, QrOptions, index_csv, parse_channel_csv, qr_png, qr_svg
from ..domain.timing import local_day
from ..extensions import db
from ..models import Channel, Contest, ContestLogo, Scan
from .contests import NotFound, get_contest, question_count
from .insight import ChannelFigures, channel_figures, winner_ids

FORMATS = ("png", "svg", "pdf")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NO_CHANNEL = "（无渠道）"
UNKNOWN_CHANNEL = "（未登记的渠道代码）"


@dataclass(frozen=True)
class FunnelRow:
    """How far the people one channel brought got (code None: registered without a channel)."""

    code: str | None
    name: str
    scans: int
    registrations: int
    finished_rounds: int
    eligible: int
    winners: int | None  # None until the prize draw has been run


@dataclass(frozen=True)
class MadeCode:
    """A QR code or poster, the URL it carries, and whether its channel was created for it."""

    data: bytes
    url: str
    channel: Channel | None
    created: bool


@dataclass(frozen=True)
class Batch:
    """A zip of posters and how many channels were created or renamed for it."""

    data: bytes
    count: int
    created: int
    renamed: int


def short_url(base_url: str, slug: str, code: str) -> str:
    """The link a channel's QR carries: /s/<slug>/<code> on PUBLIC_BASE_URL, redirecting to /c/<slug>?ch=<code>."""
    return f"{base_url.rstrip('/')}/s/{slug}/{code}"


def contest_url(base_url: str, slug: str) -> str:
    """The contest's landing page on PUBLIC_BASE_URL (a QR without a channel)."""
    return f"{base_url.rstrip('/')}/c/{slug}"


def _check(code: str, name: str) -> tuple[str, str]:
    code, name = (code or "").strip(), (name or "").strip()
    errors = {}
    if not CHANNEL_PATTERN.fullmatch(code):
        errors["code"] = "渠道代码只能包含字母、数字、下划线和连字符，1–32 个字符"
    if not name or len(name) > CHANNEL_NAME_MAX:
        errors["name"] = f"渠道名称应为 1–{CHANNEL_NAME_MAX} 个字符"
    if errors:
        raise ValidationError(errors)
    return code, name


def _find(contest_id: int, code: str) -> Channel | None:
    return db.session.execute(db.select(Channel).filter_by(contest_id=contest_id, code=code)).scalar_one_or_none()


def get_channel(contest: Contest, code: str) -> Channel:
    """The contest's channel with this code, or NotFound."""
    channel = _find(contest.id, code) if isinstance(code, str) and CHANNEL_PATTERN.fullmatch(code) else None
    if channel is None:
        raise NotFound(f"渠道“{code}”不存在")
    return channel


def list_channels(contest: Contest) -> list[Channel]:
    """The contest's channels in code order."""
    return list(db.session.execute(
        db.select(Channel).filter_by(contest_id=contest.id).order_by(Channel.code)).scalars())


def _upsert(contest: Contest, code: str, name: str | None, now: datetime) -> tuple[Channel, str]:
    """Inside a write transaction: ("created" | "renamed" | "kept", channel); a None name keeps the old one."""
    channel = _find(contest.id, code)
    if channel is None:
        channel = Channel(contest_id=contest.id, code=code, name=name or code, created_at=now)
        db.session.add(channel)
        return channel, "created"
    if name and name != channel.name:
        channel.name = name
        return channel, "renamed"
    return channel, "kept"


def add_channel(slug: str, code: str, name: str, now: datetime) -> tuple[Channel, str]:
    """Create a channel, or rename the one with this code; returns (channel, "created"|"renamed"|"kept")."""
    code, name = _check(code, name)
    contest = get_contest(slug)
    begin_write(db.session)
    channel, outcome = _upsert(contest, code, name, now)
    _commit()
    return channel, outcome


def _commit() -> None:
    if not saved_unless_duplicate(db.session):
        # The same code added by a parallel command: refuse plainly rather than with a traceback.
        raise ValidationError("code", "渠道代码刚被另一操作创建，请重试")


def record_scan(contest: Contest, channel: Channel, visitor: str, now: datetime) -> bool:
    """Count a visit through the channel's link, once per browser and contest-local day; True if counted."""
    day = local_day(now, contest.timezone)
    begin_write(db.session)
    known = db.session.execute(
        db.select(Scan.id).filter_by(channel_id=channel.id, day=day, visitor=visitor)).first()
    if known is not None:
        db.session.commit()
        return False
    db.session.add(Scan(channel_id=channel.id, day=day, visitor=visitor))
    # False when the same browser's parallel request counted it already.
    return saved_unless_duplicate(db.session)


def logo_of(contest: Contest) -> ContestLogo | None:
    """The contest's poster logo (a PNG uploaded in the console), if it has one."""
    return db.session.get(ContestLogo, contest.id)


def poster_spec(contest: Contest, channel: Channel | None, base_url: str, ec: str = "M") -> PosterSpec:
    """The worded content of a contest's poster for one channel (or for the contest itself)."""
    zone = ZoneInfo(contest.timezone)
    url = short_url(base_url, contest.slug, channel.code) if channel else contest_url(base_url, contest.slug)
    logo = logo_of(contest)
    if logo is not None and not logo.data.startswith(PNG_SIGNATURE):
        logo = None  # uploads are re-encoded to PNG; anything else is skipped rather than break the poster
    own_consent = bool(contest.consent_text) and contest.consent_text != DEFAULT_CONSENT_TEXT
    return PosterSpec(
        title=contest.title,
        dates=date_range_text(contest.starts_at.astimezone(zone), contest.ends_at.astimezone(zone)),
        prizes=prize_text(contest.prizes),
        steps=steps_text(question_count(contest), max(1, round(contest.time_limit_seconds / 60)),
                         contest.pass_score, bool(contest.prizes)),
        url=url, channel_name=channel.name if channel else "", ec=ec,
        organizer=(contest.organizer or "").strip(), contact=(contest.contact or "").strip(),
        event_date=event_date_text(channel.event_date) if channel else "",
        place=(channel.place or "").strip() if channel else "",
        data_use=data_use_text(bool(contest.prizes), own_consent),
        logo=logo.data if logo else None)


def render(spec: PosterSpec, fmt: str, options: QrOptions | None = None) -> bytes:
    """The spec's QR as PNG or SVG, or its A4 poster as PDF."""
    options = options or QrOptions(ec=spec.ec)
    if fmt == "png":
        return qr_png(spec.url, options)
    if fmt == "svg":
        return qr_svg(spec.url, options)
    return poster_pdf(spec, load_cjk_font())


def make_code(slug: str, code: str | None, fmt: str, options: QrOptions, base_url: str, now: datetime) -> MadeCode:
    """A QR (png, svg) or an A4 poster (pdf) for the contest or one channel; an unknown code is created."""
    if fmt not in FORMATS:
        raise ValidationError("format", f"格式“{fmt}”不支持，只能是 png、svg 或 pdf")
    contest = get_contest(slug)
    channel, created = None, False
    if code is not None:
        code, _name = _check(code, code)
        begin_write(db.session)
        channel, outcome = _upsert(contest, code, None, now)
        created = outcome == "created"
    spec = poster_spec(contest, channel, base_url, options.ec)
    data = render(spec, fmt, options)  # rendered before the commit: a failure creates nothing
    _commit()
    return MadeCode(data=data, url=spec.url, channel=channel, created=created)


def batch_posters(slug: str, csv_data: bytes, base_url: str, now: datetime) -> Batch:
    """One PDF per channel of a `code,name` list plus index.csv and index.pdf, zipped; all or nothing."""
    rows = parse_channel_csv(csv_data)
    contest = get_contest(slug)
    begin_write(db.session)
    outcomes = [_upsert(contest, row.code, row.name, now) for row in rows]
    font = load_cjk_font()
    index = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for channel, _outcome in outcomes:
            spec = poster_spec(contest, channel, base_url)
            archive.writestr(f"{channel.code}.pdf", poster_pdf(spec, font))
            index.append((channel.code, channel.name, spec.url))
        archive.writestr("index.csv", index_csv(index))
        archive.writestr("index.pdf", index_pdf(contest.title, index, font))
    _commit()
    counts = [outcome for _channel, outcome in outcomes]
    return Batch(data=buffer.getvalue(), count=len(rows), created=counts.count("created"),
                 renamed=counts.count("renamed"))


def funnel(contest: Contest) -> list[FunnelRow]:
    """Per channel: scans, registrations, finished rounds, eligible participants and winners (plain rows).

    Registered channels come first in code order, then codes that participants brought which no
    channel has (the API accepts any well-formed code), then participants who came without one.
    The figures are the console's statistics (`insight.channel_figures`), read from running totals.
    """
    figures = channel_figures(contest)
    drawn = winner_ids(contest) is not None
    names: dict[str | None, str] = {c.code: c.name for c in list_channels(contest)}
    extra = sorted(code for code in figures if code is not None and code not in names)
    names.update({code: UNKNOWN_CHANNEL for code in extra})
    if None in figures:
        names[None] = NO_CHANNEL
    rows = []
    for code, name in names.items():
        f = figures.get(code, ChannelFigures())
        rows.append(FunnelRow(code=code, name=name, scans=f.scans, registrations=f.participants,
                              finished_rounds=f.finished_rounds, eligible=f.eligible,
                              winners=f.winners if drawn else None))
    return rows
