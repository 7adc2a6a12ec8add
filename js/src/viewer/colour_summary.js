// Auto range from the kernel's Summary of a full-resolution frame (when the display copy
// aggregates pixels, the browser's values are not the data's): see colour.js `autoRange`.

/**
 * Whether `data` is a frame Summary (statistics of the full-resolution data) rather than values.
 * @param {any} data
 */
export function isSummary(data) {
  return !!data && data.values instanceof Float64Array && data.counts instanceof Float64Array && "exact" in data;
}

/**
 * Auto range from the kernel's statistics of a full-resolution frame whose display copy
 * aggregates pixels: min, max, mean and σ are exact (for the values a scale can show when
 * it shows all of them); percentiles and the other scales' moments come from the histogram,
 * exact for integers of at most 16 bits, else within `summary.accuracy` (relative).
 * @param {import("../common/protocol.js").Summary} s
 * @param {string} mode
 * @param {string} scale
 * @param {number[]} percentiles
 * @returns {[number, number] | null}
 */
export function summaryRange(s, mode, scale, percentiles) {
  if (!s.count || s.min == null || s.max == null) return null;
  const { values, counts } = s;
  const whole = scale === "linear" || scale === "symlog" || (scale === "log" && s.min > 0) || (scale === "sqrt" && s.min >= 0);
  const ok = (/** @type {number} */ v) => whole || (scale === "log" ? v > 0 : v >= 0);
  let count = 0, sum = 0, first = -1;
  for (let p = 0; p < values.length; p++) {
    if (!ok(values[p])) continue;
    if (first < 0) first = p;
    count += counts[p]; sum += counts[p] * values[p];
  }
  if (whole) count = s.count;
  if (!count || (scale === "log" && s.minPositive == null)) return null;
  let lo = whole ? s.min : scale === "log" ? /** @type {number} */ (s.minPositive) : Math.max(0, values[first]);
  if (lo > 0 && s.minPositive != null) lo = s.minPositive; // sqrt without zeros: the exact smallest value, not a bin's edge
  const hi = s.max;
  if (mode === "minmax") return [lo, hi];
  if (mode === "std") {
    let mean = s.mean ?? 0, sd = s.std ?? 0;
    if (!whole) {
      mean = sum / count;
      let ss = 0;
      for (let p = 0; p < values.length; p++) if (ok(values[p])) ss += counts[p] * (values[p] - mean) ** 2;
      sd = Math.sqrt(ss / count);
    }
    return [Math.max(lo, mean - 3 * sd), Math.min(hi, mean + 3 * sd)];
  }
  if (mode !== "percentile") throw new Error(`unknown auto-range ${mode}`);
  const kth = (/** @type {number} */ k) => { // k-th smallest valid value (0-based)
    let seen = 0;
    for (let p = 0; p < values.length; p++) {
      if (!ok(values[p])) continue;
      seen += counts[p];
      if (seen > k) return values[p];
    }
    return hi;
  };
  const at = (/** @type {number} */ q) => {
    const pos = (q / 100) * (count - 1);
    const i = Math.floor(pos), frac = pos - i;
    const x = kth(i);
    const v = frac === 0 || i + 1 >= count ? x : x + (kth(i + 1) - x) * frac;
    return Math.min(hi, Math.max(lo, v)); // a float bin's lower edge may lie below the data
  };
  return [at(percentiles[0]), at(percentiles[1])];
}
