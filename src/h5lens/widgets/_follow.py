"""Following live files in a widget: the ``follow`` toggle, the poller it starts, the ``live`` state.

A widget mixes in :class:`Following` and says what to refresh
(:meth:`Following._follow_nodes`) and what to redo when something changed
(:meth:`Following._followed`: the viewer re-reads its shape, extends its
sliders and jumps to the newest frame). The polling itself is
:class:`h5lens.live.Follower`; nodes only answer ``refresh()``.
:meth:`Following.refresh_now` does one check in the caller's thread (tests,
and the "refresh" a user may want without following).
"""

from __future__ import annotations

import threading
from typing import Any

import traitlets as t

from .._protocol import LiveState
from ..live import INTERVAL, Follower, moved_selection, reopens, waiting_note, watched_folders
from ..nodes._base import Node


class Following(t.HasTraits):
    """The follow half of a widget (Tree, Explorer, Viewer)."""

    #: poll the source and show what a writer adds (off by default)
    follow = t.Bool(False).tag(sync=True)
    #: seconds between checks while things change (doubling, up to 8×, while nothing does)
    follow_interval = t.Float(INTERVAL, min=0.05).tag(sync=True)
    #: see :class:`h5lens._protocol.LiveState`
    live = t.Dict().tag(sync=True)

    _follower: Follower | None = None
    #: why the file was opened again (replaced by another, started over): said until the next change
    _note = ""
    #: a host widget (the explorer) polls for this one: ``follow`` only sets what follows from it
    followed_by_host = False

    # -- hooks -------------------------------------------------------------------------
    def _follow_nodes(self) -> list[Node]:  # pragma: no cover - every widget overrides
        """The nodes whose ``refresh()`` says whether what is shown changed."""
        raise NotImplementedError

    def _followed(self) -> None:
        """Redo what depends on the source after it changed (called with the lock held)."""

    # -- checking ----------------------------------------------------------------------
    def _check(self) -> bool:
        with self._follow_lock():
            nodes = self._follow_nodes()
            before, changed = reopens(nodes)[0], False
            for node in nodes:
                changed = node.refresh() or changed
            count, note = reopens(nodes)
            if count != before or changed:
                self._note = note if count != before else ""
            if changed:
                self._followed()
            return changed

    def _follow_lock(self) -> threading.Lock:
        if "_lock" not in self.__dict__:
            self._lock = threading.Lock()
        return self._lock

    def _report(self, changed: bool, error: Exception | None) -> None:
        state = dict(self.live or {})
        follower = self._follower
        message = _sentence(error) if error is not None else self._note or waiting_note(self._follow_nodes())
        new = LiveState(revision=int(state.get("revision", 0)) + int(changed), message=message,
                        watching=bool(follower and follower.watching),
                        interval=float(follower.wait if follower else self.follow_interval))
        # the wait alone changing is not news: no message to the page for it
        if changed or new["message"] != state.get("message") or new["watching"] != state.get("watching"):
            self.live = dict(new)

    def refresh_now(self) -> bool:
        """Check the source once, now, in this thread (as following would); whether anything changed.

        An unreadable source does not raise: ``live["message"]`` says why.
        """
        try:
            changed, error = self._check(), None
        except Exception as exc:
            changed, error = False, exc
        self._report(changed, error)
        return changed

    # -- the toggle --------------------------------------------------------------------
    @t.observe("follow", "follow_interval")
    def _follow_toggled(self, change: dict[str, Any]) -> None:
        self._stop_following()
        if self.follow and not self.followed_by_host:
            nodes = self._follow_nodes()
            folders = sorted({f for n in nodes for f in watched_folders(n)})
            self._follower = Follower(self._check, self._report, folders, interval=self.follow_interval,
                                      max_interval=max(8 * self.follow_interval, self.follow_interval))
            self._follower.start()

    def _stop_following(self) -> None:
        follower, self._follower = self._follower, None
        if follower is not None:
            follower.stop()


