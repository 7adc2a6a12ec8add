// The tree's and the explorer's messages: rows, pages of members, search, the inspector;
// mirrors h5lens/_protocol/tree.py.
// JSDoc only: no code (see ../protocol.js, which re-exports every type).

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
 * @property {boolean} [pending] a remote member known by name and kind only; `rows` brings its full row
 */

/**
 * Reply of the tree's `children` command: one page of a group's members. `total` is null when the
 * group is not counted yet (a huge group's page goes out first): the tree asks `count` and shows
 * "≥ next + 1" meanwhile.
 * @typedef {object} ChildrenReply
 * @property {boolean} ok
 * @property {string} path
 * @property {number | null} total
 * @property {number} start
 * @property {number} next
 * @property {boolean} more
 * @property {TreeItem[]} items
 */

/**
 * Reply of the tree's `rows` command: the full rows of members a page sent `pending` (fetched together).
 * @typedef {object} RowsReply
 * @property {boolean} ok
 * @property {string} path
 * @property {TreeItem[]} items
 */

/**
 * Reply of the tree's `count` command: a group's member count, and its row's label with it.
 * @typedef {object} CountReply
 * @property {boolean} ok
 * @property {string} path
 * @property {number} total
 * @property {string} label e.g. "1000000 members"
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
 * Reply of the explorer's `add_to_plot` command: what was overlaid on which curve.
 * @typedef {object} AddToPlotReply
 * @property {boolean} ok
 * @property {string} message for the status line
 */

export {};
