"""``h5lens.view(...)`` → :class:`Viewer`: images, stacks and curves colour-mapped in the browser.

Small state lives in traits (the selection, colormap, scale, range...); bulk
data travels only through commands, at display resolution
(:mod:`h5lens.decimate`): the browser asks for the frame or curve of a
selection, sized to its canvas, and colours it itself, so colormap, scale and
range changes cost no kernel message.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import traitlets as t

from .. import _protocol as protocol
from .. import colormaps, replies, snippet, views
from .. import selection as sel
from ..nodes._base import Dataset, Node
from ..views import Choice
from ._ahead import ReadAhead, Summaries
from ._base import H5Widget, bundle, command, open_source
from ._colour_traits import ColourTraits
from ._curves import Curves
from ._follow import ViewerFollowing
from ._measure import Measuring

#: The traits that commands take as defaults and the static view follows (:meth:`Viewer._state`).
STATE = ("selection", "transposed", "kind", "ndisplay", "aggregation", "complex_part", "aspect", "colormap", "scale",
         "autoscale", "percentiles", "vmin", "vmax", "x")
#: Front-end module of a viewer drawn by its host widget (it has no view of its own).
EMBEDDED_ESM = "export default {};"


class Viewer(ViewerFollowing, Measuring, Curves, ColourTraits, H5Widget):
    """Interactive view of a dataset, an NXdata group or an array.

    Parameters
    ----------
    source : Node, numpy array, path, ``"file.h5::/path"`` or h5py object
        What to show. A group is shown through its NXdata (``@default`` chain).
    view : str, optional
        Force one of the fitting views (see :mod:`h5lens.views`).
    choice : views.Choice, optional
        How to show ``source`` when the caller has already decided (:func:`h5lens.views.choose`).
    **traits
        Initial trait values (``selection``, ``colormap``, ``scale``...).

    Examples
    --------
    >>> v = h5lens.view("ID16B_diatomee.edf")        # doctest: +SKIP
    >>> v.selection = "3,:,:"; v.data.mean()          # doctest: +SKIP
    """

    _esm = t.Unicode("").tag(sync=True)
    _bundle = "viewer"

    selection = t.Unicode("").tag(sync=True)
    transposed = t.Bool(False).tag(sync=True)
    kind = t.Unicode("").tag(sync=True)
    views = t.List(t.Unicode()).tag(sync=True)
    ndisplay = t.Int(0).tag(sync=True)
    meta = t.Dict().tag(sync=True)
    complex_part = t.Enum(protocol.PARTS, default_value="amplitude").tag(sync=True)
    aspect = t.Enum(protocol.ASPECTS, default_value="equal").tag(sync=True)
    fps = t.Float(10.0, min=0.1, max=120.0).tag(sync=True)
    error = t.Unicode("").tag(sync=True)
    #: The Python that reads what is shown (h5lens, then the plain library): follows the selection.
    code = t.Unicode("").tag(sync=True)

    def __init__(self, source: Any = None, view: str | None = None, *, embedded: bool = False,
                 choice: Choice | None = None, **traits: Any):
        self.node, owned = open_source(source)
        self._owned: Node | None = self.node if owned else None
        choice = choice if choice is not None and view is None else views.choose(self.node, view)
        self.choice = choice
        self.dataset: Dataset | None = choice.dataset
        shape = self.dataset.shape if self.dataset is not None else None
        self.shape: tuple[int, ...] = tuple(int(n) for n in shape or ())
        init = dict(
            # a viewer embedded in another widget (the explorer) is drawn by its host's bundle:
            # its own module is a stub until it is displayed on its own (see _repr_mimebundle_)
            _esm=EMBEDDED_ESM if embedded else bundle("viewer").read_text(encoding="utf-8"),
            kind=choice.shown or choice.view, views=choice.views, ndisplay=choice.ndisplay,
            meta=views.viewer_meta(self.node, choice), colormap_names=colormaps.menu(), error=choice.reason or "",
        )
        selection, x = traits.pop("selection", None), traits.pop("x", None)
        # frames the page waits for come without their statistics (they follow: frame_summary); frames read
        # ahead fold them as they are read (nobody waits)
        self._ahead = ReadAhead(lambda r: replies.compute_frame(self._shown(), r, summarize=False), self.shape,
                                background=lambda r: replies.compute_frame(self._shown(), r))
        self._summaries = Summaries(self._summary_of)  # valid pixels only (widgets/_measure.py)
        self._x_dim: int | None = None  # the dimension the abscissa `x` belongs to (see _x_follows)
        self._measure_setup()  # profiles, ROIs, mask: see widgets/_measure.py
        self._curves_setup()  # abscissae given from Python, overlaid curves: see widgets/_curves.py
        super().__init__(**init, **traits)
        if shape is not None:
            self.selection = selection if selection is not None else choice.selection
            if x is not None:
                self.x = x
            first = replies.first_preview(self.dataset, self.shape, self._state())  # a huge first frame's preview
            if first is not None:  # read now, while the page mounts
                self._ahead.start_first(first)

    # -- state -----------------------------------------------------------------------------
    @t.validate("selection")
    def _valid_selection(self, proposal: dict) -> str:
        ds = getattr(self, "dataset", None)
        if ds is None or ds.shape is None:
            return str(proposal["value"])
        text, problem = views.canonical_selection(proposal["value"], self.shape, self.kind, self.ndisplay)
        if problem:
            raise t.TraitError(problem)
        return text

    @t.observe("selection", "transposed", "complex_part", "kind")
    def _code_follows(self, change: dict) -> None:
        ds = getattr(self, "dataset", None)
        if ds is None or ds.shape is None:
            return
        self.code = snippet.for_view(ds, self._state(), self.meta.get("filename", ""))

    @t.observe("kind")
    def _kind_changed(self, change: dict) -> None:
        """The front-end picked another view: displayed dimensions and selection follow."""
        if getattr(self, "choice", None) is None or change["new"] == self.choice.shown:
            return
        choice = views.choose(self.node, change["new"])
        self.choice = choice
        self._ahead.clear()
        self._summaries.cancel()
        with self.hold_trait_notifications():
            self.ndisplay = choice.ndisplay
            self.transposed = False
            self.selection = choice.selection

    @property
    def items(self) -> tuple[sel.Item, ...]:
        """The parsed current selection."""
        return sel.parse(self.selection, self.shape)

    @property
    def data(self) -> np.ndarray:
        """The displayed slice at full resolution, as numpy (transposed when the view is)."""
        return replies.shown_values(self._shown(), self._state())

    def _shown(self) -> Dataset:
        if self.dataset is None:
            raise ValueError(self.error or "nothing to display")
        return self.dataset

    def _state(self) -> dict[str, Any]:
        """The traits a reply depends on, by name (see :mod:`h5lens.replies`)."""
        return {name: getattr(self, name) for name in STATE}

    def _warning(self, read_warning: str | None) -> str | None:
        """The read's own warning (chunks) after what is wrong with the storage (missing VDS sources) and the mask."""
        problem = getattr(self.dataset, "storage_problem", None)
        return "  ".join(w for w in (problem, self._mask_notice(), read_warning) if w) or None

    # -- commands (browser → Python) --------------------------------------------------------
    @command
    def frame(self, msg: dict, buffers: list) -> tuple[protocol.FrameReply, list]:
        """``{selection, transposed, region, canvas: [h, w], how, part, aspect, exact}`` → one frame at display size."""
        ds, t0 = self._shown(), time.perf_counter()
        request, preview, nbytes = replies.frame_request(ds, self.shape, msg, self._state())
        request = self._ahead.take_first(request, preview)  # the preview started at construction may do
        out = self._ahead.get(request)  # shared with the read-ahead cache: read, never modified
        if nbytes <= replies.PREVIEW_BYTES:  # the next step's frame, read while the browser paints this one
            self._ahead.ahead(request)
        elif preview and msg.get("summarize", True) and not msg.get("ahead"):  # the page asks for the exact copy
            self._ahead.start(replies.exact_after(ds, self.shape, msg, self._state(), out["region"],
                                                  out["frame_shape"]), waited=True)  # next: begun while it paints
        if not msg.get("ahead"):  # the frame shown next: its statistics start now, older ones stop
            if out["summary_due"] and msg.get("summarize", True):
                self._summaries.start(request)
            else:
                self._summaries.cancel()
        reply = replies.frame_reply(out, request, self.shape, self.choice.nxdata, seq=msg.get("seq"), preview=preview,
                                    warning=self._warning(out["warning"]), kernel_ms=1000 * (time.perf_counter() - t0))
        reply = self._frame_mask(*reply, out)  # the mask of the display copy (widgets/_measure.py)
        if reply[0]["summary_due"] and not out["summary_due"] and not msg.get("ahead"):
            self._summaries.start(request)  # the statistics folded with the copy counted masked pixels: again without
        return reply

    @command
    def frame_summary(self, msg: dict, buffers: list) -> tuple[protocol.FrameSummaryReply, list]:
        """A ``frame`` message → the statistics its frame was sent without (``summary_due``), or ``pending``.

        Waits at most :data:`h5lens.replies.SUMMARY_WAIT` (the kernel stays free for the next frame).
        """
        request, _, _ = replies.frame_request(self._shown(), self.shape, msg, self._state())
        s = self._summaries.wait(request, replies.SUMMARY_WAIT)
        return replies.frame_summary_reply(None if s is None else self._page_summary(s), s is None, msg.get("seq"))

    @command
    def values(self, msg: dict, buffers: list) -> protocol.ValuesReply:
        """``{selection}`` → a value as text, or a table of text (:func:`h5lens.replies.values_reply`)."""
        return replies.values_reply(self._shown(), msg, self._state(), self.choice.nxdata)

    @command
    def luts(self, msg: dict, buffers: list) -> tuple[protocol.LutsReply, list]:
        """``{names}`` → 256 × RGBA bytes per colormap, concatenated in order.

        The front-end asks once for the favourites (and the current colormap)
        and caches them, so switching between them sends no message.
        """
        return replies.luts_reply(list(msg.get("names") or [self.colormap]))

    @command
    def export(self, msg: dict, buffers: list) -> tuple[protocol.ExportReply, list]:
        """``{format: "npy" | "csv"}`` → the displayed slice at full resolution as a file's bytes."""
        return replies.export_reply(self._shown(), self.items, self.shape, msg.get("format", "npy"), lambda: self.data)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        if self._esm == EMBEDDED_ESM:  # an explorer's viewer shown in a cell of its own
            self._esm = bundle("viewer").read_text(encoding="utf-8")
        return super()._repr_mimebundle_(**kwargs)

    def _fallback_html(self) -> str:
        """A static view for nbconvert and GitHub (:func:`h5lens.replies.fallback_html`)."""
        return replies.fallback_html(self.dataset, self.meta, self._state())

    def close(self) -> None:
        """Close the widget, and the file when the viewer opened it."""
        super().close()
        if getattr(self, "_ahead", None) is not None:  # absent when the constructor failed
            self._ahead.clear()
            self._summaries.cancel()
        owned = getattr(self, "_owned", None)
        if owned is not None:
            owned.close()
            self._owned = None


def view(source: Any, view: str | None = None, **traits: Any) -> Viewer:
    """Show ``source`` (node, array, path or ``file::/path``, h5py object) in a :class:`Viewer`."""
    return Viewer(source, view=view, **traits)
