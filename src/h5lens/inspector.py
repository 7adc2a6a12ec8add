"""What the explorer's inspector says about a node, and its bounded text preview: pure functions.

:func:`describe` gives every field of a node (path, kind, shape, dtype,
storage, link target, small values, every attribute with its value), as the
``inspect`` command sends it; :func:`preview` reads at most
:data:`PREVIEW_ELEMENTS` elements. Nothing here knows Jupyter: the
:class:`~h5lens.widgets.explorer.Explorer` only routes commands here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._glance._plan import hard_links
from ._protocol import AttributeRow, Detail, NodeInfo, PreviewReply
from .nodes._base import Dataset, Group, Link, Node
from .nodes._format import (
    decode_value,
    description,
    dtype_label,
    link_info,
    maxshape_label,
    node_label,
    printable_name,
    shape_label,
    small_value,
    storage_label,
    value_preview,
    value_type,
)
from .tree_rows import LABEL_COUNT_LIMIT

#: elements read at most for the text preview
PREVIEW_ELEMENTS = 1000
#: attributes listed at most in the inspector (their names are counted beyond)
MAX_ATTRS = 500
ATTR_CHARS = 2000
PREVIEW_CHARS = 20_000
#: the inspector shows the value of a dataset of at most this many elements and bytes
INSPECT_ITEMS = 64
INSPECT_BYTES = 16_384
#: members of a group whose values the inspector lists
VALUE_MEMBERS = 100
#: facts about how a dataset is stored (HDF5's property lists): the inspector's "Storage" section;
#: on a file's root, the "File" section (the node's own fields stay short, so the attributes show)
STORAGE_FACTS = frozenset({"Fill value", "Max shape", "Size in memory", "Size on disk", "Compression ratio",
                           "Driver", "User block", "Library version bounds", "Superblock version", "SWMR",
                           "Chunk cache"})


def attributes(node: Node) -> tuple[list[AttributeRow], int]:
    """Up to :data:`MAX_ATTRS` attributes as ``{name, value, type}`` rows, and the total count."""
    names = list(node.attrs)
    rows: list[AttributeRow] = []
    for name in names[:MAX_ATTRS]:
        try:
            value = node.attrs[name]
            rows.append(AttributeRow(name=printable_name(name), value=value_preview(value, ATTR_CHARS),
                                     type=value_type(value)))
        except Exception as exc:  # one bad attribute must not hide the others
            rows.append(AttributeRow(name=printable_name(name), value=f"<unreadable: {exc}>", type="?"))
    return rows, len(names)


def details(node: Node) -> list[Detail]:
    """The node's extra facts (:attr:`Node.details`) as ``{label, value}`` or ``{label, rows}`` (a table)."""
    try:
        facts = node.details
    except Exception as exc:  # a header that cannot be read is said, not fatal to the inspector
        return [{"label": "Details", "value": f"<unreadable: {exc}>"}]
    out: list[Detail] = []
    section = "File" if isinstance(node, Group) else "Storage"
    for label, value in facts:
        if isinstance(value, list):
            out.append({"label": label, "rows": [[printable_name(str(k)), value_preview(v, ATTR_CHARS)]
                                                  for k, v in value]})
        else:
            out.append({"label": label, "value": value_preview(value, ATTR_CHARS)})
            if label in STORAGE_FACTS:
                out[-1]["section"] = section
    return out


def plot_notes(group: Group) -> list[Detail]:
    """Why the plot a group asks for cannot be drawn, or what its NXdata leaves out (axes ignored...)."""
    from .nodes import nexus

    problem = nexus.plot_problem(group, nexus.find_nxdata(group))
    if problem:
        return [{"label": "Cannot plot", "value": problem}]
    info = nexus.nxdata_info(group) if group.nx_class == "NXdata" else None
    if info is not None and info.warnings:
        return [{"label": "Plot notes", "value": "; ".join(info.warnings)}]
    return []


def member_values(group: Group) -> list[list[str]]:
    """``[name, value]`` of the small datasets among a group's first :data:`VALUE_MEMBERS` members.

    ``/metadata``: count_time 0.5, pixel_size 0.099824...; big datasets are never read.
    """
    rows = []
    for node in group.page(0, VALUE_MEMBERS):
        value = small_value(node, INSPECT_ITEMS, 200, INSPECT_BYTES)
        if value is not None:
            rows.append([printable_name(node.name), value])
    return rows


