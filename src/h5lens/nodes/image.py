"""Detector images (EDF, CBF, TIFF... through fabio) as a lazy node tree.

The layout is the one course users know from ``silx.io.fabioh5``::

    /                                   NXroot, @default = scan_0
    /scan_0                             NXentry, @default = image
    /scan_0/instrument/detector_0/data  the frames: (nframes, h, w), or (h, w) for one frame
    /scan_0/instrument/detector_0/others/<key>   other header keys, one value per frame
    /scan_0/instrument/positioners/<motor>       motor_mne/motor_pos pairs over frames
    /scan_0/instrument/file/scan_header          each frame's raw header
    /scan_0/measurement/<counter>                counter_mne/counter_pos pairs over frames
    /scan_0/measurement/image_0/{data,info}      soft links to the detector
    /scan_0/image                                NXdata, signal = data (a soft link)
    /scan_0/sample                               unit cell and UB matrix, when the header has them

Unlike ``silx.io.fabioh5``, opening converts no header value: fabio indexes
the frames (it reads each EDF header to find the next frame), frames are
read one by one when a selection touches them, and header values become
columns over frames only when positioners, counters or other keys are listed.
A single-frame file gives a 2-d ``data``; a multi-frame file or a series a 3-d one.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ._base import Group, NodeError, Owner
from ._headers import HeaderTable
from ._imagecheck import check as check_structure
from ._imagecheck import check_handle as check_structure_handle
from ._imagefollow import complete_prefix, grow, series_spec
from ._imagenodes import AliasLink, Builder, Factory, FrameStack, ImageGroup, Source, ValueDataset
from ._imagesource import FabioSource, SeriesSource, series_filenames

__all__ = ["AliasLink", "FrameStack", "ImageGroup", "ValueDataset", "is_image_file", "open_image", "open_series"]

def _is_spectrum(header: dict[str, Any]) -> bool:
    # silx's rule: two or more MCA keys mean the frames are spectra
    return sum(str(k).lower().startswith("mca") for k in header) >= 2


def _sample(header: dict[str, Any]) -> dict[str, np.ndarray[Any, Any]] | None:
    """Silx's ``sample`` group from the first header's ``UB_*``/``sample_*`` pairs, or None."""
    if not {"UB_mne", "UB_pos", "sample_mne", "sample_pos"} <= set(header):
        return None
    try:
        ub = dict(zip(str(header["UB_mne"]).split(), map(float, str(header["UB_pos"]).split())))
        cell = dict(zip(str(header["sample_mne"]).split(), map(float, str(header["sample_pos"]).split())))
        abc = np.array([cell["U0"], cell["U1"], cell["U2"]])
        angles = np.array([cell["U3"], cell["U4"], cell["U5"]])
        matrix = np.array([ub[f"UB{i}"] for i in range(9)]).reshape(1, 3, 3)
    except (KeyError, ValueError):  # incomplete or non-numeric: no sample group rather than an error
        return None
    return {"unit_cell_abc": abc, "unit_cell_alphabetagamma": angles,
            "unit_cell": np.concatenate([abc, angles])[None, :], "ub_matrix": matrix}


def _build_tree(source: Source, filename: str | None, closers: list | None = None) -> Group:
    """The silx-like tree over ``source``; nothing is read here (``closers``: run after the source's)."""
    table = HeaderTable(source)
    stacked = source.nframes > 1 or isinstance(source, SeriesSource)
    state: dict[str, str] = {}

    def interpretation() -> str:
        if "interp" not in state:  # one header read, on first need
            state["interp"] = "spectrum" if _is_spectrum(source.header(0)) else "image"
        return state["interp"]

    def dataset(kind: str, key: str) -> Factory:
        return lambda g, n: ValueDataset(n, g._child_path(n), g, lambda: table.array(kind, key))

    def group(builder: Builder, attrs: dict[str, Any] | None = None) -> Factory:
        return lambda g, n: ImageGroup(n, g._child_path(n), g, builder, attrs)

    def link(target: str) -> Factory:
        return lambda g, n: AliasLink(n, g._child_path(n), g, target)

    def columns(kind: str) -> Builder:
        return lambda g: {k: dataset(kind, k) for k in table.names(kind)}

    def file_members(g: Group) -> dict[str, Factory]:
        members: dict[str, Factory] = {
            "scan_header": lambda g2, n: ValueDataset(n, g2._child_path(n), g2, table.raw_headers)}
        if source.format == "EDF":  # computed from the layout: known even when the header does not say it
            members["header_size"] = lambda g2, n: ValueDataset(
                n, g2._child_path(n), g2,
                lambda: np.array([source.header_size(i) for i in range(source.nframes)], dtype=np.int64),
                {"units": "bytes", "long_name": "EDF header size per frame"}, (source.nframes,), np.int64)
        if isinstance(source, SeriesSource):  # every frame knows its file
            where = [source.frame_file(i) for i in range(source.nframes)]
            members["source_file"] = lambda g2, n: ValueDataset(
                n, g2._child_path(n), g2, lambda: np.array([os.path.basename(f) for f, _ in where]))
            members["source_frame"] = lambda g2, n: ValueDataset(
                n, g2._child_path(n), g2, lambda: np.array([i for _, i in where], dtype=np.int64))
        return members

    collection = {"NX_class": "NXcollection"}
    detector_path = "/scan_0/instrument/detector_0"
    detector: dict[str, Factory] = {
        "data": lambda g, n: FrameStack(n, g._child_path(n), g, source, stacked, {"interpretation": interpretation()}),
        "others": group(columns("other"), collection),
    }
    instrument: dict[str, Factory] = {
        "positioners": group(columns("motor"), collection),
        "file": group(file_members, {"NX_class": "NXcollection"}),
        "detector_0": group(lambda g: detector, {"NX_class": "NXdetector"}),
    }

    def measurement(g: Group) -> dict[str, Factory]:
        counters = table.names("counter")
        image = next(f"image_{i}" for i in range(len(counters) + 1) if f"image_{i}" not in counters)
        links = {"data": link(detector_path + "/data"), "info": link(detector_path)}
        members: dict[str, Factory] = {image: group(lambda g2: links)}
        members.update({k: dataset("counter", k) for k in counters})
        return members

    def nxdata_attrs() -> dict[str, Any]:
        return {"NX_class": "NXdata", "signal": "data", "interpretation": interpretation()}

    def constant(value: Any) -> Factory:
        return lambda g, n: ValueDataset(n, g._child_path(n), g, lambda: value, {"interpretation": "scalar"})

    frames = link(detector_path + "/data")

    def scan(g: Group) -> dict[str, Factory]:
        members: dict[str, Factory] = {
            "instrument": group(lambda g2: instrument, {"NX_class": "NXinstrument"}),
            "measurement": group(measurement, {"NX_class": "NXcollection"}),
            "image": lambda g2, n: ImageGroup(n, g2._child_path(n), g2, lambda g3: {"data": frames},
                                              nxdata_attrs()),
        }
        sample = _sample(source.header(0))
        if sample is not None:
            members["sample"] = group(lambda g2: {k: constant(v) for k, v in sample.items()}, {"NX_class": "NXsample"})
        return members

    attrs: dict[str, Any] = {"NX_class": "NXroot", "default": "scan_0", "creator": "h5lens", "format": source.format}
    if filename is not None:
        attrs["file_name"] = filename
    owner = Owner(filename, owns_handle=getattr(source, "owns", True), closers=[source.close, *(closers or [])])
    root = ImageGroup("", "/", None, lambda g: {"scan_0": group(scan, {"NX_class": "NXentry", "default": "image"})},
                      attrs, owner=owner)

    def follow() -> int:  # every node of the tree asks here: new frames make new header columns
        if isinstance(source, SeriesSource) and source.spec is not None and grow(source):
            table.reset()
        return source.generation

    root.follow, root.follow_source = follow, source
    return root


def open_image(source: Any) -> Group:
    """Open a detector image file (any format fabio reads) as a node tree.

    Parameters
    ----------
    source : str, os.PathLike or fabio.fabioimage.FabioImage
        A file name, or an image already opened with fabio (left open when
        the tree closes: its owner closes it).

    Returns
    -------
    Group
        The root; see the module docstring for the layout.
    """
    import fabio

    if isinstance(source, fabio.fabioimage.FabioImage):
        filename = getattr(source, "filename", None)
        return _build_tree(FabioSource(source, filename, owns=False), filename)
    path = os.fspath(source)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path!r}")
    check_structure(path)  # damage fabio would read forever
    try:
        image = fabio.open(path)
    except Exception as exc:
        raise NodeError(f"{path}: fabio cannot read it as a detector image "
                        f"({exc or type(exc).__name__}: damaged or truncated)") from exc
    try:
        frames = FabioSource(image, path, owns=True)
    except NodeError:  # already one sentence naming the file and the header key
        image.close()
        raise
    except Exception as exc:
        image.close()
        raise NodeError(f"{path}: cannot read the header of its first frame ({exc})") from exc
    return _build_tree(frames, path)


