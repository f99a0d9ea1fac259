"""A fake of WeChat's sns/oauth2/access_token (网页授权 code exchange) with WeChat's own error answers."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from . import FakeServer, Recorded, json_answer


class FakeWechat(FakeServer):
    """Knows one official account; `codes` maps each one-time code it issued to an openid."""

    def __init__(self, app_id: str = "wxfakeappid0001", app_secret: str = "fake-app-secret"):
        super().__init__()
        self.app_id, self.app_secret = app_id, app_secret
        self.codes: dict[str, str] = {}
        self.snapshot_codes: set[str] = set()
        self.used: set[str] = set()
        self.http_status = 200
        self.raw_body: bytes | None = None

    def issue(self, code: str, openid: str, snapshot: bool = False) -> str:
        """Make `code` exchangeable (once) for `openid`, as WeChat's redirect would."""
        self.codes[code] = openid
        if snapshot:
            self.snapshot_codes.add(code)
        return code

    def _answer(self, query: dict) -> dict:
        if query.get("appid") != self.app_id:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if query.get("secret") != self.app_secret:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        if query.get("grant_type") != "authorization_code":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        code = query.get("code", "")
        if code in self.used:
            return {"errcode": 40163, "errmsg": "code been used"}
        if code not in self.codes:
            return {"errcode": 40029, "errmsg": "invalid code"}
        openid = self.codes.pop(code)  # a code works once; WeChat then answers 40163
        self.used.add(code)
        answer = {"access_token": "fake-access-token", "expires_in": 7200, "refresh_token": "fake-refresh",
                  "openid": openid, "scope": "snsapi_base"}
        if code in self.snapshot_codes:
            answer["is_snapshotuser"] = 1
        return answer

    def respond(self, recorded: Recorded):
        """Answer as WeChat does: always HTTP 200 with JSON (errors as errcode/errmsg), text/plain."""
        if self.http_status != 200:
            return self.http_status, {"Content-Type": "text/html"}, b"<html>error</html>"
        if self.raw_body is not None:
            return 200, {"Content-Type": "text/plain"}, self.raw_body
        parts = urlsplit(recorded.path)
        if recorded.method != "GET" or parts.path != "/sns/oauth2/access_token":
            return json_answer({"errcode": 40066, "errmsg": "invalid url"}, content_type="text/plain")
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        return json_answer(self._answer(query), content_type="text/plain")
