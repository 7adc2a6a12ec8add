// Axis ticks: "nice" steps of 1, 2 or 5 × 10^k (the rule d3-scale uses), log ticks at
// powers of ten, and short labels.

/** Step between about `count` nice ticks over [lo, hi]. */
export function tickStep(lo, hi, count = 5) {
  const span = Math.abs(hi - lo);
  if (!(span > 0) || !Number.isFinite(span)) return 0;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const err = raw / power;
  const factor = err >= Math.sqrt(50) ? 10 : err >= Math.sqrt(10) ? 5 : err >= Math.sqrt(2) ? 2 : 1;
  return factor * power;
}

/** Nice tick values within [lo, hi] (either order), ascending. */
export function ticks(lo, hi, count = 5) {
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi && Number.isFinite(lo)) return [lo];
  const step = tickStep(lo, hi, count);
  if (!step) return [];
  const out = [];
  if (step < 1) { // divide by the integer inverse: 0.35 / 0.05 would floor to 6
    const inv = Math.round(1 / step);
    const first = Math.ceil(lo * inv - 1e-9), last = Math.floor(hi * inv + 1e-9);
    for (let i = first; i <= last; i++) out.push(round(i / inv, step) + 0);
    return out;
  }
  const first = Math.ceil(lo / step - 1e-9), last = Math.floor(hi / step + 1e-9);
  // a step finer than the values' float spacing (int64 near 2^60): i + 1 === i, the loop would not end
  if (!(last - first <= 1000) || !Number.isSafeInteger(first) || !Number.isSafeInteger(last)) return [lo, hi];
  for (let i = first; i <= last; i++) out.push(round(i * step, step) + 0); // + 0: no -0
  return out;
}

/** Ticks at powers of ten (and 2, 5 × when the range is short) within [lo, hi], lo > 0. */
export function logTicks(lo, hi) {
  if (lo > hi) [lo, hi] = [hi, lo];
  if (!(lo > 0)) return [];
  const a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
  const mult = b - a <= 2 ? [1, 2, 5] : [1];
  const out = [];
  for (let e = a; e <= b; e++) for (const m of mult) {
    const v = m * 10 ** e;
    if (v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12)) out.push(round(v, 10 ** e));
  }
  return out;
}

// Remove float noise (0.30000000000000004) by rounding to the step's precision.
function round(v, step) {
  const digits = Math.max(0, -Math.floor(Math.log10(Math.abs(step))) + 1);
  return digits > 0 && digits < 16 ? Number(v.toFixed(digits)) : v;
}

/** A short label: integers as is, others with up to 4 significant digits, exponents when tiny or huge. */
export function label(v) {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2).replace(/\.?0+e/, "e");
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}
