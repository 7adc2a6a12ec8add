"""Colormaps as 256-entry RGBA lookup tables, sampled from matplotlib.

The browser colours images itself; it receives a colormap as 1024 bytes
(256 × RGBA, uint8). Sampling matplotlib's own colormap objects keeps names
and colours identical to ``imshow``. matplotlib is imported lazily: this is
colour maths, not plotting, and ``import h5lens`` must stay fast.
"""

from __future__ import annotations

import difflib
import struct
import zlib
from functools import cache, lru_cache
from typing import Any

import numpy as np

from ._protocol import AUTOSCALES as AUTOSCALES  # the one list of each is h5lens._protocol's
from ._protocol import SCALES as SCALES

#: Shown first in the viewer's colormap menu; every other name still works.
FAVOURITES = ("viridis", "gray", "inferno", "magma", "plasma", "cividis", "turbo", "jet", "hot", "coolwarm")

#: Colour of NaN/Inf and of non-positive values under a log scale (RGBA).
DEFAULT_BAD = (255, 0, 255, 255)


def _registry():
    import matplotlib  # lazy: only the colour tables are needed

    return matplotlib.colormaps


@cache
def names() -> tuple[str, ...]:
    """Every colormap name matplotlib knows, ``_r`` variants included, sorted."""
    return tuple(sorted(_registry()))


