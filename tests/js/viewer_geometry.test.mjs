// node --test: the pure parts of the image view, its histogram and the slice selector (their
// drawing and controls are covered in Chromium by tests/browser/test_viewer_static.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { BAR, MARGIN, deviceSize, fittedHeight, pixelAt, plotArea, plotRect } from "../../js/src/viewer/image_geometry.js";
import { valueOfX, xOf } from "../../js/src/viewer/histogram.js";
import { assignAxis, mappingOf } from "../../js/src/viewer/slicer.js";
import { fromMapping } from "../../js/src/viewer/selection.js";

test("the plot leaves room for the axes and the colour bar", () => {
  const { w, h } = plotArea(600, 400);
  assert.equal(w, 600 - MARGIN.left - MARGIN.right - BAR.width - BAR.gap - BAR.labels);
  assert.equal(h, 400 - MARGIN.top - MARGIN.bottom);
  assert.deepEqual(deviceSize(600, 400, 2), [2 * h, 2 * w]);
  assert.deepEqual(deviceSize(100, 40, 1), [16, 16]); // never less than 16 device pixels
});

test("square pixels: the view is centred on whole pixels; auto aspect fills the area", () => {
  const { w, h } = plotArea(600, 400);
  const wide = plotRect(600, 400, { x0: 0, x1: 1000, y0: 0, y1: 100 }, "equal");
  assert.equal(wide.w, w);
  assert.ok(Math.abs(wide.w / wide.h - 10) < 1e-9); // square pixels
  assert.equal(wide.x, MARGIN.left);
  assert.ok(Number.isInteger(wide.y) && wide.y > MARGIN.top);
  assert.deepEqual(plotRect(600, 400, { x0: 0, x1: 1000, y0: 0, y1: 100 }, "auto"), { x: MARGIN.left, y: MARGIN.top, w, h });
  assert.deepEqual(plotRect(600, 400, null, "equal"), { x: MARGIN.left, y: MARGIN.top, w, h });
});

test("a wide frame gets a canvas no taller than it needs, between 220 and 440 px", () => {
  assert.equal(fittedHeight(600, [40, 400]), 220);
  assert.equal(fittedHeight(600, [4000, 400]), 440);
  const mid = fittedHeight(600, [200, 400]);
  assert.equal(mid, Math.round((plotArea(600, 0).w * 200) / 400 + MARGIN.top + MARGIN.bottom));
});

test("the data pixel under a frame position, through the region and the aggregation factors", () => {
  const frame = { region: [10, 30, 100, 140], factors: [2, 4], h: 10, w: 10, data: Float32Array.from({ length: 100 }, (_, i) => i) };
  assert.deepEqual(pixelAt(frame, 100, 10), { i: 0, j: 0, value: 0 });
  assert.deepEqual(pixelAt(frame, 139.5, 29.9), { i: 9, j: 9, value: 99 });
  assert.deepEqual(pixelAt(frame, 105, 13), { i: 1, j: 1, value: 11 });
  assert.equal(pixelAt(frame, 99.9, 20), null);
  assert.equal(pixelAt(frame, 120, 30), null);
});

test("histogram bounds: value ↔ x round trips under every scale, clamped to the ends", () => {
  for (const scale of ["linear", "log", "sqrt", "symlog"]) {
    for (const v of [1, 7.5, 99]) {
      const x = xOf(v, 1, 100, scale, 300);
      assert.ok(Math.abs(valueOfX(x, 1, 100, scale, 300) - v) < 1e-9 * v, `${scale} ${v}`);
    }
    assert.equal(xOf(1000, 1, 100, scale, 300), 300 - 8);
    assert.equal(valueOfX(-50, 1, 100, scale, 300), 1);
  }
  assert.equal(xOf(-1, 1, 100, "log", 300), 8); // not shown under log: the left end
  assert.equal(valueOfX(150, 5, 5, "linear", 300), 5); // an empty range stays put
  assert.ok(Math.abs(xOf(10, 1, 100, "log", 300) - 150) < 1e-9); // a decade is half of two
});

test("the slice selector's mapping: kept dimensions, transposition, strides, RGB channels", () => {
  const shape = [5, 20, 30];
  assert.deepEqual(mappingOf("2,:,::3", { shape }, false), { mapping: [2, "y", "x"], strides: { x: 3, y: 1 } });
  assert.deepEqual(mappingOf("2,::2,:", { shape }, true), { mapping: [2, "x", "y"], strides: { x: 2, y: 1 } });
  assert.deepEqual(mappingOf("1,:", { shape: [4, 9] }, true), { mapping: [1, "x"], strides: { x: 1, y: 1 } });
  assert.deepEqual(mappingOf("3,:,:,:", { shape: [6, 10, 12, 3], rgb: true }, false), { mapping: [3, "y", "x", "c"], strides: null });
  // the mapping gives the selection back
  const { mapping, strides } = mappingOf("2,::2,:", { shape }, true);
  assert.equal(fromMapping(mapping, shape, strides), "2,::2,:");
});

test("showing another dimension as an axis swaps the axes or turns the old one into a slider", () => {
  assert.deepEqual(assignAxis([0, "y", "x"], "x", 1), [0, "x", "y"]); // swap: a transposed view
  assert.deepEqual(assignAxis([0, "y", "x"], "x", 0), ["x", "y", 0]);
  assert.deepEqual(assignAxis([0, "y", "x"], "y", 1), [0, "y", "x"]); // already so
  assert.deepEqual(assignAxis([3, 0, "x"], "x", 0), ["x", 0, 0]); // a curve: one axis
  const m = [0, "y", "x"];
  assignAxis(m, "x", 1);
  assert.deepEqual(m, [0, "y", "x"]); // the slicer's own array is not changed in place
});
