"""``h5lens.view(...)`` → :class:`Viewer`: images, stacks and curves colour-mapped in the browser.

Small state lives in traits (the selection, colormap, scale, range...); bulk
data travels only through commands, at display resolution
(:mod:`h5lens.decimate`): the browser asks for the frame or curve of a
selection, sized to its canvas, and colours it itself, so colormap, scale and
range changes cost no kernel message.
"""

from __future__ import annotations

import base64
import html
import time
from typing import Any, cast

import numpy as np
import traitlets as t

from .. import _protocol as protocol
from .. import abscissa, colormaps, frames, snippet, views, wire
from .. import selection as sel
from ..frames import FrameRequest
from ..nodes._base import Dataset, Node
from ..views import Choice
from ._ahead import ReadAhead
from ._base import H5Widget, bundle, command, open_source
from ._measure import Measuring

#: A displayed slice bigger than this is refused by ``export`` (it is built in memory).
EXPORT_LIMIT = 512 * 2**20
#: Frames whose region holds more bytes than this are first sent as a strided preview.
PREVIEW_BYTES = 64 * 2**20
#: A strided preview samples rows touching at most about this many bytes: a cold first look at a
#: huge image costs its disk reads (16384² float32, cold cache: 64 MB of sampled rows ~420-600 ms in
#: the kernel, 16 MB 140-470 ms, 8 MB 90-240 ms; see bench/viewer_lab.py --cold).
PREVIEW_TOUCH = 8 * 2**20
#: Canvas assumed for the preview started before the front-end says its size.
FIRST_CANVAS = (1024, 1024)
#: Tables show at most this many rows and columns.
TABLE_ROWS = 1000
TABLE_COLUMNS = 100
#: Front-end module of a viewer drawn by its host widget (it has no view of its own).
EMBEDDED_ESM = "export default {};"


