"""h5lens.open: every kind of source, format told by content, clear errors."""

from __future__ import annotations

import gc
import shutil

import h5py
import numpy as np
import pytest
from fixtures.h5files import make_edge_cases, make_garbage, make_truncated

import h5lens
from h5lens import UnknownFormatError
from h5lens._open import hdf5_signature_offset, sniff
from h5lens.nodes import Dataset, Group, Link, Node, NodeError


def open_hdf5_files() -> int:
    # trees left open by earlier tests are freed by the cycle collector at any moment: not during the count
    gc.collect()
    return h5py.h5f.get_obj_count(h5py.h5f.OBJ_ALL, h5py.h5f.OBJ_FILE)


@pytest.fixture(scope="module")
def edge_file(tmp_path_factory):
    return make_edge_cases(tmp_path_factory.mktemp("edge") / "edge.h5")


def test_path_and_pathlike(edge_file):
    for source in (edge_file, str(edge_file), bytes(str(edge_file), "utf-8")):
        with h5lens.open(source) as root:
            assert isinstance(root, Group) and root.filename == str(edge_file)
            assert root["nexus"].nx_class == "NXentry"


@pytest.mark.parametrize("userblock", [512, 1024, 4096])
def test_hdf5_found_after_a_user_block_and_whatever_the_extension(tmp_path, userblock):
    path = tmp_path / "data.spec"  # the extension lies: the content decides
    with h5py.File(path, "w", userblock_size=userblock) as f:
        f["x"] = np.arange(3)
    assert hdf5_signature_offset(str(path)) == userblock and sniff(str(path)) == "hdf5"
    with h5lens.open(path) as root:
        assert root["x"][2] == 2


def test_inner_path_returns_node_and_closing_closes_file(edge_file):
    before = open_hdf5_files()
    node = h5lens.open(f"{edge_file}::/nexus/data/y")
    assert isinstance(node, Dataset) and node.path == "/nexus/data/y" and node[1] == 1.0
    assert open_hdf5_files() == before + 1
    node.close()
    assert node.closed and open_hdf5_files() == before
    with h5lens.open(f"{edge_file}::/") as root:
        assert root.path == "/"


def test_missing_inner_path_is_a_clear_key_error_and_closes_the_file(edge_file):
    before = open_hdf5_files()
    with pytest.raises(KeyError, match="no node '/nexus/nothing'"):
        h5lens.open(f"{edge_file}::/nexus/nothing")
    assert open_hdf5_files() == before


def test_missing_path_names_it(tmp_path):
    missing = tmp_path / "not_here.h5"
    with pytest.raises(FileNotFoundError, match="not_here.h5") as info:
        h5lens.open(missing)
    assert info.value.filename == str(missing)
    with pytest.raises(FileNotFoundError, match="not_here.h5"):
        h5lens.open(f"{missing}::/entry")


def test_unknown_format_names_the_formats_tried(tmp_path):
    path = tmp_path / "notes.h5"
    path.write_text("just some text\nnothing to see\n")
    with pytest.raises(UnknownFormatError) as info:
        h5lens.open(path)
    message = str(info.value)
    assert "notes.h5" in message and all(w in message for w in ("HDF5", "SPEC", "fabio", "EDF"))
    assert isinstance(info.value, ValueError)
    with pytest.raises(IsADirectoryError):
        h5lens.open(tmp_path)


@pytest.mark.parametrize("maker", [make_truncated, make_garbage])
def test_truncated_or_garbage_hdf5_is_a_clear_oserror(tmp_path, maker):
    path = maker(tmp_path / "bad.h5")
    before = open_hdf5_files()
    with pytest.raises(OSError, match=r"bad\.h5: not a readable HDF5 file") as info:
        h5lens.open(path)
    assert not isinstance(info.value, FileNotFoundError)
    assert open_hdf5_files() == before


def test_read_only_and_bad_types(edge_file):
    with pytest.raises(ValueError, match="read-only"):
        h5lens.open(edge_file, mode="a")
    with pytest.raises(TypeError, match="cannot open a object"):
        h5lens.open(object())


def test_in_memory_sources_and_nodes():
    arr = np.arange(6).reshape(2, 3)
    node = h5lens.open(arr)
    assert isinstance(node, Dataset) and node[1, 2] == 5
    assert h5lens.open(node) is node
    tree = h5lens.open({"a": arr, "g": {"b": 1.5}})
    assert tree["g/b"][()] == 1.5 and tree["a"].shape == (2, 3)
    assert h5lens.open([1, 2, 3])[()].tolist() == [1, 2, 3]


def test_h5py_objects_are_wrapped_and_left_open(edge_file):
    with h5py.File(edge_file, "r") as f:
        for obj, kind in ((f, "group"), (f["nexus"], "group"), (f["dtypes/int64"], "dataset")):
            node = h5lens.open(obj)
            assert isinstance(node, Node) and node.kind == kind
            node.close()
        assert f.id.valid and f["dtypes/int64"][1] == -1


