// The values view: a scalar or a string as text, lists and compound rows as a table of texts
// (Python formats every value; text goes through textContent, never parsed as HTML).
import { el } from "./dom.js";

/**
 * The elements that show a `values` reply.
 * @param {import("../common/protocol.js").ValuesReply} reply
 * @returns {HTMLElement[]}
 */
export function valuesView(reply) {
  if (!reply.columns) return [el("pre", { "aria-label": "value", text: reply.text ?? "" })];
  const table = el("table", { "aria-label": "values" });
  table.append(el("tr", {}, ...reply.columns.map((c) => el("th", { text: c }))));
  for (const row of reply.rows ?? []) table.append(el("tr", {}, ...row.map((v) => el("td", { text: v }))));
  /** @type {HTMLElement[]} */
  const out = [table];
  if (reply.truncated) out.push(el("div", { text: `first ${reply.rows.length} rows of ${reply.total}` }));
  return out;
}
