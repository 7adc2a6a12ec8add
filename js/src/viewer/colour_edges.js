// LUT bin edges in the frame's own value space, for the WebGL2 colour path (gl_colour.js).
//
// The Canvas2D path (colour.js `paint`) computes, per pixel and in float64,
//   i = clamp(floor((f(v) - f(vmin)) * 256 / (f(vmax) - f(vmin))), 0, 255).
// A float32 shader computing the same formula would put the pixels next to a bin edge in the
// neighbouring bin (a LUT step, often more than 1 per channel). Instead, for each i in 1..255 we
// find here, once per colour change, the smallest value of the frame's dtype whose Canvas2D index
// is >= i; the shader then only compares raw values with these edges (8 steps of a binary search),
// which is exact. Since every scale is monotone, index(v) = number of edges <= v.
//
// Values are compared as integers: uint8/16/32 as themselves, int8/16/32 as themselves, float32
// through their bits mapped to an ordered int32 key (so NaN, ±Inf, -0 and subnormals are handled
// bit-exactly, with no float maths on the GPU). float64 frames keep the Canvas2D path.
import { forward } from "./colour.js";

const SMALL_INT = new Set(["uint8", "int8", "uint16", "int16"]);

/** Integer ranges of the dtypes the shader reads as integers. */
const RANGES = {
  uint8: [0, 255], uint16: [0, 65535], uint32: [0, 4294967295],
  int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647],
};

/** The dtypes the WebGL2 path colours ("u": unsigned, "i": signed, "f": float32 bits). */
export const GL_KINDS = { uint8: "u", uint16: "u", uint32: "u", int8: "i", int16: "i", int32: "i", float32: "f" };

const F32 = new Float32Array(1), BITS = new Uint32Array(F32.buffer);
const MAX_KEY = 0x7f7fffff; // the largest finite float32's bits

/**
 * Ordered int32 key of a float32 (bits for x >= 0, minus the magnitude bits below zero):
 * keys compare as the values do; -0 and +0 share key 0; NaN keys lie above +Inf's.
 * @param {number} x
 */
export function floatKey(x) {
  F32[0] = x;
  const b = BITS[0];
  return b & 0x80000000 ? -(b & 0x7fffffff) | 0 : b; // | 0: -0 is key 0
}

/** The float32 of an ordered key (inverse of floatKey). @param {number} key */
export function keyFloat(key) {
  BITS[0] = key < 0 ? ((-key) | 0x80000000) >>> 0 : key;
  return F32[0];
}

/**
 * The Canvas2D index of a value, unclamped (NaN when the range is unusable), as `paint` computes
 * it for `dtype`: small integers through `forward` (Math.log10), other dtypes with log and sqrt
 * inlined (Math.log * LOG10E).
 * @param {string} dtype
 * @param {string} scale
 * @param {number} vmin
 * @param {number} vmax
 */
export function indexer(dtype, scale, vmin, vmax) {
  const f0 = forward(vmin, scale), f1 = forward(vmax, scale);
  const span = f1 - f0;
  const k = Number.isFinite(span) && span !== 0 ? 256 / span : 0;
  const generic = SMALL_INT.has(dtype) || scale === "linear" || scale === "symlog";
  /** @type {(v: number) => number} */
  const fwd = generic ? (v) => forward(v, scale) : scale === "log" ? (v) => Math.log(v) * Math.LOG10E : Math.sqrt;
  return { index: (/** @type {number} */ v) => Math.floor((fwd(v) - f0) * k), clear: Number.isNaN(f0) };
}

/**
 * Which values a scale can show: 0 every finite value, 1 values > 0 (log), 2 values >= 0 (sqrt).
 * @param {string} scale
 */
export function domainOf(scale) {
  return scale === "log" ? 1 : scale === "sqrt" ? 2 : 0;
}

/**
 * The 255 LUT bin edges of a colour setting for frames of `dtype`.
 * @param {string} dtype one of GL_KINDS
 * @param {string} scale
 * @param {number} vmin
 * @param {number} vmax
 * @returns {{kind: string, edges: Int32Array | Uint32Array, count: number, domain: number, clear: boolean}}
 *   edges[1..count] (keys for float32, values else), nondecreasing; values at or above no edge
 *   past `count` exist. `clear`: the range's lower end is not on the scale (e.g. vmin <= 0 under log):
 *   Canvas2D then paints valid pixels transparent black, and so must the shader.
 */
export function lutEdges(dtype, scale, vmin, vmax) {
  const kind = GL_KINDS[dtype];
  if (!kind) throw new Error(`the WebGL2 colour path does not read ${dtype}`);
  const domain = domainOf(scale);
  const { index, clear } = indexer(dtype, scale, vmin, vmax);
  let lo, hi, value;
  if (kind === "f") {
    lo = domain === 1 ? 1 : domain === 2 ? 0 : -MAX_KEY; // 1: the smallest positive subnormal
    hi = MAX_KEY;
    value = keyFloat;
  } else {
    [lo, hi] = RANGES[dtype];
    if (domain === 1) lo = Math.max(lo, 1);
    if (domain === 2) lo = Math.max(lo, 0);
    value = (/** @type {number} */ x) => x;
  }
  const edges = kind === "u" ? new Uint32Array(256) : new Int32Array(256);
  let count = 0;
  const top = index(value(hi));
  for (let i = 1; i < 256 && top >= i; i++) {
    // smallest key in [lo, hi] whose index is >= i (edges are nondecreasing: start at the last)
    let a = count ? edges[count] : lo, b = hi;
    while (a < b) {
      const mid = Math.floor((a + b) / 2);
      if (index(value(mid)) >= i) b = mid; else a = mid + 1;
    }
    edges[i] = a;
    count = i;
  }
  return { kind, edges, count, domain, clear };
}

/**
 * The key the shader compares with the frame's invalid (sentinel) value, or null when no
 * pixel of this dtype can equal it (`data[i] === invalid` never holds).
 * @param {string} dtype
 * @param {number | null | undefined} invalid
 */
export function invalidKey(dtype, invalid) {
  if (invalid == null || Number.isNaN(invalid)) return null;
  const kind = GL_KINDS[dtype];
  if (kind === "f") return Math.fround(invalid) === invalid ? floatKey(invalid) : null;
  const [lo, hi] = RANGES[dtype];
  return Number.isInteger(invalid) && invalid >= lo && invalid <= hi ? invalid : null;
}
