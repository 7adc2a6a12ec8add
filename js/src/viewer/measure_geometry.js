// Pure helpers of the measuring tools (no DOM): the page's pointer positions as the
// (row, col) of pixel centres Python measures in, the line or region a drag draws, the
// checks Python makes (so a bad drawing is refused in the page, the kernel untouched), the
// `measures` trait's entries, and the CSV files of a profile and of ROI statistics.

/** @typedef {import("../common/protocol.js").MeasureProfile} MeasureProfile */
/** @typedef {import("../common/protocol.js").MeasureRoi} MeasureRoi */
/** @typedef {import("../common/protocol.js").Measures} Measures */

/** The tools, in toolbar order: what a drag on the image draws ("" pans and zooms). */
export const TOOLS = ["hline", "vline", "line", "rect", "ellipse", "polygon"];
export const PROFILE_TOOLS = ["hline", "vline", "line"];

/**
 * Frame coordinates of the image view (pixel j spans [j, j + 1)) → [row, col] of pixel centres.
 * @param {{x: number, y: number}} p
 * @returns {[number, number]}
 */
export function toPixel(p) { return [p.y - 0.5, p.x - 0.5]; }

/**
 * [row, col] of pixel centres → frame coordinates of the image view.
 * @param {number[]} rc
 */
export function toFramePoint(rc) { return { x: rc[1] + 0.5, y: rc[0] + 0.5 }; }

/** @param {number} v @param {number} lo @param {number} hi */
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/**
 * The line a drag from `a` to `b` ([row, col]) draws with `tool`: horizontal and vertical
 * lines keep the start's row or column; the end is kept inside the frame.
 * @param {string} tool
 * @param {number[]} a
 * @param {number[]} b
 * @param {number[]} shape [H, W] of the frame
 * @returns {{start: number[], end: number[]}}
 */
export function dragLine(tool, a, b, shape) {
  const [H, W] = shape;
  const end = [clamp(tool === "hline" ? a[0] : b[0], 0, H - 1), clamp(tool === "vline" ? a[1] : b[1], 0, W - 1)];
  return { start: [a[0], a[1]], end };
}

/**
 * Why a profile cannot be measured (Python's own rules), or "" when it can.
 * @param {number[]} start
 * @param {number[]} end
 * @param {number[]} shape
 */
export function profileProblem(start, end, shape) {
  const [H, W] = shape;
  for (const p of [start, end]) {
    if (!(p[0] >= 0 && p[0] <= H - 1 && p[1] >= 0 && p[1] <= W - 1)) {
      return `the profile's end (${fmt(p[0])}, ${fmt(p[1])}) is outside the image of ${H} × ${W} pixels: start it on the image`;
    }
  }
  if (Math.hypot(end[0] - start[0], end[1] - start[1]) === 0) {
    return "the profile has zero length: drag from one end to the other";
  }
  return "";
}

/**
 * The ROI a drag from `a` to `b` draws: rect and ellipse by their bounds.
 * @param {string} kind
 * @param {number[]} a
 * @param {number[]} b
 * @returns {{kind: string, y: number[], x: number[], points: number[][]}}
 */
export function dragRoi(kind, a, b) {
  return { kind, y: [Math.min(a[0], b[0]), Math.max(a[0], b[0])], x: [Math.min(a[1], b[1]), Math.max(a[1], b[1])], points: [] };
}

/**
 * A polygon ROI through `points` ([row, col]); its y and x are its bounds.
 * @param {number[][]} points
 */
export function polygonRoi(points) {
  const rows = points.map((p) => p[0]), cols = points.map((p) => p[1]);
  return { kind: "polygon", y: [Math.min(...rows), Math.max(...rows)], x: [Math.min(...cols), Math.max(...cols)],
    points: points.map((p) => [p[0], p[1]]) };
}

/**
 * Why an ROI holds no pixel of the frame (Python's `Shape.box` rule), or "" when it does.
 * @param {{kind: string, y: number[], x: number[], points: number[][]}} roi
 * @param {number[]} shape
 */
export function roiProblem(roi, shape) {
  const [H, W] = shape;
  if (roi.kind === "polygon" && roi.points.length < 3) return "a polygon needs at least 3 points: click them, then double-click";
  const r0 = Math.max(0, Math.ceil(roi.y[0])), r1 = Math.min(H - 1, Math.floor(roi.y[1]));
  const c0 = Math.max(0, Math.ceil(roi.x[0])), c1 = Math.min(W - 1, Math.floor(roi.x[1]));
  if (r1 < r0 || c1 < c0) {
    return `the ${roi.kind} holds no pixel of the image of ${H} × ${W} pixels (outside it, or of zero area)`;
  }
  return "";
}

