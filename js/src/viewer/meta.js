// What the viewer shows of its model before any data: which display (values, curve, image),
// the title, and NeXus labels in TeX math (`$2\theta$`) as plain text.
import { texText } from "./curve_maths.js";

/** @typedef {import("../common/protocol.js").ViewerMeta} ViewerMeta */

// Views shown as values (text or a table) whatever their dimensions; others by ndisplay.
const VALUE_VIEWS = new Set(["list", "table", "scalar", "text", "empty", "none"]);

/**
 * 0 (values), 1 (curve) or 2 (image) for a view kind and its ndisplay.
 * @param {{get: (key: any) => any}} model
 * @returns {number}
 */
export function displayMode(model) {
  return VALUE_VIEWS.has(model.get("kind")) ? 0 : model.get("ndisplay");
}

/**
 * The model's meta with NeXus labels in TeX math as plain text, as shown.
 * @param {ViewerMeta | null | undefined} meta
 * @returns {ViewerMeta}
 */
export function readableMeta(meta) {
  const m = meta ?? /** @type {ViewerMeta} */ ({});
  return { ...m, title: texText(m.title ?? ""), signal: texText(m.signal ?? ""),
    dims: (m.dims ?? []).map((d) => ({ ...d, name: texText(d.name), ...(d.label ? { label: texText(d.label) } : {}) })) };
}

/**
 * Where the data is ("file.h5::/entry/data"), the title's main text and its small print; an
 * in-memory array (no file, path "/") is titled by its shape and dtype.
 * @param {ViewerMeta} meta readable meta
 * @returns {{where: string, main: string, small: string}}
 */
export function titleText(meta) {
  const file = (meta.filename || "").split(/[\\/]/).pop();
  const where = file ? `${file}${meta.path && meta.path !== "/" ? `::${meta.path}` : ""}` : meta.path || "";
  if (!file && (!meta.path || meta.path === "/") && meta.shape) { // an in-memory array: "/" says nothing
    const main = `${meta.shape} ${meta.dtype ?? ""}`.trim();
    return { where: `in-memory array ${main}`, main, small: "in-memory array" };
  }
  return { where, main: meta.title || where, small: [meta.title ? where : "", meta.shape, meta.dtype].filter(Boolean).join("  ") };
}

/**
 * The axis label of the dimension shown as `axis` ("x"/"y") under `mapping`, cut to 60 characters;
 * `abscissa` names what a curve is drawn against when it is not the dimension's default.
 * @param {ViewerMeta} meta readable meta
 * @param {Array<number | string>} mapping
 * @param {string} axis
 * @param {string} [abscissa] the viewer's `x` (or a curve reply's `abscissa`)
 */
export function axisLabel(meta, mapping, axis, abscissa) {
  const d = mapping.indexOf(axis);
  const dim = d >= 0 ? meta.dims?.[d] : undefined;
  const chosen = abscissa ? dim?.abscissae?.find((a) => a.name === abscissa) : undefined;
  const t = chosen ? texText(chosen.label) : dim?.label || dim?.name || "";
  return t.length > 60 ? `${t.slice(0, 59)}…` : t;
}

/**
 * What the curve of `selection` can be drawn against (the names of its dimension's `abscissae`,
 * the default first), empty unless it runs along exactly one dimension that offers more than its index.
 * @param {ViewerMeta | null | undefined} meta
 * @param {string} selection
 * @returns {string[]}
 */
export function curveAbscissae(meta, selection) {
  const kept = (selection ?? "").split(",").map((item, d) => (item.includes(":") ? d : -1)).filter((d) => d >= 0);
  if (kept.length !== 1) return [];
  return (meta?.dims?.[kept[0]]?.abscissae ?? []).map((a) => a.name);
}

/**
 * "reads 3 chunks (1.2 MiB)" / "reads 640 B": what the selection read.
 * @param {{chunks?: number, bytes: number} | null | undefined} stats
 */
export function statsText(stats) {
  if (!stats) return "";
  const n = stats.bytes;
  // binary units, named as such (as the Python side's size_label): 1 KiB = 1024 bytes
  const mb = n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(1)} GiB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB`
    : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;
  return stats.chunks ? `reads ${stats.chunks} chunk${stats.chunks > 1 ? "s" : ""} (${mb})` : `reads ${mb}`;
}
