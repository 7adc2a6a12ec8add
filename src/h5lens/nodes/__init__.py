"""Lazy node tree: one contract (:mod:`._base`), one module per format."""

from ._base import DATASET, GROUP, LINK, Attrs, Dataset, Filter, Group, Link, Node
from ._errors import LinkError, NodeError, UnknownFormatError
from ._owner import Owner

__all__ = ["DATASET", "GROUP", "LINK", "Attrs", "Dataset", "Filter", "Group", "Link", "LinkError", "Node",
           "NodeError", "Owner", "UnknownFormatError"]
