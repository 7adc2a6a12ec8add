"""Frame sources behind the detector-image tree: one fabio file or a file series.

A source answers four questions lazily: how many frames, what shape and dtype
one frame has (from the first frame only), the header of frame ``i`` and the
pixels of frame ``i``. Headers of every frame are gathered only when asked for
(positioners, counters, other header keys), so opening and listing stay cheap
even for long series.

Uncompressed EDF frames are read straight from the file through a read-only
memory map: fabio caches every frame it decodes (memory would grow with each
frame viewed) and silently pads a frame whose header claims more bytes than
the file holds. Here a selection touches only the pages it needs and a lying
header gives a clear :class:`NodeError`.

:func:`expand_selection` and :func:`frame_indices` split an h5py-style
selection into the frames it touches and the part applied within each frame.
"""

from __future__ import annotations

import glob
import mmap
import os
import re
import threading
from typing import Any, BinaryIO

import numpy as np

from ._base import NodeError
from ._imagecheck import check as check_structure


def _edf_layout(frame: Any) -> tuple[int, tuple[int, ...], np.dtype[Any]] | None:
    """(offset, shape, dtype) of an EDF frame stored uncompressed in its own file, else None."""
    if getattr(frame, "_data_compression", "x") is not None or getattr(frame, "bfname", "x") is not None:
        return None
    start, shape, dtype = getattr(frame, "start", None), getattr(frame, "shape", None), frame.dtype
    if start is None or shape is None or dtype is None:
        return None
    byteorder = getattr(frame.byteorder, "value", frame.byteorder)  # fabio's ENDIANNESS enum
    order = {"<": "<", ">": ">"}.get(str(byteorder), "=")
    return start, tuple(int(n) for n in shape), np.dtype(dtype).newbyteorder(order)


def _no_data(frame: Any) -> bool:
    """Whether fabio kept no pixels nor layout for ``frame`` (it failed to decode the file)."""
    try:
        return frame.dtype is None or frame.shape is None
    except AttributeError:  # fabio derives both from ``data``, which is None
        return True


def _plain_file(frame: Any) -> bool:
    """Whether file offsets are byte offsets on disk (not in a .gz/.bz2 stream)."""
    from fabio.fabioutils import File

    return type(getattr(frame, "file", None)) is File


#: A frame declaring more bytes than this is refused at open (256 TiB: no detector writes that).
MAX_FRAME_BYTES = 1 << 48


def checked_shape(shape: Any, dtype: Any, header: Any, filename: str | None) -> tuple[int, ...]:
    """The frame shape as ints, or a :class:`NodeError` naming the header key of a negative or absurd size.

    EDF headers give ``Dim_1`` (fastest axis) to ``Dim_n``: axis ``i`` of an
    ``n``-d frame is ``Dim_{n-i}``.
    """
    dims = tuple(int(n) for n in shape)
    keys = {str(k).lower(): str(k) for k in (header or {})}
    for axis, n in enumerate(dims):
        key = keys.get(f"dim_{len(dims) - axis}")
        where = f"header key {key} = {header[key]}" if key else f"dimension {axis} = {n}"
        if n < 0:
            raise NodeError(f"{filename}: the image header declares a negative size ({where.strip()})")
    nbytes = int(np.prod(dims, dtype=object)) * np.dtype(dtype).itemsize
    if nbytes > MAX_FRAME_BYTES:
        named = ", ".join(f"{keys[k]} = {header[keys[k]]}" for k in sorted(keys) if k.startswith("dim_"))
        raise NodeError(f"{filename}: the image header declares an absurd frame of {nbytes} bytes "
                        f"({named or ' × '.join(map(str, dims))})")
    return dims


def _declared(shape: tuple[int, ...], dtype: np.dtype[Any]) -> str:
    return f"{' × '.join(map(str, shape))} {dtype.name}"


