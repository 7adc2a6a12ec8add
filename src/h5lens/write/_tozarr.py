"""A converted HDF5/NeXus file copied into a Zarr v3 store, whole or not at all.

``h5lens convert ... -o out.zarr`` builds the NeXus file as for HDF5 output
(in a temporary folder), then copies it here: groups, datasets (same chunks,
one chunk row at a time, so memory holds one row of chunks) and attributes
(``NX_class``, ``signal``, ``axes``, ``default``... as JSON values). Zarr has
no links: each group lists its soft links in its ``h5lens_links`` attribute
(``{"data": "/entry/instrument/detector/data"}``), the NeXus layout's own
links included; h5lens shows them as links again. The store appears by renaming a finished hidden folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ..nodes.zarrstore import LINKS_ATTR
from .atomic import TMP_SUFFIX
from .zarrout import _commit, require_zarr


def json_value(value: Any) -> Any:
    """An HDF5 attribute value as JSON (text decoded, arrays as lists)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray):
        return [json_value(v) for v in value.tolist()] if value.dtype.kind in "SO" else value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list):
        return [json_value(v) for v in value]
    return value


def _copy_dataset(h5d: Any, zgroup: Any, name: str) -> None:
    attrs = {k: json_value(v) for k, v in h5d.attrs.items()}
    if h5d.dtype.kind in "SO":  # text: variable-length strings in Zarr
        values = np.asarray(h5d.asstr()[()], dtype=str)
        arr = zgroup.create_array(name, shape=values.shape, dtype=str)
        arr[...] = values
    else:
        chunks = tuple(max(1, n) for n in (h5d.chunks or h5d.shape))  # contiguous: one chunk
        extra = {"chunks": chunks} if h5d.shape else {}
        arr = zgroup.create_array(name, shape=h5d.shape, dtype=h5d.dtype, fill_value=h5d.fillvalue, **extra)
        if not h5d.shape:
            arr[()] = h5d[()]
        else:
            step = chunks[0] or 1
            for start in range(0, h5d.shape[0], step):  # one row of chunks at a time
                arr[start:start + step] = h5d[start:start + step]
    arr.attrs.update(attrs)


def _copy_group(h5g: Any, zgroup: Any) -> None:
    import h5py

    zgroup.attrs.update({k: json_value(v) for k, v in h5g.attrs.items()})
    links = {}
    for name in list(h5g.keys()):  # listed first: h5py's views hold its lock across the loop
        link = h5g.get(name, getlink=True)
        if isinstance(link, h5py.SoftLink):
            links[name] = link.path
            continue
        item = h5g[name]
        if isinstance(item, h5py.Group):
            _copy_group(item, zgroup.create_group(name))
        else:
            _copy_dataset(item, zgroup, name)
    if links:
        zgroup.attrs[LINKS_ATTR] = links


def hdf5_to_zarr(h5path: str | os.PathLike, output: str | os.PathLike, *, overwrite: bool = False,
                 root_attrs: dict | None = None) -> Path:
    """Copy the HDF5 file ``h5path`` into a new Zarr v3 store ``output`` (atomically).

    ``root_attrs`` override the root's attributes (the output's own name, for one).
    """
    import h5py

    zarr = require_zarr()
    final = Path(output).absolute()
    if final.exists() and not overwrite:
        raise FileExistsError(f"{str(final)!r} exists; pass overwrite=True (--overwrite) to replace it")
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=TMP_SUFFIX, dir=final.parent))
    try:
        with h5py.File(h5path, "r") as f:
            root = zarr.open_group(str(tmp), mode="w", zarr_format=3)
            _copy_group(f, root)
            root.attrs.update(root_attrs or {})
        _commit(tmp, final, overwrite)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final
