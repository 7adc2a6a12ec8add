"""NeXus resolution over nodes of any backend: the ``@default`` chain and NXdata.

Pure functions: they read attributes and small text datasets (titles), never
a signal. Nothing here raises on a malformed file: :func:`find_nxdata` gives
``None``, :func:`nxdata_info` gives ``None`` and :func:`nxdata_problem` says why.

Two generations of conventions are read:

- NeXus ≥ 2014: group attributes ``signal``, ``axes`` (``"."`` for a dimension
  without axis), ``AXISNAME_indices``, ``auxiliary_signals``; ``<signal>_errors``.
- NeXus 2011 and older writers (pyFAI's ``test.h5``): a dataset marked
  ``signal=1`` whose own ``axes`` attribute lists axis names (``"a:b"`` or
  ``"a,b"``), axis datasets marked ``axis=k`` (1-based dimension, ``primary=1``
  first when several share one; they alone give the axes when no ``axes``
  attribute exists anywhere); ``errors``.

Axis problems (a missing axis, a length that matches no dimension) do not make
an NXdata invalid: the axis is left out and the reason kept in ``warnings``,
so the signal can still be plotted against indices.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._base import Dataset, Group, Node
from ._format import text_value as text
from ._nexus_read import NXDataInfo
from ._nexus_read import as_int as _int
from ._nexus_read import attr as _attr
from ._nexus_read import member as _member
from ._nexus_read import members as _members
from ._nexus_read import names as _names
from ._nexus_read import read_text as _read_text

__all__ = ["NXDataInfo", "axis_values", "default_plot", "find_nxdata", "nxdata_columns", "nxdata_info",
           "nxdata_problem", "plot_problem", "read_axis", "text"]

_MAX_HOPS = 16  # @default chains longer than this are cycles
#: Members of the first NXentry looked at for a plot when nothing names one: a guess must stay cheap
#: (an entry of 10 000 datasets cost 1000 node builds, 1-7 s, before the explorer could paint).
_GUESS_MEMBERS = 64


# -- the @default chain -----------------------------------------------------------------
def find_nxdata(node: Node, budget: int = 1000) -> Group | None:
    """The NXdata group that ``node`` leads to, or None.

    Follows ``@default`` from a file, an NXentry or any group; a node that is
    an NXdata is returned as is. Without ``@default``, an NXentry (or
    NXsubentry) gives its first NXdata member, and a file with a single NXentry
    continues into it. At most ``budget`` members of a group are looked at.
    """
    seen: set[str] = set()
    try:
        node = node.deref()
    except Exception:
        return None
    for _ in range(_MAX_HOPS):
        if not isinstance(node, Group) or node.path in seen:
            return None
        seen.add(node.path)
        nx_class = node.nx_class
        if nx_class == "NXdata":
            return node
        target = _member(node, text(_attr(node, "default")) or "")
        if isinstance(target, Group):
            node = target
            continue
        groups = [m for m in _members(node, budget) if isinstance(m, Group)]
        if nx_class in ("NXentry", "NXsubentry"):
            return next((g for g in groups if g.nx_class == "NXdata"), None)
        entries = [g for g in groups if g.nx_class == "NXentry"]
        if node.parent is None and len(entries) == 1:
            node = entries[0]
            continue
        return None
    return None


def default_plot(root: Node) -> Group | None:
    """The plot a file opens on: its ``@default`` chain, else the first NXentry's default plot.

    ``find_nxdata`` alone gives nothing for a file of several entries without
    ``@default`` (a SPEC file's scans, pyFAI's ``test.h5``); a scientist then
    expects the first entry's plot. Only the first entry, and its first
    :data:`_GUESS_MEMBERS` members, are looked at (a file of big entries none
    of which holds a plot opens at once), and an NXdata that cannot be plotted
    is not chosen.
    """
    found = find_nxdata(root)
    if found is None and isinstance(root, Group) and not text(_attr(root, "default")):
        entry = next((m for m in _members(root) if isinstance(m, Group) and m.nx_class == "NXentry"), None)
        found = find_nxdata(entry, _GUESS_MEMBERS) if entry is not None else None
    return found if found is not None and nxdata_info(found) is not None else None


# -- NXdata -----------------------------------------------------------------------------
def _signal(group: Group) -> tuple[str | None, Node | None, str | None]:
    """(name, node, problem) of the signal, new style first then ``signal=1``."""
    name = text(_attr(group, "signal"))
    if name:
        node = _member(group, name)
        problem = None if node is not None else f"@signal names {name!r}, which is not a member of {group.path!r}"
        return name, node, problem
    for member in _members(group):
        if isinstance(member, Dataset) and _int(_attr(member, "signal")) == 1:
            return member.name, member, None
    return None, None, f"{group.path!r} has no @signal attribute and no dataset marked signal=1"


def nxdata_problem(group: Node) -> str | None:
    """Why ``group`` is not a plottable NXdata, or None when it is."""
    return _analyse(group)[1]


def nxdata_info(group: Node) -> NXDataInfo | None:
    """Signal, axes, errors, labels and title of an NXdata group (None when invalid)."""
    return _analyse(group)[0]


def _analyse(group: Node) -> tuple[NXDataInfo | None, str | None]:
    try:
        group = group.deref()
    except Exception as exc:
        return None, str(exc)
    if not isinstance(group, Group):
        return None, f"{group.path!r} is a {group.kind}, not a group"
    if group.nx_class != "NXdata":
        return None, f"{group.path!r} is not an NXdata group (NX_class {group.nx_class!r})"
    name, signal, problem = _signal(group)
    if problem:
        return None, problem
    if not isinstance(signal, Dataset):
        kind = signal.kind if signal is not None else "missing member"
        return None, f"signal {name!r} of {group.path!r} is a {kind}, not a dataset"
    if signal.shape is None:
        return None, f"signal {name!r} of {group.path!r} is empty (null dataspace)"
    if signal.dtype.kind not in "biufc":
        return None, f"signal {name!r} of {group.path!r} is not numeric ({signal.dtype})"
    info = NXDataInfo(group=group, signal=signal, signal_name=str(name))
    info.long_name = text(_attr(signal, "long_name"))
    info.units = text(_attr(signal, "units")) or text(_attr(signal, "unit"))
    info.interpretation = text(_attr(signal, "interpretation")) or text(_attr(group, "interpretation"))
    _resolve_axes(group, info)
    _resolve_errors(group, info)
    _resolve_auxiliary(group, info)
    info.title = _title(group)
    return info, None


def _axis_list(group: Group, signal: Dataset) -> tuple[list[str], bool]:
    """Axis names, and whether they come from the (new-style) group attribute."""
    value = _attr(group, "axes")
    if value is not None:
        return _names(value), True
    value = _attr(signal, "axes")
    if text(value) is not None or (isinstance(value, np.ndarray) and value.dtype.kind in "SUO"):
        return [n for n in _names(value, ":,") if n], False
    return _marked_axes(group, signal), False


def _marked_axes(group: Group, signal: Dataset) -> list[str]:
    """NeXus 2011 without any @axes: datasets marked ``axis=k`` (1-based), ``primary=1`` preferred.

    Gives one name per signal dimension (``"."`` where none is marked), the
    way silx's NXdata reader and the 2011 NeXus manual read such groups.
    """
    ndim = len(signal.shape or ())
    chosen: list[tuple[int, str] | None] = [None] * ndim
    for member in _members(group):
        if not isinstance(member, Dataset) or member.name == signal.name:
            continue
        value = _attr(member, "axis")
        number = _int(value) if value is not None else None
        if number is None or not 1 <= number <= ndim:
            continue
        primary = _int(_attr(member, "primary"))
        rank = 1 if primary is None else primary  # an axis without @primary counts as primary
        current = chosen[number - 1]
        if current is None or rank < current[0]:
            chosen[number - 1] = (rank, member.name)
    if all(c is None for c in chosen):
        return []
    return [c[1] if c is not None else "." for c in chosen]


def _dimension(group: Group, name: str, position: int, axis: Node | None, new_style: bool) -> Any:
    """Signal dimension(s) of axis ``name``: ``_indices``, old ``axis=k``, else its position."""
    indices = _attr(group, f"{name}_indices")
    if indices is not None:
        values = np.atleast_1d(np.asarray(indices)).ravel()
        try:
            return [int(v) for v in values]
        except (TypeError, ValueError):
            return None
    if axis is not None and not new_style:
        # ``axis`` (1-based) as NeXus 2011 wrote it; pyFAI wrote the same integer as ``axes``
        for key in ("axis", "axes"):
            value = _attr(axis, key)
            number = _int(value) if value is not None and text(value) is None else None
            if number is not None:
                return [number - 1]
    # positional (the NeXus rule): the k-th name is dimension k, also when the list is shorter than the rank
    return [position]


def _resolve_axes(group: Group, info: NXDataInfo) -> None:
    shape = info.signal.shape or ()  # never None: a null dataspace is no signal
    ndim = len(shape)
    info.axes, info.axis_names = [None] * ndim, [None] * ndim
    info.axis_long_names, info.axis_units = [None] * ndim, [None] * ndim
    names, new_style = _axis_list(group, info.signal)
    for position, name in enumerate(names):
        if name in ("", "."):
            continue
        axis = _member(group, name)
        dims = _dimension(group, name, position, axis, new_style)
        if axis is None or not isinstance(axis, Dataset):
            info.warnings.append(f"axis {name!r} is not a dataset of {group.path!r}")
            continue
        if not dims or any(not 0 <= d < ndim for d in dims):
            info.warnings.append(f"axis {name!r} points at dimension(s) {dims} of a {ndim}-d signal")
            continue
        if len(dims) > 1 or axis.shape is None or sum(n > 1 for n in axis.shape) > 1:
            info.warnings.append(f"axis {name!r} spans several dimensions: not used as a 1-d axis")
            continue
        dim, length = dims[0], axis.size  # (N,) or (N, 1) as 2011 writers stored columns
        if length not in (shape[dim], shape[dim] + 1):  # values or bin edges
            info.warnings.append(f"axis {name!r} has {length} values, dimension {dim} of the signal has {shape[dim]}")
            continue
        info.axes[dim], info.axis_names[dim] = axis, name
        info.axis_long_names[dim] = text(_attr(axis, "long_name"))
        info.axis_units[dim] = text(_attr(axis, "units")) or text(_attr(axis, "unit"))
    _resolve_other_axes(group, info, names if new_style else [])


def _resolve_other_axes(group: Group, info: NXDataInfo, named: list[str]) -> None:
    """1-d axes given a dimension by ``NAME_indices`` but absent from ``@axes``: alternatives to offer."""
    shape = info.signal.shape or ()
    info.other_axes = [[] for _ in shape]
    try:
        keys = [k for k in group.attrs if k.endswith("_indices") and k[: -len("_indices")] not in named]
    except Exception:  # an unlistable attribute table: no alternatives
        return
    for key in keys:
        name = key[: -len("_indices")]
        dims, axis = _dimension(group, name, -1, None, True), _member(group, name)
        if not dims or len(dims) != 1 or not 0 <= dims[0] < len(shape) or not isinstance(axis, Dataset):
            continue
        if axis.shape is None or len(axis.shape) != 1 or axis.shape[0] not in (shape[dims[0]], shape[dims[0]] + 1):
            continue
        info.other_axes[dims[0]].append((name, axis))


def _resolve_errors(group: Group, info: NXDataInfo) -> None:
    for name in (f"{info.signal_name}_errors", "errors"):
        errors = _member(group, name)
        if errors is None:
            continue
        if isinstance(errors, Dataset) and errors.shape == info.signal.shape:
            info.errors = errors
            return
        info.warnings.append(f"errors {name!r} do not have the signal's shape {info.signal.shape}")


def _resolve_auxiliary(group: Group, info: NXDataInfo) -> None:
    for name in _names(_attr(group, "auxiliary_signals"), ""):
        node = _member(group, name)
        if isinstance(node, Dataset) and node.shape == info.signal.shape:
            info.auxiliary_signals.append(node)
            info.auxiliary_signal_names.append(name)
        else:
            info.warnings.append(f"auxiliary signal {name!r} is missing or not shaped like the signal")


def _title(group: Group) -> str | None:
    node: Node | None = group
    while node is not None:
        if isinstance(node, Group):
            title = _read_text(_member(node, "title"))
            if title is not None:
                return title
            if node.nx_class in ("NXentry", "NXsubentry"):
                return None  # titles above the entry describe something else
        node = node.parent
    return None


def nxdata_columns(info: NXDataInfo, selection: slice) -> tuple[list[str], list[list[Any]]]:
    """A 1-D NXdata as a table: its axis, signal and auxiliary signals read over ``selection``, in group order.

    The columns a SPEC scan lists on its ``#L`` line, side by side as the course prints them.
    Returns the column names and the rows (one value per column).
    """
    named: list[tuple[str, Dataset]] = []
    axis = info.axes[0] if info.axes else None
    if isinstance(axis, Dataset) and axis.ndim == 1:
        named.append((info.axis_names[0], axis))
    named.append((info.signal_name, info.signal))
    named += [(n, d) for n, d in zip(info.auxiliary_signal_names, info.auxiliary_signals) if d.ndim == 1]
    try:  # in the group's own order (a SPEC scan's plot keeps its #L order)
        order = {name: i for i, name in enumerate(info.group.keys())}
    except Exception:  # an unlistable group: axis, signal, auxiliary signals
        order = {}
    named.sort(key=lambda item: order.get(item[0], len(order)))
    n = len(range(*selection.indices((info.signal.shape or (0,))[0])))
    columns = []
    for _, node in named:
        values = np.asarray(node[selection]).ravel()[:n]
        columns.append(list(values) + [None] * (n - values.size))  # an axis of bin edges is one longer
    return [name for name, _ in named], [list(row) for row in zip(*columns)]


def plot_problem(node: Node, found: Node | None = None) -> str | None:
    """Why the plot ``node`` asks for cannot be drawn, or None (a plot, or a plain group asking for none).

    ``node`` asks for a plot when it is an NXdata, when its ``@default`` names
    a member, or when :func:`find_nxdata` led to an NXdata (``found``).
    """
    try:
        node = node.deref()
    except Exception as exc:
        return str(exc)
    if found is not None and nxdata_info(found) is None:
        return f"cannot plot {found.path!r}: {nxdata_problem(found)}"
    if node.nx_class == "NXdata":
        problem = nxdata_problem(node)
        return f"cannot plot {node.path!r}: {problem}" if problem else None
    default = text(_attr(node, "default")) if isinstance(node, Group) else None
    if default and found is None and isinstance(node, Group):
        target = _member(node, default)
        if target is None:
            return f"@default of {node.path!r} names {default!r}, which is not a member"
        if not isinstance(target, Group):
            return f"@default of {node.path!r} names {default!r}, a {target.kind}, not a group"
        if target.nx_class != "NXdata":
            return f"@default of {node.path!r} leads to {target.path!r}, which has no NXdata"
    return None


def axis_values(info: NXDataInfo | None, dim: int, index: Any) -> list[float] | None:
    """Values of the NXdata axis of signal dimension ``dim`` at source indices ``index`` (increasing).

    None when the dimension has no numeric 1-d axis or no index falls inside
    it (bin edges have one value more than the signal: the extra one is never
    asked for). Reads only the span of the axis from the first index to the last.
    """
    axes = list(info.axes) if info is not None else []
    return read_axis(axes[dim] if 0 <= dim < len(axes) else None, index)


def read_axis(axis: Dataset | None, index: Any) -> list[float] | None:
    """Values of a numeric 1-d ``axis`` at ``index`` (see :func:`axis_values`), reading only their span."""
    if axis is None or axis.shape is None or len(axis.shape) != 1 or axis.dtype.kind not in "iuf":
        return None
    idx = np.asarray(index, dtype=np.int64)
    idx = idx[(idx >= 0) & (idx < axis.shape[0])]
    if idx.size == 0:
        return None
    values = np.asarray(axis[int(idx[0]) : int(idx[-1]) + 1], dtype=np.float64)
    out: list[float] = values[idx - idx[0]].tolist()
    return out
