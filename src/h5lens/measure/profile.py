"""Line profiles of a frame: the same samples as ``skimage.measure.profile_line`` (order=1, "reflect").

A line from ``src`` to ``dst`` (``(row, col)``, pixel centres) is sampled at
``ceil(length + 1)`` evenly spaced points, each across ``width`` points on the
perpendicular, by bilinear interpolation with the frame reflected about its
edges (scipy.ndimage's "reflect": ``d c b a | a b c d | d c b a``), then
reduced across the width by the mean or the sum. Values are float64 whatever
the data's type (scikit-image keeps an integer image's type and rounds).

Reads are bounded: the points are taken in runs whose bounding rectangle holds
at most :data:`BLOCK_PIXELS` pixels, and only that rectangle is read. A sample
touching an invalid pixel (masked, NaN, sentinel) with non-zero weight is NaN
and left out of the reduction across the width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .frame import Frame

#: Pixels of the rectangle read at once for a run of points along the line. The diagonal of an 8192²
#: uint16 image (chunks 512², width 5): 48 ms and 13 MB peak with 1 Mpx runs (72 ms, 46 MB with 4 Mpx),
#: where reading the frame for skimage's profile_line takes 0.6-2.4 s and 512 MB as float64.
BLOCK_PIXELS = 1 << 20
REDUCTIONS = ("mean", "sum")


def line_coordinates(src: Any, dst: Any, width: int = 1) -> np.ndarray:
    """``(2, n, width)`` row and column coordinates of the samples (scikit-image's order)."""
    (r0, c0), (r1, c1) = np.asarray(src, dtype=float), np.asarray(dst, dtype=float)
    theta = math.atan2(r1 - r0, c1 - c0)
    n = int(math.ceil(math.hypot(r1 - r0, c1 - c0) + 1))
    rows, cols = np.linspace(r0, r1, n), np.linspace(c0, c1, n)
    half_c, half_r = (width - 1) * math.sin(-theta) / 2, (width - 1) * math.cos(theta) / 2
    t = np.linspace(-1.0, 1.0, width) if width > 1 else np.zeros(1)
    # scikit-image flips the perpendicular axis after sampling: from +half to -half
    t = t[::-1]
    return np.stack([rows[:, None] + half_r * t, cols[:, None] + half_c * t])


def _reflect(index: np.ndarray, n: int) -> np.ndarray:
    period = 2 * n
    index = np.mod(index, period)
    return np.where(index >= n, period - 1 - index, index)


def _interp(frame: Frame, rr: np.ndarray, cc: np.ndarray) -> np.ndarray:
    """Bilinear samples at ``(rr, cc)`` reading the bounding rectangle of their neighbours only."""
    h, w = frame.shape
    fr, fc = np.floor(rr), np.floor(cc)
    dr, dc = rr - fr, cc - fc
    r = [_reflect(fr.astype(np.int64) + k, h) for k in (0, 1)]
    c = [_reflect(fc.astype(np.int64) + k, w) for k in (0, 1)]
    lo_r, hi_r = int(min(a.min() for a in r)), int(max(a.max() for a in r)) + 1
    lo_c, hi_c = int(min(a.min() for a in c)), int(max(a.max() for a in c)) + 1
    box = frame.read(slice(lo_r, hi_r), slice(lo_c, hi_c))
    out = np.zeros(rr.shape)
    for i, wr in ((0, 1 - dr), (1, dr)):
        for j, wc in ((0, 1 - dc), (1, dc)):
            weight = wr * wc
            v = box[r[i] - lo_r, c[j] - lo_c]
            # a zero weight on an invalid neighbour must not make the sample invalid
            out += np.where(weight == 0, 0.0, weight * v)
    return out


def _run_length(step_r: float, step_c: float, width: int) -> int:
    """Most points per run whose rectangle (k steps plus the width and the neighbours) fits :data:`BLOCK_PIXELS`."""
    def pixels(k: int) -> float:
        return (k * step_r + width + 2) * (k * step_c + width + 2)
    lo, hi = 1, 1 << 40
    while lo < hi:  # the largest k with pixels(k) <= BLOCK_PIXELS (at least 1)
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if pixels(mid) <= BLOCK_PIXELS else (lo, mid - 1)
    return lo


def profile(frame: Frame, src: Any, dst: Any, width: int = 1, reduce: str = "mean") -> dict[str, np.ndarray]:
    """The profile of ``frame`` along ``src → dst``.

    Returns
    -------
    dict
        ``values`` (n,) float64 reduced across the width (NaN where no valid
        sample), ``rows`` and ``cols`` (n,) the centre line's coordinates,
        ``distance`` (n,) from ``src`` in pixels.
    """
    width = int(width)
    if width < 1:
        raise ValueError(f"a profile's width is at least 1 pixel, not {width}")
    if reduce not in REDUCTIONS:
        raise ValueError(f"a profile reduces by {' or '.join(REDUCTIONS)}, not {reduce!r}")
    (r0, c0), (r1, c1) = (tuple(float(v) for v in p) for p in (src, dst))
    h, w = frame.shape
    if math.hypot(r1 - r0, c1 - c0) == 0:
        raise ValueError(f"the profile from {src} to {dst} has zero length")
    for p in (src, dst):
        if not (0 <= p[0] <= h - 1 and 0 <= p[1] <= w - 1):
            raise ValueError(f"the profile's end {tuple(p)} is outside the frame of shape {frame.shape}")
    coords = line_coordinates((r0, c0), (r1, c1), width)
    n = coords.shape[1]
    k = _run_length(abs(r1 - r0) / max(n - 1, 1), abs(c1 - c0) / max(n - 1, 1), width)
    samples = np.concatenate([_interp(frame, coords[0, a:a + k], coords[1, a:a + k]) for a in range(0, n, k)])
    with np.errstate(invalid="ignore"), _quiet():
        valid = np.isfinite(samples).any(axis=1)
        values = np.nanmean(samples, axis=1) if reduce == "mean" else np.nansum(samples, axis=1)
    values[~valid] = np.nan
    rows, cols = np.linspace(r0, r1, n), np.linspace(c0, c1, n)
    return {"values": values, "rows": rows, "cols": cols, "distance": np.hypot(rows - r0, cols - c0)}


class _quiet:
    """Silence numpy's "mean of empty slice" for all-invalid samples (they become NaN on purpose)."""

    def __enter__(self) -> None:
        import warnings
        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc: Any) -> None:
        self._ctx.__exit__(*exc)


@dataclass
class Profile:
    """A profile's definition (what is saved to JSON): ends, width and reduction."""

    start: tuple[float, float]
    end: tuple[float, float]
    width: int = 1
    reduce: str = "mean"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``kind: "profile"``)."""
        return {"kind": "profile", "start": list(self.start), "end": list(self.end), "width": self.width,
                "reduce": self.reduce}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Profile:
        """The profile of :meth:`to_json`'s dict."""
        return cls(tuple(d["start"]), tuple(d["end"]), int(d.get("width", 1)), d.get("reduce", "mean"))
