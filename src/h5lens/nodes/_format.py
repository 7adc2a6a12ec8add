"""The one place where labels are made.

The glance, the CLI and the widgets all show these strings (the front-end
never re-derives dtype names), so every backend and view agrees on
``2 × 540 × 640``, ``uint16``, ``float32 (big-endian)``, ``scalar``, ``empty``.

h5py is imported only when a dtype carries h5py metadata (strings, enums,
references, vlen): such a dtype cannot exist unless h5py made it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # the wire types only: nodes import nothing above them at run time
    from .._protocol import LinkInfo

#: filter id -> short name (HDF5 built-ins, h5py's LZF, the hdf5plugin set)
FILTER_NAMES = {
    1: "gzip", 2: "shuffle", 3: "fletcher32", 4: "szip", 5: "nbit", 6: "scaleoffset",
    307: "bzip2", 32000: "lzf", 32001: "blosc", 32004: "lz4", 32008: "bitshuffle",
    32013: "zfp", 32015: "zstd", 32017: "sz", 32018: "fcidecomp", 32024: "sz3",
    32026: "blosc2",
}
_COMPOUND_BUDGET = 60  # characters of field list before "…"


class Unreadable(str):
    """Placeholder value of an attribute that cannot be read (it is text, so it displays)."""

    reason: str

    def __new__(cls, reason: str) -> Unreadable:
        self = super().__new__(cls, f"<unreadable: {reason}>")
        self.reason = reason
        return self


def printable_name(name: str | bytes) -> str:
    r"""A member name safe to print: undecodable bytes shown as ``\xNN``."""
    if isinstance(name, bytes):
        name = name.decode("utf-8", "surrogateescape")
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def shape_label(shape: tuple | None) -> str:
    """``"2 × 540 × 640"``; ``"scalar"`` for ``()``; ``"empty"`` for None (null dataspace)."""
    if shape is None:
        return "empty"
    if len(shape) == 0:
        return "scalar"
    return " × ".join(str(int(n)) for n in shape)


def maxshape_label(maxshape: tuple | None) -> str:
    """``"10 × ∞"``: a dataset's maximum shape, ``∞`` for an unlimited dimension."""
    if maxshape is None:
        return "empty"
    return " × ".join("∞" if n is None else str(int(n)) for n in maxshape) if maxshape else "scalar"


def size_label(nbytes: int) -> str:
    """``"675.0 KiB"``: binary units, named as such (1 KiB = 1024 bytes), everywhere h5lens shows a size."""
    n = float(nbytes)
    if n < 1024:
        return f"{int(n)} B"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        n /= 1024
        if n < 1024 or unit == "TiB":
            break
    return f"{n:.1f} {unit}"


def filter_name(filter_id: int, stored: str | bytes | None = None) -> str:
    """Short name of a filter id, else the name stored in the file, else ``filter <id>``."""
    if filter_id in FILTER_NAMES:
        return FILTER_NAMES[filter_id]
    if isinstance(stored, bytes):
        stored = stored.decode("utf-8", "replace")
    stored = (stored or "").split(";")[0].strip()  # plugins append a URL after ';'
    return stored or f"filter {filter_id}"


def _h5py_special(dt: np.dtype) -> str | None:
    """Label of a dtype carrying h5py metadata, or None for a plain numpy dtype."""
    if not dt.metadata and dt.kind not in "OS":
        return None
    if dt.kind == "S" and not dt.metadata:
        return f"bytes[{dt.itemsize}] (ascii)"
    if "h5py" not in sys.modules and not dt.metadata:
        return "object"
    import h5py

    ref = h5py.check_ref_dtype(dt)
    if ref is not None:
        return "region reference" if ref is h5py.RegionReference else "object reference"
    info = h5py.check_string_dtype(dt)
    if info is not None:
        if info.length is None:
            return f"string ({info.encoding}, variable)"
        if info.encoding == "ascii":
            return f"bytes[{info.length}] (ascii)"
        return f"string[{info.length}] ({info.encoding})"
    enum = h5py.check_enum_dtype(dt)
    if enum is not None:
        names = ", ".join(k for k, _ in sorted(enum.items(), key=lambda kv: kv[1]))
        return _clip(f"enum {_plain(dt)} {{{names}}}")
    vlen = h5py.check_vlen_dtype(dt)
    if vlen is not None:
        return f"vlen array of {dtype_label(vlen)}"
    return "object" if dt.kind == "O" else None


