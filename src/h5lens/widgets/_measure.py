"""The viewer's measuring half: profile and ROI handles, the mask, and the ``profile``/``roi_stats`` commands.

The handles only route to :mod:`h5lens.measure` (the pure layer) with the
viewer's current frame: a profile's ``values`` follow the slider (they are
recomputed when the selection, the mask or the profile changes, so
``observe`` sees them), an ROI's ``stats`` are computed when asked for.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets as t

from .. import _protocol as protocol
from .. import measure
from ..measure import for_viewer
from ..measure.mask import detector_mask
from ..measure.profile import REDUCTIONS
from ._base import command


class ProfileHandle(t.HasTraits):
    """A line profile on a viewer (see :meth:`Measuring.add_profile`); ``values``/``positions`` are numpy."""

    start = t.Tuple(t.Float(), t.Float())
    end = t.Tuple(t.Float(), t.Float())
    width = t.Int(1, min=1)
    reduce = t.Enum(REDUCTIONS, default_value="mean")
    values = t.Any(None)
    positions = t.Any(None)
    axis = t.Unicode("distance (pixels)")
    error = t.Unicode("")

    def __init__(self, viewer: Measuring, **traits: Any):
        self._viewer = viewer
        super().__init__(**traits)
        self.update(strict=True)
        self.observe(lambda _: self.update(), names=["start", "end", "width", "reduce"])

    def update(self, strict: bool = False) -> None:
        """Recompute for the viewer's current frame; a bad line leaves ``values`` None and ``error`` set."""
        try:
            out = self._viewer.measure_profile(self.start, self.end, self.width, self.reduce)
        except ValueError as exc:
            if strict:
                raise
            self.set_trait("values", None)
            self.set_trait("positions", None)
            self.error = str(exc)
            return
        self.error = ""
        self.axis = out["axis"]
        self.positions, self.values = out["positions"], out["values"]

    def to_json(self) -> dict[str, Any]:
        """What :meth:`Measuring.save_measures` writes."""
        return measure.Profile(self.start, self.end, self.width, self.reduce).to_json()

    def __repr__(self) -> str:
        return f"<Profile {self.start} → {self.end} width={self.width} {self.reduce}>"


class RoiHandle(t.HasTraits):
    """A region of interest on a viewer (see :meth:`Measuring.add_roi`)."""

    kind = t.Enum(measure.roi.KINDS)
    y = t.Tuple(t.Float(), t.Float())
    x = t.Tuple(t.Float(), t.Float())
    points: t.List[Any] = t.List()

    def __init__(self, viewer: Measuring, shape: measure.Shape):
        self._viewer = viewer
        super().__init__(kind=shape.kind, y=shape.y, x=shape.x, points=[tuple(p) for p in shape.points])

    @property
    def shape(self) -> measure.Shape:
        """The pure shape (:class:`h5lens.measure.Shape`)."""
        return measure.Shape(self.kind, y=self.y, x=self.x, points=list(self.points))

    @property
    def stats(self) -> dict[str, Any]:
        """count, sum, mean, std, min, max, argmin, argmax, com on the shown frame (full resolution)."""
        return measure.roi_stats(self._viewer.measure_frame(), self.shape)

    def mask(self) -> np.ndarray:
        """Boolean array of the shown frame's shape, True inside."""
        return self.shape.mask(self._viewer.measure_frame().shape)

    def over_frames(self, statistic: str = "sum", progress: bool = True) -> np.ndarray:
        """``statistic`` of the ROI for every frame of the stack, read frame by frame."""
        return measure.roi_over_frames(self._viewer.measure_frame(), self.shape, statistic, progress=progress)

    def to_json(self) -> dict[str, Any]:
        """What :meth:`Measuring.save_measures` writes."""
        return self.shape.to_json()

    def __repr__(self) -> str:
        where = f"points={list(self.points)}" if self.kind == "polygon" else f"y={self.y}, x={self.x}"
        return f"<ROI {self.kind} {where}>"


