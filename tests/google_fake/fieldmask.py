"""Field masks: `fields=sheets(properties(title,sheetId),data)` on reads, `fields` in update requests."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

Tree = dict[str, Any]  # name → subtree, or None for "everything below"


def parse(mask: str) -> Tree | None:
    """Parse a mask into a tree; None means `*` (everything). `/` separates like `.` (gspread uses both)."""
    mask = mask.replace(" ", "").replace("/", ".")
    if mask in ("", "*"):
        return None
    tree: Tree = {}
    pos = _parse_list(mask, 0, tree)
    if pos != len(mask):
        raise ValueError(f"bad field mask {mask!r}")
    return tree


def _parse_list(mask: str, pos: int, tree: Tree) -> int:
    while pos < len(mask):
        pos = _parse_path(mask, pos, tree)
        if pos < len(mask) and mask[pos] == ",":
            pos += 1
            continue
        break
    return pos


def _parse_path(mask: str, pos: int, tree: Tree) -> int:
    start = pos
    while pos < len(mask) and mask[pos] not in ".,()":
        pos += 1
    name = mask[start:pos]
    if name == "*":
        tree["*"] = None
        return pos
    if pos < len(mask) and mask[pos] == ".":
        return _parse_path(mask, pos + 1, _child(tree, name))
    if pos < len(mask) and mask[pos] == "(":
        pos = _parse_list(mask, pos + 1, _child(tree, name))
        if pos >= len(mask) or mask[pos] != ")":
            raise ValueError(f"bad field mask {mask!r}")
        return pos + 1
    tree[name] = None
    return pos


def _child(tree: Tree, name: str) -> Tree:
    if name in tree and tree[name] is None:
        return {}  # already selected whole: deeper paths add nothing
    child: Tree = tree.setdefault(name, {})
    return child


def select(data: Any, tree: Tree | None) -> Any:
    """Keep only the masked fields of a response (lists are masked item by item)."""
    if tree is None or "*" in tree:
        return data
    if isinstance(data, list):
        return [select(item, tree) for item in data]
    if not isinstance(data, dict):
        return data
    return {key: select(value, tree[key]) for key, value in data.items() if key in tree}


def wants(tree: Tree | None, path: tuple[str, ...]) -> bool:
    """Whether a mask selects anything at or below `path` (rendering can skip what it drops)."""
    for key in path:
        if tree is None or "*" in tree:
            return True
        if key not in tree:
            return False
        tree = tree[key]
    return True


def leaf_paths(tree: Tree | None, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The masked paths, e.g. [('gridProperties', 'rowCount'), ('title',)]; [()] for `*`."""
    if tree is None or "*" in tree:
        return [prefix]
    paths: list[tuple[str, ...]] = []
    for key, child in tree.items():
        paths.extend(leaf_paths(child, (*prefix, key)))
    return paths


@cache
def _mask_paths(mask: str) -> tuple[tuple[str, ...], ...]:
    return tuple(leaf_paths(parse(mask)))


def apply(target: dict[str, Any], source: dict[str, Any], mask: str) -> None:
    """Copy the masked fields of `source` into `target`; a masked field absent from source is cleared."""
    for path in _mask_paths(mask):
        if not path:
            target.clear()
            target.update(copy.deepcopy(source))
            continue
        src: Any = source
        dst = target
        for key in path[:-1]:
            src = src.get(key, {}) if isinstance(src, dict) else {}
            dst = dst.setdefault(key, {})
        last = path[-1]
        if isinstance(src, dict) and last in src and src[last] is not None:
            dst[last] = copy.deepcopy(src[last])
        else:
            dst.pop(last, None)
