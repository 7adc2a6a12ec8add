"""Detector-image headers as columns over frames.

EDF headers are text: ``motor_mne``/``motor_pos`` (and ``counter_...``) hold
two space-separated lists that pair names with values, every other key holds
one value. Here each name becomes one column (one value per frame), typed as
integers, floats or text so that a positioner such as ``srot`` reads as a
float array over the frames, the way ``silx.io.fabioh5`` shows it.
"""

from __future__ import annotations

import re

import numpy as np

_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(nan|inf|infinity)$", re.IGNORECASE)

#: header key pairs mapped onto named columns: base -> group in the tree
PAIRS = ("motor", "counter")


def mnemonics(header: dict, base: str) -> dict[str, str | None]:
    """``{name: value}`` from a ``<base>_mne``/``<base>_pos`` header pair."""
    names = str(header.get(f"{base}_mne", "")).split()
    values = str(header.get(f"{base}_pos", "")).split()
    return {name: (values[i] if i < len(values) else None) for i, name in enumerate(names)}


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
                array = np.array([[int(x) for x in t] for t in tokens], dtype=np.int64)
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

    Parameters
    ----------
    source : FabioSource or SeriesSource
        Gives ``nframes``, ``header(i)`` and ``reserved`` (format keys such
        as ``Dim_1`` that describe the binary layout, not the experiment).
    """

    def __init__(self, source):
        self.source = source
        self._columns: dict[str, dict[str, list]] | None = None

    def _gather(self) -> dict[str, dict[str, list]]:
        if self._columns is None:
            n = self.source.nframes
            columns: dict[str, dict[str, list]] = {"motor": {}, "counter": {}, "other": {}}
            for i in range(n):
                header = self.source.header(i)
                paired = set()
                for base in PAIRS:
                    if f"{base}_mne" in header and f"{base}_pos" in header:
                        paired.update((f"{base}_mne", f"{base}_pos"))
                        for name, value in mnemonics(header, base).items():
                            columns[base].setdefault(name, [None] * n)[i] = value
                for key, value in header.items():
                    if key in paired or key.upper() in self.source.reserved:
                        continue
                    columns["other"].setdefault(key, [None] * n)[i] = value
            self._columns = columns
        return self._columns

    def names(self, kind: str) -> list[str]:
        """Column names of ``kind`` (``motor``, ``counter`` or ``other``), in header order."""
        return list(self._gather()[kind])

    def array(self, kind: str, name: str) -> np.ndarray:
        return column(self._gather()[kind][name], floats=kind in PAIRS)

    def raw_headers(self) -> np.ndarray:
        """Each frame's full header as ``key: value`` lines (text, one per frame)."""
        lines = []
        for i in range(self.source.nframes):
            lines.append("\n".join(f"{k}: {v}" for k, v in self.source.header(i).items()))
        return np.array(lines, dtype=str)
