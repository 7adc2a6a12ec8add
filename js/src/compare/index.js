// h5lens compare: two images side by side, their difference or ratio, or the two in turn
// (blink). Drawn with the viewer's own parts: ImageView (zoom, pan, axes, colour bar), the
// colour state (LUTs from Python, auto range on full-resolution statistics) and the frame
// reply decoding; only the layout and the locking live here. Locked (the default), a zoom or
// pan of one image moves the other (the same part of each frame) and both share one colour range.
import { createRpc, isAbort } from "../common/rpc.js";
import css from "../viewer/style.css";
import compareCss from "./compare.css";
import { el, select } from "../viewer/dom.js";
import { ImageView } from "../viewer/image.js";
import { ColourState, COLOUR_TRAITS } from "../viewer/colour_state.js";
import { refineRegion, toFrame } from "../viewer/frame_loader.js";
import { label } from "../viewer/ticks.js";
import { toolbarOptions } from "../viewer/toolbar_options.js";
import { numbersText, scaleView, unionRange } from "./numbers.js";

/** @typedef {import("../common/protocol.js").Frame} Frame */

/** One image: its view, caption and exact numbers; `which` is a, b, diff or ratio. */
class Panel {
  /** @param {Compare} cmp @param {HTMLElement} parent @param {string} which */
  constructor(cmp, parent, which) {
    this.cmp = cmp;
    this.which = which;
    this.caption = el("div", { class: "h5l-c-caption" });
    this.numbers = el("div", { class: "h5l-c-numbers", "aria-label": `statistics of ${which}` });
    this.box = el("div", { class: "h5l-c-panel", role: "group", "aria-label": `image ${which}` }, this.caption);
    parent.append(this.box);
    this.image = new ImageView(this.box, {
      onHover: (/** @type {any} */ h) => {
        cmp.readout.textContent = h ? `${this.showing}: x=${h.x}  y=${h.y}  value=${label(h.value)}` : "";
      },
      onView: (/** @type {any} */ v) => cmp.viewSettled(this, v),
      onDraw: (/** @type {any} */ v) => cmp.viewDrawn(this, v),
    });
    this.box.append(this.numbers);
    /** @type {Record<string, Frame>} frames by `which` (blink holds a and b) */ this.frames = {};
    /** @type {Record<string, any>} the colour of each frame */ this.colours = {};
    /** what the image shows now */ this.showing = which;
  }

  /** @param {string} which @param {any} region */
  async load(which, region) {
    const canvas = this.image.availableSize() ?? [1024, 1024];
    const [reply, buffers] = await this.cmp.rpc.call("compare_frame",
      { which, region, canvas, how: this.cmp.model.get("aggregation"), frames: this.cmp.model.get("frames") },
      { key: `frame-${this.which}-${which}` });
    const frame = toFrame(reply, buffers, which, false);
    /** @type {any} */ (frame).numbers = reply.numbers;
    this.frames[which] = frame;
    return frame;
  }

  /** Show frame `which` (loaded) with colour `c`, keeping the zoom. @param {string} which @param {any} c */
  show(which, c) {
    const f = /** @type {any} */ (this.frames[which]);
    if (!f) return;
    const view = this.image.view;
    this.showing = which;
    this.cmp.syncing = true; // a repaint is no zoom to pass on
    try {
      this.image.setFrame(f);
      if (view) this.image.view = view;
      this.image.setColour(c);
    } finally { this.cmp.syncing = false; }
    const side = this.cmp.model.get("sides")?.[which];
    this.caption.textContent = side ? `${which}: ${side.label}` : which === "diff" ? "a − b" : "a / b (bad colour where b = 0)";
    this.numbers.textContent = numbersText(f.numbers, f.region);
    this.box.dataset.which = which;
    this.box.dataset.vmin = String(c.vmin);
    this.box.dataset.vmax = String(c.vmax);
  }

  destroy() { this.image.destroy(); this.box.remove(); }
}

