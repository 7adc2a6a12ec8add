// h5lens viewer: the anywidget entry and `mountViewer(el, {invoke, model})`, which mounts
// the viewer into any element (the explorer's view area uses it). Python decides the view
// (traits kind / ndisplay / meta); the viewer fetches data at display resolution through
// commands and does colour, zoom, histogram and slicing locally. Colour state, frame loading
// and keys live in their own modules; this one wires them to the DOM and the model.
import { createRpc, isAbort } from "../common/rpc.js";
import { followToggle } from "../common/follow.js";
import { curveLabel, curveRegion, toCurve } from "./curve_maths.js";
import { Slicer } from "./slicer.js";
import { CurveView, CSS as UPLOT_CSS } from "./curve.js";
import { downloadBlob, canvasBlob } from "./export.js";
import css from "./style.css";
import { el } from "./dom.js";
import { buildToolbar, fillAbscissae } from "./toolbar.js";
import { createPlayer } from "./player.js";
import { ColourState } from "./colour_state.js";
import { pageStats } from "./stats_spawn.js";
import { FrameLoader } from "./frame_loader.js";
import { ImagePanel } from "./image_panel.js";
import { listen } from "./events.js";
import { axisLabel, displayMode, readableMeta, statsText, titleText } from "./meta.js";
import { valuesView } from "./values.js";

export { displayMode };
export { COLOUR_IDLE_MS } from "./colour_state.js";

/** @typedef {import("../common/protocol.js").ViewerModel} ViewerModel */
/** @typedef {import("../common/protocol.js").Frame} Frame */

export class Viewer {
  /**
   * @param {HTMLElement} host
   * @param {ViewerModel} model
   * @param {ReturnType<typeof createRpc>} rpc
   * @param {{followToggle?: boolean}} [options] followToggle false: the host widget has the one toggle
   */
  constructor(host, model, rpc, options = {}) {
    this.model = model;
    this.rpc = rpc;
    // data-lm-suppress-shortcuts: JupyterLab leaves our keys (arrows, space, Enter) to us
    this.root = el("div", { class: "h5l-viewer", tabindex: "0", role: "region", "aria-label": "h5lens viewer",
      "data-lm-suppress-shortcuts": "true" });
    this.root.append(el("style", { text: `${css}\n${UPLOT_CSS}` }));
    host.append(this.root);
    this.title = el("div", { class: "h5l-v-title" });
    this.toolbar = el("div", { class: "h5l-v-toolbar", role: "toolbar", "aria-label": "viewer controls" });
    this.main = el("div", { class: "h5l-v-main" });
    this.below = el("div");
    this.readout = el("span", { class: "h5l-v-readout", "aria-label": "value under the pointer" });
    this.stats = el("span", { class: "h5l-v-stats", "aria-label": "what this selection reads" });
    this.warning = el("span", { class: "h5l-v-warning", role: "status" });
    this.error = el("div", { class: "h5l-v-error", role: "alert" });
    // Python moves the selection and meta when the file grows: the view reloads through them
    this.follow = options.followToggle === false ? null : followToggle(model);
    const status = el("div", { class: "h5l-v-status", "aria-live": "polite" }, this.readout, this.stats, this.warning,
      ...(this.follow ? [this.follow.el] : []));
    this.root.append(this.title, this.toolbar, this.error, this.main, this.below, status); // errors where the view would be

    /** @type {ImagePanel | null} the image and its histogram */ this.panel = null;
    /** @type {CurveView | null} */ this.curve = null;
    /** @type {Slicer | null} */ this.slicer = null;
    /** @type {HTMLElement | null} */ this.values = null;
    /** the toolbar's controls by trait name (filled by buildToolbar) */
    /** @type {Record<string, any>} */ this.controls = {};
    /** @type {import("./curve_maths.js").Curve | null} */ this.curveData = null;
    /** @type {any} the `curves` and `x` the overlays shown were fetched for */ this.overlaysOf = null;
    /** @type {string | null} */ this.overlaysX = null;
    this.frameWarning = ""; // the frame's own warning (chunks)
    this.extraWarning = ""; // the measuring tools' (every pixel masked)
    /** @type {string | null} the selection this viewer set last (not echoed back) */ this.lastSelection = null;
    this.seq = 0; // bumped per view shown (data-seq)
    /** @type {any} the meta the view was built from */ this.builtMeta = null;
    this.following = false; // a follow load under way (see loadLatest)
    this.followPending = false;
    this.waitLayout = false; // an image asked for before the page laid the canvas out
    this.destroyed = false;
    /** @type {Record<string, number | undefined>} */ this.timing = { mounted: performance.now() };
    /** @type {Record<string, ReturnType<typeof setTimeout> | undefined>} */ this.timers = {};

    this.colour = new ColourState(model, rpc, { stats: pageStats() }); // statistics off the main thread
    this.colour.stats.start(); // the worker starts while the first frame is read
    this.frames = new FrameLoader(model, rpc, {
      canvas: () => this.image?.availableSize() ?? [1024, 1024],
      show: (f) => this.panel?.showFrame(f),
      playing: () => this.player.playing,
    });
    this.player = createPlayer({
      model, root: this.root, fetchFrame: (s, t, r, k) => this.frames.fetch(s, t, r, k), showFrame: (f) => this.panel?.showFrame(f),
      showError: (e) => this.showError(e), slicer: () => this.slicer, onStop: () => model.save_changes(),
      setLast: (s) => { this.lastSelection = s; },
    });
    this.unlisten = listen(this);
    this.build();
  }

