"""The shipped banks are teaching content: complete, sourced, explained, and importable as they are."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from quizapp.domain.importers import parse_bank
from quizapp.domain.questions import stem_key

BANKS = sorted((Path(__file__).resolve().parents[2] / "questions" / "banks").glob("*.json"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_at_least_300_questions_in_at_least_8_topics():
    questions = [q for path in BANKS for q in load(path)["questions"]]
    assert len(questions) >= 300
    assert len({q["category"] for q in questions}) >= 8


def test_type_mix_is_about_half_single_and_a_quarter_each_other():
    kinds = Counter(q["type"] for path in BANKS for q in load(path)["questions"])
    total = sum(kinds.values())
    assert 0.45 <= kinds["single"] / total <= 0.55
    assert 0.2 <= kinds["multiple"] / total <= 0.3 and 0.2 <= kinds["judge"] / total <= 0.3


@pytest.mark.parametrize("path", BANKS, ids=lambda p: p.stem)
def test_bank_imports_without_errors_or_warnings(path):
    result = parse_bank(path.read_bytes(), path.name)
    assert result.errors == [] and result.skipped == [] and result.warnings == []
    assert result.bank_name == path.stem and len(result.questions) == len(load(path)["questions"])


@pytest.mark.parametrize("path", BANKS, ids=lambda p: p.stem)
def test_every_question_teaches_and_names_its_source(path):
    for number, question in enumerate(load(path)["questions"], start=1):
        where = f"{path.name} 第 {number} 题"
        assert len(CJK.findall(question["explanation"])) >= 30, where
        assert question["source"].strip(), where
        assert question["category"].strip(), where


def test_no_stem_appears_twice_across_banks():
    keys = Counter(stem_key(q["stem"]) for path in BANKS for q in load(path)["questions"])
    assert [key for key, count in keys.items() if count > 1] == []


def test_answer_letters_are_spread_over_positions():
    letters = Counter(q["answer"] for path in BANKS for q in load(path)["questions"] if q["type"] == "single")
    # A bank whose right answer is mostly one letter teaches guessing instead of facts.
    assert max(letters.values()) / sum(letters.values()) < 0.4


def test_article_numbers_are_only_the_reviewed_ones():
    cited = Counter()
    for path in BANKS:
        for question in load(path)["questions"]:
            for field in ("explanation", "source"):
                cited.update(re.findall(r"第[一二三四五六七八九十百零]+条", question[field]))
    # Each article number in the banks was checked by a second reviewer; a new one needs the same.
    assert set(cited) <= {"第九十八条", "第二条", "第三条", "第四条"}
