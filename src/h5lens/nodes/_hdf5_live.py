"""Opening HDF5 files that a writer may be writing: SWMR when the file allows it, checks of its end.

HDF5 refuses every reader but a SWMR one while a SWMR writer has the file
open, so files that a SWMR writer could write (superblock 3) are read in SWMR
mode by default. A SWMR reader does not check the file's end against the end
its superblock records, and would read a truncated file's missing chunks as
zeros: that check is done here.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any


def superblock_version(path: str) -> int | None:
    """The superblock version of an HDF5 file, read from its first bytes (None: no signature found).

    Version 3 comes with ``libver="latest"``, the only files a SWMR writer makes.
    """
    try:
        with open(path, "rb") as handle:
            for offset in (0, 512, 1024, 2048, 4096, 8192):  # user blocks are powers of two from 512
                handle.seek(offset)
                head = handle.read(9)
                if head[:8] == b"\x89HDF\r\n\x1a\n" and len(head) == 9:
                    return head[8]
    except OSError:
        return None
    return None


def open_file(h5py: Any, path: str, swmr: bool | None = None, **options: Any) -> tuple[Any, bool]:
    """``(h5py.File(path, "r"), being written)``; a file locked by its writer is read anyway.

    ``swmr=None`` reads in SWMR mode the files a SWMR writer could be writing
    (superblock 3); HDF5 refuses any other reader for those while they are written.
    HDF5 locks files it writes; readers only need the lock to be safe against
    concurrent writes, and a viewer re-reads what it shows.
    """
    if swmr is None:
        version = superblock_version(path)
        swmr = version == 3  # 4 and above do not exist: garbage, let HDF5 say so
    try:
        handle = h5py.File(path, "r", swmr=swmr, **options), False
    except BlockingIOError:
        handle = h5py.File(path, "r", swmr=swmr, locking=False, **options), True
    except OSError as exc:
        if not swmr and "already open for write" in str(exc):
            raise OSError(f"{path}: a writer has it open in SWMR mode, which HDF5 lets only SWMR readers "
                          "read: open it with swmr=True (or swmr=None, the default)") from None
        raise
    if swmr:
        _check_complete(handle[0], path)
    return handle


def end_of_file_address(path: str) -> int | None:
    """The end-of-file address a version 2/3 superblock records (absolute; None for older superblocks)."""
    with open(path, "rb") as handle:
        for offset in (0, 512, 1024, 2048, 4096, 8192):
            handle.seek(offset)
            head = handle.read(12)
            if head[:8] == b"\x89HDF\r\n\x1a\n" and len(head) == 12:
                if head[8] not in (2, 3):
                    return None
                size = head[9]
                fields = handle.read(3 * size)
                if size not in (4, 8) or len(fields) < 3 * size:
                    return None
                _base, _extension, end = struct.unpack("<" + "IQ"[size == 8] * 3, fields)
                return int(end)
    return None


def _check_complete(handle: Any, path: str) -> None:
    """Refuse (closing it) a file shorter than its superblock says: a SWMR reader would read zeros there."""
    import os

    try:
        end = end_of_file_address(path)
        size = os.path.getsize(path)
    except OSError:
        return
    if end is not None and size < end:
        handle.close()
        raise OSError(f"{path} ends at {size} bytes but its superblock says {end}: truncated")


def _same_file(handle: Any, path: str | None) -> bool:
    """Whether ``path`` is still the file ``handle`` has open (not replaced by another one)."""
    import os

    try:
        fd = handle.id.get_vfd_handle()
        return path is not None and os.path.samestat(os.fstat(fd), os.stat(path))
    except Exception:  # closed, not the sec2 driver, or gone: treat as another file
        return False


def follow(root: Any, written: bool, opener: Callable[[], tuple[Any, bool]]) -> None:
    """Record the root's SWMR and being-written states, and how to open the file again when replaced.

    ``opener()`` gives ``(handle, being written)``. A file replaced by its
    writer (or started over) is opened again: the root takes the new handle,
    and every node rebinds by path on its next refresh.
    """
    owner = root.owner

    def take(handle: Any, busy: bool) -> None:
        owner.swmr = bool(getattr(handle, "swmr_mode", False))
        owner.being_written = busy

    def reopen() -> None:
        if owner.being_written and _same_file(root._h5, owner.filename):
            # the file a writer without SWMR is writing: HDF5 would hand back the handle already open, with
            # its stale caches, so it is closed first (if the new open fails, the next poll tries again)
            root._h5.close()
        new, busy = opener()
        owner.openings += 1
        old, root._h5 = root._h5, new
        root._opening = owner.openings
        root._names, root._cache, root._reopened = None, {}, True
        take(new, busy)
        try:
            old.close()
        except Exception:  # the old file may be gone already
            pass

    take(root._h5, written)
    owner.reopen = reopen
    owner.closers.append(lambda: root._h5.close())
    root._seen = owner.poll()  # the file as opened: a replacement from now on is seen


def open_twice(dataset: Any) -> bool:
    """Whether the h5py ``dataset`` is open more than once in this process (another tree, a second link).

    HDF5 2.0 then reads chunk 0 in place of every chunk after ``H5Drefresh``
    (h5py issue 2803): a refresh must not happen then.
    """
    from h5py import h5f, h5o

    try:
        own = h5o.get_info(dataset.id)
        same = [i for i in h5f.get_obj_ids(h5f.OBJ_ALL, h5f.OBJ_DATASET)
                if (info := h5o.get_info(i)).addr == own.addr and info.fileno == own.fileno]
    except Exception:  # not a local HDF5 dataset (h5pyd): nothing to compare
        return False
    return len(same) > 1


def refresh_shape(dataset: Any, what: str, swmr: bool) -> None:
    """h5py's ``refresh`` of ``dataset`` (a SWMR reader sees what the writer flushed); ``what`` names it in errors.

    Raises
    ------
    NodeError
        The refresh failed, or would make HDF5 read wrong values (see :func:`open_twice`).
    """
    from ._errors import NodeError

    if swmr and open_twice(dataset):
        raise NodeError(f"cannot refresh {what}: it is open twice in this process (another view of the same "
                        "file), and HDF5 would then read wrong values; close the other view to follow it")
    try:
        if hasattr(dataset, "refresh"):
            dataset.refresh()
    except Exception as exc:
        raise NodeError(f"cannot refresh {what}: {exc}") from exc
