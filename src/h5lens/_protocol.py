"""The messages the widgets send to the front-end, typed in one place.

Every command reply is a ``{"ok": True, ...}`` dict (or an :class:`ErrorReply`)
made of JSON values and, for arrays, a :class:`WireArray` header whose bytes
travel as buffers (:mod:`h5lens.wire`). The types below are what the widgets
build and what ``js/src/common/protocol.js`` mirrors as JSDoc typedefs; both
sides read ``tests/fixtures/protocol_cases.json`` (keys, types and the
enumerations), so a field cannot be renamed on one side only.

The enumerations are the vocabulary of the viewer's options: the traits'
``Enum`` values, the colour maths and the front-end's menus all come from
here (:data:`OPTIONS` is sent as ``meta.options``, in menu order).

Each message is a ``TypedDict`` with its required keys; optional keys live in
a ``total=False`` subclass (``NotRequired`` needs Python 3.11).
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

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


# -- viewer ------------------------------------------------------------------------------
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


class _FrameReply(Reply):

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


class _ViewerFrameReply(_FrameReply):
    summary_due: bool


class FrameReply(_ViewerFrameReply, total=False):
    """Command ``frame``: one 2-D frame at display size (its buffer, the summary's values and counts, the mask's).

    ``summary_due``: the display copy aggregates pixels but their ``summary`` is not
    in this reply (it would have held the frame up): ``frame_summary`` brings it.

    ``mask`` (uint8, the display copy's shape, 1 = every pixel of the block is
    masked) comes when a mask applies; ``invalid`` is the detector's sentinel
    value when ``mask_invalid`` applies (pixels holding it are masked too).
    """

    mask: WireArray
    invalid: int


class RegionNumbers(TypedDict):
    """Exact statistics of an image's shown region at full resolution.

    ``pixels`` in it, ``finite`` values, and their min, max, mean and std (None when none is finite).
    """

    pixels: int
    finite: int
    min: float | None
    max: float | None
    mean: float | None
    std: float | None


class CompareFrameReply(_FrameReply):
    """Command ``frame`` of the compare widget: image ``which`` (a, b, diff, ratio) and its exact ``numbers``."""

    which: str
    numbers: RegionNumbers


class CompareSide(TypedDict):
    """One side of a comparison: its label (file::path [frame]), its frame's shape and dtype.

    ``frames``: how many its stack holds (0: a single image); ``index``: the one shown.
    """

    label: str
    shape: list[int]
    dtype: str
    frames: int
    index: int


class CompareMeta(TypedDict):
    """The compare widget's ``sides`` trait; ``problem`` says why diff/ratio cannot be shown ("" when they can)."""

    a: CompareSide
    b: CompareSide
    same_shape: bool
    problem: str
    modes: list[str]
    options: Options


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


class AddToPlotReply(Reply):
    """Command ``add_to_plot`` (explorer): what was overlaid on which curve, for the status line."""

    message: str


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


class ProfileReply(Reply):
    """Command ``profile``: ``arrays`` are the values then the positions (float64), ``axis`` labels the positions."""

    seq: Any
    length: int
    arrays: list[WireArray]
    axis: str


class RoiStatsReply(Reply):
    """Command ``roi_stats``: valid pixels of the ROI on a frame; ``com`` (row, col) is null when the sum is 0."""

    seq: Any
    count: int
    sum: float
    mean: float
    std: float
    min: float
    max: float
    argmin: list[int]
    argmax: list[int]
    com: list[float] | None


class MeasureProfile(TypedDict):
    """A line profile in the viewer's ``measures`` trait: ends ``(row, col)`` of pixel centres, width, reduction."""

    id: int
    start: list[float]
    end: list[float]
    width: int
    reduce: str


class MeasureRoi(TypedDict):
    """An ROI in the viewer's ``measures`` trait: rect/ellipse by ``y``/``x`` bounds, polygon by ``points``."""

    id: int
    kind: str
    y: list[float]
    x: list[float]
    points: list[list[float]]


class Measures(TypedDict):
    """The viewer's ``measures`` trait: what the page draws and Python's handles hold, by ``id``."""

    profiles: list[MeasureProfile]
    rois: list[MeasureRoi]


class LutsReply(Reply):
    """Command ``luts``: one buffer of 256 × RGBA bytes per name, in order."""

    names: list[str]


