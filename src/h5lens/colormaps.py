"""Colormaps as 256-entry RGBA lookup tables, sampled from matplotlib.

The browser colours images itself; it receives a colormap as 1024 bytes
(256 × RGBA, uint8). Sampling matplotlib's own colormap objects keeps names
and colours identical to ``imshow``. matplotlib is imported lazily: this is
colour maths, not plotting, and ``import h5lens`` must stay fast.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

import numpy as np

#: Shown first in the viewer's colormap menu; every other name still works.
FAVOURITES = ("viridis", "gray", "inferno", "magma", "plasma", "cividis", "turbo", "jet", "hot", "coolwarm")

#: Colour of NaN/Inf and of non-positive values under a log scale (RGBA).
DEFAULT_BAD = (255, 0, 255, 255)


def _registry():
    import matplotlib  # lazy: only the colour tables are needed

    return matplotlib.colormaps


@lru_cache(maxsize=None)
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
