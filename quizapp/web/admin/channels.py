"""渠道与海报: the contest's channels with their funnels, editing, QR and poster downloads, batches."""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import PurePath

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField

from ...domain.addresses import is_loopback
from ...domain.errors import DomainError, ValidationError
from ...domain.logo import LOGO_MAX_SIDE, LOGO_MIN_SIDE
from ...domain.permissions import EDIT_CHANNELS, VIEW_CHANNELS, VIEW_STATS
from ...domain.qr import BATCH_MAX, ChannelListError
from ...services import channel_admin
from ...services import channels as channel_service
from ...services.contests import get_contest
from ..common import now, public_base_url
from . import bp
from .access import current_scope, may, requires
from .banks import download
from .forms import ConfirmForm, ConsoleForm

OUTCOME_NAMES = {"created": "新建", "renamed": "改名", "kept": "不变"}
MIMETYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')  # characters Windows refuses in a file name


class ChannelForm(ConsoleForm):
    """A channel's code (new channels only), name and event details."""

    code = StringField("渠道代码", render_kw={"maxlength": 32, "autocomplete": "off", "spellcheck": "false"})
    name = StringField("渠道名称（可不填）", render_kw={"maxlength": 100})
    event_date = StringField("活动日期", render_kw={"type": "date"})
    place = StringField("活动地点", render_kw={"maxlength": 100})
    person = StringField("负责人", render_kw={"maxlength": 50, "autocomplete": "off"})

    def payload(self) -> channel_admin.ChannelInput:
        """The fields as typed, for the service to check."""
        return channel_admin.ChannelInput(code=self.code.data or "", name=self.name.data or "",
                                          event_date=self.event_date.data or "", place=self.place.data or "",
                                          person=self.person.data or "")


class BatchUploadForm(ConsoleForm):
    """The channel list of a batch."""

    file = FileField("渠道列表（CSV）", render_kw={"accept": ".csv,text/csv"})


class BatchConfirmForm(ConsoleForm):
    """The previewed list, re-posted as base64 (exact bytes, any encoding), and what the preview showed."""

    content = HiddenField()
    filename = HiddenField()
    expected = HiddenField()


class LogoForm(ConsoleForm):
    """A logo image for the contest's posters."""

    logo = FileField("标志图片（PNG 或 JPEG）", render_kw={"accept": "image/png,image/jpeg"})


def _base_name(raw: str | None) -> str:
    """The uploaded file's own name (some browsers send a whole path), for the preview's heading."""
    return PurePath((raw or "").replace("\\", "/")).name[-100:]


def _stem(channel, kind: str) -> str:
    """A download name after the channel: 第一中学-school-01-海报 (its code alone when the name is the code)."""
    name = _UNSAFE.sub("_", channel.name).strip(" ._")[:60]
    return f"{name}-{channel.code}-{kind}" if name and name != channel.code else f"{channel.code}-{kind}"


@bp.get("/channels")
@requires(VIEW_CHANNELS)
def channels():
    """Every contest with its number of channels, each leading to its channel page."""
    return render_template("admin/channels/index.html", rows=channel_admin.contest_overview())


def _channel_page(slug: str, logo_form: LogoForm | None = None, status: int = 200):
    contest = get_contest(slug)
    base_url = public_base_url()
    return render_template(
        "admin/channels/list.html", contest=contest, lines=channel_admin.channel_lines(contest, current_scope()),
        scope=current_scope(), base_url=base_url, loopback=is_loopback(base_url),
        logo=channel_service.logo_of(contest), logo_form=logo_form or LogoForm(formdata=None),
        remove_form=ConfirmForm(prefix="rm", formdata=None), can_edit=may(EDIT_CHANNELS),
        can_stats=may(VIEW_STATS), min_side=LOGO_MIN_SIDE, max_side=LOGO_MAX_SIDE), status


@bp.get("/contests/<slug>/channels")
@requires(VIEW_CHANNELS)
def contest_channels(slug: str):
    """The contest's channels with their funnels, downloads, print pages and the poster logo."""
    return _channel_page(slug)


