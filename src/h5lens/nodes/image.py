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
from collections.abc import Callable

import numpy as np

from ._base import Dataset, Group, Link, Node, NodeError, Owner
from ._headers import HeaderTable
from ._imagesource import FabioSource, SeriesSource, expand_selection, frame_indices, series_filenames

Builder = Callable[[Group], dict]


class ImageGroup(Group):
    """A group whose members come from a builder called on first listing.

    Parameters
    ----------
    builder : callable
        ``builder(group) -> {name: factory}`` where ``factory(group, name)``
        makes the member node.
    attrs : dict
        Attribute values, already decoded.
    """

    def __init__(self, name: str, path: str, parent: Node | None, builder: Builder, attrs: dict | None = None,
                 *, owner: Owner | None = None):
        super().__init__(name, path, parent, owner=owner)
        self._builder = builder
        self._members: dict | None = None
        self._attr_values = dict(attrs or {})

    def _member_map(self) -> dict:
        if self._members is None:
            self._members = self._builder(self)
        return self._members

    def _iter_names(self):
        return iter(self._member_map())

    def _cheap_len(self) -> int | None:
        # building a member map may read every header of a series (counters): only once built
        return None if self._members is None else len(self._members)

    def _make_child(self, name: str) -> Node:
        return self._member_map()[name](self, name)

    def _attr_names(self):
        return list(self._attr_values)

    def _attr_get(self, name):
        return self._attr_values[name]

    def _alias(self, name: str, path: str, parent: Node | None) -> ImageGroup:
        return ImageGroup(name, path, parent, self._builder, self._attr_values)


class FrameStack(Dataset):
    """The frames of a source as one lazy array, read frame by frame."""

    def __init__(self, name, path, parent, source, stacked: bool, attrs: dict | None = None):
        super().__init__(name, path, parent)
        self._source = source
        self._stacked = stacked
        self._attr_values = dict(attrs or {})

    @property
    def shape(self):
        frame = self._source.frame_shape
        return (self._source.nframes, *frame) if self._stacked else frame

    @property
    def dtype(self):
        return self._source.dtype

    @property
    def layout(self):
        return "external" if isinstance(self._source, SeriesSource) else "contiguous"

    def _attr_names(self):
        return list(self._attr_values)

    def _attr_get(self, name):
        return self._attr_values[name]

    def _alias(self, name, path, parent):
        return FrameStack(name, path, parent, self._source, self._stacked, self._attr_values)

    def _read(self, selection):
        selection = expand_selection(selection, len(self.shape))
        if not self._stacked:
            return self._source.frame(0, selection)
        frames, drop = frame_indices(selection[0], self._source.nframes)
        rest = selection[1:]
        parts = [self._source.frame(i, rest) for i in frames]
        if drop:
            return parts[0]
        if not parts:  # empty selection: shape of what one frame would give, zero frames
            probe = np.broadcast_to(np.zeros((), self.dtype), self._source.frame_shape)[rest]
            return np.empty((0, *probe.shape), self.dtype)
        return np.stack(parts)


class ValueDataset(Dataset):
    """A small array computed on first use (header columns, raw headers)."""

    def __init__(self, name, path, parent, compute: Callable[[], np.ndarray], attrs: dict | None = None,
                 shape: tuple | None = None, dtype=None):
        super().__init__(name, path, parent)
        self._compute = compute
        self._value: np.ndarray | None = None
        self._attr_values = dict(attrs or {})
        # when the caller knows them, listing costs no computation (a series opens every file)
        self._shape, self._dtype = shape, dtype

    def _array(self) -> np.ndarray:
        if self._value is None:
            self._value = np.asarray(self._compute())
        return self._value

    @property
    def shape(self):
        return self._shape if self._shape is not None else self._array().shape

    @property
    def dtype(self):
        return np.dtype(self._dtype) if self._dtype is not None else self._array().dtype

    def _attr_names(self):
        return list(self._attr_values)

    def _attr_get(self, name):
        return self._attr_values[name]

    def _alias(self, name, path, parent):
        return ValueDataset(name, path, parent, self._array, self._attr_values)

    def _read(self, selection):
        out = self._array()[selection]
        return out.copy() if isinstance(out, np.ndarray) else out


class AliasLink(Link):
    """A soft link inside the image tree (``image_0/data`` → the detector data)."""

    def __init__(self, name, path, parent, target: str):
        super().__init__(name, path, parent, "soft", target)

    def _resolve(self) -> Node:
        target = self.root[self.target].deref()
        return target._alias(self.name, self.path, self.parent)


def _is_spectrum(header: dict) -> bool:
    # silx's rule: two or more MCA keys mean the frames are spectra
    return sum(str(k).lower().startswith("mca") for k in header) >= 2


