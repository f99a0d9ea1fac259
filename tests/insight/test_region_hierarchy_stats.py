"""Statistics roll up 旗县区 into their 盟市, and a 盟市 account sees its whole 盟市."""

from __future__ import annotations

import pytest

from tests.conftest import Api, contest_definition
from tests.insight.support import ALL, play


@pytest.fixture
def tree_contest(app, contest, clock):
    from quizapp.services.contests import load_contest

    with app.app_context():
        load_contest(contest_definition("tree", regions={"通辽市": ["奈曼旗", "科尔沁区"], "包头市": []}), clock.now)
    return "tree"


def test_levels_roll_up_and_scope_covers_the_sub_regions(app, tree_contest, clock, console):
    client = app.test_client()
    for phone, region, right in (("13700000001", "通辽市/奈曼旗", ALL), ("13700000002", "通辽市/科尔沁区", set()),
                                 ("13700000003", "包头市", ALL)):
        person = Api(client, tree_contest)
        assert person.register(phone, "赵六", region).status_code == 201
        play(person, clock, right)
    body = console("organizer").get(f"/admin/contests/{tree_contest}/stats.json").get_json()
    top = {row["region"]: row for row in body["by_region_top"]}
    assert (top["通辽市"]["participants"], top["通辽市"]["finished"], top["通辽市"]["average_score"]) == (2, 2, 25.0)
    assert {row["region"] for row in body["by_region"]} == {"通辽市/奈曼旗", "通辽市/科尔沁区", "包头市"}
    scoped = console("organizer", region="通辽市").get(f"/admin/contests/{tree_contest}/stats.json").get_json()
    assert scoped["totals"]["participants"] == 2
    assert {row["region"] for row in scoped["by_region"]} == {"通辽市/奈曼旗", "通辽市/科尔沁区"}
