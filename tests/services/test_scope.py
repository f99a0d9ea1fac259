"""The region scope that the console's statistics and exports apply to participant queries."""

from __future__ import annotations

from quizapp.domain.permissions import EVERYWHERE, RegionScope
from quizapp.extensions import db
from quizapp.models import Participant
from quizapp.services.scope import within_scope
from quizapp.services.users import create_user, scope_of


def test_a_limited_scope_sees_only_its_region(app, api):
    api.register(phone="13800000001", name="甲", region="包头市")
    api.register(phone="13800000002", name="乙", region="呼和浩特市")
    api.register(phone="13800000003", name="丙", region="包头市")
    with app.app_context():
        query = db.select(Participant.name).order_by(Participant.name)
        everyone = db.session.execute(within_scope(query, EVERYWHERE)).scalars().all()
        baotou = db.session.execute(within_scope(query, RegionScope("包头市"))).scalars().all()
    assert sorted(everyone) == sorted(["甲", "乙", "丙"])
    assert sorted(baotou) == sorted(["甲", "丙"])


def test_an_account_region_becomes_its_scope(app):
    with app.app_context():
        limited = create_user("erin", "a good password", "staff", "包头市", actor="test")
        unlimited = create_user("fred", "a good password", "organizer", "  ", actor="test")
        assert scope_of(limited) == RegionScope("包头市") and scope_of(limited).limited
        assert scope_of(unlimited) == EVERYWHERE and unlimited.region is None
    assert RegionScope("包头市").admits("包头市") and not RegionScope("包头市").admits("呼和浩特市")
    assert EVERYWHERE.admits("任何地区")
