"""Settings read from the environment (CONTRACT §5); every one is optional for a local run."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _per_second(name: str, default: int) -> int:
    """A per-second budget: unset gives the default; empty or 0 switches it off."""
    value = os.environ.get(name)
    if value is None:
        return default
    return max(int(value.strip() or 0), 0)


def secret_key_source(instance_path: Path) -> str:
    """Where load_secret_key takes the key from: "env", "file" (instance/secret_key) or "new"."""
    if os.environ.get("SECRET_KEY"):
        return "env"
    return "file" if (instance_path / "secret_key").exists() else "new"


def load_secret_key(instance_path: Path) -> str:
    """Use SECRET_KEY from the environment, else one generated once into instance/."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Written with owner-only permissions: the key signs every session cookie.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _engine_options(url: str) -> dict:
    """Engine options; DATABASE_PREPARED_STATEMENTS=0 behind PgBouncer in transaction mode, where the
    next transaction may run on a server connection that lacks a statement psycopg prepared."""
    options: dict = {"pool_pre_ping": True}
    if url.startswith("postgresql") and not _bool("DATABASE_PREPARED_STATEMENTS", True):
        options["connect_args"] = {"prepare_threshold": None}
    return options


_IDENTITY_TEXT = {"IDENTITY_VERIFICATION": "none", "SMS_PROVIDER": "log", "SMS_SECRET_ID": "", "SMS_SECRET_KEY": "",
                  "SMS_SDK_APP_ID": "", "SMS_SIGN_NAME": "", "SMS_TEMPLATE_ID": "", "SMS_TEMPLATE_PARAMS": "code,minutes",
                  "SMS_REGION": "ap-guangzhou", "SMS_ENDPOINT": "", "WECHAT_APP_ID": "", "WECHAT_APP_SECRET": "",
                  "WECHAT_API_BASE": "https://api.weixin.qq.com"}
_IDENTITY_NUMBERS = {"SMS_TIMEOUT": 5, "SMS_CODE_TTL_SECONDS": 300, "SMS_CODE_MAX_TRIES": 5,
                     "SMS_LIMIT_INTERVAL_SECONDS": 60, "SMS_LIMIT_PER_PHONE_HOUR": 5,
                     "SMS_LIMIT_PER_ADDRESS_HOUR": 1000, "SMS_DAILY_LIMIT": 0, "WECHAT_TIMEOUT": 5}


def identity_settings() -> dict:
    """The optional stronger identity (issue 12; README "Stronger identity"): mode, SMS and WeChat."""
    settings: dict = {name: os.environ.get(name, default) for name, default in _IDENTITY_TEXT.items()}
    settings.update({name: float(os.environ.get(name) or default) if name.endswith("TIMEOUT")
                     else int(os.environ.get(name) or default) for name, default in _IDENTITY_NUMBERS.items()})
    if "SMS_LOG_CODE" in os.environ:  # unset, the log provider shows codes exactly when DEBUG is on
        settings["SMS_LOG_CODE"] = _bool("SMS_LOG_CODE", False)
    return settings


