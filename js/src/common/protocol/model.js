// The front-end's side of the comm: anywidget's model typed by its traits (the viewer's),
// and the `invoke` of its commands. Front-end only: Python has no counterpart.
// JSDoc only: no code (see ../protocol.js, which re-exports every type).

/** @typedef {import("./viewer.js").ViewerMeta} ViewerMeta */
/** @typedef {import("./viewer.js").OverlayItem} OverlayItem */
/** @typedef {import("./live.js").LiveState} LiveState */
/** @typedef {import("./measure.js").Measures} Measures */

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
 * @property {string} mask_note what the mask holds ("1,234 of 307,200 pixels masked"; "" without a mask)
 * @property {string} mask_color colour of masked pixels
 */

/** @typedef {Model<ViewerTraits>} ViewerModel */

export {};