export class Compare {
  /** @param {HTMLElement} host @param {any} model @param {ReturnType<typeof createRpc>} rpc */
  constructor(host, model, rpc) {
    this.model = model;
    this.rpc = rpc;
    this.root = el("div", { class: "h5l-viewer h5l-compare", tabindex: "0", role: "region", "aria-label": "h5lens compare" });
    this.root.append(el("style", { text: `${css}\n${compareCss}` }));
    host.append(this.root);
    this.toolbar = el("div", { class: "h5l-v-toolbar", role: "toolbar", "aria-label": "compare controls" });
    this.error = el("div", { class: "h5l-v-error", role: "alert" });
    this.main = el("div", { class: "h5l-c-main" });
    this.readout = el("span", { class: "h5l-v-readout", "aria-label": "value under the pointer" });
    this.root.append(this.toolbar, this.error, this.main, el("div", { class: "h5l-v-status" }, this.readout));
    this.colour = new ColourState(model, rpc);
    /** @type {Panel[]} */ this.panels = [];
    this.seq = 0;
    this.syncing = false;
    /** @type {any} */ this.blinkTimer = undefined;
    /** @type {string | undefined} the zoom this page sent last (not followed when echoed) */ this.lastZoom = undefined;
    this.buildToolbar();
    /** @type {Array<[string, () => void]>} */
    this.listeners = [
      ["mode", () => this.build()],
      ["lock", () => { this.controls.lock.checked = this.model.get("lock"); this.recolour(); }],
      ["rate", () => this.startBlink()], ["zoom", () => this.zoomFromPython()], ["aggregation", () => this.load()],
      ["frames", () => { this.showFrames(); this.load(); }], ["sides", () => this.showFrames()],
      ...COLOUR_TRAITS.map((k) => /** @type {[string, () => void]} */ ([k, () => {
        const c = this.controls[k];
        if (c) c.value = this.model.get(k);
        this.recolour();
      }])),
    ];
    for (const [name, cb] of this.listeners) model.on(`change:${name}`, cb);
    this.build();
  }

  /** @param {any} err */
  showError(err) {
    if (isAbort(err)) return;
    this.error.textContent = err ? `${err.type ?? err.name ?? "Error"}: ${err.message ?? err}` : "";
  }

  buildToolbar() {
    const m = this.model, sides = m.get("sides") ?? {};
    const opts = toolbarOptions({ options: sides.options });
    /** @type {Record<string, any>} */ const c = this.controls = {};
    c.mode = select("compare mode", sides.modes ?? ["side"], m.get("mode"), (v) => this.setMode(v));
    c.lock = el("input", { type: "checkbox", "aria-label": "lock zoom and colour range" });
    c.lock.checked = m.get("lock");
    c.lock.addEventListener("change", () => { m.set("lock", c.lock.checked); m.save_changes(); this.recolour(); });
    c.rate = el("input", { type: "number", min: "0.1", max: "30", step: "0.5", value: String(m.get("rate")), "aria-label": "blinks per second" });
    c.rate.addEventListener("change", () => {
      m.set("rate", Math.max(0.1, Math.min(30, Number(c.rate.value) || 2)));
      m.save_changes();
      this.startBlink();
    });
    c.colormap = select("colormap", m.get("colormap_names") ?? [m.get("colormap")], m.get("colormap"), (v) => this.colour.set({ colormap: v }));
    c.scale = select("scale", opts.scales, m.get("scale"), (v) => this.colour.set({ scale: v }));
    c.autoscale = select("auto range", opts.autoscales, m.get("autoscale"), (v) => this.colour.set({ autoscale: v }));
    // the frame of each side that is a stack (two frames of one stack: the usual comparison)
    for (const [k, side] of /** @type {Array<[number, string]>} */ ([[0, "a"], [1, "b"]])) {
      const n = sides[side]?.frames ?? 0;
      const input = el("input", { type: "number", min: "0", max: String(Math.max(0, n - 1)), step: "1",
        value: String(m.get("frames")?.[k] ?? 0), "aria-label": `frame of ${side}` });
      input.addEventListener("change", () => {
        const frames = (m.get("frames") ?? [0, 0]).slice();
        frames[k] = Math.max(0, Math.min(n - 1, Math.round(Number(input.value) || 0)));
        input.value = String(frames[k]);
        m.set("frames", frames);
        m.save_changes();
      });
      c[`frame_${side}`] = input;
    }
    const frameControls = ["a", "b"].filter((s) => (sides[s]?.frames ?? 0) > 1)
      .map((s) => el("label", { text: `frame of ${s} ` }, c[`frame_${s}`]));
    const reset = el("button", { type: "button", "aria-label": "reset zoom", text: "Reset" });
    reset.addEventListener("click", () => { for (const p of this.panels) p.image.resetView(); });
    this.toolbar.replaceChildren(el("label", { text: "mode " }, c.mode), el("label", { text: "lock " }, c.lock),
      el("label", { class: "h5l-c-rate", text: "blinks/s " }, c.rate), el("label", { text: "colormap " }, c.colormap),
      el("label", { text: "scale " }, c.scale), el("label", { text: "range " }, c.autoscale), ...frameControls, reset);
  }

