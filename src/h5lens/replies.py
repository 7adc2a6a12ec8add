"""What a viewer answers, apart from Jupyter: a command's message → a request → a reply and its buffers.

The widget (:class:`h5lens.widgets.viewer.Viewer`) receives the message, keeps
the frames read ahead and sends what these functions return: a
:mod:`h5lens._protocol` reply whose arrays are :func:`h5lens.wire.encode`
headers, and the binary buffers they name, in order; or, with no kernel
(nbconvert, GitHub), its static HTML (:func:`fallback_html`). The frames and
curves themselves come from :mod:`h5lens.frames`. ``state`` is the viewer's
(its traits by name: ``selection``, ``transposed``, ``aggregation``...).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import numpy as np

from . import abscissa, colormaps, frames, stats, views, wire
from . import selection as sel
from ._protocol import CurveReply, ExportReply, FrameReply, FrameSummary, FrameSummaryReply, LutsReply, ValuesReply
from .frames import FrameRequest
from .selection import Item

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
#: Tables (``values``) show at most this many rows (along the first kept dimension) and columns.
TABLE_ROWS, TABLE_COLUMNS = 1000, 100
#: The largest canvas side a frame is computed for (a page asking more gets this).
MAX_CANVAS = 8192
#: Seconds a ``frame_summary`` command waits for statistics under way before answering ``pending``
#: (the page asks again): the kernel is blocked meanwhile, so a slider step waits at most this long.
SUMMARY_WAIT = 0.03
#: A frame region of at most this many bytes folds its statistics as it is read, whatever ``summarize``
#: says: for a 2048² uint16 gzip frame that adds ~18 ms to the read, while a follow-up would read and
#: decompress it again, send a second message and recolour the painted frame at every slider step
#: (a flicker). Larger regions (a 16k² float32 image: 1 GiB) are sent first, their statistics after.
INLINE_SUMMARY_BYTES = 16 * 2**20
#: The curve's display columns (the min/max decimation's bins) are kept within these bounds.
COLUMNS = (16, 16384)


def frame_request(dataset: Any, shape: Sequence[int], msg: Mapping[str, Any],
                  state: Mapping[str, Any]) -> tuple[FrameRequest, bool, int]:
    """``(request, preview, nbytes)`` of a ``frame`` message; what it leaves out is the viewer's ``state``.

    A ``max``/``mean`` region of more than :data:`PREVIEW_BYTES` (``nbytes``)
    first comes as a strided preview touching about :data:`PREVIEW_TOUCH` bytes
    (it reads little and shows at once); the page then asks again with ``exact``.
    """
    items, region = sel.parse(msg.get("selection", state["selection"]), shape), msg.get("region")
    canvas = [max(1, min(int(v), MAX_CANVAS)) for v in msg.get("canvas", [1024, 1024])]
    how = msg.get("how", state["aggregation"])
    nbytes = frames.region_bytes(dataset, items, region)
    preview = how in ("max", "mean") and not msg.get("exact") and nbytes > PREVIEW_BYTES
    if preview:
        canvas = frames.preview_canvas(dataset, items, region, canvas, PREVIEW_TOUCH)
    request = FrameRequest.of(items, shape, transposed=bool(msg.get("transposed", state["transposed"])),
                              region=region, canvas=canvas, how="sample" if preview else how,
                              part=msg.get("part", state["complex_part"]),
                              equal=msg.get("aspect", state["aspect"]) == "equal")
    return request, preview, nbytes


def exact_after(dataset: Any, shape: Sequence[int], msg: Mapping[str, Any], state: Mapping[str, Any],
                region: Sequence[int], frame_shape: Sequence[int]) -> FrameRequest:
    """The exact aggregation the page asks for once the preview answering ``msg`` is painted.

    The same message with ``exact``, and the preview's clipped ``region`` (None for
    the whole frame), as the front-end's ``exactRegion`` sends it: started as the
    preview is sent, it is under way when the page's request comes.
    """
    r0, r1, c0, c1 = (int(v) for v in region)
    whole = (r0, r1, c0, c1) == (0, int(frame_shape[0]), 0, int(frame_shape[1]))
    request, _, _ = frame_request(dataset, shape, {**msg, "exact": True, "region": None if whole else [r0, r1, c0, c1]},
                                  state)
    return request


def first_preview(dataset: Any, shape: Sequence[int], state: Mapping[str, Any]) -> FrameRequest | None:
    """The strided preview of a huge first frame, to start before the page asks (None: no need, or no image).

    The front-end asks for its first frame only once it is mounted (100-150 ms
    after the cell runs in JupyterLab); a cold read of the preview's sampled
    rows takes about as long, so it overlaps that wait instead of following it.
    The preview is only a first glimpse: the front-end takes it whatever its
    canvas (:meth:`h5lens.widgets._ahead.ReadAhead.take_first`) and then asks
    for the exact aggregation. :data:`FIRST_CANVAS` stands for the page's canvas.
    """
    if dataset is None or state["ndisplay"] != 2 or state["kind"] == "rgb":
        return None
    try:
        items = sel.parse(state["selection"], shape)
        if frames.region_bytes(dataset, items) <= PREVIEW_BYTES:
            return None
        fitted = frames.preview_canvas(dataset, items, None, FIRST_CANVAS, PREVIEW_TOUCH)
    except Exception:  # the first request reports any problem with this selection
        return None
    return FrameRequest.of(items, shape, transposed=state["transposed"], canvas=fitted, how="sample",
                           part=state["complex_part"], equal=state["aspect"] == "equal")


def compute_frame(dataset: Any, request: FrameRequest, summarize: bool = True) -> dict[str, Any]:
    """The frame of ``request`` (:func:`h5lens.frames.frame`): what the viewer computes or reads ahead.

    ``summarize=False``: without the statistics of an aggregated copy (``summary_due``;
    :func:`h5lens.summaries.frame_summary` computes them after the frame is sent), for a
    region of more than :data:`INLINE_SUMMARY_BYTES` only.
    """
    summarize = summarize or frames.region_bytes(dataset, request.items, request.region) <= INLINE_SUMMARY_BYTES
    return frames.frame(dataset, request.items, request.transposed, request.region, request.canvas, request.how,
                        request.part, equal=request.equal, summarize=summarize)


def curve_dim(dataset: Any, shape: Sequence[int], state: Mapping[str, Any]) -> int | None:
    """The dimension the shown curve runs along: None when no curve is shown (another view, no selection yet)."""
    if dataset is None or state["ndisplay"] != 1 or state["kind"] in views.VALUE_VIEWS or not state["selection"]:
        return None
    return abscissa.curve_dim(sel.parse(state["selection"], shape))


def check_x(dataset: Any, shape: Sequence[int], info: Any, state: Mapping[str, Any], asked: str,
            extra: abscissa.Extra = ()) -> str:
    """The abscissa ``asked`` for the ``x`` trait ("": the default); ValueError when the curve shown has no such one.

    ``extra``: the abscissae given from Python (``viewer.x = array``).
    """
    return abscissa.check(info, curve_dim(dataset, shape, state), asked, state["kind"], dataset, extra)


def follow_x(dataset: Any, shape: Sequence[int], info: Any, state: Mapping[str, Any],
             before: int | None, extra: abscissa.Extra = ()) -> tuple[str, int | None]:
    """``(x, dim)`` once the selection or the view changed; ``before`` is the curve's dimension until then.

    A curve keeps its abscissa (``state["x"]``) along the same dimension; along
    another it takes that one's default (:func:`h5lens.abscissa.resolve`).
    """
    dim = curve_dim(dataset, shape, state)
    return abscissa.resolve(info, dim, state["x"] if dim == before else "", dataset, extra), dim


def summary(s: stats.Summary | None) -> tuple[FrameSummary | None, list]:
    """The reply form of a frame's :class:`h5lens.stats.Summary` and its two buffers (after the frame's)."""
    if s is None:
        return None, []
    values, counts = s.histogram()
    (vh, vb), (ch, cb) = wire.encode(values), wire.encode(counts)
    # the statistics' keys are those of FrameSummary (pinned by tests/test_protocol.py)
    return cast(FrameSummary, {**s.result(), "values": vh, "counts": ch}), vb + cb


def frame_reply(out: dict[str, Any], request: FrameRequest, shape: Sequence[int], info: Any, *, seq: Any,
                preview: bool, warning: str | None, kernel_ms: float) -> tuple[FrameReply, list]:
    """The reply to a ``frame`` command: the frame computed for ``request`` (:func:`h5lens.frames.frame`).

    ``info`` is the NXdata the dataset is the signal of (its axes give the
    frame's ``axes``), ``warning`` what the reply says about the read.
    """
    header, bufs = wire.encode(out["data"])
    s, more = summary(out["summary"])
    return FrameReply(
        ok=True, array=header, seq=seq, preview=preview, frame_shape=out["frame_shape"], region=out["region"],
        factors=out["factors"], dims=out["dims"], stats=out["stats"], warning=warning,
        axes=frames.frame_axes(info, request.items, shape, out), kernel_ms=round(kernel_ms, 1), summary=s,
        summary_due=bool(out["summary_due"]),
    ), bufs + more


def frame_summary_reply(summary_: stats.Summary | None, pending: bool, seq: Any) -> tuple[FrameSummaryReply, list]:
    """The reply to a ``frame_summary`` command: the statistics, or ``pending`` (ask again).

    Ready but None: there are none for the page (no valid pixel in the region).
    """
    s, bufs = summary(summary_)
    return FrameSummaryReply(ok=True, seq=seq, pending=pending, summary=s), bufs


def curve_reply(dataset: Any, shape: Sequence[int], info: Any, msg: Mapping[str, Any],
                state: Mapping[str, Any], warn: Callable[[str | None], str | None],
                extra: abscissa.Extra = ()) -> tuple[CurveReply, list]:
    """The reply to a ``curve`` command ``{selection, region, columns, part, x}``.

    y (min and max per column when decimated), the values of its abscissa
    (``x``: an NXdata axis of its dimension, see :mod:`h5lens.abscissa`),
    and when shown point by point its errors and auxiliary signals;
    ``warn(read_warning)`` is the reply's warning; ``extra`` the abscissae given from Python.
    """
    items = sel.parse(msg.get("selection", state["selection"]), shape)
    part = msg.get("part", state["complex_part"])
    columns = max(COLUMNS[0], min(int(msg.get("columns", 2048)), COLUMNS[1]))
    out = frames.curve(dataset, items, msg.get("region"), columns, part)
    dim, decimated = out["dim"], out["decimated"]
    x = abscissa.resolve(info, dim, msg.get("x", state["x"]), dataset, extra)
    x_values = abscissa.values(info, dim, x, frames.FrameGeometry.of(shape, items).index(dim, out["index"]),
                               dataset, extra)
    extras, errors, aux = frames.curve_extras(info, dataset, items, out, part)
    reply = CurveReply(
        ok=True, seq=msg.get("seq"), index=np.asarray(out["index"]).tolist(), length=out["length"],
        region=out["region"], dim=dim, decimated=decimated, stats=out["stats"], warning=warn(out["warning"]),
        arrays=[], aux=aux, x=x_values, abscissa=x,
    )
    if errors:
        reply["errors"] = True
    bufs: list = []
    for a in ([out["min"], out["max"]] if decimated else [out["min"]]) + extras:
        header, b = wire.encode(a)
        reply["arrays"].append(header)
        bufs.extend(b)
    return reply, bufs


def values_reply(dataset: Any, msg: Mapping[str, Any], state: Mapping[str, Any], info: Any) -> ValuesReply:
    """The reply to a ``values`` command ``{selection}``: a value as text, or a table of text cells.

    At most :data:`TABLE_ROWS` rows and :data:`TABLE_COLUMNS` columns, for the
    scalar, text, list and table views (:func:`h5lens.frames.values`).
    """
    return frames.values(dataset, msg.get("selection", state["selection"]), info, TABLE_ROWS, TABLE_COLUMNS)


def luts_reply(names: Sequence[str]) -> tuple[LutsReply, list]:
    """The reply to a ``luts`` command: 256 × RGBA bytes per colormap, concatenated in the order of ``names``."""
    return LutsReply(ok=True, names=list(names)), [memoryview(b"".join(colormaps.lut(n) for n in names))]


def shown_values(dataset: Any, state: Mapping[str, Any]) -> np.ndarray:
    """The displayed slice at full resolution, as numpy (transposed when an image that is not RGB is)."""
    if dataset.shape is None:
        return np.asarray(dataset[()])
    values = np.asarray(dataset[sel.parse(state["selection"], dataset.shape)])
    return values.T if state["ndisplay"] == 2 and state["transposed"] and state["kind"] != "rgb" else values


def export_reply(dataset: Any, items: Sequence[Item], shape: Sequence[int], fmt: str,
                 values: Callable[[], np.ndarray]) -> tuple[ExportReply, list]:
    """The reply to an ``export`` command: the displayed slice (``values()``, full resolution) as a file's bytes.

    Refused, before anything is read, when the slice is over :data:`EXPORT_LIMIT` bytes
    (it is built in memory).
    """
    if fmt not in ("npy", "csv"):
        raise ValueError(f"export format {fmt!r} is not npy or csv")
    size = int(np.prod(sel.result_shape(items, shape), dtype=np.int64)) * np.dtype(dataset.dtype).itemsize
    if size > EXPORT_LIMIT:
        raise ValueError(f"the displayed slice is {size / 2**20:.0f} MB; export is limited to "
                         f"{EXPORT_LIMIT // 2**20} MB (use viewer.data in Python)")
    data = frames.export_bytes(values(), fmt)
    stem = (dataset.name or "data").replace("/", "_") or "data"
    return ExportReply(ok=True, filename=f"{stem}.{fmt}", bytes=len(data)), [memoryview(data)]


def fallback_html(dataset: Any, meta: Mapping[str, Any], state: Mapping[str, Any]) -> str:
    """A viewer's static form for nbconvert and GitHub: a PNG thumbnail of an image, else a line of text.

    ``meta`` is the viewer's (:func:`h5lens.views.viewer_meta`). A frame of more
    than :data:`PREVIEW_BYTES` is not read: a thumbnail must not hold up the live view.
    """
    filename, path = meta.get("filename", ""), meta.get("path", "")
    memory = not filename and path in ("", "/")  # an in-memory array: titled by shape and dtype, not "/"
    title = html.escape(f"{meta.get('shape', '')} {meta.get('dtype', '')} array" if memory else f"{filename}::{path}")
    if dataset is None or state["ndisplay"] != 2 or state["kind"] == "rgb":
        return f'<div class="h5lens-viewer-fallback">h5lens viewer: {title} ({html.escape(state["kind"])})</div>'
    selection = html.escape(state["selection"])
    items = sel.parse(state["selection"], dataset.shape)
    if frames.region_bytes(dataset, items) > PREVIEW_BYTES:
        return (f'<div class="h5lens-viewer-fallback">h5lens viewer: {title} [{selection}] '
                f'{html.escape(meta.get("shape", ""))} {html.escape(meta.get("dtype", ""))}</div>')
    out = frames.frame(dataset, items, state["transposed"], None, (256, 256), state["aggregation"],
                       state["complex_part"])
    png = colormaps.thumbnail(out["data"], state["colormap"], state["scale"], state["autoscale"],
                              (state["percentiles"][0], state["percentiles"][1]), state["vmin"], state["vmax"],
                              summary=out["summary"])  # the range of every pixel, not of the reduced copy
    src = "data:image/png;base64," + base64.b64encode(png).decode()
    return (f'<div class="h5lens-viewer-fallback"><div>{title} [{selection}]</div>'
            f'<img src="{src}" alt="{title}" style="image-rendering:pixelated"></div>')
