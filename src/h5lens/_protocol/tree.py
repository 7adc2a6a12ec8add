"""The tree's and the explorer's messages: rows, pages of members, search, the inspector.

Mirrored by ``js/src/common/protocol/tree.js``.
"""

from __future__ import annotations

from typing import TypedDict

from .base import Reply


class LinkInfo(TypedDict):
    """A link: ``broken`` is None when it was not followed (no file opened)."""

    type: str
    target: str
    broken: bool | None
    error: str | None


class _TreeItem(TypedDict):
    name: str
    path: str
    kind: str
    label: str
    expandable: bool
    nx_class: str | None
    description: str | None


class TreeItem(_TreeItem, total=False):
    """One row of the tree; ``error`` when the member cannot be read, ``detached`` past its page.

    ``description`` is a one-line summary (a SPEC scan's command) or None;
    ``cycle`` the path a hard link leads back to (the row is not expandable);
    ``pending``: a remote member known by name and kind only (empty label), whose row ``rows`` brings.
    """

    link: LinkInfo
    error: str
    detached: bool
    cycle: str
    pending: bool


class ChildrenReply(Reply):
    """Command ``children``: one page of a group's members.

    ``total`` is None when the group is not counted yet (a page of a huge group
    goes out first): the front-end asks ``count`` and shows "≥ next + 1" meanwhile.
    """

    path: str
    total: int | None
    start: int
    next: int
    more: bool
    items: list[TreeItem]


class RowsReply(Reply):
    """Command ``rows``: the full rows of members a page sent ``pending`` (fetched together)."""

    path: str
    items: list[TreeItem]


class CountReply(Reply):
    """Command ``count``: a group's member count, and its row's label with it (``"1000000 members"``)."""

    path: str
    total: int
    label: str


class InfoReply(Reply):
    """Command ``info``: the row of one node."""

    item: TreeItem


class _SearchReply(Reply):
    query: str
    hits: list[TreeItem]
    scanned: int
    complete: bool


class SearchReply(_SearchReply, total=False):
    """Command ``search``; ``warning`` says why a search stopped early."""

    warning: str


class AttributeRow(TypedDict):
    """One attribute in the inspector (value and type as text)."""

    name: str
    value: str
    type: str


class _Detail(TypedDict):
    label: str


class Detail(_Detail, total=False):
    """One extra fact of a node (a file header): a ``value``, or ``rows`` of (key, value) text.

    ``section`` names the inspector section a value belongs to (``Storage``, ``File``); without it the value
    is one of the node's fields.
    """

    value: str
    rows: list[list[str]]
    section: str


class _NodeInfo(TypedDict):
    path: str
    name: str
    kind: str
    label: str
    attributes: list[AttributeRow]
    attribute_count: int


class NodeInfo(_NodeInfo, total=False):
    """Every field of a node in the inspector; dataset fields for datasets, ``members`` for groups.

    A broken link has only the required fields and ``link``; ``cycle`` says
    which group a hard link leads back to; ``same_as`` where a listing shows
    the same object first (as ``h5ls`` prints it), ``also_at`` its later paths.
    """

    link: LinkInfo
    target_kind: str
    nx_class: str | None
    description: str | None
    details: list[Detail]
    shape: str
    dtype: str
    chunks: str
    filters: list[str]
    layout: str
    storage: str
    size: int
    nbytes: int
    maxshape: str
    members: int
    cycle: str
    same_as: str  # the path a listing shows this object under first (another hard link to it)
    also_at: list[str]  # the other hard links to this object, when this path is the first
    value: str  # the value of a small dataset (see _format.small_value)


class InspectReply(Reply):
    """Command ``inspect``."""

    info: NodeInfo


class PreviewReply(Reply):
    """Command ``preview``: a bounded text preview and a note saying what part it is."""

    text: str
    note: str


class AddToPlotReply(Reply):
    """Command ``add_to_plot`` (explorer): what was overlaid on which curve, for the status line."""

    message: str
