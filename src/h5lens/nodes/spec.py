"""SPEC files through ``silx.io`` as a lazy node tree.

The layout is ``silx.io.spech5``'s (``94.1/title``, ``94.1/start_time``,
``94.1/measurement/<counter>``, ``94.1/instrument/positioners/<motor>``,
``94.1/measurement/mca_0/data`` ...), made by silx itself: no SPEC parsing here.

``silx.io.spech5.SpecH5`` builds every scan (and reads every data column) when
the file opens. Here the file is indexed with silx's ``SpecFile`` and each scan
group is built with silx's ``ScanGroup`` only when that scan is first opened,
so a file of thousands of scans lists at once. A scan silx cannot build, or a
dataset it cannot read (a truncated last scan), gives a :class:`NodeError`
naming the scan when it is listed or read, never while its parent is listed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from ._base import Dataset, Group, Link, LinkError, Node, NodeError, Owner
from ._format import decode_value


def _attr_value(value: Any) -> Any:
    # silx stores text attributes as 0-d object arrays
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "OSU":
        value = value[()]
    return decode_value(value)


class _SilxAttrs:
    """Attributes read from the wrapped silx object."""

    _obj: Any

    def _attr_names(self) -> list[str]:
        return list(self._obj.attrs.keys())

    def _attr_get(self, name: str) -> Any:
        return _attr_value(self._obj.attrs[name])


def _wrap(obj: Any, name: str, path: str, parent: Node) -> Node:
    from silx.io import commonh5

    if isinstance(obj, commonh5.Group):
        return SpecGroup(obj, name, path, parent)
    return SpecDataset(obj, name, path, parent)


class SpecGroup(_SilxAttrs, Group):
    """A silx ``commonh5`` group (scan, instrument, measurement ...)."""

    def __init__(self, obj: Any, name: str, path: str, parent: Node | None):
        super().__init__(name, path, parent)
        self._obj = obj

    def _iter_names(self) -> Iterator[str]:
        return iter(list(self._obj.keys()))

    def _cheap_len(self) -> int | None:
        return len(self._obj)  # silx built the scan group whole when it was opened

    def _make_child(self, name: str) -> Node:
        import h5py
        from silx.io import commonh5

        link = self._obj.get(name, getlink=True)
        if isinstance(link, (h5py.SoftLink, commonh5.SoftLink)):
            return SpecLink(name, self._child_path(name), self, link.path)
        return _wrap(self._obj[name], name, self._child_path(name), self)


class SpecDataset(_SilxAttrs, Dataset):
    """A silx dataset: a counter, a positioner, an MCA block, a title ..."""

    def __init__(self, obj: Any, name: str, path: str, parent: Node | None):
        super().__init__(name, path, parent)
        self._obj = obj

    @property
    def shape(self) -> tuple[int, ...]:
        """The dimensions of the silx dataset."""
        return tuple(int(n) for n in self._obj.shape)

    @property
    def dtype(self) -> np.dtype[Any]:
        """The element type of the silx dataset."""
        dtype: np.dtype[Any] = np.dtype(self._obj.dtype)
        return dtype

    def _read(self, selection: Any) -> Any:
        try:
            out = self._obj[selection]
        except (IndexError, TypeError):  # a bad selection: the caller's error
            raise
        except Exception as exc:
            hint = " (the scan looks incomplete: truncated file?)" if isinstance(exc, ValueError) else ""
            raise NodeError(f"cannot read {self.path!r} of {self.filename!r}{hint}: {exc}") from exc
        return out.copy() if isinstance(out, np.ndarray) else out


class SpecLink(Link):
    """silx's soft links (``measurement/mca_0/data`` → ``instrument/mca_0/data``)."""

    def __init__(self, name: str, path: str, parent: Node, target: str):
        super().__init__(name, path, parent, "soft", target)
        self._group = parent

    def _resolve(self) -> Node:
        root = self.root
        target = root[self.target].deref() if isinstance(root, Group) else None
        if not isinstance(target, _SilxAttrs):  # silx links only inside its own tree
            raise LinkError(f"{self.target!r} is not a node of this SPEC file")
        return _wrap(target._obj, self.name, self.path, self._group)


