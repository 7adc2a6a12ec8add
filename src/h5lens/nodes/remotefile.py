"""Files behind a URL (``https://``, ``s3://``...) read through fsspec, handed to the backends.

An HDF5 file is opened read-only by h5py from an fsspec file-like object
whose cache suits HDF5 (see :mod:`._remotecache`): the tree is the HDF5
backend's, only the bytes come from the network. A URL that is not a file
but holds a Zarr store (``zarr.json``, ``.zgroup``, ``.zarray``) goes to the
Zarr backend. Errors name the URL with its credentials removed.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

from ._base import Node, Owner
from ._errors import UnknownFormatError
from ._remotecache import MetadataCache
from ._urls import fsspec_target, redact, require

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
#: Owner of a remote HDF5 tree -> its fsspec file (for :func:`fetch_counts`).
_HANDLES: weakref.WeakKeyDictionary[Owner, Any] = weakref.WeakKeyDictionary()
_SNIFF = 4096
#: ``user:password@`` in a URL inside a client's message.
_USERINFO = re.compile(r"//[^/@\s'\"]+@")
#: aiohttp's names for a connection that broke (not subclasses of ConnectionError).
_CUT = {"ClientPayloadError", "ServerDisconnectedError", "ClientOSError", "ClientConnectionError",
        "ContentLengthError", "TransferEncodingError"}


class RemoteError(OSError):
    """A remote source cannot be reached or read (the message names its URL)."""


def _fs(url: str, storage_options: dict | None) -> tuple[Any, str]:
    require("fsspec", "reading a URL")
    from fsspec.core import url_to_fs

    bare, options = fsspec_target(url, storage_options)  # no password in the URLs fsspec logs
    return url_to_fs(bare, **options, skip_instance_cache=True)  # type: ignore[no-any-return]


def describe(url: str, exc: BaseException) -> RemoteError:
    """One sentence for a failed remote access: unreachable, refused, missing, forbidden."""
    shown = redact(url)
    text = _USERINFO.sub("//", str(exc).replace(url, shown)) or type(exc).__name__
    if isinstance(exc, FileNotFoundError):
        return RemoteError(f"{shown}: not found on the server")
    if type(exc).__name__ == "FileExpired" or "412" in text or "Precondition" in text or "pre-conditions" in text:
        return RemoteError(f"{shown}: the file changed on the server since it was opened (open it again)")
    if isinstance(exc, PermissionError) or "403" in text or "Forbidden" in text or "AccessDenied" in text:
        return RemoteError(f"{shown}: access refused by the server (check the credentials) ({text})")
    if isinstance(exc, ConnectionError) or type(exc).__name__ in _CUT:
        return RemoteError(f"{shown}: the connection to the server was lost during a read "
                           f"({type(exc).__name__}); the next read tries again")
    if isinstance(exc, TimeoutError) or "timeout" in text.lower():
        return RemoteError(f"{shown}: the server did not answer in time ({text})")
    return RemoteError(f"{shown}: cannot read from the server ({type(exc).__name__}: {text})")


def _file_info(fs: Any, path: str) -> dict | None:
    """The fsspec ``info`` of ``path`` when it is a file (size, ETag...), else None."""
    try:
        info = fs.info(path)
    except FileNotFoundError as exc:  # fsspec's HTTP says so for any refusal: tell a 401/403 apart
        status = getattr(exc.__cause__, "status", None)
        if status in (401, 403):
            raise PermissionError(f"HTTP {status}") from None
        return None
    return dict(info) if info.get("type") == "file" else None


def open_url(url: str, *, storage_options: dict | None = None) -> Node:
    """Open the file or Zarr store at ``url`` as a lazy tree (read-only).

    Parameters
    ----------
    url : str
        ``https://host/path/file.h5``, ``s3://bucket/key.h5``, ``s3://bucket/store.zarr``...
    storage_options : dict, optional
        Passed to fsspec (``key``/``secret``, ``client_kwargs={"endpoint_url": ...}``, headers...).

    Raises
    ------
    RemoteError
        The server is unreachable, refuses, or has nothing at ``url``.
    UnknownFormatError
        The bytes there are not a format h5lens reads remotely.
    """
    from ._remotehead import first_reads

    try:
        fs, path = _fs(url, storage_options)
        first = first_reads(fs, path)  # size, version, head and tail in one round trip
        info, spans = first if first is not None else (_file_info(fs, path), [])
    except (ImportError, ValueError):
        raise
    except Exception as exc:
        if not isinstance(exc, TimeoutError) and "imeout" not in type(exc).__name__:
            _check_reachable(url)  # a refused connection: say that nothing answers there
        raise describe(url, exc) from None
    is_file = info is not None
    if info is not None:
        root = _open_file(fs, path, url, info, spans)
        if root is not None:
            return root
    from .zarrstore import MARKERS, open_zarr

    try:  # a folder, or an HTTP index page: a Zarr store has a marker file at its top
        has_marker = any(fs.exists(f"{path.rstrip('/')}/{m}") for m in MARKERS)
    except Exception as exc:
        raise describe(url, exc) from None
    if has_marker:
        return open_zarr(url, storage_options=storage_options)
    if is_file:
        # SPEC files are read by silx's SpecFile, a C library that opens a file name: no file-like object
        raise UnknownFormatError(f"{redact(url)}: not an HDF5 file, detector image or Zarr store (over a URL "
                                 "h5lens reads HDF5, the images fabio reads and Zarr; download SPEC files "
                                 "to open them: silx reads them from a file name only)")
    _check_reachable(url)
    raise RemoteError(f"{redact(url)}: not found on the server (no file, and no Zarr store there)")


def _check_reachable(url: str) -> None:
    """Raise if nothing answers at ``url``'s host (fsspec's HTTP reports that as 'not found')."""
    from ._urls import unreachable

    why = unreachable(url)
    if why is not None:
        raise RemoteError(f"{redact(url)}: cannot reach the server ({why})")


def _open_file(fs: Any, path: str, url: str, info: dict, spans: list[tuple[int, bytes]]) -> Node | None:
    """The HDF5 tree of the file at ``path``, or None when it is not HDF5.

    ``info`` is its fsspec info, ``spans`` the ``(offset, bytes)`` read already.
    """
    from ._hdf5_storage import load_plugins
    from .hdf5 import HDF5Group

    try:
        handle = open_pinned(fs, path, info)
        if spans:
            handle.cache.preload(spans, requests=len(spans))
        start = handle.read(_SNIFF)
    except Exception as exc:
        raise describe(url, exc) from None
    handle.cache.describe = lambda exc: describe(url, exc)
    if not _hdf5_at(handle, start):
        return _open_image(handle, url, start)
    import h5py

    load_plugins()
    try:
        h5 = h5py.File(handle, "r")
    except Exception as exc:
        handle.close()
        raise RemoteError(f"{redact(url)}: not a readable HDF5 file ({exc})") from None
    owner = Owner(redact(url), owns_handle=True, closers=[h5.close, handle.close])
    _HANDLES[owner] = handle
    return HDF5Group("", "/", None, h5, owner=owner)


def _open_image(handle: Any, url: str, start: bytes) -> Node | None:
    """The detector image tree (EDF, TIFF, CBF... through fabio) of ``handle``, or None (``handle`` closed).

    fabio reads from the file-like object itself, seeking (see
    :func:`h5lens.nodes.image.open_image_stream`): a frame costs its bytes, not the file's.
    """
    from .image import image_kind, open_image_stream

    name = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    kind = image_kind(start, name)
    if kind is None:
        handle.close()
        return None
    try:
        root = open_image_stream(handle, redact(url), int(handle.size), kind)
    except Exception:
        handle.close()
        raise
    _HANDLES[root.owner] = handle
    return root


def open_pinned(fs: Any, path: str, info: dict) -> Any:
    """``path`` opened for reading with the metadata cache, pinned to the version ``info`` describes.

    The size is handed over (fsspec would ask the server again: one more round
    trip), and every read carries the ETag seen (HTTP ``If-Match``, S3
    ``IfMatch``): if the file is replaced on the server while open, reads fail
    (:func:`describe` says so) instead of mixing the old file's metadata with
    the new file's bytes.
    """
    from . import _remotecache

    etag = info.get("ETag") or info.get("etag")
    options: dict[str, Any] = {}
    if etag and "http" in fs.protocol:
        options["headers"] = {**(fs.kwargs.get("headers") or {}), "If-Match": etag}
    handle = fs.open(path, "rb", cache_type=_remotecache.register(), block_size=_remotecache.BLOCK,
                     size=int(info["size"]), **options)
    if etag and "s3" in fs.protocol and isinstance(getattr(handle, "read_kw", None), dict):
        # s3fs adds IfMatch only when it asked for the size itself; the answer above is as fresh
        handle.details = info
        handle.read_kw = {**handle.read_kw, "IfMatch": etag}
    return handle


def fetch_counts(node: Node) -> tuple[int, int]:
    """``(requests, bytes)`` fetched so far for the remote file behind ``node`` (benches, tests)."""
    handle = _HANDLES.get(node.owner)
    cache = getattr(handle, "cache", None)
    return (int(cache.requests), int(cache.fetched)) if isinstance(cache, MetadataCache) else (0, 0)


def _hdf5_at(handle: Any, start: bytes) -> bool:
    """The HDF5 signature at 0 or after a user block (512, 1024... bytes)."""
    offset = 0
    while offset + len(HDF5_SIGNATURE) <= handle.size:
        if offset + 8 <= len(start):
            found = start[offset:offset + 8]
        else:
            handle.seek(offset)
            found = handle.read(8)
        if found == HDF5_SIGNATURE:
            return True
        offset = 512 if offset == 0 else offset * 2
    return False
