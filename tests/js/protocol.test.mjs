// node --test: js/src/common/protocol.js mirrors h5lens/_protocol.py. Both are held to
// tests/fixtures/protocol_cases.json (pytest checks the Python side): every message type has a
// typedef with the same keys, the same optional ones and the same types; the front-end reads
// the real examples there (meta options, frame and curve replies) the way the viewer does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FakeModel } from "../browser/_harness/fake_model.js";
import { toolbarOptions } from "../../js/src/viewer/toolbar_options.js";
import { toFrame, toSummary } from "../../js/src/viewer/frame_loader.js";

const cases = JSON.parse(readFileSync(new URL("../fixtures/protocol_cases.json", import.meta.url)));
const source = readFileSync(new URL("../../js/src/common/protocol.js", import.meta.url), "utf8");

/** The typedefs of a JSDoc source: name -> {key: {type, optional}}. */
function typedefs(text) {
  const out = {};
  for (const block of text.match(/\/\*\*[\s\S]*?\*\//g) ?? []) {
    const name = /@typedef \{object\} (\w+)/.exec(block)?.[1];
    if (!name) continue;
    const props = {};
    for (const m of block.matchAll(/@property \{(.+?)\} (\[?)(\w+)\]?/g)) props[m[3]] = { type: m[1], optional: m[2] === "[" };
    out[name] = props;
  }
  return out;
}

// one spelling for both sides: integers are numbers in JS; unions compare as sets
const norm = (t) => t.replace(/\s+/g, "").replace(/integer/g, "number").split("|").sort().join("|");

const ours = typedefs(source);

for (const [name, message] of Object.entries(cases.messages)) {
  test(`${name}: the typedef has the keys and types of the Python TypedDict`, () => {
    const td = ours[name];
    assert.ok(td, `protocol.js has no @typedef {object} ${name}`);
    const want = { ...Object.fromEntries(Object.entries(message.required).map(([k, t]) => [k, { type: norm(t), optional: false }])),
      ...Object.fromEntries(Object.entries(message.optional).map(([k, t]) => [k, { type: norm(t), optional: true }])) };
    const got = Object.fromEntries(Object.entries(td).map(([k, p]) => [k, { type: norm(p.type), optional: p.optional }]));
    assert.deepEqual(got, want);
  });
}

test("every command reply and trait type named by the table is a typedef", () => {
  const named = [...Object.values(cases.commands).flatMap((c) => Object.values(c)),
    ...Object.values(cases.traits).flatMap((t) => Object.values(t))];
  for (const type of named) assert.ok(ours[type], type);
});

test("the toolbar's menus are the enumerations Python sends in meta.options", () => {
  const meta = cases.examples.find((e) => e.type === "ViewerMeta").value;
  assert.deepEqual(meta.options, cases.enums);
  const o = toolbarOptions(meta);
  assert.deepEqual([o.scales, o.autoscales, o.aggregations, o.aspects],
    [cases.enums.scales, cases.enums.autoscales, cases.enums.aggregations, cases.enums.aspects]);
  assert.equal(o.parts, null); // not complex: no part menu
  assert.deepEqual(o.exports, ["npy", "csv"]);
  assert.deepEqual(toolbarOptions({ ...meta, complex: true }).parts, cases.enums.parts);
  assert.deepEqual(toolbarOptions({ ...meta, compound: true }).exports, ["npy"]); // no CSV of records
  // decided by the flags, never by the dtype label
  assert.equal(toolbarOptions({ ...meta, dtype: "complex64" }).parts, null);
  assert.deepEqual(toolbarOptions({ ...meta, dtype: "compound (x, y)" }).exports, ["npy", "csv"]);
  // a model trait follows the options: the page never offers what Python would refuse
  const model = new FakeModel({ meta });
  assert.ok(toolbarOptions(model.get("meta")).scales.includes("symlog"));
});

test("the frame reply example reads as a frame", () => {
  const { value } = cases.examples.find((e) => e.type === "FrameReply");
  const [h, w] = value.array.shape;
  const bytes = new Uint16Array(h * w).map((_, i) => i);
  // the example aggregates 2 × 2: the statistics of its 12 pixels follow (frame_summary)
  const f = toFrame(value, [new DataView(bytes.buffer)], ":,:", false);
  assert.deepEqual([f.h, f.w, f.frameShape, f.region, f.factors], [h, w, value.frame_shape, value.region, value.factors]);
  assert.deepEqual(Array.from(f.data), Array.from(bytes));
  assert.deepEqual([f.summary, f.summaryDue], [null, true]);
  const later = cases.examples.find((e) => e.type === "FrameSummaryReply").value;
  assert.equal(later.pending, false);
  const n = later.summary.values.shape[0];
  const values = new Float64Array(n).map((_, i) => i), counts = new Float64Array(n).fill(1);
  const s = toSummary(later.summary, [new DataView(values.buffer), new DataView(counts.buffer)]);
  assert.deepEqual([s.count, s.min, s.max, s.exact], [12, 0, 11, true]);
  assert.deepEqual(Array.from(s.values), Array.from(values));
});
