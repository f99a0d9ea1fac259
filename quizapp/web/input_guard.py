"""Refuse hostile input before it reaches a view or the database: control characters in the path
or query (PostgreSQL rejects a NUL in any text parameter), JSON nested beyond a limit, and a chunked
body larger than MAX_CONTENT_LENGTH."""

from __future__ import annotations

import re
from typing import IO

from flask import Flask, Request, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream

MAX_JSON_DEPTH = 32
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKETS = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in a JSON text (brackets inside strings ignored)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_STRINGS.sub("", text)):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


class DepthLimitedJSONProvider(DefaultJSONProvider):
    """Flask's JSON with a nesting limit: a deep body would exhaust the parser's recursion."""

    max_depth = MAX_JSON_DEPTH

    def loads(self, s, **kwargs):
        """Parse JSON; refuse it as invalid (ValueError) when nested deeper than `max_depth`."""
        text = s.decode("utf-8", "replace") if isinstance(s, bytes | bytearray) else s
        if json_depth(text) > self.max_depth:
            raise ValueError(f"JSON nested deeper than {self.max_depth} levels")
        return super().loads(s, **kwargs)


class UnsafeRequest(BadRequest):
    """A path or query with control characters."""

    description = "control characters in the request address"
    zh_message = "请求地址中含有不允许的字符，请检查链接是否完整"


def refuse_control_characters() -> None:
    """Before any view: a control character in the path or a query value is a 400."""
    if CONTROL_CHARS.search(request.path):
        raise UnsafeRequest()
    for key, value in request.args.items(multi=True):
        if CONTROL_CHARS.search(key) or CONTROL_CHARS.search(value):
            raise UnsafeRequest()


class BoundedStream(LimitedStream):
    """A body of unknown length (chunked): up to `limit` bytes read as usual, one byte more is a 413.

    Werkzeug's own max-length stream stops silently at the limit when read to the end, so an
    oversized JSON body arrived truncated (a 400 bad_json) and a form lost its last fields."""

    def __init__(self, stream: IO[bytes], limit: int):
        # One byte of headroom tells a body of exactly `limit` bytes from a longer one.
        super().__init__(stream, limit + 1, is_max=True)

    def readinto(self, b) -> int:
        """Read like LimitedStream; raise RequestEntityTooLarge once more than the maximum arrived."""
        size = super().readinto(b) or 0
        if self._pos >= self.limit:
            raise RequestEntityTooLarge()
        return size


class GuardedRequest(Request):
    """Flask's request with MAX_CONTENT_LENGTH enforced on chunked bodies as well."""

    @cached_property
    def stream(self) -> IO[bytes]:
        """The body stream; without Content-Length (chunked) bounded by max_content_length."""
        limit = self.max_content_length
        # A server sets wsgi.input_terminated when it ends the stream itself (gunicorn decodes chunks).
        if limit is not None and self.content_length is None and "wsgi.input_terminated" in self.environ:
            return BoundedStream(self.environ["wsgi.input"], limit)
        return super().stream


def init_app(app: Flask) -> None:
    """Install the request guards (register_config installs the JSON provider)."""
    app.request_class = GuardedRequest
    app.before_request(refuse_control_characters)
