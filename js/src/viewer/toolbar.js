// The viewer's toolbar: view choice, complex part, colormap (+ reversed), scale, auto-range,
// manual bounds and percentiles, aggregation, aspect; curve options; reset and exports.
// Every control has an aria-label; colour controls repaint before their trait is synced.
// The menus are the option lists Python sends in `meta.options` (see toolbar_options.js).
import { el, select } from "./dom.js";
import { toolbarOptions } from "./toolbar_options.js";
import { curveAbscissae } from "./meta.js";

/** What each image control does, in words a newcomer reads as tooltips. */
export const TIPS = {
  colormap: "colormap: the colours values are painted with (tick 'reversed' to flip it)",
  scale: "scale: how values map to colours — linear, log (values > 0), sqrt (values ≥ 0), symlog",
  range: "colour range: percentile (the two percentiles below), minmax, std (mean ± 3σ) or manual "
    + "(type the bounds, or drag them on the histogram); always computed on every data pixel of the frame "
    + "(or zoomed region), never on the downsampled display copy",
  percentiles: "percentiles of the data giving the colour range in 'percentile' mode (0–100)",
  aggregation: "downsample by: when the image has more pixels than the screen, each screen pixel shows "
    + "the max (keeps single hot pixels) or the mean of the block of data pixels it covers; "
    + "this changes only the display, not the data's statistics, colour range or histogram",
  aspect: "aspect: equal keeps data pixels square; auto stretches the image to the available space",
  x: "abscissa: what the curve is drawn against — the file's axis (an MCA's calibrated energy, a scan's motor), "
    + "another axis of the same dimension (the MCA channels), or the index",
};

/**
 * Fill the abscissa menu with what the current curve can be drawn against; hidden when only its index.
 * @param {HTMLSelectElement} menu
 * @param {import("../common/protocol.js").ViewerModel} model
 */
export function fillAbscissae(menu, model) {
  const names = curveAbscissae(model.get("meta"), model.get("selection"));
  if (names.join() !== Array.from(menu.options, (o) => o.value).join()) {
    menu.replaceChildren(...names.map((n) => el("option", { value: n, text: n })));
  }
  menu.value = model.get("x");
  (menu.parentElement ?? menu).hidden = names.length < 2;
}

/**
 * A captioned group of controls: a visible short caption, the whole explanation as tooltip.
 * @param {string} caption
 * @param {string} tip
 * @param {...HTMLElement} controls
 */
export function group(caption, tip, ...controls) {
  for (const c of controls) c.title = tip;
  return el("span", { class: "h5l-v-group", title: tip }, el("span", { class: "h5l-v-caption", text: caption }), ...controls);
}

/**
 * Fill `toolbar` for the current view.
 * @param {HTMLElement} toolbar
 * @param {object} ctx {model, controls, save, saveColour, curve(): CurveView|null, range(): [vmin, vmax],
 *   resetZoom(), exportPng(), exportData(fmt)}
 */
