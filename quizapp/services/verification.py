"""The optional stronger identity (issue 12): SMS codes issued and checked, WeChat openids bound.

IDENTITY_VERIFICATION=none (default) changes nothing; `sms` asks for a code sent to the phone before
registration; `wechat` asks for the participant's WeChat identity (网页授权 snsapi_base).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..database import begin_write, is_unique_violation
from ..domain.errors import ValidationError
from ..domain.masking import mask_phone
from ..domain.participants import normalize_phone
from ..domain.verification import (
    CODE_PATTERN,
    CodeRefused,
    CodeRules,
    CodeThrottled,
    VerificationError,
    address_digest,
    check_state,
    code_digest,
    code_matches,
    code_refusal,
    new_code,
    parse_mode,
    phone_digest,
    read_ticket,
    send_wait,
    sign_state,
    sign_ticket,
    wrong_code,
)
from ..extensions import db
from ..models import Contest
from ..models.verification import PhoneCode, WechatBinding
from .sms import SmsProvider, SmsSettings, build_provider
from .wechat_oauth import WechatSettings, authorize_url, exchange_code

log = logging.getLogger(__name__)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class CodeSent:
    """A code on its way: when it stops working and when another may be asked for."""

    expires_at: datetime
    resend_after_seconds: int


def _int(config: Mapping, name: str, default: int) -> int:
    value = config.get(name)
    return default if value is None or value == "" else int(value)


def mode(config: Mapping | None = None) -> str:
    """The configured IDENTITY_VERIFICATION: "none", "sms" or "wechat"."""
    return parse_mode((config if config is not None else current_app.config).get("IDENTITY_VERIFICATION"))


def code_rules(config: Mapping | None = None) -> CodeRules:
    """The SMS code rules from the SMS_CODE_* and SMS_LIMIT_* settings, with the defaults of CodeRules."""
    config = config if config is not None else current_app.config
    base = CodeRules()
    return CodeRules(
        ttl=timedelta(seconds=_int(config, "SMS_CODE_TTL_SECONDS", int(base.ttl.total_seconds()))),
        max_tries=_int(config, "SMS_CODE_MAX_TRIES", base.max_tries),
        phone_interval=timedelta(seconds=_int(config, "SMS_LIMIT_INTERVAL_SECONDS",
                                              int(base.phone_interval.total_seconds()))),
        phone_per_hour=_int(config, "SMS_LIMIT_PER_PHONE_HOUR", base.phone_per_hour),
        address_per_hour=_int(config, "SMS_LIMIT_PER_ADDRESS_HOUR", base.address_per_hour),
        daily_limit=_int(config, "SMS_DAILY_LIMIT", base.daily_limit),
    )


def check_settings(config: Mapping) -> str:
    """Validate the settings of the configured mode at start-up; the mode, or ValueError naming what is wrong."""
    current = mode(config)
    code_rules(config)
    if current == "sms":
        SmsSettings.from_config(config)
    elif current == "wechat":
        WechatSettings.from_config(config)
    return current


def sms_provider() -> SmsProvider:
    """The app's provider, built once from its settings (a test may put its own in app.extensions)."""
    extensions = current_app.extensions
    if "sms_provider" not in extensions:
        extensions["sms_provider"] = build_provider(current_app.config)
    return extensions["sms_provider"]


def _key() -> str:
    return current_app.config["SECRET_KEY"]


def _phone(raw: object) -> str:
    phone = normalize_phone(raw) if isinstance(raw, str) else None
    if phone is None:
        raise ValidationError("phone", "请填写正确的 11 位手机号码")
    return phone


def _lock_phone(phone_hash: str) -> None:
    # SQLite's write transaction already runs alone; PostgreSQL needs a lock so that two parallel
    # requests cannot both pass the 60-second check for one number.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(db.text("SELECT pg_advisory_xact_lock(:k)"), {"k": int(phone_hash[:15], 16)})


def _send_history(rules: CodeRules, phone_hash: str, address_hash: str | None, now: datetime) -> int:
    """Seconds to wait before this phone may get a code from this address (0: now)."""
    rows = db.session.execute(
        db.select(PhoneCode.created_at, PhoneCode.status)
        .where(PhoneCode.phone_hash == phone_hash, PhoneCode.created_at > now - HOUR)
    ).all()
    address_sends: list[datetime] = []
    if address_hash and rules.address_per_hour:
        address_sends = list(db.session.execute(
            db.select(PhoneCode.created_at).where(PhoneCode.sent_ip_hash == address_hash,
                                                  PhoneCode.created_at > now - HOUR)).scalars())
    today = 0
    if rules.daily_limit:
        today = db.session.execute(db.select(db.func.count()).select_from(PhoneCode)
                                   .where(PhoneCode.created_at > now - timedelta(days=1))).scalar_one()
    return send_wait(rules, now, [r.created_at for r in rows],
                     [r.created_at for r in rows if r.status != "failed"], address_sends, today)


