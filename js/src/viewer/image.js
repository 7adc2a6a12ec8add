// The image view: a frame (typed array at display resolution) painted through a LUT into
// an offscreen canvas at data resolution, then drawn with zoom/pan, axes with ticks and
// a colour bar. The painting is WebGL2's (gl_colour.js: the frame uploaded once, a colour
// change re-runs a shader) where the browser has it, else Canvas2D's (colour.js `paint`):
// chosen once per view, Canvas2D again for good if the WebGL context is lost; both give the
// same pixels. A WebGL2 that the browser only emulates on the CPU is slower than Canvas2D: the
// view then paints with Canvas2D (see GlColour.create). ImageData and typed buffers are reused across frames (allocating 16 MB
// per frame costs tens of ms of GC).
import { paint, paintRgb, packLut, forward, parseColor } from "./colour.js";
import { ticks, logTicks, label } from "./ticks.js";
import { AxisMap } from "./axismap.js";
import { BAR, MARGIN, deviceSize, fittedHeight, pixelAt, plotRect } from "./image_geometry.js";
import { countMasked, paintMask } from "./mask_paint.js";
import { GlColour } from "./gl_colour.js";

export class ImageView {
  /**
   * @param {HTMLElement} parent
   * @param {{onHover?: Function, onView?: Function, onDraw?: Function}} hooks onView(rect) after zoom/pan
   *   settles, onDraw(rect) after each draw (the measures' overlay and compare's locked images follow zoom and pan)
   */
  constructor(parent, hooks = {}) {
    this.hooks = hooks;
    this.canvas = document.createElement("canvas");
    this.canvas.className = "h5l-v-image";
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", "image");
    this.canvas.tabIndex = -1;
    parent.appendChild(this.canvas);
    this.off = document.createElement("canvas");
    this.frame = null; // {data, dtype, w, h, region, factors, frameShape, axes}
    this.view = null; // visible rectangle in frame coordinates {x0, x1, y0, y1}
    this.colour = { lut: null, lutBytes: null, vmin: 0, vmax: 1, scale: "linear", bad: [255, 0, 255, 255] };
    this.aspect = "equal";
    this.labels = { x: "", y: "" };
    this.cache = {};
    this.maskColour = "#9e9e9e"; // masked pixels (the viewer's mask_color)
    /** @type {{masked: number, total: number} | null} masked display pixels of the last paint */
    this.maskCounts = null;
    /** @type {HTMLCanvasElement | null} the colour bar's 1 × 256 strip */
    this._bar = null;
    this._barLut = null;
    /** @type {GlColour | null} the WebGL2 painter; null without WebGL2 or once its context is lost */
    this.gl = GlColour.create(() => this._lost());
    this.setRenderer(this.gl ? "webgl2" : "canvas2d", false);
    /** @type {HTMLCanvasElement} what draw() shows: the canvas the last paint went to */
    this.source = this.off;
    this._listen();
  }

  /**
   * Show a new frame; keeps the zoom when the frame shape is unchanged. `paint` false: the
   * caller sets its colours next (setColour paints), so the frame is not painted twice.
   */
  setFrame(frame, paint = true) {
    const same = this.frame && this.frame.frameShape[0] === frame.frameShape[0] && this.frame.frameShape[1] === frame.frameShape[1];
    this.frame = frame;
    if (!same || !this.view) this.resetView(false);
    if (paint) this.repaint();
  }

  /**
   * Paint with "webgl2" or "canvas2d" from now on. Asking for "webgl2" accepts an emulated one
   * (tests compare the two paths in a browser without a GPU); without WebGL2, Canvas2D.
   * @param {string} name
   */
  setRenderer(name, repaint = true) {
    if (name === "webgl2" && !this.gl) this.gl = GlColour.create(() => this._lost(), { software: true });
    this.renderer = name === "webgl2" && this.gl ? "webgl2" : "canvas2d";
    this.canvas.dataset.renderer = this.renderer;
    if (repaint) this.repaint();
  }

  // the WebGL context is lost (the GPU reset, too many contexts in the page): Canvas2D from now on
  _lost() {
    this.gl?.destroy();
    this.gl = null;
    this.setRenderer("canvas2d");
  }

  // the Canvas2D path's buffers, at the frame's size (only a view that paints on the CPU has them)
  _cpuBuffers(w, h) {
    if (this.off.width !== w || this.off.height !== h || !this.imageData) {
      this.off.width = w; this.off.height = h;
      this.imageData = this.off.getContext("2d").createImageData(Math.max(1, w), Math.max(1, h));
      this.pixels = new Uint32Array(this.imageData.data.buffer);
    }
  }

