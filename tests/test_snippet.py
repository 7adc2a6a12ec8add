"""The code a viewer offers to copy reads exactly what it shows (executed here against the course files)."""

from __future__ import annotations

import numpy as np
import pytest

from h5lens import snippet


def run(text: str) -> dict:
    namespace: dict = {}
    exec(compile(text, "<snippet>", "exec"), namespace)  # the snippet is ours, built from test inputs
    return namespace


def test_index_text():
    assert snippet.index_text("12,:,:") == "[12, :, :]"
    assert snippet.index_text("0,2:10:2") == "[0, 2:10:2]"
    assert snippet.index_text("") == "[()]"


@pytest.mark.parametrize("file, path, selection, backend", [
    ("ID16B_diatomee.h5", "/data/0000", "100:200,::4", "hdf5"),
    ("ID16B_diatomee.edf", "/scan_0/instrument/detector_0/data", "3,:,:", "silx"),
    ("oleg.dat", "/94.1/measurement/mca_0/data", "2,:", "silx"),
])
def test_both_snippets_read_the_viewer_s_data(course, file, path, selection, backend):
    from h5lens.widgets.viewer import view

    v = view(f"{course / file}::{path}", selection=selection)
    try:
        shown = np.asarray(v.data)
    finally:
        v.close()
    text = snippet.code(str(course / file), path, selection, backend)
    assert f"with h5lens.open({str(course / file)!r}) as f:\n    data = f[{path!r}][" in text
    ns = run(text)  # the plain library's block runs last and rebinds `data`
    np.testing.assert_array_equal(ns["data"], shown)
    h5lens_only = text.split("\n\n# the same with")[0]
    np.testing.assert_array_equal(run(h5lens_only)["data"], shown)


def test_transposed_complex_and_in_memory():
    z = (np.arange(12) + 1j * np.arange(12)).reshape(3, 4)
    text = snippet.code("", "/", "1:,:", transposed=True, part="phase", variable="z")
    assert text.endswith("z_shown = np.angle(z[1:, :]).T\n")
    np.testing.assert_array_equal(run(text.replace("import numpy as np", f"import numpy as np\nz = np.array({z.tolist()!r})"))["z_shown"],
                                  np.angle(z[1:, :]).T)


def test_viewer_code_follows_the_selection_and_reads_viewer_data(course):
    from h5lens.widgets.viewer import view

    v = view(str(course / "ID16B_diatomee.edf"))
    try:
        v.selection = "3,:,:"
        assert "[3, :, :]" in v.code
        np.testing.assert_array_equal(run(v.code)["data"], v.data)
    finally:
        v.close()
    assert view(np.zeros((3, 4))).code == "array_shown = array[:, :]\n"


@pytest.mark.parametrize("file, path", [
    ("ID16B_diatomee.edf", "/scan_0/instrument"),  # a group read through silx.io
    ("test.h5", "/diff_map_0001"),  # an NXentry read through h5py
])
def test_node_code_reads_the_group_the_explorer_shows(course, file, path):
    text = snippet.node_code(str(course / file), path, "silx" if file.endswith(".edf") else "hdf5")
    h5lens_only, plain = text.split("\n\n# the same with")
    ns = run(h5lens_only)
    members, attributes = ns["members"], ns["attributes"]
    assert members and ns["node"].path == path
    ns = run("# " + plain)
    assert ns["members"] == members and ns["attributes"].keys() == attributes.keys()


def test_explorer_code_is_what_it_shows(course):
    from h5lens.widgets.explorer import explore

    ex = explore(str(course / "ID16B_diatomee.edf"))  # opens on the image stack
    try:
        ex.viewer.selection = "4,:,:"
        assert ex.code == ex.viewer.code and "[4, :, :]" in ex.code
        ns = run(ex.code)
        np.testing.assert_array_equal(ns["data"], ex.viewer.data)
        np.testing.assert_array_equal(run(ex.code.split("\n\n# the same with")[0])["data"], ex.viewer.data)
        ex.selected = "/scan_0/instrument/positioners"  # a group: its members and attributes
        assert ex.viewer is None and "members, attributes = " in ex.code
        assert run(ex.code)["members"] == list(ex.node)
        ex.selected = ""
        assert ex.code == ""
    finally:
        ex.close()


def test_for_view_follows_the_viewer_state(tmp_path):
    """What a viewer's state asks of the snippet: the part only for complex data shown, ``.T`` only for an image."""
    import h5py

    import h5lens

    path = tmp_path / "z.h5"
    with h5py.File(path, "w") as f:
        f["c"] = (np.arange(24) * (1 + 2j)).reshape(2, 3, 4).astype(np.complex64)
    state = {"selection": "1,:,:", "ndisplay": 2, "transposed": True, "kind": "image", "complex_part": "phase"}
    with h5lens.open(path) as root:
        text = snippet.for_view(root["c"], state)
        ns = run(text)
        np.testing.assert_allclose(ns["data"], np.angle(root["c"][1]).T)
        rgb = snippet.for_view(root["c"], {**state, "kind": "rgb", "selection": ":,:,:"})
        assert ".T" not in rgb
        scalar = snippet.for_view(root["c"], {**state, "ndisplay": 0, "selection": "0,0,0"})
        assert "np.angle" not in scalar
