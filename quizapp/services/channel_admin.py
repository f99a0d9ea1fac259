"""The console's 渠道与海报 area: channels with their event details and funnels, the contest's poster
logo, and the preview of a batch. Codes, posters and the batch itself come from services/channels,
the same functions `flask qr` calls."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func

from ..database import begin_write, saved_unless_duplicate
from ..domain.errors import DomainError, ValidationError
from ..domain.logo import prepare_logo
from ..domain.participants import CHANNEL_PATTERN
from ..domain.permissions import EVERYWHERE, RegionScope
from ..domain.qr import CHANNEL_NAME_MAX, ChannelListError, read_channel_csv
from ..extensions import db
from ..models import Channel, Contest, ContestLogo
from . import audit
from . import channels as channel_service
from .contests import get_contest
from .insight import channel_figures

PLACE_MAX = 100
PERSON_MAX = 50
BATCH_FILE_MAX_BYTES = 1024 * 1024  # 5,000 lines of code and name fit in a fraction of this
# The form's fields as the audit log names them.
FIELD_NAMES = {"name": "名称", "event_date": "活动日期", "place": "地点", "person": "负责人"}
_DATE = re.compile(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*")


@dataclass(frozen=True)
class ChannelInput:
    """What the channel form sends, as typed (checked here, not in the form)."""

    code: str = ""
    name: str = ""
    event_date: str = ""
    place: str = ""
    person: str = ""


@dataclass(frozen=True)
class ChannelLine:
    """One row of a contest's channel page: the channel (None for codes no channel has) and its funnel."""

    channel: Channel | None
    funnel: channel_service.FunnelRow


def contest_overview() -> list[dict]:
    """Every contest, newest window first, with its number of channels and whether it has a logo."""
    counts = dict(db.session.execute(
        db.select(Channel.contest_id, func.count()).group_by(Channel.contest_id)).all())
    logos = set(db.session.execute(db.select(ContestLogo.contest_id)).scalars())
    contests = db.session.execute(db.select(Contest).order_by(Contest.starts_at.desc(), Contest.slug)).scalars()
    return [{"contest": c, "channels": counts.get(c.id, 0), "logo": c.id in logos} for c in contests]


def channel_lines(contest: Contest, scope: RegionScope = EVERYWHERE) -> list[ChannelLine]:
    """The contest's funnel (channels.funnel) with each row's channel; people counted inside the scope."""
    rows = channel_service.funnel(contest)
    if scope.limited:
        rows = _within(contest, rows, scope)
    known = {channel.code: channel for channel in channel_service.list_channels(contest)}
    return [ChannelLine(known.get(row.code) if row.code else None, row) for row in rows]


def _within(contest: Contest, rows: list, scope: RegionScope) -> list:
    """The funnel's rows with the people figures of one region (scans have no region: they stay whole)."""
    figures = channel_figures(contest, scope)
    registered = {channel.code for channel in channel_service.list_channels(contest)}
    scoped = []
    for row in rows:
        if row.code not in registered and row.code not in figures:
            continue  # a stray code or "no channel" that only other regions' people brought
        f = figures.get(row.code)
        scoped.append(replace(row, registrations=f.participants if f else 0,
                              finished_rounds=f.finished_rounds if f else 0, eligible=f.eligible if f else 0,
                              winners=None if row.winners is None else (f.winners if f else 0)))
    return scoped


def parse_event_date(text: str) -> date | None:
    """2026-11-20 (also 2026/11/20, 2026.11.20 or 2026年11月20日); None for an empty field."""
    text = (text or "").strip()
    if not text:
        return None
    match = _DATE.fullmatch(text)
    try:
        return date(*(int(part) for part in match.groups())) if match else date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError("event_date", "活动日期应写成 年-月-日，例如 2026-11-20") from exc


def default_name(event_date: date | None, place: str, taken: set[str]) -> str:
    """A readable name for a channel created without one: "11月20日 青城公园", else "未命名渠道 N"."""
    day = f"{event_date.month}月{event_date.day}日" if event_date else ""
    if place:
        base = f"{day} {place}".strip()[:CHANNEL_NAME_MAX]
    elif day:
        base = f"{day}活动"
    else:
        number = 1
        while f"未命名渠道 {number}" in taken:
            number += 1
        return f"未命名渠道 {number}"
    name, number = base, 2
    while name in taken:  # two events at one place on one day stay apart in the list and the index
        suffix = f"（{number}）"
        name, number = base[:CHANNEL_NAME_MAX - len(suffix)] + suffix, number + 1
    return name