  /** The image view (null unless an image is shown). */
  get image() { return this.panel?.image ?? null; }

  /** The frame shown (null unless an image is shown). */
  get frame() { return this.panel?.frame ?? null; }

  /** A view was shown: data-seq counts them (tests wait on it). */
  shown() { this.root.dataset.seq = String(++this.seq); }

  /** @param {any} err */
  showError(err) {
    if (isAbort(err)) return;
    this.error.textContent = err ? `${err.type ?? err.name ?? "Error"}: ${err.message ?? err}` : "";
  }

  /**
   * Set traits and save them (with any colour change pending).
   * @param {Partial<import("../common/protocol.js").ViewerTraits>} patch
   */
  save(patch) {
    for (const [k, v] of Object.entries(patch)) this.model.set(/** @type {any} */ (k), v);
    this.colour.saved();
    this.model.save_changes();
  }

  // ---- status ---------------------------------------------------------------------------
  // the frame's own warning (chunks) and ours: nothing left to colour under the current scale
  showWarning() {
    const scale = this.model.get("scale");
    const none = this.panel?.noFinite ? `no finite values${scale !== "linear" ? ` under ${scale} scale` : ""}` : "";
    this.warning.textContent = [this.frameWarning, this.extraWarning, none].filter(Boolean).join("  ");
  }

  /** @param {import("../common/protocol.js").ReadStats | null} stats @param {string | null} [warn] */
  showStats(stats, warn) {
    this.frameWarning = warn ?? "";
    this.showWarning();
    this.stats.textContent = statsText(stats);
  }

  /** Load what the current selection shows; `region` (a zoomed part) for images and curves. */
  async load(region = null) {
    const selection = this.model.get("selection");
    const nd = displayMode(this.model);
    if (nd === 2 && this.image && !this.image.availableSize()) { this.waitLayout = true; return; } // not in the page yet
    this.timing.request ??= performance.now();
    try {
      if (nd === 2) await this.frames.load(selection, region);
      else if (nd === 1) await this.loadCurve(selection, region);
      else await this.loadValues(selection);
      this.error.textContent = "";
    } catch (err) { this.showError(err); }
  }

  /** @param {string} selection @param {[number, number] | null} region */
  async loadCurve(selection, region) {
    const width = Math.max(200, this.curve.root.clientWidth || 800);
    const [reply, buffers] = await this.rpc.call("curve", { selection, region, columns: width,
      part: this.model.get("complex_part"), x: this.model.get("x") }, { key: "curve" });
    this.curveData = toCurve(reply, buffers, curveLabel(selection, this.model.get("meta")));
    // titled by what the x values are (Python falls back to the dimension's default abscissa)
    this.curve.options.xlabel = axisLabel(readableMeta(this.model.get("meta")), this.slicer?.mapping ?? [], "x", reply.abscissa);
    this.curve.setCurve(this.curveData);
    if (this.overlaysOf !== this.model.get("curves") || this.overlaysX !== this.model.get("x")) await this.loadOverlays();
    this.showStats(reply.stats, reply.warning);
    this.root.dataset.selection = selection;
    this.shown();
  }

  /**
   * Fetch the curves overlaid from Python (`curves`: add_curve, the explorer's "add to plot"),
   * drawn against the curve's abscissa when they have its length.
   */
  async loadOverlays() {
    const items = this.model.get("curves") ?? [], x = this.model.get("x");
    this.overlaysOf = items; this.overlaysX = x;
    const columns = Math.max(200, this.curve?.root.clientWidth || 800);
    const got = await Promise.all(items.map(async (item) => {
      const [reply, buffers] = await this.rpc.call("overlay", { id: item.id, columns, x }, { key: `overlay${item.id}` });
      return toCurve({ ...reply, aux: [], region: [0, reply.length] }, buffers, item.label);
    }));
    if (this.model.get("curves") === items) this.curve?.setOverlays(got);
  }