def _set_status(row_id: int, status: str) -> None:
    begin_write(db.session)
    db.session.execute(db.update(PhoneCode).where(PhoneCode.id == row_id).values(status=status))
    db.session.commit()


def send_code(contest: Contest, raw_phone: object, now: datetime, address: str | None = None,
              provider: SmsProvider | None = None,
              randbelow: Callable[[int], int] = secrets.randbelow) -> CodeSent:
    """Issue a new code for this phone in this contest and send it; older codes of the phone stop working.

    Raises ValidationError (phone), CodeThrottled (with retry_after), or VerificationError sms_failed."""
    # Imported here: participants.register calls into this module, so a top-level import would be circular.
    from .participants import require_open

    require_open(contest, now)  # a code for a closed contest would be money spent for nothing
    phone, rules = _phone(raw_phone), code_rules()
    phone_hash = phone_digest(_key(), phone)
    address_hash = address_digest(_key(), address) if address else None
    begin_write(db.session)
    _lock_phone(phone_hash)
    wait = _send_history(rules, phone_hash, address_hash, now)
    if wait:
        db.session.rollback()
        raise CodeThrottled(wait)
    code = new_code(randbelow)
    row = PhoneCode(contest_id=contest.id, phone_hash=phone_hash, code_hash=code_digest(_key(), phone_hash, code),
                    created_at=now, expires_at=now + rules.ttl, status="pending", sent_ip_hash=address_hash)
    db.session.add(row)
    # Committed before the provider is asked: the call may take seconds, and no write lock is held meanwhile.
    db.session.commit()
    _deliver(provider or sms_provider(), row.id, phone, code, rules)
    return CodeSent(expires_at=row.expires_at, resend_after_seconds=max(1, int(rules.phone_interval.total_seconds())))


