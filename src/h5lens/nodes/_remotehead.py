"""The first round trip to a remote file: its head and its tail, with its size, in one wait.

Opening a file over HTTP or S3 the plain way costs a size request (``HEAD``)
and then, one after the other, a read at the start (superblock, root group,
chunk index roots) and a read near the end (the headers of objects written
last, where h5py puts a file's late metadata). Here two ranged GET requests leave
together: ``bytes=0-N`` and ``bytes=-N`` (a suffix range, which needs no size).
Their ``Content-Range`` gives the size and their ``ETag`` the version, so the
size request is not needed, and h5py's first metadata reads are served from
these bytes.

A server that does not honour ranges (``200`` instead of ``206``), an answer
without ``Content-Range`` or any HTTP error ends the fast path: the caller
asks the usual way (:func:`first_reads` returns None), which also keeps the
error messages of that way (404, 401/403). Network errors (refused, cut,
timeout) are raised for the caller to describe: asking again would wait twice.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

#: Bytes read at each end of the file in the first round trip.
HEAD = 64 * 1024
_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


class _NoRange(Exception):
    """The answer cannot serve the fast path (the caller falls back)."""


def _span(content_range: str | None, body: bytes) -> tuple[int, bytes, int]:
    """``(start, bytes, size)`` of a ranged answer, from its ``Content-Range``."""
    m = _RANGE.fullmatch((content_range or "").strip())
    if m is None:
        raise _NoRange(content_range)
    start, stop, size = (int(g) for g in m.groups())
    if stop - start + 1 != len(body):
        raise _NoRange("short body")
    return start, body, size


async def _http_get(fs: Any, path: str, ranged: str) -> tuple[tuple[int, bytes, int], str | None]:
    kw = dict(fs.kwargs)
    kw["headers"] = {**(kw.get("headers") or {}), "Range": ranged}
    session = await fs.set_session()
    async with session.get(fs.encode_url(path), **kw) as r:
        if r.status != 206:  # a refusal, a miss, or the whole file coming: not read here
            raise _NoRange(r.status)
        body = await r.read()
        return _span(r.headers.get("Content-Range"), body), r.headers.get("ETag")


async def _s3_get(fs: Any, path: str, ranged: str) -> tuple[tuple[int, bytes, int], str | None]:
    bucket, key, version = fs.split_path(path)
    if version:
        raise _NoRange("versioned")
    try:
        answer = await fs._call_s3("get_object", Bucket=bucket, Key=key, Range=ranged)
    except (FileNotFoundError, PermissionError, OSError) as exc:
        if type(exc) in (FileNotFoundError, PermissionError):
            raise _NoRange(exc) from None
        raise
    async with answer["Body"] as stream:
        body = await stream.read()
    return _span(answer.get("ContentRange"), body), answer.get("ETag")


def first_reads(fs: Any, path: str) -> tuple[dict, list[tuple[int, bytes]]] | None:
    """``(info, spans)`` of the file at ``path`` from one round trip, or None to ask the usual way.

    ``info`` is what fsspec's ``info`` gives (``size``, ``type``, ``ETag``);
    ``spans`` the ``(offset, bytes)`` read at the head and the tail.
    """
    protocols = set(fs.protocol if isinstance(fs.protocol, (tuple, list)) else [fs.protocol])
    if protocols & {"http", "https"}:
        get = _http_get
    elif protocols & {"s3", "s3a"}:
        get = _s3_get
    else:
        return None
    from fsspec.asyn import sync

    async def both() -> list:
        return list(await asyncio.gather(get(fs, path, f"bytes=0-{HEAD - 1}"), get(fs, path, f"bytes=-{HEAD}"),
                                         return_exceptions=True))

    answers = sync(fs.loop, both)
    for answer in answers:
        if isinstance(answer, _NoRange):
            return None
        if isinstance(answer, BaseException):
            raise answer
    (head, etag), (tail, _) = answers
    size = head[2]
    if tail[2] != size:  # replaced between the two answers
        return None
    info: dict[str, Any] = {"name": path, "size": size, "type": "file"}
    if etag:
        info["ETag"] = etag
    return info, [(head[0], head[1]), (tail[0], tail[1])]
