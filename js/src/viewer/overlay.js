// The measures drawn over the image: an SVG laid exactly over the image canvas, redrawn at each
// draw of the image (so it follows zoom and pan). With a tool chosen, a drag on the image draws
// a profile (horizontal, vertical or free line) or an ROI (rectangle, ellipse; a polygon is
// clicked point by point and closed by a double-click or Enter); a profile's ends can be dragged
// in any mode. Escape drops what is being drawn. Positions are (row, col) of pixel centres. With
// `masking` on, a rectangle or polygon drawn is for the mask (dashed, in the mask colour).
import { dragLine, dragRoi, editRoi, moveLine, polygonRoi, toFramePoint, toPixel } from "./measure_geometry.js";

const NS = "http://www.w3.org/2000/svg";
/** Profile colours (as curves'), by position in the list. */
export const PROFILE_COLOURS = ["#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#17becf"];

/**
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @returns {SVGElement}
 */
function svg(tag, attrs = {}) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/**
 * @typedef {object} OverlayHooks
 * @property {(entry: {start: number[], end: number[]} | null) => void} draftProfile a line being drawn (null: dropped)
 * @property {(roi: any) => void} draftRoi an ROI being drawn or dragged (its statistics may be asked ahead)
 * @property {(kind: string, entry: any) => void} commit a finished drawing: kind "profile", "roi" or "mask"
 * @property {(id: number, start: number[], end: number[], final: boolean) => void} moveProfile an end dragged
 * @property {(id: number) => void} select a profile clicked
 * @property {(id: number, roi: any) => void} editRoi an ROI moved or resized (on release)
 */

export class Overlay {
  /**
   * @param {import("./image.js").ImageView} image
   * @param {OverlayHooks} hooks
   */
  constructor(image, hooks) {
    this.image = image;
    this.hooks = hooks;
    this.tool = "";
    this.masking = false; // what is drawn goes to the mask
    /** @type {import("../common/protocol.js").Measures} */ this.measures = { profiles: [], rois: [] };
    this.active = 0; // id of the profile shown below the image
    /** @type {{kind: string, id: number} | null} the profile or ROI selected (moved, resized, deleted) */ this.selected = null;
    this.width = 1; // width of the profile being drawn
    /** @type {any} what is being drawn: {kind, a, b} or a polygon's {kind, points, b} */ this.draft = null;
    this.root = /** @type {SVGSVGElement} */ (svg("svg", { class: "h5l-v-overlay", "aria-label": "measures" }));
    this.clip = svg("clipPath", { id: `h5l-clip-${Math.random().toString(36).slice(2)}` });
    this.clipRect = svg("rect");
    this.clip.append(this.clipRect);
    this.catcher = svg("rect", { class: "h5l-v-catch", x: 0, y: 0 });
    this.layer = svg("g", { "clip-path": `url(#${this.clip.id})` });
    this.root.append(svg("defs"), this.catcher, this.layer);
    this.root.firstElementChild.append(this.clip);
    image.canvas.after(this.root);
    this._listen();
  }

  /** @param {string} tool "" (pan and zoom) or one of TOOLS @param {boolean} [masking] drawn for the mask */
  setTool(tool, masking = false) {
    this.tool = tool;
    this.masking = masking && !!tool;
    this.draft = null;
    this.root.classList.toggle("h5l-v-drawing", !!tool);
    this.render();
  }

  /** Frame point (CSS px of the canvas) of (row, col). @param {number[]} rc */
  _screen(rc) {
    const p = toFramePoint(rc);
    return this.image.toScreen(p.x, p.y);
  }

  /** [row, col] under a pointer event. @param {PointerEvent | MouseEvent} e */
  _at(e) {
    const box = this.image.canvas.getBoundingClientRect();
    return toPixel(this.image.toFrame(e.clientX - box.left, e.clientY - box.top));
  }

  _shape() { return this.image.frame?.frameShape ?? [1, 1]; }

