// node --test: the viewer's frame loader (requests, read-ahead, stale answers, zoom regions) on
// the fake anywidget model of the browser harness. The `frame` command is answered with the
// frames of a stack in the wire format of h5lens/wire.py (headers and bytes of wire_cases.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FakeModel } from "../browser/_harness/fake_model.js";
import { createRpc, isAbort } from "../../js/src/common/rpc.js";
import { FrameLoader, toFrame, exactRegion, refineRegion } from "../../js/src/viewer/frame_loader.js";

const { cases } = JSON.parse(readFileSync(new URL("../fixtures/wire_cases.json", import.meta.url)));
const bytesOf = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));

// a 4 × 2 × 3 uint16 stack: frame k holds 100 k + (0..5)
const SHAPE = [4, 2, 3];
const frameReply = (selection) => {
  const k = Number(selection.split(",")[0]);
  const data = Uint16Array.from({ length: 6 }, (_, i) => 100 * k + i);
  return [{ ok: true, array: { dtype: "uint16", shape: [2, 3] }, frame_shape: [2, 3], region: [0, 2, 0, 3],
    factors: [1, 1], dims: [1, 2], stats: { chunks: 0, bytes: 12 }, warning: null, preview: false, axes: {},
    kernel_ms: 1 }, [new DataView(data.buffer)]];
};

/** A loader on a fake model whose `frame` answers after `delay(selection)` ms; `shown` records paints. */
function setUp({ delay = () => 1, selection = "0,:,:" } = {}) {
  const model = new FakeModel({ selection, transposed: false, aggregation: "max", complex_part: "amplitude",
    aspect: "equal", meta: { dims: SHAPE.map((size, d) => ({ name: `dim ${d}`, size })) } });
  model.onInvoke = (name, msg) => new Promise((resolve) => setTimeout(() => resolve(frameReply(msg.selection)), delay(msg.selection)));
  const shown = [];
  const loader = new FrameLoader(model, createRpc(model), {
    canvas: () => [300, 400], show: async (f) => { shown.push(f); }, playing: () => false,
  });
  return { model, loader, shown };
}

const settle = (ms = 20) => new Promise((r) => setTimeout(r, ms));

test("a frame reply becomes the viewer's frame: decoded data and geometry", () => {
  const c = cases.find((x) => x.name === "uint16 2-D");
  const reply = { ok: true, array: c.header, frame_shape: [2, 3], region: [0, 2, 0, 3], factors: [1, 1], dims: [0, 1],
    stats: { chunks: 1, bytes: 12 }, warning: null, preview: true, axes: { x: [0.5, 1.5, 2.5] }, kernel_ms: 3.5 };
  const f = toFrame(reply, [new DataView(bytesOf(c.hex).buffer)], ":,:", true);
  assert.deepEqual(Array.from(f.data), c.values);
  assert.deepEqual([f.h, f.w, f.rgb, f.channels, f.dtype], [2, 3, false, 1, "uint16"]);
  assert.deepEqual([f.frameShape, f.selection, f.transposed, f.preview, f.kernelMs], [[2, 3], ":,:", true, true, 3.5]);
  assert.deepEqual(f.axes, { x: [0.5, 1.5, 2.5] });
});

test("every request carries the canvas and the model's aggregation, part and aspect", async () => {
  const { model, loader } = setUp();
  model.set("aggregation", "mean"); model.set("aspect", "auto");
  const f = await loader.fetch("2,:,:", false, [0, 1, 0, 3], "frame", true);
  assert.deepEqual(Array.from(f.data), [200, 201, 202, 203, 204, 205]);
  assert.deepEqual(model.invoked[0].msg, { selection: "2,:,:", transposed: false, region: [0, 1, 0, 3],
    canvas: [300, 400], how: "mean", part: "amplitude", aspect: "auto", exact: true, ahead: false, summarize: true });
  assert.ok(model.invoked[0].hasSignal);
  assert.deepEqual(f.request, model.invoked[0].msg); // what frame_summary is asked with
});

test("the statistics a frame was sent without are asked with its request until no longer pending", async () => {
  const { model, loader } = setUp();
  let asks = 0;
  const values = Float64Array.of(1, 2), counts = Float64Array.of(3, 4);
  const later = { count: 7, min: 1, max: 2, mean: 11 / 7, std: 0.5, min_positive: 1, exact: true, accuracy: 0,
    values: { dtype: "float64", shape: [2] }, counts: { dtype: "float64", shape: [2] } };
  model.onInvoke = async (name, msg) => {
    if (name === "frame") return [{ ...frameReply(msg.selection)[0], factors: [2, 2], summary: null, summary_due: true },
      frameReply(msg.selection)[1]];
    asks += 1;
    return asks < 3 ? [{ ok: true, seq: null, pending: true, summary: null }, []]
      : [{ ok: true, seq: null, pending: false, summary: later }, [new DataView(values.buffer), new DataView(counts.buffer)]];
  };
  const f = await loader.fetch("1,:,:", false);
  assert.deepEqual([f.summary, f.summaryDue], [null, true]);
  const s = await loader.summary(f, () => true);
  assert.equal(asks, 3);
  assert.deepEqual(model.invoked.filter((c) => c.name === "frame_summary").map((c) => c.msg), [f.request, f.request, f.request]);
  assert.deepEqual([s.count, s.minPositive, Array.from(s.values), Array.from(s.counts)], [7, 1, [1, 2], [3, 4]]);
  // a frame no longer shown: its statistics are not asked again
  asks = 0;
  await assert.rejects(loader.summary(f, () => false), (e) => isAbort(e));
  assert.equal(asks, 0);
});

