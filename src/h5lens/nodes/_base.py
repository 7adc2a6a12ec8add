"""The node contract shared by every format backend.

A tree is made of lazy handles. Constructors never do I/O; a group lists its
member names on demand (and caches them), a dataset reads only the selection
asked for, and a link is listed without being followed. Backends subclass
:class:`Group`, :class:`Dataset` and :class:`Link` and fill in the small set of
``_``-prefixed hooks; everything a consumer calls lives here so that all
formats behave the same.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from ._errors import LinkError, NodeError
from ._owner import Owner
from ._repr import node_repr

__all__ = ["DATASET", "GROUP", "LINK", "Attrs", "Dataset", "Filter", "Group", "Link", "LinkError", "Node",
           "NodeError", "Owner", "describe_link_error"]

GROUP = "group"
DATASET = "dataset"
LINK = "link"


class Filter(NamedTuple):
    """One filter of a dataset's pipeline."""

    id: int
    name: str
    options: tuple
    available: bool


class Attrs(Mapping):
    """Read-only, lazy mapping of a node's attributes.

    Names are listed on first use; each value is read (and decoded, see
    :func:`h5lens.nodes._format.decode_value`) on first access and cached.
    """

    def __init__(self, node: "Node"):
        self._node = node
        self._names: list[str] | None = None
        self._values: dict[str, Any] = {}

    def _keys(self) -> list[str]:
        if self._names is None:
            self._names = list(self._node._attr_names())
        return self._names

    def __getitem__(self, name: str) -> Any:
        if name not in self._values:
            if name not in self._keys():
                raise KeyError(name)
            self._values[name] = self._node._attr_get(name)
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())

    def __repr__(self) -> str:
        if self._node.closed:
            return f"<Attrs of {self._node.path!r} (closed)>"
        return f"<Attrs of {self._node.path!r}: {len(self)} names>"


class Node:
    """Base of every node: identity, attributes, tree navigation, closing.

    Parameters
    ----------
    name : str
        Last path component ("" for a root).
    path : str
        Absolute path inside its file ("/" for a root).
    parent : Node or None
        Containing group (None for a root).
    owner : Owner, optional
        For a root: the file behind the tree (see :mod:`._owner`). A root built
        without one gets an empty owner (nothing to close, no opener). Ignored
        below the root: every node reaches the root's owner.
    """

    kind: str = ""

    def __init__(self, name: str, path: str, parent: "Node | None" = None, *, owner: Owner | None = None):
        self.name = name
        self.path = path
        self.parent = parent
        self._owner = owner
        self._attrs: Attrs | None = None

    # -- identity ------------------------------------------------------
    @property
    def root(self) -> "Node":
        node = self
        while node.parent is not None:
            node = node.parent
        return node

    @property
    def file(self) -> "Node":
        """The root node of this node's tree (alias of :attr:`root`)."""
        return self.root

    @property
    def owner(self) -> Owner:
        """The :class:`Owner` of the file behind this node's tree (held by the root)."""
        root = self.root
        if root._owner is None:
            root._owner = Owner()
        return root._owner

    @property
    def filename(self) -> str | None:
        """The file this tree was opened from (None for an in-memory tree)."""
        return self.owner.filename

    @property
    def attrs(self) -> Attrs:
        if self._attrs is None:
            self._attrs = Attrs(self)
        return self._attrs

    @property
    def nx_class(self) -> str | None:
        """The NeXus class (``NX_class`` attribute, bytes or str), or None."""
        try:
            value = self.attrs.get("NX_class")
        except Exception:  # unreadable attribute: no class rather than a failure
            return None
        if value is None:
            return None
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, np.ndarray):
            value = value.ravel()[0] if value.size else ""
            if isinstance(value, bytes):
                value = value.decode("utf-8", "replace")
        return str(value)

    @property
    def description(self) -> str | None:
        """One line that says what this node is beyond its name (a SPEC scan's command), or None.

        Backends that know one set it; listings, the glance, the tree and the
        inspector show it beside the name. Never reads data.
        """
        return None

    @property
    def details(self) -> list[tuple[str, Any]]:
        """Extra ``(label, value)`` facts for the inspector (a scan's date, count time...); may read headers.

        A value is text, a number, or a list of ``(name, value)`` pairs shown as a table.
        """
        return []

    def deref(self) -> "Node":
        """The node itself, or the target of a link (raising :class:`LinkError`)."""
        return self

    @property
    def object_id(self) -> Any:
        """A hashable identity of the stored object (HDF5: file and object address), or None.

        Two nodes with the same id are one object reached by two hard links;
        a group whose id is an ancestor's closes a cycle.
        """
        return None

    @property
    def cycle_of(self) -> str | None:
        """The path of the ancestor this group is (a hard-link cycle back to it), or None."""
        own = self.object_id
        if own is None:
            return None
        node = self.parent
        while node is not None:
            if node.object_id == own:
                return node.path
            node = node.parent
        return None

    # -- backend hooks -------------------------------------------------
    def _attr_names(self) -> list[str]:
        return []

    def _attr_get(self, name: str) -> Any:  # pragma: no cover - backends override
        raise KeyError(name)

    # -- lifetime ------------------------------------------------------
    def close(self) -> None:
        """Close the file(s) behind this node's tree; the tree is unusable after."""
        self.owner.close()

    @property
    def closed(self) -> bool:
        """Whether the tree was closed (by this node or any other of the tree)."""
        return self.owner.closed

    def _check_open(self, action: str) -> None:
        """Raise one clear :class:`NodeError` when the tree is closed (``action``: "read", "list"...)."""
        owner = self.owner
        if owner.closed:
            what = f"its file {owner.filename!r}" if owner.filename else "its tree"
            raise NodeError(f"cannot {action} {self.path!r}: {what} is closed")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:  # never reads data, never raises (see ._repr)
        return node_repr(self)

    def _child_path(self, name: str) -> str:
        return posixpath.join(self.path, name) if self.path else "/" + name


