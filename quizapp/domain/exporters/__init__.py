"""Bank exporters, one module a format: `EXPORTERS[fmt](questions, bank_name, bank_title) -> bytes`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from quizapp.domain.importers import UnsupportedFormat
from quizapp.domain.questions import QuestionSpec

Exporter = Callable[[Sequence[QuestionSpec], "str | None", "str | None"], bytes]
EXPORTERS: dict[str, Exporter] = {}
EXTENSIONS: dict[str, str] = {}


def register(fmt: str, extension: str) -> Callable[[Exporter], Exporter]:
    """Decorator: make `func(questions, bank_name, bank_title)` the exporter for `fmt`."""

    def decorate(func: Exporter) -> Exporter:
        EXPORTERS[fmt] = func
        EXTENSIONS[fmt] = extension
        return func

    return decorate


def export_bank(questions: Sequence[QuestionSpec], fmt: str, bank_name: str | None = None,
                bank_title: str | None = None) -> bytes:
    """Write questions in `fmt` (json, csv, xlsx, gift); UnsupportedFormat for any other."""
    exporter = EXPORTERS.get(fmt.lower().lstrip("."))
    if exporter is None:
        raise UnsupportedFormat(f"不支持导出为 {fmt}；可选格式：{' '.join(sorted(EXPORTERS))}")
    return exporter(questions, bank_name, bank_title)


# Imported last so each module can `from . import register` and register itself.
from . import csv_bank, gift, json_bank, xlsx_bank  # noqa: E402,F401
from .xlsx_bank import template_xlsx  # noqa: E402,F401
