"""Regions as 盟市 → 旗县区: flattening, grouping, the round trip, reading a definition, registering."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from quizapp.domain.contest_def import parse_contest_definition
from quizapp.domain.errors import ValidationError
from quizapp.domain.participants import validate_registration
from quizapp.domain.regions import (
    REGION_SEPARATOR,
    as_definition,
    flatten,
    is_hierarchical,
    normalize,
    read_definition,
    split,
    tree,
)
from tests.unit.test_contest_def import example

NOW = datetime(2026, 11, 1, tzinfo=UTC)
MAPPING = {"通辽市": ["奈曼旗", "科尔沁区"], "呼和浩特市": []}
STORED = ("通辽市/奈曼旗", "通辽市/科尔沁区", "呼和浩特市")


def test_flatten_keeps_the_mapping_order_and_a_bare_top_level():
    assert REGION_SEPARATOR == "/"
    assert flatten(MAPPING) == STORED
    assert flatten({"呼和浩特市": [], "通辽市": ["奈曼旗"]}) == ("呼和浩特市", "通辽市/奈曼旗")
    assert flatten({}) == ()


def test_split_and_tree():
    assert split("通辽市/奈曼旗") == ("通辽市", "奈曼旗")
    assert split("呼和浩特市") == ("呼和浩特市", None)
    assert tree(STORED) == [("通辽市", ["奈曼旗", "科尔沁区"]), ("呼和浩特市", [])]
    # First-seen order of the top level, even when its sub-regions are not listed together.
    assert tree(["包头市", "通辽市/奈曼旗", "包头市/青山区"]) == [("包头市", ["青山区"]), ("通辽市", ["奈曼旗"])]
    assert tree(["呼和浩特市", "包头市"]) == [("呼和浩特市", []), ("包头市", [])]


def test_is_hierarchical():
    assert is_hierarchical(STORED)
    assert not is_hierarchical(["呼和浩特市", "包头市"])
    assert not is_hierarchical([])


def test_as_definition_round_trips():
    assert as_definition(STORED) == MAPPING
    assert flatten(as_definition(STORED)) == STORED
    assert as_definition(["呼和浩特市", "包头市"]) == ["呼和浩特市", "包头市"]
    # A hand-written list the mapping cannot give back exactly stays a list.
    for regions in (["通辽市", "通辽市/奈曼旗"], ["通辽市/奈曼旗", "包头市", "通辽市/科尔沁区"]):
        assert as_definition(regions) == regions


@pytest.mark.parametrize("typed, stored", [
    ("通辽市/奈曼旗", "通辽市/奈曼旗"), (" 通辽市 / 奈曼旗 ", "通辽市/奈曼旗"), ("通辽市／奈曼旗", "通辽市/奈曼旗"),
    ("  呼和浩特市 ", "呼和浩特市"),
])
def test_normalize(typed, stored):
    assert normalize(typed) == stored


def test_read_definition_accepts_a_list_as_before_and_a_mapping():
    assert read_definition(["呼和浩特市", " 包头市 "]) == (("呼和浩特市", "包头市"), {})
    assert read_definition({" 通辽市 ": [" 奈曼旗", "科尔沁区"], "呼和浩特市": []}) == (STORED, {})
    assert read_definition(None) == ((), {})


def errors_of(regions) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        parse_contest_definition(example(regions=regions), NOW)
    return caught.value.fields


def test_contest_definition_stores_a_mapping_flat():
    spec = parse_contest_definition(example(regions=MAPPING), NOW)
    assert spec.regions == STORED


@pytest.mark.parametrize("regions, path, words", [
    ({"通辽市": ["奈曼旗", "奈曼旗"]}, "regions.通辽市[1]", "地区重复"),
    ({"通辽市": ["奈曼旗", ""]}, "regions.通辽市[1]", "非空字符串"),
    ({"通辽市": ["奈曼旗", 3]}, "regions.通辽市[1]", "非空字符串"),
    ({"通辽市": ["奈曼/旗"]}, "regions.通辽市[0]", "“/”"),
    ({"通辽市": ["奈曼／旗"]}, "regions.通辽市[0]", "“/”"),
    ({"通辽/市": []}, "regions.通辽/市", "“/”"),
    ({"通辽市": "奈曼旗"}, "regions.通辽市", "列表"),
    ({"通辽市": None}, "regions.通辽市", "列表"),
    ({"": ["奈曼旗"]}, "regions", "不能为空"),
    ({"通辽市": [], " 通辽市": []}, "regions.通辽市", "地区重复"),
    ({"通辽市": ["旗" * 33]}, "regions.通辽市[0]", "不能超过 32 个字符"),
    ({"盟" * 32: ["旗" * 32]}, f"regions.{'盟' * 32}[0]", "不能超过 64 个字符"),
    ("通辽市", "regions", "字符串列表"),
])
def test_mapping_errors_name_their_path(regions, path, words):
    fields = errors_of(regions)
    assert set(fields) == {path}
    assert words in fields[path]


def registration(region):
    return {"name": "张三", "phone": "13812341234", "region": region, "consent": True}


@pytest.mark.parametrize("typed", ["通辽市/奈曼旗", " 通辽市 / 奈曼旗 ", "通辽市／奈曼旗"])
def test_registration_accepts_a_sub_region_as_typed(typed):
    assert validate_registration(registration(typed), STORED).region == "通辽市/奈曼旗"


def test_registration_accepts_a_top_level_without_sub_regions():
    assert validate_registration(registration("呼和浩特市"), STORED).region == "呼和浩特市"


@pytest.mark.parametrize("typed, words", [
    ("通辽市", "请在“通辽市”下选择所在旗县区"), (" 通辽市 ", "旗县区"),
    ("通辽市/库伦旗", "不在本次竞赛的地区列表中"), ("奈曼旗", "不在本次竞赛的地区列表中"),
])
def test_registration_refuses_a_bare_parent_and_unknown_sub_regions(typed, words):
    with pytest.raises(ValidationError) as caught:
        validate_registration(registration(typed), STORED)
    assert set(caught.value.fields) == {"region"}
    assert words in caught.value.fields["region"]


def test_a_flat_list_that_names_a_parent_itself_still_accepts_it():
    # Before the mapping existed such a list was accepted as written; it still is.
    assert validate_registration(registration("通辽市"), ["通辽市", "通辽市/奈曼旗"]).region == "通辽市"
