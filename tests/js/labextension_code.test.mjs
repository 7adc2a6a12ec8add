// The "Open with h5lens" extension's pure helpers: which items it offers to open, the notebook's
// name and place, and the Python it writes — checked by a real Python reading the literal back.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";

import {
  exploreSource,
  h5lensExtension,
  notebookCandidates,
  notebookContent,
  pyString,
  relativePath,
} from "../../labextension/src/code.js";

const PYTHON = process.env.PYTHON || "python3";

/** What Python's ast.literal_eval makes of each literal (one JSON line each, no shell). */
function pythonReads(literals) {
  const script = "import ast, json, sys\nfor line in sys.stdin.read().split('\\0'):\n"
    + "    print(json.dumps(ast.literal_eval(line)))";
  const out = execFileSync(PYTHON, ["-c", script], { input: literals.join("\0"), encoding: "utf8" });
  return out.trim().split("\n").map((line) => JSON.parse(line));
}

test("pyString is a Python literal of exactly the path", () => {
  const paths = [
    "ID16B_diatomee.h5",
    "it's \"quoted\".h5",
    "back\\slash\\n.h5",
    "dïatomée 数据 🧪.h5",
    "tab\tnew\nline\r.h5",
    "del\u007f c1\u0085 sep\u2028\u2029.h5",
    "{braces} and f'{x}'.h5",
  ];
  const literals = paths.map(pyString);
  for (const lit of literals) assert.ok(!/[\n\r\u2028\u2029]/.test(lit), `one line: ${lit}`);
  assert.deepEqual(pythonReads(literals), paths);
});

test("exploreSource imports h5lens and explores the path relative to the notebook", () => {
  assert.equal(exploreSource("data", "data/a b.h5"), 'import h5lens\nh5lens.explore("a b.h5")');
  assert.equal(exploreSource("", "data/x/a.h5"), 'import h5lens\nh5lens.explore("data/x/a.h5")');
  const [read] = pythonReads([exploreSource("d'", "d'/é\".h5").split("explore(")[1].slice(0, -1)]);
  assert.equal(read, "é\".h5");
});

test("relativePath walks up and down between folders", () => {
  assert.equal(relativePath("", "a.h5"), "a.h5");
  assert.equal(relativePath("a/b", "a/b/f.h5"), "f.h5");
  assert.equal(relativePath("a/c", "a/b/f.h5"), "../b/f.h5");
  assert.equal(relativePath("x", "a/f.h5"), "../a/f.h5");
  assert.equal(relativePath("f.h5", "f.h5/f.h5"), "f.h5"); // a folder named like the file
});

test("h5lensExtension: the formats h5lens reads; of folders, Zarr stores only", () => {
  assert.equal(h5lensExtension("scan.H5"), ".h5");
  assert.equal(h5lensExtension("frames.tiff"), ".tiff");
  assert.equal(h5lensExtension("scan.spec"), ".spec");
  assert.equal(h5lensExtension("run.nxs"), ".nxs");
  assert.equal(h5lensExtension("store.zarr", "directory"), ".zarr");
  assert.equal(h5lensExtension("store.zarr", "file"), ".zarr"); // a zipped store
  assert.equal(h5lensExtension("data.h5", "directory"), null);
  assert.equal(h5lensExtension("notes.ipynb", "notebook"), null);
  assert.equal(h5lensExtension("scan.h5.ipynb", "notebook"), null);
  assert.equal(h5lensExtension(".h5"), null); // a bare ending is not a data file name
});

test("notebookCandidates: beside the file, then numbered", () => {
  assert.deepEqual(notebookCandidates("d", "d/a.h5", 3), ["d/a.h5.ipynb", "d/a.h5-1.ipynb", "d/a.h5-2.ipynb"]);
  assert.deepEqual(notebookCandidates("", "d/a.h5", 1), ["a.h5.ipynb"]);
});

test("notebookContent names the kernel so Lab opens no kernel picker", () => {
  const nb = notebookContent("x", { name: "python3", display_name: "Python 3 (ipykernel)" });
  assert.equal(nb.nbformat, 4);
  assert.deepEqual(nb.metadata.kernelspec, { name: "python3", display_name: "Python 3 (ipykernel)", language: "python" });
  assert.equal(nb.cells[0].source, "x");
});