export function buildToolbar(toolbar, ctx) {
  const { model, controls, save, saveColour } = ctx;
  toolbar.replaceChildren();
  const kinds = model.get("views") ?? [];
  if (kinds.length > 1) toolbar.append(select("view", kinds, model.get("kind"), (v) => save({ kind: v })));
  const nd = ctx.mode(); // 0 values, 1 curve, 2 image
  const opts = toolbarOptions(model.get("meta"));
  if (opts.parts) toolbar.append(select("complex part", opts.parts, model.get("complex_part"), (v) => save({ complex_part: v })));
  if (nd === 2 && model.get("kind") !== "rgb") {
    const names = model.get("colormap_names") ?? [];
    const current = model.get("colormap");
    const base = current.endsWith("_r") ? current.slice(0, -2) : current;
    const cm = select("colormap", names.includes(base) ? names : [base, ...names], base, () => setColormap());
    const rev = el("input", { type: "checkbox", "aria-label": "reverse colormap" });
    rev.checked = current.endsWith("_r");
    rev.addEventListener("change", () => setColormap());
    const setColormap = () => saveColour({ colormap: cm.value + (rev.checked ? "_r" : "") });
    controls.colormap = cm; controls.reverse = rev;
    toolbar.append(group("colormap", TIPS.colormap, cm, el("label", { text: "reversed " }, rev)));
    controls.scale = select("scale", opts.scales, model.get("scale"), (v) => saveColour({ scale: v }));
    controls.autoscale = select("auto range", opts.autoscales, model.get("autoscale"), (v) => saveColour({ autoscale: v }));
    toolbar.append(group("scale", TIPS.scale, controls.scale));
    const bounds = [];
    for (const k of ["vmin", "vmax"]) {
      const input = el("input", { type: "text", class: "h5l-v-range", "aria-label": k === "vmin" ? "minimum" : "maximum" });
      input.addEventListener("change", () => {
        const v = Number(input.value);
        if (!Number.isFinite(v)) return;
        const [lo, hi] = ctx.range() ?? [v, v]; // the exact shown range, not the rounded text
        saveColour({ autoscale: "manual", vmin: k === "vmin" ? v : lo, vmax: k === "vmax" ? v : hi });
      });
      controls[k] = input;
      bounds.push(input);
    }
    toolbar.append(group("range", TIPS.range, controls.autoscale, bounds[0], el("span", { text: "–" }), bounds[1]));
    const pct = model.get("percentiles") ?? [0.1, 99.9];
    const pin = (i, aria) => {
      const input = el("input", { type: "number", min: "0", max: "100", step: "0.1", value: String(pct[i]), "aria-label": aria, class: "h5l-v-pct" });
      input.addEventListener("change", () => {
        const p = (model.get("percentiles") ?? [0.1, 99.9]).slice();
        const v = Math.max(0, Math.min(100, Number(input.value)));
        if (!Number.isFinite(v)) return;
        p[i] = v;
        if (p[0] < p[1]) saveColour({ percentiles: p, autoscale: "percentile" });
      });
      return input;
    };
    toolbar.append(group("percentiles", TIPS.percentiles, pin(0, "low percentile"), el("span", { text: "–" }),
      pin(1, "high percentile"), el("span", { text: "%" })));
    controls.aggregation = select("aggregation of pixels when downsampling (display only)", opts.aggregations, model.get("aggregation"), (v) => save({ aggregation: v }));
    controls.aspect = select("aspect ratio", opts.aspects, model.get("aspect"), (v) => save({ aspect: v }));
    toolbar.append(group("downsample by", TIPS.aggregation, controls.aggregation), group("aspect", TIPS.aspect, controls.aspect));
  } else {
    controls.vmin = el("input"); controls.vmax = el("input");
  }
  if (nd === 1) {
    const logx = el("input", { type: "checkbox", "aria-label": "log x" });
    const logy = el("input", { type: "checkbox", "aria-label": "log y" });
    const style = select("curve style", ["lines", "points", "both"], "lines", () => ctx.curve()?.setOptions({ style: style.value }));
    logx.addEventListener("change", () => ctx.curve()?.setOptions({ logx: logx.checked }));
    logy.addEventListener("change", () => ctx.curve()?.setOptions({ logy: logy.checked }));
    // what the curve is drawn against (an MCA's energy, its channels, the index): Python's `x`
    controls.x = select("abscissa", [], "", (v) => save({ x: v }));
    controls.x.title = TIPS.x;
    const pin = el("button", { type: "button", "aria-label": "pin this curve", text: "Pin" });
    const clear = el("button", { type: "button", "aria-label": "clear pinned curves", text: "Clear pins" });
    pin.addEventListener("click", () => ctx.curve()?.pin());
    clear.addEventListener("click", () => ctx.curve()?.clearPins());
    toolbar.append(el("label", { class: "h5l-v-abscissa", text: "x " }, controls.x),
      el("label", { text: "log x " }, logx), el("label", { text: "log y " }, logy), style, pin, clear);
    fillAbscissae(controls.x, model);
  }
  if (nd >= 1) {
    const reset = el("button", { type: "button", "aria-label": "reset zoom", text: "Reset" });
    reset.addEventListener("click", () => ctx.resetZoom());
    const png = el("button", { type: "button", "aria-label": "export PNG", text: "PNG" });
    png.addEventListener("click", () => ctx.exportPng());
    toolbar.append(reset, png);
  }
  if (nd >= 1 || model.get("kind") === "table") {
    for (const fmt of opts.exports) {
      const b = el("button", { type: "button", "aria-label": `export .${fmt}`, text: `.${fmt}` });
      b.addEventListener("click", () => ctx.exportData(fmt));
      toolbar.append(b);
    }
  }
  if (model.get("code")) toolbar.append(copyCodeButton(model));
  const fps = el("input", { type: "number", min: "0.1", max: "120", step: "1", value: String(model.get("fps")), "aria-label": "frames per second" });
  fps.addEventListener("change", () => save({ fps: Math.max(0.1, Math.min(120, Number(fps.value) || 10)) }));
  const dims = model.get("meta")?.dims ?? [];
  const shown = model.get("kind") === "rgb" ? 3 : model.get("ndisplay");
  if (shown >= 1 && dims.filter((d) => d.size > 1).length > shown) toolbar.append(el("label", { text: "fps " }, fps));
}

/**
 * "Code": puts on the clipboard the Python that reads what is shown (the `code` trait, which
 * Python keeps in step with the selection); shows it in a text box when the page may not
 * write the clipboard.
 * @param {import("../common/protocol.js").ViewerModel} model
 */
function copyCodeButton(model) {
  const b = el("button", { type: "button", class: "h5l-v-code", "aria-label": "copy as code",
    title: "copy the Python that reads exactly what is shown (h5lens, then the plain h5py / silx.io equivalent)", text: "Code" });
  b.addEventListener("click", async () => {
    const text = model.get("code") ?? "";
    try {
      await navigator.clipboard.writeText(text);
      b.textContent = "Copied";
      setTimeout(() => { b.textContent = "Code"; }, 1500);
    } catch {
      const box = el("textarea", { class: "h5l-v-codebox", readonly: "", rows: "6", "aria-label": "code to copy" });
      box.value = text;
      b.after(box);
      box.select();
    }
  });
  return b;
}