def describe(node: Node, listing: dict[str, str | None] | None = None) -> NodeInfo:
    """The inspector's fields for ``node`` (a link is described with its target's fields).

    ``listing``: the file's :func:`~h5lens._glance._plan.same_as_listing` when the caller keeps one.
    """
    info = NodeInfo(path=printable_name(node.path), name=printable_name(node.name), kind=node.kind,
                    label=node_label(node, count_upto=LABEL_COUNT_LIMIT),
                    attributes=[], attribute_count=0)
    target = node.target_node if isinstance(node, Link) else node
    if isinstance(node, Link):
        info["link"] = link_info(node)
    if target is None:  # a broken link: nothing more to say
        return info
    if isinstance(node, Link):
        info["target_kind"] = target.kind
    info["nx_class"] = target.nx_class
    info["description"] = description(node) or description(target)
    info["details"] = details(target)
    if isinstance(target, Dataset):
        chunks = target.chunks
        info.update({
            "shape": shape_label(target.shape), "dtype": dtype_label(target.dtype),
            "chunks": shape_label(chunks) if chunks else "none",
            "filters": [f.name + ("" if f.available else " (unavailable)") for f in target.filters],
            "layout": target.layout, "storage": storage_label(target), "size": target.size, "nbytes": target.nbytes,
        })
        if target.maxshape != target.shape and target.maxshape is not None:
            info["maxshape"] = maxshape_label(target.maxshape)
        value = small_value(target, INSPECT_ITEMS, ATTR_CHARS, INSPECT_BYTES)
        if value is not None:
            info["value"] = value
    elif isinstance(target, Group):
        members = target.count_upto(LABEL_COUNT_LIMIT)  # a classic HDF5 group's full count walks its index
        if members is not None:  # else "more than N members" in the label until the tree counts it
            info["members"] = members
        cycle = target.cycle_of
        if cycle is not None:
            info["cycle"] = f"a hard link back to {printable_name(cycle)} (not expanded in the tree)"
        rows = member_values(target)
        if rows:
            info["details"].append({"label": "Member values", "rows": rows})
        info["details"] += plot_notes(target)
    first, others = hard_links(target, listing)  # "same as /A/a", as h5ls and `h5lens ls` print it
    if first and "cycle" not in info:
        info["same_as"] = first
    if others:
        info["also_at"] = others
    info["attributes"], info["attribute_count"] = attributes(target)
    return info


def _head_selection(shape: tuple) -> tuple:
    """A leading block of at most :data:`PREVIEW_ELEMENTS` elements: ``[0, …, :20, :50]``."""
    if len(shape) == 1:
        return (slice(0, min(shape[0], PREVIEW_ELEMENTS)),)
    return (0,) * (len(shape) - 2) + (slice(0, min(shape[-2], 20)), slice(0, min(shape[-1], 50)))


def preview(node: Node) -> PreviewReply:
    """Text preview of a dataset: ``{text, note}``; reads a bounded block only."""
    target = node.deref()
    if not isinstance(target, Dataset):
        return PreviewReply(ok=True, text="", note=f"{target.kind}: {node_label(target)}")
    shape = target.shape
    if shape is None:
        return PreviewReply(ok=True, text="empty", note="null dataspace (no data)")
    if target.size <= PREVIEW_ELEMENTS:
        value, note = target[()], ""
    else:
        sel = _head_selection(shape)
        value = target[sel]
        where = ", ".join(str(s) if isinstance(s, int) else f":{s.stop}" for s in sel)
        note = f"first block [{where}] of {shape_label(shape)}"
    if np.ndim(value) == 0:
        text = value_preview(value, PREVIEW_CHARS)
    else:
        arr = np.asarray(decode_value(np.asarray(value)))  # valid UTF-8 bytes shown as text
        plain: Any = {"numpystr": lambda v: repr(v.item() if isinstance(v, np.generic) else v)}
        with np.printoptions(threshold=PREVIEW_ELEMENTS, linewidth=120, edgeitems=5):
            text = np.array2string(arr, separator=" ", formatter=plain if arr.dtype.kind in "OSU" else None)
        text = printable_name(text)
        if len(text) > PREVIEW_CHARS:
            text = text[:PREVIEW_CHARS - 1] + "…"
    return PreviewReply(ok=True, text=text, note=note)
