// The `live` trait of a widget following its file; mirrors h5lens/_protocol/live.py.
// JSDoc only: no code (see ../protocol.js, which re-exports every type).

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

export {};
