"""In-memory backend: numpy arrays and nested dicts as a node tree.

The constructors are public so that a tree builder can assemble a tree node
by node (``MemoryGroup.create_group`` / ``create_dataset`` / ``create_link``
mirror h5py). :func:`from_object` turns an array or a nested dict into a tree.

A dataset may be declared without data (shape, dtype, fill value): it reads
as its fill value, allocating only the selection asked for.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from ._base import Attrs, Dataset, Filter, Group, Link, LinkError, Node, Owner
from ._format import FILTER_NAMES, decode_value

_COMPRESSION_IDS = {"gzip": 1, "lzf": 32000, "szip": 4}
_MAX_HOPS = 32  # soft links to soft links: stop cycles


class _MemoryAttrs:
    """Attribute storage shared by memory nodes (values decoded on read)."""

    _attrs: Attrs | None

    def _init_attrs(self, attrs: dict | None) -> None:
        self._attr_store: dict[str, Any] = dict(attrs or {})

    def _attr_names(self) -> list[str]:
        return list(self._attr_store)

    def _attr_get(self, name: str) -> Any:
        return decode_value(self._attr_store[name])

    def set_attr(self, name: str, value: Any) -> None:
        """Set (or replace) attribute ``name``."""
        self._attr_store[name] = value
        self._attrs = None  # the lazy Attrs cache must see the new value


def relocate(node: Node, parent: Node | None, name: str, path: str) -> Node:
    """A shallow copy of ``node`` seen at another place (link target, embedded tree).

    Data and member tables are shared; caches are fresh so children get paths
    below ``path``.
    """
    clone = copy.copy(node)
    clone.name, clone.path, clone.parent = name, path, parent
    clone._attrs = None
    clone._owner = None  # only a real root owns the file; the clone reaches its new root's
    if isinstance(clone, Group):
        clone._names, clone._cache = None, {}
    if isinstance(clone, Link):
        clone._resolved, clone._error = None, None
    return clone


class MemoryGroup(_MemoryAttrs, Group):
    """A group whose members live in a dict.

    Parameters
    ----------
    name, path, parent
        See :class:`~h5lens.nodes.Node`.
    members : dict, optional
        name → :class:`Node`, numpy array, scalar or nested dict (converted).
    attrs : dict, optional
        Attribute values.
    owner : Owner, optional
        For a root: its :class:`~h5lens.nodes.Owner` (the opener of external links).
    """

    def __init__(self, name: str, path: str, parent: Node | None = None,
                 members: dict | None = None, attrs: dict | None = None, *, owner: Owner | None = None):
        super().__init__(name, path, parent, owner=owner)
        self._init_attrs(attrs)
        self._members: dict[str, Node] = {}
        self._source_id = id(members)  # the dict this group is built from: a dict inside itself is a cycle
        for key, value in (members or {}).items():
            self.add(key, value)

    # -- building --------------------------------------------------------
    def add(self, name: str, value: Any) -> Node:
        """Add member ``name``: a Node (placed here) or a value converted like :func:`from_object`.

        Keys ``"@attr"`` set an attribute of this group and ``"member@attr"``
        one of a member (the silx ``dicttonx`` convention).
        """
        if not isinstance(name, str):
            raise TypeError(f"member names are str, not {type(name).__name__} ({name!r})")
        if name.startswith("@"):
            self.set_attr(name[1:], value)
            return self
        if "@" in name and name.split("@", 1)[0] in self._members:
            member, attr = name.split("@", 1)
            target = self._members[member]
            if not isinstance(target, _MemoryAttrs):
                raise TypeError(f"{target.path!r} is not an in-memory node: its attributes cannot be set")
            target.set_attr(attr, value)
            return target
        if not name or "/" in name or name in (".", ".."):
            raise ValueError(f"invalid member name {name!r} (no '/', not empty)")
        path = self._child_path(name)
        if isinstance(value, Node):
            node = value if (value.parent is self and value.name == name) else relocate(value, self, name, path)
        elif isinstance(value, dict):
            ancestor: Node | None = self
            while ancestor is not None:  # converting a dict that contains itself would never end
                if getattr(ancestor, "_source_id", None) == id(value):
                    raise ValueError(f"the dict given for {path!r} is the one of {ancestor.path!r}, which "
                                     "contains it: a cycle cannot be shown as a tree")
                ancestor = ancestor.parent
            node = MemoryGroup(name, path, self, members=value)
        else:
            node = MemoryDataset(name, path, self, value)
        self._members[name] = node
        self._names = None  # listing cache is stale
        self._cache.pop(name, None)
        return node

    def create_group(self, name: str, attrs: dict | None = None) -> MemoryGroup:
        """New empty member group (like ``h5py.Group.create_group``)."""
        group = MemoryGroup(name, self._child_path(name), self, attrs=attrs)
        self.add(name, group)  # placed as it is: its parent and name are already these
        return group

    def create_dataset(self, name: str, data: Any = None, **kwargs: Any) -> MemoryDataset:
        """New member dataset; keywords as :class:`MemoryDataset`."""
        dataset = MemoryDataset(name, self._child_path(name), self, data, **kwargs)
        self.add(name, dataset)
        return dataset

    def create_link(self, name: str, target: str, target_file: str | None = None) -> MemoryLink:
        """New soft link (or external link when ``target_file`` is given)."""
        kind = "external" if target_file is not None else "soft"
        link = MemoryLink(name, self._child_path(name), self, kind, target, target_file)
        self.add(name, link)
        return link

    # -- Group hooks -----------------------------------------------------
    def _iter_names(self) -> Iterator[str]:
        return iter(list(self._members))

    def _count(self) -> int:
        return len(self._members)

    def _cheap_len(self) -> int | None:
        return len(self._members)

    def _has(self, name: str) -> bool:
        return name in self._members

    def _make_child(self, name: str) -> Node:
        node = self._members[name]
        if node.parent is self and node.name == name:
            return node
        # seen through a link or a relocated copy: present it under our path
        return relocate(node, self, name, self._child_path(name))


class MemoryDataset(_MemoryAttrs, Dataset):
    """An array in memory, or a declared dataset that reads as its fill value.

    Parameters
    ----------
    data : array_like, optional
        The values. Without data, ``shape`` and ``dtype`` declare the dataset
        (``shape=None`` and no data: a null dataspace, like ``h5py.Empty``).
    shape, dtype, chunks, compression, compression_opts, maxshape, fillvalue
        As in ``h5py.Group.create_dataset`` (kept as metadata).
    attrs : dict, optional
        Attribute values.
    owner : Owner, optional
        For a root: its :class:`~h5lens.nodes.Owner`.
    """

    def __init__(self, name: str, path: str, parent: Node | None = None, data: Any = None, *,
                 shape: Any = None, dtype: Any = None, chunks: Any = None, compression: str | int | None = None,
                 compression_opts: Any = None, maxshape: Any = None, fillvalue: Any = None,
                 attrs: dict[str, Any] | None = None, owner: Owner | None = None):
        super().__init__(name, path, parent, owner=owner)
        self._init_attrs(attrs)
        if type(data).__name__ == "Empty":  # h5py.Empty: a null dataspace of that dtype
            data, shape, dtype = None, None, data.dtype
        if data is not None:
            data = np.asarray(data, dtype=dtype)
            if shape is not None and tuple(shape) != data.shape:
                data = data.reshape(shape)
            shape, dtype = data.shape, data.dtype
        self._data = data
        if shape is not None:
            shape = tuple(int(n) for n in (shape if isinstance(shape, (tuple, list)) else (shape,)))
        self._shape: tuple[int, ...] | None = shape
        self._dtype: np.dtype[Any] = np.dtype(dtype if dtype is not None else "float64")
        self._chunks = tuple(chunks) if chunks not in (None, True, False) else None
        self._compression = compression
        self._compression_opts = compression_opts
        self._maxshape = tuple(maxshape) if maxshape is not None else self.shape
        self._fillvalue = fillvalue

    @property
    def shape(self) -> tuple[int, ...] | None:
        """The dimensions (None: a null dataspace)."""
        return self._shape

    @property
    def dtype(self) -> np.dtype[Any]:
        """The element type."""
        return self._dtype

    @property
    def chunks(self) -> tuple[int, ...] | None:
        """The chunk shape, or None when not chunked."""
        return self._chunks

    @property
    def compression(self) -> str | None:
        """The filter's name, as HDF5 datasets give it (``"gzip"``, ``"bitshuffle"`` for id 32008)."""
        return self.filters[0].name if self._compression is not None else None

    @property
    def compression_opts(self) -> Any:
        """The compression settings as given (gzip's level...)."""
        return self._compression_opts

    @property
    def maxshape(self) -> tuple[int | None, ...] | None:
        """The declared maximum shape (the shape when none was given)."""
        return self._maxshape

    @property
    def layout(self) -> str:
        """``chunked`` when chunks were declared, else ``memory``."""
        return "chunked" if self._chunks else "memory"

    @property
    def filters(self) -> list[Filter]:
        """The declared compression as a one-filter pipeline (empty without one)."""
        if self._compression is None:
            return []
        fid = self._compression if isinstance(self._compression, int) else _COMPRESSION_IDS.get(self._compression, -1)
        opts = () if self._compression_opts is None else tuple(np.atleast_1d(self._compression_opts).tolist())
        return [Filter(fid, FILTER_NAMES.get(fid, str(self._compression)), opts, True)]

    @property
    def fillvalue(self) -> Any:
        """The declared fill value, else zero of the dtype (None for objects)."""
        if self._fillvalue is not None:
            return self._fillvalue
        return None if self.dtype.kind == "O" else np.zeros((), self.dtype)[()]

    def _read(self, selection: Any) -> Any:
        if self.shape is None:
            import h5py  # the null dataspace reads as h5py does

            return h5py.Empty(self.dtype)
        if self._data is None:
            # broadcast view of one value: indexing allocates only the selection
            fill = self.fillvalue if self.dtype.kind != "O" else None
            source = np.broadcast_to(np.array(fill, dtype=self.dtype), self.shape)
        else:
            source = self._data
        out = source[selection]
        return out.copy() if isinstance(out, np.ndarray) else out


