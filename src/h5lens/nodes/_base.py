"""The node contract shared by every format backend.

A tree is made of lazy handles. Constructors never do I/O; a group lists its
member names on demand (and caches them), a dataset reads only the selection
asked for, and a link is listed without being followed. Backends subclass
:class:`Group`, :class:`Dataset` and :class:`Link` and fill in the small set of
``_``-prefixed hooks; everything a consumer calls lives in those classes so
that all formats behave the same.

One module per responsibility, gathered here: :mod:`._node` (identity,
attributes, owner, closing), :mod:`._group`, :mod:`._dataset`, :mod:`._link`,
:mod:`._owner` and :mod:`._errors`.
"""

from __future__ import annotations

from ._dataset import Dataset
from ._errors import LinkError, NodeError
from ._group import Group
from ._link import Link, describe_link_error
from ._node import DATASET, GROUP, LINK, Attrs, Filter, Node
from ._owner import Owner

__all__ = ["DATASET", "GROUP", "LINK", "Attrs", "Dataset", "Filter", "Group", "Link", "LinkError", "Node",
           "NodeError", "Owner", "describe_link_error"]
