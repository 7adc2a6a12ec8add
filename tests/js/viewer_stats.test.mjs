// node --test: the viewer's colour statistics off the main thread. Every frame and question of
// tests/fixtures/frame_stats_cases.json is asked of the statistics worker (stats_worker.js in a
// real worker thread, reached through FrameStats as the page reaches its Web Worker), of the
// main-thread fallback, and of colour.js directly: the three answers must be identical.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { autoRange, histogram, nominalRange } from "../../js/src/viewer/colour.js";
import { FrameStats } from "../../js/src/viewer/stats.js";
import { KEEP } from "../../js/src/viewer/stats_worker.js";
import { HIST_BINS } from "../../js/src/viewer/frame_stats.js";

const cases = JSON.parse(readFileSync(new URL("../fixtures/frame_stats_cases.json", import.meta.url)));
const ARRAYS = { uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array, uint32: Uint32Array,
  int32: Int32Array, float32: Float32Array, float64: Float64Array };
const SPECIAL = { nan: NaN, inf: Infinity, "-inf": -Infinity, "-0": -0 };
const num = (v) => (typeof v === "string" ? SPECIAL[v] : v);

function frameOf(c) {
  const A = ARRAYS[c.dtype];
  let data;
  if (c.gen) {
    let s = c.gen.seed;
    const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    data = new A(c.gen.n);
    for (let i = 0; i < data.length; i++) data[i] = c.gen.lo + next() * (c.gen.hi - c.gen.lo);
  } else data = A.from(c.values.map(num));
  for (const [i, v] of c.set ?? []) data[i] = num(v);
  return data;
}

// the answer of today's colour.js functions, called as the viewer called them before the worker
function direct(data, q) {
  if (q.what === "range") return autoRange(data, q.auto, q.scale, q.percentiles, {});
  const [lo, hi] = autoRange(data, "minmax", q.scale, undefined, {}) ?? nominalRange(q.scale);
  return { counts: histogram(data, q.bins ?? HIST_BINS, lo, hi, q.scale, {}), lo, hi };
}

// the worker thread, adapted to the Web Worker calls FrameStats makes (messages are events with `data`)
function spawnThread() {
  const url = new URL("../../js/src/viewer/stats_worker.js", import.meta.url).href;
  const w = new Worker(`const { parentPort } = require("node:worker_threads");
    import(${JSON.stringify(url)}).then((m) => m.serve(parentPort));`, { eval: true });
  return {
    postMessage: (m, t) => w.postMessage(m, t),
    addEventListener: (type, fn) => w.on(type, type === "message" ? (d) => fn({ data: d }) : fn),
    terminate: () => w.terminate(),
    thread: w,
  };
}

test("the worker, the main-thread fallback and colour.js give identical ranges and histograms", async () => {
  const inWorker = new FrameStats(spawnThread), here = new FrameStats(null);
  assert.equal(inWorker.where, "worker");
  assert.equal(here.where, "main");
  assert.equal(await inWorker.started, true); // every answer below from the worker, none from its start-up
  try {
    for (const c of cases.frames) {
      const data = frameOf(c);
      const before = data.slice();
      for (const q of cases.questions) {
        const want = direct(data, q);
        const [w, m] = await Promise.all([inWorker.compute(data, q), here.compute(data, q)]);
        assert.deepEqual(w, want, `${c.name}: ${JSON.stringify(q)} (worker)`);
        assert.deepEqual(m, want, `${c.name}: ${JSON.stringify(q)} (main thread)`);
        if (q.what === "histogram") assert.ok(w.counts instanceof Float64Array && w.counts.length === (q.bins ?? HIST_BINS));
      }
      assert.deepEqual(data, before, `${c.name}: the frame's own values are untouched`);
    }
  } finally {
    inWorker.destroy();
  }
});

