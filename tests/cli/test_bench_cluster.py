"""bench/cluster.py serves the deployment's own nginx file, made local: check what it changes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import cluster  # noqa: E402


def test_the_local_site_keeps_the_deployment_and_drops_only_tls(tmp_path):
    site = cluster.local_site(18080, [18001, 18002], tmp_path)
    deployed = cluster.SITE.read_text()
    assert "ssl_certificate" not in site and "listen 443" not in site and "return 301" not in site
    assert "listen 127.0.0.1:18080;" in site
    assert "server 127.0.0.1:18001;" in site and "server 127.0.0.1:18002;" in site
    assert "127.0.0.1:8000" not in site and "/srv/quizapp" not in site
    # What the benchmark is meant to measure stays as deployed.
    for kept in ("gzip on;", "immutable", "proxy_set_header X-Request-Id $request_id;", "log_format quizapp"):
        assert kept in deployed and kept in site


def test_a_deployment_file_the_cluster_cannot_adapt_stops_it(tmp_path, monkeypatch):
    changed = tmp_path / "nginx.conf"
    changed.write_text(cluster.SITE.read_text().replace("listen 443 ssl http2;", "listen 443 quic;"))
    monkeypatch.setattr(cluster, "SITE", changed)
    with pytest.raises(SystemExit, match="listen 443"):
        cluster.local_site(18080, [18001], tmp_path)


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx not installed (make bench-deps)")
def test_nginx_accepts_the_local_configuration(tmp_path):
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / kind).mkdir()
    (tmp_path / "site.conf").write_text(cluster.local_site(18080, [18001, 18002], tmp_path))
    (tmp_path / "nginx.conf").write_text(cluster.nginx_main(tmp_path))
    checked = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
