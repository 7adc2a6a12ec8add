"""Remote sources on a slow network: h5lens against the naive path, side by side.

The network is a delay proxy on 127.0.0.1 (``tests/fixtures/delay_proxy.py``:
this kernel has no netem) adding ``--rtt`` ms of round trip and, with
``--mbit``, a bandwidth cap per direction. The proxy counts every HTTP request
and the bytes sent back, whatever client sends them.

* ``open``: open + root listing + a group of 50 scalars listed with shapes +
  one frame in the middle of a ``(200, 2048, 2048)`` uint16 gzip stack, over
  HTTP (a Range-honouring static server) and S3 (moto): round trips (sequential
  waits: requests sent together count once), requests, bytes, time.
  Naive: h5py on ``fsspec.open(url)`` with fsspec's defaults.
* ``slider``: steps of the viewer's slider on that stack (``Viewer.frame`` of
  frames 101..112, one step every ``--pause`` ms as a person stepping does,
  which gives the read-ahead its chance, and back to back), goal ≤ 150 ms
  median at 20 ms RTT.
  Naive: ``f[d][i]`` with h5py on ``fsspec.open(url)``, same pace.
* ``hsds``: a 10 000-member group on HSDS: opening the domain, then the
  tree's first page (50 rows as the tree shows them), goal ≤ 300 ms at 20 ms
  RTT; then the tree widget's own page (100 rows): its ``children`` reply (rows
  of members not fetched yet go out with name and kind) and with the ``rows``
  call that fills them in (naive: h5pyd's first 100 members with their shapes
  or counts); just after writing (HSDS has no summary of the domain yet: it makes one
  within seconds, so later runs of this state may find it), once HSDS summarised
  it (h5pyd then loads every object's metadata at open), and with /wide and its
  members dropped from h5pyd's cache after the open (what h5pyd finds in a
  domain not summarised yet, held for every run).
  Naive: ``h5pyd.File`` with its defaults, then the first 50 members.

Each measure runs ``--runs`` times (each run: several repetitions, its median);
the table gives the median of the run medians and their spread, and the ratio
naive / h5lens. Usage::

    .venv/bin/python bench/remote_slow.py [--only open,slider,hsds] [--rtt 20] [--mbit 0] [--runs 3]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from fixtures.delay_proxy import DelayProxy, measure_rtt  # noqa: E402
from fixtures.servers import moto_s3, range_http  # noqa: E402

DATA = HERE / "results" / "data"
STACK = DATA / "stack200.h5"
#: moto serves a ranged GET in time growing with the object (300 ms for 200 MB here, before any delay):
#: S3 gets frames 80-119 of the stack, chunks copied as they are (same frames, same bytes).
SMALL = DATA / "stack40.h5"
CREDS = {"key": "bench-key", "secret": "bench-secret"}


def make_stack(path: Path, frames: int = 200, side: int = 2048) -> None:
    """Sparse detector-like frames (about 1 MB each compressed) with a moving spot; 50 scalar motors."""
    import h5py

    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:side, 0:side]
    part = path.with_suffix(".part")
    with h5py.File(part, "w") as f:
        d = f.create_dataset("entry/data/data", shape=(frames, side, side), dtype="uint16",
                             chunks=(1, side, side), compression="gzip")
        for i in range(frames):
            spot = 200 * np.exp(-((x - side * (i + 1) / (frames + 1)) ** 2 + (y - side / 2) ** 2) / 7200.0)
            d[i] = rng.poisson(0.3, size=(side, side)).astype(np.uint16) + spot.astype(np.uint16)
        for i in range(50):
            f.create_dataset(f"entry/instrument/motor_{i:02d}", data=float(i))
    part.rename(path)


def make_small(path: Path, first: int = 80, frames: int = 40) -> None:
    import h5py

    part = path.with_suffix(".part")
    with h5py.File(STACK, "r") as src, h5py.File(part, "w") as f:
        d = src["entry/data/data"]
        out = f.create_dataset("entry/data/data", shape=(frames, *d.shape[1:]), dtype=d.dtype, chunks=d.chunks,
                               compression="gzip")
        for i in range(frames):
            mask, raw = d.id.read_direct_chunk((first + i, 0, 0))
            out.id.write_direct_chunk((i, 0, 0), raw, mask)
        for k in src["entry/instrument"]:
            f.create_dataset(f"entry/instrument/{k}", data=src["entry/instrument"][k][()])
    part.rename(path)


def summary(runs: list[list[float]]) -> tuple[float, float, float]:
    """(median of the run medians, lowest and highest run median), in ms."""
    medians = [statistics.median(r) * 1e3 for r in runs]
    return statistics.median(medians), min(medians), max(medians)


def row(what: str, ours: list[list[float]], naive: list[list[float]], extra: str = "") -> None:
    o, n = summary(ours), summary(naive)
    print(f"{what:34s} h5lens {o[0]:7.0f} ms ({o[1]:.0f}-{o[2]:.0f})   naive {n[0]:7.0f} ms ({n[1]:.0f}-{n[2]:.0f})"
          f"   naive/h5lens {n[0] / o[0]:5.2f}x {extra}")


# -- open + listing + one frame ----------------------------------------------------------------
def no_gc(fn):
    """``fn`` run with the cyclic garbage collector held off (for the naive path; see below)."""

    def run(*args):
        gc.disable()
        try:
            return fn(*args)
        finally:
            gc.enable()

    return run


# h5py on a plain fsspec file can hang for ever: a garbage collection running in fsspec's I/O
# thread that frees an h5py object waits for h5py's lock, held by the read waiting for that thread
# (seen here: a first run of this bench hung in the naive path). h5lens' cache holds collections off
# during its reads; the naive path gets the same treatment, or it would not finish.
@no_gc
def naive_open(url: str, options: dict, middle: int) -> None:
    import fsspec
    import h5py

    with fsspec.open(url, "rb", **options) as handle, h5py.File(handle, "r") as f:
        list(f.keys())
        [f["entry/instrument"][k].shape for k in f["entry/instrument"]]
        f["entry/data/data"][middle]


def ours_open(url: str, options: dict, middle: int) -> None:
    import h5lens

    with h5lens.open(url, **({"storage_options": options} if options else {})) as root:
        root.keys()
        [n.shape for n in root["entry/instrument"].page()]
        root["entry/data/data"][middle]


def bench_open(sources: dict, runs: int, reps: int = 3) -> None:
    for kind, (proxy, url, options, middle) in sources.items():
        times: dict[str, list[list[float]]] = {"h5lens": [], "naive": []}
        counts = {}
        for _ in range(runs):
            for name, fn in (("naive", naive_open), ("h5lens", ours_open)):
                got = []
                for _ in range(reps):
                    proxy.reset()
                    t = time.perf_counter()
                    fn(url, options, middle)
                    got.append(time.perf_counter() - t)
                    counts[name] = (*proxy.counts(), proxy.rounds())
                times[name].append(got)
        (nr, nb, nt), (hr, hb, ht) = counts["naive"], counts["h5lens"]
        row(f"{kind}: open+list+frame", times["h5lens"], times["naive"],
            f"| round trips {ht} vs {nt} ({nt / ht:.1f}x fewer), requests {hr} vs {nr}, "
            f"MB {hb / 1e6:.2f} vs {nb / 1e6:.2f}")


# -- slider steps --------------------------------------------------------------------------------
def viewer_steps(root, middle: int, pause: float, steps: int) -> list[float]:
    """Seconds of each ``Viewer.frame`` reply for the steps after ``middle``, ``pause`` apart."""
    from h5lens.widgets.viewer import Viewer

    v = Viewer(root["entry/data/data"])
    msg = {"canvas": [1024, 1024]}
    v.frame({**msg, "selection": f"{middle},:,:"}, [])
    got = []
    for i in range(middle + 1, middle + 1 + steps):
        time.sleep(pause)
        t = time.perf_counter()
        reply, _ = v.frame({**msg, "selection": f"{i},:,:"}, [])
        got.append(time.perf_counter() - t)
        assert reply["ok"], reply
    v.close()
    return got


def naive_steps(url: str, options: dict, middle: int, pause: float, steps: int) -> list[float]:
    import fsspec
    import h5py

    with fsspec.open(url, "rb", **options) as handle, h5py.File(handle, "r") as f:
        d = f["entry/data/data"]
        d[middle]
        got = []
        for i in range(middle + 1, middle + 1 + steps):
            time.sleep(pause)
            t = time.perf_counter()
            d[i]
            got.append(time.perf_counter() - t)
    return got


def bench_slider(sources: dict, runs: int, pause: float, steps: int = 12) -> None:

    import h5lens

    local: list[list[float]] = []
    for kind, (_proxy, url, options, middle) in sources.items():
        times: dict[str, list[list[float]]] = {"h5lens": [], "naive": []}
        for _ in range(runs):
            with h5lens.open(url, **({"storage_options": options} if options else {})) as root:
                times["h5lens"].append(viewer_steps(root, middle, pause, steps))
            times["naive"].append(no_gc(naive_steps)(url, options, middle, pause, steps))
            if kind == "http":  # the same steps on the local file: what the network adds
                with h5lens.open(STACK) as root:
                    local.append(viewer_steps(root, middle, pause, steps))
        row(f"{kind}: slider step (pause {pause * 1e3:.0f} ms)", times["h5lens"], times["naive"])
    if local:
        m, lo, hi = summary(local)
        print(f"{'local file: slider step':34s} h5lens {m:7.0f} ms ({lo:.0f}-{hi:.0f})   (no network: the CPU's share)")


# -- HSDS: first page of a 10 000-member group ----------------------------------------------------
def wait_summary(endpoint: str, domain: str, login: dict, timeout: float = 180.0) -> float | None:
    """Seconds until HSDS has summarised the domain (then h5pyd loads every object's metadata at open)."""
    import requests

    t = time.perf_counter()
    while time.perf_counter() - t < timeout:
        answer = requests.get(endpoint + "/", params={"domain": domain, "getobjs": 1}, timeout=30,
                              auth=(login["username"], login["password"]))
        if answer.ok and answer.json().get("domain_objs"):
            return time.perf_counter() - t
        time.sleep(2)
    return None


def evict(f) -> None:
    """Drop /wide and its members from h5pyd's object cache: as h5pyd finds them in a domain HSDS has not
    summarised yet (it then fetches each object when first opened). Summaries come within seconds of the
    last write, so the fresh state cannot be held for several runs: this gives it at each open."""
    db = f.id.db
    consolidated = getattr(db.plugin, "_domain_objs", {})  # what the domain request brought at open
    wide = db.getLink(f.id.id, "wide")["id"]
    for obj_id in [db.getLink(wide, name)["id"] for name in db.getLinks(wide)] + [wide]:
        db.db.pop(obj_id, None)
        consolidated.pop(obj_id, None)


def hsds_runs(endpoint: str, login: dict, proxy, runs: int, reps: int, cold: bool = False) -> dict:
    """{(path, phase): run lists of seconds}: open, then the first page of /wide as the tree shows it
    (``cold``: /wide and its members dropped from h5pyd's cache after the open, see :func:`evict`)."""
    import h5pyd

    import h5lens
    from h5lens.tree_rows import page_info
    from h5lens.widgets.tree import Tree

    times: dict = {}
    for _ in range(runs):
        for name in ("naive", "h5lens"):
            got: dict[str, list[float]] = {"open": [], "page": [], "tree page sent": [], "tree rows filled": []}
            for _ in range(reps):
                proxy.reset()
                t = time.perf_counter()
                if name == "naive":
                    with h5pyd.File("/home/bench/wide.h5", "r", endpoint=endpoint, **login) as f:
                        if cold:
                            evict(f)
                        t1 = time.perf_counter()
                        g = f["wide"]
                        [type(g[n]).__name__ for n in list(g)[:50]]
                        t2 = time.perf_counter()
                    with h5pyd.File("/home/bench/wide.h5", "r", endpoint=endpoint, **login) as f:
                        if cold:
                            evict(f)
                        t3 = time.perf_counter()
                        g = f["wide"]
                        [(o.shape if hasattr(o, "shape") else len(o)) for o in (g[n] for n in list(g)[:100])]
                        t4 = t5 = time.perf_counter()
                else:
                    with h5lens.open("hdf5://home/bench/wide.h5", endpoint=endpoint, **login) as root:
                        if cold:
                            evict(root._h5)
                        t1 = time.perf_counter()
                        assert len(page_info(root["wide"].page(0, 50), 1.0)) == 50
                        t2 = time.perf_counter()
                    with h5lens.open("hdf5://home/bench/wide.h5", endpoint=endpoint, **login) as root:
                        if cold:
                            evict(root._h5)
                        tree = Tree(root)  # the tree's default page (100 rows): its two commands
                        t3 = time.perf_counter()
                        page = tree.children({"path": "/wide"}, [])[0]
                        t4 = time.perf_counter()
                        paths = [r["path"] for r in page["items"] if r.get("pending")]
                        if paths:
                            tree.rows({"path": "/wide", "paths": paths}, [])
                        t5 = time.perf_counter()
                        tree.close()
                got["open"].append(t1 - t)
                got["page"].append(t2 - t1)
                got["tree page sent"].append(t4 - t3)
                got["tree rows filled"].append(t5 - t3)
            for phase in got:
                times.setdefault((name, phase), []).append(got[phase])
    return times


def bench_hsds(rtt: float, mbit: float | None, runs: int, reps: int = 3, members: int = 10_000) -> None:
    import h5pyd
    from fixtures.servers import hsds

    user, password = "bench", "bench-pw"
    with tempfile.TemporaryDirectory() as tmp:
        server = hsds(Path(tmp) / "data", user, password, log=Path(tmp) / "hsds.log")
        proxy = None
        try:
            login = {"username": user, "password": password}
            for folder in ("/home/", "/home/bench/"):
                h5pyd.Folder(folder, mode="x", endpoint=server.url, **login).close()
            t = time.perf_counter()
            with h5pyd.File("/home/bench/wide.h5", "w", endpoint=server.url, **login) as f:
                g = f.create_group("wide")
                for i in range(members):
                    g.create_group(f"member_{i:05d}")
                    if i % 500 == 499:  # h5pyd sends its batch of links in one request: keep it small
                        f.flush()
            print(f"(hsds: {members} members written in {time.perf_counter() - t:.0f} s)")
            proxy = DelayProxy(server.port, rtt, mbit)
            endpoint = proxy.url(server.url)
            # just written: HSDS has no summary of the domain yet, h5pyd fetches objects one by one
            states = [("fresh domain", hsds_runs(endpoint, login, proxy, runs, reps))]
            waited = wait_summary(server.url, "/home/bench/wide.h5", login)
            print(f"(hsds: domain summarised after {waited if waited is None else round(waited)} s more)")
            if waited is not None:  # the usual state of a domain loaded earlier: all metadata at open
                states.append(("summarised domain", hsds_runs(endpoint, login, proxy, runs, reps)))
                states.append(("members not cached", hsds_runs(endpoint, login, proxy, runs, reps, cold=True)))
            for state, times in states:
                for phase in ("open", "page", "tree page sent", "tree rows filled"):
                    row(f"hsds {state}: {phase}", times[("h5lens", phase)], times[("naive", phase)])
        finally:
            if proxy is not None:
                proxy.stop()
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="open,slider,hsds")
    parser.add_argument("--rtt", type=float, default=20.0, help="round trip added, ms")
    parser.add_argument("--mbit", type=float, default=0.0, help="bandwidth per direction (0: loopback's)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pause", default="200,0", help="ms between slider steps (each value measured)")
    args = parser.parse_args()
    only, rtt, mbit = args.only.split(","), args.rtt / 1e3, args.mbit or None
    if ("open" in only or "slider" in only) and not STACK.exists():
        print(f"writing {STACK} (once, about 200 MB)...")
        make_stack(STACK)
    if ("open" in only or "slider" in only) and not SMALL.exists():
        make_small(SMALL)
    servers, proxies, sources = [], [], {}
    try:
        if "open" in only or "slider" in only:
            http = range_http(STACK.parent)
            servers.append(http)
            proxies.append(DelayProxy(http.port, rtt, mbit))
            sources["http"] = (proxies[-1], proxies[-1].url(http.url) + "/" + STACK.name, {}, 100)
            print(f"network: {measure_rtt(proxies[-1]) * 1e3:.1f} ms HTTP round trip through the proxy, "
                  f"{args.mbit or 'no'} Mbit/s cap")
            s3 = moto_s3()
            servers.append(s3)
            import boto3

            boto3.client("s3", endpoint_url=s3.url, region_name="us-east-1", aws_access_key_id=CREDS["key"],
                         aws_secret_access_key=CREDS["secret"]).create_bucket(Bucket="bench")
            boto3.client("s3", endpoint_url=s3.url, region_name="us-east-1", aws_access_key_id=CREDS["key"],
                         aws_secret_access_key=CREDS["secret"]).upload_file(str(SMALL), "bench", SMALL.name)
            proxies.append(DelayProxy(s3.port, rtt, mbit))
            sources["s3"] = (proxies[-1], f"s3://bench/{SMALL.name}",
                             {**CREDS, "client_kwargs": {"endpoint_url": proxies[-1].url(s3.url),
                                                         "region_name": "us-east-1"}}, 20)
        if "open" in only:
            bench_open(sources, args.runs)
        if "slider" in only:
            for pause in args.pause.split(","):
                bench_slider(sources, args.runs, float(pause) / 1e3)
    finally:
        for p in proxies:
            p.stop()
        for s in servers:
            s.stop()
    if "hsds" in only:
        bench_hsds(rtt, mbit, args.runs)


if __name__ == "__main__":
    main()
