"""Benchmark: flat-field of a big uint16 stack to Zarr, single process vs dask.distributed.

Side by side, on the same HDF5 stack (warm page cache) and the same Zarr
output settings (float32, no compression):

- ``single``: ``h5lens.flatfield_stack(src, flat, dark, "out.zarr::/c")``, no client;
- ``h5lens W``: the same call with ``client=`` a LocalCluster of W worker
  processes (one thread each);
- ``dask W``: the plain dask.array code a user would write on that cluster,
  ``raw = da.from_array(h5py_dataset)`` (auto chunks),
  ``((raw - dark) / (flat - dark)).to_zarr(...)`` with float32 flat and dark.

Each is timed ``--repeat`` times per run, the configurations in turn (a
warm-up job first on each new cluster), and the whole set is run ``--runs``
times (fresh clusters each time). Printed side by side: per configuration the median over runs of the
per-run medians, with the spread (min-max of those medians), as seconds,
frames/s and MB/s of input, and the peak resident memory of each worker
process (``VmHWM``); then the ratios (h5lens W / h5lens 1, the scaling
efficiency, h5lens W / single, h5lens W / dask W), each the ratio of the
medians of medians with the spread of the per-run ratios. The load average
is printed too: the machine is shared.

Usage::

    .venv/bin/python bench/flatfield_dask.py [--frames 400] [--size 2048] [--workers 1 2]
                                             [--repeat 1] [--runs 3] [--data stack.h5]
                                             [--output result.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import warnings
from pathlib import Path

import h5py
import numpy as np
from flatfield_chunked import timings  # bench/ is the script's path

import h5lens
from h5lens.tutorial.sample_data import large_stack


def _peak_rss_mb() -> float:
    """This process's resident-set high-water mark since it started (``VmHWM``).

    Not ``ru_maxrss``: a worker is forked from this bench process and
    ``ru_maxrss`` keeps the parent's resident set from before the ``exec``.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource  # not Linux

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn, repeat: int, out: Path) -> list[float]:
    # The previous result is removed untimed, as in the single-machine bench.
    return timings(repeat, fn, setup=lambda: shutil.rmtree(out, ignore_errors=True))


def _plain_dask(spec: str, flat: np.ndarray, dark: np.ndarray, out: Path) -> None:
    import dask.array as da

    shutil.rmtree(out, ignore_errors=True)
    with h5py.File(spec.split("::")[0], "r") as h5:
        raw = da.from_array(h5["raw"])  # what a user writes: auto chunks from the HDF5 ones
        flat32, dark32 = flat.astype(np.float32), dark.astype(np.float32)
        res = (raw - dark32) / (flat32 - dark32)
        res.to_zarr(str(out), component="c", compressors=None)


