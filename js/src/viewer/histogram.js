// Histogram of the displayed values (on the current scale) with two draggable bounds that
// set a manual range. Counts are drawn on a log scale so sparse tails stay visible.
import { forward, inverse } from "./colour.js";
import { label } from "./ticks.js";
const PAD = 8;

/**
 * Canvas x (CSS px) of value `v` on a histogram of [lo, hi] under `scale`, `width` px wide;
 * clamped to the ends, at the left end for values the scale cannot show.
 * @param {number} v
 * @param {number} lo
 * @param {number} hi
 * @param {string} scale
 * @param {number} width
 */
export function xOf(v, lo, hi, scale, width) {
  const f0 = forward(lo, scale), f1 = forward(hi, scale), f = forward(v, scale);
  if (!(f1 > f0) || Number.isNaN(f)) return PAD;
  return PAD + Math.max(0, Math.min(1, (f - f0) / (f1 - f0))) * (width - 2 * PAD);
}

/**
 * The value at canvas x (the inverse of `xOf` inside the histogram), clamped to [lo, hi].
 * @param {number} x
 * @param {number} lo
 * @param {number} hi
 * @param {string} scale
 * @param {number} width
 */
export function valueOfX(x, lo, hi, scale, width) {
  const f0 = forward(lo, scale), f1 = forward(hi, scale);
  const t = Math.max(0, Math.min(1, (x - PAD) / (width - 2 * PAD)));
  return f1 > f0 ? inverse(f0 + t * (f1 - f0), scale) : lo;
}

export class Histogram {
  /**
   * @param {HTMLElement} parent
   * @param {(vmin: number, vmax: number, final: boolean) => void} onChange `final` once the drag is over
   */
  constructor(parent, onChange) {
    this.onChange = onChange;
    this.canvas = document.createElement("canvas");
    this.canvas.className = "h5l-v-hist";
    this.canvas.setAttribute("role", "slider");
    this.canvas.setAttribute("aria-label", "histogram: drag the bounds to set the colour range");
    parent.appendChild(this.canvas);
    this.lo = 0; this.hi = 1; this.vmin = 0; this.vmax = 1; this.scale = "linear"; this.counts = null;
    let drag = null;
    /** true while a bound is dragged: frames shown meanwhile keep the dragged range */
    this.dragging = false;
    this._down = (e) => {
      const x = e.offsetX;
      const a = this.toX(this.vmin), b = this.toX(this.vmax);
      drag = Math.abs(x - a) <= Math.abs(x - b) ? "vmin" : "vmax";
      this.dragging = true;
      this.canvas.setPointerCapture?.(e.pointerId);
      this._move(e);
    };
    this._move = (e) => {
      if (!drag) return;
      const v = this.fromX(e.offsetX);
      if (drag === "vmin") this.vmin = Math.min(v, this.vmax); else this.vmax = Math.max(v, this.vmin);
      this.draw();
      this.onChange(this.vmin, this.vmax, false);
    };
    this._up = () => { if (drag) { drag = null; this.dragging = false; this.onChange(this.vmin, this.vmax, true); } };
    this.canvas.addEventListener("pointerdown", this._down);
    this.canvas.addEventListener("pointermove", this._move);
    this.canvas.addEventListener("pointerup", this._up);
  }

  /**
   * New counts (another frame or scale), binned over [lo, hi] on `scale` (frame_stats.js).
   * @param {Float64Array | null} counts
   * @param {number} lo
   * @param {number} hi
   * @param {string} scale
   */
  setCounts(counts, lo, hi, scale) {
    this.lo = lo; this.hi = hi; this.scale = scale;
    this.counts = counts;
    this.draw();
  }

  setRange(vmin, vmax) { this.vmin = vmin; this.vmax = vmax; this.draw(); }

  /** @param {number} v */
  toX(v) { return xOf(v, this.lo, this.hi, this.scale, this.canvas.clientWidth || 300); }

  /** @param {number} x */
  fromX(x) { return valueOfX(x, this.lo, this.hi, this.scale, this.canvas.clientWidth || 300); }

  draw() {
    const cv = this.canvas, dpr = window.devicePixelRatio || 1;
    const cw = cv.clientWidth || 300, ch = cv.clientHeight || 70;
    if (cv.width !== Math.round(cw * dpr)) cv.width = Math.round(cw * dpr);
    if (cv.height !== Math.round(ch * dpr)) cv.height = Math.round(ch * dpr);
    const g = cv.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, cw, ch);
    const style = getComputedStyle(cv);
    const fg = style.color || "#333";
    const h = ch - 16;
    if (this.counts) {
      let max = 0;
      for (const c of this.counts) max = Math.max(max, Math.log1p(c));
      const bw = (cw - 2 * PAD) / this.counts.length;
      g.fillStyle = fg; g.globalAlpha = 0.55;
      this.counts.forEach((c, i) => {
        const bh = max ? (Math.log1p(c) / max) * (h - 4) : 0;
        g.fillRect(PAD + i * bw, h - bh, Math.max(1, bw - 0.5), bh);
      });
      g.globalAlpha = 1;
    }
    const a = this.toX(this.vmin), b = this.toX(this.vmax);
    g.fillStyle = "rgba(128,128,128,0.25)";
    g.fillRect(PAD, 0, a - PAD, h); g.fillRect(b, 0, cw - PAD - b, h);
    g.strokeStyle = style.getPropertyValue("--jp-brand-color1") || "#1976d2"; g.lineWidth = 2;
    for (const x of [a, b]) { g.beginPath(); g.moveTo(x, 0); g.lineTo(x, h); g.stroke(); }
    g.fillStyle = fg; g.font = `10px ${style.fontFamily || "sans-serif"}`; g.textBaseline = "top";
    g.textAlign = "left"; g.fillText(label(this.lo), PAD, h + 3);
    g.textAlign = "right"; g.fillText(label(this.hi), cw - PAD, h + 3);
    cv.setAttribute("aria-valuetext", `${label(this.vmin)} to ${label(this.vmax)}`);
  }

  destroy() {
    this.canvas.removeEventListener("pointerdown", this._down);
    this.canvas.removeEventListener("pointermove", this._move);
    this.canvas.removeEventListener("pointerup", this._up);
    this.canvas.remove();
  }
}
