"""The vocabulary and envelope every message shares: option lists, replies, errors, array headers.

The enumerations are the vocabulary of the viewer's options: the traits'
``Enum`` values, the colour maths and the front-end's menus all come from
here (:func:`options` is sent as ``meta.options``, in menu order). Mirrored by
``js/src/common/protocol/base.js``.
"""

from __future__ import annotations

from typing import Literal, TypedDict

#: Colour scales (the front-end and :func:`h5lens.colormaps.colorize` apply them the same way).
SCALES: tuple[str, ...] = ("linear", "log", "sqrt", "symlog")
#: Auto-range modes, in menu order (``manual`` keeps ``vmin``/``vmax``).
AUTOSCALES: tuple[str, ...] = ("percentile", "minmax", "std", "manual")
#: What a complex dataset shows.
PARTS: tuple[str, ...] = ("amplitude", "phase", "real", "imag")
#: How a frame bigger than the canvas is reduced to it.
AGGREGATIONS: tuple[str, ...] = ("max", "mean")
#: Pixel aspect of an image.
ASPECTS: tuple[str, ...] = ("equal", "auto")


class Options(TypedDict):
    """The viewer's option lists, sent once in ``meta.options``."""

    scales: list[str]
    autoscales: list[str]
    parts: list[str]
    aggregations: list[str]
    aspects: list[str]


def options() -> Options:
    """The enumerations as the front-end receives them (fresh lists: the trait holds its own)."""
    return Options(scales=list(SCALES), autoscales=list(AUTOSCALES), parts=list(PARTS),
                   aggregations=list(AGGREGATIONS), aspects=list(ASPECTS))


# -- the envelope ------------------------------------------------------------------------
class ErrorInfo(TypedDict):
    """Why a command failed: the exception's class name and its sentence."""

    type: str
    message: str


class ErrorReply(TypedDict):
    """A failed command (``widgets._base.command`` turns every exception into one)."""

    ok: Literal[False]
    error: ErrorInfo


class Reply(TypedDict):
    """Base of every successful reply."""

    ok: bool


# -- arrays on the wire ------------------------------------------------------------------
class _WireArray(TypedDict):
    dtype: str
    shape: list[int]
    source_dtype: str


class WireArray(_WireArray, total=False):
    """Header of one array (:func:`h5lens.wire.encode`); ``values`` holds strings, else a buffer does."""

    values: list[str]
    bool: bool
    complex: bool
    int64: bool
    lossy: bool


class ReadStats(TypedDict):
    """What a read costs (:func:`h5lens.decimate.chunk_stats`)."""

    chunks: int
    bytes: int
    selected_bytes: int
    amplification: float