def _details(data: ChannelInput) -> dict:
    """The checked name (may be empty), event date, place and person; every bad field at once."""
    errors, values = {}, {"name": (data.name or "").strip(), "place": (data.place or "").strip(),
                          "person": (data.person or "").strip()}
    if len(values["name"]) > CHANNEL_NAME_MAX:
        errors["name"] = f"渠道名称最多 {CHANNEL_NAME_MAX} 个字符，这里有 {len(values['name'])} 个"
    if len(values["place"]) > PLACE_MAX:
        errors["place"] = f"活动地点最多 {PLACE_MAX} 个字符，这里有 {len(values['place'])} 个"
    if len(values["person"]) > PERSON_MAX:
        errors["person"] = f"负责人最多 {PERSON_MAX} 个字符，这里有 {len(values['person'])} 个"
    try:
        values["event_date"] = parse_event_date(data.event_date)
    except ValidationError as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationError(errors)
    return values


def _code(text: str) -> str:
    code = (text or "").strip()
    if not CHANNEL_PATTERN.fullmatch(code):
        raise ValidationError("code", "渠道代码只能包含字母、数字、下划线和连字符，1–32 个字符")
    return code


def _names(contest: Contest, but: int | None = None) -> set[str]:
    query = db.select(Channel.name).where(Channel.contest_id == contest.id, Channel.id != (but or 0))
    return set(db.session.execute(query).scalars())


def _label(channel: Channel) -> str:
    return channel.code if channel.name == channel.code else f"{channel.code}（{channel.name}）"


def _checked_new(data: ChannelInput) -> tuple[str, dict]:
    """The new channel's code and details, with the code's and the details' errors together."""
    errors, code, values = {}, "", {}
    try:
        code = _code(data.code)
    except ValidationError as exc:
        errors.update(exc.fields)
    try:
        values = _details(data)
    except ValidationError as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationError(errors)
    return code, values


def create_channel(slug: str, data: ChannelInput, actor: str, now: datetime) -> Channel:
    """Add a channel with its event details (audited); an empty name becomes a readable one, never the code."""
    contest = get_contest(slug)
    code, values = _checked_new(data)
    begin_write(db.session)
    existing = db.session.execute(db.select(Channel).filter_by(contest_id=contest.id, code=code)).scalar_one_or_none()
    if existing is not None:
        db.session.rollback()
        raise ValidationError("code", f"渠道代码“{code}”已经有了（{existing.name}）；要修改它，请在渠道列表中点“编辑”")
    name = values.pop("name") or default_name(values["event_date"], values["place"], _names(contest))
    channel = Channel(contest_id=contest.id, code=code, name=name, created_at=now, **values)
    db.session.add(channel)
    audit.record("channel_create", actor, contest, 1, now, target=_label(channel))
    if not saved_unless_duplicate(db.session):
        raise ValidationError("code", "这个渠道代码刚被另一操作创建；请刷新渠道列表后再试")
    return channel


def update_channel(slug: str, code: str, data: ChannelInput, actor: str, now: datetime) -> tuple[Channel, list[str]]:
    """Change a channel's name and event details (audited), never its code; returns the changed fields."""
    contest = get_contest(slug)
    channel = channel_service.get_channel(contest, code)
    if (data.code or "").strip() not in ("", channel.code):
        raise ValidationError("code", "渠道代码不能修改：已印出的海报和二维码带着这个代码")
    values = _details(data)
    begin_write(db.session)
    values["name"] = values["name"] or default_name(values["event_date"], values["place"],
                                                    _names(contest, but=channel.id))
    changed = [key for key in FIELD_NAMES if getattr(channel, key) != values[key]]  # in the form's order
    if not changed:
        db.session.rollback()
        return channel, []
    for key in changed:
        setattr(channel, key, values[key])
    audit.record("channel_update", actor, contest, 1, now, {"fields": [FIELD_NAMES[key] for key in changed]},
                 target=_label(channel))
    db.session.commit()
    return channel, changed