def test_a_lent_file_closed_by_its_owner_is_one_clear_error(tmp_path):
    path = tmp_path / "lent.h5"
    with h5py.File(path, "w") as f:
        for i in range(20):
            f[f"g/m{i:02d}"] = i
    f = h5py.File(path, "r")
    group = h5lens.open(f)["g"]
    assert group.count_upto(100) == 20  # a small classic group keeps the names it counted
    f.close()  # the owner closes the file under the tree: no member may pass for a broken link
    with pytest.raises(NodeError, match=r"cannot open a member of '/g': .*lent\.h5 was closed by the program"):
        group.page(0, 10)


def test_spec_detected_by_content(tmp_path, course):
    renamed = tmp_path / "scan.h5"
    shutil.copy(course / "oleg.dat", renamed)
    assert sniff(str(renamed)) == "spec"
    with h5lens.open(renamed) as root:
        assert root.keys() == ["94.1", "95.1", "96.1"]


def test_course_spec_dispatch(course):
    with h5lens.open(course / "oleg.dat") as root:
        assert root.keys() == ["94.1", "95.1", "96.1"]
        for scan, total in (("94.1", 4421), ("95.1", 14832), ("96.1", 14191)):
            mca = root[f"{scan}/measurement/mca_0/data"].deref()
            assert mca.shape == (21, 1024) and mca[()].sum() == total
        bpmi = root["94.1/measurement/bpmi"][()]
        assert bpmi[0] == pytest.approx(6.2475021e-07) and bpmi[-1] == pytest.approx(6.2575191e-07)
    with h5lens.open(course / "silx-io/oleg.dat") as root:
        assert len(root) == 3


def test_course_edf_dispatch(course, tmp_path):
    with h5lens.open(course / "ID16B_diatomee.edf") as root:
        data = root["scan_0/instrument/detector_0/data"]
        assert data.shape == (6, 540, 640) and data.dtype == np.uint16
        means = [data[i].mean() for i in range(6)]
        np.testing.assert_allclose(means, [9857.18, 9401.07, 8870.32, 8298.83, 7723.64, 7014.84], atol=0.01)
    renamed = tmp_path / "image.dat"
    shutil.copy(course / "medipix.edf", renamed)
    assert sniff(str(renamed)) == "image"
    with h5lens.open(renamed) as root:
        frame = root["scan_0/instrument/detector_0/data"]
        assert frame[()].sum() == 3525534 and frame[()].max() == 11810


def test_fabio_image_object(course):
    import fabio

    image = fabio.open(str(course / "medipix.edf"))
    try:
        with h5lens.open(image) as root:
            assert root["scan_0/instrument/detector_0/data"][()].sum() == 3525534
    finally:
        image.close()


def test_open_series(course):
    with h5lens.open_series(course / "ID19_D2H2T2_0000.edf") as root:
        data = root["scan_0/instrument/detector_0/data"]
        assert data.shape == (6, 270, 320)
        np.testing.assert_allclose([data[i].mean() for i in range(6)],
                                   [3377.54, 3756.09, 3670.23, 3639.73, 3713.91, 3714.06], atol=0.01)


def test_course_hdf5_inner_path(course):
    with h5lens.open(f"{course / 'test.h5'}::/diff_map_0004/data/map") as m:
        assert m.shape == (29, 78, 100) and m.attrs["axes"] == "2th"


def test_empty_file_is_an_unknown_format(tmp_path):
    path = tmp_path / "empty.h5"
    path.write_bytes(b"")
    with pytest.raises(UnknownFormatError, match="empty.h5"):
        h5lens.open(path)


def test_file_locked_by_its_writer_still_opens(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "acquiring.h5"
    writer = subprocess.Popen(
        [sys.executable, "-c", f"import h5py, sys; f = h5py.File({str(path)!r}, 'w'); f['x'] = 7; "
         "f.flush(); print('ready', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ready"
        with pytest.raises(BlockingIOError):
            h5py.File(path, "r").close()  # plain h5py refuses: the writer holds the lock
        with h5lens.open(path) as root:
            assert root["x"][()] == 7
    finally:
        writer.stdin.close()
        writer.wait(timeout=10)


def test_inner_path_follows_links_like_h5py(edge_file):
    with h5lens.open(f"{edge_file}::/links/soft_group") as group:
        assert isinstance(group, Group) and group.path == "/links/soft_group" and group.nx_class == "NXentry"
    before = open_hdf5_files()
    with h5lens.open(f"{edge_file}::/links/good_external") as values:
        assert values[3] == 3 and open_hdf5_files() == before + 2
    assert open_hdf5_files() == before
    with h5lens.open(f"{edge_file}::/links/broken_soft") as broken:  # a node that says why
        assert isinstance(broken, Link) and not broken.resolved and "/nowhere" in broken.error
    assert open_hdf5_files() == before
