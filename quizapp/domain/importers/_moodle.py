"""What GIFT and Moodle XML share: Moodle's question kinds and category paths."""

from __future__ import annotations

import re

from quizapp.domain.questions import ImportResult, Skipped

# Moodle qtypes that have no counterpart among single/multiple/judge, with the zh-CN name shown.
SKIPPED_KINDS = {
    "essay": "问答题", "match": "匹配题", "matching": "匹配题", "numerical": "数值题",
    "shortanswer": "简答填空题", "description": "说明文字", "multianswer": "完形填空题",
    "cloze": "完形填空题", "ddwtos": "拖放填词题", "gapselect": "选词填空题",
    "ddimageortext": "图片拖放题", "ddmarker": "拖放标记题", "calculated": "计算题",
    "calculatedsimple": "计算题", "calculatedmulti": "计算选择题", "randomsamatch": "随机匹配题",
    "random": "随机题", "ordering": "排序题",
}
_PATH_SEPARATOR = re.compile(r"(?<!/)/(?!/)")  # Moodle writes a "/" inside a name as "//"


def skip(result: ImportResult, line: int, qtype: str) -> None:
    """Report a question of a Moodle kind the app does not have."""
    kind = SKIPPED_KINDS.get(qtype, f"{qtype} 题")
    if qtype == "description":
        reason = "不是题目，只是一段说明"
    else:
        reason = f"Moodle 题型 {qtype}，本系统只支持单选、多选、判断题"
    result.skipped.append(Skipped(line, kind, reason))


def category_from_path(path: str) -> str:
    """The category name from a Moodle path like "$course$/top/安全用药/儿童用药" (its last part)."""
    parts = [p.replace("//", "/").strip() for p in _PATH_SEPARATOR.split(path.strip())]
    parts = [p for p in parts if p and not re.fullmatch(r"\$\w+\$", p)]
    # "top" is Moodle's invisible root: a question there has no category.
    if not parts or parts[-1] == "top":
        return ""
    return parts[-1]
