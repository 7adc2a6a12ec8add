"""The machinery of :func:`h5lens.tutorial.stack.flatfield_stack`, shared with the cluster path.

Opening the source, planning blocks within a memory budget, preparing the flat
and dark frames, and the block job that reads, corrects and writes (HDF5 or
Zarr). :mod:`h5lens.cluster.flatfield` runs the very same job on dask workers,
which is why the results are bit-identical; keeping it here, below both the
public front door and the cluster package, keeps the imports one-way.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..write.atomic import atomic_path
from ._rawwrite import Pipeline, RawWriter, frame_offsets
from .flatfield import as_float32, correct_into, interpolated_flat, warn_bad

#: Default memory budget of :func:`flatfield_stack`, in bytes.
DEFAULT_BUDGET = 256 * 2**20
#: Blocks stop growing at this many bytes (raw buffer and both float32
#: buffers) even when the budget allows more: small blocks stay in the CPU
#: cache between reading, correcting and writing (bench/flatfield_chunked.py).
BLOCK_TARGET = 6 * 2**20
#: float32 block buffers: one being corrected, one being written.
N_BUFFERS = 2


def split_spec(spec: Any) -> tuple[Path, str]:
    """``"file.h5::/group/data"`` (or a ``(file, path)`` pair) → (file, dataset path)."""
    if isinstance(spec, (tuple, list)) and len(spec) == 2:
        return Path(spec[0]), str(spec[1])
    text = os.fspath(spec)
    filename, sep, inner = text.partition("::")
    if not sep or not inner.strip("/"):
        raise ValueError(f"expected 'file.h5::/path/to/dataset', got {text!r}")
    return Path(filename), inner


@contextlib.contextmanager
def _opened(source: Any):
    """Yield a sliceable array for ``source``; close what was opened here."""
    if isinstance(source, (str, os.PathLike, tuple)):
        import h5py

        filename, inner = split_spec(source)
        with h5py.File(filename, "r") as h5:
            if inner not in h5:
                raise KeyError(f"no dataset {inner!r} in {str(filename)!r}")
            yield h5[inner]
        return
    deref = getattr(source, "deref", None)
    yield deref() if deref is not None else source  # h5lens link → its target


def _read_image(image: Any) -> np.ndarray:
    if isinstance(image, (str, os.PathLike, tuple)):
        with _opened(image) as data:
            return as_float32(data)
    return as_float32(image)


def _check_fits(name: str, image: np.ndarray, frame: tuple) -> None:
    try:
        fits = np.broadcast_shapes(image.shape, frame) == frame
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{name} of shape {image.shape} does not fit frames of shape {frame}")


def plan_chunk_frames(frame_shape, src_dtype, memory_budget, n_fixed, source_chunks=None) -> int:
    """How many frames one block may hold within ``memory_budget`` bytes.

    Each frame in a block costs its raw read buffer plus its
    :data:`N_BUFFERS` float32 buffers;
    ``n_fixed`` float32 frames (dark, flats, denominators) are held for the
    whole run. A block is rounded to whole HDF5 chunks along the frame axis
    when it can hold at least one, so no chunk is decompressed twice.
    Blocks are capped at :data:`BLOCK_TARGET` bytes.
    """
    px = int(np.prod(frame_shape, dtype=np.int64))
    per_frame = px * (np.dtype(src_dtype).itemsize + 4 * N_BUFFERS)
    room = min(memory_budget - n_fixed * px * 4, BLOCK_TARGET)
    frames = max(1, int(room // per_frame))
    c0 = source_chunks[0] if source_chunks else 1
    if c0 > 1 and frames >= c0:
        frames -= frames % c0
    return frames




def prepare(src: Any, flat: Any, dark: Any, indices: Sequence[float] | None) -> tuple:
    """Check a source against its flat(s) and dark; read those as float32.

    Returns
    -------
    tuple
        ``(shape, dtype, indices, dark32, flats, n_fixed)``: ``flats`` is one
        float32 frame or a dict of them; ``n_fixed`` counts the float32
        frames a run holds throughout (see :func:`plan_chunk_frames`).
    """
    shape = tuple(getattr(src, "shape", ()))
    if len(shape) != 3:
        raise ValueError(f"flatfield_stack needs a stack of shape (n, h, w), got {shape}")
    n, frame = shape[0], shape[1:]
    dtype = np.dtype(src.dtype)
    if dtype.kind not in "uifb":
        raise TypeError(f"cannot flat-field correct {dtype} data")
    idx = np.arange(n) if indices is None else np.asarray(indices, dtype=np.float64)
    if idx.shape != (n,):
        raise ValueError(f"indices has {idx.size} values for {n} frames")
    dark32 = _read_image(dark)
    flats = {k: _read_image(v) for k, v in flat.items()} if isinstance(flat, Mapping) else _read_image(flat)
    images = [("dark", dark32)]
    images += [(f"flat {k}", v) for k, v in flats.items()] if isinstance(flats, dict) else [("flat", flats)]
    for name, img in images:
        _check_fits(name, img, frame)
    # float32 frames held throughout: dark, denominator (+ its zero mask),
    # the flat(s); with interpolation also the blended flat and the two
    # products blending it
    n_fixed = 2.25 + (len(flats) + 3 if isinstance(flats, dict) else 1)
    return shape, dtype, idx, dark32, flats, n_fixed


def _zarr_spec(out: Any) -> tuple[Path, str] | None:
    """``(store, array path)`` when ``out`` names an array in a Zarr store, else None."""
    if not isinstance(out, (str, os.PathLike, tuple, list)):
        return None
    from ..write.zarrout import is_zarr

    filename, inner = split_spec(out)
    return (filename, inner) if is_zarr(filename) else None


def zarr_chunks(shape: tuple, chunk_frames: int | None, dataset_options: Mapping[str, Any]) -> tuple:
    """Chunk shape of a Zarr output: ``chunks=`` if given, else ``chunk_frames`` whole frames.

    By default a chunk holds about 8 MB of whole frames, and at most a 64th
    of the stack so that even a small stack gives workers chunks to share.
    """
    from ..write.zarrout import chunk_frames as by_bytes

    if dataset_options.get("chunks"):
        return tuple(dataset_options["chunks"])
    n, frame = shape[0], tuple(shape[1:])
    k = int(chunk_frames) if chunk_frames else min(by_bytes(frame, 4), -(-n // 64))
    return (max(1, k), *frame)


def _dataset_writer(dset):
    if hasattr(dset, "write_direct"):
        return lambda buf, start: dset.write_direct(buf, np.s_[0 : len(buf)], np.s_[start : start + len(buf)])

    def write(buf, start):
        dset[start : start + len(buf)] = buf

    return write


def _write_file(job: Any, filename: Path, inner: str, shape: tuple, dataset_options: dict,
                overwrite: bool, progress: bool) -> None:
    """Run ``job`` into a new dataset of an atomically written file.

    Without filters the dataset's space is allocated at creation, the file is
    closed, and the frames are written at their file offsets by a background
    thread (see :class:`Pipeline`); HDF5 never sees the raw data, so it
    never reads back a partly written chunk either. With filters (or chunks
    splitting frames) HDF5 writes the blocks.
    """
    import h5py

    n, frame = shape[0], shape[1:]
    options: dict[str, Any] = {"chunks": (1, *frame)} if n else {}
    options.update(dataset_options)
    raw = n > 0 and set(dataset_options) <= {"chunks"}
    if raw:
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)  # every byte placed now, nothing to fill
        options.update(dcpl=dcpl, fill_time="never")
    # copy-on-write when the file exists: its other content is kept, and
    # the original stays untouched until the final rename
    with atomic_path(filename, copy_existing=Path(filename).exists()) as tmp:
        with h5py.File(tmp, "a") as h5:
            if inner in h5:
                if not overwrite:
                    raise FileExistsError(f"{filename}::{inner} exists (pass overwrite=True)")
                del h5[inner]
            dset = h5.create_dataset(inner, shape=shape, dtype=np.float32, **options)
            frame_bytes = int(np.prod(frame, dtype=np.int64)) * 4
            raw = raw and hasattr(os, "pwrite")  # (offsets count the user block, if any)
            offsets = frame_offsets(dset, n, frame_bytes) if raw else None
            if offsets is None:
                job.run(_dataset_writer(dset), progress, threaded=False)
                return
        writer = RawWriter(tmp, offsets, frame_bytes)
        try:
            job.run(writer, progress, threaded=job.threaded)
        finally:
            writer.close()


class _Job:
    """One correction run: the reused buffers and the per-block loop."""

    def __init__(self, src, dtype, frame, flats, dark32, idx, chunk_frames, fill):
        self.src, self.frame, self.flats, self.dark = src, frame, flats, dark32
        self.idx, self.k, self.fill = idx, chunk_frames, fill
        self.n = len(idx)
        self.threaded = True
        # h5py reads straight into a reused buffer; other sources are sliced
        self.direct = hasattr(src, "read_direct") and dtype.kind in "uif"
        self.raw = np.empty((chunk_frames, *frame), dtype=dtype.newbyteorder("=")) if self.direct else None
        self._flat_cache: tuple[float, np.ndarray] | None = None
        self.den = self.bad = None
        if not isinstance(flats, dict):  # one flat: subtract and compare once
            self.den = flats - dark32
            bad = self.den == 0
            self.bad = bad if bad.any() else None

    def _flat_for(self, index: float) -> np.ndarray:
        if self._flat_cache is None or self._flat_cache[0] != index:
            self._flat_cache = (index, interpolated_flat(self.flats, index))
        return self._flat_cache[1]

    def correct(self, buf: np.ndarray, indices: np.ndarray) -> int:
        """Correct the float32 frames ``buf`` of acquisition ``indices`` in place; count fills."""
        if isinstance(self.flats, dict):
            return sum(correct_into(buf[j], self._flat_for(float(i)), self.dark, self.fill)
                       for j, i in enumerate(indices))
        return correct_into(buf, self.flats, self.dark, self.fill, self.den, self.bad)

    def read(self, buf: np.ndarray, start: int, stop: int) -> np.ndarray:
        """Frames ``start:stop`` as float32, in the first rows of ``buf``."""
        count = stop - start
        buf = buf[:count]
        if self.direct:
            raw = self.raw[:count]
            self.src.read_direct(raw, np.s_[start:stop], np.s_[0:count])
            np.copyto(buf, raw, casting="unsafe")
        else:
            np.copyto(buf, np.asarray(self.src[start:stop]), casting="unsafe")
        return buf

    def blocks(self, write, buffers: list, lo: int, hi: int, first: int = 0, bar: Any = None) -> int:
        """Correct frames ``lo:hi`` block by block, handing each to ``write(block, start)``.

        With two or more ``buffers`` (float32, :attr:`k` frames each) the
        writes run in a :class:`Pipeline` thread while the next block is read
        and corrected; with one, in turn. ``self.idx[0]`` is frame ``first``'s
        acquisition index. Returns the number of values set to the fill.
        """
        nbad = 0
        pipe = Pipeline(write, buffers) if len(buffers) > 1 else None
        try:
            for start in range(lo, hi, self.k):
                stop = min(start + self.k, hi)
                whole = pipe.buffer() if pipe else buffers[0]
                buf = self.read(whole, start, stop)
                nbad += self.correct(buf, self.idx[start - first:stop - first])
                if pipe:
                    pipe.submit(whole, start, stop - start)
                else:
                    write(buf, start)
                if bar is not None:
                    bar.update(stop - start)
        except BaseException:
            if pipe:
                pipe.close(check=False)  # the first error is the one to report
            raise
        if pipe:
            pipe.close()
        return nbad

    def run(self, write, progress: bool, threaded: bool = True) -> None:
        """Correct every block and hand it to ``write(block, start)``."""
        from tqdm.auto import tqdm

        nbuf = N_BUFFERS if threaded else 1
        buffers = [np.empty((self.k, *self.frame), dtype=np.float32) for _ in range(nbuf)]
        with tqdm(total=self.n, unit="frame", desc="flatfield", disable=not progress) as bar:
            nbad = self.blocks(write, buffers, 0, self.n, bar=bar)
        warn_bad(nbad, self.n * int(np.prod(self.frame, dtype=np.int64)), self.fill, stacklevel=4)
