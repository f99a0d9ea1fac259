"""Static files under content-hashed names (css/site.3f2a1b9c.css), so that phones keep them for a year.

`url_for('static', filename='css/site.css')` yields the hashed name, and the static view maps it back
to the file. A name whose hash matches the file's bytes is served immutable. A stale or unknown hash
(a page rendered before a deploy and kept by WeChat's webview, or by another server mid-rollout) still
gets the current file, but cached only briefly. The plain name is revalidated as before.
"""

from __future__ import annotations

import hashlib
import os
import re

from flask import Flask, abort, current_app, send_from_directory
from werkzeug.security import safe_join

HASH_LENGTH = 8  # 32 bits tell apart the versions of one file; nginx's location regex uses the same length
LONG_MAX_AGE = 365 * 24 * 3600
# Long enough that one quiz session does not fetch the file again, short enough that a page served
# during a rolling deploy is styled right again within minutes.
STALE_MAX_AGE = 300
HASHED = re.compile(rf"^(?P<stem>.*[^/])\.(?P<digest>[0-9a-f]{{{HASH_LENGTH}}})(?P<suffix>\.[A-Za-z0-9]+)$")
SUFFIX = re.compile(r"[^/]\.[A-Za-z0-9]+$")


def plain_name(name: str) -> str:
    """The file name behind a hashed name (css/site.3f2a1b9c.css -> css/site.css); others unchanged."""
    match = HASHED.match(name)
    return match["stem"] + match["suffix"] if match else name


class StaticAssets:
    """Short content hashes of the static files, computed once per process and kept in a dict."""

    def __init__(self, app: Flask):
        self.app = app
        self._digests: dict[str, tuple[tuple[int, int], str]] = {}  # name -> ((mtime_ns, size), digest)

    def reloading(self) -> bool:
        """In development a file edited on disk must get a new name without a restart."""
        return bool(self.app.debug or self.app.config.get("TEMPLATES_AUTO_RELOAD"))

    def digest(self, name: str) -> str | None:
        """The short SHA-256 of a static file's bytes, or None when there is no such file."""
        cached = self._digests.get(name)
        if cached is not None and not self.reloading():
            return cached[1]  # production: a dict lookup, no stat
        path = safe_join(str(self.app.static_folder), name)
        try:
            info = os.stat(path) if path else None
        except OSError:
            info = None
        # A miss is never cached: the view looks up names taken from the request, and a dict that
        # grew with every invented name would be a way to exhaust memory.
        if info is None or not os.path.isfile(path):
            return None
        version = (info.st_mtime_ns, info.st_size)
        if cached is not None and cached[0] == version:
            return cached[1]
        with open(path, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()[:HASH_LENGTH]
        self._digests[name] = (version, digest)
        return digest

    def hashed_name(self, name: str) -> str:
        """css/site.css -> css/site.<hash>.css; a missing file or one without a suffix keeps its name."""
        match = SUFFIX.search(name)
        digest = self.digest(name) if match else None
        if digest is None:
            return name
        cut = match.start() + 1
        return f"{name[:cut]}.{digest}{name[cut:]}"

    def add_hash(self, endpoint: str, values: dict) -> None:
        """url_defaults hook: every url_for('static', filename=...) gets the hashed name."""
        if endpoint == "static" and isinstance(values.get("filename"), str):
            values["filename"] = self.hashed_name(values["filename"])

    def serve(self, filename: str):
        """The static view: a hashed name is served from its file, immutable when the hash is current."""
        app = current_app
        if filename == plain_name(filename) or self.digest(filename) is not None:
            return app.send_static_file(filename)  # the plain name (or a real file that looks hashed)
        match = HASHED.match(filename)
        name = plain_name(filename)
        current = self.digest(name)
        if current is None:
            abort(404)
        fresh = current == match["digest"]
        response = send_from_directory(str(app.static_folder), name, max_age=LONG_MAX_AGE if fresh else STALE_MAX_AGE)
        response.cache_control.immutable = fresh or None
        return response


def init_app(app: Flask) -> None:
    """Hash static URLs in url_for and let the static endpoint resolve hashed names."""
    if not app.has_static_folder:
        return
    assets = StaticAssets(app)
    app.extensions["static_assets"] = assets
    app.url_defaults(assets.add_hash)
    app.view_functions["static"] = assets.serve
