"""What HDF5 groups, datasets and datatypes share: identity, attributes, re-binding after a reopen.

A mixin of the node classes of :mod:`.hdf5`: it reads HDF5 object headers
(``h5o.get_info``) and attribute tables, never data.
"""

from __future__ import annotations

from typing import Any

from ._errors import NodeError
from ._format import Unreadable, decode_value
from ._hdf5_attrs import attr_names, read_attr
from ._hdf5_links import handle_closed, to_key, to_str


class HDF5Object:
    """Identity, attributes and re-binding shared by HDF5 groups, datasets and committed datatypes."""

    _h5: Any

    @property
    def object_id(self) -> Any:
        """``(file number, object address)`` from HDF5 (None without h5py's low-level API)."""
        if "_object_id" not in self.__dict__:
            try:
                from h5py import h5o

                info = h5o.get_info(self._h5.id)
                self._object_id: tuple[str, int, int] | None = ("hdf5", info.fileno, info.addr)
                self._link_count: int | None = int(info.rc)
            except Exception:  # h5pyd and other duck-typed groups: no address to compare
                self._object_id = self._link_count = None
        return self._object_id

    @property
    def link_count(self) -> int | None:
        """Hard links to this object (HDF5's reference count), from the same look-up as :attr:`object_id`."""
        self.object_id  # noqa: B018 - one h5o.get_info call fills both
        return self._link_count

    def _bind(self, h5obj: Any) -> None:
        self._h5 = h5obj
        # which opening of the file the handle belongs to: HDF5 reuses the numbers of closed objects, so
        # "is my handle still valid" can answer yes for another object once the file was opened again
        self._opening = self.owner.openings  # type: ignore[attr-defined]

    def _check_handle(self, action: str) -> None:
        """Raise one clear :class:`NodeError` when the h5py handle was closed behind the tree's back.

        A file lent to h5lens (an ``h5py.File`` the user opened) may be closed by
        its owner while a widget still shows it: every member would otherwise
        look like a link that cannot be read.
        """
        if handle_closed(self._h5):
            raise NodeError(f"cannot {action} {self.path!r}: {self.filename} "  # type: ignore[attr-defined]
                            "was closed by the program that opened it")

    def _rebind(self) -> bool:
        """After the file was opened again (replaced by its writer): take this path's object in the new handle."""
        root: Any = self.root  # type: ignore[attr-defined]
        if root is self or self._opening == self.owner.openings:  # type: ignore[attr-defined]
            return False
        fresh = root.get(self.path) if hasattr(root, "get") else None  # type: ignore[attr-defined]
        if type(fresh) is not type(self):
            raise NodeError(f"{self.path!r} is no longer a {type(self).__name__[4:].lower()} "  # type: ignore[attr-defined]
                            f"of {self.filename}")  # type: ignore[attr-defined]
        self._bind(fresh._h5)
        self.__dict__.pop("_external_reader", None)
        self.__dict__.pop("_object_id", None)
        self.__dict__.pop("_cpl", None)
        return True

    def _attr_names(self) -> list[str]:
        try:
            oid = getattr(self._h5, "id", None)
            plist = self._create_plist() if isinstance(oid, _h5py_object_id()) else None
            if plist is not None:  # h5py: one H5Aiterate (its AttributeManager costs ~6x)
                return [to_str(n) for n in attr_names(oid, plist)]
            return [to_str(n) for n in self._h5.attrs.keys()]
        except Exception:  # an unlistable attribute table shows as no attributes
            return []

    def _create_plist(self) -> Any:
        """The object's creation property list, read once (datasets share theirs with the storage facts)."""
        dcpl = getattr(self, "_dcpl", None)
        if dcpl is not None:
            return dcpl()
        if "_cpl" not in self.__dict__:
            try:
                self._cpl = self._h5.id.get_create_plist()
            except Exception:  # no property list: h5py's own listing decides
                self._cpl = None
        return self._cpl

    def _attr_get(self, name: str) -> Any:
        try:
            oid = getattr(self._h5, "id", None)
            if isinstance(oid, _h5py_object_id()):
                return decode_value(read_attr(oid, to_key(name)))
            return decode_value(self._h5.attrs[to_key(name)])
        except Exception as exc:  # listing must survive types h5py cannot read
            return Unreadable(f"{type(exc).__name__}: {exc}")


def _h5py_object_id() -> type:
    """h5py's ObjectID class (objects of h5pyd and the like are read through their ``attrs``)."""
    global _OBJECT_ID
    if _OBJECT_ID is None:
        from h5py._objects import ObjectID

        _OBJECT_ID = ObjectID
    return _OBJECT_ID


_OBJECT_ID: type | None = None
