// Pure helpers of the curve view (no DOM, no uPlot): the curve of a `curve` reply, the region
// to fetch when zoomed, legend names and log-axis ranges.
import { decode } from "../common/decode.js";
import { label, logTicks, ticks } from "./ticks.js";

/**
 * A curve as the view holds it.
 * @typedef {object} Curve
 * @property {string} label
 * @property {Float64Array} x axis values (or indices) of the points
 * @property {ArrayLike<number>} y the values (the minimum per column when decimated)
 * @property {boolean} decimated
 * @property {ArrayLike<number> | null} ymax the maximum per column when decimated
 * @property {ArrayLike<number> | null} errors
 * @property {{label: string, y: ArrayLike<number>}[]} aux auxiliary signals
 * @property {number[]} index source index of each point
 * @property {number} length points along the whole curve
 * @property {[number, number]} region the source indices shown
 */

/**
 * The Curve of a `curve` reply and its buffers (one per array).
 * @param {import("../common/protocol.js").CurveReply} reply
 * @param {any[]} buffers
 * @param {string} name legend name
 * @returns {Curve}
 */
export function toCurve(reply, buffers, name) {
  const arrays = reply.arrays.map((h, i) => /** @type {ArrayLike<number>} */ (decode(h, [buffers[i]]).data));
  const aux = reply.aux ?? [];
  return { label: name, x: Float64Array.from(reply.x ?? reply.index), y: arrays[0], decimated: reply.decimated,
    ymax: reply.decimated ? arrays[1] : null, errors: reply.errors ? arrays[1] : null,
    aux: aux.map((n, k) => ({ label: n, y: arrays[arrays.length - aux.length + k] })),
    index: reply.index, length: reply.length, region: /** @type {[number, number]} */ (reply.region) };
}

/**
 * The source region [i0, i1) to fetch when the curve is zoomed to x in [lo, hi]: the shown
 * points around it, one more on each side.
 * @param {Curve} c
 * @param {number} lo
 * @param {number} hi
 * @returns {[number, number]}
 */
export function curveRegion(c, lo, hi) {
  const xs = c.x, idx = c.index;
  let i0 = 0, i1 = xs.length - 1;
  while (i0 < xs.length - 1 && xs[i0 + 1] <= lo) i0++;
  while (i1 > 0 && xs[i1 - 1] >= hi) i1--;
  return [idx[i0], Math.min(c.length, (idx[i1] ?? c.length) + 1)];
}

/**
 * Legend name of the curve at `selection`: the signal's name for a 1-D dataset, "row 3" /
 * "column 5" through an image, "name = axis value" (or index) per fixed dimension beyond.
 * @param {string} selection
 * @param {{name?: string, dims?: import("../common/protocol.js").Dim[]}} [meta]
 */
export function curveLabel(selection, meta = {}) {
  const dims = meta.dims ?? [];
  const fixed = String(selection).split(",").map((p, d) => /** @type {[string, number]} */ ([p.trim(), d]))
    .filter(([p]) => !p.includes(":"));
  if (!fixed.length) return String(meta.name ?? "").split("/").pop() || "data";
  if (dims.length === 2 && fixed.length === 1) return `${fixed[0][1] === 0 ? "row" : "column"} ${fixed[0][0]}`;
  return fixed.map(([p, d]) => {
    const value = dims[d]?.values?.[Number(p)];
    return `${dims[d]?.name ?? `dim ${d}`} = ${value != null ? label(value) : p}`;
  }).join(", ");
}

/**
 * Range of a log scale fitted to the data (uPlot's default extends it to whole decades, so a
 * curve from 10 to 20 would fill a tenth of a 10-100 axis). Non-positive values cannot be
 * shown on a log axis: the range starts at the smallest positive one.
 * @param {Iterable<number> | null | undefined} values
 * @param {number | null} min
 * @param {number | null} max
 * @returns {[number, number]}
 */
