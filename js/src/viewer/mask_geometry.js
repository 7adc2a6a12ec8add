// Pure helpers of the mask tools (no DOM): the tools, the `mask_edit` request a drawing or a
// threshold makes (a shape or a value: a few numbers whatever the area), and the checks made
// before anything is sent.

/** @typedef {import("../common/protocol.js").MaskEditRequest} MaskEditRequest */

/** The mask tools, in toolbar order: [tool, caption, what it does]. "mask_threshold" draws nothing. */
export const MASK_BUTTONS = [
  ["mask_rect", "▭", "mask a rectangle"],
  ["mask_polygon", "⬠", "mask a polygon: click its corners, double-click (or Enter) to close it"],
  ["mask_threshold", "≶", "mask by threshold: the pixels below or above a value"],
];

/** @param {string} tool */
export const isMaskTool = (tool) => tool.startsWith("mask_");

/** The shape a mask tool draws ("rect", "polygon"), or "" (threshold, or not a mask tool). @param {string} tool */
export const maskShape = (tool) => (tool === "mask_rect" ? "rect" : tool === "mask_polygon" ? "polygon" : "");

/**
 * The `mask_edit` request of a drawn shape ({kind, y, x, points}) or a threshold ({kind: "below" |
 * "above", value}), adding or removing (`op`) on the frame of `selection`.
 * @param {string} op "add" | "remove"
 * @param {{kind: string, y?: number[], x?: number[], points?: number[][], value?: number}} what
 * @param {string} selection
 * @returns {MaskEditRequest}
 */
export function maskRequest(op, what, selection) {
  if (what.kind === "below" || what.kind === "above") return { op, kind: what.kind, value: what.value, selection };
  return { op, kind: what.kind, y: [...what.y], x: [...what.x], points: (what.points ?? []).map((p) => [p[0], p[1]]), selection };
}

/**
 * Why a threshold cannot be applied ("" when it can): the value must be a finite number.
 * @param {string} text the value as typed
 */
export function thresholdProblem(text) {
  const v = Number(text);
  return text.trim() !== "" && Number.isFinite(v) ? "" : `the threshold ${JSON.stringify(text)} is not a number: type a value`;
}
