"""Small values in listings and the inspector (h5ls -d / h5glance style), read within a budget:
the course's ID16B metadata, EDF header values, SPEC titles; big datasets never read."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import h5lens
from h5lens.nodes import hdf5
from h5lens.nodes._format import small_value

METADATA = {"count_time": "0.5", "pixel_size": "0.099824", "optic_used": "0.65",
            "credit": "ESRF - ID16B - Julie Villanova", "time": "Mon Jun 13 09:29:54 2016"}


@pytest.fixture
def reads(monkeypatch):
    """Paths of every HDF5 dataset read (the real reader, recorded)."""
    seen: list[str] = []
    original = hdf5.HDF5Dataset._read

    def recording(self, selection):
        seen.append(self.path)
        return original(self, selection)

    monkeypatch.setattr(hdf5.HDF5Dataset, "_read", recording)
    return seen


def test_course_metadata_values_in_the_glance_and_ls(course, reads):
    with h5lens.glance(course / "ID16B_diatomee.h5") as g:
        text = g.to_text()
        html = g.to_html()
    lines = {line.split()[1]: line for line in text.splitlines() if line.startswith("    ")}
    for name, value in METADATA.items():
        assert lines[name].endswith(f"= {value}")
        assert f'<span class="h5l-val">= {value}</span>' in html
    assert sorted(reads) == sorted(f"/metadata/{n}" for n in
                                   ("count_time", "credit", "description", "license", "optic_used",
                                    "pixel_size", "time", "time_of_day"))  # the frames were never read


def test_course_inspector_values(course, reads):
    from h5lens.widgets.explorer import describe

    with h5lens.open(course / "ID16B_diatomee.h5") as root:
        group = describe(root["/metadata"])
        rows = dict(next(d["rows"] for d in group["details"] if d["label"] == "Member values"))
        assert {k: rows[k] for k in METADATA} == METADATA and len(rows) == 8
        assert describe(root["/metadata/pixel_size"])["value"] == "0.099824"
        frame = describe(root["/data/0000"])
        assert "value" not in frame
        assert not any(d["label"] == "Member values" for d in describe(root["/data"])["details"])
    assert not any(p.startswith(("/data", "/dark", "/flatfield")) for p in reads)


def test_course_edf_header_and_spec_title_values(course):
    with h5lens.open(course / "medipix.edf") as root:
        header = root["/scan_0/instrument/detector_0/others/dir"]
        assert small_value(header) == "['/data/visitor/ma570/id03/images']"
    with h5lens.open(course / "oleg.dat") as root:
        assert small_value(root["94.1/title"]) == "ascan  del -0.5 0.5  20 1"
        assert small_value(root["94.1/measurement/delta"]) is None  # 21 values: more than a listing reads
        assert small_value(root["94.1/measurement/delta"], max_items=64).startswith("[-0.5, -0.45, -0.4")


def test_budget_and_failures(tmp_path):
    path = tmp_path / "v.h5"
    with h5py.File(path, "w") as f:
        f["s"] = "x" * 10
        f["v"] = np.arange(16)
        f["w"] = np.arange(17)
        f["img"] = np.zeros((2, 2))
        f["empty"] = h5py.Empty("f4")
        f["zero"] = np.zeros(0)
        f.create_dataset("ext", shape=(4,), dtype="i4", external=[(str(tmp_path / "missing.raw"), 0, 16)])
        f["link"] = h5py.SoftLink("/s")
    with h5lens.open(path) as root:
        assert small_value(root["s"]) == "xxxxxxxxxx"
        assert small_value(root["v"]) == "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]"
        assert small_value(root["v"], max_items=1) is None and small_value(root["w"]) is None
        for name in ("img", "empty", "zero", "link", "ext"):  # 2-D, no data, a link, an unreadable file
            assert small_value(root[name]) is None
        assert small_value(root) is None
