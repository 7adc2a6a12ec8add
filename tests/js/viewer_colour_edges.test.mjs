// The WebGL2 path's LUT bin edges (colour_edges.js): the shader's index (number of edges <= the
// value's key) must equal the Canvas2D `paint` index for every dtype, scale and value, bin edges
// and the values next to them included. The shader's comparisons are replayed here in JS.
import { test } from "node:test";
import assert from "node:assert/strict";
import { paint } from "../../js/src/viewer/colour.js";
import { lutEdges, floatKey, keyFloat, invalidKey, GL_KINDS } from "../../js/src/viewer/colour_edges.js";

const BAD = 1000; // "colours" of this test: LUT entry i is i, bad is 1000, clear (transparent) is 0
const LUT = Uint32Array.from({ length: 256 }, (_, i) => i);

// what the shader computes for one value (see gl_colour.js), as a "colour" of this test
function shaderColour(dtype, e, v) {
  const kind = GL_KINDS[dtype];
  let key = v, ok;
  if (kind === "f") {
    key = floatKey(v);
    ok = Number.isFinite(v) && (e.domain === 1 ? key > 0 : e.domain === 2 ? key >= 0 : true);
  } else ok = e.domain === 1 ? v > 0 : e.domain === 2 ? v >= 0 : true;
  if (!ok) return BAD;
  if (e.clear) return 0;
  let i = 0;
  for (let s = 128; s > 0; s >>= 1) if (i + s <= e.count && key >= e.edges[i + s]) i += s;
  return i;
}

function rng(seed) { let s = seed; return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648); }

const CTORS = { uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, int8: Int8Array, int16: Int16Array,
  int32: Int32Array, float32: Float32Array };

// values of a dtype: random ones spread over the range, edges' neighbours, specials
function values(dtype, vmin, vmax, scale) {
  const r = rng(7), out = [];
  const lo = Math.min(vmin, vmax), hi = Math.max(vmin, vmax), w = hi - lo || 1;
  for (let i = 0; i < 4000; i++) out.push(lo - w * 0.2 + r() * w * 1.4);
  for (const x of [0, -0, 1, -1, vmin, vmax, 2 ** -149, -(2 ** -149), 3.4e38, -3.4e38, NaN, Infinity, -Infinity]) out.push(x);
  const a = CTORS[dtype].from(out.map((x) => (dtype === "float32" ? x : Number.isFinite(x) ? Math.round(x) : 0)));
  if (dtype === "float32") { // every edge and the floats on either side of it
    const e = lutEdges(dtype, scale, vmin, vmax);
    const more = [];
    for (let i = 1; i <= e.count; i++) for (const d of [-1, 0, 1]) more.push(keyFloat(e.edges[i] + d));
    return Float32Array.from([...a, ...more]);
  }
  return a;
}

const CASES = [
  ["float32", 3.7, 2150.25], ["float32", -50, 75.5], ["float32", 0.001, 1e6], ["float32", 5, 5], ["float32", 0, 10],
  ["uint16", 10, 60000], ["uint16", 0, 255], ["uint8", 3, 200], ["int8", -100, 90], ["int16", -3000, 20000],
  ["uint32", 100, 4e9], ["int32", -2e9, 2e9], ["int32", 1, 1000],
];

for (const [dtype, vmin, vmax] of CASES) {
  for (const scale of ["linear", "log", "sqrt", "symlog"]) {
    test(`edges give the Canvas2D index: ${dtype} ${scale} [${vmin}, ${vmax}]`, () => {
      const data = values(dtype, vmin, vmax, scale);
      const cpu = new Uint32Array(data.length);
      paint(data, cpu, LUT, vmin, vmax, scale, [232, 3, 0, 0], dtype); // bad packs to 1000 (little-endian)
      const e = lutEdges(dtype, scale, vmin, vmax);
      let wrong = 0, first = null;
      for (let p = 0; p < data.length; p++) {
        const got = shaderColour(dtype, e, data[p]);
        if (got !== cpu[p]) { wrong++; first ??= [data[p], got, cpu[p]]; }
      }
      assert.equal(wrong, 0, `first: value ${first?.[0]} shader ${first?.[1]} canvas ${first?.[2]}`);
    });
  }
}

test("a range whose low end is off the scale paints valid pixels transparent, as Canvas2D does", () => {
  const e = lutEdges("float32", "log", 0, 100);
  assert.equal(e.clear, true);
  const out = new Uint32Array(2);
  paint(Float32Array.of(5, -1), out, Uint32Array.from(LUT, (x) => x + 1), 0, 100, "log", [9, 0, 0, 0], "float32");
  assert.equal(out[0], 0); // lut32[NaN]: nothing
});

test("float keys order float32 values, specials included", () => {
  const xs = [-Infinity, -3.4e38, -1, -(2 ** -149), 0, 2 ** -149, 1, 3.4e38, Infinity];
  const keys = xs.map(floatKey);
  for (let i = 1; i < keys.length; i++) assert.ok(keys[i] > keys[i - 1], `${xs[i - 1]} < ${xs[i]}`);
  assert.equal(floatKey(-0), 0);
  assert.ok(floatKey(NaN) > floatKey(Infinity));
  for (const x of xs) assert.equal(keyFloat(floatKey(x)), Math.fround(x));
});

test("the sentinel key matches exactly the values data[i] === invalid matches", () => {
  assert.equal(invalidKey("uint32", 4294967295), 4294967295);
  assert.equal(invalidKey("uint16", 4294967295), null);
  assert.equal(invalidKey("int16", -1.5), null);
  assert.equal(invalidKey("float32", 0.1), null); // no float32 equals the double 0.1
  assert.equal(invalidKey("float32", -1), floatKey(-1));
  assert.equal(invalidKey("float32", NaN), null);
  assert.equal(invalidKey("uint8", null), null);
});