  /** @param {string} selection */
  async loadValues(selection) {
    const [reply] = await this.rpc.call("values", { selection }, { key: "values" });
    this.values.replaceChildren(...valuesView(reply));
    this.shown();
  }

  // ---- layout per view -----------------------------------------------------------------
  teardownView() {
    this.player.stop();
    this.panel?.destroy(); this.curve?.destroy(); this.slicer?.destroy();
    this.panel = this.curve = this.slicer = this.values = null;
    this.main.replaceChildren(); this.below.replaceChildren();
    this.readout.textContent = ""; // a removed canvas sends no pointerleave: its last hover text would stay
  }

  build() {
    const model = this.model;
    this.teardownView();
    this.frames.reset();
    const meta = readableMeta(model.get("meta"));
    this.builtMeta = meta; // what grown() compares with
    this.showTitle(meta);
    this.controls = {};
    buildToolbar(this.toolbar, {
      mode: () => displayMode(model), model, controls: this.controls, save: (p) => this.save(p),
      saveColour: (p) => this.colour.set(p), curve: () => this.curve, range: () => this.panel?.range,
      resetZoom: () => { this.image?.resetView(); this.curve?.resetZoom(); },
      exportPng: () => this.exportPng(), exportData: (fmt) => this.exportData(fmt),
    });
    if (model.get("error")) { this.error.textContent = model.get("error"); return; }
    const nd = displayMode(model);
    if (nd === 2) this.panel = new ImagePanel(this);
    else if (nd === 1) {
      this.curve = new CurveView(this.main, { onRange: (lo, hi, zoomed) => this.refineCurve(lo, hi, zoomed) });
      this.overlaysOf = null; // a new curve view shows none yet
      this.curve.options.ylabel = meta.signal || ""; // fitted to the axis by the curve view, whole in its tooltip
    } else {
      this.values = el("div", { class: "h5l-v-values" });
      this.main.append(this.values);
    }
    if (model.get("ndisplay") >= 1) { // lists of strings slice like curves, shown as values
      const dims = meta.dims ?? [];
      this.slicer = new Slicer(this.below, { shape: dims.map((d) => d.size), dims, ndisplay: model.get("ndisplay"),
        rgb: model.get("kind") === "rgb" }, {
        onChange: ({ selection, transposed, final }) => this.setSelection(selection, transposed, final),
        onPlay: (dim) => (dim === null ? this.player.stop() : this.player.start(dim)),
      });
      this.slicer.setSelection(model.get("selection"), model.get("transposed"));
      this.labelAxes();
    }
    this.load();
  }

  labelAxes() {
    const meta = readableMeta(this.model.get("meta"));
    const m = this.slicer?.mapping ?? [];
    if (this.image) this.image.labels = { x: axisLabel(meta, m, "x"), y: axisLabel(meta, m, "y") };
    if (this.curve) this.curve.options.xlabel = axisLabel(meta, m, "x", this.model.get("x"));
    if (this.controls.x) fillAbscissae(this.controls.x, this.model);
  }

  /** @param {number | null} lo @param {number | null} hi @param {boolean} zoomed */
  refineCurve(lo, hi, zoomed) {
    const c = this.curveData;
    if (!c || (!c.decimated && zoomed) || this.player.playing) return;
    const selection = this.model.get("selection");
    const fail = (/** @type {any} */ e) => this.showError(e);
    if (zoomed) this.loadCurve(selection, curveRegion(c, lo, hi)).catch(fail);
    // back to the whole curve: refetch only if a zoomed part is what is shown
    else if (c.region && (c.region[0] !== 0 || c.region[1] !== c.length)) this.loadCurve(selection, null).catch(fail);
  }

  async exportPng() {
    const cv = this.image ? this.image.canvas : this.curve?.plot?.ctx.canvas;
    if (!cv) return;
    downloadBlob(await canvasBlob(cv), `${this.model.get("meta")?.name || "view"}.png`, this.root);
  }

  /** @param {string} fmt */
  async exportData(fmt) {
    try {
      const [reply, buffers] = await this.rpc.call("export", { format: fmt, selection: this.model.get("selection") });
      const b = buffers[0];
      downloadBlob(new Blob([new Uint8Array(b.buffer, b.byteOffset, b.byteLength)]), reply.filename, this.root);
    } catch (err) { this.showError(err); }
  }

