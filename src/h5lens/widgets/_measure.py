"""The viewer's measuring half: profiles, ROIs, the mask, and the ``profile``/``roi_stats`` commands.

Profiles and ROIs are handles (:mod:`h5lens.widgets._measure_handles`) listed
in the ``profiles`` and ``rois`` traits (observable); the synced ``measures``
trait holds their definitions by ``id``, so what the page draws becomes a
handle and what Python changes moves the page's drawing. Entries from the
page that make no measure (zero length, outside the frame) are left out with
their reason in ``measure_problem``: nothing is raised in the kernel.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets as t

from .. import _protocol as protocol
from .. import measure, summaries
from .._protocol import MaskEditReply
from ..measure import for_viewer, page
from ..measure.mask import detector_mask
from ..measure.mask_edit import MaskEdit
from ..measure.mask_edit import apply as apply_mask_edit
from ..measure.mask_edit import note as mask_note_text
from ..measure.tiles import TileCache
from ._base import command
from ._measure_handles import ProfileHandle, RoiHandle, profile_from_page, roi_from_page, take

__all__ = ["Measuring", "ProfileHandle", "RoiHandle"]


class Measuring(t.HasTraits):
    """Profiles, ROIs and masks of a viewer (mixed into :class:`~h5lens.widgets.viewer.Viewer`)."""

    #: Treat the dtype's maximum of unsigned detector data (65535, 4294967295) as invalid pixels.
    mask_invalid = t.Bool(True).tag(sync=True)
    #: Bumped when :attr:`mask` is set (the page reloads its frame with the new mask).
    mask_revision = t.Int(0).tag(sync=True)
    #: Colour of masked pixels in the page.
    mask_color = t.Unicode("#9e9e9e").tag(sync=True)
    #: What the mask holds, said in the page ("1,234 of 307,200 pixels masked ..."; "" without a mask).
    mask_note = t.Unicode("").tag(sync=True)
    #: The profiles and ROIs drawn, by id (:class:`h5lens._protocol.Measures`): the page and Python both set it.
    measures: t.Dict[str, Any] = t.Dict({"profiles": [], "rois": []}).tag(sync=True)
    #: Why the last measures set by the page were not all taken ("" when they were).
    measure_problem = t.Unicode("").tag(sync=True)
    #: The profiles, in order (observable: a new list when one is added or removed).
    profiles: t.List[ProfileHandle] = t.List()
    #: The regions of interest, in order (observable like :attr:`profiles`).
    rois: t.List[RoiHandle] = t.List()

    def _measure_setup(self) -> None:
        self._syncing = False
        self._tiles = TileCache()  # the shown frame's tiles a dragged profile reads again (measure/tiles.py)
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
        self._set_user_mask(measure.load_mask(value, self._full_frame_shape()))

    def _set_user_mask(self, mask: np.ndarray | None) -> None:
        """The user's mask is ``mask``: what was read or measured with the old one is dropped; the page reloads."""
        self._user_mask = mask
        self._tiles.clear()
        if getattr(self, "_summaries", None) is not None:  # folded with the old mask: not the frame's any more
            self._summaries.cancel()  # type: ignore[attr-defined]
        self._update_profiles()
        self.mask_note = mask_note_text(self.mask, self._detector_mask()[0])
        self.mask_revision += 1

    def edit_mask(self, op: str, kind: str, *, y: Any = None, x: Any = None, points: Any = None,
                  value: Any = None, selection: str | None = None) -> int:
        """Add pixels to the user's mask (``op="add"``) or remove them (``"remove"``); how many changed.

        ``kind`` "rect" / "ellipse" with ``y=(y0, y1), x=(x0, x1)``, "polygon" with
        ``points=[(row, col), ...]`` (pixel centres of the shown frame, inside as
        for an ROI), or "below" / "above" with ``value``: the pixels of the shown
        frame (or ``selection``'s) whose value is below / above it. The mask
        holds for every frame; pixels of the detector's ``pixel_mask`` stay masked.
        The page's mask tools send the same edits (command ``mask_edit``).

        Examples
        --------
        >>> v.edit_mask("add", "above", value=60000)               # doctest: +SKIP
        >>> v.edit_mask("remove", "rect", y=(0, 10), x=(0, 10))    # doctest: +SKIP
        """
        return self._edit_mask(MaskEdit.of(op, kind, y=y, x=x, points=points, value=value), selection)

    def _edit_mask(self, edit: MaskEdit, selection: str | None) -> int:
        frame = self.measure_frame(selection)
        # a copy: a threshold that fails half way (a block unreadable) leaves the mask as it was
        full = np.zeros(self._full_frame_shape(), bool) if self._user_mask is None else self._user_mask.copy()
        # the displayed frame's view of the full mask (sliced, transposed): edits write through it
        shown = for_viewer.shown_mask(full, self.shape, frame.items or (), frame.transposed)  # type: ignore[attr-defined]
        changed = apply_mask_edit(edit, frame, shown)  # type: ignore[arg-type]
        if changed:
            self._set_user_mask(full)
        return changed

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
        if not selection or selection == self.selection:  # type: ignore[attr-defined]
            frame.tiles = self._tiles  # the shown frame: what the last profiles read is kept
        out = measure.profile(frame, start, end, width, reduce)
        positions, axis = for_viewer.positions(frame, out, self.choice.nxdata)  # type: ignore[attr-defined]
        return {"values": out["values"], "positions": positions, "axis": axis}

    def _update_profiles(self) -> None:
        for p in self.profiles:
            p.update()

    @t.observe("selection", "transposed", "complex_part", "mask_invalid", "meta")
    def _follow_frame(self, change: dict) -> None:
        if getattr(self, "_tiles", None) is not None:  # another frame (or the file changed): its tiles go
            self._tiles.clear()
        if change["name"] == "mask_invalid" and getattr(self, "_summaries", None) is not None:
            self._summaries.cancel()  # type: ignore[attr-defined]  # folded with the other sentinel rule
        if self.profiles and change["name"] != "meta":
            self._update_profiles()

    # -- the page's drawing (the measures trait) -----------------------------------------------
    def _publish_measures(self) -> None:
        """Python's handles → ``measures`` (the page redraws)."""
        if self._syncing:
            return
        self._syncing = True  # not read back as a change from the page
        try:
            self.measures = {"profiles": [page.profile_entry(p.id, p.definition) for p in self.profiles],
                             "rois": [page.roi_entry(r.id, r.shape) for r in self.rois]}
        finally:
            self._syncing = False

    def _next_id(self) -> int:
        handles: list[Any] = [*self.profiles, *self.rois]
        return 1 + max((m.id for m in handles), default=0)

    @t.observe("measures")
    def _measures_from_page(self, change: dict) -> None:
        """``measures`` set by the page: handles follow (moved, added, removed), bad entries left out."""
        if self._syncing:
            return
        profiles, shapes, problems = page.parse(change["new"] or {})
        handles: list[Any] = [*self.profiles, *self.rois]
        mine = {m.id: m for m in handles}
        self._syncing = True
        try:
            kept_p = [h for id, d in profiles if (h := take(problems, profile_from_page, self, mine.get(id), id, d))]
            kept_r = [h for id, s in shapes if (h := take(problems, roi_from_page, self, mine.get(id), id, s))]
            self.profiles, self.rois = kept_p, kept_r
            self.measure_problem = "  ".join(problems)
        finally:
            self._syncing = False
        if problems:  # the page shows what Python kept
            self._publish_measures()

    def clear_measures(self) -> None:
        """Remove every profile and ROI (from the page too)."""
        self.profiles, self.rois = [], []
        self._publish_measures()

    def _frame_mask(self, reply: protocol.FrameReply, bufs: list, out: dict) -> tuple[protocol.FrameReply, list]:
        """A frame reply with the mask of its display copy and the sentinel, when they apply."""
        if getattr(out["data"], "ndim", 0) != 2:
            return reply, bufs
        invalid = measure.invalid_value(self._shown().dtype) if self.mask_invalid else None  # type: ignore[attr-defined]
        full = for_viewer.shown_mask(self.mask, self.shape, self.items, self.transposed)  # type: ignore[attr-defined]
        # the detector's mask is looked up by now: the reply's warning may not have its problem yet
        return page.with_mask(reply, bufs, out, full, invalid, self._detector_mask()[1])

    def _summary_of(self, request: Any, cancelled: Any) -> Any:
        """The statistics of every valid pixel of a frame request's region (the mask and sentinel applied)."""
        ds = self._shown()  # type: ignore[attr-defined]
        invalid = measure.invalid_value(ds.dtype) if self.mask_invalid else None
        mask = for_viewer.shown_mask(self.mask, self.shape, request.items, request.transposed)  # type: ignore[attr-defined]
        return summaries.frame_summary(ds, request, cancelled, mask=mask, invalid=invalid)

    def _page_summary(self, s: Any) -> Any:
        """A frame's :class:`~h5lens.stats.Summary` for the page (valid pixels only), or None when none is valid.

        Without one the page takes its range from the display copy, where an all-masked frame says so.
        """
        return s if s.result()["count"] else None

    # -- the Python API ------------------------------------------------------------------------
    def add_profile(self, start: Any, end: Any, width: int = 1, reduce: str = "mean") -> ProfileHandle:
        """A line profile from ``start`` to ``end`` (``(row, col)`` of the shown frame); ValueError when bad."""
        handle = ProfileHandle(self, self._next_id(), start=tuple(start), end=tuple(end), width=int(width),
                               reduce=reduce)
        self.profiles = [*self.profiles, handle]
        self._publish_measures()
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
        handle = RoiHandle(self, self._next_id(), shape)
        self.rois = [*self.rois, handle]
        self._publish_measures()
        return handle

    def save_measures(self, path: Any) -> None:
        """Write the profiles and ROIs to a JSON file."""
        for_viewer.save(path, [p.definition for p in self.profiles], [r.shape for r in self.rois])

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
    def mask_edit(self, msg: dict, buffers: list) -> MaskEditReply:
        """``{op, kind, y, x, points, value, selection}`` → pixels changed and masked (:mod:`h5lens._protocol.mask`)."""
        if msg.get("op") == "clear":  # the user's mask goes; the detector's pixel_mask stays
            had, detector = self._user_mask, self._detector_mask()[0]
            changed = 0 if had is None else int(np.count_nonzero(had if detector is None else had & ~detector))
            self._set_user_mask(None)
        else:
            changed = self._edit_mask(MaskEdit.from_json(msg), msg.get("selection"))
        mask = self.mask
        return MaskEditReply(ok=True, seq=msg.get("seq"), changed=changed,
                             masked=0 if mask is None else int(np.count_nonzero(mask)),
                             total=int(np.prod(self._full_frame_shape())))

    @command
    def roi_stats(self, msg: dict, buffers: list) -> protocol.RoiStatsReply:
        """``{kind, y, x, points, selection}`` → the ROI's statistics on that frame."""
        stats = measure.roi_stats(self.measure_frame(msg.get("selection")), measure.Shape.from_json(msg))
        return for_viewer.roi_stats_reply(stats, msg.get("seq"))
