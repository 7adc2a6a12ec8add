"""Decide what a glance shows: a budgeted, breadth-first walk of a tree.

The walk turns nodes into :class:`Entry` records holding only display strings
(labels come from :mod:`h5lens.nodes._format`), so the HTML and text renderers
are pure string builders and never touch a file. Two budgets bound the work
and the output, whatever the file's size:

* per group, at most ``head`` first and ``tail`` last members are listed
  (via :meth:`Group.page` and ``len(group)``, never the whole member list;
  groups over :data:`TAIL_SCAN_LIMIT` members show their first ones only);
* a total element budget (``max_items``) caps the page. Breadth-first order
  spends it on the upper levels first; groups reached after it ran out are
  shown closed, and :class:`Plan` counts what was left out.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from ..nodes import _format
from ..nodes._base import Dataset, Group, Link, Node

#: Defaults sized so that a 100 000-object file gives ~100 kB of HTML.
MAX_ITEMS = 250
HEAD = 20
TAIL = 5
MAX_ATTRS = 10
#: Largest group whose last members are shown: reaching them walks the group's name
#: index (~1.3 ms per 1000 names in HDF5, even by index), so huge groups show their head only.
TAIL_SCAN_LIMIT = 5000
PREVIEW_CHARS = 80
#: Values of small datasets a budgeted glance reads at most, and their bytes: a page listing hundreds
#: of tiny datasets (~0.1 ms per read) stays within its time goal. Past them a value shows as
#: :data:`NOT_READ`; an uncapped walk (``max_items=None``: ``h5lens ls``) reads every small value.
VALUE_READS = 32
VALUE_BYTES = 64 * 2**10
#: The value of a small dataset the glance's budget did not read.
NOT_READ = "…"
#: Members walked at most to find the other hard links of an object (the inspector's "same as"):
#: walked once per explorer, names and counts only (see bench figures in the commit that set it).
HARD_LINK_BUDGET = 2000


@dataclass
class Entry:
    """One displayed node, as strings ready to render."""

    name: str
    path: str
    kind: str  # "group", "dataset" or "link"
    label: str = ""
    storage: str = ""
    nx_class: str | None = None
    description: str | None = None  # what the node is beyond its name (a SPEC scan's command)
    value: str | None = None  # the value of a small dataset (see ``values``)
    facts: list[tuple[str, str]] = field(default_factory=list)  # Node.details as text (see ``facts``)
    target: str | None = None  # link target label
    broken: str | None = None  # why a link is broken
    attrs: list[tuple[str, str, str]] = field(default_factory=list)  # name, preview, dtype
    attrs_hidden: int = 0
    count: int = 0  # number of members of a group
    at_least: bool = False  # the group has at least ``count`` members (counted up to a limit only)
    children: list[Entry] | None = None  # None: not expanded
    head: int = 0  # children[:head] are the first members, the rest the last ones
    cut: str | None = None  # why members are missing: "depth", "budget" or an error text
    depth: int = 0
    same_as: str | None = None  # a group already shown under this path (another hard link to it)

    @property
    def cycle(self) -> bool:
        """Whether :attr:`same_as` is an ancestor: a hard-link cycle."""
        return self.same_as is not None and (self.same_as == "/" or self.path.startswith(self.same_as + "/"))

    @property
    def hidden(self) -> int:
        """Members of this group that are not listed."""
        return self.count - len(self.children or ())


@dataclass
class Plan:
    """The root entry plus what the budget left out."""

    root: Entry
    filename: str | None
    max_items: int
    shown: int = 0
    groups_cut: int = 0  # groups left closed because the budget ran out
    members_cut: int = 0  # members inside those groups
    members_cut_at_least: bool = False  # some of those were counted up to a limit only: "N+ members"
    #: when the walk was done (UTC): the glance is a snapshot, a file being written moves on
    taken: str = ""

    @property
    def truncated(self) -> bool:
        return self.groups_cut > 0


@dataclass
class ValueBudget:
    """Reads of small values left to a walk (:data:`VALUE_READS`, :data:`VALUE_BYTES`; None: no cap)."""

    reads: int | None
    nbytes: int | None

    def value(self, node: Node, max_items: int) -> str | None:
        """The value of a small dataset (:func:`h5lens.nodes._format.small_value`); :data:`NOT_READ` past the budget."""
        if not _format.is_small(node, max_items):  # decided from the header: nothing read
            return None
        size = int(getattr(node, "nbytes", 0))
        if self.reads is not None and self.nbytes is not None:
            if self.reads <= 0 or size > self.nbytes:
                return NOT_READ
            self.reads, self.nbytes = self.reads - 1, self.nbytes - size
        return _format.small_value(node, max_items)


def plan(node: Node, depth: int | None = None, attrs: bool = True, max_items: int | None = MAX_ITEMS,
         head: int = HEAD, tail: int = TAIL, max_attrs: int = MAX_ATTRS, values: str | None = "short",
         facts: bool = False, labels: bool = True, count_limit: int | None = None) -> Plan:
    """Walk ``node`` breadth first within the budgets and describe what to show.

    Parameters
    ----------
    node : Node
        Root of the display (a file, any group, a dataset or a link).
    depth : int, optional
        Levels below ``node`` to expand (None: as deep as the budget allows).
    attrs : bool
        Collect attributes (at most ``max_attrs`` per node).
    max_items : int, optional
        Total element budget (nodes plus attribute rows); None for no cap.
    head, tail : int
        Members shown at the start and the end of a large group.
    values : {"short", "scalar", None}
        Show the values of scalars and short 1-D datasets (``short``), of
        scalars only, or none; see :func:`h5lens.nodes._format.small_value`. With
        ``max_items`` set, at most :data:`VALUE_READS` values are read (then :data:`NOT_READ`).
    facts : bool
        Collect each node's :attr:`~h5lens.nodes.Node.details` (storage and
        file facts, a scan's header), as ``h5lens ls --attrs`` shows them.
    labels : bool
        Describe each node (labels, storage, NX class, link targets); False
        keeps only names, kinds and member counts: the walk alone, for
        :func:`same_as_listing`.
    count_limit : int, optional
        Count a group's members up to this many only (``Group.count_upto``): a
        bigger group says "more than N members" and shows its first members
        only. Counting a classic HDF5 group of 10⁶ members reads its whole
        name index (about a second); None counts every group exactly.
    """
    reads = ValueBudget(VALUE_READS, VALUE_BYTES) if max_items else ValueBudget(None, None)
    root = describe(node, attrs, max_attrs, values=values, labels=labels, reads=reads, count_limit=count_limit)
    if facts:
        root.facts = _facts(node)
    result = Plan(root, node.filename, max_items or 0,
                  taken=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))
    used = 1 + len(root.attrs)
    queue: deque[tuple[Entry, Node]] = deque([(root, node)])
    seen: dict = {}  # object id -> path where it is shown: each group is expanded once, as h5ls does
    while queue:
        entry, group = queue.popleft()
        if not isinstance(group, Group) or entry.cut:
            continue
        key = _object_id(group)
        if key is not None:
            if key in seen:
                entry.same_as = seen[key]
                continue
            seen[key] = group.path
        if entry.count == 0:  # nothing to list, nothing to leave out
            entry.children = []
            continue
        if depth is not None and entry.depth >= depth:
            entry.cut = "depth"
            continue
        if max_items and used >= max_items:
            entry.cut = "budget"
            result.groups_cut += 1
            result.members_cut += entry.count
            result.members_cut_at_least |= entry.at_least
            continue
        room = entry.count if not max_items else max_items - used
        try:
            members, entry.head = _members(group, entry.count, head, tail, room, entry.at_least)
        except Exception as exc:  # an unreadable group is shown with its error
            entry.cut = f"cannot list members: {exc}"
            continue
        entry.children = []
        for member in members:
            child = describe(member, attrs, max_attrs, entry.depth + 1, values, labels, reads, count_limit)
            if facts:
                child.facts = _facts(member)
            if child.kind == "dataset":  # a second hard link to a dataset already listed: said, as h5ls does
                key = _object_id(member)
                if key is not None:
                    child.same_as = seen.get(key)
                    seen.setdefault(key, member.path)
            entry.children.append(child)
            used += 1 + len(child.attrs)
            if child.kind == "group":
                queue.append((child, member))
        if entry.hidden and room < min(entry.count, head + tail):
            entry.cut = "budget"  # fewer members listed than a large group normally shows
    result.shown = used
    return result


def hard_links(node: Node, listing: dict[str, str | None] | None = None,
               budget: int = HARD_LINK_BUDGET) -> tuple[str | None, list[str]]:
    """Where a listing of ``node``'s file shows its object, as ``h5ls`` and ``h5lens ls -r`` say it.

    ``(first, others)``: ``first`` is the path the object is listed under first
    when ``node.path`` is a later hard link to it ("same as /A/a"), else None;
    ``others`` are the later paths when ``node.path`` is the first. Nothing is
    walked for an object with a single hard link; else ``listing`` (from
    :func:`same_as_listing`, kept by a caller that asks often) or a new one.
    """
    try:
        count = node.link_count
        if node.object_id is None or count is None or count < 2:
            return None, []
    except Exception:  # no identity: nothing to compare
        return None, []
    listing = same_as_listing(node.root, budget) if listing is None else listing
    path = _format.printable_name(node.path)
    first = listing.get(path)
    if first is not None and first != path:
        return first, []
    return None, sorted(p for p, same in listing.items() if same == path and p != path)


def same_as_listing(root: Node, budget: int = HARD_LINK_BUDGET) -> dict[str, str | None]:
    """Path → the path listed first for the same object (None when it is the first): :func:`plan`'s walk."""
    found = plan(root, attrs=False, max_items=budget, head=budget, tail=0, values=None, labels=False)
    out: dict[str, str | None] = {}
    todo = [found.root]
    while todo:
        entry = todo.pop()
        out[entry.path] = entry.same_as
        todo.extend(entry.children or ())
    return out


