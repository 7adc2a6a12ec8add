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
import io
import os
import struct
import time
import zlib
from typing import Any

import numpy as np
import traitlets as t

from .. import _protocol as protocol
from .. import colormaps, decimate, views, wire
from .. import selection as sel
from ..nodes import _format
from ..nodes._base import Dataset, Node
from ._ahead import ReadAhead
from ._base import H5Widget, bundle, command

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
#: ... and taken by the first request whatever its canvas when it has at most this many pixels.
GLIMPSE_PIXELS = 256 * 256
#: Tables show at most this many rows and columns.
TABLE_ROWS = 1000
TABLE_COLUMNS = 100
#: Front-end module of a viewer drawn by its host widget (it has no view of its own).
EMBEDDED_ESM = "export default {};"
#: Slider dimensions get their axis values sent once when the axis is at most this long.
AXIS_VALUES_LIMIT = 10_000  # 10k floats: ~200 KB of JSON at most in the saved state


def _to_node(source: Any) -> tuple[Node, Node | None]:
    """``(node, root_to_close)`` for a node, an array, a path (``file::/path``) or an h5py object."""
    if isinstance(source, Node):
        return source, None
    if isinstance(source, (np.ndarray, list, tuple, int, float, complex, np.generic)):
        from ..nodes.memory import from_object

        return from_object(np.asarray(source)), None
    from .._open import open as h5open  # lazy: the format backends load on demand

    node = h5open(os.fspath(source) if isinstance(source, os.PathLike) else source)
    return node, node.root


def _label(name: str | None, long_name: str | None = None, units: str | None = None) -> str:
    text = long_name or name or ""
    return f"{text} ({units})" if units and f"({units})" not in text else text


