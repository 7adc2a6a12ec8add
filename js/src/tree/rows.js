// One row of the tree, apart from the tree's state: its line of parts and what its element says of it.
import { h } from "../common/dom.js";
import { linkBadgeText } from "./filter.js";

const ICON = { group: "≡", dataset: "▦", link: "↪", datatype: "T" };

/**
 * A link's target; `broken` is true, false, or null when the link was not followed yet.
 * @param {any} link  a LinkInfo
 */
export function linkBadge(link) {
  const { cls, text, title } = linkBadgeText(link);
  return h("span", { class: cls, title }, text);
}

/**
 * The row's own line: twisty, icon, name, description, class, label or link, buttons.
 * @param {any} item  a TreeItem
 * @param {number} level
 * @param {Function} [addToPlot]  (the explorer) a dataset row gets a "plot+" button
 * @returns {{row: HTMLElement, name: HTMLElement}}
 */
export function rowParts(item, level, addToPlot) {
  const copy = h("button", { class: "h5l-copy", type: "button", tabindex: "-1", "aria-label": `Copy path ${item.path}`,
    title: "Copy path (key c)" }, "copy");
  const name = h("span", { class: "h5l-name" });
  const plus = addToPlot && item.kind === "dataset" ? h("button", { class: "h5l-copy h5l-add-plot", type: "button",
    tabindex: "-1", "aria-label": `Add ${item.path} to plot`, title: "Add to the plot shown (a 1-D dataset)" }, "plot+") : null;
  // a pending row (a remote member known by name and kind) says its details are on the way
  const label = item.pending ? h("span", { class: "h5l-label h5l-pending", title: "details on the way" }, "…")
    : h("span", { class: "h5l-label" }, item.link ? "" : item.label);
  const row = h("div", { class: "h5l-row", style: `padding-left:${(level - 1) * 14 + 4}px` },
    h("span", { class: "h5l-twisty", "aria-hidden": "true" }, item.expandable ? "▸" : ""),
    h("span", { class: `h5l-icon h5l-kind-${item.kind}`, "aria-hidden": "true" }, ICON[item.kind] ?? "•"),
    name,
    item.description ? h("span", { class: "h5l-desc", title: item.description }, item.description) : null,
    item.nx_class ? h("span", { class: "h5l-badge" }, item.nx_class) : null,
    label,
    item.link ? linkBadge(item.link) : null,
    plus, copy);
  return { row, name };
}

/**
 * The state the item element shows of its row: kind, broken link, pending details, expandable.
 * @param {HTMLElement} li
 * @param {any} item  a TreeItem
 */
export function markItem(li, item) {
  li.dataset.kind = item.kind;
  if (item.link?.broken) li.dataset.broken = "true"; else delete li.dataset.broken;
  if (item.pending) li.dataset.pending = "true"; else delete li.dataset.pending;
  if (item.expandable && !li.hasAttribute("aria-expanded")) li.setAttribute("aria-expanded", "false");
  if (!item.expandable) li.removeAttribute("aria-expanded");
}
