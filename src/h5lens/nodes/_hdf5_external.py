"""Datasets whose raw data lives outside the HDF5 file: external raw storage and VDS sources.

External raw storage (``H5Pset_external``) is a list of ``(file, offset,
size)`` segments holding the dataset's bytes, uncompressed, in C order. HDF5
looks relative names up in the working directory unless the dataset is
opened with an external-file prefix, and a dataset open with one prefix
cannot be opened again with another anywhere in the process: a reader that
asked for ``${ORIGIN}`` would break every other handle (the user's
``h5py.File(...)[name]``, silx, a second viewer). So the segments are read
here, straight from their files, resolved beside the HDF5 file first (where
writers put them) and then in the working directory (where HDF5 looks).

Virtual datasets need no such help: HDF5 looks their source files up beside
the virtual dataset's file first. It silently reads the fill value where a
source file is missing, so :func:`missing_sources` counts them for display.
"""

from __future__ import annotations

import mmap
import os
from typing import Any

import numpy as np

from . import _paths
from ._base import LinkError, NodeError, Owner
from ._paths import require_file

#: Source files checked at most per virtual dataset (a stat each).
MAX_SOURCES_CHECKED = 10_000
_UNLIMITED = 2**64 - 1


def _here(filename: str | None, name: str) -> list[str]:
    """Where a stored file name may be, in the order it is looked for."""
    if os.path.isabs(name):
        return [name]
    places = []
    if filename:
        places.append(os.path.join(os.path.dirname(os.path.abspath(filename)), name))
    places.append(os.path.abspath(name))
    return places


def _find(filename: str | None, name: str) -> str | None:
    """The first place ``name`` is found; a pipe or device there is an error, not a file to open."""
    for place in _here(filename, name):
        if os.path.lexists(place):
            require_file(place, f"stored in {filename} as {name!r}")
            return place
    return None


def _present(filename: str | None, name: str) -> bool:
    try:
        return _find(filename, name) is not None
    except OSError:  # a dangling link, a pipe: not a source HDF5 can read
        return False


def check_sources(filename: str | None, dcpl: Any) -> None:
    """Raise if a VDS source file is a pipe or device (HDF5 would block opening it)."""
    names = {os.fsdecode(dcpl.get_virtual_filename(i)) for i in range(min(dcpl.get_virtual_count(),
                                                                          MAX_SOURCES_CHECKED))}
    for name in names:
        if name != "." and "%" not in name:
            _find(filename, name)


def segments(dcpl: Any) -> list[tuple[str, int, int]]:
    """``(stored name, offset, size)`` of each external segment (size -1: to the end of the file)."""
    out = []
    for i in range(dcpl.get_external_count()):
        name, offset, size = dcpl.get_external(i)
        out.append((os.fsdecode(name), int(offset), -1 if int(size) >= _UNLIMITED else int(size)))
    return out


class ExternalArray:
    """Reads selections of an external-storage dataset from its segment files.

    Parameters
    ----------
    filename : str
        The HDF5 file (relative segment names are looked up beside it).
    dcpl : h5py PropDCID
        The dataset's creation property list.
    shape, dtype
        The dataset's shape and on-disk dtype (byte order included).
    path : str
        The dataset's path, for messages.
    """

    def __init__(self, filename: str, dcpl: Any, shape: tuple, dtype: np.dtype, path: str):
        self.filename, self.shape, self.dtype, self.path = filename, tuple(shape), np.dtype(dtype), path
        self.size = int(np.prod(self.shape, dtype=np.int64))
        self._parts: list[tuple[str, int, int]] = []  # (found path, offset, bytes) in order
        need = self.size * self.dtype.itemsize
        for name, offset, size in segments(dcpl):
            if need <= 0:
                break
            found = _find(filename, name)
            if found is None:
                raise NodeError(f"cannot read {path!r} of {filename}: its external raw data file {name!r} "
                                f"is missing (looked beside the file and in the working directory)")
            length = need if size < 0 else min(size, need)
            self._parts.append((found, offset, length))
            need -= length

    def _maps(self) -> list[tuple[Any, int]]:
        """Each segment's bytes (shorter than declared when its file is: HDF5 reads zeros there)."""
        out = []
        for found, offset, length in self._parts:
            with open(found, "rb") as handle:
                end = min(os.fstat(handle.fileno()).st_size, offset + length)
                if end <= offset:
                    out.append((np.zeros(0, np.uint8), length))
                    continue
                start = offset - offset % mmap.ALLOCATIONGRANULARITY
                mapped = mmap.mmap(handle.fileno(), end - start, access=mmap.ACCESS_READ, offset=start)
            out.append((np.frombuffer(mapped, np.uint8)[offset - start:], length))
        return out

    def read(self, selection: Any) -> np.ndarray:
        """``selection`` (h5py/numpy indexing) of the dataset; only the bytes it touches are paged in."""
        maps = self._maps()
        itemsize = self.dtype.itemsize
        if len(maps) == 1 and len(maps[0][0]) == self.size * itemsize:
            whole = maps[0][0].view(self.dtype).reshape(self.shape)
            return np.array(whole[selection], dtype=self.dtype.newbyteorder("="))
        # several segments (or a short file): gather the selected elements' bytes by flat index
        flat = flat_indices(self.shape, selection)
        byte = (flat.reshape(-1, 1) * itemsize + np.arange(itemsize)).ravel()
        out = np.zeros(byte.size, np.uint8)  # beyond a short file HDF5 reads zeros, as here
        start = 0
        for data, length in maps:
            inside = (byte >= start) & (byte < start + len(data))
            out[inside] = data[byte[inside] - start]
            start += length
        return np.array(out.view(self.dtype).reshape(flat.shape), dtype=self.dtype.newbyteorder("="))


