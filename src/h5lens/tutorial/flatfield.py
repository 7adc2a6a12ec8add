"""Flat-field correction: one frame, a stack in memory, or a stack on disk.

The correction is ``(raw - dark) / (flat - dark)``, always computed in
float32 after casting each input to float32 (so a uint16 raw below the dark
level gives a negative value instead of wrapping round to 65 000).
Pixels where ``flat == dark`` cannot be corrected: they get ``fill`` (NaN by
default) and a warning says how many there are.
"""

from __future__ import annotations

import bisect
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["flatfield", "interpolated_flat", "as_float32"]


def as_array(data: Any) -> np.ndarray:
    """``data`` as a numpy array of its own dtype.

    Accepts numpy arrays, h5py datasets, h5lens dataset nodes (links are
    followed) and anything ``np.asarray`` understands. The whole array is
    read: slice first to bound memory.
    """
    deref = getattr(data, "deref", None)
    if deref is not None:  # an h5lens node: follow links, read through the node
        data = deref()[()]
    elif hasattr(data, "shape") and not isinstance(data, np.ndarray) and hasattr(data, "__getitem__"):
        data = data[()]  # h5py.Dataset and friends: one read, no per-element access
    data = np.asarray(data)
    if data.dtype.kind not in "uifb":
        raise TypeError(f"cannot flat-field correct {data.dtype} data")
    return data


def as_float32(data: Any) -> np.ndarray:
    """``data`` (see :func:`as_array`) as a float32 numpy array."""
    return np.asarray(as_array(data), dtype=np.float32)


def correct_into(buf: np.ndarray, flat: np.ndarray, dark: np.ndarray, fill: float,
                 den: np.ndarray | None = None, bad: np.ndarray | None = None) -> int:
    """Correct float32 ``buf`` in place; return how many values got ``fill``.

    ``flat`` and ``dark`` are float32 and broadcast against ``buf``; ``den``
    is ``flat - dark`` and ``bad`` the mask ``den == 0`` (``None`` once known
    to be all false) when the caller keeps them between calls, which saves a
    comparison per call. Shared by the in-memory and the chunked paths so
    that both give identical bits.
    """
    if den is None:
        den = flat - dark
        bad = den == 0
        if not bad.any():
            bad = None
    buf -= dark
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(buf, den, out=buf)
    if bad is None:
        return 0
    bad = np.broadcast_to(bad, buf.shape)
    buf[bad] = fill
    return int(np.count_nonzero(bad))


def warn_bad(nbad: int, total: int, fill: float, stacklevel: int = 3) -> None:
    """Warn that ``nbad`` of ``total`` corrected values were set to ``fill``."""
    if nbad:
        warnings.warn(
            f"flatfield: {nbad} of {total} pixels have flat == dark; set to {fill}",
            RuntimeWarning,
            stacklevel=stacklevel,
        )


def flatfield(raw: Any, flat: Any, dark: Any, *, fill: float = np.nan) -> np.ndarray:
    """Flat-field corrected image(s): ``(raw - dark) / (flat - dark)`` in float32.

    Parameters
    ----------
    raw : array-like
        One frame ``(h, w)`` or a stack ``(n, h, w)``; any integer or float
        dtype (numpy array, h5py dataset or h5lens node).
    flat, dark : array-like
        Flat (beam without sample) and dark (beam off) images; a 2-D flat or
        dark is broadcast over a stack.
    fill : float, optional
        Value for pixels where ``flat == dark`` (NaN by default).

    Returns
    -------
    numpy.ndarray
        float32 array of the broadcast shape.

    Warns
    -----
    RuntimeWarning
        When some pixels have ``flat == dark``, with their count.
    """
    raw = as_array(raw)
    flat32, dark32 = as_float32(flat), as_float32(dark)
    shape = np.broadcast_shapes(raw.shape, flat32.shape, dark32.shape)
    # one float32 buffer, filled straight from the raw dtype: no float32 copy of
    # the input first, and the caller's array is never modified
    buf = np.empty(shape, dtype=np.float32)
    np.copyto(buf, raw, casting="unsafe")
    nbad = correct_into(buf, flat32, dark32, fill)
    warn_bad(nbad, buf.size, fill)
    return buf


def interpolated_flat(flats: Mapping[int, Any] | Any, index: float) -> np.ndarray:
    """The flat for projection ``index``, blended from flats taken at other indices.

    Piecewise linear between the two surrounding acquisition indices and
    clamped outside their range: with ``{0: f0, 500: f500}`` this is the
    course's ``coef = clip(i / 500, 0, 1); f0 * (1 - coef) + f500 * coef``.

    Parameters
    ----------
    flats : mapping of int to array-like, or array-like
        Flats keyed by the projection index they were acquired at. A single
        array is returned as float32 whatever ``index`` is.
    index : float
        Projection index.

    Returns
    -------
    numpy.ndarray
        float32 flat image.
    """
    if not isinstance(flats, Mapping):
        return as_float32(flats)
    if not flats:
        raise ValueError("interpolated_flat needs at least one flat")
    keys = sorted(flats)
    if index <= keys[0]:
        return as_float32(flats[keys[0]])
    if index >= keys[-1]:
        return as_float32(flats[keys[-1]])
    hi = bisect.bisect_right(keys, index)
    k0, k1 = keys[hi - 1], keys[hi]
    coef = float(index - k0) / float(k1 - k0)
    f0, f1 = as_float32(flats[k0]), as_float32(flats[k1])
    if coef == 0.0:
        return f0
    return f0 * np.float32(1.0 - coef) + f1 * np.float32(coef)

