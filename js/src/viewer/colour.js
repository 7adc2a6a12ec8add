// Colour maths of the image view, the same as h5lens/colormaps.py `colorize` / `auto_range`:
//   t = (f(v) - f(vmin)) / (f(vmax) - f(vmin)), LUT index = clamp(floor(t * 256), 0, 255),
//   values the scale cannot show (NaN, ±Inf, v <= 0 under log, v < 0 under sqrt) get the bad colour.
// Everything works on typed arrays in place; buffers are reused across frames by the caller.
import { isSummary, summaryRange } from "./colour_summary.js";

export { isSummary, summaryRange };

/**
 * A typed array of frame values (what common/decode.js gives for numeric dtypes).
 * @typedef {Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array} Values
 */

/**
 * The scale transform of one value; NaN where the scale cannot show it.
 * @param {number} v
 * @param {string} scale
 */
export function forward(v, scale) {
  switch (scale) {
    case "linear": return Number.isFinite(v) ? v : NaN;
    case "log": return v > 0 && Number.isFinite(v) ? Math.log10(v) : NaN;
    case "sqrt": return v >= 0 && Number.isFinite(v) ? Math.sqrt(v) : NaN;
    case "symlog": return Number.isFinite(v) ? Math.sign(v) * Math.log10(1 + Math.abs(v)) : NaN;
    default: throw new Error(`unknown scale ${scale}`);
  }
}

/** Inverse of `forward` (for colour-bar ticks and histogram bounds). */
export function inverse(f, scale) {
  switch (scale) {
    case "log": return 10 ** f;
    case "sqrt": return f * f;
    case "symlog": return Math.sign(f) * (10 ** Math.abs(f) - 1);
    default: return f;
  }
}

/** "#rrggbb" or "#rrggbbaa" -> [r, g, b, a]. */
export function parseColor(hex) {
  const m = /^#?([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(hex ?? "");
  if (!m) return [255, 0, 255, 255];
  const n = parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255, m[2] ? parseInt(m[2], 16) : 255];
}

const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
export const pack = (r, g, b, a) => (LITTLE ? ((a << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | a) >>> 0);

/** 256 packed RGBA colours (Uint32, platform order) from 1024 LUT bytes. */
export function packLut(bytes) {
  const out = new Uint32Array(256);
  for (let i = 0; i < 256; i++) out[i] = pack(bytes[4 * i], bytes[4 * i + 1], bytes[4 * i + 2], bytes[4 * i + 3]);
  return out;
}

const SMALL_INT = new Set(["uint8", "int8", "uint16", "int16"]);

/**
 * Paint `data` (any typed array) into `out` (Uint32Array over ImageData) with a packed LUT.
 * Small integer types go through a table of every possible value, so every scale costs
 * one lookup per pixel; other types compute the scale per pixel.
 */
export function paint(data, out, lut32, vmin, vmax, scale, badRgba, dtype, cache = {}) {
  const bad = pack(...badRgba);
  const f0 = forward(vmin, scale), f1 = forward(vmax, scale);
  const span = f1 - f0;
  const k = Number.isFinite(span) && span !== 0 ? 256 / span : 0;
  const n = Math.min(data.length, out.length);
  const index = (v) => {
    const f = forward(v, scale);
    if (Number.isNaN(f)) return -1;
    const i = Math.floor((f - f0) * k);
    return i < 0 ? 0 : i > 255 ? 255 : i;
  };
  if (SMALL_INT.has(dtype)) {
    const offset = dtype.startsWith("int") ? (dtype === "int8" ? 128 : 32768) : 0;
    const size = dtype.endsWith("8") ? 256 : 65536;
    if (!cache.table || cache.table.length !== size) cache.table = new Uint32Array(size);
    const table = cache.table;
    for (let v = 0; v < size; v++) { const i = index(v - offset); table[v] = i < 0 ? bad : lut32[i]; }
    for (let p = 0; p < n; p++) out[p] = table[data[p] + offset];
    return;
  }
  if (scale === "linear") {
    for (let p = 0; p < n; p++) {
      const v = data[p];
      if (v - v !== 0) { out[p] = bad; continue; } // NaN or ±Inf
      const i = Math.floor((v - f0) * k);
      out[p] = lut32[i < 0 ? 0 : i > 255 ? 255 : i];
    }
    return;
  }
  if (scale === "log" || scale === "sqrt") { // inlined: a call per pixel costs ~2x at 4 MP
    const log = scale === "log";
    for (let p = 0; p < n; p++) {
      const v = data[p];
      if (!(log ? v > 0 : v >= 0) || v === Infinity) { out[p] = bad; continue; }
      const i = Math.floor(((log ? Math.log(v) * Math.LOG10E : Math.sqrt(v)) - f0) * k);
      out[p] = lut32[i < 0 ? 0 : i > 255 ? 255 : i];
    }
    return;
  }
  for (let p = 0; p < n; p++) { const i = index(data[p]); out[p] = i < 0 ? bad : lut32[i]; }
}

// k-th smallest of a[0..n) (in place, Floyd–Rivest-free quickselect with median of three).
function select(a, n, k) {
  let lo = 0, hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < a[lo]) [a[mid], a[lo]] = [a[lo], a[mid]];
    if (a[hi] < a[lo]) [a[hi], a[lo]] = [a[lo], a[hi]];
    if (a[hi] < a[mid]) [a[hi], a[mid]] = [a[mid], a[hi]];
    const pivot = a[mid];
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) { const t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    if (k <= j) hi = j; else if (k >= i) lo = i; else return a[k];
  }
  return a[k];
}

