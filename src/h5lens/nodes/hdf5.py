"""HDF5 backend over h5py (and h5py-like objects such as h5pyd's).

Only duck-typed calls are used on the wrapped objects: ``keys``/iteration,
``len``, ``attrs``, ``get(name, getlink=True)``, ``shape``, ``dtype`` and
slicing. The low-level h5py property lists are used when present (filters,
layout) and skipped otherwise.

Listing never follows a link: a member is first looked up as a link (see
:mod:`._hdf5_links`); soft and external links become :class:`HDF5Link` nodes
that open their target only when asked.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import _hdf5_chunk, _hdf5_external, _hdf5_sparse, _paths
from ._base import Dataset, Group, Link, LinkError, Node, NodeError, Owner
from ._dataset import size_of
from ._hdf5_links import (
    iter_link_names,
    link_info,
    open_member,
    scan_link_names,
    sorts_whole_listing,
    stored_count,
    to_key,
    to_str,
)
from ._hdf5_live import follow, refresh_shape
from ._hdf5_live import open_file as _open_file
from ._hdf5_object import HDF5Object
from ._hdf5_storage import HDF5Storage, load_plugins


def make_node(obj: Any, name: str, path: str, parent: Node | None, *, owner: Owner | None = None) -> Node:
    """Wrap one h5py(-like) object: dataset, group or committed datatype (``owner``: for a root)."""
    if all(hasattr(type(obj), a) or hasattr(obj, a) for a in ("shape", "dtype")):  # class first: shape is a query
        return HDF5Dataset(name, path, parent, obj, owner=owner)
    if hasattr(obj, "keys"):
        return HDF5Group(name, path, parent, obj, owner=owner)
    if hasattr(obj, "dtype"):
        return HDF5Datatype(name, path, parent, obj, owner=owner)
    raise NodeError(f"{path!r}: unsupported HDF5 object {type(obj).__name__}")


class HDF5Group(HDF5Object, Group):
    """An HDF5 group (or file); members are listed lazily, one name at a time."""

    def __init__(self, name: str, path: str, parent: Node | None, h5obj: Any, *, owner: Owner | None = None):
        super().__init__(name, path, parent, owner=owner)
        self._counted: int | None = None  # the member count, once taken
        self._hard: set[str] = set()  # names just listed as hard links: opened without a second lookup
        self._bind(h5obj)

    @property
    def details(self) -> list[tuple[str, Any]]:
        """For the file's root: driver, user block, libver bounds, superblock, SWMR, chunk cache."""
        if self.parent is not None or not hasattr(self._h5, "driver") or self._h5.name != "/":
            return []
        from ._hdf5_info import file_details

        return file_details(self._h5, self.owner.being_written)

    def _refresh(self) -> bool:
        self._counted = None
        self._hard.clear()  # the writer may have replaced a member since it was listed
        reopened = self.__dict__.pop("_reopened", False)  # the root, after the file was replaced
        rebound = self._rebind()
        return super()._refresh() or reopened or rebound

    def _iter_names(self) -> Iterator[str]:
        return self._iter_names_from(0, 64)

    def _iter_names_from(self, start: int, first: int) -> Iterator[str]:
        self._check_open("list")
        paged = self.owner.names_page(self._h5, start, first) if self.owner.names_page else None
        if paged is not None:  # HSDS: pages through its links API (h5pyd would fetch every link first)
            yield from paged
            return
        links = getattr(getattr(self._h5, "id", None), "links", None)
        if hasattr(links, "iterate"):  # HDF5 skips the names before ``start`` itself
            names: Iterator[Any] = iter_link_names(self._h5.id, start, first, self._hard)
        else:
            names = itertools.islice(iter(self._h5), start, None)
        yield from map(to_str, names)

    def _prefetch(self, names: list[str]) -> None:
        if self.owner.prefetch is not None and names:
            self.owner.prefetch(self._h5, names)

    def _count(self) -> int:
        self._check_open("list")
        known = self._known_count()
        if known is None:  # H5Gget_info walks a classic group's whole index (~3 s for 10^6 members)
            known = self._counted = len(self._h5)
        return known

    def _cheap_len(self) -> int | None:
        return self._count()  # one H5Gget_info call, no listing (kept: it walks a classic group's index)

    def _known_count(self) -> int | None:
        if self._counted is None and self.owner.member_count:  # HSDS: the group's linkCount, no listing
            self._counted = self.owner.member_count(self._h5)
        return self._counted  # else counting may walk the whole index: only a count already taken

    def _lists_whole(self) -> bool:
        return sorts_whole_listing(self._h5)  # HDF5 sorts all the names of each call: one call, names kept

    def _count_upto(self, limit: int) -> int | None:
        if self._counted is None:  # new-style groups hold their count; a classic one: the bounded listing
            self._counted = stored_count(self._h5)
        return self._counted if self._counted is not None else super()._count_upto(limit)

    def _scan_names(self, start: int, visit: Callable[[str], bool]) -> bool:
        links = getattr(getattr(self._h5, "id", None), "links", None)
        if self._names is not None or not hasattr(links, "iterate"):
            return super()._scan_names(start, visit)
        self._check_open("list")
        seen: list[str] = []

        def keep(name: bytes | str) -> bool:
            seen.append(to_str(name))
            return visit(seen[-1])

        stopped = scan_link_names(self._h5.id, start, keep)
        if start == 0 and not stopped:  # every name went through Python: later pages and filters reuse them
            self._names = seen
        return stopped

    def _has(self, name: str) -> bool:
        if self._names is not None:
            return name in self._names
        if not name or "/" in name or name in (".", ".."):
            return False
        self._check_open("list")
        return link_info(self._h5, to_key(name)) is not None

    def _make_child(self, name: str) -> Node:
        key, path = to_key(name), self._child_path(name)
        try:
            info = ("hard", None, None) if name in self._hard else link_info(self._h5, key)
            self._hard.discard(name)
        except Exception as exc:  # one unreadable link, unless the whole file was closed under the tree
            self._check_handle("open a member of")
            return HDF5Link(name, path, self, "unknown", "?", error=str(exc))
        if info is None:  # listed a moment ago: removed by a writer since
            return HDF5Link(name, path, self, "unknown", "?", error="the member is gone from the file")
        kind, target, target_file = info
        if kind != "hard":
            return HDF5Link(name, path, self, kind, target or "?", target_file)
        try:
            return make_node(open_member(self._h5, key), name, path, self)
        except Exception as exc:  # a hard link to an unreadable object header
            return HDF5Link(name, path, self, "hard", path, error=f"cannot open object: {exc}")


