"""One error-handler set: the CONTRACT envelope for the API, friendly Chinese pages elsewhere."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, make_response, render_template, request
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from .. import database_faults
from ..domain.errors import DomainError, ValidationError
from ..extensions import db, login_manager
from ..services.contests import ContestNotFound
from .request_log import request_id, route_template

log = logging.getLogger(__name__)

STATUS_BY_CODE = {
    "validation_error": 422,
    "not_found": 404,
    "contest_not_open": 403,
    "attempts_exhausted": 429,
    "attempt_closed": 409,
    "conflict": 409,
    "phone_registered": 409,
    "unauthorized": 401,
    "bad_json": 400,
    "unsupported_media_type": 415,
    "login_failed": 401,
    "login_throttled": 429,
    "last_admin": 409,
    # Issue 12, stronger identity: a refused SMS code is a 422 on the `code` field.
    "code_missing": 422, "code_invalid": 422, "code_expired": 422, "code_exhausted": 422,
    "sms_throttled": 429, "sms_failed": 503,
    "wechat_required": 403, "wechat_state": 403, "wechat_snapshot": 403, "wechat_failed": 503,
    "wechat_bound": 409, "wechat_mismatch": 409,
}

HTTP_MESSAGES = {
    400: ("bad_request", "请求有误"),
    401: ("unauthorized", "请先登记参赛信息"),
    403: ("forbidden", "没有权限访问此页面"),
    404: ("not_found", "页面不存在"),
    405: ("method_not_allowed", "不支持此操作方式"),
    413: ("payload_too_large", "提交的内容过大"),
    429: ("rate_limited", "操作太频繁，请稍后再试"),
    500: ("server_error", "服务器出了点问题，请稍后再试"),
    503: ("service_unavailable", "服务繁忙，请稍后再试"),
}
# Errors that may mean the database is away rather than a defect; database_faults decides.
DATABASE_ERRORS = (sa_exc.DBAPIError, sa_exc.TimeoutError, sa_exc.DisconnectionError)


class DatabaseUnavailable(ServiceUnavailable):
    """The 503 for a database that is away, overloaded or read-only: Retry-After and a Chinese message.

    It is dispatched like any HTTP error, so a handler registered for 503 later (a waiting screen)
    receives it too, with `retry_after`, `zh_message` and `fault` to work with.
    """

    zh_message = "服务繁忙，请稍等片刻再试"

    def __init__(self, fault: str, retry_after: int):
        super().__init__(retry_after=retry_after)
        self.fault = fault

    def get_headers(self, environ=None, scope=None) -> list[tuple[str, str]]:
        """Retry-After, and no-store: a cache must not keep serving "busy" after the database is back."""
        return [*super().get_headers(environ, scope), ("Cache-Control", "no-store")]


def wants_json() -> bool:
    """API paths and .json paths (console statistics) answer JSON."""
    return request.path.startswith("/api/") or request.path.endswith(".json")


def error_response(status: int, code: str, message: str, fields: dict | None = None, **page):
    """Build the JSON envelope or the HTML error page (`page`: more for its template); a server error
    names the request id for support."""
    quoted_id = request_id() if status >= 500 else None
    if wants_json():
        body = {"error": {"code": code, "message": message}}
        if fields:
            body["error"]["fields"] = fields
        if quoted_id:
            body["error"]["request_id"] = quoted_id
        return make_response(jsonify(body), status)
    template = "admin/error.html" if request.path.startswith("/admin") else "error.html"
    return make_response(render_template(template, status=status, message=message, request_id=quoted_id, **page),
                         status)


def handle_domain_error(exc: DomainError):
    """Map a domain or service error onto its status code."""
    status = STATUS_BY_CODE.get(exc.code, 400)
    fields = exc.fields if isinstance(exc, ValidationError) else None
    response = error_response(status, exc.code, exc.message, fields, contest_missing=isinstance(exc, ContestNotFound))
    # A throttled SMS or a provider away says when to try again; a 429 for used-up attempts is no throttle.
    retry_after = getattr(exc, "retry_after", None)
    if retry_after or (status == 503 and exc.code in ("sms_failed", "wechat_failed")):
        response.headers["Retry-After"] = str(retry_after or 60)
    return response


def handle_http_error(exc: HTTPException):
    """Werkzeug's errors (404, 405, 413, 429 …) in our envelope or page."""
    status = exc.code or 500
    code, message = HTTP_MESSAGES.get(status, ("http_error", exc.name))
    if status == 400 and exc.description and "CSRF" in str(exc.description):
        message = "页面已过期，请返回后刷新再试"
    message = getattr(exc, "zh_message", None) or message
    response = error_response(status, code, message)
    # Keep the exception's own headers (Allow on a 405, Retry-After, WWW-Authenticate).
    for name, value in exc.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    if status == 429 and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = "60"
    return response


def handle_unexpected(exc: Exception):
    """Log the traceback on the server; the client gets a plain message."""
    if isinstance(exc, HTTPException):
        return handle_http_error(exc)
    log.exception("unhandled error on %s %s", request.method, request.url_rule.rule if request.url_rule else "-")
    return error_response(500, "server_error", HTTP_MESSAGES[500][1])


def _abandon_transaction() -> None:
    # Whatever the request wrote so far must go: a participant without a token is worse than none.
    try:
        db.session.rollback()
    except sa_exc.SQLAlchemyError:
        db.session.close()  # the connection died with the server; the pool discards it


def _anonymous_console() -> None:
    # The console layout asks for current_user; loading the account would query the failed database again.
    if "_login_user" not in g:
        g._login_user = login_manager.anonymous_user()


def retry_after_seconds() -> int:
    """How long a client should wait before retrying while the database is unavailable."""
    return int(current_app.config.get("DB_RETRY_AFTER_SECONDS") or 5)


def handle_database_error(exc: Exception):
    """An outage or read-only database becomes a 503 with Retry-After; any other database error a 500."""
    _abandon_transaction()
    fault = database_faults.classify(exc)
    if fault is None:
        return handle_unexpected(exc)
    # One line, no traceback: during an outage every request fails the same way.
    log.warning("database %s on %s %s: %s", fault, request.method, route_template(),
                database_faults.describe(exc))
    _anonymous_console()
    return current_app.handle_http_exception(DatabaseUnavailable(fault, retry_after_seconds()))


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(DomainError, handle_domain_error)
    for error_class in DATABASE_ERRORS:
        app.register_error_handler(error_class, handle_database_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
