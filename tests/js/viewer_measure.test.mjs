// node --test: the measuring tools' pure parts — pointer positions as pixel centres, the lines
// and regions a drag draws, the checks that keep bad drawings from Python (the same rules as
// h5lens.measure), the CSV files, and the painting of masked pixels.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dragLine, dragRoi, nextId, polygonRoi, profileCsv, profileProblem, roiProblem, statsCsv, statsRow,
  toFramePoint, toPixel } from "../../js/src/viewer/measure_geometry.js";
import { maskNote, paintMask } from "../../js/src/viewer/mask_paint.js";

test("pixel j of the image view spans [j, j + 1): its centre is measure coordinate j", () => {
  assert.deepEqual(toPixel({ x: 3.5, y: 10.5 }), [10, 3]);
  assert.deepEqual(toFramePoint([10, 3]), { x: 3.5, y: 10.5 });
});

test("horizontal and vertical lines keep the start's row or column; ends stay on the frame", () => {
  assert.deepEqual(dragLine("hline", [5, 2], [9, 30], [20, 25]), { start: [5, 2], end: [5, 24] });
  assert.deepEqual(dragLine("vline", [5, 2], [-3, 30], [20, 25]), { start: [5, 2], end: [0, 2] });
  assert.deepEqual(dragLine("line", [5, 2], [9, 7], [20, 25]), { start: [5, 2], end: [9, 7] });
});

test("bad profiles are refused with Python's reasons", () => {
  assert.match(profileProblem([3, 3], [3, 3], [10, 10]), /zero length/);
  assert.match(profileProblem([3, -0.5], [3, 6], [10, 10]), /outside the image of 10 × 10 pixels/);
  assert.equal(profileProblem([0, 0], [9, 9], [10, 10]), "");
});

test("an ROI must hold a pixel centre of the frame (Shape.box's rule)", () => {
  assert.equal(roiProblem(dragRoi("rect", [2, 2], [4, 5]), [10, 10]), "");
  assert.match(roiProblem(dragRoi("rect", [5.2, 1], [5.8, 9]), [10, 10]), /holds no pixel/); // between two rows
  assert.match(roiProblem(dragRoi("ellipse", [-5, 1], [-1, 9]), [10, 10]), /holds no pixel/);
  assert.match(roiProblem(polygonRoi([[1, 1], [2, 2]]), [10, 10]), /at least 3 points/);
  assert.deepEqual(polygonRoi([[1, 4], [6, 2], [3, 9]]), { kind: "polygon", y: [1, 6], x: [2, 9], points: [[1, 4], [6, 2], [3, 9]] });
  assert.deepEqual(dragRoi("rect", [8, 9], [2, 1]), { kind: "rect", y: [2, 8], x: [1, 9], points: [] });
});

test("ids are shared by profiles and ROIs", () => {
  assert.equal(nextId({ profiles: [], rois: [] }), 1);
  assert.equal(nextId({ profiles: [{ id: 4 }], rois: [{ id: 2 }] }), 5);
});

test("CSV files keep full precision and quote their titles", () => {
  assert.equal(profileCsv([0, 1.5], [0.1 + 0.2, NaN], "2θ, degrees"), '"2θ, degrees",value\n0,0.30000000000000004\n1.5,nan\n');
  const s = { ok: true, seq: 1, count: 3, sum: 10.123456789, mean: 3.3744855963333335, std: 1, min: 1, max: 5,
    argmin: [1, 2], argmax: [3, 4], com: [2.5, 3.25] };
  const roi = { id: 7, kind: "rect", y: [0, 1], x: [0, 1], points: [] };
  assert.deepEqual(statsRow(roi, s), ["7", "rect", "3", "10.1235", "3.37449", "1", "1", "1 2", "5", "3 4", "2.5 3.25"]);
  const csv = statsCsv([statsRow(roi, s, 0)]);
  assert.match(csv, /^id,kind,count,sum,/);
  assert.match(csv, /\n7,rect,3,10\.123456789,3\.3744855963333333,/);
  // no valid pixel: the count says so, the rest is empty
  assert.deepEqual(statsRow(roi, { ...s, count: 0, sum: 0, com: null }).slice(2), ["0", "0", "", "", "", "", "", "", ""]);
});

test("masked pixels and the sentinel are painted in the mask colour", () => {
  const out = new Uint32Array(4).fill(7);
  const counts = paintMask({ data: [1, 65535, 3, 4], mask: new Uint8Array([0, 0, 1, 0]), invalid: 65535 }, out, "#00ff00");
  const green = new Uint32Array(new Uint8Array([0, 255, 0, 255]).buffer)[0];
  assert.deepEqual(Array.from(out), [7, green, green, 7]);
  assert.deepEqual(counts, { masked: 2, total: 4 });
  assert.equal(maskNote(counts), "");
  assert.match(maskNote(paintMask({ data: [1, 2], mask: new Uint8Array([1, 1]) }, new Uint32Array(2), "#000000")), /no valid pixels/);
  // display pixels holding masked pixels among valid ones are said (they are not painted)
  assert.equal(maskNote(counts, 1), "1 display pixel holds masked pixels among valid ones (zoom in to see them)");
  assert.equal(maskNote(counts, 3), "3 display pixels hold masked pixels among valid ones (zoom in to see them)");
  assert.match(maskNote({ masked: 2, total: 2 }, 3), /no valid pixels/);
  // nothing to mask: nothing painted, nothing said
  const keep = new Uint32Array(2).fill(9);
  assert.deepEqual(paintMask({ data: [1, 2] }, keep, "#000000"), { masked: 0, total: 2 });
  assert.deepEqual(Array.from(keep), [9, 9]);
});

test("an ROI edited by a drag: moved whole, a corner put under the pointer, a polygon's vertex moved", async () => {
  const { editRoi, moveLine } = await import("../../js/src/viewer/measure_geometry.js");
  const rect = { id: 2, kind: "rect", y: [30, 60], x: [40, 80], points: [] };
  assert.deepEqual(editRoi(rect, "move", [10, -5], [0, 0]), { id: 2, kind: "rect", y: [40, 70], x: [35, 75], points: [] });
  // the bottom-right corner dragged above and left of the top-left one: the bounds stay ordered
  assert.deepEqual(editRoi(rect, { corner: [1, 1] }, [0, 0], [20, 30]), { id: 2, kind: "rect", y: [20, 30], x: [30, 40], points: [] });
  assert.deepEqual(editRoi(rect, { corner: [0, 1] }, [0, 0], [25, 90]).y, [25, 60]);
  const poly = { id: 3, kind: "polygon", y: [70, 85], x: [10, 40], points: [[70, 10], [85, 30], [70, 40]] };
  const moved = editRoi(poly, { vertex: 2 }, [0, 0], [60, 50]);
  assert.deepEqual([moved.id, moved.points, moved.y, moved.x], [3, [[70, 10], [85, 30], [60, 50]], [60, 85], [10, 50]]);
  assert.deepEqual(editRoi(poly, "move", [1, 2], [0, 0]).points, [[71, 12], [86, 32], [71, 42]]);
  // a line moved whole stays on the frame, its length and direction kept
  assert.deepEqual(moveLine({ start: [10, 10], end: [10, 60] }, [15, 5], [90, 120]), { start: [25, 15], end: [25, 65] });
  assert.deepEqual(moveLine({ start: [10, 10], end: [10, 60] }, [-20, 100], [90, 120]), { start: [0, 69], end: [0, 119] });
});
