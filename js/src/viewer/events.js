// The viewer's listeners: trait changes from Python (selection, colour, options, the view
// itself), keys, the pointer or focus leaving (colour changes are saved then), and resizes.
import { COLOUR_TRAITS } from "./colour_state.js";
import { onViewerKey } from "./keys.js";

/**
 * Start listening for `v`; returns the function that stops every listener it started.
 * @param {import("./index.js").Viewer} v
 * @returns {() => void}
 */
export function listen(v) {
  const model = v.model, root = v.root;
  /** @type {Array<[string, () => void]>} */
  const listeners = [];
  const on = (/** @type {string} */ name, /** @type {() => void} */ cb) => {
    model.on(`change:${name}`, cb); listeners.push([name, cb]);
  };
  /** @type {Array<[string, (e: any) => void]>} */
  const domListeners = [
    ["keydown", (e) => { if (!v.panel?.measure?.onKey(e)) onViewerKey(e, v); }],
    ["pointerleave", () => v.colour.flush()],
    ["focusout", (e) => { if (!root.contains(e.relatedTarget)) v.colour.flush(); }],
  ];
  for (const [name, cb] of domListeners) root.addEventListener(name, cb);
  on("selection", () => v.followSelection());
  on("transposed", () => {
    if (v.player.playing || !v.slicer) return;
    v.slicer.setSelection(model.get("selection"), model.get("transposed"));
    v.labelAxes();
    v.load();
  });
  for (const k of COLOUR_TRAITS) on(k, () => {
    const c = v.controls;
    if (c[k] && k !== "vmin" && k !== "vmax") c[k].value = model.get(/** @type {any} */ (k));
    if (k === "colormap" && c.colormap) {
      const name = model.get("colormap");
      c.reverse.checked = name.endsWith("_r");
      c.colormap.value = name.endsWith("_r") ? name.slice(0, -2) : name;
    }
    v.panel?.recolour().catch((e) => v.showError(e));
  });
  on("aspect", () => {
    if (v.image) { v.image.aspect = model.get("aspect"); v.image.draw(); }
    if (v.controls.aspect) v.controls.aspect.value = model.get("aspect");
  });
  on("x", () => { // the curve's abscissa: relabel and fetch its x values
    v.labelAxes();
    if (v.curve) v.load();
  });
  on("curves", () => { // curves overlaid from Python or the explorer
    if (v.curve) v.loadOverlays().catch((e) => v.showError(e));
  });
  for (const k of ["aggregation", "complex_part"]) on(k, () => {
    if (v.controls[k]) v.controls[k].value = model.get(/** @type {any} */ (k));
    v.load();
  });
  for (const k of ["kind", "ndisplay", "meta", "error"]) on(k, () => {
    if (k === "meta" && v.grown()) return; // the file grew (follow): the sliders take the new sizes in place
    clearTimeout(v.timers.rebuild);
    v.timers.rebuild = setTimeout(() => v.build(), 0);
  });
  const onResize = () => {
    if (v.waitLayout && v.image?.availableSize()) { v.waitLayout = false; v.load(); return; }
    v.image?.draw();
  };
  const resizeObserver = typeof ResizeObserver === "function" ? new ResizeObserver(onResize) : null;
  resizeObserver?.observe(root);
  // JupyterLab switches themes by attributes of <body>: the colours the canvases read at each draw
  // (axes, ticks, titles, histogram) need a draw, else a plot drawn in Light stays dark grey in Dark
  // JupyterLab changes the theme while the shell is laid out anew (the view is 0 px wide for a moment,
  // and no resize is reported): a draw then would size the canvas to its fallback 600 × 400 and stay
  // stretched, so the draw waits for the layout (a few animation frames at most)
  const onTheme = (tries = 30) => {
    if (!root.clientWidth && tries > 0) { requestAnimationFrame(() => onTheme(tries - 1)); return; }
    v.image?.draw();
    v.panel?.hist?.draw();
    v.curve?.plot?.redraw(false, true);
  };
  const themeObserver = typeof MutationObserver === "function" ? new MutationObserver(() => onTheme()) : null;
  themeObserver?.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-light", "data-jp-theme-name"] });
  return () => {
    themeObserver?.disconnect();
    resizeObserver?.disconnect();
    for (const [name, cb] of domListeners) root.removeEventListener(name, cb);
    for (const [name, cb] of listeners) model.off(`change:${name}`, cb);
  };
}
