// Types of what crosses the comm, mirroring h5lens/_protocol.py (TypedDicts of every reply, tree
// item, node info and the viewer's meta), plus the model interface and the viewer's traits.
// JSDoc only: this module exports no code; `npm run typecheck` (tsc --checkJs) holds the
// front-end to it, and tests/js/protocol.test.mjs holds it to tests/fixtures/protocol_cases.json
// (the keys, their optionality and types of every message), which pytest checks Python against.

/**
 * anywidget's front-end model (the AFM interface), typed by its traits.
 * @template {Record<string, any>} T
 * @typedef {object} Model
 * @property {<K extends keyof T & string>(key: K) => T[K]} get
 * @property {<K extends keyof T & string>(key: K, value: T[K]) => void} set
 * @property {(event: string, cb: (...args: any[]) => void) => void} on
 * @property {(event?: string | null, cb?: ((...args: any[]) => void) | null) => void} off
 * @property {() => void} save_changes
 * @property {(content: any, callbacks?: any, buffers?: ArrayBuffer[] | ArrayBufferView[]) => void} send
 * @property {any} [widget_manager]
 */

/**
 * An `invoke(name, msg, {signal, buffers})` as anywidget's `experimental.invoke`.
 * @typedef {(name: string, msg: object, opts?: {signal?: AbortSignal, buffers?: any[]}) => Promise<[any, any[]]>} Invoke
 */

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
 * The Viewer widget's synced traits.
 * @typedef {object} ViewerTraits
 * @property {string} selection
 * @property {boolean} transposed
 * @property {string} kind
 * @property {string[]} views
 * @property {number} ndisplay
 * @property {ViewerMeta} meta
 * @property {string} colormap
 * @property {string[]} colormap_names
 * @property {string[]} favourites
 * @property {string} scale
 * @property {string} autoscale
 * @property {number[]} percentiles
 * @property {number | null} vmin
 * @property {number | null} vmax
 * @property {string} aggregation
 * @property {string} complex_part
 * @property {string} bad_color
 * @property {string} aspect
 * @property {number} fps
 * @property {string} error
 * @property {string} code the Python reading what is shown (set by Python)
 * @property {string} x what a curve is drawn against (an NXdata axis, a column of its scan, or "index"; "" without a curve)
 * @property {OverlayItem[]} curves the curves overlaid from Python (`add_curve`) or the explorer
 * @property {boolean} follow poll the file and show what its writer adds
 * @property {number} follow_interval seconds between checks while things change
 * @property {LiveState} live
 * @property {Measures} measures the profiles and ROIs drawn, by id (both sides set it)
 * @property {string} measure_problem why the last measures the page set were not all taken
 * @property {boolean} mask_invalid the detector's sentinel value marks invalid pixels
 * @property {number} mask_revision bumped when Python sets the mask
 * @property {string} mask_color colour of masked pixels
 */

/**
 * The `live` trait of a widget following its file: `revision` counts the changes seen (reload
 * what is shown when it moves), `message` says why the file cannot be read now ("" when it can),
 * `watching`: the file system wakes the poller; `interval`: seconds until the next check.
 * @typedef {object} LiveState
 * @property {number} revision
 * @property {string} message
 * @property {boolean} watching
 * @property {number} interval
 */

/** @typedef {Model<ViewerTraits>} ViewerModel */

/**
 * The viewer's option lists, sent once in `meta.options` (menu order).
 * @typedef {object} Options
 * @property {string[]} scales
 * @property {string[]} autoscales
 * @property {string[]} parts
 * @property {string[]} aggregations
 * @property {string[]} aspects
 */

/**
 * Why a command failed: the exception's class name and its sentence.
 * @typedef {object} ErrorInfo
 * @property {string} type
 * @property {string} message
 */

/**
 * A failed command (rpc.js turns it into a CommandError).
 * @typedef {object} ErrorReply
 * @property {boolean} ok false
 * @property {ErrorInfo} error
 */

/**
 * Header of an array encoded by h5lens/wire.py (its bytes travel as a buffer).
 * @typedef {object} WireArray
 * @property {string} dtype
 * @property {number[]} shape
 * @property {string} source_dtype
 * @property {string[]} [values] the strings of a "string" array
 * @property {boolean} [bool]
 * @property {boolean} [complex]
 * @property {boolean} [int64]
 * @property {boolean} [lossy]
 */

