"""Who owns the file(s) behind a node tree, and how to open more of them.

Every tree has one :class:`Owner`, held by its root node and reached from any
node as :attr:`Node.owner <h5lens.nodes.Node.owner>`. It records the file
name, whether the handle was opened by h5lens (so it may be closed, or reopened
with other access properties) or lent by the caller, what to call to close it,
and the external files opened while following links (adopted, so closing the
tree closes them too). Backends never set attributes on each other's nodes.

External links to files of any format need the dispatcher, which sits above the
backends: :func:`h5lens.open` injects itself as the ``opener`` instead of a
backend importing it (the import would run back up the layers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ._errors import LinkError

if TYPE_CHECKING:
    from ._node import Node

#: ``opener(filename) -> root node``: :func:`h5lens.open` in practice.
Opener = Callable[[str], "Node"]


class Owner:
    """The file behind a tree: name, closing, adopted external files, an opener.

    Parameters
    ----------
    filename : str or None
        The file's name as given (None for an in-memory tree).
    owns_handle : bool
        True when h5lens opened the handle: closing the tree closes it, and a
        backend may reopen parts of it. False for a handle lent by the caller.
    closers : iterable of callables
        Called once, in order, when the tree closes.
    opener : callable or None
        ``opener(filename)`` opens an external file as a tree (its owner is
        adopted). None: external files of other formats cannot be followed.
    """

    def __init__(self, filename: str | None = None, *, owns_handle: bool = False,
                 closers: tuple[Callable[[], object], ...] | list[Callable[[], object]] = (),
                 opener: Opener | None = None):
        self.filename = filename
        self.owns_handle = owns_handle
        self.closers: list[Callable[[], object]] = list(closers)
        self.opener = opener
        self.adopted: list[Owner] = []
        self._closed = False

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def adopt(self, other: Owner) -> Owner:
        """Close ``other`` (an external file's owner) when this one closes; returns it."""
        if other is not self and other not in self.adopted:
            self.adopted.append(other)
        return other

    def open_external(self, filename: str) -> Node:
        """Open ``filename`` with the injected opener and adopt its tree.

        Raises
        ------
        LinkError
            No opener was given to this tree (built by hand, not by :func:`h5lens.open`).
        """
        if self.opener is None:
            raise LinkError(f"cannot open external file {filename!r}: this tree was built without an "
                              "opener (trees from h5lens.open have one)")
        tree = self.opener(filename)
        self.adopt(tree.owner)
        return tree

    def close(self) -> None:
        """Close adopted files first (they hang off ours), then run the closers; idempotent.

        An adopted file that fails to close (already closed with its parent)
        does not stop the rest; the first error of our own closers is raised
        once every closer has run.
        """
        if self._closed:
            return
        self._closed = True
        for other in self.adopted:
            try:
                other.close()
            except Exception:  # already closed along with the file that linked to it
                pass
        error: Exception | None = None
        for closer in self.closers:
            try:
                closer()
            except Exception as exc:  # run every closer, report the first failure
                error = error or exc
        if error is not None:
            raise error

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        lent = "" if self.owns_handle else ", lent"
        extra = f", {len(self.adopted)} adopted" if self.adopted else ""
        return f"<h5lens.Owner {self.filename!r} ({state}{lent}{extra})>"