test("frames asked ahead, or while playing, start no statistics in the kernel", async () => {
  const { model, loader } = setUp();
  let playing = false;
  loader.hooks.playing = () => playing;
  await loader.fetch("1,:,:", false, null, "ahead");
  playing = true;
  await loader.fetch("2,:,:", false);
  assert.deepEqual(model.invoked.map((c) => [c.msg.ahead, c.msg.summarize]), [[true, true], [false, false]]);
});

test("a shown frame asks for the next one along the last step; that step then needs no frame request", async () => {
  const { model, loader, shown } = setUp();
  await loader.load("0,:,:");
  await settle();
  assert.deepEqual(model.invoked.map((c) => c.msg.selection), ["0,:,:", "1,:,:"]); // the only slider: +1 ahead
  assert.ok(loader.ahead.key.startsWith('["1,:,:"'));
  await loader.load("1,:,:");
  await settle();
  assert.deepEqual(shown.map((f) => f.selection), ["0,:,:", "1,:,:"]);
  assert.deepEqual(model.invoked.map((c) => c.msg.selection), ["0,:,:", "1,:,:", "2,:,:"]);
  await loader.load("3,:,:"); // a jump of 2: the next one ahead follows the same stride (none: the end)
  await settle();
  assert.equal(model.invoked.at(-1).msg.selection, "3,:,:");
  assert.equal(loader.ahead.key, null);
});

test("options changed since the ahead request: the ahead frame is not used", async () => {
  const { model, loader, shown } = setUp();
  await loader.load("0,:,:");
  await settle();
  model.set("aggregation", "mean");
  await loader.load("1,:,:");
  assert.deepEqual(model.invoked.slice(-1).map((c) => [c.msg.selection, c.msg.how]), [["2,:,:", "mean"]]);
  assert.deepEqual(model.invoked.map((c) => c.msg.how), ["max", "max", "mean", "mean"]);
  assert.equal(shown.at(-1).selection, "1,:,:");
});

test("a mask changed since the ahead request: the ahead frame (painted with the old mask) is not used", async () => {
  for (const [trait, value] of [["mask_revision", 1], ["mask_invalid", false]]) {
    const { model, loader, shown } = setUp();
    await loader.load("0,:,:");
    await settle();
    model.set(trait, value);
    await loader.load("1,:,:");
    assert.deepEqual(model.invoked.map((c) => c.msg.selection), ["0,:,:", "1,:,:", "1,:,:", "2,:,:"], trait);
    assert.equal(shown.at(-1).selection, "1,:,:");
  }
});

test("a slow answer never paints over the frame asked for after it", async () => {
  const { loader, shown } = setUp({ delay: (s) => (s.startsWith("2") ? 60 : 1) });
  const slow = assert.rejects(loader.load("2,:,:"), isAbort); // superseded: the viewer shows no error for it
  await settle(5);
  await loader.load("0,:,:");
  await slow;
  await settle(80);
  assert.deepEqual(shown.map((f) => f.selection), ["0,:,:"]);
});

test("zoom regions: nothing when the frame is sharp enough, the whole frame or the visible part", () => {
  const frame = { frameShape: [1000, 2000], region: [0, 1000, 0, 2000], factors: [4, 4] };
  assert.equal(refineRegion(frame, { x0: 0, x1: 2000, y0: 0, y1: 1000 }, [250, 500]), undefined);
  assert.deepEqual(refineRegion(frame, { x0: 100.5, x1: 300.2, y0: -5, y1: 50 }, [250, 500]), [0, 50, 100, 301]);
  assert.equal(refineRegion(frame, { x0: 3000, x1: 4000, y0: 0, y1: 10 }, [250, 500]), undefined); // off the data
  const part = { frameShape: [1000, 2000], region: [0, 50, 100, 301], factors: [1, 1] };
  assert.equal(refineRegion(part, { x0: -10, x1: 2010, y0: 0, y1: 1000 }, [250, 500]), null); // zoomed out: all of it
  assert.equal(exactRegion(frame), null);
  assert.deepEqual(exactRegion(part), [0, 50, 100, 301]);
});
