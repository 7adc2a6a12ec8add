// The viewer's colour state: LUT bytes by colormap name (the favourites fetched in one
// request, cached as promises), the range of the shown frame under the current settings
// (cached per frame, so a colormap change costs no statistics pass), and the debounced save.
//
// Colour settings (colormap, scale, range) repaint from data already here and reach Python
// once, when the interaction is over: after `idleMs` without a change, as soon as the pointer
// or the focus leaves the viewer (on its way to a notebook cell that may read
// `viewer.colormap`), or with the next other save. A burst of changes costs no kernel message;
// Python cannot pull state synchronously from a running cell, which is why we flush on
// leaving rather than on request.
import { nominalRange, parseColor } from "./colour.js";
import { FrameStats } from "./stats.js";

/**
 * What a frame's statistics are computed from: the kernel's Summary of the full-resolution
 * data when the display copy aggregates pixels, else the values the browser holds (all of them).
 * @param {{data: any, summary?: import("../common/protocol.js").Summary | null, mask?: Uint8Array | null,
 *   invalid?: number | null, valid?: Float64Array}} frame
 */
export function statsSource(frame) {
  if (frame.summary) return frame.summary;
  if (!frame.mask && (frame.invalid ?? null) === null) return frame.data;
  // masked pixels (the mask, the detector's sentinel) are left out of the range and the histogram
  frame.valid ??= validValues(frame);
  return frame.valid;
}

/**
 * The frame's values as float64, NaN where masked (the colour maths skip NaN).
 * @param {{data: any, mask?: Uint8Array | null, invalid?: number | null}} frame
 */
export function validValues(frame) {
  const { data, mask } = frame, invalid = frame.invalid ?? null, out = Float64Array.from(data);
  for (let i = 0; i < out.length; i++) if ((mask && mask[i]) || data[i] === invalid) out[i] = NaN;
  return out;
}

/** Colour settings are saved to Python once they have not changed for this long. */
export const COLOUR_IDLE_MS = 1000;

/** The traits a colour change sets (saved through `set`, repainted without a kernel message). */
export const COLOUR_TRAITS = ["colormap", "scale", "autoscale", "vmin", "vmax", "percentiles", "bad_color"];

/**
 * What a paint needs.
 * @typedef {object} Colour
 * @property {Uint8Array} lutBytes 256 × RGBA
 * @property {number} vmin
 * @property {number} vmax
 * @property {string} scale
 * @property {number[]} bad RGBA of values the scale cannot show
 * @property {boolean} empty the scale can show none of the values: [vmin, vmax] is nominal
 */

export class ColourState {
  /**
   * @param {import("../common/protocol.js").ViewerModel} model
   * @param {{call: (name: string, msg?: object, opts?: object) => Promise<[any, any[]]>}} rpc
   * @param {{idleMs?: number, stats?: FrameStats}} [options] `stats` computes ranges and histograms
   *   (the page's worker; by default on the main thread)
   */
  constructor(model, rpc, { idleMs = COLOUR_IDLE_MS, stats = new FrameStats(null) } = {}) {
    this.model = model;
    this.rpc = rpc;
    this.idleMs = idleMs;
    /** @type {Map<string, Promise<Uint8Array>>} */
    this.luts = new Map();
    /** @type {{data: ArrayLike<number>, key: string, value: Promise<[number, number] | null>} | null} */
    this.rangeCache = null;
    this.stats = stats;
    /** colour traits set since the last save */
    this.dirty = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    this.closed = false;
  }

  /**
   * LUT bytes of colormap `name`. The first call asks for it, the favourites and their
   * reverses in one request; concurrent callers share that request; a failed one is retried.
   * @param {string} name
   * @returns {Promise<Uint8Array>}
   */
  lut(name) {
    const cached = this.luts.get(name);
    if (cached) return cached;
    const favs = this.model.get("favourites") ?? [];
    const wanted = [...new Set([name, ...favs, ...favs.map((n) => `${n}_r`)])].filter((n) => !this.luts.has(n));
    const all = this.rpc.call("luts", { names: wanted }).then(([reply, buffers]) => {
      const b = buffers[0];
      const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      /** @type {import("../common/protocol.js").LutsReply} */
      const r = reply;
      return new Map(r.names.map((n, i) => [n, bytes.slice(1024 * i, 1024 * (i + 1))]));
    });
    for (const n of wanted) {
      const one = all.then((m) => m.get(n));
      one.catch(() => {}); // awaited by whoever asks for that name; unasked ones must not reject unheard
      this.luts.set(n, one);
    }
    all.catch(() => { for (const n of wanted) this.luts.delete(n); });
    return this.luts.get(name);
  }

  /**
   * The range of `data` under the current settings (manual bounds, or the auto range), or
   * null when the scale can show none of the values (auto ranges come from `stats`).
   * @param {any} data a typed array of values, or the Summary of a frame whose display copy aggregates pixels
   * @returns {Promise<[number, number] | null>}
   */
  range(data) {
    const m = this.model;
    const mode = m.get("autoscale");
    const vmin = m.get("vmin"), vmax = m.get("vmax");
    if (mode === "manual" && vmin != null && vmax != null) return Promise.resolve([vmin, vmax]);
    const auto = mode === "manual" ? "minmax" : mode;
    const scale = m.get("scale"), percentiles = m.get("percentiles") ?? [0.1, 99.9];
    const key = JSON.stringify([auto, scale, percentiles]);
    const c = this.rangeCache; // a colormap change reuses the range of the same frame
    if (c && c.data === data && c.key === key) return c.value;
    const value = this.stats.compute(data, { what: "range", auto, scale, percentiles });
    this.rangeCache = { data, key, value };
    value.catch(() => { if (this.rangeCache?.value === value) this.rangeCache = null; }); // asked again next time
    return value;
  }

  /**
   * Histogram counts of `data` under `scale`, over its own range: `{counts, lo, hi}`.
   * @param {any} data as for `range`
   * @param {string} scale
   * @returns {Promise<{counts: Float64Array, lo: number, hi: number}>}
   */
  histogram(data, scale) {
    return this.stats.compute(data, { what: "histogram", scale });
  }

  /**
   * Everything a paint of `frame` needs (waits for the colormap's LUT).
   * @param {{data: any, dtype: string, rgb: boolean, summary?: any}} frame
   * @returns {Promise<Colour>}
   */
  async colour(frame) {
    const m = this.model;
    const scale = m.get("scale");
    const r = frame.rgb && frame.dtype === "uint8" ? [0, 255] : await this.range(statsSource(frame));
    const [vmin, vmax] = r ?? nominalRange(scale);
    const lutBytes = await this.lut(m.get("colormap"));
    return { lutBytes, vmin, vmax, scale, bad: parseColor(m.get("bad_color")), empty: r === null };
  }

  /**
   * Set colour traits now (the caller repaints) and save them once the interaction is over.
   * @param {Partial<import("../common/protocol.js").ViewerTraits>} patch
   */
  set(patch) {
    for (const [k, v] of Object.entries(patch)) this.model.set(/** @type {any} */ (k), v);
    this.dirty = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.idleMs);
  }

  /** Save pending colour changes now (pointer or focus left, view closed). */
  flush() {
    clearTimeout(this.timer);
    if (!this.dirty || this.closed) return;
    this.dirty = false;
    this.model.save_changes();
  }

  /** Another save just went out: it carried the colour changes too. */
  saved() {
    this.dirty = false;
    clearTimeout(this.timer);
  }

  /** The last colour choice is kept in Python (and the saved notebook); nothing after this. */
  close() {
    this.flush();
    this.closed = true;
  }
}
