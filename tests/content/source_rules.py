"""What makes a question's `source` checkable: it names a specific document a reader can look up."""

from __future__ import annotations

import re

TITLE = re.compile(r"《([^《》]+)》")
# Titles of this kind name one document by themselves: a law, a regulation, a rule, a notice.
BY_NAME = re.compile(r"(法|条例|办法|规定|规范|细则|原则|目录|通知|公告|意见|决定|方案|规划|计划|程序|说明|规则|标准)$")
# Everything else (a guideline, the 药典, a 须知, a bulletin, a popular-science title) needs its year or edition.
YEAR = re.compile(r"(19|20)\d{2}|第[0-9一二三四五六七八九十]+版")
ARTICLE = re.compile(r"第[一二三四五六七八九十百零]+条(第[一二三四五六七八九十]+[款项])*")
ISSUERS = (
    "原国家食品药品监督管理总局", "原国家食品药品监督管理局", "国家药品监督管理局", "国家药监局",
    "国家卫生健康委员会", "国家卫生健康委", "原国家卫生计生委", "原卫生部", "国家中医药管理局",
    "国家疾病预防控制局", "中国疾病预防控制中心", "国家药品不良反应监测中心", "国家药典委员会",
    "国家市场监督管理总局", "国家医疗保障局", "国家禁毒委员会办公室", "国务院", "全国人民代表大会常务委员会",
    "国家药品监督管理局药品审评中心", "中华医学会", "世界卫生组织",
)
SEPARATORS = re.compile(r"[\s、；;，,和及与/]+")


def source_problem(source: str) -> str | None:
    """Why `source` names no checkable document, or None when it does."""
    titles = TITLE.findall(source)
    if not titles:
        return "出处没有用《》写出具体文件名"
    for title in titles:
        bare = re.sub(r"（[^（）]*）$", "", title.strip())
        if not BY_NAME.search(bare) and not YEAR.search(source):
            return f"《{title}》不是法规规章，须注明年份或版次"
    rest = TITLE.sub("", source)
    rest = re.sub(r"（[^（）]*）|\([^()]*\)", "", rest)
    rest = ARTICLE.sub("", rest)
    for issuer in ISSUERS:
        rest = rest.replace(issuer, "")
    rest = SEPARATORS.sub("", rest)
    return f"书名号外有无法核对的描述“{rest}”" if rest else None
