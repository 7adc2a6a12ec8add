// The measuring tools' messages (profiles and ROIs of the `measures` trait, what is measured
// on them) and the compare widget's; mirrors h5lens/_protocol/measure.py.
// JSDoc only: no code (see ../protocol.js, which re-exports every type).

/** @typedef {import("./base.js").Options} Options */
/** @typedef {import("./base.js").WireArray} WireArray */
/** @typedef {import("./base.js").ReadStats} ReadStats */
/** @typedef {import("./viewer.js").FrameAxes} FrameAxes */
/** @typedef {import("./viewer.js").FrameSummary} FrameSummary */

/**
 * Exact statistics of an image's shown region at full resolution (compare widget).
 * @typedef {object} RegionNumbers
 * @property {number} pixels pixels in the region
 * @property {number} finite finite values among them
 * @property {number | null} min
 * @property {number | null} max
 * @property {number | null} mean
 * @property {number | null} std
 */

/**
 * Reply of the compare widget's `frame` command: a FrameReply of image `which`, and its numbers.
 * @typedef {object} CompareFrameReply
 * @property {boolean} ok
 * @property {WireArray} array
 * @property {any} seq
 * @property {boolean} preview
 * @property {number[]} frame_shape
 * @property {number[]} region
 * @property {number[]} factors
 * @property {number[]} dims
 * @property {ReadStats} stats
 * @property {string | null} warning
 * @property {FrameAxes} axes
 * @property {number} kernel_ms
 * @property {FrameSummary | null} summary
 * @property {string} which a, b, diff or ratio
 * @property {RegionNumbers} numbers
 */

/**
 * One side of a comparison.
 * @typedef {object} CompareSide
 * @property {string} label file::path [frame]
 * @property {number[]} shape the frame's [rows, columns]
 * @property {string} dtype
 * @property {number} frames frames of its stack (0: a single image)
 * @property {number} index the frame shown
 */

/**
 * The compare widget's `sides` trait; `problem` says why diff/ratio cannot be shown.
 * @typedef {object} CompareMeta
 * @property {CompareSide} a
 * @property {CompareSide} b
 * @property {boolean} same_shape
 * @property {string} problem
 * @property {string[]} modes
 * @property {Options} options the colour menus (as the viewer's meta.options)
 */

/**
 * Reply of the `profile` command: `arrays` are the values (NaN where no valid pixel) then the
 * positions along the line (NXdata axis values, else pixels from the start), both float64.
 * @typedef {object} ProfileReply
 * @property {boolean} ok
 * @property {any} seq
 * @property {number} length
 * @property {WireArray[]} arrays
 * @property {string} axis label of the positions
 */

/**
 * Reply of the `roi_stats` command: statistics of the valid pixels of an ROI on a frame.
 * @typedef {object} RoiStatsReply
 * @property {boolean} ok
 * @property {any} seq
 * @property {number} count
 * @property {number} sum
 * @property {number} mean
 * @property {number} std
 * @property {number} min
 * @property {number} max
 * @property {number[]} argmin (row, col)
 * @property {number[]} argmax (row, col)
 * @property {number[] | null} com centre of mass (row, col); null when the sum is 0
 */

/**
 * A line profile of the `measures` trait: ends (row, col) of pixel centres, width in pixels, reduction.
 * @typedef {object} MeasureProfile
 * @property {number} id
 * @property {number[]} start
 * @property {number[]} end
 * @property {number} width
 * @property {string} reduce "mean" or "sum"
 */

/**
 * An ROI of the `measures` trait: rect and ellipse by their y and x bounds, polygon by its points.
 * @typedef {object} MeasureRoi
 * @property {number} id
 * @property {string} kind
 * @property {number[]} y
 * @property {number[]} x
 * @property {number[][]} points (row, col) of a polygon's corners
 */

/**
 * The viewer's `measures` trait: what the page draws and Python's handles hold, by id.
 * @typedef {object} Measures
 * @property {MeasureProfile[]} profiles
 * @property {MeasureRoi[]} rois
 */

export {};
