"""The 错误 workbook: the organizer's own rows with each row's messages, ready to fix and upload again."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.admin.banks_support import (
    HEADER,
    MOODLE,
    bank_names,
    confirm,
    good_rows,
    preview_url,
    stored,
    text_of,
    upload,
    xlsx_bytes,
)


def bad_rows() -> list[list[object]]:
    """Rows 2–6 of a sheet: 3 has a wrong answer, 5 no stem and an unknown type, 6 a formula-like stem."""
    rows = good_rows(5)
    rows[1][6] = "Z"
    rows[3][0], rows[3][1] = "填空", None
    rows[4][1], rows[4][6] = "=HYPERLINK(\"http://x\",\"点我\")", "Q"
    return rows


def error_book(client, url):
    response = client.get(url + "/errors.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(response.data))


def test_xlsx_errors_sit_on_their_own_rows_in_an_added_column(app, console):
    client = console("organizer")
    url = preview_url(upload(client, xlsx_bytes(bad_rows()), "题库.xlsx"))
    assert "确认导入" not in text_of(client.get(url))
    sheet = error_book(client, url).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == [*HEADER, "错误"]
    errors = {number: row[-1] for number, row in enumerate(rows, start=1)}
    assert errors[2] is None and errors[4] is None
    assert errors[3] == "答案: 'Z' 不在选项中"
    assert "题干: 题干为空" in errors[5] and "题型: '填空' 不是可识别的题型" in errors[5]
    assert errors[6] == "答案: 'Q' 不在选项中"
    assert rows[2][:7] == bad_rows()[1][:7]  # the organizer's own cells, unchanged
    stem = sheet.cell(6, 2)
    assert stem.value == "=HYPERLINK(\"http://x\",\"点我\")" and stem.data_type == "s" and stem.quotePrefix


def test_fixing_the_error_sheet_and_uploading_it_again_imports(app, console):
    client = console("organizer")
    url = preview_url(upload(client, xlsx_bytes(bad_rows()), "题库.xlsx"))
    book = error_book(client, url)
    sheet = book.active
    sheet.cell(3, 7).value = "C"
    sheet.cell(5, 1).value, sheet.cell(5, 2).value = "单选", "补上的题干"
    buffer = io.BytesIO()
    book.save(buffer)
    still_bad = preview_url(upload(client, buffer.getvalue(), "题库-错误.xlsx", bank="fixed"))
    page = text_of(client.get(still_bad))
    assert "未识别的列 '错误' 已忽略" in page and "1 处错误" in page
    again = error_book(client, still_bad).active
    header = [c.value for c in again[1]]
    assert header.count("错误") == 1  # the column is reused, not added twice
    assert [again.cell(n, len(header)).value for n in range(2, 7)] == [None, None, None, None, "答案: 'Q' 不在选项中"]
    sheet.cell(6, 7).value = "A"
    buffer = io.BytesIO()
    book.save(buffer)
    good = preview_url(upload(client, buffer.getvalue(), "题库-错误.xlsx", bank="fixed"))
    assert confirm(client, good).status_code == 302
    assert bank_names(app) == ["fixed"] and len(stored(app)) == 5
    assert stored(app)[4]["stem"] == "=HYPERLINK(\"http://x\",\"点我\")"


def test_csv_rows_keep_their_numbers_below_a_title_row(app, console):
    lines = ["2026 年竞赛题库,,,,,,,,,,", ",".join(HEADER), "单选,题一,甲,乙,丙,丁,B,,,,",
             "多选,题二,甲,乙,,,AX,,,,", "判断,题三,,,,,对,,,,"]
    data = "\r\n".join(lines).encode("gb18030")
    client = console("organizer")
    url = preview_url(upload(client, data, "题库.csv"))
    assert "第 4 行 答案: 'X' 不在选项中" in text_of(client.get(url))
    rows = [list(r) for r in error_book(client, url).active.iter_rows(values_only=True)]
    assert rows[0][0] == "2026 年竞赛题库" and rows[1][-1] == "错误"
    assert rows[3][1] == "题二" and rows[3][-1].startswith("答案: 'X'") and rows[2][-1] is None


def test_other_formats_get_a_list_of_errors(app, console):
    client = console("organizer")
    path = MOODLE / "aiken/aiken_errors.txt"
    url = preview_url(upload(client, path.read_bytes(), path.name))
    rows = [list(r) for r in error_book(client, url).active.iter_rows(values_only=True)]
    assert rows[0] == ["行/题号", "列", "错误"]
    assert rows[1] == ["第 1 行", "选项", "单选题至少需要 2 个选项，这里有 1 个"]
    assert [r[0] for r in rows[1:]] == ["第 1 行", "第 5 行", "第 7 行", "第 14 行"]


def test_a_valid_upload_has_no_error_sheet(app, console):
    client = console("organizer")
    url = preview_url(upload(client, xlsx_bytes(good_rows()), "题库.xlsx"))
    response = client.get(url + "/errors.xlsx")
    assert response.status_code == 400 and "没有逐行的错误" in text_of(response)