  // ---- selection -----------------------------------------------------------------------
  /** @param {string} selection @param {boolean} transposed @param {boolean} [final] */
  setSelection(selection, transposed, final = true) {
    this.lastSelection = selection;
    this.model.set("selection", selection);
    this.model.set("transposed", transposed);
    clearTimeout(this.timers.push);
    // dragging a slider sends the trait at most every 200 ms; the frame request goes at once
    if (final) this.model.save_changes(); else this.timers.push = setTimeout(() => this.model.save_changes(), 200);
    this.labelAxes();
    this.load();
  }

  /** A selection set by Python (or the transposition): follow it unless it is ours or playing. */
  followSelection() {
    const s = this.model.get("selection");
    if (this.player.playing || s === this.lastSelection) return;
    this.lastSelection = s;
    try {
      this.slicer?.setSelection(s, this.model.get("transposed"));
    } catch (err) { // beyond the sliders: the file grew (follow) and its new meta came with it
      if (err?.name !== "SelectionError") throw err;
      if (this.grown()) return;
      clearTimeout(this.timers.rebuild);
      this.build();
      return;
    }
    this.labelAxes();
    if (this.model.get("follow")) this.loadLatest();
    else this.load();
  }

  /**
   * The file grew (follow): only dimension sizes changed, so the sliders take them in place (no
   * rebuild: zoom and view stay) and what is shown is loaded again (a running scan's curve extends).
   * @returns {boolean} false when the view must be rebuilt instead
   */
  grown() {
    const meta = readableMeta(this.model.get("meta"));
    const dims = meta.dims ?? [], s = this.slicer, was = this.builtMeta;
    if (!was || was.path !== meta.path || was.dtype !== meta.dtype || dims.length !== (was.dims ?? []).length) return false;
    if (was.shape === meta.shape) { // an attribute changed (title, units): relabel, keep zoom and view
      this.builtMeta = meta;
      if (s) s.spec = { ...s.spec, dims };
      this.showTitle(meta);
      this.labelAxes();
      return true;
    }
    if (!s || dims.length !== s.spec.shape.length) return false;
    s.spec = { ...s.spec, shape: dims.map((d) => d.size), dims };
    this.builtMeta = meta;
    this.showTitle(meta);
    const selection = this.model.get("selection");
    try { s.setSelection(selection, this.model.get("transposed")); } catch { return false; }
    this.lastSelection = selection;
    this.labelAxes();
    this.loadLatest();
    return true;
  }

  /** @param {any} meta readable meta: the title line (NXdata title or path) and its small print */
  showTitle(meta) {
    const t = titleText(meta);
    this.title.replaceChildren(t.main, el("small", { text: t.small }));
    this.title.title = t.where;
  }

  /** Following: a frame loading is never aborted for a newer one; the newest is loaded once it is painted. */
  async loadLatest() {
    if (this.following) { this.followPending = true; return; }
    this.following = true;
    try {
      do { this.followPending = false; await this.load(); } while (this.followPending && !this.destroyed);
    } finally { this.following = false; }
  }

  destroy() {
    this.colour.close(); // the last colour choice is kept in Python (and the saved notebook)
    this.destroyed = true;
    this.follow?.destroy();
    this.frames.close();
    this.unlisten();
    this.teardownView();
    for (const t of Object.values(this.timers)) clearTimeout(t);
    this.rpc.close();
    this.root.remove();
  }
}

/**
 * Mount a viewer into `host`.
 * @param {HTMLElement} host
 * @param {{model: ViewerModel, invoke?: import("../common/protocol.js").Invoke, experimental?: {invoke: Function},
 *   followToggle?: boolean}} ctx
 *   the model (AFM interface) and either anywidget's `experimental` object or an `invoke(name, msg, opts)`;
 *   `followToggle: false` when the host shows the one Follow toggle (the explorer)
 * @returns {() => void} cleanup
 */
export function mountViewer(host, { model, invoke, experimental, followToggle: toggle }) {
  const viewer = new Viewer(host, model, createRpc(experimental ?? { invoke }), { followToggle: toggle });
  // test and embedding hook, on the element only (nothing global)
  viewer.root.h5lens = viewer;
  return () => viewer.destroy();
}

export default {
  /** @param {{model: ViewerModel, el: HTMLElement, experimental: {invoke: Function}}} ctx */
  render({ model, el: host, experimental }) {
    return mountViewer(host, { model, experimental });
  },
};