# --- the poster logo -------------------------------------------------------------------------


def save_logo(slug: str, data: bytes, actor: str, now: datetime) -> ContestLogo:
    """Check, clean and keep the contest's logo in place of any earlier one (audited)."""
    contest = get_contest(slug)
    logo = prepare_logo(data)  # refused before anything is written
    begin_write(db.session)
    row = db.session.get(ContestLogo, contest.id)
    if row is None:
        row = ContestLogo(contest_id=contest.id)
        db.session.add(row)
    row.data, row.width, row.height, row.updated_at = logo.data, logo.width, logo.height, now
    audit.record("logo_upload", actor, contest, 1, now, {"format": f"PNG {logo.width}×{logo.height}"},
                 target="海报标志")
    db.session.commit()
    return row


def remove_logo(slug: str, actor: str, now: datetime) -> bool:
    """Remove the contest's logo (audited); False when it had none."""
    contest = get_contest(slug)
    begin_write(db.session)
    row = db.session.get(ContestLogo, contest.id)
    if row is None:
        db.session.rollback()
        return False
    db.session.delete(row)
    audit.record("logo_remove", actor, contest, 1, now, target="海报标志")
    db.session.commit()
    return True


# --- batches of posters ----------------------------------------------------------------------


@dataclass(frozen=True)
class BatchLine:
    """One line of an uploaded channel list: what the batch would do with it, or why it is refused."""

    line: int
    code: str
    name: str
    outcome: str | None  # "created" | "renamed" | "kept"; None for a refused line
    old_name: str = ""
    error: str | None = None


@dataclass(frozen=True)
class BatchPreview:
    """What a batch would do, line by line; only one without errors may be confirmed."""

    lines: tuple[BatchLine, ...]
    problems: tuple[str, ...]

    @property
    def errors(self) -> list[str]:
        """Every refused line's reason in file order, then the whole file's problems."""
        return [line.error for line in self.lines if line.error] + list(self.problems)

    @property
    def ok(self) -> bool:
        """True when the batch may be made."""
        return not self.errors

    def count(self, outcome: str) -> int:
        """How many lines would be created, renamed or kept."""
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def expected(self) -> str:
        """"created,renamed" as previewed, for the confirmation to detect a change in between."""
        return f"{self.count('created')},{self.count('renamed')}"


class BatchChanged(DomainError):
    """The channels changed between the preview and the confirmation."""

    code = "conflict"


def preview_batch(slug: str, data: bytes) -> BatchPreview:
    """What `batch_posters` would do with this channel list; writes nothing."""
    contest = get_contest(slug)
    if not data:
        raise ValidationError("file", "请选择渠道列表文件（CSV：每行 渠道代码,渠道名称）")
    if len(data) > BATCH_FILE_MAX_BYTES:
        raise ValidationError("file", f"文件太大：{len(data) / 1048576:.1f} MB，渠道列表最多 1 MB")
    listed = read_channel_csv(data)
    names = {channel.code: channel.name for channel in channel_service.list_channels(contest)}
    lines = []
    for line in listed.lines:
        old = names.get(line.code)
        outcome = None if line.error else "created" if old is None else "kept" if old == line.name else "renamed"
        lines.append(BatchLine(line.line, line.code, line.name, outcome, old or "", line.error))
    return BatchPreview(tuple(lines), listed.problems)


def run_batch(slug: str, data: bytes, base_url: str, actor: str, now: datetime,
              expected: str | None = None) -> channel_service.Batch:
    """Make the zip of posters exactly as previewed (all or nothing), then write it to the audit log."""
    shown = preview_batch(slug, data)
    if not shown.ok:
        raise ChannelListError(shown.errors)
    if expected and expected != shown.expected:
        raise BatchChanged("预览之后渠道有了变化（别人刚新建或修改了渠道）；请核对下面的新预览后再确认")
    batch = channel_service.batch_posters(slug, data, base_url, now)
    # batch_posters commits its channels itself; the audit row follows in its own transaction.
    audit.record("poster_batch", actor, get_contest(slug), batch.count, now,
                 {"count": batch.count, "created": batch.created, "updated": batch.renamed})
    db.session.commit()
    return batch
