// The slice selector: which dimension is x (and y), one slider per other dimension with
// its index and axis value, step buttons, a stride per displayed axis, play/pause with a
// frame rate. It owns a dimension mapping and reports selection strings.
import { parse, format, isSlice, fromMapping, toMapping, isTransposed } from "./selection.js";
import { label } from "./ticks.js";
import { el } from "./dom.js";

/**
 * The dimension mapping and strides a selection describes: "y"/"x" for the kept dimensions
 * (swapped when `transposed`), "c" for the channels of an RGB image, indices elsewhere.
 * @param {string} text
 * @param {{shape: number[], rgb?: boolean}} spec
 * @param {boolean} transposed
 * @returns {{mapping: Array<number | string>, strides: Record<string, number> | null}} strides null for RGB
 */
export function mappingOf(text, { shape, rgb = false }, transposed) {
  const items = parse(text, shape);
  if (rgb) {
    // the channels and the image's rows and columns are shown; the dimensions before are indices
    const mapping = items.map((it, d) => (d >= shape.length - 3 ? ["y", "x", "c"][d - shape.length + 3] : /** @type {number} */ (it)));
    return { mapping, strides: null };
  }
  let mapping = toMapping(text, shape);
  if (transposed && mapping.includes("y")) mapping = mapping.map((m) => (m === "x" ? "y" : m === "y" ? "x" : m));
  /** @type {Record<string, number>} */
  const strides = { x: 1, y: 1 };
  items.forEach((it, d) => { if (isSlice(it)) strides[mapping[d]] = it.step; });
  return { mapping, strides };
}

/**
 * The mapping once dimension `dim` is shown as `axis`: the other axis swaps in when `dim`
 * showed it, else the dimension that showed `axis` becomes a slider at index 0.
 * @param {Array<number | string>} mapping
 * @param {string} axis "x" or "y"
 * @param {number} dim
 */
export function assignAxis(mapping, axis, dim) {
  const out = mapping.slice();
  const other = axis === "x" ? "y" : "x";
  const old = out.indexOf(axis);
  if (old === dim) return out;
  if (out[dim] === other) { out[dim] = axis; out[old] = other; } else {
    out[dim] = axis;
    if (old >= 0) out[old] = 0;
  }
  return out;
}

/**
 * The selector's state without its controls: the mapping, strides, the active slider and the
 * one playing; it reports selection strings. `Slicer` adds the DOM (render, _sync, setPlaying).
 */
export class SliceState {
  /**
   * @param {{shape: number[], dims?: any[], ndisplay: number, rgb: boolean}} spec
   * @param {{onChange: Function, onPlay: Function}} hooks onChange({selection, transposed, final}), onPlay(dim|null)
   */
  constructor(spec, hooks) {
    this.spec = spec;
    this.hooks = hooks;
    /** @type {Array<number | string>} */
    this.mapping = [];
    /** @type {Record<string, number>} stride per displayed axis */
    this.strides = { x: 1, y: 1 };
    this.active = null; // the slider the keyboard moves
    /** @type {number | null} the slider playing */
    this.playing = null;
  }

  /** Show the controls anew (the DOM selector does). */
  render() {}

  /** Show slider `d`'s index (the DOM selector does). @param {number} d */
  _sync(d) { void d; }

  /** @param {number | null} dim the slider playing, or null */
  setPlaying(dim) { this.playing = dim; }

  get sliders() { return this.mapping.map((m, d) => (typeof m === "number" ? d : -1)).filter((d) => d >= 0); }

  /** Take a selection from Python (or the initial one). */
  setSelection(text, transposed) {
    const { mapping, strides } = mappingOf(text, this.spec, transposed);
    this.mapping = mapping;
    if (strides) this.strides = strides;
    if (this.active === null || typeof this.mapping[this.active] !== "number") this.active = this.sliders[0] ?? null;
    this.render();
  }

  selection() {
    const { shape, rgb } = this.spec;
    if (rgb) return format(this.mapping.map((m) => (typeof m === "number" ? m : { start: 0, stop: Infinity, step: 1 })), shape);
    return fromMapping(this.mapping, shape, this.strides);
  }

  transposed() { return !this.spec.rgb && isTransposed(this.mapping); }

  _emit(final = true) { this.hooks.onChange({ selection: this.selection(), transposed: this.transposed(), final }); }

  /** Move slider `dim` to `index` (clamped); returns whether it moved. */
  setIndex(dim, index, final = true) {
    const n = this.spec.shape[dim];
    const i = Math.max(0, Math.min(n - 1, Math.round(index)));
    if (this.mapping[dim] === i) return false;
    this.mapping[dim] = i;
    this.active = dim;
    this._sync(dim);
    this._emit(final);
    return true;
  }

  step(delta, dim = this.active) {
    if (dim === null || dim === undefined) return false;
    return this.setIndex(dim, this.mapping[dim] + delta);
  }

