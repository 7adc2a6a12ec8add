// Pure helpers of the compare widget (no DOM): the statistics line of an image and the one
// colour range of locked images.
import { label } from "../viewer/ticks.js";

/**
 * "y 0–540, x 0–640: 345600 px (12 not finite) · min … max … mean … std …": the exact numbers
 * Python computed on the full-resolution region shown.
 * @param {import("../common/protocol.js").RegionNumbers | undefined} n
 * @param {number[]} region [r0, r1, c0, c1]
 * @returns {string}
 */
export function numbersText(n, region) {
  if (!n) return "";
  const [r0, r1, c0, c1] = region;
  const bad = n.pixels - n.finite;
  const head = `y ${r0}–${r1}, x ${c0}–${c1}: ${n.pixels} px${bad ? ` (${bad} not finite)` : ""}`;
  if (n.min == null || n.max == null || n.mean == null || n.std == null) return `${head} · no finite values`;
  return `${head} · min ${label(n.min)}  max ${label(n.max)}  mean ${label(n.mean)}  std ${label(n.std)}`;
}

/**
 * The range holding every range of `colours` (locked images share one), null when none is usable.
 * @param {{vmin: number, vmax: number, empty?: boolean}[]} colours
 * @returns {[number, number] | null}
 */
export function unionRange(colours) {
  const usable = colours.filter((c) => !c.empty && Number.isFinite(c.vmin) && Number.isFinite(c.vmax));
  if (!usable.length) return null;
  return [Math.min(...usable.map((c) => c.vmin)), Math.max(...usable.map((c) => c.vmax))];
}

/**
 * The same part of a frame of shape `to` as `view` is of a frame of shape `from` (locked images of
 * different shapes zoom to the same fraction of each).
 * @param {{x0: number, x1: number, y0: number, y1: number}} view
 * @param {number[]} from [H, W]
 * @param {number[]} to [H, W]
 */
export function scaleView(view, from, to) {
  const ky = to[0] / from[0], kx = to[1] / from[1];
  return { y0: view.y0 * ky, y1: view.y1 * ky, x0: view.x0 * kx, x1: view.x1 * kx };
}
