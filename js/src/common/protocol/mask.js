// Mask editing in the viewer's page (command `mask_edit`), mirroring h5lens/_protocol/mask.py.

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

export {};
