"""The slice contract: a dimension mapping ↔ a selection string such as ``"12,:,:"``.

A selection string has one comma-separated item per dimension, each an index
(``12``, ``-1``) or a slice (``:``, ``::4``, ``10:20``, ``10:20:2``); steps are
positive. Indices fix a dimension, slices keep it. The same grammar is parsed
by ``js/src/viewer/selection.js``; both sides run the shared case table
``tests/fixtures/selection_cases.json`` so they cannot drift apart.

A *mapping* says what each dimension does in the view: an ``int`` (the fixed
index of a slider dimension) or ``"x"`` / ``"y"`` (displayed axes). Strides
apply to displayed axes. The string keeps h5py order, so a mapping with x
before y describes the transpose of what the string reads; see
:func:`is_transposed`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

Item = int | slice

_INT = re.compile(r"^[+-]?\d+$")


class SelectionError(ValueError):
    """A selection string or mapping that does not fit the dataset's shape."""


def _int(text: str, what: str) -> int | None:
    text = text.strip()
    if text == "":
        return None
    if not _INT.match(text):
        raise SelectionError(f"{what} {text!r} is not an integer")
    return int(text)


def parse(text: str, shape: Sequence[int]) -> tuple[Item, ...]:
    """Parse and validate ``text`` against ``shape``.

    Indices are normalised to ``0 <= i < n``; slices get explicit, clipped
    ``start``/``stop`` and a positive ``step``.

    Raises
    ------
    SelectionError
        Wrong number of items, bad syntax, index out of range, step ≤ 0.
    """
    shape = tuple(int(n) for n in shape)
    text = (text or "").strip()
    parts = [] if text == "" else text.split(",")
    if len(parts) != len(shape):
        raise SelectionError(
            f"selection {text!r} has {len(parts)} item(s), the shape {shape} needs {len(shape)}"
        )
    items: list[Item] = []
    for dim, (part, n) in enumerate(zip(parts, shape)):
        bits = part.split(":")
        if len(bits) == 1:
            i = _int(bits[0], f"index of dimension {dim}")
            if i is None:
                raise SelectionError(f"empty item for dimension {dim}")
            j = i + n if i < 0 else i
            if not 0 <= j < n:
                raise SelectionError(f"index {i} is out of range for dimension {dim} of size {n}")
            items.append(j)
        elif len(bits) in (2, 3):
            start, stop = (_int(b, f"slice bound of dimension {dim}") for b in bits[:2])
            step = _int(bits[2], f"step of dimension {dim}") if len(bits) == 3 else None
            if step is not None and step <= 0:
                raise SelectionError(f"step {step} of dimension {dim} must be positive")
            start, stop, step = slice(start, stop, step).indices(n)
            items.append(slice(start, max(start, stop), step))
        else:
            raise SelectionError(f"item {part.strip()!r} of dimension {dim} is not an index or a slice")
    return tuple(items)


def format(items: Sequence[Item], shape: Sequence[int]) -> str:  # noqa: A001 - mirrors parse
    """The canonical string of parsed ``items`` (shortest form: ``:``, ``::2``, ``3:9``)."""
    out = []
    for item, n in zip(items, shape):
        if isinstance(item, slice):
            start, stop, step = item.indices(int(n))
            text = ("" if start == 0 else str(start)) + ":" + ("" if stop >= n else str(stop))
            out.append(text + (f":{step}" if step != 1 else ""))
        else:
            out.append(str(int(item)))
    return ",".join(out)


def normalize(text: str, shape: Sequence[int]) -> str:
    """Parse then format: the canonical form of ``text``."""
    return format(parse(text, shape), shape)


def result_shape(items: Sequence[Item], shape: Sequence[int]) -> tuple[int, ...]:
    """Shape of the array the selection reads (fixed dimensions dropped)."""
    return tuple(len(range(*it.indices(int(n)))) for it, n in zip(items, shape) if isinstance(it, slice))


