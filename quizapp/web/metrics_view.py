"""/metrics in Prometheus text format: off unless METRICS_ENABLED, then only for the scraper.

The scraper proves itself with `Authorization: Bearer <METRICS_TOKEN>` or by calling from an address in
METRICS_ALLOW (addresses or networks, comma-separated). With neither configured, only this host
(loopback) may read it. Anyone else gets the plain 404 that a disabled endpoint gives.
"""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST

from .. import metrics

bp = Blueprint("metrics", __name__)

LOOPBACK = "127.0.0.0/8, ::1"


def allowed_networks(setting: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Parse METRICS_ALLOW ("10.0.0.5, 192.168.1.0/24"); a malformed entry raises ValueError."""
    return [ipaddress.ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip()]


def _address_allowed(address: str | None, setting: str) -> bool:
    if not address:
        return False
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(client in network for network in allowed_networks(setting))


def _token_matches(expected: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(expected) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), expected)


def scraper_allowed(config) -> bool:
    """True when the request carries the metrics token or comes from an allowed address."""
    token, allow = config.get("METRICS_TOKEN", ""), config.get("METRICS_ALLOW", "")
    if _token_matches(token):
        return True
    if token and not allow:
        return False  # a token is configured and is the only way in
    return _address_allowed(request.remote_addr, allow or LOOPBACK)


@bp.get("/metrics")
def metrics_endpoint():
    """Every counter and histogram, summed over the workers."""
    if not current_app.config.get("METRICS_ENABLED") or not scraper_allowed(current_app.config):
        abort(404)
    return Response(metrics.exposition(), content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
