"""Viewer speed in a real headless JupyterLab (Chromium), against the matplotlib path.

Four measurements, each in the browser (``performance.now()``), on generated files
(cached under ``bench/results/data``):

* ``slider``: one step of the slider on a ``(50, 2048, 2048)`` uint16 gzip
  frame-chunked stack, from the click to the frame painted (goal: median ≤ 100 ms
  and ≥ 5× faster than ``imshow`` + PNG of the same frame into an Output widget,
  measured the same way in the same page);
* ``colormap``: colormap, scale and range changes on a 2048 × 2048 float32 frame
  held at full resolution in the page (goal ≤ 30 ms), with the kernel requests
  (commands) and the WebSocket messages sent during each change counted;
* ``play``: frames per second sustained while playing a ``(500, 1024, 1024)``
  uint16 stack (goal ≥ 50 fps at the 60 fps setting) and a ``(200, 2048, 2048)`` one
  (``fps_2048_setting_60``, goal ≥ 25 fps);
* ``drag``: frames per second of the page while the histogram's upper bound is dragged
  (``hist_drag``, see ``_viewer_drag.py``; goal: never below 50 fps);
* ``big``: first view of a ``(16384, 16384)`` float32 chunked image: cell run →
  preview painted, → exact max aggregation painted, bytes received by the page,
  and the kernel's peak RSS growth (goals ≤ 300 ms, ≤ 4 MB, ≤ 64 MB).

Usage::

    .venv/bin/python bench/viewer_lab.py [--only slider,colormap,play,drag,big] [--reps 15] [--nodelay] [--renderer webgl2]

``--renderer webgl2`` times the colour changes with the WebGL2 path even where the browser only
emulates it on the CPU (SwiftShader here), where a view would pick Canvas2D; the JSON says which
(``colormap.renderer``).
        [--big-reps 3 --cold]   # first views of the 16k image, warm and with the file evicted from the cache

Prints a table and writes ``bench/results/viewer_lab.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
from _labs import labs_and_browser  # noqa: E402  (bench/ is the script's folder)
from _viewer_drag import bench_drag  # noqa: E402

DATA = HERE / "results" / "data"

# counts what the page sends and receives on its WebSockets (kernel channels)
WS_SPY = """
(() => {
  const W = window.WebSocket;
  window.__ws = { sent: 0, sentBytes: 0, recv: 0, recvBytes: 0 };
  const size = (d) => (typeof d === 'string' ? d.length : (d.byteLength ?? d.size ?? 0));
  window.WebSocket = class extends W {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', (e) => { window.__ws.recv++; window.__ws.recvBytes += size(e.data); });
    }
    send(d) { window.__ws.sent++; window.__ws.sentBytes += size(d); return super.send(d); }
  };
})();
"""


def _frames(n, h, w, seed):
    """Detector-like uint16 frames: a smooth background, moving features, 4-bit noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = 1000 + 400 * np.sin(x / 97.0) * np.cos(y / 131.0)
    noise = rng.integers(0, 16, size=(h, w), dtype=np.uint16)
    for i in range(n):
        frame = base + 300 * np.exp(-(((x - w * (i + 1) / (n + 1)) ** 2 + (y - h / 2) ** 2) / (2 * (h / 20) ** 2)))
        yield (frame.astype(np.uint16) + np.roll(noise, 37 * i, axis=1)).astype(np.uint16)


