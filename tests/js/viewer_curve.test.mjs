// node --test: legend names of curves and log-axis ranges fitted to the data.
import { test } from "node:test";
import assert from "node:assert/strict";
import { curveLabel, errorExtent, fitLogRange, logSplits, fitTitle } from "../../js/src/viewer/curve_maths.js";

test("curve legend names say which curve it is", () => {
  assert.equal(curveLabel(":", { name: "counts" }), "counts");
  assert.equal(curveLabel(":", { name: "/entry/data/counts" }), "counts");
  assert.equal(curveLabel(":", {}), "data");
  const image = { dims: [{ name: "dim 0", size: 10 }, { name: "dim 1", size: 20 }] };
  assert.equal(curveLabel("3,:", image), "row 3");
  assert.equal(curveLabel(":,5", image), "column 5");
  const map = { dims: [{ name: "y", size: 29, values: [0.5, 1.5] }, { name: "dim 1", size: 78 }, { name: "2th", size: 100 }] };
  assert.equal(curveLabel("1,5,:", map), "y = 1.5, dim 1 = 5");
});

test("log ranges fit the data instead of whole decades", () => {
  assert.deepEqual(fitLogRange([10, 15, 20], 10, 20), [10, 20]);
  assert.deepEqual(fitLogRange([0, 2, 20], 0, 20), [2, 20]); // the first positive value
  assert.deepEqual(fitLogRange([-1, 0], -1, 0), [1, 10]);   // nothing positive: a default decade
  assert.deepEqual(fitLogRange([5, 5], 5, 5), [2.5, 10]);
});

test("log axes over less than a decade get linear ticks; error bars widen the y range", () => {
  assert.deepEqual(logSplits(10, 20, 5), [10, 12, 14, 16, 18, 20]);
  assert.deepEqual(logSplits(1, 1000, 5), [1, 10, 100, 1000]);
  assert.deepEqual(errorExtent([1, 2, NaN], [0.5, 1, 3]), [0.5, 3]);
  assert.equal(errorExtent([NaN], [1]), null);
});

test("TeX labels read as plain text", async () => {
  const { texText } = await import("../../js/src/viewer/curve_maths.js");
  assert.equal(texText("Scattering angle $2\\theta$ ($^{o}$)"), "Scattering angle 2θ (°)");
  assert.equal(texText("q ($\\AA^{-1}$)"), "q (Å⁻¹)");
  assert.equal(texText("$I_{0}$ / $\\mu$A"), "I₀ / μA");
  assert.equal(texText("no math: 5 $"), "no math: 5 $");
  assert.equal(texText("price in $"), "price in $");
  assert.equal(texText(undefined), "");
});

test("an axis title too long for its axis shrinks, then ends at a whole word with an ellipsis", () => {
  const measure = (t, size) => t.length * size * 0.5; // a monospace stand-in for canvas measureText
  const title = "Diffraction Mapping experiment with ntp_slow: 29 ntp_fast: 78, npt_diff: 100";
  assert.deepEqual(fitTitle("counts", 200, measure), { text: "counts", size: 12, cut: false });
  const shrunk = fitTitle(title, title.length * 10.5 * 0.5 + 1, measure, [12, 11, 10]);
  assert.deepEqual([shrunk.size, shrunk.cut, shrunk.text], [10, false, title]);
  const cut = fitTitle(title, 200, measure);
  assert.ok(cut.cut && cut.text.endsWith(" …") && measure(cut.text, cut.size) <= 200, cut.text);
  const kept = cut.text.slice(0, -2);
  assert.ok(title.startsWith(kept) && /\s/.test(title[kept.length] ?? " ") || title.startsWith(`${kept}:`) || title.startsWith(`${kept},`), kept);
  const word = fitTitle("a_very_long_single_identifier_without_spaces", 60, measure);
  assert.ok(word.text.endsWith("…") && measure(word.text, word.size) <= 60);
});
