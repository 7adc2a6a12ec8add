// The viewer's image display: the image view and its histogram, the frame shown, and its
// colours. A frame is painted with the colour state's settings as soon as it arrives; the
// histogram counts follow just after; a zoom asks for the visible region at the resolution
// the canvas needs; a strided preview is followed by the exact aggregation.
import { ImageView } from "./image.js";
import { Histogram } from "./histogram.js";
import { nominalRange } from "./colour.js";
import { exactRegion, refineRegion } from "./frame_loader.js";
import { label } from "./ticks.js";
import { statsSource } from "./colour_state.js";
import { pixelAt } from "./image_geometry.js";
import { Measurer } from "./measure_tools.js";
import { isAbort } from "../common/rpc.js";

/** @typedef {import("../common/protocol.js").Frame} Frame */

export class ImagePanel {
  /** @param {import("./index.js").Viewer} viewer */
  constructor(viewer) {
    this.viewer = viewer;
    const model = viewer.model;
    this.image = new ImageView(viewer.main, {
      onHover: (h) => {
        viewer.readout.textContent = h ? `x=${h.ax != null ? label(h.ax) : h.x}  y=${h.ay != null ? label(h.ay) : h.y}  `
          + `${this.aggregated(h.x, h.y)}${Array.isArray(h.value) ? h.value : label(h.value)}` : "";
      },
      onView: (v) => this.refine(v),
      onDraw: () => this.measure?.overlay.render(),
    });
    /** @type {Measurer | null} profiles and ROIs (Python measures neither on RGB images) */
    this.measure = model.get("kind") === "rgb" ? null : new Measurer(viewer, this.image);
    this.image.aspect = model.get("aspect");
    /** @type {Histogram | null} */
    this.hist = model.get("kind") === "rgb" ? null : new Histogram(viewer.below, (vmin, vmax, final) => {
      this.image.setColour({ vmin, vmax });
      this.painted();
      this.showRange(vmin, vmax);
      if (final) viewer.colour.set({ autoscale: "manual", vmin, vmax });
    });
    /** @type {Frame | null} the frame shown */
    this.frame = null;
    /** @type {[number, number] | null} the colour range shown */
    this.range = null;
    this.emptyRange = false; // the last paint's range was nominal (see ColourState.colour)
    this.noFinite = false; // nothing to colour: no finite values, or none the scale can show
    /** @type {{data: any, scale: string} | null} the histogram counts are of this */
    this.histOf = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.histTimer = undefined;
    this.recolours = 0; // calls of recolour(): the latest one paints
    viewer.colour.lut(model.get("colormap")).catch((e) => viewer.showError(e)); // in parallel with the first frame
  }

  // data-paint counts colour paints: tests wait for it instead of sleeping
  painted() {
    const root = this.viewer.root;
    root.dataset.paint = String(Number(root.dataset.paint ?? 0) + 1);
  }

  /** Paint the frame shown with the current colour settings (no kernel message but the LUT's). */
  async recolour() {
    const f = this.frame, v = this.viewer;
    if (!f) return;
    // the latest call paints: an auto range still on its way from the worker must not paint over
    // the colours of a later change (a range typed while the previous one was computed)
    const call = ++this.recolours;
    const c = await v.colour.colour(f);
    v.root.dataset.stats = v.colour.stats.where; // "worker", or "main" where the page cannot run one
    if (call !== this.recolours) return;
    if (this.hist?.dragging && this.range) [c.vmin, c.vmax] = this.range; // a frame played under a drag keeps its range
    if (this.frame !== f || v.panel !== this) return; // another frame or view came while the LUT was on its way
    this.image.setColour(c);
    this.painted();
    this.emptyRange = c.empty;
    this.showRange(c.vmin, c.vmax);
    if (!this.hist) return;
    this.hist.setRange(c.vmin, c.vmax);
    const scale = c.scale;
    if (this.histOf?.data === f.data && this.histOf.scale === scale) return;
    // new counts (another frame or scale) come just after the image is painted
    clearTimeout(this.histTimer);
    const current = () => this.hist && this.frame?.data === f.data && v.model.get("scale") === scale;
    this.histTimer = setTimeout(async () => {
      if (!current()) return;
      const data = /** @type {any} */ (statsSource(f)); // every pixel, not the display copy
      const h = f.rgb ? { counts: null, lo: nominalRange(scale)[0], hi: nominalRange(scale)[1] }
        : await v.colour.histogram(data, scale).catch((e) => { v.showError(e); return null; });
      if (!h || !current()) return; // another frame or scale came while the counts were computed
      this.hist.setCounts(h.counts, h.lo, h.hi, scale);
      this.hist.setRange(...(this.range ?? [c.vmin, c.vmax]));
      this.histOf = { data: f.data, scale };
    }, 0);
  }

