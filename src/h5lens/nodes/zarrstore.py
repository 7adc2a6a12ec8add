"""Zarr backend (v3 and v2) over the ``zarr`` package: groups, arrays, attributes, codecs.

A store is a local folder, a zip file, or a URL read through fsspec (S3,
HTTP...); an open ``zarr.Group``/``zarr.Array`` is wrapped as lent by the
caller. Zarr members have no order: they are listed sorted by name, as HDF5
lists them. Codecs are shown as filters under HDF5's ids where one exists
(gzip 1, blosc 32001...) so labels read the same for both formats.

Zarr has no links: a group's ``h5lens_links`` attribute (``{name: target}``,
written by ``h5lens convert -o x.zarr``) lists soft links, shown as links.

A chunk that is not stored reads as the fill value (the Zarr rule); such a
dataset says so in :attr:`ZarrDataset.storage_problem`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from ._base import Dataset, Filter, Group, Link, LinkError, Node, NodeError, Owner
from ._format import decode_value

#: Files that mark a folder (or a zip file's root) as a Zarr store.
MARKERS = ("zarr.json", ".zgroup", ".zarray")
#: Group attribute listing soft links, name -> absolute target path (see the module notes).
LINKS_ATTR = "h5lens_links"
#: Zarr codec name -> the HDF5 filter id of the same compression (labels are shared).
_HDF5_IDS = {"gzip": 1, "shuffle": 2, "blosc": 32001, "lz4": 32004, "bitshuffle": 32008,
             "zstd": 32015, "bz2": 307, "zfp": 32013}
_NOT_COMPRESSION = {"shuffle", "delta", "fixedscaleoffset", "quantize", "bitround", "transpose", "crc32c"}


def _missing_extra() -> ImportError:
    return ImportError("reading Zarr stores needs the zarr package: pip install 'h5lens[remote]'")


def _zarr() -> Any:
    try:
        import zarr
    except ImportError:
        raise _missing_extra() from None
    return zarr


def is_zarr_object(obj: Any) -> bool:
    """Whether ``obj`` is a ``zarr.Group`` or ``zarr.Array`` (checked without importing zarr)."""
    return type(obj).__module__.split(".")[0] == "zarr" and hasattr(obj, "attrs")


def is_zarr_folder(path: str) -> bool:
    """A folder holding a Zarr marker file at its top."""
    return any(os.path.isfile(os.path.join(path, m)) for m in MARKERS)


def is_zarr_zip(path: str) -> bool:
    """A zip file whose root holds a Zarr marker file."""
    import zipfile

    try:
        if not zipfile.is_zipfile(path):
            return False
        with zipfile.ZipFile(path) as archive:
            return any(name in MARKERS for name in archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


class _ZarrAttrs:
    """Attribute hooks shared by Zarr groups and arrays (JSON values, lists as arrays)."""

    _z: Any

    def _attr_names(self) -> list[str]:
        return [k for k in self._z.attrs.keys() if k != LINKS_ATTR]

    def _attr_get(self, name: str) -> Any:
        return _attr_value(self._z.attrs[name])


def _attr_value(value: Any) -> Any:
    """A JSON attribute as h5py would give it: lists become arrays, the rest stays."""
    if isinstance(value, list) and value and all(isinstance(v, (int, float, str, bool)) for v in value):
        return decode_value(np.asarray(value))
    return value


def _reopened(zobj: Any) -> Any:
    """The same group or array read again from its store (zarr caches the metadata it opened)."""
    zarr = _zarr()
    if hasattr(zobj, "shape"):
        return zarr.open_array(store=zobj.store, path=zobj.path, mode="r")
    return zarr.open_group(store=zobj.store, path=zobj.path, mode="r")


def _child(obj: Any, name: str, path: str, parent: Node | None, owner: Owner | None = None) -> Node:
    if hasattr(obj, "shape") and hasattr(obj, "dtype"):
        return ZarrDataset(name, path, parent, obj, owner=owner)
    return ZarrGroup(name, path, parent, obj, owner=owner)


class ZarrGroup(_ZarrAttrs, Group):
    """A Zarr group: members listed once (one store listing), each opened when asked for."""

    def __init__(self, name: str, path: str, parent: Node | None, zobj: Any, *, owner: Owner | None = None):
        super().__init__(name, path, parent, owner=owner)
        self._z = zobj

    def _iter_names(self) -> Iterator[str]:
        if self.closed:
            raise NodeError(f"cannot list {self.path!r}: its store is closed")
        yield from sorted([*_member_names(self._z), *self._links()])

    def _links(self) -> dict[str, str]:
        links = self._z.attrs.get(LINKS_ATTR)
        return {str(k): str(v) for k, v in links.items()} if isinstance(links, dict) else {}

    def _refresh(self) -> bool:
        try:
            self._z = _reopened(self._z)  # consolidated metadata lists members as they were
        except Exception as exc:
            raise NodeError(f"{self.filename or 'the store'}: cannot read {self.path!r} again ({exc})") from exc
        return super()._refresh()

    def _make_child(self, name: str) -> Node:
        path = self._child_path(name)
        target = self._links().get(name)
        if target is not None:
            from .memory import MemoryLink  # resolves a soft link by path from the tree's root

            return MemoryLink(name, path, self, "soft", target)
        try:
            obj = self._z[name]
        except Exception as exc:  # corrupt or unreadable member metadata: a broken node, not a failure
            return ZarrBroken(name, path, self, _metadata_error(self, name, exc))
        return _child(obj, name, path, self)


def _member_names(group: Any) -> list[str]:
    """Member names from one store listing, without reading each member's metadata.

    ``zarr.Group.keys()`` opens every member (a request each on a remote store);
    consolidated metadata, when present, already holds them all.
    """
    if getattr(group.metadata, "consolidated_metadata", None) is not None:
        return list(group.keys())
    from zarr.core.sync import sync

    async def listing() -> list[str]:
        return [name async for name in group.store.list_dir(group.path)]

    return [n for n in sync(listing()) if not n.startswith(".") and n != "zarr.json"]


def _metadata_error(group: Node, name: str, exc: Exception) -> str:
    where = group.filename or "the store"
    return f"{where}: cannot read the metadata of {group._child_path(name)!r} ({type(exc).__name__}: {exc})"


class ZarrBroken(Link):
    """A member whose metadata cannot be read: listed like HDF5's unopenable objects."""

    def __init__(self, name: str, path: str, parent: Node, error: str):
        super().__init__(name, path, parent, "hard", path)
        self._preset = error

    def _resolve(self) -> Node:
        raise LinkError(self._preset)


