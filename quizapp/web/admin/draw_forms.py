"""Forms of the guided draw: each step is a POST with its CSRF token and a confirmation tick."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField

from .forms import ConsoleForm


class CommitForm(ConsoleForm):
    """Step 2: lock the list and the secret key, naming the public random number to come."""

    entropy_source = StringField("开奖时使用的公开随机数", render_kw={"maxlength": 200})
    reason = TextAreaField("重新锁定的原因（第二次及以后必填，会公示）", render_kw={"rows": 2, "maxlength": 500})
    confirm = BooleanField("我已核对以上检查结果，确认锁定抽奖名单")


class RunForm(ConsoleForm):
    """Step 3: the public random number, once it is public, and the run."""

    public_entropy = StringField("已公布的公开随机数", render_kw={"maxlength": 200, "autocomplete": "off"})
    confirm = BooleanField("该随机数已公开发布，且与锁定名单时声明的来源一致")


class PublishForm(ConsoleForm):
    """Step 4: publish the verified result; the 公示 period starts."""

    confirm = BooleanField("核验已通过，确认发布中奖公示")


class ExclusionForm(ConsoleForm):
    """Phones that may not win (staff, organizers): a file or pasted lines."""

    file = FileField("手机号文件（每行一个，UTF-8 或 GBK）")
    phones = TextAreaField("或直接粘贴手机号（每行一个）", render_kw={"rows": 4})
    reason = StringField("排除原因", default="工作人员", render_kw={"maxlength": 200})
    confirm = BooleanField("确认将这些手机号排除出抽奖")


class ExportForm(ConsoleForm):
    """The winners with full contact data: admins only, after this tick, always audited."""

    confirm = BooleanField("我确认导出含完整姓名和手机号的名单（将记入操作日志）")
