"""Reprs of nodes, h5py-like and never reading data.

``<h5lens dataset "/data/0000": shape (540, 640), uint16 in 'ID16B_diatomee.h5'>``
names the kind, the path, what the metadata says (shape and the dtype label of
:mod:`._format`), a group's member count when it costs no listing, a link's
target, and the file. A node of a closed tree says so and asks nothing of its
file, so printing it never raises.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ._format import dtype_label, printable_name

if TYPE_CHECKING:
    from ._node import Node


def _quoted(text: str) -> str:
    return '"' + printable_name(text) + '"'


def _where(node: Node) -> str:
    name = node.owner.filename
    return f" in {printable_name(os.path.basename(name) or name)!r}" if name else ""


def _detail(node: Node) -> str:
    """What the node's metadata says: shape and dtype, member count, link target."""
    kind = node.kind
    if kind == "dataset":
        shape = getattr(node, "shape", None)
        shown = "empty" if shape is None else f"shape {tuple(int(n) for n in shape)}"
        return f": {shown}, {dtype_label(getattr(node, 'dtype', 'float64'))}"
    if kind == "datatype":
        return f": {dtype_label(getattr(node, 'dtype', 'float64'))}"
    if kind == "group":
        count = node._cheap_len()  # type: ignore[attr-defined]  # Group's hook
        return "" if count is None else f" ({count} member{'' if count == 1 else 's'})"
    if kind == "link":
        return _link_detail(node)
    return ""


def _link_detail(node: Node) -> str:
    """``→ "/target"`` and, once known, ``(broken)``.

    Soft links are followed (a lookup in the same file); an external link is
    judged only if something already followed it: a repr opens no file.
    """
    target = getattr(node, "target_label", "?")
    text = f" → {_quoted(target)}"
    known = node._resolved is not None or node._error is not None  # type: ignore[attr-defined]
    if getattr(node, "link_type", "") != "external" or known:
        if not node.resolved:  # type: ignore[attr-defined]
            text += " (broken)"
    return text


def node_repr(node: Node) -> str:
    """The repr of any node (see the module docstring); never raises for a closed tree."""
    kind = node.kind or type(node).__name__
    if kind == "link":
        kind = f"{getattr(node, 'link_type', '')} link".strip()
    head = f"<h5lens {kind} {_quoted(node.path)}"
    if node.owner.closed:
        name = node.owner.filename
        return f"{head} (closed{' file ' + repr(printable_name(os.path.basename(name) or name)) if name else ''})>"
    try:
        detail = _detail(node)
    except Exception as exc:  # a repr reports, it does not fail: e.g. a handle closed behind our back
        detail = f" (unreadable: {type(exc).__name__})"
    return f"{head}{detail}{_where(node)}>"