class Group(Node):
    """A node with named members: a file, an HDF5 group, a SPEC scan...

    Backends implement :meth:`_iter_names`, :meth:`_count` and
    :meth:`_make_child`. Member nodes are created on demand and cached.
    """

    kind = GROUP

    def __init__(self, name: str, path: str, parent: Node | None = None, *, owner: Owner | None = None):
        super().__init__(name, path, parent, owner=owner)
        self._names: list[str] | None = None
        self._cache: dict[str, Node] = {}

    # -- backend hooks -------------------------------------------------
    def _iter_names(self) -> Iterator[str]:  # pragma: no cover
        raise NotImplementedError

    def _count(self) -> int:
        return len(self.keys())

    def _make_child(self, name: str) -> Node:  # pragma: no cover
        """Build the member node. Must not raise for broken links."""
        raise NotImplementedError

    def _has(self, name: str) -> bool:
        return name in self.keys()

    def _cheap_len(self) -> int | None:
        """The member count if it costs no listing (for reprs), else None."""
        return None if self._names is None else len(self._names)

    # -- listing -------------------------------------------------------
    def keys(self) -> list[str]:
        """All member names, in the file's order (cached)."""
        self._check_open("list")
        if self._names is None:
            self._names = list(self._iter_names())
        return list(self._names)

    def __len__(self) -> int:
        self._check_open("count the members of")
        if self._names is not None:
            return len(self._names)
        return self._count()

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __contains__(self, name: object) -> bool:
        # a broken link is a member too: listed, not followed
        return isinstance(name, str) and self.get(name, getlink=True) is not None

    def page(self, start: int = 0, stop: int | None = None) -> list[Node]:
        """Members ``start:stop`` as nodes, listing no further than ``stop``.

        A group of 100 000 members gives its first page without the rest
        being listed: names are pulled lazily from :meth:`_iter_names`.
        """
        self._check_open("list")
        if self._names is not None:
            names = self._names[start:stop]
        else:
            names = []
            for i, name in enumerate(self._iter_names()):
                if stop is not None and i >= stop:
                    break
                if i >= start:
                    names.append(name)
        return [self.child(n) for n in names]

    def child(self, name: str) -> Node:
        """The direct member ``name`` (cached); KeyError if absent."""
        self._check_open("open a member of")
        node = self._cache.get(name)
        if node is None:
            if not self._has(name):
                raise KeyError(f"no member {name!r} in {self.path!r}")
            node = self._cache[name] = self._make_child(name)
        return node

    @property
    def children(self) -> dict[str, Node]:
        """Every member as a node, keyed by name (lists the whole group)."""
        return {name: self.child(name) for name in self.keys()}

    def values(self) -> list[Node]:
        return list(self.children.values())

    def items(self) -> list[tuple[str, Node]]:
        return list(self.children.items())

    # -- path access ---------------------------------------------------
    def __getitem__(self, path: str) -> Node:
        """The node at ``path`` (relative, or absolute from the root).

        Links are walked through on the way but the last component is returned
        as it is listed: a link stays a :class:`Link` (use :meth:`Node.deref`,
        or index it directly, which indexes its target).
        """
        if not isinstance(path, str):
            raise TypeError(f"group members are addressed by path string, not {path!r}")
        node: Node = self.root if path.startswith("/") else self
        for part in [p for p in path.split("/") if p and p != "."]:
            if part == "..":
                node = node.parent or node
                continue
            target = node.deref()
            if not isinstance(target, Group):
                raise KeyError(f"{node.path!r} is a {target.kind}, it has no member {part!r}")
            node = target.child(part)
        return node

    def get(self, path: str, default: Any = None, *, getlink: bool = False) -> Any:
        """The node at ``path``, or ``default`` when there is none (h5py's ``get``).

        A link is followed to its target (``default`` when it is broken), unless
        ``getlink=True``: then it is returned as listed, a :class:`Link` node that
        says where it points and whether it is broken, without being followed.
        """
        try:
            node = self[path]
            return node if getlink else node.deref()
        except (KeyError, NodeError):
            return default

    def walk(self, max_depth: int | None = None) -> Iterator[Node]:
        """Yield every node below this group, depth first (links not followed).

        Each stored object is entered once: a group reached again by another
        hard link (a second name, or a cycle back to an ancestor) is yielded
        but not entered, as ``h5ls -r`` does; see :attr:`Node.object_id`.
        """
        seen = {self.object_id} - {None}
        stack: list[tuple[Node, int]] = [(n, 1) for n in reversed(self.page())]
        while stack:
            node, depth = stack.pop()
            yield node
            if isinstance(node, Group) and (max_depth is None or depth < max_depth):
                key = node.object_id
                if key is not None:
                    if key in seen:
                        continue
                    seen.add(key)
                stack.extend((c, depth + 1) for c in reversed(node.page()))


