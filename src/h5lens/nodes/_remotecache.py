"""An fsspec cache shaped for HDF5 read by h5py over the network.

h5py asks a file-like object for two kinds of reads: small ones (superblock,
object headers, B-tree nodes, heaps: a few hundred bytes to a few KiB,
scattered) and large ones (whole chunks). fsspec's default read-ahead cache
fetches 5 MB for each small read that misses, and its block cache fetches a
large read block by block, one round trip each. Here small reads fetch the
aligned blocks around them (neighbouring metadata comes along and stays
cached, bounded), and a large read is one request for exactly its bytes.

Large reads that follow each other in the file (a slider stepping through a
frame-chunked stack: each frame's chunk starts where the previous one ended,
give or take a B-tree node) are a stream: the next such read also fetches the
bytes after it, :data:`STREAM_AHEAD` times its length (at most
:data:`STREAM_MAX`), kept for the reads that follow. A step then costs no
round trip most of the time, and a first frame still fetches only its own
chunk.
"""

from __future__ import annotations

import gc
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, cast

#: Bytes of the aligned blocks small reads fetch.
BLOCK = 64 * 1024
#: Reads at least this long go straight to the server (chunks), uncached.
LARGE = 256 * 1024
#: Bytes of blocks kept.
KEEP = 64 * 1024 * 1024
#: A large read starting at most this far after the previous one's end continues a stream.
STREAM_GAP = 4 * BLOCK
#: A read continuing a stream also fetches this many times its length after it...
STREAM_AHEAD = 3
#: ...but no more than this many bytes.
STREAM_MAX = 8 * 1024 * 1024


def _base() -> type:
    from fsspec.caching import BaseCache

    return cast(type, BaseCache)


class MetadataCache(_base()):  # type: ignore[misc]  # fsspec's base class is untyped
    """Aligned-block LRU for small reads, pass-through for large ones; counts what it fetched."""

    name = "h5lens-metadata"

    def __init__(self, blocksize: int, fetcher: Callable[[int, int], bytes], size: int, **_: Any):
        super().__init__(BLOCK, fetcher, size)
        self.blocks: OrderedDict[int, bytes] = OrderedDict()
        self.requests = 0
        self.fetched = 0
        self.stream_end: int | None = None  # where the last large read ended
        self.ahead_start, self.ahead = 0, b""  # bytes fetched after a stream's last read
        self.spans: list[tuple[int, bytes]] = []  # (offset, bytes) read at open (file head and tail)
        #: Turns a failed fetch into the error to raise (one sentence naming the URL), set by the opener.
        self.describe: Callable[[BaseException], Exception] | None = None

    def _get(self, start: int, stop: int) -> bytes:
        # h5py holds its global lock while it reads through this file-like, and the read waits on
        # fsspec's I/O thread. A cyclic garbage collection run there that frees an h5py object
        # needs that lock: both threads would wait for ever (seen as a test hanging in a read).
        # Collections are held off while the read waits, and resume after it.
        collecting = gc.isenabled()
        gc.disable()
        try:
            data = self.fetcher(start, stop)
        except Exception as exc:  # h5py passes a Python error on as it is: name the URL here
            if self.describe is None:
                raise
            raise self.describe(exc) from None
        finally:
            if collecting:
                gc.enable()
        self.requests += 1
        self.fetched += len(data)
        return bytes(data)

    def preload(self, spans: list[tuple[int, bytes]], requests: int) -> None:
        """Keep ``spans`` (``(offset, bytes)`` read at open, ``requests`` requests) for the reads they hold."""
        self.spans = list(spans)
        self.requests += requests
        self.fetched += sum(len(b) for _, b in spans)

    def _fetch(self, start: int | None, stop: int | None) -> bytes:
        start = 0 if start is None else start
        stop = self.size if stop is None else min(stop, self.size)
        if start >= stop:
            return b""
        for offset, data in self.spans:
            if offset <= start and stop <= offset + len(data):
                return data[start - offset:stop - offset]
        if stop - start >= LARGE:
            return self._large(start, stop)
        first, last = start // BLOCK, (stop - 1) // BLOCK
        missing = [b for b in range(first, last + 1) if b not in self.blocks]
        if missing:  # the missing blocks are contiguous in practice (a read spans 1-4 blocks): one request
            lo, hi = missing[0], missing[-1]
            data = self._get(lo * BLOCK, min((hi + 1) * BLOCK, self.size))
            for b in range(lo, hi + 1):
                self.blocks[b] = data[(b - lo) * BLOCK:(b - lo + 1) * BLOCK]
            while len(self.blocks) * BLOCK > KEEP:
                self.blocks.popitem(last=False)
        parts = []
        for b in range(first, last + 1):
            self.blocks.move_to_end(b)
            parts.append(self.blocks[b])
        joined = b"".join(parts)
        return joined[start - first * BLOCK:stop - first * BLOCK]


    def _large(self, start: int, stop: int) -> bytes:
        """A chunk: from the bytes fetched ahead, or exactly its bytes (and more when it continues a stream)."""
        streaming = self.stream_end is not None and self.stream_end <= start <= self.stream_end + STREAM_GAP
        self.stream_end = stop
        if self.ahead_start <= start and stop <= self.ahead_start + len(self.ahead):
            return self.ahead[start - self.ahead_start:stop - self.ahead_start]
        if not streaming:
            return self._get(start, stop)
        end = min(self.size, stop + min(STREAM_AHEAD * (stop - start), STREAM_MAX))
        data = self._get(start, end)
        self.ahead_start, self.ahead = stop, data[stop - start:]
        return data[:stop - start]


def register() -> str:
    """Make the cache known to fsspec (once); returns its ``cache_type`` name."""
    from fsspec.caching import caches, register_cache

    if MetadataCache.name not in caches:
        register_cache(MetadataCache)
    return str(MetadataCache.name)