class Viewer(H5Widget):
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
    error = t.Unicode("").tag(sync=True)

    def __init__(self, source: Any = None, view: str | None = None, *, embedded: bool = False,
                 choice: views.Choice | None = None, **traits: Any):
        self.node, self._owned = _to_node(source)
        choice = choice if choice is not None and view is None else views.choose(self.node, view)
        self.choice = choice
        self.dataset: Dataset | None = choice.dataset
        init = dict(
            # a viewer embedded in another widget (the explorer) is drawn by its host's bundle:
            # its own module is a stub until it is displayed on its own (see _repr_mimebundle_)
            _esm=EMBEDDED_ESM if embedded else bundle("viewer").read_text(encoding="utf-8"),
            kind=choice.shown or choice.view, views=choice.views, ndisplay=choice.ndisplay,
            meta=self._meta(), colormap_names=colormaps.menu(), error=choice.reason or "",
        )
        selection = traits.pop("selection", None)
        self._ahead = ReadAhead(self._compute_frame, self.dataset.shape if self.dataset is not None
                                and self.dataset.shape is not None else ())
        super().__init__(**init, **traits)
        self._first_key: tuple | None = None
        if self.dataset is not None and self.dataset.shape is not None:
            self.selection = selection if selection is not None else choice.selection
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
            if decimate.region_bytes(self.dataset, items) <= PREVIEW_BYTES:
                return
            canvas = decimate.preview_canvas(self.dataset, items, None, FIRST_CANVAS, PREVIEW_TOUCH)
        except Exception:  # the first request reports any problem with this selection
            return
        key = self._frame_key(items, self.transposed, None, canvas, "sample", self.complex_part, self.aspect)
        self._ahead.start(key)
        self._first_key = key

    def _frame_key(self, items, transposed, region, canvas, how, part, aspect) -> tuple:
        return ReadAhead.key(
            sel.format(items, self.dataset.shape), transposed=bool(transposed),
            region=None if region is None else [int(v) for v in region], canvas=list(canvas),
            how=how, part=part, equal=aspect == "equal",
        )

    # -- state -----------------------------------------------------------------------------
    @t.validate("selection")
    def _valid_selection(self, proposal):
        ds = getattr(self, "dataset", None)
        if ds is None or ds.shape is None:
            return proposal["value"]
        items = sel.parse(proposal["value"], ds.shape)  # SelectionError (ValueError) when wrong
        kept = sum(isinstance(i, slice) for i in items)
        want = 3 if self.kind == "rgb" else self.ndisplay
        if self.ndisplay and kept != want:
            raise t.TraitError(f"the {self.kind} view keeps {want} dimension(s); {proposal['value']!r} keeps {kept}")
        return sel.format(items, ds.shape)

    @t.observe("kind")
    def _kind_changed(self, change):
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
    def _valid_colormap(self, proposal):
        colormaps.lut(proposal["value"])  # ValueError naming close matches
        return proposal["value"]

    @property
    def items(self) -> tuple:
        """The parsed current selection."""
        return sel.parse(self.selection, self.dataset.shape)

    @property
    def data(self) -> np.ndarray:
        """The displayed slice at full resolution, as numpy (transposed when the view is)."""
        if self.dataset is None:
            raise ValueError(self.error or "nothing is displayed")
        if self.dataset.shape is None:
            return np.asarray(self.dataset[()])
        values = np.asarray(self.dataset[self.items])
        if self.ndisplay == 2 and self.transposed and self.kind != "rgb":
            values = values.T
        return values

    def _meta(self) -> protocol.ViewerMeta:
        """The ``meta`` trait: labels the front-end shows and the facts it decides by.

        Path, shape/dtype labels, dims with axis labels and values; complex,
        compound and the option lists.
        """
        ds, info = self.dataset, self.choice.nxdata
        meta = protocol.ViewerMeta(
            path=self.node.path, filename=self.node.filename or "", options=protocol.options(),
            complex=ds is not None and ds.dtype.kind == "c", compound=ds is not None and ds.dtype.names is not None)
        if ds is None:
            return meta
        meta.update(
            shape=_format.shape_label(ds.shape), dtype=_format.dtype_label(ds.dtype),
            chunks=list(ds.chunks) if ds.chunks else None, name=ds.name,
            signal=_label(ds.name, _format.text_attr(ds, "long_name"), _format.text_attr(ds, "units")),
        )
        dims = [protocol.Dim(name=f"dim {d}", size=int(n)) for d, n in enumerate(ds.shape or ())]
        meta["nxdata"] = info is not None
        if info is not None:
            meta["title"] = info.title or ""
            meta["signal"] = info.label()
            for d, axis in enumerate(list(info.axes)[: len(dims)]):
                if axis is None or axis.shape is None or len(axis.shape) != 1:
                    continue
                dims[d]["name"] = info.axis_names[d] or axis.name
                dims[d]["label"] = info.label(d)
                if axis.shape[0] <= AXIS_VALUES_LIMIT and axis.dtype.kind in "iuf":
                    dims[d]["values"] = np.asarray(axis[()], dtype=np.float64).tolist()
            meta["errors"] = info.errors is not None
            meta["auxiliary"] = list(info.auxiliary_signal_names)
        meta["dims"] = dims
        return meta

    # -- commands (browser → Python) --------------------------------------------------------
    def _items(self, msg: dict) -> tuple:
        text = msg.get("selection", self.selection)
        return sel.parse(text, self.dataset.shape)

    @command
    def frame(self, msg: dict, buffers: list):
        """``{selection, transposed, region, canvas: [h, w], how, part}`` → one frame at display size."""
        if self.dataset is None:
            raise ValueError(self.error or "nothing to display")
        t0 = time.perf_counter()
        canvas = [max(1, min(int(v), 8192)) for v in msg.get("canvas", [1024, 1024])]
        items = self._items(msg)
        how = msg.get("how", self.aggregation)
        # a region much bigger than the canvas first comes as a strided preview (reads little,
        # shows at once); the front-end then asks for the exact aggregation with `exact`
        region_bytes = decimate.region_bytes(self.dataset, items, msg.get("region"))
        preview = how in ("max", "mean") and not msg.get("exact") and region_bytes > PREVIEW_BYTES
        region = msg.get("region")
        if preview:
            canvas = decimate.preview_canvas(self.dataset, items, region, canvas, PREVIEW_TOUCH)
        key = self._frame_key(items, msg.get("transposed", self.transposed), region, canvas,
                              "sample" if preview else how, msg.get("part", self.complex_part),
                              msg.get("aspect", self.aspect))
        first, self._first_key = self._first_key, None
        if preview and first is not None and _same_but_canvas(first, key):
            key = first  # the preview started at construction: any canvas will do for a first glimpse
        out = dict(self._ahead.get(key))  # a copy: frames read ahead are shared
        if region_bytes <= PREVIEW_BYTES:  # the next step's frame, read while the browser paints this one
            self._ahead.ahead(key)
        out["warning"] = self._warning(out.get("warning"))
        header, bufs = wire.encode(out.pop("data"))
        axes = self._axis_values(out, items)
        return {"array": header, "seq": msg.get("seq"), "preview": preview, **out, "axes": axes,
                "kernel_ms": round(1000 * (time.perf_counter() - t0), 1)}, bufs

    def _warning(self, read_warning: str | None) -> str | None:
        """The read's own warning (chunks) after what is wrong with the storage (missing VDS sources)."""
        problem = getattr(self.dataset, "storage_problem", None)
        return "  ".join(w for w in (problem, read_warning) if w) or None

    def _compute_frame(self, key: tuple) -> dict:
        """The frame of a :class:`ReadAhead` key (runs in the kernel or in the read-ahead thread)."""
        options = dict(key[1:])
        region = options["region"]
        return decimate.frame(
            self.dataset, sel.parse(key[0], self.dataset.shape), options["transposed"],
            None if region is None else list(region), list(options["canvas"]), options["how"], options["part"],
            equal=options["equal"],
        )

    def _axis_values(self, out: dict, items: tuple) -> dict:
        """NXdata axis values at the displayed rows/columns (block starts), when known."""
        info = self.choice.nxdata
        if info is None:
            return {}
        axes = list(getattr(info, "axes", []) or [])
        result = {}
        for key, dim, (lo, hi), f in (("y", out["dims"][0], out["region"][:2], out["factors"][0]),
                                      ("x", out["dims"][1], out["region"][2:], out["factors"][1])):
            axis = axes[dim] if dim < len(axes) else None
            if axis is None or axis.shape is None or len(axis.shape) != 1 or axis.dtype.kind not in "iuf":
                continue
            it = items[dim]
            start, _, step = it.indices(self.dataset.shape[dim])
            idx = np.arange(start + lo * step, start + hi * step, step * f)
            idx = idx[idx < axis.shape[0]]
            if idx.size:
                result[key] = np.asarray(axis[int(idx[0]) : int(idx[-1]) + 1 : step * f], dtype=np.float64).tolist()
        return result

    @command
    def curve(self, msg: dict, buffers: list):
        """``{selection, region, columns, part}`` → y (min/max when decimated), x values, errors."""
        if self.dataset is None:
            raise ValueError(self.error or "nothing to display")
        items = self._items(msg)
        columns = max(16, min(int(msg.get("columns", 2048)), 16384))
        out = decimate.curve(self.dataset, items, msg.get("region"), columns, msg.get("part", self.complex_part))
        arrays = [out.pop("min")] + ([out.pop("max")] if out["decimated"] else [])
        out.pop("max", None)
        index = out.pop("index")
        reply = {"seq": msg.get("seq"), **out, "index": np.asarray(index).tolist(), "arrays": [], "x": None}
        reply["warning"] = self._warning(out.get("warning"))
        info = self.choice.nxdata
        dim = out["dim"]
        step = items[dim].indices(self.dataset.shape[dim])[2]
        start = items[dim].indices(self.dataset.shape[dim])[0]
        src = start + np.asarray(index) * step
        axes = list(getattr(info, "axes", []) or []) if info is not None else []
        axis = axes[dim] if dim < len(axes) else None
        if axis is not None and axis.shape is not None and len(axis.shape) == 1 and axis.dtype.kind in "iuf":
            ok = src[src < axis.shape[0]]
            if ok.size:
                values = np.asarray(axis[int(ok[0]) : int(ok[-1]) + 1], dtype=np.float64)
                reply["x"] = values[ok - ok[0]].tolist()
        errors = getattr(info, "errors", None) if info is not None else None
        if errors is not None and not out["decimated"] and errors.shape == self.dataset.shape:
            sub = list(items)
            i0, i1 = out["region"]
            sub[dim] = slice(start + i0 * step, start + i1 * step, step)
            arrays.append(np.asarray(errors[tuple(sub)]))
            reply["errors"] = True
        reply["aux"] = []
        if info is not None and not out["decimated"]:  # auxiliary signals: extra curves, same selection
            for name, aux in zip(info.auxiliary_signal_names, info.auxiliary_signals):
                if aux.shape == self.dataset.shape:
                    sub = list(items)
                    i0, i1 = out["region"]
                    sub[dim] = slice(start + i0 * step, start + i1 * step, step)
                    arrays.append(decimate._part(np.asarray(aux[tuple(sub)]), msg.get("part", self.complex_part)))
                    reply["aux"].append(name)
        bufs = []
        for a in arrays:
            header, b = wire.encode(a)
            reply["arrays"].append(header)
            bufs.extend(b)
        return reply, bufs

    @command
    def values(self, msg: dict, buffers: list):
        """``{selection}`` → a value as text, or a table (``columns``, ``rows`` of text).

        At most :data:`TABLE_ROWS` rows, for scalar, text, list and table views.
        """
        from ..nodes._format import value_preview

        ds = self.dataset
        if ds is None:
            raise ValueError(self.error or "nothing to display")
        if ds.shape is None or ds.ndim == 0:
            return {"text": value_preview(ds[()], max_chars=100_000)}
        if 0 in ds.shape:  # nothing to read: say so rather than build an empty table
            from ..nodes._format import shape_label

            return {"text": f"no values: the dataset is {shape_label(ds.shape)} (zero-size)"}
        items = list(self._items(msg))
        # read at most TABLE_ROWS along the first kept dimension
        first = next((d for d, it in enumerate(items) if isinstance(it, slice)), None)
        total = len(range(*items[first].indices(ds.shape[first]))) if first is not None else 1
        if first is not None and total > TABLE_ROWS:
            it = items[first]
            items[first] = slice(it.start, it.start + TABLE_ROWS * it.step, it.step)
        info = self.choice.nxdata
        if info is not None and ds.ndim == 1:  # an NXdata curve: axis, signal and auxiliary signals side by side
            from ..nodes.nexus import nxdata_columns

            columns, table = nxdata_columns(info, items[0])
            rows = [[value_preview(v, 60) for v in row] for row in table]
            return {"columns": columns, "rows": rows, "total": total, "truncated": total > len(rows)}
        data = np.asarray(ds[tuple(items)])
        if data.dtype.names:
            columns = list(data.dtype.names)
            rows = [[value_preview(rec[name], 60) for name in columns] for rec in np.atleast_1d(data).ravel()]
        else:
            table = np.atleast_2d(data.reshape(data.shape[0], -1) if data.ndim > 1 else data[:, None])
            columns = ["value"] if table.shape[1] == 1 else [str(j) for j in range(min(table.shape[1], TABLE_COLUMNS))]
            rows = [[value_preview(v, 60) for v in row[:TABLE_COLUMNS]] for row in table]
        return {"columns": columns, "rows": rows, "total": total, "truncated": total > len(rows)}

    @command
    def luts(self, msg: dict, buffers: list):
        """``{names}`` → 256 × RGBA bytes per colormap, concatenated in order.

        The front-end asks once for the favourites (and the current colormap)
        and caches them, so switching between them sends no message.
        """
        names = list(msg.get("names") or [self.colormap])
        return {"names": names}, [memoryview(b"".join(colormaps.lut(n) for n in names))]

    @command
    def export(self, msg: dict, buffers: list):
        """``{format: "npy" | "csv"}`` → the displayed slice at full resolution as a file's bytes."""
        fmt = msg.get("format", "npy")
        if fmt not in ("npy", "csv"):
            raise ValueError(f"export format {fmt!r} is not npy or csv")
        items = self.items
        size = int(np.prod(sel.result_shape(items, self.dataset.shape), dtype=np.int64)) * self.dataset.dtype.itemsize
        if size > EXPORT_LIMIT:
            raise ValueError(f"the displayed slice is {size / 2**20:.0f} MB; export is limited to "
                             f"{EXPORT_LIMIT // 2**20} MB (use viewer.data in Python)")
        values = self.data
        buf = io.BytesIO()
        if fmt == "npy":
            np.save(buf, values, allow_pickle=False)
        else:
            if values.ndim > 2:
                raise ValueError("CSV export needs a curve or an image (RGB slices export as .npy)")
            np.savetxt(buf, np.atleast_2d(values) if values.ndim < 2 else values, delimiter=",",
                       fmt="%.9g" if values.dtype.kind in "fc" else "%d")
        stem = (self.dataset.name or "data").replace("/", "_") or "data"
        return {"filename": f"{stem}.{fmt}", "bytes": buf.tell()}, [memoryview(buf.getvalue())]

    def _repr_mimebundle_(self, **kwargs):
        if self._esm == EMBEDDED_ESM:  # an explorer's viewer shown in a cell of its own
            self._esm = bundle("viewer").read_text(encoding="utf-8")
        return super()._repr_mimebundle_(**kwargs)

    # -- static fallback -----------------------------------------------------------------------
    def _fallback_html(self) -> str:
        title = html.escape(f"{self.meta.get('filename', '')}::{self.meta.get('path', '')}")
        if self.dataset is None or self.ndisplay != 2 or self.kind == "rgb":
            return f'<div class="h5lens-viewer-fallback">h5lens viewer: {title} ({html.escape(self.kind)})</div>'
        if decimate.region_bytes(self.dataset, self.items) > PREVIEW_BYTES:
            # a thumbnail must not hold up the live view by reading a huge frame
            return (f'<div class="h5lens-viewer-fallback">h5lens viewer: {title} [{html.escape(self.selection)}] '
                    f'{html.escape(self.meta.get("shape", ""))} {html.escape(self.meta.get("dtype", ""))}</div>')
        out = decimate.frame(self.dataset, self.items, self.transposed, None, (256, 256), self.aggregation,
                             self.complex_part)
        data = out["data"]
        lo, hi = (self.vmin, self.vmax) if self.autoscale == "manual" and self.vmin is not None and self.vmax is not None \
            else colormaps.auto_range(data, self.autoscale if self.autoscale != "manual" else "minmax", self.scale,
                                      tuple(self.percentiles))
        rgba = colormaps.colorize(data, self.colormap, lo, hi, self.scale)
        src = "data:image/png;base64," + base64.b64encode(png(rgba)).decode()
        return (f'<div class="h5lens-viewer-fallback"><div>{title} [{html.escape(self.selection)}]</div>'
                f'<img src="{src}" alt="{title}" style="image-rendering:pixelated"></div>')

    def close(self) -> None:
        super().close()
        if getattr(self, "_ahead", None) is not None:  # absent when the constructor failed
            self._ahead.clear()
        if getattr(self, "_owned", None) is not None:
            self._owned.close()
            self._owned = None


def _same_but_canvas(a: tuple, b: tuple) -> bool:
    """Frame keys that differ at most by their canvas, ``a``'s small (at most twice ``b``'s each
    way, or :data:`GLIMPSE_PIXELS`): a first glimpse never sends much more than the page asked for.
    """
    opts_a, opts_b = dict(a[1:]), dict(b[1:])
    ca, cb = opts_a.pop("canvas"), opts_b.pop("canvas")
    small = all(x <= 2 * y for x, y in zip(ca, cb)) or int(np.prod(ca)) <= GLIMPSE_PIXELS
    return a[0] == b[0] and opts_a == opts_b and small


def png(rgba: np.ndarray) -> bytes:
    """A minimal PNG (RGBA, 8 bit) of an ``(h, w, 4)`` uint8 array."""
    h, w = rgba.shape[:2]
    raw = b"".join(b"\x00" + rgba[y].tobytes() for y in range(h))

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def view(source: Any, view: str | None = None, **traits: Any) -> Viewer:
    """Show ``source`` (node, array, path or ``file::/path``, h5py object) in a :class:`Viewer`."""
    return Viewer(source, view=view, **traits)
