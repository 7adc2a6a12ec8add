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

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._stackjob import (  # noqa: F401 - the planning names are part of this module's face
    BLOCK_TARGET,
    DEFAULT_BUDGET,
    N_BUFFERS,
    _dataset_writer,
    _Job,
    _opened,
    _write_file,
    _zarr_spec,
    plan_chunk_frames,
    prepare,
    split_spec,
    zarr_chunks,
)


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
                job.run(target.writer(), progress, threaded=job.threaded)
            return f"{to_zarr[0]}::{to_zarr[1]}"
        if hasattr(out, "write_direct") or (hasattr(out, "shape") and hasattr(out, "__setitem__")):
            if tuple(out.shape) != shape:
                raise ValueError(f"output dataset has shape {tuple(out.shape)}, expected {shape}")
            job.run(_dataset_writer(out), progress, threaded=False)
            return out
        filename, inner = split_spec(out)
        _write_file(job, filename, inner, shape, dataset_options, overwrite, progress)
        return f"{filename}::{inner}"


