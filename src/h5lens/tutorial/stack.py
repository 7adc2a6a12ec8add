"""Flat-field correction of stacks larger than memory, chunk by chunk.

Frames are read a block at a time from an HDF5 dataset (or an h5lens node, a
dask array, anything sliceable along its first axis), corrected with the very
same float32 operations as :func:`h5lens.flatfield`, and written to an HDF5
dataset inside a file that appears atomically when everything succeeded.
Block buffers are allocated once and reused, so memory stays within the
budget whatever the stack size.

Speed: the result (float32, twice the size of uint16 input) costs more to
copy into the page cache and to fsync than reading and correcting cost
together (bench/flatfield_chunked.py). So, for a new unfiltered output, the
frames are written with ``pwrite`` at offsets HDF5 allocated when the dataset
was created, from a thread that runs while the next block is corrected, and
the kernel is asked to start writing each block to disk at once.
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


def flatfield_stack(
    source: Any,
    flat: Any,
    dark: Any,
    out: Any,
    *,
    indices: Sequence[float] | None = None,
    chunk_frames: int | None = None,
    memory_budget: int = DEFAULT_BUDGET,
    progress: bool = True,
    fill: float = np.nan,
    overwrite: bool = False,
    client: Any = None,
    **dataset_options: Any,
):
    """Flat-field correct a stack ``(n, h, w)`` block by block into an HDF5 dataset or a Zarr array.

    Parameters
    ----------
    source : h5py.Dataset, h5lens node, dask array, array-like or str
        The raw frames; a string ``"file.h5::/path"`` is opened read-only.
    flat : array-like or mapping of int to array-like
        One flat for every frame, or flats keyed by the acquisition index they
        were taken at, blended per frame with :func:`interpolated_flat`.
    dark : array-like
        Dark image ``(h, w)``.
    out : str, (file, path) pair or h5py.Dataset
        ``"result.h5::/corrected"``: the file is written atomically (a
        temporary file beside it, fsync, rename); an existing file keeps its
        other content. ``"result.zarr::/corrected"``: a Zarr v3 array, renamed
        into place once complete (:mod:`h5lens.write.zarrout`). An open h5py
        dataset of the right shape is written in place (not atomically).
    indices : sequence of float, optional
        Acquisition index of each frame, used to pick interpolated flats
        (default ``0 … n-1``).
    chunk_frames : int, optional
        Frames per block; by default as many as ``memory_budget`` allows.
    memory_budget : int
        Bytes allowed for buffers (default 256 MiB).
    progress : bool
        Show a progress bar (``tqdm.auto``: a widget in Jupyter).
    fill : float
        Value where ``flat == dark`` (NaN by default; a warning counts them).
    overwrite : bool
        Replace an existing dataset at the output path.
    client : None, dask.distributed.Client or "local"
        Run on a dask cluster (``"local"``: a LocalCluster for this call):
        blocks of frames become tasks, each worker opens ``source`` by name
        and writes its Zarr chunks itself, or returns its block to this
        process, which writes the HDF5 file in order. The result is
        bit-identical. See :mod:`h5lens.cluster`. Needs ``h5lens[dask]``.
    **dataset_options
        Passed to ``h5py.Group.create_dataset`` (``compression=``, ``chunks=``...)
        or ``zarr.create_array`` (``chunks=``, ``compressors=``...).

    Returns
    -------
    str or h5py.Dataset
        ``"file::/path"`` of the result, or ``out`` when it was a dataset.
    """
    if client is not None:
        from ..cluster.flatfield import flatfield_stack_on

        return flatfield_stack_on(client, source, flat, dark, out, indices=indices, chunk_frames=chunk_frames,
                                  progress=progress, fill=fill, overwrite=overwrite, **dataset_options)
    with _opened(source) as src:
        shape, dtype, idx, dark32, flats, n_fixed = prepare(src, flat, dark, indices)
        n, frame = shape[0], shape[1:]
        to_zarr = _zarr_spec(out)
        if to_zarr is not None:  # blocks of whole Zarr chunks: no chunk written twice
            dataset_options = {**dataset_options, "chunks": zarr_chunks(shape, chunk_frames, dataset_options)}
            zc = dataset_options["chunks"][0]
            chunk_frames = zc if chunk_frames is None else -(-int(chunk_frames) // zc) * zc
        elif chunk_frames is None:
            chunk_frames = plan_chunk_frames(frame, dtype, memory_budget, n_fixed, getattr(src, "chunks", None))
        chunk_frames = max(1, min(int(chunk_frames), n or 1))
        job = _Job(src, dtype, frame, flats, dark32, idx, chunk_frames, fill)
        # a budget too small for one frame with two float32 buffers gets one:
        # no overlap of writing with correcting, but memory as promised
        px = int(np.prod(frame, dtype=np.int64))
        job.threaded = n_fixed * px * 4 + chunk_frames * px * (dtype.itemsize + 4 * N_BUFFERS) <= memory_budget

        if to_zarr is not None:
            from ..write.zarrout import atomic_zarr

            with atomic_zarr(*to_zarr, shape=shape, dtype=np.float32, overwrite=overwrite,
                             **dataset_options) as target:
                array = target.open()
                job.run(lambda buf, start: array.__setitem__(slice(start, start + len(buf)), buf), progress,
                        threaded=job.threaded)
            return f"{to_zarr[0]}::{to_zarr[1]}"
        if hasattr(out, "write_direct") or (hasattr(out, "shape") and hasattr(out, "__setitem__")):
            if tuple(out.shape) != shape:
                raise ValueError(f"output dataset has shape {tuple(out.shape)}, expected {shape}")
            job.run(_dataset_writer(out), progress, threaded=False)
            return out
        filename, inner = split_spec(out)
        _write_file(job, filename, inner, shape, dataset_options, overwrite, progress)
        return f"{filename}::{inner}"


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

    def run(self, write, progress: bool, threaded: bool = True) -> None:
        """Correct every block and hand it to ``write(block, start)``."""
        from tqdm.auto import tqdm

        nbad = 0
        nbuf = N_BUFFERS if threaded else 1
        buffers = [np.empty((self.k, *self.frame), dtype=np.float32) for _ in range(nbuf)]
        pipe = Pipeline(write, buffers) if threaded else None
        try:
            with tqdm(total=self.n, unit="frame", desc="flatfield", disable=not progress) as bar:
                for start in range(0, self.n, self.k):
                    stop = min(start + self.k, self.n)
                    whole = pipe.buffer() if pipe else buffers[0]
                    buf = self.read(whole, start, stop)
                    nbad += self.correct(buf, self.idx[start:stop])
                    if pipe:
                        pipe.submit(whole, start, stop - start)
                    else:
                        write(buf, start)
                    bar.update(stop - start)
        except BaseException:
            if pipe:
                pipe.close(check=False)  # the first error is the one to report
            raise
        if pipe:
            pipe.close()
        warn_bad(nbad, self.n * int(np.prod(self.frame, dtype=np.int64)), self.fill, stacklevel=4)
