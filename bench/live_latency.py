"""Following a live file in a real headless JupyterLab: flush → painted latency, and the kernel's idle cost.

A writer process appends ``(512, 512)`` uint16 frames to a SWMR HDF5 file at 10
frames/s and notes the wall-clock time just after each flush; the page notes
the wall-clock time (``performance.timeOrigin + performance.now()``) of each
frame the viewer paints, with ``follow`` on. The latency of frame ``k`` is the
time from its flush to the first paint of frame ``k`` or newer (the viewer
skips frames rather than lag). Goal: median ≤ 500 ms.

Then, with the writer finished, the kernel's CPU while following the unchanged
file is measured over ``--idle`` seconds (``time.process_time`` of the kernel,
every thread), with follow on and with follow off for reference. Goal ≤ 2 % of a core.

Usage::

    .venv/bin/python bench/live_latency.py [--runs 3] [--frames 60] [--idle 20] [--mode default|nodelay|both]

Prints a table and writes ``bench/results/live_latency.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
from _labs import LabServer, labs_and_browser  # noqa: E402  (bench/ is the script's folder)

#: the writer: waits for a line on stdin, then writes FRAMES frames at RATE per second, noting flush times
WRITER = """
import json, sys, time
import h5py, numpy as np
path, frames, rate, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
ramp = np.arange(512 * 512, dtype=np.int64).reshape(512, 512)
with h5py.File(path, "w", libver="latest") as f:
    d = f.create_dataset("data", (1, 512, 512), maxshape=(None, 512, 512), chunks=(1, 512, 512), dtype="uint16")
    d[0] = 0
    f.swmr_mode = True
    print("ready", flush=True)
    sys.stdin.readline()
    flushed, start = [], time.monotonic()
    for i in range(1, frames + 1):
        d.resize((i + 1, 512, 512))
        d[i] = ((ramp * 7 + i * 1009) % 65521).astype("uint16")
        d.flush()
        flushed.append(time.time())
        time.sleep(max(0.0, start + i / rate - time.monotonic()))
json.dump(flushed, open(out, "w"))
print("done", flush=True)
"""

RECORD = """
(() => {
  const root = document.querySelector('.h5l-viewer');
  window.__painted = [];
  new MutationObserver(() => window.__painted.push(
      [Number(root.dataset.selection.split(',')[0]), performance.timeOrigin + performance.now()]))
    .observe(root, { attributes: true, attributeFilter: ['data-selection'] });
  // when the page learns of each new frame (the selection trait Python moves)
  window.__arrived = [];
  const model = root.h5lens.model;
  model.on('change:selection', () => window.__arrived.push(
      [Number(String(model.get('selection')).split(',')[0]), performance.timeOrigin + performance.now()]));
})()
"""


def latencies(flushed: list[float], painted: list[list[float]]) -> list[float]:
    """ms from each frame's flush to the first paint of it or a newer frame (frames never painted: dropped)."""
    out = []
    for k, t in enumerate(flushed, start=1):
        when = [ms for index, ms in painted if index >= k]
        if when:
            out.append(min(when) - t * 1000)
    return out