class ZarrDataset(_ZarrAttrs, Dataset):
    """A Zarr array: metadata from its ``zarr.json``/``.zarray``, reads of the selection only."""

    def __init__(self, name: str, path: str, parent: Node | None, zobj: Any, *, owner: Owner | None = None):
        super().__init__(name, path, parent, owner=owner)
        self._z = zobj

    def _refresh(self) -> bool:
        old = (self._z.shape, dict(self._z.attrs))
        try:
            self._z = _reopened(self._z)
        except Exception as exc:
            raise NodeError(f"{self.filename or 'the store'}: cannot read {self.path!r} again ({exc})") from exc
        return (self._z.shape, dict(self._z.attrs)) != old

    @property
    def shape(self) -> tuple[int, ...]:
        """Array shape."""
        return tuple(int(n) for n in self._z.shape)

    @property
    def dtype(self) -> np.dtype[Any]:
        """Element type (variable-length strings as ``object``, as h5py gives them)."""
        dt = np.dtype(self._z.dtype)
        # numpy's variable-width StringDType has no h5py/wire equivalent: strings read as objects
        return np.dtype(object) if dt.kind == "T" else dt

    @property
    def chunks(self) -> tuple[int, ...] | None:
        """Chunk shape (the inner chunks of a sharded array)."""
        return tuple(int(n) for n in self._z.chunks) if self.shape else None

    @property
    def layout(self) -> str:
        """Always ``"chunked"``."""
        return "chunked"

    @property
    def fillvalue(self) -> Any:
        """What unwritten chunks read as."""
        value = self._z.fill_value
        return value.item() if isinstance(value, np.generic) else value

    @property
    def zarr_format(self) -> int:
        """2 or 3."""
        return int(self._z.metadata.zarr_format)

    @property
    def filters(self) -> list[Filter]:
        """Filters then compressors, as :class:`Filter` entries."""
        return [_codec_filter(c) for c in [*self._z.filters, *self._z.compressors]]

    @property
    def compression(self) -> str | None:
        """Name of the compressor, or None."""
        found = next((f for f in self.filters if f.name not in _NOT_COMPRESSION), None)
        return None if found is None else found.name

    @property
    def compression_opts(self) -> Any:
        """The gzip level, else None."""
        found = next((f for f in self.filters if f.name not in _NOT_COMPRESSION), None)
        return found.options[0] if found is not None and found.id == 1 and found.options else None

    @property
    def storage_problem(self) -> str | None:
        """``"3 of 8 chunks not stored (read as the fill value 0)"``, else None."""
        if "_problem" not in self.__dict__:
            self._problem: str | None = None
            try:
                total, stored = int(self._z.nchunks), int(self._z.nchunks_initialized)
            except Exception:  # a store that cannot list (plain HTTP): nothing to say
                total = stored = 0
            if stored < total:
                self._problem = (f"{total - stored} of {total} chunk{'s' if total != 1 else ''} not stored "
                                 f"(read as the fill value {self.fillvalue!r})")
        return self._problem

    def _read(self, selection: Any) -> Any:
        if self.closed:
            raise NodeError(f"cannot read {self.path!r}: its store is closed")
        try:
            data = self._z[selection]
        except (IndexError, TypeError, ValueError):
            raise
        except Exception as exc:
            where = self.filename or "the store"
            raise NodeError(f"{where}: cannot read {self.path!r} ({type(exc).__name__}: {exc})") from exc
        if isinstance(data, np.ndarray) and data.dtype.kind == "T":
            return data.astype(object)
        return data


