"""Masks of invalid pixels: the detector's sentinel, its NeXus ``pixel_mask``, or the user's.

Rules, explicit and switchable (``viewer.mask_invalid``):

- **sentinel**: unsigned integer detector data (16 bits or more) whose dtype maximum (65535 for
  uint16, 4294967295 for uint32 Eiger) marks gaps and saturated pixels; the
  value is invalid wherever it appears (:func:`invalid_value`). Signed and
  floating data have no sentinel (NaN/Inf are always invalid).
- **pixel_mask**: the ``pixel_mask`` of the NXdetector holding the viewed data,
  non-zero = invalid (:func:`detector_mask`).
- **user**: an array, a node, ``"file.h5::/path"``, an ``.npy`` or an image
  file (EDF...) given to :func:`load_mask`; non-zero = invalid.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np


def invalid_value(dtype: Any) -> int | None:
    """The sentinel of ``dtype``: the maximum of unsigned integers of 16 bits or more, else None.

    uint8 is left out: 255 is an ordinary value of 8-bit images, not a detector's gap marker.
    """
    dtype = np.dtype(dtype)
    return int(np.iinfo(dtype).max) if dtype.kind == "u" and dtype.itemsize >= 2 else None


def as_mask(values: Any, shape: tuple[int, ...], label: str = "the mask") -> np.ndarray:
    """``values`` as a bool mask of ``shape`` (non-zero = masked), or ValueError naming both shapes."""
    arr = np.asarray(values)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{label} has dtype {arr.dtype}; a mask is boolean or numeric (non-zero = masked)")
    arr = np.squeeze(arr) if arr.ndim > 2 and arr.size == int(np.prod(shape)) else arr
    if tuple(arr.shape) != tuple(shape):
        raise ValueError(f"{label} has shape {tuple(arr.shape)}, the frame has shape {tuple(shape)}")
    return arr != 0


def load_mask(source: Any, shape: tuple[int, ...]) -> np.ndarray | None:
    """A mask from an array, node, ``"file.h5::/path"``, ``.npy`` or image file; None stays None."""
    if source is None:
        return None
    if isinstance(source, (str, os.PathLike)):
        text = str(source)
        if text.endswith(".npy"):
            return as_mask(np.load(text, allow_pickle=False), shape, text)
        from .. import _open, views

        root: Any = _open.open(text)
        try:
            node: Any = root if getattr(root, "shape", None) is not None else views.choose(root).dataset
            if node is None:
                raise ValueError(f"{text!r} holds no image to use as a mask")
            return as_mask(node[()], shape, text)
        finally:
            root.close()
    if hasattr(source, "shape") and hasattr(source, "__getitem__") and not isinstance(source, np.ndarray):
        where = getattr(source, "path", None) or getattr(source, "name", None)
        label = f"{getattr(source, 'filename', None) or ''}::{where}" if where else "the mask"
        return as_mask(source[()], shape, label)
    return as_mask(source, shape)


def _detectors(dataset: Any) -> list[Any]:
    """NXdetector groups whose data is ``dataset``: its parent, or one reached by a link (same object)."""
    parent = getattr(dataset, "parent", None)
    if getattr(parent, "nx_class", None) == "NXdetector":
        return [parent]
    own, found = getattr(dataset, "object_id", None), []
    if own is None:
        return []
    # entry/instrument/detector: three levels of groups, listed without reading any data
    for entry in _groups(dataset.root):
        for instrument in _groups(entry):
            for det in _groups(instrument):
                data = det.get("data") if det.nx_class == "NXdetector" else None
                if data is not None and getattr(data, "object_id", None) == own:
                    found.append(det)
    return found


def _groups(node: Any) -> list[Any]:
    try:
        return [c for c in node.values() if hasattr(c, "values")]
    except Exception:  # a group that cannot be listed has no detector to offer
        return []


def detector_mask(dataset: Any) -> tuple[np.ndarray | None, str | None]:
    """The ``pixel_mask`` of the NXdetector holding ``dataset`` (or of the NXdata linked to it).

    Returns ``(mask, problem)``: the bool mask (2-D, non-zero = invalid) when
    found and readable, else None, with ``problem`` a sentence when the mask
    exists but cannot be read (the view goes on without it).
    """
    for det in _detectors(dataset):
        node = det.get("pixel_mask", getlink=True)  # a broken link is a node: its failure is said
        if node is None:
            continue
        try:
            values = np.asarray(node.deref()[()])
            return (values.reshape(values.shape[-2:]) if values.ndim > 2 else values) != 0, None
        except Exception as exc:
            return None, (f"the pixel_mask {node.path!r} of {det.filename!r} could not be read "
                          f"({type(exc).__name__}: {exc}); no detector mask applied")
    return None, None


def save_mask(mask: np.ndarray, path: Any, h5path: str = "/mask", overwrite: bool = False) -> None:
    """Write ``mask`` (uint8, 1 = masked) to ``.npy``, ``.edf`` or into an HDF5 file, atomically.

    An existing HDF5 file receives the mask at ``h5path`` (its other content is kept).
    """
    from ..write import atomic_h5, atomic_path

    path = Path(path)
    values = np.asarray(mask, dtype=np.uint8)
    if path.suffix == ".npy":
        with atomic_path(path, overwrite=overwrite) as tmp:
            with open(tmp, "wb") as f:
                np.save(f, values)
    elif path.suffix == ".edf":
        import fabio.edfimage

        with atomic_path(path, overwrite=overwrite) as tmp:
            fabio.edfimage.EdfImage(data=values).write(str(tmp))
    elif path.suffix in (".h5", ".hdf5", ".nxs"):
        with atomic_h5(path, mode="a" if path.exists() else "w") as f:
            if h5path in f:
                if not overwrite:
                    raise FileExistsError(f"{str(path)!r} already holds {h5path!r}; pass overwrite=True to replace it")
                del f[h5path]
            f.create_dataset(h5path, data=values, compression="gzip")
    else:
        raise ValueError(f"cannot save a mask to {str(path)!r}: use .npy, .edf or .h5")
