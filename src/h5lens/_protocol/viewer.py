"""The viewer's messages: its ``meta`` trait, frames, curves, overlays, values, LUTs and exports.

Mirrored by ``js/src/common/protocol/viewer.js``.
"""

from __future__ import annotations

from typing import Any, TypedDict

from .base import Options, ReadStats, Reply, WireArray


class Abscissa(TypedDict):
    """One abscissa a curve can be drawn against (:mod:`h5lens.abscissa`): its name and its label."""

    name: str
    label: str


class _Dim(TypedDict):
    name: str
    size: int


class Dim(_Dim, total=False):
    """One dimension of the dataset shown: NXdata axis label and values when known.

    ``abscissae``: what a curve along this dimension can be drawn against (the
    default first, ``index`` last), when there is more than the index.
    """

    label: str
    values: list[float]
    abscissae: list[Abscissa]


class _ViewerMeta(TypedDict):
    path: str
    filename: str
    complex: bool
    compound: bool
    options: Options


class ViewerMeta(_ViewerMeta, total=False):
    """The viewer's ``meta`` trait: labels and facts the front-end shows or decides by.

    ``complex`` (a complex dtype: offer the parts) and ``compound`` (a
    structured dtype: no CSV) are decided here, so the front-end never
    parses the ``dtype`` label. Dataset keys are absent when nothing is shown;
    ``title``, ``errors`` and ``auxiliary`` come with NXdata only.
    """

    shape: str
    dtype: str
    chunks: list[int] | None
    name: str
    signal: str
    dims: list[Dim]
    nxdata: bool
    title: str
    errors: bool
    auxiliary: list[str]


class FrameAxes(TypedDict, total=False):
    """NXdata axis values at the rows (``y``) and columns (``x``) of a frame."""

    y: list[float]
    x: list[float]


class FrameSummary(TypedDict):
    """Statistics of the full-resolution frame region when the display copy aggregates pixels.

    Exact ``count`` (finite values), ``min``, ``max``, ``mean``, ``std`` and
    ``min_positive`` (None when there is no such value); ``values``/``counts``
    are the non-empty histogram bins (float64 buffers): one per value when
    ``exact``, else float bins whose lower edge is within a relative
    ``accuracy`` of every value they hold (:mod:`h5lens.stats`).
    """

    count: int
    min: float | None
    max: float | None
    mean: float | None
    std: float | None
    min_positive: float | None
    exact: bool
    accuracy: float
    values: WireArray
    counts: WireArray


class MaskPartial(TypedDict):
    """Display pixels of a downsampled frame holding masked pixels among valid ones (not painted masked).

    ``blocks``: how many; ``index``: the first of them (flat indices of the display copy), ``masked``:
    how many of the data pixels behind each are masked.
    """

    blocks: int
    index: list[int]
    masked: list[int]


class FrameFields(Reply):
    """The keys of every frame reply, the viewer's (:class:`FrameReply`) and the compare widget's."""

    array: WireArray
    seq: Any
    preview: bool
    frame_shape: list[int]
    region: list[int]
    factors: list[int]
    dims: list[int]
    stats: ReadStats
    warning: str | None
    axes: FrameAxes
    kernel_ms: float
    summary: FrameSummary | None


class _ViewerFrameReply(FrameFields):
    summary_due: bool


class FrameReply(_ViewerFrameReply, total=False):
    """Command ``frame``: one 2-D frame at display size (its buffer, the summary's values and counts, the mask's).

    ``summary_due``: the display copy aggregates pixels but their ``summary`` is not
    in this reply (it would have held the frame up): ``frame_summary`` brings it.

    ``mask`` (uint8, the display copy's shape, 1 = every pixel of the block is
    masked) comes when a mask applies; ``invalid`` is the detector's sentinel
    value when ``mask_invalid`` applies (pixels holding it are masked too);
    ``mask_partial`` when display pixels hold masked pixels among valid ones.
    """

    mask: WireArray
    invalid: int
    mask_partial: MaskPartial


class FrameSummaryReply(Reply):
    """Command ``frame_summary``: the statistics a frame was sent without (``summary_due``), when ready.

    ``pending``: not ready yet (``summary`` is None; ask again); else ``summary`` holds them (its values
    and counts are the two buffers).
    """

    seq: Any
    pending: bool
    summary: FrameSummary | None


class _CurveReply(Reply):
    seq: Any
    index: list[int]
    length: int
    region: list[int]
    dim: int
    decimated: bool
    stats: ReadStats
    warning: str | None
    arrays: list[WireArray]
    x: list[float] | None
    abscissa: str
    aux: list[str]


class CurveReply(_CurveReply, total=False):
    """Command ``curve``: ``arrays`` are y (or min then max when decimated), errors, auxiliary signals.

    ``x`` holds the values of the ``abscissa`` the curve is drawn against (None for ``index``).
    """

    errors: bool


class OverlayReply(Reply):
    """Command ``overlay``: a curve overlaid with ``add_curve``; ``arrays`` are y (or min then max when decimated).

    ``x`` holds the shown curve's abscissa at ``index`` when the overlay has the
    curve's length, else None (drawn against its own index).
    """

    id: int
    seq: Any
    index: list[int]
    length: int
    decimated: bool
    arrays: list[WireArray]
    x: list[float] | None


class OverlayItem(TypedDict):
    """One curve of the viewer's ``curves`` trait (``add_curve``): its id, legend label and number of points."""

    id: int
    label: str
    length: int


class ValuesReply(Reply, total=False):
    """Command ``values``: ``text`` for a scalar, else a table of text cells."""

    text: str
    columns: list[str]
    rows: list[list[str]]
    total: int
    truncated: bool


class LutsReply(Reply):
    """Command ``luts``: one buffer of 256 × RGBA bytes per name, in order."""

    names: list[str]


class ExportReply(Reply):
    """Command ``export``: the file's bytes in one buffer."""

    filename: str
    bytes: int