def make_data() -> dict:
    import h5py

    DATA.mkdir(parents=True, exist_ok=True)
    files = {"stack50": DATA / "stack50.h5", "stack500": DATA / "stack500.h5", "big": DATA / "big16k.h5",
             "stack200": DATA / "stack200.h5"}
    for name, (n, size, seed) in {"stack50": (50, 2048, 1), "stack500": (500, 1024, 2),
                                  "stack200": (200, 2048, 3)}.items():
        if not files[name].exists():  # one gzip chunk per frame, as detectors write them
            with h5py.File(files[name], "w") as f:
                d = f.create_dataset("stack", shape=(n, size, size), dtype="u2", chunks=(1, size, size),
                                     compression="gzip", compression_opts=1)
                for i, fr in enumerate(_frames(n, size, size, seed)):
                    d[i] = fr
    if not files["big"].exists():
        with h5py.File(files["big"], "w") as f:
            d = f.create_dataset("image", shape=(16384, 16384), dtype="f4", chunks=(1024, 1024))
            x = np.arange(16384, dtype=np.float32)
            for r in range(0, 16384, 1024):
                yy = np.arange(r, r + 1024, dtype=np.float32)[:, None]
                d[r:r + 1024] = (np.sin(x / 900.0) * np.cos(yy / 700.0) * 100 + 200).astype(np.float32)
            d[9000, 12345] = 5000.0  # one hot pixel: the exact max view must show it
    return files


# the page's time when viewer `index` shows a frame after its `after`-th: taken in the page (a mutation
# observer on data-seq), not after a round trip through Playwright (20-100 ms on a busy machine)
WAIT_SEQ = """async ([index, after, ms]) => {
  const end = performance.now() + ms;
  let r;
  for (;;) {
    r = document.querySelectorAll('.h5l-viewer')[index];
    if (r) break;
    if (performance.now() > end) throw new Error('viewer ' + index + ' was not built');
    await new Promise((res) => setTimeout(res, 2));
  }
  if (Number(r.dataset.seq || 0) > after) return performance.now();
  return await new Promise((res, rej) => {
    const o = new MutationObserver(() => {
      if (Number(r.dataset.seq || 0) > after) { o.disconnect(); res(performance.now()); }
    });
    o.observe(r, { attributes: true, attributeFilter: ['data-seq'] });
    setTimeout(() => { o.disconnect(); rej(new Error('viewer ' + index + ' did not draw')); }, Math.max(0, end - performance.now()));
  });
}"""

SLIDER_STEP = """async ([index, ms]) => {
  const r = document.querySelectorAll('.h5l-viewer')[index];
  if (!r.__replies) { // when each frame reply reaches the page (a frame asked ahead may be here before the click)
    r.__replies = [];
    const call = r.h5lens.rpc.call;
    r.h5lens.rpc.call = (name, ...a) => {
      const p = call(name, ...a);
      if (name === 'frame') p.then(([reply]) => r.__replies.push([reply.selection ?? a[0]?.selection, performance.now()]), () => {});
      return p;
    };
  }
  const before = Number(r.dataset.seq);
  const t0 = performance.now();
  r.querySelector('[aria-label="next dim 0"]').click();
  const end = t0 + ms;
  while (Number(r.dataset.seq) <= before) {
    if (performance.now() > end) throw new Error('no frame');
    await new Promise((res) => setTimeout(res, 1));
  }
  const tData = performance.now();
  await new Promise((res) => requestAnimationFrame(() => res()));
  const got = r.__replies.filter(([sel]) => sel === r.h5lens.frame.selection).map(([, t]) => t);
  return { painted: tData - t0, frame: performance.now() - t0, kernel: r.h5lens.frame.kernelMs,
           reply: got.length ? Math.max(0, Math.min(...got) - t0) : null };
}"""

# the matplotlib path: run mpl(i) in the kernel; time until the Output widget shows a new <img>
MPL_STEP = """async ([i, ms]) => {
  const out = document.querySelector('.jp-OutputArea-output .widget-output, .widget-output');
  const img = () => out && out.querySelector('img');
  const before = img() ? img().src : null;
  const k = jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const t0 = performance.now();
  k.requestExecute({ code: `mpl(${i})`, store_history: false });
  const end = t0 + ms;
  for (;;) {
    const im = img();
    if (im && im.src !== before && im.complete) break;
    if (performance.now() > end) throw new Error('matplotlib output did not change');
    await new Promise((res) => setTimeout(res, 1));
  }
  await new Promise((res) => requestAnimationFrame(() => res()));
  return performance.now() - t0;
}"""

