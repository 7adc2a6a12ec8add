"""``h5lens.open``: one entry point for every source, format told by content.

A path is sniffed, not judged by its extension: the HDF5 signature (at 0 or
after a user block of 512, 1024, 2048... bytes), then SPEC's ``#F``/``#S``/
``#L`` lines, then the image formats fabio recognises. Backends are imported
only when used, so ``import h5lens`` stays fast.
"""

from __future__ import annotations

import builtins
import errno
import os
import re
import sys
from typing import Any

from .nodes import _paths, _urls
from .nodes._base import Group, Link, Node, NodeError, Owner
from .nodes._errors import UnknownFormatError

__all__ = ["UnknownFormatError", "hdf5_signature_offset", "is_spec_file", "open", "open_series", "sniff"]

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
HDF4_SIGNATURE = b"\x0e\x03\x13\x01"
FORMATS_TRIED = "HDF5, SPEC, Zarr, and the image formats fabio reads (EDF, CBF, TIFF, ...)"
_SPEC_LINE = re.compile(rb"^#[FSL] ", re.MULTILINE)
_SNIFF_BYTES = 4096


def hdf5_signature_offset(path: str) -> int | None:
    """Offset of the HDF5 signature (0, 512, 1024, 2048, ...) or None."""
    size = os.path.getsize(path)
    with builtins.open(path, "rb") as handle:
        offset = 0
        while offset + len(HDF5_SIGNATURE) <= size:
            handle.seek(offset)
            if handle.read(len(HDF5_SIGNATURE)) == HDF5_SIGNATURE:
                return offset
            offset = 512 if offset == 0 else offset * 2
    return None


def is_spec_file(path: str) -> bool:
    """SPEC: text whose first lines include ``#F``, ``#S`` or ``#L`` lines."""
    with builtins.open(path, "rb") as handle:
        start = handle.read(_SNIFF_BYTES)
    return b"\x00" not in start and _SPEC_LINE.search(start) is not None


def sniff(path: str) -> str:
    """``"hdf5"``, ``"spec"``, ``"zarr"`` (a zipped store) or ``"image"`` from the content of ``path``.

    Raises
    ------
    UnknownFormatError
        Naming the formats tried.
    """
    if os.path.getsize(path) == 0:
        raise UnknownFormatError(f"{path}: empty file (0 bytes)")
    if hdf5_signature_offset(path) is not None:
        return "hdf5"
    if is_spec_file(path):
        return "spec"
    from .nodes.zarrstore import is_zarr_zip

    if is_zarr_zip(path):
        return "zarr"
    from .nodes.image import is_image_file

    if is_image_file(path):
        return "image"
    with builtins.open(path, "rb") as handle:
        if handle.read(len(HDF4_SIGNATURE)) == HDF4_SIGNATURE:
            raise UnknownFormatError(f"{path}: HDF4 file: not supported, convert it to HDF5 with h4toh5")
    raise UnknownFormatError(f"{path}: unknown file format (tried {FORMATS_TRIED})")


def _with_opener(root: Node) -> Node:
    """Give the new tree :func:`open` to follow external links to files of any format.

    Injected here rather than imported by the backends, which sit below this module.
    """
    if root.owner.opener is None:
        root.owner.opener = open
    return root


def _family_first(path: str) -> str | None:
    """The first member of a family-driver file name (``data%d.h5`` → ``data0.h5``), if it exists."""
    if "%" not in os.path.basename(path) or os.path.lexists(path):
        return None
    try:
        first = path % 0
    except (TypeError, ValueError):  # a "%" that is not one integer field
        return None
    return first if os.path.isfile(first) else None


