"""``flatfield_stack(..., client=)``: blocks of frames as dask tasks.

The client process reads only metadata, the dark and the flat(s) (sent once
to every worker). Each task opens the source by name, reads its block of
frames into its own buffers and corrects them with the very code of the
single-process path (:class:`h5lens.tutorial.stack._Job`), hence identical
bits. A Zarr output is written by the workers themselves, chunk-aligned
blocks so no two tasks touch one chunk; an HDF5 output receives the blocks
back in order and goes through the same atomic writer as without a client.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np

from ._client import n_threads, require, resolved, tracked
from ._refs import SourceRef, as_ref, opened

#: float32 bytes a task corrects at once (its memory is about 1.5x this
#: for uint16 input): big enough that per-task overhead (scheduling, opening
#: the file, Zarr metadata) stays small, small enough to bound memory.
TASK_BYTES = 64 << 20
#: At least this many tasks per worker thread, so the load balances and the
#: last tasks do not leave workers idle for long.
TASKS_PER_THREAD = 4


def task_frames(n: int, frame_bytes: int, threads: int, align: int = 1) -> int:
    """Frames per task: about :data:`TASK_BYTES`, enough tasks to share, a multiple of ``align``."""
    k = max(1, TASK_BYTES // max(1, frame_bytes))
    k = min(k, math.ceil(n / (threads * TASKS_PER_THREAD)))
    return max(align, -(-k // align) * align)


_local = threading.local()


def _reused(shape: tuple, dtype: Any, slot: str) -> np.ndarray:
    """A buffer kept by this worker thread between tasks: fresh ones cost a page fault per 4 kB."""
    cached = getattr(_local, slot, None)
    if cached is None or cached.shape != shape or cached.dtype != dtype:
        cached = np.empty(shape, dtype)
        setattr(_local, slot, cached)
    return cached


def correct_block(ref: SourceRef, start: int, stop: int, flats: Any, dark: np.ndarray,
                  indices: np.ndarray, fill: float, target: Any = None, k: int = 0) -> Any:
    """Task: read, correct and write (Zarr) or return (``target`` None) frames ``start:stop``.

    Returns the number of values set to ``fill``, with the block when it is
    not written here. Blocks written here reuse this thread's buffers of ``k``
    frames; a returned block is a new array (the worker keeps it until the
    client has fetched it).
    """
    from ..tutorial._stackjob import _Job

    count = stop - start
    try:
        with opened(ref) as src:
            frame, dtype = tuple(src.shape[1:]), np.dtype(src.dtype)
            job = _Job(src, dtype, frame, flats, dark, indices, count, fill)
            if target is not None and job.raw is not None:
                job.raw = _reused((max(k, count), *frame), job.raw.dtype, "raw")
            out = _reused((max(k, count), *frame), np.float32, "out") if target is not None else \
                np.empty((count, *frame), np.float32)
            buf = job.read(out, start, stop)
    except Exception as exc:
        raise OSError(f"cannot read frames {start}-{stop - 1} of {ref.label}: {exc}") from exc
    nbad = job.correct(buf, indices)
    if target is None:
        return nbad, buf
    try:
        target.open()[start:stop] = buf
    except Exception as exc:
        raise OSError(f"cannot write frames {start}-{stop - 1} to {target.store}: {exc}") from exc
    return nbad


def flatfield_stack_on(client: Any, source: Any, flat: Any, dark: Any, out: Any, *, indices: Any = None,
                       chunk_frames: int | None = None, progress: bool = True, fill: float = np.nan,
                       overwrite: bool = False, **dataset_options: Any) -> str:
    """:func:`h5lens.flatfield_stack` on a dask cluster; see its ``client`` parameter."""
    from ..tutorial._stackjob import _write_file, _zarr_spec, prepare, split_spec, zarr_chunks
    from ..tutorial.flatfield import warn_bad

    ref = as_ref(source)
    if hasattr(out, "shape"):
        raise TypeError("with a client, out must name a file ('x.h5::/path' or 'x.zarr::/path'), "
                        "not an open dataset")
    with opened(ref) as src:
        shape, _, idx, dark32, flats, _ = prepare(src, flat, dark, indices)
    n, frame = shape[0], shape[1:]
    to_zarr = _zarr_spec(out)
    filename, inner = to_zarr if to_zarr is not None else split_spec(out)
    with resolved(client) as cl:
        align = 1
        if to_zarr is not None:
            dataset_options = {**dataset_options, "chunks": zarr_chunks(shape, chunk_frames, dataset_options)}
            align = dataset_options["chunks"][0]
        k = int(chunk_frames) if chunk_frames else task_frames(n, 4 * math.prod(frame), n_threads(cl), align)
        k = -(-k // align) * align
        blocks = [(s, min(s + k, n)) for s in range(0, n, k)]
        # sent once to each worker, not with every task
        dark_f, flats_f = cl.scatter([dark32, flats], broadcast=True, hash=False)
        args = (ref, flats_f, dark_f, fill)
        if to_zarr is not None:
            from ..write.zarrout import atomic_zarr

            with atomic_zarr(filename, inner, shape=shape, dtype=np.float32, overwrite=overwrite,
                             **dataset_options) as target:
                nbad = _run_zarr(cl, args, idx, blocks, target, n, progress, f"{filename}::{inner}")
        else:
            job = _Stream(cl, args, idx, blocks, f"{filename}::{inner}")
            _write_file(job, filename, inner, shape, dataset_options, overwrite, progress)
            nbad = job.nbad
    warn_bad(nbad, n * math.prod(frame), fill, stacklevel=4)
    return f"{filename}::{inner}"


def _run_zarr(cl: Any, args: tuple, idx: np.ndarray, blocks: list, target: Any, n: int, progress: bool,
              label: str) -> int:
    distributed = require()
    ref, flats_f, dark_f, fill = args
    with tracked(cl, n, "flatfield", progress) as tr:
        k = max(b - a for a, b in blocks) if blocks else 1
        where = {tr.submit(correct_block, ref, a, b, flats_f, dark_f, idx[a:b], fill, target, k,
                           start=a, frames=b - a): (a, b) for a, b in blocks}
        nbad = 0
        for future in distributed.as_completed(list(where)):  # the first failure stops the job
            a, b = where[future]
            nbad += tr.result(future, a, b - a, label)
    return nbad


class _Stream:
    """A job for the atomic HDF5 writer whose blocks are computed on the cluster.

    Tasks are submitted a window ahead of the block being written, so the
    cluster keeps busy while this process writes, and at most ``window``
    blocks wait in memory here.
    """

    threaded = False  # the writer is this process; the cluster does the rest

    def __init__(self, client: Any, args: tuple, idx: np.ndarray, blocks: list, label: str):
        self.client, self.args, self.idx, self.blocks, self.label = client, args, idx, blocks, label
        self.window = 2 * n_threads(client) + 1
        self.nbad = 0

    def run(self, write: Any, progress: bool, threaded: bool = False) -> None:
        """Submit the blocks, write each one as its turn comes, in order."""
        ref, flats_f, dark_f, fill = self.args
        n = self.blocks[-1][1] if self.blocks else 0
        with tracked(self.client, n, "flatfield", progress) as tr:
            pending: list = []
            todo = iter(self.blocks)
            for a, b in todo:
                pending.append((a, b, tr.submit(correct_block, ref, a, b, flats_f, dark_f, self.idx[a:b], fill,
                                                start=a, frames=b - a)))
                if len(pending) < self.window:
                    continue
                self._write_first(pending, tr, write)
            while pending:
                self._write_first(pending, tr, write)

    def _write_first(self, pending: list, tr: Any, write: Any) -> None:
        a, b, future = pending.pop(0)
        nbad, buf = tr.result(future, a, b - a, self.label)
        future.release()  # the worker may drop the block now
        write(buf, a)
        self.nbad += nbad
