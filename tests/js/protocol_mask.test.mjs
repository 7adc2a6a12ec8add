// node --test: js/src/common/protocol_mask.js mirrors h5lens/_protocol_mask.py; both are held to
// tests/fixtures/protocol_mask_cases.json (pytest checks the Python side), and the page's mask
// requests (mask_tools.js) are of the declared type.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { maskRequest } from "../../js/src/viewer/mask_geometry.js";

const cases = JSON.parse(readFileSync(new URL("../fixtures/protocol_mask_cases.json", import.meta.url)));
const source = readFileSync(new URL("../../js/src/common/protocol_mask.js", import.meta.url), "utf8");

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
const norm = (t) => t.replace(/\s+/g, "").replace(/integer/g, "number").split("|").sort().join("|");
const ours = typedefs(source);

for (const [name, message] of Object.entries(cases.messages)) {
  test(`${name}: the typedef has the keys and types of the Python TypedDict`, () => {
    const want = { ...Object.fromEntries(Object.entries(message.required).map(([k, t]) => [k, { type: norm(t), optional: false }])),
      ...Object.fromEntries(Object.entries(message.optional).map(([k, t]) => [k, { type: norm(t), optional: true }])) };
    const got = Object.fromEntries(Object.entries(ours[name] ?? {}).map(([k, p]) => [k, { type: norm(p.type), optional: p.optional }]));
    assert.deepEqual(got, want);
  });
}

test("the command's reply type is a typedef", () => {
  for (const type of Object.values(cases.commands.viewer)) assert.ok(ours[type], type);
});

test("the page's requests have only declared keys, of the declared types", () => {
  const declared = cases.messages.MaskEditRequest.optional;
  const requests = [
    maskRequest("add", { kind: "rect", y: [1, 2], x: [3, 4], points: [] }, "0,:,:"),
    maskRequest("remove", { kind: "polygon", y: [0, 5], x: [0, 5], points: [[0, 0], [5, 1], [2, 5]] }, ":,:"),
    maskRequest("add", { kind: "above", value: 12.5 }, "3,:,:"),
  ];
  for (const r of requests) {
    for (const [k, v] of Object.entries(r)) {
      assert.ok(k in declared, k);
      const t = declared[k];
      if (t === "string") assert.equal(typeof v, "string");
      if (t === "number") assert.equal(typeof v, "number");
      if (t.endsWith("[]")) assert.ok(Array.isArray(v));
    }
  }
  assert.deepEqual(requests[2], { op: "add", kind: "above", value: 12.5, selection: "3,:,:" });
  // the examples Python answered are requests of the same shape
  for (const e of cases.examples.filter((x) => x.type === "MaskEditRequest")) {
    for (const k of Object.keys(e.value)) assert.ok(k in declared, k);
  }
});
