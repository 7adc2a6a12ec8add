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


def _rebind(node: Any) -> bool:
    """After the file was indexed again: take the silx object now at this node's path; whether it changed.

    Raises
    ------
    NodeError
        The path is gone from the file (a scan rewritten without it).
    """
    root = node.root
    root.refresh()
    if node._index == root._index:
        return False
    fresh = root.get(node.path, getlink=True)
    if type(fresh) is not type(node):
        raise NodeError(f"{node.path!r} is no longer in {node.filename!r} (the file was rewritten)")
    node._obj, node._index = fresh._obj, root._index
    return True


class SpecGroup(_SilxAttrs, Group):
    """A silx ``commonh5`` group (scan, instrument, measurement ...)."""

    #: the root's indexing this node was built from (the file is indexed again when it grows)
    _index = 0

    def __init__(self, obj: Any, name: str, path: str, parent: Node | None):
        super().__init__(name, path, parent)
        self._obj = obj
        self._index = getattr(self.root, "_index", 0)

    def _refresh(self) -> bool:
        if not _rebind(self):
            return False
        self._names, self._cache = None, {}
        return True

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

    _index = 0

    def __init__(self, obj: Any, name: str, path: str, parent: Node | None):
        super().__init__(name, path, parent)
        self._obj = obj
        self._index = getattr(self.root, "_index", 0)

    def _refresh(self) -> bool:
        return _rebind(self)

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
        super().__init__("", "/", None, owner=Owner(filename, owns_handle=True, closers=[self._close], watch=True))
        self._specfile = specfile
        self._obj = holder  # silx File that receives the scan groups as they are built
        self._index = 0
        self._seen = self.owner.poll()  # the file as indexed

    def _close(self) -> None:
        self._specfile.close()

    def _refresh(self) -> bool:
        """Index the file again (it grew, or was rewritten): new scans, new points of the last one."""
        specfile, holder = _index(self.filename or "")
        old, self._specfile, self._obj = self._specfile, specfile, holder
        old.close()
        self._names, self._cache = None, {}
        self._index += 1
        return True

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
                unit = _spec_scan.take_calibration_unit(scan)  # silx would refuse "#@CALIB a b c keV"
                group = ScanGroup(name, parent=self._obj, scan=scan)
                self._obj.add_node(group)
            except Exception as exc:  # listing the file survives a scan silx cannot build
                return BrokenScan(name, path, self, f"scan {name} of {self.filename!r} cannot be read: {exc}",
                                  _spec_scan.command(scan))
            try:
                _spec_scan.enrich(group, scan, unit)
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
    return SpecRoot(*_index(path), path)


def _index(path: str) -> tuple[Any, Any]:
    """Index the file's complete lines with silx; also an empty holder for the scans built from it.

    A line still being written (no newline yet) is left out: it could hold
    half a number. silx then reads a copy of the complete lines.
    """
    from silx.io import commonh5
    from silx.io.specfile import SpecFile

    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            handle.seek(max(size - 1, 0))
            ends_line = size == 0 or handle.read(1) == b"\n"
            text = None if ends_line else (handle.seek(0), handle.read(size))[1]
        source = path if text is None else _complete_copy(text)
        try:
            specfile = SpecFile(source)
        finally:
            if source != path:
                os.unlink(source)  # silx read the index and keeps the file open
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise NodeError(f"silx cannot read {path!r} as a SPEC file: {exc}") from exc
    attrs = {"NX_class": "NXroot", "file_name": path, "creator": "h5lens (silx.io.spech5 layout)"}
    # mode "w" keeps the holder's groups editable: _spec_scan completes each scan silx builds
    return specfile, commonh5.File(path, mode="w", attrs=attrs)


def _complete_copy(text: bytes) -> str:
    """A private temporary file of ``text`` up to its last newline (read by silx, then unlinked)."""
    import tempfile

    fd, name = tempfile.mkstemp(suffix=".spec", prefix="h5lens-")
    with os.fdopen(fd, "wb") as out:
        out.write(text[: text.rfind(b"\n") + 1])
    return name
