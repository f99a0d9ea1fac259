"""The spreadsheet template as .xlsx: first sheet that is not 说明, header = row 1."""

from __future__ import annotations

import io
import warnings
import zipfile

import defusedxml  # noqa: F401  -- openpyxl parses with defusedxml when it is importable
import openpyxl

from quizapp.domain.questions import ImportResult, RowError

from . import register
from ._xlsx_reader import open_streaming
from .table import read_table

MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_ENTRIES = 10_000
# Columns read from each row: the template's, room for 26 options and a few columns of the organizer's
# own. A stray cell far to the right would otherwise cost a cell object for every empty column before it.
READ_COLUMNS = 64
INSTRUCTION_SHEETS = {"说明", "填写说明", "使用说明"}


@register(".xlsx")
def parse_xlsx(data: bytes, filename: str = "", *, max_uncompressed: int = MAX_UNCOMPRESSED,
               result: ImportResult | None = None) -> ImportResult:
    """Parse an xlsx bank after checking its zip directory against a decompression bomb."""
    result = result if result is not None else ImportResult()
    problem = check_zip(data, max_uncompressed)
    if problem:
        result.errors.append(RowError(0, "", problem))
        return result
    try:
        with warnings.catch_warnings():
            # openpyxl warns about data validation and other features it ignores; not the user's concern.
            warnings.simplefilter("ignore")
            book = open_streaming(data)
    except Exception as exc:  # openpyxl raises many types for a damaged file; each means "unreadable"
        result.errors.append(RowError(0, "", f"无法读取 xlsx 文件（{type(exc).__name__}）；请用 Excel 另存后重试"))
        return result
    try:
        _read_book(book, result)
    finally:
        book.close()
    return result


def check_zip(data: bytes, max_uncompressed: int = MAX_UNCOMPRESSED) -> str | None:
    """Why this xlsx must not be opened (not a zip, too big unpacked), or None when it is safe."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return "不是有效的 xlsx 文件；若是旧版 .xls，请在 Excel 中“另存为” .xlsx"
    total = sum(entry.file_size for entry in entries)
    if len(entries) > MAX_ENTRIES or total > max_uncompressed:
        return (f"xlsx 文件解压后过大（{total / 1048576:.0f} MB，上限 {max_uncompressed / 1048576:.0f} MB），"
                "已拒绝；请删除图片等无关内容或拆分题库")
    return None


def _read_book(book: openpyxl.Workbook, result: ImportResult) -> None:
    """Read the question sheet of an open workbook."""
    sheet = question_sheet(book)
    if sheet is None:
        result.errors.append(RowError(0, "", "工作簿里没有题目工作表（只有“说明”）"))
        return
    read_table(enumerate(sheet.iter_rows(values_only=True, max_col=READ_COLUMNS), start=1), result)


def question_sheet(book: openpyxl.Workbook):
    """The sheet the questions are read from (the first that is not 说明), or None."""
    sheets = [ws for ws in book.worksheets if ws.title.strip() not in INSTRUCTION_SHEETS]
    if not sheets:
        return None
    # Some generators write a wrong <dimension>; forget it so every row is read.
    sheets[0].reset_dimensions()
    return sheets[0]
