"""Sizes as people read them, the same in every command's output."""

from __future__ import annotations

GIB = 1024 ** 3


def human_bytes(count: int) -> str:
    """A byte count in binary units, one decimal: 1.5 GiB, 420.0 KiB, 512 B."""
    for unit, size in (("GiB", GIB), ("MiB", 1024 ** 2), ("KiB", 1024)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} B"
