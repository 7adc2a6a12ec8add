// Pure helpers of the "Open with h5lens" extension: which file browser items it applies to,
// where the notebook goes, and the Python it runs. No JupyterLab imports, so node --test
// (tests/js/labextension_code.test.mjs) checks them against a real Python.

/** File name endings h5lens opens (the formats of h5lens.open); a `.zarr` store is a folder or a zip. */
export const EXTENSIONS = [
  ".h5", ".hdf5", ".nxs", ".nx5", ".cxi", ".edf", ".cbf", ".tif", ".tiff", ".spec", ".dat", ".zarr",
];

/**
 * The lower-case ending of `name` that h5lens opens, or null (so, of folders, Zarr stores only).
 * @param {string} name file or folder name (or path)
 * @param {string} [type] contents type ("directory", "file", "notebook"...)
 * @returns {string | null}
 */
export function h5lensExtension(name, type = "file") {
  const lower = name.toLowerCase().replace(/\/+$/, "");
  const ext = EXTENSIONS.find((e) => lower.endsWith(e) && lower.length > e.length);
  if (!ext) return null;
  return type !== "directory" || ext === ".zarr" ? ext : null;
}

/**
 * A Python string literal that evaluates to exactly `text` (quotes, backslashes, newlines and
 * any Unicode included). JSON's escapes are all valid in Python; the line and paragraph
 * separators and C1 controls are escaped too, so the literal stays on one readable line.
 * @param {string} text
 * @returns {string}
 */
export function pyString(text) {
  return JSON.stringify(text).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

/**
 * The relative path from folder `from` to `path` (both relative to the server root, "/"-separated).
 * @param {string} from folder of the notebook ("" is the root)
 * @param {string} path the data file
 * @returns {string}
 */
export function relativePath(from, path) {
  const a = from.split("/").filter(Boolean);
  const b = path.split("/").filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => ".."), ...b.slice(i)].join("/");
}

/**
 * The code cell that explores `path` from a notebook in folder `dir`.
 * @param {string} dir
 * @param {string} path
 * @returns {string}
 */
export function exploreSource(dir, path) {
  return `import h5lens\nh5lens.explore(${pyString(relativePath(dir, path))})`;
}

/**
 * Notebook names to try for exploring `path`, in order: `<file name>.ipynb`, then `-1`, `-2`...
 * @param {string} dir folder of the notebook
 * @param {string} path the data file
 * @param {number} [count]
 * @returns {string[]}
 */
export function notebookCandidates(dir, path, count = 50) {
  const name = path.split("/").filter(Boolean).pop() || "data";
  const prefix = dir ? `${dir.replace(/\/+$/, "")}/` : "";
  return Array.from({ length: count }, (_, i) => `${prefix}${name}${i ? `-${i}` : ""}.ipynb`);
}

/**
 * A version 4 notebook holding the explore cell, for kernel `kernel` (a kernelspec name).
 * @param {string} source
 * @param {{name: string, display_name?: string, language?: string}} kernel
 */
export function notebookContent(source, kernel) {
  return {
    cells: [{ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source }],
    metadata: {
      kernelspec: {
        name: kernel.name,
        display_name: kernel.display_name || kernel.name,
        language: kernel.language || "python",
      },
    },
    nbformat: 4,
    nbformat_minor: 4,
  };
}
