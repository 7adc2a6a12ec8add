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
#: Values folded at once: a piece, its bin keys and its float64 deviations stay in the CPU cache,
#: in buffers reused from piece to piece (a frame's statistics then allocate almost nothing).
PIECE = 2**16
#: Keys of pieces holding both signs gathered before they are counted: such a piece's keys span
#: about 2**17 bins (every exponent between its extremes), so one ``np.bincount`` over many pieces
#: pays for those bins once per KEYS values instead of once per piece.
KEYS = 2**20
#: Largest relative error of a value read from a float histogram bin (bin width / value).
RELATIVE_ACCURACY = 2.0 ** (DROPPED_BITS - 23)


def _float_keys(v: np.ndarray, out: np.ndarray, lo: float) -> None:
    """Monotonic bin keys of finite values into ``out`` (uint32), ``lo`` being their smallest value.

    A key is the float32 bits ordered as unsigned (negative values reversed, below the positive
    half), the last :data:`DROPPED_BITS` mantissa bits cut. Non-negative values (the common case)
    take a shift of their bits and an offset, in place; -0.0 (sign bit set) is binned with +0.0.
    """
    bits = (v if v.dtype == np.float32 else v.astype(np.float32)).view(np.uint32)
    if lo >= 0:
        if lo == 0:  # -0.0 may hide among the zeros: drop the sign bit first
            np.bitwise_and(bits, np.uint32(0x7FFFFFFF), out=out)
            np.right_shift(out, DROPPED_BITS, out=out)
        else:
            np.right_shift(bits, DROPPED_BITS, out=out)
        np.add(out, np.uint32(1 << (31 - DROPPED_BITS)), out=out)
        return
    ordered = np.where(bits >> 31, ~bits, bits | np.uint32(1 << 31))  # negative floats reverse
    np.right_shift(ordered, DROPPED_BITS, out=out)


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
        # bin keys of a piece: small integers as intp (what np.bincount counts without a copy), float
        # keys in 32 bits (a shift of their bits)
        self._keys = np.empty(PIECE, np.intp if self.exact else np.uint32)
        self._wide: np.ndarray | None = None  # keys of pieces of both signs, waiting (see KEYS)
        self._waiting = 0
        self._work: np.ndarray | None = None  # float64 deviations of a piece (floats only)

    def add(self, tile: np.ndarray) -> None:
        """Fold one tile of real values (NaN and ±Inf are left out), :data:`PIECE` values at a time."""
        v = np.asarray(tile)
        if v.dtype.kind == "b":
            v = v.view(np.uint8)
        if v.size <= PIECE:  # a small tile (a few rows of a frame held in memory): one piece
            self._add(v.reshape(-1))
            return
        if v.ndim < 2:
            v = v.reshape(1, -1)
        rows = max(1, PIECE // max(1, int(np.prod(v.shape[1:]))))
        for r in range(0, v.shape[0], rows):
            flat = v[r : r + rows].reshape(-1)  # a copy only when the tile is a strided view
            for i in range(0, flat.size, PIECE):  # rows longer than a piece are cut too
                self._add(flat[i : i + PIECE])

    def _count(self, keys: np.ndarray, start: int) -> None:
        """Add the histogram of ``keys`` (bin numbers from ``start``; modified in place) over their span only."""
        if keys.size == 0:
            return
        k0 = int(keys.min())
        if k0:
            keys -= keys.dtype.type(k0)
        counts = np.bincount(keys)
        self.counts[start + k0 : start + k0 + counts.size] += counts

    def _count_wide(self) -> None:
        """Count the keys of the pieces of both signs gathered so far."""
        if self._wide is not None:
            self._count(self._wide[: self._waiting], 0)
        self._waiting = 0

    def _add(self, v: np.ndarray) -> None:
        n = v.size
        if n == 0:
            return
        keys = self._keys[:n]
        if self.exact:  # moments and extremes come from the exact histogram at the end
            np.copyto(keys, v, casting="unsafe")  # small integers fit in intp exactly
            self._count(keys, -self.offset)
            return
        lo, hi = v.min(), v.max()
        if not (np.isfinite(lo) and np.isfinite(hi)):  # NaN shows in min/max: filter only then
            v = v[np.isfinite(v)]
            n = v.size
            if n == 0:
                return
            lo, hi, keys = v.min(), v.max(), keys[:n]
        _float_keys(v, keys, float(lo))
        if lo < 0 <= hi:  # keys across every small exponent: counted later, with other such pieces
            if self._wide is None:
                self._wide = np.empty(KEYS, np.uint32)
            if self._waiting + n > KEYS:
                self._count_wide()
            self._wide[self._waiting : self._waiting + n] = keys
            self._waiting += n
        else:
            self._count(keys, 0)
        if self._work is None:
            self._work = np.empty(PIECE, np.float64)
        d = self._work[:n]
        mean = float(np.sum(v, dtype=np.float64)) / n
        np.subtract(v, mean, out=d, dtype=np.float64)
        np.square(d, out=d)
        m2 = float(d.sum())  # pairwise summation, like numpy's own var
        total = self.count + n  # Chan et al.: merge two (count, mean, M2) summaries
        delta = mean - self.mean
        self.m2 += m2 + delta * delta * self.count * n / total
        self.mean += delta * n / total
        self.count = total
        self.lo, self.hi = min(self.lo, float(lo)), max(self.hi, float(hi))
        if lo > 0:
            self.lo_positive = min(self.lo_positive, float(lo))
        elif hi > 0:
            self.lo_positive = min(self.lo_positive, float(np.min(v, where=v > 0, initial=np.inf)))

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
        self._count_wide()
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
