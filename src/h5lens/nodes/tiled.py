"""tiled backend: a tiled server's containers as groups, arrays as datasets, metadata as attributes.

Everything goes through ``tiled.client``: listings, metadata, and array
slices fetched by the server (only the selection travels).

What tiled cannot tell about an HDF5 file it serves, and how it is shown:

- tiled copies the file's root attributes into every group's metadata: a
  group's attribute equal to the root's is taken as that copy and dropped (a
  group really holding the same value as the root loses it here);
- a scalar dataset comes as an array of shape ``(1,)``, and a soft link as a
  plain copy of its target: neither can be told apart from a real
  ``(1,)`` array or dataset, so every dataset says so in
  :attr:`TiledDataset.storage_problem` (shown by the inspector).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ._base import Dataset, Group, Link, LinkError, Node, NodeError, Owner
from ._urls import CONNECT_TIMEOUT, READ_TIMEOUT, redact, require, unreachable

#: What every tiled dataset says about the file behind it (see the module notes).
UNKNOWABLE = "served by tiled: a scalar shows as shape (1,) and a soft link as a copy of its target"


class TiledError(OSError):
    """A tiled server or node cannot be reached or read (the message names the URL)."""


def is_tiled_object(obj: Any) -> bool:
    """Whether ``obj`` is a tiled client node (checked without importing tiled)."""
    return type(obj).__module__.startswith("tiled.client") and hasattr(obj, "structure_family")


class _TiledAttrs:
    _t: Any
    _root_meta: dict
    path: str

    def _attr_names(self) -> list[str]:
        return [k for k in self._t.metadata if not self._copied(k)]

    def _attr_get(self, name: str) -> Any:
        if self._copied(name):
            raise KeyError(name)
        value = self._t.metadata[name]
        return np.asarray(value) if isinstance(value, list) else value

    def _copied(self, key: str) -> bool:
        if self.path == "/" or key not in self._root_meta:  # the opened node's own metadata is its own
            return False
        mine, root = self._t.metadata[key], self._root_meta[key]
        return bool(np.array_equal(np.asarray(mine, dtype=object), np.asarray(root, dtype=object)))


def _child(t: Any, name: str, path: str, parent: Node | None, root_meta: dict,
           owner: Owner | None = None) -> Node:
    family = str(getattr(t.structure_family, "value", t.structure_family))
    if family == "array":
        return TiledDataset(name, path, parent, t, root_meta, owner=owner)
    if family == "container":
        return TiledGroup(name, path, parent, t, root_meta, owner=owner)
    return TiledOther(name, path, parent, f"{path!r} is a tiled {family}; h5lens shows arrays and containers")


class TiledOther(Link):
    """A tiled node of another family (table, sparse, awkward...): listed, not followed."""

    def __init__(self, name: str, path: str, parent: Node | None, reason: str):
        super().__init__(name, path, parent, "hard", path)
        self._reason = reason

    def _resolve(self) -> Node:
        raise LinkError(self._reason)


class TiledGroup(_TiledAttrs, Group):
    """A tiled container: members listed from the server, sorted by name as HDF5 lists them."""

    def __init__(self, name: str, path: str, parent: Node | None, t: Any, root_meta: dict, *,
                 owner: Owner | None = None):
        super().__init__(name, path, parent, owner=owner)
        self._t, self._root_meta = t, root_meta
        #: The members' clients as the listing brought them (their metadata and structure came with it).
        self._listed: dict[str, Any] = {}

    def _iter_names(self) -> Iterator[str]:
        if self.closed:
            raise NodeError(f"cannot list {self.path!r}: its tiled client is closed")
        # items(), not keys: the same search pages carry each member's metadata and structure, so
        # opening a member asks nothing more (keys then [name] cost one more request per group)
        self._listed = dict(self._t.items())
        yield from sorted(self._listed)

    def _has(self, name: str) -> bool:
        return name in self._listed or super()._has(name)  # a page just listed it: no second listing

    def _make_child(self, name: str) -> Node:
        t = self._listed.pop(name, None)
        return _child(self._t[name] if t is None else t, name, self._child_path(name), self, self._root_meta)


class TiledDataset(_TiledAttrs, Dataset):
    """A tiled array: shape, dtype and chunks from its structure; slices read by the server."""

    def __init__(self, name: str, path: str, parent: Node | None, t: Any, root_meta: dict, *,
                 owner: Owner | None = None):
        super().__init__(name, path, parent, owner=owner)
        self._t, self._root_meta = t, root_meta

    @property
    def shape(self) -> tuple[int, ...]:
        """Array shape (a scalar of the file comes as ``(1,)``)."""
        return tuple(int(n) for n in self._t.shape)

    @property
    def dtype(self) -> np.dtype[Any]:
        """Element type."""
        found: np.dtype[Any] = np.dtype(self._t.dtype)
        return found

    @property
    def chunks(self) -> tuple[int, ...] | None:
        """The server's chunk shape (the first chunk along each axis)."""
        chunks = self._t.structure().chunks
        return tuple(int(c[0]) for c in chunks) if chunks and all(chunks) else None

    @property
    def storage_problem(self) -> str | None:
        """What tiled cannot tell about the file (see the module notes)."""
        return UNKNOWABLE

    def _read(self, selection: Any) -> Any:
        if self.closed:
            raise NodeError(f"cannot read {self.path!r}: its tiled client is closed")
        try:
            return self._t[selection]
        except (IndexError, TypeError, ValueError):
            raise
        except Exception as exc:
            raise NodeError(f"{self.filename}: cannot read {self.path!r} ({type(exc).__name__})") from exc


def open_tiled(source: Any) -> Node:
    """Open a tiled node (a client object, or a ``tiled+http(s)://host/api/v1/metadata/path`` URL).

    Raises
    ------
    TiledError
        The server is unreachable or has nothing at that path.
    """
    require("tiled.client", "reading from tiled")
    if isinstance(source, str):
        url = source.split("+", 1)[1]
        shown = redact(source)
        why = unreachable(url)
        if why is not None:
            raise TiledError(f"{shown}: cannot reach the tiled server ({why})")
        try:
            import httpx
            from tiled.client import from_uri

            node = from_uri(url, timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT))
        except Exception as exc:
            raise _describe(shown, exc) from None
        owned = True
    else:
        node, owned = source, False
        shown = redact(str(getattr(node, "uri", "tiled node")))
    closers = [node.context.close] if owned else []  # the client's HTTP connections
    owner = Owner(shown, owns_handle=owned, closers=closers)
    path = "/"
    return _child(node, "", path, None, dict(node.metadata), owner=owner)


def _describe(shown: str, exc: BaseException) -> TiledError:
    text = str(exc)
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if status == 404 or "404" in text:
        return TiledError(f"{shown}: nothing there on the tiled server")
    if status in (401, 403):
        return TiledError(f"{shown}: the tiled server refused access (check the API key)")
    if "connect" in type(exc).__name__.lower() or "ConnectError" in repr(exc):
        return TiledError(f"{shown}: cannot reach the tiled server")
    return TiledError(f"{shown}: cannot read from the tiled server ({type(exc).__name__})")
