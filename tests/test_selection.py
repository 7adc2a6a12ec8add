"""The slice contract, pinned by the JSON case table shared with the JS side."""

import json
from pathlib import Path

import numpy as np
import pytest

from h5lens import selection as sel

CASES = json.loads((Path(__file__).parent / "fixtures" / "selection_cases.json").read_text())


@pytest.mark.parametrize("case", CASES["parse"], ids=lambda c: f"{c['selection']!r}{c['shape']}")
def test_parse_cases(case):
    if "error" in case:
        with pytest.raises(sel.SelectionError, match=case["error"]):
            sel.parse(case["selection"], case["shape"])
        return
    items = sel.parse(case["selection"], case["shape"])
    assert sel.format(items, case["shape"]) == case["normalized"]
    assert list(sel.result_shape(items, case["shape"])) == case["result_shape"]
    if "mapping_error" in case:
        with pytest.raises(sel.SelectionError, match=case["mapping_error"]):
            sel.to_mapping(case["selection"], case["shape"])
    else:
        assert sel.to_mapping(case["selection"], case["shape"]) == case["mapping"]


@pytest.mark.parametrize("case", CASES["parse"], ids=lambda c: f"{c['selection']!r}{c['shape']}")
def test_parse_reads_what_numpy_reads(case):
    """The parsed items index a numpy array exactly as the string says."""
    if "error" in case or np.prod(case["shape"]) > 10**6:
        return
    a = np.arange(int(np.prod(case["shape"]))).reshape(case["shape"])
    items = sel.parse(case["selection"], case["shape"])
    expected = eval(f"a[{case['selection']}]") if case["selection"] else a[()]  # noqa: S307 - test table
    np.testing.assert_array_equal(a[items], expected)
    # the canonical form reads the same values
    again = sel.parse(case["normalized"], case["shape"])
    np.testing.assert_array_equal(a[again], expected)


@pytest.mark.parametrize("case", CASES["mapping"], ids=lambda c: str(c["mapping"]))
def test_mapping_cases(case):
    if "error" in case:
        with pytest.raises(sel.SelectionError, match=case["error"]):
            sel.from_mapping(case["mapping"], case["shape"], case["strides"])
        return
    assert sel.from_mapping(case["mapping"], case["shape"], case["strides"]) == case["selection"]
    assert sel.is_transposed(case["mapping"]) == case["transposed"]


def test_default_selection():
    assert sel.default((50, 2048, 2048), 2) == "0,:,:"
    assert sel.default((29, 78, 100), 1) == "0,0,:"
    assert sel.default((10,), 2) == ":"
    assert sel.default((), 1) == ""


def test_round_trip_mapping_selection():
    shape = (6, 540, 640)
    for text, strides in [("0,:,:", {}), ("5,::2,:", {"y": 2}), (":,3,::4", {"x": 4})]:
        mapping = sel.to_mapping(text, shape)
        assert sel.from_mapping(mapping, shape, strides) == text


def _parsed(text, shape):
    try:
        return sel.parse(text, shape)
    except sel.SelectionError:
        return None


@pytest.mark.parametrize("case", CASES["step_ahead"], ids=lambda c: c["why"])
def test_step_ahead_cases(case):
    """The read-ahead rule of the kernel (ReadAhead) and of the page (stepAhead) on the same table."""
    shape = case["shape"]
    current = _parsed(case["current"], shape)
    if current is None:  # nothing to step from: the read-ahead gives up before the rule
        assert case["next"] is None
        return
    nxt = sel.step_ahead(_parsed(case["previous"], shape) if case["previous"] else None, current, shape)
    assert (None if nxt is None else sel.format(nxt, shape)) == case["next"]
