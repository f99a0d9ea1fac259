"""The registration page of a contest with 旗县区: one select with optgroups that works without JavaScript."""

from __future__ import annotations

import json
import re

import pytest

from quizapp.extensions import db
from quizapp.models import Participant
from tests.conftest import contest_definition, sample_bank
from tests.web.conftest import Player

REGIONS = {"呼和浩特市": [], "通辽市": ["奈曼旗", "科尔沁区"]}


@pytest.fixture
def tree_contest(app, clock):
    from quizapp.services.banks import import_bank_bytes
    from quizapp.services.contests import load_contest

    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(slug="tree", regions=REGIONS), clock.now)
    return "tree"


def region_select(html: str) -> str:
    match = re.search(r'<select[^>]*\bname="region"[^>]*>.*?</select>', html, re.S)
    assert match, "no region select"
    return match.group(0)


def test_one_select_groups_sub_regions_under_their_top_level(app, tree_contest):
    html = Player(app, tree_contest).client.get("/c/tree").get_data(as_text=True)
    select = region_select(html)
    assert select.count("<optgroup") == 1
    assert re.search(r'<optgroup label="通辽市"><option value="通辽市/奈曼旗">奈曼旗</option>'
                     r'<option value="通辽市/科尔沁区">科尔沁区</option></optgroup>', select)
    assert '<option value="呼和浩特市">呼和浩特市</option>' in select  # no sub-regions: a plain option
    assert select.index('value=""') < select.index("呼和浩特市") < select.index("通辽市")  # the order written
    assert '<label for="region">' in html
    assert "js/regions." in html  # js/regions.<hash>.js


def test_flat_contest_has_no_groups_and_no_script(app, contest):
    html = Player(app, contest).client.get("/c/demo").get_data(as_text=True)
    assert "<optgroup" not in region_select(html)
    assert "js/regions." not in html


def test_posting_the_select_value_registers_in_the_sub_region(app, tree_contest):
    who = Player(app, tree_contest)
    assert who.register(region="通辽市/科尔沁区").status_code == 302
    with app.app_context():
        assert db.session.execute(db.select(Participant.region)).scalar_one() == "通辽市/科尔沁区"


def test_a_top_level_alone_is_asked_for_its_sub_region(app, tree_contest):
    response = Player(app, tree_contest).register(region="通辽市")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="region-error">[^<]*请在“通辽市”下选择所在旗县区', html)
    assert 'aria-describedby="region-error"' in region_select(html)


def test_the_chosen_sub_region_stays_selected_after_another_error(app, tree_contest):
    response = Player(app, tree_contest).register(region="通辽市/奈曼旗", phone="123")
    assert response.status_code == 422
    assert '<option selected value="通辽市/奈曼旗">' in region_select(response.get_data(as_text=True))
