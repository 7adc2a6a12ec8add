// Geometry of the image view (pure: no DOM): where the plot sits in the canvas, how many
// device pixels the image gets, the height that fits a frame with square pixels, and which
// data pixel lies under a frame position.

/** Margins around the plot (axes and their labels), in CSS px. */
export const MARGIN = { left: 58, right: 12, top: 10, bottom: 38 };
/** The colour bar right of the plot: its width, the gap before it and room for its labels. */
export const BAR = { width: 16, gap: 14, labels: 52 };

/**
 * Width and height left for the plot in a canvas of `cw` × `ch` CSS px.
 * @param {number} cw
 * @param {number} ch
 */
export function plotArea(cw, ch) {
  return { w: cw - MARGIN.left - MARGIN.right - BAR.width - BAR.gap - BAR.labels, h: ch - MARGIN.top - MARGIN.bottom };
}

/**
 * The plot rectangle (CSS px) for `view` in a canvas of `cw` × `ch`, square pixels when
 * `aspect` is "equal" (centred, its corner on whole pixels).
 * @param {number} cw
 * @param {number} ch
 * @param {{x0: number, x1: number, y0: number, y1: number} | null} view
 * @param {string} aspect
 */
export function plotRect(cw, ch, view, aspect) {
  let { w, h } = plotArea(cw, ch);
  let x = MARGIN.left, y = MARGIN.top;
  if (aspect === "equal" && view) {
    const vw = view.x1 - view.x0, vh = view.y1 - view.y0;
    const k = Math.min(w / vw, h / vh);
    const nw = vw * k, nh = vh * k;
    // whole CSS pixels for the corner: edge rows and columns are not blended with the background
    x += Math.round((w - nw) / 2); y += Math.round((h - nh) / 2); w = nw; h = nh;
  }
  return { x, y, w: Math.max(1, w), h: Math.max(1, h) };
}

/**
 * Device pixels [height, width] the image gets in a canvas of `cw` × `ch` CSS px (at least 16).
 * @param {number} cw
 * @param {number} ch
 * @param {number} dpr device pixels per CSS px
 * @returns {[number, number]}
 */
export function deviceSize(cw, ch, dpr) {
  const { w, h } = plotArea(cw, ch);
  return [Math.max(16, Math.round(h * dpr)), Math.max(16, Math.round(w * dpr))];
}

/**
 * The canvas height (CSS px) that shows a frame of `frameShape` with square pixels in a
 * canvas `cw` wide: no empty bands, between 220 px and the stylesheet's 440 px.
 * @param {number} cw
 * @param {number[]} frameShape [H, W]
 */
export function fittedHeight(cw, frameShape) {
  const [H, W] = frameShape;
  return Math.round(Math.min(440, Math.max(220, (plotArea(cw, 0).w * H) / W + MARGIN.top + MARGIN.bottom)));
}

/**
 * The data pixel under frame position (x, y) and its value, or null outside the data.
 * @param {{region: number[], factors: number[], h: number, w: number, data: ArrayLike<number>}} frame
 * @param {number} x
 * @param {number} y
 */
export function pixelAt(frame, x, y) {
  const [r0, r1, c0, c1] = frame.region;
  if (x < c0 || x >= c1 || y < r0 || y >= r1) return null;
  const i = Math.floor((y - r0) / frame.factors[0]), j = Math.floor((x - c0) / frame.factors[1]);
  if (i >= frame.h || j >= frame.w) return null;
  return { i, j, value: frame.data[i * frame.w + j] };
}
