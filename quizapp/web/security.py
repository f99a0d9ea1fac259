"""Security headers on every response; personal pages are never cached."""

from __future__ import annotations

from flask import Flask, g, request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'")


def mark_personal() -> None:
    """Flag this response as personal so that no cache keeps it."""
    g.personal = True


def _apply_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    # same-origin still sends the Referer that Flask-WTF checks on HTTPS form posts.
    response.headers.setdefault("Referrer-Policy", "same-origin")
    personal = g.get("personal") or request.headers.get("Authorization") or request.method != "GET"
    if personal:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Install the after-request hook."""
    app.after_request(_apply_headers)
