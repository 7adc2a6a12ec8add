"""The dask.distributed client of a job: ``client=`` resolved, its size and dashboard.

Nothing in this package schedules anything: dask's scheduler places the
tasks, retries those of a worker that died, and runs them where the data is.
This module turns ``client=`` into a client; :mod:`._tracker` follows a
job's futures, shows one progress bar fed by task completions, and on any
exception (Ctrl-C included) cancels the job's futures and waits until no task
of the job still runs, so that cleaning up the temporary output cannot race
with a late write.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

EXTRA = "pip install 'h5lens[dask]'"
#: where the processes of a ``client="local"`` cluster listen (this machine only; any free port)
LOOPBACK = "127.0.0.1"


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
    Its scheduler, dashboard, nannies and workers listen on 127.0.0.1 only:
    a dashboard on every interface (what ``dashboard_address=":0"`` binds)
    would show the job's file names and let anyone on the network reach it.
    """
    distributed = require()
    if isinstance(client, distributed.Client):
        yield client
        return
    if client != "local":
        raise TypeError(f"client must be None, a dask.distributed.Client or 'local', not {client!r}")
    with distributed.LocalCluster(threads_per_worker=1, processes=True, host=LOOPBACK,
                                  dashboard_address=f"{LOOPBACK}:0") as cluster, \
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