class HDF5Link(Link):
    """A soft or external link; h5py follows it only when the target is asked for."""

    def __init__(self, name: str, path: str, parent: HDF5Group, link_type: str, target: str,
                 target_file: str | None = None, *, error: str | None = None):
        super().__init__(name, path, parent, link_type, target, target_file)
        self._group = parent
        self._preset_error = error

    def _resolve(self) -> Node:
        if self._preset_error:
            raise LinkError(self._preset_error)
        if self.link_type == "external":
            load_plugins()
            _hdf5_external.check_link_target(self._group._h5, self)
        try:
            obj = self._group._h5[to_key(self.name)]
        except Exception as exc:
            raise LinkError(exc.args[0] if exc.args else type(exc).__name__) from None
        if self.link_type == "external":
            _hdf5_external.adopt_external(self.owner, obj)
        return make_node(obj, self.name, self.path, self.parent)


class HDF5Datatype(HDF5Object, Node):
    """A committed (named) datatype: no data, only a dtype."""

    kind = "datatype"

    def __init__(self, name: str, path: str, parent: Node | None, h5obj: Any, *, owner: Owner | None = None):
        super().__init__(name, path, parent, owner=owner)
        self._bind(h5obj)
        self.dtype: np.dtype[Any] = h5obj.dtype