def _open_path(path: str, options: dict | None = None) -> Node:
    import glob

    options = dict(options or {})
    family = _family_first(path)
    if family is not None:  # name%d.h5: HDF5's family driver, members as large as the first
        from .nodes.hdf5 import open_hdf5

        options.setdefault("memb_size", os.path.getsize(family))
        return open_hdf5(path, driver="family", **options)
    if glob.has_magic(path) and not os.path.lexists(path) and not options:  # "ID19_*.edf": the series
        return open_series(path)
    what = _paths.kind(path)  # one stat before any open: a pipe would block reading forever
    if what == "a folder":
        return _open_folder(path)
    _paths.require_file(path)
    kind = sniff(path)
    if kind == "hdf5":
        from .nodes.hdf5 import open_hdf5

        return open_hdf5(path, **options)
    if options:
        raise TypeError(f"{path}: options {', '.join(sorted(options))} apply to HDF5 files only, "
                        f"and this is a {kind} file")
    if kind == "spec":
        from .nodes.spec import open_spec

        return open_spec(path)
    if kind == "zarr":
        from .nodes.zarrstore import open_zarr

        return open_zarr(path)
    from .nodes.image import open_image

    return open_image(path)


#: Entries looked at to recognise a series folder (a bigger folder is not one series).
FOLDER_SCAN_LIMIT = 100_000


def _open_folder(path: str) -> Node:
    """A Zarr store or a folder holding one file series; any other folder is an error."""
    from .nodes.zarrstore import is_zarr_folder, open_zarr

    if is_zarr_folder(path):
        return open_zarr(path)
    series = _series_in(path)
    if series:
        return open_series(series)
    raise IsADirectoryError(errno.EISDIR, "A folder, not a file (open a file inside it)", path)


def _series_in(path: str) -> list[str] | None:
    """The files of the one numbered image series a folder holds (``img_0000.edf``...), else None."""
    from .nodes._imagesource import numbered_groups
    from .nodes.image import is_image_file

    names = []
    with os.scandir(path) as entries:
        for i, entry in enumerate(entries):
            if i >= FOLDER_SCAN_LIMIT:
                return None
            try:
                if not entry.name.startswith(".") and entry.is_file():
                    names.append(entry.name)
            except OSError:  # a link loop inside the folder is not a series member
                continue
    groups = numbered_groups(names)
    if len(groups) != 1:
        return None
    files = [os.path.join(path, n) for n in next(iter(groups.values()))]
    return files if is_image_file(files[0]) else None


def _split_inner(source: str) -> tuple[str, str | None]:
    """``"file.h5::/entry/data"`` → ``("file.h5", "/entry/data")`` (unless the whole name exists)."""
    if "::" in source and not os.path.exists(source):
        path, _, inner = source.partition("::")
        return path, inner or "/"
    return source, None


def _zarr_object(obj: Any) -> bool:
    from .nodes.zarrstore import is_zarr_object

    return is_zarr_object(obj)


def _tiled_object(obj: Any) -> bool:
    from .nodes.tiled import is_tiled_object

    return is_tiled_object(obj)


def _is_fabio_image(obj: Any) -> bool:
    if "fabio" not in sys.modules:  # no fabio image can exist before fabio is imported
        return False
    import fabio

    return isinstance(obj, fabio.fabioimage.FabioImage)