def _plain(dt: np.dtype) -> str:
    """Name of a simple dtype, with its byte order when it is not the machine's."""
    if dt.kind == "b":
        return "bool"
    if dt.byteorder in "<>" and not dt.isnative:
        order = "big" if dt.byteorder == ">" else "little"
        return f"{dt.newbyteorder('=').name} ({order}-endian)"
    return str(dt.name)


def _clip(text: str, budget: int = _COMPOUND_BUDGET + 20) -> str:
    return text if len(text) <= budget else text[: budget - 2] + "…}"


def dtype_label(dtype: Any) -> str:
    """Human name of a dtype: ``uint16``, ``float32 (big-endian)``, ``compound {x: int32, …}``..."""
    dt = np.dtype(dtype)
    if dt.subdtype is not None:
        base, shape = dt.subdtype
        return f"{dtype_label(base)} [{shape_label(shape)}]"
    if dt.fields is not None and dt.names:
        parts: list[str] = []
        used = 0
        for i, name in enumerate(dt.names):
            part = f"{printable_name(name)}: {dtype_label(dt.fields[name][0])}"
            if parts and used + len(part) > _COMPOUND_BUDGET:
                parts.append(f"… {len(dt.names) - i} more")
                break
            parts.append(part)
            used += len(part) + 2
        return "compound {" + ", ".join(parts) + "}"
    special = _h5py_special(dt)
    if special is not None:
        return special
    if dt.kind == "V":
        return f"void ({dt.itemsize} bytes)"
    if dt.kind == "U":
        return f"unicode[{dt.itemsize // 4}]"
    if dt.kind in "mM":
        return str(dt)
    return _plain(dt)


def _filter_text(f: Any) -> str:
    text: str = f.name
    if f.id == 1 and f.options:  # deflate: its level is what users compare
        text = f"gzip {f.options[0]}"
    if not f.available:
        text += f" (id {f.id}, unavailable)"
    return text


def storage_label(dataset: Any) -> str:
    """``"chunked 1 × 78 × 100 · gzip 4 · shuffle"``, ``"contiguous"``, ``"compact"``, ``"virtual"``..."""
    layout = dataset.layout
    parts = [layout]
    if layout == "memory":
        parts = ["in memory"]
    if dataset.chunks:
        parts = [f"chunked {shape_label(dataset.chunks)}"]
    parts.extend(_filter_text(f) for f in dataset.filters)
    problem = getattr(dataset, "storage_problem", None)
    if problem:
        parts.append(problem)
    return " · ".join(parts)


def node_label(node: Any, follow: bool = True, count_upto: int | None = None) -> str:
    """One short description: ``"540 × 640 uint16"``, ``"3 members"``, ``"→ /target"``.

    Broken links are marked ``(broken)``, which means following them; with
    ``follow=False`` links are not followed (no external file is opened).
    ``count_upto``: a group with more members than that reads ``"more than N
    members"`` (counting a classic HDF5 group of 10^6 members takes seconds).
    """
    kind = getattr(node, "kind", "")
    if kind == "dataset":
        return f"{shape_label(node.shape)} {dtype_label(node.dtype)}"
    if kind == "group":
        n = len(node) if count_upto is None else node.count_upto(count_upto)
        if n is None:
            return f"more than {count_upto} members"
        return f"{n} member" + ("" if n == 1 else "s")
    if kind == "link":
        text = f"→ {printable_name(node.target_label)}"
        if not follow and node._resolved is None and node._error is None:
            return text
        return text if node.resolved else text + " (broken)"
    if kind == "datatype":
        return f"datatype {dtype_label(node.dtype)}"
    return kind


