// node --test: the pure parts of the viewer entry (display mode, titles, labels, read costs),
// its keys, and the curve of a `curve` reply (decoded from wire_cases.json's bytes).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FakeModel } from "../browser/_harness/fake_model.js";
import { axisLabel, curveAbscissae, displayMode, readableMeta, statsText, titleText } from "../../js/src/viewer/meta.js";
import { keyCommand, runKey } from "../../js/src/viewer/keys.js";
import { curveRegion, toCurve } from "../../js/src/viewer/curve_maths.js";

const { cases } = JSON.parse(readFileSync(new URL("../fixtures/wire_cases.json", import.meta.url)));
const wire = (name) => {
  const c = cases.find((x) => x.name === name);
  return [c.header, new DataView(Uint8Array.from(c.hex.match(/../g), (b) => parseInt(b, 16)).buffer), c.values];
};

test("the display follows the view kind: values whatever the dimensions, else ndisplay", () => {
  for (const [kind, ndisplay, mode] of [["image", 2, 2], ["curve", 1, 1], ["table", 1, 0], ["scalar", 0, 0],
    ["list", 1, 0], ["stack", 2, 2], ["none", 0, 0], ["rgb", 2, 2]]) {
    assert.equal(displayMode(new FakeModel({ kind, ndisplay })), mode, kind);
  }
});

test("titles say where the data is; TeX labels read as text", () => {
  const meta = readableMeta({ path: "/entry/data", filename: "/data/id16/scan.h5", shape: "2 × 540 × 640", dtype: "uint16",
    title: "$2\\theta$ scan", dims: [{ name: "$\\chi$", size: 2, label: "$\\chi$ (deg)" }, { name: "dim 1", size: 540 }] });
  assert.deepEqual(titleText(meta), { where: "scan.h5::/entry/data", main: "2θ scan", small: "scan.h5::/entry/data  2 × 540 × 640  uint16" });
  assert.deepEqual(titleText(readableMeta({ path: "/", filename: "C:\\beam\\a.edf" })), { where: "a.edf", main: "a.edf", small: "" });
  assert.deepEqual(titleText(readableMeta({ path: "/x", filename: "" })), { where: "/x", main: "/x", small: "" });
  // an in-memory array is titled by its shape and dtype, not "/"
  assert.deepEqual(titleText(readableMeta({ path: "/", filename: "", shape: "3 × 4", dtype: "uint16" })),
    { where: "in-memory array 3 × 4 uint16", main: "3 × 4 uint16", small: "in-memory array" });
  assert.equal(readableMeta(null).dims.length, 0);
  assert.equal(axisLabel(meta, [0, "y", "x"], "y"), "dim 1");
  assert.equal(axisLabel(meta, ["x", 3, 1], "x"), "χ (deg)"); // the NeXus label before the name
  assert.equal(axisLabel(meta, [0, 1, 2], "x"), "");
  const long = readableMeta({ dims: [{ name: "n".repeat(80), size: 3 }] });
  assert.equal(axisLabel(long, ["x"], "x"), `${"n".repeat(59)}…`);
});

test("what a selection reads, in readable units", () => {
  assert.equal(statsText(null), "");
  assert.equal(statsText({ chunks: 0, bytes: 640 }), "reads 640 B");
  assert.equal(statsText({ chunks: 1, bytes: 2048 }), "reads 1 chunk (2.0 KiB)");
  assert.equal(statsText({ chunks: 12, bytes: 5.5 * 2 ** 20 }), "reads 12 chunks (5.5 MiB)");
});

test("keys: steps, ends, play, reset and zoom; others are left to the page", () => {
  assert.deepEqual(["ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp", "PageUp", "PageDown"].map((k) => keyCommand(k)),
    [{ step: 1 }, { step: 1 }, { step: -1 }, { step: -1 }, { step: 10 }, { step: -10 }]);
  assert.deepEqual([keyCommand("Home"), keyCommand("End"), keyCommand(" "), keyCommand("r")],
    [{ go: "first" }, { go: "last" }, { play: true }, { reset: true }]);
  assert.ok(keyCommand("+").zoom < 1 && keyCommand("-").zoom > 1);
  assert.equal(keyCommand("a"), null);
  assert.equal(keyCommand("Tab"), null);
  // a view without slider or image: nothing to do, the key's default action stays
  const bare = { slicer: null, image: null, curve: null, player: { playing: false, start() {}, stop() {} } };
  for (const k of ["Home", "End", " ", "+", "a"]) assert.equal(runKey(keyCommand(k), bare), false, k);
});

test("a curve reply becomes the view's curve; a zoom asks for the source points around it", () => {
  const [header, buf, values] = wire("float32 specials");
  const reply = { ok: true, arrays: [header], index: [0, 2, 4, 6], x: [10, 20, 30, 40], decimated: false, length: 8,
    region: [0, 8], dim: 0, aux: [], stats: { chunks: 0, bytes: 16 }, warning: null };
  const c = toCurve(reply, [buf], "counts");
  const special = { nan: NaN, inf: Infinity, "-inf": -Infinity };
  assert.deepEqual(Array.from(c.y), values.map((v) => special[v] ?? v));
  assert.deepEqual(Array.from(c.x), [10, 20, 30, 40]);
  assert.equal(c.ymax, null);
  assert.deepEqual(curveRegion(c, 20, 30), [2, 5]);
  assert.deepEqual(curveRegion(c, 0, 100), [0, 7]);
  const noAxis = toCurve({ ...reply, x: null }, [buf], "counts");
  assert.deepEqual(Array.from(noAxis.x), [0, 2, 4, 6]); // the indices stand in
});

test("a curve's abscissa menu and title: the dimension's abscissae, the chosen one's label", () => {
  const abscissae = [{ name: "energy", label: "energy (keV)" }, { name: "channels", label: "channels" },
    { name: "index", label: "index" }];
  const meta = readableMeta({ dims: [{ name: "point", size: 3 }, { name: "energy", size: 16, label: "energy (keV)", abscissae }] });
  assert.deepEqual(curveAbscissae(meta, "0,:"), ["energy", "channels", "index"]);
  assert.deepEqual(curveAbscissae(meta, "2,10:20"), ["energy", "channels", "index"]); // a zoomed slice too
  assert.deepEqual(curveAbscissae(meta, ":,3"), []); // along the points: only their index, no menu
  assert.deepEqual(curveAbscissae(meta, ":,:"), []); // an image
  assert.equal(axisLabel(meta, [0, "x"], "x"), "energy (keV)");
  assert.equal(axisLabel(meta, [0, "x"], "x", "channels"), "channels");
  assert.equal(axisLabel(meta, [0, "x"], "x", "energy"), "energy (keV)");
  assert.equal(axisLabel(meta, [0, "x"], "x", "elsewhere"), "energy (keV)"); // unknown: the dimension's own label
});