def open(source: Any, mode: str = "r", *, swmr: bool | None = None, **options: Any) -> Node:  # noqa: A001
    """Open anything h5lens can show as a lazy node tree.

    Parameters
    ----------
    source : str, os.PathLike, h5py object, fabio image, numpy array, dict or Node
        A path (format detected from the content), or a glob pattern of image
        files (``"scan_*.edf"``: the series, see :func:`open_series`); ``"path::/inner/path"`` to
        get the node at ``/inner/path``, links followed (a broken link is
        returned as its :class:`Link` node; closing it closes the file); an open
        h5py File/Group/Dataset or a duck-typed one (h5pyd...) left open for its
        owner; a fabio image; a numpy array or a nested dict (in-memory tree);
        an h5lens node (returned as is). Remote sources: a URL
        (``https://``, ``s3://``: HDF5 or Zarr through fsspec), a zarr
        Group/Array, an h5pyd object.
    mode : str
        Only ``"r"``: h5lens never modifies files.
    swmr : bool or None
        HDF5 files by path: read in SWMR mode (True), or not (False). None
        (default): when the file allows it (written with ``libver="latest"``,
        as a SWMR writer writes); a writer appending then shows on
        :meth:`Node.refresh`.
    **options
        HDF5 files only: the chunk cache (``rdcc_nbytes``, ``rdcc_nslots``,
        ``rdcc_w0``, as :class:`h5py.File` takes them); the inspector shows the
        cache in use. ``name%d.h5`` opens a family-driver file by path.
        URLs instead take ``storage_options`` (passed to fsspec: credentials,
        ``client_kwargs={"endpoint_url": ...}``); see :mod:`h5lens._open_remote`.

    Returns
    -------
    Node
        The root group (or the inner node, or a dataset for an array).

    Raises
    ------
    FileNotFoundError
        The path does not exist.
    UnknownFormatError
        No backend recognises the content (the message names the formats tried).
    OSError
        An HDF5 file that is truncated or corrupt.
    KeyError
        ``::/inner/path`` names no node of the file.
    """
    if mode != "r":
        raise ValueError(f"h5lens opens files read-only: mode must be 'r', not {mode!r}")
    if swmr is not None:
        options["swmr"] = bool(swmr)
    if isinstance(source, Node):
        return source
    if isinstance(source, bytes):
        source = os.fsdecode(source)
    if isinstance(source, (str, os.PathLike)):
        path, inner = _split_inner(os.fspath(source))
        if _urls.is_url(path):
            from ._open_remote import open_remote

            root = _with_opener(open_remote(path, **options))
        else:
            root = _with_opener(_open_path(path, options))
        if inner is None or inner.strip("/") == "":
            return root
        try:
            if not isinstance(root, Group):
                raise KeyError(f"{path} holds no groups, so no {inner!r}")
            node = root[inner]
        except (KeyError, NodeError) as exc:
            root.close()
            message = exc.args[0] if exc.args else inner
            raise KeyError(f"{path}: no node {inner!r} ({message})") from None
        # links are followed like h5py's file[path]; a broken one stays a node that says why
        return node.deref() if isinstance(node, Link) and node.resolved else node
    if options:
        raise TypeError(f"options {', '.join(sorted(options))} apply when h5lens opens an HDF5 file by path, "
                        f"not to a {type(source).__name__} already open")
    from .nodes import memory

    if isinstance(source, dict):
        return memory.from_object(source, owner=Owner(opener=open))
    if _tiled_object(source):
        from .nodes.tiled import open_tiled

        return _with_opener(open_tiled(source))
    if _zarr_object(source):
        from .nodes.zarrstore import open_zarr

        return _with_opener(open_zarr(source))
    if _is_fabio_image(source):
        from .nodes.image import open_image

        return _with_opener(open_image(source))
    if hasattr(source, "attrs") and (hasattr(source, "keys") or hasattr(source, "shape")) \
            and not type(source).__module__.startswith("numpy"):
        from .nodes.hdf5 import open_hdf5

        lent = open_hdf5(source)
        if type(source).__module__.startswith("h5pyd"):  # HSDS: members fetched together, pages of big groups
            from .nodes.hsds import hook_into

            hook_into(lent.owner)
        return _with_opener(lent)
    if hasattr(source, "__array__") or isinstance(source, (list, tuple, int, float, complex)):
        import numpy as np

        return memory.from_object(np.asarray(source), owner=Owner(opener=open))
    raise TypeError(f"h5lens.open cannot open a {type(source).__name__}: give a path, "
                    "an h5py object, a fabio image, a numpy array or a dict")


def open_series(first_filename_or_pattern: Any, follow: bool = False) -> Node:
    """Open a file series (``ID19_D2H2T2_0000.edf`` ... or a glob pattern) as one tree.

    Each file is one frame of a lazy stack, like ``fabio.open_series``; see
    :func:`h5lens.nodes.image.open_series`. ``follow=True``: new files of the
    series become new frames on :meth:`~h5lens.nodes.Node.refresh`, each once complete.
    """
    from .nodes.image import open_series as open_image_series

    return _with_opener(open_image_series(first_filename_or_pattern, follow=follow))