export function fitLogRange(values, min, max) {
  if (!(min > 0)) {
    min = Infinity;
    for (const v of values ?? []) if (v > 0 && v < min) min = v;
  }
  if (!(max > 0) || !Number.isFinite(min)) return [1, 10];
  if (min >= max) return [min / 2, max * 2];
  return [min, max];
}

/** Ticks of a log axis over [min, max]: decades (and 2, 5 ×) when that gives 3 or more, else nice linear ones. */
export function logSplits(min, max, count = 5) {
  const decades = logTicks(min, max);
  return decades.length >= 3 ? decades : ticks(min, max, count).filter((v) => v > 0);
}

/** [min, max] of y ± errors over the finite points (null when there is none). */
export function errorExtent(y, errors) {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < (y?.length ?? 0); i++) {
    const e = Math.abs(errors[i]);
    if (!Number.isFinite(y[i]) || !Number.isFinite(e)) continue;
    lo = Math.min(lo, y[i] - e); hi = Math.max(hi, y[i] + e);
  }
  return lo <= hi ? [lo, hi] : null;
}

const GREEK = {
  alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", zeta: "ζ", eta: "η", theta: "θ", iota: "ι",
  kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", xi: "ξ", pi: "π", rho: "ρ", sigma: "σ", tau: "τ", phi: "φ",
  chi: "χ", psi: "ψ", omega: "ω", Gamma: "Γ", Delta: "Δ", Theta: "Θ", Lambda: "Λ", Sigma: "Σ", Phi: "Φ",
  Psi: "Ψ", Omega: "Ω", AA: "Å", circ: "°", degree: "°", cdot: "·", times: "×", pm: "±",
};
const SUP = { 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹", "-": "⁻", "+": "⁺", o: "°" };
const SUB = { 0: "₀", 1: "₁", 2: "₂", 3: "₃", 4: "₄", 5: "₅", 6: "₆", 7: "₇", 8: "₈", 9: "₉", "-": "₋", "+": "₊" };

/**
 * Labels written in TeX math (NeXus files often carry `$2\theta$ ($^{o}$)`) as plain text:
 * Greek letters, degrees, super- and subscript digits. Text without `$` is returned as is.
 */
export function texText(text) {
  const s = String(text ?? "");
  if (!s.includes("$")) return s;
  const script = (body, table) => ([...body].every((c) => table[c]) ? [...body].map((c) => table[c]).join("") : body);
  return s.replace(/\$([^$]*)\$/g, (_, math) => math
    .replace(/\\([A-Za-z]+)/g, (m, name) => GREEK[name] ?? name)
    .replace(/\^\{([^}]*)\}|\^(\S)/g, (m, a, b) => script(a ?? b, SUP))
    .replace(/_\{([^}]*)\}|_(\S)/g, (m, a, b) => script(a ?? b, SUB))
    .replace(/[{}]/g, ""));
}

/**
 * An axis title that fits `room` px: the whole text at the largest of `sizes` (px) where it
 * fits, else at the smallest size cut after the last whole word that fits, ending in "…"
 * (the caller shows the whole text in a tooltip). Never cut mid-word unless one word alone
 * is too long.
 * @param {string} text
 * @param {number} room
 * @param {(text: string, size: number) => number} measure width in px of `text` at `size`
 * @param {number[]} [sizes] largest first
 * @returns {{text: string, size: number, cut: boolean}}
 */
export function fitTitle(text, room, measure, sizes = [12, 11, 10]) {
  for (const size of sizes) if (measure(text, size) <= room) return { text, size, cut: false };
  const size = sizes[sizes.length - 1];
  let out = "";
  for (const word of text.split(/\s+/)) {
    const next = out ? `${out} ${word}` : word;
    if (measure(`${next} …`, size) > room) break;
    out = next;
  }
  if (!out) { // a single word longer than the room: cut it by characters
    out = text;
    while (out.length > 1 && measure(`${out}…`, size) > room) out = out.slice(0, -1);
    return { text: `${out}…`, size, cut: true };
  }
  return { text: `${out.replace(/[,:;]$/, "")} …`, size, cut: true };
}
