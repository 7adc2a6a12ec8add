"""Editing a mask: pixels added to it or removed from it by a shape or a threshold on the shown frame.

A :class:`MaskEdit` is what the page sends when the user draws on the mask
(and what :meth:`h5lens.widgets.viewer.Viewer.edit_mask` takes): ``op`` "add"
or "remove", and either a shape (rectangle, ellipse or polygon in ``(row,
col)`` of pixel centres of the displayed frame, inside as for an ROI:
:class:`~h5lens.measure.roi.Shape`) or a threshold ("below": values ``<
value``, "above": values ``> value``) on the displayed frame's full-resolution
values. A shape costs a few numbers on the wire whatever its size; the
threshold reads the frame in row blocks (bounded memory). NaN never passes a
threshold; masked pixels and the sentinel are compared by their values
(a threshold may remove masked pixels again).

The mask is the full frame's (:func:`h5lens.measure.for_viewer.shown_mask`
gives the displayed frame's view of it, transposed or sliced), so an edit
holds for every frame of a stack.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .frame import Frame
from .roi import BLOCK_PIXELS, Shape
from .roi import KINDS as SHAPES

OPS = ("add", "remove")
THRESHOLDS = ("below", "above")
KINDS = (*SHAPES, *THRESHOLDS)


@dataclass(frozen=True)
class MaskEdit:
    """Add (``op="add"``) or remove the pixels inside ``shape``, or below/above ``value`` (``kind``)."""

    op: str
    kind: str
    shape: Shape | None = None
    value: float | None = None

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise ValueError(f"a mask edit adds or removes pixels (op one of {', '.join(OPS)}), not {self.op!r}")
        if self.kind not in KINDS:
            raise ValueError(f"a mask edit is one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.kind in THRESHOLDS:
            if self.value is None or not math.isfinite(self.value):
                raise ValueError(f"a threshold {self.kind} a value needs a finite value, not {self.value!r}")
        elif self.shape is None or self.shape.kind != self.kind:
            raise ValueError(f"a {self.kind} mask edit needs its {self.kind} shape")

    @classmethod
    def of(cls, op: str, kind: str, *, y: Any = None, x: Any = None, points: Any = None,
           value: Any = None) -> MaskEdit:
        """The edit of keyword arguments (as ``Viewer.add_roi`` takes a shape); ValueError when incomplete."""
        if kind not in KINDS:  # said as a mask edit's choices, before a Shape says its own
            cls(op, "below", value=0.0)  # the op's own message first
            raise ValueError(f"a mask edit is one of {', '.join(KINDS)}, not {kind!r}")
        if kind in THRESHOLDS:
            return cls(op, kind, value=None if value is None else float(value))
        if kind == "polygon":
            return cls(op, kind, Shape("polygon", points=list(points or [])))
        if y is None or x is None:
            raise ValueError(f"a {kind} mask edit needs y=(y0, y1) and x=(x0, x1)")
        return cls(op, kind, Shape(kind, y=tuple(y), x=tuple(x)))

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> MaskEdit:
        """The edit the page sends (``{op, kind, y, x, points, value}``)."""
        return cls.of(str(d.get("op")), str(d.get("kind")), y=d.get("y"), x=d.get("x"), points=d.get("points"),
                      value=d.get("value"))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (what :meth:`from_json` reads)."""
        if self.shape is None:
            return {"op": self.op, "kind": self.kind, "value": self.value}
        return {"op": self.op, **self.shape.to_json()}


def chosen(edit: MaskEdit, frame: Frame) -> Iterator[tuple[slice, slice, np.ndarray]]:
    """``(rows, cols, pixels)``: blocks of the displayed frame and which of their pixels the edit picks.

    A shape's blocks cover its bounding rectangle (ValueError when it holds no
    pixel of the frame); a threshold's cover the frame, its values as stored
    (masked pixels and the sentinel compared by their values, +Inf above all).
    """
    if edit.shape is not None:
        ys, xs = edit.shape.box(frame.shape)
        cols = np.arange(xs.start, xs.stop)[None, :]
        for r0, r1 in _rows(ys, xs.stop - xs.start):
            yield slice(r0, r1), xs, edit.shape.inside(np.arange(r0, r1)[:, None], cols)
        return
    xs = slice(0, frame.shape[1])
    for r0, r1 in _rows(slice(0, frame.shape[0]), frame.shape[1]):
        values = frame.values(slice(r0, r1), xs)  # as stored: ±Inf compare, masked pixels too
        with np.errstate(invalid="ignore"):  # NaN is neither below nor above
            yield slice(r0, r1), xs, (values < edit.value) if edit.kind == "below" else (values > edit.value)


def _rows(ys: slice, width: int) -> Iterator[tuple[int, int]]:
    step = max(1, BLOCK_PIXELS // max(1, width))
    for r0 in range(ys.start, ys.stop, step):
        yield r0, min(r0 + step, ys.stop)


def apply(edit: MaskEdit, frame: Frame, shown: np.ndarray) -> int:
    """Set (add) or clear (remove) the picked pixels in ``shown``; how many pixels changed.

    ``shown`` is the mask as the frame displays it, of ``frame.shape``: a view of
    the full frame's mask (written through), True = masked.
    """
    if tuple(shown.shape) != tuple(frame.shape):
        raise ValueError(f"the mask shown has shape {tuple(shown.shape)}, the frame {tuple(frame.shape)}")
    add = edit.op == "add"
    changed = 0
    for rows, cols, picked in chosen(edit, frame):
        part = shown[rows, cols]
        flips = picked & (part != add)
        changed += int(np.count_nonzero(flips))
        part[flips] = add
    return changed


def note(mask: np.ndarray | None, detector: np.ndarray | None) -> str:
    """What the page says of ``mask`` (the one applied): how many pixels, how many the detector's; "" for none."""
    if mask is None:
        return ""
    text = f"{int(np.count_nonzero(mask)):,} of {mask.size:,} pixels masked"
    if detector is not None:
        text += f" ({int(np.count_nonzero(detector)):,} by the detector's pixel_mask, kept when the mask is cleared)"
    return text
