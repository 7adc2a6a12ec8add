"""The messages the widgets send to the front-end, typed in one place.

Every command reply is a ``{"ok": True, ...}`` dict (or an :class:`ErrorReply`)
made of JSON values and, for arrays, a :class:`WireArray` header whose bytes
travel as buffers (:mod:`h5lens.wire`). The types are what the widgets build
and what ``js/src/common/protocol/`` mirrors as JSDoc typedefs, one module per
family, as here:

* :mod:`.base`: the option lists, the reply envelope, errors, array headers;
* :mod:`.viewer`: the viewer's ``meta``, frames, curves, overlays, values;
* :mod:`.measure`: profiles and ROIs, and the compare widget;
* :mod:`.tree`: the tree's rows and pages, search, the explorer's inspector;
* :mod:`.live`: the state of a widget following its file;
* :mod:`.mask`: mask editing in the viewer's page.

Both sides read ``tests/fixtures/protocol_cases.json`` (keys, types and the
enumerations), so a field cannot be renamed on one side only. Callers import
from this package: it re-exports every message (``from h5lens._protocol
import FrameReply``), and :data:`MESSAGES` names them all.

Each message is a ``TypedDict`` with its required keys; optional keys live in
a ``total=False`` subclass (``NotRequired`` needs Python 3.11).
"""

from __future__ import annotations

from .base import (
    AGGREGATIONS,
    ASPECTS,
    AUTOSCALES,
    PARTS,
    SCALES,
    ErrorInfo,
    ErrorReply,
    Options,
    ReadStats,
    Reply,
    WireArray,
    options,
)
from .live import LiveState
from .mask import MaskEditReply, MaskEditRequest
from .measure import (
    CompareFrameReply,
    CompareMeta,
    CompareSide,
    MeasureProfile,
    MeasureRoi,
    Measures,
    ProfileReply,
    RegionNumbers,
    RoiStatsReply,
)
from .tree import (
    AddToPlotReply,
    AttributeRow,
    ChildrenReply,
    CountReply,
    Detail,
    InfoReply,
    InspectReply,
    LinkInfo,
    NodeInfo,
    PreviewReply,
    RowsReply,
    SearchReply,
    TreeItem,
)
from .viewer import (
    Abscissa,
    CurveReply,
    Dim,
    ExportReply,
    FrameAxes,
    FrameReply,
    FrameSummary,
    FrameSummaryReply,
    LutsReply,
    MaskPartial,
    OverlayItem,
    OverlayReply,
    ValuesReply,
    ViewerMeta,
)

#: Every message type, by the name the case table and the JSDoc typedefs use.
MESSAGES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Options, ErrorInfo, ErrorReply, WireArray, ReadStats, Abscissa, Dim, ViewerMeta, FrameAxes, FrameSummary,
        MaskPartial, FrameReply, FrameSummaryReply,
        CurveReply, OverlayReply, OverlayItem, AddToPlotReply,
        RegionNumbers, CompareFrameReply, CompareSide, CompareMeta,
        ValuesReply, ProfileReply, RoiStatsReply, MeasureProfile, MeasureRoi, Measures, LutsReply, ExportReply,
        LinkInfo, TreeItem,
        ChildrenReply, CountReply, RowsReply, InfoReply,
        SearchReply, AttributeRow, Detail, NodeInfo, InspectReply, PreviewReply, LiveState,
        MaskEditRequest, MaskEditReply,
    )
}

__all__ = [
    "AGGREGATIONS", "ASPECTS", "AUTOSCALES", "MESSAGES", "PARTS", "SCALES",
    "Abscissa", "AddToPlotReply", "AttributeRow", "ChildrenReply", "CompareFrameReply", "CompareMeta",
    "CompareSide", "CountReply", "CurveReply", "Detail", "Dim", "ErrorInfo", "ErrorReply", "ExportReply", "FrameAxes",
    "FrameReply", "FrameSummary", "FrameSummaryReply", "InfoReply", "InspectReply", "LinkInfo", "LiveState",
    "LutsReply", "MaskEditReply", "MaskPartial",
    "MaskEditRequest", "MeasureProfile", "MeasureRoi", "Measures", "NodeInfo", "Options", "OverlayItem",
    "OverlayReply", "PreviewReply", "ProfileReply", "ReadStats", "RegionNumbers", "Reply", "RoiStatsReply", "RowsReply",
    "SearchReply", "TreeItem", "ValuesReply", "ViewerMeta", "WireArray", "options",
]
