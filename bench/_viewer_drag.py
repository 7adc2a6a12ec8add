"""Histogram-bound drag in a real JupyterLab page: frames per second while the user drags.

Used by ``bench/viewer_lab.py --only drag``. The page counts its own animation frames
(``requestAnimationFrame`` timestamps) while Chromium receives real mouse events (the
DevTools input path, paced at 60 Hz from Python): a main thread busy with a paint or with the
statistics of a new frame shows as fewer frames and longer gaps between two of them.

Two cases on a float32 ``(n, 1024, 1024)`` stack held at full resolution in the page (its
range, percentiles and histogram are computed in the browser, over 10⁶ values per frame):
the frame still, and the stack playing at 25 fps under the drag (each new frame needs its
percentiles and histogram, which the main thread computed before the statistics worker).
"""

from __future__ import annotations

import statistics
import time

RAF_START = """() => {
  window.__raf = [];
  window.__rafOn = true;
  const tick = (t) => { if (!window.__rafOn) return; window.__raf.push(t); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
}"""

RAF_STOP = """() => {
  window.__rafOn = false;
  const t = window.__raf;
  const gaps = t.slice(1).map((x, i) => x - t[i]);
  return { frames: t.length, span: t.length > 1 ? t[t.length - 1] - t[0] : 0, gaps };
}"""

HIST_BOX = """([index]) => {
  const r = document.querySelectorAll('.h5l-viewer')[index];
  const h = r.h5lens.panel.hist;
  h.canvas.scrollIntoView({ block: 'center' });
  const b = h.canvas.getBoundingClientRect();
  return { left: b.left, top: b.top, width: b.width, height: b.height, vmax: h.toX(h.vmax), vmin: h.toX(h.vmin),
           stats: r.dataset.stats ?? "main" };
}"""


def _drag(page, index: int, seconds: float) -> dict:
    """Drag the upper bound of viewer ``index``'s histogram back and forth for ``seconds``."""
    box = page.evaluate(HIST_BOX, [index])
    y = box["top"] + box["height"] / 3
    x0 = box["left"] + box["vmax"]
    lo, hi = box["left"] + box["width"] * 0.35, box["left"] + box["width"] * 0.95
    page.mouse.move(x0, y)
    page.mouse.down()
    page.evaluate(RAF_START)
    t0 = time.perf_counter()
    n = 0
    while (t := time.perf_counter() - t0) < seconds:
        phase = (t / 1.5) % 2  # 1.5 s from one end to the other
        f = phase if phase < 1 else 2 - phase
        page.mouse.move(lo + f * (hi - lo), y)
        n += 1
        time.sleep(max(0.0, (n / 60) - (time.perf_counter() - t0)))
    out = page.evaluate(RAF_STOP)
    page.mouse.up()
    gaps = out["gaps"] or [0.0]
    return {"stats_in": box["stats"], "fps": round(1000 * (out["frames"] - 1) / out["span"], 1) if out["span"] else 0.0,
            "worst_gap_ms": round(max(gaps), 1), "gaps_over_20ms": sum(g > 20 for g in gaps),
            "median_gap_ms": round(statistics.median(gaps), 1), "moves": n}


def bench_drag(lab, page, index: int, seconds: float = 4.0) -> dict:
    """Frames per second while dragging, on the still frame and while the stack plays."""
    lab.execute(page, "f32.fps = 25; f32.selection = '0,:,:'")
    page.wait_for_timeout(800)
    res = {"still": _drag(page, index, seconds)}
    root = page.locator(".h5l-viewer").nth(index)
    lab.execute(page, "f32.autoscale = 'percentile'")
    page.wait_for_timeout(500)
    root.get_by_label("play along dim 0").click()
    page.wait_for_timeout(1000)
    res["playing"] = _drag(page, index, seconds)
    res["playing"]["play_fps"] = float(root.get_attribute("data-play-fps") or 0)
    root.get_by_label("play along dim 0").click()
    page.wait_for_timeout(500)
    lab.execute(page, "f32.autoscale = 'percentile'")
    return res
