"""Open + root listing + one frame through a data service, h5lens against the service's own client.

The same steps as ``remote_slow.py --only open`` (open, root listing, a group of
50 scalars listed with shapes, the middle frame of a gzip stack of 2048 x 2048
uint16 frames), on ``stack40.h5`` (frames 80-119 of the 200-frame stack, the
same chunks) served by:

* HSDS (``hsload``), naive: ``h5pyd.File`` with its defaults;
* tiled (``tiled serve directory``), naive: ``tiled.client.from_uri`` and
  ``array[i]``.

Both go through the delay proxy (``--rtt``), which counts round trips (requests
sent together count once), requests and bytes sent back. Each measure runs
``--runs`` times (3 repetitions each); the table gives the median of the run
medians, their spread and the ratio naive / h5lens. Usage::

    .venv/bin/python bench/remote_services.py [--only hsds,tiled] [--rtt 20] [--mbit 0] [--runs 3]
        [--hsds-compression off,on]

HSDS runs twice: as configured by default, and with ``http_compression`` on
(its replies deflated for clients that accept it: h5pyd asks for
``deflate, gzip`` and decodes them, so h5lens reading through h5pyd gets them
too); the proxy counts the bytes as sent.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from fixtures.delay_proxy import DelayProxy  # noqa: E402
from remote_slow import SMALL, STACK, make_small, make_stack, row  # noqa: E402

MIDDLE = 20


def steps(root) -> None:
    """What the user does first: the root listing, a group listed with shapes, the middle frame."""
    root.keys()
    [n.shape for n in root["entry/instrument"].page()]
    root["entry/data/data"][MIDDLE]


def naive_h5pyd(endpoint: str, login: dict) -> None:
    import h5pyd

    with h5pyd.File("/home/bench/stack40.h5", "r", endpoint=endpoint, **login) as f:
        list(f.keys())
        [f["entry/instrument"][k].shape for k in f["entry/instrument"]]
        f["entry/data/data"][MIDDLE]


def ours_h5pyd(endpoint: str, login: dict) -> None:
    import h5lens

    with h5lens.open("hdf5://home/bench/stack40.h5", endpoint=endpoint, **login) as root:
        steps(root)


def naive_tiled(url: str) -> None:
    from tiled.client import from_uri

    node = from_uri(url)
    list(node)
    [a.shape for a in node["entry"]["instrument"].values()]
    node["entry"]["data"]["data"][MIDDLE]
    node.context.close()


def ours_tiled(url: str) -> None:
    import h5lens

    with h5lens.open("tiled+" + url) as root:
        steps(root)


def measure(proxy: DelayProxy, runs: int, naive, ours, what: str, reps: int = 3) -> None:
    times: dict[str, list[list[float]]] = {"h5lens": [], "naive": []}
    counts = {}
    for _ in range(runs):
        for name, fn in (("naive", naive), ("h5lens", ours)):
            got = []
            for _ in range(reps):
                proxy.reset()
                t = time.perf_counter()
                fn()
                got.append(time.perf_counter() - t)
                counts[name] = (*proxy.counts(), proxy.rounds())
            times[name].append(got)
    (nr, nb, nt), (hr, hb, ht) = counts["naive"], counts["h5lens"]
    row(what, times["h5lens"], times["naive"],
        f"| round trips {ht} vs {nt} ({nt / ht:.1f}x fewer), requests {hr} vs {nr}, "
        f"MB {hb / 1e6:.2f} vs {nb / 1e6:.2f}")


def bench_hsds(rtt: float, runs: int, mbit: float | None = None, compression: str = "off,on") -> None:
    """``compression``: which HSDS to measure, ``off`` (its default: frames sent as they are in memory)
    and/or ``on`` (``http_compression``: replies deflated when the client accepts it, as h5pyd does)."""
    import h5pyd
    from fixtures.servers import hsds

    user, password = "bench", "bench-pw"
    login = {"username": user, "password": password}
    for setting in compression.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            config = {"http_compression": 1} if setting == "on" else {}
            server = hsds(Path(tmp) / "data", user, password, log=Path(tmp) / "hsds.log", config=config)
            proxy = None
            try:
                for folder in ("/home/", "/home/bench/"):
                    h5pyd.Folder(folder, mode="x", endpoint=server.url, **login).close()
                tools = Path(sys.executable).parent
                subprocess.run([str(tools / "hsload"), "-e", server.url, "-u", user, "-p", password, str(SMALL),
                                "/home/bench/"], check=True, timeout=900, capture_output=True)
                proxy = DelayProxy(server.port, rtt, mbit)
                endpoint = proxy.url(server.url)
                measure(proxy, runs, lambda e=endpoint: naive_h5pyd(e, login), lambda e=endpoint: ours_h5pyd(e, login),
                        f"hsds http_compression {setting}: open+list+frame")
            finally:
                if proxy is not None:
                    proxy.stop()
                server.stop()


def bench_tiled(rtt: float, runs: int) -> None:
    import shutil

    from fixtures.servers import tiled_directory

    with tempfile.TemporaryDirectory() as tmp:
        files = Path(tmp) / "files"
        files.mkdir()
        shutil.copy(SMALL, files / SMALL.name)
        server = tiled_directory(files, log=Path(tmp) / "tiled.log")
        proxy = None
        try:
            proxy = DelayProxy(server.port, rtt)
            url = proxy.url(server.url) + f"/api/v1/metadata/{SMALL.stem}"
            measure(proxy, runs, lambda: naive_tiled(url), lambda: ours_tiled(url), "tiled: open+list+frame")
        finally:
            if proxy is not None:
                proxy.stop()
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="hsds,tiled")
    parser.add_argument("--rtt", type=float, default=20.0, help="round trip added, ms")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mbit", type=float, default=0.0, help="bandwidth per direction (0: loopback's)")
    parser.add_argument("--hsds-compression", default="off,on", help="HSDS's http_compression: off, on or both")
    args = parser.parse_args()
    if not STACK.exists():
        make_stack(STACK)
    if not SMALL.exists():
        make_small(SMALL)
    if "tiled" in args.only:
        bench_tiled(args.rtt / 1e3, args.runs)
    if "hsds" in args.only:
        bench_hsds(args.rtt / 1e3, args.runs, args.mbit or None, args.hsds_compression)


if __name__ == "__main__":
    main()
