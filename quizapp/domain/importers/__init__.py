"""Bank file importers, one module a format; `parse_bank` picks one by the file's extension."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from quizapp.domain.errors import DomainError
from quizapp.domain.questions import ImportResult, stem_key
from quizapp.domain.template import EXAMPLES

Importer = Callable[..., ImportResult]  # (data, filename, *, result) -> result
IMPORTERS: dict[str, Importer] = {}


class UnsupportedFormat(DomainError):
    """The file's extension belongs to no importer."""

    code = "unsupported_format"


def register(*extensions: str) -> Callable[[Importer], Importer]:
    """Decorator: make `func(data, filename)` the importer for these extensions (".csv")."""

    def decorate(func: Importer) -> Importer:
        for ext in extensions:
            IMPORTERS[ext.lower()] = func
        return func

    return decorate


def supported_extensions() -> tuple[str, ...]:
    """The extensions parse_bank accepts, sorted."""
    return tuple(sorted(IMPORTERS))


def importer_for(filename: str) -> Importer:
    """The importer for a file name; raises UnsupportedFormat with the accepted extensions."""
    suffixes = [s.lower() for s in PurePath(filename).suffixes]
    # Moodle names GIFT files "x.gift.txt": a known inner suffix wins over the .txt (Aiken).
    if len(suffixes) >= 2 and suffixes[-1] == ".txt" and suffixes[-2] in IMPORTERS:
        return IMPORTERS[suffixes[-2]]
    if suffixes and suffixes[-1] in IMPORTERS:
        return IMPORTERS[suffixes[-1]]
    shown = PurePath(filename).suffix or "（无扩展名）"
    raise UnsupportedFormat(
        f"不支持的题库文件格式 {shown}；支持的格式：{' '.join(supported_extensions())}"
        "（.txt 为 Aiken 格式，.xml 为 Moodle XML 格式）"
    )


def parse_bank(data: bytes, filename: str, *, max_questions: int | None = None) -> ImportResult:
    """Parse a bank file's bytes with the importer chosen by its extension (case-insensitive).

    Reading stops with TooManyQuestions at the first question past `max_questions`."""
    result = importer_for(filename)(data, filename, result=ImportResult(limit=max_questions))
    warn_template_examples(result)
    return result


def warn_template_examples(result: ImportResult) -> None:
    """Warn about the import template's worked examples left in the file: they would become real questions."""
    examples = {stem_key(example[1]) for example in EXAMPLES}
    for spec, (line, unit) in zip(result.questions, result.places, strict=True):
        if stem_key(spec.stem) in examples:
            result.warnings.append(f"第 {line} {unit} 是导入模板中的示例题，请确认是否要导入（不需要就删去这一{unit}）")


# Imported last so each module can `from . import register` and register itself.
from . import aiken, csv_bank, gift, json_bank, moodle_xml, xlsx_bank  # noqa: E402,F401