  /** Colour settings changed: repaint from the data already here (no kernel message). */
  setColour(colour) {
    Object.assign(this.colour, colour);
    if (colour.lutBytes) this.colour.lut = packLut(colour.lutBytes);
    this.repaint();
  }

  repaint() {
    const f = this.frame;
    if (!f || (!f.rgb && !this.colour.lut)) return;
    const c = this.colour;
    if (this.renderer === "webgl2" && this.gl?.accepts(f)) { // float64 and RGB frames stay on the CPU
      this.gl.render(f, c, parseColor(this.maskColour));
      const m = this._masked; // the counts depend on the frame's mask, not on the colours
      if (!m || m.data !== f.data || m.mask !== f.mask || m.invalid !== f.invalid) {
        this._masked = { data: f.data, mask: f.mask, invalid: f.invalid, counts: countMasked(f) };
      }
      this.maskCounts = this._masked.counts;
      this.source = this.gl.canvas;
      this.draw();
      return;
    }
    this._cpuBuffers(f.w, f.h);
    if (f.rgb) paintRgb(f.data, this.pixels, f.channels, c.vmin, c.vmax, f.dtype);
    else paint(f.data, this.pixels, c.lut, c.vmin, c.vmax, c.scale, c.bad, f.dtype, this.cache);
    this.maskCounts = paintMask(f, this.pixels, this.maskColour);
    this.off.getContext("2d").putImageData(this.imageData, 0, 0);
    this.source = this.off;
    this.draw();
  }

  resetView(draw = true) {
    if (!this.frame) return;
    const [H, W] = this.frame.frameShape;
    this.view = { x0: 0, x1: W, y0: 0, y1: H };
    if (draw) { this.draw(); this.hooks.onView?.(this.view); }
  }

  // Plot rectangle (CSS px) for the current view, keeping square pixels when aspect is "equal".
  plotRect() {
    return plotRect(this.canvas.clientWidth || 600, this.canvas.clientHeight || 400, this.view, this.aspect);
  }

  /** Device pixels available for the image (height, width); null before the canvas is laid out. */
  availableSize() {
    const cw = this.canvas.clientWidth, ch = this.canvas.clientHeight;
    if (!cw || !ch) return null;
    return deviceSize(cw, ch, window.devicePixelRatio || 1);
  }

  /** Screen (CSS px in the canvas) → frame coordinates. */
  toFrame(px, py) {
    const r = this.plotRect(), v = this.view;
    return { x: v.x0 + ((px - r.x) / r.w) * (v.x1 - v.x0), y: v.y0 + ((py - r.y) / r.h) * (v.y1 - v.y0) };
  }

  /** Frame coordinates → screen (CSS px). */
  toScreen(fx, fy) {
    const r = this.plotRect(), v = this.view;
    return { x: r.x + ((fx - v.x0) / (v.x1 - v.x0)) * r.w, y: r.y + ((fy - v.y0) / (v.y1 - v.y0)) * r.h };
  }

  /** The displayed value at frame position (x, y), or null outside the data. */
  valueAt(x, y) {
    return this.frame ? pixelAt(this.frame, x, y) : null;
  }

  axisMaps() {
    const f = this.frame;
    const ax = f?.axes ?? {};
    return {
      x: new AxisMap(ax.x ?? null, f ? f.region[2] : 0, f ? f.factors[1] : 1),
      y: new AxisMap(ax.y ?? null, f ? f.region[0] : 0, f ? f.factors[0] : 1),
    };
  }

  // With square pixels, a canvas no taller than the image needs (a wide frame in a narrow
  // cell would otherwise float in empty bands); between 220 px and the stylesheet's 440 px.
  fitHeight() {
    const cv = this.canvas, f = this.frame;
    const ours = this._fitted != null && cv.style.height === this._fitted;
    if (cv.style.height && !ours) return; // a height the page set itself wins
    if (this.aspect !== "equal") { if (ours) cv.style.height = ""; return; }
    if (!f || !cv.clientWidth) return;
    const h = fittedHeight(cv.clientWidth, f.frameShape);
    if (Math.abs(cv.clientHeight - h) > 2) { this._fitted = `${h}px`; cv.style.height = this._fitted; }
  }

