"""Channel short links (/s/<slug>/<code>), scan counting, the print-ready poster page and its logo.

Why /s/<slug>/<code>: channel codes are unique only within a contest, so the path names both; it
stays short (a version 3–4 code for a typical host, about 2 mm a module at 8 cm) and people who
cannot scan can still type it from the poster. A visit counts one Scan per browser (a random
HttpOnly `qz_visitor` cookie) and contest-local day, then redirects to /c/<slug>?ch=<code>. The
first channel a browser arrived through is also kept in the signed session, so that the
registration form carries it even when ?ch= was lost (first touch wins, as for participants).
"""

from __future__ import annotations

import hashlib
import re
import secrets

from flask import current_app, redirect, render_template, request, session, url_for

from ...domain.poster import fact_rows, footer_lines, png_size
from ...extensions import limiter
from ...services import channels, contests
from ..common import now, public_base_url
from ..security import mark_personal
from . import bp

VISITOR_COOKIE = "qz_visitor"
VISITOR_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
VISITOR_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers still honour
CHANNELS_KEY = "channels"
# Link previews and crawlers fetch the short URL too; they are not people scanning a poster.
NOT_A_PERSON = re.compile(r"bot|spider|crawl|slurp|preview|facebookexternalhit", re.IGNORECASE)


def _per_ip() -> str:
    return current_app.config["RATELIMIT_PER_IP"]


def first_channel(slug: str) -> str | None:
    """The channel that first brought this browser to the contest, if a short link did."""
    code = (session.get(CHANNELS_KEY) or {}).get(slug)
    return code if isinstance(code, str) else None


def _remember_channel(slug: str, code: str) -> None:
    """Keep the first channel per contest, so that a later poster or a lost ?ch= does not change it."""
    remembered = dict(session.get(CHANNELS_KEY) or {})
    if slug not in remembered:
        remembered[slug] = code
        session[CHANNELS_KEY] = remembered
        session.permanent = True  # people scan today and often register another day


def _visitor() -> tuple[str, bool]:
    """This browser's random visitor id, and whether it is new (and needs its cookie set)."""
    current = request.cookies.get(VISITOR_COOKIE, "")
    if VISITOR_PATTERN.fullmatch(current):
        return current, False
    return secrets.token_urlsafe(16), True


def _counts_as_scan() -> bool:
    agent = request.headers.get("User-Agent", "")
    return request.method == "GET" and bool(agent) and not NOT_A_PERSON.search(agent)


def _missing(slug: str, code: str):
    """A friendly 404 that still leads to the contest when only the channel is unknown."""
    try:
        contest = contests.get_contest(slug)
    except contests.NotFound:
        contest = None
    return render_template("public/channel_missing.html", contest=contest, code=code), 404


@bp.get("/s/<slug>/<code>")
@limiter.limit(_per_ip)
def short_link(slug: str, code: str):
    """A poster's QR: count one scan per browser and day, then go to the landing page with ?ch=."""
    try:
        contest = contests.get_contest(slug)
        channel = channels.get_channel(contest, code)
    except contests.NotFound:
        return _missing(slug, code)
    visitor, new = _visitor()
    if _counts_as_scan():
        channels.record_scan(contest, channel, visitor, now())
    _remember_channel(slug, channel.code)
    mark_personal()  # a cached redirect would hide later scans
    response = redirect(url_for("public.landing", slug=slug, ch=channel.code))
    if new:
        response.set_cookie(VISITOR_COOKIE, visitor, max_age=VISITOR_MAX_AGE, httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


def _poster_target(slug: str):
    """The contest and the channel named by ?ch= (None without one); NotFound for an unknown one."""
    contest = contests.get_contest(slug)
    code = request.args.get("ch")
    return contest, channels.get_channel(contest, code) if code else None


@bp.get("/c/<slug>/poster")
@limiter.limit(_per_ip)
def poster(slug: str):
    """The A4 poster as a page to print from the browser (same content as the PDF)."""
    contest, channel = _poster_target(slug)
    spec = channels.poster_spec(contest, channel, public_base_url())
    code = channel.code if channel else None
    logo = None
    if spec.logo:
        width, height = png_size(spec.logo)
        # The digest in the address lets a new upload show at once despite the image's cache time.
        version = hashlib.sha256(spec.logo).hexdigest()[:12]
        logo = {"src": url_for("public.contest_logo", slug=slug, v=version), "width": width, "height": height}
    return render_template("public/poster.html", spec=spec, contest=contest, code=code, logo=logo,
                           facts=fact_rows(spec), footer=footer_lines(spec),
                           qr_src=url_for("public.poster_qr", slug=slug, ch=code),
                           pdf_href=url_for("public.poster_download", slug=slug, ch=code))


@bp.get("/c/<slug>/logo.png")
@limiter.limit(_per_ip)
def contest_logo(slug: str):
    """The organizer's logo as uploaded (PNG); 404 when the contest has none."""
    logo = channels.logo_of(contests.get_contest(slug))
    if logo is None:
        raise contests.NotFound("该竞赛没有上传标志图片")
    return logo.data, 200, {"Content-Type": "image/png", "Cache-Control": "max-age=300"}


@bp.get("/c/<slug>/poster/qr.svg")
@limiter.limit(_per_ip)
def poster_qr(slug: str):
    """The poster's QR as one-path SVG, for the print page's <img>."""
    contest, channel = _poster_target(slug)
    data = channels.render(channels.poster_spec(contest, channel, public_base_url()), "svg")
    return data, 200, {"Content-Type": "image/svg+xml; charset=utf-8", "Cache-Control": "max-age=300"}


@bp.get("/c/<slug>/poster.pdf")
@limiter.limit(_per_ip)
def poster_download(slug: str):
    """The same poster as the `flask qr make … --format pdf` file."""
    contest, channel = _poster_target(slug)
    data = channels.render(channels.poster_spec(contest, channel, public_base_url()), "pdf")
    name = f"poster-{slug}-{channel.code}.pdf" if channel else f"poster-{slug}.pdf"
    return data, 200, {"Content-Type": "application/pdf", "Content-Disposition": f'attachment; filename="{name}"'}
