"""Following files while they are written: a background poller that backs off, woken by the file system.

:class:`Follower` calls ``check()`` (in practice ``node.refresh()``, which is one
``stat`` when nothing changed) every ``interval`` seconds, doubling the wait
after each check that found nothing new, up to ``max_interval``; a change
brings the wait back to ``interval``. Where the file system reports changes
(inotify on a local disk), ``watchfiles`` wakes the poller as soon as a file of
the watched folders changes, so a new frame shows without waiting for the
next poll. Network file systems do not report changes made by other machines:
there, and when ``watchfiles`` is missing or refuses a folder, the poller alone
runs (``Follower.watching`` says which).

Waits use ``threading.Event.wait``, a monotonic clock: a jump of the wall
clock neither stops nor hurries following. Nodes stay passive; only this
module runs threads.

Also here, as pure functions the widgets call: where the sliders go when the
shape grows ("latest" mode, :func:`latest_selection`), and the one-line notes a
widget shows about what following cannot show yet (:func:`waiting_note`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

#: default seconds between checks, and the longest wait when nothing changes
INTERVAL = 1.0
MAX_INTERVAL = 8.0


def next_interval(current: float, changed: bool, interval: float, max_interval: float) -> float:
    """The wait after a check: back to ``interval`` on a change, else twice as long, up to ``max_interval``."""
    return interval if changed else min(max(current, interval) * 2, max(max_interval, interval))


def watched_folders(node: Any) -> list[str]:
    """Folders whose changes concern ``node``'s tree: its file's folder (a series' folder), none in memory."""
    source = getattr(node.root, "follow_source", None)
    spec = getattr(source, "spec", None)
    names = [spec] if isinstance(spec, str) else list(spec or [])
    if node.filename:
        names.append(node.filename)
    folders = {os.path.dirname(os.path.abspath(n)) for n in names}
    return sorted(f for f in folders if os.path.isdir(f))


def reopens(nodes: Iterable[Any]) -> tuple[int, str]:
    """How many times the files behind ``nodes`` were opened again (replaced, started over), and the last reason."""
    count, note = 0, ""
    for owner in {id(n.owner): n.owner for n in nodes}.values():
        count += owner.reopened
        if owner.reopened:
            note = f"{owner.filename} was {owner.reopen_reason} and opened again"
    return count, note


def waiting_note(nodes: Iterable[Any]) -> str:
    """The one line on what following cannot show yet ("" when nothing).

    A series file not complete yet, series files left out, or an HDF5 file
    written without SWMR (see :meth:`h5lens.nodes.Owner.poll`).
    """
    from .nodes._imagefollow import left_out_note

    for node in nodes:
        source = getattr(node.root, "follow_source", None)
        name = getattr(source, "waiting", None)
        if name:
            return f"waiting for {os.path.basename(name)} to be complete"
        if source is not None and left_out_note(source):
            return left_out_note(source)
        if node.owner.being_written:
            return (f"{os.path.basename(str(node.filename))} is being written without SWMR: it is opened again "
                    "at each change, and what its writer has not flushed yet may read wrong")
    return ""


class Follower:
    """Run ``check()`` in a background thread until stopped, reporting each result.

    Parameters
    ----------
    check : callable
        ``check() -> bool``: whether something changed (``node.refresh``).
    report : callable
        ``report(changed, error)`` after each check: ``error`` is the exception
        ``check`` raised (following goes on: the source may become sane again), else None.
    folders : iterable of str
        Folders to watch with ``watchfiles``; empty: poll only.
    interval, max_interval : float
        Seconds between checks when things change, and at most when nothing does.
    """

    def __init__(self, check: Callable[[], bool], report: Callable[[bool, Exception | None], None],
                 folders: Iterable[str] = (), interval: float = INTERVAL, max_interval: float = MAX_INTERVAL):
        if interval <= 0:
            raise ValueError(f"the follow interval must be positive, not {interval!r}")
        self.check, self.report = check, report
        self.folders = list(folders)
        self.interval, self.max_interval = float(interval), float(max_interval)
        self.wait = self.interval  #: the current wait between checks
        self.watching = False  #: whether watchfiles wakes the poller
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def running(self) -> bool:
        """Whether the poller runs (started and not stopped)."""
        return any(t.is_alive() for t in self._threads) and not self._stop.is_set()

    def start(self) -> Follower:
        """Start polling (and watching, where possible); returns self."""
        if self.running:
            return self
        self._stop.clear()
        self._threads = [threading.Thread(target=self._poll, name="h5lens-follow", daemon=True)]
        if self.folders:
            self._threads.append(threading.Thread(target=self._watch, name="h5lens-watch", daemon=True))
        for thread in self._threads:
            thread.start()
        return self

    def poke(self) -> None:
        """Check now instead of at the end of the current wait."""
        self._wake.set()

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop the threads and wait for them (a check under way finishes first)."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout)
        self.watching = False

    def _poll(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                changed, error = bool(self.check()), None
            except Exception as exc:  # the source is broken for now: say so, keep following
                changed, error = False, exc
            self.wait = next_interval(self.wait, changed, self.interval, self.max_interval)
            if self._stop.is_set():
                return
            self.report(changed, error)
            self._wake.wait(self.wait)

    def _watch(self) -> None:
        try:
            from watchfiles import watch
        except ImportError:  # the extra is not installed: polling alone
            return
        try:
            self.watching = True
            for _changes in watch(*self.folders, stop_event=self._stop, yield_on_timeout=False,
                                  rust_timeout=1000, debounce=50, step=10, raise_interrupt=False):
                self.wait = self.interval  # something moves: check now and soon again
                self._wake.set()
        except Exception:  # a folder the file system cannot watch (too many watches...): polling alone
            pass
        finally:
            self.watching = False


def latest_selection(items: list[Any], old: tuple[int, ...], new: tuple[int, ...]) -> list[Any]:
    """The slider positions after the shape went from ``old`` to ``new`` ("latest" mode).

    A slider at the end of a dimension that grew moves to the new end; one the
    user moved away from the end stays; one beyond a shrunk end comes back to it.
    """
    out = list(items)
    for d, item in enumerate(out):
        if not isinstance(item, int) or d >= len(new) or d >= len(old):
            continue
        if new[d] > old[d] and (old[d] == 0 or item == old[d] - 1):
            out[d] = new[d] - 1
        elif item >= new[d] > 0:
            out[d] = new[d] - 1
    return out


def moved_selection(selection: str, items: Any, old: tuple[int, ...], new: tuple[int, ...]) -> str:
    """The selection string with its sliders moved (see :func:`latest_selection`), its ranges as typed.

    A range typed ``:`` covers the whole grown dimension (a running scan's curve extends).
    """
    from . import selection as sel

    moved = latest_selection(list(items), old, new)
    try:
        out = list(sel.parse(selection, new))
    except ValueError:  # a slider beyond a shrunk end: ranges as parsed, clipped by the new shape
        out = [slice(None) if isinstance(i, slice) else i for i in moved]
    for d, item in enumerate(moved):
        if isinstance(item, int):
            out[d] = item
    return sel.format(tuple(out), new)
