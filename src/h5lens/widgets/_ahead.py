"""Frames read ahead: after a slider step, the next frame in the same direction.

A step of the slider costs the kernel a read and a decompression (about 40 ms
for a gzip 2048 × 2048 uint16 frame) before anything travels. The kernel is
idle between steps, so once a frame is answered the next one along the same
dimension is computed in a background thread and kept at display size (a few
hundred KB): the next step finds it ready, or waits for the read under way
instead of starting another. At most :data:`KEEP` frames are kept, so memory
stays bounded; a frame whose read failed is simply computed again (and its
error then reported as usual).

Frames the page waits for are computed without the statistics of the pixels
they aggregate; :class:`Summaries` folds those in a second background worker
after the frame is sent, and a slider step abandons them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from .. import selection as sel
from ..frames import FrameRequest

#: Frames kept (the one shown, the one ahead and a couple behind for a step back).
KEEP = 4
#: A first glimpse started before the page said its canvas answers any canvas up to this many pixels.
GLIMPSE_PIXELS = 256 * 256

_pools: dict[str, ThreadPoolExecutor] = {}
_pool_lock = threading.Lock()


def _executor(name: str = "ahead") -> ThreadPoolExecutor:
    """One worker per kind of work for every viewer: reading ahead must never compete with itself for the disk."""
    with _pool_lock:
        if name not in _pools:
            _pools[name] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"h5lens-{name}")
        return _pools[name]


class ReadAhead:
    """Frames by :class:`~h5lens.frames.FrameRequest`, computed on demand or ahead of demand.

    Parameters
    ----------
    compute : callable
        ``compute(request) -> dict``: the frame of a request. Its result is
        shared between callers and must not be modified.
    background : callable, optional
        The same for frames computed ahead of demand: nobody waits for them, so
        they may do more (fold their statistics as they are read).
    shape : tuple
        The dataset's shape (bounds of the steps read ahead).
    """

    def __init__(self, compute: Callable[[FrameRequest], dict], shape: tuple,
                 background: Callable[[FrameRequest], dict] | None = None):
        self.compute = compute
        #: how frames are computed ahead, in the background (default: as ``compute``)
        self.background = background or compute
        self.shape = tuple(int(n) for n in shape)
        self.frames: OrderedDict[FrameRequest, Future] = OrderedDict()
        self.last: FrameRequest | None = None
        self.first: FrameRequest | None = None
        self.lock = threading.Lock()

    def get(self, key: FrameRequest) -> dict:
        """The frame of ``key``: read ahead (waiting for it if under way) or computed now."""
        with self.lock:
            ready = self.frames.get(key)
            if ready is not None:
                self.frames.move_to_end(key)  # least recently used goes first
        if ready is not None:
            try:
                return ready.result()
            except Exception:  # a failed read ahead: compute again, and report that error if any
                pass
        out = self.compute(key)
        done: Future = Future()
        done.set_result(out)
        self._keep(key, done)
        return out

    def start(self, key: FrameRequest, waited: bool = False) -> None:
        """Start computing ``key`` in the background (a frame asked for before it is wanted).

        ``waited``: the page will wait for it (the exact copy after a preview), so it is
        computed as :meth:`get` would (without the statistics, which follow).
        """
        with self.lock:
            if key in self.frames:
                return
        self._keep(key, _executor().submit(self.compute if waited else self.background, key))

    def start_first(self, key: FrameRequest) -> None:
        """Start the first frame before the page asks (a preview; see :meth:`take_first`)."""
        self.first = key
        self.start(key)

    def take_first(self, key: FrameRequest, preview: bool) -> FrameRequest:
        """``key``, or the first frame started (:meth:`start_first`) when it may answer this preview.

        Only the first request may take it, and only for a canvas that is small
        beside the one asked for (at most twice each way, or :data:`GLIMPSE_PIXELS`
        in all): a first glimpse never sends much more than the page asked for.
        """
        first, self.first = self.first, None
        if not preview or first is None or first.with_canvas(key.canvas) != key:
            return key
        small = all(x <= 2 * y for x, y in zip(first.canvas, key.canvas)) or \
            first.canvas[0] * first.canvas[1] <= GLIMPSE_PIXELS
        return first if small else key

    def ahead(self, key: FrameRequest) -> FrameRequest | None:
        """Start reading the frame one step further along the dimension that just moved.

        Returns the key read ahead (None when there is no step to follow).
        """
        previous, self.last = self.last, key
        nxt = self._next(previous, key)
        if nxt is None:
            return None
        with self.lock:
            if nxt in self.frames:
                return nxt
        self._keep(nxt, _executor().submit(self.background, nxt))
        return nxt

    def _next(self, previous: FrameRequest | None, key: FrameRequest) -> FrameRequest | None:
        """``key`` moved one more step like ``previous`` → ``key`` (:func:`h5lens.selection.step_ahead`)."""
        same = previous is not None and previous.options() == key.options()  # else another sequence of frames
        nxt = sel.step_ahead(previous.items if same and previous is not None else None, key.items, self.shape)
        return None if nxt is None else key.moved(nxt, self.shape)

    def _keep(self, key: FrameRequest, future: Future) -> None:
        with self.lock:
            self.frames[key] = future
            self.frames.move_to_end(key)
            while len(self.frames) > KEEP:
                _, old = self.frames.popitem(last=False)
                old.cancel()  # not started yet: never runs

    def clear(self) -> None:
        """Forget every frame (cancel those not started)."""
        with self.lock:
            for future in self.frames.values():
                future.cancel()
            self.frames.clear()
            self.last = self.first = None


class Summaries:
    """The statistics of the frame last sent without them, folded in the background, one frame at a time.

    A frame reply does not wait for the statistics of the pixels its display
    copy aggregates (:func:`h5lens.summaries.frame_summary`); they are started
    as the frame is sent and picked up by the page's ``frame_summary`` command.
    Starting another frame's (a slider step) abandons the previous one between
    two of its tiles, so stale statistics never hold up the next frame.

    Parameters
    ----------
    compute : callable
        ``compute(request, cancelled) -> Summary``, ``cancelled()`` being true once abandoned.
    """

    def __init__(self, compute: Callable[[FrameRequest, Callable[[], bool]], Any]):
        self.compute = compute
        self.key: FrameRequest | None = None
        self.future: Future | None = None
        self.stop = threading.Event()

    def start(self, key: FrameRequest) -> Future:
        """Begin the statistics of ``key`` (abandoning others); the one under way when it is ``key``'s."""
        if key == self.key and self.future is not None:
            return self.future
        self.cancel()
        self.key, self.stop = key, threading.Event()
        self.future = _executor("stats").submit(self.compute, key, self.stop.is_set)
        return self.future

    def wait(self, key: FrameRequest, timeout: float) -> Any:
        """The statistics of ``key`` if ready within ``timeout`` seconds (started if need be), else None."""
        future = self.start(key)
        try:
            return future.result(timeout)
        except FutureTimeout:
            return None

    def cancel(self) -> None:
        """Abandon the statistics under way (they stop before their next tile)."""
        self.stop.set()
        if self.future is not None:
            self.future.cancel()
        self.key = self.future = None
