"""SMS verification codes: the pure rules, then issuing and checking them on both databases."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

import pytest

from quizapp.domain.errors import DomainError, ValidationError
from quizapp.domain.verification import (
    CodeRefused,
    CodeRules,
    CodeThrottled,
    VerificationError,
    check_state,
    code_digest,
    code_matches,
    new_code,
    parse_mode,
    read_ticket,
    send_wait,
    sign_state,
    sign_ticket,
)
from quizapp.extensions import db
from quizapp.models import Contest
from quizapp.models.verification import PhoneCode
from quizapp.services import verification
from quizapp.services.participants import ContestNotOpen
from quizapp.services.sms import SmsError
from tests.conftest import T0
from tests.fakes.tencent_sms import FakeTencentSms

PHONE = "13800138000"
KEY = "k" * 32


# --- pure rules -------------------------------------------------------------------------------------


def test_codes_are_six_digits_with_leading_zeros_kept():
    assert new_code(lambda n: 42) == "000042"
    assert new_code(lambda n: n - 1) == "999999"
    seen = {new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in seen) and len(seen) > 150


def test_a_code_matches_only_its_own_phone_and_digits():
    stored = code_digest(KEY, "phone-a", "123456")
    assert code_matches(KEY, "phone-a", "123456", stored)
    assert code_matches(KEY, "phone-a", " 123456 ", stored)
    assert not code_matches(KEY, "phone-b", "123456", stored)
    assert not code_matches(KEY, "phone-a", "123457", stored)
    assert not code_matches("other-key", "phone-a", "123456", stored)
    assert not code_matches(KEY, "phone-a", "", stored)


def test_send_wait_interval_hourly_cap_and_address_cap():
    rules = CodeRules(phone_per_hour=3, address_per_hour=4)
    assert send_wait(rules, T0, [], [], []) == 0
    assert send_wait(rules, T0, [T0 - timedelta(seconds=15)], [], []) == 45
    hour = [T0 - timedelta(minutes=m) for m in (50, 30, 10)]
    # The third send of the hour was 50 minutes ago: the cap frees 10 minutes from now.
    assert send_wait(rules, T0, hour, hour, []) == 600
    # Failed sends count for the interval only.
    assert send_wait(rules, T0, hour, [], []) == 0
    assert send_wait(rules, T0, [], [], [T0 - timedelta(minutes=m) for m in (59, 40, 20, 5)]) == 60
    assert send_wait(CodeRules(address_per_hour=0), T0, [], [], [T0] * 5000) == 0
    assert send_wait(CodeRules(daily_limit=10), T0, [], [], [], all_sends_today=10) == 3600


def test_parse_mode():
    assert parse_mode(None) == "none" and parse_mode("") == "none" and parse_mode(" SMS ") == "sms"
    assert parse_mode("wechat") == "wechat"
    with pytest.raises(ValueError, match="IDENTITY_VERIFICATION"):
        parse_mode("email")


def test_state_is_bound_to_contest_nonce_and_time():
    nonce = "0123456789abcdef"
    state = sign_state(KEY, "demo", nonce, T0)
    assert state.isalnum() and len(state) == 58
    assert check_state(KEY, "demo", state, nonce, T0 + timedelta(minutes=9))
    assert not check_state(KEY, "other", state, nonce, T0)
    assert not check_state(KEY, "demo", state, "fedcba9876543210", T0)
    assert not check_state(KEY, "demo", state, nonce, T0 + timedelta(minutes=11))
    assert not check_state("another-key", "demo", state, nonce, T0)
    with pytest.raises(ValueError):
        sign_state(KEY, "demo", "short", T0)


def test_a_ticket_cannot_be_moved_to_another_openid():
    ticket = sign_ticket(KEY, 7, "oGenuine", T0)
    assert read_ticket(KEY, 7, ticket, T0) == "oGenuine"
    stamp, _, mac = ticket.split(".")
    with pytest.raises(VerificationError):
        read_ticket(KEY, 7, f"{stamp}.oSomeoneElse.{mac}", T0)
    with pytest.raises(VerificationError):
        read_ticket(KEY, 8, ticket, T0)


# --- the service ------------------------------------------------------------------------------------


class Outbox:
    """A provider that keeps what it was asked to send, or fails like a provider would."""

    name = "outbox"

    def __init__(self):
        self.sent: list[tuple[str, str, int]] = []
        self.fail: Exception | None = None

    def send_code(self, phone: str, code: str, minutes: int) -> None:
        if self.fail:
            raise self.fail
        self.sent.append((phone, code, minutes))

    @property
    def last_code(self) -> str:
        return self.sent[-1][1]


@pytest.fixture
def outbox(app):
    box = Outbox()
    app.extensions["sms_provider"] = box
    return box


@pytest.fixture
def ctx(app, contest):
    with app.app_context():
        yield db.session.execute(db.select(Contest).filter_by(slug=contest)).scalar_one()


def _rows() -> list[PhoneCode]:
    return list(db.session.execute(db.select(PhoneCode).order_by(PhoneCode.id)).scalars())


def test_a_sent_code_is_stored_only_as_digests_and_proves_the_phone(ctx, outbox, clock):
    sent = verification.send_code(ctx, "+86 138-0013-8000", clock.now, address="10.1.2.3")
    assert sent.expires_at == clock.now + timedelta(minutes=5) and sent.resend_after_seconds == 60
    phone, code, minutes = outbox.sent[0]
    assert (phone, minutes) == (PHONE, 5) and len(code) == 6 and code.isdigit()
    (row,) = _rows()
    assert row.status == "sent" and row.tries == 0
    stored = " ".join(str(v) for v in (row.phone_hash, row.code_hash, row.sent_ip_hash))
    assert PHONE not in stored and code not in stored and "10.1.2.3" not in stored
    assert verification.verify_code(ctx, PHONE, code, clock.now + timedelta(minutes=4)) == PHONE
    with pytest.raises(CodeRefused) as caught:  # a code is used once
        verification.verify_code(ctx, PHONE, code, clock.now + timedelta(minutes=4))
    assert caught.value.code == "code_missing"


def test_five_wrong_guesses_use_the_code_up(ctx, outbox, clock):
    verification.send_code(ctx, PHONE, clock.now)
    right = outbox.last_code
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    messages = []
    for _ in range(5):
        with pytest.raises(CodeRefused) as caught:
            verification.verify_code(ctx, PHONE, wrong, clock.now)
        messages.append((caught.value.code, caught.value.message))
    assert messages[0] == ("code_invalid", "验证码不正确，还可以再试 4 次")
    assert messages[3] == ("code_invalid", "验证码不正确，还可以再试 1 次")
    assert messages[4][0] == "code_exhausted"
    with pytest.raises(CodeRefused) as caught:  # even the right code: a new one is needed
        verification.verify_code(ctx, PHONE, right, clock.now)
    assert caught.value.code == "code_exhausted"
    assert _rows()[0].tries == 5


def test_a_code_expires_after_five_minutes(ctx, outbox, clock):
    verification.send_code(ctx, PHONE, clock.now)
    with pytest.raises(CodeRefused) as caught:
        verification.verify_code(ctx, PHONE, outbox.last_code, clock.now + timedelta(minutes=5))
    assert caught.value.code == "code_expired" and "过期" in caught.value.message


def test_a_new_code_replaces_the_old_one(ctx, outbox, clock):
    verification.send_code(ctx, PHONE, clock.now)
    old = outbox.last_code
    later = clock.now + timedelta(seconds=61)
    verification.send_code(ctx, PHONE, later, randbelow=lambda n: (int(old) + 1) % n)
    with pytest.raises(CodeRefused) as caught:
        verification.verify_code(ctx, PHONE, old, later)
    assert caught.value.code == "code_invalid"
    assert verification.verify_code(ctx, PHONE, outbox.last_code, later) == PHONE


def test_codes_are_per_contest(ctx, outbox, clock):
    verification.send_code(ctx, PHONE, clock.now)
    other = Contest(**{c.name: getattr(ctx, c.name) for c in Contest.__table__.columns if c.name != "id"})
    other.slug = "other"
    db.session.add(other)
    db.session.commit()
    with pytest.raises(CodeRefused) as caught:
        verification.verify_code(other, PHONE, outbox.last_code, clock.now)
    assert caught.value.code == "code_missing"


def test_one_code_a_minute_and_five_an_hour_per_phone(ctx, outbox, clock):
    verification.send_code(ctx, PHONE, clock.now)
    with pytest.raises(CodeThrottled) as caught:
        verification.send_code(ctx, PHONE, clock.now + timedelta(seconds=20))
    assert caught.value.retry_after == 40 and caught.value.code == "sms_throttled"
    for minute in range(1, 5):
        verification.send_code(ctx, PHONE, clock.now + timedelta(minutes=minute))
    with pytest.raises(CodeThrottled) as caught:
        verification.send_code(ctx, PHONE, clock.now + timedelta(minutes=10))
    assert caught.value.retry_after == 50 * 60  # the first of the hour's five leaves the window then
    verification.send_code(ctx, PHONE, clock.now + timedelta(minutes=60, seconds=1))
    assert len(outbox.sent) == 6
    # Another phone is not held up by this one.
    verification.send_code(ctx, "13900001111", clock.now + timedelta(minutes=10))


def test_the_per_address_ceiling_is_configurable(app, ctx, outbox, clock):
    app.config["SMS_LIMIT_PER_ADDRESS_HOUR"] = 2
    for i in range(2):
        verification.send_code(ctx, f"1390000000{i}", clock.now, address="10.0.0.9")
    with pytest.raises(CodeThrottled):
        verification.send_code(ctx, "13900000009", clock.now, address="10.0.0.9")
    verification.send_code(ctx, "13900000009", clock.now, address="10.0.0.10")


def test_the_daily_limit_caps_the_whole_service(app, ctx, outbox, clock):
    app.config["SMS_DAILY_LIMIT"] = 2
    verification.send_code(ctx, "13900000001", clock.now)
    verification.send_code(ctx, "13900000002", clock.now)
    with pytest.raises(CodeThrottled):
        verification.send_code(ctx, "13900000003", clock.now)
    verification.send_code(ctx, "13900000003", clock.now + timedelta(days=1, seconds=1))


def test_a_provider_failure_is_a_clear_error_and_a_masked_log_line(ctx, outbox, clock, caplog):
    outbox.fail = SmsError("tencent", "LimitExceeded.PhoneNumberDailyLimit", "refused 138****8000", "req-9")
    with caplog.at_level(logging.WARNING, logger="quizapp"), pytest.raises(VerificationError) as caught:
        verification.send_code(ctx, PHONE, clock.now)
    assert (caught.value.code, caught.value.message) == ("sms_failed", "短信发送失败，请稍后再试")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "LimitExceeded.PhoneNumberDailyLimit" in logged and "req-9" in logged and "138****8000" in logged
    assert PHONE not in logged
    (row,) = _rows()
    assert row.status == "failed"
    with pytest.raises(CodeRefused) as caught:  # a code that never went out cannot be used
        verification.verify_code(ctx, PHONE, "123456", clock.now)
    assert caught.value.code == "code_missing" and caught.value.fields == {"code": "请先获取短信验证码"}


def test_failed_sends_hold_the_minute_but_not_the_hour(ctx, outbox, clock):
    outbox.fail = RuntimeError("provider library bug")
    for minute in range(6):
        with pytest.raises(VerificationError):
            verification.send_code(ctx, PHONE, clock.now + timedelta(minutes=minute))
    with pytest.raises(CodeThrottled):
        verification.send_code(ctx, PHONE, clock.now + timedelta(minutes=5, seconds=30))
    outbox.fail = None
    verification.send_code(ctx, PHONE, clock.now + timedelta(minutes=6, seconds=1))
    assert len(outbox.sent) == 1


def test_bad_input_and_a_closed_contest(ctx, outbox, clock):
    with pytest.raises(ValidationError) as caught:
        verification.send_code(ctx, "12345", clock.now)
    assert "phone" in caught.value.fields
    verification.send_code(ctx, PHONE, clock.now)
    for typed in ("12345", "abcdef", None, 123456):
        with pytest.raises(ValidationError) as caught:
            verification.verify_code(ctx, PHONE, typed, clock.now)
        assert "code" in caught.value.fields
    assert _rows()[0].tries == 0  # malformed input is not a guess
    with pytest.raises(ContestNotOpen):
        verification.send_code(ctx, PHONE, ctx.ends_at + timedelta(seconds=1))
    assert len(outbox.sent) == 1


def test_settings_are_read_from_the_app_config(app, ctx):
    assert verification.mode() == "none"
    app.config.update(IDENTITY_VERIFICATION="sms", SMS_CODE_TTL_SECONDS="600", SMS_CODE_MAX_TRIES=3,
                      SMS_LIMIT_INTERVAL_SECONDS=30, SMS_LIMIT_PER_PHONE_HOUR=4, SMS_LIMIT_PER_ADDRESS_HOUR=0)
    rules = verification.code_rules()
    assert verification.mode() == "sms"
    assert (rules.ttl, rules.max_tries, rules.phone_interval, rules.phone_per_hour, rules.address_per_hour) == (
        timedelta(minutes=10), 3, timedelta(seconds=30), 4, 0)


def test_purge_keeps_a_day_of_codes(ctx, outbox, clock):
    verification.send_code(ctx, PHONE, clock.now)
    verification.send_code(ctx, "13900001111", clock.now + timedelta(hours=23))
    assert verification.purge_codes(clock.now + timedelta(days=1, minutes=1)) == 1
    assert len(_rows()) == 1


def test_end_to_end_through_the_tencent_sdk_and_the_fake(app, ctx, clock):
    with FakeTencentSms() as fake:
        app.config.update(SMS_PROVIDER="tencent", SMS_SECRET_ID=fake.secret_id, SMS_SECRET_KEY=fake.secret_key,
                          SMS_SDK_APP_ID="1400000001", SMS_SIGN_NAME="药品安全竞赛", SMS_TEMPLATE_ID="99",
                          SMS_ENDPOINT=fake.url)
        app.extensions.pop("sms_provider", None)
        verification.send_code(ctx, PHONE, clock.now, randbelow=random.Random(5).randrange)
        code = fake.sent[0]["TemplateParamSet"][0]
        assert fake.sent[0]["PhoneNumberSet"] == ["+86" + PHONE]
        assert verification.verify_code(ctx, PHONE, code, clock.now + timedelta(minutes=1)) == PHONE
        fake.status_code = "FailedOperation.PhoneNumberInBlacklist"
        with pytest.raises(VerificationError) as caught:
            verification.send_code(ctx, "13900001111", clock.now)
        assert caught.value.code == "sms_failed"
    app.extensions.pop("sms_provider", None)


def _in_threads(app, count: int, action) -> list:
    """Run `action()` in `count` threads, each in its own app context, released together; their outcomes."""
    from tests.api.test_concurrency import run_together

    def one(_):
        with app.app_context():
            contest = db.session.execute(db.select(Contest).filter_by(slug="demo")).scalar_one()
            try:
                return action(contest)
            except DomainError as exc:
                return exc.code
            finally:
                db.session.remove()

    return run_together(count, one)


def test_parallel_guesses_never_exceed_five_tries(app, ctx, outbox, clock):
    verification.send_code(ctx, PHONE, clock.now)
    wrong = f"{(int(outbox.last_code) + 1) % 1000000:06d}"
    db.session.remove()
    outcomes = _in_threads(app, 12, lambda c: verification.verify_code(c, PHONE, wrong, clock.now))
    assert outcomes.count("code_invalid") == 4 and outcomes.count("code_exhausted") == 8
    assert _rows()[0].tries == 5


def test_parallel_requests_send_one_code(app, ctx, outbox, clock):
    db.session.remove()
    outcomes = _in_threads(app, 6, lambda c: verification.send_code(c, PHONE, clock.now).expires_at)
    assert outcomes.count("sms_throttled") == 5 and len(outbox.sent) == 1


def test_the_gate_asks_for_nothing_by_default(ctx, outbox, clock):
    proof = verification.check_identity(ctx, {"phone": PHONE}, clock.now)
    assert proof == verification.IdentityProof("none") and outbox.sent == []


def test_the_gate_in_sms_mode_wants_the_code_of_that_phone(app, ctx, outbox, clock):
    app.config["IDENTITY_VERIFICATION"] = "sms"
    with pytest.raises(ValidationError) as caught:
        verification.check_identity(ctx, {"phone": PHONE}, clock.now)
    assert set(caught.value.fields) == {"code"}
    verification.send_code(ctx, PHONE, clock.now)
    with pytest.raises(CodeRefused):  # another phone's registration cannot use this code
        verification.check_identity(ctx, {"phone": "13900001111", "code": outbox.last_code}, clock.now)
    proof = verification.check_identity(ctx, {"phone": "138 0013 8000", "code": outbox.last_code}, clock.now)
    assert proof == verification.IdentityProof("sms", phone=PHONE)


def test_the_gate_in_wechat_mode_wants_a_ticket_and_binds_its_openid(app, ctx, clock):
    from quizapp.models import Participant

    app.config["IDENTITY_VERIFICATION"] = "wechat"
    with pytest.raises(VerificationError) as caught:
        verification.check_identity(ctx, {"phone": PHONE}, clock.now)
    assert caught.value.code == "wechat_required"
    ticket = sign_ticket(app.config["SECRET_KEY"], ctx.id, "oGate", clock.now)
    proof = verification.check_identity(ctx, {"phone": PHONE, "wechat_ticket": ticket}, clock.now)
    assert proof.openid == "oGate"
    person = Participant(contest_id=ctx.id, name="张三", phone=PHONE, region="包头市", consent_at=clock.now,
                         created_at=clock.now)
    db.session.add(person)
    db.session.flush()
    verification.bind_proof(ctx, person.id, proof, clock.now)
    db.session.commit()
    assert verification.participant_for_openid(ctx, "oGate") == person.id


def test_start_up_check_names_what_the_mode_lacks():
    assert verification.check_settings({}) == "none"
    assert verification.check_settings({"IDENTITY_VERIFICATION": "sms"}) == "sms"  # the log provider
    with pytest.raises(ValueError, match="SMS_SECRET_ID"):
        verification.check_settings({"IDENTITY_VERIFICATION": "sms", "SMS_PROVIDER": "tencent"})
    with pytest.raises(ValueError, match="WECHAT_APP_ID"):
        verification.check_settings({"IDENTITY_VERIFICATION": "wechat"})
    with pytest.raises(ValueError, match="IDENTITY_VERIFICATION"):
        verification.check_settings({"IDENTITY_VERIFICATION": "sms-and-wechat"})
    with pytest.raises(ValueError):
        verification.check_settings({"SMS_CODE_MAX_TRIES": "five"})
