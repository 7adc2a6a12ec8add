"""The ``live`` trait of a widget following its file (mirrored by ``js/src/common/protocol/live.js``)."""

from __future__ import annotations

from typing import TypedDict


class LiveState(TypedDict):
    """The ``live`` trait of a widget following its file (``follow`` on).

    ``revision`` counts the changes seen (the front-end reloads what it shows
    when it moves); ``message`` says why the source cannot be read now ("" when
    it can); ``watching``: the file system wakes the poller (else polling only);
    ``interval``: seconds until the next check.
    """

    revision: int
    message: str
    watching: bool
    interval: float
