// The curve view, drawn by uPlot (bundled, no CDN): the current curve plus pinned ones
// overlaid with a legend whose entries toggle curves, log x/y, box zoom and wheel
// zoom/pan, hover read-out in the legend, error bars, lines and/or points. Decimated
// curves (min/max per pixel column) are drawn as a band between their min and max.
import uPlot from "uplot";
import uplotCss from "uplot/dist/uPlot.min.css";
import { label as tickLabel } from "./ticks.js";
import { errorExtent, fitLogRange, fitTitle, logSplits } from "./curve_maths.js";

const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

export const CSS = uplotCss;

// log axes over less than a decade get linear ticks (uPlot's would leave a single "10")
const logAxisSplits = (u, axis, min, max) => logSplits(min, max, Math.max(2, Math.floor(u.bbox.width / (window.devicePixelRatio || 1) / 90)));

// uPlot passes null for log-axis splits it wants unlabelled
const ticksText = (u, splits) => splits.map((v) => (v == null ? "" : tickLabel(v)));

export class CurveView {
  /** @param {HTMLElement} parent @param {{onRange?: Function}} hooks onRange(i0, i1) after a zoom */
  constructor(parent, hooks = {}) {
    this.hooks = hooks;
    this.root = document.createElement("div");
    this.root.className = "h5l-v-curve";
    this.root.setAttribute("role", "img");
    this.root.setAttribute("aria-label", "curve");
    parent.appendChild(this.root);
    this.current = null; // {label, x, y, ymax?, errors?, index, decimated}
    this.pinned = [];
    this.overlays = []; // curves added from Python (`add_curve`) or the explorer, with their colours
    this.options = { logx: false, logy: false, style: "lines", xlabel: "", ylabel: "" };
    this.plot = null;
    this._wheel = (e) => this._onWheel(e);
  }

  /** Show the current curve (keeps pinned ones). */
  setCurve(curve) { this.current = curve; this._rebuild(false); }

  setOptions(opts) { Object.assign(this.options, opts); this._rebuild(true); }

  pin() {
    if (!this.current) return;
    const c = this.current;
    this.pinned.push({ ...c, errors: null, colour: COLOURS[(this.pinned.length + 1) % COLOURS.length] });
    this._rebuild(true);
  }

  clearPins() { this.pinned = []; this._rebuild(true); }

  /**
   * Show the overlaid curves (each {label, x, y, ymax, decimated}); each keeps a colour of its own
   * after the current curve's and the pinned ones'.
   * @param {any[]} curves
   */
  setOverlays(curves) {
    this.overlays = curves.map((c) => ({ ...c, errors: null }));
    this._rebuild(true);
  }

  _series(c, colour, idx) {
    const { style } = this.options;
    const base = { label: c.label, stroke: colour, width: 1.5, points: { show: style !== "lines", size: 4, fill: colour },
      paths: style === "points" ? () => null : undefined };
    if (!c.decimated) return [base];
    return [{ ...base, label: `${c.label} (max)` }, { ...base, label: `${c.label} (min)`, idx }];
  }

  _data() {
    const curves = [...this.pinned, ...this.overlays, this.current].filter(Boolean);
    const tables = curves.map((c) => (c.decimated ? [c.x, c.ymax, c.y] : [c.x, c.y, ...(c === this.current ? (c.aux ?? []).map((a) => a.y) : [])]));
    if (!tables.length) return { data: [[]], curves };
    if (tables.length === 1) return { data: tables[0], curves };
    return { data: uPlot.join(tables), curves };
  }

