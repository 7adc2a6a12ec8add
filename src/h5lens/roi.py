"""Sum of a region of interest over every frame of a stack: ``h5lens.roi_sum``.

A pure function over frames, read in bounded blocks and only over the
mask's bounding box; with ``client=`` the blocks are dask tasks that open the
source by name on each worker. Sums accumulate in float64 row by row (one
frame is one row), so neither block size nor worker count changes a bit of
the result. The viewer's ROI "over frames" can build on it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: Raw bytes read per block (per task on a cluster).
BLOCK_BYTES = 32 << 20


def _box(mask: np.ndarray) -> tuple[slice, slice]:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not rows.size:
        return slice(0, 0), slice(0, 0)
    return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1)


def block_sums(src: Any, start: int, stop: int, mask: np.ndarray) -> np.ndarray:
    """float64 sums over ``mask`` of frames ``start:stop`` of ``src`` (reads the mask's box only)."""
    ys, xs = _box(mask)
    if ys.stop == ys.start:
        return np.zeros(stop - start)
    block = np.asarray(src[start:stop, ys, xs])
    # a contiguous float64 copy first: summing with a cast would go through
    # numpy's cast buffers, whose cuts across rows depend on the block size
    values = np.ascontiguousarray(block[:, mask[ys, xs]], dtype=np.float64)
    return values.sum(axis=1)


def _check(shape: tuple, mask: Any, label: str) -> np.ndarray:
    if len(shape) != 3:
        raise ValueError(f"roi_sum needs a stack of shape (n, h, w), got {shape} in {label}")
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != tuple(shape[1:]):
        raise ValueError(f"mask of shape {mask.shape} does not fit frames of shape {tuple(shape[1:])} of {label}")
    return mask


def roi_sum(source: Any, mask: Any, *, client: Any = None, chunk_frames: int | None = None,
            progress: bool = False) -> np.ndarray:
    """Sum of the pixels under ``mask`` in every frame of ``source``.

    Parameters
    ----------
    source : str, h5py.Dataset, h5lens node or array-like
        A stack ``(n, h, w)``; ``"file.h5::/path"`` is opened read-only.
    mask : array-like of bool, shape ``(h, w)``
        The region (nonzero = inside).
    client : None, dask.distributed.Client or "local"
        Compute on a dask cluster; ``source`` must then be named (a string,
        an h5py dataset or a node opened from a file) so workers reopen it.
    chunk_frames : int, optional
        Frames per block (task); by default about 32 MB of the mask's box.
    progress : bool
        Show a progress bar.

    Returns
    -------
    numpy.ndarray
        float64 array of ``n`` sums.
    """
    if client is not None:
        return _on_cluster(source, mask, client, chunk_frames, progress)
    from tqdm.auto import tqdm

    from .tutorial._stackjob import _opened

    with _opened(source) as src:
        shape = tuple(getattr(src, "shape", ()))
        mask = _check(shape, mask, repr(source))
        k = chunk_frames or _block_frames(shape, np.dtype(src.dtype).itemsize, mask)
        out = np.empty(shape[0])
        with tqdm(total=shape[0], unit="frame", desc="roi_sum", disable=not progress) as bar:
            for a in range(0, shape[0], k):
                b = min(a + k, shape[0])
                out[a:b] = block_sums(src, a, b, mask)
                bar.update(b - a)
    return out


def _block_frames(shape: tuple, itemsize: int, mask: np.ndarray) -> int:
    ys, xs = _box(mask)
    box = max(1, (ys.stop - ys.start) * (xs.stop - xs.start) * itemsize)
    return max(1, BLOCK_BYTES // box)


def _task(ref: Any, start: int, stop: int, mask: np.ndarray) -> np.ndarray:
    from .cluster._refs import opened

    try:
        with opened(ref) as src:
            return block_sums(src, start, stop, mask)
    except Exception as exc:
        raise OSError(f"cannot read frames {start}-{stop - 1} of {ref.label}: {exc}") from exc


def _on_cluster(source: Any, mask: Any, client: Any, chunk_frames: int | None, progress: bool) -> np.ndarray:
    from .cluster._client import n_threads, resolved
    from .cluster._refs import as_ref, opened
    from .cluster._tracker import tracked

    ref = as_ref(source)
    with opened(ref) as src:
        shape, itemsize = tuple(src.shape), np.dtype(src.dtype).itemsize
    mask = _check(shape, mask, ref.label)
    n = shape[0]
    out = np.empty(n)
    with resolved(client) as cl:
        k = chunk_frames or min(_block_frames(shape, itemsize, mask), math.ceil(n / (4 * n_threads(cl))))
        with tracked(cl, n, "roi_sum", progress, f"no sums of {ref.label} were returned") as tr:
            (mask_f,) = tr.scatter([mask])
            blocks = [(a, min(a + k, n)) for a in range(0, n, k)]
            futures = [tr.submit(_task, ref, a, b, mask_f, start=a, frames=b - a) for a, b in blocks]
            for (a, b), future in zip(blocks, futures):
                out[a:b] = tr.result(future)
    return out