def _form_page(slug: str, form: ChannelForm, channel=None, status: int = 200, general: dict | None = None):
    contest = get_contest(slug)
    url = channel_service.short_url(public_base_url(), contest.slug, channel.code) if channel else None
    return render_template("admin/channels/form.html", contest=contest, form=form, channel=channel, url=url,
                           general=general or {}), status


@bp.get("/contests/<slug>/channels/new")
@requires(EDIT_CHANNELS)
def channel_new(slug: str):
    """An empty channel form."""
    return _form_page(slug, ChannelForm(formdata=None))


@bp.post("/contests/<slug>/channels/new")
@requires(EDIT_CHANNELS)
def channel_create(slug: str):
    """Create the channel; each error is shown beside its field."""
    form = ChannelForm()
    if not form.validate_on_submit():
        return _form_page(slug, form, status=400)
    try:
        channel = channel_admin.create_channel(slug, form.payload(), current_user.username, now())
    except ValidationError as exc:
        return _form_page(slug, form, status=422, general=form.add_errors(exc.fields))
    flash(f"已新建渠道 {channel.code}：{channel.name}", "success")
    return redirect(url_for("admin.contest_channels", slug=slug, _anchor=f"channel-{channel.code}"))


@bp.get("/contests/<slug>/channels/<code>/edit")
@requires(EDIT_CHANNELS)
def channel_edit(slug: str, code: str):
    """The channel's name and event details in the form (the code is shown, not editable)."""
    channel = channel_service.get_channel(get_contest(slug), code)
    form = ChannelForm(formdata=None, data={
        "name": channel.name, "place": channel.place, "person": channel.person,
        "event_date": channel.event_date.isoformat() if channel.event_date else ""})
    return _form_page(slug, form, channel)


@bp.post("/contests/<slug>/channels/<code>/edit")
@requires(EDIT_CHANNELS)
def channel_update(slug: str, code: str):
    """Save the name and event details; the code stays as printed."""
    channel = channel_service.get_channel(get_contest(slug), code)
    form = ChannelForm()
    if not form.validate_on_submit():
        return _form_page(slug, form, channel, 400)
    try:
        channel, changed = channel_admin.update_channel(slug, code, form.payload(), current_user.username, now())
    except ValidationError as exc:
        return _form_page(slug, form, channel, 422, form.add_errors(exc.fields))
    if changed:
        flash(f"已保存渠道 {channel.code}：{channel.name}", "success")
    else:
        flash("内容没有变化，未保存", "info")
    return redirect(url_for("admin.contest_channels", slug=slug, _anchor=f"channel-{channel.code}"))


def _made(slug: str, code: str, fmt: str, kind: str):
    """A channel's QR or poster, made for where this console is reached (or PUBLIC_BASE_URL)."""
    contest = get_contest(slug)
    channel = channel_service.get_channel(contest, code)
    data = channel_service.render(channel_service.poster_spec(contest, channel, public_base_url()), fmt)
    return download(data, f"{_stem(channel, kind)}.{fmt}", MIMETYPES[fmt])


@bp.get("/contests/<slug>/channels/<code>/qr.<fmt>")
@requires(VIEW_CHANNELS)
def channel_qr(slug: str, code: str, fmt: str):
    """The channel's QR code as PNG or SVG, as an attachment named after the channel."""
    if fmt not in ("png", "svg"):
        raise DomainError(f"二维码只能下载为 png 或 svg，不支持 {fmt}", code="not_found")
    return _made(slug, code, fmt, "二维码")


@bp.get("/contests/<slug>/channels/<code>/poster.pdf")
@requires(VIEW_CHANNELS)
def channel_poster(slug: str, code: str):
    """The channel's A4 poster (the same PDF as `flask qr make … --format pdf`)."""
    return _made(slug, code, "pdf", "海报")


# --- batch -----------------------------------------------------------------------------------


def _batch_page(slug: str, form: BatchUploadForm | None = None, status: int = 200, preview=None,
                confirm_form: BatchConfirmForm | None = None, problem: str | None = None, filename: str = ""):
    contest = get_contest(slug)
    return render_template("admin/channels/batch.html", contest=contest, form=form or BatchUploadForm(formdata=None),
                           preview=preview, confirm_form=confirm_form, problem=problem, outcomes=OUTCOME_NAMES,
                           batch_max=BATCH_MAX, base_url=public_base_url(), filename=filename), status


