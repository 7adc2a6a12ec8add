"""Arrays → ``(header, buffers)`` that a browser can read without guessing.

The front-end only knows JavaScript's typed arrays, so every numpy dtype is
mapped onto one of them by an explicit table (:data:`JS_TYPES`); the header
says what was done so nothing is silently misread:

========================  =====================  ==========================
numpy                     wire ``dtype``         header flags
========================  =====================  ==========================
int8/16/32, uint8/16/32   same                   –
float32, float64          same                   –
float16                   float32                –
big-endian anything       little-endian same     –
bool                      uint8                  ``bool: true``
int64, uint64             float64                ``int64: true``; ``lossy: true``
                                                 when a value exceeds 2**53
complex64 / complex128    float32 / float64      ``complex: true``; real and
                                                 imaginary parts interleaved
bytes / str / object      ``string``             values in ``header["values"]``
========================  =====================  ==========================

int64 policy: JavaScript numbers are float64 and BigInt64Array arithmetic
does not mix with numbers, so 64-bit integers travel as float64. Values up to
2**53 stay exact; beyond, the header carries ``lossy: true`` so the front-end
can say so. Compound, void and datetime dtypes raise :class:`TypeError`.

Buffers are ``memoryview``s over C-contiguous little-endian data; a copy is
made only when the input is not already in that form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np

if TYPE_CHECKING:
    from ._protocol import WireArray

#: numpy kind+itemsize → JavaScript typed-array element type (wire dtype).
JS_TYPES = {
    "i1": "int8", "i2": "int16", "i4": "int32", "i8": "float64",
    "u1": "uint8", "u2": "uint16", "u4": "uint32", "u8": "float64",
    "f2": "float32", "f4": "float32", "f8": "float64",
    "b1": "uint8",
    "c8": "float32", "c16": "float64",
}
_NUMPY = {"int8": "<i1", "int16": "<i2", "int32": "<i4", "uint8": "<u1", "uint16": "<u2",
          "uint32": "<u4", "float32": "<f4", "float64": "<f8"}
#: integers beyond this lose precision as float64
MAX_SAFE_INTEGER = 2**53


def wire_dtype(dtype: np.dtype) -> str:
    """The wire dtype name for ``dtype`` (``"string"`` for text); TypeError if unsupported."""
    dtype = np.dtype(dtype)
    if dtype.kind in "SUO":
        return "string"
    key = f"{dtype.kind}{dtype.itemsize}"
    if key not in JS_TYPES:
        raise TypeError(f"dtype {dtype} cannot be sent to the browser as an array")
    return JS_TYPES[key]


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray):  # vlen arrays inside object arrays
        return np.array2string(value, threshold=20)
    return str(value)


def encode(array: Any) -> tuple[WireArray, list[memoryview]]:
    """Turn ``array`` into a JSON-able header and a list of binary buffers.

    Parameters
    ----------
    array : array_like
        Any numeric, bool, complex or text array (0-d included).

    Returns
    -------
    header : dict
        ``dtype`` (wire type), ``shape`` (list), ``source_dtype`` (numpy's
        name) and the flags of the module table.
    buffers : list of memoryview
        One buffer of ``prod(shape)`` elements (twice that for complex), or
        none for strings.
    """
    arr = np.asarray(array)
    shape = [int(n) for n in arr.shape]
    header: dict[str, Any] = {"dtype": wire_dtype(arr.dtype), "shape": shape,
                              "source_dtype": str(arr.dtype)}
    if header["dtype"] == "string":
        header["values"] = [_text(v) for v in arr.reshape(-1).tolist()]
        return cast("WireArray", header), []
    kind = arr.dtype.kind
    if kind == "b":
        header["bool"] = True
    elif kind == "c":
        header["complex"] = True
        # a little-endian complex array viewed as floats is already (re, im) interleaved
        out = np.ascontiguousarray(arr, dtype="<c8" if arr.dtype.itemsize == 8 else "<c16")
        return cast("WireArray", header), [out.reshape(-1).view(_NUMPY[header["dtype"]]).data.cast("B")]
    elif kind in "iu" and arr.dtype.itemsize == 8:
        header["int64"] = True
        if arr.size and (int(arr.max()) > MAX_SAFE_INTEGER or int(arr.min()) < -MAX_SAFE_INTEGER):
            header["lossy"] = True
    out = np.ascontiguousarray(arr, dtype=_NUMPY[header["dtype"]]).reshape(-1)
    return cast("WireArray", header), [out.data.cast("B")]


def decode(header: dict, buffers: list) -> np.ndarray:
    """Inverse of :func:`encode` on the Python side (tests, round trips).

    64-bit integers come back as float64 and bools as bool; complex arrays are
    rebuilt from their interleaved parts.
    """
    shape = tuple(header["shape"])
    if header["dtype"] == "string":
        return np.array(header["values"], dtype=object).reshape(shape)
    flat = np.frombuffer(bytes(buffers[0]), dtype=_NUMPY[header["dtype"]])
    if header.get("complex"):
        flat = flat[0::2] + 1j * flat[1::2]
    elif header.get("bool"):
        flat = flat.astype(bool)
    return flat.reshape(shape)
