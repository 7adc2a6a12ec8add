"""What a :class:`~h5lens.write.builder.TreeBuilder` records: one item per call.

Items keep what the caller gave (raw paths, raw data) so that validation can
name every problem in the caller's own terms; nothing raises while building.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

GROUP, DATASET, SOFT, EXTERNAL = "group", "dataset", "soft", "external"


@dataclass
class Item:
    """One object to create: a group, a dataset or a link."""

    kind: str
    path: Any  # as given by the caller
    data: Any = None
    shape: Any = None
    dtype: Any = None
    maxshape: Any = None
    chunks: Any = None
    compression: Any = None
    fillvalue: Any = None
    shuffle: bool = False
    fletcher32: bool = False
    target: Any = None  # link target path
    target_file: Any = None  # external link file
    attrs: dict = field(default_factory=dict)

    @property
    def declared(self) -> bool:
        """A dataset declared by shape/dtype, to be filled after writing."""
        return self.kind == DATASET and self.data is None


def split_path(path: Any) -> tuple[tuple[str, ...] | None, str | None]:
    """``("entry", "data")`` for ``"/entry/data"``; or ``(None, why it is invalid)``.

    Leading ``/`` is optional (every path is absolute in a builder);
    ``""`` and ``"/"`` are the root.
    """
    if not isinstance(path, str):
        return None, f"path must be a string, not {type(path).__name__} {path!r}"
    body = path[1:] if path.startswith("/") else path
    if body == "":
        return (), None
    parts = tuple(body.split("/"))
    for part in parts:
        problem = name_problem(part)
        if problem:
            return None, problem
    return parts, None


def name_problem(name: Any) -> str | None:
    """Why ``name`` cannot be a member name, or None."""
    if not isinstance(name, str):
        return f"member names must be strings, not {type(name).__name__} {name!r}"
    if name == "":
        return "empty member name"
    if name in (".", ".."):
        return f"{name!r} is not a valid member name"
    if "/" in name:
        return f"member name {name!r} contains '/'"
    return None


def join(parts: tuple[str, ...]) -> str:
    return "/" + "/".join(parts)


def as_storable(value: Any) -> tuple[Any, str | None]:
    """``value`` as something HDF5 can store, or ``(None, why not)``.

    Python and numpy text becomes variable-length UTF-8 strings (numpy's
    ``U`` dtype has no HDF5 equivalent); bytes stay bytes.
    """
    import h5py  # lazy: only needed once a tree is validated or written

    if isinstance(value, str):
        return np.array(value, dtype=h5py.string_dtype()), None
    if isinstance(value, bytes):
        return np.array(value), None
    if isinstance(value, (h5py.Empty,)):
        return value, None
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged nested lists, unconvertible objects
        return None, f"cannot make an array of {type(value).__name__}: {exc}"
    if arr.dtype.kind == "U":
        return arr.astype(h5py.string_dtype()), None
    plain_object = h5py.check_string_dtype(arr.dtype) is None and h5py.check_vlen_dtype(arr.dtype) is None
    if arr.dtype.kind == "O" and plain_object:
        items = arr.ravel()
        if items.size and all(isinstance(v, str) for v in items):  # np.str_ is a str
            return arr.astype(h5py.string_dtype()), None
        if items.size and all(isinstance(v, bytes) for v in items):
            return arr.astype(h5py.string_dtype("ascii")), None
        kinds = {type(v) for v in items}
        names = ", ".join(sorted(k.__name__ for k in kinds)) or "nothing"
        return None, f"object array of Python objects ({names}) has no HDF5 type"
    problem = dtype_problem(arr.dtype)
    return (None, problem) if problem else (arr, None)


def dtype_problem(dtype: Any) -> str | None:
    """Why HDF5 cannot store ``dtype`` (recursing into compound fields), or None."""
    import h5py

    try:
        dtype = np.dtype(dtype)
    except Exception as exc:
        return f"not a dtype: {dtype!r} ({exc})"
    if dtype.fields:
        for fname, (ftype, *_rest) in dtype.fields.items():
            problem = dtype_problem(ftype)
            if problem:
                return f"field {fname!r}: {problem}"
        return None
    if dtype.subdtype is not None:
        return dtype_problem(dtype.subdtype[0])
    if dtype.kind in "biufcSV?":
        return None
    if dtype.kind == "O" and (h5py.check_string_dtype(dtype) or h5py.check_vlen_dtype(dtype) is not None
                              or h5py.check_ref_dtype(dtype) is not None):
        return None
    if dtype.kind in "Mm":
        return f"dtype {dtype} (datetime/timedelta) has no HDF5 type; store numbers or ISO strings"
    if dtype.kind == "U":
        return f"dtype {dtype} (numpy unicode) has no HDF5 type; use str objects (h5py.string_dtype())"
    return f"dtype {dtype} has no HDF5 type"
