"""The registration form: fields and CSRF only; the rules live in the participants service."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TelField
from wtforms.fields.choices import SelectChoice

from ...domain.participants import CHANNEL_PATTERN
from ...domain.regions import REGION_SEPARATOR
from ...domain.regions import tree as region_tree


class RegistrationForm(FlaskForm):
    """Name, phone, region, consent and the channel a QR code carried."""

    name = StringField("姓名", render_kw={"autocomplete": "name", "maxlength": 32})
    phone = TelField("手机号码", render_kw={"autocomplete": "tel", "inputmode": "numeric", "maxlength": 20})
    # Only shown (and only asked for by the service) with IDENTITY_VERIFICATION=sms.
    code = StringField("短信验证码", render_kw={"autocomplete": "one-time-code", "inputmode": "numeric",
                                              "maxlength": 6})
    region = SelectField("所在地区", choices=[], validate_choice=False)
    consent = BooleanField("我已阅读并同意上述个人信息收集使用说明")
    age_confirmed = BooleanField("我已满14周岁，或已取得监护人同意")
    publish_consent = BooleanField("如果中奖，同意在中奖公示中显示我的姓名（隐去部分文字，如“张*”）")
    channel = HiddenField()

    # Shown at the top of a failed registration, for reasons that belong to no single field.
    summary_errors: list[str] = []
    # 获取验证码 without JavaScript: the form came back to send a code, not to register; the line to show
    # under the button, and whether it is a failure.
    sending_code: bool = False
    sms_status: str | None = None
    sms_failed: bool = False

    def summary(self) -> list[tuple[str, str]]:
        """(field id, reason) of every error, in the form's order, for the error summary; each reason
        says what to do (请填写姓名), so it needs no label before it."""
        rows = [(self[name].id, errors[0]) for name, errors in self.errors.items()
                if name in self._fields and errors and name not in ("csrf_token", "channel")]
        if self.errors.get("csrf_token"):
            rows.insert(0, ("register-form", "页面停留太久已过期，请再点一次“登记”"))
        return rows + [("register-form", reason) for reason in self.summary_errors]

    def set_regions(self, regions: list[str]) -> None:
        """Offer the contest's regions after a blank prompt; a 盟市 with 旗县区 becomes an optgroup of them."""
        choices = [SelectChoice(value="", label="请选择")]
        for top, children in region_tree(regions):
            if not children:
                choices.append(SelectChoice(value=top))
            # The value is the stored `通辽市/奈曼旗`; the group already says 通辽市, so the label is 奈曼旗.
            choices.extend(SelectChoice(value=f"{top}{REGION_SEPARATOR}{child}", label=child, optgroup=top)
                           for child in children)
        self.region.choices = choices

    def payload(self) -> dict:
        """The form's data in the shape services.participants.register expects."""
        return {"name": self.name.data or "", "phone": self.phone.data or "", "region": self.region.data or "",
                "consent": bool(self.consent.data), "channel": clean_channel(self.channel.data),
                "age_confirmed": bool(self.age_confirmed.data), "publish_consent": bool(self.publish_consent.data),
                "code": (self.code.data or "").strip()}

    def add_errors(self, fields: dict[str, str]) -> dict[str, str]:
        """Copy service reasons onto matching fields; return the ones no field shows."""
        rest = {}
        for name, reason in fields.items():
            field = getattr(self, name, None) if name in self._fields else None
            if field is None or name == "channel":
                rest[name] = reason
            else:
                field.errors = [*field.errors, reason]
        return rest


def clean_channel(value) -> str | None:
    """A channel code from a QR link, or None when it is absent or malformed (never blocks registering)."""
    return value if isinstance(value, str) and CHANNEL_PATTERN.fullmatch(value) else None
