// Colour maths and ticks of the image view (pixels are checked against numpy in the browser tests).
import { test } from "node:test";
import assert from "node:assert/strict";
import { forward, inverse, paint, packLut, autoRange, histogram, parseColor } from "../../js/src/viewer/colour.js";
import { ticks, tickStep, logTicks, label } from "../../js/src/viewer/ticks.js";

// numpy.percentile's default (linear) on a sorted copy: the reference for the quickselect path
function percentileRef(values, q) {
  const a = Float64Array.from(values).sort();
  const pos = (q / 100) * (a.length - 1);
  const i = Math.floor(pos);
  return i + 1 < a.length ? a[i] + (a[i + 1] - a[i]) * (pos - i) : a[i];
}

function rng(seed) { let s = seed; return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648); }

test("scale transforms and their inverse", () => {
  assert.equal(forward(100, "log"), 2);
  assert.ok(Number.isNaN(forward(0, "log")) && Number.isNaN(forward(-1, "sqrt")) && Number.isNaN(forward(NaN, "linear")));
  assert.ok(Number.isNaN(forward(Infinity, "symlog")));
  for (const s of ["linear", "log", "sqrt", "symlog"]) {
    for (const v of [0.5, 3, 1234.5]) assert.ok(Math.abs(inverse(forward(v, s), s) - v) < 1e-9 * v, `${s} ${v}`);
  }
  assert.equal(forward(-9, "symlog"), -1);
});

test("percentiles match numpy's linear interpolation on floats and integers", () => {
  const r = rng(7);
  const f = new Float32Array(10001).map(() => r() * 1000 - 200);
  f[5] = NaN; f[17] = Infinity;
  const finite = Array.from(f).filter(Number.isFinite);
  const [lo, hi] = autoRange(f, "percentile", "linear", [0.1, 99.9]);
  assert.equal(lo, percentileRef(finite, 0.1));
  assert.equal(hi, percentileRef(finite, 99.9));
  const u = new Uint16Array(5000).map(() => Math.floor(r() * 65535));
  const [a, b] = autoRange(u, "percentile", "log", [1, 99]);
  const pos = Array.from(u).filter((v) => v > 0);
  assert.equal(a, percentileRef(pos, 1));
  assert.equal(b, percentileRef(pos, 99));
});

test("min/max and mean ± 3σ skip what the scale cannot show", () => {
  const d = new Float64Array([NaN, -5, 0, 1, 2, 3, 1000]);
  assert.deepEqual(autoRange(d, "minmax"), [-5, 1000]);
  assert.deepEqual(autoRange(d, "minmax", "log"), [1, 1000]);
  assert.deepEqual(autoRange(d, "minmax", "sqrt"), [0, 1000]);
  const [lo, hi] = autoRange(d, "std");
  const v = [-5, 0, 1, 2, 3, 1000], m = v.reduce((a, b) => a + b) / v.length;
  const s = Math.sqrt(v.reduce((a, x) => a + (x - m) ** 2, 0) / v.length);
  assert.equal(lo, Math.max(-5, m - 3 * s));
  assert.equal(hi, Math.min(1000, m + 3 * s));
  assert.equal(autoRange(new Float32Array([NaN]), "percentile"), null);
  assert.equal(autoRange(new Float32Array([-1]), "minmax", "log"), null);
  assert.equal(autoRange(new Uint16Array([0, 0]), "minmax", "log"), null); // the integer path too
});

test("paint: LUT index floor(t * 256), bad colour, integer table path equals float path", () => {
  const lutBytes = new Uint8Array(1024);
  for (let i = 0; i < 256; i++) lutBytes.set([i, 255 - i, 7, 255], 4 * i);
  const lut = packLut(lutBytes);
  const bad = [255, 0, 255, 255];
  const f = new Float32Array([NaN, -1, 0, 1, 10, 100, 1000, Infinity]);
  const out = new Uint32Array(f.length);
  paint(f, out, lut, 1, 1000, "log", bad, "float32");
  const rgba = new Uint8Array(out.buffer);
  const red = (p) => rgba[4 * p];
  assert.deepEqual([0, 1, 2, 7].map((p) => Array.from(rgba.slice(4 * p, 4 * p + 4))), Array(4).fill(bad));
  assert.deepEqual([3, 4, 5, 6].map(red), [0, 85, 170, 255]);
  const u = new Uint16Array([0, 1, 10, 100, 1000, 65535]);
  const viaTable = new Uint32Array(u.length), viaFloat = new Uint32Array(u.length);
  for (const scale of ["linear", "log", "sqrt", "symlog"]) {
    paint(u, viaTable, lut, 1, 1000, scale, bad, "uint16");
    paint(Float64Array.from(u), viaFloat, lut, 1, 1000, scale, bad, "float64");
    assert.deepEqual(viaTable, viaFloat, scale);
  }
  const i16 = new Int16Array([-300, -1, 0, 5]);
  const a = new Uint32Array(4), b = new Uint32Array(4);
  paint(i16, a, lut, -300, 5, "symlog", bad, "int16");
  paint(Float64Array.from(i16), b, lut, -300, 5, "symlog", bad, "float64");
  assert.deepEqual(a, b);
});

test("histogram counts values in range, the top edge included", () => {
  const h = histogram(new Float64Array([0, 0.5, 1, 2, NaN, 9.99, 10, 11]), 10, 0, 10, "linear");
  assert.deepEqual(Array.from(h), [2, 1, 1, 0, 0, 0, 0, 0, 0, 2]);
});