def one_run(lab: LabServer, browser, folder: Path, n: int, frames: int, rate: float, idle: float) -> dict:
    path, times = folder / f"live{n}.h5", folder / f"flushed{n}.json"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(frames), str(rate), str(times)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdin is not None
    assert writer.stdout.readline().strip() == "ready"
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    try:
        lab.open(page, f"live{n}.ipynb", [
            f"import h5lens, time, json\nv = h5lens.view({str(path)!r} + '::/data', follow_interval=0.1)\n"
            "seen = []\nv.observe(lambda c: seen.append(time.time()), 'meta')\nv.follow = True\nv"])
        page.wait_for_function("Number(document.querySelector('.h5l-viewer')?.dataset.seq || 0) > 0")
        page.evaluate(RECORD)
        writer.stdin.write("go\n")
        writer.stdin.flush()
        assert writer.stdout.readline().strip() == "done"
        page.wait_for_function(f"document.querySelector('.h5l-viewer').dataset.selection === '{frames},:,:'",
                               timeout=30_000)
        flushed = json.loads(times.read_text())
        lat = latencies(flushed, page.evaluate("window.__painted"))
        # where the time goes: flush -> the kernel has the new shape (poll or file-system event, refresh, new
        # meta), then -> painted (the traits' message, the frame request, reply and drawing)
        seen = json.loads(lab.execute(page, "print(json.dumps(seen))").strip())
        detect = [min((s - t) * 1000 for s in seen if s >= t) for t in flushed if any(s >= t for s in seen)]
        arrived = latencies(flushed, page.evaluate("window.__arrived"))
        painted = len({i for i, _ in page.evaluate("window.__painted")})
        cpu = {}
        for follow in (True, False):
            lab.execute(page, f"v.follow = {follow}\nc0, w0 = time.process_time(), time.time()")
            page.wait_for_timeout(idle * 1000)
            out = lab.execute(page, "print(round(100 * (time.process_time() - c0) / (time.time() - w0), 2))")
            cpu["on" if follow else "off"] = float(out.strip())
        return {"latency_ms": {"median": round(statistics.median(lat), 1), "p90": round(sorted(lat)[int(0.9 * len(lat))], 1),
                               "max": round(max(lat), 1), "frames": len(lat)},
                "kernel_sees_ms": {"median": round(statistics.median(detect), 1), "max": round(max(detect), 1)},
                "page_learns_ms": {"median": round(statistics.median(arrived), 1), "max": round(max(arrived), 1)},
                "distinct_frames_painted": painted, "kernel_cpu_percent_idle": cpu}
    finally:
        ctx.close()
        lab.shutdown_kernels()
        writer.wait(30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--frames", type=int, default=60)
    ap.add_argument("--rate", type=float, default=10.0, help="frames written per second")
    ap.add_argument("--idle", type=float, default=20.0, help="seconds of CPU measurement on the unchanged file")
    ap.add_argument("--mode", choices=["default", "nodelay", "both"], default="both",
                    help="stock server, h5lens.server (TCP_NODELAY on the kernel websocket), or both in turn")
    args = ap.parse_args()
    modes = {"default": [False], "nodelay": [True], "both": [False, True]}[args.mode]
    start, runs = time.time(), {m: [] for m in modes}
    with labs_and_browser(*modes) as (labs, browser, tmp):
        for n in range(args.runs):  # the modes in turn within each run, so both see the same spells of load
            for m in modes:
                folder = Path(tmp) / ("nodelay" if m else "stock")
                runs[m].append(one_run(labs[m], browser, folder / "nb", n, args.frames, args.rate, args.idle))
                print(("nodelay " if m else "stock ") + json.dumps(runs[m][-1]), flush=True)

    def summary(rs: list[dict]) -> dict:
        medians = [r["latency_ms"]["median"] for r in rs]
        cpu_on = [r["kernel_cpu_percent_idle"]["on"] for r in rs]
        return {"latency_median_of_medians_ms": round(statistics.median(medians), 1),
                "latency_spread_ms": [min(medians), max(medians)],
                "kernel_cpu_following_unchanged_percent": {"median": statistics.median(cpu_on),
                                                           "spread": [min(cpu_on), max(cpu_on)]}}

    # the stock server's figures keep their top-level keys (comparable with earlier rounds)
    res: dict = {"runs": runs.get(False, []), "rate": args.rate, "frames": args.frames}
    if False in runs:
        res.update(summary(runs[False]))
    if True in runs:
        res["nodelay"] = {"runs": runs[True], **summary(runs[True])}
    res.update({"load_average": list(__import__("os").getloadavg()), "wall_s": round(time.time() - start, 1)})
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "live_latency.json").write_text(json.dumps(res, indent=2))
    short = {k: v for k, v in res.items() if k != "runs"}
    if "nodelay" in short:
        short["nodelay"] = {k: v for k, v in short["nodelay"].items() if k != "runs"}
    print(json.dumps(short, indent=2), flush=True)


if __name__ == "__main__":
    main()
