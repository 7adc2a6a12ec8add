"""``h5lens.Tree``: a lazily expanding tree of a file in the notebook.

The front-end asks for one page of a group's members at a time (command
``children``), so a group of 100 000 members costs one page until "load more"
is pressed. ``selected`` (a path) is synced both ways: clicks set it, and
setting it from Python reveals and selects the node in the page.
"""

from __future__ import annotations

import os
import time
from typing import Any

import traitlets

from .._protocol import ChildrenReply, CountReply, InfoReply, RowsReply, SearchReply, TreeItem
from ..nodes._base import Group, Node
from ..nodes._format import description, node_label, printable_name
from ..tree_rows import LABEL_COUNT_LIMIT, from_wire, item_info, page_info, pending_item, to_wire
from ._base import H5Widget, bundle, command, open_source
from ._follow import TreeFollowing

PAGE_SIZE = 100  # rows per page: more than a tree view shows, cheap enough to answer fast
#: members listed at most to place a revealed node inside its group's pages
REVEAL_LIMIT = 5000
SEARCH_BUDGET_S = 1.5
SEARCH_MAX_HITS = 200
LINK_BUDGET_S = 0.5
FILTER_BUDGET_S = 0.5


class Tree(TreeFollowing, H5Widget):
    """An interactive, lazily expanding tree of a file or node.

    Parameters
    ----------
    source
        A node, or anything :func:`h5lens.open` accepts (path,
        ``"file.h5::/path"``, h5py object...). A file opened here is closed
        by :meth:`close`.
    selected : str, optional
        Path to select (and reveal) at start.
    page_size : int
        Members fetched per page when a group is expanded.
    """

    _bundle = "tree"
    #: upper bound of one ``search`` call (seconds); a search that runs out resumes on request
    search_budget_s = SEARCH_BUDGET_S
    #: time a page may spend following links (seconds); later links are listed unchecked
    link_budget_s = LINK_BUDGET_S
    #: time one filtered ``children`` call may scan names (seconds); it resumes from ``next`` on request
    filter_budget_s = FILTER_BUDGET_S
    _esm = bundle("tree")

    selected = traitlets.Unicode("").tag(sync=True)
    page_size = traitlets.Int(PAGE_SIZE).tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    filename = traitlets.Unicode("").tag(sync=True)
    root_path = traitlets.Unicode("/").tag(sync=True)

    def __init__(self, source: Any, selected: str = "", page_size: int = PAGE_SIZE, **kwargs):
        self._root, self._owned = open_source(source)
        self._searches: dict[str, Any] = {}
        filename = printable_name(str(self._root.filename or ""))
        title = os.path.basename(filename) or self._root.path
        if filename and self._root.path not in ("", "/"):
            title = f"{title}::{self._root.path}"
        super().__init__(page_size=page_size, title=title, filename=filename,
                         root_path=self._root.path or "/", **kwargs)
        if selected:
            self.selected = selected

    # -- python API ----------------------------------------------------
    @property
    def root(self) -> Node:
        """The node the tree shows (a file's root or the node passed in)."""
        return self._root

    @property
    def node(self) -> Node | None:
        """The selected node (None when nothing is selected)."""
        return self._lookup(self.selected) if self.selected else None

    def _lookup(self, path: str) -> Node:
        try:
            return self._find(path)
        except KeyError:
            raw = from_wire(path)  # a name with undecodable bytes, as the browser spells it
            if raw == path:
                raise
            return self._find(raw)

    def _find(self, path: str) -> Node:
        root = self._root
        if path in ("", "/", root.path):
            return root
        if not isinstance(root, Group):
            raise KeyError(f"no node {path!r} in {root.path!r}")
        rel = path[len(root.path):] if root.path != "/" and path.startswith(root.path + "/") else path
        return root[rel]

    def select_problem(self, path: str) -> str | None:
        """Why ``path`` cannot be selected, as one sentence naming the file and the path (None: it can)."""
        try:
            self._lookup(path)
        except Exception as exc:
            reason = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
            return f"cannot select {path!r} in {self.filename or self.title or self._root.path}: {reason}"
        return None

    @traitlets.validate("selected")
    def _check_selected(self, proposal):
        path = proposal["value"]
        problem = self.select_problem(path) if path else None
        if problem:
            raise traitlets.TraitError(problem)
        return to_wire(path)  # the trait travels as JSON: no lone surrogates

    def close(self) -> None:
        """Close the widget and, when the tree opened the file, the file."""
        super().close()
        if self._owned:
            self._root.close()

    def _fallback_html(self) -> str:
        from .._glance import glance

        # shown only where widgets cannot run: never count a huge group exactly for it (seconds for 10^6 members)
        return glance(self._root, depth=2, max_items=200, count_limit=LABEL_COUNT_LIMIT)._repr_html_()

    # -- commands ------------------------------------------------------
    def _group(self, path: str) -> Group:
        node = self._lookup(path).deref()
        if not isinstance(node, Group):
            raise TypeError(f"{path!r} is a {node.kind}, not a group")
        return node

    @command
    def children(self, msg: dict, buffers: list) -> ChildrenReply:
        """One page of a group's members: ``{path, total, start, items, more}``.

        ``msg``: ``path``, ``start`` (0), ``limit`` (``page_size``) and
        ``ensure`` (a member name that must be in the reply: the page grows
        to reach it, or the member is appended with ``detached: true``).
        With ``filter`` (a name part, any case), ``items`` are the next members
        from ``start`` on whose names contain it (names scanned, not opened),
        at most ``limit`` within :attr:`filter_budget_s`; ``next`` is where to
        resume and ``more`` whether the scan stopped before the group's end.
        """
        path = msg.get("path") or "/"
        start = max(0, int(msg.get("start", 0)))
        limit = max(1, min(int(msg.get("limit") or self.page_size), 10_000))
        group = self._group(path)
        query = str(msg.get("filter") or "").strip()
        if query:
            found, scanned, complete = group.matching(query, start, limit, self.filter_budget_s)
            return ChildrenReply(ok=True, path=to_wire(path), total=group.known_len(), start=start,
                                 next=scanned, more=not complete, items=page_info(found, self.link_budget_s))
        stop = start + limit
        extra = None
        ensure = msg.get("ensure")
        if ensure:
            index = group.keys().index(ensure) if group._has(ensure) else -1
            if index >= stop and index < REVEAL_LIMIT:
                stop = index + 1
            elif index >= stop:
                extra = group.child(ensure)
        names = group.page_names(start, stop + 1)  # one name more says whether the group goes on
        more = len(names) > stop - start
        names = names[:stop - start]
        # remote members not fetched yet (one request each): the page goes out with their names and kinds,
        # the front-end asks ``rows`` for the rest while the user already sees the page
        quick = {} if msg.get("whole") else group.unfetched(names)
        full = iter(page_info(group.nodes([n for n in names if n not in quick]), self.link_budget_s))
        items = [pending_item(group.path, n, quick[n]) if n in quick else next(full) for n in names]
        if extra is not None:
            items.append({**item_info(extra), "detached": True})
        shown = start + len(names)
        # the count can take seconds (a classic group's whole index): not taken here unless the page
        # reached the end; the front-end asks ``count`` after showing the page
        total = group.known_len()
        if total is None and not more and (names or start == 0):
            total = shown
        return ChildrenReply(ok=True, path=to_wire(path), total=total, start=start, next=shown,
                             more=more, items=items)

    @command
    def rows(self, msg: dict, buffers: list) -> RowsReply:
        """The full rows of members a page sent ``pending`` (``{path, items}``).

        ``msg``: ``path`` (the group) and ``paths`` (its members' paths, as the
        page holds them); the members are fetched together. A member gone since
        its page is left out.
        """
        path = msg.get("path") or "/"
        group = self._group(path)
        names = [from_wire(p).rsplit("/", 1)[-1] for p in msg.get("paths") or []]
        names = [n for n in names if group._has(n)]
        return RowsReply(ok=True, path=to_wire(path), items=page_info(group.nodes(names), self.link_budget_s))

    @command
    def count(self, msg: dict, buffers: list) -> CountReply:
        """The member count of the group at ``path`` (``{path, total, label}``), after a page without it."""
        path = msg.get("path") or "/"
        group = self._group(path)
        total = len(group)  # cached by the group: later pages carry it
        return CountReply(ok=True, path=to_wire(path), total=total, label=node_label(group))

    @command
    def info(self, msg: dict, buffers: list) -> InfoReply:
        """The row of the node at ``path`` (``{item}``)."""
        node = self._lookup(msg.get("path") or "/")
        return InfoReply(ok=True, item=item_info(node))

    @command
    def search(self, msg: dict, buffers: list) -> SearchReply:
        """Names containing ``query`` (case-insensitive) below the root, within a time budget.

        Returns ``{query, hits, scanned, complete}``; call again with
        ``resume: true`` to continue a search that ran out of time.
        """
        query = str(msg.get("query", "")).strip().lower()
        if not query:
            return SearchReply(ok=True, query="", hits=[], scanned=0, complete=True)
        budget = min(float(msg.get("budget_ms", 1e9)) / 1000, self.search_budget_s)
        state = self._searches.get(query) if msg.get("resume") else None
        if state is None:
            root = self._root
            walker = root.walk() if isinstance(root, Group) else iter(())
            state = {"walker": walker, "scanned": 0}
            self._searches = {query: state}  # one search at a time, like the front-end
        hits: list[TreeItem] = []
        end, complete = time.monotonic() + budget, False
        while len(hits) < SEARCH_MAX_HITS:
            if time.monotonic() > end:
                break
            try:
                node = next(state["walker"])
            except StopIteration:
                complete = True
                break
            except Exception as exc:  # unreadable group: keep the hits so far, say why
                self._searches.pop(query, None)
                return SearchReply(ok=True, query=query, hits=hits, scanned=state["scanned"], complete=True,
                                   warning=f"search stopped: {exc}")
            state["scanned"] += 1
            if query in node.name.lower() or query in (description(node) or "").lower():
                hits.append(item_info(node))
        if complete:
            self._searches.pop(query, None)
        return SearchReply(ok=True, query=query, hits=hits, scanned=state["scanned"], complete=complete)