def _sample(header: dict) -> dict[str, np.ndarray] | None:
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


def _build_tree(source, filename: str | None) -> Group:
    """The silx-like tree over ``source``; nothing is read here."""
    table = HeaderTable(source)
    stacked = source.nframes > 1 or isinstance(source, SeriesSource)
    state: dict = {}

    def interpretation() -> str:
        if "interp" not in state:  # one header read, on first need
            state["interp"] = "spectrum" if _is_spectrum(source.header(0)) else "image"
        return state["interp"]

    def dataset(kind, key):
        return lambda g, n: ValueDataset(n, g._child_path(n), g, lambda: table.array(kind, key))

    def group(builder, attrs=None):
        return lambda g, n: ImageGroup(n, g._child_path(n), g, builder, attrs)

    def link(target):
        return lambda g, n: AliasLink(n, g._child_path(n), g, target)

    def file_members(g):
        members = {"scan_header": lambda g2, n: ValueDataset(n, g2._child_path(n), g2, table.raw_headers)}
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

    detector_path = "/scan_0/instrument/detector_0"
    detector = {
        "data": lambda g, n: FrameStack(n, g._child_path(n), g, source, stacked, {"interpretation": interpretation()}),
        "others": group(lambda g: {k: dataset("other", k) for k in table.names("other")}, {"NX_class": "NXcollection"}),
    }
    instrument = {
        "positioners": group(lambda g: {k: dataset("motor", k) for k in table.names("motor")}, {"NX_class": "NXcollection"}),
        "file": group(file_members, {"NX_class": "NXcollection"}),
        "detector_0": group(lambda g: detector, {"NX_class": "NXdetector"}),
    }

    def measurement(g):
        counters = table.names("counter")
        image = next(f"image_{i}" for i in range(len(counters) + 1) if f"image_{i}" not in counters)
        members = {image: group(lambda g2: {"data": link(detector_path + "/data"), "info": link(detector_path)})}
        members.update({k: dataset("counter", k) for k in counters})
        return members

    def nxdata_attrs():
        return {"NX_class": "NXdata", "signal": "data", "interpretation": interpretation()}

    def constant(value):
        return lambda g, n: ValueDataset(n, g._child_path(n), g, lambda: value, {"interpretation": "scalar"})

    def scan(g):
        members = {
            "instrument": group(lambda g2: instrument, {"NX_class": "NXinstrument"}),
            "measurement": group(measurement, {"NX_class": "NXcollection"}),
            "image": lambda g2, n: ImageGroup(n, g2._child_path(n), g2, lambda g3: {"data": link(detector_path + "/data")}, nxdata_attrs()),
        }
        sample = _sample(source.header(0))
        if sample is not None:
            members["sample"] = group(lambda g2: {k: constant(v) for k, v in sample.items()}, {"NX_class": "NXsample"})
        return members

    attrs = {"NX_class": "NXroot", "default": "scan_0", "creator": "h5lens", "format": source.format}
    if filename is not None:
        attrs["file_name"] = filename
    owner = Owner(filename, owns_handle=getattr(source, "owns", True), closers=[source.close])
    return ImageGroup("", "/", None, lambda g: {"scan_0": group(scan, {"NX_class": "NXentry", "default": "image"})},
                      attrs, owner=owner)


def open_image(source) -> Group:
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
        return _build_tree(FabioSource(source, getattr(source, "filename", None), owns=False), getattr(source, "filename", None))
    path = os.fspath(source)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path!r}")
    try:
        image = fabio.open(path)
    except Exception as exc:
        raise NodeError(f"{path}: fabio cannot read it as a detector image ({exc})") from exc
    try:
        frames = FabioSource(image, path, owns=True)
    except NodeError:  # already one sentence naming the file and the header key
        image.close()
        raise
    except Exception as exc:
        image.close()
        raise NodeError(f"{path}: cannot read the header of its first frame ({exc})") from exc
    return _build_tree(frames, path)


def open_series(first_or_pattern) -> Group:
    """Open a file series (one frame per file) as one tree with one lazy stack.

    Parameters
    ----------
    first_or_pattern : str, os.PathLike or list of str
        The first file (``ID19_D2H2T2_0000.edf``: following numbers are taken
        while the files exist), a glob pattern (``ID19_*.edf``, sorted) or
        an explicit list of file names.
    """
    names = series_filenames(first_or_pattern)
    try:
        source = SeriesSource(names)
    except Exception as exc:
        raise NodeError(f"fabio cannot read {names[0]!r}, first file of the series: {exc}") from exc
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


def is_image_file(path) -> bool:
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
