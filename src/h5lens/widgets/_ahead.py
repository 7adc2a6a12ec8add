"""Frames read ahead: after a slider step, the next frame in the same direction.

A step of the slider costs the kernel a read and a decompression (about 40 ms
for a gzip 2048 × 2048 uint16 frame) before anything travels. The kernel is
idle between steps, so once a frame is answered the next one along the same
dimension is computed in a background thread and kept at display size (a few
hundred KB): the next step finds it ready, or waits for the read under way
instead of starting another. At most :data:`KEEP` frames are kept, so memory
stays bounded; a frame whose read failed is simply computed again (and its
error then reported as usual).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from .. import selection as sel

#: Frames kept (the one shown, the one ahead and a couple behind for a step back).
KEEP = 4

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    """One worker for every viewer: reading ahead must never compete with itself for the disk."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="h5lens-ahead")
        return _pool


class ReadAhead:
    """Frames by request key, computed on demand or ahead of demand.

    Parameters
    ----------
    compute : callable
        ``compute(key) -> dict``: the frame of a key (see :meth:`key`). Its
        result is shared between callers and must not be modified.
    shape : tuple
        The dataset's shape (bounds of the steps read ahead).
    """

    def __init__(self, compute: Callable[[tuple], dict], shape: tuple):
        self.compute = compute
        self.shape = tuple(int(n) for n in shape)
        self.frames: OrderedDict[tuple, Future] = OrderedDict()
        self.last: tuple | None = None
        self.lock = threading.Lock()

    @staticmethod
    def key(selection: str, **options: Any) -> tuple:
        """A hashable request key: the selection string and every option that changes the frame."""
        return (selection, *sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in options.items()))

    def get(self, key: tuple) -> dict:
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

    def start(self, key: tuple) -> None:
        """Start computing ``key`` in the background (a first frame asked for before it is wanted)."""
        with self.lock:
            if key in self.frames:
                return
        self._keep(key, _executor().submit(self.compute, key))

    def ahead(self, key: tuple) -> tuple | None:
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
        self._keep(nxt, _executor().submit(self.compute, nxt))
        return nxt

    def _next(self, previous: tuple | None, key: tuple) -> tuple | None:
        """``key`` moved one more step like ``previous`` → ``key`` (:func:`h5lens.selection.step_ahead`)."""
        try:
            items = sel.parse(key[0], self.shape)
        except ValueError:
            return None
        before = None
        if previous is not None and previous[1:] == key[1:]:  # other options: another sequence of frames
            try:
                before = sel.parse(previous[0], self.shape)
            except ValueError:
                pass
        nxt = sel.step_ahead(before, items, self.shape)
        return None if nxt is None else (sel.format(nxt, self.shape), *key[1:])

    def _keep(self, key: tuple, future: Future) -> None:
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
            self.last = None
