"""``convert(..., client=)``: the image frames are read by dask workers.

Decoding detector images (EDF, CBF's byte offsets, TIFF) is the costly part
of a conversion; each task opens the files of its block of frames by name,
decodes them and returns the block. This process writes the blocks in order
into the HDF5 file that :func:`h5lens.convert` builds atomically, whole
chunks at a time, exactly as without a client.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._client import n_threads
from ._tracker import tracked

#: Bytes of frames a task decodes and returns.
TASK_BYTES = 64 << 20


def read_frames(files: list[tuple[str, int, int]], dtype: Any, frame_shape: tuple, start: int,
                stop: int) -> np.ndarray:
    """Task: frames ``start:stop`` of the stack, from ``(file, first frame, count)`` entries."""
    from ..nodes.image import open_image
    from ..write._frames import DETECTOR

    out = np.empty((stop - start, *frame_shape), dtype=dtype)
    for name, first, count in files:
        lo, hi = max(start, first), min(stop, first + count)
        if lo >= hi:
            continue
        try:
            tree: Any = open_image(name)
        except Exception as exc:
            raise OSError(f"cannot open {name!r} (frame {lo} of the stack): {exc}") from exc
        with tree:
            data = tree[DETECTOR + "/data"]
            for index in range(lo, hi):
                try:
                    out[index - start] = data[index - first] if data.ndim == 3 else data[()]
                except Exception as exc:
                    raise OSError(f"cannot read frame {index - first} of {name!r} "
                                  f"(frame {index} of the stack): {exc}") from exc
    return out


def write_frames(client: Any, stack: Any, dset: Any, frames_per_chunk: int, progress: bool, label: str) -> None:
    """Fill ``dset`` (n, h, w) with the frames of ``stack`` (an ImageStack), decoded on ``client``.

    ``label`` names the output in errors.
    """
    from ..write._frames import chunk_writer

    n, frame_shape, dtype = stack.total, tuple(stack.frame_shape), stack.dtype
    frame_bytes = math.prod(frame_shape) * dtype.itemsize
    k = max(1, min(TASK_BYTES // max(1, frame_bytes), math.ceil(n / (4 * n_threads(client)))))
    k = -(-k // frames_per_chunk) * frames_per_chunk  # whole chunks per task
    files, first = [], 0
    for name, count in zip(stack.filenames, stack.counts):
        files.append((name, first, count))
        first += count
    put = chunk_writer(dset)
    window = 2 * n_threads(client) + 1
    with tracked(client, n, "convert", progress, f"{label} was not written") as tr:
        blocks = [(a, min(a + k, n)) for a in range(0, n, k)]
        pending: list = []
        for i, (a, b) in enumerate(blocks):
            mine = [f for f in files if f[1] < b and f[1] + f[2] > a]
            pending.append((a, b, tr.submit(read_frames, mine, dtype, frame_shape, a, b, start=a, frames=b - a)))
            if len(pending) >= window or i == len(blocks) - 1:
                while pending and (len(pending) >= window or i == len(blocks) - 1):
                    a0, b0, future = pending.pop(0)
                    block = tr.result(future)
                    future.release()
                    for s in range(0, len(block), frames_per_chunk):
                        put(a0 + s, block[s:s + frames_per_chunk])
