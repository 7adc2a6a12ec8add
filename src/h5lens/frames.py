"""What a viewer displays of a dataset: frames and curves of a selection, at display resolution.

A parsed selection (:func:`h5lens.selection.parse`) keeps one dimension (a
curve) or two (an image; three for RGB, whose last stays whole). Everything
here starts from the same geometry, :class:`FrameGeometry`: which dimensions
are kept, how long each is and where a range of displayed positions lies in
the source. :class:`FrameRequest` is one frame asked for (the selection parsed
once, and every option that changes the frame): the key of frames read ahead.

The reductions themselves (block aggregation, min/max per column, what a read
costs) are :mod:`h5lens.decimate`'s; this module only says what to read.
"""

from __future__ import annotations

import dataclasses
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import decimate, stats
from . import selection as sel
from ._protocol import PARTS, FrameAxes, ValuesReply
from .nodes import _format, nexus
from .selection import Item

#: What each complex part is, in the order of :data:`h5lens._protocol.PARTS`.
COMPLEX_PARTS: dict[str, Callable[[Any], Any]] = dict(zip(PARTS, (np.abs, np.angle, np.real, np.imag)))


def as_real(values: np.ndarray, name: str | None) -> np.ndarray:
    """``values`` as real numbers: the complex part ``name`` of complex data, else unchanged."""
    if values.dtype.kind != "c":
        return values
    if name not in COMPLEX_PARTS:
        raise ValueError(f"complex part {name!r} is not one of {', '.join(COMPLEX_PARTS)}")
    out: np.ndarray = COMPLEX_PARTS[name](values).astype(np.float32 if values.dtype == np.complex64 else np.float64)
    return out


@dataclass(frozen=True)
class FrameGeometry:
    """Where the kept dimensions of a selection lie in the source.

    Attributes
    ----------
    shape : tuple of int
        The dataset's shape.
    items : tuple
        The parsed selection (slices normalised by :func:`h5lens.selection.parse`).
    kept : tuple of int
        The kept (slice) dimensions, in source order.
    sizes : tuple of int
        How many values each kept dimension selects.
    """

    shape: tuple[int, ...]
    items: tuple[Item, ...]
    kept: tuple[int, ...]
    sizes: tuple[int, ...]

    @classmethod
    def of(cls, shape: Sequence[int], items: Sequence[Item]) -> FrameGeometry:
        """The geometry of ``items`` (a parsed selection) over ``shape``."""
        shape = tuple(int(n) for n in shape)
        kept = tuple(d for d, it in enumerate(items) if isinstance(it, slice))
        return cls(shape, tuple(items), kept, tuple(len(range(*cls._slice(items[d]).indices(shape[d]))) for d in kept))

    @staticmethod
    def _slice(item: Item) -> slice:
        if not isinstance(item, slice):
            raise TypeError(f"{item!r} is an index, not a kept dimension")
        return item

    def axes(self, transposed: bool = False) -> tuple[int, int]:
        """``(ydim, xdim)``: the source dimensions shown as rows and columns."""
        if len(self.kept) < 2:
            raise ValueError(f"an image keeps two dimensions, this selection keeps {len(self.kept)}")
        a, b = self.kept[0], self.kept[1]
        return (b, a) if transposed else (a, b)

    def size(self, dim: int) -> int:
        """How many values kept dimension ``dim`` selects."""
        return self.sizes[self.kept.index(dim)]

    def span(self, dim: int, lo: int, hi: int, stride: int = 1) -> slice:
        """Positions ``lo:hi`` (every ``stride``-th) of kept dimension ``dim``, as a slice of the source."""
        start, _, step = self._slice(self.items[dim]).indices(self.shape[dim])
        return slice(start + lo * step, start + hi * step, step * stride)

    def index(self, dim: int, positions: np.ndarray) -> np.ndarray:
        """Source indices of displayed ``positions`` along kept dimension ``dim``."""
        start, _, step = self._slice(self.items[dim]).indices(self.shape[dim])
        return start + np.asarray(positions, dtype=np.int64) * step

    def select(self, spans: dict[int, slice]) -> tuple[Item, ...]:
        """The selection with the kept dimensions of ``spans`` narrowed to those source slices."""
        return tuple(spans.get(d, it) for d, it in enumerate(self.items))

    def clip(self, region: Sequence[int] | None, transposed: bool = False) -> tuple[int, int, int, int]:
        """``(r0, r1, c0, c1)`` of a zoom ``region`` clipped to the frame (the whole frame for None)."""
        ydim, xdim = self.axes(transposed)
        h, w = self.size(ydim), self.size(xdim)
        r0, r1, c0, c1 = (int(v) for v in region) if region is not None else (0, h, 0, w)
        r0, r1, c0, c1 = max(0, r0), min(h, r1), max(0, c0), min(w, c1)
        if r1 <= r0 or c1 <= c0:
            raise ValueError(f"region {list(region) if region is not None else None} is empty for a frame of {h} × {w}")
        return r0, r1, c0, c1

    def region_sizes(self, region: Sequence[int] | None, least: int = 0) -> list[int]:
        """Kept sizes with the first two replaced by a region's (at least ``least``), in source order."""
        sizes = list(self.sizes)
        if region is not None and len(sizes) >= 2:
            r0, r1, c0, c1 = (int(v) for v in region)
            sizes[0], sizes[1] = max(least, r1 - r0), max(least, c1 - c0)
        return sizes


