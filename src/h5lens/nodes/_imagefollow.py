"""Following a file series while a detector writes it: new complete files become new frames.

A file is taken into the series only once it is complete: for an EDF file the
header must be closed (``}``) and the file must hold the data block the header
declares (``Size`` / ``EDF_BinarySize``); for other formats fabio must decode
it without finding it truncated. A complete file whose frame does not match
the series (another shape or dtype) stops the series there with a message;
files after it wait until it is removed or replaced by a matching one.

A file that stays incomplete does not block the series for ever: once its
size has not changed for :data:`STALLED` seconds (monotonic clock) while the
file after it is complete, it is left out (its writer died) and the series goes
on; a left-out file is not taken back later (the frames after it would shift
under the viewer's slider): opening the series again takes it.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any

from ._base import NodeError
from ._imagesource import FabioSource, SeriesSource, _declared, _series_names
from ._paths import special

#: seconds an incomplete file may stay the same size, while the next file is complete, before it is left out
STALLED = 10.0

_KEY = re.compile(rb"^\s*([A-Za-z0-9_]+)\s*=\s*(.*?)\s*;?\s*$")


def edf_complete(path: str) -> bool | None:
    """Whether the EDF file ``path`` holds its whole first data block (None: not an EDF this can tell).

    Reads the header only (a few KiB); the size on disk says the rest.
    """
    with open(path, "rb") as handle:
        head = handle.read(65536)
        size = os.fstat(handle.fileno()).st_size
    if not head.startswith(b"{"):
        return None if head else False  # an empty file: created, nothing written yet
    end = head.find(b"}")
    if end < 0:
        return False  # the header itself is still being written
    header_end = end + 2 if head[end + 1:end + 2] == b"\n" else end + 1
    keys: dict[bytes, bytes] = {}
    for line in head[1:end].splitlines():
        match = _KEY.match(line)
        if match:
            keys.setdefault(match[1], match[2])
    if any(k.lower().startswith(b"compression") for k in keys):
        return None  # compressed: the declared size is not the size on disk
    declared = keys.get(b"Size") or keys.get(b"EDF_BinarySize")
    try:
        need = int(declared) if declared is not None else None
    except ValueError:
        need = None
    if need is None:
        return None
    return size >= header_end + need


def _complete(path: str) -> bool:
    """Whether ``path`` is a whole image file (EDF by its size, others by decoding it)."""
    done = edf_complete(path)
    if done is not None:
        return done
    import fabio

    try:
        with fabio.open(path) as image:
            return image.data is not None and not getattr(image, "incomplete_data", False)
    except Exception:  # unreadable yet: a writer is still at it
        return False


def complete_prefix(names: list[str]) -> list[str]:
    """The files before the first one still being written (the first file is kept: opening says why)."""
    for i, name in enumerate(names[1:], start=1):
        if not _complete(name):
            return names[:i]
    return names


def _check_member(source: SeriesSource, name: str) -> str | None:
    """Why complete file ``name`` cannot join the series (another frame shape or dtype), or None."""
    import fabio


    try:
        with fabio.open(name) as image:
            probe = FabioSource(image, name, owns=False)
            shape, dtype, nframes = probe.frame_shape, probe.dtype, probe.nframes
    except Exception as exc:
        return f"{name}: fabio cannot read it ({exc}); the series waits for it to be replaced"
    if shape != source.frame_shape or dtype != source.dtype or (source.counts[0] == 1 and nframes != 1):
        what = f"{nframes} × " if nframes != 1 else ""
        return (f"{name} holds {what}{_declared(shape, dtype)} frames but the series holds "
                f"{_declared(source.frame_shape, source.dtype)} ones: it is left out, and the files after it wait")
    return None


def grow(source: SeriesSource) -> bool:
    """Add the series' new complete files as frames; whether any was added.

    Raises
    ------
    NodeError
        A file already shown was deleted, or (when nothing was added this time)
        a complete file does not match the series: one sentence naming it.
    """
    try:
        names = _series_names(source.spec)
    except FileNotFoundError as exc:
        raise NodeError(f"{exc.args[0] if exc.args else exc} (the series was followed; it resumes when "
                        "the files are back)") from None
    known = len(source.filenames)
    gone = [n for n in source.filenames if not os.path.exists(n)]
    if gone:
        raise NodeError(f"{gone[0]}, file of the followed series, was deleted (the series resumes when it is back)")
    added, problem, waiting = 0, None, None
    left_out = {n for n, (_, _, out) in source.stalls.items() if out}
    new = [n for n in names if n not in set(source.filenames) and n not in left_out]
    for k, name in enumerate(new):
        what = special(name)
        if what is not None:
            problem = f"{name} is {what}, not an image file: the series stops before it"
            break
        if not _complete(name):
            if _stalled(source, name, new[k + 1:k + 2]):
                continue  # its writer died: left out, the series goes on
            waiting = name
            break  # the writer is still at it: the next refresh takes it
        problem = _check_member(source, name)
        if problem is not None:
            break
        source.filenames.append(name)
        source.counts.append(_count(name) if source.counts[0] != 1 else 1)
        added += 1
    if added:
        import numpy as np

        source.starts = np.concatenate([[0], np.cumsum(source.counts)]).astype(np.int64)
        source.nframes = int(source.starts[-1])
        source.generation += 1
    source.problem, source.waiting = problem, waiting
    if problem is not None and not added:
        raise NodeError(problem)
    return len(source.filenames) > known


def _stalled(source: SeriesSource, name: str, after: list[str]) -> bool:
    """Whether incomplete ``name`` is to be left out: same size for :data:`STALLED` s, the next file complete."""
    try:
        size = os.path.getsize(name)
    except OSError:  # gone meanwhile: the next listing says what is there
        return False
    now = time.monotonic()
    was = source.stalls.get(name)
    if was is None or was[0] != size:
        source.stalls[name] = (size, now, False)
        return False
    if now - was[1] < STALLED or not after or not _complete(after[0]):
        return False
    source.stalls[name] = (size, was[1], True)
    return True


def left_out_note(source: Any) -> str:
    """The line saying which files of the series were left out for staying incomplete ("" when none)."""
    out = [os.path.basename(n) for n, (_, _, gone) in getattr(source, "stalls", {}).items() if gone]
    if not out:
        return ""
    return (f"{', '.join(out)} stayed incomplete for {STALLED:g} s while later files came: left out of the series "
            "(open the series again to take it)")


def _count(name: str) -> int:
    import fabio

    with fabio.open(name) as image:
        return int(image.nframes)


def series_spec(source: Any) -> Any:
    """What the series was opened from, to list it again (a list of names gives no new files)."""
    return list(source) if isinstance(source, (list, tuple)) else os.fspath(source)