test("a frame's values go to the worker once; after KEEP other frames they are sent again", async () => {
  const stats = new FrameStats(spawnThread);
  const sent = [];
  const w = stats._worker(), post = w.postMessage;
  w.postMessage = (m, t) => { sent.push(m.data !== undefined); post(m, t); };
  await stats.started;
  try {
    const frames = Array.from({ length: KEEP + 1 }, (_, k) => Float32Array.from({ length: 1000 }, (_, i) => (i * 31 + k) % 997));
    const q = { what: "range", auto: "percentile", scale: "linear", percentiles: [1, 99] };
    await stats.compute(frames[0], q);
    await stats.compute(frames[0], { ...q, scale: "sqrt" });
    await stats.compute(frames[0], { what: "histogram", scale: "linear" });
    assert.deepEqual(sent, [true, false, false]);
    for (const f of frames.slice(1)) await stats.compute(f, q); // frames[0] is evicted by the last one
    assert.deepEqual(await stats.compute(frames[0], q), autoRange(frames[0], "percentile", "linear", [1, 99]));
    assert.deepEqual(sent, [true, false, false, ...frames.slice(1).map(() => true), true]);
  } finally {
    stats.destroy();
  }
});

test("a worker that fails answers nothing wrong: what was asked of it is answered on the main thread", async () => {
  const broken = () => {
    const w = spawnThread();
    return { ...w, postMessage: (m, t) => (m.ping ? w.postMessage(m, t)  // it starts, then breaks on a frame
      : queueMicrotask(() => w.thread.emit("error", new Error("refused")))) };
  };
  const stats = new FrameStats(broken);
  stats.start();
  assert.equal(await stats.started, true);
  const data = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 100);
  const q = { what: "range", auto: "percentile", scale: "linear", percentiles: [0.1, 99.9] };
  assert.deepEqual(await stats.compute(data, q), autoRange(data, "percentile", "linear", [0.1, 99.9]));
  assert.equal(stats.where, "main");
  assert.deepEqual(await stats.compute(data, { what: "histogram", scale: "log" }), direct(data, { what: "histogram", scale: "log" }));
});

test("a spawn that throws (a policy refusing blob: workers) leaves the main thread computing", async () => {
  const stats = new FrameStats(() => { throw new Error("refused by the content security policy"); });
  const data = new Uint16Array([3, 1, 2, 0, 9]);
  assert.equal(stats.where, "main");
  assert.deepEqual(await stats.compute(data, { what: "range", auto: "minmax", scale: "log" }), [1, 9]);
});

test("while the worker starts, a small frame is answered on the main thread, a big one waits for the worker", async () => {
  const posted = [];
  const spawn = () => {
    const w = spawnThread(), post = w.postMessage;
    return { ...w, postMessage: (m, t) => { posted.push(m.ping ? "ping" : m.data !== undefined ? m.data.length : "id"); post(m, t); } };
  };
  const stats = new FrameStats(spawn, 1000);
  try {
    stats.start(); // as a viewer does when it is built
    assert.deepEqual(posted, ["ping"]);
    assert.equal(stats.ready, false);
    const q = { what: "range", auto: "minmax", scale: "linear" };
    const small = Float32Array.from({ length: 1000 }, (_, i) => i - 7), big = Float32Array.from({ length: 1001 }, (_, i) => 2 * i);
    assert.deepEqual(await stats.compute(small, q), [-7, 992]); // answered here: nothing sent
    assert.deepEqual(posted, ["ping"]);
    assert.deepEqual(await stats.compute(big, q), [0, 2000]); // too big to compute here: waits for the worker
    assert.deepEqual(posted, ["ping", 1001]);
    assert.equal(await stats.started, true);
    assert.equal(stats.ready, true);
    assert.deepEqual(await stats.compute(small, { ...q, scale: "log" }), [1, 992]); // running: small frames go to it too
    assert.deepEqual(posted, ["ping", 1001, 1000]);
  } finally {
    stats.destroy();
  }
});
