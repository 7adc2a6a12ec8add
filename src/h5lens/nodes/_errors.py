"""The errors nodes raise; each derives from the builtin a caller would catch.

They are public as ``h5lens.NodeError``, ``h5lens.LinkError`` and
``h5lens.UnknownFormatError``.
"""

from __future__ import annotations


class NodeError(Exception):
    """A node cannot do what was asked (bad path, unreadable data, closed file...)."""


class LinkError(NodeError, KeyError):
    """A link whose target cannot be reached."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class PathError(NodeError, KeyError):
    """A path that names no node of the file (the message names the file and the path)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class UnknownFormatError(NodeError, ValueError):
    """No backend recognises the file's content."""
