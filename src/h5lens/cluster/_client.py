"""The dask.distributed client of a job: resolve it, follow its futures, cancel them cleanly.

Nothing here schedules anything: dask's scheduler places the tasks, retries
those of a worker that died, and runs them where the data is. This module
only turns ``client=`` into a client, shows one progress bar fed by task
completions, and on any exception (Ctrl-C included) cancels the job's futures
and waits until no task of the job still runs, so that cleaning up the
temporary output cannot race with a late write.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import Any

EXTRA = "pip install 'h5lens[dask]'"


def require(what: str = "client=") -> Any:
    """Import and return ``distributed``, or raise ImportError naming the extra."""
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(f"{what} needs dask.distributed, which is not installed: {EXTRA}") from exc
    return distributed


@contextlib.contextmanager
def resolved(client: Any) -> Iterator[Any]:
    """Yield a ``distributed.Client`` for ``client`` (a Client, or ``"local"``).

    ``"local"`` starts a :class:`distributed.LocalCluster` of processes (one
    thread each: the work holds the GIL while correcting) for this call only.
    """
    distributed = require()
    if isinstance(client, distributed.Client):
        yield client
        return
    if client != "local":
        raise TypeError(f"client must be None, a dask.distributed.Client or 'local', not {client!r}")
    with distributed.LocalCluster(threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as local:
        yield local


def n_threads(client: Any) -> int:
    """Worker threads in the cluster now (at least 1)."""
    return max(1, sum(client.nthreads().values()))


def dashboard(client: Any) -> str | None:
    """The dashboard link when the scheduler serves one, else None."""
    try:
        served = "dashboard" in client.scheduler_info().get("services", {})
    except Exception:  # an old or unusual scheduler: show no link rather than fail the job
        return None
    return client.dashboard_link if served else None


class Tracker:
    """One progress bar for a job's futures, and their cancellation on failure.

    Parameters
    ----------
    client : distributed.Client
    total : int
        Frames in the whole job.
    desc : str
        Bar label.
    progress : bool
        Show the bar (``tqdm.auto``: a widget in Jupyter) and the dashboard link.
    """

    def __init__(self, client: Any, total: int, desc: str, progress: bool):
        import uuid

        from tqdm.auto import tqdm

        self.client, self.desc = client, desc
        self.futures: list[Any] = []
        self.token = uuid.uuid4().hex[:10]  # keys unique per job, readable on the dashboard
        self.bar = tqdm(total=total, unit="frame", desc=desc, disable=not progress)
        link = dashboard(client) if progress else None
        if link:
            self.bar.write(f"{desc}: dask dashboard at {link}", file=sys.stderr)

    def submit(self, fn: Any, *args: Any, start: int, frames: int, **kwargs: Any) -> Any:
        """Submit the task of frames ``start … start + frames - 1``; the bar moves when it finishes."""
        key = f"h5lens-{self.desc}-{self.token}-{start}"
        future = self.client.submit(fn, *args, key=key, pure=False, **kwargs)
        # runs in the client's event-loop thread as the cluster reports the task done
        future.add_done_callback(lambda f: self.bar.update(frames) if f.status == "finished" else None)
        self.futures.append(future)
        return future

    def result(self, future: Any, start: int, frames: int, target: str) -> Any:
        """The result of ``future``; a lost task (workers dying, cluster restarted) raises a sentence."""
        distributed = require()
        try:
            return future.result()
        except distributed.KilledWorker as exc:
            raise RuntimeError(f"{self.desc}: the workers computing frames {start}-{start + frames - 1} died "
                               f"repeatedly ({exc}); {target} was not written") from exc
        except Exception as exc:
            if "Cancelled" not in type(exc).__name__:  # the task's own error: already a sentence
                raise
            raise RuntimeError(f"{self.desc}: frames {start}-{start + frames - 1} were cancelled on the cluster "
                               f"(restarted or shut down?); {target} was not written") from exc

    def cancel(self, timeout: float = 60.0) -> None:
        """Cancel every future and wait until no worker still runs one of them.

        The scheduler forgets a cancelled task at once, but a worker cannot
        stop one that is running: it finishes, and might write a chunk after
        the caller removed the temporary output. So the workers themselves are
        asked until none of them holds a task of this job any more.
        """
        with contextlib.suppress(Exception):
            self.client.cancel(self.futures, force=True)
        prefix = f"h5lens-{self.desc}-{self.token}-"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                busy = self.client.run(_running, prefix)
            except Exception:  # no scheduler or no worker left: nothing runs any more
                return
            if not any(busy.values()):
                return
            time.sleep(0.05)

    def close(self) -> None:
        """Close the bar."""
        self.bar.close()


def _running(prefix: str, dask_worker: Any = None) -> list[str]:
    """On a worker: keys starting with ``prefix`` that it still runs (cancelled or not)."""
    tasks = getattr(getattr(dask_worker, "state", None), "tasks", {})
    return [str(k) for k, ts in list(tasks.items())
            if str(k).startswith(prefix) and ts.state in ("executing", "long-running", "cancelled", "resumed")]


@contextlib.contextmanager
def tracked(client: Any, total: int, desc: str, progress: bool) -> Iterator[Tracker]:
    """A :class:`Tracker` whose futures are cancelled if the block raises (Ctrl-C too)."""
    tracker = Tracker(client, total, desc, progress)
    try:
        yield tracker
    except BaseException:
        tracker.cancel()
        raise
    finally:
        tracker.close()

