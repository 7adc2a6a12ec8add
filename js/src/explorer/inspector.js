// The Explorer's inspector: every field of the selected node, from the Python command `inspect`.
import { h } from "../common/dom.js";
import { isAbort } from "../common/rpc.js";
import { errorText } from "../tree/tree.js";

const FIELDS = [
  ["path", "Path"], ["description", "Description"], ["kind", "Kind"], ["nx_class", "NX class"], ["shape", "Shape"], ["dtype", "Dtype"],
  ["maxshape", "Max shape"], ["chunks", "Chunks"], ["filters", "Filters"], ["layout", "Layout"],
  ["storage", "Storage"], ["members", "Members"], ["cycle", "Cycle"], ["same_as", "Same as"], ["also_at", "Also linked at"], ["value", "Value"],
];

/**
 * @param {{el: HTMLElement, rpc: any}} parts
 * @returns {{show: (path: string) => Promise<object|null>, clear: Function}}
 */
export function createInspector({ el, rpc }) {
  const body = h("div", { class: "h5l-inspector-body" });
  const section = h("section", { class: "h5l-inspector", "aria-label": "Inspector" },
    h("h3", { class: "h5l-heading" }, "Inspector"), body);
  el.append(section);
  clear();

  function clear() {
    body.replaceChildren(h("p", { class: "h5l-hint" }, "Select a node in the tree."));
  }

  function row(field, label, value) {
    return h("tr", { dataset: { field } }, h("th", { scope: "row" }, label), h("td", {}, value));
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
    const extra = [];
    for (const d of info.details ?? []) {
      if (d.rows === undefined) { table.append(row("detail", d.label, d.value)); continue; }
      // a list of (name, value) pairs: a table of its own (motor positions...)
      const t = h("table", { class: "h5l-attrs h5l-detail-table", "aria-label": d.label });
      const tb = h("tbody");
      for (const [k, v] of d.rows) tb.append(h("tr", {}, h("td", { class: "h5l-attr-name" }, k), h("td", { class: "h5l-attr-value" }, v)));
      t.append(tb);
      extra.push(h("h4", { class: "h5l-subheading" }, `${d.label} (${d.rows.length})`), t);
    }
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
    body.replaceChildren(table, ...extra,
      h("h4", { class: "h5l-subheading" }, `Attributes (${count})`),
      count ? attrs : h("p", { class: "h5l-hint" }, "No attributes."));
    if (count > shown) body.append(h("p", { class: "h5l-hint" }, `${count - shown} more not shown`));
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
