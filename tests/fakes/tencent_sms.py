"""A fake of Tencent Cloud's SMS API (SendSms, version 2021-01-11) that checks the TC3-HMAC-SHA256 signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import UTC, datetime

from . import FakeServer, Recorded, json_answer

_AUTH = re.compile(r"^TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/sms/tc3_request, "
                   r"SignedHeaders=content-type;host, Signature=([0-9a-f]{64})$")


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tc3_signature(secret_key: str, recorded: Recorded, date: str) -> str:
    """The signature Tencent's server expects for this POST, computed from Tencent's published algorithm."""
    headers = {k.lower(): v for k, v in recorded.headers.items()}
    canonical = "\n".join(["POST", "/", "", f"content-type:{headers['content-type']}\nhost:{headers['host']}\n",
                           "content-type;host", hashlib.sha256(recorded.body).hexdigest()])
    scope = f"{date}/sms/tc3_request"
    to_sign = "\n".join(["TC3-HMAC-SHA256", headers["x-tc-timestamp"], scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), "sms"), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class FakeTencentSms(FakeServer):
    """Accepts SendSms signed with one known key pair; `status_code` or `api_error` make it refuse."""

    def __init__(self, secret_id: str = "AKIDfake", secret_key: str = "fake-secret-key"):
        super().__init__()
        self.secret_id, self.secret_key = secret_id, secret_key
        self.status_code = "Ok"  # per-number outcome, e.g. "LimitExceeded.PhoneNumberDailyLimit"
        self.api_error: tuple[str, str] | None = None  # a refused call, e.g. ("AuthFailure.SecretIdNotFound", …)
        self.http_status = 200
        self.sent: list[dict] = []

    def _error(self, code: str, message: str):
        return json_answer({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "req-error-1"}})

    def _auth_error(self, recorded: Recorded) -> tuple[str, str] | None:
        headers = {k.lower(): v for k, v in recorded.headers.items()}
        if headers.get("x-tc-action") != "SendSms" or headers.get("x-tc-version") != "2021-01-11":
            return "InvalidAction", "unexpected action or version"
        match = _AUTH.match(headers.get("authorization", ""))
        if not match or match.group(1) != self.secret_id:
            return "AuthFailure.SecretIdNotFound", "unknown secret id"
        stamp = datetime.fromtimestamp(int(headers["x-tc-timestamp"]), UTC).strftime("%Y-%m-%d")
        if stamp != match.group(2) or not hmac.compare_digest(tc3_signature(self.secret_key, recorded, stamp),
                                                             match.group(3)):
            return "AuthFailure.SignatureFailure", "signature mismatch"
        return None

    def respond(self, recorded: Recorded):
        """Check the call as Tencent would, then answer with a SendStatusSet (or an Error)."""
        if self.http_status != 200:
            return self.http_status, {"Content-Type": "text/html"}, b"<html>bad gateway</html>"
        refused = self._auth_error(recorded) or self.api_error
        if refused:
            return self._error(*refused)
        body = json.loads(recorded.body)
        self.sent.append(body)
        statuses = [{"SerialNo": f"serial-{len(self.sent)}", "PhoneNumber": number, "Fee": 1, "SessionContext": "",
                     "Code": self.status_code,
                     "Message": "send success" if self.status_code == "Ok" else f"refused {number}",
                     "IsoCode": "CN"} for number in body.get("PhoneNumberSet", [])]
        return json_answer({"Response": {"SendStatusSet": statuses, "RequestId": f"req-{len(self.sent)}"}})
