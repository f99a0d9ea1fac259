"""Errors raised by the domain and services, carried to forms and the API unchanged."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken; `code` is machine-readable, the message is zh-CN for people."""

    code = "invalid"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class ValidationError(DomainError):
    """Bad input: one or more fields, each with the reason it was refused."""

    code = "validation_error"

    def __init__(self, field: str | dict[str, str], reason: str = "", message: str = ""):
        self.fields = dict(field) if isinstance(field, dict) else {field: reason}
        text = message or "；".join(f"{name}: {why}" for name, why in self.fields.items())
        super().__init__(text)