/**
 * The range shown when the scale can show none of the values (nothing finite, nothing > 0
 * under log): one decade under log, [0, 1] otherwise.
 * @param {string} scale
 * @returns {[number, number]}
 */
export function nominalRange(scale) {
  return scale === "log" ? [1, 10] : [0, 1];
}

/**
 * Auto range of the values the scale can show: "minmax", "percentile" (numpy's linear
 * interpolation between order statistics) or "std" (mean ± 3σ clipped to min/max).
 * `scratch` is an object whose buffers and statistics are reused between calls on a frame.
 * `source` is the frame's values when the browser has every pixel, else the kernel's Summary of
 * the full-resolution data (see summaryRange).
 * @param {Values | import("../common/protocol.js").Summary} source
 * @param {string} mode
 * @param {string} [scale]
 * @param {number[]} [percentiles]
 * @param {object} [scratch]
 * @returns {[number, number] | null} null when the scale can show none of the values
 */
export function autoRange(source, mode, scale = "linear", percentiles = [0.1, 99.9], scratch = {}) {
  if (isSummary(source)) return summaryRange(/** @type {any} */ (source), mode, scale, percentiles);
  const data = /** @type {Values} */ (source);
  const counts = smallIntCounts(data, scratch);
  if (counts) return rangeFromCounts(counts, mode, scale, percentiles);
  const st = floatStats(data, scale, scratch);
  const { count, lo, hi } = st;
  if (count === 0) return null;
  if (mode === "minmax") return [lo, hi];
  const lg = st.scale === "log", sq = st.scale === "sqrt";
  const ok = (v) => v - v === 0 && (!lg || v > 0) && (!sq || v >= 0);
  ok.scale = st.scale;
  if (mode === "std") {
    if (st.std === undefined) { // second pass, as numpy does (no sum of squares cancellation)
      const mean = st.sum / count;
      let ss = 0;
      const n = data.length;
      for (let p = 0; p < n; p++) { // validity inlined: a call per pixel doubles the time at 4 MP
        const v = data[p];
        if (v - v === 0 && (!lg || v > 0) && (!sq || v >= 0)) { const d = v - mean; ss += d * d; }
      }
      st.std = Math.sqrt(ss / count);
    }
    const mean = st.sum / count;
    return [Math.max(lo, mean - 3 * st.std), Math.min(hi, mean + 3 * st.std)];
  }
  if (mode !== "percentile") throw new Error(`unknown auto-range ${mode}`);
  const key = String(percentiles);
  if (!st.percentiles.has(key)) {
    const pos = percentiles.map((q) => (q / 100) * (count - 1));
    const ks = [...new Set(pos.flatMap((x) => [Math.floor(x), Math.min(count - 1, Math.floor(x) + 1)]))];
    const kth = orderStatistics(data, ks, ok, lo, hi, scratch);
    st.percentiles.set(key, pos.map((x) => {
      const i = Math.floor(x), frac = x - i;
      const a = kth.get(i);
      return frac === 0 || i + 1 >= count ? a : a + (kth.get(i + 1) - a) * frac;
    }));
  }
  const [a, b] = st.percentiles.get(key);
  return [a, b];
}

