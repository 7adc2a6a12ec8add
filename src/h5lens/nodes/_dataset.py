"""Datasets: metadata without I/O, reads of the selection asked for only."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._node import DATASET, Filter, Node


class Dataset(Node):
    """An n-dimensional array node; reads only the selection asked for.

    Backends set/compute the metadata properties and implement :meth:`_read`.
    Defaults describe an in-memory, contiguous, unfiltered array.
    """

    kind = DATASET

    # metadata every backend provides (override the properties)
    @property
    def shape(self) -> tuple[int, ...] | None:
        """The dimensions; None for an HDF5 null dataspace (``h5py.Empty``)."""
        return ()

    @property
    def dtype(self) -> np.dtype[Any]:
        """The element type (numpy; h5py's metadata kept for strings, enums, references)."""
        return np.dtype("float64")

    @property
    def ndim(self) -> int:
        return 0 if self.shape is None else len(self.shape)

    @property
    def size(self) -> int:
        return 0 if self.shape is None else int(np.prod(self.shape, dtype=np.int64))

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    @property
    def chunks(self) -> tuple | None:
        return None

    @property
    def compression(self) -> str | None:
        return None

    @property
    def compression_opts(self) -> Any:
        return None

    @property
    def filters(self) -> list[Filter]:
        return []

    @property
    def maxshape(self) -> tuple | None:
        return self.shape

    @property
    def layout(self) -> str:
        """``compact``, ``contiguous``, ``chunked``, ``virtual``, ``external`` or ``memory``."""
        return "memory"

    @property
    def fillvalue(self) -> Any:
        return None

    @property
    def storage_problem(self) -> str | None:
        """What is wrong with the storage although reads succeed (missing VDS sources...), or None."""
        return None

    def _read(self, selection: Any) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def __getitem__(self, selection: Any = ()) -> Any:
        """Read ``selection`` only (h5py slicing semantics)."""
        self._check_open("read")
        return self._read(selection)

    def read(self) -> Any:
        """The whole dataset (use slicing to bound memory)."""
        return self[()]

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a scalar dataset")
        return int(self.shape[0])

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray[Any, Any]:
        data = np.asarray(self.read())
        return data.astype(dtype) if dtype is not None else data
