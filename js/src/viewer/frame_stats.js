// A frame's colour statistics: the auto range under the current settings and the histogram
// counts, from the values the browser holds or from the kernel's Summary. One pure function
// serves both places they are computed: the statistics worker (stats_worker.js), off the main
// thread, and the main thread itself where Workers are unavailable; both give the same numbers.
import { autoRange, histogram, nominalRange } from "./colour.js";

/** Bins of the histogram under the image. */
export const HIST_BINS = 128;

/**
 * A statistics question about one frame.
 * @typedef {object} StatsQuery
 * @property {"range" | "histogram"} what
 * @property {string} scale
 * @property {string} [auto] "minmax", "percentile" or "std" (what="range")
 * @property {number[]} [percentiles] (what="range", auto="percentile")
 * @property {number} [bins] (what="histogram", default HIST_BINS)
 */

/**
 * The answer to `q` on `data` (typed array of values, or a Summary): for "range", `[vmin, vmax]`
 * or null when the scale can show none of the values; for "histogram", `{counts, lo, hi}`, the
 * counts over the values' own range [lo, hi] (nominal when there is none).
 * `scratch` keeps the statistics of `data` between questions (see colour.js).
 * @param {any} data
 * @param {StatsQuery} q
 * @param {object} scratch
 * @returns {[number, number] | null | {counts: Float64Array, lo: number, hi: number}}
 */
export function frameStats(data, q, scratch) {
  if (q.what === "range") return autoRange(data, q.auto ?? "minmax", q.scale, q.percentiles, scratch);
  if (q.what !== "histogram") throw new Error(`unknown statistics ${q.what}`);
  const [lo, hi] = autoRange(data, "minmax", q.scale, undefined, scratch) ?? nominalRange(q.scale);
  return { counts: histogram(data, q.bins ?? HIST_BINS, lo, hi, q.scale, scratch), lo, hi };
}
