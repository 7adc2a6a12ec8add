"""Convert detector images (EDF, CBF, TIFF... via fabio) and SPEC files to HDF5/NeXus.

Every input image file contributes its frames, in order, to one stack
``/entry/instrument/detector/data`` (a series of single-frame files, a
multi-frame file, or several of both); each SPEC scan becomes an NXentry.
See :mod:`._nexus_layout` for the layout. Frames are read and written one
chunk at a time, so memory holds at most ``frames_per_chunk`` frames, and the
output appears atomically (:mod:`.atomic`): an interrupted conversion leaves
no output, or the previous one untouched.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ._filters import check_compression, parse_compression
from ._nexus_layout import image_entry, safe_name, scan_entry
from ._spec import name_problem
from ._stack import ConvertError, ImageStack
from .builder import TreeBuilder

_BLOCK_BYTES = 64 << 20  # SPEC datasets are copied in row blocks of about this size


def convert(inputs: str | os.PathLike | Iterable, output: str | os.PathLike, *, frames_per_chunk: int = 1,
            compression: Any = None, dtype: Any = None, overwrite: bool = False,
            progress: bool = True, client: Any = None, entry: str = "entry",
            data_path: str | None = None) -> Path:
    """Convert image files and SPEC files into one HDF5/NeXus file.

    Parameters
    ----------
    inputs : path-like or list of path-likes
        Image files (anything fabio reads), SPEC files, or glob patterns
        (``"scan_*.edf"``, sorted). Image frames are stacked in input order.
    output : path-like
        The HDF5 file to write (atomically), or a ``*.zarr`` store: Zarr v3
        with the same tree (see :mod:`._tozarr` for how links are kept).
    frames_per_chunk : int
        Frames per HDF5 chunk of the image stack (default 1: one frame per chunk).
    compression : None, "gzip", ("gzip", level), "lzf", "bitshuffle", "blosc", "zstd", "lz4"
        Filter of the image stack (bitshuffle/blosc/zstd/lz4 through hdf5plugin).
    dtype : dtype, optional
        Store frames with this dtype (default: the input's, unchanged).
    overwrite : bool
        Replace ``output`` if it exists.
    progress : bool
        Show a progress bar (tqdm; a widget in notebooks).
    entry : str
        Name of the image entry (default ``entry``).
    data_path : str, optional
        Where the frames go (``/scan/data/frames``, or relative to the entry);
        default ``/<entry>/instrument/detector/data``. The detector's
        ``data`` and the NXdata signal link to it.
    client : None, dask.distributed.Client or "local"
        Decode the image frames on a dask cluster (``"local"``: a LocalCluster
        for this call); this process still writes the file, in order and
        atomically. Needs ``h5lens[dask]``.

    Returns
    -------
    pathlib.Path
        The output file.
    """
    from ._h5write import write_plan
    from .atomic import atomic_h5, check_free_space
    from .zarrout import is_zarr

    if is_zarr(output):
        return _to_zarr(inputs, Path(output).absolute(), overwrite=overwrite, frames_per_chunk=frames_per_chunk,
                        compression=compression, dtype=dtype, progress=progress, client=client, entry=entry,
                        data_path=data_path)
    names = _expand(inputs)
    if not isinstance(frames_per_chunk, (int, np.integer)) or isinstance(frames_per_chunk, bool) \
            or frames_per_chunk < 1:
        raise ValueError(f"frames_per_chunk must be a positive integer, not {frames_per_chunk!r}")
    problem = check_compression(compression)
    if problem:
        raise ValueError(problem)
    dtype = None if dtype is None else np.dtype(dtype)
    output = Path(output).absolute()
    if output.exists() and not overwrite:
        raise FileExistsError(f"{str(output)!r} exists; pass overwrite=True (--overwrite) to replace it")
    if any(os.path.exists(n) and os.path.samefile(n, output) for n in names if output.exists()):
        raise ConvertError(f"the output {str(output)!r} is also an input")

    images, specs = _classify(names)
    b = TreeBuilder(attrs={"NX_class": "NXroot", "creator": "h5lens convert",
                           "file_name": output.name, "source_files": [os.path.basename(n) for n in names]})
    taken: set[str] = set()
    stack, image_name = None, None
    problem = name_problem(entry)
    if problem:
        raise ValueError(f"entry: {problem}")
    if images:
        stack = ImageStack(images, dtype)
        image_name = safe_name(entry, taken)
        stack.path = image_entry(b, image_name, shape=stack.shape, dtype=stack.dtype,
                                 frames_per_chunk=int(frames_per_chunk), compression=compression,
                                 columns=stack.columns, source_files=stack.frame_files, title=stack.title,
                                 data_path=data_path)
    later: list[tuple[str, Any]] = []
    spec_trees = []
    try:
        for name in specs:
            from ..nodes.spec import open_spec

            tree = open_spec(name)
            spec_trees.append(tree)
            prefix = "" if len(specs) == 1 else Path(name).stem + "_"
            for key in tree.keys():
                later += scan_entry(b, tree[key], safe_name(prefix + key, taken))
        if not taken:
            raise ConvertError(f"nothing to convert: no image frames and no SPEC scans in {names}")
        first = image_name if stack is not None else None  # the image entry first, then scans in order
        b.set_attrs("/", default=sorted(taken, key=lambda t: (t != first, _scan_order(t)))[0])
        todo = b.validate()
        if stack is not None and compression is None:
            check_free_space(output.parent, stack.total * int(np.prod(stack.frame_shape)) * stack.dtype.itemsize)
        with _cluster(client) as cl, atomic_h5(output, overwrite=overwrite) as h5file:
            write_plan(h5file, todo)
            if stack is not None:
                stack.write(h5file[stack.path], int(frames_per_chunk), progress, client=cl, label=str(output))
            for path, node in later:
                _copy_blocks(node, h5file[path])
    finally:
        for tree in spec_trees:
            tree.close()
    return output


def _to_zarr(inputs: Any, output: Path, *, overwrite: bool, **options: Any) -> Path:
    """The NeXus file built as for HDF5 output in a temporary folder, then copied into a Zarr v3 store."""
    import tempfile

    from ._tozarr import hdf5_to_zarr
    from .zarrout import require_zarr

    require_zarr()  # before any work: says which extra is missing
    if output.exists() and not overwrite:
        raise FileExistsError(f"{str(output)!r} exists; pass overwrite=True (--overwrite) to replace it")
    with tempfile.TemporaryDirectory(prefix=".h5lens-convert-", dir=output.parent) as folder:
        staged = convert(inputs, Path(folder) / (output.stem + ".h5"), **options)
        return hdf5_to_zarr(staged, output, overwrite=overwrite, root_attrs={"file_name": output.name})


def _cluster(client: Any) -> Any:
    if client is None:
        return contextlib.nullcontext(None)
    from ..cluster._client import resolved

    return resolved(client)


def _scan_order(name: str):
    head = name.rsplit("_", 1)[-1].split(".")[0]
    return (0, int(head), name) if head.isdigit() else (1, 0, name)


def _expand(inputs) -> list[str]:
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    names: list[str] = []
    for item in inputs:
        text = os.fspath(item)
        if glob.has_magic(text) and not os.path.exists(text):
            found = sorted(glob.glob(text))
            if not found:
                raise FileNotFoundError(f"no file matches {text!r}")
            names += found
        elif not os.path.exists(text):
            raise FileNotFoundError(f"no such file: {text!r}")
        elif os.path.isdir(text):
            raise ConvertError(f"{text!r} is a directory; give the files (or a pattern such as {text}/*.edf)")
        else:
            names.append(text)
    if not names:
        raise ConvertError("no input files")
    return names


def _is_spec(path: str) -> bool:
    """SPEC files are text whose lines start with ``#F``, ``#E``, ``#S``... (checked in the first 64 kB)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536)
    except OSError:
        return False
    if b"\x00" in head:
        return False
    return any(line.startswith((b"#S ", b"#F ")) for line in head.splitlines())


def _classify(names: list[str]) -> tuple[list[str], list[str]]:
    from ..nodes.image import is_image_file

    images, specs = [], []
    for name in names:
        if is_image_file(name):
            images.append(name)
        elif _is_spec(name):
            specs.append(name)
        else:
            raise ConvertError(f"cannot convert {name!r}: not a detector image fabio reads, nor a SPEC file")
    return images, specs


def _copy_blocks(node, target) -> None:
    """Copy a big dataset node row block by row block (bounded memory)."""
    row = max(1, node.nbytes // max(1, node.shape[0]))
    step = max(1, _BLOCK_BYTES // row)
    for start in range(0, node.shape[0], step):
        target[start:start + step] = node[start:start + step]


def cli_main(argv: list[str]) -> int:
    """``h5lens convert INPUT... -o OUT.h5 [options]``; returns the exit code.

    Exit codes: 0 done, 2 bad command line or inputs (missing, unknown
    format, output exists), 1 any other failure. Errors are one line on
    stderr (``H5LENS_DEBUG=1`` shows the traceback).
    """
    p = argparse.ArgumentParser(prog="h5lens convert",
                                description="Convert EDF/CBF/TIFF images (files, multi-frame files, series) "
                                            "and SPEC files into one HDF5 file laid out with NeXus classes.")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="image or SPEC files, or glob patterns")
    p.add_argument("-o", "--output", required=True, metavar="OUT.h5",
                   help="HDF5 file to write, or a *.zarr store (Zarr v3)")
    p.add_argument("--chunk-frames", type=int, default=1, metavar="N", help="frames per chunk (default: 1)")
    p.add_argument("--compression", default="none", metavar="SPEC",
                   help="none (default), gzip[:LEVEL], lzf, bitshuffle, blosc, zstd or lz4")
    p.add_argument("--dtype", default=None, help="store frames as this dtype (default: unchanged)")
    p.add_argument("--entry", default="entry", metavar="NAME", help="name of the image entry (default: entry)")
    p.add_argument("--data-path", default=None, metavar="PATH",
                   help="where the frames go, e.g. /scan/data/frames (default: /ENTRY/instrument/detector/data)")
    p.add_argument("--overwrite", action="store_true", help="replace OUT.h5 if it exists")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    try:
        args = p.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    try:
        if args.chunk_frames < 1:
            raise ConvertError(f"--chunk-frames must be >= 1, not {args.chunk_frames}")
        compression = parse_compression(args.compression)
        out = convert(args.inputs, args.output, frames_per_chunk=args.chunk_frames, compression=compression,
                      dtype=args.dtype, overwrite=args.overwrite, progress=not args.quiet, entry=args.entry,
                      data_path=args.data_path)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("H5LENS_DEBUG"):
            raise
        bad_input = isinstance(exc, (ConvertError, FileNotFoundError, FileExistsError, ValueError, TypeError))
        print(f"h5lens convert: error: {' '.join(str(exc).split()) or type(exc).__name__}", file=sys.stderr)
        return 2 if bad_input else 1
    if not args.quiet:
        print(f"wrote {out}", file=sys.stderr)
    return 0
