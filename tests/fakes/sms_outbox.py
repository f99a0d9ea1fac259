"""In-process SMS providers for the page and API tests: one keeps the codes it is asked to send, one is down."""

from __future__ import annotations


class Outbox:
    """An SMS provider that keeps the code sent to each phone (the app stores only digests)."""

    name = "outbox"

    def __init__(self):
        self.codes: dict[str, str] = {}

    def send_code(self, phone, code, minutes):
        """Keep the code instead of sending it."""
        self.codes[phone] = code


class Broken:
    """An SMS provider that is down: every send fails as a network error would."""

    name = "broken"

    def send_code(self, *args):
        """Fail like a provider that cannot be reached."""
        raise RuntimeError("down")
