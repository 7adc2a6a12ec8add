"""The messages of the measuring tools and of the compare widget.

Profiles and ROIs drawn in the page (the viewer's ``measures`` trait) and what
is measured on them; the compare widget's sides and frames (a viewer frame with
the exact numbers of its region). Mirrored by ``js/src/common/protocol/measure.js``.
"""

from __future__ import annotations

from typing import Any, TypedDict

from .base import Options, Reply, WireArray
from .viewer import FrameFields


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


class CompareFrameReply(FrameFields):
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
