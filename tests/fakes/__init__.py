"""Local stand-ins for outside HTTP APIs (Tencent Cloud SMS, WeChat 网页授权), served on 127.0.0.1 in a thread.

The real clients (the Tencent SDK, urllib) talk HTTP to them, so a test proves the request format."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Recorded:
    """One request as the fake server received it."""

    def __init__(self, method: str, path: str, headers: dict, body: bytes):
        self.method, self.path, self.headers, self.body = method, path, headers, body

    def json(self):
        """The body parsed as JSON."""
        return json.loads(self.body)


class FakeServer:
    """An HTTP server on a free loopback port; subclasses answer in `respond(recorded)` -> (status, headers, body)."""

    def __init__(self):
        self.requests: list[Recorded] = []
        self.delay = 0.0  # seconds to stall before answering (a timeout test)
        self._stop = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                recorded = Recorded(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
                fake.requests.append(recorded)
                if fake.delay:
                    fake._stop.wait(fake.delay)
                status, headers, body = fake.respond(recorded)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            do_GET = do_POST = _handle

            def log_message(self, format, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """http://127.0.0.1:PORT"""
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def respond(self, recorded: Recorded) -> tuple[int, dict, bytes]:
        """The answer to one request."""
        raise NotImplementedError

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def json_answer(payload: object, status: int = 200, content_type: str = "application/json") -> tuple[int, dict, bytes]:
    """A JSON answer in the (status, headers, body) form respond() returns."""
    return status, {"Content-Type": content_type}, json.dumps(payload, ensure_ascii=False).encode()
