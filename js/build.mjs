// Bundle every widget entry js/src/<name>/index.js into one self-contained ES module
// src/h5lens/widgets/static/<name>.js (anywidget loads `_esm` from a blob URL, so a
// shipped module cannot import a sibling file; everything it needs is inlined).
//   node build.mjs            build once
//   node build.mjs --dev      unminified, with inline source maps (debugging)
import { build } from "esbuild";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const srcDir = join(here, "src");
const outDir = join(here, "..", "src", "h5lens", "widgets", "static");
const dev = process.argv.includes("--dev");

const entries = readdirSync(srcDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(srcDir, d.name, "index.js")))
  .map((d) => d.name)
  .sort();

mkdirSync(outDir, { recursive: true });
const t0 = performance.now();

/** @type {Map<string, Promise<unknown>>} each entry's build, by name */
const builds = new Map();
// `import source from "h5lens-bundle:viewer"` gives the *built* viewer bundle as a string: the
// explorer compiles it (a blob module) only when it first shows a viewer, so the explorer's own
// module, parsed at every first paint, holds the tree and the inspector only
const bundleText = {
  name: "h5lens-bundle",
  setup(b) {
    b.onResolve({ filter: /^h5lens-bundle:/ }, (a) => ({ path: a.path.slice("h5lens-bundle:".length), namespace: "h5lens-bundle" }));
    b.onLoad({ filter: /.*/, namespace: "h5lens-bundle" }, async (a) => {
      if (!builds.has(a.path)) throw new Error(`h5lens-bundle:${a.path}: no entry js/src/${a.path}/index.js`);
      await builds.get(a.path);
      return { contents: readFileSync(join(outDir, `${a.path}.js`), "utf8"), loader: "text" };
    });
  },
};
// `import source from "h5lens-worker:viewer/stats_worker.js"` gives that module bundled on its
// own (an IIFE) as a string, which the page starts as a Worker from a Blob URL: one widget file,
// no network
const workerText = {
  name: "h5lens-worker",
  setup(b) {
    b.onResolve({ filter: /^h5lens-worker:/ }, (a) => ({ path: join(srcDir, a.path.slice("h5lens-worker:".length)), namespace: "h5lens-worker" }));
    b.onLoad({ filter: /.*/, namespace: "h5lens-worker" }, async (a) => {
      const out = await build({ entryPoints: [a.path], bundle: true, format: "iife", platform: "browser",
        target: ["es2020"], minify: !dev, write: false, legalComments: "eof", logLevel: "warning" });
      return { contents: out.outputFiles[0].text, loader: "text", watchFiles: [a.path] };
    });
  },
};
for (const name of entries) {
  builds.set(name,
    build({
      entryPoints: [join(srcDir, name, "index.js")],
      outfile: join(outDir, `${name}.js`),
      bundle: true,
      format: "esm",
      platform: "browser",
      target: ["es2020"],
      minify: !dev,
      sourcemap: dev ? "inline" : false,
      legalComments: "eof",
      // CSS imported from JS is inlined as a string by the `text` loader, so a widget stays one file
      loader: { ".css": "text" },
      plugins: [bundleText, workerText],
      logLevel: "warning",
    }));
}
await Promise.all(builds.values());
console.log(`h5lens: bundled ${entries.join(", ")} -> ${outDir} in ${Math.round(performance.now() - t0)} ms`);
