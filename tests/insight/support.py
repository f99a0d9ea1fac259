"""A small contest with known activity, played through the participant API.

The sample bank (tests/conftest.py) makes every answer predictable from the stem, so each
participant's score, and so every figure of the statistics, is known in advance.
"""

from __future__ import annotations

import re

from tests.conftest import Api

_SINGLE = re.compile(r"单选题 (\d+)$")
_JUDGE = re.compile(r"判断题 (\d+)$")
_SINGLE_TEXTS = "甲乙丙丁"


def right_texts(question: dict) -> set[str]:
    """The option texts that answer a sample-bank question correctly."""
    stem = question["stem"]
    if match := _SINGLE.search(stem):
        index = int(match.group(1))
        return {f"{_SINGLE_TEXTS[index % 4]}{index}"}
    if match := _JUDGE.search(stem):
        return {"正确" if int(match.group(1)) % 2 else "错误"}
    return {"一", "三"}


def answers_for(questions: list[dict], right_types: set[str]) -> dict[str, list[str]]:
    """Right answers for questions of `right_types`, a wrong first option otherwise."""
    sheet = {}
    for question in questions:
        right = right_texts(question)
        if question["type"] in right_types:
            sheet[question["id"]] = [o["id"] for o in question["options"] if o["text"] in right]
        else:
            sheet[question["id"]] = [next(o["id"] for o in question["options"] if o["text"] not in right)]
    return sheet


def play(api: Api, clock, right_types: set[str], seconds: int = 120) -> dict:
    """Start a round, answer it (right for `right_types`), wait `seconds` and submit; returns the result."""
    started = api.start()
    assert started.status_code in (200, 201), started.get_json()
    body = started.get_json()
    clock.advance(seconds=seconds)
    result = api.submit(body["attempt_id"], answers_for(body["questions"], right_types))
    assert result.status_code == 200, result.get_json()
    return result.get_json()


ALL = {"single", "multiple", "judge"}


def known_activity(client, slug: str, clock) -> dict:
    """Four participants: P1 50 points (包头市, poster1), P2 0 then 40 (呼和浩特市, no channel),
    P3 registered only (包头市), P4 a round still running (包头市, poster1). Returns their tokens."""
    p1, p2, p3, p4 = (Api(client, slug) for _ in range(4))
    p1.register("13800000001", "张一", "包头市", channel="poster1")
    p2.register("13800000002", "欧阳二二", "呼和浩特市")
    p3.register("13800000003", "张三", "包头市")
    p4.register("13800000004", "李四", "包头市", channel="poster1")
    assert play(p1, clock, ALL)["score"] == 50
    assert play(p2, clock, set())["score"] == 0
    assert play(p2, clock, {"single", "multiple"})["score"] == 40
    assert p4.start().status_code == 201
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4}