def flat_indices(shape: tuple, selection: Any) -> np.ndarray:
    """Flat (C order) element indices of ``selection``, shaped like the selected array.

    Built axis by axis (an integer drops its axis, a slice or an index list
    keeps it, several lists combine as an outer product, like h5py's single
    list), so memory follows the selection, never the dataset.
    """
    from ._imagesource import expand_selection

    items = expand_selection(selection, len(shape))
    strides = [int(np.prod(shape[i + 1:], dtype=np.int64)) for i in range(len(shape))]
    offset, kept = 0, []
    for item, n, stride in zip(items, shape, strides):
        if isinstance(item, (int, np.integer)):
            index = int(item) + n if item < 0 else int(item)
            if not 0 <= index < n:
                raise IndexError(f"index {int(item)} is out of range for a dimension of {n}")
            offset += index * stride
            continue
        if isinstance(item, slice):
            values = np.arange(*item.indices(n), dtype=np.int64)
        else:
            values = np.asarray(item)
            values = np.flatnonzero(values) if values.dtype == bool else values.astype(np.int64).ravel()
            values = np.where(values < 0, values + n, values)
            if values.size and (values.min() < 0 or values.max() >= n):
                raise IndexError(f"index list out of range for a dimension of {n}")
        kept.append(values * stride)
    total = np.asarray(np.int64(offset))
    for i, values in enumerate(kept):
        total = total + values.reshape((1,) * i + (-1,) + (1,) * (len(kept) - i - 1))
    return np.asarray(total, dtype=np.int64).reshape(tuple(len(v) for v in kept))


def missing_sources(filename: str | None, dcpl: Any) -> tuple[int, int]:
    """``(missing, total)`` distinct source files of a virtual dataset.

    ``"."`` (the file itself) counts as present; printf-style names
    (``data_%b.h5``) are not checked. At most :data:`MAX_SOURCES_CHECKED` names.
    """
    names: dict[str, None] = {}
    for i in range(min(dcpl.get_virtual_count(), MAX_SOURCES_CHECKED)):
        names.setdefault(os.fsdecode(dcpl.get_virtual_filename(i)), None)
    checked = [n for n in names if n != "." and "%" not in n]
    missing = sum(not _present(filename, n) for n in checked)
    return missing, len(names)


def _same_file(filename: str | None, name: str) -> bool:
    if name == ".":
        return True
    try:
        found = _find(filename, name)
        return found is not None and filename is not None and os.path.samefile(found, filename)
    except OSError:
        return False


def vds_loop(filename: str | None, path: str, dcpl: Any, lookup: Any, limit: int = 1000) -> str | None:
    """The dataset path where a virtual dataset's sources lead back to themselves, or None.

    HDF5 follows a VDS whose source is itself (directly, or through other
    virtual datasets of the same file) until the process crashes, so such a
    loop is found before reading. ``lookup(path)`` gives the creation property
    list of a dataset of the same file (None when it is not virtual).
    """
    seen, todo = {path}, [dcpl]
    while todo and len(seen) < limit:
        current = todo.pop()
        for i in range(min(current.get_virtual_count(), MAX_SOURCES_CHECKED)):
            if not _same_file(filename, os.fsdecode(current.get_virtual_filename(i))):
                continue
            source = os.fsdecode(current.get_virtual_dsetname(i))
            source = "/" + source.lstrip("/")
            if source == path:
                return source
            if source not in seen:
                seen.add(source)
                found = lookup(source)
                if found is not None:
                    todo.append(found)
    return None



def check_link_target(group_h5: Any, link: Any) -> None:
    """Refuse an external link to a pipe or device before HDF5 opens it (that would block).

    HDF5 looks the target up as stored, then beside the linking file (that of
    ``group_h5``, the h5py group holding the link), then in the working
    directory: any of those places that is not a regular file stops here.
    """
    filename = getattr(getattr(group_h5, "file", None), "filename", None) or link.filename
    name = link.target_file or ""
    places = [name] if os.path.isabs(name) else []
    if filename:
        places.append(os.path.join(os.path.dirname(os.path.abspath(filename)), os.path.basename(name)))
    places.append(os.path.abspath(name))
    for place in places:
        what = _paths.special(place)
        if what is not None and what != "a folder":
            raise LinkError(f"its target file {place} is {what}, not a regular file")


def adopt_external(owner: Owner, obj: Any) -> None:
    """h5py opened the external file to follow the link: closing the tree closes it too."""
    handle = getattr(obj, "file", None)
    if handle is not None and hasattr(handle, "close"):
        name = getattr(handle, "filename", None)
        owner.adopt(Owner(name, owns_handle=True, closers=[handle.close]))
