// A frame's colour statistics (auto range, histogram counts) computed off the main thread, in
// a Web Worker, so a 10⁶-value percentile pass never stalls a drag or a paint. The worker is
// the bundled stats_worker.js run from a Blob URL (no network, no second file); where Workers
// are unavailable (no API, a policy refusing blob: workers, a worker that fails to start) the
// same function runs on the main thread. A Summary from the kernel (a few thousand counts) is
// always answered here.
import { frameStats } from "./frame_stats.js";
import { KEEP } from "./stats_worker.js";
import { isSummary } from "./colour_summary.js";

/** @typedef {import("./frame_stats.js").StatsQuery} StatsQuery */
/** @typedef {{postMessage: Function, addEventListener: Function, terminate: Function}} WorkerLike */

/** Values of a frame answered on the main thread while the worker is still starting (~10 ms of work). */
export const WHILE_STARTING = 2 ** 18;

export class FrameStats {
  /**
   * @param {(() => WorkerLike) | null} spawn makes the worker; null: compute on the main thread
   * @param {number} [whileStarting] frames of at most this many values are answered here until the
   *   worker has answered its first message: starting a worker takes 100-200 ms in a busy page, so
   *   a first frame would otherwise wait for it (see `start`)
   */
  constructor(spawn, whileStarting = WHILE_STARTING) {
    this.spawn = spawn;
    this.whileStarting = whileStarting;
    /** @type {WorkerLike | null | undefined} undefined until first needed, null once refused */
    this.worker = undefined;
    /** the worker has answered (its start-up message): it is quicker than the main thread from now on */
    this.ready = false;
    /** @type {Promise<boolean>} resolves true once the worker answers, false if it is refused */
    this.started = new Promise((resolve) => { this._started = resolve; });
    this.seq = 0;
    /** @type {Map<number, {data: any, q: StatsQuery, resolve: (v: any) => void, reject: (e: any) => void}>} */
    this.pending = new Map();
    /** @type {WeakMap<object, number>} the id each frame's values were sent under */
    this.ids = new WeakMap();
    /** @type {number[]} ids the worker holds, oldest first (its eviction order, mirrored) */
    this.held = [];
    this.nextId = 1;
    this.scratch = {}; // main-thread statistics of the last frame (see colour.js)
  }

  /** "worker" while the worker answers, else "main". */
  get where() { return this._worker() ? "worker" : "main"; }

  /** Start the worker now (a viewer does as it is built, so it is running by the first frame). */
  start() { this._worker(); }

  _worker() {
    if (this.worker !== undefined) return this.worker;
    try {
      const w = this.spawn?.() ?? null;
      w?.addEventListener("message", (/** @type {MessageEvent} */ e) => this._answer(e.data));
      w?.addEventListener("error", () => this._refused());
      this.worker = w;
      w?.postMessage({ seq: 0, ping: true }); // answered once the worker runs: see `ready`
    } catch {
      this.worker = null;
    }
    if (!this.worker) this._started?.(false);
    return this.worker;
  }

  // the worker failed (refused by a policy, or broke): everything asked of it is answered here
  _refused() {
    this.worker?.terminate();
    this.worker = null;
    this.ready = false;
    this._started?.(false);
    this.held = [];
    const asked = [...this.pending.values()];
    this.pending.clear();
    for (const p of asked) this._here(p.data, p.q).then(p.resolve, p.reject);
  }

  _answer({ seq, result, error }) {
    if (seq === 0) { this.ready = true; this._started?.(true); return; } // the start-up message
    const p = this.pending.get(seq);
    if (!p) return;
    this.pending.delete(seq);
    if (error) p.reject(new Error(error)); else p.resolve(result);
  }

  /** @param {any} data @param {StatsQuery} q */
  async _here(data, q) { return frameStats(data, q, this.scratch); }

  /**
   * The answer to `q` on a frame's values (see frame_stats.js `frameStats`).
   * @param {any} data a typed array (not modified, copied once to the worker) or a Summary
   * @param {StatsQuery} q
   * @returns {Promise<any>}
   */
  compute(data, q) {
    const w = isSummary(data) ? null : this._worker();
    if (!w || (!this.ready && data.length <= this.whileStarting)) return this._here(data, q);
    const seq = ++this.seq;
    let id = this.ids.get(data);
    /** @type {any} */
    const msg = { seq, id, q };
    const transfer = [];
    if (id === undefined || !this.held.includes(id)) { // the values travel once per frame
      id = this.nextId++;
      this.ids.set(data, id);
      this.held.push(id);
      if (this.held.length > KEEP) this.held.shift();
      msg.id = id;
      msg.data = data.slice(); // a copy: the frame's own buffer stays here for painting
      transfer.push(msg.data.buffer);
    }
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { data, q, resolve, reject });
      w.postMessage(msg, transfer);
    });
  }

  destroy() {
    this.worker?.terminate();
    this.worker = null;
    this.pending.clear();
  }
}