  _rebuild(force) {
    const { data, curves } = this._data();
    // a curve of another colour (a profile's, see measure_panel.js) is drawn anew
    const shapeKey = curves.map((c) => `${c.decimated}/${c.aux?.length ?? 0}/${c.colour ?? ""}`).join() + JSON.stringify(this.options);
    if (this.plot && !force && shapeKey === this.shapeKey) {
      this.plot.setData(data, !this.zoomed);
      this._relabel(curves);
      return;
    }
    this.shapeKey = shapeKey;
    // curves hidden from the legend stay hidden when the plot is rebuilt (log axes, style)
    const hidden = new Set((this.plot?.series ?? []).filter((s) => s.show === false).map((s) => s.label));
    this.plot?.over.removeEventListener("wheel", this._wheel);
    this.plot?.destroy();
    this.zoomed = false;
    const series = [{ label: this.options.xlabel || "x" }];
    const bands = [];
    curves.forEach((c, k) => {
      // pinned curves, then overlaid ones, then auxiliary signals: one colour each, in that order
      const overlay = this.overlays.indexOf(c);
      const colour = c === this.current ? c.colour ?? COLOURS[0]
        : overlay >= 0 ? COLOURS[(this.pinned.length + 1 + overlay) % COLOURS.length] : c.colour;
      const s = this._series(c, colour);
      if (s.length === 2) bands.push({ series: [series.length, series.length + 1], fill: `${colour}55` });
      series.push(...s);
      if (c === this.current && !c.decimated) {
        (c.aux ?? []).forEach((a, j) => series.push(...this._series({ label: a.label }, COLOURS[(this.pinned.length + this.overlays.length + 1 + j) % COLOURS.length])));
      }
    });
    const width = Math.max(200, this.root.clientWidth || 600);
    // read at each draw: the view may be built before it is in the page, and the theme may change
    const fg = () => getComputedStyle(this.root).color || "#333";
    const grid = { stroke: "rgba(128,128,128,0.2)" };
    const height = 360, ySize = 64;
    const titles = this._titles(width - ySize - 24, height - 70);
    const opts = {
      width, height, series, bands,
      scales: {
        x: { time: false, distr: this.options.logx ? 3 : 1,
          ...(this.options.logx ? { range: (u, min, max) => fitLogRange(u.data[0], min, max) } : {}) },
        y: { distr: this.options.logy ? 3 : 1,
          range: this.options.logy ? (u, min, max) => fitLogRange(u.data.slice(1).flatMap((d) => Array.from(d ?? [])), min, max)
            : (u, min, max) => this._yRange(min, max) },
      },
      // tick labels of our own: uPlot's default shows 1e-10 as "0"
      axes: [{ ...titles.x, stroke: fg, grid, values: ticksText, ...(this.options.logx ? { splits: logAxisSplits } : {}) },
        { ...titles.y, stroke: fg, grid, size: ySize, values: ticksText, ...(this.options.logy ? { splits: logAxisSplits } : {}) }],
      cursor: { drag: { x: true, y: false, setScale: true } },
      legend: { live: true },
      hooks: {
        draw: [(u) => this._errorBars(u)],
        setScale: [(u, key) => { if (key === "x") this._zoomed(u); }],
      },
    };
    this.plot = new uPlot(opts, data, this.root);
    this.plot.series.forEach((s, i) => { if (i > 0 && hidden.has(s.label)) this.plot.setSeries(i, { show: false }); });
    this.plot.over.addEventListener("wheel", this._wheel, { passive: false });
    this._titleTips(titles);
  }

  /**
   * uPlot axis options of the x and y titles, fitted to `xRoom` and `yRoom` px (see fitTitle).
   * @param {number} xRoom
   * @param {number} yRoom
   */
  _titles(xRoom, yRoom) {
    const family = getComputedStyle(this.root).fontFamily || "sans-serif";
    const ctx = document.createElement("canvas").getContext("2d");
    const measure = (/** @type {string} */ t, /** @type {number} */ size) => {
      if (!ctx) return t.length * size * 0.6;
      ctx.font = `bold ${size}px ${family}`;
      return ctx.measureText(t).width;
    };
    const one = (/** @type {string} */ full, /** @type {number} */ room) => {
      const f = fitTitle(full, room, measure);
      return { label: f.text, labelFont: `bold ${f.size}px ${family}`, labelSize: f.size + 12, full, cut: f.cut };
    };
    return { x: one(this.options.xlabel, xRoom), y: one(this.options.ylabel, yRoom) };
  }

  // The whole axis titles as tooltips (and accessible names) over the strips where they are drawn.
  _titleTips(titles) {
    const wrap = this.plot.root.querySelector(".u-wrap") ?? this.plot.root;
    for (const [axis, t] of /** @type {Array<[string, any]>} */ (Object.entries(titles))) {
      if (!t.full) continue;
      const tip = document.createElement("div");
      tip.className = `h5l-v-axtitle h5l-v-axtitle-${axis}`;
      tip.title = t.full;
      tip.setAttribute("aria-label", `${axis} axis: ${t.full}`);
      tip.style.cssText = axis === "y" ? `left:0;top:0;bottom:0;width:${t.labelSize}px` : `left:0;right:0;bottom:0;height:${t.labelSize}px`;
      wrap.appendChild(tip);
    }
  }

