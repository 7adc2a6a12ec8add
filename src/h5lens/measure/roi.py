"""Regions of interest on a frame: rectangle, ellipse, polygon; their statistics, also over frames.

Coordinates are ``(row, col)`` of pixel centres, as in the profiles. A pixel is
inside a rectangle when ``y0 <= row <= y1`` and ``x0 <= col <= x1``; inside an
ellipse inscribed in that rectangle when ``((row-cy)/ry)² + ((col-cx)/rx)² <= 1``;
inside a polygon by the even-odd rule at its centre. Statistics read only the
shape's bounding rectangle, clipped to the frame; invalid pixels (masked,
NaN/Inf, sentinel: see :class:`~h5lens.measure.frame.Frame`) are not counted.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .frame import Frame

KINDS = ("rect", "ellipse", "polygon")
STATISTICS = ("count", "sum", "mean", "std", "min", "max")
#: Pixels of the bounding rectangle read at once (rows of it). Whole-frame ROI of an 8192² uint16 image
#: (chunks 512²): peak 57 MB of Python memory with 1 Mpx blocks, 228 MB with 4 Mpx (float64 copies and
#: index arrays of one block); a 2000² ellipse 155 ms vs 267 ms (median of 3).
BLOCK_PIXELS = 1 << 20
#: Largest block that follows a chunk's rows instead (see :func:`row_blocks`): 8 Mpx, a Pilatus 6M or
#: Eiger 4M frame stored one per chunk (its float64 copy 64 MiB; HDF5 decompresses the whole chunk anyway).
CHUNK_BLOCK_PIXELS = 1 << 23


@dataclass
class Shape:
    """An ROI: ``kind`` with ``y``/``x`` ranges (rect, ellipse) or ``points`` (polygon, ``[(row, col), ...]``)."""

    kind: str
    y: tuple[float, float] = (0.0, 0.0)
    x: tuple[float, float] = (0.0, 0.0)
    points: list[tuple[float, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"an ROI is one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.kind == "polygon":
            self.points = [(float(r), float(c)) for r, c in self.points]
            if len(self.points) < 3:
                raise ValueError(f"a polygon needs at least 3 points, got {len(self.points)}")
            rows, cols = zip(*self.points)
            self.y, self.x = (min(rows), max(rows)), (min(cols), max(cols))
        else:
            self.y = tuple(sorted(float(v) for v in self.y))  # type: ignore[assignment]
            self.x = tuple(sorted(float(v) for v in self.x))  # type: ignore[assignment]

    def box(self, shape: tuple[int, int]) -> tuple[slice, slice]:
        """The pixels that may be inside, clipped to a frame of ``shape``; ValueError when none."""
        r0, r1 = max(0, math.ceil(self.y[0])), min(shape[0] - 1, math.floor(self.y[1]))
        c0, c1 = max(0, math.ceil(self.x[0])), min(shape[1] - 1, math.floor(self.x[1]))
        if r1 < r0 or c1 < c0:
            raise ValueError(f"the {self.kind} at rows {self.y}, columns {self.x} holds no pixel of the "
                             f"frame of shape {tuple(shape)} (outside it, or of zero area)")
        return slice(r0, r1 + 1), slice(c0, c1 + 1)

    def inside(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Whether the pixel centres ``(rows, cols)`` (broadcast) are inside."""
        rr, cc = np.broadcast_arrays(np.asarray(rows, dtype=float), np.asarray(cols, dtype=float))
        if self.kind == "rect":
            return (rr >= self.y[0]) & (rr <= self.y[1]) & (cc >= self.x[0]) & (cc <= self.x[1])
        if self.kind == "ellipse":
            cy, cx = sum(self.y) / 2, sum(self.x) / 2
            ry, rx = (self.y[1] - self.y[0]) / 2, (self.x[1] - self.x[0]) / 2
            if ry == 0 or rx == 0:
                return np.zeros(rr.shape, dtype=bool)
            return ((rr - cy) / ry) ** 2 + ((cc - cx) / rx) ** 2 <= 1
        out = np.zeros(rr.shape, dtype=bool)
        pts = self.points
        for (ar, ac), (br, bc) in zip(pts, pts[1:] + pts[:1]):
            if ar == br:
                continue
            crosses = (ar > rr) != (br > rr)
            at = ac + (rr - ar) * (bc - ac) / (br - ar)
            out ^= crosses & (cc < at)
        return out

    def mask(self, shape: tuple[int, int]) -> np.ndarray:
        """Boolean mask of a frame of ``shape`` (True inside)."""
        out = np.zeros(shape, dtype=bool)
        ys, xs = self.box(shape)
        out[ys, xs] = self.inside(np.arange(ys.start, ys.stop)[:, None], np.arange(xs.start, xs.stop)[None, :])
        return out

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``kind`` and its coordinates)."""
        if self.kind == "polygon":
            return {"kind": "polygon", "points": [list(p) for p in self.points]}
        return {"kind": self.kind, "y": list(self.y), "x": list(self.x)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Shape:
        """The shape of :meth:`to_json`'s dict."""
        if d["kind"] == "polygon":
            return cls("polygon", points=[tuple(p) for p in d["points"]])
        return cls(d["kind"], y=tuple(d["y"]), x=tuple(d["x"]))