class FabioSource:
    """Frames of one fabio image (single or multi-frame, any fabio format).

    Parameters
    ----------
    image : fabio.fabioimage.FabioImage
        An opened image.
    filename : str or None
        Its file (None for an in-memory image).
    owns : bool
        Whether closing the source closes ``image`` (True when we opened it).
    """

    def __init__(self, image: Any, filename: str | None, owns: bool):
        self.image = image
        self.filename = filename
        self.owns = owns
        self.nframes = int(image.nframes)
        self._headers: dict[int, dict[str, Any]] = {}
        self._file: BinaryIO | None = None
        self._map: mmap.mmap | bytes | None = None
        self._lock = threading.Lock()  # widgets may read from several threads: map the file once
        self.format = type(image).__name__.replace("Image", "").replace("image", "").upper() or "IMAGE"
        #: header keys describing the binary layout (Dim_1, DataType...), not the experiment
        self.reserved = {str(k).upper() for k in getattr(image, "RESERVED_HEADER_KEYS", ())}
        first = self._frame_object(0)
        if _no_data(first):  # fabio logged why and kept no data
            raise NodeError(f"{filename}: fabio found no readable image in it (truncated or damaged "
                            f"{self.format} file)")
        self.dtype: np.dtype[Any] = np.dtype(first.dtype)
        self.frame_shape = checked_shape(first.shape, self.dtype, getattr(first, "header", {}), filename)

    def _frame_object(self, index: int) -> Any:
        # EDF frames carry their file offset and layout; other formats hold
        # a single decoded frame in the image itself
        if self.nframes == 1 and not hasattr(self.image, "_frames"):
            return self.image
        return self.image.get_frame(index)

    def header_size(self, index: int) -> int | None:
        """Bytes of frame ``index``'s header, computed from the file layout (EDF); None for other formats.

        Counted from the end of the previous frame's data (or the file start)
        to this frame's data, so it is known whether or not the header says
        ``EDF_HeaderSize``.
        """
        frame = self._frame_object(index)
        start = getattr(frame, "start", None)
        if start is None or not hasattr(frame, "blobsize"):
            return None
        if index == 0:
            return int(start)
        before = self._frame_object(index - 1)
        return int(start - (before.start + before.blobsize))

    def header(self, index: int) -> dict[str, Any]:
        """Header of frame ``index`` (fabio keeps every EDF header after opening)."""
        if index not in self._headers:
            self._headers[index] = dict(self._frame_object(index).header)
        return self._headers[index]

    def _mapped(self, filename: str) -> mmap.mmap | bytes:
        with self._lock:
            if self._map is None:
                self._file = handle = open(filename, "rb")
                size = os.fstat(handle.fileno()).st_size
                self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        return self._map

    def frame(self, index: int, selection: Any = ()) -> np.ndarray[Any, Any]:
        """Pixels ``selection`` of frame ``index`` (numpy indexing within the frame)."""
        frame = self._frame_object(index)
        layout = _edf_layout(frame) if hasattr(frame, "blobsize") else None
        if layout is not None:
            start, shape, dtype = layout
            need = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            blobsize = getattr(frame, "blobsize", None)
            if blobsize is not None and need > blobsize:  # fabio would pad the frame with zeros
                raise NodeError(
                    f"EDF header of frame {index} in {self.filename!r} declares "
                    f"{_declared(shape, dtype)} ({need} bytes) but a data block of {blobsize} bytes"
                )
        if layout is None or not self.filename or not _plain_file(frame):
            if getattr(frame, "incomplete_data", False):
                raise NodeError(f"frame {index} of {self.filename!r} is truncated: the file ends inside its data")
            data = frame.data
            if data is None:
                raise NodeError(f"fabio could not decode frame {index} of {self.filename!r}")
            pixels: np.ndarray[Any, Any] = np.asarray(data)[selection]
            return pixels
        buffer = self._mapped(self.filename)
        if start + need > len(buffer):
            raise NodeError(
                f"EDF header of frame {index} in {self.filename!r} declares {_declared(shape, dtype)} "
                f"({need} bytes from offset {start}) but the file holds only {max(len(buffer) - start, 0)} bytes there"
            )
        view = np.ndarray(shape, dtype=dtype, buffer=buffer, offset=start)
        out = np.array(view[selection], dtype=dtype.newbyteorder("="))  # copy: the map may close
        del view
        return out

    #: a single file is read as opened; a followed series grows (see :mod:`._imagefollow`)
    generation = 0

    def close(self) -> None:
        if self._map is not None and not isinstance(self._map, bytes):
            try:
                self._map.close()
            except BufferError:  # a view still alive: the map goes with the file
                pass
        if self._file is not None:
            self._file.close()
        if self.owns:
            self.image.close()