#: Formats read from a file-like object (a remote file): fabio's readers of these seek and read, and
#: their magic bytes are specific (fabio also takes any ``<`` as XML, which an HTML page is).
STREAM_KINDS = ("edf", "tif", "cbf")


def image_kind(start: bytes, name: str) -> str | None:
    """The fabio format name among :data:`STREAM_KINDS` for a file starting with ``start``, or None."""
    try:
        from fabio.openimage import _do_magic  # fabio's own sniffing by magic bytes (no public name)

        kind = str(_do_magic(start[:18], name))
    except Exception:  # noqa: BLE001 - fabio knows no such start (or has another layout)
        return None
    return kind if kind in STREAM_KINDS else None


def open_image_stream(handle: Any, name: str, size: int, kind: str) -> Group:
    """A detector image read by fabio from ``handle``, a seekable file-like object (a remote file).

    ``fabio.open`` reads a file-like object whole into memory; here the
    reader of format ``kind`` (:func:`image_kind`) gets the object itself, so
    fabio seeks: a multi-frame EDF reads each frame's header at open and a
    frame's pixels when it is shown. ``handle`` is closed with the tree.
    """
    import threading

    from fabio import fabioformats

    check_structure_handle(handle, size, name)
    handle.lock = threading.Semaphore()  # fabio's EDF frames lock their file around a seek and a read
    try:
        image = fabioformats.factory(f"{kind}image").read(handle)
    except Exception as exc:
        raise NodeError(f"{name}: fabio cannot read it as a detector image "
                        f"({exc or type(exc).__name__}: damaged or truncated)") from exc
    try:
        frames = FabioSource(image, name, owns=True)
    except NodeError:
        image.close()
        raise
    except Exception as exc:
        image.close()
        raise NodeError(f"{name}: cannot read the header of its first frame ({exc})") from exc
    return _build_tree(frames, name, closers=[handle.close])


