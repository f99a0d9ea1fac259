"""Which address a QR code or short URL carries (CONTRACT §1): PUBLIC_BASE_URL when it is set,
else the scheme and host a web request came to; a code that only this machine can open is dead
on paper, so loopback addresses are recognised and warned about."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

# Where the CLI points when nothing is configured (a local `make run`), always with a warning.
CLI_FALLBACK = "http://127.0.0.1:8000"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def choose_base_url(configured: str | None, request_root: str | None) -> str:
    """The configured base URL if any, else the request's root, else the CLI fallback; no trailing slash."""
    for candidate in (configured, request_root):
        if candidate and candidate.strip():
            return candidate.strip().rstrip("/")
    return CLI_FALLBACK


def is_loopback(base_url: str) -> bool:
    """Whether the URL's host is this machine only (127.0.0.0/8, ::1, localhost, 0.0.0.0)."""
    host = (urlsplit(base_url).hostname or "").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def cli_warning(configured: str | None) -> str | None:
    """What the CLI prints on stderr before writing a code: None when the address is usable."""
    if not (configured or "").strip():
        return (f"警告：未设置 PUBLIC_BASE_URL，二维码将指向 {CLI_FALLBACK}，只有本机能打开，印出来扫不开。"
                "请设置 PUBLIC_BASE_URL=https://你的域名 后重新生成。")
    if is_loopback(configured):
        return (f"警告：PUBLIC_BASE_URL={configured.strip()} 是本机地址，手机扫码打不开。"
                "请改为参赛者能访问的域名或地址后重新生成。")
    return None