class MemoryLink(Link):
    """A soft link inside the tree, or an external link opened by the tree's opener.

    The opener is :func:`h5lens.open` for trees it made (see :class:`~h5lens.nodes.Owner`).
    """

    def _attr_names(self) -> list[str]:
        return []

    def _resolve(self) -> Node:
        if self.link_type == "external":
            target = self._open_external()
        else:
            start: Any = self.parent if self.parent is not None else self  # a group: it indexes by path
            try:
                target = start[self.target]  # absolute targets start from the root
            except KeyError as exc:
                raise LinkError(exc.args[0] if exc.args else self.target) from None
        hops = 0
        while isinstance(target, Link):
            hops += 1
            if hops > _MAX_HOPS or target.path == self.path:
                raise LinkError(f"too many levels of links from {self.path!r}")
            target._follow()
            if target._resolved is None:
                raise LinkError(target._error or f"broken link {target.path!r}")
            target = target._resolved
        return relocate(target, self.parent, self.name, self.path)

    def _open_external(self) -> Node:
        filename = self.target_file or ""
        base = self.filename
        if not os.path.isabs(filename) and base:
            candidate = os.path.join(os.path.dirname(os.path.abspath(base)), filename)
            filename = candidate if os.path.exists(candidate) else filename
        tree = self.owner.open_external(filename)  # closing this tree closes it too
        return tree[self.target] if isinstance(tree, Group) else tree


def from_object(obj: Any, owner: Owner | None = None) -> Node:
    """A numpy array (or scalar) → a root Dataset; a nested dict → a root Group.

    ``owner`` (with the opener of external links) is given to the new root; a
    :class:`Node` is returned as it is.
    """
    if isinstance(obj, Node):
        return obj
    if isinstance(obj, dict):
        return MemoryGroup("", "/", None, members=obj, owner=owner)
    return MemoryDataset("", "/", None, obj, owner=owner)
