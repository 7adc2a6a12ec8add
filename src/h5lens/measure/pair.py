"""Two images to compare (``h5lens.compare``): each side resolved to one 2-D frame, and what each mode shows.

A side is a node, an h5py object, ``"file.h5::/path"``, an array, or
``(one of those, index)`` for a frame of a stack; a stack given without an
index shows its first frame, an NXdata group its signal. The sides are read
as the viewer reads frames (:func:`h5lens.frames.frame`: display resolution,
full-resolution statistics); ``diff`` and ``ratio`` are computed on the full
frames (:func:`h5lens.measure.compare`, one frame of each side in memory),
kept until the sides change, and then shown the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import frames, views
from .. import selection as sel
from .._open import open as open_any
from ..nodes._base import Node
from ..nodes._format import shape_label
from .compare import MODES as MATHS
from .compare import compare

#: What the widget can show: both sides, one computed image, or the sides in turn.
MODES = ("side", "diff", "ratio", "blink")
#: What a frame request can ask for.
WHICH = ("a", "b", "diff", "ratio")


@dataclass
class Side:
    """One side: the dataset, the items selecting its frame, a label, and the file opened for it (or None)."""

    dataset: Any
    items: tuple
    label: str
    owned: Node | None = None
    name: str = "a"

    @property
    def frames(self) -> int:
        """How many frames the dataset holds along its first dimension (0 for a single image)."""
        lead = self.dataset.shape[:-2]
        return int(lead[0]) if lead else 0

    @property
    def index(self) -> int:
        """The frame shown (0 for a single image)."""
        return int(self.items[0]) if self.frames else 0

    def at(self, index: int) -> Side:
        """The same dataset at frame ``index``; ValueError when it has no such frame."""
        items, label = _frame(self.dataset, index, self.name)
        return Side(self.dataset, items, label, self.owned, self.name)

    @property
    def shape(self) -> tuple[int, int]:
        """The frame's shape (rows, columns)."""
        kept = [n for n, item in zip(self.dataset.shape, self.items) if isinstance(item, slice)]
        return int(kept[0]), int(kept[1])

    def read(self) -> np.ndarray:
        """The whole frame (one frame in memory)."""
        return np.asarray(self.dataset[self.items])


def side(value: Any, name: str) -> Side:
    """Resolve ``value`` (see the module) to a :class:`Side`; ValueError naming it when it holds no image."""
    index = None
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], (int, np.integer)):
        value, index = value
    owned = None
    if isinstance(value, Node):
        node = value
    else:
        node = open_any(value if not isinstance(value, (list, tuple)) else np.asarray(value))
        owned = node
    try:
        choice = views.choose(node)
        ds = choice.dataset
        if ds is None or ds.shape is None or len(ds.shape) < 2 or ds.dtype.kind not in "biuf":
            what = f"{ds.shape} {ds.dtype}" if ds is not None and ds.shape is not None else choice.reason or node.kind
            raise ValueError(f"compare: {name} ({_where(node)}) is not an image of numbers ({what})")
        items, label = _frame(ds, 0 if index is None else int(index), name)
        return Side(ds, items, label, owned, name)
    except BaseException:
        if owned is not None:
            owned.close()
        raise


def _frame(ds: Any, index: int, name: str) -> tuple[tuple, str]:
    """``(items, label)`` of frame ``index`` of ``ds`` (its first dimension; the next ones at 0)."""
    lead = ds.shape[:-2]
    if not lead and index != 0:
        raise ValueError(f"compare: {name} ({_where(ds)}) is one image of shape {ds.shape}, it has no frame {index}")
    if lead and not 0 <= index < lead[0]:
        raise ValueError(f"compare: {name} ({_where(ds)}) has {lead[0]} frames; there is no frame {index}")
    where = [index] + [0] * (len(lead) - 1) if lead else []
    text = sel.format(tuple(where) + (slice(None), slice(None)), ds.shape)
    return sel.parse(text, ds.shape), _where(ds) + (f" [{text}]" if lead else "")


def _where(node: Any) -> str:
    filename, path = getattr(node, "filename", "") or "", getattr(node, "path", "") or ""
    if not filename and path in ("", "/"):
        return f"{shape_label(node.shape)} {node.dtype} array"
    return f"{filename.rsplit('/', 1)[-1]}::{path}" if filename else path