  /** The frame inputs and the captions follow `frames` and `sides` (set by Python or echoed back). */
  showFrames() {
    const frames = this.model.get("frames") ?? [0, 0], sides = this.model.get("sides") ?? {};
    this.controls.frame_a.value = String(frames[0]); // set only when committed (change), never while typed
    this.controls.frame_b.value = String(frames[1]);
    for (const p of this.panels) {
      const side = sides[p.showing];
      if (side) p.caption.textContent = `${p.showing}: ${side.label}`;
    }
  }

  /**
   * The page's mode menu: diff and ratio are asked for first, so images of different shapes say
   * why (Python's own ValueError) and the mode stays as it was.
   * @param {string} mode
   */
  async setMode(mode) {
    if (mode === "diff" || mode === "ratio") {
      try { await this.rpc.call("compare_frame", { which: mode, canvas: [1, 1] }); } catch (err) {
        this.showError(err);
        this.controls.mode.value = this.model.get("mode");
        return;
      }
    }
    this.model.set("mode", mode);
    this.model.save_changes();
    this.build();
  }

  /** Panels for the mode: a and b (side), one computed image (diff, ratio), one alternating (blink). */
  build() {
    const mode = this.model.get("mode");
    this.controls.mode.value = mode;
    this.root.dataset.mode = mode;
    this.controls.rate.parentElement.hidden = mode !== "blink";
    clearInterval(this.blinkTimer);
    for (const p of this.panels) p.destroy();
    const names = mode === "side" ? ["a", "b"] : mode === "blink" ? ["a"] : [mode];
    this.panels = names.map((n) => new Panel(this, this.main, n));
    this.main.className = `h5l-c-main h5l-c-${this.panels.length}`;
    this.error.textContent = "";
    this.load();
  }

  /** What each panel loads: its own image, or a and b for blink. @param {Panel} p */
  wanted(p) { return this.model.get("mode") === "blink" ? ["a", "b"] : [p.which]; }

  /** The zoom Python holds, scaled to each panel's frame (null: the whole frame). @param {Panel} p */
  zoomOf(p) {
    const z = this.model.get("zoom"), sides = this.model.get("sides");
    if (z?.length !== 4) return null;
    const first = sides?.[this.panels[0].which]?.shape ?? sides?.a?.shape;
    const own = sides?.[p.showing]?.shape ?? first;
    if (!first || !own || (first[0] === own[0] && first[1] === own[1])) return z;
    const v = scaleView({ y0: z[0], y1: z[1], x0: z[2], x1: z[3] }, first, own);
    return [Math.floor(v.y0), Math.ceil(v.y1), Math.floor(v.x0), Math.ceil(v.x1)];
  }

  /** Load every panel's images (the region Python's `zoom` names) and paint them. */
  async load() {
    try {
      await Promise.all(this.panels.map((p) => Promise.all(this.wanted(p).map((w) => p.load(w, this.zoomOf(p))))));
      await this.recolour();
      this.showZoom();
      this.startBlink();
      this.error.textContent = "";
      this.root.dataset.seq = String(++this.seq); // tests wait on it
    } catch (err) { this.showError(err); }
  }

  /** Every panel shows the region of `zoom` (the whole frame when empty), without echoing it back. */
  showZoom() {
    this.syncing = true;
    try {
      for (const p of this.panels) {
        const r = this.zoomOf(p);
        if (!p.image.frame) continue;
        if (r) { p.image.view = { y0: r[0], y1: r[1], x0: r[2], x1: r[3] }; p.image.draw(); } else p.image.resetView(false);
        p.image.draw();
      }
    } finally { this.syncing = false; }
  }

