// The viewer's messages: its `meta` trait, frames, curves, overlays, values, LUTs and exports;
// mirrors h5lens/_protocol/viewer.py. `Frame` and `Summary` are the page's decoded forms of
// a frame reply and its statistics (front-end only).
// JSDoc only: no code (see ../protocol.js, which re-exports every type).

/** @typedef {import("./base.js").Options} Options */
/** @typedef {import("./base.js").WireArray} WireArray */
/** @typedef {import("./base.js").ReadStats} ReadStats */

/**
 * One abscissa a curve can be drawn against.
 * @typedef {object} Abscissa
 * @property {string} name an NXdata axis name, or "index"
 * @property {string} label its label (may hold TeX math)
 */

/**
 * One dimension of the viewed dataset.
 * @typedef {object} Dim
 * @property {string} name
 * @property {number} size
 * @property {string} [label] NeXus axis label (may hold TeX math)
 * @property {number[]} [values] axis values (NXdata axes of at most AXIS_VALUES_LIMIT points)
 * @property {Abscissa[]} [abscissae] what a curve along it can be drawn against, the default first
 */

/**
 * The viewer's `meta` trait: labels and facts the front-end shows or decides by, never
 * re-derived from the dtype label. Dataset keys are absent when nothing is shown; `title`,
 * `errors` and `auxiliary` come with NXdata only.
 * @typedef {object} ViewerMeta
 * @property {string} path
 * @property {string} filename
 * @property {boolean} complex a complex dtype: the parts are offered
 * @property {boolean} compound a structured dtype: no CSV export
 * @property {Options} options the option lists of the menus
 * @property {string} [shape] shape label ("2 × 540 × 640")
 * @property {string} [dtype] dtype label ("uint16", "float32 (big-endian)")
 * @property {number[] | null} [chunks]
 * @property {string} [name]
 * @property {string} [signal]
 * @property {Dim[]} [dims]
 * @property {boolean} [nxdata]
 * @property {string} [title]
 * @property {boolean} [errors]
 * @property {string[]} [auxiliary]
 */

/**
 * NXdata axis values at the rows (`y`) and columns (`x`) of a frame.
 * @typedef {object} FrameAxes
 * @property {number[]} [y]
 * @property {number[]} [x]
 */

/**
 * Statistics of the full-resolution frame region when the display copy aggregates pixels
 * (see h5lens/stats.py): exact moments; `values`/`counts` are the non-empty histogram bins
 * (float64 buffers after the frame's), one per value when `exact`, else float bins whose
 * lower edge is within a relative `accuracy` of their values.
 * @typedef {object} FrameSummary
 * @property {number} count finite values
 * @property {number | null} min
 * @property {number | null} max
 * @property {number | null} mean
 * @property {number | null} std
 * @property {number | null} min_positive
 * @property {boolean} exact
 * @property {number} accuracy
 * @property {WireArray} values
 * @property {WireArray} counts
 */

/**
 * Reply of the `frame` command (its buffer, then the summary's values and counts).
 * @typedef {object} FrameReply
 * @property {boolean} ok
 * @property {WireArray} array
 * @property {any} seq
 * @property {boolean} preview a strided preview: the exact aggregation follows
 * @property {number[]} frame_shape [H, W] of the whole frame
 * @property {number[]} region [r0, r1, c0, c1] the array covers
 * @property {number[]} factors rows and columns aggregated per array element
 * @property {number[]} dims the dataset dimensions shown as y and x
 * @property {ReadStats} stats
 * @property {string | null} warning
 * @property {FrameAxes} axes
 * @property {number} kernel_ms
 * @property {FrameSummary | null} summary
 * @property {boolean} summary_due the copy aggregates pixels but `summary` is not here: `frame_summary` brings it
 * @property {WireArray} [mask] uint8 of the array's shape: 1 where every pixel of the block is masked (its buffer is the last)
 * @property {number} [invalid] the detector's sentinel value: pixels holding it are masked
 * @property {MaskPartial} [mask_partial] display pixels holding masked pixels among valid ones
 */

/**
 * Display pixels of a downsampled frame holding masked pixels among valid ones (not painted masked).
 * @typedef {object} MaskPartial
 * @property {number} blocks how many
 * @property {number[]} index the first of them (flat indices of the display copy)
 * @property {number[]} masked how many of the data pixels behind each are masked
 */

