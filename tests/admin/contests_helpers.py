"""Helpers of the contests-area tests: read a page's form as a browser would submit it."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from quizapp.extensions import db
from quizapp.models import AuditLog, Contest, Question


class _FormReader(HTMLParser):
    """Collects the successful controls of the form with a given id (inputs, selects, textareas)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.values: dict[str, list[str]] = {}
        self.select: tuple[str, bool, list[str], list[str]] | None = None  # name, multiple, selected, first
        self.textarea: str | None = None
        self.text = ""

    def _add(self, name: str, value: str) -> None:
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "file"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(attrs["name"], attrs.get("value") or "on")
            else:
                self._add(attrs["name"], attrs.get("value") or "")
        elif tag == "select":
            self.select = (attrs["name"], "multiple" in attrs, [], [])
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            self.select[3].append(value)
            if "selected" in attrs:
                self.select[2].append(value)
        elif tag == "textarea":
            self.textarea, self.text = attrs["name"], ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            name, multiple, selected, options = self.select
            chosen = selected if multiple else (selected[-1:] or options[:1])
            self.values.setdefault(name, [])
            self.values[name].extend(chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # The HTML parser keeps the newline that browsers drop after <textarea>.
            self._add(self.textarea, self.text.removeprefix("\r").removeprefix("\n"))
            self.textarea = None


def read_form(html: str, form_id: str = "contest-form") -> dict[str, list[str]]:
    """The values a browser would post for the form (unticked checkboxes and unselected options left out)."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return {name: values for name, values in reader.values.items() if values}


def page_form(client, path: str) -> dict[str, list[str]]:
    """GET a console page and read its contest form."""
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return read_form(response.get_data(as_text=True))


def field_error(html: str, field_id: str) -> str:
    """The error shown right after the input with this id ('' if none)."""
    match = re.search(rf'id="{re.escape(field_id)}-error">([^<]+)<', html)
    return match.group(1) if match else ""


def audit_actions(app, prefix: str = "contest_") -> list[tuple[str, str, str]]:
    """(action, actor, target) of the audit rows whose action starts with `prefix`, oldest first."""
    with app.app_context():
        rows = db.session.execute(db.select(AuditLog).where(AuditLog.action.like(prefix + "%"))
                                  .order_by(AuditLog.id)).scalars()
        return [(row.action, row.actor, row.target) for row in rows]


def contest_row(app, slug: str) -> dict:
    """A contest's stored columns as plain values (None if it does not exist)."""
    with app.app_context():
        contest = db.session.execute(db.select(Contest).filter_by(slug=slug)).scalar_one_or_none()
        if contest is None:
            return None
        return {"title": contest.title, "pass_score": contest.pass_score, "draw_rules": contest.draw_rules,
                "reviewed_only": contest.reviewed_only, "starts_at": contest.starts_at, "ends_at": contest.ends_at,
                "prizes": contest.prizes, "regions": contest.regions, "consent_text": contest.consent_text,
                "flags": contest.flag_settings, "time_limit_seconds": contest.time_limit_seconds}


def mark_reviewed(app, stems: list[str]) -> None:
    """Mark these questions 已审核 (the banks area's job; set directly here)."""
    with app.app_context():
        db.session.execute(db.update(Question).where(Question.stem.in_(stems)).values(review_status="reviewed"))
        db.session.commit()


def dumps(data: dict) -> bytes:
    """A definition as an uploaded file's bytes."""
    return json.dumps(data, ensure_ascii=False).encode("utf-8")