class Viewer(Measuring, H5Widget):
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
    colormap = t.Unicode("viridis").tag(sync=True)
    colormap_names = t.List(t.Unicode()).tag(sync=True)
    favourites = t.List(t.Unicode(), default_value=list(colormaps.FAVOURITES)).tag(sync=True)
    scale = t.Enum(protocol.SCALES, default_value="linear").tag(sync=True)
    autoscale = t.Enum(protocol.AUTOSCALES, default_value="percentile").tag(sync=True)
    percentiles = t.List(t.Float(), default_value=[0.1, 99.9], minlen=2, maxlen=2).tag(sync=True)
    vmin = t.Float(None, allow_none=True).tag(sync=True)
    vmax = t.Float(None, allow_none=True).tag(sync=True)
    aggregation = t.Enum(protocol.AGGREGATIONS, default_value="max").tag(sync=True)
    complex_part = t.Enum(protocol.PARTS, default_value="amplitude").tag(sync=True)
    bad_color = t.Unicode("#ff00ff").tag(sync=True)
    aspect = t.Enum(protocol.ASPECTS, default_value="equal").tag(sync=True)
    fps = t.Float(10.0, min=0.1, max=120.0).tag(sync=True)
    #: What a curve is drawn against: an NXdata axis of its dimension (an MCA's ``energy``, its
    #: ``channels``) or ``index``; "" when no curve is shown (see :mod:`h5lens.abscissa`).
    x = t.Unicode("").tag(sync=True)
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
        self._ahead = ReadAhead(self._compute_frame, self.shape)
        self._measure_setup()  # profiles, ROIs, mask: see widgets/_measure.py
        super().__init__(**init, **traits)
        if shape is not None:
            self.selection = selection if selection is not None else choice.selection
            if x is not None:
                self.x = x
            self._start_first_preview()

    def _start_first_preview(self) -> None:
        """Begin reading the strided preview of a huge first frame now, in the read-ahead thread.

        The front-end asks for its first frame only once it is mounted (100-150 ms
        after the cell runs in JupyterLab); a cold read of the preview's sampled
        rows takes about as long, so it overlaps that wait instead of following it.
        The preview is only a first glimpse: the front-end takes it whatever its
        canvas (see :meth:`frame`) and then asks for the exact aggregation.
        """
        if self.ndisplay != 2 or self.kind == "rgb":
            return
        try:
            items = self.items
            if frames.region_bytes(self.dataset, items) <= PREVIEW_BYTES:
                return
            canvas = frames.preview_canvas(self.dataset, items, None, FIRST_CANVAS, PREVIEW_TOUCH)
        except Exception:  # the first request reports any problem with this selection
            return
        self._ahead.start_first(FrameRequest.of(items, self.shape, transposed=self.transposed, canvas=canvas,
                                                how="sample", part=self.complex_part, equal=self.aspect == "equal"))

    # -- state -----------------------------------------------------------------------------
    @t.validate("selection")
    def _valid_selection(self, proposal: dict) -> str:
        ds = getattr(self, "dataset", None)
        if ds is None or ds.shape is None:
            return str(proposal["value"])
        items = sel.parse(proposal["value"], self.shape)  # SelectionError (ValueError) when wrong
        kept = sum(isinstance(i, slice) for i in items)
        want = 3 if self.kind == "rgb" else self.ndisplay
        if self.ndisplay and kept != want:
            raise t.TraitError(f"the {self.kind} view keeps {want} dimension(s); {proposal['value']!r} keeps {kept}")
        return sel.format(items, self.shape)

    def _curve_dim(self) -> int | None:
        """The dimension the shown curve runs along (None when no curve is shown)."""
        if getattr(self, "dataset", None) is None or self.ndisplay != 1 or self.kind in views.VALUE_VIEWS \
                or not self.selection:  # the constructor sets the selection last
            return None
        return abscissa.curve_dim(self.items)

    @t.validate("x")
    def _valid_x(self, proposal: dict) -> str:
        return abscissa.check(self.choice.nxdata, self._curve_dim(), str(proposal["value"]), self.kind)

    @t.observe("selection", "kind")
    def _x_follows(self, change: dict) -> None:
        """A curve keeps its abscissa along the same dimension; along another, it takes that one's default."""
        if getattr(self, "choice", None) is not None:
            dim, before = self._curve_dim(), self.__dict__.get("_x_dim")
            self._x_dim = dim
            self.x = abscissa.resolve(self.choice.nxdata, dim, self.x if dim == before else "")

    @t.observe("selection", "transposed", "complex_part", "kind")
    def _code_follows(self, change: dict) -> None:
        ds = getattr(self, "dataset", None)
        if ds is None or ds.shape is None:
            return
        filename = getattr(ds, "filename", None) or self.meta.get("filename", "")
        complex_shown = ds.dtype.kind == "c" and self.ndisplay >= 1
        self.code = snippet.code(filename, ds.path, self.selection, snippet.backend_of(ds),
                                 transposed=self.ndisplay == 2 and self.transposed and self.kind != "rgb",
                                 part=self.complex_part if complex_shown else None,
                                 variable="data" if filename else "array")

    @t.observe("kind")
    def _kind_changed(self, change: dict) -> None:
        """The front-end picked another view: displayed dimensions and selection follow."""
        if getattr(self, "choice", None) is None or change["new"] == self.choice.shown:
            return
        choice = views.choose(self.node, change["new"])
        self.choice = choice
        self._ahead.clear()
        with self.hold_trait_notifications():
            self.ndisplay = choice.ndisplay
            self.transposed = False
            self.selection = choice.selection

    @t.validate("colormap")
    def _valid_colormap(self, proposal: dict) -> str:
        colormaps.lut(proposal["value"])  # ValueError naming close matches
        return str(proposal["value"])

    @property
    def items(self) -> tuple[sel.Item, ...]:
        """The parsed current selection."""
        return sel.parse(self.selection, self.shape)

    @property
    def data(self) -> np.ndarray:
        """The displayed slice at full resolution, as numpy (transposed when the view is)."""
        ds = self._shown()
        if ds.shape is None:
            return np.asarray(ds[()])
        values = np.asarray(ds[self.items])
        return values.T if self.ndisplay == 2 and self.transposed and self.kind != "rgb" else values

    def _shown(self) -> Dataset:
        if self.dataset is None:
            raise ValueError(self.error or "nothing to display")
        return self.dataset

    def _warning(self, read_warning: str | None) -> str | None:
        """The read's own warning (chunks) after what is wrong with the storage (missing VDS sources) and the mask."""
        problem = getattr(self.dataset, "storage_problem", None)
        return "  ".join(w for w in (problem, self._mask_notice(), read_warning) if w) or None

    # -- commands (browser → Python) --------------------------------------------------------
    @command
    def frame(self, msg: dict, buffers: list) -> tuple[protocol.FrameReply, list]:
        """``{selection, transposed, region, canvas: [h, w], how, part, aspect, exact}`` → one frame at display size."""
        ds, t0 = self._shown(), time.perf_counter()
        items, region = sel.parse(msg.get("selection", self.selection), self.shape), msg.get("region")
        canvas = [max(1, min(int(v), 8192)) for v in msg.get("canvas", [1024, 1024])]
        how = msg.get("how", self.aggregation)
        # a region much bigger than the canvas first comes as a strided preview (reads little,
        # shows at once); the front-end then asks for the exact aggregation with `exact`
        nbytes = frames.region_bytes(ds, items, region)
        preview = how in ("max", "mean") and not msg.get("exact") and nbytes > PREVIEW_BYTES
        if preview:
            canvas = frames.preview_canvas(ds, items, region, canvas, PREVIEW_TOUCH)
        request = FrameRequest.of(items, self.shape, transposed=bool(msg.get("transposed", self.transposed)),
                                  region=region, canvas=canvas, how="sample" if preview else how,
                                  part=msg.get("part", self.complex_part),
                                  equal=msg.get("aspect", self.aspect) == "equal")
        request = self._ahead.take_first(request, preview)  # the preview started at construction may do
        out = self._ahead.get(request)  # shared with the read-ahead cache: read, never modified
        if nbytes <= PREVIEW_BYTES:  # the next step's frame, read while the browser paints this one
            self._ahead.ahead(request)
        header, bufs = wire.encode(out["data"])
        axes = frames.frame_axes(self.choice.nxdata, items, self.shape, out)
        summary, more = _summary(out["summary"])
        return protocol.FrameReply(
            ok=True, array=header, seq=msg.get("seq"), preview=preview, frame_shape=out["frame_shape"],
            region=out["region"], factors=out["factors"], dims=out["dims"], stats=out["stats"],
            warning=self._warning(out["warning"]), axes=axes, kernel_ms=round(1000 * (time.perf_counter() - t0), 1),
            summary=summary,
        ), bufs + more

    def _compute_frame(self, request: FrameRequest) -> dict:
        """The frame of a request (runs in the kernel or in the read-ahead thread)."""
        return frames.frame(self._shown(), request.items, request.transposed, request.region, request.canvas,
                            request.how, request.part, equal=request.equal)

    @command
    def curve(self, msg: dict, buffers: list) -> tuple[protocol.CurveReply, list]:
        """``{selection, region, columns, part}`` → y (min/max when decimated), x values, errors, auxiliary signals."""
        ds, info = self._shown(), self.choice.nxdata
        items, part = sel.parse(msg.get("selection", self.selection), self.shape), msg.get("part", self.complex_part)
        columns = max(16, min(int(msg.get("columns", 2048)), 16384))
        out = frames.curve(ds, items, msg.get("region"), columns, part)
        dim, decimated = out["dim"], out["decimated"]
        extras, errors, aux = frames.curve_extras(info, ds, items, out, part)
        x = abscissa.resolve(info, dim, msg.get("x", self.x))
        reply = protocol.CurveReply(
            ok=True, seq=msg.get("seq"), index=np.asarray(out["index"]).tolist(), length=out["length"],
            region=out["region"], dim=dim, decimated=decimated, stats=out["stats"],
            warning=self._warning(out["warning"]), arrays=[], aux=aux,
            x=abscissa.values(info, dim, x, frames.FrameGeometry.of(self.shape, items).index(dim, out["index"])),
            abscissa=x,
        )
        if errors:
            reply["errors"] = True
        bufs: list = []
        for a in ([out["min"], out["max"]] if decimated else [out["min"]]) + extras:
            header, b = wire.encode(a)
            reply["arrays"].append(header)
            bufs.extend(b)
        return reply, bufs

    @command
    def values(self, msg: dict, buffers: list) -> protocol.ValuesReply:
        """``{selection}`` → a value as text, or a table (``columns``, ``rows`` of text).

        At most :data:`TABLE_ROWS` rows (along the first kept dimension), for
        scalar, text, list and table views.
        """
        return frames.values(self._shown(), msg.get("selection", self.selection), self.choice.nxdata,
                             TABLE_ROWS, TABLE_COLUMNS)

    @command
    def luts(self, msg: dict, buffers: list) -> tuple[protocol.LutsReply, list]:
        """``{names}`` → 256 × RGBA bytes per colormap, concatenated in order.

        The front-end asks once for the favourites (and the current colormap)
        and caches them, so switching between them sends no message.
        """
        names = list(msg.get("names") or [self.colormap])
        return protocol.LutsReply(ok=True, names=names), [memoryview(b"".join(colormaps.lut(n) for n in names))]

    @command
    def export(self, msg: dict, buffers: list) -> tuple[protocol.ExportReply, list]:
        """``{format: "npy" | "csv"}`` → the displayed slice at full resolution as a file's bytes."""
        fmt, ds = msg.get("format", "npy"), self._shown()
        if fmt not in ("npy", "csv"):
            raise ValueError(f"export format {fmt!r} is not npy or csv")
        size = int(np.prod(sel.result_shape(self.items, self.shape), dtype=np.int64)) * ds.dtype.itemsize
        if size > EXPORT_LIMIT:
            raise ValueError(f"the displayed slice is {size / 2**20:.0f} MB; export is limited to "
                             f"{EXPORT_LIMIT // 2**20} MB (use viewer.data in Python)")
        data = frames.export_bytes(self.data, fmt)
        stem = (ds.name or "data").replace("/", "_") or "data"
        return protocol.ExportReply(ok=True, filename=f"{stem}.{fmt}", bytes=len(data)), [memoryview(data)]

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        if self._esm == EMBEDDED_ESM:  # an explorer's viewer shown in a cell of its own
            self._esm = bundle("viewer").read_text(encoding="utf-8")
        return super()._repr_mimebundle_(**kwargs)

    def _fallback_html(self) -> str:
        """A static view for nbconvert and GitHub: a PNG thumbnail of an image, else a line of text."""
        filename, path = self.meta.get("filename", ""), self.meta.get("path", "")
        memory = not filename and path in ("", "/")  # an in-memory array: titled by shape and dtype, not "/"
        title = html.escape(f"{self.meta.get('shape', '')} {self.meta.get('dtype', '')} array" if memory
                            else f"{filename}::{path}")
        if self.dataset is None or self.ndisplay != 2 or self.kind == "rgb":
            return f'<div class="h5lens-viewer-fallback">h5lens viewer: {title} ({html.escape(self.kind)})</div>'
        if frames.region_bytes(self.dataset, self.items) > PREVIEW_BYTES:
            # a thumbnail must not hold up the live view by reading a huge frame
            return (f'<div class="h5lens-viewer-fallback">h5lens viewer: {title} [{html.escape(self.selection)}] '
                    f'{html.escape(self.meta.get("shape", ""))} {html.escape(self.meta.get("dtype", ""))}</div>')
        out = frames.frame(self.dataset, self.items, self.transposed, None, (256, 256), self.aggregation,
                           self.complex_part)
        png = colormaps.thumbnail(out["data"], self.colormap, self.scale, self.autoscale,
                                  (self.percentiles[0], self.percentiles[1]), self.vmin, self.vmax)
        src = "data:image/png;base64," + base64.b64encode(png).decode()
        return (f'<div class="h5lens-viewer-fallback"><div>{title} [{html.escape(self.selection)}]</div>'
                f'<img src="{src}" alt="{title}" style="image-rendering:pixelated"></div>')

    def close(self) -> None:
        """Close the widget, and the file when the viewer opened it."""
        super().close()
        if getattr(self, "_ahead", None) is not None:  # absent when the constructor failed
            self._ahead.clear()
        owned = getattr(self, "_owned", None)
        if owned is not None:
            owned.close()
            self._owned = None


def _summary(summary: Any) -> tuple[protocol.FrameSummary | None, list]:
    """The reply form of a frame's :class:`h5lens.stats.Summary` and its two buffers (after the frame's)."""
    if summary is None:
        return None, []
    values, counts = summary.histogram()
    (vh, vb), (ch, cb) = wire.encode(values), wire.encode(counts)
    # the statistics' keys are those of FrameSummary (pinned by tests/test_protocol.py)
    return cast(protocol.FrameSummary, {**summary.result(), "values": vh, "counts": ch}), vb + cb


def view(source: Any, view: str | None = None, **traits: Any) -> Viewer:
    """Show ``source`` (node, array, path or ``file::/path``, h5py object) in a :class:`Viewer`."""
    return Viewer(source, view=view, **traits)
