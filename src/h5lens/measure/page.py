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


#: Display pixels listed with their masked count in a frame reply's ``mask_partial`` (their number is always given).
PARTIAL_LISTED = 4096


def partly_masked(mask: np.ndarray, region: Sequence[int], factors: Sequence[int],
                  shown: np.ndarray) -> dict[str, Any] | None:
    """The display pixels of a downsampled frame whose block holds masked pixels among valid ones.

    Such a pixel shows its valid pixels' value and is not painted masked, so an
    isolated masked pixel would be invisible at this size: the page says how
    many there are, and the hover how many of a block's pixels are masked.
    ``shown`` is :func:`display_mask`'s (the blocks wholly masked).
    ``{"blocks": n, "index": [...], "masked": [...]}`` (flat display indices
    and masked counts, the first :data:`PARTIAL_LISTED`), None when there are none.
    """
    r0, r1, c0, c1 = (int(v) for v in region)
    fy, fx = (int(v) for v in factors)
    part = np.asarray(mask[r0:r1, c0:c1], dtype=bool)
    if (fy == 1 and fx == 1) or part.size == 0 or not part.any():
        return None
    counts = _block_counts(part, fy, fx)
    if counts.shape != shown.shape:
        return None
    index = np.flatnonzero((counts > 0) & (shown == 0))
    if index.size == 0:
        return None
    listed = index[:PARTIAL_LISTED]
    masked = counts.ravel()[listed].tolist()
    return {"blocks": int(index.size), "index": listed.tolist(), "masked": masked}


def _block_counts(part: np.ndarray, fy: int, fx: int) -> np.ndarray:
    """Masked pixels of each ``fy`` × ``fx`` block of ``part`` (edge blocks smaller), in strips of about 1 Mpx.

    Sums of a reshaped copy (padded with valid pixels at the edges): one pass, no Python loop per block.
    """
    h, w = -(-part.shape[0] // fy), -(-part.shape[1] // fx)
    out = np.empty((h, w), np.uint32)
    rows = max(1, (1 << 20) // (w * fx * fy))  # block rows per strip
    buf = np.zeros((rows * fy, w * fx), np.uint8)
    for i in range(0, h, rows):
        n = min(rows, h - i)
        strip = part[i * fy:(i + n) * fy]
        buf[:] = 0
        buf[:strip.shape[0], :strip.shape[1]] = strip
        by_rows = buf[:n * fy].reshape(n, fy, w * fx).sum(axis=1, dtype=np.uint32)
        out[i:i + n] = by_rows.reshape(n, w, fx).sum(axis=2, dtype=np.uint32)
    return out


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
        partial = partly_masked(mask, out["region"], out["factors"], shown)  # type: ignore[arg-type]
        if partial is not None:
            reply["mask_partial"] = partial  # type: ignore[typeddict-item]
    return reply, bufs