// Count, sum, min and max of the values a scale can show, cached per frame. Scales that
// accept every value of this frame (log when all are > 0, sqrt when all are >= 0) share
// the linear statistics, percentiles included, so a scale change needs no new pass.
function floatStats(data, scale, scratch) {
  if (scratch.statsOf !== data) { scratch.statsOf = data; scratch.stats = new Map(); }
  const cache = scratch.stats;
  const lin = cache.get("linear") ?? computeStats(data, "linear");
  cache.set("linear", lin);
  if (scale === "linear" || lin.count === 0) return lin;
  if ((scale === "log" && lin.lo > 0) || (scale === "sqrt" && lin.lo >= 0) || scale === "symlog") return lin;
  if (!cache.has(scale)) cache.set(scale, computeStats(data, scale));
  return cache.get(scale);
}

function computeStats(data, scale) {
  const lg = scale === "log", sq = scale === "sqrt";
  let count = 0, lo = Infinity, hi = -Infinity, sum = 0;
  for (let p = 0; p < data.length; p++) {
    const v = data[p];
    if (!(v - v === 0 && (!lg || v > 0) && (!sq || v >= 0))) continue;
    count++; sum += v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { scale, count, sum, lo, hi, std: undefined, percentiles: new Map() };
}

// Exact k-th smallest valid values without sorting: count the values in 65536 bins over
// [lo, hi], find the bin and rank of each k, then select inside the few values of those bins.
function orderStatistics(data, ks, ok, lo, hi, scratch) {
  const B = 65536;
  const out = new Map();
  if (!(hi > lo)) { for (const k of ks) out.set(k, lo); return out; }
  const scale = (B - 1) / (hi - lo);
  const lg = ok.scale === "log", sq = ok.scale === "sqrt"; // inlined validity: no call per pixel
  scratch.bins ??= new Uint32Array(B);
  scratch.slot ??= new Int32Array(B);
  const bins = scratch.bins, slot = scratch.slot;
  bins.fill(0);
  const n = data.length;
  for (let p = 0; p < n; p++) {
    const v = data[p];
    if (v - v === 0 && (!lg || v > 0) && (!sq || v >= 0)) bins[((v - lo) * scale) | 0]++;
  }
  const want = new Map(); // bin -> [[k, rank in bin]]
  let seen = 0, b = 0;
  for (const k of [...ks].sort((x, y) => x - y)) {
    while (seen + bins[b] <= k) seen += bins[b++];
    if (!want.has(b)) want.set(b, []);
    want.get(b).push([k, k - seen]);
  }
  slot.fill(-1);
  const members = [], fill = [];
  for (const bin of want.keys()) { slot[bin] = members.length; members.push(new Float64Array(bins[bin])); fill.push(0); }
  for (let p = 0; p < n; p++) {
    const v = data[p];
    if (!(v - v === 0 && (!lg || v > 0) && (!sq || v >= 0))) continue;
    const j = slot[((v - lo) * scale) | 0];
    if (j >= 0) members[j][fill[j]++] = v;
  }
  for (const [bin, list] of want) {
    const m = members[slot[bin]];
    for (const [k, r] of list) out.set(k, select(m, m.length, r));
  }
  return out;
}

// 8/16-bit integers: one counting pass gives exact order statistics, sums and histograms, far
// faster than selecting in a float copy. The counts are cached on `scratch` for the same array.
const OFFSETS = { Uint8Array: [0, 256], Int8Array: [128, 256], Uint16Array: [0, 65536], Int16Array: [32768, 65536] };

function smallIntCounts(data, scratch) {
  const spec = OFFSETS[data?.constructor?.name];
  if (!spec) return null;
  if (scratch.countsOf === data) return scratch.counts;
  const [offset, size] = spec;
  if (!scratch.counts || scratch.counts.values.length !== size) scratch.counts = { values: new Float64Array(size), offset };
  const c = scratch.counts.values;
  c.fill(0);
  scratch.counts.offset = offset;
  for (let p = 0; p < data.length; p++) c[data[p] + offset]++;
  scratch.countsOf = data;
  return scratch.counts;
}

/** @returns {[number, number] | null} */
function rangeFromCounts({ values: c, offset }, mode, scale, percentiles) {
  const ok = (v) => (scale === "log" ? v > 0 : scale === "sqrt" ? v >= 0 : true);
  let count = 0, sum = 0, lo = Infinity, hi = -Infinity;
  for (let i = 0; i < c.length; i++) {
    if (!c[i]) continue;
    const v = i - offset;
    if (!ok(v)) continue;
    count += c[i]; sum += c[i] * v;
    if (v < lo) lo = v;
    hi = v;
  }
  if (count === 0) return null;
  if (mode === "minmax") return [lo, hi];
  if (mode === "std") {
    const mean = sum / count;
    let ss = 0;
    for (let i = 0; i < c.length; i++) { const v = i - offset; if (c[i] && ok(v)) ss += c[i] * (v - mean) * (v - mean); }
    const s = Math.sqrt(ss / count);
    return [Math.max(lo, mean - 3 * s), Math.min(hi, mean + 3 * s)];
  }
  if (mode !== "percentile") throw new Error(`unknown auto-range ${mode}`);
  // k-th smallest valid value (0-based), by walking the cumulative counts
  const kth = (k) => {
    let seen = 0;
    for (let i = 0; i < c.length; i++) {
      const v = i - offset;
      if (!c[i] || !ok(v)) continue;
      seen += c[i];
      if (seen > k) return v;
    }
    return hi;
  };
  const at = (q) => {
    const pos = (q / 100) * (count - 1);
    const i = Math.floor(pos), frac = pos - i;
    const x = kth(i);
    return frac === 0 || i + 1 >= count ? x : x + (kth(i + 1) - x) * frac;
  };
  return [at(percentiles[0]), at(percentiles[1])];
}

/** Histogram of the scaled values in [f(lo), f(hi)]: `bins` counts (Float64Array); `data` may be a Summary. */
export function histogram(data, bins, lo, hi, scale, scratch = {}) {
  const counts = new Float64Array(bins);
  const f0 = forward(lo, scale), f1 = forward(hi, scale);
  const k = f1 > f0 ? bins / (f1 - f0) : 0;
  if (isSummary(data)) { // the kernel's histogram of every pixel, rebinned
    const { values, counts: c } = data;
    for (let p = 0; p < values.length; p++) {
      const f = forward(values[p], scale);
      if (Number.isNaN(f)) continue;
      const i = Math.floor((f - f0) * k);
      if (i >= 0 && i < bins) counts[i] += c[p];
      else if (i === bins && f === f1) counts[bins - 1] += c[p];
    }
    return counts;
  }
  const small = smallIntCounts(data, scratch);
  if (small) { // bin the value counts, not the pixels
    const { values: c, offset } = small;
    for (let v = 0; v < c.length; v++) {
      if (!c[v]) continue;
      const f = forward(v - offset, scale);
      if (Number.isNaN(f)) continue;
      const i = Math.floor((f - f0) * k);
      if (i >= 0 && i < bins) counts[i] += c[v];
      else if (i === bins && f === f1) counts[bins - 1] += c[v];
    }
    return counts;
  }
  // big float frames: every step-th pixel (≤ 2^20 samples); the histogram is a guide, counts scaled back
  const step = Math.max(1, Math.ceil(data.length / 2 ** 20));
  for (let p = 0; p < data.length; p += step) {
    const f = forward(data[p], scale);
    if (Number.isNaN(f)) continue;
    const i = Math.floor((f - f0) * k);
    if (i >= 0 && i < bins) counts[i] += step;
    else if (i === bins && f === f1) counts[bins - 1] += step;
  }
  return counts;
}

/**
 * Paint an RGB(A) frame (h × w × 3|4, C order) into packed pixels. uint8 channels are used as
 * they are; other types are scaled linearly from [vmin, vmax] to 0..255 (NaN → 0).
 */
export function paintRgb(data, out, channels, vmin, vmax, dtype) {
  const n = Math.min(out.length, Math.floor(data.length / channels));
  const direct = dtype === "uint8";
  const k = vmax > vmin ? 255 / (vmax - vmin) : 0;
  const c8 = (v) => { const x = Math.round((v - vmin) * k); return x > 0 ? (x < 255 ? x : 255) : 0; };
  for (let p = 0; p < n; p++) {
    const q = p * channels;
    const r = direct ? data[q] : c8(data[q]), g = direct ? data[q + 1] : c8(data[q + 1]), b = direct ? data[q + 2] : c8(data[q + 2]);
    const a = channels === 4 ? (direct ? data[q + 3] : c8(data[q + 3])) : 255;
    out[p] = pack(r, g, b, a);
  }
}
