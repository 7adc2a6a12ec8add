"""Statistics of a frame's full-resolution region, computed after its display copy was sent.

A display copy that aggregates pixels is worth sending at once (the browser
paints it); the statistics of every pixel it stands for (range, percentiles,
histogram: :class:`h5lens.stats.Summary`) take about as long again to fold, so
they follow in a second pass over the same region, tile by tile within the read
budget (:func:`h5lens.decimate.tiles`), and are abandoned between two tiles as
soon as the page has moved on (a slider step): ``cancelled()`` says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import decimate, frames, stats
from .frames import FrameRequest


class Cancelled(Exception):
    """A summary abandoned before its end: the frame it describes is no longer shown."""


def frame_summary(dataset: Any, request: FrameRequest, cancelled: Callable[[], bool] = lambda: False,
                  budget: int = decimate.BUDGET, mask: np.ndarray | None = None,
                  invalid: float | None = None) -> stats.Summary:
    """The :class:`~h5lens.stats.Summary` of every valid pixel of the region ``request`` shows.

    The same region as :func:`h5lens.frames.frame` (clipped zoom, complex part),
    read at full resolution in tiles of at most about ``budget`` bytes that
    cover whole chunks where they can; :class:`Cancelled` is raised before a
    tile when ``cancelled()`` is true. Pixels under ``mask`` (True = invalid,
    the whole frame's, as displayed) and equal to the sentinel ``invalid`` are
    left out, so a masked hot pixel sets neither the range nor the histogram.
    """
    geo, read, (ydim, xdim), rgb = frames.reader(dataset, request.items, request.transposed, request.part)
    dtype = np.dtype(dataset.dtype)
    if rgb or dtype.kind not in "biufc":
        raise ValueError(f"no statistics for a frame of {'RGB' if rgb else dtype} values")
    region = geo.clip(request.region, request.transposed)
    chunks = frames.frame_chunks(geo, ydim, xdim, getattr(dataset, "chunks", None))
    summary = stats.Summary(np.dtype(np.float64) if dtype.kind == "c" else dtype)
    for r0, r1, c0, c1 in decimate.tiles(region, (1, 1), chunks, dtype.itemsize, budget):
        if cancelled():
            raise Cancelled(f"statistics of {request.selection!r} abandoned: another frame is shown")
        tile = read(r0, r1, c0, c1)
        bad = None if mask is None or not mask[r0:r1, c0:c1].any() else mask[r0:r1, c0:c1]
        if invalid is not None and tile.dtype.kind in "iu" and (hit := tile == invalid).any():
            bad = hit if bad is None else bad | hit
        summary.add(tile if bad is None else tile[~bad])  # the valid pixels only (a 1-D copy when some are not)
    return summary
