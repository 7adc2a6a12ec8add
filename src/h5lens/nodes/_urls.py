"""URLs: telling one from a path, hiding credentials, fsspec options with timeouts.

Every remote read goes through a client (fsspec, h5pyd, tiled) given
timeouts here, so an unreachable server is an error within seconds, never a
hang. A URL is shown only through :func:`redact`: user, password and query
strings (signed URLs carry keys there) never reach a repr, HTML or message.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")
#: Seconds to connect, and to wait for bytes once connected.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
REMOTE_EXTRA = "pip install 'h5lens[remote]'"


def scheme(source: str) -> str | None:
    """``"s3"``, ``"https"``, ``"hdf5"``, ``"tiled+http"``... or None for a plain path."""
    found = _SCHEME.match(source)
    return found.group(1).lower() if found else None


def is_url(source: str) -> bool:
    """Whether ``source`` names a remote resource (``file://`` is a path)."""
    return scheme(source) not in (None, "file")


def redact(url: str) -> str:
    """``url`` without ``user:password@`` and with its query string's values hidden."""
    if not is_url(url):
        return url
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    query = "&".join(f"{p.split('=', 1)[0]}=…" for p in parts.query.split("&") if p) if parts.query else ""
    return urlunsplit((parts.scheme, host, parts.path, query, ""))


def require(module: str, what: str) -> Any:
    """Import ``module`` or raise an ImportError naming the extra to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"{what} needs the {module.split('.')[0]} package: {REMOTE_EXTRA}") from None


def fsspec_options(url: str, storage_options: dict | None = None) -> dict:
    """Options for fsspec: those for ``url`` with connect/read timeouts added (the caller's win)."""
    options = dict(storage_options or {})
    kind = scheme(url) or ""
    if kind in ("http", "https"):
        aiohttp = require("aiohttp", "reading over HTTP")
        client = dict(options.get("client_kwargs") or {})
        client.setdefault("timeout", aiohttp.ClientTimeout(total=None, sock_connect=CONNECT_TIMEOUT,
                                                           sock_read=READ_TIMEOUT))
        options["client_kwargs"] = client
    elif kind in ("s3", "s3a"):
        require("s3fs", "reading from S3")
        config = dict(options.get("config_kwargs") or {})
        config.setdefault("connect_timeout", CONNECT_TIMEOUT)
        config.setdefault("read_timeout", READ_TIMEOUT)
        config.setdefault("retries", {"max_attempts": 2, "mode": "standard"})
        options["config_kwargs"] = config
    return options


def fsspec_target(url: str, storage_options: dict | None = None) -> tuple[str, dict]:
    """``(url, options)`` for fsspec: :func:`fsspec_options`, and credentials out of the URL.

    An HTTP URL's ``user:password@`` goes into an ``Authorization`` header
    (basic authentication) since fsspec logs the URLs it reads (at DEBUG level).
    """
    options = fsspec_options(url, storage_options)
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or parts.username is None:
        return url, options
    import base64
    from urllib.parse import unquote

    secret = base64.b64encode(f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()).decode()
    headers = {"Authorization": f"Basic {secret}", **(options.get("headers") or {})}
    bare = urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], parts.path, parts.query, parts.fragment))
    return bare, {**options, "headers": headers}


def unreachable(url: str) -> str | None:
    """Why nothing answers at ``url``'s host and port (``"Connection refused"``...), or None.

    Checked before handing a URL to a client that retries a refused
    connection with growing pauses (h5pyd, tiled), which looks like a hang.
    """
    import socket

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as exc:
        return str(exc.strerror or exc)
    return None
