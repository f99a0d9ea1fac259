"""Text helpers shared by the text-based importers: decoding bytes and reducing HTML to text."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from quizapp.domain.questions import RowError

# Tags that start a new line when HTML is flattened, so "<p>a</p><p>b</p>" doesn't read "ab".
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
               "pre", "table", "ul", "ol", "hr", "dt", "dd"}
_HIDDEN_TAGS = {"script", "style", "head", "title", "template"}
_SOFT_BREAK = "\x01"  # a block edge: becomes one line break however many tags meet there
_MEDIA_TAGS = {"img", "audio", "video", "source", "object", "embed", "iframe", "svg", "math"}


def decode_text(data: bytes) -> str:
    """Decode a bank file: UTF-8 (BOM or not), UTF-16 with a BOM, else GB18030 (GBK); no BOM kept."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel and Notepad on Chinese Windows save "ANSI" text as GBK; GB18030 is its superset.
        return data.decode("gb18030")


def decode_or_report(data: bytes, result, advice: str = "请保存为 UTF-8") -> str | None:
    """The decoded text, or None after adding a whole-file error to `result` (an ImportResult)."""
    try:
        return decode_text(data)
    except UnicodeDecodeError:
        result.errors.append(RowError(0, "", f"无法识别文件编码；{advice}"))
        return None


class _Flattener(HTMLParser):
    """Collects the readable text of an HTML fragment and notes dropped media."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.media: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag in _MEDIA_TAGS:
            self.media.append(tag)
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append(_SOFT_BREAK)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS and tag != "br":
            self.parts.append(_SOFT_BREAK)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            # In HTML a run of whitespace, line breaks included, is one space.
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> tuple[str, list[str]]:
    """Reduce an HTML fragment to plain text (tags gone, entities decoded); also the media tags dropped."""
    parser = _Flattener()
    parser.feed(html)
    parser.close()
    text = re.sub(f"[ {_SOFT_BREAK}]*{_SOFT_BREAK}[ {_SOFT_BREAK}]*", _SOFT_BREAK, "".join(parser.parts))
    # Block edges ("</p><p>") make one line break, not one per tag; <br> breaks are kept as written.
    return re.sub(f"\n?{_SOFT_BREAK}\n?", "\n", text).strip(), parser.media
