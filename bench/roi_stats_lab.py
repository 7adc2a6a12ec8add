"""ROI statistics in a real headless JupyterLab (Chromium): from the release of a drawn rectangle to its row.

A 1000 × 1000 rectangle drawn with pointer events on the 4096 × 4096 uint32
frame of ``bench/profile_drag.py`` (same cached file); the time from the
pointer's release to the ROI's statistics shown in the table (goal ≤ 50 ms),
measured in the page (``performance.now()``). Every number in the table is
the kernel's, on the full-resolution frame. The drag is real: moves every
16 ms (a 60 Hz pointer) towards the corner, then the release after a pause:

* ``rest``: 50 ms between the last move and the release (as the older
  profile_drag bench), ``60hz``: 16 ms, ``at_once``: the release right on the
  last move (the statistics asked while drawing cannot have answered yet);
* ``release_only``: asking ahead switched off in the page (``rest`` pause):
  the release pays the whole round trip and the computation, as before;
  split into the page before sending, round trip + kernel, answer to row;
  ``kernel_roi_stats`` is the time in ``roi_stats`` measured in the kernel and
  ``small_command_round_trip`` a command answered at once (the transport alone).

Beside them, in the same page and kernel, the notebook path (the peer):
numpy statistics of the same rectangle on the frame already in memory (read
once beforehand, which favours it) printed into an Output widget, from the
request to the text shown; and ``bench/profile_drag.py``'s scikit-image +
matplotlib profile redraw. Each server is run both ways: stock jupyter_server
and with TCP_NODELAY on the kernel websocket (``LabServer(nodelay=True)``),
interleaved run by run; each run opens a fresh notebook (new kernel).

Usage::

    .venv/bin/python bench/roi_stats_lab.py [--runs 3] [--rects 6]

Writes ``bench/results/roi_stats_lab.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _labs import labs_and_browser  # noqa: E402
from profile_drag import MPL, ends, make_data  # noqa: E402  (same file, same peer)

GAPS = {"rest": 50, "60hz": 16, "at_once": 0}

# a rectangle drawn with 60 Hz pointer moves; the time from the release to its row in the table
ROI = """async ([a, b, gap, ahead, ms]) => {
  const r = document.querySelector('.h5l-viewer'), v = r.h5lens, img = v.image, panel = v.panel.measure.panel;
  r.querySelector('[aria-label="clear measures"]').click();
  r.querySelector('[aria-label="rectangle ROI"]').click();
  const own = panel.statsAhead, call = v.rpc.call, marks = {};
  if (!ahead) panel.statsAhead = () => {};
  // when the release's own request leaves and its answer comes (none when the answer was asked ahead)
  v.rpc.call = (name, msg, o) => {
    if (name !== 'roi_stats' || o?.key === 'roi-ahead') return call(name, msg, o);
    marks.sent = performance.now();
    return call(name, msg, o).then((x) => { marks.answered = performance.now(); return x; });
  };
  const at = ([row, col]) => { const bx = img.canvas.getBoundingClientRect(), p = img.toScreen(col + 0.5, row + 0.5);
    return { clientX: bx.left + p.x, clientY: bx.top + p.y, button: 0, bubbles: true, pointerId: 1 }; };
  const c = r.querySelector('.h5l-v-catch'), sleep = (t) => new Promise((res) => setTimeout(res, t));
  c.dispatchEvent(new PointerEvent('pointerdown', at(a)));
  for (const f of [0.2, 0.4, 0.6, 0.8, 0.9, 1]) {
    c.dispatchEvent(new PointerEvent('pointermove', at([a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])])));
    if (f < 1) await sleep(16);
  }
  if (gap) await sleep(gap);
  const before = Number(r.dataset.roistats || 0), t0 = performance.now();
  c.dispatchEvent(new PointerEvent('pointerup', at(b)));
  while (Number(r.dataset.roistats || 0) <= before || !r.querySelector('.h5l-v-roistats tr[data-id]')) {
    if (performance.now() - t0 > ms) throw new Error('no statistics shown');
    await new Promise((res) => setTimeout(res, 1));
  }
  await new Promise((res) => requestAnimationFrame(() => res()));
  const took = performance.now() - t0;
  panel.statsAhead = own;
  v.rpc.call = call;
  const row = [...r.querySelector('.h5l-v-roistats tr[data-id]').children].map((td) => td.textContent);
  r.querySelector('[aria-label="pan and zoom (no tool)"]').click();
  await sleep(200);  // the kernel takes the drawing in before the next one
  return [took, row, marks.sent ? [marks.sent - t0, marks.answered - marks.sent, t0 + took - marks.answered] : null];
}"""

# the transport alone: a small command the kernel answers at once (one colormap, 1 KiB), release-like timing
ROUND_TRIP = """async () => {
  const v = document.querySelector('.h5l-viewer').h5lens, t0 = performance.now();
  await v.rpc.call('luts', { names: ['gray'] });
  return performance.now() - t0;
}"""

# the peer: numpy on the frame in memory, printed into an Output widget
NUMPY = """async ([box, ms]) => {
  const out = document.querySelectorAll('.widget-output')[1];
  const text = () => out.textContent;
  const before = text();
  const k = jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const t0 = performance.now();
  k.requestExecute({ code: `np_stats(${box.join(', ')})`, store_history: false });
  while (text() === before || !text().includes('count')) {
    if (performance.now() - t0 > ms) throw new Error('numpy output did not change');
    await new Promise((res) => setTimeout(res, 1));
  }
  await new Promise((res) => requestAnimationFrame(() => res()));
  return performance.now() - t0;
}"""

PEER_CELL = """out2 = W.Output()
def np_stats(r0, r1, c0, c1):
    b = frame[r0:r1 + 1, c0:c1 + 1].astype(np.float64)
    rows, cols = np.indices(b.shape)
    i, j = np.unravel_index(b.argmin(), b.shape), np.unravel_index(b.argmax(), b.shape)
    s = b.sum()
    with out2:
        out2.clear_output(wait=True)
        print(f"count {b.size} sum {s} mean {b.mean()} std {b.std()} min {b.min()} {i} max {b.max()} {j} "
              f"com {(b * rows).sum() / s + r0} {(b * cols).sum() / s + c0}")
