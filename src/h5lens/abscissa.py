"""What a curve is drawn against: an NXdata axis of its dimension, a column of the same scan, or the index.

A curve's abscissa comes from the NXdata it belongs to (:mod:`h5lens.nodes.nexus`):
the axis ``@axes`` names for the curve's dimension is the default (a SPEC
scan's motor, an MCA's calibrated energy), and every other 1-d axis the group
gives that dimension with ``NAME_indices`` (the MCA's channels) is one click
away. Then come the "plot against" candidates: the 1-d numeric datasets of the
curve's length in its NXdata group, in its own group and in its scan's
``measurement`` group (a SPEC scan's counters, a NeXus entry's columns; the
2011 writers' ``(N, 1)`` columns count as 1-d), then the ones Python gave
(``viewer.x = array``, ``extra``), and last :data:`INDEX` (positions 0, 1, 2...).
The viewer keeps the choice in its ``x`` trait; the front-end offers
:func:`choices` as a menu.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._protocol import Abscissa
from .nodes import nexus
from .nodes._base import Dataset, Group, Node
from .nodes._format import text_value as text
from .nodes._nexus_read import attr, members

#: The abscissa of positions along the dimension (always offered).
INDEX = "index"
#: Members of each group looked at for candidates: a group's first listing builds a node per member
#: (about 0.6 ms each for HDF5; 256 members of a 3000-member group cost 150 ms before a viewer showed).
BUDGET = 64
#: Abscissae given from Python: ``(name, 1-d array or Dataset)``.
Extra = Sequence[tuple[str, Any]]


def curve_dim(items: Sequence[Any]) -> int | None:
    """The dimension a curve selection runs along (its one slice), None unless exactly one."""
    kept = [d for d, item in enumerate(items) if isinstance(item, slice)]
    return kept[0] if len(kept) == 1 else None


def column_length(a: Any) -> int | None:
    """The length of a numeric column (``(N,)`` or ``(N, 1)``), None when ``a`` is not one."""
    shape, dtype = getattr(a, "shape", None), getattr(a, "dtype", None)
    if shape is None or dtype is None or np.dtype(dtype).kind not in "iuf" or not shape:
        return None
    if len(shape) == 1 or (len(shape) == 2 and shape[1] == 1):
        return int(shape[0])
    return None


def _axes(info: nexus.NXDataInfo | None, dim: int | None) -> list[tuple[str, Dataset]]:
    """The named 1-d numeric axes of ``dim``: the ``@axes`` one first, then the others."""
    if info is None or dim is None or not 0 <= dim < len(info.axes):
        return []
    out = []
    if info.axes[dim] is not None and info.axis_names[dim]:
        out.append((str(info.axis_names[dim]), info.axes[dim]))
    out += list(info.other_axes[dim]) if dim < len(info.other_axes) else []
    return [(n, a) for n, a in out if a.shape is not None and len(a.shape) == 1 and a.dtype.kind in "iuf"]


def _label(name: str, column: Dataset) -> str:
    """``long_name``, else ``name (units)``, else ``name`` (as NXdata axes are labelled)."""
    units = text(attr(column, "units")) or text(attr(column, "unit"))
    return text(attr(column, "long_name")) or (f"{name} ({units})" if units else name)


def _entry(node: Node | None) -> Node | None:
    while node is not None and node.nx_class not in ("NXentry", "NXsubentry"):
        node = node.parent
    return node


def _groups(info: nexus.NXDataInfo | None, dataset: Dataset | None) -> list[Group]:
    """Where candidates are looked for: the NXdata group, the dataset's group, its scan's ``measurement``."""
    out: list[Any] = [info.group if info is not None else None, dataset.parent if dataset is not None else None]
    entry = _entry(out[0] or out[1])
    if isinstance(entry, Group):
        try:
            out.append(entry.get("measurement"))
        except Exception:  # an unreadable entry: the groups above are enough
            pass
    seen, groups = set(), []
    for g in out:
        if isinstance(g, Group) and g.path not in seen:
            seen.add(g.path)
            groups.append(g)
    return groups


def near(info: nexus.NXDataInfo | None, dataset: Dataset | None, column: Any) -> bool:
    """True when ``column`` is a member of a group :func:`columns` looks in (offered under its member name)."""
    parent = getattr(column, "parent", None)
    return parent is not None and any(g.path == parent.path for g in _groups(info, dataset))


def columns(info: nexus.NXDataInfo | None, dataset: Dataset | None) -> list[tuple[str, Dataset, int]]:
    """``(member name, column, length)`` of the numeric columns near the curve (:func:`_groups`), in order."""
    signal = info.signal if info is not None else dataset
    out: list[tuple[str, Dataset, int]] = []
    # the signal is no abscissa of itself (a SPEC scan's plot links its counters from measurement/)
    names: set[str] = {signal.name.rsplit("/", 1)[-1]} if signal is not None and signal.name else set()
    for group in _groups(info, dataset):
        for node in members(group, BUDGET):
            name = node.name.rsplit("/", 1)[-1]
            if not isinstance(node, Dataset) or name in names or (signal is not None and node.path == signal.path):
                continue
            n = column_length(node)
            if n is not None:
                names.add(name)
                out.append((name, node, n))
    return out


def siblings(info: nexus.NXDataInfo | None, dim: int | None, dataset: Dataset | None,
             found: list[tuple[str, Dataset, int]] | None = None) -> list[tuple[str, Dataset]]:
    """The columns (:func:`columns`, or ``found``) as long as the signal's dimension ``dim``."""
    signal = info.signal if info is not None else dataset
    if signal is None or dim is None or signal.shape is None or not 0 <= dim < len(signal.shape):
        return []
    found = columns(info, dataset) if found is None else found
    return [(name, node) for name, node, n in found if n == signal.shape[dim]]