  /** Redraw everything (the image moved, or what is drawn changed). */
  render() {
    const cv = this.image.canvas, img = this.image;
    const w = cv.clientWidth, h = cv.clientHeight;
    Object.assign(this.root.style, { left: `${cv.offsetLeft}px`, top: `${cv.offsetTop}px`, width: `${w}px`, height: `${h}px` });
    this.root.setAttribute("viewBox", `0 0 ${w} ${h}`);
    for (const [k, v] of Object.entries({ width: w, height: h })) this.catcher.setAttribute(k, String(v));
    this.layer.replaceChildren();
    if (!img.frame || !img.view) return;
    const r = img.plotRect();
    for (const [k, v] of Object.entries({ x: r.x, y: r.y, width: r.w, height: r.h })) this.clipRect.setAttribute(k, String(v));
    this.measures.rois.forEach((roi) => this.layer.append(this._roi(roi, "h5l-v-roi")));
    this.measures.profiles.forEach((p, i) => this.layer.append(this._profile(p, PROFILE_COLOURS[i % PROFILE_COLOURS.length])));
    const d = this.draft;
    if (d?.kind === "profile") this.layer.append(this._profile({ id: 0, ...d.line, width: this.width, reduce: "mean" }, "#ffffff", true));
    else if (d && d.kind !== "polygon") this.layer.append(this._masked(this._roi({ id: 0, ...dragRoi(d.kind, d.a, d.b) }, "h5l-v-roi h5l-v-draft")));
    else if (d) this.layer.append(this._masked(this._polyline([...d.points, d.b])));
  }

  /** A drawing for the mask: in the mask colour. @param {SVGElement} g */
  _masked(g) {
    if (this.masking) { g.classList.add("h5l-v-mask-draft"); g.style.setProperty("--h5l-mask", this.image.maskColour); }
    return g;
  }

  /** @param {number[][]} points */
  _polyline(points) {
    return svg("polyline", { class: "h5l-v-roi h5l-v-draft", points: points.map((p) => { const s = this._screen(p); return `${s.x},${s.y}`; }).join(" ") });
  }

  /** @param {import("../common/protocol.js").MeasureRoi} roi @param {string} cls */
  _roi(roi, cls) {
    const g = svg("g", { "data-id": roi.id, "data-kind": roi.kind });
    if (roi.kind === "polygon") {
      const pts = roi.points.map((p) => { const s = this._screen(p); return `${s.x},${s.y}`; }).join(" ");
      g.append(svg("polygon", { class: cls, points: pts }));
    } else {
      // pixel centres y0..y1 cover the pixels' whole area: half a pixel beyond on each side
      const a = this._screen([roi.y[0] - 0.5, roi.x[0] - 0.5]), b = this._screen([roi.y[1] + 0.5, roi.x[1] + 0.5]);
      g.append(roi.kind === "rect"
        ? svg("rect", { class: cls, x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y })
        : svg("ellipse", { class: cls, cx: (a.x + b.x) / 2, cy: (a.y + b.y) / 2, rx: (b.x - a.x) / 2, ry: (b.y - a.y) / 2 }));
    }
    if (roi.id) this._editable(g, roi);
    if (roi.id) {
      const at = this._screen([roi.y[0] - 0.5, roi.x[0] - 0.5]);
      const t = svg("text", { class: "h5l-v-roi-label", x: at.x + 3, y: at.y + 12 });
      t.textContent = `ROI ${roi.id}`;
      g.append(t);
    }
    return g;
  }

  /**
   * A profile: its band (width), its line and its two draggable ends.
   * @param {import("../common/protocol.js").MeasureProfile} p
   * @param {string} colour
   * @param {boolean} [draft]
   */
  _profile(p, colour, draft = false) {
    const g = svg("g", { class: `h5l-v-profile${p.id === this.active ? " h5l-v-active" : ""}`, "data-id": p.id });
    const [a, b] = [p.start, p.end];
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (p.width > 1 && len > 0) { // the band the width averages over, perpendicular to the line
      const k = p.width / 2 / len, dr = (b[1] - a[1]) * k, dc = -(b[0] - a[0]) * k;
      const corners = [[a[0] + dr, a[1] + dc], [b[0] + dr, b[1] + dc], [b[0] - dr, b[1] - dc], [a[0] - dr, a[1] - dc]];
      g.append(svg("polygon", { class: "h5l-v-band", fill: colour,
        points: corners.map((c) => { const s = this._screen(c); return `${s.x},${s.y}`; }).join(" ") }));
    }
    const s0 = this._screen(a), s1 = this._screen(b);
    const line = svg("line", { class: "h5l-v-line", stroke: colour, x1: s0.x, y1: s0.y, x2: s1.x, y2: s1.y });
    g.append(svg("line", { class: "h5l-v-halo", x1: s0.x, y1: s0.y, x2: s1.x, y2: s1.y }), line);
    if (draft) return g;
    // in pan mode the line is grabbed: selected, and moved whole by a drag
    line.addEventListener("pointerdown", (e) => { if (!this.tool) this._drag(/** @type {PointerEvent} */ (e), "profile", p, (d, at, final) => {
      const q = moveLine(this._grabbed, d, this._shape());
      p.start = q.start; p.end = q.end;
      this.hooks.moveProfile(p.id, q.start, q.end, final);
    }); });
    [s0, s1].forEach((s, end) => {
      const h = svg("circle", { class: "h5l-v-handle", cx: s.x, cy: s.y, r: 5, stroke: colour, "data-end": end,
        "aria-label": `profile ${p.id} ${end ? "end" : "start"}` });
      h.addEventListener("pointerdown", (e) => this._dragEnd(/** @type {PointerEvent} */ (e), p, end));
      g.append(h);
    });
    return g;
  }