def settings_from_env(instance_path: Path) -> dict:
    """Build the Flask config mapping from environment variables."""
    default_db = f"sqlite:///{instance_path / 'quizapp.sqlite3'}"
    redis_url = os.environ.get("REDIS_URL", "")
    return {
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", default_db),
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(os.environ.get("DATABASE_URL", "")),
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # Redis down must never cost a participant the round: count in process memory meanwhile
        # (Flask-Limiter logs one warning) and give up on Redis quickly rather than hang the request.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5} if redis_url else {},
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_PER_IP": os.environ.get("RATELIMIT_PER_IP", "3000 per minute"),
        "RATELIMIT_PER_PHONE": os.environ.get("RATELIMIT_PER_PHONE", "10 per minute"),
        "RATELIMIT_PER_TOKEN": os.environ.get("RATELIMIT_PER_TOKEN", "240 per minute"),
        # Launch-spike admission: registrations and round starts per second for the whole cluster
        # (one shared counter in Redis); 0 or empty switches the budget off.
        "ADMISSION_REGISTER_PER_SECOND": _per_second("ADMISSION_REGISTER_PER_SECOND", 200),
        "ADMISSION_START_PER_SECOND": _per_second("ADMISSION_START_PER_SECOND", 200),
        # A participant's token works until the contest's end plus this many days for the draw, plus the
        # contest's 公示 days: then 我的成绩 and the winners' checks are over and the token is refused.
        "TOKEN_DRAW_PERIOD_DAYS": int(os.environ.get("TOKEN_DRAW_PERIOD_DAYS", "30")),
        # 练习模式 shows answers: per address, answers and new rounds are limited (it must not read a bank out fast).
        "PRACTICE_RATELIMIT_ANSWER": os.environ.get("PRACTICE_RATELIMIT_ANSWER", "120 per minute;2000 per hour"),
        "PRACTICE_RATELIMIT_ROUND": os.environ.get("PRACTICE_RATELIMIT_ROUND", "30 per minute;300 per hour"),
        "QUESTION_CACHE_SECONDS": float(os.environ.get("QUESTION_CACHE_SECONDS", "60")),
        "LEADERBOARD_CACHE_SECONDS": float(os.environ.get("LEADERBOARD_CACHE_SECONDS", "10")),
        # The landing page as a first-time visitor sees it (no personal data; the CSRF token is filled
        # in per request): an organizer's change to the contest shows after this many seconds.
        "LANDING_CACHE_SECONDS": float(os.environ.get("LANDING_CACHE_SECONDS", "5")),
        "POOL_CACHE_SECONDS": float(os.environ.get("POOL_CACHE_SECONDS", "30")),
        "STATS_CACHE_SECONDS": float(os.environ.get("STATS_CACHE_SECONDS", "15")),
        # Retry-After on the 503 answered while the database is unreachable or read-only, and on /readyz.
        "DB_RETRY_AFTER_SECONDS": int(os.environ.get("DB_RETRY_AFTER_SECONDS", "5")),
        "IMPORT_MAX_BYTES": int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024))),
        "IMPORT_MAX_ROWS": int(os.environ.get("IMPORT_MAX_ROWS", "20000")),
        # Empty: QR codes made for a web request point at the host it came to; the CLI warns.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", ""),
        # How many reverse proxies in front set X-Forwarded-For/-Proto/-Host (0: trust none).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(16 * 1024 * 1024))),
        "ADMIN_IDLE_MINUTES": float(os.environ.get("ADMIN_IDLE_MINUTES", "30")),
        "ADMIN_SESSION_HOURS": float(os.environ.get("ADMIN_SESSION_HOURS", "12")),
        "ADMIN_LOGIN_PER_USERNAME": int(os.environ.get("ADMIN_LOGIN_PER_USERNAME", "10")),
        "ADMIN_LOGIN_PER_ADDRESS": int(os.environ.get("ADMIN_LOGIN_PER_ADDRESS", "100")),
        "IMPORT_UPLOAD_MINUTES": float(os.environ.get("IMPORT_UPLOAD_MINUTES", "60")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "JSON_AS_ASCII": False,
        # Operations (README "Deploying"): backups, `flask doctor`, request logs and /metrics.
        "BACKUP_DIR": os.environ.get("BACKUP_DIR", str(instance_path / "backups")),
        # gunicorn workers per server, as deploy/gunicorn.conf.py reads it (default 2 there too).
        "WEB_CONCURRENCY": int(os.environ.get("WEB_CONCURRENCY", "2")),
        "APP_SERVERS": int(os.environ.get("APP_SERVERS", "1")),
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),
        "METRICS_ENABLED": _bool("METRICS_ENABLED", False),
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN", ""),
        # Addresses or networks allowed to read /metrics without the token (comma-separated).
        "METRICS_ALLOW": os.environ.get("METRICS_ALLOW", ""),
        **identity_settings(),
    }
