"""Handles to a file written by :meth:`TreeBuilder.write`.

Lifecycle: the file is complete on disk when ``write`` returns. Reading goes
through read-only h5lens nodes (opened on first use). Filling declared
datasets happens in a ``with`` block on a temporary copy that replaces the
file atomically on a clean exit, so readers never see a half-filled file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path


class Written(Mapping):
    """The objects :meth:`TreeBuilder.write` created, by absolute path.

    ``written[path]`` is a read-only h5lens node of the written file;
    ``with written as f:`` yields a writable :class:`h5py.File` (a copy
    that atomically replaces the file on a clean exit, discarded on error).
    """

    def __init__(self, filename: str | os.PathLike, paths: list[str]):
        self.filename = Path(filename).absolute()
        self.paths = list(paths)
        self._root = None
        self._session = None

    @property
    def root(self):
        """The h5lens root node of the written file (opened read-only on first use)."""
        if self._root is None or self._root.closed:
            from .._open import open as h5open

            self._root = h5open(self.filename)
        return self._root

    def __getitem__(self, path: str):
        if path not in self.paths and path != "/":
            raise KeyError(f"{path!r} was not written by this builder")
        return self.root if path == "/" else self.root[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    def close(self) -> None:
        """Close the read-only nodes (they reopen on next use)."""
        if self._root is not None:
            self._root.close()
            self._root = None

    def __enter__(self):
        from .atomic import atomic_h5

        if self._session is not None:
            raise RuntimeError("this file is already open for filling")
        self._session = atomic_h5(self.filename, mode="a")
        return self._session.__enter__()

    def __exit__(self, *exc) -> bool | None:
        session, self._session = self._session, None
        if session is None:  # __exit__ without __enter__: nothing to commit
            return None
        try:
            return session.__exit__(*exc)
        finally:
            self.close()  # the nodes point at the replaced file: reopen next time

    def __repr__(self) -> str:
        return f"<h5lens.Written {str(self.filename)!r}: {len(self.paths)} objects>"
