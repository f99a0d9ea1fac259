"""The consent notice participants read before registering (PIPL): the default text and its retention period."""

from __future__ import annotations

DEFAULT_CONSENT_TEXT = (
    "个人信息收集使用说明：本次竞赛由主办单位组织并处理您的个人信息。"
    "我们仅收集您的姓名、手机号码和所在地区，仅用于本次竞赛的参赛记录、成绩统计，"
    "以及获奖后联系您发放奖品，不会用于其他任何目的，也不会提供给无关第三方。\n"
    "排行榜中的姓名做脱敏处理（如：张*）。中奖公示只显示参赛码和地区；"
    "只有您另外勾选同意，才同时显示脱敏后的姓名。\n"
    "参赛者须年满14周岁；未满14周岁的，须经父母或其他监护人同意后参加。\n"
    "您的姓名和手机号码保留至竞赛结束后 {retention_days} 日，届满后作匿名化处理，"
    "只保留不含个人身份的统计数据和抽奖公示记录。\n"
    "您可以随时在“我的成绩”页面申请删除个人信息：抽奖名单尚未锁定的，立即删除并退出抽奖；"
    "已经锁定的，在中奖公示期满后删除。查询、更正个人信息，请与主办单位联系。\n"
    "勾选同意即表示您已阅读并同意上述说明。"
)
RETENTION_PLACEHOLDER = "{retention_days}"


def consent_text_shown(text: str, retention_days: int) -> str:
    """The consent notice as participants read it: `{retention_days}` (in the default notice, and in an
    organizer's own if they use it) becomes the contest's retention period."""
    return (text or DEFAULT_CONSENT_TEXT).replace(RETENTION_PLACEHOLDER, str(retention_days))