def _deliver(provider: SmsProvider, row_id: int, phone: str, code: str, rules: CodeRules) -> None:
    """Hand the code to the provider; record whether it went, and turn any failure into sms_failed."""
    minutes = max(1, int(rules.ttl.total_seconds() // 60))
    try:
        provider.send_code(phone, code, minutes)
    except Exception as exc:  # a provider's failure, whatever its kind, must not become a 500
        _set_status(row_id, "failed")
        error_code = getattr(exc, "code", type(exc).__name__)
        log.warning("SMS to %s failed: provider=%s code=%s request=%s detail=%s", mask_phone(phone),
                    getattr(provider, "name", "?"), error_code, getattr(exc, "request_id", ""),
                    getattr(exc, "detail", ""))
        raise VerificationError("短信发送失败，请稍后再试", "sms_failed") from None
    _set_status(row_id, "sent")


def _latest(contest_id: int, phone_hash: str) -> PhoneCode | None:
    return db.session.execute(
        db.select(PhoneCode).where(PhoneCode.contest_id == contest_id, PhoneCode.phone_hash == phone_hash)
        .order_by(PhoneCode.id.desc()).limit(1)
        # Fresh from the database: the counters are changed by UPDATEs, not through the object.
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _refusal(rules: CodeRules, row: PhoneCode | None, now: datetime) -> CodeRefused | None:
    if row is None:
        return code_refusal(rules, now, None, 0, consumed=True)
    used = row.consumed_at is not None or row.status == "failed"
    return code_refusal(rules, now, row.expires_at, row.tries, consumed=used)


def _count_try(row: PhoneCode, rules: CodeRules) -> int | None:
    """Count one guess atomically; the tries after it, or None when none was left (a parallel guess won)."""
    # RETURNING gives the count after this guess, as the database serialised parallel ones.
    return db.session.execute(
        db.update(PhoneCode).where(PhoneCode.id == row.id, PhoneCode.tries < rules.max_tries,
                                   PhoneCode.consumed_at.is_(None))
        .values(tries=PhoneCode.tries + 1).returning(PhoneCode.tries)
        .execution_options(synchronize_session=False)).scalar_one_or_none()


def verify_code(contest: Contest, raw_phone: object, code: object, now: datetime) -> str:
    """Check (and use up) the phone's latest code; return the normalised phone it proves.

    Each wrong guess is counted and committed; after `max_tries` a new code is needed.
    Raises ValidationError on the phone or code field; a refused code is CodeRefused (a ValidationError
    on `code` whose error code is code_missing, code_invalid, code_expired or code_exhausted)."""
    phone, rules = _phone(raw_phone), code_rules()
    typed = code.strip() if isinstance(code, str) else ""
    if not CODE_PATTERN.fullmatch(typed):
        raise ValidationError("code", "请输入短信中的 6 位数字验证码")
    phone_hash = phone_digest(_key(), phone)
    begin_write(db.session)
    row = _latest(contest.id, phone_hash)
    refusal = _refusal(rules, row, now)
    tries = _count_try(row, rules) if refusal is None else None
    if refusal is None and tries is None:
        # A parallel request used the last try or the code between our read and our update.
        refusal = _refusal(rules, _latest(contest.id, phone_hash), now) or wrong_code(rules, rules.max_tries)
    if refusal is not None:
        db.session.rollback()
        raise refusal
    if code_matches(_key(), phone_hash, typed, row.code_hash):
        db.session.execute(db.update(PhoneCode).where(PhoneCode.id == row.id).values(consumed_at=now)
                           .execution_options(synchronize_session=False))
        db.session.commit()
        return phone
    db.session.commit()  # the wrong guess stays counted
    raise wrong_code(rules, tries)


def purge_codes(now: datetime, keep: timedelta = timedelta(days=1)) -> int:
    """Delete code rows older than `keep` (they serve only the limits); returns how many went."""
    begin_write(db.session)
    gone = db.session.execute(db.delete(PhoneCode).where(PhoneCode.created_at < now - keep))
    db.session.commit()
    return gone.rowcount or 0


# --- WeChat (IDENTITY_VERIFICATION=wechat) ------------------------------------------------------------


def wechat_login_url(contest: Contest, redirect_uri: str, now: datetime) -> tuple[str, str]:
    """The WeChat authorize link for this contest and the nonce to keep in the browser's cookie."""
    settings = WechatSettings.from_config(current_app.config)
    nonce = secrets.token_hex(8)
    return authorize_url(settings.app_id, redirect_uri, sign_state(_key(), contest.slug, nonce, now)), nonce


def wechat_callback(contest: Contest, code: object, state: object, nonce: object, now: datetime,
                    opener=None) -> str:
    """Check the round trip's state, trade WeChat's code for the openid, and return a signed ticket
    that the registration (or sign-in) of this contest accepts for 30 minutes."""
    if not isinstance(state, str) or not check_state(_key(), contest.slug, state, str(nonce or ""), now):
        raise VerificationError("页面已过期，请从微信重新打开竞赛页面", "wechat_state")
    settings = WechatSettings.from_config(current_app.config)
    identity = exchange_code(settings, code, **({"opener": opener} if opener else {}))
    return sign_ticket(_key(), contest.id, identity.openid, now)


def ticket_openid(contest: Contest, ticket: object, now: datetime) -> str:
    """The openid a ticket from wechat_callback vouches for (VerificationError wechat_required if none)."""
    return read_ticket(_key(), contest.id, ticket if isinstance(ticket, str) else "", now)


def participant_for_openid(contest: Contest, openid: str) -> int | None:
    """The participant this WeChat account registered as in the contest, if any."""
    return db.session.execute(db.select(WechatBinding.participant_id)
                              .filter_by(contest_id=contest.id, openid=openid)).scalar_one_or_none()


def bind_openid(contest: Contest, participant_id: int, openid: str, now: datetime, _retry: bool = True) -> bool:
    """Tie the participant to the WeChat account inside the caller's write transaction (the caller commits).

    True when the binding is new. One openid is one participant and one participant one openid:
    anything else rolls back and raises VerificationError (409 wechat_bound / wechat_mismatch)."""
    begin_write(db.session)  # joins registration's write transaction when one is open
    by_openid = participant_for_openid(contest, openid)
    by_participant = db.session.execute(db.select(WechatBinding.openid)
                                        .filter_by(participant_id=participant_id)).scalar_one_or_none()
    if by_openid == participant_id:
        return False
    if by_openid is not None or by_participant is not None:
        db.session.rollback()
        if by_openid is not None:
            raise VerificationError("这个微信账号已经用另一个手机号报名了本次竞赛", "wechat_bound")
        raise VerificationError("这个手机号已经由另一个微信账号报名", "wechat_mismatch")
    try:
        # A savepoint: losing a race for the binding must not undo the caller's own writes.
        with db.session.begin_nested():
            db.session.add(WechatBinding(contest_id=contest.id, participant_id=participant_id, openid=openid,
                                         created_at=now))
    except IntegrityError as exc:
        if not (_retry and is_unique_violation(exc)):
            raise
        # A parallel request bound one side first: judge again against what it wrote.
        return bind_openid(contest, participant_id, openid, now, _retry=False)
    return True


# --- the gate registration calls -------------------------------------------------------------------


@dataclass(frozen=True)
class IdentityProof:
    """What the configured mode established before registration: nothing, the phone, or the openid."""

    mode: str
    phone: str | None = None
    openid: str | None = None


def check_identity(contest: Contest, data: Mapping, now: datetime) -> IdentityProof:
    """Demand what IDENTITY_VERIFICATION asks for from a registration body (`code` or `wechat_ticket`).

    Call it after the body passed validation and before registering: an SMS code is used up here."""
    current = mode()
    if current == "sms":
        return IdentityProof(current, phone=verify_code(contest, data.get("phone"), data.get("code"), now))
    if current == "wechat":
        return IdentityProof(current, openid=ticket_openid(contest, data.get("wechat_ticket"), now))
    return IdentityProof(current)


def bind_proof(contest: Contest, participant_id: int, proof: IdentityProof, now: datetime) -> None:
    """Record what the proof vouched for, inside registration's write transaction (before its commit)."""
    if proof.openid:
        bind_openid(contest, participant_id, proof.openid, now)