class HDF5Dataset(HDF5Object, HDF5Storage, Dataset):
    """An HDF5 dataset: metadata from the object, reads of the selection only."""

    def __init__(self, name: str, path: str, parent: Node | None, h5obj: Any, *, owner: Owner | None = None):
        super().__init__(name, path, parent, owner=owner)
        self._bind(h5obj)

    @property
    def details(self) -> list[tuple[str, Any]]:
        """Fill value, max shape, bytes in memory and on disk, compression ratio."""
        from ._hdf5_info import dataset_details

        return dataset_details(self._h5, self.nbytes)

    @property
    def shape(self) -> tuple[int, ...] | None:
        """The dimensions, from the file's metadata."""
        shape: tuple[int, ...] | None = self._h5.shape  # h5py is untyped
        return shape

    @property
    def dtype(self) -> np.dtype[Any]:
        """The element type, from the file's metadata."""
        dtype: np.dtype[Any] = self._h5.dtype
        return dtype

    @property
    def maxshape(self) -> tuple[int | None, ...] | None:
        """The largest shape the dataset may grow to (None: unlimited)."""
        return getattr(self._h5, "maxshape", self.shape)

    @property
    def fillvalue(self) -> Any:
        """The value unwritten elements read as (None when the dtype has none)."""
        try:
            return self._h5.fillvalue
        except Exception:  # some dtypes have no numpy fill value
            return None

    @property
    def storage_problem(self) -> str | None:
        """``"3 of 4 source files missing"`` for a virtual dataset (HDF5 reads fill values there)."""
        if "_problem" not in self.__dict__:
            self._problem = None
            dcpl = self._dcpl()
            if dcpl is not None and self.layout == "virtual":
                try:
                    missing, total = _hdf5_external.missing_sources(self._h5_filename(), dcpl)
                except Exception:  # an unreadable mapping list: nothing to say about it
                    missing, total = 0, 0
                if missing:
                    self._problem = (f"{missing} of {total} source file{'s' if total != 1 else ''} missing "
                                     "(read as the fill value)")
        return self._problem

    def _refresh(self) -> bool:
        """Re-read the shape (h5py's ``refresh``: SWMR readers see what the writer flushed)."""
        rebound = self._rebind()
        self.__dict__.pop("_last_chunk", None)  # a writer may have rewritten it
        old = self.shape
        refresh_shape(self._h5, f"{self.path!r} of {self._h5_filename()}", self.owner.swmr)
        return rebound or self.shape != old

    def _h5_filename(self) -> str | None:
        return getattr(getattr(self._h5, "file", None), "filename", None) or self.filename

    def _read(self, selection: Any) -> Any:
        if self._dcpl() is None or self.layout == "virtual":
            load_plugins()  # filters unknown here (or in the source files): register them all
        else:
            _ = self.filters  # registers hdf5plugin when the pipeline needs it
        if self.layout == "virtual" and not self.__dict__.get("_sources_checked"):
            self._check_virtual()
            self._sources_checked = True
        try:
            external = self._external()
            if external is not None:
                return external.read(selection)
            sparse = _hdf5_sparse.sparse_sample(self, selection)
            if sparse is not None:
                return sparse
            out = self._read_small(selection)
            if out is None and self.layout == "chunked":  # a gzip frame, a tile of whole chunks: read here
                out = _hdf5_chunk.read_chunks(self._h5, selection, [(f.id, f.options) for f in self.filters],
                                              self.__dict__.setdefault("_last_chunk", {}))
            return out if out is not None else self._h5[selection]
        except _paths.NotAFileError:  # already one sentence naming the file
            raise
        except OSError as exc:
            missing = [f for f in self.filters if not f.available]
            if missing:
                names = ", ".join(f"{f.name} (id {f.id})" if f.name != f"filter {f.id}" else str(f.id)
                                  for f in missing)
                raise NodeError(f"cannot read {self.path!r}: HDF5 filter {names} is not available "
                                f"(install or import hdf5plugin, or set HDF5_PLUGIN_PATH)") from exc
            raise NodeError(f"cannot read {self.path!r}: {exc}") from exc

    def _read_small(self, selection: Any) -> Any:
        """All of a small plain numeric dataset in one H5Dread (None otherwise: h5py reads it).

        h5py's first read of a dataset object sets up a reader (~0.2 ms); a glance reads dozens
        of tiny datasets once each. The result is what ``h5py[()]`` gives (a scalar for 0-d).
        """
        if not (isinstance(selection, tuple) and selection == ()) or self.layout == "virtual" \
                or not hasattr(getattr(self._h5, "id", None), "read"):  # h5pyd and the like: no H5Dread
            return None
        shape, dtype = self._h5.shape, self._h5.dtype
        if shape is None or dtype.kind not in "fiub" or dtype.metadata \
                or not 0 < size_of(shape) * dtype.itemsize <= SMALL_READ:
            return None
        from h5py import h5s

        out = np.empty(shape, dtype)
        self._h5.id.read(h5s.ALL, h5s.ALL, out)
        return out[()] if out.ndim == 0 else out

    def _check_virtual(self) -> None:
        """Refuse sources that would hang (a pipe) or crash HDF5 (a loop back to this dataset)."""
        filename, dcpl = self._h5_filename(), self._dcpl()
        _hdf5_external.check_sources(filename, dcpl)
        handle = self._h5.file

        def lookup(path: str) -> Any:
            try:
                plist = handle[path].id.get_create_plist()
                return plist if plist.get_layout() == 3 else None  # H5D_VIRTUAL
            except Exception:  # missing or not a dataset: HDF5 reads fill values there
                return None

        loop = _hdf5_external.vds_loop(filename, self._h5.name, dcpl, lookup)
        if loop is not None:
            raise NodeError(f"cannot read {self.path!r} of {filename}: its virtual sources lead back to "
                            f"{loop!r} (a loop HDF5 cannot read)")

    def _external(self) -> _hdf5_external.ExternalArray | None:
        """The reader of external raw storage (read here: see :mod:`._hdf5_external`), else None.

        Types with references or variable-length parts hold heap addresses:
        those are left to HDF5.
        """
        if "_external_reader" not in self.__dict__:
            reader = None
            dcpl = self._dcpl()
            # the file name last: h5py builds a File object for it (a glance reads hundreds of tiny datasets)
            filename = self._h5_filename() if dcpl is not None and self.layout == "external" else None
            if filename and not self.dtype.hasobject and self.shape is not None:
                # raises (missing file, pipe) before anything is cached: HDF5 must never get the read
                reader = _hdf5_external.ExternalArray(filename, dcpl, self.shape, self.dtype, self.path)
            self._external_reader = reader
        return self._external_reader