@dataclass(frozen=True)
class FrameRequest:
    """One frame asked for: a selection parsed once, and every option that changes the frame.

    Frozen and hashable: it is the key of the frames read ahead
    (:class:`h5lens.widgets._ahead.ReadAhead`). ``items`` is the parsed form of
    ``selection`` (the canonical string), so it takes no part in equality.
    """

    selection: str
    items: tuple[Item, ...] = field(compare=False, repr=False)
    transposed: bool = False
    region: tuple[int, int, int, int] | None = None
    canvas: tuple[int, int] = (1024, 1024)
    how: str = "max"
    part: str = "amplitude"
    equal: bool = False

    @classmethod
    def of(cls, items: Sequence[Item], shape: Sequence[int], *, region: Sequence[int] | None = None,
           canvas: Sequence[int] = (1024, 1024), **options: Any) -> FrameRequest:
        """The request of parsed ``items``; ``region`` and ``canvas`` as int tuples."""
        ints = None if region is None else tuple(int(v) for v in region)
        return cls(sel.format(items, shape), tuple(items),
                   region=None if ints is None else (ints[0], ints[1], ints[2], ints[3]),
                   canvas=(int(canvas[0]), int(canvas[1])), **options)

    def options(self) -> tuple:
        """Everything but the selection: requests with equal options are steps of one sequence."""
        return (self.transposed, self.region, self.canvas, self.how, self.part, self.equal)

    def moved(self, items: Sequence[Item], shape: Sequence[int]) -> FrameRequest:
        """The same request for another selection (a step of a slider)."""
        return dataclasses.replace(self, selection=sel.format(items, shape), items=tuple(items))

    def with_canvas(self, canvas: Sequence[int]) -> FrameRequest:
        """The same request at another canvas size."""
        return dataclasses.replace(self, canvas=(int(canvas[0]), int(canvas[1])))


