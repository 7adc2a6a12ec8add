// The statistics worker's side (bundled on its own into a string, run from a Blob URL: see
// stats.js). A frame's values come once, with an id; questions name the id. The last KEEP
// frames are kept, evicted in the order they came: stats.js mirrors that order exactly, so it
// knows which frames the worker still holds without asking.
import { frameStats } from "./frame_stats.js";

/** Frames the worker holds (the one shown and the one before: a 2048² float64 frame is 32 MB). */
export const KEEP = 2;

/**
 * Answer statistics questions on `scope` (a worker's global scope, or a MessagePort in tests).
 * Message in: `{seq, id, data?, q}`; out: `{seq, result}` or `{seq, error}`. A start-up message
 * `{seq, ping: true}` is answered `{seq}`.
 * @param {{addEventListener: Function, postMessage: Function}} scope
 */
export function serve(scope) {
  /** @type {Map<number, {data: any, scratch: object}>} */
  const frames = new Map();
  scope.addEventListener("message", (/** @type {MessageEvent} */ e) => {
    const { seq, id, data, q, ping } = e.data;
    if (ping) { scope.postMessage({ seq }); return; } // running: the page may now send it frames
    try {
      if (data !== undefined) {
        frames.set(id, { data, scratch: {} });
        for (const old of frames.keys()) if (frames.size > KEEP) frames.delete(old);
      }
      const f = frames.get(id);
      if (!f) throw new Error(`statistics worker: frame ${id} is not held`);
      const result = frameStats(f.data, q, f.scratch);
      const counts = result && !Array.isArray(result) ? [result.counts.buffer] : [];
      scope.postMessage({ seq, result }, counts);
    } catch (err) {
      scope.postMessage({ seq, error: String(err?.message ?? err) });
    }
  });
}

// started as a worker (the bundled string): serve at once
const g = /** @type {any} */ (globalThis);
if (typeof g.WorkerGlobalScope !== "undefined" && g instanceof g.WorkerGlobalScope) serve(g);
