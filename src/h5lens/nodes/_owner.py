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

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ._errors import LinkError, NodeError

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
    watch : bool
        Whether :meth:`poll` may compare the file's size and time to skip a
        refresh when nothing changed (a regular file read through a handle).
    reopen : callable or None
        Called by :meth:`poll` when the file was replaced or shrank (a writer
        started over): the backend opens it again, or raises :class:`NodeError`
        when it cannot be read yet. None: the backend re-reads by name anyway.
    """

    def __init__(self, filename: str | None = None, *, owns_handle: bool = False,
                 closers: tuple[Callable[[], object], ...] | list[Callable[[], object]] = (),
                 opener: Opener | None = None, watch: bool = False,
                 reopen: Callable[[], object] | None = None):
        self.filename = filename
        self.owns_handle = owns_handle
        self.closers: list[Callable[[], object]] = list(closers)
        self.opener = opener
        self.adopted: list[Owner] = []
        self._closed = False
        #: the file is read in HDF5's SWMR mode (a writer may append while we read)
        self.swmr = False
        #: another program holds the file open for writing (not SWMR): what is read may change
        self.being_written = False
        self.watch = watch
        self.reopen = reopen
        self._stat: tuple[int, int, int, int] | None = None
        self._generation = 0
        #: how many times :meth:`poll` opened the file again, and why the last time ("replaced by another file")
        self.reopened = 0
        #: how many times the backend opened the file again (for any reason): handles of older openings are stale
        self.openings = 0
        self.reopen_reason = ""
        #: ``prefetch(handle, names)``: a remote backend fetching a page's members together before they are
        #: opened one by one (HSDS: one request each otherwise, one round trip after the other)
        self.prefetch: Callable[[Any, list[str]], None] | None = None
        #: ``names_page(handle, start, first)``: a remote backend's paged listing of a group's member names (a
        #: page of ``first`` from ``start``, then the rest), or None where the client's own listing costs nothing
        self.names_page: Callable[[Any, int, int], Iterator[str] | None] | None = None
        #: ``member_count(handle)``: a group's member count known without listing it (None: count by listing)
        self.member_count: Callable[[Any], int | None] | None = None
        #: ``unfetched(group, names)``: a remote backend's members among ``names`` (of the group node) whose
        #: details would each cost a request, with their kinds known from the listing (HSDS: the link's target)
        self.unfetched: Callable[[Any, list[str]], dict[str, str]] | None = None

    @property
    def generation(self) -> int | None:
        """The generation of the last :meth:`poll` (no ``stat``); None when not watched."""
        return self._generation if self.watch and self._stat is not None else None

    def poll(self) -> int | None:
        """The file's generation: a number that changes whenever the file changed (None: not watched).

        One ``stat`` call. A node that refreshed at this generation has nothing
        to re-read. A file replaced by another (new inode) or shrunk (a writer
        started over) is opened again through ``reopen``.

        Raises
        ------
        NodeError
            The file was deleted, or it was replaced and cannot be read yet.
        """
        if not self.watch or not self.filename:
            return None
        try:
            st = os.stat(self.filename)
        except FileNotFoundError:
            raise NodeError(f"{self.filename} was deleted while it was followed "
                            "(following resumes when it is back)") from None
        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        if key == self._stat:
            return self._generation
        old = self._stat
        replaced = old is not None and (key[:2] != old[:2] or key[2] < old[2])
        # a writer without SWMR: this reader's HDF5 caches keep what it read first (a group's members), and
        # only opening the file again reads what the writer flushed since
        if old is not None and (replaced or self.being_written) and self.reopen is not None:
            what = ("written without SWMR" if not replaced else "replaced by another file"
                    if key[:2] != old[:2] else f"truncated from {old[2]} to {key[2]} bytes")
            try:
                self.reopen()
            except Exception as exc:
                raise NodeError(f"{self.filename} was {what} while it was followed and cannot be read now "
                                f"({exc}); following resumes when it is readable") from exc
            if replaced:
                self.reopened += 1
                self.reopen_reason = what
        self._stat = key
        self._generation += 1
        return self._generation

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
