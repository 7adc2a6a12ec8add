// node --test: playing a stack. The player drives the selector's real state (SliceState, the
// Slicer without its controls) and the real frame loader on the harness's fake model, whose
// `frame` command answers each frame of a stack in the wire format after a delay.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeModel } from "../browser/_harness/fake_model.js";
import { createRpc } from "../../js/src/common/rpc.js";
import { FrameLoader } from "../../js/src/viewer/frame_loader.js";
import { SliceState } from "../../js/src/viewer/slicer.js";
import { createPlayer } from "../../js/src/viewer/player.js";

const SHAPE = [6, 2, 3];

function setUp({ fps = 120, delay = 3, fail = null, paint = async () => {} } = {}) {
  const model = new FakeModel({ selection: "0,:,:", transposed: false, fps, aggregation: "max", complex_part: "amplitude",
    aspect: "equal", meta: { dims: SHAPE.map((size, d) => ({ name: `dim ${d}`, size })) } });
  let inFlight = 0;
  const peaks = [];
  model.onInvoke = (name, msg) => new Promise((resolve) => {
    inFlight++; peaks.push(inFlight);
    setTimeout(() => {
      inFlight--;
      const k = Number(msg.selection.split(",")[0]);
      if (k === fail) { resolve([{ ok: false, error: { type: "OSError", message: `frame ${k} unreadable` } }, []]); return; }
      const data = Uint16Array.from({ length: 6 }, (_, i) => 10 * k + i);
      resolve([{ ok: true, array: { dtype: "uint16", shape: [2, 3], source_dtype: "uint16" }, frame_shape: [2, 3],
        region: [0, 2, 0, 3], factors: [1, 1], dims: [1, 2], stats: { chunks: 0, bytes: 12 }, warning: null,
        preview: false, axes: {}, kernel_ms: 0 }, [new DataView(data.buffer)]]);
    }, delay);
  });
  const slicer = new SliceState({ shape: SHAPE, ndisplay: 2, rgb: false }, { onChange() {}, onPlay() {} });
  slicer.setSelection("0,:,:", false);
  const rpc = createRpc(model);
  const loader = new FrameLoader(model, rpc, { canvas: () => [100, 100], show: async () => {}, playing: () => true });
  const shown = [], errors = [];
  let stops = 0;
  const root = { dataset: {} };
  const player = createPlayer({
    model, root, slicer: () => slicer, fetchFrame: (s, t, r, k) => loader.fetch(s, t, r, k),
    showFrame: async (f) => { await paint(f); shown.push(f.selection); }, showError: (e) => errors.push(e.message),
    setLast: () => {}, onStop: () => { stops++; model.save_changes(); }, // as the viewer's onStop
  });
  return { model, slicer, player, shown, errors, peaks, root, stops: () => stops };
}

const until = async (cond, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) { assert.ok(Date.now() < end, "timed out"); await new Promise((r) => setTimeout(r, 5)); }
};

test("frames play in order from the next one, wrapping at the end, with a few requests in flight", async () => {
  const { model, slicer, player, shown, peaks, root } = setUp();
  player.start(0);
  assert.equal(slicer.playing, 0);
  await until(() => shown.length >= 8);
  player.stop();
  assert.deepEqual(shown.slice(0, 8), ["1,:,:", "2,:,:", "3,:,:", "4,:,:", "5,:,:", "0,:,:", "1,:,:", "2,:,:"]);
  assert.ok(Math.max(...peaks) <= 3 && Math.max(...peaks) >= 2, `in flight: ${Math.max(...peaks)}`);
  assert.equal(slicer.mapping[0], Number(shown.at(-1)[0])); // the slider follows the frame shown
  assert.equal(model.get("selection"), shown.at(-1));
  assert.ok(Number(root.dataset.playFps) > 0);
});

test("stopping drops the answers still on their way and gives the slider back", async () => {
  const { player, slicer, shown, stops } = setUp({ delay: 20 });
  player.start(0);
  await until(() => shown.length >= 1);
  player.stop();
  const n = shown.length;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(shown.length, n);
  assert.equal(player.playing, false);
  assert.equal(slicer.playing, null);
  assert.equal(stops(), 1); // the viewer saves the selection then
});

test("a stop while a frame is being painted: that frame stays shown, and Python hears of it", async () => {
  let release = null, painting = 0;
  const paint = async () => { if (++painting === 3) await new Promise((r) => { release = r; }); };
  const { player, model, shown } = setUp({ fps: 120, delay: 1, paint });
  player.start(0);
  await until(() => release !== null); // the third frame ("3,:,:") is being painted
  player.stop(); // the user pauses now: the stop saves the frame before
  release();
  await until(() => shown.length === 3);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(shown.at(-1), "3,:,:");
  assert.equal(model.get("selection"), "3,:,:");
  assert.equal(model.saved.filter((p) => "selection" in p).at(-1).selection, "3,:,:"); // sent to Python
  assert.equal(shown.length, 3); // and nothing played after the stop
});

test("the trait follows at most four times a second while playing", async () => {
  const { player, shown, model } = setUp({ fps: 120, delay: 1 });
  const t0 = Date.now();
  player.start(0);
  await until(() => shown.length >= 20);
  const saves = model.saved.filter((p) => "selection" in p).length;
  const elapsed = Date.now() - t0;
  player.stop();
  assert.ok(saves >= 1 && saves <= 1 + elapsed / 250, `${saves} saves in ${elapsed} ms for ${shown.length} frames`);
});

test("a frame that cannot be read stops the play and says why", async () => {
  const { player, errors, shown } = setUp({ fail: 3 });
  player.start(0);
  await until(() => errors.length === 1);
  assert.equal(player.playing, false);
  assert.match(errors[0], /frame 3 unreadable/);
  assert.ok(!shown.includes("3,:,:"));
});