def shapes_problem(a: Side, b: Side, mode: str) -> str | None:
    """Why ``mode`` cannot show ``a`` and ``b`` (their frames' shapes differ), None when it can."""
    if mode in MATHS and a.shape != b.shape:
        return f"cannot compare images of shapes {a.shape} and {b.shape}: they differ ({mode} needs equal shapes)"
    return None


@dataclass
class Pair:
    """Two sides and the computed images of the modes that need one (cached: one frame each)."""

    a: Side
    b: Side
    _computed: dict[str, np.ndarray] = field(default_factory=dict)

    def select(self, which: str, index: int) -> None:
        """Show frame ``index`` of side ``which`` (a or b); the computed images are made again when asked for."""
        if which not in ("a", "b"):
            raise ValueError(f"compare: a frame is chosen for a or b, not {which!r}")
        current = self.a if which == "a" else self.b
        if current.index == index:
            return
        moved = current.at(index)
        if which == "a":
            self.a = moved
        else:
            self.b = moved
        self._computed.clear()

    def source(self, which: str) -> tuple[Any, tuple]:
        """``(dataset, items)`` that ``which`` (a, b, diff, ratio) is read from."""
        if which == "a":
            return self.a.dataset, self.a.items
        if which == "b":
            return self.b.dataset, self.b.items
        if which not in MATHS:
            raise ValueError(f"compare shows {', '.join(WHICH)}, not {which!r}")
        problem = shapes_problem(self.a, self.b, which)
        if problem:
            raise ValueError(problem)
        if which not in self._computed:
            self._computed[which] = compare(self.a.read(), self.b.read(), which)
        return self._computed[which], (slice(None), slice(None))

    def frame(self, which: str, region: Any = None, canvas: Any = (1024, 1024), how: str = "max",
              equal: bool = True) -> dict[str, Any]:
        """:func:`h5lens.frames.frame` of ``which`` and ``numbers``: exact statistics of its full-resolution region."""
        data, items = self.source(which)
        out = frames.frame(data, items, False, region, canvas, how, "amplitude", equal=equal)
        r0, r1, c0, c1 = out["region"]
        if out["summary"] is not None:  # the display copy aggregates: the kernel's summary has every pixel
            s = out["summary"].result()
            numbers = {k: s[k] for k in ("min", "max", "mean", "std")} | {"finite": s["count"]}
        else:  # the display copy is every pixel of the region
            numbers = region_numbers(np.asarray(out["data"]))
        out["numbers"] = {"pixels": int((r1 - r0) * (c1 - c0)), **numbers}
        return out

    def values(self, which: str, region: Any = None) -> np.ndarray:
        """The full-resolution values of ``which`` in ``region`` (``(r0, r1, c0, c1)`` of a's frame, None: all).

        For ``b`` of another shape than ``a``, the same part of b's frame (as locked images show it).
        """
        data, items = self.source(which)
        h, w = self.a.shape if which != "b" else self.b.shape
        r0, r1, c0, c1 = region if region is not None else (0, h, 0, w)
        if region is not None and which == "b" and self.b.shape != self.a.shape:  # the same part of b's frame
            (ha, wa), (hb, wb) = self.a.shape, self.b.shape
            r0, r1 = int(np.floor(r0 * hb / ha)), int(np.ceil(r1 * hb / ha))
            c0, c1 = int(np.floor(c0 * wb / wa)), int(np.ceil(c1 * wb / wa))
        lead = tuple(i for i in items if not isinstance(i, slice))
        return np.asarray(data[lead + (slice(int(r0), int(r1)), slice(int(c0), int(c1)))])

    def close(self) -> None:
        """Close the files opened for the sides."""
        for s in (self.a, self.b):
            if s.owned is not None:
                s.owned.close()
                s.owned = None


def region_numbers(values: np.ndarray) -> dict[str, Any]:
    """``finite``, ``min``, ``max``, ``mean``, ``std`` of the finite values (None when there are none)."""
    v = np.asarray(values, dtype=np.float64)
    finite = v[np.isfinite(v)]
    if not finite.size:
        return {"finite": 0, "min": None, "max": None, "mean": None, "std": None}
    return {"finite": int(finite.size), "min": float(finite.min()), "max": float(finite.max()),
            "mean": float(finite.mean()), "std": float(finite.std())}
