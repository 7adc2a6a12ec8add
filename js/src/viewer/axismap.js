// Map between frame indices and axis values (NXdata axes): linear interpolation over the
// samples sent with a frame, so ticks can sit at nice axis values. Without samples the
// axis value is the index itself.

export class AxisMap {
  /**
   * @param {number[]|null} values axis value at each sampled index (ascending or descending)
   * @param {number} first frame index of values[0]
   * @param {number} step frame indices between samples
   */
  constructor(values = null, first = 0, step = 1) {
    this.values = values && values.length ? values : null;
    this.first = first;
    this.step = step;
  }

  /** Axis value at a (fractional) frame index. */
  value(index) {
    const v = this.values;
    if (!v) return index;
    if (v.length === 1) return v[0];
    const pos = (index - this.first) / this.step;
    const i = Math.max(0, Math.min(v.length - 2, Math.floor(pos)));
    return v[i] + (v[i + 1] - v[i]) * (pos - i);
  }

  /** Fractional frame index of an axis value (inverse of `value`, for monotonic axes). */
  index(value) {
    const v = this.values;
    if (!v) return value;
    if (v.length === 1) return this.first;
    const up = v[v.length - 1] >= v[0];
    let lo = 0, hi = v.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((v[mid] <= value) === up) lo = mid; else hi = mid;
    }
    const span = v[hi] - v[lo];
    const frac = span ? (value - v[lo]) / span : 0;
    return this.first + (lo + frac) * this.step;
  }
}