class Measuring(t.HasTraits):
    """Profiles, ROIs and masks of a viewer (mixed into :class:`~h5lens.widgets.viewer.Viewer`)."""

    #: Treat the dtype's maximum of unsigned detector data (65535, 4294967295) as invalid pixels.
    mask_invalid = t.Bool(True).tag(sync=True)

    def _measure_setup(self) -> None:
        self._profiles: list[ProfileHandle] = []
        self._rois: list[RoiHandle] = []
        self._user_mask: np.ndarray | None = None
        self._detector: tuple[np.ndarray | None, str | None] | None = None

    # -- the frame measured -------------------------------------------------------------------
    def _full_frame_shape(self) -> tuple[int, int]:
        return for_viewer.frame_shape(self.shape, self.items)  # type: ignore[attr-defined]

    @property
    def mask_warning(self) -> str:
        """Why the detector's pixel_mask is not applied (it could not be read), else ``""``."""
        return self._detector_mask()[1] or ""

    def _mask_notice(self) -> str | None:
        """The pixel_mask problem once the mask has been looked up (frames do not read it for this)."""
        return self._detector[1] if getattr(self, "_detector", None) else None  # type: ignore[index]

    def _detector_mask(self) -> tuple[np.ndarray | None, str | None]:
        if self._detector is None:
            found = detector_mask(self.dataset)  # type: ignore[attr-defined]
            if found[0] is not None and found[0].shape != self._full_frame_shape():
                found = (None, f"the detector's pixel_mask has shape {found[0].shape}, the frames "
                               f"{self._full_frame_shape()}; no detector mask applied")
            self._detector = found
        return self._detector

    @property
    def mask(self) -> np.ndarray | None:
        """The mask applied (True = invalid): the user's or'ed with the detector's pixel_mask; None when none.

        Set it to an array, a node, ``"file.h5::/path"``, an ``.npy`` or image
        file (EDF...), or None; a mask that does not fit the frames raises
        ValueError naming both shapes.
        """
        detector = self._detector_mask()[0]
        masks = [m for m in (self._user_mask, detector) if m is not None]
        return np.logical_or.reduce(masks) if masks else None

    @mask.setter
    def mask(self, value: Any) -> None:
        self._user_mask = measure.load_mask(value, self._full_frame_shape())
        self._measures_changed()

    def save_mask(self, path: Any, h5path: str = "/mask", overwrite: bool = False) -> None:
        """Write :attr:`mask` to ``.npy``, ``.edf`` or an HDF5 file (atomically)."""
        if self.mask is None:
            raise ValueError("this viewer has no mask to save")
        measure.save_mask(self.mask, path, h5path, overwrite)

    def measure_frame(self, selection: str | None = None) -> measure.Frame:
        """The shown frame (or ``selection``'s) as the measuring layer reads it, mask and sentinel applied."""
        if self.ndisplay != 2 or self.kind == "rgb":  # type: ignore[attr-defined]
            raise ValueError(f"profiles and ROIs measure images; this is a {self.kind} view")  # type: ignore[attr-defined]
        from .. import selection as sel
        items = sel.parse(selection, self.shape) if selection else self.items  # type: ignore[attr-defined]
        ds = self._shown()  # type: ignore[attr-defined]
        mask = for_viewer.shown_mask(self.mask, self.shape, items, self.transposed)  # type: ignore[attr-defined]
        invalid = measure.invalid_value(ds.dtype) if self.mask_invalid else None
        return measure.Frame(ds, items, self.transposed, mask, invalid, self.complex_part)  # type: ignore[attr-defined]

    def measure_profile(self, start: Any, end: Any, width: int = 1, reduce: str = "mean",
                        selection: str | None = None) -> dict[str, Any]:
        """The profile's values, positions (NXdata axis values when known, else pixels) and their label."""
        frame = self.measure_frame(selection)
        out = measure.profile(frame, start, end, width, reduce)
        positions, axis = for_viewer.positions(frame, out, self.choice.nxdata)  # type: ignore[attr-defined]
        return {"values": out["values"], "positions": positions, "axis": axis}

    def _measures_changed(self) -> None:
        for p in self._profiles:
            p.update()

    @t.observe("selection", "transposed", "complex_part", "mask_invalid")
    def _follow_frame(self, change: dict) -> None:
        if getattr(self, "_profiles", None):
            self._measures_changed()

    # -- the Python API ------------------------------------------------------------------------
    @property
    def profiles(self) -> list[ProfileHandle]:
        """The profiles added, in order."""
        return list(self._profiles)

    @property
    def rois(self) -> list[RoiHandle]:
        """The regions of interest added, in order."""
        return list(self._rois)

    def add_profile(self, start: Any, end: Any, width: int = 1, reduce: str = "mean") -> ProfileHandle:
        """A line profile from ``start`` to ``end`` (``(row, col)`` of the shown frame); ValueError when bad."""
        handle = ProfileHandle(self, start=tuple(start), end=tuple(end), width=int(width), reduce=reduce)
        self._profiles.append(handle)
        return handle

    def add_roi(self, kind: str, *, y: Any = None, x: Any = None, points: Any = None) -> RoiHandle:
        """An ROI: ``add_roi("rect" | "ellipse", y=(y0, y1), x=(x0, x1))`` or ``add_roi("polygon", points=[...])``."""
        if kind == "polygon":
            shape = measure.Shape("polygon", points=list(points or []))
        else:
            if y is None or x is None:
                raise ValueError(f"a {kind} ROI needs y=(y0, y1) and x=(x0, x1)")
            shape = measure.Shape(kind, y=tuple(y), x=tuple(x))
        shape.box(self.measure_frame().shape)  # ValueError when it holds no pixel of the frame
        handle = RoiHandle(self, shape)
        self._rois.append(handle)
        return handle

    def save_measures(self, path: Any) -> None:
        """Write the profiles and ROIs to a JSON file."""
        profiles = [measure.Profile(p.start, p.end, p.width, p.reduce) for p in self._profiles]
        for_viewer.save(path, profiles, [r.shape for r in self._rois])

    def load_measures(self, path: Any) -> None:
        """Add the profiles and ROIs of a JSON file written by :meth:`save_measures`."""
        profiles, shapes = for_viewer.load(path)
        for p in profiles:
            self.add_profile(p.start, p.end, p.width, p.reduce)
        for s in shapes:
            self.add_roi(s.kind, y=s.y, x=s.x, points=s.points)

    # -- commands (browser → Python) ------------------------------------------------------------
    @command
    def profile(self, msg: dict, buffers: list) -> tuple[protocol.ProfileReply, list]:
        """``{start, end, width, reduce, selection}`` → values and positions (two arrays)."""
        out = self.measure_profile(msg["start"], msg["end"], int(msg.get("width", 1)), msg.get("reduce", "mean"),
                                   msg.get("selection"))
        return for_viewer.profile_reply(out["values"], out["positions"], out["axis"], msg.get("seq"))

    @command
    def roi_stats(self, msg: dict, buffers: list) -> protocol.RoiStatsReply:
        """``{kind, y, x, points, selection}`` → the ROI's statistics on that frame."""
        stats = measure.roi_stats(self.measure_frame(msg.get("selection")), measure.Shape.from_json(msg))
        return for_viewer.roi_stats_reply(stats, msg.get("seq"))
