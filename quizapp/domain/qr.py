"""QR codes for channel links, and the channel list staff hand in for a batch of posters.

Plain values in, bytes out: no flask, no database. The PDF poster itself is in poster.py.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_M, ERROR_CORRECT_Q
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathImage

from .errors import DomainError, ValidationError
from .importers._text import decode_text
from .participants import CHANNEL_PATTERN

EC_LEVELS = {"M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q}
CHANNEL_NAME_MAX = 100
BATCH_MAX = 5000
# Header cells a staff member may put on the first row of the channel list (any case).
_HEADER_WORDS = {"code", "渠道代码", "代码", "编码", "渠道编码"}


@dataclass(frozen=True)
class QrOptions:
    """Error correction (M or Q), pixels (PNG) or tenths of a mm (SVG) per module, quiet zone in modules."""

    ec: str = "M"
    box_size: int = 10
    border: int = 4

    def __post_init__(self) -> None:
        if self.ec not in EC_LEVELS:
            raise ValidationError("ec", f"纠错等级“{self.ec}”不支持，只能是 M 或 Q")
        if not 1 <= self.box_size <= 100:
            raise ValidationError("box_size", "模块尺寸应在 1–100 之间")
        if not 0 <= self.border <= 20:
            raise ValidationError("border", "静区宽度应在 0–20 个模块之间（建议不少于 4）")


class ChannelListError(DomainError):
    """A channel list with bad lines; `errors` names each line and what is wrong with it."""

    code = "bad_channel_list"

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        shown = "；".join(self.errors[:20])
        more = f"；另有 {len(self.errors) - 20} 处" if len(self.errors) > 20 else ""
        super().__init__(f"渠道列表有 {len(self.errors)} 处错误：{shown}{more}")


@dataclass(frozen=True)
class ChannelRow:
    """One line of a channel list: its line number in the file, code and name."""

    line: int
    code: str
    name: str


def _build(url: str, options: QrOptions) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=EC_LEVELS[options.ec], box_size=options.box_size, border=options.border)
    code.add_data(url)
    code.make(fit=True)  # the smallest version that holds the URL: fewer, larger modules on paper
    return code


def qr_matrix(url: str, ec: str = "M") -> list[list[bool]]:
    """The code's modules (True = dark), without the quiet zone."""
    code = _build(url, QrOptions(ec=ec, border=0))
    return [list(row) for row in code.get_matrix()]


def qr_png(url: str, options: QrOptions | None = None) -> bytes:
    """A black-on-white PNG of the code."""
    image = _build(url, options or QrOptions()).make_image(image_factory=PilImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_svg(url: str, options: QrOptions | None = None) -> bytes:
    """An SVG of the code drawn as one <path> (small, and crisp at any print size)."""
    image = _build(url, options or QrOptions()).make_image(image_factory=SvgPathImage)
    return image.to_string(encoding="unicode").encode("utf-8")


def _is_header(cells: list[str]) -> bool:
    return bool(cells) and cells[0].strip().lower() in _HEADER_WORDS


def _check_row(line: int, cells: list[str]) -> tuple[ChannelRow | None, str | None]:
    """Return (row, None) or (None, the reason this line is refused)."""
    code = cells[0].strip() if cells else ""
    name = cells[1].strip() if len(cells) > 1 else ""
    if len(cells) > 2 and any(cell.strip() for cell in cells[2:]):
        return None, f"第 {line} 行：只应有两列（渠道代码,渠道名称），多出了 {len(cells) - 2} 列"
    if not CHANNEL_PATTERN.fullmatch(code):
        return None, f"第 {line} 行：渠道代码“{code}”只能包含字母、数字、下划线和连字符，1–32 个字符"
    if not name:
        return None, f"第 {line} 行：缺少渠道名称"
    if len(name) > CHANNEL_NAME_MAX:
        return None, f"第 {line} 行：渠道名称超过 {CHANNEL_NAME_MAX} 个字符"
    return ChannelRow(line=line, code=code, name=name), None


@dataclass(frozen=True)
class ListedLine:
    """One non-blank line of a channel list as read: its cells, and why it is refused (None if it is fine)."""

    line: int
    code: str
    name: str
    error: str | None = None


@dataclass(frozen=True)
class ChannelList:
    """A channel list read line by line (for a preview); `problems` concern the whole file."""

    lines: tuple[ListedLine, ...]
    problems: tuple[str, ...]

    @property
    def rows(self) -> list[ChannelRow]:
        """The lines without errors, as channel rows."""
        return [ChannelRow(line.line, line.code, line.name) for line in self.lines if line.error is None]

    @property
    def errors(self) -> list[str]:
        """Every line's error in file order, then the file's problems; empty when the list may be used."""
        return [line.error for line in self.lines if line.error] + list(self.problems)


def _decode(data: bytes) -> str:
    try:
        return decode_text(data)
    except UnicodeDecodeError as exc:
        raise ChannelListError(["文件不是 UTF-8 或 GBK 编码的 CSV 文本"]) from exc


def _lines(text: str):
    """(line number, cells) for each CSV record; a malformed file is one clear error."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise ChannelListError([f"第 {reader.line_num} 行：无法按 CSV 读取（{exc}）"]) from exc


def _listed(line: int, cells: list[str], seen: dict[str, int]) -> ListedLine:
    """One line with its error, if any; `seen` (code → first line) finds repeated codes."""
    row, error = _check_row(line, cells)
    code = row.code if row else (cells[0].strip() if cells else "")
    name = row.name if row else (cells[1].strip() if len(cells) > 1 else "")
    if row and row.code in seen:
        error = f"第 {line} 行：渠道代码“{row.code}”与第 {seen[row.code]} 行重复"
    elif row:
        seen[row.code] = line
    return ListedLine(line=line, code=code, name=name, error=error)


def read_channel_csv(data: bytes) -> ChannelList:
    """Read `code,name` lines (UTF-8, BOM or GBK; header optional) keeping every line and its error."""
    lines: list[ListedLine] = []
    seen: dict[str, int] = {}
    try:
        for line, cells in _lines(_decode(data)):
            if not any(cell.strip() for cell in cells) or (line == 1 and _is_header(cells)):
                continue
            lines.append(_listed(line, cells, seen))
    except ChannelListError as exc:  # undecodable or malformed: the lines read so far stay listed
        return ChannelList(tuple(lines), tuple(exc.errors))
    problems = []
    if not lines:
        problems.append("没有任何渠道：每行应为 渠道代码,渠道名称")
    elif len(lines) > BATCH_MAX and all(line.error is None for line in lines):
        problems.append(f"一次最多生成 {BATCH_MAX} 张海报，列表中有 {len(lines)} 个渠道")
    return ChannelList(tuple(lines), tuple(problems))


def parse_channel_csv(data: bytes) -> list[ChannelRow]:
    """Read `code,name` lines (UTF-8, BOM or GBK; header optional); all bad lines are reported at once."""
    listed = read_channel_csv(data)
    if listed.errors:
        raise ChannelListError(listed.errors)
    return listed.rows


def index_csv(rows: list[tuple[str, str, str]]) -> bytes:
    """The batch's index as CSV (code, name, URL), with a BOM so that Excel shows the Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["渠道代码", "渠道名称", "短网址"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")
