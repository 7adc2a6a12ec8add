// The mask tools of an image view: a toolbar group (mask a rectangle, a polygon, or by threshold)
// and a settings row (add or remove, below or above a value, clear mask, what the mask holds).
// A drawing or a threshold is sent to Python as a shape or a value (`mask_edit`): the user's mask
// changes there (`viewer.mask`), `mask_revision` moves and the frame comes back with the mask
// painted; what Python sets is shown the same way. Drawings Python would refuse are refused here.
import { el, select } from "./dom.js";
import { isAbort } from "../common/rpc.js";
import { MASK_BUTTONS, maskRequest, thresholdProblem } from "./mask_geometry.js";
import { roiProblem } from "./measure_geometry.js";

export class MaskTools {
  /**
   * @param {import("./measure_tools.js").Measurer} measurer
   * @param {(tool: string) => void} setTool
   */
  constructor(measurer, setTool) {
    this.measurer = measurer;
    const viewer = measurer.viewer;
    /** @type {import("../common/protocol.js").ViewerModel} */
    this.model = /** @type {any} */ (viewer.model);
    this.rpc = viewer.rpc;
    this.root = viewer.root;
    this.seq = 0;
    this.bar = el("span", { class: "h5l-v-group h5l-v-maskbar", role: "group", "aria-label": "mask tools" });
    this.buttons = MASK_BUTTONS.map(([tool, text, tip]) => {
      const b = el("button", { type: "button", class: "h5l-v-tool", text, title: tip, "aria-label": tip, "aria-pressed": "false", "data-tool": tool });
      b.addEventListener("click", () => setTool(tool));
      return b;
    });
    this.bar.append(el("span", { class: "h5l-v-caption", text: "mask" }), ...this.buttons);
    viewer.toolbar.append(this.bar);
    this.mode = select("mask mode", ["add", "remove"], "add", () => {});
    this.mode.title = "what a drawing or a threshold does: add its pixels to the mask, or remove them";
    this.side = select("threshold side", ["below", "above"], "above", () => {});
    this.value = el("input", { type: "number", step: "any", "aria-label": "threshold value",
      title: "the pixels of the shown frame below (or above) this value, at full resolution" });
    this.value.addEventListener("keydown", (e) => { if (e.key === "Enter") this.threshold(); });
    const apply = el("button", { type: "button", text: "apply", "aria-label": "apply threshold" });
    apply.addEventListener("click", () => this.threshold());
    const clear = el("button", { type: "button", text: "Clear mask", "aria-label": "clear mask",
      title: "remove every pixel of your mask (the detector's pixel_mask stays)" });
    clear.addEventListener("click", () => this.send({ op: "clear" }));
    this.note = el("span", { class: "h5l-v-mask-note", "aria-label": "mask" });
    this.settings = el("div", { class: "h5l-v-mask-settings", hidden: "" },
      el("label", { text: "mask: " }, this.mode), el("span", { class: "h5l-v-caption", text: "threshold" }), this.side, this.value,
      apply, clear, this.note);
    this.onNote = () => this.showNote();
    this.model.on("change:mask_note", this.onNote);
    this.showNote();
  }

  /** The pressed state of the mask buttons follows the tool chosen. @param {string} tool */
  pressed(tool) { for (const b of this.buttons) b.setAttribute("aria-pressed", String(b.dataset.tool === tool)); }

  showNote() { this.note.textContent = this.model.get("mask_note") ?? ""; }

  /** A finished drawing (rect, polygon): checked as Python would, then sent. @param {any} entry */
  draw(entry) {
    const problem = roiProblem(entry, this.measurer.shape());
    if (problem) { this.measurer.panel.say(problem.replace(/^the (\w+)/, "the mask $1")); return; }
    this.send(maskRequest(this.mode.value, entry, this.measurer.selection()));
  }

  threshold() {
    const problem = thresholdProblem(this.value.value);
    if (problem) { this.measurer.panel.say(problem); return; }
    this.send(maskRequest(this.mode.value, { kind: this.side.value, value: Number(this.value.value) }, this.measurer.selection()));
  }

  /** @param {import("../common/protocol.js").MaskEditRequest} request */
  async send(request) {
    const seq = ++this.seq;
    try {
      await this.rpc.call("mask_edit", { ...request, seq }); // no key: an edit is never dropped for the next
      this.measurer.panel.say("");
    } catch (err) {
      if (!isAbort(err)) this.measurer.panel.say(`mask: ${err.message ?? err}`);
    }
    this.root.dataset.maskedit = String(seq); // tests wait on it
  }

  destroy() {
    this.model.off("change:mask_note", this.onNote);
    this.bar.remove();
    this.settings.remove();
  }
}
