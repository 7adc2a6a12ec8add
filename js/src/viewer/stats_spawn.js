// The statistics worker of the bundle: stats_worker.js built on its own (js/build.mjs, the
// "h5lens-worker:" imports) and started from a Blob URL, so it needs neither a second file
// beside the widget's module nor the network. One worker serves every viewer of the page.
import source from "h5lens-worker:viewer/stats_worker.js";
import { FrameStats } from "./stats.js";

/** @type {string | null} the script's Blob URL, kept: a worker may fetch it after `new Worker` returns */
let url = null;

/** A new statistics worker, or null where the page cannot run Workers. */
export function spawnStatsWorker() {
  if (typeof Worker === "undefined" || typeof Blob === "undefined" || typeof URL?.createObjectURL !== "function") return null;
  url ??= URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  return new Worker(url);
}

/** @type {FrameStats | null} */
let shared = null;

/** The page's statistics (in the worker when the page can run one). */
export function pageStats() {
  shared ??= new FrameStats(spawnStatsWorker);
  return shared;
}