class SeriesSource:
    """The frames of a file series, in file order: one lazy stack (``img_0000.edf`` ...).

    Files may hold one frame each (the usual series: the others are opened
    only when one of their frames or headers is asked for) or several (when
    the first file holds several, every file is opened once here to count
    its frames). Every frame knows its file: :meth:`frame_file`.
    """

    def __init__(self, filenames: list[str]):
        import fabio

        if not filenames:
            raise FileNotFoundError("empty file series")
        self.filenames = list(filenames)
        self.filename = self.filenames[0]
        self._fabio = fabio
        self._headers: dict[int, dict[str, Any]] = {}
        check_structure(self.filename)
        with fabio.open(self.filename) as first:
            probe = FabioSource(first, self.filename, owns=False)
            self.format, self.reserved = probe.format, probe.reserved
            self.dtype = probe.dtype
            self.frame_shape = probe.frame_shape
            counts = [probe.nframes]
            self._headers[0] = probe.header(0)
        if counts[0] > 1:  # multi-frame members: count every file's frames now
            for name in self.filenames[1:]:
                try:
                    with fabio.open(name) as image:
                        counts.append(int(image.nframes))
                except Exception as exc:
                    raise NodeError(f"fabio cannot read {name!r}, member of the series of {self.filename!r}: "
                                    f"{exc}") from exc
        else:
            counts += [1] * (len(self.filenames) - 1)  # checked when each file is read
        self.counts = counts
        self.starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.nframes = int(self.starts[-1])
        #: following (see :mod:`._imagefollow`): what to list again (None: not followed), bumped when frames come
        self.spec: Any = None
        self.generation = 0
        self.problem: str | None = None
        self.waiting: str | None = None
        self.stalls: dict[str, tuple[int, float, bool]] = {}  # incomplete file: (size, since, left out)

    def frame_file(self, index: int) -> tuple[str, int]:
        """``(file name, frame index inside that file)`` of series frame ``index``."""
        member = int(np.searchsorted(self.starts, index, side="right")) - 1
        return self.filenames[member], int(index - self.starts[member])

    def _open(self, index: int) -> tuple[Any, str, int]:
        name, local = self.frame_file(index)
        try:
            check_structure(name)
            image = self._fabio.open(name)
        except Exception as exc:
            raise NodeError(f"cannot open {name!r} (series frame {index}): {exc}") from exc
        return image, name, local

    def header(self, index: int) -> dict[str, Any]:
        if index not in self._headers:
            name, local = self.frame_file(index)
            try:
                if self.counts[0] == 1:  # one frame per file: the header alone is enough
                    self._headers[index] = dict(self._fabio.openheader(name).header)
                else:
                    with self._fabio.open(name) as image:
                        self._headers[index] = FabioSource(image, name, owns=False).header(local)
            except Exception as exc:
                raise NodeError(f"cannot read the header of {name!r} (series frame {index}): {exc}") from exc
        return self._headers[index]

    def header_size(self, index: int) -> int | None:
        image, name, local = self._open(index)
        with image:
            return FabioSource(image, name, owns=False).header_size(local)

    def frame(self, index: int, selection: Any = ()) -> np.ndarray[Any, Any]:
        image, name, local = self._open(index)
        with image:
            source = FabioSource(image, name, owns=False)
            try:
                member = int(np.searchsorted(self.starts, index, side="right")) - 1
                if source.nframes != self.counts[member]:
                    raise NodeError(f"{name!r} holds {source.nframes} frames, the series expects "
                                    f"{self.counts[member]} there")
                if source.frame_shape != self.frame_shape:
                    raise NodeError(
                        f"{name!r} holds a {source.frame_shape} frame, the series expects {self.frame_shape}"
                    )
                return source.frame(local, selection)
            finally:
                source.close()

    def close(self) -> None:
        """Nothing stays open between reads."""


