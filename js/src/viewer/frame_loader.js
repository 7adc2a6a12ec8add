// Frames of the image view: asked for through the `frame` command at the canvas' resolution,
// decoded, and shown in the order they were asked for (a stale answer never paints over a
// newer one). Once a frame is shown, the next one along the dimension that just moved is
// asked for at once (the kernel has it read ahead, see stepAhead): the next step paints
// without a round trip.
import { decode } from "../common/decode.js";
import { stepAhead } from "./selection.js";

/** @typedef {import("../common/protocol.js").Frame} Frame */
/** @typedef {[number, number, number, number]} Region [r0, r1, c0, c1] in frame rows/columns */

/**
 * The viewer's Frame of a `frame` reply and its buffers.
 * @param {import("../common/protocol.js").FrameReply} reply
 * @param {any[]} buffers
 * @param {string} selection
 * @param {boolean} transposed
 * @returns {Frame}
 */
export function toFrame(reply, buffers, selection, transposed) {
  const arr = decode(reply.array, buffers);
  return { data: /** @type {ArrayLike<number>} */ (arr.data), dtype: arr.dtype, h: arr.shape[0], w: arr.shape[1],
    rgb: arr.shape.length === 3, channels: arr.shape[2] ?? 1,
    region: /** @type {Region} */ (reply.region), factors: /** @type {[number, number]} */ (reply.factors),
    frameShape: reply.frame_shape, axes: reply.axes, stats: reply.stats, warning: reply.warning,
    selection, transposed, preview: reply.preview, kernelMs: reply.kernel_ms,
    summary: reply.summary ? toSummary(reply.summary, buffers.slice(1)) : null,
    summaryDue: !reply.summary && !!reply.summary_due, request: {},
    // the mask's buffer comes last (after the summary's)
    mask: reply.mask ? /** @type {Uint8Array} */ (decode(reply.mask, [buffers[buffers.length - 1]]).data) : null,
    invalid: reply.invalid ?? null,
    maskPartial: reply.mask_partial ? new Map(reply.mask_partial.index.map((i, k) => [i, reply.mask_partial.masked[k]])) : null,
    maskPartialBlocks: reply.mask_partial?.blocks ?? 0 };
}

/**
 * The decoded summary of a frame reply (`buffers`: its values then its counts).
 * @param {import("../common/protocol.js").FrameSummary} s
 * @param {any[]} buffers
 * @returns {import("../common/protocol.js").Summary}
 */
export function toSummary(s, buffers) {
  const values = /** @type {Float64Array} */ (decode(s.values, [buffers[0]]).data);
  const counts = /** @type {Float64Array} */ (decode(s.counts, [buffers[1]]).data);
  return { count: s.count, min: s.min, max: s.max, mean: s.mean, std: s.std, minPositive: s.min_positive,
    exact: s.exact, accuracy: s.accuracy, values, counts };
}

/**
 * The region to ask for once a strided preview of `frame` is shown: null for the whole frame.
 * @param {Frame} frame
 * @returns {Region | null}
 */
export function exactRegion(frame) {
  const [r0, r1, c0, c1] = frame.region, [H, W] = frame.frameShape;
  return r0 === 0 && r1 === H && c0 === 0 && c1 === W ? null : frame.region;
}

/**
 * What to fetch for the zoomed `view` (frame coordinates) on a canvas of `canvas` [h, w]
 * device pixels: `undefined` when the frame already shown is sharp enough there, else the
 * region (null for the whole frame).
 * @param {Frame} frame
 * @param {{x0: number, x1: number, y0: number, y1: number}} view
 * @param {number[]} canvas
 * @returns {Region | null | undefined}
 */
export function refineRegion(frame, view, canvas) {
  const [H, W] = frame.frameShape;
  /** @type {Region} */
  const want = [Math.max(0, Math.floor(view.y0)), Math.min(H, Math.ceil(view.y1)),
    Math.max(0, Math.floor(view.x0)), Math.min(W, Math.ceil(view.x1))];
  if (want[1] <= want[0] || want[3] <= want[2]) return undefined;
  const [r0, r1, c0, c1] = frame.region;
  const inside = want[0] >= r0 && want[1] <= r1 && want[2] >= c0 && want[3] <= c1;
  const [ch, cw] = canvas;
  const need = Math.max(1, Math.ceil((want[1] - want[0]) / ch), Math.ceil((want[3] - want[2]) / cw));
  if (inside && Math.max(...frame.factors) <= need) return undefined;
  return want[0] === 0 && want[1] === H && want[2] === 0 && want[3] === W ? null : want;
}

