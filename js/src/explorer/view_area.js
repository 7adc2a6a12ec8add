// The Explorer's view area: the viewer of the selected node, mounted with the viewer's own
// `mountViewer` on the child Viewer model named by the explorer's `viewer` trait (a widget
// reference), whose commands answer on that child's comm. Scalars and strings are viewer
// views too (values). A plain group gets a short note; `view_error` is shown as an alert.
// The viewer's code comes as the text of its built bundle, compiled when a viewer is first shown
// (or the page is idle): the explorer's first paint parses the tree and the inspector only.
//   createViewArea({el, model, host}) -> {show(path, info), clear(), destroy(), viewer}
import { h } from "../common/dom.js";
import { modelInvoke } from "../common/rpc.js";
import { errorText } from "../tree/tree.js";
import viewerBundle from "h5lens-bundle:viewer";

/** @typedef {typeof import("../viewer/index.js")} ViewerModule */

// Every explorer of the page shares one compiled viewer per bundle text (the text is the key:
// a page that ran two h5lens versions keeps each explorer with its own viewer).
const LOADED = Symbol.for("h5lens.viewer-modules");

/**
 * The viewer's module, compiled once per page for this bundle.
 * @returns {Promise<ViewerModule>}
 */
export function loadViewer() {
  /** @type {Map<string, Promise<ViewerModule>>} */
  const loaded = (globalThis[LOADED] ??= new Map());
  let mod = loaded.get(viewerBundle);
  if (!mod) {
    const url = URL.createObjectURL(new Blob([viewerBundle], { type: "text/javascript" }));
    mod = import(/* @vite-ignore */ url).finally(() => URL.revokeObjectURL(url));
    mod.catch(() => loaded.delete(viewerBundle)); // a failed load is tried again at the next view
    loaded.set(viewerBundle, mod);
  }
  return mod;
}

/** The child model of a widget reference, through anywidget's host (or the widget manager). */
async function childModel(model, host, ref) {
  if (host?.getModel) return host.getModel(ref);
  return model.widget_manager.get_model(String(ref).replace(/^(anywidget:|IPY_MODEL_)/, ""));
}

export function createViewArea({ el, model, host }) {
  const note = h("p", { class: "h5l-hint" });
  const slot = h("div", { class: "h5l-view-slot" });
  const section = h("section", { class: "h5l-view", "aria-label": "View" }, note, slot);
  el.append(section);
  let unmount = null, token = 0, info = null, mounted = null;

  function showNote() {
    const err = model.get("view_error");
    if (err) {
      note.hidden = false;
      note.replaceChildren(h("span", { class: "h5l-error", role: "alert" }, err));
    } else if (model.get("viewer")) {
      note.hidden = true;
    } else {
      note.hidden = false;
      const kind = info?.target_kind ?? info?.kind;
      note.textContent = !model.get("selected") ? "Select a dataset to view it."
        : kind === "group" ? (info.members === undefined ? "Group: too many members to count here, nothing to plot."
          : `Group: ${info.members} members, nothing to plot.`) : info?.label ?? "";
    }
  }

  // Python replaced the viewer: drop the old one (its pending requests are aborted) and mount the new.
  async function sync() {
    const my = ++token;
    unmount?.();
    unmount = mounted = null;
    slot.replaceChildren();
    showNote();
    const ref = model.get("viewer");
    if (!ref) { delete section.dataset.ref; return; }
    section.setAttribute("aria-busy", "true");
    try {
      const [child, { mountViewer }] = await Promise.all([childModel(model, host, ref), loadViewer()]);
      if (my !== token) return; // superseded while the child model or the viewer's code was loading
      // one Follow toggle for the explorer (in its tree): Python's one poller drives the viewer too
      unmount = mountViewer(slot, { model: child, invoke: modelInvoke(child), followToggle: false });
      mounted = slot.querySelector(".h5l-viewer");
      section.dataset.ref = String(ref);
    } catch (err) {
      if (my !== token) return;
      note.hidden = false;
      note.replaceChildren(h("span", { class: "h5l-error", role: "alert" }, `viewer: ${errorText(err)}`));
    } finally {
      if (my === token) section.removeAttribute("aria-busy");
    }
  }
  model.on("change:viewer", sync);
  model.on("change:view_error", showNote);
  sync();
  // nothing to view yet: compile the viewer once the page is idle, so the first click shows at once
  const idle = globalThis.requestIdleCallback ?? ((/** @type {() => void} */ f) => setTimeout(f, 200));
  if (!model.get("viewer")) idle(() => { loadViewer().catch(() => {}); });

  return {
    /** The inspector's description of the newly selected node (null when it failed). */
    show(path, described) { info = described; section.dataset.path = path; showNote(); },
    clear() { info = null; delete section.dataset.path; showNote(); },
    /** The mounted viewer's hook (`image`, `curve`, `slicer`, `state`...) or null. */
    get viewer() { return mounted?.h5lens ?? null; },
    destroy() {
      token++;
      model.off("change:viewer", sync);
      model.off("change:view_error", showNote);
      unmount?.();
      section.remove();
    },
  };
}
