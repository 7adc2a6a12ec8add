// node --test: the tree's pure filter helpers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ancestors, matches, normalise, splitMatch, visibleFor } from "../../js/src/tree/filter.js";

test("normalise and matches ignore case and surrounding space", () => {
  assert.equal(normalise("  DaTa "), "data");
  assert.ok(matches("Data_0000", "data"));
  assert.ok(!matches("image", "data"));
  assert.ok(matches("anything", ""));
});

test("splitMatch cuts around the first match, keeping the name's case", () => {
  assert.deepEqual(splitMatch("MyData", "data"), ["My", "Data", ""]);
  assert.deepEqual(splitMatch("x", "data"), ["x", "", ""]);
});

test("ancestors below the root", () => {
  assert.deepEqual(ancestors("/a/b/c"), ["/", "/a", "/a/b"]);
  assert.deepEqual(ancestors("/entry/x/y", "/entry"), ["/entry", "/entry/x"]);
  assert.deepEqual(ancestors("/"), []);
  assert.deepEqual(ancestors("/a"), ["/"]);
});

test("visibleFor keeps matches and their ancestors only", () => {
  const rows = [["/a", "a"], ["/a/data", "data"], ["/b", "b"], ["/b/c", "c"]];
  const { visible, hits } = visibleFor(rows, "dat");
  assert.equal(hits, 1);
  assert.deepEqual([...visible].sort(), ["/", "/a", "/a/data"]);
});
