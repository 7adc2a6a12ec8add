"""``roi_over_frames(..., client=)``: the viewer's ROI statistic of every frame, on dask workers.

Each task reopens the frame's source by name (:mod:`._refs`), rebuilds the
same :class:`~h5lens.measure.frame.Frame` (selection, transposition, mask,
invalid value, complex part) on it and runs the single-process per-frame
code over its block of frames, so the values are the same bits. Only the
ROI's bounding rectangle of each frame is read, on the worker.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._client import n_threads, resolved
from ._refs import SourceRef, as_ref, opened
from ._tracker import tracked

#: Frames per task at most; fewer when that leaves each worker thread under
#: four tasks (one frame's ROI is read and reduced in milliseconds).
TASK_FRAMES = 64


def frames_task(ref: SourceRef, per_frame: Any, options: dict, shape: Any, statistic: str, dim: int,
                start: int, stop: int) -> np.ndarray:
    """Task: ``per_frame(frame, shape, statistic, dim, i)`` for frames ``start:stop`` along ``dim``."""
    out = np.empty(stop - start)
    try:
        with opened(ref) as src:
            # (the options are shared by this worker's tasks: read, never changed)
            frame = options["type"](src, **{k: v for k, v in options.items() if k != "type"})
            for i in range(start, stop):
                out[i - start] = per_frame(frame, shape, statistic, dim, i)
    except Exception as exc:
        raise OSError(f"cannot compute the ROI {statistic} of frames {start}-{stop - 1} of {ref.label}: "
                      f"{exc}") from exc
    return out


def roi_over_frames_on(client: Any, frame: Any, shape: Any, statistic: str, dim: int, progress: bool,
                       per_frame: Any) -> np.ndarray:
    """:func:`h5lens.measure.roi_over_frames` on a dask cluster; see its ``client`` parameter.

    ``per_frame`` is the single-process code for one frame (given, not
    imported: measure/ calls this module, not the other way round).
    """
    ref = as_ref(frame.source)
    options = {"type": type(frame), "items": frame.items, "transposed": frame.transposed, "mask": frame.mask,
               "invalid": frame.invalid, "part": frame.part}
    n = int(frame.source.shape[dim])
    out = np.empty(n)
    with resolved(client) as cl:
        k = max(1, min(TASK_FRAMES, math.ceil(n / (4 * n_threads(cl)))))
        blocks = [(a, min(a + k, n)) for a in range(0, n, k)]
        with tracked(cl, n, f"ROI {statistic}", progress, f"no ROI {statistic} of {ref.label} was returned") as tr:
            (options_f,) = tr.scatter([options])  # the mask may be a whole frame: sent once per worker
            futures = [tr.submit(frames_task, ref, per_frame, options_f, shape, statistic, dim, a, b,
                                 start=a, frames=b - a) for a, b in blocks]
            for (a, b), future in zip(blocks, futures):
                out[a:b] = tr.result(future)
    return out
