// What the measures read, below the image: the active profile as a curve (uPlot, as the curve
// view draws curves), its positions in the NXdata axis' values when Python gives them, and a
// table of ROI statistics (count, sum, mean, std, min and max with their positions, centre of
// mass); both exported as CSV by the page itself (download, no kernel message). Values are
// asked from Python on the full-resolution frame; a newer request cancels an older one.
import { decode } from "../common/decode.js";
import { isAbort } from "../common/rpc.js";
import { CurveView } from "./curve.js";
import { el } from "./dom.js";
import { downloadBlob } from "./export.js";
import { STAT_COLUMNS, profileCsv, statsCsv, statsRow } from "./measure_geometry.js";

/** @typedef {import("../common/protocol.js").MeasureProfile} MeasureProfile */
/** @typedef {import("../common/protocol.js").MeasureRoi} MeasureRoi */

/** How long the pointer rests on an ROI being drawn before its statistics are asked (a 60 Hz pointer moves every 17 ms). */
const REST_MS = 20;

export class MeasurePanel {
  /**
   * @param {HTMLElement} parent
   * @param {ReturnType<typeof import("../common/rpc.js").createRpc>} rpc
   * @param {HTMLElement} root the viewer's root (data attributes tests wait on; downloads)
   */
  constructor(parent, rpc, root) {
    this.rpc = rpc;
    this.root = root;
    this.el = el("div", { class: "h5l-v-measures" });
    this.message = el("div", { class: "h5l-v-measure-msg", role: "status", "aria-live": "polite" });
    this.plotBox = el("div", { class: "h5l-v-profile-plot", "aria-label": "profile" });
    this.table = el("table", { class: "h5l-v-roistats", "aria-label": "ROI statistics" });
    this.el.append(this.message, this.plotBox, this.table);
    parent.append(this.el);
    /** @type {CurveView | null} */ this.curve = null;
    /** @type {{positions: Float64Array, values: Float64Array, axis: string, id: number} | null} */ this.profile = null;
    /** @type {Map<number, {roi: MeasureRoi, stats: any}>} */ this.stats = new Map();
    this.seq = 0;
    this.inflight = false; // a profile request is with the kernel
    /** @type {any[] | null} the newest profile asked for meanwhile (sent when the kernel answers) */ this.next = null;
    this.asked = ""; // the profile (and frame) last asked for
    /** @type {{p: MeasureProfile, colour?: string} | null} */ this.wanted = null;
    /** @type {Map<number, {key: string, done: Promise<void>}>} ROI id -> the ROI and frame last asked */ this.measured = new Map();
    /** @type {{key: string, done: Promise<any>} | null} the ROI being drawn or edited, asked ahead of its release */ this.ahead = null;
    this.aheadBusy = false; // an ahead request is with the kernel
    /** @type {ReturnType<typeof setTimeout> | undefined} asks ahead once the pointer rests */ this.aheadTimer = undefined;
    /** @type {any[] | null} the newest shape drawn meanwhile (asked when the kernel answers) */ this.aheadNext = null;
  }

  /** @param {string} text */
  say(text) { this.message.textContent = text; }

  /**
   * Ask Python for `p`'s values on `selection` and show them (a newer call cancels this one).
   * @param {MeasureProfile | null} p
   * @param {string} selection
   * @param {string} [colour] its colour on the image
   */
  async showProfile(p, selection, colour) {
    if (!p) { this.profile = null; this.curve?.destroy(); this.curve = null; this.next = null; this.asked = ""; return; }
    const key = JSON.stringify([p.start, p.end, p.width, p.reduce, selection]);
    this.wanted = { p, colour }; // what the answer is shown as (a drawn line keeps its values once saved)
    if (key === this.asked) { // measured already, or being measured: no second kernel message
      this.next = null;
      if (!this.inflight && this.profile) { this.profile.id = p.id; this._plot(p, colour); this.root.dataset.profile = String(++this.seq); }
      return;
    }
    // while dragging, one request at a time: moves made meanwhile are not queued in the kernel, only the
    // newest is sent once the answer comes (a newer request also makes the pending answer stale)
    if (this.inflight) { this.next = [p, selection, colour]; return; }
    this.inflight = true;
    this.asked = key;
    const seq = ++this.seq;
    try {
      const [reply, buffers] = await this.rpc.call("profile", { start: p.start, end: p.end, width: p.width,
        reduce: p.reduce, selection, seq }, { key: "profile" });
      const [values, positions] = reply.arrays.map((/** @type {any} */ h, /** @type {number} */ i) => /** @type {Float64Array} */ (decode(h, [buffers[i]]).data));
      const shown = this.asked === key ? this.wanted : { p, colour };
      this.profile = { positions, values, axis: reply.axis, id: shown.p.id };
      this._plot(shown.p, shown.colour);
      this.say("");
      this.root.dataset.profile = String(seq); // tests wait on it
    } catch (err) {
      if (this.asked === key) this.asked = "";
      if (!isAbort(err)) this.say(`profile ${p.id}: ${err.message ?? err}`);
    } finally {
      this.inflight = false;
    }
    const next = this.next;
    this.next = null;
    if (next) await this.showProfile(next[0], next[1], next[2]);
  }

  /** What was measured is stale (another mask, new values in the frame): the next call asks Python again. */
  forget() {
    this.asked = "";
    this.measured.clear();
    this.ahead = null;
  }