class ExportReply(Reply):
    """Command ``export``: the file's bytes in one buffer."""

    filename: str
    bytes: int


# -- tree and explorer -------------------------------------------------------------------
class LinkInfo(TypedDict):
    """A link: ``broken`` is None when it was not followed (no file opened)."""

    type: str
    target: str
    broken: bool | None
    error: str | None


class _TreeItem(TypedDict):
    name: str
    path: str
    kind: str
    label: str
    expandable: bool
    nx_class: str | None
    description: str | None


class TreeItem(_TreeItem, total=False):
    """One row of the tree; ``error`` when the member cannot be read, ``detached`` past its page.

    ``description`` is a one-line summary (a SPEC scan's command) or None;
    ``cycle`` the path a hard link leads back to (the row is not expandable).
    """

    link: LinkInfo
    error: str
    detached: bool
    cycle: str


class ChildrenReply(Reply):
    """Command ``children``: one page of a group's members."""

    path: str
    total: int
    start: int
    next: int
    more: bool
    items: list[TreeItem]


class InfoReply(Reply):
    """Command ``info``: the row of one node."""

    item: TreeItem


class _SearchReply(Reply):
    query: str
    hits: list[TreeItem]
    scanned: int
    complete: bool


class SearchReply(_SearchReply, total=False):
    """Command ``search``; ``warning`` says why a search stopped early."""

    warning: str


class AttributeRow(TypedDict):
    """One attribute in the inspector (value and type as text)."""

    name: str
    value: str
    type: str


class _Detail(TypedDict):
    label: str


class Detail(_Detail, total=False):
    """One extra fact of a node (a file header): a ``value``, or ``rows`` of (key, value) text.

    ``section`` names the inspector section a value belongs to (``Storage``, ``File``); without it the value
    is one of the node's fields.
    """

    value: str
    rows: list[list[str]]
    section: str


class _NodeInfo(TypedDict):
    path: str
    name: str
    kind: str
    label: str
    attributes: list[AttributeRow]
    attribute_count: int


class NodeInfo(_NodeInfo, total=False):
    """Every field of a node in the inspector; dataset fields for datasets, ``members`` for groups.

    A broken link has only the required fields and ``link``; ``cycle`` says
    which group a hard link leads back to; ``same_as`` where a listing shows
    the same object first (as ``h5ls`` prints it), ``also_at`` its later paths.
    """

    link: LinkInfo
    target_kind: str
    nx_class: str | None
    description: str | None
    details: list[Detail]
    shape: str
    dtype: str
    chunks: str
    filters: list[str]
    layout: str
    storage: str
    size: int
    nbytes: int
    maxshape: str
    members: int
    cycle: str
    same_as: str  # the path a listing shows this object under first (another hard link to it)
    also_at: list[str]  # the other hard links to this object, when this path is the first
    value: str  # the value of a small dataset (see _format.small_value)


class InspectReply(Reply):
    """Command ``inspect``."""

    info: NodeInfo


class PreviewReply(Reply):
    """Command ``preview``: a bounded text preview and a note saying what part it is."""

    text: str
    note: str


class LiveState(TypedDict):
    """The ``live`` trait of a widget following its file (``follow`` on).

    ``revision`` counts the changes seen (the front-end reloads what it shows
    when it moves); ``message`` says why the source cannot be read now ("" when
    it can); ``watching``: the file system wakes the poller (else polling only);
    ``interval``: seconds until the next check.
    """

    revision: int
    message: str
    watching: bool
    interval: float


#: Every message type, by the name the case table and the JSDoc typedefs use.
MESSAGES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Options, ErrorInfo, ErrorReply, WireArray, ReadStats, Abscissa, Dim, ViewerMeta, FrameAxes, FrameSummary,
        FrameReply, FrameSummaryReply,
        CurveReply, OverlayReply, OverlayItem, AddToPlotReply,
        RegionNumbers, CompareFrameReply, CompareSide, CompareMeta,
        ValuesReply, ProfileReply, RoiStatsReply, MeasureProfile, MeasureRoi, Measures, LutsReply, ExportReply,
        LinkInfo, TreeItem,
        ChildrenReply, InfoReply,
        SearchReply, AttributeRow, Detail, NodeInfo, InspectReply, PreviewReply, LiveState,
    )
}
