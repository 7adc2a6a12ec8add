// node --test: the viewer's colour state (LUT cache, range cache, debounced save) on the fake
// anywidget model of the browser harness, its `luts` command answered in the wire format.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeModel } from "../browser/_harness/fake_model.js";
import { createRpc } from "../../js/src/common/rpc.js";
import { autoRange } from "../../js/src/viewer/colour.js";
import { ColourState, COLOUR_IDLE_MS } from "../../js/src/viewer/colour_state.js";

// 256 × RGBA bytes per name, distinct per name: byte 0 is the name's index in `NAMES`
const NAMES = ["viridis", "viridis_r", "gray", "gray_r", "magma", "magma_r", "inferno"];
const lutOf = (name) => { const b = new Uint8Array(1024); b.fill(NAMES.indexOf(name) + 1); return b; };

function viewerModel(traits = {}, { fail = 0 } = {}) {
  const model = new FakeModel({ colormap: "viridis", favourites: ["viridis", "gray"], scale: "linear",
    autoscale: "percentile", percentiles: [0.1, 99.9], vmin: null, vmax: null, bad_color: "#ff00ff", ...traits });
  let failures = fail;
  model.onInvoke = async (name, msg) => {
    assert.equal(name, "luts");
    if (failures-- > 0) return [{ ok: false, error: { type: "OSError", message: "no colormaps" } }, []];
    const bytes = new Uint8Array(1024 * msg.names.length);
    msg.names.forEach((n, i) => bytes.set(lutOf(n), 1024 * i));
    return [{ ok: true, names: msg.names }, [new DataView(bytes.buffer)]];
  };
  return model;
}

test("one request brings the colormap, the favourites and their reverses; concurrent callers share it", async () => {
  const model = viewerModel({ colormap: "magma" });
  const colour = new ColourState(model, createRpc(model));
  const [magma, magma2] = await Promise.all([colour.lut("magma"), colour.lut("magma")]);
  assert.deepEqual(model.invoked.map((c) => c.msg.names), [["magma", "viridis", "gray", "viridis_r", "gray_r"]]);
  assert.deepEqual(magma, lutOf("magma"));
  assert.equal(magma, magma2);
  assert.deepEqual(await colour.lut("gray_r"), lutOf("gray_r")); // a favourite's reverse: no request
  assert.equal(model.invoked.length, 1);
  await colour.lut("inferno");
  assert.deepEqual(model.invoked[1].msg.names, ["inferno"]); // only what is not cached yet
});

test("a failed LUT request rejects its callers and is asked again next time", async () => {
  const model = viewerModel({}, { fail: 1 });
  const colour = new ColourState(model, createRpc(model));
  await assert.rejects(colour.lut("viridis"), /no colormaps/);
  assert.deepEqual(await colour.lut("viridis"), lutOf("viridis"));
  assert.equal(model.invoked.length, 2);
});

test("the range: manual bounds, else the auto range, cached per frame and settings", async () => {
  const model = viewerModel();
  const colour = new ColourState(model, createRpc(model));
  const data = Float32Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
  const first = colour.range(data);
  assert.deepEqual(await first, autoRange(data, "percentile", "linear", [0.1, 99.9]));
  assert.equal(colour.range(data), first); // a colormap change recomputes nothing
  model.set("scale", "log");
  assert.deepEqual(await colour.range(data), autoRange(data, "percentile", "log", [0.1, 99.9]));
  model.set("autoscale", "manual"); // manual without bounds: min/max
  assert.deepEqual(await colour.range(data), [1, 999]);
  model.set("vmin", 5); model.set("vmax", 50);
  assert.deepEqual(await colour.range(data), [5, 50]);
  assert.equal((await colour.range(new Float32Array(data))).length, 2); // another frame: computed anew
});

test("the paint settings: nominal and flagged when the scale shows nothing; uint8 RGB as it is", async () => {
  const model = viewerModel({ scale: "log", colormap: "gray_r", bad_color: "#10203040" });
  const colour = new ColourState(model, createRpc(model));
  const c = await colour.colour({ data: new Float32Array([-1, 0, NaN]), dtype: "float32", rgb: false });
  assert.deepEqual([c.vmin, c.vmax, c.empty, c.scale], [1, 10, true, "log"]);
  assert.deepEqual(c.bad, [16, 32, 48, 64]);
  assert.deepEqual(c.lutBytes, lutOf("gray_r"));
  const rgb = await colour.colour({ data: new Uint8Array([3, 4, 5]), dtype: "uint8", rgb: true });
  assert.deepEqual([rgb.vmin, rgb.vmax, rgb.empty], [0, 255, false]);
  model.set("scale", "linear");
  const ok = await colour.colour({ data: new Float32Array([2, 4]), dtype: "float32", rgb: false });
  assert.equal(ok.empty, false);
});

test("a burst of colour changes is saved once, after the idle time, with every change", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const model = viewerModel();
  const colour = new ColourState(model, createRpc(model));
  colour.set({ colormap: "gray" });
  t.mock.timers.tick(COLOUR_IDLE_MS - 1);
  colour.set({ scale: "log" });
  colour.set({ autoscale: "manual", vmin: 1, vmax: 2 });
  t.mock.timers.tick(COLOUR_IDLE_MS - 1);
  assert.equal(model.saved.length, 0);
  assert.equal(model.get("colormap"), "gray"); // set at once: the view repaints before any save
  t.mock.timers.tick(1);
  assert.deepEqual(model.saved, [{ colormap: "gray", scale: "log", autoscale: "manual", vmin: 1, vmax: 2 }]);
  t.mock.timers.tick(10 * COLOUR_IDLE_MS);
  assert.equal(model.saved.length, 1);
});

test("flush saves at once; another save carries the changes; nothing is saved after close", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const model = viewerModel();
  const colour = new ColourState(model, createRpc(model));
  colour.set({ colormap: "magma" });
  colour.flush(); // the pointer left the viewer
  assert.deepEqual(model.saved, [{ colormap: "magma" }]);
  colour.set({ scale: "sqrt" });
  model.set("selection", "1,:,:"); model.save_changes(); colour.saved(); // a slider step's save
  t.mock.timers.tick(2 * COLOUR_IDLE_MS);
  assert.deepEqual(model.saved.slice(1), [{ scale: "sqrt", selection: "1,:,:" }]);
  colour.set({ scale: "log" });
  colour.close(); // the view closes: the last choice is kept
  colour.set({ scale: "linear" });
  t.mock.timers.tick(2 * COLOUR_IDLE_MS);
  colour.flush();
  assert.deepEqual(model.saved.slice(2), [{ scale: "log" }]);
});