def measure(src: Path, workers: list[int], repeat: int, tmp: Path, plain_dask: bool = True) -> dict:
    """Time every configuration; return medians, ratios and worker memory.

    All clusters are started first and kept (idle workers cost nothing), then
    the configurations are timed in turn, ``repeat`` rounds: on a shared
    machine whose load changes by the minute, each configuration then sees
    the same spells of load, which timing them one after the other does not.
    """
    import contextlib

    from distributed import Client, LocalCluster

    load_before = os.getloadavg()
    with h5py.File(src, "r") as h5:
        flat, dark, shape = h5["flat"][()], h5["dark"][()], h5["raw"].shape
    n, mb = shape[0], np.prod(shape) * 2 / 1e6
    spec, out = f"{src}::/raw", tmp / "out.zarr"
    warm = tmp / "warm.h5"
    if not warm.exists():  # made once: plain dask's graphs keep it open in this process
        large_stack(warm, frames=8, shape=(64, 64))
    with h5py.File(warm, "r") as h5:
        warm_flat = h5["flat"][()]

    def h5lens_job(client):
        h5lens.flatfield_stack(spec, flat, dark, f"{out}::/c", client=client, progress=False)

    def dask_job(client):
        with client.as_current():
            _plain_dask(spec, flat, dark, out)

    with contextlib.ExitStack() as stack:
        jobs: dict = {"single": (None, lambda: h5lens_job(None))}
        for w in workers:
            for name, fn in [("h5lens", h5lens_job), ("dask", dask_job)][:2 if plain_dask else 1]:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    cluster = stack.enter_context(LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                                                               dashboard_address=":0"))
                client = stack.enter_context(Client(cluster))
                # imports and first-use costs on the workers, on a tiny stack
                if name == "h5lens":
                    h5lens.flatfield_stack(f"{warm}::/raw", warm_flat, warm_flat // 50, f"{tmp}/warm.zarr::/c",
                                           client=client, progress=False, overwrite=True)
                else:
                    with client.as_current():
                        _plain_dask(f"{warm}::/raw", warm_flat, warm_flat // 50, tmp / "warm_dask.zarr")
                jobs[f"{name} {w}"] = (client, lambda fn=fn, client=client: fn(client))
        rows: dict = {name: {"times": []} for name in jobs}
        check = None
        for _ in range(repeat):
            for name, (_client, job) in jobs.items():
                rows[name]["times"] += _timed(job, 1, out)
                got = zarr_open(out)[::max(1, n // 7)]
                check = got if check is None else check
                assert np.array_equal(got.view(np.uint32), check.view(np.uint32)), f"{name}: result differs"
        for name, (client, _) in jobs.items():
            if client is not None:
                rows[name]["worker_peak_rss_mb"] = sorted(round(v) for v in client.run(_peak_rss_mb).values())
    shutil.rmtree(out, ignore_errors=True)
    for row in rows.values():
        row["median_s"] = round(statistics.median(row["times"]), 3)
        row["times"] = [round(t, 3) for t in row["times"]]
        row["frames_per_s"] = round(n / row["median_s"], 2)
        row["input_mb_per_s"] = round(mb / row["median_s"], 1)
    one = rows.get("h5lens 1")
    ratios = {}
    for w in workers:
        ours = rows[f"h5lens {w}"]["median_s"]
        ratios[f"h5lens {w} / single"] = round(rows["single"]["median_s"] / ours, 3)
        if f"dask {w}" in rows:
            ratios[f"h5lens {w} / dask {w}"] = round(rows[f"dask {w}"]["median_s"] / ours, 3)
        if one:
            ratios[f"h5lens {w} / h5lens 1"] = round(one["median_s"] / ours, 3)
            ratios[f"efficiency {w}"] = round(one["median_s"] / ours / w, 3)
    return {"shape": list(shape), "input_mb": round(mb), "load_average_before": load_before,
            "rows": rows, "ratios": ratios}


def summarize(runs: list[dict]) -> dict:
    """Median of the per-run medians of every configuration and ratio, with their spreads."""
    n = runs[0]["shape"][0]
    mb = runs[0]["input_mb"]
    rows = {}
    for name in runs[0]["rows"]:
        medians = [r["rows"][name]["median_s"] for r in runs]
        mom = statistics.median(medians)
        rss = [v for r in runs for v in r["rows"][name].get("worker_peak_rss_mb", [])]
        rows[name] = {"median_of_medians_s": round(mom, 3), "spread_s": [min(medians), max(medians)],
                      "frames_per_s": round(n / mom, 2), "input_mb_per_s": round(mb / mom, 1),
                      "worker_peak_rss_mb_max": max(rss) if rss else None}
    ratios = {}
    for key in runs[0]["ratios"]:
        per_run = [r["ratios"][key] for r in runs]
        ratios[key] = {"median": round(statistics.median(per_run), 3), "spread": [min(per_run), max(per_run)]}
    return {"rows": rows, "ratios": ratios}


def table(summary: dict) -> str:
    """The summary as text, configurations side by side."""
    lines = [f"{'configuration':<14}{'median s':>10}  {'spread s':<16}{'frames/s':>9}{'MB/s in':>9}"
             f"{'worker RSS MB':>15}"]
    for name, row in summary["rows"].items():
        lo, hi = row["spread_s"]
        rss = row["worker_peak_rss_mb_max"]
        lines.append(f"{name:<14}{row['median_of_medians_s']:>10.2f}  {f'{lo:.2f}-{hi:.2f}':<16}"
                     f"{row['frames_per_s']:>9.1f}{row['input_mb_per_s']:>9.0f}{'' if rss is None else rss:>15}")
    lines.append("")
    lines.append(f"{'ratio (throughput)':<26}{'median':>8}  spread (of the per-run ratios)")
    for key, r in summary["ratios"].items():
        lines.append(f"{key:<26}{r['median']:>8.3f}  {r['spread'][0]:.3f}-{r['spread'][1]:.3f}")
    return "\n".join(lines)


def make_stack(path: Path, frames: int, size: int) -> None:
    """A uint16 stack ``/raw`` (one chunk per frame) with ``/flat`` and ``/dark``, quick to make at 2048².

    Eight noisy frames made once, each written shifted by the frame number:
    throughput does not depend on the values (no compression).
    """
    rng = np.random.default_rng(0)
    dark = rng.integers(90, 110, (size, size), dtype=np.uint16)
    base = [rng.integers(1000, 9000, (size, size), dtype=np.uint16) for _ in range(8)]
    with h5py.File(path, "w") as h5:
        h5["dark"], h5["flat"] = dark, (dark + 10000).astype(np.uint16)
        raw = h5.create_dataset("raw", (frames, size, size), np.uint16, chunks=(1, size, size))
        for i in range(frames):
            raw[i] = base[i % 8] + np.uint16(i)


def zarr_open(path: Path):
    import zarr

    return zarr.open_array(str(path), path="c", mode="r")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=400)
    parser.add_argument("--size", type=int, default=2048, help="frame side in pixels")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=1, help="timings per configuration in each run")
    parser.add_argument("--runs", type=int, default=3, help="whole runs, each on fresh clusters")
    parser.add_argument("--no-dask", action="store_true", help="time h5lens only (e.g. an older version)")
    parser.add_argument("--data", type=Path, help="stack file to use (made there if absent, kept)")
    parser.add_argument("--tmp", type=Path, help="folder for outputs (default: a temporary one)")
    parser.add_argument("--output", type=Path, help="also write the JSON result to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="h5lens-bench-", dir=args.tmp) as tmp:
        src = args.data or Path(tmp) / "stack.h5"
        if not src.exists():
            make_stack(src, args.frames, args.size)
        runs = []
        for i in range(args.runs):
            runs.append(measure(src, args.workers, args.repeat, Path(tmp), not args.no_dask))
            runs[-1]["load_average_after"] = os.getloadavg()
            print(f"run {i + 1}/{args.runs}:", json.dumps(runs[-1]), flush=True)
    result = {"runs": runs, "summary": summarize(runs)}
    text = json.dumps(result, indent=2)
    print(table(result["summary"]))
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n")
    return result


if __name__ == "__main__":
    main()