COLOUR_CHANGE = """async ([index, control, value]) => {
  const r = document.querySelectorAll('.h5l-viewer')[index];
  const img = r.h5lens.image;
  let tEnd = null;
  const orig = img.repaint.bind(img);
  let sentAtPaint = null;
  img.repaint = () => { orig(); tEnd = performance.now(); sentAtPaint = window.__ws.sent - sent0; };
  let calls = 0;
  const call = r.h5lens.rpc.call;
  r.h5lens.rpc.call = (...a) => { calls++; return call(...a); };
  const sent0 = window.__ws.sent;  // declared before the wrapper runs
  const el = r.querySelector(`[aria-label="${control}"]`);
  const t0 = performance.now();
  if (el.type === 'checkbox') el.click(); else { el.value = value; el.dispatchEvent(new Event('change')); }
  while (tEnd === null) await new Promise((res) => setTimeout(res, 0));
  await new Promise((res) => setTimeout(res, 300));
  img.repaint = orig;
  r.h5lens.rpc.call = call;
  return { ms: tEnd - t0, requests: calls, sentBeforePaint: sentAtPaint, sentAfter: window.__ws.sent - sent0,
           pixels: img.frame.w * img.frame.h };
}"""


def med(values):
    return round(statistics.median(values), 1)


def run(args) -> dict:
    files = make_data()
    results: dict = {"nodelay": args.nodelay}
    with labs_and_browser(args.nodelay) as (labs, browser, _):
        lab = labs[args.nodelay]
        only = set(args.only.split(","))
        if "big" in only:
            runs = []
            for cold in [False, True] * args.big_reps if args.cold else [False] * args.big_reps:
                runs.append(bench_big(lab, browser, files, cold))
                lab.shutdown_kernels()
            results["big"] = runs[0] if len(runs) == 1 else runs
            for cache in ("warm", "cold"):
                ms = [r["first_view_ms"] for r in runs if r["cache"] == cache]
                if ms:
                    results[f"big_first_view_ms_{cache}"] = {"median": med(ms), "max": max(ms), "runs": ms}
        if only & {"slider", "colormap", "play", "drag"}:
            results.update(bench_main(lab, browser, files, only, args.reps, args.renderer))
    return results


def _page(browser, width=1400, height=1000):
    ctx = browser.new_context(viewport={"width": width, "height": height})
    ctx.add_init_script(WS_SPY)
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    return ctx, page


def evict(path) -> None:
    """Drop ``path``'s pages from the page cache (no privilege needed, other files untouched)."""
    import os

    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def bench_big(lab, browser, files, cold: bool = False) -> dict:
    ctx, page = _page(browser)
    cells = [
        "import os, resource, h5lens, numpy as np\n"
        "def rss():\n    return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE')\n"
        "warm = h5lens.view(np.arange(12.0).reshape(3, 4)); rss0 = rss(); warm",
        f"big = h5lens.view({str(files['big'])!r} + '::/image')\nbig",
        "print(rss0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, rss())",
    ]
    lab.open(page, "big.ipynb", cells, run=False)
    page.evaluate("jupyterapp.commands.execute('notebook:run-cell')")  # cell 0: warm-up viewer (loads the module)
    page.evaluate(WAIT_SEQ, [0, 0, 60000])
    page.wait_for_timeout(500)
    if cold:  # the file's bytes come from the disk, as on a first look at a fresh file
        evict(files["big"])
    recv0 = page.evaluate("window.__ws.recvBytes")
    t0 = page.evaluate("""() => { const nb = jupyterapp.shell.currentWidget.content; nb.activeCellIndex = 1;
        const t = performance.now(); jupyterapp.commands.execute('notebook:run-cell'); return t; }""")
    t_first = page.evaluate(WAIT_SEQ, [1, 0, 60000]) - t0
    preview = page.evaluate("document.querySelectorAll('.h5l-viewer')[1].dataset.preview") == "true"
    timing = page.evaluate("document.querySelectorAll('.h5l-viewer')[1].h5lens.timing")
    t_exact = page.evaluate(WAIT_SEQ, [1, 1, 60000]) - t0
    exact = page.evaluate("""() => { const f = document.querySelectorAll('.h5l-viewer')[1].h5lens.panel.frame;
        return { kernelMs: f.kernelMs, shape: [f.h, f.w], factors: f.factors }; }""")
    page.wait_for_timeout(300)
    received = page.evaluate("window.__ws.recvBytes") - recv0
    vmax = float(page.evaluate("document.querySelectorAll('.h5l-viewer')[1].dataset.vmax"))
    out = lab.execute(page, "print(rss0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, rss())")
    rss0, peak, rss1 = (int(v) for v in out.split())
    page.locator(".h5l-viewer").nth(1).screenshot(path=str(HERE / "results" / "viewer_big.png"))
    ctx.close()
    return {"cache": "cold" if cold else "warm", "first_view_ms": round(t_first, 1), "first_is_preview": preview, "exact_view_ms": round(t_exact, 1),
            "received_MB": round(received / 2**20, 2), "peak_rss_growth_MB": round((peak - rss0) / 2**20, 1),
            "exact_vmax_percentile": vmax, "exact_kernel_ms": round(exact["kernelMs"], 1),
            "exact_shape": exact["shape"], "exact_factors": exact["factors"],
            "breakdown_ms": {k: round(v - t0, 1) if k != "kernelMs" else v for k, v in timing.items()}}


