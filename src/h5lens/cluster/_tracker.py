"""A job's futures on the cluster: one progress bar, results in order or as they come, clean cancellation.

Every call to the cluster goes through a :class:`Tracker`, so that the
cluster failing under a job (workers dying, ``client.restart()``, the
scheduler going away) raises one sentence naming the frames and what was
not done, instead of dask's internal errors or a wait that never ends.
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

from ._client import dashboard, require


class Tracker:
    """One progress bar for a job's futures, their results, and their cancellation on failure.

    Every call to the cluster goes through here, so that a cluster failing
    under the job (workers dying, ``client.restart()``, the scheduler going
    away) raises one sentence naming the frames and what was not done,
    instead of dask's internal errors or, worse, a wait that never ends: a
    task whose key the scheduler forgot (a restart forgets them all) never
    completes, so waits are bounded and the scheduler is asked every
    :attr:`poll` seconds whether it still knows the job's tasks.

    Parameters
    ----------
    client : distributed.Client
    total : int
        Frames in the whole job.
    desc : str
        Bar label.
    progress : bool
        Show the bar (``tqdm.auto``: a widget in Jupyter) and the dashboard link.
    outcome : str
        What a failure leaves undone, ending the error sentences
        (``"out.h5::/data was not written"``).
    """

    poll = 2.0
    grace = 30.0

    def __init__(self, client: Any, total: int, desc: str, progress: bool, outcome: str):
        import uuid

        from tqdm.auto import tqdm

        self.client, self.desc, self.outcome = client, desc, outcome
        self.futures: list[Any] = []
        self.sent: dict[str, float] = {}  # key -> when it was submitted (time.monotonic)
        self.seen: set[str] = set()  # keys the scheduler was found to know
        self.frames: dict[str, tuple[int, int]] = {}  # key -> (first frame, frame count)
        self.finished: queue.Queue = queue.Queue()  # futures as they end, for as_completed
        self.taken = 0  # of them, taken out of the queue
        self.token = uuid.uuid4().hex[:10]  # keys unique per job, readable on the dashboard
        self.bar = tqdm(total=total, unit="frame", desc=desc, disable=not progress)
        link = dashboard(client) if progress else None
        if link:
            self.bar.write(f"{desc}: dask dashboard at {link}", file=sys.stderr)

    def _done(self, future: Any, frames: int) -> None:
        if future.status == "finished":
            self.bar.update(frames)
        self.finished.put(future)

    def _lost(self, what: str, exc: BaseException | str) -> RuntimeError:
        return RuntimeError(f"{self.desc}: {what} (the cluster was restarted, shut down or lost workers: "
                            f"{exc}); {self.outcome}")

    def _span(self, future: Any) -> str:
        start, frames = self.frames.get(future.key, (0, 0))
        return f"frames {start}-{start + frames - 1}"

    def scatter(self, values: list) -> list:
        """``values`` sent once to every worker (not with every task)."""
        try:
            return self.client.scatter(values, broadcast=True, hash=False)
        except Exception as exc:
            raise self._lost("the dark and flat frames could not be sent to the workers", exc) from exc

    def submit(self, fn: Any, *args: Any, start: int, frames: int, **kwargs: Any) -> Any:
        """Submit the task of frames ``start … start + frames - 1``; the bar moves when it finishes."""
        key = f"h5lens-{self.desc}-{self.token}-{start}"
        try:
            future = self.client.submit(fn, *args, key=key, pure=False, **kwargs)
        except Exception as exc:
            raise self._lost(f"frames {start}-{start + frames - 1} could not be submitted", exc) from exc
        # runs in the client's event-loop thread as the cluster reports the task done (or failed, cancelled)
        future.add_done_callback(lambda f: self._done(f, frames))
        self.futures.append(future)
        self.sent[key] = time.monotonic()
        self.frames[key] = (start, frames)
        return future

    def _check(self, futures: list) -> None:
        """Raise if the scheduler no longer knows one of ``futures`` (it would never finish).

        This question travels apart from the submissions (the client's batched stream), so a
        task the scheduler has not heard of *yet* is not lost: on a loaded machine a long
        job's last submissions can reach it seconds later. A task is lost once the scheduler
        knew it and forgot it, or has not heard of it :attr:`grace` seconds after it was sent.
        """
        try:
            known = self.client.run_on_scheduler(_known, [f.key for f in futures])
        except Exception as exc:
            raise self._lost(f"{self._span(futures[0])} were lost", exc) from exc
        now = time.monotonic()
        for future, state in zip(futures, known):
            if state == "known":
                self.seen.add(future.key)
            elif (state == "forgotten" or future.key in self.seen
                  or now - self.sent.get(future.key, now) > self.grace):
                raise self._lost(f"{self._span(future)} were lost", "the scheduler forgot the task")

    def result(self, future: Any) -> Any:
        """The result of ``future`` (waits); the task's own error is raised as it is.

        Waits go through the future's own client (``distributed.wait`` and
        ``as_completed`` would use the process's default client, another one
        when several are open), :attr:`poll` seconds at a time.
        """
        distributed = require()
        while True:
            try:
                return future.result(timeout=self.poll)
            except Exception as exc:
                if isinstance(exc, distributed.KilledWorker):
                    raise self._lost(f"the workers computing {self._span(future)} died repeatedly", exc) from exc
                if future.status == "error":  # the task's own error: already a sentence
                    raise
                if isinstance(exc, TimeoutError) and future.status in ("pending", "lost"):  # lost: recomputed
                    self._check([future])
                    continue
                raise self._lost(f"{self._span(future)} were cancelled or lost", exc) from exc

    def as_completed(self, futures: list) -> Iterator[Any]:
        """``futures`` in the order they finish (or fail, or are cancelled)."""
        todo = {f.key: f for f in futures}
        while todo:
            try:
                future = self.finished.get(timeout=self.poll)
            except queue.Empty:
                self._check(list(todo.values()))
                continue
            self.taken += 1
            if todo.pop(future.key, None) is not None:
                yield future

    def cancel(self, timeout: float = 60.0) -> None:
        """Cancel every future and wait until no worker still runs one of them.

        The scheduler forgets a cancelled task at once, but a worker cannot
        stop one that is running: it finishes, and might write a chunk after
        the caller removed the temporary output. So the workers themselves are
        asked until none of them holds a task of this job any more. Each
        question is bounded: a cluster being restarted may not answer, and
        its workers are killed anyway.
        """
        prefix, future = f"h5lens-{self.desc}-{self.token}-", require().Future
        with contextlib.suppress(Exception):
            # a Ctrl-C inside client.submit leaves a future the client made (its graph already on its way
            # to the scheduler) that never reached this tracker: cancel the client's futures of this job too
            strays = [future(k, self.client) for k in list(self.client.futures) if str(k).startswith(prefix)]
            self.client.cancel(self.futures + strays, force=True)
        deadline, quiet = time.monotonic() + timeout, 0
        while time.monotonic() < deadline:
            left = _bounded(lambda: self.client.run_on_scheduler(_scheduled, prefix), 10.0)
            if left:
                with contextlib.suppress(Exception):
                    self.client.cancel([future(key, self.client) for key in left], force=True)
            busy = _bounded(lambda: self.client.run(_running, prefix, on_error="ignore"), 10.0)
            # these questions do not travel with the cancellation (the client's batched stream to the
            # scheduler, the scheduler's to the workers): only two quiet answers in a row count
            quiet = quiet + 1 if not left and (not busy or not any(busy.values())) else 0
            if quiet == 2:
                return
            time.sleep(0.1)

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until every future's completion has reached the bar.

        A result can be fetched before the client's event loop has run the
        callback that moves the bar; without this the bar could close short.
        """
        deadline = time.monotonic() + timeout
        while self.finished.qsize() + self.taken < len(self.futures) and time.monotonic() < deadline:
            time.sleep(0.01)

    def close(self) -> None:
        """Close the bar."""
        self.bar.close()


