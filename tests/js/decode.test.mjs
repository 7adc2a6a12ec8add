// node --test: the front-end decoder against the wire case table shared with tests/test_wire.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { decode, element, typedView } from "../../js/src/common/decode.js";

const { cases } = JSON.parse(readFileSync(new URL("../fixtures/wire_cases.json", import.meta.url)));
const SPECIAL = { nan: NaN, inf: Infinity, "-inf": -Infinity };
const value = (v) => (typeof v === "string" && v in SPECIAL ? SPECIAL[v] : v);

function bytesOf(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// the encoded bytes placed at `offset` inside a bigger message buffer, as a DataView
function viewAt(hex, offset) {
  const bytes = bytesOf(hex);
  const whole = new Uint8Array(offset + bytes.length + 3);
  whole.set(bytes, offset);
  return new DataView(whole.buffer, offset, bytes.length);
}

for (const c of cases) {
  for (const offset of [0, 8, 1, 3]) {
    test(`${c.name} at byteOffset ${offset}`, () => {
      const buffers = c.hex === null ? [] : [viewAt(c.hex, offset)];
      const d = decode(c.header, buffers);
      assert.equal(d.dtype, c.header.dtype);
      assert.deepEqual(d.shape, c.header.shape);
      assert.deepEqual(Array.from(d.data), c.values.map(value));
      assert.equal(d.complex, !!c.header.complex);
      assert.equal(d.lossy, !!c.header.lossy);
    });
  }
}

test("aligned views share memory, unaligned ones are copies", () => {
  const whole = new ArrayBuffer(16);
  new Uint16Array(whole)[2] = 513;
  const aligned = typedView(new DataView(whole, 4, 4), Uint16Array);
  assert.equal(aligned.buffer, whole);
  assert.equal(aligned[0], 513);
  const odd = typedView(new DataView(whole, 3, 4), Uint16Array);
  assert.notEqual(odd.buffer, whole);
  assert.equal(odd.length, 2);
});

test("element() gives complex pairs and booleans", () => {
  const cx = cases.find((c) => c.header.complex);
  const d = decode(cx.header, [viewAt(cx.hex, 0)]);
  assert.deepEqual(element(d, 1), [cx.values[2], cx.values[3]].map(value));
  const b = cases.find((c) => c.header.bool);
  assert.equal(element(decode(b.header, [viewAt(b.hex, 0)]), 1), false);
});

test("size mismatch and unknown dtype are clear errors", () => {
  assert.throws(() => decode({ dtype: "uint16", shape: [3] }, [new Uint8Array(4)]), /needs 3/);
  assert.throws(() => decode({ dtype: "int64", shape: [1] }, [new Uint8Array(8)]), /unknown wire dtype/);
  assert.throws(() => decode({ dtype: "uint16", shape: [1] }, [new Uint8Array(3)]), /whole number/);
});