def open_series(first_or_pattern: Any, follow: bool = False) -> Group:
    """Open a file series (one frame per file) as one tree with one lazy stack.

    Parameters
    ----------
    first_or_pattern : str, os.PathLike or list of str
        The first file (``ID19_D2H2T2_0000.edf``: following numbers are taken
        while the files exist), a glob pattern (``ID19_*.edf``, sorted) or
        an explicit list of file names.
    follow : bool
        Whether :meth:`~h5lens.nodes.Node.refresh` looks for new files (a
        detector writing the series): each new file, once complete, is a new frame.
    """
    names = series_filenames(first_or_pattern)
    if follow:  # the detector may be writing the last file: it joins on a refresh, once complete
        names = complete_prefix(names)
    try:
        source = SeriesSource(names)
    except Exception as exc:
        raise NodeError(f"fabio cannot read {names[0]!r}, first file of the series: {exc}") from exc
    if follow:
        source.spec = series_spec(first_or_pattern)
    return _build_tree(source, names[0])


# magic numbers that other text files share: confirm them by reading a header
_WEAK_MAGIC = (b"<", b"No", b"OD", b"IM", b"\x00" * 10)  # and every EDF one ("{")
_NOT_IMAGES = {"eiger/lima/sparse/hdf5/lambda", "hdf5", "numpy"}


def _confirm(path: str, kind: str) -> bool:
    """Whether a file with a weak magic number really is an image of that kind."""
    import fabio

    if kind == "edf":  # an EDF header has mandatory keys: parsing it is proof enough
        return bool(fabio.openheader(path).header)
    # rare formats whose two-byte magic starts plain text ("IM", "OD", "No"...): decode the pixels
    with fabio.open(path) as image:
        data = image.data
        return data is not None and data.size > 0


def is_image_file(path: Any) -> bool:
    """Whether fabio recognises ``path`` by its content (never raises).

    HDF5 files are left to the HDF5 backend even though fabio can read some.
    """
    try:
        with open(os.fspath(path), "rb") as handle:
            start = handle.read(32)
        from fabio.openimage import MAGIC_NUMBERS

        for magic, kind in MAGIC_NUMBERS:
            if start.startswith(magic):
                if kind in _NOT_IMAGES:
                    return False
                if kind == "edf" or magic in _WEAK_MAGIC:
                    return _confirm(os.fspath(path), kind)
                return True
        return False
    except Exception:
        return False