class Dataset(Node):
    """An n-dimensional array node; reads only the selection asked for.

    Backends set/compute the metadata properties and implement :meth:`_read`.
    Defaults describe an in-memory, contiguous, unfiltered array.
    """

    kind = DATASET

    # metadata every backend provides (override as properties)
    shape: tuple | None = ()  # None for an HDF5 null dataspace (h5py.Empty)
    dtype: np.dtype = np.dtype("float64")

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
        return self.shape[0]

    def __array__(self, dtype=None, copy=None):
        data = np.asarray(self.read())
        return data.astype(dtype) if dtype is not None else data


class Link(Node):
    """A soft or external link, listed without being followed.

    Attributes
    ----------
    link_type : str
        ``"soft"`` or ``"external"``.
    target : str
        Path the link points to (inside ``target_file`` for external links).
    target_file : str or None
        File name of an external link, as stored.
    """

    kind = LINK

    def __init__(self, name, path, parent, link_type, target, target_file=None):
        super().__init__(name, path, parent)
        self.link_type = link_type
        self.target = target
        self.target_file = target_file
        self._resolved: Node | None = None
        self._error: str | None = None

    def _resolve(self) -> Node:  # pragma: no cover - backends override
        """Follow the link; return the target node (path = the link's path)."""
        raise LinkError(f"cannot follow link {self.path!r}")

    def _follow(self) -> None:
        if self._resolved is None and self._error is None:
            try:
                self._resolved = self._resolve()
            except Exception as exc:  # a broken link is data, not a failure
                self._error = describe_link_error(self, exc)

    @property
    def resolved(self) -> bool:
        """Whether the target exists (follows the link once, cached)."""
        self._follow()
        return self._resolved is not None

    @property
    def error(self) -> str | None:
        """Why the link is broken, or None."""
        self._follow()
        return self._error

    @property
    def target_node(self) -> Node | None:
        self._follow()
        return self._resolved

    def deref(self) -> Node:
        self._follow()
        if self._resolved is None:
            raise LinkError(self._error or f"broken link {self.path!r}")
        return self._resolved.deref()

    def __getitem__(self, selection: Any) -> Any:
        """Index the target (a selection of a dataset, a path in a group)."""
        return self.deref()[selection]

    @property
    def target_label(self) -> str:
        """``file::/path`` for external links, ``/path`` for soft ones."""
        if self.link_type == "external":
            return f"{self.target_file}::{self.target}"
        return self.target


def describe_link_error(link: Link, exc: BaseException) -> str:
    """One readable sentence for a broken link."""
    what = f"{link.link_type} link {link.path!r} → {link.target_label}"
    detail = str(exc) or type(exc).__name__
    if "too many links" in detail:  # HDF5 stops after 16 soft links: a loop, or a long chain that ends
        loop = _soft_loop(link)
        if loop is not None:
            return f"broken {what}: a link loop (the links lead back to {loop!r})"
        return f"{what}: link chain too long (HDF5 follows at most 16 links in a row)"
    return f"broken {what}: {detail}"


def _soft_loop(link: Link, limit: int = 1000) -> str | None:
    """The path where a chain of soft links starting at ``link`` comes back, or None."""
    seen, node = {link.path}, link
    for _ in range(limit):
        try:
            nxt = node.root[node.target] if node.target.startswith("/") else node.parent[node.target]
        except Exception:  # the chain ends on something unreachable: not a loop
            return None
        if not isinstance(nxt, Link) or nxt.link_type != "soft":
            return None
        if nxt.path in seen:
            return nxt.path
        seen.add(nxt.path)
        node = nxt
    return None
