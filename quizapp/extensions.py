"""Extension objects, created unbound; create_app binds them."""

from flask import current_app, has_app_context
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# A naming convention gives migrations stable constraint names on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base sharing the naming-convention metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class _PerApp:
    """An attribute of PerAppLimiter kept in the current app's extensions, not on the object."""

    def __set_name__(self, owner, name):
        self.name = name

    def _state(self, limiter) -> dict | None:
        if limiter.__dict__.get("_binding") is not None:
            return limiter.__dict__["_binding"]
        return current_app.extensions.get("limiter_state") if has_app_context() else None

    def __get__(self, limiter, owner=None):
        if limiter is None:
            return self
        state = self._state(limiter)
        return state[self.name] if state and self.name in state else limiter.__dict__.get(self.name)

    def __set__(self, limiter, value):
        state = self._state(limiter)
        if state is None:
            limiter.__dict__[self.name] = value
        else:
            state[self.name] = value


class PerAppLimiter(Limiter):
    """Flask-Limiter keeps its on/off switch and storage on the one extension object, so the
    app initialised last would govern every app in the process; keep them per app instead."""

    enabled = _PerApp()
    _storage = _PerApp()
    _limiter = _PerApp()
    _storage_dead = _PerApp()

    def init_app(self, app) -> None:
        """Bind to `app`, recording the switch and storage in app.extensions."""
        self._binding = app.extensions.setdefault("limiter_state", {})
        try:
            super().init_app(app)
        finally:
            self._binding = None


def _remote_address() -> str:
    from flask import request

    return request.remote_addr or "unknown"


# Request-scoped sessions: objects stay usable after commit instead of re-reading every column.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# No X-RateLimit-* headers: they cost one more Redis round trip on every limited request. A refused
# request still says when to come back (Retry-After, set by web/admission.py).
limiter = PerAppLimiter(key_func=_remote_address, headers_enabled=False)