  _assign(axis, dim) {
    if (this.mapping.indexOf(axis) === dim) return;
    this.mapping = assignAxis(this.mapping, axis, dim);
    if (typeof this.mapping[this.active] !== "number") this.active = this.sliders[0] ?? null;
    this.render();
    this._emit();
  }

  _axisValue(dim, i) {
    const v = this.spec.dims?.[dim]?.values;
    return v && i < v.length ? label(v[i]) : null;
  }

}

/** The slice selector in the page: its controls over a SliceState. */
export class Slicer extends SliceState {
  /**
   * @param {HTMLElement} parent
   * @param {{shape: number[], dims?: any[], ndisplay: number, rgb: boolean}} spec
   * @param {{onChange: Function, onPlay: Function}} hooks
   */
  constructor(parent, spec, hooks) {
    super(spec, hooks);
    this.root = el("div", { class: "h5l-v-slicer", role: "group", "aria-label": "slice selector" });
    parent.appendChild(this.root);
  }

  render() {
    const { shape, dims = [], ndisplay, rgb } = this.spec;
    this.root.replaceChildren();
    this.rows = {};
    const name = (d) => dims[d]?.label || dims[d]?.name || `dim ${d}`;
    if (!rgb && shape.length > ndisplay) {
      const axes = el("div", { class: "h5l-v-axes" });
      for (const axis of ndisplay === 2 ? ["y", "x"] : ["x"]) {
        const sel = el("select", { "aria-label": `dimension shown as ${axis}` });
        shape.forEach((n, d) => sel.append(el("option", { value: String(d), text: `${name(d)} (${n})` })));
        sel.value = String(this.mapping.indexOf(axis));
        sel.addEventListener("change", () => this._assign(axis, Number(sel.value)));
        axes.append(el("label", { text: `${axis}: ` }, sel));
      }
      this.root.append(axes);
    }
    if (!rgb) {
      const strides = el("div", { class: "h5l-v-strides" });
      for (const axis of ndisplay === 2 ? ["y", "x"] : ["x"]) {
        const input = el("input", { type: "number", min: "1", step: "1", value: String(this.strides[axis]), "aria-label": `stride along ${axis}` });
        input.addEventListener("change", () => {
          const v = Math.max(1, Math.round(Number(input.value) || 1));
          input.value = String(v);
          if (v !== this.strides[axis]) { this.strides[axis] = v; this._emit(); }
        });
        strides.append(el("label", { text: `${axis} stride ` }, input));
      }
      this.root.append(strides);
    }
    for (const d of this.sliders) {
      const n = shape[d];
      if (n === 1) continue; // a dimension of length one has nothing to slide through
      const range = el("input", { type: "range", min: "0", max: String(n - 1), step: "1", value: String(this.mapping[d]), "aria-label": `index of ${name(d)}` });
      const num = el("input", { type: "number", min: "0", max: String(n - 1), step: "1", value: String(this.mapping[d]), "aria-label": `index of ${name(d)} (number)` });
      const prev = el("button", { type: "button", "aria-label": `previous ${name(d)}`, text: "◀" });
      const next = el("button", { type: "button", "aria-label": `next ${name(d)}`, text: "▶" });
      const play = el("button", { type: "button", class: "h5l-v-play", "aria-label": `play along ${name(d)}`, "aria-pressed": String(this.playing === d), text: this.playing === d ? "Pause" : "Play" });
      const value = el("span", { class: "h5l-v-axisvalue", text: this._axisValue(d, this.mapping[d]) ?? "" });
      range.addEventListener("input", () => this.setIndex(d, Number(range.value), false));
      range.addEventListener("change", () => this._emit(true));
      num.addEventListener("change", () => this.setIndex(d, Number(num.value)));
      prev.addEventListener("click", () => this.step(-1, d));
      next.addEventListener("click", () => this.step(1, d));
      play.addEventListener("click", () => this.hooks.onPlay(this.playing === d ? null : d));
      const row = el("div", { class: "h5l-v-dim" }, el("span", { class: "h5l-v-dimname", text: `${name(d)}` }),
        prev, range, next, num, el("span", { class: "h5l-v-dimsize", text: `of 0…${n - 1}`,
          title: `positions count from 0, as Python indexes: 0 is the first of ${n}, ${n - 1} the last` }), value, play);
      this.rows[d] = { range, num, value, play };
      this.root.append(row);
    }
  }

  _sync(d) {
    const row = this.rows?.[d];
    if (!row) return;
    row.range.value = String(this.mapping[d]);
    row.num.value = String(this.mapping[d]);
    row.value.textContent = this._axisValue(d, this.mapping[d]) ?? "";
  }

  /** @param {number | null} dim */
  setPlaying(dim) {
    this.playing = dim;
    for (const [d, row] of Object.entries(this.rows ?? {})) {
      const on = Number(d) === dim;
      row.play.textContent = on ? "Pause" : "Play";
      row.play.setAttribute("aria-pressed", String(on));
    }
  }

  destroy() { this.root.remove(); }
}
