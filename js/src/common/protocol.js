// Types of what crosses the comm, in one place for the front-end: the typedefs of every reply,
// tree item, node info and trait, mirroring h5lens/_protocol/ module by module (protocol/base.js,
// viewer.js, measure.js, tree.js, live.js, mask.js), plus the model interface (protocol/model.js).
// Modules name them from here: `import("../common/protocol.js").FrameReply`.
// JSDoc only: this module exports no code; `npm run typecheck` (tsc --checkJs) holds the
// front-end to it, and tests/js/protocol.test.mjs holds the modules to
// tests/fixtures/protocol_cases.json (the keys, their optionality and types of every message),
// which pytest checks Python against, and this index to naming every typedef they declare.

/**
 * @template {Record<string, any>} T
 * @typedef {import("./protocol/model.js").Model<T>} Model
 */
/** @typedef {import("./protocol/model.js").Invoke} Invoke */
/** @typedef {import("./protocol/model.js").ViewerTraits} ViewerTraits */
/** @typedef {import("./protocol/model.js").ViewerModel} ViewerModel */

/** @typedef {import("./protocol/base.js").Options} Options */
/** @typedef {import("./protocol/base.js").ErrorInfo} ErrorInfo */
/** @typedef {import("./protocol/base.js").ErrorReply} ErrorReply */
/** @typedef {import("./protocol/base.js").WireArray} WireArray */
/** @typedef {import("./protocol/base.js").ReadStats} ReadStats */

/** @typedef {import("./protocol/viewer.js").Abscissa} Abscissa */
/** @typedef {import("./protocol/viewer.js").Dim} Dim */
/** @typedef {import("./protocol/viewer.js").ViewerMeta} ViewerMeta */
/** @typedef {import("./protocol/viewer.js").FrameAxes} FrameAxes */
/** @typedef {import("./protocol/viewer.js").FrameSummary} FrameSummary */
/** @typedef {import("./protocol/viewer.js").MaskPartial} MaskPartial */
/** @typedef {import("./protocol/viewer.js").FrameReply} FrameReply */
/** @typedef {import("./protocol/viewer.js").FrameSummaryReply} FrameSummaryReply */
/** @typedef {import("./protocol/viewer.js").CurveReply} CurveReply */
/** @typedef {import("./protocol/viewer.js").OverlayReply} OverlayReply */
/** @typedef {import("./protocol/viewer.js").OverlayItem} OverlayItem */
/** @typedef {import("./protocol/viewer.js").ValuesReply} ValuesReply */
/** @typedef {import("./protocol/viewer.js").LutsReply} LutsReply */
/** @typedef {import("./protocol/viewer.js").ExportReply} ExportReply */
/** @typedef {import("./protocol/viewer.js").Frame} Frame */
/** @typedef {import("./protocol/viewer.js").Summary} Summary */

/** @typedef {import("./protocol/measure.js").RegionNumbers} RegionNumbers */
/** @typedef {import("./protocol/measure.js").CompareFrameReply} CompareFrameReply */
/** @typedef {import("./protocol/measure.js").CompareSide} CompareSide */
/** @typedef {import("./protocol/measure.js").CompareMeta} CompareMeta */
/** @typedef {import("./protocol/measure.js").ProfileReply} ProfileReply */
/** @typedef {import("./protocol/measure.js").RoiStatsReply} RoiStatsReply */
/** @typedef {import("./protocol/measure.js").MeasureProfile} MeasureProfile */
/** @typedef {import("./protocol/measure.js").MeasureRoi} MeasureRoi */
/** @typedef {import("./protocol/measure.js").Measures} Measures */

/** @typedef {import("./protocol/tree.js").LinkInfo} LinkInfo */
/** @typedef {import("./protocol/tree.js").TreeItem} TreeItem */
/** @typedef {import("./protocol/tree.js").ChildrenReply} ChildrenReply */
/** @typedef {import("./protocol/tree.js").CountReply} CountReply */
/** @typedef {import("./protocol/tree.js").RowsReply} RowsReply */
/** @typedef {import("./protocol/tree.js").InfoReply} InfoReply */
/** @typedef {import("./protocol/tree.js").SearchReply} SearchReply */
/** @typedef {import("./protocol/tree.js").AttributeRow} AttributeRow */
/** @typedef {import("./protocol/tree.js").Detail} Detail */
/** @typedef {import("./protocol/tree.js").NodeInfo} NodeInfo */
/** @typedef {import("./protocol/tree.js").InspectReply} InspectReply */
/** @typedef {import("./protocol/tree.js").PreviewReply} PreviewReply */
/** @typedef {import("./protocol/tree.js").AddToPlotReply} AddToPlotReply */

/** @typedef {import("./protocol/live.js").LiveState} LiveState */

/** @typedef {import("./protocol/mask.js").MaskEditRequest} MaskEditRequest */
/** @typedef {import("./protocol/mask.js").MaskEditReply} MaskEditReply */

export {};
