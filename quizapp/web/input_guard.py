"""Refuse hostile input before it reaches a view or the database: control characters in the path
or query (PostgreSQL rejects a NUL in any text parameter), and JSON nested beyond a limit."""

from __future__ import annotations

import re

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

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


def init_app(app: Flask) -> None:
    """Install the request guard (register_config installs the JSON provider)."""
    app.before_request(refuse_control_characters)