  draw() {
    this.fitHeight();
    const cv = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const cw = cv.clientWidth || 600, ch = cv.clientHeight || 400;
    if (cv.width !== Math.round(cw * dpr) || cv.height !== Math.round(ch * dpr)) {
      cv.width = Math.round(cw * dpr); cv.height = Math.round(ch * dpr);
    }
    const g = cv.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, cw, ch);
    const f = this.frame;
    if (!f || !this.view) return;
    const r = this.plotRect(), v = this.view;
    const [r0, r1, c0, c1] = f.region;
    // the part of the data under the view, in data pixels (fractional: no resampling here)
    const sx0 = (Math.max(v.x0, c0) - c0) / f.factors[1], sx1 = (Math.min(v.x1, c1) - c0) / f.factors[1];
    const sy0 = (Math.max(v.y0, r0) - r0) / f.factors[0], sy1 = (Math.min(v.y1, r1) - r0) / f.factors[0];
    g.save();
    g.beginPath(); g.rect(r.x, r.y, r.w, r.h); g.clip();
    g.fillStyle = getComputedStyle(cv).getPropertyValue("--h5l-v-empty") || "#8884";
    g.fillRect(r.x, r.y, r.w, r.h);
    if (sx1 > sx0 && sy1 > sy0) {
      const a = this.toScreen(Math.max(v.x0, c0), Math.max(v.y0, r0));
      const b = this.toScreen(Math.min(v.x1, c1), Math.min(v.y1, r1));
      g.imageSmoothingEnabled = false;
      g.drawImage(this.source, sx0, sy0, sx1 - sx0, sy1 - sy0, a.x, a.y, b.x - a.x, b.y - a.y);
    }
    g.restore();
    if (this.box) {
      g.strokeStyle = "#fff"; g.setLineDash([4, 3]); g.lineWidth = 1;
      g.strokeRect(this.box.x, this.box.y, this.box.w, this.box.h); g.setLineDash([]);
    }
    this._axes(g, r);
    this._colourBar(g, r, cw);
    this.hooks.onDraw?.(this.view);
  }

  _axes(g, r) {
    const style = getComputedStyle(this.canvas);
    const fg = style.color || "#333";
    g.strokeStyle = fg; g.fillStyle = fg; g.lineWidth = 1;
    g.font = `11px ${style.fontFamily || "sans-serif"}`;
    g.strokeRect(r.x - 0.5, r.y - 0.5, r.w + 1, r.h + 1); // around the image, never over its edge pixels
    const maps = this.axisMaps(), v = this.view;
    // x axis
    const xa = maps.x.value(v.x0), xb = maps.x.value(v.x1);
    g.textAlign = "center"; g.textBaseline = "top";
    for (const t of ticks(xa, xb, Math.max(2, Math.floor(r.w / 80)))) {
      const px = this.toScreen(maps.x.index(t), 0).x;
      if (px < r.x - 0.5 || px > r.x + r.w + 0.5) continue;
      g.beginPath(); g.moveTo(px, r.y + r.h); g.lineTo(px, r.y + r.h + 4); g.stroke();
      g.fillText(label(t), px, r.y + r.h + 6);
    }
    if (this.labels.x) g.fillText(this.labels.x, r.x + r.w / 2, r.y + r.h + 22);
    // y axis
    const ya = maps.y.value(v.y0), yb = maps.y.value(v.y1);
    g.textAlign = "right"; g.textBaseline = "middle";
    let widest = 0;
    for (const t of ticks(ya, yb, Math.max(2, Math.floor(r.h / 50)))) {
      const py = this.toScreen(0, maps.y.index(t)).y;
      if (py < r.y - 0.5 || py > r.y + r.h + 0.5) continue;
      g.beginPath(); g.moveTo(r.x, py); g.lineTo(r.x - 4, py); g.stroke();
      g.fillText(label(t), r.x - 6, py);
      widest = Math.max(widest, g.measureText(label(t)).width);
    }
    if (this.labels.y) { // beside the tick labels, not at the canvas edge when the image is narrow
      g.save(); g.translate(Math.max(12, r.x - widest - 16), r.y + r.h / 2); g.rotate(-Math.PI / 2);
      g.textAlign = "center"; g.fillText(this.labels.y, 0, 0); g.restore();
    }
  }

  _colourBar(g, r, cw) {
    const c = this.colour;
    if (!c.lut || this.frame?.rgb) return;
    // beside the image (which square pixels may leave narrower than the canvas), not at the canvas edge
    const x = Math.min(r.x + r.w + BAR.gap, cw - MARGIN.right - BAR.labels - BAR.width), y = r.y, h = r.h;
    if (this._barLut !== c.lut) { // a 1 × 256 strip per LUT, stretched: one drawImage per redraw
      this._bar ??= document.createElement("canvas");
      this._bar.width = 1; this._bar.height = 256;
      const bg = this._bar.getContext("2d"), strip = bg.createImageData(1, 256);
      const px = new Uint32Array(strip.data.buffer);
      for (let i = 0; i < 256; i++) px[255 - i] = c.lut[i]; // top = vmax
      bg.putImageData(strip, 0, 0);
      this._barLut = c.lut;
    }
    g.imageSmoothingEnabled = false;
    g.drawImage(this._bar, 0, 0, 1, 256, x, y, BAR.width, h);
    g.strokeRect(x + 0.5, y + 0.5, BAR.width - 1, h - 1);
    const f0 = forward(c.vmin, c.scale), f1 = forward(c.vmax, c.scale);
    if (!(f1 > f0)) return;
    const values = c.scale === "log" ? logTicks(c.vmin, c.vmax) : ticks(c.vmin, c.vmax, Math.max(2, Math.floor(h / 40)));
    g.textAlign = "left"; g.textBaseline = "middle";
    for (const t of values) {
      const ft = forward(t, c.scale);
      if (Number.isNaN(ft)) continue;
      const py = y + h - ((ft - f0) / (f1 - f0)) * h;
      g.beginPath(); g.moveTo(x + BAR.width, py); g.lineTo(x + BAR.width + 4, py); g.stroke();
      g.fillText(label(t), x + BAR.width + 6, py);
    }
  }

  _listen() {
    const cv = this.canvas;
    let drag = null;
    this._onWheel = (e) => {
      if (!this.frame) return;
      e.preventDefault();
      const p = this.toFrame(e.offsetX, e.offsetY);
      this.zoom(e.deltaY < 0 ? 1 / 1.25 : 1.25, p.x, p.y);
    };
    this._onDown = (e) => {
      if (!this.frame || e.button !== 0) return;
      cv.setPointerCapture?.(e.pointerId);
      drag = { x: e.offsetX, y: e.offsetY, view: { ...this.view }, box: e.shiftKey };
    };
    this._onMove = (e) => {
      if (drag && drag.box) {
        this.box = { x: Math.min(drag.x, e.offsetX), y: Math.min(drag.y, e.offsetY), w: Math.abs(e.offsetX - drag.x), h: Math.abs(e.offsetY - drag.y) };
        this.draw();
      } else if (drag) {
        const r = this.plotRect(), v = drag.view;
        const dx = ((e.offsetX - drag.x) / r.w) * (v.x1 - v.x0), dy = ((e.offsetY - drag.y) / r.h) * (v.y1 - v.y0);
        this.view = { x0: v.x0 - dx, x1: v.x1 - dx, y0: v.y0 - dy, y1: v.y1 - dy };
        this.draw();
      }
      this._hover(e.offsetX, e.offsetY);
    };
    this._onUp = (e) => {
      if (!drag) return;
      if (drag.box && this.box && this.box.w > 3 && this.box.h > 3) {
        const a = this.toFrame(this.box.x, this.box.y), b = this.toFrame(this.box.x + this.box.w, this.box.y + this.box.h);
        this.view = { x0: a.x, x1: b.x, y0: a.y, y1: b.y };
      }
      this.box = null; drag = null;
      this.draw();
      this._settle();
      void e;
    };
    this._onLeave = () => this.hooks.onHover?.(null);
    this._onDbl = () => this.resetView();
    cv.addEventListener("wheel", this._onWheel, { passive: false });
    cv.addEventListener("pointerdown", this._onDown);
    cv.addEventListener("pointermove", this._onMove);
    cv.addEventListener("pointerup", this._onUp);
    cv.addEventListener("pointerleave", this._onLeave);
    cv.addEventListener("dblclick", this._onDbl);
  }

  /** Zoom by `factor` (< 1 zooms in) about frame point (x, y). */
  zoom(factor, x, y) {
    const v = this.view;
    this.view = { x0: x - (x - v.x0) * factor, x1: x + (v.x1 - x) * factor, y0: y - (y - v.y0) * factor, y1: y + (v.y1 - y) * factor };
    this.draw();
    this._settle();
  }

  _settle() {
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this.hooks.onView?.(this.view), 120);
  }

  _hover(px, py) {
    if (!this.frame || !this.view) return;
    const p = this.toFrame(px, py);
    const at = this.valueAt(p.x, p.y);
    if (!at) { this.hooks.onHover?.(null); return; }
    const maps = this.axisMaps();
    this.hooks.onHover?.({ x: Math.floor(p.x), y: Math.floor(p.y), ax: maps.x.values ? maps.x.value(p.x) : null,
      ay: maps.y.values ? maps.y.value(p.y) : null, value: at.value });
  }

  destroy() {
    clearTimeout(this._timer);
    this.gl?.destroy();
    this.gl = null;
    const cv = this.canvas;
    cv.removeEventListener("wheel", this._onWheel);
    cv.removeEventListener("pointerdown", this._onDown);
    cv.removeEventListener("pointermove", this._onMove);
    cv.removeEventListener("pointerup", this._onUp);
    cv.removeEventListener("pointerleave", this._onLeave);
    cv.removeEventListener("dblclick", this._onDbl);
    cv.remove();
  }
}

export { parseColor };
