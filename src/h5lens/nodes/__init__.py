"""Lazy node tree: one contract (:mod:`._base`), one module per format."""

from ._base import DATASET, GROUP, LINK, Attrs, Dataset, Filter, Group, Link, LinkError, Node, NodeError

__all__ = ["Attrs", "DATASET", "Dataset", "Filter", "GROUP", "Group", "LINK", "Link", "LinkError", "Node", "NodeError"]
