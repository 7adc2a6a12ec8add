"""What a curve is drawn against: an NXdata axis of its dimension, or the index.

A curve's abscissa comes from the NXdata it belongs to (:mod:`h5lens.nodes.nexus`):
the axis ``@axes`` names for the curve's dimension is the default (a SPEC
scan's motor, an MCA's calibrated energy), and every other 1-d axis the group
gives that dimension with ``NAME_indices`` (the MCA's channels) is one click
away, as is :data:`INDEX` (positions 0, 1, 2...). The viewer keeps the choice
in its ``x`` trait; the front-end offers :func:`choices` as a menu.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._protocol import Abscissa
from .nodes import nexus
from .nodes._base import Dataset

#: The abscissa of positions along the dimension (always offered).
INDEX = "index"


def curve_dim(items: Sequence[Any]) -> int | None:
    """The dimension a curve selection runs along (its one slice), None unless exactly one."""
    kept = [d for d, item in enumerate(items) if isinstance(item, slice)]
    return kept[0] if len(kept) == 1 else None


def _axes(info: nexus.NXDataInfo | None, dim: int | None) -> list[tuple[str, Dataset]]:
    """The named 1-d numeric axes of ``dim``: the ``@axes`` one first, then the others."""
    if info is None or dim is None or not 0 <= dim < len(info.axes):
        return []
    out = []
    if info.axes[dim] is not None and info.axis_names[dim]:
        out.append((str(info.axis_names[dim]), info.axes[dim]))
    out += list(info.other_axes[dim]) if dim < len(info.other_axes) else []
    return [(n, a) for n, a in out if a.shape is not None and len(a.shape) == 1 and a.dtype.kind in "iuf"]


def choices(info: nexus.NXDataInfo | None, dim: int | None) -> list[Abscissa]:
    """The abscissae a curve along ``dim`` can be drawn against, the default first, with their labels."""
    out = []
    if info is not None and dim is not None:  # else _axes finds none
        for name, axis in _axes(info, dim):  # the @axes one keeps the NXdata's own label
            label = info.label(dim) if axis is info.axes[dim] else info.axis_label(name, axis)
            out.append(Abscissa(name=name, label=label))
    if all(c["name"] != INDEX for c in out):
        out.append(Abscissa(name=INDEX, label=INDEX))
    return out


def resolve(info: nexus.NXDataInfo | None, dim: int | None, name: str | None) -> str:
    """``name`` when a curve along ``dim`` can use it, else the default abscissa of ``dim`` ("" without a curve)."""
    if dim is None:
        return ""
    names = [c["name"] for c in choices(info, dim)]
    return name if name in names else names[0]


def check(info: nexus.NXDataInfo | None, dim: int | None, name: str, view: str = "") -> str:
    """The abscissa ``name`` asks for ("": the default); ValueError when ``dim`` does not offer it."""
    if dim is None:
        if name:
            raise ValueError(f"x {name!r}: no curve is shown (the {view or 'current'} view)")
        return ""
    names = [c["name"] for c in choices(info, dim)]
    if name and name not in names:
        raise ValueError(f"x {name!r} is not an abscissa of this curve; choose one of {', '.join(names)}")
    return name or names[0]


def values(info: nexus.NXDataInfo | None, dim: int, name: str, index: Any) -> list[float] | None:
    """Values of abscissa ``name`` of ``dim`` at source indices ``index`` (None: the index itself)."""
    axis = dict(_axes(info, dim)).get(name)
    return nexus.read_axis(axis, index) if axis is not None else None
