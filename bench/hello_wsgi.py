"""A bare WSGI app, served by the same gunicorn settings as quizapp: the ceiling of the stack itself.

When /healthz of quizapp comes close to this, the app's own per-request overhead is small; when this
one is far above every endpoint, wrk is not what limits the figures."""

BODY = b'{"status":"ok"}'


def app(environ, start_response):
    """Answer every request with a fixed JSON body."""
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))])
    return [BODY]
