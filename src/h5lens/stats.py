"""Statistics of a full-resolution frame, gathered tile by tile while its display copy is reduced.

The colour range, the histogram and the read-out must describe the data, not
the display copy (a 2 × 2 ``max`` copy has a higher minimum and higher
percentiles than the frame). :class:`Summary` folds the tiles that
:func:`h5lens.decimate.aggregate` reads anyway, so the statistics cost no
second read and hold bounded memory:

- count, min, max, mean and σ exactly (Chan's pairwise update of the sum of
  squared deviations, so no cancellation);
- the smallest positive value (the lower end of a log scale);
- a histogram: one bin per value for integers of at most 16 bits (exact
  percentiles), else one bin per float32 value with its last
  :data:`DROPPED_BITS` mantissa bits cleared (a relative accuracy of
  :data:`RELATIVE_ACCURACY` for percentiles, stated in the reply).

Percentiles follow numpy's default (linear interpolation between order
statistics), the same as the browser's for frames it holds whole.
"""

from __future__ import annotations

import numpy as np

#: Mantissa bits of float32 dropped from a histogram key (2**18 bins over every float32).
DROPPED_BITS = 14
#: Values folded at once (bounds the temporaries of :meth:`Summary.add`).
PIECE = 2**18
#: Largest relative error of a value read from a float histogram bin (bin width / value).
RELATIVE_ACCURACY = 2.0 ** (DROPPED_BITS - 23)


def _float_keys(v: np.ndarray, nonnegative: bool = False) -> np.ndarray:
    """Monotonic bin keys of finite values: float32 bits ordered as unsigned, mantissa truncated."""
    bits = np.ascontiguousarray(v, dtype=np.float32).view(np.uint32)
    if nonnegative:  # the common case, in one pass: the sign bit is 0 (-0.0 aside, binned with +0)
        return ((bits & np.uint32(0x7FFFFFFF)) >> DROPPED_BITS).astype(np.intp) + (1 << (31 - DROPPED_BITS))
    ordered = np.where(bits >> 31, ~bits, bits | np.uint32(1 << 31))  # negative floats reverse
    return (ordered >> DROPPED_BITS).astype(np.intp)


def _key_values(keys: np.ndarray) -> np.ndarray:
    """The lower edge (toward −∞) of each float histogram bin, as float64."""
    ordered = (keys.astype(np.uint32) << DROPPED_BITS)
    neg = (ordered >> 31) == 0
    low = np.where(neg, ~ordered, ordered & np.uint32(0x7FFFFFFF))  # the most negative value of a negative bin
    return low.astype(np.uint32).view(np.float32).astype(np.float64)


class Summary:
    """Exact moments and a histogram of the finite values of every tile given to :meth:`add`."""

    def __init__(self, dtype: np.dtype) -> None:
        dtype = np.dtype(dtype)
        self.exact = dtype.kind in "biu" and dtype.itemsize <= 2
        self.offset = int(np.iinfo(dtype).min) if self.exact and dtype.kind == "i" else 0
        self.counts = np.zeros(2 ** (8 * dtype.itemsize) if self.exact else 2 ** (32 - DROPPED_BITS), np.int64)
        self.count, self.mean, self.m2 = 0, 0.0, 0.0
        self.lo, self.hi, self.lo_positive = np.inf, -np.inf, np.inf

    def add(self, tile: np.ndarray) -> None:
        """Fold one tile of real values (NaN and ±Inf are left out), a few rows at a time.

        Pieces of about :data:`PIECE` values keep the temporaries (float64
        copies, bin keys) small next to the tile itself.
        """
        v = np.asarray(tile)
        if v.dtype.kind == "b":
            v = v.view(np.uint8)
        if v.ndim < 2:
            v = v.reshape(1, -1)
        rows = max(1, PIECE // max(1, int(np.prod(v.shape[1:]))))
        for r in range(0, v.shape[0], rows):
            self._add(v[r : r + rows].ravel())

    def _add(self, v: np.ndarray) -> None:
        if v.size == 0:
            return
        if self.exact:  # moments and extremes come from the exact histogram at the end
            keys = v.astype(np.intp)
            k0 = int(keys.min())
            counts = np.bincount(keys - k0)  # over the piece's span only: small pieces stay cheap
            self.counts[k0 - self.offset : k0 - self.offset + counts.size] += counts
            return
        lo, hi = v.min(), v.max()
        if not (np.isfinite(lo) and np.isfinite(hi)):  # NaN shows in min/max: filter only then
            v = v[np.isfinite(v)]
            if v.size == 0:
                return
            lo, hi = v.min(), v.max()
        keys = _float_keys(v, nonnegative=bool(lo >= 0))
        k0 = int(keys.min())
        counts = np.bincount(keys - k0)
        self.counts[k0 : k0 + counts.size] += counts
        n = v.size
        mean = float(np.mean(v, dtype=np.float64))
        m2 = float(np.sum(np.square(v.astype(np.float64) - mean)))
        total = self.count + n  # Chan et al.: merge two (count, mean, M2) summaries
        delta = mean - self.mean
        self.m2 += m2 + delta * delta * self.count * n / total
        self.mean += delta * n / total
        self.count = total
        self.lo, self.hi = min(self.lo, float(lo)), max(self.hi, float(hi))
        if lo > 0:
            self.lo_positive = min(self.lo_positive, float(lo))
        elif hi > 0:
            self.lo_positive = min(self.lo_positive, float(v[v > 0].min()))

    def _from_histogram(self) -> None:
        """Exact moments and extremes of small integers from their one-bin-per-value histogram."""
        values, counts = self.histogram()
        self.count = int(counts.sum())
        if self.count:
            self.lo, self.hi = float(values[0]), float(values[-1])
            self.mean = float(np.dot(values, counts) / self.count)
            self.m2 = float(np.dot(np.square(values - self.mean), counts))
            positive = values[values > 0]
            self.lo_positive = float(positive[0]) if positive.size else np.inf

    def histogram(self) -> tuple[np.ndarray, np.ndarray]:
        """``(values, counts)`` of the non-empty bins, ascending; float bins give their lower edge."""
        keys = np.flatnonzero(self.counts)
        values = keys + self.offset if self.exact else _key_values(keys)
        return values.astype(np.float64), self.counts[keys].astype(np.float64)

    def percentile(self, q: float) -> float:
        """The ``q``-th percentile (numpy's linear method) from the histogram: exact for small integers."""
        if self.exact:
            self._from_histogram()
        if self.count == 0:
            return float("nan")
        values, counts = self.histogram()
        cum = np.cumsum(counts)
        pos = q / 100 * (self.count - 1)
        i = int(np.floor(pos))

        def kth(k: int) -> float:
            return float(values[np.searchsorted(cum, k, side="right")])

        a = kth(i)
        out = a if pos == i or i + 1 >= self.count else a + (kth(i + 1) - a) * (pos - i)
        return min(max(out, self.lo), self.hi)  # a bin's edge may lie outside the data

    def result(self) -> dict:
        """The scalars of the reply (``min``/``max``/``mean``/``std`` None when nothing is finite)."""
        if self.exact:
            self._from_histogram()
        some = self.count > 0
        return {
            "count": int(self.count), "min": self.lo if some else None, "max": self.hi if some else None,
            "mean": self.mean if some else None, "std": float(np.sqrt(self.m2 / self.count)) if some else None,
            "min_positive": self.lo_positive if np.isfinite(self.lo_positive) else None,
            "exact": self.exact, "accuracy": 0.0 if self.exact else RELATIVE_ACCURACY,
        }
