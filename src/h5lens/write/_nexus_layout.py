"""The NeXus layout :func:`h5lens.convert` writes, declared on a TreeBuilder.

Images (one entry for every input image file, frames stacked in order)::

    /                                      NXroot   @default = entry
    /entry                                 NXentry  @default = data
    /entry/title, /entry/program_name
    /entry/instrument                      NXinstrument
    /entry/instrument/detector             NXdetector
    /entry/instrument/detector/data        (nframes, h, w)  @interpretation = image
    /entry/instrument/detector/source_file one name per frame
    /entry/instrument/detector/header/<key>   other header keys, one value per frame
    /entry/instrument/positioners/<motor>  NXcollection, one value per frame
    /entry/measurement/<counter>           NXcollection, one value per frame
    /entry/data                            NXdata  @signal = data  @axes = [frame_index, ., .]
    /entry/data/data                       soft link to the detector data

SPEC: one NXentry per scan (silx's names, ``94.1``), the silx.io.spech5
content copied with what :mod:`h5lens.nodes._spec_scan` adds: the scan's
default NXdata ``plot`` (the last counter against the first column, the other
counters as auxiliary signals; the MCA spectra against energy for a scan with
no counters), ``instrument/mca_i/energy`` and header values.
"""

from __future__ import annotations

import numpy as np

from .builder import TreeBuilder

NXENTRY = {"NX_class": "NXentry", "default": "data"}
SMALL_BYTES = 16 << 20  # SPEC datasets above this are copied block by block after the tree is written


def safe_name(name: str, taken: set[str]) -> str:
    """``name`` usable as an HDF5 member (no ``/``, not ``.``), unique within ``taken``."""
    text = str(name).replace("/", "_").strip() or "_"
    if text in (".", ".."):
        text = "_" + text
    candidate, n = text, 1
    while candidate in taken:
        n += 1
        candidate = f"{text}_{n}"
    taken.add(candidate)
    return candidate


def image_entry(b: TreeBuilder, entry: str, *, shape: tuple, dtype, frames_per_chunk: int,
                compression, columns: dict[str, dict[str, np.ndarray]], source_files: list[str],
                title: str, data_path: str | None = None) -> str:
    """Declare an image entry; return the path of the (empty) frame dataset to fill.

    ``data_path`` puts the frames elsewhere (absolute, or relative to the
    entry); the detector's ``data`` and the NXdata signal then link to it.
    """
    e = f"/{entry}"
    det = f"{e}/instrument/detector"
    frames = f"{det}/data"
    if data_path:
        frames = data_path if data_path.startswith("/") else f"{e}/{data_path}"
    stacked = len(shape) == 3
    chunks: tuple[int, ...] | None
    if stacked:
        chunks = (max(1, min(frames_per_chunk, shape[0])),) + tuple(shape[1:])
    else:
        chunks = tuple(shape) if compression is not None else None
    b.group(e, attrs=NXENTRY)
    b.dataset(f"{e}/title", title)
    b.dataset(f"{e}/program_name", "h5lens convert")
    b.group(f"{e}/instrument", attrs={"NX_class": "NXinstrument"})
    b.group(det, attrs={"NX_class": "NXdetector"})
    b.dataset(frames, shape=shape, dtype=dtype, chunks=chunks, compression=compression,
              attrs={"interpretation": "image"})
    if frames != f"{det}/data":
        b.soft_link(f"{det}/data", frames)
    b.dataset(f"{det}/source_file", source_files)
    for kind, where, nx in (("other", f"{det}/header", "NXcollection"),
                            ("motor", f"{e}/instrument/positioners", "NXcollection"),
                            ("counter", f"{e}/measurement", "NXcollection")):
        b.group(where, attrs={"NX_class": nx})
        taken: set[str] = set()
        for name, values in columns.get(kind, {}).items():
            b.dataset(f"{where}/{safe_name(name, taken)}", values)
    axes = ["frame_index", ".", "."] if stacked else [".", "."]
    b.group(f"{e}/data", attrs={"NX_class": "NXdata", "signal": "data", "axes": axes, "interpretation": "image"})
    b.soft_link(f"{e}/data/data", frames)
    if stacked:
        b.dataset(f"{e}/data/frame_index", np.arange(shape[0]), attrs={"long_name": "frame index"})
    return frames


def scan_entry(b: TreeBuilder, scan, entry: str) -> list[tuple[str, object]]:
    """Declare the copy of a SPEC scan node as NXentry ``entry``.

    Datasets up to :data:`SMALL_BYTES` are copied now; bigger ones are
    declared empty and returned as ``(path, source node)`` to be copied in blocks.
    """
    e = f"/{entry}"
    old = scan.path.rstrip("/") + "/"
    later: list[tuple[str, object]] = []
    attrs = {k: v for k, v in scan.attrs.items()}
    own = attrs.get("default")  # the SPEC backend's plot (counters vs motor, or MCA vs energy)
    b.group(e, attrs={**attrs, **NXENTRY, **({"default": own} if own in scan.keys() else {})})
    for node in scan.walk():
        path = e + node.path[len(scan.path.rstrip("/")):]
        if node.kind == "link":
            target = node.target
            if target.startswith(old):
                target = e + "/" + target[len(old):]
            b.soft_link(path, target)
        elif node.kind == "group":
            b.group(path, attrs=dict(node.attrs))
        elif node.dtype.kind in "biufc" and node.nbytes > SMALL_BYTES and node.ndim >= 1:
            b.dataset(path, shape=node.shape, dtype=node.dtype, attrs=dict(node.attrs))
            later.append((path, node))
        else:
            b.dataset(path, _text_values(node[()]), attrs=dict(node.attrs))
    if own in scan.keys():
        return later
    counters = [n for n in scan.get("measurement", {}).keys() if _is_column(scan, n)] \
        if scan.get("measurement") is not None else []
    if counters:
        plot = "data" if "data" not in scan.keys() else "plot"
        signal, axis = counters[-1], counters[0]
        nxdata = {"NX_class": "NXdata", "signal": signal, "title": f"{signal} vs {axis}"}
        if axis != signal:
            nxdata["axes"] = [axis]
            b.soft_link(f"{e}/{plot}/{axis}", f"{e}/measurement/{axis}")
        b.group(f"{e}/{plot}", attrs=nxdata)
        b.soft_link(f"{e}/{plot}/{signal}", f"{e}/measurement/{signal}")
        b.group(e, attrs={"default": plot})
    return later


def _is_column(scan, name: str) -> bool:
    node = scan["measurement"].child(name)
    return node.kind == "dataset" and node.ndim == 1


def _text_values(value):
    """Silx gives text as bytes or object arrays of bytes: store them as UTF-8 text."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.dtype.kind in "OS":
        return np.array([v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                         for v in value.ravel()], dtype=object).reshape(value.shape)
    return value