def bench_main(lab, browser, files, only, reps, renderer=None) -> dict:
    ctx, page = _page(browser, 2600, 2600)
    cells = [
        "import h5lens, h5py, numpy as np, ipywidgets as W\nimport matplotlib.pyplot as plt\n"
        f"s50 = h5lens.view({str(files['stack50'])!r} + '::/stack')\ns50",
        "out = W.Output()\nds = h5py.File(" + repr(str(files["stack50"])) + ")['stack']\n"
        "def mpl(i):\n    with out:\n        out.clear_output(wait=True)\n"
        "        fig, ax = plt.subplots(figsize=(6, 6))\n        ax.imshow(ds[i], cmap='viridis')\n        plt.show()\nout",
        "rng = np.random.default_rng(0)\nimg = h5lens.view(rng.gamma(2.0, 100.0, size=(2048, 2048)).astype(np.float32))\nimg",
        f"s500 = h5lens.view({str(files['stack500'])!r} + '::/stack')\ns500",
        "f32 = h5lens.view(np.random.default_rng(1).gamma(2.0, 100.0, size=(40, 1024, 1024)).astype(np.float32))\nf32",
        f"s200 = h5lens.view({str(files['stack200'])!r} + '::/stack')\ns200",
    ]
    lab.open(page, "main.ipynb", cells)
    for i in range(5):
        page.evaluate(WAIT_SEQ, [i, 0, 60000])
    # the colormap bench needs the 4 MP frame at full resolution: a canvas that large
    page.add_style_tag(content=".h5l-viewer { max-width: none } .h5l-viewer:nth-of-type(1) {} "
                       ".jp-OutputArea-output:has(> .h5l-viewer) { overflow: visible } ")
    page.evaluate("""() => { const r = document.querySelectorAll('.h5l-viewer')[1];
        r.style.width = '2300px'; r.style.maxWidth = 'none'; r.querySelector('.h5l-v-image').style.height = '2100px'; }""")
    page.wait_for_timeout(500)
    res: dict = {}
    if "slider" in only:
        steps = [page.evaluate(SLIDER_STEP, [0, 60000]) for _ in range(3)]  # warm-up
        steps = [page.evaluate(SLIDER_STEP, [0, 60000]) for _ in range(reps)]
        lab.execute(page, "mpl(0)")
        page.wait_for_timeout(500)
        mpl = [page.evaluate(MPL_STEP, [i % 50, 60000]) for i in range(1, reps + 1)]
        viewer = med([s["frame"] for s in steps])
        res["slider"] = {"viewer_median_ms": viewer, "viewer_p90_ms": round(float(np.percentile([s["frame"] for s in steps], 90)), 1),
                         "matplotlib_median_ms": med(mpl), "speedup": round(med(mpl) / viewer, 1),
                         # time in the kernel's frame command (a frame read ahead is ready: ~0)
                         "viewer_kernel_median_ms": med([s["kernel"] for s in steps]),
                         # click to the frame's reply in the page (0: asked ahead, here before the click)
                         "viewer_reply_median_ms": med([s["reply"] for s in steps if s["reply"] is not None])}
    if "colormap" in only:
        page.evaluate("document.querySelectorAll('.h5l-viewer')[1].h5lens.load()")
        if renderer:
            page.evaluate("(r) => document.querySelectorAll('.h5l-viewer')[1].h5lens.image.setRenderer(r)", renderer)
        page.wait_for_timeout(1500)
        changes = [("colormap", "inferno"), ("colormap", "gray"), ("scale", "log"), ("scale", "sqrt"),
                   ("reverse colormap", None), ("auto range", "minmax"), ("auto range", "std"), ("scale", "linear")]
        out = [page.evaluate(COLOUR_CHANGE, [1, c, v]) for c, v in changes * 2]
        # the colour traits reach Python once the burst is over (viewer's COLOUR_IDLE_MS): count it
        sent0 = page.evaluate("window.__ws.sent")
        page.wait_for_timeout(1500)
        after_burst = page.evaluate("window.__ws.sent") - sent0
        kinds = {}
        for (c, _), o in zip(changes * 2, out):
            kinds.setdefault(c, []).append(o["ms"])
        res["colormap"] = {"median_ms": med([o["ms"] for o in out]), "max_ms": round(max(o["ms"] for o in out), 1),
                           "median_ms_by_control": {k: med(v) for k, v in kinds.items()},
                           "pixels": out[0]["pixels"], "requests": sum(o["requests"] for o in out),
                           "ws_sent_before_paint": sum(o["sentBeforePaint"] for o in out),
                           "ws_sent_per_change_after": round(statistics.mean(o["sentAfter"] for o in out), 2),
                           "ws_sent_after_burst": after_burst,
                           "renderer": page.evaluate("document.querySelectorAll('.h5l-viewer')[1].querySelector('.h5l-v-image').dataset.renderer")}
    if "play" in only:
        for fps in (25, 60):
            lab.execute(page, f"s500.fps = {fps}; s500.selection = '0,:,:'")
            page.wait_for_timeout(800)
            root = page.locator(".h5l-viewer").nth(2)
            root.get_by_label("play along dim 0").click()
            page.wait_for_timeout(6000)
            got = float(root.get_attribute("data-play-fps"))
            root.get_by_label("play along dim 0").click()
            page.wait_for_timeout(500)
            res.setdefault("play", {})[f"fps_setting_{fps}"] = round(got, 1)
        res["play"]["python_selection_after_stop"] = lab.execute(page, "print(s500.selection)").strip()
        # (200, 2048, 2048) uint16: the goal is 25 fps, asked for at 60
        lab.execute(page, "s200.fps = 60; s200.selection = '0,:,:'")
        page.wait_for_timeout(800)
        root = page.locator(".h5l-viewer").nth(4)
        root.get_by_label("play along dim 0").click()
        page.wait_for_timeout(6000)
        res["play"]["fps_2048_setting_60"] = round(float(root.get_attribute("data-play-fps")), 1)
        root.get_by_label("play along dim 0").click()
        page.wait_for_timeout(500)
    if "drag" in only:
        res["hist_drag"] = bench_drag(lab, page, 3)
    page.screenshot(path=str(HERE / "results" / "viewer_lab.png"))
    ctx.close()
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="slider,colormap,play,drag,big")
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--big-reps", type=int, default=1, help="first views of the 16k image to time")
    ap.add_argument("--cold", action="store_true", help="also time first views with the file evicted from the page cache")
    ap.add_argument("--renderer", choices=["webgl2", "canvas2d"], help="colour path of the colormap bench (default: the view's choice)")
    ap.add_argument("--nodelay", action="store_true", help="run the server with the h5lens.server extension (TCP_NODELAY on the kernel websocket)")
    args = ap.parse_args()
    t = time.time()
    res = run(args)
    res["wall_s"] = round(time.time() - t, 1)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "viewer_lab.json").write_text(json.dumps(res, indent=2))
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
