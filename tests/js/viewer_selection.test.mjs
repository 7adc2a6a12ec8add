// The slice contract, pinned by the case table shared with tests/test_selection.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse, format, resultShape, toMapping, fromMapping, isTransposed, SelectionError } from "../../js/src/viewer/selection.js";

const cases = JSON.parse(readFileSync(new URL("../fixtures/selection_cases.json", import.meta.url)));

for (const c of cases.parse) {
  test(`parse ${JSON.stringify(c.selection)} ${JSON.stringify(c.shape)}`, () => {
    if (c.error) {
      assert.throws(() => parse(c.selection, c.shape), (e) => e instanceof SelectionError && e.message.includes(c.error));
      return;
    }
    const items = parse(c.selection, c.shape);
    assert.equal(format(items, c.shape), c.normalized);
    assert.deepEqual(resultShape(items), c.result_shape);
    if (c.mapping_error) {
      assert.throws(() => toMapping(c.selection, c.shape), (e) => e.message.includes(c.mapping_error));
    } else {
      assert.deepEqual(toMapping(c.selection, c.shape), c.mapping);
    }
  });
}

for (const c of cases.mapping) {
  test(`mapping ${JSON.stringify(c.mapping)}`, () => {
    if (c.error) {
      assert.throws(() => fromMapping(c.mapping, c.shape, c.strides), (e) => e.message.includes(c.error));
      return;
    }
    assert.equal(fromMapping(c.mapping, c.shape, c.strides), c.selection);
    assert.equal(isTransposed(c.mapping), c.transposed);
  });
}

test("stepAhead follows the last step (the kernel reads ahead by the same rule)", async () => {
  const { stepAhead } = await import("../../js/src/viewer/selection.js");
  const shape = [50, 8, 20, 30];
  assert.equal(stepAhead(null, "0,0,:,:", [50, 1, 20, 30]), "1,0,:,:"); // first view: the only slider
  assert.equal(stepAhead(null, "0,0,:,:", shape), null);               // two sliders, no step yet
  assert.equal(stepAhead("3,2,:,:", "4,2,:,:", shape), "5,2,:,:");
  assert.equal(stepAhead("9,2,:,:", "6,2,:,:", shape), "3,2,:,:");     // a stride backwards
  assert.equal(stepAhead("48,2,:,:", "49,2,:,:", shape), null);        // the end of the axis
  assert.equal(stepAhead("3,2,:,:", "4,3,:,:", shape), null);          // two dims moved
  assert.equal(stepAhead("3,:,2,:", "4,2,:,:", shape), null);          // axes swapped
});
