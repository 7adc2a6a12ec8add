"""Zarr v3 output that appears whole or not at all: ``"x.zarr::/corrected"``.

Zarr keeps one file per chunk, so independent writers (dask workers on a
shared file system) can each write their own chunks without a lock. The new
array is written into a hidden directory (``.<name>.<random>.h5lens-tmp``)
beside where it goes and renamed into place once every chunk is written,
like :mod:`.atomic` does for HDF5 files: an interrupted job leaves the target
absent, or as it was. A new store is built whole in such a directory; in an
existing store only the array's directory is renamed in (Zarr v3 metadata
lives in each node's own ``zarr.json`` and does not record its path).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .atomic import TMP_SUFFIX

EXTRA = "pip install 'h5lens[dask]'"


def require_zarr() -> Any:
    """Import and return ``zarr`` (v3), or raise ImportError naming the extra."""
    try:
        import zarr
    except ImportError as exc:
        raise ImportError(f"Zarr output needs zarr>=3, which is not installed: {EXTRA}") from exc
    if int(zarr.__version__.split(".")[0]) < 3:
        raise ImportError(f"Zarr output needs zarr>=3, not {zarr.__version__}: {EXTRA}")
    return zarr


def is_zarr(filename: Any) -> bool:
    """True for a ``*.zarr`` name or an existing Zarr v3 store directory."""
    path = Path(os.fspath(filename))
    return path.suffix.lower() == ".zarr" or (path.is_dir() and (path / "zarr.json").is_file())


@dataclass(frozen=True)
class ZarrTarget:
    """An array being written: its store directory and path inside it (picklable, for workers)."""

    store: str
    path: str

    def open(self) -> Any:
        """The array, opened for writing here (each worker calls this itself)."""
        return require_zarr().open_array(self.store, path=self.path, mode="r+")

    def writer(self) -> Any:
        """``write(block, start)`` of frames ``start…``: raw chunk files when the layout allows, else zarr."""
        from ._zarrraw import chunk_writer

        array = self.open()
        raw = chunk_writer(array)
        if raw is not None:
            return raw
        return lambda block, start: array.__setitem__(slice(start, start + len(block)), block)


def chunk_frames(frame_shape: tuple, itemsize: int, target: int = 8 << 20) -> int:
    """Frames per Zarr chunk: whole frames, about ``target`` bytes per chunk."""
    frame_bytes = itemsize
    for size in frame_shape:
        frame_bytes *= int(size)
    return max(1, target // max(1, frame_bytes))


@contextlib.contextmanager
def atomic_zarr(filename: Any, inner: str, *, shape: tuple, dtype: Any, overwrite: bool = False,
                **options: Any) -> Iterator[ZarrTarget]:
    """Yield a :class:`ZarrTarget` of a new array that becomes ``filename::inner`` on success.

    Parameters
    ----------
    filename : path-like
        The store directory (``x.zarr``); created if absent.
    inner : str
        Array path inside the store (``/corrected``, ``/a/b``); parent groups are created.
    shape, dtype
        Of the array.
    overwrite : bool
        Replace an existing array at ``inner``.
    **options
        Passed to ``zarr.create_array`` (``chunks=``, ``compressors=``, ``shards=``...).
        By default chunks hold whole frames and nothing is compressed.
    """
    zarr = require_zarr()
    root = Path(os.fspath(filename)).absolute()
    parts = [p for p in inner.split("/") if p]
    if not parts:
        raise ValueError(f"expected 'x.zarr::/path/to/array', got {str(root)!r}::{inner!r}")
    options.setdefault("chunks", (chunk_frames(shape[1:], 4), *shape[1:]) if len(shape) > 1 else shape)
    options.setdefault("compressors", None)
    options.setdefault("config", {"write_empty_chunks": True})  # no all-fill test per chunk
    if root.exists():
        if not (root / "zarr.json").is_file():
            raise FileExistsError(f"{str(root)!r} exists and is not a Zarr v3 store")
        final = root.joinpath(*parts)
        if final.exists() and not overwrite:
            raise FileExistsError(f"{root}::{inner} exists (pass overwrite=True)")
        if len(parts) > 1:
            zarr.open_group(str(root), path="/".join(parts[:-1]), mode="a")
        tmp = Path(tempfile.mkdtemp(prefix=f".{parts[-1]}.", suffix=TMP_SUFFIX, dir=final.parent))
        target, replace = ZarrTarget(str(tmp), ""), overwrite
    else:
        if not root.parent.is_dir():
            raise FileNotFoundError(f"directory {str(root.parent)!r} does not exist")
        final = root
        tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}.", suffix=TMP_SUFFIX, dir=root.parent))
        zarr.open_group(str(tmp), mode="w")
        if len(parts) > 1:
            zarr.open_group(str(tmp), path="/".join(parts[:-1]), mode="a")
        target, replace = ZarrTarget(str(tmp), "/".join(parts)), False
    try:
        zarr.create_array(target.store, name=target.path or None, shape=shape, dtype=dtype, **options)
        yield target
        _commit(tmp, final, replace)
    except BaseException:
        _remove(tmp)
        raise


def _remove(tmp: Path, patience: float = 5.0) -> None:
    """Remove ``tmp``, again while a late writer (a worker being killed) still adds files to it."""
    deadline = time.monotonic() + patience
    while True:
        shutil.rmtree(tmp, ignore_errors=True)
        if not tmp.exists() or time.monotonic() > deadline:
            return
        time.sleep(0.1)


def _commit(tmp: Path, final: Path, replace: bool) -> None:
    """Rename ``tmp`` to ``final``; with ``replace`` an existing ``final`` is moved aside, then removed."""
    old = None
    if final.exists() and not replace:
        raise FileExistsError(f"{str(final)!r} appeared while writing; pass overwrite=True to replace it")
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old.", suffix=TMP_SUFFIX, dir=final.parent))
        os.replace(final, old / final.name)
    try:
        os.rename(tmp, final)
    except OSError:
        if old is not None:  # put the previous array back
            os.replace(old / final.name, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
