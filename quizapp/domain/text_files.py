"""Plain text files as organizers save them: UTF-8 (with or without BOM) or GBK from Chinese Windows."""

from __future__ import annotations

from .errors import DomainError


def decode_text(raw: bytes, name: str) -> str:
    """The file's text; a DomainError naming the file when it is neither UTF-8 nor GBK/GB18030."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")  # as Notepad or Excel on Chinese Windows saves it
    except UnicodeDecodeError:
        raise DomainError(f"{name} 不是 UTF-8 或 GBK 文本文件", code="validation_error") from None
