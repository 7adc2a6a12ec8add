"""Detector-image headers as columns over frames.

EDF headers are text: ``motor_mne``/``motor_pos`` (and ``counter_...``) hold
two space-separated lists that pair names with values, every other key holds
one value. Here each name becomes one column (one value per frame), typed as
integers, floats or text so that a positioner such as ``srot`` reads as a
float array over the frames, the way ``silx.io.fabioh5`` shows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ._imagesource import FabioSource, SeriesSource

_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(nan|inf|infinity)$", re.IGNORECASE)

#: header key pairs mapped onto named columns: base -> group in the tree
PAIRS = ("motor", "counter")


def column(values: list, floats: bool = False) -> np.ndarray:
    """Best-fitting array for one header name over frames.

    Parameters
    ----------
    values : list
        One raw value per frame (str, number or None when absent).
    floats : bool
        Give numeric columns as float64 even when every value is an integer
        (positioners and counters, whose type must not change from scan to scan).

    Returns
    -------
    numpy.ndarray
        ``(nframes,)`` for single values, ``(nframes, k)`` when every frame
        holds the same number ``k > 1`` of numbers, else a text column.
    """
    tokens = [None if v is None else str(v).split() for v in values]
    present = [t for t in tokens if t]
    if present and all(len(t) == len(present[0]) for t in present):
        width = len(present[0])
        flat = [x for t in present for x in t]
        complete = len(present) == len(tokens)
        if not floats and complete and all(_INT.match(x) for x in flat):
            try:
                array = np.array([[int(x) for x in t] for t in present], dtype=np.int64)  # complete: all of them
                return array[:, 0] if width == 1 else array
            except OverflowError:  # beyond int64: fall back to floats
                pass
        if all(_FLOAT.match(x) for x in flat):
            array = np.full((len(tokens), width), np.nan)
            for row, t in enumerate(tokens):
                if t:
                    array[row] = [float(x) for x in t]
            return array[:, 0] if width == 1 else array
    return np.array(["" if v is None else str(v) for v in values], dtype=str)


class HeaderTable:
    """Header columns of a frame source, gathered on first use.

    Names are collected over every frame (cheaply: frames usually repeat
    the same ``motor_mne`` string, parsed once); a column's values are
    pulled from the frames only when that column is read.

    Parameters
    ----------
    source : FabioSource or SeriesSource
        Gives ``nframes``, ``header(i)`` and ``reserved`` (format keys such
        as ``Dim_1`` that describe the binary layout, not the experiment).
    """

    def __init__(self, source: FabioSource | SeriesSource):
        self.source = source
        self._names: dict[str, list[str]] = {}
        self._index: dict[str, dict[str, int]] = {}  # mne string -> {name: position}
        self._tokens: dict[tuple[str, int], list[str]] = {}  # (base, frame) -> split _pos values

    def reset(self) -> None:
        """Forget the column names found so far (the source gained frames)."""
        self._names.clear()

    def _headers(self) -> Iterator[dict[str, Any]]:
        return (self.source.header(i) for i in range(self.source.nframes))

    def _positions(self, mne: str) -> dict[str, int]:
        if mne not in self._index:
            positions: dict[str, int] = {}
            for i, name in enumerate(mne.split()):
                positions.setdefault(name, i)
            self._index[mne] = positions
        return self._index[mne]

    def names(self, kind: str) -> list[str]:
        """Column names of ``kind`` (``motor``, ``counter`` or ``other``), in header order."""
        if kind not in self._names:
            seen: dict[str, None] = {}
            for header in self._headers():
                if kind in PAIRS:
                    if f"{kind}_mne" in header and f"{kind}_pos" in header:
                        seen.update(dict.fromkeys(self._positions(str(header[f"{kind}_mne"]))))
                    continue
                for key in header:
                    if key not in seen and not self._hidden(header, key):
                        seen[key] = None
            self._names[kind] = list(seen)
        return self._names[kind]

    def _hidden(self, header: dict[str, Any], key: str) -> bool:
        """Layout keys and the mne/pos pairs shown as positioners and counters."""
        if key.upper() in self.source.reserved:
            return True
        base, _, suffix = key.rpartition("_")
        return base in PAIRS and suffix in ("mne", "pos") and f"{base}_mne" in header and f"{base}_pos" in header

    def _pair_value(self, base: str, frame: int, header: dict[str, Any], name: str) -> str | None:
        if f"{base}_mne" not in header or f"{base}_pos" not in header:
            return None
        position = self._positions(str(header[f"{base}_mne"])).get(name)
        if position is None:
            return None
        tokens = self._tokens.get((base, frame))
        if tokens is None:
            tokens = self._tokens[(base, frame)] = str(header[f"{base}_pos"]).split()
        return tokens[position] if position < len(tokens) else None

    def array(self, kind: str, name: str) -> np.ndarray:
        """One column over frames (see :func:`column`)."""
        if kind in PAIRS:
            values = [self._pair_value(kind, i, h, name) for i, h in enumerate(self._headers())]
        else:
            values = [h.get(name) for h in self._headers()]
        return column(values, floats=kind in PAIRS)

    def raw_headers(self) -> np.ndarray:
        """Each frame's full header as ``key: value`` lines (text, one per frame)."""
        lines = ["\n".join(f"{k}: {v}" for k, v in header.items()) for header in self._headers()]
        return np.array(lines, dtype=str)
