"""The development and test provider: sends nothing, writes a masked line to the log."""

from __future__ import annotations

import logging

from ...domain.masking import mask_phone

log = logging.getLogger("quizapp.sms")


class LogProvider:
    """Logs "code sent to 138****8000" at INFO; the code itself only at DEBUG, and only when asked to
    (development), because a log line that holds a live code lets anyone who reads logs sign in."""

    name = "log"

    def __init__(self, show_code: bool = False):
        self.show_code = show_code

    def send_code(self, phone: str, code: str, minutes: int) -> None:
        """Write the masked notice (and, in development, the code at DEBUG); never fails."""
        masked = mask_phone(phone)
        log.info("SMS code sent to %s (log provider, valid %d minutes)", masked, minutes)
        if self.show_code:
            log.debug("SMS code for %s is %s (development only)", masked, code)