  /** Drag one end of profile `p` (the other stays). @param {PointerEvent} e @param {any} p @param {number} end */
  _dragEnd(e, p, end) {
    if (e.button !== 0) return;
    e.stopPropagation(); e.preventDefault();
    this.selected = { kind: "profile", id: p.id };
    this._focus();
    // the handle is redrawn at each move: the window follows the pointer, not the element
    const target = window;
    this.hooks.select(p.id);
    const [H, W] = this._shape();
    const move = (/** @type {PointerEvent} */ ev, final = false) => {
      const q = this._at(ev);
      const at = [Math.min(H - 1, Math.max(0, q[0])), Math.min(W - 1, Math.max(0, q[1]))];
      const start = end === 0 ? at : p.start, stop = end === 1 ? at : p.end;
      p.start = start; p.end = stop; // shown at once; the kernel measures it (stale requests dropped)
      this.render();
      this.hooks.moveProfile(p.id, start, stop, final);
    };
    const onMove = (/** @type {PointerEvent} */ ev) => move(ev);
    const onUp = (/** @type {PointerEvent} */ ev) => {
      target.removeEventListener("pointermove", onMove);
      target.removeEventListener("pointerup", onUp);
      move(ev, true);
    };
    target.addEventListener("pointermove", onMove);
    target.addEventListener("pointerup", onUp);
  }

  /** The viewer takes the keys (Delete, Escape) once a measure is grabbed (the drag keeps focus from moving). */
  _focus() { /** @type {HTMLElement | null} */ (this.image.canvas.closest(".h5l-viewer"))?.focus({ preventScroll: true }); }

  /**
   * A drawn ROI can be grabbed (pan mode): its outline selects and moves it, the selected one's inside
   * too, its handles (corners, a polygon's vertices) resize it.
   * @param {SVGElement} g @param {any} roi
   */
  _editable(g, roi) {
    const shape = /** @type {SVGElement} */ (g.firstElementChild);
    const hit = /** @type {SVGElement} */ (shape.cloneNode());
    hit.setAttribute("class", "h5l-v-hit");
    g.append(hit);
    const selected = this.selected?.kind === "roi" && this.selected.id === roi.id;
    if (selected) shape.classList.add("h5l-v-selected");
    for (const el of selected ? [hit, shape] : [hit]) {
      el.addEventListener("pointerdown", (e) => this._dragRoi(/** @type {PointerEvent} */ (e), roi, "move"));
    }
    if (!selected) return;
    const handles = roi.kind === "polygon"
      ? roi.points.map((/** @type {number[]} */ p, /** @type {number} */ k) => [p, { vertex: k }])
      : [[0, 0], [0, 1], [1, 0], [1, 1]].map(([i, j]) => [[roi.y[i] + (i ? 0.5 : -0.5), roi.x[j] + (j ? 0.5 : -0.5)], { corner: [i, j] }]);
    for (const [at, what] of handles) {
      const s = this._screen(at);
      const h = svg("circle", { class: "h5l-v-handle h5l-v-roi-handle", cx: s.x, cy: s.y, r: 5, stroke: "#fff",
        "aria-label": `ROI ${roi.id} ${"vertex" in what ? `vertex ${what.vertex}` : `corner ${what.corner.join(" ")}`}` });
      h.addEventListener("pointerdown", (e) => this._dragRoi(/** @type {PointerEvent} */ (e), roi, what));
      g.append(h);
    }
  }

  /** Move or resize `roi` with the pointer; Python gets it on release. @param {PointerEvent} e @param {any} roi @param {any} what */
  _dragRoi(e, roi, what) {
    const orig = structuredClone(roi);
    // a corner handle stands half a pixel outside the pixel centres: the pixel under the pointer is the corner
    const inward = (/** @type {number[]} */ at) => (typeof what === "object" && "corner" in what
      ? [at[0] + (what.corner[0] ? -0.5 : 0.5), at[1] + (what.corner[1] ? -0.5 : 0.5)] : at);
    this._drag(e, "roi", roi, (d, at, final) => {
      Object.assign(roi, editRoi(orig, what, d, inward(at)));
      if (final) this.hooks.editRoi(roi.id, { ...roi }); else this.hooks.draftRoi({ ...roi });
    });
  }

