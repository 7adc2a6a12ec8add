"""Build an HDF5 tree in memory, look at it, validate it, write it atomically.

Examples
--------
>>> b = TreeBuilder()                                        # doctest: +SKIP
>>> b.group("/entry", attrs={"NX_class": "NXentry"})
>>> b.dataset("/entry/data/frames", shape=(10, 512, 512), dtype="uint16",
...           chunks=(1, 512, 512), compression=("gzip", 4))
>>> b.soft_link("/entry/frames", "/entry/data/frames")
>>> b                                  # the text tree; HTML in a notebook
>>> with b.write("out.h5") as out:     # fill declared datasets, atomically
...     out["/entry/data/frames"][0] = frame
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ._spec import DATASET, EXTERNAL, GROUP, SOFT, Item, name_problem
from .validate import Plan, ValidationError, plan
from .written import Written


class SoftLink:
    """A soft link value for :meth:`TreeBuilder.update` (``target`` path)."""

    def __init__(self, target: str):
        self.target = target


class ExternalLink:
    """An external link value for :meth:`TreeBuilder.update`."""

    def __init__(self, filename: str, target: str):
        self.filename, self.target = filename, target


class TreeBuilder:
    """An HDF5 tree described in memory; nothing touches the disk before :meth:`write`.

    Objects are added by absolute path in any order; missing parent groups
    are implied. Every method returns the builder so calls can be chained.
    Mistakes are not raised one at a time: :meth:`validate` (and
    :meth:`write`) report all of them together in a
    :class:`~h5lens.write.validate.ValidationError`.

    Parameters
    ----------
    attrs : mapping, optional
        Attributes of the root group (they win over the provenance ones).
    provenance : bool
        Record who wrote the file and when as root attributes (NeXus names:
        ``creator`` = ``h5lens <version>`` unless given, ``file_time`` in
        ISO 8601, ``h5lens_version``, ``HDF5_Version``, ``h5py_version``)
        when a new file is written; False writes none of them.
    """

    def __init__(self, attrs: Mapping | None = None, *, provenance: bool = True):
        self._provenance = provenance
        self._items: list[Item] = []
        self._attrs: list[tuple[Any, dict]] = []
        self._problems: list[str] = []
        if attrs:
            self.set_attrs("/", attrs)

    # -- building -------------------------------------------------------
    def group(self, path: str, attrs: Mapping | None = None) -> TreeBuilder:
        """Add a group (naming an existing group again merges its attributes)."""
        self._items.append(Item(GROUP, path, attrs=dict(attrs or {})))
        return self

    def dataset(self, path: str, data: Any = None, *, shape: tuple | None = None, dtype: Any = None,
                maxshape: tuple | None = None, chunks: Any = None, compression: Any = None,
                compression_opts: Any = None, shuffle: bool = False, fletcher32: bool = False, fillvalue: Any = None,
                attrs: Mapping | None = None) -> TreeBuilder:
        """Add a dataset from ``data``, or declare it empty (``shape`` + ``dtype``) to fill later.

        Parameters
        ----------
        path : str
            Absolute path (``"/entry/data"``; the leading ``/`` is optional).
        data : array-like, optional
            Values (numbers, arrays, str, bytes...). Text becomes UTF-8
            variable-length strings.
        shape, dtype : optional
            Declared shape and dtype (``dtype`` also converts ``data``).
        maxshape : tuple, optional
            Resizable dataset; None along an axis means unlimited.
        chunks : tuple or True, optional
            Chunk shape (True lets HDF5 choose).
        compression : str or tuple or hdf5plugin filter, optional
            ``"gzip"``, ``("gzip", level)``, ``"lzf"``, ``"bitshuffle"``,
            ``"blosc"``, ``"zstd"``, ``"lz4"`` or an hdf5plugin object.
        compression_opts : int, optional
            The gzip level, h5py style (``compression="gzip", compression_opts=6``).
        shuffle, fletcher32 : bool
            HDF5 byte-shuffle and checksum filters.
        fillvalue : scalar, optional
            Value read from parts never written.
        attrs : mapping, optional
            Attributes of the dataset.
        """
        if compression_opts is not None:
            compression = (compression, compression_opts)
        self._items.append(Item(DATASET, path, data=data, shape=shape, dtype=dtype, maxshape=maxshape,
                                chunks=chunks, compression=compression, shuffle=shuffle,
                                fletcher32=fletcher32, fillvalue=fillvalue, attrs=dict(attrs or {})))
        return self

    def soft_link(self, path: str, target: str) -> TreeBuilder:
        """Add a soft link at ``path`` to ``target`` (absolute, or relative to the link's group)."""
        self._items.append(Item(SOFT, path, target=target))
        return self

    def external_link(self, path: str, filename: str, target: str) -> TreeBuilder:
        """Add an external link at ``path`` to ``target`` inside ``filename`` (not checked)."""
        self._items.append(Item(EXTERNAL, path, target=target, target_file=filename))
        return self

    def set_attrs(self, path: str, attrs: Mapping | None = None, **more: Any) -> TreeBuilder:
        """Set attributes on the group or dataset at ``path`` (``"/"`` for the root)."""
        self._attrs.append((path, {**dict(attrs or {}), **more}))
        return self

    def update(self, mapping: Mapping, path: str = "/") -> TreeBuilder:
        """Add a nested mapping under ``path``.

        Mappings become groups, :class:`SoftLink`/:class:`ExternalLink`
        become links, anything else a dataset. Keys are member names: they
        must be non-empty strings without ``/``.
        """
        base = path.rstrip("/") if isinstance(path, str) else path
        for key, value in mapping.items():
            problem = name_problem(key)
            if problem:
                self._problems.append(f"member {key!r} of {path!r}: {problem}")
                continue
            child = f"{base}/{key}"
            if isinstance(value, Mapping):
                self.group(child)
                self.update(value, child)
            elif isinstance(value, SoftLink):
                self.soft_link(child, value.target)
            elif isinstance(value, ExternalLink):
                self.external_link(child, value.filename, value.target)
            else:
                self.dataset(child, value)
        return self

    # -- checking and showing ------------------------------------------
    def validate(self, existing=None) -> Plan:
        """Check the whole tree; raise one :class:`ValidationError` listing every problem."""
        return plan(self._items, self._attrs, existing=existing, problems=self._problems)

    def to_nodes(self):
        """The tree as in-memory h5lens nodes (:mod:`h5lens.nodes.memory`), without writing."""
        from ._preview import plan_to_nodes

        return plan_to_nodes(self.validate())

    def __repr__(self) -> str:
        try:
            nodes = self.to_nodes()
        except ValidationError as exc:
            return f"<TreeBuilder: {exc}>"
        from .._glance import glance

        return glance(nodes).to_text()

    def _repr_html_(self) -> str:
        from html import escape

        try:
            nodes = self.to_nodes()
        except ValidationError as exc:
            return f"<pre>{escape(str(exc))}</pre>"
        from .._glance import glance

        return glance(nodes)._repr_html_()

    def _provenance_attrs(self) -> list[tuple[Any, dict]]:
        """Root attributes saying who wrote the file and when (none when ``provenance=False``)."""
        if not self._provenance:
            return []
        from datetime import datetime, timezone

        import h5py

        from .. import __version__

        return [("/", {"creator": f"h5lens {__version__}", "file_time": datetime.now(timezone.utc).isoformat(),
                       "h5lens_version": __version__, "HDF5_Version": h5py.version.hdf5_version,
                       "h5py_version": h5py.version.version})]

    # -- writing --------------------------------------------------------
    def write(self, path: str | os.PathLike, *, overwrite: bool = False, mode: str = "w") -> Written:
        """Validate, then write the tree atomically to ``path``; return handles to it.

        Parameters
        ----------
        path : path-like
            Target HDF5 file.
        overwrite : bool
            Replace an existing file (``mode="w"`` only). Without it an
            existing file is an error and is left untouched.
        mode : {"w", "a"}
            ``"w"`` writes a new file. ``"a"`` adds this tree to an existing
            file; objects already there are clashes, except groups (their
            attributes are updated). Appending copies the file to a
            temporary file, adds the objects there and renames it over the
            original, so the original never holds a half-written object.

        Returns
        -------
        Written
            The file is complete and renamed into place when ``write``
            returns. ``written["/entry/data"]`` gives read-only h5lens nodes
            of the new file. To fill datasets declared empty, enter it::

                with builder.write("out.h5") as out:
                    out["/entry/data"][0] = frame   # h5py datasets, writable

            The ``with`` block works on a temporary copy (cheap: unwritten
            chunks take no space) and renames it into place on a clean exit;
            on an exception the file keeps its unfilled state.

        Raises
        ------
        ValidationError
            The tree has problems; no file is created or changed.
        FileExistsError
            ``path`` exists and neither ``overwrite`` nor ``mode="a"`` was given.
        OSError
            Not enough free space for the uncompressed data (checked first).
        """
        from ._h5write import existing_kinds, write_plan
        from .atomic import atomic_h5, check_free_space

        if mode not in ("w", "a"):
            raise ValueError(f"mode must be 'w' or 'a', not {mode!r}")
        if mode == "a":
            import h5py

            if not os.path.exists(path):
                raise FileNotFoundError(f"cannot append: {os.fspath(path)!r} does not exist")
            with h5py.File(path, "r") as existing:
                todo = self.validate(existing=existing_kinds(existing))
        else:
            if os.path.exists(path) and not overwrite:
                raise FileExistsError(f"{os.fspath(path)!r} exists; pass overwrite=True to replace it")
            todo = plan(self._items, self._provenance_attrs() + self._attrs, problems=self._problems)
        known = sum(getattr(data, "nbytes", 0) for _, item, data in todo.datasets if item.compression is None)
        if mode == "a":
            known += os.path.getsize(path)  # appending starts from a copy
        check_free_space(os.path.dirname(os.path.abspath(path)), known)
        with atomic_h5(path, mode=mode, overwrite=overwrite) as h5file:
            paths = write_plan(h5file, todo)
        return Written(path, paths)


__all__ = ["ExternalLink", "SoftLink", "TreeBuilder", "ValidationError"]