test("nice ticks and labels", () => {
  assert.deepEqual(ticks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(ticks(0.1, 0.35, 5), [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  assert.deepEqual(ticks(540, 0, 5), [0, 100, 200, 300, 400, 500]);
  assert.equal(tickStep(0, 1, 10), 0.1);
  assert.deepEqual(logTicks(1, 1000), [1, 10, 100, 1000]);
  assert.deepEqual(logTicks(3, 60), [5, 10, 20, 50]);
  assert.deepEqual([label(3), label(0.30000000000000004), label(123456), label(0.0001234)], ["3", "0.3", "1.23e+5", "1.23e-4"]);
  assert.deepEqual(parseColor("#ff8000"), [255, 128, 0, 255]);
});

test("8/16-bit integers: counted ranges and histograms equal the float paths", () => {
  const r = rng(11);
  const u = new Uint16Array(20001).map(() => Math.floor(r() * 3000));
  u[3] = 0;
  const i16 = new Int16Array(5000).map(() => Math.floor(r() * 2000) - 1000);
  for (const data of [u, i16, Uint8Array.from(u.slice(0, 999), (v) => v % 256)]) {
    const f = Float64Array.from(data);
    for (const scale of ["linear", "log", "sqrt"]) {
      for (const mode of ["minmax", "percentile", "std"]) {
        const a = autoRange(data, mode, scale, [1, 99.5]);
        const b = autoRange(f, mode, scale, [1, 99.5]);
        assert.ok(Math.abs(a[0] - b[0]) <= 1e-9 * Math.max(1, Math.abs(b[0])) && Math.abs(a[1] - b[1]) <= 1e-9 * Math.max(1, Math.abs(b[1])),
          `${data.constructor.name} ${scale} ${mode}: ${a} vs ${b}`);
      }
      const [lo, hi] = autoRange(f, "minmax", scale);
      assert.deepEqual(histogram(data, 64, lo, hi, scale), histogram(f, 64, lo, hi, scale));
    }
  }
});

// What the kernel sends for an integer frame it aggregated (h5lens/stats.py): exact moments,
// one histogram bin per value.
function summaryOf(data) {
  const tally = new Map();
  for (const v of data) tally.set(v, (tally.get(v) ?? 0) + 1);
  const values = Float64Array.from([...tally.keys()].sort((a, b) => a - b));
  const counts = Float64Array.from(values, (v) => tally.get(v));
  const n = data.length, mean = data.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(data.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
  const positive = [...values].filter((v) => v > 0);
  return { count: n, min: values[0], max: values.at(-1), mean, std, minPositive: positive.length ? positive[0] : null,
    exact: true, accuracy: 0, values, counts };
}

test("a frame summary gives the ranges and histogram of the full data it describes", () => {
  const r = rng(3);
  const data = new Int16Array(30000).map(() => Math.floor(r() * 5000) - 400);
  const s = summaryOf(data);
  for (const scale of ["linear", "log", "sqrt", "symlog"]) {
    for (const mode of ["minmax", "percentile", "std"]) {
      const a = autoRange(s, mode, scale, [0.1, 99.9]);
      const b = autoRange(data, mode, scale, [0.1, 99.9]);
      assert.ok(Math.abs(a[0] - b[0]) <= 1e-9 * Math.max(1, Math.abs(b[0])) && Math.abs(a[1] - b[1]) <= 1e-9 * Math.max(1, Math.abs(b[1])),
        `${scale} ${mode}: ${a} vs ${b}`);
    }
    const [lo, hi] = autoRange(data, "minmax", scale);
    assert.deepEqual(histogram(s, 64, lo, hi, scale), histogram(data, 64, lo, hi, scale));
  }
  assert.equal(autoRange(summaryOf(new Int16Array([-3, -1])), "minmax", "log"), null);
  assert.equal(autoRange({ ...s, count: 0, min: null, max: null }, "percentile"), null);
});

test("cached frame statistics give the same ranges as fresh computations", () => {
  const r = rng(5);
  const positive = new Float32Array(30000).map(() => 1 + r() * 500);
  const mixed = new Float32Array(30000).map(() => r() * 500 - 100);
  mixed[7] = NaN;
  for (const data of [positive, mixed]) {
    const scratch = {};
    for (const scale of ["linear", "log", "sqrt", "symlog", "linear", "log"]) {
      for (const mode of ["percentile", "minmax", "std", "percentile"]) {
        assert.deepEqual(Array.from(autoRange(data, mode, scale, [0.1, 99.9], scratch)),
          Array.from(autoRange(data, mode, scale, [0.1, 99.9], {})), `${scale} ${mode}`);
      }
      assert.deepEqual(Array.from(autoRange(data, "percentile", scale, [5, 95], scratch)),
        Array.from(autoRange(data, "percentile", scale, [5, 95], {})));
    }
  }
});

test("ticks end on values beyond 2^53 (step finer than their float spacing)", () => {
  const lo = 2 ** 60, hi = 2 ** 60 + 512;
  assert.deepEqual(ticks(lo, hi, 5), [lo, hi]);
});

test("auto-range of values with nothing finite is null; the nominal range stands in", async () => {
  const { nominalRange } = await import("../../js/src/viewer/colour.js");
  assert.equal(autoRange(new Float32Array([NaN, Infinity, -Infinity]), "percentile"), null);
  assert.deepEqual(autoRange(new Float32Array([1, 2]), "minmax"), [1, 2]);
  assert.deepEqual(nominalRange("linear"), [0, 1]);
  assert.deepEqual(nominalRange("log"), [1, 10]);
});
