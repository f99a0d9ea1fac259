"""Regions 盟市 → 旗县区 in the console: the textarea's round trip, errors, and the downloaded definition."""

from __future__ import annotations

import io
import json

import pytest

from quizapp.domain.contest_form import definition_from_form, form_errors, form_values
from tests.admin.contests_helpers import contest_row, dumps, field_error, page_form
from tests.admin.test_contests_form import new_contest_form
from tests.conftest import contest_definition

MAPPING = {"通辽市": ["奈曼旗", "科尔沁区"], "呼和浩特市": []}
LINES = "通辽市/奈曼旗\n通辽市/科尔沁区\n呼和浩特市"


def test_form_round_trip_gives_back_the_mapping():
    values = form_values({"regions": MAPPING})
    assert values["regions"] == LINES
    built = definition_from_form(values)
    assert built.definition["regions"] == MAPPING and not built.errors


def test_flat_regions_stay_a_list():
    built = definition_from_form(form_values({"regions": ["呼和浩特市", "包头市"]}))
    assert built.definition["regions"] == ["呼和浩特市", "包头市"]


def test_lines_as_typed_become_the_mapping():
    typed = "通辽市\n 通辽市 ／ 奈曼旗 \n\n呼和浩特市\n通辽市/科尔沁区\n"
    assert definition_from_form({"regions": typed}).definition["regions"] == MAPPING


def test_a_repeated_top_level_line_is_a_form_error():
    built = definition_from_form({"regions": "包头市\n包头市\n通辽市/奈曼旗"})
    assert built.errors == {"regions": "地区重复：包头市"}


def test_mapping_error_paths_land_on_the_regions_field():
    built = definition_from_form({"regions": "通辽市/奈曼旗\n通辽市/奈曼旗"})
    assert built.definition["regions"] == {"通辽市": ["奈曼旗", "奈曼旗"]}  # kept, for the parser to name
    assert form_errors({"regions.通辽市[1]": "地区重复：奈曼旗", "regions.包头市": "必须是列表"}, built) == {
        "regions": "地区重复：奈曼旗；必须是列表"}


def test_create_a_hierarchical_contest_through_the_form(console, contest, app):
    client = console("organizer")
    response = client.post("/admin/contests/new", data=new_contest_form(client, regions=LINES.replace("\n", "\r\n")))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert contest_row(app, "spring")["regions"] == ["通辽市/奈曼旗", "通辽市/科尔沁区", "呼和浩特市"]
    # The edit page shows one line per region, and posting it unchanged keeps the regions.
    form = page_form(client, "/admin/contests/spring/edit")
    assert form["regions"] == [LINES]
    assert client.post("/admin/contests/spring/edit", data=form).status_code == 302
    assert contest_row(app, "spring")["regions"] == ["通辽市/奈曼旗", "通辽市/科尔沁区", "呼和浩特市"]


@pytest.mark.parametrize("typed, words", [
    ("通辽市/奈曼旗\n通辽市/奈曼旗", "地区重复：奈曼旗"),
    ("通辽市/奈曼旗/大沁他拉镇", "“/”"),
    ("/奈曼旗", "不能为空"),
])
def test_bad_region_lines_are_shown_beside_the_textarea(console, contest, app, typed, words):
    client = console("organizer")
    response = client.post("/admin/contests/new", data=new_contest_form(client, regions=typed))
    assert response.status_code == 422
    assert words in field_error(response.get_data(as_text=True), "regions")
    assert contest_row(app, "spring") is None


def test_download_writes_the_mapping_and_upload_takes_it_back(console, contest, app):
    client = console("organizer")
    uploaded = client.post("/admin/contests/upload", data={"file": (_file(contest_definition("tree", regions=MAPPING)),
                                                                   "tree.json")}, content_type="multipart/form-data")
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)[:2000]
    definition = json.loads(client.get("/admin/contests/tree/definition.json").get_data(as_text=True))
    assert definition["regions"] == MAPPING
    assert list(definition["regions"]) == ["通辽市", "呼和浩特市"]  # the order written is kept
    flat = json.loads(client.get("/admin/contests/demo/definition.json").get_data(as_text=True))
    assert flat["regions"] == ["呼和浩特市", "包头市"]


def _file(definition: dict) -> io.BytesIO:
    return io.BytesIO(dumps(definition))
