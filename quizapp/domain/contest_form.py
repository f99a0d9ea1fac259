"""The console's contest form ↔ a contest definition (CONTRACT §4).

The form's values are plain text, as typed; they become a definition that `parse_contest_definition`
validates, so that the form, an uploaded file and `flask contest load` share one set of rules. The
definition's error paths (`round.draw[1].count`) are mapped back onto the form's fields
(`draw-3-count`: blank rows are skipped, so rule 1 may sit in row 3).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from quizapp.domain.contest_def import DEFAULT_TIMEZONE
from quizapp.domain.errors import ValidationError
from quizapp.domain.regions import flatten as flatten_regions
from quizapp.domain.regions import is_hierarchical
from quizapp.domain.regions import normalize as normalize_region
from quizapp.domain.regions import split as split_region
from quizapp.domain.timing import zone

ROUND_FIELDS = ("time_limit_seconds", "attempts_per_day", "max_attempts", "pass_score", "grace_seconds")
FLAG_FIELDS = ("min_seconds_per_question", "max_phones_per_client", "client_window_minutes", "burst_seconds")
RULE_FIELDS = ("bank", "category", "type", "count", "points", "partial")
PRIZE_FIELDS = ("tier", "name", "count", "reserve")
PUBLIC_TEXT_FIELDS = ("organizer", "contact", "objection_contact")
_LOCAL = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?$")
_INTEGER = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True)
class FormDefinition:
    """A definition built from the form, the form's own errors (by definition path) and row layout."""

    definition: dict
    errors: dict[str, str] = field(default_factory=dict)
    draw_rows: tuple[int, ...] = ()
    prize_rows: tuple[int, ...] = ()


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value: Any) -> Any:
    """Typed text as int or float; other text is passed on as is, for the parser to name its field."""
    text = _text(value)
    if _INTEGER.match(text):
        return int(text)
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _put(target: dict, key: str, value: Any) -> None:
    """Set `key` unless the field was left blank (so the definition's default or 必填 applies)."""
    if value not in ("", None, [], {}):
        target[key] = value


def _local_moment(value: Any, tz_name: str, key: str, errors: dict[str, str]) -> str:
    """A date-time typed in the contest's zone as ISO 8601 with its offset; other text is passed on."""
    text = _text(value)
    match = _LOCAL.match(text)
    if not match:
        return text  # ISO with an offset, or today+30d, is the parser's to judge
    try:
        moment = datetime(*(int(part or 0) for part in match.groups()), tzinfo=ZoneInfo(tz_name))
    except ValueError:
        errors[key] = f"不是有效的日期时间：{text}（应为 年-月-日 时:分，例如 2026-11-15 08:00）"
        return ""
    return moment.isoformat(timespec="seconds")


def _valid_zone(value: Any) -> str:
    try:
        return zone(_text(value) or DEFAULT_TIMEZONE).key
    except ValidationError:
        return DEFAULT_TIMEZONE  # the parser reports the unknown zone itself


def _regions(value: Any, errors: dict[str, str]) -> list[str] | dict[str, list[str]]:
    """The regions textarea, one per line: a list, or the mapping 盟市 → 旗县区 when a line such as
    `通辽市/奈曼旗` names a sub-region (a line `通辽市` alone declares a 盟市 and its place)."""
    lines = [line.strip() for line in str(value or "").splitlines() if line.strip()]
    typed = [normalize_region(line) for line in lines]
    if not is_hierarchical(typed):
        return lines
    mapping: dict[str, list[str]] = {}
    alone: set[str] = set()
    for line in typed:
        top, sub = split_region(line)
        children = mapping.setdefault(top, [])
        if sub is not None:
            children.append(sub)  # a repeated 旗县区 is kept, for the parser to name it
            continue
        if top in alone:
            errors.setdefault("regions", f"地区重复：{top}")
        alone.add(top)
    return mapping


def _rule(row: Mapping) -> dict:
    banks = [name.strip() for name in row.get("bank") or [] if isinstance(name, str) and name.strip()]
    rule: dict = {}
    _put(rule, "bank", banks[0] if len(banks) == 1 else banks)
    _put(rule, "type", _text(row.get("type")))
    _put(rule, "category", _text(row.get("category")))
    _put(rule, "count", _number(row.get("count")))
    _put(rule, "points", _number(row.get("points")))
    if _text(row.get("partial")) not in ("", "none"):
        rule["partial"] = _text(row.get("partial"))
    return rule


def _prize(row: Mapping) -> dict:
    prize: dict = {}
    for key in PRIZE_FIELDS:
        _put(prize, key, _text(row.get(key)) if key == "name" else _number(row.get(key)))
    return prize


def _rows(rows: Sequence[Mapping], build) -> tuple[list[dict], tuple[int, ...]]:
    """Build an item from each row that is neither blank nor ticked for removal, with its row index."""
    items, positions = [], []
    for index, row in enumerate(rows or []):
        item = build(row)
        if row.get("remove") or not item:
            continue
        items.append(item)
        positions.append(index)
    return items, tuple(positions)