def _preview(slug: str, data: bytes, filename: str, status: int = 200, problem: str | None = None):
    """The preview of a list, with the confirmation form that re-posts its exact bytes when it has no errors."""
    preview = channel_admin.preview_batch(slug, data)
    confirm = None
    if preview.ok:
        confirm = BatchConfirmForm(formdata=None, data={
            "content": base64.b64encode(data).decode("ascii"), "filename": filename, "expected": preview.expected})
    return _batch_page(slug, status=status if preview.ok else max(status, 422), preview=preview,
                       confirm_form=confirm, problem=problem, filename=filename)


@bp.get("/contests/<slug>/channels/batch")
@requires(EDIT_CHANNELS)
def channel_batch(slug: str):
    """The upload form for a batch of posters, with the file's format."""
    return _batch_page(slug)


@bp.post("/contests/<slug>/channels/batch")
@requires(EDIT_CHANNELS)
def channel_batch_preview(slug: str):
    """Show what the uploaded list would do, line by line, with every error; writes nothing."""
    form = BatchUploadForm()
    if not form.validate_on_submit():
        return _batch_page(slug, form, 400)
    upload = form.file.data
    data = upload.read() if upload else b""
    try:
        return _preview(slug, data, _base_name(getattr(upload, "filename", "")))
    except ValidationError as exc:
        form.add_errors(exc.fields)
        return _batch_page(slug, form, 422)


@bp.post("/contests/<slug>/channels/batch/confirm")
@requires(EDIT_CHANNELS)
def channel_batch_confirm(slug: str):
    """Make the previewed batch and send the zip: one PDF per channel, index.csv and index.pdf."""
    form = BatchConfirmForm()
    try:
        data = base64.b64decode(form.content.data or "", validate=True) if form.validate_on_submit() else b""
    except (binascii.Error, ValueError):
        data = b""
    if not data:
        return _batch_page(slug, status=400, problem="页面已过期或内容不完整，请重新上传渠道列表")
    filename = _base_name(form.filename.data)
    try:
        batch = channel_admin.run_batch(slug, data, public_base_url(), current_user.username, now(),
                                        form.expected.data or None)
    except (ChannelListError, channel_admin.BatchChanged) as exc:
        problem = exc.message if isinstance(exc, channel_admin.BatchChanged) else None
        return _preview(slug, data, filename, 409, problem)
    except ValidationError as exc:
        return _batch_page(slug, status=422, problem="；".join(exc.fields.values()))
    return download(batch.data, f"{slug}-海报-{batch.count}张.zip", "application/zip")


# --- the poster logo -------------------------------------------------------------------------


@bp.post("/contests/<slug>/logo")
@requires(EDIT_CHANNELS)
def contest_logo_upload(slug: str):
    """Keep the uploaded logo for the posters (checked, re-encoded as PNG, at most 800 px)."""
    form = LogoForm()
    if not form.validate_on_submit():
        return _channel_page(slug, form, 400)
    upload = form.logo.data
    try:
        logo = channel_admin.save_logo(slug, upload.read() if upload else b"", current_user.username, now())
    except ValidationError as exc:
        form.add_errors(exc.fields)
        return _channel_page(slug, form, 422)
    flash(f"已保存海报标志（{logo.width}×{logo.height} 像素）；之后下载或打印的海报都会带上它", "success")
    return redirect(url_for("admin.contest_channels", slug=slug, _anchor="logo"))


@bp.post("/contests/<slug>/logo/remove")
@requires(EDIT_CHANNELS)
def contest_logo_remove(slug: str):
    """Remove the logo, after the confirmation tick."""
    form = ConfirmForm(prefix="rm")
    if not form.validate_on_submit() or not form.confirm.data:
        flash("请先勾选“我确认执行此操作”，再点“删除标志”", "error")
    elif channel_admin.remove_logo(slug, current_user.username, now()):
        flash("已删除海报标志；之后的海报不再带标志", "success")
    else:
        flash("这个竞赛没有海报标志，无需删除", "info")
    return redirect(url_for("admin.contest_channels", slug=slug, _anchor="logo"))
