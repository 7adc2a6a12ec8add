// The slice contract of h5lens/selection.py: a selection string such as "12,:,:" <-> items,
// and a dimension mapping (index per slider dim, "x"/"y" for displayed axes) <-> string.
// Both sides run tests/fixtures/selection_cases.json, so error messages share key words.

/**
 * A parsed selection item: an index, or a slice with bounds clipped to the dimension.
 * @typedef {number | {start: number, stop: number, step: number}} Item
 */
/**
 * A dimension mapping: an index per slider dimension, "x"/"y" for displayed axes ("c" for the
 * channels of an RGB image).
 * @typedef {Array<number | string>} Mapping
 */

export class SelectionError extends Error {
  constructor(message) { super(message); this.name = "SelectionError"; }
}

const INT = /^[+-]?\d+$/;

function int(text, what) {
  const s = text.trim();
  if (s === "") return null;
  if (!INT.test(s)) throw new SelectionError(`${what} '${s}' is not an integer`);
  return parseInt(s, 10);
}

// Python's slice.indices() for a positive step.
function indices(start, stop, step, n) {
  const clip = (v, dflt) => {
    if (v === null) return dflt;
    if (v < 0) v += n;
    return Math.min(Math.max(v, 0), n);
  };
  return [clip(start, 0), clip(stop, n), step ?? 1];
}

/**
 * Parse and validate `text` against `shape`.
 * @param {string | null | undefined} text
 * @param {number[]} shape
 * @returns {Item[]}
 */
export function parse(text, shape) {
  const t = (text ?? "").trim();
  const parts = t === "" ? [] : t.split(",");
  if (parts.length !== shape.length) {
    throw new SelectionError(`selection '${t}' has ${parts.length} item(s), the shape [${shape}] needs ${shape.length}`);
  }
  return parts.map((part, dim) => {
    const n = shape[dim];
    const bits = part.split(":");
    if (bits.length === 1) {
      const i = int(bits[0], `index of dimension ${dim}`);
      if (i === null) throw new SelectionError(`empty item for dimension ${dim}`);
      const j = i < 0 ? i + n : i;
      if (j < 0 || j >= n) throw new SelectionError(`index ${i} is out of range for dimension ${dim} of size ${n}`);
      return j;
    }
    if (bits.length > 3) throw new SelectionError(`item '${part.trim()}' of dimension ${dim} is not an index or a slice`);
    const start = int(bits[0], `slice bound of dimension ${dim}`);
    const stop = int(bits[1], `slice bound of dimension ${dim}`);
    const step = bits.length === 3 ? int(bits[2], `step of dimension ${dim}`) : null;
    if (step !== null && step <= 0) throw new SelectionError(`step ${step} of dimension ${dim} must be positive`);
    const [a, b, s] = indices(start, stop, step, n);
    return { start: a, stop: Math.max(a, b), step: s };
  });
}

/**
 * @param {Item} item
 * @returns {item is {start: number, stop: number, step: number}}
 */
export const isSlice = (item) => typeof item === "object";

/**
 * The canonical string of parsed items (":", "::2", "3:9").
 * @param {Item[]} items
 * @param {number[]} shape
 */
export function format(items, shape) {
  return items.map((it, d) => {
    if (!isSlice(it)) return String(it);
    const n = shape[d];
    const text = (it.start === 0 ? "" : String(it.start)) + ":" + (it.stop >= n ? "" : String(it.stop));
    return text + (it.step !== 1 ? `:${it.step}` : "");
  }).join(",");
}

export const normalize = (text, shape) => format(parse(text, shape), shape);

/** Length of each kept dimension. */
export function resultShape(items) {
  return items.filter(isSlice).map((it) => Math.max(0, Math.ceil((it.stop - it.start) / it.step)));
}

/**
 * The mapping a string describes: kept dimensions become "y" then "x".
 * @param {string} text
 * @param {number[]} shape
 * @returns {Mapping}
 */
export function toMapping(text, shape) {
  const items = parse(text, shape);
  const free = items.map((it, d) => (isSlice(it) ? d : -1)).filter((d) => d >= 0);
  if (free.length > 2) throw new SelectionError(`selection '${text}' keeps ${free.length} dimensions; a view shows at most 2`);
  const names = free.length === 1 ? ["x"] : ["y", "x"];
  /** @type {Mapping} */
  const mapping = items.map((it) => (isSlice(it) ? "" : it));
  free.forEach((d, k) => { mapping[d] = names[k]; });
  return mapping;
}

/**
 * The selection string of a mapping; `strides` maps "x"/"y" to a positive step.
 * @param {Mapping} mapping
 * @param {number[]} shape
 * @param {Record<string, number>} [strides]
 */
export function fromMapping(mapping, shape, strides = {}) {
  if (mapping.length !== shape.length) {
    throw new SelectionError(`mapping [${mapping}] has ${mapping.length} entries, shape [${shape}] needs ${shape.length}`);
  }
  const axes = mapping.filter((m) => typeof m === "string");
  if (axes.some((a) => a !== "x" && a !== "y") || new Set(axes).size !== axes.length) {
    throw new SelectionError(`mapping [${mapping}] must use 'x' and 'y' at most once each`);
  }
  const parts = mapping.map((m) => {
    if (typeof m !== "string") return String(Math.trunc(m));
    const step = Math.trunc(strides[m] ?? 1);
    if (step <= 0) throw new SelectionError(`stride ${step} of axis ${m} must be positive`);
    return step !== 1 ? `::${step}` : ":";
  });
  return normalize(parts.join(","), shape);
}

/**
 * True when "x" comes before "y": the displayed image is the read array's transpose.
 * @param {Mapping} mapping
 */
export function isTransposed(mapping) {
  const x = mapping.indexOf("x"), y = mapping.indexOf("y");
  return x >= 0 && y >= 0 && x < y;
}

/**
 * The selection one more step along the dimension that moved from `previous` to `current`
 * (same delta), or +1 along the only slider (size > 1) when nothing moved yet; null at the
 * end of the axis or when the step is not a single slider move. The kernel reads ahead by
 * the same rule (h5lens/widgets/_ahead.py), so the frame asked for ahead is already read.
 * @param {string | null} previous
 * @param {string} current
 * @param {number[]} shape
 * @returns {string | null}
 */
export function stepAhead(previous, current, shape) {
  /** @type {Item[]} */
  let items;
  /** @type {Item[] | null} */
  let before = null;
  try { items = parse(current, shape); } catch { return null; }
  try { if (previous != null) before = parse(previous, shape); } catch { before = null; }
  const ints = items.map((it, d) => (isSlice(it) ? -1 : d)).filter((d) => d >= 0);
  let dim = null, delta = 1;
  if (before && before.every((it, d) => isSlice(it) === isSlice(items[d]))) {
    const moved = ints.filter((d) => before[d] !== items[d]);
    if (moved.length === 1) { dim = moved[0]; delta = Number(items[dim]) - Number(before[dim]); }
  }
  if (dim === null) {
    const sliders = ints.filter((d) => shape[d] > 1);
    if (sliders.length !== 1) return null;
    dim = sliders[0];
  }
  const target = Number(items[dim]) + delta;
  if (target < 0 || target >= shape[dim]) return null;
  return format(items.map((it, d) => (d === dim ? target : it)), shape);
}