def description(node: Any, max_chars: int = 120) -> str | None:
    """The node's one-line description (a SPEC scan's command), printable and clipped; None if none.

    The glance, the CLI, the tree and the inspector all show this string.
    """
    try:
        text = getattr(node, "description", None)
    except Exception:  # a header that cannot be read: no description rather than a failure
        return None
    if not text:
        return None
    text = _one_line(printable_name(str(text)))
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


#: what :func:`small_value` reads at most: elements and bytes (a scalar string is one element)
SMALL_ITEMS = 16
SMALL_BYTES = 4096


def small_value(node: Any, max_items: int = SMALL_ITEMS, max_chars: int = 80,
                max_bytes: int = SMALL_BYTES) -> str | None:
    """The value of a small dataset as one line (``0.5``, ``'ascan del ...'``, ``[1, 2, 3]``), or None.

    Only scalars and 1-D datasets of at most ``max_items`` elements and
    ``max_bytes`` bytes are read (one read of the whole tiny dataset); anything
    bigger, a link, a group or a read that fails gives None: a listing never
    reads a big dataset and never fails because of a value.
    """
    if not is_small(node, max_items, max_bytes):
        return None
    try:
        value = node[()]
    except Exception:  # an unreadable value is simply not shown; the label says what the node is
        return None
    return value_preview(value, max_chars)


def is_small(node: Any, max_items: int = SMALL_ITEMS, max_bytes: int = SMALL_BYTES) -> bool:
    """Whether :func:`small_value` would read ``node``: decided from its header alone (nothing is read)."""
    if getattr(node, "kind", "") != "dataset":
        return False
    try:
        shape = node.shape
        if shape is None or len(shape) > 1 or not 0 < node.size <= max_items or node.nbytes > max_bytes:
            return False
        return not (node.dtype.kind == "V" and not node.dtype.names)  # opaque bytes mean nothing as text
    except Exception:  # a header that cannot be read: no value
        return False


def _decode_bytes(value: bytes) -> str | bytes:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return bytes(value)


def decode_value(value: Any) -> Any:
    """Byte strings → str when valid UTF-8 (element-wise for arrays); other values unchanged."""
    if isinstance(value, (bytes, np.bytes_)):
        return _decode_bytes(bytes(value))
    if isinstance(value, np.ndarray) and (value.dtype.kind == "S" or (
            value.dtype.kind == "O" and any(isinstance(v, bytes) for v in value.flat))):
        items = [_decode_bytes(bytes(v)) if isinstance(v, (bytes, np.bytes_)) else v
                 for v in value.flat]
        if all(isinstance(v, str) for v in items) and items:
            return np.array(items, dtype=str).reshape(value.shape)
        out = np.empty(value.shape, dtype=object)
        out.ravel()[:] = items if items else []
        return out
    return value


def _one_line(text: str) -> str:
    return text.replace("\r\n", "↵").replace("\n", "↵").replace("\r", "↵").replace("\t", " ")


def _element(item: Any) -> str:
    if isinstance(item, (str, bytes)):
        return repr(item.item() if isinstance(item, np.generic) else item)
    return str(item)


