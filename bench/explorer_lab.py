"""Explorer speed in a real headless JupyterLab (Chromium), on a generated 100 000-object file.

Measures, in the browser (``performance.now()``):

* first paint: from the moment the explorer cell is run to the first frame
  after the file's top-level members are in the DOM (goal ≤ 1 s), and apart
  the time to the explorer's element in the page (``render``: the kernel's
  widget and display, the page's model, module and view); the first explorer
  of a page (which also loads the front-end module) is reported apart;
* expansion: from the click on a 10 000-member group to the first frame after
  its first page (``page_size`` rows, 100 by default) is in the DOM (goal ≤ 150 ms);
* view: from a click on a dataset to the first frame after the view area's viewer
  has drawn it (a new viewer widget and its first data command);
* the small-message round trip: the ``info`` command on ``/`` (a few hundred
  bytes each way), and the same command's time inside the kernel, so each
  figure can be split into transport and work.

Runs with the stock server and with TCP_NODELAY set on the kernel websocket
(``--mode default|nodelay|both``); the file (10 groups × 10 000 datasets, from
``bench/_bigtree.py``) is generated once and cached.

Usage::

    .venv/bin/python bench/explorer_lab.py [--reps 5] [--mode both] [--out bench/results]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "browser"))
from _bigtree import cached_bigtree  # noqa: E402
from _labs import ARGS, CHROMIUM, LabServer  # noqa: E402  (bench/ is the script's folder)

# run cell `index`, then resolve with the time of the first frame after a *new* explorer is ready
# (`render`: when the new explorer's element is in the page, i.e. the kernel has built the widget and its
# display, and the page its model, module and view; the rest is the `children` round trip and the paint)
FIRST_PAINT_JS = """async (index) => {
  for (const t of document.querySelectorAll('.h5l-tree, .h5l-explorer')) t.dataset.old = '1';
  const nb = jupyterapp.shell.currentWidget.content;
  nb.activeCellIndex = index;
  let tRender = null;
  const obs = new MutationObserver(() => {
    if (tRender === null && document.querySelector('.h5l-explorer:not([data-old])')) tRender = performance.now(); });
  obs.observe(document.body, {childList: true, subtree: true});
  const t0 = performance.now();
  jupyterapp.commands.execute('notebook:run-cell');
  const end = t0 + 30000;
  for (;;) {
    const t = document.querySelector('.h5l-tree[data-ready=true]:not([data-old])');
    if (t) { const tDom = performance.now(); obs.disconnect();
      await new Promise(r => requestAnimationFrame(() => r()));
      return {render: tRender - t0, dom: tDom - t0, paint: performance.now() - t0,
              rows: t.querySelectorAll('li[data-path]').length}; }
    if (performance.now() > end) throw new Error('explorer not ready after 30 s');
    await new Promise(r => requestAnimationFrame(() => r()));
  }
}"""

# click the twisty of `path`, resolve with the first frame after its first page is in the DOM
EXPAND_JS = """async (path) => {
  const tree = document.querySelector('.h5l-tree:not([data-old])');
  const twisty = tree.querySelector(`li[data-path="${path}"] > .h5l-row .h5l-twisty`);
  const t0 = performance.now();
  twisty.click();
  return await new Promise((resolve, reject) => {
    const done = () => { const tDom = performance.now(); obs.disconnect();
      requestAnimationFrame(() => resolve({dom: tDom - t0, paint: performance.now() - t0})); };
    // the page's rows and then its "load more" button are appended in one task
    const obs = new MutationObserver(() => {
      if (tree.querySelector(`li[data-path="${path}"] > ul > .h5l-more`)) done(); });
    obs.observe(tree, {childList: true, subtree: true});
    setTimeout(() => { obs.disconnect(); reject(new Error('expansion timed out')); }, 30000);
  });
}"""

# click the row of `path` (its group expanded), resolve with the first frame after the view area's
# viewer has drawn that node (a new viewer widget, its first data command answered)
VIEW_JS = """async (path) => {
  const ex = document.querySelector('.h5l-tree:not([data-old])').closest('.h5l-explorer');
  const name = ex.querySelector(`li[data-path="${path}"] > .h5l-row .h5l-name`);
  const t0 = performance.now();
  name.click();
  const end = t0 + 30000;
  for (;;) {
    const v = ex.querySelector('.h5l-view .h5l-viewer');
    if (v && v.dataset.seq && v.querySelector('.h5l-v-title')?.title.endsWith(path)) {
      const tDom = performance.now();
      await new Promise(r => requestAnimationFrame(() => r()));
      return {dom: tDom - t0, paint: performance.now() - t0};
    }
    if (performance.now() > end) throw new Error('no view of ' + path);
    await new Promise(r => setTimeout(r, 1));
  }
}"""

RTT_JS = """async (n) => {
  const host = document.querySelector('.h5l-tree:not([data-old])').closest('.h5l-explorer').parentElement;
  const rpc = host.h5lens.rpc, out = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await rpc.call('info', {path: '/'});
    out.push(performance.now() - t0);
  }
  return out;
}"""


def stats(xs):
    xs = sorted(xs)
    return {"n": len(xs), "min": round(xs[0], 1), "median": round(statistics.median(xs), 1),
            "max": round(xs[-1], 1)}


def run_mode(browser, path: str, reps: int, nodelay: bool) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="h5lens-bench-lab-"))
    lab = LabServer(tmp, nodelay=nodelay)
    res: dict = {"nodelay": nodelay}
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        lab.open(page, "bench.ipynb", [
            "import time, h5lens, h5lens.widgets.explorer  # imports out of the timed cell",
            f"ex = h5lens.explore({path!r})\nex",
        ], run=False)
        page.evaluate("() => { const nb = jupyterapp.shell.currentWidget.content; nb.activeCellIndex = 0;"
                      " return jupyterapp.commands.execute('notebook:run-cell'); }")
        page.wait_for_timeout(500)
        paints = [page.evaluate(FIRST_PAINT_JS, 1) for _ in range(reps + 1)]
        # the first explorer of a page also imports the front-end bundle: reported on its own
        res["first_paint_first_widget_ms"] = round(paints[0]["paint"], 1)
        res["first_paint_ms"] = stats([p["paint"] for p in paints[1:]])
        res["first_paint_dom_ms"] = stats([p["dom"] for p in paints[1:]])
        res["first_paint_render_ms"] = stats([p["render"] for p in paints[1:]])
        res["root_rows"] = paints[-1]["rows"]
        # the kernel's share of the first paint: explore() + widget display + one `children` page
        out = lab.execute(page, (
            "import time, h5lens\n"
            f"t0 = time.perf_counter(); e = h5lens.explore({path!r}); t1 = time.perf_counter()\n"
            "b = e._repr_mimebundle_(); t2 = time.perf_counter()\n"
            "e.children({'path': '/'}, []); t3 = time.perf_counter()\n"
            "print((t1-t0)*1e3, (t2-t1)*1e3, (t3-t2)*1e3); e.close()"))
        create, bundle, children = (float(x) for x in out.split())
        res["kernel_first_paint_ms"] = {"explore": round(create, 1), "mimebundle_with_html_fallback": round(bundle, 1),
                                        "children_root": round(children, 1)}
        rtt = page.evaluate(RTT_JS, 20)
        res["small_rtt_ms"] = stats(rtt)
        out = lab.execute(page, "import timeit\nprint(min(timeit.repeat(lambda: ex.info({'path': '/'}, []),"
                                " number=20, repeat=5)) / 20 * 1e3)")
        res["kernel_info_ms"] = round(float(out), 3)
        groups = [f"/scan_{i:04d}" for i in range(min(reps, 10))]
        expands = [page.evaluate(EXPAND_JS, g) for g in groups]
        res["expand_10000_first_page_ms"] = stats([e["paint"] for e in expands])
        res["expand_dom_ms"] = stats([e["dom"] for e in expands])
        # a click on a dataset: the view area's viewer (a new child widget) drawn with its data
        views = [page.evaluate(VIEW_JS, f"{groups[0]}/frame_{j:05d}") for j in range(reps + 1)]
        res["click_to_view_ms"] = stats([v["paint"] for v in views[1:]])
        out = lab.execute(page, (
            f"e = h5lens.explore({path!r}); ts = []\n"
            "for i in range(5, 10):\n"
            "    t = time.perf_counter(); e.children({'path': f'/scan_{i:04d}'}, []);"
            " ts.append((time.perf_counter() - t) * 1e3)\n"
            "print(sorted(ts)[len(ts) // 2]); e.close()"))
        res["kernel_children_10000_cold_ms"] = round(float(out), 1)
        page.screenshot(path=str(tmp / "bench.png"))
        res["errors"] = []
        page.close()
    finally:
        lab.stop()
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--mode", choices=["default", "nodelay", "both"], default="both")
    ap.add_argument("--out", default=str(HERE / "results"))
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    path = cached_bigtree(n_groups=10, per_group=10_000)
    modes = {"default": [False], "nodelay": [True], "both": [False, True]}[args.mode]
    static = HERE.parent / "src" / "h5lens" / "widgets" / "static"
    results = {"file": path, "objects": "10 groups × 10 000 datasets (+10 soft links)", "runs": [],
               "bundle_bytes": {n: (static / f"{n}.js").stat().st_size for n in ("explorer", "tree", "viewer")}}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            for nodelay in modes:
                t = time.perf_counter()
                r = run_mode(browser, path, args.reps, nodelay)
                r["wall_s"] = round(time.perf_counter() - t, 1)
                results["runs"].append(r)
        finally:
            browser.close()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "explorer_lab.json").write_text(json.dumps(results, indent=1))
    for r in results["runs"]:
        mode = "TCP_NODELAY" if r["nodelay"] else "stock server"
        rtt = r["small_rtt_ms"]["median"]
        fp, ex = r["first_paint_ms"]["median"], r["expand_10000_first_page_ms"]["median"]
        print(f"[{mode}] first paint {fp} ms (first widget of the page {r['first_paint_first_widget_ms']} ms;"
              f" goal 1000), expand 10 000 → first page {ex} ms (goal 150)")
        print(f"   small round trip {rtt} ms (kernel work {r['kernel_info_ms']} ms); "
              f"first paint = cell run + 1 round trip ({100 * rtt / fp:.0f} %), "
              f"expansion = 1 round trip ({100 * rtt / ex:.0f} %) + kernel {r['kernel_children_10000_cold_ms']} ms")
        print(f"   kernel share of first paint: {r['kernel_first_paint_ms']}")
        print(f"   cell run → explorer rendered {r['first_paint_render_ms']['median']} ms (kernel, messages, module,"
              f" view), then the tree's first page painted")
    print(f"bundles (bytes): {results['bundle_bytes']}")
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
