"""One 2-D frame of a dataset (or array), read in rectangles, with its validity.

A :class:`Frame` is what measuring reads: the kept dimensions of a selection
(``"3,:,:"``), maybe transposed, as ``(rows, cols)``. Reads go through
:meth:`Frame.read`, a rectangle of the displayed frame, so a profile or an ROI
costs only the rows and columns it covers. Validity is decided here once:
a pixel is valid when it is finite, not under the mask and (with
``mask_invalid``) not the detector's "invalid" sentinel (:func:`h5lens.measure.mask.invalid_value`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import selection as sel
from ..frames import FrameGeometry, as_real
from .tiles import TileCache


@dataclass
class Frame:
    """A displayed 2-D frame of ``source`` (node, h5py dataset or array).

    Parameters
    ----------
    source : array-like
        Anything indexable with a tuple of ints and slices and having ``shape``.
    items : tuple, optional
        Parsed selection keeping two dimensions (default: the whole 2-D source).
    transposed : bool
        Rows are the second kept dimension.
    mask : numpy bool array, optional
        ``True`` = masked (invalid), of the displayed frame's shape.
    invalid : number, optional
        A sentinel value marking invalid pixels (e.g. 4294967295 for Eiger uint32).
    part : str
        Part of complex data (see :data:`h5lens.frames.COMPLEX_PARTS`).
    tiles : TileCache, optional
        Tiles of this frame kept between reads (:mod:`h5lens.measure.tiles`): a dragged profile.
    """

    source: Any
    items: tuple | None = None
    transposed: bool = False
    mask: np.ndarray | None = None
    invalid: float | None = None
    part: str = "amplitude"
    tiles: TileCache | None = None

    def __post_init__(self) -> None:
        full = tuple(int(n) for n in self.source.shape)
        if self.items is None:
            if len(full) != 2:
                raise ValueError(f"a frame needs a selection keeping two of the {len(full)} dimensions {full}")
            self.items = (slice(None), slice(None))
        self.items = sel.parse(sel.format(tuple(self.items), full), full)
        self.geometry = FrameGeometry.of(full, self.items)
        self.ydim, self.xdim = self.geometry.axes(self.transposed)
        self.shape: tuple[int, int] = (self.geometry.size(self.ydim), self.geometry.size(self.xdim))
        if self.mask is not None and tuple(self.mask.shape) != self.shape:
            raise ValueError(f"mask of shape {tuple(self.mask.shape)} does not fit the frame of shape {self.shape}")

    def read(self, rows: slice, cols: slice) -> np.ndarray:
        """float64 values of ``frame[rows, cols]`` (unit steps), NaN where invalid."""
        if self.tiles is not None:
            r0, r1, _ = rows.indices(self.shape[0])
            c0, c1, _ = cols.indices(self.shape[1])
            return self.tiles.read(self.shape, r0, r1, c0, c1, self._read)
        return self._read(rows, cols)

    def _raw(self, rows: slice, cols: slice) -> np.ndarray:
        """``frame[rows, cols]`` as stored (its dtype), in the frame's orientation."""
        r0, r1, _ = rows.indices(self.shape[0])
        c0, c1, _ = cols.indices(self.shape[1])
        spans = {self.ydim: self.geometry.span(self.ydim, r0, r1), self.xdim: self.geometry.span(self.xdim, c0, c1)}
        raw = np.asarray(self.source[self.geometry.select(spans)])
        return raw.T if self.transposed else raw  # the read comes in source order

    def values(self, rows: slice, cols: slice) -> np.ndarray:
        """float64 values of ``frame[rows, cols]`` as stored (the complex part), validity not applied (±Inf kept)."""
        return np.array(as_real(self._raw(rows, cols), self.part), dtype=np.float64)

    def read_block(self, rows: slice, cols: slice) -> np.ndarray:
        """``frame[rows, cols]`` as stored when it holds integers of up to 4 bytes, all valid; else :meth:`read`'s.

        What ROI statistics reduce without a float64 copy (exact integer sums);
        read once either way (the tiles are not used).
        """
        r0, r1, _ = rows.indices(self.shape[0])
        c0, c1, _ = cols.indices(self.shape[1])
        raw = self._raw(rows, cols)
        if (raw.dtype.kind in "iu" and raw.dtype.itemsize <= 4
                and (self.mask is None or not self.mask[r0:r1, c0:c1].any())
                and (self.invalid is None or not (raw == self.invalid).any())):
            return raw
        return self._valid(raw, r0, r1, c0, c1)

    def _read(self, rows: slice, cols: slice) -> np.ndarray:
        r0, r1, _ = rows.indices(self.shape[0])
        c0, c1, _ = cols.indices(self.shape[1])
        return self._valid(self._raw(rows, cols), r0, r1, c0, c1)

    def _valid(self, raw: np.ndarray, r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        """float64 of ``raw`` (the frame's ``[r0:r1, c0:c1]``), NaN where invalid."""
        values = np.array(as_real(raw, self.part), dtype=np.float64)
        bad = ~np.isfinite(values)
        if self.invalid is not None and raw.dtype.kind in "iu":
            bad |= raw == self.invalid
        if self.mask is not None:
            bad |= self.mask[r0:r1, c0:c1]
        values[bad] = np.nan
        return values

    def with_items(self, items: tuple) -> Frame:
        """The same options on another frame of the stack (``items`` parsed)."""
        return Frame(self.source, items, self.transposed, self.mask, self.invalid, self.part)