def value_preview(value: Any, max_chars: int = 80) -> str:
    """One line of text for any attribute or scalar value; arrays are abbreviated."""
    value = decode_value(value)
    if type(value).__name__ == "Empty":  # h5py.Empty: a null dataspace
        text = "empty"
    elif isinstance(value, str):
        text = str(value)
    elif isinstance(value, bytes):
        text = repr(value)
    elif isinstance(value, np.ndarray):
        if value.ndim == 0:
            return value_preview(value[()], max_chars)
        if value.ndim == 1 and value.size <= SMALL_ITEMS and value.dtype.kind in "fiu":
            # what array2string below prints for these, without its setup (~70 µs: a glance shows dozens)
            text = "[" + ", ".join(str(v) for v in value) + "]"
            return text if len(text) <= max_chars else text[: max_chars - 1] + "…"
        with np.printoptions(threshold=SMALL_ITEMS, edgeitems=3, linewidth=10**6):
            # numbers unpadded, floats at their own shortest precision: [0.0, 14.3712, 28.7424]
            formatter: Any = {"all": _element} if value.dtype.kind in "OSU" else \
                {"float_kind": str, "int_kind": str} if value.dtype.kind in "fiub" else None
            text = np.array2string(value, separator=", ", max_line_width=10**6, formatter=formatter)
        text = " ".join(text.split())
    elif isinstance(value, np.generic):
        if value.dtype.kind == "V" and not value.dtype.names:
            text = f"void ({value.dtype.itemsize} bytes)"
        elif value.dtype.kind == "f":
            text = str(value)  # numpy's shortest repr at the value's own precision (float32: 0.637444)
        else:
            text = str(value.item())
    else:
        text = str(value)
    text = _one_line(printable_name(text))
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def text_value(value: Any) -> str | None:
    """A str from a str/bytes value or a one-element array of one, else None (numbers are not text)."""
    if isinstance(value, np.ndarray):
        if value.size != 1:
            return None
        value = value.ravel()[0]
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, (str, np.str_)):
        return str(value)
    return None


def text_attr(node: Any, name: str) -> str | None:
    """Attribute ``name`` of ``node`` as text (:func:`text_value`); None when absent or unreadable.

    For labels, titles and hints (``units``, ``interpretation``, ``CLASS``):
    a missing or broken attribute must never stop a view.
    """
    try:
        value = node.attrs.get(name)
    except Exception:  # an unreadable attribute counts as absent
        return None
    return text_value(value)


def value_type(value: Any) -> str:
    """The type label of an attribute value: ``string``, ``bytes``, ``3 × 2 float64``, ``int32``..."""
    if isinstance(value, str):
        return "string"
    if isinstance(value, bytes):
        return "bytes"
    if isinstance(value, np.ndarray):
        return f"{shape_label(value.shape)} {dtype_label(value.dtype)}"
    if isinstance(value, np.generic):
        return dtype_label(value.dtype)
    return type(value).__name__


def link_info(link: Any, follow: bool = True) -> LinkInfo:
    """What a link is, for the tree and the inspector: type, target, and whether it is broken.

    With ``follow=False`` a link not followed yet stays so (no external file
    is opened): ``broken`` and ``error`` are None, meaning "not checked".
    """
    target = printable_name(link.target_label)
    if not follow and link._resolved is None and link._error is None:
        return {"type": link.link_type, "target": target, "broken": None, "error": None}
    return {"type": link.link_type, "target": target, "broken": not link.resolved, "error": link.error}


def table_preview(data: np.ndarray, max_columns: int = 100, max_chars: int = 60) -> tuple[list[str], list[list[str]]]:
    """``(columns, rows)`` of text cells for a table view of a 1-d or 2-d ``data`` (or records).

    Records give one column per field; a 1-d array one ``value`` column; more
    dimensions are flattened after the first, at most ``max_columns`` shown.
    """
    if data.dtype.names:
        columns = [printable_name(name) for name in data.dtype.names]
        return columns, [[value_preview(rec[name], max_chars) for name in data.dtype.names]
                         for rec in np.atleast_1d(data).ravel()]
    table = np.atleast_2d(data.reshape(data.shape[0], -1) if data.ndim > 1 else data[:, None])
    columns = ["value"] if table.shape[1] == 1 else [str(j) for j in range(min(table.shape[1], max_columns))]
    return columns, [[value_preview(v, max_chars) for v in row[:max_columns]] for row in table]
