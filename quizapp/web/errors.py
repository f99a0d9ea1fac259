"""One error-handler set: the CONTRACT envelope for the API, friendly Chinese pages elsewhere."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from ..domain.errors import DomainError, ValidationError
from .request_log import request_id

log = logging.getLogger(__name__)

STATUS_BY_CODE = {
    "validation_error": 422,
    "not_found": 404,
    "contest_not_open": 403,
    "attempts_exhausted": 429,
    "attempt_closed": 409,
    "conflict": 409,
    "unauthorized": 401,
    "bad_json": 400,
    "login_failed": 401,
    "login_throttled": 429,
    "last_admin": 409,
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
}


def wants_json() -> bool:
    """API paths and .json paths (console statistics) answer JSON."""
    return request.path.startswith("/api/") or request.path.endswith(".json")


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    """Build the JSON envelope or the HTML error page; a server error names the request id for support."""
    quoted_id = request_id() if status >= 500 else None
    if wants_json():
        body = {"error": {"code": code, "message": message}}
        if fields:
            body["error"]["fields"] = fields
        if quoted_id:
            body["error"]["request_id"] = quoted_id
        return make_response(jsonify(body), status)
    template = "admin/error.html" if request.path.startswith("/admin") else "error.html"
    return make_response(render_template(template, status=status, message=message, request_id=quoted_id), status)


def handle_domain_error(exc: DomainError):
    """Map a domain or service error onto its status code."""
    status = STATUS_BY_CODE.get(exc.code, 400)
    fields = exc.fields if isinstance(exc, ValidationError) else None
    return error_response(status, exc.code, exc.message, fields)


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


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