#: Bytes a whole read of a plain numeric dataset may hold to skip h5py's reader set-up (HDF5Dataset._read_small).
SMALL_READ = 4096
#: h5py.File options :func:`open_hdf5` passes on (the chunk cache, and the family driver's)
FILE_OPTIONS = ("rdcc_nbytes", "rdcc_nslots", "rdcc_w0", "driver", "memb_size")


def open_hdf5(source: Any, swmr: bool | None = None, **options: Any) -> Node:
    """Open an HDF5 file read-only, or wrap an already-open h5py(-like) object.

    Parameters
    ----------
    source : str, os.PathLike, or h5py File/Group/Dataset (or a duck-typed equivalent)
        A path is opened with mode ``"r"`` and closed with the tree. An
        object passed in stays owned by the caller (closing the tree leaves it open).
    swmr : bool or None
        Read in HDF5's SWMR mode (a writer appends while we read). None: when
        the file allows it (superblock version 3, ``libver="latest"``).
    **options
        For a path: ``rdcc_nbytes``, ``rdcc_nslots``, ``rdcc_w0`` (the chunk
        cache, as :class:`h5py.File` takes them), ``driver``/``memb_size``.

    Returns
    -------
    Node
        The root group (or dataset, for a dataset object).
    """
    if isinstance(source, (str, os.PathLike)):
        import h5py

        path = os.fspath(source)
        unknown = sorted(set(options) - set(FILE_OPTIONS))
        if unknown:
            raise TypeError(f"{path}: unknown HDF5 open option(s) {', '.join(unknown)}; "
                            f"expected {', '.join(FILE_OPTIONS)}")
        try:
            handle, written = _open_file(h5py, path, swmr, **options)
        except FileNotFoundError:
            raise
        except (OSError, RuntimeError) as exc:  # h5py raises RuntimeError for some bad superblocks
            if "SWMR" in str(exc):
                raise
            raise OSError(f"{path}: not a readable HDF5 file ({exc})") from exc
        owner = Owner(path, owns_handle=True, watch=os.path.isfile(path))  # not a family pattern
        root = HDF5Group("", "/", None, handle, owner=owner)
        follow(root, written, lambda: _open_file(h5py, path, swmr, **options))
        return root
    if swmr is not None:
        raise TypeError("swmr applies when h5lens opens an HDF5 file by path, not to an object already open")
    obj_name = to_str(getattr(source, "name", None) or "/")
    filename = getattr(getattr(source, "file", None), "filename", None)
    return make_node(source, obj_name.rsplit("/", 1)[-1], obj_name, None, owner=Owner(filename))
