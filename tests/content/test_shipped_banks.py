"""The shipped banks are teaching content: complete, sourced, explained, and importable as they are."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from quizapp.domain.importers import parse_bank
from quizapp.domain.questions import stem_key

from .source_rules import ARTICLE, source_problem

QUESTIONS = Path(__file__).resolve().parents[2] / "questions"
BANKS = sorted((QUESTIONS / "banks").glob("*.json"))
CJK = re.compile(r"[\u4e00-\u9fff]")
# The 2023 themes of the contest's notice, each its own bank of at least 25 reviewed questions.
THEME_BANKS = ("drug-standards", "drug-distribution", "tcm-registration", "safety-action")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_at_least_425_questions_in_at_least_12_topics():
    questions = [q for path in BANKS for q in load(path)["questions"]]
    assert len(questions) >= 425
    assert len({q["category"] for q in questions}) >= 12


@pytest.mark.parametrize("name", THEME_BANKS)
def test_each_2023_theme_has_a_bank_of_at_least_25(name):
    assert len(load(QUESTIONS / "banks" / f"{name}.json")["questions"]) >= 25


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


def confirmed_articles() -> set[tuple[str, str]]:
    registry = json.loads((QUESTIONS / "citations.json").read_text(encoding="utf-8"))["citations"]
    for entry in registry:  # each was read against the document's text by a second reader
        assert entry["says"].strip() and entry["confirmed_by"].strip() and entry["read_at"].strip(), entry
    return {(entry["document"], entry["article"]) for entry in registry}


def test_every_article_number_was_confirmed_for_a_document_the_question_names():
    confirmed = confirmed_articles()
    unconfirmed = []
    for path in BANKS:
        for number, question in enumerate(load(path)["questions"]):
            text = question["stem"] + question["explanation"] + question["source"]
            for match in ARTICLE.finditer(text):
                article = re.match(r"第[一二三四五六七八九十百零]+条", match.group(0)).group(0)
                if not any(a == article and document in text for document, a in confirmed):
                    unconfirmed.append(f"{path.stem}[{number}] {article}")
    assert unconfirmed == []


@pytest.mark.parametrize("path", BANKS, ids=lambda p: p.stem)
def test_every_source_names_a_document_a_reader_can_check(path):
    problems = [f"[{n}] {q['source']}: {why}" for n, q in enumerate(load(path)["questions"])
                if (why := source_problem(q["source"]))]
    assert problems == []


@pytest.mark.parametrize("path", BANKS, ids=lambda p: p.stem)
def test_every_shipped_question_carries_its_review(path):
    result = parse_bank(path.read_bytes(), path.name)
    assert all(q.reviewed_by and q.reviewed_at is not None for q in result.questions)


@pytest.mark.parametrize(("source", "problem"), [
    ("国家药品监督管理局安全用药科普", "出处没有用《》写出具体文件名"),
    ("《中华人民共和国药典》", "《中华人民共和国药典》不是法规规章，须注明年份或版次"),
    ("《麻醉药品和精神药品管理条例》；国家药品监督管理部门发布的精神药品目录",
     "书名号外有无法核对的描述“国家药品监督管理部门发布的精神药品目录”"),
    ("阿仑膦酸钠片药品说明书", "出处没有用《》写出具体文件名"),
])
def test_the_source_rule_rejects_generic_sources(source, problem):
    assert source_problem(source) == problem


@pytest.mark.parametrize("source", [
    "《中华人民共和国药品管理法》（2019年修订）第九十八条",
    "国家药品监督管理局《关于修订含可待因感冒药说明书的公告》（2018年第63号）",
    "《中华人民共和国药典》（2020年版）",
    "《妊娠和产后甲状腺疾病诊治指南（第2版）》",
    "《处方药与非处方药分类管理办法（试行）》、《非处方药专有标识管理规定（暂行）》",
])
def test_the_source_rule_accepts_named_documents(source):
    assert source_problem(source) is None


def question(bank: str, stem_start: str) -> dict:
    matches = [q for q in load(QUESTIONS / "banks" / f"{bank}.json")["questions"] if q["stem"].startswith(stem_start)]
    assert len(matches) == 1, stem_start
    return matches[0]


def test_the_outside_reviews_corrections_stay_corrected():
    otc = question("rx-otc", "甲类非处方药的“OTC”专有标识")["explanation"]
    assert "只能在药店" not in otc and "医疗机构" in otc  # sold in pharmacies and used in medical institutions
    online = question("online-purchase", "关于通过互联网医院在线问诊开具处方")
    assert "审核合格后方可生效" not in online["explanation"] or "细则" in online["source"]
    rash = question("safe-medication", "用药后出现皮疹、瘙痒")["explanation"]
    assert "新的或者严重的" in rash
    suspected = question("adr", "怀疑某种药品引起了不良反应")["explanation"]
    assert "可疑即报" not in suspected or "常" in suspected  # named as the usual term, not as the 2011 text
    assert "2023年版" in question("vaccines", "被猫、狗抓伤或咬伤后")["source"]