export class FrameLoader {
  /**
   * @param {import("../common/protocol.js").ViewerModel} model
   * @param {{call: Function, cancel: (key: string) => void}} rpc
   * @param {{canvas: () => number[], show: (frame: Frame) => Promise<void>, playing: () => boolean}} hooks
   *   the canvas size [h, w] in device pixels; show a frame; whether a stack is playing
   */
  constructor(model, rpc, hooks) {
    this.model = model;
    this.rpc = rpc;
    this.hooks = hooks;
    /** the frame asked for ahead: its key and the promise of its answer */
    /** @type {{key: string | null, frame: Promise<Frame> | null}} */
    this.ahead = { key: null, frame: null };
    /** bumped per load: an older load that finds it changed shows nothing */
    this.token = 0;
    /** the selection asked for last (shown or not): where the last step came from */
    /** @type {string | null} */
    this.requested = null;
    this.closed = false;
  }

  /**
   * Ask for one frame. `key` cancels the previous call under the same key (null: none).
   * @param {string} selection
   * @param {boolean} transposed
   * @param {Region | null} [region] null for the whole frame
   * @param {string | null} [key]
   * @param {boolean} [exact] the exact aggregation, not a strided preview
   * @returns {Promise<Frame>}
   */
  async fetch(selection, transposed, region = null, key = "frame", exact = false) {
    const m = this.model;
    const request = {
      selection, transposed, region, canvas: this.hooks.canvas(), how: m.get("aggregation"),
      part: m.get("complex_part"), aspect: m.get("aspect"), exact,
      // a frame asked ahead is not shown yet, and a played one is gone before its statistics: none started
      ahead: key === "ahead", summarize: !this.hooks.playing(),
    };
    const [reply, buffers] = await this.rpc.call("frame", request, key ? { key } : {});
    return Object.assign(toFrame(reply, buffers, selection, transposed), { request });
  }

  /**
   * The statistics `frame` was sent without (`summaryDue`): asked again while the kernel says
   * `pending`, as long as `wanted()` (the frame is still shown). Null when there are none.
   * @param {Frame} frame
   * @param {() => boolean} wanted
   * @returns {Promise<import("../common/protocol.js").Summary | null>}
   */
  async summary(frame, wanted) {
    while (wanted()) {
      const [reply, buffers] = await this.rpc.call("frame_summary", frame.request, { key: "summary" });
      if (!reply.pending) return reply.summary ? toSummary(reply.summary, buffers) : null;
    }
    throw Object.assign(new Error("statistics of a frame no longer shown"), { name: "AbortError", h5lensAbort: true });
  }

  /**
   * The key of a whole frame under the current options (the ahead frame is reused on a match): a
   * frame asked ahead before the mask changed carries the old mask, and is not reused.
   */
  key(selection, transposed) {
    const m = this.model;
    return JSON.stringify([selection, transposed, this.hooks.canvas(), m.get("aggregation"), m.get("complex_part"), m.get("aspect"),
      m.get("mask_revision") ?? 0, m.get("mask_invalid") ?? true]);
  }

  dropAhead() { this.ahead.key = null; this.ahead.frame = null; }

  /** A new view: nothing ahead, no last step. */
  reset() { this.dropAhead(); this.requested = null; }

  /**
   * Ask for the frame one step further than `previous` → `frame.selection` (see stepAhead).
   * @param {string | null} previous
   * @param {Frame} frame
   */
  askAhead(previous, frame) {
    if (frame.preview || this.hooks.playing() || this.closed) return;
    // following a file being written: the frame wanted next is the newest one Python announces, and a
    // step asked for ahead would only queue in front of it in the kernel
    if (this.model.get("follow")) { this.dropAhead(); return; }
    const next = stepAhead(previous, frame.selection, (this.model.get("meta")?.dims ?? []).map((d) => d.size));
    if (!next) { this.dropAhead(); return; }
    const key = this.key(next, frame.transposed);
    if (this.ahead.key === key) return;
    const promise = this.fetch(next, frame.transposed, null, "ahead");
    Object.assign(this.ahead, { key, frame: promise });
    promise.catch(() => { if (this.ahead.frame === promise) this.dropAhead(); }); // asked again on demand
  }

  /**
   * Show the frame of `selection` (the ahead one when it matches), then ask for the next one.
   * Resolves once shown, or at once when a newer load made this one stale.
   * @param {string} selection
   * @param {Region | null} [region]
   */
  async load(selection, region = null) {
    const transposed = this.model.get("transposed");
    const token = ++this.token;
    const previous = this.requested;
    this.requested = selection;
    const key = region ? null : this.key(selection, transposed);
    let frame = null;
    if (key && this.ahead.key === key) {
      const promise = this.ahead.frame;
      this.dropAhead();
      this.rpc.cancel("frame"); // an older step still on its way must not paint over this one
      try { frame = await promise; } catch { if (token !== this.token) return; }
    }
    if (token !== this.token) return;
    frame ??= await this.fetch(selection, transposed, region);
    if (token !== this.token) return;
    await this.hooks.show(frame);
    if (!region) this.askAhead(previous, frame);
  }

  close() { this.closed = true; this.dropAhead(); }
}
