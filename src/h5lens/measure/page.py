"""What the page and Python exchange about measures: the ``measures`` trait's entries and the shown mask.

The viewer's ``measures`` trait lists the profiles and ROIs both sides draw,
each with an ``id`` (:class:`h5lens._protocol.Measures`); these functions turn
definitions into entries and back (reporting the entries that do not make a
measure instead of raising, since they come from the page), and reduce a
full-frame mask to the display copy of a frame reply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import wire
from .._protocol import FrameReply, MeasureProfile, MeasureRoi
from .profile import Profile
from .roi import Shape


def profile_entry(id: int, p: Profile) -> MeasureProfile:
    """The ``measures`` entry of profile ``p``."""
    return MeasureProfile(id=int(id), start=[float(v) for v in p.start], end=[float(v) for v in p.end],
                          width=int(p.width), reduce=p.reduce)


def roi_entry(id: int, s: Shape) -> MeasureRoi:
    """The ``measures`` entry of ROI ``s`` (a polygon's ``y``/``x`` are its bounds)."""
    return MeasureRoi(id=int(id), kind=s.kind, y=[float(v) for v in s.y], x=[float(v) for v in s.x],
                      points=[[float(r), float(c)] for r, c in s.points])


def parse(doc: Mapping[str, Any]) -> tuple[list[tuple[int, Profile]], list[tuple[int, Shape]], list[str]]:
    """``(profiles, rois, problems)`` of a ``measures`` value: ``(id, definition)`` pairs, why others are left out."""
    profiles, rois, problems = [], [], []
    for d in doc.get("profiles") or []:
        try:
            profiles.append((int(d["id"]), Profile(tuple(d["start"]), tuple(d["end"]), int(d.get("width", 1)),
                                                   str(d.get("reduce", "mean")))))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"profile {d!r} left out: {exc}")
    for d in doc.get("rois") or []:
        try:
            rois.append((int(d["id"]), Shape.from_json(d)))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"ROI {d!r} left out: {exc}")
    return profiles, rois, problems


def display_mask(mask: np.ndarray, region: Sequence[int], factors: Sequence[int],
                 out_shape: Sequence[int]) -> np.ndarray | None:
    """The frame reply's mask (uint8, 1 = masked) of a full-frame ``mask`` as displayed.

    ``region`` and ``factors`` are the reply's: a display pixel stands for a
    block of data pixels, and is painted as masked when every pixel of its
    block is (a block with one valid pixel still shows a value). None when
    the reduction does not give ``out_shape`` (then nothing is painted).
    """
    r0, r1, c0, c1 = (int(v) for v in region)
    fy, fx = (int(v) for v in factors)
    part = np.asarray(mask[r0:r1, c0:c1], dtype=bool)
    if part.size == 0:
        return None
    if fy > 1:
        part = np.logical_and.reduceat(part, np.arange(0, part.shape[0], fy), axis=0)
    if fx > 1:
        part = np.logical_and.reduceat(part, np.arange(0, part.shape[1], fx), axis=1)
    return part.astype(np.uint8) if part.shape == tuple(out_shape[:2]) else None


def with_mask(reply: FrameReply, bufs: list, out: dict[str, Any], mask: np.ndarray | None, invalid: int | None,
              notice: str | None) -> tuple[FrameReply, list]:
    """A frame reply (of :func:`h5lens.frames.frame`'s ``out``) with its display mask, sentinel and mask notice.

    A summary folded with the display copy that holds masked pixels is not
    sent: it is due (``summary_due``), folded again over the valid pixels only
    (:func:`h5lens.summaries.frame_summary` with the mask; the viewer starts it).

    ``mask`` is the full frame's (None: none), ``invalid`` the sentinel value
    (None: none), ``notice`` why the detector's pixel_mask is not applied.
    """
    if notice and notice not in (reply["warning"] or ""):
        reply["warning"] = "  ".join(w for w in (reply["warning"], notice) if w)
    if getattr(out["data"], "ndim", 0) != 2:  # RGB images: no mask painted
        return reply, bufs
    if invalid is not None:
        reply["invalid"] = invalid
    s = reply["summary"]
    if s is not None and (mask is not None or (invalid is not None and s["max"] == invalid)):
        # the summary folded with the copy counts masked pixels: the one without them follows
        # (the array's buffer is first)
        reply["summary"], reply["summary_due"] = None, True
        bufs = bufs[:1]
    shown = None if mask is None else display_mask(mask, out["region"], out["factors"], out["data"].shape)
    if shown is not None:
        header, more = wire.encode(shown)
        reply["mask"] = header
        bufs = [*bufs, *more]
    return reply, bufs
