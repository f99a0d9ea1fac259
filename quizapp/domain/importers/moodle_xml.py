"""Moodle XML (.xml), parsed only through defusedxml: multichoice and truefalse, categories, HTML to text."""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from quizapp.domain.questions import ImportResult, RowError

from . import register
from ._moodle import category_from_path, skip
from ._text import html_to_text

_HTML_FORMATS = {"html", "moodle_auto_format"}


class _LineTracker(TreeBuilder):
    """A tree builder that remembers the source line of every <question> element."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, int] = {}
        self.expat = None

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = super().start(tag, attrs)
        if tag == "question" and self.expat is not None:
            self.lines[id(element)] = self.expat.CurrentLineNumber
        return element


@register(".xml")
def parse_moodle_xml(data: bytes, filename: str = "", *, result: ImportResult | None = None) -> ImportResult:
    """Parse a Moodle XML export; DTDs and entities are refused, never expanded."""
    result = result if result is not None else ImportResult()
    parsed = _parse(data, result)
    if parsed is None:
        return result
    root, lines = parsed
    if root.tag != "quiz":
        result.errors.append(RowError(1, "", f"不是 Moodle XML 题库（根元素应为 <quiz>，这里是 <{root.tag}>）"))
        return result
    category = ""
    for number, question in enumerate(root.iter("question"), start=1):
        line = lines.get(id(question), number)
        qtype = question.get("type", "")
        if qtype == "category":
            category = category_from_path(_text(question.find("category")))
        elif qtype in ("multichoice", "truefalse"):
            _read_question(question, qtype, line, category, result)
        else:
            skip(result, line, qtype or "未知")
    if next(root.iter("question"), None) is None:
        result.errors.append(RowError(1, "", "Moodle XML 文件中没有题目（<quiz> 下没有 <question> 元素）"))
    return result


def _parse(data: bytes, result: ImportResult) -> tuple[Element, dict[int, int]] | None:
    """Parse safely; a DTD, entity or external reference is refused with an explanation."""
    tracker = _LineTracker()
    # forbid_dtd too: Moodle never writes a DOCTYPE, so one can only be an attack or a mistake.
    parser = DefusedXMLParser(target=tracker, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    tracker.expat = getattr(parser, "parser", None)
    try:
        parser.feed(data)
        return parser.close(), tracker.lines
    except DefusedXmlException:
        line = tracker.expat.CurrentLineNumber if tracker.expat is not None else 0
        result.errors.append(RowError(line, "", "XML 含有 DTD 或实体声明（<!DOCTYPE>/<!ENTITY>），出于安全原因拒绝导入"))
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 0
        result.errors.append(RowError(line, "", f"XML 格式错误：{exc.msg if hasattr(exc, 'msg') else exc}"))
    return None


def _text(element: Element | None, media: list[str] | None = None) -> str:
    """The text of a Moodle <…><text> pair, HTML reduced to text; dropped media noted in `media`."""
    if element is None:
        return ""
    node = element.find("text")
    raw = (node.text if node is not None else element.text) or ""
    if element.get("format", "html") not in _HTML_FORMATS:
        return raw
    text, dropped = html_to_text(raw)
    if media is not None:
        media.extend(dropped)
    return text


def _read_question(question: Element, qtype: str, line: int, category: str, result: ImportResult) -> None:
    """Turn one multichoice or truefalse element into fields and add it."""
    media: list[str] = []
    fields: dict[str, object] = {
        "stem": _text(question.find("questiontext"), media),
        "explanation": _text(question.find("generalfeedback"), media),
        "category": category,
        "tags": [_text(t) for t in question.iterfind("tags/tag")],
    }
    answers = [(_text(a, media), a.get("fraction", "0")) for a in question.iterfind("answer")]
    fractions = _fractions(answers, line, result)
    if fractions is None:
        return
    if qtype == "truefalse":
        right = [text for (text, _), f in zip(answers, fractions, strict=True) if f > 0]
        fields.update(type="judge", answer=right[0] if len(right) == 1 else "")
    else:
        _choices(question, answers, fractions, fields, line, result)
    files = [f.get("name", "?") for f in question.iter("file")]
    if files or media:
        names = "、".join(files) if files else "图片/音视频"
        result.warnings.append(f"第 {line} 行: 已去掉嵌入的文件（{names}），题目只保留文字")
    result.add(fields, line)


def _fractions(answers: list[tuple[str, str]], line: int, result: ImportResult) -> list[float] | None:
    """Each answer's fraction as a number, or None (with an error) if one is not a number."""
    fractions = []
    for _, fraction in answers:
        try:
            fractions.append(float(fraction))
        except ValueError:
            result.errors.append(RowError(line, "答案", f"fraction '{fraction}' 不是数字"))
            return None
    return fractions


def _choices(question: Element, answers: list[tuple[str, str]], fractions: list[float],
             fields: dict[str, object], line: int, result: ImportResult) -> None:
    """A multichoice: <single>true</single> keeps the best answer, otherwise every positive one."""
    single = (question.findtext("single") or "true").strip().lower() in ("true", "1")
    best = max(fractions, default=0)
    if single:
        right = [i for i, f in enumerate(fractions) if f == best and f > 0]
        if any(0 < f < best for f in fractions):
            result.warnings.append(f"第 {line} 行: 部分得分的选项按错误选项导入（单选题只有一个正确答案）")
    else:
        right = [i for i, f in enumerate(fractions) if f > 0]
    fields.update(type="single" if single else "multiple", options=[text for text, _ in answers],
                  answer=[chr(ord("A") + i) for i in right if i < 26])
