// Masked pixels of a frame: painted over the colour-mapped image in the mask colour. A display
// pixel is masked when Python's frame reply says every pixel of its block is (`frame.mask`:
// the user's mask, the detector's pixel_mask), or when it holds the detector's sentinel value
// (`frame.invalid`, with `mask_invalid` on).
import { pack, parseColor } from "./colour.js";

/**
 * Paint the masked pixels of `frame` into `out` (Uint32 RGBA over the ImageData) in `colour`.
 * @param {{data: ArrayLike<number>, mask?: Uint8Array | null, invalid?: number | null, rgb?: boolean}} frame
 * @param {Uint32Array} out
 * @param {string} colour "#rrggbb" or "#rrggbbaa"
 * @returns {{masked: number, total: number}} how many display pixels are masked, of how many
 */
export function paintMask(frame, out, colour) {
  const mask = frame.mask ?? null, invalid = frame.invalid ?? null, data = frame.data;
  const total = Math.min(out.length, data.length);
  if (frame.rgb || (!mask && invalid === null)) return { masked: 0, total };
  const c = pack(...parseColor(colour));
  let masked = 0;
  for (let i = 0; i < total; i++) {
    if ((mask && mask[i]) || data[i] === invalid) { out[i] = c; masked++; }
  }
  return { masked, total };
}

/**
 * How many display pixels of `frame` are masked (what paintMask returns, without painting:
 * the WebGL2 path paints them in its shader).
 * @param {{data: ArrayLike<number>, mask?: Uint8Array | null, invalid?: number | null, rgb?: boolean, w: number, h: number}} frame
 * @returns {{masked: number, total: number}}
 */
export function countMasked(frame) {
  const mask = frame.mask ?? null, invalid = frame.invalid ?? null, data = frame.data;
  const total = Math.min(frame.w * frame.h, data.length);
  if (frame.rgb || (!mask && invalid === null)) return { masked: 0, total };
  let masked = 0;
  for (let i = 0; i < total; i++) if ((mask && mask[i]) || data[i] === invalid) masked++;
  return { masked, total };
}

/**
 * The status of a frame's mask: "no valid pixels" when every pixel is masked; how many display
 * pixels hold masked pixels among valid ones (shown with the valid ones' value, not in the mask
 * colour: isolated masked pixels show only once zoomed in); else "".
 * @param {{masked: number, total: number}} counts
 * @param {number} [partial] display pixels holding masked pixels among valid ones
 */
export function maskNote(counts, partial = 0) {
  if (counts.total > 0 && counts.masked === counts.total) return "no valid pixels (every pixel is masked)";
  if (partial > 0) return `${partial} display pixel${partial === 1 ? "" : "s"} hold${partial === 1 ? "s" : ""} masked pixels among valid ones (zoom in to see them)`;
  return "";
}
