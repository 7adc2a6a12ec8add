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

from ._client import n_threads, resolved
from ._refs import SourceRef, as_ref, opened
from ._tracker import tracked

#: float32 bytes of frames a task returns to the writer of an HDF5 output
#: (its worker holds them until fetched): big enough that per-task overhead
#: (scheduling, opening the file) stays small, small enough to bound memory.
TASK_BYTES = 64 << 20
#: float32 bytes of frames a task writes to Zarr itself. Its memory does not
#: grow with it (blocks of one Zarr chunk go through two reused buffers), so
#: tasks are longer: the pipeline's unoverlapped ends (first read, last
#: write) and the per-task costs weigh less.
ZARR_TASK_BYTES = 256 << 20
#: At least this many tasks per worker thread, so the load balances and the
#: last tasks do not leave workers idle for long.
TASKS_PER_THREAD = 4


def task_frames(n: int, frame_bytes: int, threads: int, align: int = 1, budget: int = TASK_BYTES) -> int:
    """Frames per task: about ``budget`` bytes, enough tasks to share, a multiple of ``align``."""
    k = max(1, budget // max(1, frame_bytes))
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
                  indices: np.ndarray, fill: float, target: Any = None, sub: int = 0) -> Any:
    """Task: read, correct and write (Zarr) or return (``target`` None) frames ``start:stop``.

    Returns the number of values set to ``fill``, with the block when it is
    not written here. A Zarr ``target`` is written ``sub`` frames (whole
    chunks) at a time through the single-process path's :class:`Pipeline`:
    a thread writes raw chunk files while the next ``sub`` frames are read
    and corrected, in two buffers this worker thread keeps between tasks. A
    returned block is a new array (the worker keeps it until it is fetched).
    """
    from ..tutorial._stackjob import _Job

    count = stop - start
    step = min(sub, count) if target is not None else count
    try:
        with opened(ref) as src:
            frame, dtype = tuple(src.shape[1:]), np.dtype(src.dtype)
            job = _Job(src, dtype, frame, flats, dark, indices, step, fill)
            if target is None:
                buf = job.read(np.empty((count, *frame), np.float32), start, stop)
                return job.correct(buf, indices), buf
            if job.raw is not None:
                job.raw = _reused((step, *frame), job.raw.dtype, "raw")
            buffers = [_reused((step, *frame), np.float32, f"out{i}") for i in range(2)]
            write = _labelled(target.writer(), target, start)
            return job.blocks(write, buffers, start, stop, first=start)
    except _WriteError as exc:
        raise OSError(str(exc)) from exc.__cause__
    except Exception as exc:
        raise OSError(f"cannot read frames {start}-{stop - 1} of {ref.label}: {exc}") from exc


class _WriteError(Exception):
    """A failed write inside a task, told apart from a failed read."""


def _labelled(write: Any, target: Any, start: int) -> Any:
    def labelled(block: np.ndarray, at: int) -> None:
        try:
            write(block, at)
        except Exception as exc:
            raise _WriteError(f"cannot write frames {at}-{at + len(block) - 1} to {target.store}: {exc}") from exc

    return labelled


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
    frame_bytes = 4 * math.prod(frame)
    to_zarr = _zarr_spec(out)
    filename, inner = to_zarr if to_zarr is not None else split_spec(out)
    label = f"{filename}::{inner} was not written"
    with resolved(client) as cl:
        if to_zarr is not None:
            from ..write.zarrout import atomic_zarr

            dataset_options = {**dataset_options, "chunks": zarr_chunks(shape, chunk_frames, dataset_options)}
            align = dataset_options["chunks"][0]
            k = int(chunk_frames) if chunk_frames else task_frames(n, frame_bytes, n_threads(cl), align,
                                                                   ZARR_TASK_BYTES)
            blocks = _blocks(n, -(-k // align) * align)
            with atomic_zarr(filename, inner, shape=shape, dtype=np.float32, overwrite=overwrite,
                             **dataset_options) as target, tracked(cl, n, "flatfield", progress, label) as tr:
                nbad = _run_zarr(tr, (ref, dark32, flats, fill), idx, blocks, target, align)
        else:
            k = int(chunk_frames) if chunk_frames else task_frames(n, frame_bytes, n_threads(cl))
            job = _Stream(cl, (ref, dark32, flats, fill), idx, _blocks(n, k), label)
            _write_file(job, filename, inner, shape, dataset_options, overwrite, progress)
            nbad = job.nbad
    warn_bad(nbad, n * math.prod(frame), fill, stacklevel=4)
    return f"{filename}::{inner}"


def _blocks(n: int, k: int) -> list[tuple[int, int]]:
    return [(s, min(s + k, n)) for s in range(0, n, k)]


def _run_zarr(tr: Any, args: tuple, idx: np.ndarray, blocks: list, target: Any, sub: int) -> int:
    ref, dark32, flats, fill = args
    dark_f, flats_f = tr.scatter([dark32, flats])
    futures = [tr.submit(correct_block, ref, a, b, flats_f, dark_f, idx[a:b], fill, target, sub,
                         start=a, frames=b - a) for a, b in blocks]
    return sum(tr.result(future) for future in tr.as_completed(futures))  # the first failure stops the job


class _Stream:
    """A job for the atomic HDF5 writer whose blocks are computed on the cluster.

    Tasks are submitted a window ahead of the block being written, so the
    cluster keeps busy while this process writes, and at most ``window``
    blocks wait on the workers. Blocks are written by a :class:`Pipeline`
    thread while this one fetches the next (two blocks in this process).
    """

    threaded = True

    def __init__(self, client: Any, args: tuple, idx: np.ndarray, blocks: list, label: str):
        self.client, self.args, self.idx, self.blocks, self.label = client, args, idx, blocks, label
        self.window = 2 * n_threads(client) + 1
        self.nbad = 0

    def run(self, write: Any, progress: bool, threaded: bool = True) -> None:
        """Submit the blocks, write each one as its turn comes, in order."""
        from ..tutorial._rawwrite import Pipeline

        ref, dark32, flats, fill = self.args
        n = self.blocks[-1][1] if self.blocks else 0
        with tracked(self.client, n, "flatfield", progress, self.label) as tr:
            dark_f, flats_f = tr.scatter([dark32, flats])
            pending: list = []
            # two slots: the block being written and the one just fetched
            pipe = Pipeline(write, [None, None]) if threaded else None
            try:
                for i, (a, b) in enumerate(self.blocks):
                    pending.append(tr.submit(correct_block, ref, a, b, flats_f, dark_f, self.idx[a:b], fill,
                                             start=a, frames=b - a))
                    while pending and (len(pending) >= self.window or i == len(self.blocks) - 1):
                        self._write_first(pending, tr, write, pipe)
            except BaseException:
                if pipe:
                    pipe.close(check=False)
                raise
            if pipe:
                pipe.close()

    def _write_first(self, pending: list, tr: Any, write: Any, pipe: Any) -> None:
        future = pending.pop(0)
        nbad, buf = tr.result(future)
        start = tr.frames[future.key][0]
        future.release()  # the worker may drop the block now
        if pipe:
            pipe.buffer()  # waits while two blocks are still being written
            pipe.submit(buf, start, len(buf))
        else:
            write(buf, start)
        self.nbad += nbad