out2"""


def med(values) -> float:
    return round(statistics.median(values), 1)


def rects(n: int, run: int) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Where the rectangles go (999 pixels apart corner to corner: 1000 × 1000 pixels), never twice the same."""
    out = []
    for i in range(n):
        r0, c0 = 150.0 + (i * 397 + run * 131) % 2800, 220.0 + (i * 613 + run * 89) % 2800
        out.append(((r0, c0), (r0 + 999, c0 + 999)))
    return out


def one_run(lab, browser, path: Path, n: int, run: int) -> dict:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1400})
    page = ctx.new_page()
    try:
        cells = [
            "import h5lens, h5py, numpy as np, ipywidgets as W, skimage.measure\nimport matplotlib.pyplot as plt\n"
            # the kernel's time in roi_stats, each call (the ones asked ahead too)
            "import time, h5lens.measure as hm\nkernel_ms, _roi_stats = [], hm.roi_stats\n"
            "def _timed(*a):\n    t = time.perf_counter()\n    try:\n        return _roi_stats(*a)\n"
            "    finally:\n        kernel_ms.append(1000 * (time.perf_counter() - t))\nhm.roi_stats = _timed\n"
            f"v = h5lens.view({str(path)!r} + '::/image')\nv",
            f"frame = h5py.File({str(path)!r})['image'][()]\nout = W.Output()\n"
            "def mpl(r0, c0, r1, c1):\n"
            "    y = skimage.measure.profile_line(frame, (r0, c0), (r1, c1), linewidth=5, order=1, mode='reflect')\n"
            "    with out:\n        out.clear_output(wait=True)\n"
            "        fig, ax = plt.subplots(figsize=(8, 3))\n        ax.plot(y)\n        plt.show()\nout",
            PEER_CELL,
        ]
        lab.open(page, f"roi{run}.ipynb", cells)
        page.wait_for_function("Number(document.querySelector('.h5l-viewer')?.dataset.seq || 0) > 0", timeout=120_000)
        page.evaluate(ROI, [[100.0, 100.0], [1099.0, 1099.0], 50, True, 60_000])  # warm-up
        page.evaluate(ROI, [[110.0, 100.0], [1109.0, 1099.0], 50, False, 60_000])
        out: dict = {}
        variants = [(name, gap, True) for name, gap in GAPS.items()] + [("release_only", GAPS["rest"], False)]
        rows = {}
        for k, (a, b) in enumerate(rects(n, run)):
            for name, gap, ahead in variants[k % 4:] + variants[:k % 4]:  # the order turns: no variant always first
                took, row, marks = page.evaluate(ROI, [a, b, gap, ahead, 60_000])
                out.setdefault(name, []).append(took)
                if name == "release_only" and marks:  # release -> sent, sent -> answered, answered -> row shown
                    for part, ms in zip(("page_before_send", "round_trip_and_kernel", "answer_to_row"), marks):
                        out.setdefault(f"release_only_{part}", []).append(ms)
                rows.setdefault(k, []).append(row[2:])  # count ... com: the same whichever way it was asked
        same = all(all(x == r[0] for x in r) for r in rows.values())
        out["small_command_round_trip"] = []
        for _ in range(n):
            out["small_command_round_trip"].append(page.evaluate(ROUND_TRIP))
            page.wait_for_timeout(50)
        out["kernel_roi_stats"] = json.loads(lab.execute(page, "import json; print(json.dumps(kernel_ms[2:]))"))
        lab.execute(page, "np_stats(0, 9, 0, 9)")
        lab.execute(page, f"mpl(100.0, 100.0, {ends(0)[0]}, {ends(0)[1]})")
        page.wait_for_timeout(300)
        out["numpy_peer"] = [page.evaluate(NUMPY, [[int(a[0]), int(b[0]), int(a[1]), int(b[1])], 60_000])
                             for a, b in rects(n, run)]
        out["matplotlib_profile_peer"] = [page.evaluate(MPL, [[100.0, 100.0, *ends(i + 7 * run)], 60_000])
                                          for i in range(1, n + 1)]
        # the table's numbers are the kernel's exact statistics of the last rectangle (numpy in the kernel)
        a, b = rects(n, run)[-1]
        check = lab.execute(page, "r = v.rois[0]; s = r.stats; y0, y1 = map(int, r.y); x0, x1 = map(int, r.x)\n"
                                  "blk = frame[y0:y1 + 1, x0:x1 + 1].astype(np.float64)\n"
                                  "print(s['count'] == blk.size and s['sum'] == blk.sum() and "
                                  "abs(s['std'] - blk.std()) <= 1e-9 * blk.std(), blk.shape)").strip()
        return {"ms": out, "medians": {k: med(x) for k, x in out.items()}, "table_rows_same_every_way": same,
                "kernel_stats_match_numpy": check}
    finally:
        ctx.close()
        lab.shutdown_kernels()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rects", type=int, default=8)
    args = ap.parse_args()
    path = make_data()
    load = [round(x, 2) for x in os.getloadavg()]
    runs: dict[str, list] = {"stock": [], "nodelay": []}
    with labs_and_browser(False, True) as (by_flag, browser, _):
        labs = {"stock": by_flag[False], "nodelay": by_flag[True]}
        for run in range(args.runs):
            for server in (("stock", "nodelay") if run % 2 == 0 else ("nodelay", "stock")):
                r = one_run(labs[server], browser, path, args.rects, run)
                runs[server].append(r)
                print(f"run {run + 1} {server}: " + ", ".join(f"{k} {v} ms" for k, v in r["medians"].items())
                      + f"; rows same every way: {r['table_rows_same_every_way']}; "
                        f"kernel = numpy: {r['kernel_stats_match_numpy']}", flush=True)
    summary: dict = {"load_before": load, "load_after": [round(x, 2) for x in os.getloadavg()], "goal_ms": 50}
    print(f"\nmedian of the runs' medians [spread], load {load} -> {summary['load_after']}")
    names = list(runs["stock"][0]["medians"])
    print(f"{'':26}" + "".join(f"{s:>26}" for s in runs))
    for name in names:
        cells = []
        for server, rs in runs.items():
            m = [r["medians"][name] for r in rs]
            summary[f"{server}_{name}"] = {"median_ms": med(m), "spread_ms": [min(m), max(m)]}
            cells.append(f"{med(m):>8} [{min(m)}-{max(m)}]")
        print(f"{name:26}" + "".join(f"{c:>26}" for c in cells))
    for server in runs:
        rest, peer = summary[f"{server}_rest"]["median_ms"], summary[f"{server}_numpy_peer"]["median_ms"]
        summary[f"{server}_ratio_numpy_peer_over_rest"] = round(peer / rest, 1)
        print(f"{server}: numpy in an Output widget / h5lens (rest) = {round(peer / rest, 1)}x")
    out = HERE / "results" / "roi_stats_lab.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"summary": summary, "runs": runs}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
