"""One statistic of an ROI in every frame of a stack, at the rate the frames are read (``over_frames``).

:func:`h5lens.measure.roi.roi_stats` computes every statistic of one frame in
float64 with the positions of its extremes. Over a scan only one statistic is
wanted, hundreds of times, so :class:`RoiSeries` works out once what does not
change from frame to frame (the ROI's bounding rectangle in row blocks, which of
its pixels lie inside the shape and are not masked) and, for each frame, reads
each block in the data's own dtype and reduces only the asked statistic: an
integer sum is exact (int64 for up to 4-byte integers), NaN/Inf are looked for
only in floating data, the dtype-maximum sentinel only in blocks whose maximum
it is. ``std`` and complex data take ``roi_stats``' path. Memory stays one
block of the rectangle (:func:`h5lens.measure.roi.row_blocks`) plus the
kept pixels packed in bits (1/8 byte a pixel of the rectangle).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .frame import Frame
from .roi import STATISTICS, Shape, roi_stats, row_blocks

#: The statistics reduced in the data's dtype (the others go through ``roi_stats``).
FAST = ("count", "sum", "mean", "min", "max")


class RoiSeries:
    """The ROI ``shape`` on the frames of ``frame``'s stack along its indexed dimension ``dim``."""

    def __init__(self, frame: Frame, shape: Shape, dim: int):
        self.frame, self.shape, self.dim = frame, shape, dim
        dtype = np.dtype(getattr(frame.source, "dtype", np.float64))
        self.kind, self.itemsize = dtype.kind, dtype.itemsize
        ys, xs = shape.box(frame.shape)  # ValueError when the ROI holds no pixel of the frame
        cols = np.arange(xs.start, xs.stop)[None, :]
        #: (source index, pixels kept packed 8 to a byte or None when all are, block shape) of each row block:
        #: a whole-frame ellipse on a 16k² frame keeps 32 MiB, not 256 MiB of bools
        self.blocks: list[tuple[list[Any], np.ndarray | None, tuple[int, int]]] = []
        g = frame.geometry
        for r0, r1 in row_blocks(frame, ys, xs.stop - xs.start):  # whole chunks when they outgrow the cache
            keep = shape.inside(np.arange(r0, r1)[:, None], cols)
            if frame.mask is not None:
                keep &= ~frame.mask[r0:r1, xs]
            spans = {frame.ydim: g.span(frame.ydim, r0, r1), frame.xdim: g.span(frame.xdim, xs.start, xs.stop)}
            self.blocks.append((list(g.select(spans)), None if keep.all() else np.packbits(keep), keep.shape))

    def value(self, index: int, statistic: str) -> float:
        """``statistic`` of the ROI in frame ``index``; NaN (0 for ``count``) without valid pixels."""
        if statistic not in FAST or self.kind not in "iuf":
            items = list(self.frame.items or ())
            items[self.dim] = index
            try:
                return float(roi_stats(self.frame.with_items(tuple(items)), self.shape)[statistic])
            except ValueError:  # no valid pixels in this frame
                return 0.0 if statistic == "count" else math.nan
        n, lo, hi = 0, math.inf, -math.inf
        total: int | float = 0
        # integers of up to 4 bytes sum exactly; wider ones in float64 (as roi_stats), never wrapping
        exact = self.kind in "iu" and self.itemsize < 8
        for where, packed, size in self.blocks:
            where[self.dim] = index
            keep = None if packed is None else np.unpackbits(packed, count=size[0] * size[1]).view(bool).reshape(size)
            raw = np.asarray(self.frame.source[tuple(where)])
            if self.frame.transposed:  # read in source order
                raw = raw.T
            bad = self._bad(raw)
            valid = keep if bad is None else ~bad if keep is None else keep & ~bad
            if statistic in ("min", "max"):
                part = raw if valid is None else raw[valid]
                if part.size:
                    n += part.size
                    if statistic == "min":
                        lo = min(lo, part.min().item())
                    else:
                        hi = max(hi, part.max().item())
                continue
            count = raw.size if valid is None else int(np.count_nonzero(valid))
            n += count
            if statistic == "count" or not count:
                continue
            if valid is None:
                total += _sum(raw, exact)
            elif keep is None and exact:  # only sentinels left out: all of them, less theirs
                total += _sum(raw, exact) - (raw.size - count) * int(self.frame.invalid or 0)
            else:
                total += _sum(np.where(valid, raw, 0), exact)
        if not n:
            return 0.0 if statistic == "count" else math.nan
        return float({"count": n, "sum": total, "mean": total / n, "min": lo, "max": hi}[statistic])

    def _bad(self, raw: np.ndarray) -> np.ndarray | None:
        """The block's invalid pixels (NaN/Inf, the sentinel), or None when it has none."""
        if self.kind == "f":
            finite = np.isfinite(raw)
            return None if finite.all() else ~finite
        invalid = self.frame.invalid
        if invalid is None or not raw.size:
            return None
        # the viewer's sentinel is the dtype's maximum: one fast max() tells whether the block holds it;
        # any other value (Frame takes any) is looked for pixel by pixel
        if self.kind == "u" and invalid == np.iinfo(raw.dtype).max and raw.max() != invalid:
            return None
        bad = raw == invalid
        return bad if bad.any() else None