# -- node-level entry points: a selection of a dataset at display resolution ----------------
def frame(dataset: Any, items: Sequence[Item], transposed: bool = False, region: Sequence[int] | None = None,
          canvas: Sequence[int] = (1024, 1024), how: str = "max", part: str | None = "amplitude",
          budget: int = decimate.BUDGET, equal: bool = False, summarize: bool = True) -> dict[str, Any]:
    """The 2-D frame ``items`` selects, aggregated to fit ``canvas``.

    Parameters
    ----------
    dataset : Dataset or array-like
        Anything with ``shape``, ``dtype``, ``chunks`` (optional) and slicing.
    items : tuple
        Parsed selection (:func:`h5lens.selection.parse`) keeping two dimensions
        (three for RGB: the last one is the colour channel and stays whole).
    transposed : bool
        Show the later kept dimension as rows.
    region : (r0, r1, c0, c1), optional
        Part of the frame to show (a zoom), in frame coordinates.
    how : str
        ``max`` or ``mean`` aggregation, or ``sample`` (one pixel per block:
        a quick preview that reads far less than the region for big chunks).
    equal : bool
        Square pixels: the region is fitted into ``canvas`` keeping its aspect
        ratio, so the factors follow the side that limits the fit.
    summarize : bool
        Fold the statistics of the tiles read (``summary``); False leaves them to
        a later pass (:func:`h5lens.summaries.frame_summary`) and says so in ``summary_due``.

    Returns
    -------
    dict
        ``data`` (≤ canvas), ``frame_shape``, ``region``, ``factors``, ``dims``,
        ``stats`` (chunks and bytes the read touches), ``warning``, ``summary``:
        a :class:`h5lens.stats.Summary` of the full-resolution region when the
        display copy is an aggregation (None when it holds every pixel, or is a
        strided preview or an RGB image, or with ``summarize`` False), and
        ``summary_due``: whether such a copy was sent without its summary.
    """
    geo, read, (ydim, xdim), rgb = reader(dataset, items, transposed, part)
    r0, r1, c0, c1 = geo.clip(region, transposed)
    if equal:  # the drawn size of the region once fitted with square pixels
        k = min(canvas[0] / (r1 - r0), canvas[1] / (c1 - c0))
        canvas = (max(1, math.ceil((r1 - r0) * k)), max(1, math.ceil((c1 - c0) * k)))
    fy, fx = decimate.block_factors((r1 - r0, c1 - c0), canvas)
    itemsize = np.dtype(dataset.dtype).itemsize
    chunks = getattr(dataset, "chunks", None)
    summary: stats.Summary | None = None
    due = False
    if rgb or how == "sample":  # colour images, and quick previews: one pixel per block (strided read)
        data = read(r0, r1, c0, c1, fy, fx, None if rgb else part)
    else:
        tile_chunks = frame_chunks(geo, ydim, xdim, chunks)
        # statistics of every pixel, when the copy aggregates them (else the browser has them all)
        kind = np.dtype(dataset.dtype).kind
        due = (fy > 1 or fx > 1) and kind in "biufc"
        if due and summarize:
            summary, due = stats.Summary(np.dtype(np.float64) if kind == "c" else np.dtype(dataset.dtype)), False

        def read_counted(a: int, b: int, c: int, d: int, sy: int = 1, sx: int = 1) -> np.ndarray:
            tile = read(a, b, c, d, sy, sx)
            if summary is not None:  # the tiles the display copy is made of: statistics cost no second read
                summary.add(tile)
            return tile

        data = decimate.aggregate(read_counted, (r0, r1, c0, c1), (fy, fx), how, tile_chunks, itemsize, budget)
    cost = decimate.chunk_stats(geo.shape, chunks, geo.select({ydim: geo.span(ydim, r0, r1),
                                                               xdim: geo.span(xdim, c0, c1)}), itemsize)
    return {
        "data": data, "frame_shape": [geo.size(ydim), geo.size(xdim)], "region": [r0, r1, c0, c1],
        "factors": [fy, fx], "dims": [ydim, xdim], "stats": cost, "warning": decimate.chunk_warning(cost, chunks),
        "summary": summary, "summary_due": due,
    }


def reader(dataset: Any, items: Sequence[Item], transposed: bool,
           part: str | None) -> tuple[FrameGeometry, Callable[..., np.ndarray], tuple[int, int], bool]:
    """``(geometry, read, (ydim, xdim), rgb)`` of a frame.

    ``read(r0, r1, c0, c1[, sy, sx, part])`` gives frame rows ``r0:r1`` and
    columns ``c0:c1`` (every ``sy``/``sx``-th) as real values, rows first.
    """
    geo = FrameGeometry.of(dataset.shape, items)
    rgb = len(geo.kept) == 3
    ydim, xdim = geo.axes(transposed)
    flip = ydim > xdim and not rgb  # the source reads (x, y): transpose what it gives

    def read(a: int, b: int, c: int, d: int, sy: int = 1, sx: int = 1, name: str | None = part) -> np.ndarray:
        sub = geo.select({ydim: geo.span(ydim, a, b, sy), xdim: geo.span(xdim, c, d, sx)})
        values = as_real(np.asarray(dataset[sub]), name)
        return values.T if flip else values

    return geo, read, (ydim, xdim), rgb