class SpecRoot(_SilxAttrs, Group):
    """The file: one member per scan (``94.1``), each built on first use."""

    def __init__(self, specfile: Any, holder: Any, filename: str):
        super().__init__("", "/", None, owner=Owner(filename, owns_handle=True, closers=[specfile.close]))
        self._specfile = specfile
        self._obj = holder  # silx File that receives the scan groups as they are built

    def _iter_names(self) -> Iterator[str]:
        return iter(list(self._specfile.keys()))

    def _count(self) -> int:
        return len(self._specfile)

    def _cheap_len(self) -> int | None:
        return len(self._specfile)  # the scan index is read when the file opens

    def _make_child(self, name: str) -> Node:
        from silx.io.spech5 import ScanGroup

        from . import _spec_scan

        path = self._child_path(name)
        try:
            scan = self._specfile[name]
        except Exception as exc:  # listing the file survives a scan silx cannot index
            return BrokenScan(name, path, self, f"scan {name} of {self.filename!r} cannot be read: {exc}")
        if name not in self._obj:
            try:
                group = ScanGroup(name, parent=self._obj, scan=scan)
                self._obj.add_node(group)
            except Exception as exc:  # listing the file survives a scan silx cannot build
                return BrokenScan(name, path, self, f"scan {name} of {self.filename!r} cannot be read: {exc}",
                                  _spec_scan.command(scan))
            try:
                _spec_scan.enrich(group, scan)
            except Exception:  # a header silx read but we cannot: silx's layout as it is
                pass
        return SpecScan(self._obj[name], name, path, self, scan)


class SpecScan(SpecGroup):
    """A scan (``94.1``): described by its ``#S`` command (``ascan del -0.5 0.5 20 1``)."""

    def __init__(self, obj: Any, name: str, path: str, parent: Node | None, scan: Any):
        super().__init__(obj, name, path, parent)
        self._scan = scan

    @property
    def description(self) -> str | None:
        """The ``#S`` command, one line (``ascan del -0.5 0.5 20 1``)."""
        from ._spec_scan import command

        return command(self._scan) or None

    @property
    def details(self) -> list[tuple[str, Any]]:
        """Header facts (#S, #D, #T, #L, #@CALIB) and the #O/#P motor positions at scan start."""
        from ._spec_scan import details, start_positions

        out = details(self._scan, self.name)
        positions = start_positions(self._scan)
        if positions:
            out.append(("Motors at start (#O/#P)", positions))
        return out


class BrokenScan(Group):
    """A scan that could not be built: listing it raises its reason."""

    def __init__(self, name: str, path: str, parent: Node | None, reason: str, command: str | None = None):
        super().__init__(name, path, parent)
        self.error = reason
        self._command = command

    @property
    def description(self) -> str | None:
        """The ``#S`` command, known from the index even when the scan cannot be built."""
        return self._command or None

    def _iter_names(self) -> Iterator[str]:
        raise NodeError(self.error)


def open_spec(path: Any) -> Group:
    """Open a SPEC file as a node tree (silx.io.spech5 layout, scans built lazily).

    Parameters
    ----------
    path : str or os.PathLike
        The SPEC file.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    NodeError
        silx cannot index it as a SPEC file.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path!r}")
    from silx.io import commonh5
    from silx.io.specfile import SpecFile

    try:
        specfile = SpecFile(path)
    except Exception as exc:
        raise NodeError(f"silx cannot read {path!r} as a SPEC file: {exc}") from exc
    attrs = {"NX_class": "NXroot", "file_name": path, "creator": "h5lens (silx.io.spech5 layout)"}
    # mode "w" keeps the holder's groups editable: _spec_scan completes each scan silx builds
    return SpecRoot(specfile, commonh5.File(path, mode="w", attrs=attrs), path)