  /**
   * How the displayed pixel at frame (x, y) stands for the data: "value=" when it is one data
   * pixel, else "max of 2 × 2 (y 10–11, x 20–21): " (rows and columns it aggregates).
   * @param {number} x
   * @param {number} y
   */
  aggregated(x, y) {
    const f = this.frame;
    if (!f || (f.factors[0] === 1 && f.factors[1] === 1)) return "value=";
    const at = pixelAt(f, x, y);
    if (!at) return "value=";
    const [fy, fx] = f.factors, [r0, r1, c0, c1] = f.region;
    const y0 = r0 + at.i * fy, x0 = c0 + at.j * fx;
    const y1 = Math.min(r1, y0 + fy) - 1, x1 = Math.min(c1, x0 + fx) - 1;
    const how = f.preview || f.rgb ? "sample of" : `${this.viewer.model.get("aggregation")} of`;
    // masked pixels among valid ones: the block shows the valid ones' value, and says so
    const masked = f.maskPartial?.get(at.i * f.w + at.j);
    const some = masked ? `; ${masked} of ${(y1 - y0 + 1) * (x1 - x0 + 1)} masked` : "";
    return `${how} ${fy} × ${fx} (y ${y0}–${y1}, x ${x0}–${x1}${some}): `;
  }

  /** @param {number} vmin @param {number} vmax */
  showRange(vmin, vmax) {
    const v = this.viewer;
    this.range = [vmin, vmax];
    const text = (/** @type {number} */ x) => String(Number(x.toPrecision(6)));
    for (const [k, x] of /** @type {Array<[string, number]>} */ ([["vmin", vmin], ["vmax", vmax]])) {
      const input = v.controls[k];
      if (input && document.activeElement !== input) input.value = text(x);
    }
    v.root.dataset.vmin = String(vmin); v.root.dataset.vmax = String(vmax);
    this.noFinite = this.emptyRange || !(Number.isFinite(vmin) && Number.isFinite(vmax));
    v.showWarning();
  }

  /** @param {Frame} frame */
  async showFrame(frame) {
    const v = this.viewer;
    if (v.panel !== this) return; // the view was rebuilt meanwhile
    v.timing.received ??= performance.now();
    v.timing.kernelMs ??= frame.kernelMs; // time spent in the kernel on the first frame
    this.frame = frame;
    // painted once, by recolour (with the old colours first, then the new ones, a slider step
    // and a played frame cost two paints)
    this.image.setFrame(frame, false);
    await this.recolour();
    this.measure?.frameShown(frame);
    this.showSummary(frame);
    if (frame.summaryDue && !v.player.playing) this.followSummary(frame);
    v.root.dataset.selection = frame.selection;
    v.root.dataset.preview = String(!!frame.preview);
    v.timing.painted ??= performance.now();
    v.shown();
    if (frame.preview && !v.player.playing) { // a strided preview of a huge region: the exact aggregation follows
      v.frames.fetch(frame.selection, frame.transposed, exactRegion(frame), "frame", true)
        .then((f) => this.showFrameKeepView(f), (e) => v.showError(e));
    }
  }

  /**
   * The read statistics, then what the colour range and histogram describe: every data pixel
   * (the kernel's summary), or the display copy while that summary is being computed.
   * @param {Frame} frame
   */
  showSummary(frame) {
    const v = this.viewer, sm = frame.summary;
    v.showStats(frame.stats, frame.warning);
    if (sm) v.stats.textContent += `  · range and histogram of all ${sm.count} data pixels`
      + (sm.exact ? "" : ` (percentiles within ±${Number((sm.accuracy * 100).toPrecision(2))} %)`);
    else if (frame.summaryDue) v.stats.textContent += "  · range and histogram of all data pixels: computing…";
    v.root.dataset.summary = sm ? "data" : frame.summaryDue ? "computing" : "frame";
  }

  /**
   * Ask for the statistics `frame` was sent without; once they come (and it is still shown),
   * colour range and histogram describe every data pixel.
   * @param {Frame} frame
   */
  followSummary(frame) {
    const v = this.viewer, wanted = () => this.frame === frame && v.panel === this;
    v.frames.summary(frame, wanted).then(async (s) => {
      if (!wanted()) return;
      Object.assign(frame, { summary: s, summaryDue: false });
      this.histOf = null; // the histogram's counts become the data's
      await this.recolour();
      this.showSummary(frame);
    }, (e) => {
      if (isAbort(e) || !wanted()) return;
      frame.summaryDue = false;
      this.showSummary(frame);
      v.stats.textContent += `  · statistics of all pixels unavailable: ${e.message}`;
    });
  }

  /** @param {Frame} frame */
  async showFrameKeepView(frame) {
    const view = this.image.view;
    await this.showFrame(frame);
    if (view) { this.image.view = view; this.image.draw(); }
  }

  /**
   * Zoomed image: fetch the visible region at the resolution the canvas needs.
   * @param {{x0: number, x1: number, y0: number, y1: number}} view
   */
  refine(view) {
    const f = this.frame, v = this.viewer;
    if (!f || v.player.playing) return;
    const region = refineRegion(f, view, this.image.availableSize() ?? [1024, 1024]);
    if (region === undefined) return; // what is here is already sharp enough
    v.frames.fetch(f.selection, v.model.get("transposed"), region, "frame")
      .then((fr) => this.showFrameKeepView(fr), (e) => v.showError(e));
  }

  destroy() {
    clearTimeout(this.histTimer);
    this.measure?.destroy();
    this.image.destroy();
    this.hist?.destroy();
  }
}
