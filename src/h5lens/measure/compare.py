"""Two images compared pixel by pixel: ``h5lens.compare(a, b, mode="diff" | "ratio")``.

The maths only (the side-by-side view is the viewer's). Results are float64;
a ratio where ``b == 0`` is NaN, which the viewer paints in its bad colour.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MODES = ("diff", "ratio")


def compare(a: Any, b: Any, mode: str = "diff") -> np.ndarray:
    """``a - b`` (``"diff"``) or ``a / b`` (``"ratio"``, NaN where ``b == 0``), as float64.

    Raises
    ------
    ValueError
        When the shapes differ (naming both) or ``mode`` is unknown.
    """
    if mode not in MODES:
        raise ValueError(f"compare mode {mode!r} is not one of {', '.join(MODES)}")
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare images of shapes {a.shape} and {b.shape}: they differ")
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    if mode == "diff":
        out: np.ndarray = a64 - b64
        return out
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio: np.ndarray = np.where(b64 == 0, np.nan, a64 / np.where(b64 == 0, 1.0, b64))
    return ratio
