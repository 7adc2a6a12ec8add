// The measuring tools of an image view: a toolbar row (line profiles: horizontal, vertical,
// free; width and mean/sum; ROIs: rectangle, ellipse, polygon; clear; CSV exports), the SVG
// overlay drawing them, and the panel of what they read. The `measures` trait is the truth
// both sides share: what is drawn here is saved into it (Python makes handles of it), what
// Python sets is drawn. A drawing Python would refuse (zero length, off the image) is refused
// here with the reason, and never sent.
import { el, select } from "./dom.js";
import { Overlay, PROFILE_COLOURS } from "./overlay.js";
import { MeasurePanel } from "./measure_panel.js";
import { maskNote } from "./mask_paint.js";
import { nextId, profileProblem, roiProblem } from "./measure_geometry.js";
import { MaskTools } from "./mask_tools.js";
import { isMaskTool, maskShape } from "./mask_geometry.js";

/** The tool buttons: [tool, caption, what it does]. */
const BUTTONS = [
  ["", "✥", "pan and zoom (no tool)"], ["hline", "—", "horizontal line profile"], ["vline", "|", "vertical line profile"],
  ["line", "⁄", "free line profile"], ["rect", "▭", "rectangle ROI"], ["ellipse", "◯", "ellipse ROI"],
  ["polygon", "⬠", "polygon ROI: click its corners, double-click (or Enter) to close it"],
];

export class Measurer {
  /** @param {import("./index.js").Viewer} viewer @param {import("./image.js").ImageView} image */
  constructor(viewer, image) {
    this.viewer = viewer;
    this.model = viewer.model;
    this.image = image;
    // the tools join the viewer's toolbar; their settings and exports sit with what they measure, below
    // the image, shown once a tool is chosen (an image with no measures is as tall as without them)
    this.bar = el("span", { class: "h5l-v-group h5l-v-measurebar", role: "group", "aria-label": "measuring tools" });
    viewer.toolbar.append(this.bar);
    this.settings = el("div", { class: "h5l-v-measure-settings" });
    this.overlay = new Overlay(image, {
      draftProfile: (line) => { if (line && !profileProblem(line.start, line.end, this.shape())) this.panel.showProfile({ id: 0, ...line, width: this.width(), reduce: this.reduce() }, this.selection(), this.colourOf(-1)); },
      draftRoi: (roi) => { if (!roiProblem(roi, this.shape())) this.panel.statsAhead(roi, this.selection()); },
      commit: (kind, entry) => (kind === "mask" ? this.mask.draw(entry) : this.add(kind, entry)),
      moveProfile: (id, start, end, final) => this.moved(id, start, end, final),
      select: (id) => { this.overlay.active = id; this.overlay.render(); this.refresh(false); },
      editRoi: (id, roi) => this.edited(id, roi),
    });
    this.panel = new MeasurePanel(viewer.main, viewer.rpc, viewer.root);
    this.panel.el.prepend(this.settings);
    this._buildBar();
    /** the mask tools share the overlay and the tool choice (one tool at a time) */
    this.mask = new MaskTools(this, (tool) => this.setTool(tool));
    this.settings.after(this.mask.settings);
    /** @type {Array<[string, () => void]>} */
    this.listeners = [
      ["measures", () => { if (!this.saving) this.fromModel(); }],
      ["measure_problem", () => this.panel.say(this.model.get("measure_problem"))],
      // another mask: the frame is painted again and everything measured again without the masked pixels
      ["mask_revision", () => { viewer.load(); this.refresh(true, true); }], ["mask_invalid", () => { viewer.load(); this.refresh(true, true); }],
      ["mask_color", () => { image.maskColour = this.model.get("mask_color"); image.repaint(); }],
    ];
    for (const [k, cb] of this.listeners) this.model.on(`change:${k}`, cb);
    image.maskColour = this.model.get("mask_color") ?? "#9e9e9e";
    this.tool = ""; // the tool chosen (the overlay draws with its shape)
    this.shownSelection = null;
    this.fromModel(false, false); // measured once the first frame is shown (frameShown)
  }