def _sum(a: np.ndarray, exact: bool) -> int | float:
    """The sum of a 2-D block: integers exactly, others in float64.

    Integers of up to 2 bytes are summed by rows in 32 bits first (a row of
    up to 65536 of them cannot overflow: 65535 × 65536 < 2³²), then in int64:
    a 1024² uint16 block in 0.8 ms instead of 1.6 ms straight in int64 (2.7 ms
    in numpy's default uint64).
    """
    if not exact:
        return float(np.add.reduce(a, axis=None, dtype=np.float64))
    if a.dtype.itemsize <= 2 and a.shape[1] <= 65536:
        rows = np.add.reduce(a, axis=1, dtype=np.uint32 if a.dtype.kind == "u" else np.int32)
        return int(np.add.reduce(rows, dtype=np.int64))
    return int(np.add.reduce(a, axis=None, dtype=np.int64))


def frame_statistic(frame: Frame, shape: Shape, statistic: str, dim: int, index: int) -> float:
    """``statistic`` of the ROI in frame ``index`` along ``dim``; NaN (0 for ``count``) without valid pixels."""
    return RoiSeries(frame, shape, dim).value(index, statistic)


def roi_over_frames(frame: Frame, shape: Shape, statistic: str = "sum", dim: int | None = None,
                    progress: bool = True, client: Any = None) -> np.ndarray:
    """``statistic`` of the ROI in every frame along ``dim`` (default: the first indexed dimension).

    Frames are read one at a time, each over the ROI's bounding rectangle only (in row blocks).
    A frame without valid pixels gives NaN (0 for ``count``). With ``client`` (a
    ``dask.distributed.Client`` or ``"local"``) blocks of frames are computed on
    the cluster, each worker reopening the frame's source by name (a file's
    dataset or node, not an in-memory array): same values, bit for bit.
    """
    if statistic not in STATISTICS:
        raise ValueError(f"over_frames computes one of {', '.join(STATISTICS)}, not {statistic!r}")
    items = tuple(frame.items or ())
    indexed = [d for d, it in enumerate(items) if not isinstance(it, slice)]
    if dim is None:
        if not indexed:
            raise ValueError(f"the frame of shape {frame.shape} is not part of a stack: no other frames")
        dim = indexed[0]
    if dim not in indexed:
        raise ValueError(f"dimension {dim} is not a stack dimension of the selection (those are {indexed})")
    if client is not None:
        from ..cluster.roi_frames import roi_over_frames_on

        return roi_over_frames_on(client, frame, shape, statistic, dim, progress, frame_statistic)
    from tqdm.auto import tqdm  # terminal bar, or the notebook widget in a notebook

    series = RoiSeries(frame, shape, dim)  # the ROI's inside and mask worked out once for all frames
    n = int(frame.source.shape[dim])
    out = np.empty(n)
    for i in tqdm(range(n), desc=f"ROI {statistic}", disable=not progress):
        out[i] = series.value(i, statistic)
    return out
