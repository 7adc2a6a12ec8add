"""What h5ls -v / h5dump -p say, in the inspector and ls --attrs: storage facts of datasets, file
facts (driver, user block, libver, superblock, SWMR, chunk cache); the chunk cache set at open;
family-driver files by path; hard links to one dataset recognised."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import h5lens
from h5lens.cli import main
from h5lens.widgets.explorer import describe


def facts(node) -> dict:
    return {d["label"]: d.get("value") for d in describe(node)["details"]}


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "facts.h5"
    with h5py.File(path, "w", userblock_size=512, libver=("v110", "latest")) as f:
        f.create_dataset("packed", data=np.zeros((200, 100), "f4"), chunks=(20, 100), compression="gzip",
                         maxshape=(None, 100), fillvalue=-1)
        f.create_dataset("unwritten", shape=(10,), dtype="i4", fillvalue=7)
        f["A/a"] = np.arange(3)
        f["B"] = f["A/a"]  # a second hard link to the same dataset
    return path


def test_dataset_and_file_facts(sample):
    with h5lens.open(sample) as root:
        packed = facts(root["packed"])
        assert packed["Fill value"] == "-1.0" and packed["Max shape"] == "∞ × 100"
        assert packed["Size in memory"] == "80 000 bytes (78.1 KiB)"
        stored = root["packed"]._h5.id.get_storage_size()
        assert packed["Size on disk"].startswith(f"{stored:,} bytes".replace(",", " "))
        assert float(packed["Compression ratio"]) == pytest.approx(80000 / stored, rel=1e-2) and stored < 80000
        assert facts(root["unwritten"])["Fill value"] == "7"
        assert "nothing written yet" in facts(root["unwritten"])["Compression ratio"]
        top = facts(root)
        assert top["User block"] == "512 bytes" and top["Driver"] == "sec2"
        assert "…" in top["Library version bounds"] and top["Superblock version"] in ("2", "3")  # written v110+
        # a superblock-3 file (libver latest, as SWMR writers write) is read in SWMR mode unless told not to
        assert top["SWMR"] == ("reading in SWMR mode" if top["Superblock version"] == "3" else "off")
        assert top["Chunk cache"].endswith("w0 = 0.75")


def test_chunk_cache_passed_to_h5py_and_shown(sample):
    with h5lens.open(sample, rdcc_nbytes=64 * 2**20, rdcc_nslots=100_003, rdcc_w0=1.0) as root:
        assert root._h5.id.get_access_plist().get_cache()[1:] == (100_003, 64 * 2**20, 1.0)
        assert facts(root)["Chunk cache"] == "67 108 864 bytes (64.0 MiB), 100003 slots, w0 = 1"
        np.testing.assert_array_equal(root["A/a"][()], [0, 1, 2])
    with pytest.raises(TypeError, match="unknown HDF5 open option"):
        h5lens.open(sample, rdcc_bytes=1)


def test_chunk_cache_refused_for_other_formats(course):
    with pytest.raises(TypeError, match="HDF5 files only"):
        h5lens.open(course / "oleg.dat", rdcc_nbytes=1 << 20)


def test_family_driver_file_by_path(tmp_path):
    name = str(tmp_path / "fam%d.h5")
    with h5py.File(name, "w", driver="family", memb_size=64 * 1024) as f:
        f["big"] = np.arange(100_000, dtype="f8")  # 800 kB: several members
    assert (tmp_path / "fam3.h5").exists()
    with h5lens.open(name) as root:
        assert root["big"].shape == (100_000,) and root["big"][99_999] == 99_999
        assert facts(root)["Driver"] == "family"


def test_ls_attrs_shows_facts_and_hard_links(sample, capsys):
    assert main(["ls", "-r", "--attrs", str(sample)]) == 0
    out = capsys.readouterr().out
    assert "· Fill value: -1.0" in out and "· Compression ratio:" in out and "· User block: 512 bytes" in out
    # listed breadth first: /B comes before /A/a, which h5ls would also call the same object
    line = next(x for x in out.splitlines() if x.lstrip("└├─│ ").startswith("a "))
    assert "(same as /B)" in line
    assert "same as" not in next(x for x in out.splitlines() if x.lstrip("└├─│ ").startswith("B "))