def frame_chunks(geo: FrameGeometry, ydim: int, xdim: int, chunks: Sequence[int] | None) -> tuple[int, int] | None:
    """The chunk shape in frame rows and columns (what a tile should cover whole), None when not chunked."""
    ystep, xstep = geo.span(ydim, 0, 1).step, geo.span(xdim, 0, 1).step
    return (chunks[ydim] // ystep or 1, chunks[xdim] // xstep or 1) if chunks else None


def curve(dataset: Any, items: Sequence[Item], region: Sequence[int] | None = None, columns: int = 2048,
          part: str | None = "amplitude", budget: int = decimate.BUDGET) -> dict[str, Any]:
    """The 1-D curve ``items`` selects; min/max per column when it has more points than ``columns``.

    Returns ``index`` (positions in the curve), ``min``/``max`` (equal when
    not decimated), ``decimated``, ``length``, ``region``, ``dim``, ``stats``, ``warning``.
    """
    geo = FrameGeometry.of(dataset.shape, items)
    if len(geo.kept) != 1:
        raise ValueError(f"a curve keeps one dimension, this selection keeps {len(geo.kept)}")
    xdim, n = geo.kept[0], geo.sizes[0]
    i0, i1 = (int(v) for v in region) if region is not None else (0, n)
    i0, i1 = max(0, i0), min(n, i1)
    itemsize = np.dtype(dataset.dtype).itemsize
    chunks = getattr(dataset, "chunks", None)

    def read(a: int, b: int, step: int = 1) -> np.ndarray:
        # step > 1: a strided sample of a huge curve (see decimate.minmax_1d)
        return as_real(np.asarray(dataset[geo.select({xdim: geo.span(xdim, a, b, step)})]), part)

    out = decimate.minmax_1d(read, i0, i1, columns, itemsize, budget)
    stats = decimate.chunk_stats(geo.shape, chunks, geo.select({xdim: geo.span(xdim, i0, i1)}), itemsize)
    warning = decimate.chunk_warning(stats, chunks)
    sampled = out.pop("sampled", None)
    if sampled:
        note = f"sampled: 1 value in {sampled} of {_format.size_label(n * itemsize)} (zoom in for exact values)"
        warning = f"{note}  {warning}" if warning else note
    return {**out, "decimated": out["min"] is not out["max"], "length": n, "region": [i0, i1],
            "dim": xdim, "stats": stats, "warning": warning}


def along_curve(signal: Any, items: Sequence[Item], dim: int, region: Sequence[int]) -> Any:
    """The values of ``signal`` (shaped like the curve's dataset) at a curve's region: errors, auxiliary signals."""
    geo = FrameGeometry.of(signal.shape, items)
    return np.asarray(signal[geo.select({dim: geo.span(dim, int(region[0]), int(region[1]))})])


def region_bytes(dataset: Any, items: Sequence[Item], region: Sequence[int] | None = None) -> int:
    """Bytes of the frame region a selection displays (what an exact aggregation reads)."""
    sizes = FrameGeometry.of(dataset.shape, items).region_sizes(region)
    return int(np.prod(sizes, dtype=np.int64)) * np.dtype(dataset.dtype).itemsize


def preview_canvas(dataset: Any, items: Sequence[Item], region: Sequence[int] | None, canvas: Sequence[int],
                   touch: int) -> list[int]:
    """The canvas of a strided preview that touches about ``touch`` bytes at most.

    A strided sample reads every sampled row across the displayed width: on a
    cold page cache its cost is the bytes of those rows, not the pixels kept
    (16384² float32 on a 1024 px canvas: 1024 rows × 64 KB = 64 MB). The canvas
    shrinks by the factor that brings ``rows × row bytes`` under ``touch``; the
    exact aggregation follows at full canvas size.
    """
    sizes = FrameGeometry.of(dataset.shape, items).region_sizes(region, least=1)
    if len(sizes) < 2:
        return list(canvas)
    rows = min(max(int(c) for c in canvas), sizes[0])
    touched = rows * sizes[1] * np.dtype(dataset.dtype).itemsize
    k = max(1, -(-touched // max(1, int(touch))))
    return [max(1, -(-int(c) // k)) for c in canvas]


# -- what comes with a frame or a curve ---------------------------------------------------------
def frame_axes(info: Any, items: Sequence[Item], shape: Sequence[int], out: dict[str, Any]) -> FrameAxes:
    """NXdata axis values at the rows (``y``) and columns (``x``) of a computed frame (block starts)."""
    geo, axes = FrameGeometry.of(shape, items), FrameAxes()
    (r0, r1, c0, c1), (fy, fx), (ydim, xdim) = out["region"], out["factors"], out["dims"]
    y = nexus.axis_values(info, ydim, geo.index(ydim, np.arange(r0, r1, fy)))
    x = nexus.axis_values(info, xdim, geo.index(xdim, np.arange(c0, c1, fx)))
    if y is not None:
        axes["y"] = y
    if x is not None:
        axes["x"] = x
    return axes


def curve_extras(info: Any, signal: Any, items: Sequence[Item], out: dict[str, Any],
                 part: str | None) -> tuple[list[np.ndarray], bool, list[str]]:
    """``(arrays, errors, aux)``: an NXdata curve's errors and auxiliary signals at its region.

    Only for a curve shown point by point (not decimated): errors and signals
    shaped like ``signal`` come first the errors (``errors`` True), then one
    array per auxiliary signal named in ``aux``.
    """
    arrays: list[np.ndarray] = []
    if info is None or out["decimated"]:
        return arrays, False, []
    dim, region = out["dim"], out["region"]
    errors = info.errors is not None and info.errors.shape == signal.shape
    if errors:
        arrays.append(along_curve(info.errors, items, dim, region))
    aux = [name for name, a in zip(info.auxiliary_signal_names, info.auxiliary_signals) if a.shape == signal.shape]
    arrays += [as_real(along_curve(a, items, dim, region), part)
               for a in info.auxiliary_signals if a.shape == signal.shape]
    return arrays, errors, aux


def export_bytes(values: np.ndarray, fmt: str) -> bytes:
    """A displayed slice as a file: ``npy`` (any array), or ``csv`` (a curve or an image)."""
    if fmt not in ("npy", "csv"):
        raise ValueError(f"export format {fmt!r} is not npy or csv")
    buf = io.BytesIO()
    if fmt == "npy":
        np.save(buf, values, allow_pickle=False)
    else:
        if values.ndim > 2:
            raise ValueError("CSV export needs a curve or an image (RGB slices export as .npy)")
        np.savetxt(buf, np.atleast_2d(values) if values.ndim < 2 else values, delimiter=",",
                   fmt="%.9g" if values.dtype.kind in "fc" else "%d")
    return buf.getvalue()


def values(dataset: Any, selection: str, info: Any = None, max_rows: int = 1000,
           max_columns: int = 100) -> ValuesReply:
    """A value as text, or a table of text cells (at most ``max_rows`` along the first kept dimension).

    For scalar, text, list and table views; an NXdata curve (``info``) shows
    its axis, signal and auxiliary signals side by side.
    """
    if dataset.shape is None or len(dataset.shape) == 0:
        return ValuesReply(ok=True, text=_format.value_preview(dataset[()], max_chars=100_000))
    if 0 in dataset.shape:  # nothing to read: say so rather than build an empty table
        return ValuesReply(ok=True, text=f"no values: the dataset is {_format.shape_label(dataset.shape)} (zero-size)")
    geo = FrameGeometry.of(dataset.shape, sel.parse(selection, dataset.shape))
    total, items = (geo.sizes[0], geo.select({geo.kept[0]: geo.span(geo.kept[0], 0, min(geo.sizes[0], max_rows))})) \
        if geo.kept else (1, geo.items)
    if info is not None and len(dataset.shape) == 1 and isinstance(items[0], slice):
        columns, table = nexus.nxdata_columns(info, items[0])
        rows = [[_format.value_preview(v, 60) for v in row] for row in table]
    else:
        columns, rows = _format.table_preview(np.asarray(dataset[items]), max_columns)
    return ValuesReply(ok=True, columns=columns, rows=rows, total=total, truncated=total > len(rows))