_NUMBERED = re.compile(r"^(?P<stem>.*?)(?P<num>\d+)(?P<ext>(\.[A-Za-z][A-Za-z0-9]*)*)$")


def series_filenames(first_or_pattern: Any) -> list[str]:
    """Files of a series from its first file name, a glob pattern or a list.

    From a first file ``name_0000.edf`` the number is incremented (keeping its
    zero padding) while the next file exists. Every member must be a regular
    file (a named pipe would block the first read forever).
    """
    from ._paths import require_file

    names = _series_names(first_or_pattern)
    for name in names:
        require_file(name, "file series member")
    return names


def _series_names(first_or_pattern: Any) -> list[str]:
    if isinstance(first_or_pattern, (list, tuple)):
        names = [os.fspath(n) for n in first_or_pattern]
        missing = [n for n in names if not os.path.exists(n)]
        if missing:
            raise FileNotFoundError(f"file series member not found: {missing[0]!r}")
        return names
    text = os.fspath(first_or_pattern)
    if glob.has_magic(text):
        names = sorted(glob.glob(text))
        if not names:
            raise FileNotFoundError(f"no file matches the series pattern {text!r}")
        return names
    if not os.path.exists(text):
        raise FileNotFoundError(f"first file of the series not found: {text!r}")
    folder, base = os.path.split(text)
    match = _NUMBERED.match(base)
    if match is None:
        return [text]
    stem, num, ext = match["stem"], match["num"], match["ext"]
    names, n = [text], int(num) + 1
    while True:
        candidate = os.path.join(folder, f"{stem}{n:0{len(num)}d}{ext}")
        if not os.path.exists(candidate):
            return names
        names.append(candidate)
        n += 1


def numbered_groups(names: list[str]) -> dict[tuple[str, str], list[str]]:
    """Numbered file names grouped by stem and extension, each group in numeric order."""
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for name in names:
        match = _NUMBERED.match(name)
        if match is not None:
            groups.setdefault((match["stem"], match["ext"]), []).append((int(match["num"]), name))
    return {key: [n for _, n in sorted(found)] for key, found in groups.items()}


def expand_selection(selection: Any, ndim: int) -> tuple[Any, ...]:
    """Selection as a tuple of exactly ``ndim`` items (Ellipsis expanded)."""
    items = selection if isinstance(selection, tuple) else (selection,)
    if any(item is None for item in items):
        raise TypeError("new axes (None) are not supported in a dataset selection")
    ellipses = sum(item is Ellipsis for item in items)
    if ellipses > 1:
        raise IndexError("a selection can hold only one Ellipsis")
    explicit = sum(1 for item in items if item is not Ellipsis)
    if explicit > ndim:
        raise IndexError(f"too many indices ({explicit}) for a {ndim}-dimensional dataset")
    fill = (slice(None),) * (ndim - explicit)
    if ellipses:
        at = next(i for i, item in enumerate(items) if item is Ellipsis)
        return items[:at] + fill + items[at + 1 :]
    return items + fill


def frame_indices(item: Any, nframes: int) -> tuple[list[int], bool]:
    """Frames touched by the first selection item, and whether that axis drops."""
    if isinstance(item, slice):
        return list(range(*item.indices(nframes))), False
    if isinstance(item, (int, np.integer)):
        index = int(item) + nframes if item < 0 else int(item)
        if not 0 <= index < nframes:
            raise IndexError(f"frame {int(item)} is out of range for {nframes} frames")
        return [index], True
    array = np.asarray(item)
    if array.dtype == bool:
        if array.shape != (nframes,):
            raise IndexError(f"a boolean frame mask needs shape ({nframes},), not {array.shape}")
        return [int(i) for i in np.flatnonzero(array)], False
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise TypeError(f"cannot select frames with {item!r}")
    indices = [int(i) + nframes if i < 0 else int(i) for i in array]
    if any(not 0 <= i < nframes for i in indices):
        raise IndexError(f"frame list {array.tolist()} is out of range for {nframes} frames")
    return indices, False
