"""Groups: members listed on demand and cached, paged, walked, reached by path."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from typing import Any

from ._errors import NodeError
from ._node import GROUP, Node
from ._owner import Owner


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

    def _iter_names_from(self, start: int, first: int) -> Iterator[str]:
        """Member names from index ``start`` on; ``first``: how many the caller wants at least.

        Backends whose index can be entered in the middle (HDF5's ``H5Literate``)
        override this so a page deep in a huge group skips the names before it
        without handing each one to Python.
        """
        return itertools.islice(self._iter_names(), start, None)

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

    def _refresh(self) -> bool:
        """Re-list the members if they were listed, then refresh the member nodes already made."""
        changed = False
        if self._names is not None:
            names = list(self._iter_names())
            if names != self._names:
                for gone in set(self._names) - set(names):
                    self._cache.pop(gone, None)
                self._names, changed = names, True
        for name, node in list(self._cache.items()):
            if self._names is None and not self._has(name):  # removed by the writer
                del self._cache[name]
                changed = True
                continue
            changed = node.refresh() or changed
        return changed

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

    def known_len(self) -> int | None:
        """The member count if it is known without walking the group's index, else None (not counted yet).

        The tree sends a page of a huge group before its count (HDF5 walks every
        node of a classic group's index to count it: seconds for 10^6 members).
        """
        self._check_open("count the members of")
        return len(self._names) if self._names is not None else self._known_count()

    def _known_count(self) -> int | None:
        """Backend hook of :meth:`known_len`: the count when it is cheap or already taken."""
        return self._cheap_len()

    def count_upto(self, limit: int) -> int | None:
        """The member count if it is known or at most ``limit``, else None (more than ``limit``).

        Lists at most ``limit + 1`` names (a group listed to its end keeps them):
        a row's label says "more than ``limit``" rather than counting a huge group.
        """
        known = self.known_len()
        return known if known is not None else self._count_upto(limit)

    def _count_upto(self, limit: int) -> int | None:
        """Backend hook of :meth:`count_upto` (the count not known yet)."""
        seen = 0

        def visit(name: str) -> bool:
            nonlocal seen
            seen += 1
            return seen > limit

        return None if self._scan_names(0, visit) else seen

    def _lists_whole(self) -> bool:
        """Whether listing any part costs as much as listing all (then the names are listed whole and kept)."""
        return False

    def page_names(self, start: int = 0, stop: int | None = None) -> list[str]:
        """Member names ``start:stop``, listing no further than ``stop`` (no node made)."""
        self._check_open("list")
        if self._names is None and self._lists_whole():
            self.keys()
        if self._names is not None:
            return self._names[start:stop]
        wanted = None if stop is None else max(0, stop - start)
        return list(itertools.islice(self._iter_names_from(start, 64 if wanted is None else wanted), wanted))

    def page(self, start: int = 0, stop: int | None = None) -> list[Node]:
        """Members ``start:stop`` as nodes, listing no further than ``stop``.

        A group of 100 000 members gives its first page without the rest
        being listed: names are pulled lazily from :meth:`_iter_names`.
        """
        return self.nodes(self.page_names(start, stop))

    def nodes(self, names: list[str]) -> list[Node]:
        """The members ``names`` as nodes (fetched together first where the backend can)."""
        self._prefetch([n for n in names if n not in self._cache])
        return [self._member_of_listing(n) for n in names]

    def _member_of_listing(self, name: str) -> Node:
        # a name from the group's own listing: not looked up again (``_make_child`` says if it went since)
        node = self._cache.get(name)
        if node is None:
            self._check_open("open a member of")
            node = self._cache[name] = self._make_child(name)
        return node

    def matching(self, query: str, start: int = 0, limit: int = 100,
                 budget_s: float | None = None) -> tuple[list[Node], int, bool]:
        """Members from index ``start`` on whose name contains ``query`` (ignoring case).

        Names are scanned in the group's order without making a node of those
        that do not match; the scan stops at ``limit`` matches or once
        ``budget_s`` seconds of scanning (counted from the first name scanned), and resumes from the index it returns.

        Returns
        -------
        (nodes, next, complete)
            The matching members, the index of the first member not scanned,
            and whether the scan reached the end of the group.
        """
        self._check_open("list")
        if self._names is None and self._lists_whole():
            self.keys()
        query = query.lower()
        hits: list[str] = []
        index = start
        deadline: float | None = None

        def visit(name: str) -> bool:
            nonlocal index, deadline
            if deadline is None and budget_s is not None:
                # from the first name: reaching ``start`` (HDF5 walks a classic group's nodes up to it) may
                # take longer than the budget, and each resumed call must still move the scan on
                deadline = time.monotonic() + budget_s
            index += 1
            if query in name.lower():
                hits.append(name)
                if len(hits) >= limit:
                    return True
            return deadline is not None and index % 1024 == 0 and time.monotonic() > deadline

        stopped = self._scan_names(start, visit)
        return [self.child(n) for n in hits], index, not stopped

    def _scan_names(self, start: int, visit: Callable[[str], bool]) -> bool:
        """Hand the names from index ``start`` on to ``visit`` until it returns True; whether it did.

        HDF5 overrides this with one ``H5Literate`` call (batches restarted at
        an index make HDF5 walk the names before it again).
        """
        names = iter(self._names[start:]) if self._names is not None else self._iter_names_from(start, 1024)
        return any(visit(name) for name in names)

    def _prefetch(self, names: list[str]) -> None:
        """Fetch the members ``names`` together before each is opened (remote backends; nothing here)."""

    def unfetched(self, names: list[str]) -> dict[str, str]:
        """``{name: kind}`` of the members among ``names`` whose details would each cost a request.

        A remote backend knows a member's kind from its group's listing but
        its shape, type or member count only from one request per member: a
        tree shows such rows at once and fills them in with a second call.
        Local files answer ``{}`` (opening a member costs no round trip).
        """
        names = [n for n in names if n not in self._cache]
        return self.owner.unfetched(self, names) if self.owner.unfetched is not None and names else {}

    def child(self, name: str) -> Node:
        """The direct member ``name`` (cached); KeyError if absent."""
        self._check_open("open a member of")
        node = self._cache.get(name)
        if node is None:
            if not self._has(name):
                raise KeyError(f"no member {name!r} in {self.path!r}")
            self._prefetch([name])  # a remote backend may fetch it its own way (HSDS: a group without its links)
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
