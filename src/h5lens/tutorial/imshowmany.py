"""Show any number of images side by side in one matplotlib figure.

The course calls both ``imshowmany(Before=raw, After=saved)`` and
``imshowmany(result_dict)``; this version also takes plain positional arrays,
h5py datasets and h5lens nodes, and lays out any count of images on a grid.
matplotlib is imported only when the function is called.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

#: Datasets larger than this many pixels are read with a stride (memory stays bounded).
MAX_PIXELS = 4096 * 4096


def grid_shape(n: int, ncols: int | None = None) -> tuple[int, int]:
    """(rows, columns) for ``n`` images: one row up to 3, then about square."""
    if n < 1:
        raise ValueError("imshowmany needs at least one image")
    if ncols is None:
        ncols = n if n <= 3 else math.ceil(math.sqrt(n))
    ncols = max(1, min(int(ncols), n))
    return math.ceil(n / ncols), ncols


def to_image(data: Any, name: str, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """A 2-D (or RGB(A)) numpy array from an array, h5py dataset or h5lens node.

    Datasets on disk bigger than ``max_pixels`` are read with a stride so that
    a huge detector image never loads whole just to be drawn a few hundred
    pixels wide.
    """
    deref = getattr(data, "deref", None)
    if deref is not None:
        data = deref()
    if not isinstance(data, np.ndarray) and hasattr(data, "shape") and hasattr(data, "__getitem__"):
        shape = tuple(data.shape)
        if len(shape) >= 2 and np.prod(shape[:2], dtype=np.int64) > max_pixels:
            step = math.ceil(math.sqrt(np.prod(shape[:2], dtype=np.int64) / max_pixels))
            data = data[::step, ::step]
        else:
            data = data[()]
    image = np.asarray(data)
    while image.ndim > 2 and image.shape[0] == 1:  # a one-frame stack is an image
        image = image[0]
    if image.ndim != 2 and not (image.ndim == 3 and image.shape[-1] in (3, 4)):
        raise ValueError(f"image {name!r} has shape {image.shape}: pass a 2-D image (slice stacks first)")
    if image.dtype.kind not in "uifb":
        raise TypeError(f"image {name!r} has dtype {image.dtype}, which cannot be drawn")
    return image


def _collect(images: tuple, named: dict) -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    count = 0
    for item in images:
        if isinstance(item, Mapping):
            items.extend((str(k), v) for k, v in item.items())
        else:
            items.append((f"image {count}", item))
            count += 1
    items.extend(named.items())
    return items


def _finite_range(arrays) -> tuple[float, float] | tuple[None, None]:
    lows, highs = [], []
    for a in arrays:
        finite = a[np.isfinite(a)] if a.dtype.kind == "f" else a
        if finite.size:
            lows.append(finite.min())
            highs.append(finite.max())
    return (float(min(lows)), float(max(highs))) if lows else (None, None)


def imshowmany(
    *images: Any,
    ncols: int | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    share_range: bool = False,
    colorbar: bool = False,
    cmap: str | None = None,
    figsize: tuple[float, float] | None = None,
    **named_images: Any,
):
    """Draw several images on a grid and return the matplotlib figure.

    Parameters
    ----------
    *images : array-like or mapping
        Images titled ``image 0``, ``image 1``, …; a mapping adds its items
        with their keys as titles.
    ncols : int, optional
        Columns of the grid (default: all in one row up to 3, then the
        ceiling of the square root of the count). Spare cells are hidden.
    vmin, vmax : float, optional
        Colour range applied to every image.
    share_range : bool
        Use one colour range for all images (the finite min/max of all),
        so that they compare by colour; the given ``vmin``/``vmax`` win.
    colorbar : bool
        Add colour bars: one for the figure when the range is shared, else
        one per image.
    cmap : str, optional
        Colormap name (matplotlib's default otherwise).
    figsize : (float, float), optional
        Figure size in inches (default grows with the grid).
    **named_images : array-like
        Images titled by their keyword. The option names above are reserved:
        pass a mapping to use them as titles.

    Returns
    -------
    matplotlib.figure.Figure
        Assign it (``fig = imshowmany(...)``) or end the line with ``;`` in a
        notebook to see the figure once.
    """
    import matplotlib.pyplot as plt

    items = [(title, to_image(data, title)) for title, data in _collect(images, named_images)]
    rows, cols = grid_shape(len(items), ncols)
    shared = share_range or (vmin is not None and vmax is not None)
    if share_range:
        low, high = _finite_range([img for _, img in items if img.ndim == 2])
        vmin = low if vmin is None else vmin
        vmax = high if vmax is None else vmax
    if figsize is None:
        figsize = (min(4.0 * cols, 16.0), min(3.6 * rows, 14.0))
    fig, axes = plt.subplots(rows, cols, figsize=figsize, squeeze=False, layout="constrained")
    flat_axes = list(axes.ravel())
    mappable = None
    for ax, (title, img) in zip(flat_axes, items):
        mappable = ax.imshow(img, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        ax.set_title(title)
        if colorbar and not shared:
            fig.colorbar(mappable, ax=ax, shrink=0.8)
    for ax in flat_axes[len(items):]:
        ax.set_visible(False)  # a grid of 3 × 3 for 7 images: hide the 2 spare cells
    if colorbar and shared and mappable is not None:
        fig.colorbar(mappable, ax=flat_axes[: len(items)], shrink=0.8)
    return fig
