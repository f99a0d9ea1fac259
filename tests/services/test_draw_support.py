"""Helpers (no tests) shared by the draw, eligibility, winners and CLI tests: play rounds, end the contest."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.helpers import correct_answers, wrong_answers

# 2026-12-16 08:00 in Shanghai: the sample contest ended at 12-15 23:59:59 and its grace is over.
AFTER_END = datetime(2026, 12, 16, 0, 0, tzinfo=UTC)
SLUG = "demo"


def register(client, phone: str, name: str = "张三", ua: str | None = None) -> str:
    """Register a phone from its own device (its own X-Client-Id unless `ua` names a shared one) and return
    the token; the User-Agent is the same for everyone, as on a school's phones of one model."""
    body = {"name": name, "phone": phone, "region": "包头市", "consent": True}
    response = client.post(f"/api/v1/contests/{SLUG}/participants", json=body,
                           headers={"User-Agent": "same-phone-model", "X-Client-Id": ua or f"device-{phone}"})
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()["token"]


def play(app, client, clock, phone: str, *, correct: bool = True, seconds: int = 60, name: str = "张三",
         ua: str | None = None, token: str | None = None) -> tuple[str, str]:
    """One round: register (unless `token`), start, wait `seconds`, submit; returns (token, attempt_id)."""
    token = token or register(client, phone, name, ua)
    headers = {"Authorization": f"Bearer {token}"}
    started = client.post(f"/api/v1/contests/{SLUG}/attempts", headers=headers)
    assert started.status_code == 201, started.get_json()
    attempt_id = started.get_json()["attempt_id"]
    clock.advance(seconds=seconds)
    answers = (correct_answers if correct else wrong_answers)(app, attempt_id)
    submitted = client.post(f"/api/v1/attempts/{attempt_id}/submit", json={"answers": answers}, headers=headers)
    assert submitted.status_code == 200, submitted.get_json()
    return token, attempt_id


def me(client, token: str) -> dict:
    """The participant's record through the API."""
    return client.get(f"/api/v1/contests/{SLUG}/me", headers={"Authorization": f"Bearer {token}"}).get_json()


def phone(i: int) -> str:
    """A valid, distinct mainland mobile number."""
    return f"1391234{i:04d}"
