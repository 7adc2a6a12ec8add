// node --test: the tree's pure filter helpers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ancestors, loadMoreText, matches, normalise, splitMatch, totalText, visibleFor } from "../../js/src/tree/filter.js";

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

test("the steps from the tree's root down to a path", async () => {
  const { stepsTo } = await import("../../js/src/tree/filter.js");
  assert.deepEqual(stepsTo("/a/b/c"), ["a", "b", "c"]);
  assert.deepEqual(stepsTo("/entry/x/y", "/entry"), ["x", "y"]);
  assert.deepEqual(stepsTo("/entry", "/entry"), []);
  assert.deepEqual(stepsTo("/"), []);
});

test("a link reads its target, and says broken (with the reason) or not followed yet", async () => {
  const { linkBadgeText } = await import("../../js/src/tree/filter.js");
  assert.deepEqual(linkBadgeText({ target: "/data", broken: false, error: null }), { cls: "h5l-link", text: "→ /data", title: "" });
  assert.deepEqual(linkBadgeText({ target: "x.h5::/e", broken: true, error: "no file x.h5" }),
    { cls: "h5l-link h5l-broken", text: "→ x.h5::/e (broken)", title: "no file x.h5" });
  assert.deepEqual(linkBadgeText({ target: "y.h5::/e", broken: null, error: null }),
    { cls: "h5l-link h5l-unchecked", text: "→ y.h5::/e", title: "not followed yet (expand to follow)" });
});

test("a group not counted yet reads as at least what is known, then as its count", () => {
  assert.equal(totalText(null, 101), "≥ 101, counting…");
  assert.equal(totalText(1000000, 101), "1000000");
  assert.equal(totalText(0, 1), "0");
  assert.equal(loadMoreText(100, null, 100), "Load more (100 shown of ≥ 101, counting…)");
  assert.equal(loadMoreText(100, 1000000, 100), "Load more (100 of 1000000 shown)");
});