  shape() { return this.image.frame?.frameShape ?? [0, 0]; }
  /** The colour of the i-th profile (as drawn on the image); -1: the one being drawn, next in line. @param {number} i */
  colourOf(i) { return PROFILE_COLOURS[(i < 0 ? this.measures().profiles.length : i) % PROFILE_COLOURS.length]; }
  selection() { return this.model.get("selection"); }
  width() { return Math.max(1, Math.round(Number(this.widthInput.value) || 1)); }
  reduce() { return this.reduceSelect.value; }
  /** @returns {import("../common/protocol.js").Measures} */
  measures() { const m = this.model.get("measures"); return { profiles: m?.profiles ?? [], rois: m?.rois ?? [] }; }

  _buildBar() {
    this.buttons = BUTTONS.map(([tool, text, tip]) => {
      const b = el("button", { type: "button", class: "h5l-v-tool", text, title: tip, "aria-label": tip, "aria-pressed": String(tool === ""), "data-tool": tool });
      b.addEventListener("click", () => this.setTool(tool));
      return b;
    });
    this.widthInput = el("input", { type: "number", min: "1", step: "1", value: "1", "aria-label": "profile width (pixels)",
      title: "width of the line profile in pixels: the values across it are reduced by the mean or the sum" });
    this.reduceSelect = select("profile reduction", ["mean", "sum"], "mean", () => this.restyle());
    this.widthInput.addEventListener("change", () => { this.overlay.width = this.width(); this.restyle(); });
    const clear = el("button", { type: "button", text: "Clear", "aria-label": "clear measures", title: "remove every profile and ROI" });
    clear.addEventListener("click", () => this.save({ profiles: [], rois: [] }));
    const csvP = el("button", { type: "button", text: "profile .csv", "aria-label": "export profile CSV" });
    csvP.addEventListener("click", () => this.panel.exportProfile());
    const csvR = el("button", { type: "button", text: "ROI .csv", "aria-label": "export ROI statistics CSV" });
    csvR.addEventListener("click", () => this.panel.exportStats(this.measures().rois));
    this.bar.append(el("span", { class: "h5l-v-caption", text: "measure" }), ...this.buttons);
    this.settings.append(el("label", { text: "profile width " }, this.widthInput), this.reduceSelect, clear, csvP, csvR);
  }

  /** @param {string} tool */
  setTool(tool) {
    for (const b of this.buttons) b.setAttribute("aria-pressed", String(b.dataset.tool === tool));
    this.mask.pressed(tool);
    this.tool = tool;
    // the mask's rectangle and polygon draw as the ROIs do (their pixels go to the mask); its threshold draws nothing
    this.overlay.setTool(isMaskTool(tool) ? maskShape(tool) : tool, isMaskTool(tool));
    this.showSettings();
  }

  /** The panel (settings, message, profile, table): shown while a tool is chosen or something is measured. */
  showSettings() {
    const m = this.measures(), masking = isMaskTool(this.tool ?? "");
    this.settings.hidden = masking;
    this.mask.settings.hidden = !masking;
    this.panel.el.hidden = !this.tool && !m.profiles.length && !m.rois.length && !this.panel.message.textContent;
  }

  /** Width or reduction changed: the active profile takes them. */
  restyle() {
    const m = this.measures(), p = m.profiles.find((q) => q.id === this.overlay.active);
    if (!p) return;
    this.save({ ...m, profiles: m.profiles.map((q) => (q === p ? { ...q, width: this.width(), reduce: this.reduce() } : q)) });
  }

  /**
   * Share `m` with Python, draw and measure it. Measured once (not again on the trait's change
   * event), and the measuring commands leave before the trait: they carry the shapes, so the kernel
   * answers them first and takes the drawing in after (one message ahead of the answer, not two).
   * @param {import("../common/protocol.js").Measures} m
   */
  save(m) {
    this.saving = true;
    try { this.model.set("measures", m); } finally { this.saving = false; }
    this.fromModel();
    this.model.save_changes();
  }

  /** A finished drawing: checked as Python would, then added. @param {string} kind @param {any} entry */
  add(kind, entry) {
    const problem = kind === "profile" ? profileProblem(entry.start, entry.end, this.shape()) : roiProblem(entry, this.shape());
    if (problem) { this.panel.say(problem); if (kind === "profile") this.refresh(false); return; }
    const m = this.measures(), id = nextId(m);
    if (kind === "profile") this.overlay.active = id;
    if (kind === "profile") this.save({ ...m, profiles: [...m.profiles, { id, start: entry.start, end: entry.end, width: this.width(), reduce: this.reduce() }] });
    else this.save({ ...m, rois: [...m.rois, { id, ...entry }] });
  }

