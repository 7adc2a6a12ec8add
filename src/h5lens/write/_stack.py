"""Image files seen as one stack of frames, for :func:`h5lens.convert`.

A first pass opens each file through the image backend
(:func:`h5lens.nodes.image.open_image`) to learn frame counts, shapes, dtypes
and header columns (no pixel is read); :meth:`ImageStack.write` then reads
the frames one at a time and writes them chunk by chunk.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ._frames import DETECTOR, chunk_writer

COLUMNS = {"motor": "/scan_0/instrument/positioners", "counter": "/scan_0/measurement",
           "other": DETECTOR + "/others"}


class ConvertError(ValueError):
    """The inputs cannot be converted (unknown format, frames that do not stack...)."""


class ImageStack:
    """The frames of several image files, in order.

    Parameters
    ----------
    filenames : list of str
        Image files (single- or multi-frame).
    dtype : numpy.dtype or None
        Output dtype (None: the files' own, which must then agree).
    """

    def __init__(self, filenames: list[str], dtype: np.dtype | None):
        from ..nodes.image import open_image

        self.filenames = filenames
        self.counts: list[int] = []
        segments: dict[str, dict[str, list]] = {k: {} for k in COLUMNS}
        frame_shape: tuple = ()
        in_dtype = None
        offset = 0
        for name in filenames:
            with open_image(name) as tree:
                data: Any = tree[DETECTOR + "/data"]
                shape = tuple(data.shape)
                count = shape[0] if len(shape) == 3 else 1
                if not frame_shape:
                    frame_shape, in_dtype, first = shape[-2:], data.dtype, name
                elif shape[-2:] != frame_shape:
                    raise ConvertError(f"{name!r} holds {shape[-2:]} frames but {first!r} holds {frame_shape}: "
                                       "frames of one stack must have one shape")
                elif data.dtype != in_dtype and dtype is None:
                    raise ConvertError(f"{name!r} holds {data.dtype} frames but {first!r} holds {in_dtype}; "
                                       "pass dtype= (--dtype) to store them together")
                for kind, where in COLUMNS.items():
                    group = tree.get(where)
                    for key in (group.keys() if group is not None else []):
                        node = group.child(key)
                        if node.kind == "dataset":
                            segments[kind].setdefault(key, []).append((offset, node[()]))
            self.counts.append(count)
            offset += count
        self.total = offset
        self.frame_shape = frame_shape
        self.dtype = np.dtype(dtype if dtype is not None else in_dtype)
        self.shape = (self.total,) + frame_shape if self.total > 1 else frame_shape
        self.columns = {kind: {key: merge(segs, self.total) for key, segs in cols.items()}
                        for kind, cols in segments.items()}
        self.frame_files = [os.path.basename(n) for n, c in zip(filenames, self.counts) for _ in range(c)]
        last = f" … {os.path.basename(filenames[-1])}" if len(filenames) > 1 else ""
        self.title = f"{self.total} frame{'s' if self.total > 1 else ''} from {os.path.basename(filenames[0])}{last}"
        self.path = ""

    def frames(self):
        """Yield every frame (a 2-D array in the output dtype), reading one at a time."""
        from ..nodes.image import open_image

        for name, count in zip(self.filenames, self.counts):
            with open_image(name) as tree:
                data: Any = tree[DETECTOR + "/data"]
                for i in range(count):
                    frame = data[i] if data.ndim == 3 else data[()]
                    yield np.asarray(frame).astype(self.dtype, copy=False)

    def write(self, dset, frames_per_chunk: int, progress: bool, client=None, label: str = "") -> None:
        """Write every frame into ``dset``, a whole chunk of frames per HDF5 write.

        With a dask ``client`` the frames are decoded by its workers
        (:mod:`h5lens.cluster.convert`); ``label`` names the output in errors.
        """
        from tqdm.auto import tqdm  # terminal bar, or the notebook widget when in a notebook

        if client is not None and dset.ndim == 3:
            from ..cluster.convert import write_frames

            write_frames(client, self, dset, frames_per_chunk, progress, label)
            return

        bar = tqdm(total=self.total, unit="frame", desc="convert", disable=not progress, leave=False)
        try:
            if dset.ndim == 2:
                for frame in self.frames():
                    dset[()] = frame
                    bar.update(1)
                return
            put = chunk_writer(dset)
            block = np.empty((frames_per_chunk,) + self.frame_shape, self.dtype) if frames_per_chunk > 1 else None
            start = filled = 0
            for frame in self.frames():
                if block is None:  # one frame per chunk: no copy into a buffer
                    put(start, frame[np.newaxis])
                    start += 1
                else:
                    block[filled] = frame
                    filled += 1
                    if filled == frames_per_chunk:
                        put(start, block)
                        start, filled = start + filled, 0
                bar.update(1)
            if filled and block is not None:
                put(start, block[:filled])
        finally:
            bar.close()


def merge(segments: list[tuple[int, np.ndarray]], total: int) -> np.ndarray:
    """One column over all frames from per-file pieces; missing frames get NaN (or "")."""
    arrays = [a for _, a in segments]
    covered = sum(len(a) for a in arrays) == total
    same_tail = len({a.shape[1:] for a in arrays}) == 1
    if same_tail and all(a.dtype.kind in "iu" for a in arrays) and covered:
        return np.concatenate(arrays).astype(np.int64)
    if same_tail and all(a.dtype.kind in "iuf" for a in arrays):
        out = np.full((total,) + arrays[0].shape[1:], np.nan)
    else:
        out = np.full(total, "", dtype=object)
        arrays = [np.array([" ".join(map(str, np.atleast_1d(v))) if not isinstance(v, str) else v for v in a],
                           dtype=object) for a in arrays]
    for (offset, _), a in zip(segments, arrays):
        out[offset:offset + len(a)] = a
    return out
