"""Static glance: a file's tree as HTML (no kernel, no JavaScript needed) and as text.

>>> g = h5lens.glance("scan.h5")      # in a notebook: shows the HTML tree
>>> print(repr(g))                     # the text tree, like ``h5ls -r``
>>> g.to_html(standalone=True)         # a complete page (``h5lens html``)
"""

from __future__ import annotations

from . import _html, _text
from ._plan import HEAD, MAX_ATTRS, MAX_ITEMS, TAIL, Plan, plan

__all__ = ["Glance", "glance"]


def glance(source, depth: int | None = None, attrs: bool = True, *, max_items: int | None = MAX_ITEMS,
           head: int = HEAD, tail: int = TAIL, max_attrs: int = MAX_ATTRS, values: str | None = "short",
           facts: bool = False, count_limit: int | None = None) -> Glance:
    """A static overview of a file or a node.

    Parameters
    ----------
    source
        Anything :func:`h5lens.open` takes (a path, ``"file.h5::/path"``, an
        h5py object, a dict...), or a node. A file opened here is closed by
        :meth:`Glance.close` (or the ``with`` block); a node passed in is left open.
    depth : int, optional
        Levels to expand below the node (None: as many as the budget allows).
    attrs : bool
        Show attributes (folded per node).
    max_items : int, optional
        Total element budget (nodes plus attribute rows) of the page; None for
        no cap. What is left out is stated at the end of the tree.
    head, tail : int
        Large groups show their ``head`` first and ``tail`` last members.
    max_attrs : int
        Attributes shown per node.
    values : {"short", "scalar", None}
        Show the values of scalars and short 1-D datasets (default), of
        scalars only, or none. Only tiny datasets are read (at most
        16 elements, 4 kB each); big datasets never are.
    facts : bool
        Show each node's details (fill value, sizes on disk, file driver...).
    count_limit : int, optional
        Count members up to this many only: a bigger group says "more than N
        members" and shows its first members (None: every group counted exactly).
    """
    from ..nodes._base import Node

    if isinstance(source, Node):
        node, owned = source, False
    else:
        from .._open import open as open_source

        node, owned = open_source(source), True
    return Glance(node, depth=depth, attrs=attrs, max_items=max_items, head=head, tail=tail,
                  max_attrs=max_attrs, owned=owned, values=values, facts=facts, count_limit=count_limit)


class Glance:
    """The glance of one node; renders on first use and caches the result.

    ``_repr_html_`` gives the HTML tree (notebooks), ``repr`` the text tree.
    """

    def __init__(self, node, depth=None, attrs=True, max_items=MAX_ITEMS, head=HEAD, tail=TAIL,
                 max_attrs=MAX_ATTRS, owned=False, values="short", facts=False, count_limit=None):
        self.node = node
        self.depth = depth
        self.attrs = attrs
        self._budget = dict(max_items=max_items, head=head, tail=tail, max_attrs=max_attrs, values=values,
                            facts=facts, count_limit=count_limit)
        self._owned = owned
        self._plan: Plan | None = None
        self._html: str | None = None

    @property
    def plan(self) -> Plan:
        """What is shown (computed once: reads metadata, and the values of tiny datasets only)."""
        if self._plan is None:
            self._plan = plan(self.node, depth=self.depth, attrs=self.attrs, **self._budget)
        return self._plan

    def to_html(self, standalone: bool = False) -> str:
        """The HTML tree; ``standalone=True`` gives a complete page."""
        if standalone:
            return _html.render(self.plan, standalone=True)
        if self._html is None:
            self._html = _html.render(self.plan)
        return self._html

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_text(self, color: bool = False) -> str:
        """The text tree (ANSI colours when ``color``)."""
        return _text.render(self.plan, color=color)

    def __repr__(self) -> str:
        return self.to_text()

    def close(self) -> None:
        """Close the file if this glance opened it (rendered output stays available)."""
        if self._owned:
            self.node.close()

    def __enter__(self) -> Glance:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
