// The Explorer's view area. Small interface, so the viewer can replace it:
//   createViewArea({el, rpc}) -> {show(path, info), clear(), destroy()}
// `info` is the inspector's description of the node (null when it failed).
// This version previews scalars, strings and small arrays as text (Python command `preview`).
import { h } from "../common/dom.js";
import { isAbort } from "../common/rpc.js";
import { errorText } from "../tree/tree.js";

export function createViewArea({ el, rpc }) {
  const note = h("p", { class: "h5l-hint" });
  const pre = h("pre", { class: "h5l-preview", tabindex: "0", "aria-label": "Data preview" });
  const section = h("section", { class: "h5l-view", "aria-label": "View" },
    h("h3", { class: "h5l-heading" }, "View"), note, pre);
  el.append(section);
  clear();

  function clear() {
    pre.hidden = true;
    pre.textContent = "";
    note.textContent = "Select a dataset to preview it.";
    delete section.dataset.path;
  }

  async function show(path, info) {
    const kind = info?.target_kind ?? info?.kind;
    if (!info || kind !== "dataset") {
      clear();
      if (info) note.textContent = kind === "group" ? `Group: ${info.members ?? 0} members.` : info.label ?? "";
      section.dataset.path = path;
      return;
    }
    section.setAttribute("aria-busy", "true");
    try {
      const [reply] = await rpc.call("preview", { path }, { key: "preview" });
      pre.hidden = false;
      pre.textContent = reply.text;
      note.textContent = reply.note || `${info.shape} ${info.dtype}`;
    } catch (err) {
      if (isAbort(err)) return;
      pre.hidden = true;
      note.replaceChildren(h("span", { class: "h5l-error", role: "alert" }, errorText(err)));
    } finally {
      section.dataset.path = path;
      section.removeAttribute("aria-busy");
    }
  }

  return { show, clear, destroy() { section.remove(); } };
}
