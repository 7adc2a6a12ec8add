// The Explorer's inspector: every field of the selected node, from the Python command `inspect`.
import { h } from "../common/dom.js";
import { isAbort } from "../common/rpc.js";
import { errorText } from "../tree/tree.js";

// The node's own fields, always shown. How it is stored (layout, chunks, filters, sizes) is one
// "Storage" section instead of four overlapping rows; the attributes follow, so they fit a laptop screen.
const FIELDS = [
  ["path", "Path"], ["description", "Description"], ["kind", "Kind"], ["nx_class", "NX class"], ["shape", "Shape"], ["dtype", "Dtype"],
  ["members", "Members"], ["cycle", "Cycle"], ["same_as", "Same as"], ["also_at", "Also linked at"], ["value", "Value"],
];
/** Sections folded at first (their open state then follows the reader's clicks for every node). */
const FOLDED = new Set(["Storage", "File"]);
/** A table of more rows than this starts folded (a 67-motor list would push the attributes away). */
const LONG_TABLE = 12;

/**
 * @param {{el: HTMLElement, rpc: any}} parts
 * @returns {{show: (path: string) => Promise<object|null>, clear: Function}}
 */
export function createInspector({ el, rpc }) {
  const body = h("div", { class: "h5l-inspector-body" });
  const section = h("section", { class: "h5l-inspector", "aria-label": "Inspector" },
    h("h3", { class: "h5l-heading" }, "Inspector"), body);
  el.append(section);
  /** @type {Map<string, boolean>} open state of each section the reader toggled */
  const opened = new Map();
  clear();

  function clear() {
    body.replaceChildren(h("p", { class: "h5l-hint" }, "Select a node in the tree."));
  }

  function row(field, label, value) {
    return h("tr", { dataset: { field } }, h("th", { scope: "row" }, label), h("td", {}, value));
  }

  /** A collapsible section titled `title` (`<details>`: keyboard and screen readers know it). */
  function fold(title, summary, open, ...content) {
    const d = h("details", { class: "h5l-section", dataset: { section: title } },
      h("summary", { class: "h5l-subheading" }, summary), ...content);
    d.open = opened.get(title) ?? open;
    d.addEventListener("toggle", () => opened.set(title, d.open));
    return d;
  }

  function pairs(label, rows) {
    const t = h("table", { class: "h5l-attrs h5l-detail-table", "aria-label": label });
    const tb = h("tbody");
    for (const [k, v] of rows) tb.append(h("tr", {}, h("td", { class: "h5l-attr-name" }, k), h("td", { class: "h5l-attr-value" }, v)));
    t.append(tb);
    return t;
  }

  function render(info) {
    const table = h("table", { class: "h5l-fields", "aria-label": "Node fields" });
    for (const [key, label] of FIELDS) {
      let value = info[key];
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) value = value.length ? value.join(", ") : "none";
      table.append(row(key, label, String(value)));
    }
    if (info.link) {
      const l = info.link;
      const text = `${l.type} link → ${l.target}${l.broken ? " (broken)" : ""}`;
      const tr = row("link", "Link target", text);
      if (l.broken) {
        tr.classList.add("h5l-broken");
        tr.querySelector("td").append(h("div", { class: "h5l-link-error" }, l.error ?? ""));
      }
      table.append(tr);
    }
    /** @type {Map<string, HTMLTableElement>} the tables of the "Storage" and "File" sections */
    const sections = new Map();
    const sectionTable = (name) => {
      if (!sections.has(name)) sections.set(name, h("table", { class: "h5l-fields", "aria-label": name }));
      return sections.get(name);
    };
    if (info.storage !== undefined) {
      // one line says layout, chunks and filters ("chunked 1 × 200 × 300 · shuffle · gzip 4")
      sectionTable("Storage").append(row("storage", "Layout", info.storage));
      const said = (info.details ?? []).some((d) => d.section === "Storage" && d.label === "Max shape");
      if (info.maxshape && !said) sectionTable("Storage").append(row("maxshape", "Max shape", info.maxshape));
    }
    const extra = [];
    for (const d of info.details ?? []) {
      if (d.rows === undefined) {
        (d.section ? sectionTable(d.section) : table).append(row("detail", d.label, d.value));
        continue;
      }
      // a list of (name, value) pairs: a table of its own (motor positions...)
      extra.push(fold(d.label, `${d.label} (${d.rows.length})`, d.rows.length <= LONG_TABLE, pairs(d.label, d.rows)));
    }
    const folded = [...sections].map(([name, t]) => fold(name, name, !FOLDED.has(name), t));
    const attrs = h("table", { class: "h5l-attrs", "aria-label": "Attributes" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Attribute"), h("th", { scope: "col" }, "Value"),
        h("th", { scope: "col" }, "Type"))));
    const tbody = h("tbody");
    for (const a of info.attributes ?? []) {
      tbody.append(h("tr", { dataset: { attr: a.name } }, h("td", { class: "h5l-attr-name" }, a.name),
        h("td", { class: "h5l-attr-value" }, a.value), h("td", { class: "h5l-label h5l-attr-type" }, a.type)));
    }
    attrs.append(tbody);
    const count = info.attribute_count ?? 0;
    const shown = (info.attributes ?? []).length;
    const list = fold("Attributes", `Attributes (${count})`, true,
      count ? attrs : h("p", { class: "h5l-hint" }, "No attributes."));
    if (count > shown) list.append(h("p", { class: "h5l-hint" }, `${count - shown} more not shown`));
    body.replaceChildren(table, ...folded, list, ...extra);
  }

  async function show(path) {
    section.setAttribute("aria-busy", "true");
    try {
      const [reply] = await rpc.call("inspect", { path }, { key: "inspect" });
      render(reply.info);
      section.dataset.path = path;
      return reply.info;
    } catch (err) {
      if (isAbort(err)) return null;
      body.replaceChildren(h("div", { class: "h5l-error", role: "alert" }, `${path}: ${errorText(err)}`));
      section.dataset.path = path;
      return null;
    } finally {
      section.removeAttribute("aria-busy");
    }
  }

  return { show, clear };
}
