// What the toolbar offers for a view, from the facts Python sends in `meta` (DESIGN: the
// front-end never re-derives them from the dtype label): the option lists of `meta.options`
// (h5lens/_protocol/base.py, in menu order), the complex parts only for complex data, and the
// export formats (no CSV of compound records).

/**
 * @typedef {object} ToolbarOptions
 * @property {string[]} scales
 * @property {string[]} autoscales
 * @property {string[] | null} parts null: not complex, no part menu
 * @property {string[]} aggregations
 * @property {string[]} aspects
 * @property {string[]} exports file formats of the data export buttons
 */

/**
 * @param {Partial<import("../common/protocol.js").ViewerMeta> | null | undefined} meta
 * @returns {ToolbarOptions}
 */
export function toolbarOptions(meta) {
  const o = meta?.options;
  return {
    scales: o?.scales ?? [], autoscales: o?.autoscales ?? [], aggregations: o?.aggregations ?? [],
    aspects: o?.aspects ?? [], parts: meta?.complex ? o?.parts ?? [] : null,
    exports: meta?.compound ? ["npy"] : ["npy", "csv"],
  };
}
