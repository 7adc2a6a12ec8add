"""The messages of mask editing in the viewer's page (command ``mask_edit``).

Mirrored by ``js/src/common/protocol/mask.js``, pinned by ``tests/fixtures/protocol_cases.json``.
"""

from __future__ import annotations

from typing import Any, TypedDict

from .base import Reply


class MaskEditRequest(TypedDict, total=False):
    """Command ``mask_edit``: an edit of the user's mask, a shape or a threshold on the shown frame.

    ``op`` "add", "remove" or "clear" (the user's mask: none); ``kind`` "rect",
    "ellipse", "polygon" (``y``/``x`` bounds, ``points`` ``(row, col)`` of pixel
    centres of the displayed frame) or "below"/"above" (``value``, on the
    displayed frame's values); ``selection`` the frame shown.
    """

    op: str
    kind: str
    y: list[float]
    x: list[float]
    points: list[list[float]]
    value: float
    selection: str
    seq: Any


class MaskEditReply(Reply):
    """Command ``mask_edit``: pixels changed by the edit, pixels masked now of the full frame's ``total``."""

    seq: Any
    changed: int
    masked: int
    total: int
