"""Sources named so that every worker can open them itself (never a pickled handle).

A task receives a :class:`SourceRef`, a short picklable name: an absolute
``"file.h5::/path"``, an image file series, or whatever :func:`h5lens.open`
understands (URLs and remote domains as their backends land). On the worker
:func:`opened` turns it back into something sliceable along frames: an
``h5py.Dataset`` for a local HDF5 file (``read_direct`` into reused buffers,
the fastest path), an h5lens node otherwise.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_REMOTE = ("http://", "https://", "hdf5://", "s3://", "gs://", "az://")


@dataclass(frozen=True)
class SourceRef:
    """A stack named by file and path, opened afresh on each worker.

    Parameters
    ----------
    spec : str
        ``"/abs/file.h5::/entry/data"``, a URL, or a remote domain with ``::/path``.
    """

    spec: str

    @property
    def label(self) -> str:
        """How errors name the source."""
        return self.spec


def as_ref(source: Any) -> SourceRef:
    """Name ``source`` so that a worker can reopen it.

    Accepts ``"file.h5::/path"`` (made absolute: workers may run elsewhere),
    a ``(file, path)`` pair, a URL, an ``h5py.Dataset`` or an h5lens dataset
    node opened from a file. In-memory arrays have no name a worker could
    open: they raise ``TypeError`` saying so.
    """
    if isinstance(source, (tuple, list)) and len(source) == 2:
        source = f"{os.fspath(source[0])}::{source[1]}"
    if isinstance(source, (str, os.PathLike)):
        text = os.fspath(source)
        if text.startswith(_REMOTE):
            return SourceRef(text)
        filename, sep, inner = text.partition("::")
        if not sep or not inner.strip("/"):
            raise ValueError(f"expected 'file.h5::/path/to/dataset', got {text!r}")
        return SourceRef(f"{os.path.abspath(filename)}::{inner}")
    filename = getattr(source, "filename", None)
    if isinstance(filename, str) and hasattr(source, "path") and hasattr(source, "deref"):  # h5lens node
        # (before h5py's test: nodes also have h5py's ``file``, but ``name`` is their last path part)
        return as_ref(f"{filename}::{source.path}")
    h5file = getattr(source, "file", None)
    if h5file is not None and hasattr(h5file, "filename") and hasattr(source, "name"):  # h5py / h5pyd
        return as_ref(f"{h5file.filename}::{source.name}")
    raise TypeError(f"with a client each worker opens the source itself: give it by name "
                    f"('file.h5::/path', a URL, an h5py dataset), not a {type(source).__name__}")


def _is_local_hdf5(path: str) -> bool:
    from .._open import hdf5_signature_offset

    try:
        return os.path.isfile(path) and hdf5_signature_offset(path) is not None
    except OSError:
        return False


@contextlib.contextmanager
def opened(ref: SourceRef) -> Iterator[Any]:
    """Yield the dataset ``ref`` names, opened read-only here; closed afterwards."""
    filename, _, inner = ref.spec.partition("::")
    if not filename.startswith(_REMOTE) and _is_local_hdf5(filename):
        import h5py

        with h5py.File(filename, "r") as h5:
            if inner not in h5:
                raise KeyError(f"no dataset {inner!r} in {filename!r}")
            yield h5[inner]
        return
    import h5lens

    node = h5lens.open(ref.spec)
    try:
        yield node.deref() if hasattr(node, "deref") else node
    finally:
        node.close()
