"""Wire encoding: the shared case table (also run by node --test) plus edge cases."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from h5lens import wire

CASES = json.loads((Path(__file__).parent / "fixtures" / "wire_cases.json").read_text())["cases"]
SPECIAL = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}


def _value(v):
    return SPECIAL.get(v, v) if isinstance(v, str) else v


def build_input(spec: dict) -> np.ndarray:
    dtype = np.dtype(spec["dtype"])
    values = spec["values"]
    if dtype.kind == "c":
        values = [complex(re, im) for re, im in values]
    elif dtype.kind == "S":
        values = [v.encode(spec.get("encode", "ascii")) for v in values]
    elif dtype.kind != "U":
        values = [_value(v) for v in values]
    return np.array(values, dtype=dtype).reshape(spec["shape"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_shared_case_table(case):
    arr = build_input(case["input"])
    header, buffers = wire.encode(arr)
    for key, expected in case["header"].items():
        assert header[key] == expected, key
    flags = {"bool", "complex", "int64", "lossy"}
    assert {k for k in header if k in flags} == {k for k in case["header"] if k in flags}
    assert header["source_dtype"] == str(arr.dtype)
    if case["hex"] is None:
        assert buffers == []
    else:
        assert len(buffers) == 1 and isinstance(buffers[0], memoryview)
        assert bytes(buffers[0]).hex() == case["hex"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_python_decode_round_trip(case):
    arr = build_input(case["input"])
    back = wire.decode(*wire.encode(arr))
    assert back.shape == arr.shape
    if arr.dtype.kind in "SU":
        assert [str(v) for v in back.ravel()] == case["values"]
    elif not case["header"].get("lossy"):
        np.testing.assert_array_equal(back, arr.astype(back.dtype) if arr.dtype.kind != "c" else arr)


def test_no_copy_when_already_wire_ready():
    arr = np.arange(12, dtype="<u2").reshape(3, 4)
    _, (buf,) = wire.encode(arr)
    assert np.shares_memory(np.frombuffer(buf, dtype="<u2"), arr)


def test_non_contiguous_is_copied_in_c_order():
    arr = np.arange(24, dtype="<i4").reshape(4, 6)[::2, 1::2]
    header, (buf,) = wire.encode(arr)
    assert header["shape"] == [2, 3]
    assert np.frombuffer(buf, "<i4").tolist() == arr.ravel().tolist()
    assert not np.shares_memory(np.frombuffer(buf, "<i4"), arr)


def test_fortran_order_and_object_strings():
    arr = np.asfortranarray(np.arange(6, dtype="f4").reshape(2, 3))
    _, (buf,) = wire.encode(arr)
    assert np.frombuffer(buf, "<f4").tolist() == [0, 1, 2, 3, 4, 5]
    obj = np.array([b"caf\xc3\xa9", "x", b"\xff"], dtype=object)
    header, buffers = wire.encode(obj)
    assert header["values"] == ["café", "x", "\ufffd"] and buffers == []


@pytest.mark.parametrize("dtype", [np.dtype([("a", "<i4"), ("b", "<f8")]), np.dtype("V4"),
                                   np.dtype("M8[s]")])
def test_unsupported_dtypes_raise_type_error(dtype):
    with pytest.raises(TypeError, match="cannot be sent"):
        wire.encode(np.zeros(2, dtype=dtype))


def test_wire_dtype_table_is_js_typed_array_names():
    js = {"int8", "int16", "int32", "uint8", "uint16", "uint32", "float32", "float64"}
    assert set(wire.JS_TYPES.values()) <= js
    assert wire.wire_dtype(">u2") == "uint16" and wire.wire_dtype("O") == "string"
