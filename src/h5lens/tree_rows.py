"""The rows of a tree, apart from Jupyter: what each member shows, and paths as the browser holds them.

:class:`h5lens.widgets.tree.Tree` answers its ``children``, ``info`` and
``search`` commands with these rows (:class:`h5lens._protocol.TreeItem`). A
row is built from the node alone: its label and class are read, a link is
followed only when asked (external links open other files), and an unreadable
member or a hard-link cycle becomes a row that says so.
"""

from __future__ import annotations

import posixpath
import re
import time
from typing import Any, cast

from ._protocol import TreeItem
from .nodes._base import Group, Link, Node
from .nodes._format import description, link_info, node_label, printable_name

_ESCAPED = re.compile(r"\\x([89a-f][0-9a-f])")
#: a group row's label counts members up to this many ("more than 10000 members" past it; the
#: tree's ``count`` command says the exact number when the group is expanded)
LABEL_COUNT_LIMIT = 10_000


def to_wire(path: str) -> str:
    r"""A path the browser can hold: undecodable name bytes (surrogate escapes) as ``\xNN``."""
    return printable_name(path)


def from_wire(path: str) -> str:
    r"""Inverse of :func:`to_wire` (``\xNN`` back to the surrogate-escaped byte)."""
    return _ESCAPED.sub(lambda m: chr(0xDC00 + int(m.group(1), 16)), path)


def item_info(node: Node, follow_links: bool = True) -> TreeItem:
    """What a tree row shows: name, path, kind, label, NX_class, link state, expandable.

    With ``follow_links=False`` a link is described without being followed
    (``link.broken`` is None: not checked), which costs no file opening.
    """
    info: dict[str, Any] = {"name": printable_name(node.name), "path": to_wire(node.path), "kind": node.kind,
                            "description": description(node)}
    link = link_info(node, follow=follow_links) if isinstance(node, Link) else None
    if link is not None and link["broken"] is None:
        info.update(label=f"→ {link['target']}", expandable=True, nx_class=None, link=link)
        return cast(TreeItem, info)
    try:
        info["label"] = node_label(node, count_upto=LABEL_COUNT_LIMIT)
    except Exception as exc:  # an unreadable member is shown, not fatal to its page
        info["label"] = f"unreadable: {exc}"
        info["error"] = str(exc)
    target: Node | None = node
    if isinstance(node, Link):
        info["link"] = link
        target = node.target_node
    info["expandable"] = isinstance(target, Group)
    cycle = _cycle_of(target)
    if cycle is not None:  # a hard link back to an ancestor: shown, never expanded (h5ls does the same)
        info["cycle"] = to_wire(cycle)
        info["label"] = f"{info.get('label', '')} · same as {printable_name(cycle)} (hard-link cycle)"
        info["expandable"] = False
    try:
        info["nx_class"] = target.nx_class if target is not None else None
    except Exception:
        info["nx_class"] = None
    return cast(TreeItem, info)


def pending_item(group_path: str, name: str, kind: str) -> TreeItem:
    """The row of a remote member known by its name and kind only (``pending``: the details come later).

    ``group_path`` is its group's path; the tree's ``rows`` command brings the full row.
    """
    path = posixpath.join(group_path or "/", name)
    return cast(TreeItem, {"name": printable_name(name), "path": to_wire(path), "kind": kind, "label": "",
                           "description": None, "expandable": kind == "group", "nx_class": None, "pending": True})


def _cycle_of(node: Node | None) -> str | None:
    try:
        return node.cycle_of if isinstance(node, Group) else None
    except Exception:  # no identity to compare: an ordinary group
        return None


def page_info(nodes: list[Node], link_budget_s: float) -> list[TreeItem]:
    """Rows of ``nodes``, following links only while ``link_budget_s`` lasts.

    External links open other files (slow on shared filesystems); past the
    budget the remaining links are listed unchecked rather than delaying the page.
    """
    deadline = time.monotonic() + link_budget_s
    return [item_info(n, follow_links=time.monotonic() < deadline) for n in nodes]
