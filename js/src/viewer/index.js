// h5lens viewer: the anywidget entry and `mountViewer(el, {invoke, model})`, which mounts
// the viewer into any element (the explorer's view area uses it). Python decides the view
// (traits kind / ndisplay / meta); this module fetches data at display resolution through
// commands and does colour, zoom, histogram and slicing locally.
import { createRpc, isAbort } from "../common/rpc.js";
import { decode } from "../common/decode.js";
import { autoRange, parseColor } from "./colour.js";
import { label } from "./ticks.js";
import { curveLabel, texText } from "./curve_maths.js";
import { stepAhead } from "./selection.js";
import { ImageView } from "./image.js";
import { Histogram } from "./histogram.js";
import { Slicer } from "./slicer.js";
import { CurveView, CSS as UPLOT_CSS } from "./curve.js";
import { downloadBlob, canvasBlob } from "./export.js";
import css from "./style.css";
import { el } from "./dom.js";
import { buildToolbar } from "./toolbar.js";
import { createPlayer } from "./player.js";

// Views shown as values (text or a table) whatever their dimensions; others by ndisplay.
const VALUE_VIEWS = new Set(["list", "table", "scalar", "text", "empty", "none"]);

/** The model's meta with NeXus labels in TeX math (`$2\theta$`) as plain text, as shown. */
function readableMeta(meta) {
  const m = meta ?? {};
  return { ...m, title: texText(m.title ?? ""), signal: texText(m.signal ?? ""),
    dims: (m.dims ?? []).map((d) => ({ ...d, name: texText(d.name), ...(d.label ? { label: texText(d.label) } : {}) })) };
}

/** 0 (values), 1 (curve) or 2 (image) for the model's view. */
export function displayMode(model) {
  return VALUE_VIEWS.has(model.get("kind")) ? 0 : model.get("ndisplay");
}

function injectCss(root) {
  const style = el("style");
  style.textContent = css + "\n" + UPLOT_CSS;
  root.append(style);
}

/**
 * Mount a viewer into `el`.
 * @param {HTMLElement} host
 * @param {{model: object, invoke?: Function, experimental?: object}} ctx the model (AFM interface) and
 *   either anywidget's `experimental` object or an `invoke(name, msg, opts)` function.
 * @returns {() => void} cleanup
 */
/** Colour settings are saved to Python once they have not changed for this long. */
export const COLOUR_IDLE_MS = 1000;

