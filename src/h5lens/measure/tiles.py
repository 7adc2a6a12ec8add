"""Tiles of a frame kept between profiles: dragging a profile end reads only the tiles it reaches anew.

A profile reads the rectangles its line crosses (:meth:`h5lens.measure.Frame.read`);
while an end is dragged, each move reads nearly the same pixels again (and
decompresses the same chunks). A :class:`TileCache` keeps the validated float64
values of square tiles of one frame, least recently used first out, within a
byte budget, so memory stays bounded. The viewer empties it when the frame,
the mask or the validity rule changes.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

#: Side of a tile in pixels: small enough that a line's first read costs about what its own rectangles
#: would (4096² uint32, width 5, under load: first read 44-150 ms either way, each next move 9-57 ms
#: instead of 40-300 ms; gzip chunks 190-480 ms first, then 2-52 ms instead of 170-700 ms).
TILE = 128
#: Bytes of tiles kept (float64): 48 MiB, 384 tiles of 128², a line across a 16k × 16k frame and more.
BUDGET = 48 << 20


class TileCache:
    """Least recently used tiles of one frame: ``get((ti, tj), read)`` reads a tile once."""

    def __init__(self, tile: int = TILE, budget: int = BUDGET):
        self.tile = tile
        self.budget = budget
        self.nbytes = 0
        self._tiles: OrderedDict[tuple[int, int], np.ndarray] = OrderedDict()

    def get(self, key: tuple[int, int], read: Callable[[], np.ndarray]) -> np.ndarray:
        """The tile ``key`` (``(tile row, tile column)``), read by ``read()`` when not kept."""
        tile = self._tiles.get(key)
        if tile is not None:
            self._tiles.move_to_end(key)
            return tile
        tile = read()
        self._tiles[key] = tile
        self.nbytes += tile.nbytes
        while self.nbytes > self.budget and len(self._tiles) > 1:
            _, old = self._tiles.popitem(last=False)
            self.nbytes -= old.nbytes
        return tile

    def clear(self) -> None:
        """Forget every tile (another frame, mask or validity rule)."""
        self._tiles.clear()
        self.nbytes = 0

    def read(self, shape: tuple[int, int], r0: int, r1: int, c0: int, c1: int,
             read: Callable[[slice, slice], np.ndarray]) -> np.ndarray:
        """``frame[r0:r1, c0:c1]`` assembled from tiles of a frame of ``shape`` read by ``read(rows, cols)``."""
        t, (h, w) = self.tile, shape
        out = np.empty((r1 - r0, c1 - c0))
        for ti in range(r0 // t, (r1 - 1) // t + 1):
            for tj in range(c0 // t, (c1 - 1) // t + 1):
                y0, x0 = ti * t, tj * t
                rows, cols = slice(y0, min(h, y0 + t)), slice(x0, min(w, x0 + t))
                tile = self.get((ti, tj), functools.partial(read, rows, cols))
                a0, a1, b0, b1 = max(r0, y0), min(r1, y0 + t), max(c0, x0), min(c1, x0 + t)
                out[a0 - r0:a1 - r0, b0 - c0:b1 - c0] = tile[a0 - y0:a1 - y0, b0 - x0:b1 - x0]
        return out
