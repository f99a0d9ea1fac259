"""Contest regions as a two-level hierarchy (盟市 → 旗县区), stored as a flat list of strings.

A definition's `regions` is a list of names, or (our extension to CONTRACT §4) a mapping
`{"通辽市": ["奈曼旗", "科尔沁区"], "呼和浩特市": []}`. The mapping is flattened to
`"通辽市/奈曼旗"`, `"通辽市/科尔沁区"`, `"呼和浩特市"`, so that whatever compares, lists or counts
regions (registration, the API's `regions`, statistics, region scopes) keeps working on strings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

REGION_SEPARATOR = "/"
# What people type for the separator: the ASCII slash, or the full-width one of a Chinese IME.
_SEPARATORS = ("/", "／")
NAME_MAX = 32
# Participant.region is a String(64): a 盟市 and its 旗县区 together must fit.
REGION_MAX = 64


def flatten(mapping: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The stored form of a 盟市 → 旗县区 mapping: `盟市/旗县区` per sub-region, `盟市` when it has none."""
    flat: list[str] = []
    for top, children in mapping.items():
        if children:
            flat.extend(f"{top}{REGION_SEPARATOR}{child}" for child in children)
        else:
            flat.append(top)
    return tuple(flat)


def split(region: str) -> tuple[str, str | None]:
    """A stored region as (盟市, 旗县区), or (name, None) for a region without a level below."""
    top, separator, sub = region.partition(REGION_SEPARATOR)
    return (top, sub) if separator else (region, None)


def tree(regions: Sequence[str]) -> list[tuple[str, list[str]]]:
    """The top-level regions in first-seen order, each with its sub-regions (an empty list when none)."""
    groups: dict[str, list[str]] = {}
    for region in regions:
        top, sub = split(region)
        children = groups.setdefault(top, [])
        if sub is not None and sub not in children:
            children.append(sub)
    return list(groups.items())


def is_hierarchical(regions: Sequence[str]) -> bool:
    """Tell whether any stored region names a sub-region (`盟市/旗县区`)."""
    return any(split(region)[1] is not None for region in regions)


def as_definition(regions: Sequence[str]) -> dict[str, list[str]] | list[str]:
    """Stored regions as a definition writes them: the mapping when hierarchical, else the list."""
    if is_hierarchical(regions):
        mapping = dict(tree(regions))
        # Only when the mapping gives back exactly these strings in this order (a list written by
        # hand may list 通辽市 both alone and with 旗县, or interleave 盟市), else the list is kept.
        if flatten(mapping) == tuple(regions):
            return mapping
    return list(regions)


def normalize(region: str) -> str:
    """A region as typed (`通辽市 ／ 奈曼旗`) in its stored form (`通辽市/奈曼旗`): one separator, parts trimmed."""
    text = region.strip()
    for separator in _SEPARATORS:
        top, found, sub = text.partition(separator)
        if found:
            return f"{top.strip()}{REGION_SEPARATOR}{sub.strip()}"
    return text


def parents_with_children(regions: Sequence[str]) -> frozenset[str]:
    """The top-level names that have sub-regions (a participant must choose one of those)."""
    return frozenset(top for top, children in tree(regions) if children)


def read_definition(value: Any) -> tuple[tuple[str, ...], dict[str, str]]:
    """Validate a definition's `regions` (list or mapping); the stored list and the errors by path."""
    if value is None:
        return (), {}
    if isinstance(value, Mapping):
        return _read_mapping(value)
    if isinstance(value, list):
        return _read_list(value)
    return (), {"regions": "必须是字符串列表，或“盟市 → 旗县区列表”的对象"}


def _read_list(value: list) -> tuple[tuple[str, ...], dict[str, str]]:
    """A flat list: unique, non-empty strings of at most NAME_MAX characters (as before the mapping)."""
    regions: list[str] = []
    errors: dict[str, str] = {}
    for index, item in enumerate(value):
        error = _name_error(item, regions, allow_separator=True)
        if error:
            errors.setdefault(f"regions[{index}]", error)
        else:
            regions.append(item.strip())
    return tuple(regions), errors


def _read_mapping(value: Mapping) -> tuple[tuple[str, ...], dict[str, str]]:
    """A mapping 盟市 → list of 旗县区; each name non-empty, unique, and without the separator."""
    mapping: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    for key, children in value.items():
        name = key.strip() if isinstance(key, str) else ""
        path = f"regions.{name}" if name else "regions"
        error = "盟市名称不能为空" if not name else _name_error(key, list(mapping), allow_separator=False)
        if error:
            errors.setdefault(path, error)
            continue
        if not isinstance(children, list):
            errors.setdefault(path, "必须是旗县区名称的列表（没有下级地区时写 []）")
            continue
        mapping[name] = _read_children(name, children, path, errors)
    return flatten(mapping), errors


def _read_children(top: str, children: list, path: str, errors: dict[str, str]) -> list[str]:
    """The valid, unique sub-regions of `top`; each refusal is recorded at `path[index]`."""
    kept: list[str] = []
    for index, child in enumerate(children):
        error = _name_error(child, kept, allow_separator=False)
        if not error and len(top) + len(REGION_SEPARATOR) + len(child.strip()) > REGION_MAX:
            error = f"连同所属盟市写作“盟市/旗县区”后不能超过 {REGION_MAX} 个字符"
        if error:
            errors.setdefault(f"{path}[{index}]", error)
        else:
            kept.append(child.strip())
    return kept


def _name_error(item: Any, seen: Sequence[str], allow_separator: bool) -> str | None:
    """Why `item` cannot be a region name next to those already `seen`, or None."""
    if not isinstance(item, str) or not item.strip():
        return "必须是非空字符串"
    name = item.strip()
    if len(name) > NAME_MAX:
        return f"不能超过 {NAME_MAX} 个字符"
    if not allow_separator and any(separator in name for separator in _SEPARATORS):
        return "名称中不能含有“/”（下级地区请写在盟市的列表里）"
    if name in seen:
        return f"地区重复：{name}"
    return None