  /** Paint every panel: one colour range over every frame when locked, else each its own. */
  async recolour() {
    const frames = this.panels.flatMap((p) => this.wanted(p).map((w) => p.frames[w])).filter(Boolean);
    if (!frames.length) return;
    const own = await Promise.all(frames.map((f) => this.colour.colour(f)));
    const locked = this.model.get("lock") ? unionRange(own) : null;
    let k = 0;
    for (const p of this.panels) {
      /** @type {Record<string, any>} */ const colours = {};
      for (const w of this.wanted(p)) {
        if (!p.frames[w]) continue;
        const c = own[k++];
        const [vmin, vmax] = locked ?? [c.vmin, c.vmax];
        colours[w] = { ...c, vmin, vmax };
      }
      p.colours = colours;
      const w = colours[p.showing] ? p.showing : this.wanted(p)[0];
      if (colours[w]) p.show(w, colours[w]);
    }
    this.root.dataset.paint = String(Number(this.root.dataset.paint ?? 0) + 1);
  }

  /** Blink: the one panel shows a and b in turn, `rate` times per second. */
  startBlink() {
    clearInterval(this.blinkTimer);
    if (this.model.get("mode") !== "blink" || !this.panels[0]) return;
    const p = this.panels[0];
    this.controls.rate.value = String(this.model.get("rate"));
    this.blinkTimer = setInterval(() => {
      const next = p.showing === "a" ? "b" : "a";
      if (p.frames[next] && p.colours[next]) p.show(next, p.colours[next]);
      this.root.dataset.blink = next;
    }, 1000 / this.model.get("rate"));
  }

  /** A panel was drawn (zoom, pan): locked, the others follow at once. @param {Panel} p @param {any} v */
  viewDrawn(p, v) {
    if (this.syncing || !v || !this.model.get("lock") || !p.image.frame) return;
    this.syncing = true;
    try {
      for (const o of this.panels) {
        if (o === p || !o.image.frame) continue;
        o.image.view = scaleView(v, p.image.frame.frameShape, o.image.frame.frameShape);
        o.image.draw();
      }
    } finally { this.syncing = false; }
  }

  /**
   * A zoom settled: fetch the visible regions sharp enough, and tell Python (`zoom` is the region
   * of the first image; locked images of another shape show the same part of theirs).
   * @param {Panel} p @param {any} v
   */
  viewSettled(p, v) {
    if (this.syncing || !v) return;
    const lock = this.model.get("lock");
    const first = this.panels[0], f = first.image.frame;
    if (f && first.image.view && (lock || p === first)) {
      const w = first.image.view, [H, W] = f.frameShape;
      const r = [Math.max(0, Math.floor(w.y0)), Math.min(H, Math.ceil(w.y1)), Math.max(0, Math.floor(w.x0)), Math.min(W, Math.ceil(w.x1))];
      const whole = r[0] === 0 && r[1] === H && r[2] === 0 && r[3] === W;
      this.lastZoom = JSON.stringify(whole ? [] : r);
      this.model.set("zoom", whole ? [] : r);
      this.model.save_changes();
    }
    for (const o of lock ? this.panels : [p]) {
      for (const w of this.wanted(o)) {
        const fr = o.frames[w];
        const region = fr ? refineRegion(fr, o.image.view ?? v, o.image.availableSize() ?? [1024, 1024]) : null;
        if (region === undefined) continue; // sharp enough already
        o.load(w, region).then(() => this.recolour(), (e) => this.showError(e));
      }
    }
  }

  /** Python set `zoom`: every image shows that part of its frame, fetched sharp enough. */
  zoomFromPython() {
    if (JSON.stringify(this.model.get("zoom") ?? []) === this.lastZoom) return; // our own, echoed
    this.lastZoom = undefined;
    this.load();
  }

  destroy() {
    this.colour.close();
    clearInterval(this.blinkTimer);
    for (const [name, cb] of this.listeners) this.model.off(`change:${name}`, cb);
    for (const p of this.panels) p.destroy();
    this.rpc.close();
    this.root.remove();
  }
}

export default {
  /** @param {{model: any, el: HTMLElement, experimental: {invoke: Function}}} ctx */
  render({ model, el: host, experimental }) {
    const cmp = new Compare(host, model, createRpc(experimental));
    /** @type {any} */ (cmp.root).h5lens = cmp; // test hook, on the element only
    return () => cmp.destroy();
  },
};