def candidates(info: nexus.NXDataInfo | None, dim: int | None, dataset: Dataset | None = None,
               extra: Extra = (), found: list[tuple[str, Dataset, int]] | None = None) -> list[tuple[str, Any, str]]:
    """``(name, values, label)`` a curve along ``dim`` can be drawn against, in the menu's order.

    NXdata axes (the default first), the columns near it, those given from
    Python (``extra``), and the index last; ``found`` is :func:`columns` when
    already listed.
    """
    if dim is None:
        return []
    out: list[tuple[str, Any, str]] = []
    for name, axis in _axes(info, dim):  # the @axes one keeps the NXdata's own label
        assert info is not None
        out.append((name, axis, info.label(dim) if axis is info.axes[dim] else info.axis_label(name, axis)))
    taken = {n for n, _, _ in out} | {INDEX}
    more = [(n, a, _label(n, a)) for n, a in siblings(info, dim, dataset, found)]
    for name, values, label in more + [(n, v, n) for n, v in extra]:
        if name not in taken:
            taken.add(name)
            out.append((name, values, label))
    return out + [(INDEX, None, INDEX)]


def choices(info: nexus.NXDataInfo | None, dim: int | None, dataset: Dataset | None = None,
            extra: Extra = ()) -> list[Abscissa]:
    """The abscissae a curve along ``dim`` can be drawn against, the default first, with their labels."""
    found = candidates(info, dim, dataset, extra) if dim is not None else []
    return [Abscissa(name=n, label=label) for n, _, label in found] or [Abscissa(name=INDEX, label=INDEX)]


def menus(info: nexus.NXDataInfo | None, dataset: Dataset, extra: Extra = (),
          near: bool = True) -> list[list[Abscissa]]:
    """Per dimension of ``dataset``, what a curve along it can be drawn against (the near columns listed once).

    ``near=False`` leaves the columns out (an image's viewer: no group listing before its first frame).
    """
    found = columns(info, dataset) if near else []
    return [[Abscissa(name=n, label=label) for n, _, label in candidates(info, d, dataset, extra, found)]
            for d in range(len(dataset.shape or ()))]


def default(info: nexus.NXDataInfo | None, dim: int | None) -> str:
    """The abscissa a curve along ``dim`` starts with: its NXdata axis, else :data:`INDEX` ("" without a curve)."""
    if dim is None:
        return ""
    axes = _axes(info, dim)
    return axes[0][0] if axes else INDEX


def resolve(info: nexus.NXDataInfo | None, dim: int | None, name: str | None, dataset: Dataset | None = None,
            extra: Extra = ()) -> str:
    """``name`` when a curve along ``dim`` can use it, else the default abscissa of ``dim`` ("" without a curve)."""
    if dim is None:
        return ""
    names = [c["name"] for c in choices(info, dim, dataset, extra)]
    return name if name in names else default(info, dim)


def check(info: nexus.NXDataInfo | None, dim: int | None, name: str, view: str = "",
          dataset: Dataset | None = None, extra: Extra = ()) -> str:
    """The abscissa ``name`` asks for ("": the default); ValueError when ``dim`` does not offer it."""
    if dim is None:
        if name:
            raise ValueError(f"x {name!r}: no curve is shown (the {view or 'current'} view)")
        return ""
    names = [c["name"] for c in choices(info, dim, dataset, extra)]
    if name and name not in names:
        raise ValueError(f"x {name!r} is not an abscissa of this curve; choose one of {', '.join(names)}")
    return name or default(info, dim)


def values(info: nexus.NXDataInfo | None, dim: int, name: str, index: Any, dataset: Dataset | None = None,
           extra: Extra = ()) -> list[float] | None:
    """Values of abscissa ``name`` of ``dim`` at source indices ``index`` (None: the index itself)."""
    if name == INDEX:
        return None
    axis = dict(_axes(info, dim)).get(name)
    if axis is not None:  # an NXdata axis may hold bin edges (one more value): read_axis knows
        return nexus.read_axis(axis, index)
    found = {n: v for n, v, _ in candidates(info, dim, dataset, extra)}.get(name)
    return read_column(found, index) if found is not None else None


def read_column(column: Any, index: Any) -> list[float] | None:
    """Values of a numeric column (:func:`column_length`) at ``index``, reading only their span."""
    idx = np.asarray(index, dtype=np.int64)
    n = column_length(column)
    idx = idx[(idx >= 0) & (idx < (n or 0))]
    if idx.size == 0:
        return None
    span = np.asarray(column[int(idx[0]) : int(idx[-1]) + 1], dtype=np.float64).reshape(-1)
    out: list[float] = span[idx - idx[0]].tolist()
    return out
