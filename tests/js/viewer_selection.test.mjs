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

// the read-ahead rule: the kernel reads ahead by it (selection.step_ahead), the page asks for
// the frame it predicts (stepAhead), so both must give the same next selection
for (const c of cases.step_ahead) {
  test(`stepAhead ${JSON.stringify(c.previous)} -> ${JSON.stringify(c.current)} ${JSON.stringify(c.shape)}: ${c.why}`, async () => {
    const { stepAhead } = await import("../../js/src/viewer/selection.js");
    assert.equal(stepAhead(c.previous, c.current, c.shape), c.next);
  });
}
