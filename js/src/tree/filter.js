// Pure helpers of the tree: the name filter, the steps to reveal a path, how a link reads
// (tested with node --test).

/** Normalised query: trimmed, lower case ("" = no filter). */
export function normalise(query) {
  return String(query ?? "").trim().toLowerCase();
}

/** Whether `name` contains `query` (already normalised), ignoring case. */
export function matches(name, query) {
  return query === "" || String(name).toLowerCase().includes(query);
}

/** [before, match, after] pieces of `name` around the first occurrence of `query`. */
export function splitMatch(name, query) {
  const i = query ? String(name).toLowerCase().indexOf(query) : -1;
  if (i < 0) return [String(name), "", ""];
  return [name.slice(0, i), name.slice(i, i + query.length), name.slice(i + query.length)];
}

/** Every ancestor path of `path` ("/a/b/c" -> ["/", "/a", "/a/b"]), below `root`. */
export function ancestors(path, root = "/") {
  const out = [];
  if (path === root) return out;
  const base = root === "/" ? "" : root;
  const rest = path.slice(base.length).split("/").filter(Boolean);
  let cur = base;
  out.push(root);
  for (const part of rest.slice(0, -1)) {
    cur = `${cur}/${part}`;
    out.push(cur);
  }
  return out;
}

/**
 * Paths to show for a filter: every loaded path whose name matches, plus their ancestors.
 * @param {Iterable<[string, string]>} entries [path, name] of every loaded row
 * @param {string} query normalised query
 * @param {string} root the tree's root path
 * @returns {{visible: Set<string>, hits: number}}
 */
export function visibleFor(entries, query, root = "/") {
  const visible = new Set();
  let hits = 0;
  for (const [path, name] of entries) {
    if (!matches(name, query)) continue;
    hits++;
    visible.add(path);
    for (const a of ancestors(path, root)) visible.add(a);
  }
  return { visible, hits };
}

/**
 * The member names from `root` down to `path` ("/a/b" under "/" -> ["a", "b"]).
 * @param {string} path
 * @param {string} [root]
 */
export function stepsTo(path, root = "/") {
  if (path === root) return [];
  return path.slice(root === "/" ? 1 : root.length + 1).split("/");
}

/**
 * How a link's badge reads: its classes, the note after the target and its tooltip.
 * `broken` is true, false, or null when the link was not followed yet.
 * @param {{target: string, broken: boolean | null, error?: string | null}} link
 */
export function linkBadgeText(link) {
  const cls = link.broken ? "h5l-link h5l-broken" : link.broken === null ? "h5l-link h5l-unchecked" : "h5l-link";
  const title = link.broken ? link.error ?? "" : link.broken === null ? "not followed yet (expand to follow)" : "";
  return { cls, text: `→ ${link.target}${link.broken ? " (broken)" : ""}`, title };
}

/**
 * How many members a group has, as the "Load more" and "Find more" buttons say it. `total` is null
 * while the kernel has not counted the group yet (a huge group's first page goes out before its
 * count): then what is known, that at least `atLeast` members exist.
 * @param {number | null} total
 * @param {number} atLeast
 */
export function totalText(total, atLeast) {
  return total === null || total === undefined ? `≥ ${atLeast}, counting…` : String(total);
}

/**
 * The text of a group's "Load more" button.
 * @param {number} shown rows of the group in the page
 * @param {number | null} total members (null: not counted yet)
 * @param {number} next index of the first member not loaded (at least one more exists)
 */
export function loadMoreText(shown, total, next) {
  return total === null || total === undefined
    ? `Load more (${shown} shown of ${totalText(null, next + 1)})`
    : `Load more (${shown} of ${total} shown)`;
}