/**
 * Reply of the `frame_summary` command (the same message as `frame`): the statistics a frame was
 * sent without (`summary_due`); `pending` while they are being computed (ask again). Buffers: the
 * summary's values and counts.
 * @typedef {object} FrameSummaryReply
 * @property {boolean} ok
 * @property {any} seq
 * @property {boolean} pending
 * @property {FrameSummary | null} summary
 */

/**
 * Reply of the `curve` command: `arrays` are y (or min then max when decimated), errors,
 * auxiliary signals, one buffer each.
 * @typedef {object} CurveReply
 * @property {boolean} ok
 * @property {any} seq
 * @property {number[]} index source indices of the points
 * @property {number} length points along the whole curve
 * @property {number[]} region
 * @property {number} dim
 * @property {boolean} decimated
 * @property {ReadStats} stats
 * @property {string | null} warning
 * @property {WireArray[]} arrays
 * @property {number[] | null} x axis values at those indices (null: the index is the abscissa)
 * @property {string} abscissa what x holds: an NXdata axis name or "index"
 * @property {string[]} aux names of the auxiliary signals
 * @property {boolean} [errors]
 */

/**
 * Reply of the `overlay` command: a curve overlaid with `add_curve`; `arrays` are y (or min
 * then max when decimated), one buffer each.
 * @typedef {object} OverlayReply
 * @property {boolean} ok
 * @property {number} id
 * @property {any} seq
 * @property {number[]} index source indices of the points
 * @property {number} length points along the whole curve
 * @property {boolean} decimated
 * @property {WireArray[]} arrays
 * @property {number[] | null} x the shown curve's abscissa at those indices (null: its own index)
 */

/**
 * One curve of the viewer's `curves` trait (`add_curve`).
 * @typedef {object} OverlayItem
 * @property {number} id
 * @property {string} label legend label
 * @property {number} length points
 */

/**
 * Reply of the `values` command: a text, or a table of texts.
 * @typedef {object} ValuesReply
 * @property {boolean} ok
 * @property {string} [text]
 * @property {string[]} [columns]
 * @property {string[][]} [rows]
 * @property {number} [total]
 * @property {boolean} [truncated]
 */

/**
 * Reply of the `luts` command (one buffer of 256 × RGBA bytes per name, in order).
 * @typedef {object} LutsReply
 * @property {boolean} ok
 * @property {string[]} names
 */

/**
 * Reply of the `export` command (the file's bytes as one buffer).
 * @typedef {object} ExportReply
 * @property {boolean} ok
 * @property {string} filename
 * @property {number} bytes
 */

/**
 * A frame as the viewer holds it: the decoded array and the reply's geometry.
 * @typedef {object} Frame
 * @property {ArrayLike<number>} data flat, C order
 * @property {string} dtype
 * @property {number} h
 * @property {number} w
 * @property {boolean} rgb
 * @property {number} channels
 * @property {[number, number, number, number]} region
 * @property {[number, number]} factors
 * @property {number[]} frameShape
 * @property {{x?: number[], y?: number[]}} axes
 * @property {ReadStats} stats
 * @property {string | null} warning
 * @property {string} selection
 * @property {boolean} transposed
 * @property {boolean} preview
 * @property {number} kernelMs
 * @property {Summary | null} summary statistics of the full-resolution data when `factors` aggregate pixels
 * @property {boolean} summaryDue they are still to come (`frame_summary`): until then the copy's own are shown
 * @property {object} request the `frame` message the frame answers (asked again for its summary)
 * @property {Uint8Array | null} [mask] 1 where the display pixel is masked
 * @property {number | null} [invalid] the detector's sentinel value (masked wherever it appears)
 * @property {Map<number, number> | null} [maskPartial] display pixel -> its masked data pixels, where some are valid
 * @property {number} [maskPartialBlocks] how many display pixels hold masked pixels among valid ones
 */

/**
 * A decoded FrameSummary: the frame's statistics with its histogram as typed arrays.
 * @typedef {object} Summary
 * @property {number} count
 * @property {number | null} min
 * @property {number | null} max
 * @property {number | null} mean
 * @property {number | null} std
 * @property {number | null} minPositive
 * @property {boolean} exact
 * @property {number} accuracy
 * @property {Float64Array} values
 * @property {Float64Array} counts
 */

export {};
