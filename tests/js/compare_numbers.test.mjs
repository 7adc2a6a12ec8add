// node --test: the compare widget's pure helpers (statistics line, locked colour range, scaled zoom).
import { test } from "node:test";
import assert from "node:assert/strict";
import { numbersText, scaleView, unionRange } from "../../js/src/compare/numbers.js";

test("the statistics line says the region, the pixels not finite and the exact numbers", () => {
  const n = { pixels: 12, finite: 10, min: -2, max: 11, mean: 4.5, std: 3.25 };
  assert.equal(numbersText(n, [0, 3, 1, 5]), "y 0–3, x 1–5: 12 px (2 not finite) · min -2  max 11  mean 4.5  std 3.25");
  assert.equal(numbersText({ ...n, finite: 12 }, [0, 3, 1, 5]).includes("not finite"), false);
  assert.equal(numbersText({ pixels: 4, finite: 0, min: null, max: null, mean: null, std: null }, [0, 2, 0, 2]),
    "y 0–2, x 0–2: 4 px (4 not finite) · no finite values");
  assert.equal(numbersText(undefined, [0, 1, 0, 1]), "");
});

test("locked images share the range holding each one's; unusable ranges are left out", () => {
  assert.deepEqual(unionRange([{ vmin: 1, vmax: 5 }, { vmin: -2, vmax: 3 }]), [-2, 5]);
  assert.deepEqual(unionRange([{ vmin: 1, vmax: 5 }, { vmin: 0, vmax: 1, empty: true }, { vmin: NaN, vmax: 2 }]), [1, 5]);
  assert.equal(unionRange([{ vmin: 0, vmax: 1, empty: true }]), null);
});

test("a view of one frame is the same part of a frame of another shape", () => {
  assert.deepEqual(scaleView({ y0: 54, y1: 270, x0: 320, x1: 640 }, [540, 640], [256, 256]), { y0: 25.6, y1: 128, x0: 128, x1: 256 });
});