  /**
   * Linear y range: the data's, widened to hold the error bars of the current curve.
   * @param {number | null} min
   * @param {number | null} max
   * @returns {[number, number]}
   */
  _yRange(min, max) {
    const c = this.current;
    const ext = c?.errors && !c.decimated ? errorExtent(c.y, c.errors) : null;
    if (ext) { min = Math.min(min ?? ext[0], ext[0]); max = Math.max(max ?? ext[1], ext[1]); }
    if (min == null || max == null) return [0, 1];
    const [lo, hi] = uPlot.rangeNum(min, max, 0.1, true);
    return [lo, hi];
  }

  // The current curve's legend entry follows its selection without rebuilding the plot.
  _relabel(curves) {
    const labels = this.plot.root.querySelectorAll(".u-legend .u-series .u-label");
    let k = 1;
    for (const c of curves) {
      const names = c.decimated ? [`${c.label} (max)`, `${c.label} (min)`] : [c.label];
      if (c === this.current && !c.decimated) names.push(...(c.aux ?? []).map((a) => a.label));
      for (const name of names) {
        this.plot.series[k].label = name;
        if (labels[k]) labels[k].textContent = name;
        k++;
      }
    }
  }

  // Error bars of the current curve (not drawn for decimated curves or > 5000 points).
  _errorBars(u) {
    const c = this.current;
    if (!c || !c.errors || c.decimated || c.x.length > 5000) return;
    const sIdx = [...this.pinned, ...this.overlays].reduce((n, p) => n + (p.decimated ? 2 : 1), 1);
    if (!u.series[sIdx]?.show) return;
    const g = u.ctx, dpr = uPlot.pxRatio ?? window.devicePixelRatio ?? 1;
    g.save();
    g.strokeStyle = COLOURS[0]; g.lineWidth = dpr;
    g.beginPath();
    for (let i = 0; i < c.x.length; i++) {
      const y = c.y[i], e = c.errors[i];
      if (!Number.isFinite(y) || !Number.isFinite(e)) continue;
      const px = u.valToPos(c.x[i], "x", true);
      const lo = u.valToPos(y - e, "y", true), hi = u.valToPos(y + e, "y", true);
      g.moveTo(px, lo); g.lineTo(px, hi);
      g.moveTo(px - 3 * dpr, lo); g.lineTo(px + 3 * dpr, lo);
      g.moveTo(px - 3 * dpr, hi); g.lineTo(px + 3 * dpr, hi);
    }
    g.stroke();
    g.restore();
  }

  _onWheel(e) {
    const u = this.plot;
    if (!u) return;
    e.preventDefault();
    const { min, max } = u.scales.x;
    if (min == null || max == null) return;
    const log = this.options.logx;
    const fwd = (v) => (log ? Math.log10(v) : v), inv = (v) => (log ? 10 ** v : v);
    const a = fwd(min), b = fwd(max), span = b - a;
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) { // pan
      const d = (Math.sign(e.deltaX || e.deltaY) * span) / 10;
      u.setScale("x", { min: inv(a + d), max: inv(b + d) });
      return;
    }
    const at = fwd(u.posToVal(e.offsetX, "x"));
    const k = e.deltaY < 0 ? 0.8 : 1.25;
    u.setScale("x", { min: inv(at - (at - a) * k), max: inv(at + (b - at) * k) });
  }

  _zoomed(u) {
    const c = this.current;
    if (!c) return;
    const { min, max } = u.scales.x;
    const full = c.x.length ? [c.x[0], c.x[c.x.length - 1]] : [0, 0];
    this.zoomed = !(min <= Math.min(...full) && max >= Math.max(...full));
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this.hooks.onRange?.(min, max, this.zoomed), 150);
  }

  resetZoom() {
    this.zoomed = false;
    this._rebuild(true);
    this.hooks.onRange?.(null, null, false);
  }

  destroy() {
    clearTimeout(this._timer);
    this.plot?.over.removeEventListener("wheel", this._wheel);
    this.plot?.destroy();
    this.root.remove();
  }
}
