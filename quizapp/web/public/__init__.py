"""Participant pages at /c/<slug> (mobile first, server-rendered)."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from . import channels, device, filters, landing, play, record, winners  # noqa: E402,F401  (routes register on import)
from . import privacy  # noqa: E402,F401  (申请删除个人信息: routes register on import)
from . import elder  # noqa: E402,F401  (长辈模式 switch: route, template helper and Vary on import)
from . import practice as practice_routes  # noqa: E402,F401  (练习模式: routes register on import)
