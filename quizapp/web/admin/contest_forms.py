"""Forms of the contests area: every field is plain text here; the contest_form domain module turns
the values into a definition and the definition's parser judges them."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from ...domain.paper import TYPE_LABELS
from .forms import ConsoleForm, options

TYPE_CHOICES = options([("", "—"), *TYPE_LABELS.items()])
PARTIAL_CHOICES = options([("none", "全对才得分"), ("proportional", "按比例给分")])
TIMEZONES = ("Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei")
BLANK_RULE_ROWS = 3
BLANK_PRIZE_ROWS = 2


def _number(label: str, step: str = "1", **extra) -> StringField:
    # Text rather than IntegerField: the parser, not WTForms, says what is wrong with a value.
    return StringField(label, render_kw={"type": "number", "step": step, "min": "0", "inputmode": "decimal", **extra})


class RuleRow(Form):
    """One draw rule of the table (no CSRF token of its own: it sits inside ContestForm)."""

    bank = SelectMultipleField("题库", choices=[], validate_choice=False, render_kw={"size": 4})
    category = StringField("分类", render_kw={"maxlength": 64, "list": "category-names"})
    type = SelectField("题型", choices=TYPE_CHOICES, validate_choice=False)
    count = _number("题数")
    points = _number("每题分值", step="any")
    partial = SelectField("多选题计分", choices=PARTIAL_CHOICES, validate_choice=False)
    remove = BooleanField("删除此规则")


class PrizeRow(Form):
    """One prize tier of the table."""

    tier = _number("等级")
    name = StringField("名称", render_kw={"maxlength": 32})
    count = _number("名额")
    reserve = _number("候补名额")
    remove = BooleanField("删除此奖项")


class ContestForm(ConsoleForm):
    """Every field of a contest definition (CONTRACT §4)."""

    slug = StringField("竞赛标识（网址中使用）", render_kw={"maxlength": 64, "autocomplete": "off"})
    title = StringField("竞赛名称", render_kw={"maxlength": 200})
    starts_at = StringField("开始时间", render_kw={"type": "datetime-local", "step": "1"})
    ends_at = StringField("结束时间", render_kw={"type": "datetime-local", "step": "1"})
    timezone = StringField("时区", render_kw={"list": "timezone-names", "maxlength": 64})
    description = TextAreaField("竞赛说明")
    consent_text = TextAreaField("个人信息收集使用说明")
    organizer = StringField("主办单位", render_kw={"maxlength": 100})
    contact = StringField("联系方式（印在海报和中奖公示上）", render_kw={"maxlength": 200})
    publicity_days = _number("中奖公示天数")
    retention_days = _number("个人信息保留天数（竞赛结束后）")
    objection_contact = StringField("公示期异议受理方式", render_kw={"maxlength": 200})
    regions = TextAreaField("参赛地区（每行一个）", render_kw={"rows": 6})
    time_limit_seconds = _number("答题限时（秒）")
    attempts_per_day = _number("每天可答次数")
    max_attempts = _number("总共可答次数")
    pass_score = _number("及格分（获得抽奖资格）", step="any")
    grace_seconds = _number("网络延迟宽限（秒）")
    reviewed_only = BooleanField("只抽取已审核的题目")
    min_seconds_per_question = _number("每题平均用时下限（秒）", step="any")
    max_phones_per_client = _number("同一设备登记手机号上限")
    client_window_minutes = _number("同一设备统计时段（分钟）")
    burst_seconds = _number("开始后全部作答的最短秒数", step="any")
    draw = FieldList(FormField(RuleRow))
    prizes = FieldList(FormField(PrizeRow))
    confirm_incomparable = BooleanField("我已知晓修改前后的成绩不可比，仍要保存")

    def prepare(self, banks: list[str], blank_rows: bool = True) -> None:
        """Offer the banks in each rule row (keeping a chosen bank that no longer exists) and blank rows."""
        if blank_rows:
            for _ in range(BLANK_RULE_ROWS):
                self.draw.append_entry()
            for _ in range(BLANK_PRIZE_ROWS):
                self.prizes.append_entry()
        for entry in self.draw:
            chosen = [name for name in entry.form.bank.data or [] if name not in banks]
            entry.form.bank.choices = options((name, name) for name in [*banks, *chosen])

    def add_errors(self, fields: dict[str, str]) -> dict[str, str]:
        """Like ConsoleForm's, and also onto table cells named like draw-3-count."""
        rest = {}
        for name, reason in fields.items():
            # A reason about a whole table ("draw") is shown above it, not inside a FieldList.
            target = self._cell(name) or (None if name in ("draw", "prizes") else self._fields.get(name))
            if target is None:
                rest[name] = reason
            else:
                target.errors = [*target.errors, reason]
        return rest

    def _cell(self, name: str):
        table, _, rest = name.partition("-")
        index, _, key = rest.partition("-")
        if table not in ("draw", "prizes") or not index.isdigit() or not key:
            return None
        entries = getattr(self, table).entries
        return entries[int(index)].form._fields.get(key) if int(index) < len(entries) else None


class DefinitionUploadForm(ConsoleForm):
    """A JSON definition file; after a warning it is posted again as text with the confirmation."""

    file = FileField("竞赛定义文件（JSON）", render_kw={"accept": ".json,application/json"})
    definition = HiddenField()
    filename = HiddenField()
    confirm_incomparable = BooleanField("我已知晓修改前后的成绩不可比，仍要保存")


class PreviewForm(ConsoleForm):
    """Start a 预览 round, or hand it in (the chosen options are read by their question's name)."""