  /** A profile's end dragged: measured at each move, saved when dropped. */
  moved(id, start, end, final) {
    const m = this.measures(), p = m.profiles.find((q) => q.id === id);
    if (!p) return;
    const q = { ...p, start, end };
    if (profileProblem(start, end, this.shape())) { if (final) this.fromModel(); return; }
    if (!final) { this.panel.showProfile(q, this.selection(), this.colourOf(m.profiles.indexOf(p))); return; }
    this.save({ ...m, profiles: m.profiles.map((x) => (x.id === id ? q : x)) });
  }

  /** An ROI moved or resized in the page: checked as Python would (else put back), then saved. @param {number} id @param {any} roi */
  edited(id, roi) {
    const m = this.measures();
    const problem = roiProblem(roi, this.shape());
    if (problem) { this.panel.say(problem); this.fromModel(false, false); return; }
    this.save({ ...m, rois: m.rois.map((r) => (r.id === id ? { id, kind: r.kind, y: roi.y, x: roi.x, points: roi.points } : r)) });
  }

  /** Delete (or Backspace) removes the profile or ROI selected. */
  removeSelected() {
    const sel = this.overlay.selected, m = this.measures();
    if (!sel) return false;
    this.overlay.selected = null;
    if (sel.kind === "roi") this.save({ ...m, rois: m.rois.filter((r) => r.id !== sel.id) });
    else this.save({ ...m, profiles: m.profiles.filter((p) => p.id !== sel.id) });
    return true;
  }

  /** Draw what the trait holds and measure it. @param {boolean} [say] clear the message @param {boolean} [measure] */
  fromModel(say = true, measure = true) {
    const m = this.measures();
    this.overlay.measures = structuredClone(m);
    if (!m.profiles.some((p) => p.id === this.overlay.active)) this.overlay.active = m.profiles.at(-1)?.id ?? 0;
    const p = m.profiles.find((q) => q.id === this.overlay.active);
    if (p) { this.widthInput.value = String(p.width); this.reduceSelect.value = p.reduce; }
    this.overlay.render();
    this.showSettings();
    if (say) this.panel.say(this.model.get("measure_problem") ?? "");
    if (measure) this.refresh();
  }

  /**
   * Measure on the frame shown (the profile, and the ROIs unless `rois` is false): only what is not
   * measured yet on this frame, or everything when `again` (the mask changed).
   */
  refresh(rois = true, again = false) {
    if (again) this.panel.forget();
    const m = this.measures(), s = this.selection();
    const i = m.profiles.findIndex((q) => q.id === this.overlay.active);
    this.panel.showProfile(m.profiles[i] ?? null, s, this.colourOf(i));
    if (rois) this.panel.showStats(m.rois, s);
  }

  /** A frame was painted: measures follow the slider; the mask's note. @param {any} frame */
  frameShown(frame) {
    const note = maskNote(this.image.maskCounts ?? { masked: 0, total: 0 }, frame.maskPartialBlocks ?? 0);
    this.viewer.root.dataset.masked = String(this.image.maskCounts?.masked ?? 0);
    this.viewer.extraWarning = note;
    // a frame painted may hold other values (a live file grew, another mask): what was measured is stale
    this.panel.forget();
    if (frame.selection !== this.shownSelection) { this.shownSelection = frame.selection; this.refresh(); }
  }

  /** @param {KeyboardEvent} e @returns {boolean} the key was ours */
  onKey(e) {
    if (e.key === "Escape" && this.overlay.draft) { this.overlay.cancel(); return true; }
    const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement;
    if ((e.key === "Delete" || e.key === "Backspace") && !typing && this.removeSelected()) { e.preventDefault(); return true; }
    if (e.key === "Escape" && this.overlay.selected) { this.overlay.selected = null; this.overlay.render(); return true; }
    if (e.key === "Enter" && this.overlay.draft?.kind === "polygon") { this.overlay.finishPolygon(); return true; }
    return false;
  }

  destroy() {
    for (const [k, cb] of this.listeners) this.model.off(`change:${k}`, cb);
    this.mask.destroy();
    this.overlay.destroy();
    this.panel.destroy();
    this.bar.remove();
  }
}
