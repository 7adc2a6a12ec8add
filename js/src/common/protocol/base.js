// The vocabulary and envelope every message shares: the option lists, the reply envelope,
// errors and array headers; mirrors h5lens/_protocol/base.py.
// JSDoc only: no code (see ../protocol.js, which re-exports every type).

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

export {};
