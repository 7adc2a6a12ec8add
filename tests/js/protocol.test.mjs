// node --test: js/src/common/protocol/*.js mirror h5lens/_protocol/*.py module by module. Both
// are held to tests/fixtures/protocol_cases.json (pytest checks the Python side): every message
// type has a typedef with the same keys, the same optional ones and the same types, in the module
// of the same name as the Python one declaring it; js/src/common/protocol.js, the index the other
// modules name types from, re-exports every typedef; the front-end reads the real examples there
// (meta options, frame and curve replies) the way the viewer does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { FakeModel } from "../browser/_harness/fake_model.js";
import { toolbarOptions } from "../../js/src/viewer/toolbar_options.js";
import { toFrame, toSummary } from "../../js/src/viewer/frame_loader.js";

const cases = JSON.parse(readFileSync(new URL("../fixtures/protocol_cases.json", import.meta.url)));
const dir = new URL("../../js/src/common/protocol/", import.meta.url);
/** The sources of the protocol modules, by module name ("viewer"). */
const modules = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith(".js"))
  .map((f) => [f.slice(0, -3), readFileSync(new URL(f, dir), "utf8")]));
const index = readFileSync(new URL("../../js/src/common/protocol.js", import.meta.url), "utf8");

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

/** The names a JSDoc source declares as types of its own (not aliases of another module's). */
const declared = (text) => [...text.matchAll(/@typedef \{(.*)\} (\w+)(?: \*\/)?$/gm)]
  .filter((m) => !m[1].startsWith("import(")).map((m) => m[2]);

/** Every typedef of the protocol modules: its keys (object types) and the module declaring it. */
const ours = {}, home = {};
for (const [module, text] of Object.entries(modules)) {
  for (const name of declared(text)) {
    assert.ok(!(name in home), `${name} declared twice (${home[name]}.js and ${module}.js)`);
    home[name] = module;
  }
  Object.assign(ours, typedefs(text));
}

test("the index re-exports every typedef of the protocol modules, from its module, and declares none", () => {
  const reexported = Object.fromEntries([...index.matchAll(/@typedef \{import\("\.\/protocol\/(\w+)\.js"\)\.(\w+)(?:<\w+>)?\} (\w+)/g)]
    .map((m) => [m[3], m[1] === home[m[2]] && m[2] === m[3] ? m[1] : `wrong: ${m[0]}`]));
  assert.deepEqual(reexported, home);
  assert.deepEqual(declared(index), []);
});

test("each message type is declared in the module named as its Python module", () => {
  for (const [name, message] of Object.entries(cases.messages)) assert.equal(home[name], message.module, name);
});

for (const [name, message] of Object.entries(cases.messages)) {
  test(`${name}: the typedef has the keys and types of the Python TypedDict`, () => {
    const td = ours[name];
    assert.ok(td, `no protocol module has a @typedef {object} ${name}`);
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