def default(shape: Sequence[int], ndisplay: int) -> str:
    """Index 0 on every leading dimension, the last ``ndisplay`` dimensions kept."""
    ndisplay = min(ndisplay, len(shape))
    return ",".join(["0"] * (len(shape) - ndisplay) + [":"] * ndisplay)


def to_mapping(text: str, shape: Sequence[int]) -> list:
    """The mapping a string describes: free dimensions become ``y`` then ``x``.

    One free dimension is ``x``; two are ``y, x`` (h5py order). More than two
    free dimensions cannot be displayed and raise :class:`SelectionError`.
    """
    items = parse(text, shape)
    free = [d for d, it in enumerate(items) if isinstance(it, slice)]
    if len(free) > 2:
        raise SelectionError(f"selection {text!r} keeps {len(free)} dimensions; a view shows at most 2")
    names = ["x"] if len(free) == 1 else ["y", "x"]
    mapping: list = [it for it in items]
    for d, name in zip(free, names):
        mapping[d] = name
    return mapping


def from_mapping(mapping: Sequence, shape: Sequence[int], strides: dict | None = None) -> str:
    """The selection string of a mapping (``int`` index or ``"x"``/``"y"`` per dim).

    ``strides`` maps ``"x"``/``"y"`` to a positive step for that axis.
    """
    if len(mapping) != len(shape):
        raise SelectionError(
            f"mapping {list(mapping)} has {len(mapping)} entries, shape {tuple(shape)} needs {len(shape)}"
        )
    axes = [m for m in mapping if isinstance(m, str)]
    if any(a not in ("x", "y") for a in axes) or len(set(axes)) != len(axes):
        raise SelectionError(f"mapping {list(mapping)} must use 'x' and 'y' at most once each")
    strides = strides or {}
    parts = []
    for m in mapping:
        if isinstance(m, str):
            step = int(strides.get(m, 1))
            if step <= 0:
                raise SelectionError(f"stride {step} of axis {m} must be positive")
            parts.append(f"::{step}" if step != 1 else ":")
        else:
            parts.append(str(int(m)))
    return normalize(",".join(parts), shape)


def is_transposed(mapping: Sequence) -> bool:
    """True when ``x`` comes before ``y``: the displayed image is the read array's transpose."""
    m = list(mapping)
    return "x" in m and "y" in m and m.index("x") < m.index("y")


def step_ahead(
    previous: Sequence[Item] | None, current: Sequence[Item], shape: Sequence[int]
) -> tuple[Item, ...] | None:
    """The selection one more step along the dimension that moved from ``previous`` to ``current``.

    The same delta again (a stride of 3 stays 3, a step back goes on back);
    without a single slider move to follow (a first view, several moves, other
    kept dimensions), +1 along the only slider of size > 1. None at the end of
    the axis or when there is no step to follow. ``js/src/viewer/selection.js``
    (``stepAhead``) asks for the frame this rule reads ahead; both run the
    ``step_ahead`` cases of ``tests/fixtures/selection_cases.json``.
    """
    shape = tuple(int(n) for n in shape)
    ints = [d for d, it in enumerate(current) if not isinstance(it, slice)]
    dim, delta = None, 1
    if previous is not None and len(previous) == len(current) and all(
            isinstance(a, slice) == isinstance(b, slice) for a, b in zip(previous, current)):
        moved = [d for d in ints if previous[d] != current[d]]
        before, now = (previous[moved[0]], current[moved[0]]) if len(moved) == 1 else (None, None)
        if isinstance(before, int) and isinstance(now, int):  # always, as both sides fix that dimension
            dim, delta = moved[0], now - before
    if dim is None:
        sliders = [d for d in ints if shape[d] > 1]
        if len(sliders) != 1:
            return None
        dim = sliders[0]
    here = current[dim]
    target = here + delta if isinstance(here, int) else -1
    if not 0 <= target < shape[dim]:
        return None
    return tuple(target if d == dim else it for d, it in enumerate(current))
