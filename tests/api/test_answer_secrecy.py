"""Nothing sent before submit reveals an answer (CONTRACT §1, DESIGN "Nothing leaks")."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from quizapp.services.banks import import_bank_bytes
from quizapp.services.contests import load_contest
from tests.conftest import Api, contest_definition, sample_bank
from tests.helpers import correct_answers


def walk_keys(value, path: str = ""):
    """Every (path, key) of a JSON document."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield f"{path}.{key}", key
            yield from walk_keys(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from walk_keys(inner, f"{path}[{index}]")


# --- nothing leaks before submit -----------------------------------------------------------

LEAKY_KEY = re.compile(r"answer|correct|right|solution|explanation|source|index|score|weight", re.IGNORECASE)


@pytest.fixture
def fair_contest(app, clock):
    """A bank whose every single question has answer A (unshuffled, the first option would win)."""
    bank = sample_bank("drug-law", singles=4, multiples=2, judges=2)
    for question in bank["questions"]:
        if question["type"] == "single":
            question["answer"] = "A"
    with app.app_context():
        import_bank_bytes(json.dumps(bank).encode(), "drug-law.json")
        load_contest(contest_definition("fair", attempts_per_day=40, max_attempts=40), clock.now)
    return "fair"


def test_start_reveals_no_answers(app, client, fair_contest):
    player = Api(client, fair_contest)
    player.register()
    started = player.start()
    assert started.status_code == 201
    payload = started.get_json()
    leaks = [path for path, key in walk_keys(payload) if LEAKY_KEY.search(key)]
    assert leaks == [], leaks
    for question in payload["questions"]:
        assert set(question) <= {"id", "type", "stem", "options", "points"}, question
        for option in question["options"]:
            assert set(option) == {"id", "text"}, option
    # The resumed attempt shows only the answers saved so far.
    resumed = player.start().get_json()
    leaks = [path for path, key in walk_keys(resumed) if LEAKY_KEY.search(key) and path != ".answers"]
    assert leaks == [], leaks
    assert resumed["answers"] == {}
    shown = player.show(payload["attempt_id"]).get_json()
    assert [path for path, key in walk_keys(shown) if LEAKY_KEY.search(key) and path != ".answers"] == []


def test_option_ids_and_correct_position_vary_between_attempts(app, client, fair_contest):
    player = Api(client, fair_contest)
    player.register()
    positions = Counter()
    option_ids_by_stem: dict[str, list[set[str]]] = {}
    for _ in range(30):
        started = player.start()
        assert started.status_code == 201, started.get_json()
        payload = started.get_json()
        correct = correct_answers(app, payload["attempt_id"])
        for question in payload["questions"]:
            ids = [option["id"] for option in question["options"]]
            option_ids_by_stem.setdefault(question["stem"], []).append(set(ids))
            # Ids are opaque: no letters, digits or positions that would hint at an order.
            assert all(len(oid) >= 6 for oid in ids), ids
            if question["type"] == "single":
                positions[ids.index(correct[question["id"]][0])] += 1
        assert player.submit(payload["attempt_id"]).status_code == 200
    # Every paper holds all 4 singles, so each stem was seen 30 times with fresh option ids.
    for stem, seen in option_ids_by_stem.items():
        all_ids = [oid for ids in seen for oid in ids]
        assert len(all_ids) == len(set(all_ids)), f"option ids repeat across attempts for {stem}"
    total = sum(positions.values())
    assert total == 120
    assert len(positions) == 4, positions  # the right answer turned up in every display position
    assert positions[0] < total * 0.5, positions


def test_question_ids_differ_between_attempts(client, fair_contest):
    player = Api(client, fair_contest)
    player.register()
    first = player.start().get_json()
    player.submit(first["attempt_id"])
    second = player.start().get_json()
    assert not {q["id"] for q in first["questions"]} & {q["id"] for q in second["questions"]}
