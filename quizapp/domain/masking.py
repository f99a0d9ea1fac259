"""Masking of names and phone numbers for anything shown publicly (leaderboard, winners)."""

from __future__ import annotations

# Two-character surnames; without this list 欧阳娜娜 would become 欧***, which reads as a
# different (and wrong) surname on the public winners notice.
COMPOUND_SURNAMES = frozenset(
    {
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
        "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "百里", "呼延", "申屠", "万俟", "太史",
        "闻人", "赫连", "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "仲孙", "钟离", "司空",
        "亓官", "司寇", "子车", "颛孙", "巫马", "公西", "漆雕", "乐正", "壤驷", "公良", "拓跋", "夹谷",
        "宰父", "谷梁", "段干", "东郭", "南门", "羊舌", "微生", "梁丘", "左丘", "东门", "第五",
    }
)  # fmt: skip

MASK = "*"


def mask_name(name: str) -> str:
    """Keep the surname (or first letter of a Latin name) and mask every other character."""
    text = (name or "").strip()
    if not text:
        return ""
    if len(text) == 1:
        return MASK
    keep = 2 if text[:2] in COMPOUND_SURNAMES and len(text) > 2 else 1
    # Spaces are masked too, so "John Smith" does not reveal the length of each part.
    return text[:keep] + MASK * (len(text) - keep)


def mask_phone(phone: str) -> str:
    """Mask the middle of a phone number: 13812341234 -> 138****1234."""
    text = (phone or "").strip()
    if len(text) == 11 and text.isdigit():
        return text[:3] + MASK * 4 + text[7:]
    # Keep at most 3 leading and 2 trailing characters, and always mask at least half,
    # so that a short (odd) value is never shown nearly in full.
    visible = len(text) // 2
    head = min(3, visible)
    tail = min(2, visible - head)
    if len(text) <= 4:
        head, tail = 0, 0
    return text[:head] + MASK * (len(text) - head - tail) + text[len(text) - tail :]
