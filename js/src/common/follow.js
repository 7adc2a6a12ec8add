// The "Follow" toggle shared by the tree, the explorer and the viewer: it sets the widget's
// `follow` trait (Python polls the file and bumps `live.revision` when something changed)
// and shows `live.message`, the one sentence saying why the file cannot be read now.
import { h } from "./dom.js";

/**
 * @param {{get: (k: string) => any, set: (k: string, v: any) => void, save_changes: () => void,
 *   on: (e: string, cb: () => void) => void, off: (e: string, cb: () => void) => void}} model
 * @param {(live: import("./protocol.js").LiveState) => void} [onChange] called when `live.revision` moves
 * @returns {{el: HTMLElement, destroy: () => void}}
 */
export function followToggle(model, onChange) {
  const box = h("input", { type: "checkbox", "aria-label": "Follow the file as it is written" });
  const note = h("span", { class: "h5l-follow-note", role: "status", "aria-live": "polite" });
  const el = h("span", { class: "h5l-follow", title: "Poll the file and show what its writer adds" },
    h("label", {}, box, " Follow"), note);
  let revision = model.get("live")?.revision ?? 0;
  const showFollow = () => { box.checked = !!model.get("follow"); el.dataset.follow = String(box.checked); };
  const showLive = () => {
    const live = model.get("live") ?? {};
    note.textContent = live.message ?? "";
    el.dataset.revision = String(live.revision ?? 0);
    if ((live.revision ?? 0) !== revision) {
      revision = live.revision ?? 0;
      onChange?.(live);
    }
  };
  box.addEventListener("change", () => { model.set("follow", box.checked); model.save_changes(); showFollow(); });
  model.on("change:follow", showFollow);
  model.on("change:live", showLive);
  showFollow();
  showLive();
  return {
    el,
    destroy() { model.off("change:follow", showFollow); model.off("change:live", showLive); el.remove(); },
  };
}