export function mountViewer(host, { model, invoke, experimental }) {
  const rpc = createRpc(experimental ?? { invoke });
  // data-lm-suppress-shortcuts: JupyterLab leaves our keys (arrows, space, Enter) to us
  const root = el("div", { class: "h5l-viewer", tabindex: "0", role: "region", "aria-label": "h5lens viewer",
    "data-lm-suppress-shortcuts": "true" });
  injectCss(root);
  host.append(root);
  const luts = new Map();
  const listeners = [];
  const on = (name, cb) => { model.on(`change:${name}`, cb); listeners.push([name, cb]); };
  // any save carries every change set so far, colour ones included (see flushColour)
  const save = (patch) => { for (const [k, v] of Object.entries(patch)) model.set(k, v); colourDirty = false; model.save_changes(); };
  // Colour settings (colormap, scale, range) repaint from data already here and reach Python
  // once, when the interaction is over: after COLOUR_IDLE_MS without a change, as soon as the
  // pointer or the focus leaves the viewer (on its way to a notebook cell that may read
  // `viewer.colormap`), or with the next other save. A burst of changes costs no kernel message;
  // Python asking for state it cannot pull synchronously from a running cell is why we flush
  // on leaving rather than on request.
  let colourTimer = null;
  let colourDirty = false;
  const flushColour = () => {
    clearTimeout(colourTimer);
    if (!colourDirty || state.destroyed) return;
    colourDirty = false;
    model.save_changes();
  };
  const saveColour = (patch) => {
    for (const [k, v] of Object.entries(patch)) model.set(k, v);
    colourDirty = true;
    clearTimeout(colourTimer);
    colourTimer = setTimeout(flushColour, COLOUR_IDLE_MS);
  };
  const state = { frame: null, curve: null, seq: 0, play: null, lastSelection: null, destroyed: false,
    loadToken: 0, requested: null,
    timing: { mounted: performance.now() } };
  let image = null, hist = null, curve = null, slicer = null, values = null;

  const title = el("div", { class: "h5l-v-title" });
  const toolbar = el("div", { class: "h5l-v-toolbar", role: "toolbar", "aria-label": "viewer controls" });
  const main = el("div", { class: "h5l-v-main" });
  const below = el("div");
  const status = el("div", { class: "h5l-v-status", "aria-live": "polite" });
  const readout = el("span", { class: "h5l-v-readout", "aria-label": "value under the pointer" });
  const stats = el("span", { class: "h5l-v-stats", "aria-label": "what this selection reads" });
  const warning = el("span", { class: "h5l-v-warning", role: "status" });
  const error = el("div", { class: "h5l-v-error", role: "alert" });
  status.append(readout, stats, warning);
  root.append(title, toolbar, error, main, below, status); // an error shows where the view would be

  const showError = (err) => {
    if (isAbort(err)) return;
    error.textContent = err ? `${err.type ?? err.name ?? "Error"}: ${err.message ?? err}` : "";
  };

  // ---- colour --------------------------------------------------------------------------
  // LUT bytes by name; one request fetches the favourites and their reverses, cached as promises
  // so concurrent callers share it
  function lutBytes(name) {
    if (!luts.has(name)) {
      const favs = model.get("favourites") ?? [];
      const wanted = [...new Set([name, ...favs, ...favs.map((n) => `${n}_r`)])].filter((n) => !luts.has(n));
      const all = rpc.call("luts", { names: wanted }).then(([reply, buffers]) => {
        const b = buffers[0];
        const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
        return new Map(reply.names.map((n, i) => [n, bytes.slice(1024 * i, 1024 * (i + 1))]));
      });
      for (const n of wanted) {
        const one = all.then((m) => m.get(n));
        one.catch(() => {}); // awaited by whoever asks for that name; unasked ones must not reject unheard
        luts.set(n, one);
      }
      all.catch(() => { for (const n of wanted) luts.delete(n); }); // a failed fetch is retried next time
    }
    return luts.get(name);
  }

  function range(data) {
    const mode = model.get("autoscale");
    if (mode === "manual" && model.get("vmin") != null && model.get("vmax") != null) return [model.get("vmin"), model.get("vmax")];
    const args = [mode === "manual" ? "minmax" : mode, model.get("scale"), model.get("percentiles") ?? [0.1, 99.9]];
    const key = JSON.stringify(args);
    const c = state.rangeCache; // a colormap change reuses the range of the same frame
    if (c && c.data === data && c.key === key) return c.value;
    const value = autoRange(data, ...args, state);
    state.rangeCache = { data, key, value };
    return value;
  }

  async function recolour() {
    if (!image || !state.frame) return;
    const r = state.frame.rgb && state.frame.dtype === "uint8" ? [0, 255] : range(state.frame.data);
    const [vmin, vmax] = r;
    state.emptyRange = r.empty === true;
    const lut = await lutBytes(model.get("colormap"));
    image.setColour({ lutBytes: lut, vmin, vmax, scale: model.get("scale"), bad: parseColor(model.get("bad_color")) });
    showRange(vmin, vmax);
    if (!hist) return;
    hist.setRange(vmin, vmax);
    const data = state.frame.data, scale = model.get("scale");
    if (state.histOf === data && state.histScale === scale) return;
    // new counts (another frame or scale) come just after the image is painted
    clearTimeout(state.histTimer);
    state.histTimer = setTimeout(() => {
      if (!hist || state.frame?.data !== data || model.get("scale") !== scale) return;
      const [lo, hi] = autoRange(data, "minmax", scale, undefined, state);
      hist.setData(state.frame.rgb ? null : data, lo, hi, scale, state);
      hist.setRange(...(state.range ?? [vmin, vmax]));
      state.histOf = data; state.histScale = scale;
    }, 0);
  }

  function showRange(vmin, vmax) {
    state.range = [vmin, vmax];
    const text = (v) => String(Number(v.toPrecision(6)));
    for (const [k, v] of [["vmin", vmin], ["vmax", vmax]]) {
      if (controls[k] && document.activeElement !== controls[k]) controls[k].value = text(v);
    }
    root.dataset.vmin = String(vmin); root.dataset.vmax = String(vmax);
    state.noFinite = state.emptyRange || !(Number.isFinite(vmin) && Number.isFinite(vmax));
    showWarning();
  }

  // ---- toolbar -------------------------------------------------------------------------
  const controls = {};
  const buildTools = () => buildToolbar(toolbar, {
    mode: () => displayMode(model),
    model, controls, save, saveColour, curve: () => curve, range: () => state.range,
    resetZoom: () => { image?.resetView(); curve?.resetZoom(); }, exportPng, exportData,
  });

  async function exportPng() {
    const cv = image ? image.canvas : curve?.plot?.ctx.canvas;
    if (!cv) return;
    downloadBlob(await canvasBlob(cv), `${model.get("meta")?.name || "view"}.png`, root);
  }

  async function exportData(fmt) {
    try {
      const [reply, buffers] = await rpc.call("export", { format: fmt, selection: model.get("selection") });
      const b = buffers[0];
      downloadBlob(new Blob([new Uint8Array(b.buffer, b.byteOffset, b.byteLength)]), reply.filename, root);
    } catch (err) { showError(err); }
  }

  // ---- data ----------------------------------------------------------------------------
  function canvasSize() {
    return image?.availableSize() ?? [1024, 1024];
  }

  async function fetchFrame(selection, transposed, region = null, key = "frame", exact = false) {
    const [reply, buffers] = await rpc.call("frame", {
      selection, transposed, region, canvas: canvasSize(), how: model.get("aggregation"), part: model.get("complex_part"),
      aspect: model.get("aspect"), exact,
    }, key ? { key } : {});
    const arr = decode(reply.array, buffers);
    return { data: arr.data, dtype: arr.dtype, h: arr.shape[0], w: arr.shape[1], rgb: arr.shape.length === 3, channels: arr.shape[2] ?? 1,
      region: reply.region, factors: reply.factors, frameShape: reply.frame_shape, axes: reply.axes, stats: reply.stats,
      warning: reply.warning, selection, transposed, preview: reply.preview, kernelMs: reply.kernel_ms };
  }

  function showStats(s, warn) {
    state.warn = warn ?? "";
    showWarning();
    if (!s) { stats.textContent = ""; return; }
    const mb = (n) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);
    stats.textContent = s.chunks ? `reads ${s.chunks} chunk${s.chunks > 1 ? "s" : ""} (${mb(s.bytes)})` : `reads ${mb(s.bytes)}`;
  }

  // the frame's own warning (chunks) and ours: nothing left to colour under the current scale
  function showWarning() {
    const scale = model.get("scale");
    const none = state.noFinite ? `no finite values${scale !== "linear" ? ` under ${scale} scale` : ""}` : "";
    warning.textContent = [state.warn, none].filter(Boolean).join("  ");
  }

  async function showFrame(frame) {
    state.timing.received ??= performance.now();
    state.timing.kernelMs ??= frame.kernelMs; // time spent in the kernel on the first frame
    state.frame = frame;
    image.setFrame(frame);
    await recolour();
    showStats(frame.stats, frame.warning);
    root.dataset.selection = frame.selection;
    root.dataset.preview = String(!!frame.preview);
    state.timing.painted ??= performance.now();
    root.dataset.seq = String(++state.seq);
    if (frame.preview && !player?.playing) { // a strided preview of a huge region: the exact aggregation follows
      const region = frame.region[0] === 0 && frame.region[1] === frame.frameShape[0] && frame.region[2] === 0
        && frame.region[3] === frame.frameShape[1] ? null : frame.region;
      fetchFrame(frame.selection, frame.transposed, region, "frame", true).then(showFrameKeepView, showError);
    }
  }

  // ---- frames asked for ahead -----------------------------------------------------------
  // Once a frame is shown, the next one along the dimension that just moved is asked for at
  // once (the kernel has it read ahead, see stepAhead): the next step paints without a round trip.
  const ahead = { key: null, frame: null };
  const frameKey = (selection, transposed) => JSON.stringify([selection, transposed, canvasSize(),
    model.get("aggregation"), model.get("complex_part"), model.get("aspect")]);
  function dropAhead() { ahead.key = null; ahead.frame = null; }
  function askAhead(previous, frame) {
    if (frame.preview || player?.playing || state.destroyed) return;
    const next = stepAhead(previous, frame.selection, (model.get("meta")?.dims ?? []).map((d) => d.size));
    if (!next) { dropAhead(); return; }
    const key = frameKey(next, frame.transposed);
    if (ahead.key === key) return;
    const promise = fetchFrame(next, frame.transposed, null, "ahead");
    Object.assign(ahead, { key, frame: promise });
    promise.catch(() => { if (ahead.frame === promise) dropAhead(); }); // asked again on demand
  }

  async function loadFrame(selection, region) {
    const transposed = model.get("transposed");
    const token = ++state.loadToken;
    // the direction of the last move is from the selection asked for before (shown or not)
    const previous = state.requested;
    state.requested = selection;
    const key = region ? null : frameKey(selection, transposed);
    let frame = null;
    if (key && ahead.key === key) {
      const promise = ahead.frame;
      dropAhead();
      rpc.cancel("frame"); // an older step still on its way must not paint over this one
      try { frame = await promise; } catch (err) { if (token !== state.loadToken) return; }
    }
    if (token !== state.loadToken) return;
    frame ??= await fetchFrame(selection, transposed, region);
    if (token !== state.loadToken) return;
    await showFrame(frame);
    if (!region) askAhead(previous, frame);
  }

  async function load(region = null) {
    const selection = model.get("selection");
    const nd = displayMode(model);
    if (nd === 2 && image && !image.availableSize()) { state.waitLayout = true; return; } // not in the page yet
    state.timing.request ??= performance.now();
    try {
      if (nd === 2) await loadFrame(selection, region);
      else if (nd === 1) await loadCurve(selection, region);
      else await loadValues(selection);
      error.textContent = "";
    } catch (err) { showError(err); }
  }

  async function loadCurve(selection, region) {
    const width = Math.max(200, curve.root.clientWidth || 800);
    const [reply, buffers] = await rpc.call("curve", { selection, region, columns: width, part: model.get("complex_part") }, { key: "curve" });
    const arrays = reply.arrays.map((h, i) => decode(h, [buffers[i]]).data);
    const x = reply.x ?? reply.index;
    const c = { label: curveLabel(selection, model.get("meta")), x: Float64Array.from(x), y: arrays[0], decimated: reply.decimated,
      ymax: reply.decimated ? arrays[1] : null, errors: reply.errors ? arrays[1] : null,
      aux: (reply.aux ?? []).map((name, k) => ({ label: name, y: arrays[arrays.length - reply.aux.length + k] })),
      index: reply.index, length: reply.length, region: reply.region };
    state.curve = c;
    curve.setCurve(c);
    showStats(reply.stats, reply.warning);
    root.dataset.selection = selection;
    root.dataset.seq = String(++state.seq);
  }

  async function loadValues(selection) {
    const [reply] = await rpc.call("values", { selection }, { key: "values" });
    values.replaceChildren();
    if (reply.columns) {
      const table = el("table", { "aria-label": "values" });
      table.append(el("tr", {}, ...reply.columns.map((c) => el("th", { text: c }))));
      for (const row of reply.rows) table.append(el("tr", {}, ...row.map((v) => el("td", { text: v }))));
      values.append(table);
      if (reply.truncated) values.append(el("div", { text: `first ${reply.rows.length} rows of ${reply.total}` }));
    } else values.append(el("pre", { "aria-label": "value", text: reply.text }));
    root.dataset.seq = String(++state.seq);
  }

  // ---- layout per view -----------------------------------------------------------------
  function teardownView() {
    stopPlay();
    image?.destroy(); hist?.destroy(); curve?.destroy(); slicer?.destroy();
    image = hist = curve = slicer = values = null;
    main.replaceChildren(); below.replaceChildren();
  }

  function build() {
    teardownView();
    dropAhead();
    state.requested = null;
    state.noFinite = state.emptyRange = false;
    const meta = readableMeta(model.get("meta"));
    const file = (meta.filename || "").split(/[\\/]/).pop();
    const where = file ? `${file}${meta.path && meta.path !== "/" ? `::${meta.path}` : ""}` : meta.path || "";
    title.replaceChildren(meta.title || where, el("small", { text: [meta.title ? where : "", meta.shape, meta.dtype].filter(Boolean).join("  ") }));
    title.title = where;
    buildTools();
    if (model.get("error")) { error.textContent = model.get("error"); return; }
    const nd = displayMode(model);
    const dims = meta.dims ?? [];
    if (nd === 2) {
      image = new ImageView(main, {
        onHover: (h) => {
          readout.textContent = h ? `x=${h.ax != null ? label(h.ax) : h.x}  y=${h.ay != null ? label(h.ay) : h.y}  value=${Array.isArray(h.value) ? h.value : label(h.value)}` : "";
        },
        onView: (v) => refine(v),
      });
      image.aspect = model.get("aspect");
      hist = model.get("kind") === "rgb" ? null : new Histogram(below, (vmin, vmax, final) => {
        image.setColour({ vmin, vmax });
        showRange(vmin, vmax);
        if (final) saveColour({ autoscale: "manual", vmin, vmax });
      });
    } else if (nd === 1) {
      curve = new CurveView(main, { onRange: (lo, hi, zoomed) => refineCurve(lo, hi, zoomed) });
      curve.options.ylabel = (meta.signal || "").length > 44 ? `${meta.signal.slice(0, 43)}…` : meta.signal || "";
    } else {
      values = el("div", { class: "h5l-v-values" });
      main.append(values);
    }
    if (nd === 2) lutBytes(model.get("colormap")).catch(showError); // in parallel with the first frame
    if (model.get("ndisplay") >= 1) { // lists of strings slice like curves, shown as values
      slicer = new Slicer(below, { shape: dims.map((d) => d.size), dims, ndisplay: model.get("ndisplay"), rgb: model.get("kind") === "rgb" }, {
        onChange: ({ selection, transposed, final }) => setSelection(selection, transposed, final),
        onPlay: (dim) => (dim === null ? stopPlay() : startPlay(dim)),
      });
      slicer.setSelection(model.get("selection"), model.get("transposed"));
      labelAxes();
    }
    load();
  }

  function labelAxes() {
    const dims = readableMeta(model.get("meta")).dims;
    const m = slicer?.mapping ?? [];
    const short = (t) => (t.length > 60 ? `${t.slice(0, 59)}…` : t);
    const name = (axis) => { const d = m.indexOf(axis); return short(d >= 0 ? dims[d]?.label || dims[d]?.name || "" : ""); };
    if (image) image.labels = { x: name("x"), y: name("y") };
    if (curve) curve.options.xlabel = name("x");
  }

  // Zoomed image: fetch the visible region at the resolution the canvas needs.
  function refine(v) {
    const f = state.frame;
    if (!f || player?.playing) return;
    const [H, W] = f.frameShape;
    const want = [Math.max(0, Math.floor(v.y0)), Math.min(H, Math.ceil(v.y1)), Math.max(0, Math.floor(v.x0)), Math.min(W, Math.ceil(v.x1))];
    if (want[1] <= want[0] || want[3] <= want[2]) return;
    const [r0, r1, c0, c1] = f.region;
    const inside = want[0] >= r0 && want[1] <= r1 && want[2] >= c0 && want[3] <= c1;
    const [ch, cw] = canvasSize();
    const need = Math.max(1, Math.ceil((want[1] - want[0]) / ch), Math.ceil((want[3] - want[2]) / cw));
    if (inside && Math.max(...f.factors) <= need) return; // what is here is already sharp enough
    const full = want[0] === 0 && want[1] === H && want[2] === 0 && want[3] === W;
    fetchFrame(f.selection, model.get("transposed"), full ? null : want, "frame").then(showFrameKeepView, showError);
  }

  async function showFrameKeepView(frame) {
    const view = image?.view;
    await showFrame(frame);
    if (view && image) { image.view = view; image.draw(); }
  }

  function refineCurve(lo, hi, zoomed) {
    const c = state.curve;
    if (!c || (!c.decimated && zoomed) || player?.playing) return;
    if (!zoomed) { // back to the whole curve: refetch only if a zoomed part is what is shown
      if (c.region && (c.region[0] !== 0 || c.region[1] !== c.length)) loadCurve(model.get("selection"), null).catch(showError);
      return;
    }
    const xs = c.x, idx = c.index;
    let i0 = 0, i1 = xs.length - 1;
    while (i0 < xs.length - 1 && xs[i0 + 1] <= lo) i0++;
    while (i1 > 0 && xs[i1 - 1] >= hi) i1--;
    const region = [idx[i0], Math.min(c.length, (idx[i1] ?? c.length) + 1)];
    loadCurve(model.get("selection"), region).catch(showError);
  }

  // ---- selection and play --------------------------------------------------------------
  let pushTimer = null;
  function setSelection(selection, transposed, final = true) {
    state.lastSelection = selection;
    model.set("selection", selection);
    model.set("transposed", transposed);
    clearTimeout(pushTimer);
    // dragging a slider sends the trait at most every 200 ms; the frame request goes at once
    if (final) model.save_changes(); else pushTimer = setTimeout(() => model.save_changes(), 200);
    labelAxes();
    load();
  }

  const player = createPlayer({
    model, root, fetchFrame, showFrame, showError,
    slicer: () => slicer, onStop: () => model.save_changes(),
    setLast: (selection) => { state.lastSelection = selection; },
  });
  const startPlay = (dim) => player.start(dim);
  const stopPlay = () => player.stop();

  // ---- keyboard ------------------------------------------------------------------------
  const onKey = (e) => {
    e.stopPropagation(); // keys typed in the viewer are not notebook shortcuts
    if (e.target instanceof HTMLInputElement && e.target.type !== "range") {
      // commit on Enter ourselves: a host page may cancel the default action that fires "change"
      if (e.key === "Enter") e.target.dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }
    if (e.target instanceof HTMLSelectElement) return;
    const k = e.key;
    let handled = true;
    if (k === "ArrowRight" || k === "ArrowDown") slicer?.step(1);
    else if (k === "ArrowLeft" || k === "ArrowUp") slicer?.step(-1);
    else if (k === "PageUp") slicer?.step(10);
    else if (k === "PageDown") slicer?.step(-10);
    else if (k === "Home" && slicer?.active != null) slicer.setIndex(slicer.active, 0);
    else if (k === "End" && slicer?.active != null) slicer.setIndex(slicer.active, Infinity);
    else if (k === " " && slicer?.active != null) { if (player?.playing) stopPlay(); else startPlay(slicer.active); }
    else if (k === "r") { image?.resetView(); curve?.resetZoom(); }
    else if ((k === "+" || k === "-") && image?.view) {
      const v = image.view;
      image.zoom(k === "+" ? 0.8 : 1.25, (v.x0 + v.x1) / 2, (v.y0 + v.y1) / 2);
    } else handled = false;
    if (handled) e.preventDefault();
  };
  root.addEventListener("keydown", onKey);
  root.addEventListener("pointerleave", flushColour);
  root.addEventListener("focusout", (e) => { if (!root.contains(e.relatedTarget)) flushColour(); });

  // ---- Python → browser ----------------------------------------------------------------
  on("selection", () => {
    const s = model.get("selection");
    if (player?.playing || s === state.lastSelection) return;
    state.lastSelection = s;
    slicer?.setSelection(s, model.get("transposed"));
    labelAxes();
    load();
  });
  on("transposed", () => { if (!player?.playing && slicer) { slicer.setSelection(model.get("selection"), model.get("transposed")); labelAxes(); load(); } });
  for (const k of ["colormap", "scale", "autoscale", "vmin", "vmax", "percentiles", "bad_color"]) on(k, () => {
    if (controls[k] && k !== "vmin" && k !== "vmax") controls[k].value = model.get(k);
    if (k === "colormap" && controls.colormap) {
      const c = model.get("colormap");
      controls.reverse.checked = c.endsWith("_r");
      controls.colormap.value = c.endsWith("_r") ? c.slice(0, -2) : c;
    }
    recolour().catch(showError);
  });
  on("aspect", () => { if (image) { image.aspect = model.get("aspect"); image.draw(); } if (controls.aspect) controls.aspect.value = model.get("aspect"); });
  for (const k of ["aggregation", "complex_part"]) on(k, () => { if (controls[k]) controls[k].value = model.get(k); load(); });
  for (const k of ["kind", "ndisplay", "meta", "error"]) on(k, () => { clearTimeout(state.rebuild); state.rebuild = setTimeout(build, 0); });

  // test and embedding hook, on the element only (nothing global)
  root.h5lens = { get image() { return image; }, get curve() { return curve; }, get slicer() { return slicer; }, state, load, rpc, ahead };

  const onResize = () => {
    if (state.waitLayout && image?.availableSize()) { state.waitLayout = false; load(); return; }
    image?.draw();
  };
  const ro = typeof ResizeObserver === "function" ? new ResizeObserver(onResize) : null;
  ro?.observe(root);
  build();

  return () => {
    flushColour(); // the last colour choice is kept in Python (and the saved notebook)
    state.destroyed = true;
    ro?.disconnect();
    teardownView();
    clearTimeout(pushTimer);
    clearTimeout(colourTimer);
    clearTimeout(state.histTimer);
    clearTimeout(state.rebuild);
    root.removeEventListener("keydown", onKey);
    for (const [name, cb] of listeners) model.off(`change:${name}`, cb);
    rpc.close();
    root.remove();
  };
}

export default {
  render({ model, el: host, experimental }) {
    return mountViewer(host, { model, experimental });
  },
};
