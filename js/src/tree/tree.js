// The lazily expanding tree component, shared by the Tree and Explorer widgets.
// Rows are fetched one page at a time from the Python command `children`; the model's
// `selected` trait is written on click/Enter and followed (reveal + select) when Python sets it.
import { copyText, h } from "../common/dom.js";
import { followToggle } from "../common/follow.js";
import { CommandError, isAbort } from "../common/rpc.js";
import { loadMoreText, normalise, splitMatch, stepsTo, totalText, visibleFor } from "./filter.js";
import { linkBadge, markItem, rowParts } from "./rows.js";
import { createSearch } from "./search.js";

const COUNT_TIMEOUT_MS = 300_000; // a classic HDF5 group's count walks its whole index: seconds for 10^6

/** Readable one-line text of an error for the widget's error area. */
export function errorText(err) {
  if (err instanceof CommandError) return `${err.type}: ${err.message}`;
  return err?.message ?? String(err);
}

/**
 * @param {{el: HTMLElement, model: any, rpc: {call: Function}, label?: string,
 *   addToPlot?: (path: string) => Promise<string>}} options  addToPlot (the explorer): a dataset row's
 *   "plot+" button overlays it on the curve shown; it resolves to what to say in the status line
 * @returns {{destroy: Function, reveal: Function, root: HTMLElement, ready: Promise<void>}}
 */
