"""What every node has: identity, attributes, navigation up, the owner, closing.

:class:`Node` is the base of :class:`~._group.Group`, :class:`~._dataset.Dataset`
and :class:`~._link.Link`; :mod:`._base` gathers the whole contract.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ._errors import NodeError
from ._owner import Owner
from ._repr import node_repr

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self from Python 3.11 on

__all__ = ["DATASET", "GROUP", "LINK", "Attrs", "Filter", "Node"]

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

    def __init__(self, node: Node):
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

    def refresh(self) -> bool:
        """Re-list the names and re-read the values read so far; whether any changed."""
        if self._names is None:
            return False
        names = list(self._node._attr_names())
        changed = names != self._names
        self._names = names
        for name in list(self._values):
            value = self._node._attr_get(name) if name in names else None
            if name not in names:
                del self._values[name]
            elif not _same(value, self._values[name]):
                self._values[name], changed = value, True
        return changed

    def __repr__(self) -> str:
        if self._node.closed:
            return f"<Attrs of {self._node.path!r} (closed)>"
        return f"<Attrs of {self._node.path!r}: {len(self)} names>"


def _same(a: Any, b: Any) -> bool:
    """Whether two decoded attribute values are equal (arrays element-wise, NaN equal to NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and a.dtype == b.dtype and bool(
            np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    try:
        return bool(a == b)
    except Exception:  # values that refuse comparison: count them as changed
        return False


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
    #: the owner's generation at this node's last refresh (None: never refreshed)
    _seen: int | None = None

    def __init__(self, name: str, path: str, parent: Node | None = None, *, owner: Owner | None = None):
        self.name = name
        self.path = path
        self.parent = parent
        self._owner = owner
        self._attrs: Attrs | None = None
        if parent is not None:  # made from the file as last polled: nothing to refresh until it changes
            self._seen = parent.owner.generation

    # -- identity ------------------------------------------------------
    @property
    def root(self) -> Node:
        node = self
        while node.parent is not None:
            node = node.parent
        return node

    @property
    def file(self) -> Node:
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

    def deref(self) -> Node:
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
    def link_count(self) -> int | None:
        """How many hard links lead to this object (HDF5), or None when the backend does not say."""
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

    # -- following a file that grows ------------------------------------
    def refresh(self) -> bool:
        """Re-read what a writer may have changed: a dataset's shape, a group's members, attributes.

        Cheap when nothing changed: one ``stat`` of the file (see
        :meth:`Owner.poll <h5lens.nodes.Owner.poll>`). A group refreshes the
        members it already opened; a link refreshes its target, or tries again
        when it was broken.

        Returns
        -------
        bool
            Whether anything this node shows changed.

        Raises
        ------
        NodeError
            The file was closed, deleted, or cannot be read now (one sentence
            naming it); a later refresh works again once the file is sane.
        """
        self._check_open("refresh")
        generation = self.owner.poll()
        if generation is not None and generation == self._seen:
            return False
        changed = self._refresh()
        if self._attrs is not None:
            changed = self._attrs.refresh() or changed
        self._seen = generation
        return changed

    def _refresh(self) -> bool:
        """Backend hook of :meth:`refresh` (attributes are handled there); whether anything changed."""
        return False

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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:  # never reads data, never raises (see ._repr)
        return node_repr(self)

    def _child_path(self, name: str) -> str:
        return posixpath.join(self.path, name) if self.path else "/" + name
