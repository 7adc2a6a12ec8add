"""Structure checks run before fabio opens a file, for damage on which fabio never returns.

fabio loops forever on a TIFF whose image directories point back at each
other and on a CBF that has no binary section (it keeps reading past the end
of the file). Both are found here in a few small reads, and refused with one
sentence naming the file.
"""

from __future__ import annotations

import mmap
import os
import struct
from typing import BinaryIO

from ._base import NodeError

#: Image directories followed at most in a TIFF (a real multi-page TIFF has far fewer).
MAX_IFDS = 100_000
CBF_SECTION = b"--CIF-BINARY-FORMAT-SECTION--"
CBF_BINARY_START = b"\x0c\x1a\x04\xd5"


def check(path: str) -> None:
    """Raise :class:`NodeError` when ``path`` is a TIFF or CBF that fabio would read forever."""
    with open(path, "rb") as handle:
        check_handle(handle, os.fstat(handle.fileno()).st_size, path)


def check_handle(handle: BinaryIO, size: int, path: str) -> None:
    """:func:`check` on an open file of ``size`` bytes (a remote file: ``path`` is its URL)."""
    handle.seek(0)
    start = handle.read(8)
    if start[:4] in (b"II*\x00", b"MM\x00*"):
        _check_tiff(handle, start, size, path)
    elif start.startswith(b"###CBF") or start.startswith(b"###_CBF"):
        _check_cbf(handle, size, path)
    handle.seek(0)


def _check_tiff(handle: BinaryIO, start: bytes, size: int, path: str) -> None:
    """Follow the chain of image directories: each inside the file, none visited twice."""
    order = "<" if start[:2] == b"II" else ">"
    offset = struct.unpack(order + "I", start[4:8])[0]
    seen: set[int] = set()
    while offset:
        if offset in seen:
            raise NodeError(f"{path}: damaged TIFF: its image directories loop back to offset {offset}")
        if len(seen) >= MAX_IFDS:
            raise NodeError(f"{path}: damaged TIFF: more than {MAX_IFDS} image directories")
        if offset + 2 > size:
            raise NodeError(f"{path}: truncated TIFF: an image directory at offset {offset} is past the end "
                            f"of the file ({size} bytes)")
        seen.add(offset)
        handle.seek(offset)
        count = struct.unpack(order + "H", handle.read(2))[0]
        handle.seek(offset + 2 + 12 * count)
        following = handle.read(4)
        if len(following) < 4:
            raise NodeError(f"{path}: truncated TIFF: the image directory at offset {offset} ends past the "
                            "end of the file")
        offset = struct.unpack(order + "I", following)[0]


def _check_cbf(handle: BinaryIO, size: int, path: str) -> None:
    """A CBF must hold a binary section and its start marker."""
    if size == 0:
        return
    try:
        data: bytes | mmap.mmap = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # no file descriptor (a remote file): a CBF is one frame, read it whole
        handle.seek(0)
        data = handle.read()
    try:
        section = data.find(CBF_SECTION)
        if section < 0 or data.find(CBF_BINARY_START, section) < 0:
            raise NodeError(f"{path}: damaged CBF: no binary data section (the file may be truncated)")
    finally:
        if isinstance(data, mmap.mmap):
            data.close()