/**
 * What a read costs (decimate.chunk_stats).
 * @typedef {object} ReadStats
 * @property {number} chunks chunks touched (0 when not chunked)
 * @property {number} bytes
 * @property {number} selected_bytes
 * @property {number} amplification
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
 */

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
 * Reply of the explorer's `add_to_plot` command: what was overlaid on which curve.
 * @typedef {object} AddToPlotReply
 * @property {boolean} ok
 * @property {string} message for the status line
 */

/**
 * One curve of the viewer's `curves` trait (`add_curve`).
 * @typedef {object} OverlayItem
 * @property {number} id
 * @property {string} label legend label
 * @property {number} length points
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
 * A link: `broken` is null when it was not followed (no file opened).
 * @typedef {object} LinkInfo
 * @property {string} type
 * @property {string} target
 * @property {boolean | null} broken
 * @property {string | null} error
 */

/**
 * One row of the tree; `error` when the member cannot be read, `detached` past its page,
 * `description` a one-line summary (a SPEC scan's command), `cycle` the path a hard link
 * leads back to (the row is not expandable).
 * @typedef {object} TreeItem
 * @property {string} name
 * @property {string} path
 * @property {string} kind
 * @property {string} label
 * @property {boolean} expandable
 * @property {string | null} nx_class
 * @property {string | null} description
 * @property {LinkInfo} [link]
 * @property {string} [error]
 * @property {boolean} [detached]
 * @property {string} [cycle]
 */

/**
 * Reply of the tree's `children` command: one page of a group's members.
 * @typedef {object} ChildrenReply
 * @property {boolean} ok
 * @property {string} path
 * @property {number} total
 * @property {number} start
 * @property {number} next
 * @property {boolean} more
 * @property {TreeItem[]} items
 */

/**
 * Reply of the tree's `info` command: the row of one node.
 * @typedef {object} InfoReply
 * @property {boolean} ok
 * @property {TreeItem} item
 */

/**
 * Reply of the tree's `search` command; `warning` says why a search stopped early.
 * @typedef {object} SearchReply
 * @property {boolean} ok
 * @property {string} query
 * @property {TreeItem[]} hits
 * @property {number} scanned
 * @property {boolean} complete
 * @property {string} [warning]
 */

/**
 * One attribute in the inspector (value and type as text).
 * @typedef {object} AttributeRow
 * @property {string} name
 * @property {string} value
 * @property {string} type
 */

/**
 * One extra fact of a node (a file header): a `value`, or `rows` of (key, value) text.
 * `section` names the inspector section a value belongs to (`Storage`, `File`); without it the value
 * is one of the node's fields.
 * @typedef {object} Detail
 * @property {string} label
 * @property {string} [value]
 * @property {string[][]} [rows]
 * @property {string} [section]
 */

/**
 * Every field of a node in the inspector; dataset fields for datasets, `members` for groups.
 * A broken link has only the required fields and `link`.
 * @typedef {object} NodeInfo
 * @property {string} path
 * @property {string} name
 * @property {string} kind
 * @property {string} label
 * @property {AttributeRow[]} attributes
 * @property {number} attribute_count
 * @property {LinkInfo} [link]
 * @property {string} [target_kind]
 * @property {string | null} [nx_class]
 * @property {string | null} [description]
 * @property {Detail[]} [details]
 * @property {string} [shape]
 * @property {string} [dtype]
 * @property {string} [chunks]
 * @property {string[]} [filters]
 * @property {string} [layout]
 * @property {string} [storage]
 * @property {number} [size]
 * @property {number} [nbytes]
 * @property {string} [maxshape]
 * @property {number} [members]
 * @property {string} [cycle]
 * @property {string} [same_as] the path a listing shows this object under first (another hard link, as h5ls says)
 * @property {string[]} [also_at] the other hard links to this object, when this path is the first
 * @property {string} [value] the value of a small dataset
 */

/**
 * Reply of the explorer's `inspect` command.
 * @typedef {object} InspectReply
 * @property {boolean} ok
 * @property {NodeInfo} info
 */

/**
 * Reply of the explorer's `preview` command: a bounded text preview and what part it is.
 * @typedef {object} PreviewReply
 * @property {boolean} ok
 * @property {string} text
 * @property {string} note
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
