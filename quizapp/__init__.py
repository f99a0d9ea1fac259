"""quizapp: the 药品安全网络知识竞赛 web application."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from .config import load_secret_key, secret_key_source, settings_from_env

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error handlers, CLI."""
    app = Flask(__name__, instance_path=str(ROOT / "instance"),
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    register_config(app, config or {})
    register_identity(app)
    register_request_log(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)
    trust_proxies(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take scheme, host, port and client address from
    their X-Forwarded-* headers; with none (the default) such headers are ignored, as a client
    could forge them."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def register_config(app: Flask, overrides: dict) -> None:
    """Environment settings first, then explicit overrides (tests, scripts)."""
    app.config.update(settings_from_env(Path(app.instance_path)))
    app.config.update(overrides)
    # A database error's message must not carry the row it was writing (a phone, a name) into the log.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"hide_parameters": True, **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        # A file cannot drop a connection: pinging it would only add a statement to every request.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] = False
    if app.config.get("SECRET_KEY"):
        app.config.setdefault("SECRET_KEY_SOURCE", "config")  # given by a test or script
    else:
        # Recorded for `flask doctor`: a key generated here differs on every server.
        app.config["SECRET_KEY_SOURCE"] = secret_key_source(Path(app.instance_path))
        app.config["SECRET_KEY"] = load_secret_key(Path(app.instance_path))
    from .web.input_guard import DepthLimitedJSONProvider

    app.json = DepthLimitedJSONProvider(app)
    app.json.ensure_ascii = False
    app.json.sort_keys = False  # key order is the contract's, and sorting costs on every response


def register_identity(app: Flask) -> None:
    """Refuse to start with an unknown IDENTITY_VERIFICATION or a mode that lacks its settings."""
    from .services.verification import check_settings

    app.config["IDENTITY_VERIFICATION"] = check_settings(app.config)


def register_request_log(app: Flask) -> None:
    """Log output, request ids and the per-request metrics, installed before any other hook."""
    from .web import request_log

    request_log.init_app(app)


def register_extensions(app: Flask) -> None:
    """Bind the unbound extension objects to this app."""
    from . import database, metrics  # noqa: F401  (SQLite connection settings; driver errors counted)
    from .extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)

    @app.teardown_appcontext
    def _close_autocommit(_exc=None):
        # Runs before Flask-SQLAlchemy removes the session (teardowns run last-registered first).
        if db.session.registry.has():
            database.close_autocommit(db.session)

    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from .services.question_cache import questions

    questions.ttl = float(app.config["QUESTION_CACHE_SECONDS"])


def register_blueprints(app: Flask) -> None:
    """API, participant pages, the organizer console and security headers."""
    from .web import admission, input_guard, security, static_assets
    from .web.admin import bp as admin_bp
    from .web.api import bp as api_bp
    from .web.health import bp as health_bp
    from .web.metrics_view import bp as metrics_bp
    from .web.public import bp as public_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(metrics_bp)
    security.init_app(app)
    input_guard.init_app(app)
    admission.init_app(app)  # the 429/503 waiting screen (排队中) and an honest Retry-After
    static_assets.init_app(app)


def register_error_handlers(app: Flask) -> None:
    """One handler set: JSON envelopes for the API, Chinese pages otherwise."""
    from .web import errors

    errors.init_app(app)


def register_cli(app: Flask) -> None:
    """The `flask bank|contest|user ...` commands."""
    from . import cli

    cli.init_app(app)
