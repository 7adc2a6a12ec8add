"""``h5lens.explore(source)`` → :class:`Explorer`: the tree beside an inspector and a view area.

The inspector shows everything about the selected node (path, kind, shape,
dtype, storage, link target, every attribute with its value): the ``inspect``
and ``preview`` commands call :mod:`h5lens.inspector`. The view area is a
:class:`~h5lens.widgets.viewer.Viewer` of the selected dataset or NXdata
group (``explorer.viewer``): a child widget whose traits and commands the
front-end drives with the viewer's own code. ``explorer.code`` is the Python
that reads what is shown.
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from .. import snippet, views
from .._glance._plan import same_as_listing
from .._protocol import AddToPlotReply, InspectReply, PreviewReply
from ..inspector import describe, preview
from ..nodes._base import Group, Link
from ..nodes._errors import PathError
from ._base import bundle, command
from .tree import Tree
from .viewer import Viewer

__all__ = ["Explorer", "describe", "explore", "preview"]

class Explorer(Tree):
    """The tree of a file beside an inspector and a view area.

    Same parameters, ``selected`` and ``node`` as :class:`h5lens.Tree`.
    """

    _bundle = "explorer"
    _esm = bundle("explorer")

    #: the viewer of the selected node (None for a group with nothing to plot, or nothing selected)
    viewer = anywidget.WidgetTrait().tag(sync=True)
    #: why the selected node cannot be viewed ("" when it can, or when it is a plain group)
    view_error = traitlets.Unicode("").tag(sync=True)

    #: the file's hard links as its listing shows them (see _glance._plan.same_as_listing), walked when first needed
    _same_as: dict[str, str | None] | None = None

    @traitlets.observe("selected")
    def _selected_changed(self, change) -> None:
        self._show(change["new"])

    @property
    def code(self) -> str:
        """The Python that reads what the explorer shows (the text its viewer's "Code" button copies).

        The viewer's :attr:`~h5lens.widgets.viewer.Viewer.code` when the
        selected node is viewed (the slice on screen); for a group, the lines
        opening it and reading its members and attributes; ``""`` when nothing
        is selected or the node lives in memory only.
        """
        if self.viewer is not None and self.viewer.code:
            return str(self.viewer.code)
        node = self.node
        filename = str(getattr(self._root, "filename", None) or "")
        if node is None or not filename:
            return ""
        target = node.deref() if not isinstance(node, Link) or node.resolved else node
        return snippet.node_code(filename, node.path, snippet.backend_of(target))

    def _show(self, path: str) -> None:
        """Replace the viewer by one of the node at ``path``; close the previous one."""
        old, viewer, error = self.viewer, None, ""
        if path:
            try:
                node = self._lookup(path)
                # decided before any widget exists: a child model opened and closed at once makes the
                # front-end reject its never-settled start-up promise ("Failed to initialize model")
                choice = views.choose(node)
                if choice.view == "none":  # a plain group (the inspector says enough), a broken link
                    target = None if isinstance(node, Link) and not node.resolved else node.deref()
                    plain = isinstance(target, Group) and not choice.problem  # a broken NXdata says why
                    error = "" if plain else (choice.reason or "nothing to show")
                else:
                    viewer = Viewer(node, embedded=True, choice=choice)
                    viewer.followed_by_host = True  # one toggle, one poller: the explorer's
                    viewer.follow = self.follow
            except Exception as exc:  # shown in the view area; the tree and inspector go on
                error = f"{type(exc).__name__}: {exc}"
                if viewer is not None:
                    viewer.close()
                viewer = None
        with self.hold_trait_notifications():
            self.view_error = error
            self.viewer = viewer
        if old is not None:
            old.close()

    @command
    def inspect(self, msg: dict, buffers: list) -> InspectReply:
        """Every field of the node at ``path`` (see :func:`describe`)."""
        node = self._lookup(msg.get("path") or "/")
        target = node.target_node if isinstance(node, Link) else node
        if self._same_as is None and target is not None and (target.link_count or 0) > 1:
            self._same_as = same_as_listing(node.root)  # walked once, for the first object with two hard links
        return InspectReply(ok=True, info=describe(node, self._same_as))

    @command
    def add_to_plot(self, msg: dict, buffers: list) -> AddToPlotReply:
        """``{path}`` → overlay that 1-d dataset on the curve the viewer shows (:meth:`Viewer.add_curve`)."""
        node = self._lookup(msg.get("path") or "/")
        viewer = self.viewer
        if viewer is None or viewer._curve_dim() is None:
            raise ValueError(f"no curve is shown to add {node.path!r} to: select a 1-d dataset first")
        label = node.path.rsplit("/", 1)[-1] or node.path
        viewer.add_curve(node, label=label)
        return AddToPlotReply(ok=True, message=f"{node.path} added to the plot of {viewer.meta.get('path', '')}")

    @command
    def preview(self, msg: dict, buffers: list) -> PreviewReply:
        """A text preview of the dataset at ``path`` (see :func:`preview`)."""
        return preview(self._lookup(msg.get("path") or "/"))

    def close(self) -> None:
        """Close the child viewer, the widget and (when the explorer opened it) the file."""
        if self.viewer is not None:
            self.viewer.close()
        super().close()


def explore(source: Any, select: str | None = None, **kwargs) -> Explorer:
    """Explore a file (or node) in the notebook: tree, inspector and view area.

    Parameters
    ----------
    source
        A node, or anything :func:`h5lens.open` accepts.
    select : str, optional
        Path to select at start. By default the file's NeXus plot (the
        ``@default`` chain, else the first entry's plot; for detector images
        the image stack), or nothing when the file names none; ``""`` selects
        nothing.
    **kwargs
        Passed to :class:`Explorer` (``page_size``...); ``selected`` is
        accepted as another name of ``select``.

    Raises
    ------
    h5lens.NodeError
        ``select`` names no node (a ``KeyError`` too) of the file.
    """
    if select is None:
        select = kwargs.pop("selected", None)
    explorer = Explorer(source, **kwargs)
    try:
        if select is None:
            from ..nodes import nexus

            plot = nexus.default_plot(explorer.root)
            select = plot.path if plot is not None else ""
        problem = explorer.select_problem(select) if select else None
        if problem:
            raise PathError(problem)
        explorer.selected = select
    except BaseException:
        explorer.close()
        raise
    return explorer