  /**
   * A drag of measure `m` in pan mode: it is selected, `onMove(d, at, final)` follows the pointer
   * (d: [drow, dcol] from where it was grabbed) and the overlay is redrawn at each move.
   * @param {PointerEvent} e @param {string} kind @param {any} m
   * @param {(d: number[], at: number[], final: boolean) => void} onMove
   */
  _drag(e, kind, m, onMove) {
    if (this.tool || e.button !== 0) return;
    e.stopPropagation(); e.preventDefault();
    this.selected = { kind, id: m.id };
    if (kind === "profile") this.hooks.select(m.id); else this.render();
    this._focus();
    const from = this._at(e);
    this._grabbed = { start: [...(m.start ?? [])], end: [...(m.end ?? [])] };
    let moved = false;
    const move = (/** @type {PointerEvent} */ ev, final = false) => {
      const at = this._at(ev), d = [at[0] - from[0], at[1] - from[1]];
      moved ||= d[0] !== 0 || d[1] !== 0;
      if (!moved) return; // a click selects, and changes nothing
      onMove(d, at, final);
      this.render();
    };
    const onMoveEvent = (/** @type {PointerEvent} */ ev) => move(ev);
    const onUp = (/** @type {PointerEvent} */ ev) => {
      window.removeEventListener("pointermove", onMoveEvent);
      window.removeEventListener("pointerup", onUp);
      move(ev, true);
    };
    window.addEventListener("pointermove", onMoveEvent);
    window.addEventListener("pointerup", onUp);
  }

  _listen() {
    const c = this.catcher;
    c.addEventListener("pointerdown", (e) => {
      const ev = /** @type {PointerEvent} */ (e);
      if (!this.tool || ev.button !== 0 || !this.image.frame) return;
      c.setPointerCapture?.(ev.pointerId);
      const at = this._at(ev);
      if (this.tool === "polygon") {
        if (this.draft?.kind === "polygon") this.draft.points.push(at);
        else this.draft = { kind: "polygon", points: [at], b: at };
      } else {
        this.draft = this.tool.endsWith("line") ? { kind: "profile", tool: this.tool, a: at, line: { start: at, end: at } } : { kind: this.tool, a: at, b: at };
      }
      this.render();
    });
    c.addEventListener("pointermove", (e) => {
      const d = this.draft;
      if (!d) return;
      const at = this._at(/** @type {PointerEvent} */ (e));
      if (d.kind === "profile") {
        d.line = dragLine(d.tool, d.a, at, this._shape());
        this.hooks.draftProfile(d.line);
      } else {
        d.b = at;
        if (!this.masking && d.kind !== "polygon") this.hooks.draftRoi(dragRoi(d.kind, d.a, d.b));
      }
      this.render();
    });
    c.addEventListener("pointerup", () => {
      const d = this.draft;
      if (!d || d.kind === "polygon") return;
      this.draft = null;
      if (d.kind === "profile") this.hooks.commit("profile", { ...d.line, width: this.width });
      else this.hooks.commit(this.masking ? "mask" : "roi", dragRoi(d.kind, d.a, d.b));
      this.render();
    });
    c.addEventListener("dblclick", () => this.finishPolygon());
    // a double-click closes a polygon: it must not select the page's text around the image
    c.addEventListener("mousedown", (e) => { if (/** @type {MouseEvent} */ (e).detail > 1) e.preventDefault(); });
    // the wheel still zooms while a tool is chosen
    c.addEventListener("wheel", (e) => {
      const ev = /** @type {WheelEvent} */ (e);
      if (!this.image.frame) return;
      ev.preventDefault();
      const box = this.image.canvas.getBoundingClientRect();
      const p = this.image.toFrame(ev.clientX - box.left, ev.clientY - box.top);
      this.image.zoom(ev.deltaY < 0 ? 1 / 1.25 : 1.25, p.x, p.y);
    }, { passive: false });
  }

  /** Close the polygon being clicked (double-click, Enter). */
  finishPolygon() {
    const d = this.draft;
    if (d?.kind !== "polygon") return;
    this.draft = null;
    // a double-click adds its point twice (two pointerdowns): consecutive repeats are one corner
    const pts = d.points.filter((p, i) => i === 0 || p[0] !== d.points[i - 1][0] || p[1] !== d.points[i - 1][1]);
    this.hooks.commit(this.masking ? "mask" : "roi", polygonRoi(pts));
    this.render();
  }

  /** Drop what is being drawn (Escape). */
  cancel() {
    if (this.draft?.kind === "profile") this.hooks.draftProfile(null);
    this.draft = null;
    this.render();
  }

  destroy() { this.root.remove(); }
}
