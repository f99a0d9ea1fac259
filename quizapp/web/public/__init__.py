"""Participant pages at /c/<slug> (mobile first, server-rendered)."""

from flask import Blueprint

bp = Blueprint("public", __name__)

# Each module registers its routes on import: among them 长辈模式 (elder), 练习模式 (practice),
# 申请删除个人信息 (privacy) and the SMS-code and WeChat pages (identity).
from . import channels, device, elder, filters, identity, landing, play, practice, privacy, record, winners  # noqa: E402,F401,I001