def _chunk_rows(frame: Frame) -> tuple[int, int] | None:
    """Where the source's chunks start in frame rows, when a chunk outgrows its chunk cache.

    ``(offset, rows)``: frame rows ``offset + k * rows`` start a chunk; None when
    a chunk fits the cache (a source of unknown cache counts as having none).
    """
    chunks = getattr(frame.source, "chunks", None)
    item = (frame.items or ())[frame.ydim]
    if not chunks or not isinstance(item, slice) or (item.step or 1) != 1:
        return None
    nbytes = math.prod(int(c) for c in chunks) * np.dtype(getattr(frame.source, "dtype", np.float64)).itemsize
    h5 = getattr(frame.source, "_h5", frame.source)  # an h5lens node's h5py dataset, or the dataset
    try:
        cache = int(h5.id.get_access_plist().get_chunk_cache()[1])
    except Exception:  # noqa: BLE001 - not HDF5 (Zarr: no cache, every read decompresses its chunks)
        cache = 0
    if nbytes <= cache:
        return None
    rows = int(chunks[frame.ydim])
    return -(item.start or 0) % rows, rows


def row_blocks(frame: Frame, ys: slice, width: int) -> list[tuple[int, int]]:
    """The row ranges of the rectangle ``ys`` × ``width`` columns read at once: :data:`BLOCK_PIXELS` each.

    When the source's chunks are bigger than its chunk cache, a read of part of
    a chunk decompresses all of it and keeps nothing: blocks then end on the
    chunks' rows (up to :data:`CHUNK_BLOCK_PIXELS`), so each chunk is
    decompressed once, not once per block (an Eiger 4M uint32 frame, gzip, one
    chunk per frame under HDF5's 8 MiB cache: 5 times for a whole-frame ROI).
    """
    step = max(1, BLOCK_PIXELS // width)
    chunk = _chunk_rows(frame)
    if chunk is not None and chunk[1] > step and chunk[1] * width <= CHUNK_BLOCK_PIXELS:
        offset, rows = chunk
        first = ys.start + ((offset - ys.start) % rows or rows)  # the first chunk start after ys.start
        cuts = [ys.start, *range(first, ys.stop, rows), ys.stop]
        return list(zip(cuts[:-1], cuts[1:]))
    return [(r0, min(r0 + step, ys.stop)) for r0 in range(ys.start, ys.stop, step)]


def _blocks(frame: Frame, shape: Shape) -> Iterator[tuple[np.ndarray, np.ndarray | None, int, int]]:
    """``(values, keep, r0, c0)``: row blocks of the bounding rectangle (at row ``r0``, column ``c0``).

    ``keep`` marks the valid pixels inside the shape, None when all are (a
    rectangle's box is its inside: nothing to test, nothing to gather).
    ``values`` is float64 (NaN where invalid), or the stored integers of a
    rectangle's block whose pixels are all valid (:meth:`Frame.read_block`).
    """
    ys, xs = shape.box(frame.shape)
    cols = np.arange(xs.start, xs.stop)[None, :]
    for r0, r1 in row_blocks(frame, ys, xs.stop - xs.start):
        values = frame.read_block(slice(r0, r1), xs) if shape.kind == "rect" else frame.read(slice(r0, r1), xs)
        if values.dtype.kind in "iu":
            yield values, None, r0, xs.start
            continue
        keep = np.isfinite(values)
        if shape.kind != "rect":
            keep &= shape.inside(np.arange(r0, r1)[:, None], cols)
        yield values, None if keep.all() else keep, r0, xs.start


def _moments(values: np.ndarray, keep: np.ndarray | None) -> tuple[int, float, float, float, float]:
    """``(count, sum, sum of squared deviations from the block's mean, row-weighted sum, column-weighted sum)``.

    Stored integers (all valid) are summed in int64: exact, and no float64 copy
    but the deviations' (a 1000² uint32 block in ~6 ms instead of ~30 ms).
    """
    k = values.size if keep is None else int(np.count_nonzero(keep))
    if not k:
        return 0, 0.0, 0.0, 0.0, 0.0
    if values.dtype.kind in "iu":
        acc = np.int64 if values.dtype.kind == "i" else np.uint64
        rows, cols = values.sum(axis=1, dtype=acc), values.sum(axis=0, dtype=acc)
        block_sum = float(int(rows.sum(dtype=acc)))
        dev = np.subtract(values, block_sum / k, dtype=np.float64)
    else:
        v0 = values if keep is None else np.where(keep, values, 0.0)
        rows, cols = v0.sum(axis=1), v0.sum(axis=0)
        block_sum = float(rows.sum())
        dev = values - block_sum / k
        if keep is not None:
            dev[~keep] = 0.0
    # squared in place (np.dot of a 1M vector took 12 ms: BLAS threads under load; this 1-2 ms)
    m2 = float(np.square(dev, out=dev).sum())
    wr = float((rows * np.arange(values.shape[0])).sum())
    wc = float((cols * np.arange(values.shape[1])).sum())
    return k, block_sum, m2, wr, wc


def roi_stats(frame: Frame, shape: Shape) -> dict[str, Any]:
    """count, sum, mean, std (population), min, max, argmin, argmax ``(row, col)`` and com ``(row, col)``.

    The bounding rectangle is read in blocks of rows; mean and spread are merged
    block by block (Chan et al.), so a block's cut does not cost precision.
    Blocks stay 2-D (no gather of the valid pixels and their positions): the
    centre of mass comes from row and column sums. A rectangle of integers with
    no invalid pixel is reduced in its stored dtype (:func:`_moments`).
    Raises ValueError ("no valid pixels") when nothing valid lies inside.
    """
    n, total, mean, m2, wr, wc = 0, 0.0, 0.0, 0.0, 0.0, 0.0
    lo: tuple[float, int, int] | None = None
    hi: tuple[float, int, int] | None = None
    for values, keep, r0, c0 in _blocks(frame, shape):
        k, block_sum, block_m2, block_wr, block_wc = _moments(values, keep)
        if not k:
            continue
        block_mean = block_sum / k
        delta = block_mean - mean
        m2 += block_m2 + delta**2 * n * k / (n + k)
        mean += delta * k / (n + k)
        n, total = n + k, total + block_sum
        # weights from the block's own row/column numbers: shifted to the frame's
        wr += block_wr + r0 * block_sum
        wc += block_wc + c0 * block_sum
        # the first position wins a tie (row-major order, as numpy's argmin over the valid pixels)
        i = int((values if keep is None else np.where(keep, values, np.inf)).argmin())
        j = int((values if keep is None else np.where(keep, values, -np.inf)).argmax())
        (ri, ci), (rj, cj) = np.unravel_index(i, values.shape), np.unravel_index(j, values.shape)
        if lo is None or values[ri, ci] < lo[0]:
            lo = (float(values[ri, ci]), r0 + int(ri), c0 + int(ci))
        if hi is None or values[rj, cj] > hi[0]:
            hi = (float(values[rj, cj]), r0 + int(rj), c0 + int(cj))
    if lo is None or hi is None:
        raise ValueError(f"the {shape.kind} at rows {shape.y}, columns {shape.x} has no valid pixels")
    # centre of mass of the intensities; undefined (NaN) when they sum to zero
    com = (wr / total, wc / total) if total else (math.nan, math.nan)
    return {"count": n, "sum": total, "mean": mean, "std": math.sqrt(m2 / n), "min": lo[0], "max": hi[0],
            "argmin": lo[1:], "argmax": hi[1:], "com": com}
