"""The handles a viewer gives for its line profiles and regions of interest.

A handle routes to :mod:`h5lens.measure` (the pure layer) through its viewer
(:class:`h5lens.widgets._measure.Measuring`): a profile's ``values`` follow the
slider (recomputed when the selection, the mask or the profile changes, so
``observe`` sees them), an ROI's ``stats`` are computed when asked for. Every
handle has an ``id`` shared with the page (the ``measures`` trait): changing
``start``/``end``/``width``/``reduce`` or the ROI's coordinates moves what the
page draws, and what is dragged in the page moves the handle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import traitlets as t

from .. import measure
from ..measure.profile import REDUCTIONS

if TYPE_CHECKING:
    from ._measure import Measuring


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

    def __init__(self, viewer: Measuring, id: int, **traits: Any):
        self._viewer = viewer
        self.id = id
        super().__init__(**traits)
        self.update(strict=True)
        self.observe(self._moved, names=["start", "end", "width", "reduce"])

    def _moved(self, change: dict) -> None:
        self.update()
        self._viewer._publish_measures()

    def update(self, strict: bool = False) -> None:
        """Recompute for the viewer's current frame; a bad line leaves ``values`` None and ``error`` set."""
        try:
            out = self._viewer.measure_profile(self.start, self.end, self.width, self.reduce)
        except Exception as exc:  # a closed or unreadable dataset too: the reason is kept, the kernel goes on
            if strict:
                raise
            self.set_trait("values", None)
            self.set_trait("positions", None)
            self.error = str(exc)
            return
        self.error = ""
        self.axis = out["axis"]
        self.positions, self.values = out["positions"], out["values"]

    @property
    def definition(self) -> measure.Profile:
        """The pure profile (:class:`h5lens.measure.Profile`)."""
        return measure.Profile(self.start, self.end, self.width, self.reduce)

    def to_json(self) -> dict[str, Any]:
        """What :meth:`Measuring.save_measures` writes."""
        return self.definition.to_json()

    def __repr__(self) -> str:
        return f"<Profile {self.start} → {self.end} width={self.width} {self.reduce}>"


class RoiHandle(t.HasTraits):
    """A region of interest on a viewer (see :meth:`Measuring.add_roi`); ``y``, ``x``, ``points`` settable."""

    kind = t.Enum(measure.roi.KINDS)
    y = t.Tuple(t.Float(), t.Float())
    x = t.Tuple(t.Float(), t.Float())
    points: t.List[Any] = t.List()

    def __init__(self, viewer: Measuring, id: int, shape: measure.Shape):
        self._viewer = viewer
        self.id = id
        super().__init__(kind=shape.kind, y=shape.y, x=shape.x, points=[tuple(p) for p in shape.points])
        self.observe(lambda _: self._viewer._publish_measures(), names=["y", "x", "points"])

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

    def over_frames(self, statistic: str = "sum", progress: bool = True, client: Any = None) -> np.ndarray:
        """``statistic`` of the ROI for every frame of the stack, read frame by frame.

        ``client`` (a ``dask.distributed.Client`` or ``"local"``) computes blocks
        of frames on a dask cluster; the source must come from a file.
        """
        return measure.roi_over_frames(self._viewer.measure_frame(), self.shape, statistic, progress=progress,
                                       client=client)

    def to_json(self) -> dict[str, Any]:
        """What :meth:`Measuring.save_measures` writes."""
        return self.shape.to_json()

    def __repr__(self) -> str:
        where = f"points={list(self.points)}" if self.kind == "polygon" else f"y={self.y}, x={self.x}"
        return f"<ROI {self.kind} {where}>"


# -- what the page draws, as handles (see Measuring._measures_from_page) ----------------------
def take(problems: list[str], build: Any, *args: Any) -> Any:
    """``build(*args)``, or None with the reason in ``problems`` (the page's input never raises in the kernel)."""
    try:
        return build(*args)
    except Exception as exc:  # noqa: BLE001 - a closed file, a line off the frame: said in the page
        problems.append(str(exc))
        return None


def profile_from_page(viewer: Measuring, handle: Any, id: int, d: measure.Profile) -> ProfileHandle:
    """The handle of profile ``id`` as the page drew it: ``handle`` moved, or a new one."""
    if not isinstance(handle, ProfileHandle):
        return ProfileHandle(viewer, id, start=d.start, end=d.end, width=d.width, reduce=d.reduce)
    with handle.hold_trait_notifications():
        handle.start, handle.end, handle.width, handle.reduce = d.start, d.end, d.width, d.reduce
    if handle.error:  # zero length, off the frame: left out like a new one would be
        raise ValueError(handle.error)
    return handle


def roi_from_page(viewer: Measuring, handle: Any, id: int, s: measure.Shape) -> RoiHandle:
    """The handle of ROI ``id`` as the page drew it; ValueError when it holds no pixel of the frame."""
    s.box(viewer.measure_frame().shape)
    if not isinstance(handle, RoiHandle) or handle.kind != s.kind:
        return RoiHandle(viewer, id, s)
    handle.y, handle.x, handle.points = s.y, s.x, [tuple(p) for p in s.points]
    return handle