def _bounded(fn: Any, timeout: float) -> Any:
    """``fn()`` run in a thread, or None if it raises or does not return within ``timeout`` seconds."""
    box: list = []

    def call() -> None:
        with contextlib.suppress(Exception):
            box.append(fn())

    thread = threading.Thread(target=call, name="h5lens-cluster-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    return box[0] if box else None


def _known(keys: list[str], dask_scheduler: Any = None) -> list[str]:
    """On the scheduler: ``"known"``, ``"forgotten"`` (a restart forgets every task) or ``"unheard"``.

    Forgotten tasks are told from those not arrived yet by the scheduler's transition log
    (bounded: an old task may have left it; :meth:`Tracker._check` then waits its grace).
    """
    tasks = getattr(dask_scheduler, "tasks", {})
    heard = {str(t.key) for t in list(getattr(dask_scheduler, "transition_log", ()))}
    return ["known" if key in tasks else "forgotten" if key in heard else "unheard" for key in keys]


def _scheduled(prefix: str, dask_scheduler: Any = None) -> list[str]:
    """On the scheduler: keys starting with ``prefix`` still to be computed (waiting, queued or running)."""
    tasks = getattr(dask_scheduler, "tasks", {})
    return [str(k) for k, ts in list(tasks.items())
            if str(k).startswith(prefix) and ts.state in ("waiting", "queued", "no-worker", "processing")]


def _running(prefix: str, dask_worker: Any = None) -> list[str]:
    """On a worker: keys starting with ``prefix`` that it still runs (cancelled or not)."""
    tasks = getattr(getattr(dask_worker, "state", None), "tasks", {})
    return [str(k) for k, ts in list(tasks.items())
            if str(k).startswith(prefix) and ts.state in ("executing", "long-running", "cancelled", "resumed")]


@contextlib.contextmanager
def tracked(client: Any, total: int, desc: str, progress: bool, outcome: str) -> Iterator[Tracker]:
    """A :class:`Tracker` whose futures are cancelled if the block raises (Ctrl-C too)."""
    tracker = Tracker(client, total, desc, progress, outcome)
    try:
        yield tracker
        tracker.settle()
    except BaseException:
        tracker.cancel()
        raise
    finally:
        tracker.close()