def definition_from_form(values: Mapping) -> FormDefinition:
    """Turn the form's values into a contest definition (blank rules and prizes are left out)."""
    errors: dict[str, str] = {}
    tz_name = _valid_zone(values.get("timezone"))
    definition: dict = {}
    for key in ("slug", "title", "timezone", "description", "consent_text", *PUBLIC_TEXT_FIELDS):
        _put(definition, key, _text(values.get(key)))
    for key in ("publicity_days", "retention_days"):
        _put(definition, key, _number(values.get(key)))
    for key in ("starts_at", "ends_at"):
        _put(definition, key, _local_moment(values.get(key), tz_name, key, errors))
    _put(definition, "regions", _regions(values.get("regions"), errors))
    draw, draw_rows = _rows(values.get("draw") or [], _rule)
    round_part: dict = {"draw": draw, "reviewed_only": bool(values.get("reviewed_only"))}
    for key in ROUND_FIELDS:
        _put(round_part, key, _number(values.get(key)))
    definition["round"] = round_part
    prizes, prize_rows = _rows(values.get("prizes") or [], _prize)
    _put(definition, "prizes", prizes)
    flags: dict = {}
    for key in FLAG_FIELDS:
        _put(flags, key, _number(values.get(key)))
    _put(definition, "flags", flags)
    return FormDefinition(definition, errors, draw_rows, prize_rows)


_RULE_PATH = re.compile(r"^round\.draw\[(\d+)\](?:\.(\w+))?$")
_PRIZE_PATH = re.compile(r"^prizes\[(\d+)\](?:\.(\w+))?$")


def _field_name(path: str, draw_rows: Sequence[int], prize_rows: Sequence[int]) -> str:
    """The form field that shows the error at a definition path."""
    for pattern, rows, prefix, fallback in ((_RULE_PATH, draw_rows, "draw", "bank"),
                                            (_PRIZE_PATH, prize_rows, "prizes", "name")):
        match = pattern.match(path)
        if match:
            index = int(match.group(1))
            row = rows[index] if index < len(rows) else index
            return f"{prefix}-{row}-{match.group(2) or fallback}"
    if path.startswith(("regions[", "regions.")):
        return "regions"
    if path == "round.draw":
        return "draw"
    head, _, tail = path.partition(".")
    return tail if head in ("round", "flags") and tail else path


def form_errors(fields: Mapping[str, str], built: FormDefinition) -> dict[str, str]:
    """Map the reasons by definition path onto form field names; two reasons for one field are joined."""
    mapped: dict[str, str] = {}
    for path, reason in {**fields, **built.errors}.items():
        name = _field_name(path, built.draw_rows, built.prize_rows)
        mapped[name] = f"{mapped[name]}；{reason}" if name in mapped and reason not in mapped[name] else reason
    return mapped


def _shown(value: Any) -> str:
    """A number as an organizer would type it: 5 rather than 5.0."""
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def _local_input(value: Any, tz_name: str) -> str:
    """ISO 8601 from a definition as the value of a datetime-local input in the contest's zone."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return _text(value)  # a relative form such as today+30d is shown as written
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(tz_name))
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def form_values(definition: Mapping) -> dict:
    """A definition's values as the form shows them (the inverse of definition_from_form)."""
    tz_name = _valid_zone(definition.get("timezone"))
    round_part = definition.get("round") or {}
    values = {key: definition.get(key) or "" for key in ("slug", "title", "description", "consent_text",
                                                         *PUBLIC_TEXT_FIELDS)}
    values["publicity_days"] = _shown(definition.get("publicity_days"))
    values["retention_days"] = _shown(definition.get("retention_days"))
    values["timezone"] = tz_name
    values.update({key: _local_input(definition.get(key), tz_name) for key in ("starts_at", "ends_at")})
    regions = definition.get("regions") or []
    values["regions"] = "\n".join(flatten_regions(regions) if isinstance(regions, Mapping) else regions)
    values.update({key: _shown(round_part.get(key)) for key in ROUND_FIELDS})
    values["reviewed_only"] = bool(round_part.get("reviewed_only"))
    values.update({key: _shown((definition.get("flags") or {}).get(key)) for key in FLAG_FIELDS})
    values["draw"] = [
        {"bank": [rule["bank"]] if isinstance(rule.get("bank"), str) else list(rule.get("bank") or []),
         "category": rule.get("category") or "", "type": rule.get("type") or "", "count": _shown(rule.get("count")),
         "points": _shown(rule.get("points")), "partial": rule.get("partial") or "none"}
        for rule in round_part.get("draw") or []
    ]
    values["prizes"] = [{key: _shown(prize.get(key)) for key in PRIZE_FIELDS} for prize in definition.get("prizes") or []]
    return values