def _facts(node: Node) -> list[tuple[str, str]]:
    """A node's details as one-line texts (a table of pairs as ``name=value, ...``)."""
    try:
        details = node.details
    except Exception as exc:  # a header that cannot be read: said, not fatal to the listing
        return [("details", f"unreadable: {exc}")]
    out = []
    for label, value in details:
        if isinstance(value, list):
            value = ", ".join(f"{k}={_format.value_preview(v, 20)}" for k, v in value)
        out.append((label, _format.value_preview(value, 120)))
    return out


def _object_id(group: Node):
    try:
        return group.object_id
    except Exception:  # no identity: the group is expanded like any other
        return None


def _members(group: Group, count: int, head: int, tail: int, room: int,
             at_least: bool = False) -> tuple[list[Node], int]:
    """The first and last members that fit, and how many of them are first ones.

    ``at_least``: the group has more than ``count`` members, its end unknown: the first ones only.
    """
    k = max(0, min(count, head + tail, room))
    if at_least:
        return group.page(0, k), k
    if k >= count:
        return group.page(0, count), count
    last = min(tail, k // 5) if count <= TAIL_SCAN_LIMIT else 0
    first = k - last
    members = group.page(0, first)
    if last:
        members += group.page(count - last, count)
    return members, first


def describe(node: Node, attrs: bool = True, max_attrs: int = MAX_ATTRS, depth: int = 0,
             values: str | None = None, labels: bool = True, reads: ValueBudget | None = None,
             count_limit: int | None = None) -> Entry:
    """Display strings of one node (reads metadata and attributes; data only of small datasets, see ``values``).

    ``labels=False``: the name, kind and member count only (no link is followed).
    ``count_limit``: members counted up to this many only (see :func:`plan`).
    """
    name = node.name or (node.filename or "/").replace("\\", "/").rsplit("/", 1)[-1] or "/"
    # names that are not UTF-8 arrive with surrogates: show them as \xNN, never fail to encode
    entry = Entry(name=_format.printable_name(name), path=_format.printable_name(node.path), kind=node.kind,
                  depth=depth)
    if isinstance(node, Group):
        try:
            n = len(node) if count_limit is None else node.count_upto(count_limit)
            # more than the limit: at least limit + 1 members, said as "more than <limit>"
            entry.count, entry.at_least = (n, False) if n is not None else (int(count_limit or 0) + 1, True)
        except Exception as exc:
            entry.cut = f"cannot count members: {exc}"
        if not labels:
            return entry
        # counting a large HDF5 group walks its index: label from the count already taken
        entry.label = "" if entry.cut is not None else f"more than {entry.count - 1} members" if entry.at_least \
            else _safe(_format.node_label, _Counted(entry.count))
    elif not labels:
        return entry
    else:
        entry.label = _safe(_format.node_label, node)
    entry.description = _format.description(node)
    if isinstance(node, Link):
        entry.target = _format.printable_name(node.target_label)
        if not node.resolved:
            entry.broken = _format.printable_name(node.error or "broken link")
        return entry  # a link's attributes are its target's: not shown twice
    nx_class = node.nx_class  # never raises: an unreadable class is None
    entry.nx_class = _format.printable_name(nx_class) if nx_class else None
    if isinstance(node, Dataset):
        entry.storage = _safe(_format.storage_label, node)
        if values:
            reads = reads if reads is not None else ValueBudget(None, None)
            entry.value = reads.value(node, 1 if values == "scalar" else _format.SMALL_ITEMS)
    if attrs:
        entry.attrs, entry.attrs_hidden = _attributes(node, max_attrs)
    return entry


class _Counted:
    """Stands for a group in :func:`node_label` once its members are counted."""

    kind = "group"

    def __init__(self, count: int):
        self.count = count

    def __len__(self) -> int:
        return self.count


def _attributes(node: Node, max_attrs: int) -> tuple[list[tuple[str, str, str]], int]:
    try:
        names = list(node.attrs)
    except Exception as exc:
        return [("(attributes)", f"unreadable: {exc}", "")], 0
    rows = []
    for name in names[:max_attrs]:
        label = _format.printable_name(name)
        try:
            value = node.attrs[name]
        except Exception as exc:  # one bad attribute must not hide the others
            rows.append((label, f"unreadable: {exc}", ""))
            continue
        rows.append((label, _safe(_format.value_preview, value, PREVIEW_CHARS), _value_dtype(value)))
    return rows, max(0, len(names) - max_attrs)


def _value_dtype(value) -> str:
    """Dtype label of an attribute value, via the shared label maker."""
    if isinstance(value, _format.Unreadable):
        return ""
    dtype = getattr(value, "dtype", None)  # numpy values and h5py.Empty
    if dtype is not None and not isinstance(value, type):
        return _safe(_format.dtype_label, dtype)
    if isinstance(value, str):
        return "string"
    if isinstance(value, bytes):
        return "bytes"
    try:
        return _format.dtype_label(np.asarray(value).dtype)
    except Exception:  # a Python object numpy cannot type
        return type(value).__name__


def _safe(func, *args):
    """``func(*args)``, or the error as text: a bad node never breaks the page."""
    try:
        return func(*args)
    except Exception as exc:
        return f"error: {exc}"
