"""Writing corrected frames outside HDF5: file offsets, ``pwrite`` and early writeback.

For a new, unfiltered output dataset whose space HDF5 allocated at creation,
each frame's bytes have a fixed place in the file. Writing them with
``pwrite`` from a background thread (which, unlike h5py, releases the GIL)
overlaps the copy into the page cache with the correction of the next block;
asking the kernel to start writeback per block shortens the final fsync of
the atomic writer. See :mod:`h5lens.tutorial.stack` for when this is used.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from pathlib import Path

import numpy as np


def frame_offsets(dset, n: int, frame_bytes: int) -> list[int] | None:
    """File offset of every frame of an allocated, unfiltered ``dset``; None if frames are split.

    Frames are contiguous in the file when the dataset is contiguous or its
    chunks hold whole frames ``(c, h, w)``; their bytes can then be written
    with plain ``pwrite`` calls, outside HDF5 and without holding the GIL.
    """
    dsid = dset.id
    if dset.chunks is None:
        base = dsid.get_offset()
        return None if base is None else [base + i * frame_bytes for i in range(n)]
    if dset.compression or dset.chunks[1:] != dset.shape[1:] or dsid.get_create_plist().get_nfilters():
        return None
    c0 = dset.chunks[0]
    chunk_at: dict[int, int] = {}
    # one pass over the chunk index (by-index lookups would each walk it)
    dsid.chunk_iter(lambda info: chunk_at.__setitem__(info.chunk_offset[0], info.byte_offset))
    try:
        return [chunk_at[i - i % c0] + (i % c0) * frame_bytes for i in range(n)]
    except KeyError:  # a chunk not allocated: let HDF5 write
        return None


def writeback_starter(fd: int):
    """A callable ``(offset, nbytes)`` that starts writing that file range to disk, not waiting.

    The atomic writer fsyncs before its rename; left alone, the kernel would
    write the whole result back only then, after the computation. Starting
    writeback per block overlaps the disk with the computation, so the final
    fsync only waits for the last blocks. Linux ``sync_file_range`` does that
    for the range just written; elsewhere ``posix_fadvise(DONTNEED)`` on the
    range (which starts writeback on Linux too), or nothing. Measured on 200
    frames of 512²: best run 0.12 s without, 0.08-0.09 s with either call.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            sync_file_range = ctypes.CDLL(None, use_errno=True).sync_file_range
        except (OSError, AttributeError):
            sync_file_range = None
        if sync_file_range is not None:
            sync_file_range.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
            return lambda offset, nbytes: sync_file_range(fd, offset, nbytes, _SYNC_FILE_RANGE_WRITE)
    advise = getattr(os, "posix_fadvise", None)
    if advise is not None:
        return lambda offset, nbytes: advise(fd, offset, nbytes, os.POSIX_FADV_DONTNEED)
    return lambda offset, nbytes: None


_SYNC_FILE_RANGE_WRITE = 2  # <linux/fs.h>


class RawWriter:
    """Writes corrected frames straight into the file at their offsets (``pwrite``)."""

    def __init__(self, path: Path, offsets: list[int], frame_bytes: int):
        self.offsets, self.frame_bytes = offsets, frame_bytes
        self.fd = os.open(path, os.O_WRONLY | getattr(os, "O_BINARY", 0))
        self.writeback = writeback_starter(self.fd)

    def __call__(self, buf: np.ndarray, start: int) -> None:
        offsets, fb, data = self.offsets, self.frame_bytes, memoryview(buf.data).cast("B")
        i = 0
        while i < len(buf):  # one pwrite per run of frames adjacent in the file
            j = i + 1
            while j < len(buf) and offsets[start + j] == offsets[start + j - 1] + fb:
                j += 1
            view, pos = data[i * fb : j * fb], offsets[start + i]
            while view:
                done = os.pwrite(self.fd, view, pos)
                view, pos = view[done:], pos + done
            self.writeback(offsets[start + i], (j - i) * fb)
            i = j

    def close(self) -> None:
        os.close(self.fd)


class Pipeline:
    """Write finished blocks from a background thread while the next ones are computed.

    ``pwrite`` releases the GIL, so copying the result into the page cache
    (the biggest single cost: the output is twice the input) runs on the
    other core while this one reads and corrects. Two buffers circulate: the
    one being written and the one being filled.
    """

    def __init__(self, write, buffers):
        self.write, self.error = write, None
        self.free: queue.Queue = queue.Queue()
        self.todo: queue.Queue = queue.Queue()
        for buf in buffers:
            self.free.put(buf)
        self.thread = threading.Thread(target=self._work, name="h5lens-flatfield-writer", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        while (item := self.todo.get()) is not None:
            buf, start, count = item
            if self.error is None:
                try:
                    self.write(buf[:count], start)
                except BaseException as exc:  # re-raised in the calling thread
                    self.error = exc
            self.free.put(buf)

    def buffer(self) -> np.ndarray:
        buf = self.free.get()
        if self.error is not None:
            raise self.error
        return buf

    def submit(self, buf: np.ndarray, start: int, count: int) -> None:
        self.todo.put((buf, start, count))

    def close(self, check: bool = True) -> None:
        """Wait for the queued writes; raise the first write error if ``check``."""
        self.todo.put(None)
        self.thread.join()
        if check and self.error is not None:
            raise self.error
