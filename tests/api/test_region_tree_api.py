"""A contest whose regions are 盟市 → 旗县区: the contest payload, registering, the OpenAPI document."""

from __future__ import annotations

import json

import pytest

from quizapp.extensions import db
from quizapp.models import Participant
from tests.conftest import Api, contest_definition, sample_bank

REGIONS = {"通辽市": ["奈曼旗", "科尔沁区"], "呼和浩特市": []}


@pytest.fixture
def tree_api(app, client, clock):
    """The sample bank and a contest `tree` whose regions are the mapping REGIONS."""
    from quizapp.services.banks import import_bank_bytes
    from quizapp.services.contests import load_contest

    with app.app_context():
        import_bank_bytes(json.dumps(sample_bank()).encode(), "drug-law.json")
        load_contest(contest_definition(slug="tree", regions=REGIONS), clock.now)
    return Api(client, "tree")


def stored_region(app, participant_id: int) -> str:
    with app.app_context():
        return db.session.get(Participant, participant_id).region


def test_contest_keeps_flat_regions_and_adds_the_tree(tree_api):
    body = tree_api.client.get("/api/v1/contests/tree").get_json()
    assert body["regions"] == ["通辽市/奈曼旗", "通辽市/科尔沁区", "呼和浩特市"]
    assert body["region_tree"] == [{"name": "通辽市", "children": ["奈曼旗", "科尔沁区"]},
                                   {"name": "呼和浩特市", "children": []}]


def test_flat_contest_has_a_tree_without_children(api):
    body = api.client.get("/api/v1/contests/demo").get_json()
    assert body["regions"] == ["呼和浩特市", "包头市"]
    assert body["region_tree"] == [{"name": "呼和浩特市", "children": []}, {"name": "包头市", "children": []}]


def test_register_with_a_sub_region(app, tree_api):
    response = tree_api.register(region="通辽市/奈曼旗")
    assert response.status_code == 201, response.get_json()
    assert stored_region(app, response.get_json()["participant_id"]) == "通辽市/奈曼旗"


def test_sub_region_as_typed_is_normalised(app, tree_api):
    response = tree_api.register(phone="13900000001", region=" 通辽市 ／ 科尔沁区 ")
    assert response.status_code == 201, response.get_json()
    assert stored_region(app, response.get_json()["participant_id"]) == "通辽市/科尔沁区"


def test_top_level_without_sub_regions_is_accepted(app, tree_api):
    response = tree_api.register(phone="13900000002", region="呼和浩特市")
    assert response.status_code == 201
    assert stored_region(app, response.get_json()["participant_id"]) == "呼和浩特市"


@pytest.mark.parametrize("region, words", [("通辽市", "旗县区"), ("通辽市/库伦旗", "不在"), ("奈曼旗", "不在")])
def test_a_parent_alone_or_an_unknown_sub_region_is_a_field_error(tree_api, region, words):
    response = tree_api.register(region=region)
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"region"} and words in fields["region"]


def test_openapi_describes_region_tree(client):
    contest = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Contest"]
    tree = contest["properties"]["region_tree"]
    assert "region_tree" in contest["required"] and tree["type"] == "array"
    assert set(tree["items"]["required"]) == {"name", "children"}
    assert tree["items"]["properties"]["children"] == {"type": "array", "items": {"type": "string"}}
