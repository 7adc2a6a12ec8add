"""Display hooks: ``%load_ext h5lens`` in a real kernel (nbclient) and in the IPython terminal."""

from __future__ import annotations

import os
import subprocess
import sys

import h5py
import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def h5file(tmp_path):
    path = tmp_path / "scan <1>.h5"
    with h5py.File(path, "w") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry.create_dataset("frames", data=np.arange(3 * 20 * 30, dtype="uint16").reshape(3, 20, 30))
        entry["title"] = "scan 5"
    return path


def _run(cells: list[str], cwd) -> list:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    NotebookClient(nb, kernel_name="python3", timeout=120, store_widget_state=False,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return [c.outputs for c in nb.cells]


def _data(outputs) -> dict:
    (out,) = [o for o in outputs if o.output_type in ("execute_result", "display_data")]
    return out["data"]


@pytest.mark.kernel
def test_load_ext_in_a_kernel(h5file, course, tmp_path):
    out = _run([
        "%load_ext h5lens",
        f"import h5py, fabio, h5lens\nf = h5py.File({str(h5file)!r}, 'r')\nf",
        "f['entry']",
        "f['entry/frames']",
        f"fabio.open({str(course / 'ID16B_diatomee.edf')!r})",
        f"h5lens.open({str(course / 'ID16B_diatomee.h5')!r})",
        f"h5lens.open({str(course / 'ID16B_diatomee.h5')!r})['/data/0000']",
        "f['entry/title'][()], bool(f.id.valid)",  # displaying never closed the user's file
        "f.close()\nf",
        f"%unload_ext h5lens\ng = h5py.File({str(h5file)!r}, 'r')\ng",
    ], tmp_path)
    page = _data(out[1])
    assert WIDGET not in page
    assert "scan &lt;1&gt;.h5" in page["text/html"] and "frames" in page["text/html"]
    assert "<1>" not in page["text/html"]  # names shown as HTML are escaped
    assert "3 × 20 × 30" in page["text/plain"] and "title" in page["text/plain"]
    assert "frames" in _data(out[2])["text/html"] and WIDGET not in _data(out[2])
    frames = _data(out[3])
    assert WIDGET in frames and "<img" in frames["text/html"]  # a viewer, with its static thumbnail
    assert "/entry/frames" in frames["text/html"]
    image = _data(out[4])
    assert WIDGET in image and "<img" in image["text/html"]
    assert "data" in _data(out[5])["text/html"] and WIDGET not in _data(out[5])
    assert WIDGET in _data(out[6])
    assert _data(out[7])["text/plain"] == "(b'scan 5', True)"
    assert _data(out[8])["text/plain"] == "<Closed HDF5 file>"
    assert _data(out[9]) == {"text/plain": f'<HDF5 file "{h5file.name}" (mode r)>'}


def test_enable_display_outside_ipython_says_why():
    import h5lens

    with pytest.raises(RuntimeError, match="needs IPython"):
        h5lens.enable_display()


def test_terminal_shows_the_text_tree(h5file, tmp_path):
    code = (f"%load_ext h5lens\nimport h5py\nf = h5py.File({str(h5file)!r}, 'r')\n"
            "f\nf['entry/frames']\n")
    env = {**os.environ, "IPYTHONDIR": str(tmp_path / "ipython"), "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "IPython", "--simple-prompt", "--no-banner", "--colors=NoColor"],
                          input=code, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "scan <1>.h5" in out and "entry/" in out and "3 × 20 × 30 uint16" in out
    assert "<HDF5 file" not in out and "<HDF5 dataset" not in out
    assert "Traceback" not in out and "Error" not in out