def _codec_filter(codec: Any) -> Filter:
    """One codec (zarr v3 codec or numcodecs codec) as a :class:`Filter`."""
    if hasattr(codec, "to_dict"):
        desc = codec.to_dict()
        name, config = str(desc.get("name", type(codec).__name__)), dict(desc.get("configuration") or {})
    else:
        config = dict(codec.get_config())
        name = str(config.pop("id", type(codec).__name__))
    name = name.rsplit(".", 1)[-1].lower()
    name = {"zlib": "zlib", "gzip": "gzip", "bz2": "bzip2"}.get(name, name)
    fid = _HDF5_IDS.get(name, 0)
    if name == "gzip":
        options: tuple = (int(config.get("level", 0)),)
    else:
        options = tuple(f"{k}={json.dumps(v) if isinstance(v, (dict, list)) else v}" for k, v in config.items())
    return Filter(fid, name, options, True)


def open_zarr(source: Any, *, storage_options: dict | None = None) -> Node:
    """Open a Zarr store read-only (v3 or v2), or wrap an open zarr Group/Array.

    Parameters
    ----------
    source : str, os.PathLike, zarr.Group or zarr.Array
        A folder, a ``.zip`` file, or a URL (``s3://...``, ``https://...``)
        read through fsspec with ``storage_options``.
    storage_options : dict, optional
        Passed to fsspec for a URL (credentials, endpoint, timeouts).

    Returns
    -------
    Node
        The root group (or dataset, for a store holding one array).
    """
    zarr = _zarr()
    if is_zarr_object(source):
        name = str(getattr(source, "path", "") or "")
        path = "/" + name.strip("/")
        return _child(source, path.rsplit("/", 1)[-1], path, None, owner=Owner(str(source.store)))
    location = os.fspath(source)
    store = _store(zarr, location, storage_options)
    try:
        obj = zarr.open(store=store, mode="r")
    except FileNotFoundError:
        store.close()
        if os.path.isdir(location) and is_zarr_folder(location):
            raise NodeError(f"{location}: not a readable Zarr store (its metadata names no group or array)") \
                from None
        raise FileNotFoundError(f"{_shown(location)}: no Zarr store there (no zarr.json, .zgroup or .zarray)") \
            from None
    except Exception as exc:
        store.close()
        raise NodeError(f"{_shown(location)}: not a readable Zarr store ({type(exc).__name__}: {exc})") from None
    return _child(obj, "", "/", None, owner=Owner(_shown(location), owns_handle=True, closers=[store.close]))


def _shown(location: str) -> str:
    """The location without any ``user:password@`` part (never shown)."""
    from ._urls import redact

    return redact(location)


def _store(zarr: Any, location: str, storage_options: dict | None) -> Any:
    from zarr.storage import FsspecStore, LocalStore, ZipStore

    if "://" in location and not location.startswith("file://"):
        from ._urls import fsspec_target

        bare, options = fsspec_target(location, storage_options)  # no password in the URLs fsspec logs
        return FsspecStore.from_url(bare, storage_options=options, read_only=True)
    if os.path.isfile(location):
        return ZipStore(location, mode="r")
    return LocalStore(location, read_only=True)
