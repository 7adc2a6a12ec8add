"""``h5lens.compare(a, b, mode="side")`` → :class:`Compare`: two images side by side, their difference, ratio, or blink.

The sides and the modes are :mod:`h5lens.measure.pair`'s; the page draws
them with the viewer's image code (colour maps, zoom, colour state) and asks
for images through ``compare_frame`` (the viewer's frame reply, wire format and
full-resolution summary, plus exact ``numbers``) and for colour maps through ``luts``.
Small state lives in traits: ``mode``, ``lock`` (zoom, pan and colour range
shared by both images), ``rate`` (blinks per second), the colour settings,
and ``zoom``, the region shown (the page sets it when a zoom settles).
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import traitlets as t

from .. import _protocol as protocol
from .. import colormaps, replies, wire
from ..measure import pair
from ..measure.compare import MODES as MATHS
from ._base import H5Widget, bundle, command
from ._colour_traits import ColourTraits


class Compare(ColourTraits, H5Widget):
    """Two images (or two frames of stacks) compared in one widget; see :func:`compare`."""

    _esm = t.Unicode("").tag(sync=True)
    _bundle = "compare"

    mode = t.Enum(pair.MODES, default_value="side").tag(sync=True)
    #: Zoom, pan and colour range shared by the two images (side and blink).
    lock = t.Bool(True).tag(sync=True)
    #: Blinks per second in ``blink`` mode.
    rate = t.Float(2.0, min=0.1, max=30.0).tag(sync=True)
    #: Both sides' labels and frame shapes, and whether diff/ratio can be shown (``CompareMeta``).
    sides = t.Dict().tag(sync=True)
    #: ``[index of a, index of b]``: the frame shown of each side that is a stack (0 for a single image).
    frames = t.List(t.Int(), default_value=[0, 0], minlen=2, maxlen=2).tag(sync=True)
    #: ``[r0, r1, c0, c1]`` of the frame shown (full-resolution rows and columns), ``[]`` for all of it.
    zoom = t.List(t.Int(), default_value=[]).tag(sync=True)
    error = t.Unicode("").tag(sync=True)

    def __init__(self, a: Any, b: Any, mode: str = "side", **traits: Any):
        first = pair.side(a, "a")
        try:
            second = pair.side(b, "b")
        except BaseException:
            if first.owned is not None:
                first.owned.close()
            raise
        self._pair = pair.Pair(first, second)
        try:
            super().__init__(_esm=bundle("compare").read_text(encoding="utf-8"), sides=dict(self._sides()),
                             frames=[first.index, second.index], colormap_names=colormaps.menu(), **traits)
            self.mode = mode  # validated: diff/ratio of different shapes raise ValueError naming both
        except BaseException:
            self._pair.close()
            raise

    def _sides(self) -> protocol.CompareMeta:
        a, b = self._pair.a, self._pair.b

        def one(s: pair.Side) -> protocol.CompareSide:
            return protocol.CompareSide(label=s.label, shape=list(s.shape), dtype=str(s.dataset.dtype),
                                        frames=s.frames, index=s.index)

        same = a.shape == b.shape
        return protocol.CompareMeta(a=one(a), b=one(b), same_shape=same,
                                    problem="" if same else pair.shapes_problem(a, b, "diff") or "",
                                    modes=list(pair.MODES), options=protocol.options())

    @t.validate("frames")
    def _valid_frames(self, proposal: dict) -> list[int]:
        ia, ib = (int(i) for i in proposal["value"])
        self._pair.a.at(ia), self._pair.b.at(ib)  # ValueError naming the side and its number of frames
        return [ia, ib]

    @t.observe("frames")
    def _frames_changed(self, change: dict) -> None:
        self._select(change["new"])

    def _select(self, frames: Any) -> None:
        """Show frames ``[ia, ib]`` of the sides (their labels in ``sides`` follow)."""
        self._pair.select("a", int(frames[0]))
        self._pair.select("b", int(frames[1]))
        self.sides = dict(self._sides())

    @t.validate("mode")
    def _valid_mode(self, proposal: dict) -> str:
        problem = pair.shapes_problem(self._pair.a, self._pair.b, proposal["value"])
        if problem:
            raise ValueError(problem)
        return str(proposal["value"])

    # -- what is shown, in Python ---------------------------------------------------------------
    @property
    def shown(self) -> tuple[str, ...]:
        """What the current mode shows: ``("a", "b")``, ``("diff",)`` or ``("ratio",)``."""
        return (self.mode,) if self.mode in MATHS else ("a", "b")

    @property
    def data(self) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """The full-resolution values shown in the zoomed region: one array, or a and b."""
        region = self.zoom or None
        out = tuple(self._pair.values(w, region) for w in self.shown)
        return out[0] if len(out) == 1 else (out[0], out[1])

    @property
    def stats(self) -> dict[str, dict[str, Any]]:
        """Exact statistics of the zoomed region of each image shown (``pixels``, ``finite``, min, max, mean, std)."""
        out = {}
        for w in self.shown:
            values = self._pair.values(w, self.zoom or None)
            out[w] = {"pixels": int(values.size), **pair.region_numbers(values)}
        return out

    # -- commands (browser → Python) ------------------------------------------------------------
    @command
    def compare_frame(self, msg: dict, buffers: list) -> tuple[protocol.CompareFrameReply, list]:
        """``{which: a | b | diff | ratio, region, canvas, how, seq}`` → that image at display size, exact numbers."""
        which = str(msg.get("which", "a"))
        if msg.get("frames") is not None:  # the page's frames, should its trait change still be on its way
            self._select(self._valid_frames({"value": msg["frames"]}))
        canvas = [max(1, min(int(v), replies.MAX_CANVAS)) for v in msg.get("canvas", [1024, 1024])]
        out = self._pair.frame(which, msg.get("region"), canvas, msg.get("how", self.aggregation))
        header, bufs = wire.encode(out["data"])
        s, more = replies.summary(out["summary"])
        reply = protocol.CompareFrameReply(
            ok=True, array=header, seq=msg.get("seq"), preview=False, frame_shape=out["frame_shape"],
            region=out["region"], factors=out["factors"], dims=out["dims"], stats=out["stats"], warning=out["warning"],
            axes={}, kernel_ms=0.0, summary=s, which=which, numbers=out["numbers"])
        return reply, bufs + more

    @command
    def luts(self, msg: dict, buffers: list) -> tuple[protocol.LutsReply, list]:
        """``{names}`` → 256 × RGBA bytes per colormap, concatenated in order."""
        return replies.luts_reply(list(msg.get("names") or [self.colormap]))

    def _fallback_html(self) -> str:
        """A static view for nbconvert and GitHub: a PNG thumbnail of each image shown, coloured as the page does."""
        s, parts = self.sides, []
        for which in self.shown:
            out = self._pair.frame(which, None, (256, 256), self.aggregation)
            png = colormaps.thumbnail(out["data"], self.colormap, self.scale, self.autoscale,
                                      (self.percentiles[0], self.percentiles[1]), self.vmin, self.vmax,
                                      summary=out["summary"])
            title = _escape(s[which]["label"] if which in ("a", "b") else "a − b" if which == "diff" else "a / b")
            src = "data:image/png;base64," + base64.b64encode(png).decode()
            parts.append(f'<figure style="display:inline-block;margin:4px"><img src="{src}" alt="{title}" '
                         f'style="image-rendering:pixelated"><figcaption>{title}</figcaption></figure>')
        return f'<div class="h5lens-compare-fallback">h5lens compare ({_escape(self.mode)}): {"".join(parts)}</div>'

    def close(self) -> None:
        """Close the widget and the files opened for the sides."""
        super().close()
        if getattr(self, "_pair", None) is not None:
            self._pair.close()


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def compare(a: Any, b: Any, mode: str = "side", **traits: Any) -> Compare:
    """Compare two images: ``mode`` is ``"side"`` (side by side), ``"diff"`` (a − b), ``"ratio"`` (a / b), ``"blink"``.

    ``a`` and ``b`` are nodes, h5py datasets, ``"file.h5::/path"`` strings,
    arrays, or ``(one of those, index)`` for a frame of a stack. Zoom, pan and
    colour range are locked together (``lock=False`` unlocks them); the pure
    maths is :func:`h5lens.measure.compare`.

    Raises
    ------
    ValueError
        ``diff`` or ``ratio`` of images of different shapes (naming both), or
        a side that is not an image.
    """
    return Compare(a, b, mode=mode, **traits)