def _get(name: str):
    reg = _registry()
    if not isinstance(name, str) or name not in reg:
        near = difflib.get_close_matches(str(name), names(), n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise ValueError(f"unknown colormap {name!r}{hint}")
    return reg[name]


@lru_cache(maxsize=64)
def lut_array(name: str) -> np.ndarray:
    """The ``(256, 4)`` uint8 table of colormap ``name``.

    Entry ``i`` is matplotlib's colour for a normalised value in
    ``[i/256, (i+1)/256)``: sampling at bin centres gives exactly the
    colormap's own table when it has 256 entries (almost all do) and the
    colour ``imshow`` would use for colormaps with fewer entries.
    """
    cmap = _get(name)
    rgba = cmap((np.arange(256) + 0.5) / 256.0, bytes=True)
    out = np.ascontiguousarray(rgba, dtype=np.uint8)
    out.setflags(write=False)
    return out


def lut(name: str) -> bytes:
    """The colormap as 1024 bytes (256 × RGBA), ready for the wire."""
    return lut_array(name).tobytes()


def menu() -> list[str]:
    """Names for a menu: favourites first, then the rest (without ``_r``)."""
    rest = [n for n in names() if not n.endswith("_r") and n not in FAVOURITES]
    return list(FAVOURITES) + rest


# -- the colour maths the browser does, in numpy (fallback thumbnails, tests) -----------


def _forward(values: np.ndarray, scale: str) -> np.ndarray:
    """Scale transform; NaN where the scale cannot show a value (log of v <= 0, sqrt of v < 0)."""
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        if scale == "linear":
            return v
        if scale == "log":
            return np.where(v > 0, np.log10(np.where(v > 0, v, 1)), np.nan)
        if scale == "sqrt":
            return np.where(v >= 0, np.sqrt(np.where(v >= 0, v, 0)), np.nan)
        if scale == "symlog":  # linear near zero (threshold 1), logarithmic beyond
            return np.sign(v) * np.log10(1 + np.abs(v))
    raise ValueError(f"scale {scale!r} is not one of {', '.join(SCALES)}")


def valid_mask(values: np.ndarray, scale: str = "linear") -> np.ndarray:
    """Pixels the scale can show: finite, and > 0 for log, >= 0 for sqrt."""
    return np.isfinite(_forward(values, scale))


def auto_range(values: np.ndarray, mode: str = "percentile", scale: str = "linear",
               percentiles: tuple[float, float] = (0.1, 99.9)) -> tuple[float, float]:
    """``(vmin, vmax)`` of the values the scale can show.

    ``minmax``; ``percentile`` (linear interpolation between order statistics,
    numpy's default); ``std``: mean ± 3σ clipped to the data's range. No valid
    value gives ``(0, 1)`` (or ``(1, 10)`` under log).
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[valid_mask(v, scale)]
    if v.size == 0:
        return (1.0, 10.0) if scale == "log" else (0.0, 1.0)
    if mode == "minmax":
        return float(v.min()), float(v.max())
    if mode == "percentile":
        lo, hi = np.percentile(v, percentiles)
        return float(lo), float(hi)
    if mode == "std":
        m, s = float(v.mean()), float(v.std())
        return max(float(v.min()), m - 3 * s), min(float(v.max()), m + 3 * s)
    raise ValueError(f"auto-range {mode!r} is not one of minmax, percentile, std")


def colorize(values: np.ndarray, name: str = "viridis", vmin: float = 0.0, vmax: float = 1.0,
             scale: str = "linear", bad: tuple = DEFAULT_BAD) -> np.ndarray:
    """RGBA uint8 image of ``values``: the exact maths of the viewer's front-end.

    ``t = (f(v) - f(vmin)) / (f(vmax) - f(vmin))`` with ``f`` the scale;
    LUT index ``clip(floor(t * 256), 0, 255)``; values the scale cannot show
    get ``bad``. A degenerate range (``f(vmin) == f(vmax)``) maps to index 0.
    """
    table = lut_array(name)
    fv = _forward(values, scale)
    f0, f1 = _forward(np.array([vmin, vmax]), scale)
    span = f1 - f0
    with np.errstate(invalid="ignore", divide="ignore"):
        t = (fv - f0) / span if np.isfinite(span) and span != 0 else np.zeros_like(fv)
        idx = np.clip(np.floor(t * 256), 0, 255)
    good = np.isfinite(fv)
    out = table[np.where(good, idx, 0).astype(np.intp)]
    out[~good] = np.asarray(bad, dtype=np.uint8)
    return out


def png(rgba: np.ndarray) -> bytes:
    """A minimal PNG (RGBA, 8 bit) of an ``(h, w, 4)`` uint8 array (no image library needed)."""
    h, w = rgba.shape[:2]
    raw = b"".join(b"\x00" + rgba[y].tobytes() for y in range(h))  # filter type 0 on every row

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def summary_range(summary: Any, mode: str = "percentile", scale: str = "linear",
                  percentiles: tuple[float, float] = (0.1, 99.9)) -> tuple[float, float] | None:
    """:func:`auto_range` of a full-resolution frame from its :class:`h5lens.stats.Summary` (None: no valid value).

    The twin of the front-end's ``summaryRange`` (js/src/viewer/colour.js):
    min, max, mean and σ are exact when the scale shows every value; percentiles
    and the moments of the values a scale shows come from the histogram (exact
    for integers of at most 16 bits, else within ``summary`` accuracy).
    """
    r = summary.result()
    if not r["count"] or r["min"] is None:
        return None
    values, counts = summary.histogram()
    whole = scale in ("linear", "symlog") or (scale == "log" and r["min"] > 0) or (scale == "sqrt" and r["min"] >= 0)
    if not whole:
        keep = values > 0 if scale == "log" else values >= 0
        values, counts = values[keep], counts[keep]
    count = r["count"] if whole else float(counts.sum())
    if not count or (scale == "log" and r["min_positive"] is None):
        return None
    lo = r["min"] if whole else r["min_positive"] if scale == "log" else max(0.0, float(values[0]))
    if lo > 0 and r["min_positive"] is not None:  # sqrt without zeros: the exact smallest value, not a bin's edge
        lo = r["min_positive"]
    hi = r["max"]
    if mode == "minmax":
        return float(lo), float(hi)
    if mode == "std":
        mean, sd = r["mean"], r["std"]
        if not whole:
            mean = float(np.dot(values, counts) / count)
            sd = float(np.sqrt(np.dot(np.square(values - mean), counts) / count))
        return max(lo, mean - 3 * sd), min(hi, mean + 3 * sd)
    if mode != "percentile":
        raise ValueError(f"auto-range {mode!r} is not one of minmax, percentile, std")
    cum = np.cumsum(counts)

    def at(q: float) -> float:
        pos = q / 100 * (count - 1)
        i = int(np.floor(pos))
        kth = [float(values[min(np.searchsorted(cum, k, side="right"), values.size - 1)]) for k in (i, i + 1)]
        v = kth[0] if pos == i or i + 1 >= count else kth[0] + (kth[1] - kth[0]) * (pos - i)
        return min(hi, max(lo, v))  # a float bin's lower edge may lie below the data

    return at(percentiles[0]), at(percentiles[1])


def thumbnail(values: np.ndarray, name: str = "viridis", scale: str = "linear", autoscale: str = "percentile",
              percentiles: tuple[float, float] = (0.1, 99.9), vmin: float | None = None,
              vmax: float | None = None, summary: Any = None) -> bytes:
    """The PNG of a frame coloured as the viewer's front-end would (a static fallback).

    ``autoscale="manual"`` uses ``vmin``/``vmax`` when both are set, else the data's min and max.
    ``summary``: the :class:`h5lens.stats.Summary` of the full-resolution frame when ``values`` is a
    reduced copy; the colour range then describes the data, not the copy (as the live view's does).
    """
    if autoscale == "manual" and vmin is not None and vmax is not None:
        lo, hi = float(vmin), float(vmax)
    else:
        mode = autoscale if autoscale != "manual" else "minmax"
        found = summary_range(summary, mode, scale, percentiles) if summary is not None else None
        lo, hi = found if found is not None else auto_range(values, mode, scale, percentiles)
    return png(colorize(values, name, lo, hi, scale))
