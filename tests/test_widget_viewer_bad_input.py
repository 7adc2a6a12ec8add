"""Bad input at the command level: every viewer command answers (a view or a readable error)."""

import h5py
import numpy as np
import pytest
from fixtures.h5files import make_edge_cases

from h5lens import views, wire
from h5lens.widgets.viewer import Viewer


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    path = d / "bad.h5"
    with h5py.File(path, "w") as f:
        f["nan"] = np.full((20, 30), np.nan, "f4")
        f["zero"] = np.zeros((0, 640), "f4")
        f["be"] = np.arange(600, dtype=">f4").reshape(20, 30)
        f["f16"] = np.arange(600, dtype="f2").reshape(20, 30)
        f["i64"] = np.arange(600, dtype="i8").reshape(20, 30) + 2**60
    return path, make_edge_cases(d / "edge.h5")


def shown(v: Viewer) -> dict:
    """The reply of the command the front-end calls for the view the registry chose."""
    cmd = getattr(v, views.display_command(v.kind, v.ndisplay))
    return cmd({"selection": v.selection, "canvas": [64, 64], "columns": 64}, [])[0]


@pytest.mark.parametrize("path", ["nan", "be", "f16", "i64"])
def test_images_of_odd_dtypes_are_sent(files, path):
    v = Viewer(f"{files[0]}::/{path}")
    reply, bufs = v.frame({"selection": v.selection, "canvas": [64, 64]}, [])
    assert reply["ok"], reply
    got = wire.decode(reply["array"], bufs)
    want = np.asarray(h5py.File(files[0])[path][()], dtype=np.float64)
    np.testing.assert_array_equal(np.asarray(got, np.float64), want)
    if path == "i64":
        assert reply["array"].get("lossy") is True  # beyond 2**53: said, not hidden


@pytest.mark.parametrize("which, path, text", [
    (0, "zero", "no values: the dataset is 0 × 640 (zero-size)"),
    (1, "shapes/zero_size", "no values: the dataset is 0 × 3 (zero-size)"),
    (1, "shapes/null", "empty"),
    (1, "shapes/scalar", "3.25"),
])
def test_empty_and_scalar_values(files, which, path, text):
    reply = shown(Viewer(f"{files[which]}::/{path}"))
    assert reply == {"ok": True, "text": text}


@pytest.mark.parametrize("path, message", [
    ("filters/unregistered", "HDF5 filter 47000 is not available"),
    ("links/broken_soft", "broken soft link"),
    ("links/broken_external", "broken external link"),
    ("links/self_loop", "broken soft link"),
    ("dtypes/named_type", "is a datatype: it holds no data to show"),
])
def test_unreadable_nodes_are_error_replies(files, path, message):
    v = Viewer(f"{files[1]}::/{path}")
    reply = shown(v)
    assert reply["ok"] is False and message in reply["error"]["message"]


@pytest.mark.parametrize("path", ["dtypes/compound", "dtypes/void", "dtypes/enum", "dtypes/objref",
                                  "dtypes/vlen_int", "dtypes/vlen_str"])
def test_odd_dtypes_are_shown(files, path):
    assert shown(Viewer(f"{files[1]}::/{path}"))["ok"] is True


def test_closed_file_is_an_error_reply_and_then_a_new_viewer_works(files):
    v = Viewer(f"{files[0]}::/be")
    v.node.root.close()
    reply = shown(v)
    assert reply["ok"] is False and "closed" in reply["error"]["message"].lower()
    assert shown(Viewer(f"{files[0]}::/be"))["ok"] is True


def test_explorer_on_a_closed_file_answers_with_errors(files):
    import traitlets

    from h5lens.nodes.hdf5 import open_hdf5
    from h5lens.widgets.explorer import Explorer

    root = open_hdf5(files[0])
    ex = Explorer(root)
    root.close()
    for name in ("inspect", "preview"):
        reply, _ = getattr(ex, name)({"path": "/be"}, [])
        assert reply["ok"] is False and "closed" in reply["error"]["message"]
    with pytest.raises(traitlets.TraitError, match="closed"):
        ex.selected = "/be"