/**
 * The next free id of `measures` (ids are shared by profiles and ROIs, and by Python).
 * @param {Measures} m
 */
export function nextId(m) {
  return 1 + Math.max(0, ...[...(m?.profiles ?? []), ...(m?.rois ?? [])].map((e) => e.id));
}

/** @param {number} v */
export function fmt(v) { return Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v); }

/** @param {string} s */
const cell = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * CSV of a profile: its positions (titled by their axis) and values, full precision.
 * @param {ArrayLike<number>} positions
 * @param {ArrayLike<number>} values
 * @param {string} axis
 */
export function profileCsv(positions, values, axis) {
  const lines = [`${cell(axis)},value`];
  for (let i = 0; i < values.length; i++) lines.push(`${positions[i]},${Number.isNaN(values[i]) ? "nan" : values[i]}`);
  return `${lines.join("\n")}\n`;
}

/** The columns of the ROI statistics table and CSV. */
export const STAT_COLUMNS = ["id", "kind", "count", "sum", "mean", "std", "min", "min at (row col)", "max",
  "max at (row col)", "centre of mass (row col)"];

/**
 * One row of ROI statistics, as text cells in STAT_COLUMNS order (`digits`: significant digits, 0 for all).
 * @param {MeasureRoi} roi
 * @param {import("../common/protocol.js").RoiStatsReply} s
 * @param {number} [digits]
 */
export function statsRow(roi, s, digits = 6) {
  const n = (/** @type {number} */ v) => (digits ? fmt(Number(v.toPrecision(digits))) : String(v));
  const at = (/** @type {number[] | null} */ p) => (p && p.length ? p.map(n).join(" ") : "");
  const none = s.count === 0;
  return [String(roi.id), roi.kind, String(s.count), n(s.sum), none ? "" : n(s.mean), none ? "" : n(s.std),
    none ? "" : n(s.min), none ? "" : at(s.argmin), none ? "" : n(s.max), none ? "" : at(s.argmax), at(s.com)];
}

/**
 * CSV of ROI statistics rows (cells of STAT_COLUMNS).
 * @param {string[][]} rows
 */
export function statsCsv(rows) {
  return `${[STAT_COLUMNS, ...rows].map((r) => r.map(cell).join(",")).join("\n")}\n`;
}

/**
 * An ROI edited by a drag of `d` = [drow, dcol] from where it was grabbed (`at`: the pointer now):
 * "move" shifts it; {corner: [i, j]} puts a rectangle's or ellipse's corner (i: 0 top / 1 bottom,
 * j: 0 left / 1 right) at `at`; {vertex: k} puts a polygon's k-th corner at `at`.
 * @param {MeasureRoi} roi
 * @param {"move" | {corner: number[]} | {vertex: number}} what
 * @param {number[]} d
 * @param {number[]} at
 * @returns {MeasureRoi}
 */
export function editRoi(roi, what, d, at) {
  if (what === "move") {
    return { ...roi, y: roi.y.map((v) => v + d[0]), x: roi.x.map((v) => v + d[1]),
      points: roi.points.map((p) => [p[0] + d[0], p[1] + d[1]]) };
  }
  if ("vertex" in what) {
    return { ...roi, ...polygonRoi(roi.points.map((p, k) => (k === what.vertex ? [at[0], at[1]] : p))), id: roi.id };
  }
  const [i, j] = what.corner, y = [...roi.y], x = [...roi.x];
  y[i] = at[0]; x[j] = at[1];
  return { ...roi, y: [Math.min(...y), Math.max(...y)], x: [Math.min(...x), Math.max(...x)] };
}

/**
 * A profile moved whole by [drow, dcol], kept inside a frame of `shape` (its length and direction kept).
 * @param {{start: number[], end: number[]}} p
 * @param {number[]} d
 * @param {number[]} shape
 */
export function moveLine(p, d, shape) {
  const [H, W] = shape;
  const lo = [Math.min(p.start[0], p.end[0]), Math.min(p.start[1], p.end[1])];
  const hi = [Math.max(p.start[0], p.end[0]), Math.max(p.start[1], p.end[1])];
  const dr = clamp(d[0], -lo[0], H - 1 - hi[0]), dc = clamp(d[1], -lo[1], W - 1 - hi[1]);
  return { start: [p.start[0] + dr, p.start[1] + dc], end: [p.end[0] + dr, p.end[1] + dc] };
}