  /**
   * An ROI being drawn or dragged: once the pointer rests (REST_MS without a move) its statistics are
   * asked (one request with the kernel at a time, the newest shape when it answers), so a release
   * after a pause finds them asked or answered. Not at every move: the kernel, busy with a shape the
   * pointer has left, would answer the release that much later (bench/roi_stats_lab.py). Nothing is
   * shown until the release.
   * @param {MeasureRoi} roi @param {string} selection
   */
  statsAhead(roi, selection) {
    clearTimeout(this.aheadTimer);
    this.aheadTimer = setTimeout(() => { this.aheadTimer = undefined; this._askAhead(roi, selection); }, REST_MS);
  }

  /** @param {MeasureRoi} roi @param {string} selection */
  _askAhead(roi, selection) {
    const key = statsKey(roi, selection);
    if (this.ahead?.key === key) return;
    if (this.aheadBusy) { this.aheadNext = [roi, selection]; return; }
    this.aheadBusy = true;
    const done = this.rpc.call("roi_stats", { kind: roi.kind, y: roi.y, x: roi.x, points: roi.points, selection, seq: ++this.seq },
      { key: "roi-ahead" }).then(([reply]) => reply);
    this.ahead = { key, done };
    done.catch(() => {}).finally(() => {
      this.aheadBusy = false;
      const next = this.aheadNext;
      this.aheadNext = null;
      if (next) this._askAhead(next[0], next[1]);
    });
  }

  /** @param {MeasureProfile} p @param {string} [colour] the line's colour on the image */
  _plot(p, colour) {
    const { positions, values, axis } = this.profile;
    // uPlot draws x in increasing order: a line drawn right to left (or a decreasing axis) is read backwards
    const flip = positions.length > 1 && positions[0] > positions[positions.length - 1];
    const x = flip ? positions.slice().reverse() : positions, y = flip ? values.slice().reverse() : values;
    this.curve ??= new CurveView(this.plotBox);
    this.curve.options.xlabel = axis;
    this.curve.options.ylabel = `${p.reduce} over ${p.width} px`;
    this.curve.setCurve({ label: `profile ${p.id}`, colour, x, y, decimated: false, ymax: null, errors: null, aux: [],
      index: Array.from(x, (_, i) => i), length: x.length, region: [0, x.length] });
  }

  /**
   * Ask Python for the statistics of every ROI on `selection`; the table follows.
   * @param {MeasureRoi[]} rois
   * @param {string} selection
   */
  async showStats(rois, selection) {
    const seq = ++this.seq;
    const keep = new Set(rois.map((r) => r.id));
    for (const id of [...this.stats.keys()]) if (!keep.has(id)) { this.stats.delete(id); this.measured.delete(id); }
    // an ROI measured on this frame already is not asked again (adding one ROI measures that one)
    await Promise.all(rois.map((roi) => {
      const key = statsKey(roi, selection), had = this.measured.get(roi.id);
      if (had?.key === key) return had.done; // measured on this frame already, or being measured
      const done = this._stats(roi, selection, seq, key);
      this.measured.set(roi.id, { key, done });
      return done;
    }));
    this._table(rois);
    this.root.dataset.roistats = String(seq);
  }

  /** Ask the statistics of `roi`; the row is kept, or removed with the reason said. */
  async _stats(roi, selection, seq, key) {
    // asked ahead while it was drawn: that answer (an error is asked again, and said, the usual way)
    const ahead = this.ahead?.key === key ? this.ahead.done.catch(() => null) : null;
    this.aheadNext = null; // the drawing is done: a shape still waiting to be asked ahead is not asked
    clearTimeout(this.aheadTimer);
    this.aheadTimer = undefined;
    const ask = async () => (await this.rpc.call("roi_stats", { ...roi, selection, seq }, { key: `roi-${roi.id}` }))[0];
    try {
      // no await before asking: the command must leave ahead of the trait (sent right after this call)
      const reply = ahead ? ((await ahead) ?? (await ask())) : await ask();
      this.stats.set(roi.id, { roi, stats: reply });
    } catch (err) {
      if (this.measured.get(roi.id)?.key === key) this.measured.delete(roi.id); // asked again next time
      if (isAbort(err)) return;
      this.stats.delete(roi.id); // no row rather than the previous frame's
      this.say(`ROI ${roi.id}: ${err.message ?? err}`);
    }
  }

  /** @param {MeasureRoi[]} rois */
  _table(rois) {
    const rows = rois.filter((r) => this.stats.has(r.id)).map((r) => statsRow(r, this.stats.get(r.id).stats));
    this.table.hidden = !rows.length;
    const head = el("tr", {}, ...STAT_COLUMNS.map((c) => el("th", { text: c })));
    this.table.replaceChildren(head, ...rows.map((cells) => el("tr", { "data-id": cells[0] }, ...cells.map((c) => el("td", { text: c })))));
  }

  /** Download the active profile as CSV (full precision). */
  exportProfile() {
    const p = this.profile;
    if (!p) { this.say("draw a profile first"); return; }
    downloadBlob(new Blob([profileCsv(p.positions, p.values, p.axis)], { type: "text/csv" }), `profile_${p.id}.csv`, this.root);
  }

  /** Download the ROI statistics as CSV (full precision). @param {MeasureRoi[]} rois */
  exportStats(rois) {
    const rows = rois.filter((r) => this.stats.has(r.id)).map((r) => statsRow(r, this.stats.get(r.id).stats, 0));
    if (!rows.length) { this.say("draw a region of interest first"); return; }
    downloadBlob(new Blob([statsCsv(rows)], { type: "text/csv" }), "roi_stats.csv", this.root);
  }

  destroy() {
    clearTimeout(this.aheadTimer);
    this.curve?.destroy();
    this.el.remove();
  }
}

/** What an ROI's statistics depend on: its shape and the frame. @param {MeasureRoi} roi @param {string} selection */
function statsKey(roi, selection) { return JSON.stringify([roi.kind, roi.y, roi.x, roi.points ?? [], selection]); }
