"""Links: listed without being followed; a broken link is data (a sentence), not a failure."""

from __future__ import annotations

from typing import Any

from ._errors import LinkError
from ._node import LINK, Node


class Link(Node):
    """A soft or external link, listed without being followed.

    Attributes
    ----------
    link_type : str
        ``"soft"`` or ``"external"``.
    target : str
        Path the link points to (inside ``target_file`` for external links).
    target_file : str or None
        File name of an external link, as stored.
    """

    kind = LINK

    def __init__(self, name: str, path: str, parent: Node | None, link_type: str, target: str,
                 target_file: str | None = None):
        super().__init__(name, path, parent)
        self.link_type = link_type
        self.target = target
        self.target_file = target_file
        self._resolved: Node | None = None
        self._error: str | None = None

    def _resolve(self) -> Node:  # pragma: no cover - backends override
        """Follow the link; return the target node (path = the link's path)."""
        raise LinkError(f"cannot follow link {self.path!r}")

    def _follow(self) -> None:
        if self._resolved is None and self._error is None:
            try:
                self._resolved = self._resolve()
            except Exception as exc:  # a broken link is data, not a failure
                self._error = describe_link_error(self, exc)

    def _refresh(self) -> bool:
        """Refresh the target; a broken link is followed again (its target may exist now)."""
        if self._error is not None:
            self._error = None
            self._follow()
            return self._error is None
        if self._resolved is not None:
            return self._resolved.refresh()
        return False

    @property
    def resolved(self) -> bool:
        """Whether the target exists (follows the link once, cached)."""
        self._follow()
        return self._resolved is not None

    @property
    def error(self) -> str | None:
        """Why the link is broken, or None."""
        self._follow()
        return self._error

    @property
    def target_node(self) -> Node | None:
        self._follow()
        return self._resolved

    def deref(self) -> Node:
        self._follow()
        if self._resolved is None:
            raise LinkError(self._error or f"broken link {self.path!r}")
        return self._resolved.deref()

    def __getitem__(self, selection: Any) -> Any:
        """Index the target (a selection of a dataset, a path in a group)."""
        target: Any = self.deref()  # a Group or a Dataset: both index
        return target[selection]

    @property
    def target_label(self) -> str:
        """``file::/path`` for external links, ``/path`` for soft ones."""
        if self.link_type == "external":
            return f"{self.target_file}::{self.target}"
        return str(self.target)


def describe_link_error(link: Link, exc: BaseException) -> str:
    """One readable sentence for a broken link."""
    what = f"{link.link_type} link {link.path!r} → {link.target_label}"
    detail = str(exc) or type(exc).__name__
    if "too many links" in detail:  # HDF5 stops after 16 soft links: a loop, or a long chain that ends
        loop = _soft_loop(link)
        if loop is not None:
            return f"broken {what}: a link loop (the links lead back to {loop!r})"
        return f"{what}: link chain too long (HDF5 follows at most 16 links in a row)"
    return f"broken {what}: {detail}"


def _soft_loop(link: Link, limit: int = 1000) -> str | None:
    """The path where a chain of soft links starting at ``link`` comes back, or None."""
    seen, node = {link.path}, link
    for _ in range(limit):
        start: Any = node.root if node.target.startswith("/") else node.parent  # groups: they index by path
        try:
            nxt = start[node.target]
        except Exception:  # the chain ends on something unreachable: not a loop
            return None
        if not isinstance(nxt, Link) or nxt.link_type != "soft":
            return None
        if nxt.path in seen:
            return nxt.path
        seen.add(nxt.path)
        node = nxt
    return None
