// The mask editing messages of the viewer (command `mask_edit`), mirroring h5lens/_protocol_mask.py.
// Kept apart from protocol.js while that module is reorganised; both sides are held to
// tests/fixtures/protocol_mask_cases.json (node: tests/js/protocol_mask.test.mjs).

/**
 * Command `mask_edit`: `op` "add", "remove" or "clear"; `kind` "rect", "ellipse", "polygon" (y/x
 * bounds, points [row, col] of pixel centres of the displayed frame) or "below"/"above" (`value`,
 * on the displayed frame's values); `selection` the frame shown.
 * @typedef {object} MaskEditRequest
 * @property {string} [op]
 * @property {string} [kind]
 * @property {number[]} [y]
 * @property {number[]} [x]
 * @property {number[][]} [points]
 * @property {number} [value]
 * @property {string} [selection]
 * @property {any} [seq]
 */

/**
 * Reply of `mask_edit`: pixels the edit changed, pixels masked now of the full frame's `total`.
 * @typedef {object} MaskEditReply
 * @property {boolean} ok
 * @property {any} seq
 * @property {number} changed
 * @property {number} masked
 * @property {number} total
 */

/**
 * The viewer's trait of mask editing (to join ViewerTraits in protocol.js).
 * @typedef {object} MaskTraits
 * @property {string} mask_note what the mask holds ("1,234 of 307,200 pixels masked"; "" without a mask)
 */

/** @typedef {import("./protocol.js").Model<MaskTraits>} MaskModel */

export {};