export function createTree({ el, model, rpc, label = "File tree", addToPlot }) {
  const rows = new Map(); // path -> {item, li, row, ul, expanded, next, total, loading}
  const rootPath = model.get("root_path") || "/";
  const status = h("span", { class: "h5l-status", role: "status", "aria-live": "polite" });
  const errorBox = h("div", { class: "h5l-error", role: "alert", hidden: true });
  const filter = h("input", {
    class: "h5l-filter", type: "search", placeholder: "Filter by name", "aria-label": "Filter by name",
  });
  const deeper = h("button", { class: "h5l-button", type: "button", "aria-label": "Search the whole file", hidden: true },
    "Search deeper");
  const list = h("ul", { class: "h5l-list", role: "tree", "aria-label": `${label}: ${model.get("title") || rootPath}` });
  const results = h("div", { class: "h5l-results", hidden: true });
  const follow = followToggle(model, () => refreshLoaded());
  const root = h("div", { class: "h5l-tree" },
    h("div", { class: "h5l-toolbar" }, filter, deeper, follow.el), status, errorBox, results, list);
  el.append(root);

  let query = "";
  let focused = null;
  const search = createSearch({ rpc, results, status, deeper, select: (p) => select(p, true), showError });

  function showError(err, where = "") {
    if (isAbort(err)) return;
    errorBox.hidden = false;
    errorBox.textContent = `${where}${errorText(err)}`;
  }

  function rowFor(item, level) {
    const { row, name } = rowParts(item, level, addToPlot);
    const li = h("li", {
      class: "h5l-item", role: "treeitem", tabindex: "-1", "aria-level": level, "aria-selected": "false",
      "aria-label": item.name || item.path, dataset: { path: item.path },
    }, row);
    markItem(li, item);
    const entry = { item, li, row, name, ul: null, expanded: false, next: 0, total: 0, loading: null, level };
    paintName(entry);
    rows.set(item.path, entry);
    return entry;
  }

  // A remote group's page came with its members' names and kinds only (one request each for the rest):
  // their full rows (shapes, counts, classes) are asked for together and drawn in place.
  async function fillRows(entry, reply) {
    const paths = reply.items.filter((/** @type {any} */ i) => i.pending).map((/** @type {any} */ i) => i.path);
    if (!paths.length) return;
    const path = entry.item.path;
    const full = await rpc.call("rows", { path, paths }, { key: `rows:${path}:${reply.start}` })
      .then(([r]) => r, (err) => showError(err, `${path}: `));
    for (const item of full?.items ?? []) {
      const known = rows.get(item.path);
      if (!known?.item.pending) continue;
      const { row, name } = rowParts(item, known.level, addToPlot);
      known.row.replaceWith(row);
      Object.assign(known, { item, row, name });
      if (known.expanded && item.expandable) row.querySelector(".h5l-twisty").textContent = "▾";
      markItem(known.li, item);
      paintName(known);
    }
  }

  function paintName(entry) {
    const [a, m, b] = splitMatch(entry.item.name || entry.item.path, query);
    entry.name.replaceChildren(a, ...(m ? [h("mark", {}, m), b] : []));
  }

  async function load(entry, opts = {}) {
    const path = entry.item.path;
    entry.li.setAttribute("aria-busy", "true");
    try {
      const [reply] = await rpc.call("children", { path, start: entry.next, limit: model.get("page_size"), ...opts },
        { key: `children:${path}` });
      addChildren(entry, reply);
    } catch (err) {
      if (isAbort(err)) return;
      if (entry.item.link && err instanceof CommandError && err.type === "LinkError") {
        // an unchecked link turned out broken: show it as such
        entry.item.link = { ...entry.item.link, broken: true, error: err.message };
        entry.row.querySelector(".h5l-link")?.replaceWith(linkBadge(entry.item.link));
        entry.li.dataset.broken = "true";
      }
      const msg = h("li", { class: "h5l-item h5l-row-error", role: "none" }, `cannot list: ${errorText(err)}`);
      ensureUl(entry).append(msg);
      showError(err, `${path}: `);
    } finally {
      entry.li.removeAttribute("aria-busy");
    }
  }

  // The file changed (follow): every listed group lists again the pages it had, rows keep their place
  // and state, labels (member counts, shapes) are redrawn, new members are added and gone ones removed.
  async function refreshLoaded() {
    for (const entry of [...rows.values()]) {
      if (!entry.loaded || rows.get(entry.item.path) !== entry) continue;
      const path = entry.item.path;
      let reply;
      try {
        [reply] = await rpc.call("children", { path, start: 0, limit: Math.max(entry.next, model.get("page_size")) },
          { key: `refresh:${path}` });
      } catch (err) { showError(err, `${path}: `); continue; }
      const keep = new Set(reply.items.map((/** @type {any} */ i) => i.path));
      for (const li of [...(entry.ul?.querySelectorAll(":scope > li.h5l-item[data-path]") ?? [])]) {
        if (!keep.has(li.dataset.path)) { forget(li.dataset.path); li.remove(); }
      }
      for (const item of reply.items) {
        const known = rows.get(item.path);
        if (known) {
          known.item = { ...known.item, label: item.label, description: item.description };
          const label = known.row.querySelector(".h5l-label");
          if (label && !item.link) label.textContent = item.label;
        }
      }
      entry.next = 0;
      entry.ul?.querySelector(":scope > .h5l-more")?.remove();
      addChildren(entry, reply);
    }
    errorBox.hidden = true;
    root.dataset.revision = String(model.get("live")?.revision ?? 0);
  }

  function forget(path) {
    for (const p of [...rows.keys()]) if (p === path || p.startsWith(`${path}/`)) rows.delete(p);
  }

  function ensureUl(entry) {
    if (!entry.ul) entry.li.append(entry.ul = h("ul", { role: "group", class: "h5l-group" }));
    return entry.ul;
  }

  function addChildren(entry, reply) {
    const ul = ensureUl(entry);
    ul.querySelector(":scope > .h5l-more")?.remove();
    for (const item of reply.items) {
      if (rows.has(item.path)) continue;
      ul.append(rowFor(item, entry.level + 1).li);
    }
    entry.next = reply.next;
    entry.total = reply.total;
    entry.more = reply.more;
    entry.loaded = true;
    if (reply.more) {
      const more = h("button", { class: "h5l-button", type: "button",
        "aria-label": `Load more members of ${entry.item.path}` });
      more.addEventListener("click", () => { more.disabled = true; load(entry); });
      ul.append(h("li", { class: "h5l-more", role: "none" }, more));
      paintMore(entry);
    }
    if (reply.total === null) countMembers(entry);
    fillRows(entry, reply);
    if (query) paintFilter();
  }

  function paintMore(entry) {
    const button = entry.ul?.querySelector(":scope > .h5l-more > button");
    const shown = entry.ul?.querySelectorAll(":scope > li.h5l-item[data-path]").length ?? 0;
    if (button) button.textContent = loadMoreText(shown, entry.total, entry.next);
    entry.li.dataset.total = entry.total === null ? "counting" : String(entry.total);
  }

  // The page went out before the group was counted: the count comes in its own (slower) call.
  async function countMembers(entry) {
    const path = entry.item.path;
    const reply = await rpc.call("count", { path }, { key: `count:${path}`, timeout: COUNT_TIMEOUT_MS })
      .then(([r]) => r, (err) => showError(err, `${path}: `));
    if (!reply || rows.get(path) !== entry) return;
    entry.total = reply.total;
    if (!entry.item.link) {  // a link's row shows its target, not the count
      entry.item = { ...entry.item, label: reply.label };
      entry.row.querySelector(".h5l-label").textContent = reply.label;
    }
    paintMore(entry);
  }

  async function expand(entry, open = true) {
    if (!entry.item.expandable) return;
    entry.expanded = open;
    entry.li.setAttribute("aria-expanded", String(open));
    entry.row.querySelector(".h5l-twisty").textContent = open ? "▾" : "▸";
    if (entry.ul) entry.ul.hidden = !open;
    if (open && !entry.loaded) {
      entry.loading ??= load(entry).finally(() => { entry.loading = null; });
      await entry.loading;
    }
  }

  function focus(entry) {
    if (!entry) return;
    if (focused && focused !== entry) focused.li.tabIndex = -1;
    focused = entry;
    entry.li.tabIndex = 0;
    entry.li.focus({ preventScroll: true });
    entry.row.scrollIntoView({ block: "nearest" });
  }

  function markSelected(path) {
    for (const old of list.querySelectorAll('[aria-selected="true"]')) old.setAttribute("aria-selected", "false");
    const entry = rows.get(path);
    if (entry) {
      entry.li.setAttribute("aria-selected", "true");
      if (focused !== entry) { if (focused) focused.li.tabIndex = -1; focused = entry; entry.li.tabIndex = 0; }
      entry.row.scrollIntoView({ block: "nearest" });
    }
  }

  function select(path, reveal = false) {
    if (reveal) revealPath(path);
    markSelected(path);
    if (model.get("selected") !== path) {
      model.set("selected", path);
      model.save_changes();
    }
  }

  // Make `path` visible: expand each ancestor, loading pages (or the one member) as needed.
  async function revealPath(path) {
    if (!path) return;
    const parts = stepsTo(path, rootPath);
    let cur = rows.get(rootPath);
    let curPath = rootPath;
    for (const part of parts) {
      const next = curPath === "/" ? `/${part}` : `${curPath}/${part}`;
      if (!cur) break;
      if (!rows.has(next)) {
        if (!cur.loaded) await expand(cur);
        if (!rows.has(next)) {
          try {
            const [reply] = await rpc.call("children", { path: cur.item.path, start: cur.next,
              limit: model.get("page_size"), ensure: part }, { key: `children:${cur.item.path}` });
            addChildren(cur, reply);
          } catch (err) { showError(err, `${cur.item.path}: `); return; }
        }
      }
      if (!cur.expanded) await expand(cur);
      cur = rows.get(next);
      curPath = next;
    }
    if (model.get("selected") === path) markSelected(path);
  }

  function visibleRows() {
    const items = /** @type {NodeListOf<HTMLLIElement>} */ (list.querySelectorAll("li.h5l-item[data-path]"));
    return [...items].filter((li) => li.offsetParent !== null);
  }

  function onKey(ev) {
    const li = ev.target.closest?.("li.h5l-item[data-path]");
    if (!li || ev.target.tagName === "BUTTON") return;
    const entry = rows.get(li.dataset.path);
    const all = visibleRows();
    const i = all.indexOf(li);
    const go = (k) => focus(rows.get(all[Math.max(0, Math.min(all.length - 1, k))]?.dataset.path));
    switch (ev.key) {
      case "ArrowDown": go(i + 1); break;
      case "ArrowUp": go(i - 1); break;
      case "Home": go(0); break;
      case "End": go(all.length - 1); break;
      case "ArrowRight":
        if (entry.item.expandable && !entry.expanded) expand(entry);
        else if (entry.expanded) go(i + 1);
        break;
      case "ArrowLeft":
        if (entry.expanded) expand(entry, false);
        else focus(rows.get(li.parentElement.closest("li.h5l-item")?.dataset.path));
        break;
      case "c": copyPath(entry); break;
      case "Enter": case " ":
        select(entry.item.path);
        if (entry.item.expandable && ev.key === "Enter") expand(entry, !entry.expanded);
        break;
      default: return;
    }
    ev.preventDefault();
  }

  function copyPath(entry) {
    copyText(entry.item.path).then((ok) => { status.textContent = ok ? `Copied ${entry.item.path}` : "Copy refused"; });
  }

  function onClick(ev) {
    const li = ev.target.closest("li.h5l-item[data-path]");
    if (!li) return;
    const entry = rows.get(li.dataset.path);
    if (ev.target.closest(".h5l-add-plot")) {
      addToPlot?.(entry.item.path).then((text) => { status.textContent = text; errorBox.hidden = true; },
        (err) => showError(err));
      return;
    }
    if (ev.target.closest(".h5l-copy")) { copyPath(entry); return; }
    focus(entry);
    if (ev.target.closest(".h5l-twisty")) { expand(entry, !entry.expanded); return; }
    select(entry.item.path);
    if (entry.item.expandable && !entry.expanded) expand(entry);
  }

  // Members not loaded yet of a partly loaded group: the kernel scans their names for the query (a
  // million-member group shows its first matches without loading every page); rows join the group's list.
  async function findMatches(entry, start = 0) {
    const asked = query;
    const path = entry.item.path;
    entry.ul?.querySelector(":scope > .h5l-find")?.remove();
    let reply;
    try {
      [reply] = await rpc.call("children", { path, filter: asked, start, limit: model.get("page_size") },
        { key: `filter:${path}` });
    } catch (err) { showError(err, `${path}: `); return; }
    if (asked !== query || rows.get(path) !== entry) return;
    const before = entry.ul.querySelector(":scope > .h5l-more");
    for (const item of reply.items) {
      if (!rows.has(item.path)) entry.ul.insertBefore(rowFor(item, entry.level + 1).li, before);
    }
    if (reply.more) {
      const more = h("button", { class: "h5l-button", type: "button", "aria-label": `Find more matches in ${path}` },
        `Find more matches (${reply.next} of ${totalText(reply.total ?? entry.total, reply.next + 1)} names scanned)`);
      more.addEventListener("click", () => findMatches(entry, reply.next));
      entry.ul.insertBefore(h("li", { class: "h5l-find", role: "none" }, more), before);
    }
    paintFilter();
  }

  function applyFilter() {
    paintFilter();
    for (const li of list.querySelectorAll(".h5l-find")) li.remove();
    if (!query) return;
    for (const e of rows.values()) if (e.loaded && e.ul && e.more) findMatches(e);
  }

  function paintFilter() {
    query = normalise(filter.value);
    // a row matches by its name or its description (a SPEC scan's command: "ascan Fe ...")
    const entries = [...rows.values()].filter((e) => e.item.path !== rootPath)
      .map((e) => /** @type {[string, string]} */ ([e.item.path,
        e.item.description ? `${e.item.name}\n${e.item.description}` : e.item.name]));
    const { visible, hits } = visibleFor(entries, query, rootPath);
    for (const e of rows.values()) {
      paintName(e);
      e.li.classList.toggle("h5l-filtered", !!query && e.item.path !== rootPath && !visible.has(e.item.path));
    }
    root.dataset.filter = query;
    deeper.hidden = !query;
    status.textContent = query ? `${hits} loaded match${hits === 1 ? "" : "es"} for “${filter.value.trim()}”` : "";
    search.reset(query);
  }

  const onSelected = () => {
    const path = model.get("selected");
    if (path) revealPath(path).then(() => markSelected(path));
    else markSelected(null);
  };
  model.on("change:selected", onSelected);
  list.addEventListener("keydown", onKey);
  list.addEventListener("click", onClick);
  filter.addEventListener("input", applyFilter);
  deeper.addEventListener("click", () => search.run(query));

  // the root row: the file (or node) itself, expanded from the start
  const top = rowFor({ name: model.get("title") || rootPath, path: rootPath, kind: "group", label: "",
    expandable: true, nx_class: null }, 1);
  top.row.title = model.get("filename") || "";
  top.li.tabIndex = 0;
  focused = top;
  list.append(top.li);
  const ready = expand(top).then(() => {
    root.dataset.ready = "true";
    if (model.get("selected")) return onSelected();
  });

  return {
    root, ready,
    reveal: revealPath,
    destroy() {
      model.off("change:selected", onSelected);
      follow.destroy();
      search.destroy();
      root.remove();
    },
  };
}