def _sentence(error: Exception) -> str:
    """An error as the one sentence shown in the page (its message names the file)."""
    text = str(error.args[0]) if error.args else type(error).__name__
    return text if text else type(error).__name__


class ViewerFollowing(Following):
    """Following for the viewer: new shape, longer sliders, the newest frame unless the user looks elsewhere."""

    node: Node
    dataset: Any
    choice: Any
    shape: tuple[int, ...]
    _ahead: Any
    meta: Any  # the viewer's traits
    selection: Any

    def _follow_nodes(self) -> list[Node]:
        nodes = [self.node]
        if self.dataset is not None and self.dataset is not self.node:
            nodes.append(self.dataset)
        return nodes

    def _followed(self) -> None:
        from .. import selection as sel
        from .. import views

        try:  # an NXdata group may now name other axes, a SPEC scan be indexed anew
            choice = views.choose(self.node, self.choice.view)
        except Exception:  # keep showing what was shown; the next change tries again
            choice = self.choice
        if choice.dataset is None or self.dataset is None:
            return
        old = self.shape
        self.choice, self.dataset = choice, choice.dataset
        new = tuple(int(n) for n in choice.dataset.shape or ())
        current = str(self.selection or "")
        items = sel.parse(current, old) if current else None
        self.shape = new
        self._ahead.clear()
        self._ahead.shape = new
        # one message: the page takes the new sizes and the new frame together, and loads once
        with self.hold_trait_notifications():
            self.meta = views.viewer_meta(self.node, choice)
            if items is not None and len(new) == len(old):
                self.selection = moved_selection(current, items, old, new)

    @t.observe("follow")
    def _to_latest(self, change: dict[str, Any]) -> None:
        """Turning follow on shows the newest frame: the outer slider goes to its end ("latest" mode)."""
        from .. import selection as sel

        if not change["new"] or self.dataset is None or not self.selection:
            return
        items = list(sel.parse(self.selection, self.shape))
        outer = next((d for d, item in enumerate(items) if isinstance(item, int)), None)
        if outer is not None and self.shape[outer] > 0:
            items[outer] = self.shape[outer] - 1
            self.selection = sel.format(tuple(items), self.shape)

    def close(self) -> None:
        """Stop following, then close as the widget does."""
        self._stop_following()
        super().close()  # type: ignore[misc]


class TreeFollowing(Following):
    """Following for the tree and the explorer: member counts and shapes (the page reloads its rows).

    The explorer's one poller also refreshes the node its viewer shows: the
    viewer follows through it (``followed_by_host``) and polls nothing itself.
    A file replaced by another keeps the selection when its path is still
    there, else the selection is cleared and the message says why.
    """

    _root: Node
    viewer: Any = None
    selected: Any

    def _follow_nodes(self) -> list[Node]:
        return [self._root]

    def _check(self) -> bool:
        changed = super()._check()
        viewer = getattr(self, "viewer", None)
        if isinstance(viewer, ViewerFollowing):
            try:
                shown = viewer._check()
            except Exception:  # the selected path is gone, or is another kind of node now
                self._view_lost()
                return True
            if changed and not shown:  # the tree's refresh refreshed the viewer's node too (the same node)
                with viewer._follow_lock():
                    viewer._followed()
            if shown or changed:
                viewer._report(True, None)
            changed = shown or changed
        return changed

    def _view_lost(self) -> None:
        path = str(self.selected or "")
        try:
            self._lookup(path)  # type: ignore[attr-defined]
        except Exception:
            self._note = f"{self._note or str(self._root.filename) + ' changed'}; {path} is not in it any more"
            self.selected = ""
            return
        self._show(path)  # type: ignore[attr-defined]  # there, as another kind of node: shown afresh

    @t.observe("follow")
    def _viewer_follows(self, change: dict[str, Any]) -> None:
        viewer = getattr(self, "viewer", None)
        if isinstance(viewer, ViewerFollowing):
            viewer.followed_by_host = True
            viewer.follow = bool(change["new"])

    def close(self) -> None:
        """Stop following, then close as the widget does."""
        self._stop_following()
        super().close()  # type: ignore[misc]
