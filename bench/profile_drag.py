"""Dragging a line profile in a real headless JupyterLab (Chromium), against scikit-image + matplotlib.

A free-line profile of width 5 across a 4096 × 4096 uint32 frame (a generated
HDF5 file, cached under ``bench/results/data``): one end is dragged with
pointer events on its handle and the time from each pointer move to the
profile curve updated below the image is measured in the page
(``performance.now()``, values computed by the kernel on the full-resolution
frame). Two ways of moving:

* ``step``: one move, wait until its curve is shown, the next move (the
  update time of one move: goal median ≤ 50 ms);
* ``roi``: a 1000 × 1000 rectangle ROI drawn, from the pointer's release to its
  statistics shown in the table (goal ≤ 50 ms);
* ``burst``: moves every 16 ms (a 60 Hz pointer) for 30 moves, then the time
  from the last move until the last curve is shown; the moves whose request
  became stale were cancelled (counted).

The matplotlib path, in the same page and kernel: ``skimage.measure.profile_line``
of the same line on the frame already in memory (read once beforehand, which
favours it) and a matplotlib redraw into an Output widget; time from the request
to the new image shown. Each run opens a fresh notebook (new kernel); the script
prints per run medians, then the median of the runs' medians and their spread.

Usage::

    .venv/bin/python bench/profile_drag.py [--runs 3] [--moves 25]

Writes ``bench/results/profile_drag.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
from _labs import labs_and_browser  # noqa: E402  (bench/ is the script's folder)

DATA = HERE / "results" / "data"
SIZE = 4096


def make_data() -> Path:
    import h5py

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / "profile4k_u32.h5"
    if not path.exists():
        rng = np.random.default_rng(4)
        with h5py.File(path, "w") as f:
            d = f.create_dataset("image", shape=(SIZE, SIZE), dtype="u4", chunks=(512, 512))
            x = np.arange(SIZE, dtype=np.float64)
            for r in range(0, SIZE, 512):
                y = np.arange(r, r + 512, dtype=np.float64)[:, None]
                smooth = 2000 + 800 * np.sin(x / 150.0) * np.cos(y / 230.0)
                d[r:r + 512] = (smooth + rng.poisson(50, size=(512, SIZE))).astype(np.uint32)
    return path


def ends(i: int) -> tuple[float, float]:
    """Where the dragged end goes at move ``i``: across the frame, never twice the same place."""
    return round(2100.0 + 1800.0 * np.sin(i / 7.0), 1), round(2100.0 + 1800.0 * np.cos(i / 5.0), 1)


# one move at a time: from the move to its curve shown (data-profile bumps when a curve is shown)
STEP = """async ([points, ms]) => {
  const r = document.querySelector('.h5l-viewer'), img = r.h5lens.image;
  const at = ([row, col]) => { const b = img.canvas.getBoundingClientRect(), p = img.toScreen(col + 0.5, row + 0.5);
    return { clientX: b.left + p.x, clientY: b.top + p.y, button: 0, bubbles: true, pointerId: 1 }; };
  const handle = r.querySelector(".h5l-v-profile[data-id='1'] .h5l-v-handle[data-end='1']");
  handle.dispatchEvent(new PointerEvent('pointerdown', at(points[0])));
  const times = [];
  for (const p of points.slice(1)) {
    const before = Number(r.dataset.profile || 0), t0 = performance.now();
    window.dispatchEvent(new PointerEvent('pointermove', at(p)));
    while (Number(r.dataset.profile || 0) <= before) {
      if (performance.now() - t0 > ms) throw new Error('no profile shown');
      await new Promise((res) => setTimeout(res, 1));
    }
    await new Promise((res) => requestAnimationFrame(() => res()));
    times.push(performance.now() - t0);
  }
  window.dispatchEvent(new PointerEvent('pointerup', at(points[points.length - 1])));
  return times;
}"""

# a 60 Hz drag: moves every 16 ms, then the time until the last move's curve is shown
BURST = """async ([points, ms]) => {
  const r = document.querySelector('.h5l-viewer'), v = r.h5lens, img = v.image;
  const at = ([row, col]) => { const b = img.canvas.getBoundingClientRect(), p = img.toScreen(col + 0.5, row + 0.5);
    return { clientX: b.left + p.x, clientY: b.top + p.y, button: 0, bubbles: true, pointerId: 1 }; };
  const handle = r.querySelector(".h5l-v-profile[data-id='1'] .h5l-v-handle[data-end='1']");
  let calls = 0, shown = 0;
  const call = v.rpc.call;
  v.rpc.call = (name, ...a) => { if (name === 'profile') calls++; return call(name, ...a); };
  const panel = v.panel.measure.panel, plot = panel._plot.bind(panel);
  let last = null;
  panel._plot = (p, c) => { shown++; last = p; plot(p, c); };
  handle.dispatchEvent(new PointerEvent('pointerdown', at(points[0])));
  let tLast = 0;
  for (const p of points.slice(1)) {
    window.dispatchEvent(new PointerEvent('pointermove', at(p)));
    tLast = performance.now();
    await new Promise((res) => setTimeout(res, 16));
  }
  const want = points[points.length - 1];
  // a screen pixel covers several data pixels of a 4096 frame: the last move is the one within a few of them
  while (!last || Math.abs(last.end[0] - want[0]) > 10 || Math.abs(last.end[1] - want[1]) > 10) {
    if (performance.now() - tLast > ms) throw new Error('the last move was not shown');
    await new Promise((res) => setTimeout(res, 1));
  }
  const settle = performance.now() - tLast;
  window.dispatchEvent(new PointerEvent('pointerup', at(want)));
  v.rpc.call = call; panel._plot = plot;
  return { settle, moves: points.length - 1, requests: calls, shown };
}"""

# a 1000 × 1000 rectangle ROI drawn with pointer events: from the release to its statistics in the table
ROI = """async ([a, b, ms]) => {
  const r = document.querySelector('.h5l-viewer'), v = r.h5lens, img = v.image;
  r.querySelector('[aria-label="clear measures"]').click();
  r.querySelector('[aria-label="rectangle ROI"]').click();
  const at = ([row, col]) => { const bx = img.canvas.getBoundingClientRect(), p = img.toScreen(col + 0.5, row + 0.5);
    return { clientX: bx.left + p.x, clientY: bx.top + p.y, button: 0, bubbles: true, pointerId: 1 }; };
  const c = r.querySelector('.h5l-v-catch');
  c.dispatchEvent(new PointerEvent('pointerdown', at(a)));
  c.dispatchEvent(new PointerEvent('pointermove', at(b)));
  await new Promise((res) => setTimeout(res, 50));
  const before = Number(r.dataset.roistats || 0), t0 = performance.now();
  c.dispatchEvent(new PointerEvent('pointerup', at(b)));
  while (Number(r.dataset.roistats || 0) <= before || !r.querySelector('.h5l-v-roistats tr[data-id]')) {
    if (performance.now() - t0 > ms) throw new Error('no statistics shown');
    await new Promise((res) => setTimeout(res, 1));
  }
  await new Promise((res) => requestAnimationFrame(() => res()));
  const ms_ = performance.now() - t0;
  r.querySelector('[aria-label="pan and zoom (no tool)"]').click();
  return ms_;
}"""

MPL = """async ([line, ms]) => {
  const out = document.querySelector('.widget-output');
  const img = () => out && out.querySelector('img');
  const before = img() ? img().src : null;
  const k = jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const t0 = performance.now();
  k.requestExecute({ code: `mpl(${line.join(', ')})`, store_history: false });
  for (;;) {
    const im = img();
    if (im && im.src !== before && im.complete) break;
    if (performance.now() - t0 > ms) throw new Error('matplotlib output did not change');
    await new Promise((res) => setTimeout(res, 1));
  }
  await new Promise((res) => requestAnimationFrame(() => res()));
  return performance.now() - t0;
}"""


def med(values) -> float:
    return round(statistics.median(values), 1)


def one_run(lab, browser, path: Path, moves: int, run: int) -> dict:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1400})
    page = ctx.new_page()
    try:
        cells = [
            "import h5lens, h5py, numpy as np, ipywidgets as W, skimage.measure\nimport matplotlib.pyplot as plt\n"
            f"v = h5lens.view({str(path)!r} + '::/image')\n"
            f"p = v.add_profile((100.0, 100.0), {ends(0)}, width=5)\nv",
            f"frame = h5py.File({str(path)!r})['image'][()]\nout = W.Output()\n"
            "def mpl(r0, c0, r1, c1):\n"
            "    y = skimage.measure.profile_line(frame, (r0, c0), (r1, c1), linewidth=5, order=1, mode='reflect')\n"
            "    with out:\n        out.clear_output(wait=True)\n"
            "        fig, ax = plt.subplots(figsize=(8, 3))\n        ax.plot(y)\n        plt.show()\nout",
        ]
        lab.open(page, f"profile{run}.ipynb", cells)
        page.wait_for_function("Number(document.querySelector('.h5l-viewer')?.dataset.profile || 0) > 0",
                               timeout=120_000)
        start = (100.0, 100.0)
        shift = 7 * run  # each run drags along its own path
        points = [ends(i + shift) for i in range(moves + 1)]
        page.evaluate(STEP, [[ends(40 + i) for i in range(4)], 60_000])  # warm-up
        step = page.evaluate(STEP, [points, 60_000])
        burst = page.evaluate(BURST, [[ends(80 + i + shift) for i in range(31)], 60_000])
        rects = [((200.0 + 300 * i, 300.0 + 250 * i), (1200.0 + 300 * i, 1300.0 + 250 * i)) for i in range(6)]
        roi = [page.evaluate(ROI, [a, b, 60_000]) for a, b in rects][1:]  # the first warms the path up
        lab.execute(page, f"mpl({start[0]}, {start[1]}, {ends(0)[0]}, {ends(0)[1]})")
        page.wait_for_timeout(300)
        mpl = [page.evaluate(MPL, [[*start, *points[i]], 60_000]) for i in range(1, min(moves, 12) + 1)]
        # the kernel's handle followed the drag: its values are scikit-image's
        check = lab.execute(page, "y = skimage.measure.profile_line(frame.astype(float), p.start, p.end, linewidth=5, order=1, "
                                  "mode='reflect')\nprint(bool(np.allclose(p.values, y, rtol=1e-6)), len(y))").split()
        return {"step_ms": step, "step_median_ms": med(step), "burst": burst, "roi_ms": roi, "roi_median_ms": med(roi),
                "mpl_ms": mpl,
                "mpl_median_ms": med(mpl), "kernel_values_match_skimage": check[0] == "True", "samples": int(check[1])}
    finally:
        ctx.close()
        lab.shutdown_kernels()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--moves", type=int, default=25)
    args = ap.parse_args()
    path = make_data()
    runs = []
    with labs_and_browser(False) as (labs, browser, _):
        lab = labs[False]
        for run in range(args.runs):
            r = one_run(lab, browser, path, args.moves, run)
            runs.append(r)
            print(f"run {run + 1}: h5lens step median {r['step_median_ms']} ms, burst settle "
                  f"{round(r['burst']['settle'], 1)} ms ({r['burst']['requests']} requests, {r['burst']['shown']} "
                  f"shown for {r['burst']['moves']} moves); ROI 1000 x 1000 median {r['roi_median_ms']} ms; "
                  f"skimage + matplotlib median {r['mpl_median_ms']} ms; "
                  f"values match: {r['kernel_values_match_skimage']} ({r['samples']} samples)", flush=True)
    steps = [r["step_median_ms"] for r in runs]
    mpls = [r["mpl_median_ms"] for r in runs]
    settles = [round(r["burst"]["settle"], 1) for r in runs]
    summary = {
        "h5lens_step_median_of_medians_ms": med(steps), "h5lens_step_spread_ms": [min(steps), max(steps)],
        "h5lens_burst_settle_median_ms": med(settles), "h5lens_burst_settle_spread_ms": [min(settles), max(settles)],
        "roi_1000_median_of_medians_ms": med([r["roi_median_ms"] for r in runs]),
        "roi_1000_spread_ms": [min(r["roi_median_ms"] for r in runs), max(r["roi_median_ms"] for r in runs)],
        "matplotlib_median_of_medians_ms": med(mpls), "matplotlib_spread_ms": [min(mpls), max(mpls)],
        "ratio_matplotlib_over_h5lens": round(med(mpls) / med(steps), 1), "goal_step_ms": 50,
    }
    print(json.dumps(summary, indent=1))
    out = HERE / "results" / "profile_drag.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"summary": summary, "runs": runs}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
