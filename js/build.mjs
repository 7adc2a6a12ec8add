// Bundle every widget entry js/src/<name>/index.js into one self-contained ES module
// src/h5lens/widgets/static/<name>.js (anywidget loads `_esm` from a blob URL, so a
// shipped module cannot import a sibling file; everything it needs is inlined).
//   node build.mjs            build once
//   node build.mjs --dev      unminified, with inline source maps (debugging)
import { build } from "esbuild";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
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
await Promise.all(
  entries.map((name) =>
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
      logLevel: "warning",
    }),
  ),
);
console.log(`h5lens: bundled ${entries.join(", ")} -> ${outDir} in ${Math.round(performance.now() - t0)} ms`);
