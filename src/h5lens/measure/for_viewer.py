"""What a viewer's measuring tools need around the measures: the shown mask, axis positions, files, replies.

The viewer (:class:`h5lens.widgets._measure.Measuring`) keeps the handles and
the traits; these functions hold no state and know no Jupyter: the part of a
mask over the shown frame, a profile's positions in the NXdata axis' units,
the JSON file of a viewer's measures, and the ``profile`` / ``roi_stats``
command replies.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import wire
from .._protocol import ProfileReply, RoiStatsReply
from ..frames import FrameGeometry
from ..nodes import nexus
from .frame import Frame
from .profile import Profile
from .roi import Shape


def shown_mask(mask: np.ndarray | None, shape: Sequence[int], items: Sequence[Any],
               transposed: bool) -> np.ndarray | None:
    """The part of a full-frame ``mask`` (kept dimensions in source order) under a selection, as displayed."""
    if mask is None:
        return None
    a, b = FrameGeometry.of(shape, items).kept[:2]
    part = mask[items[a], items[b]]
    return part.T if transposed else part


def frame_shape(shape: Sequence[int], items: Sequence[Any]) -> tuple[int, int]:
    """The full frame's shape: the lengths of the first two kept dimensions (what a mask must have)."""
    a, b = FrameGeometry.of(shape, items).kept[:2]
    return int(shape[a]), int(shape[b])


def positions(frame: Frame, out: dict[str, Any], info: Any) -> tuple[np.ndarray, str]:
    """``(positions, label)`` of a profile (:func:`h5lens.measure.profile` ``out``) along its line.

    A horizontal or vertical line of an NXdata image is placed in its axis'
    values (``info`` the NXdata), any other line in pixels of distance.
    """
    along = [(frame.ydim, out["rows"], frame.shape[0]), (frame.xdim, out["cols"], frame.shape[1])]
    moving = [(dim, at, n) for dim, at, n in along if np.ptp(at) > 0]
    if len(moving) == 1 and info is not None:
        dim, at, n = moving[0]
        values = nexus.axis_values(info, dim, frame.geometry.index(dim, np.arange(n)))
        if values is not None and len(values) == n:
            return np.interp(at, np.arange(n), values), info.label(dim)
    return out["distance"], "distance (pixels)"


def save(path: Any, profiles: Sequence[Profile], shapes: Sequence[Shape]) -> None:
    """Write profiles and ROI shapes to a JSON file (what :func:`load` reads back)."""
    doc = {"profiles": [p.to_json() for p in profiles], "rois": [s.to_json() for s in shapes]}
    Path(path).write_text(json.dumps(doc, indent=1), encoding="utf-8")


def load(path: Any) -> tuple[list[Profile], list[Shape]]:
    """The profiles and ROI shapes of a JSON file written by :func:`save`."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    return ([Profile.from_json(d) for d in doc.get("profiles", [])],
            [Shape.from_json(d) for d in doc.get("rois", [])])


def profile_reply(values: Any, where: Any, axis: str, seq: Any) -> tuple[ProfileReply, list]:
    """The ``profile`` reply: the values and their positions as two float64 arrays, and the axis label."""
    arrays, bufs = [], []
    for a in (values, where):
        header, b = wire.encode(np.asarray(a, dtype=np.float64))
        arrays.append(header)
        bufs.extend(b)
    return ProfileReply(ok=True, seq=seq, length=len(values), arrays=arrays, axis=axis), bufs


def roi_stats_reply(s: dict[str, Any], seq: Any) -> RoiStatsReply:
    """The ``roi_stats`` reply of :func:`h5lens.measure.roi_stats`'s result (no centre of mass when empty)."""
    com = None if np.isnan(s["com"][0]) else list(s["com"])
    return RoiStatsReply(ok=True, seq=seq, count=s["count"], sum=s["sum"], mean=s["mean"], std=s["std"],
                         min=s["min"], max=s["max"], argmin=list(s["argmin"]), argmax=list(s["argmax"]), com=com)
