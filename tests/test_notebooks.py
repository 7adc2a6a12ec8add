"""Every notebook is stored stripped and executes from top to bottom.

Each notebook runs in a fresh ``python3`` kernel (nbclient, no widget state
stored) with ``notebooks/`` as working directory: on the real course data
when it is present (the notebooks assert the values of EXPECTED.md then), and
on the generated samples with the course data switched off.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = ["01_tour.ipynb", "02_hdf5_with_h5py.ipynb", "03_images_and_spec.ipynb", "04_flatfield.ipynb",
         "05_gallery.ipynb"]
#: notebooks that read the course data when present (05 always uses the samples)
USES_COURSE = NAMES[:4]


def _strip_module():
    spec = importlib.util.spec_from_file_location("_strip", NOTEBOOKS / "_strip.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_five_notebooks_are_there():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_stored_without_outputs(name):
    raw = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    assert not _strip_module().strip(raw), f"run `python notebooks/_strip.py` on {name}"
    nbformat.validate(nbformat.reads(json.dumps(raw), as_version=4))
    assert raw["metadata"]["kernelspec"]["name"] == "python3"


def test_strip_removes_outputs_and_widget_state():
    strip = _strip_module().strip
    nb = {"metadata": {"widgets": {"state": {}}},
          "cells": [{"cell_type": "code", "execution_count": 3, "metadata": {"execution": {}},
                     "outputs": [{"output_type": "stream", "name": "stdout", "text": "x"}], "source": "1"},
                    {"cell_type": "markdown", "metadata": {}, "source": "# t"}]}
    assert strip(nb) is True
    assert nb["cells"][0]["outputs"] == [] and nb["cells"][0]["execution_count"] is None
    assert "widgets" not in nb["metadata"] and nb["cells"][0]["metadata"] == {}
    assert strip(nb) is False


@pytest.fixture(scope="module")
def sample_cache(tmp_path_factory):
    """One folder of generated samples for every kernel of this module."""
    return tmp_path_factory.mktemp("samples") / "cache"


def _execute(name: str) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(nb, kernel_name="python3", timeout=300, store_widget_state=False,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    # a last cell lists the widgets still open, so a notebook that closes what it displays is caught
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json as _json\nfrom ipywidgets.widgets import widget as _widget\n"
        "print(_json.dumps(sorted(_widget._instances)))"))
    before = sorted(p.name for p in NOTEBOOKS.iterdir())
    client.execute()  # raises CellExecutionError with the failing cell and traceback
    assert sorted(p.name for p in NOTEBOOKS.iterdir()) == before, "a notebook left files in notebooks/"
    check = nb.cells.pop()
    still_open = set(json.loads(check.outputs[0]["text"]))
    shown = {o["data"][WIDGET_VIEW]["model_id"] for o in _outputs(nb, "display_data") + _outputs(nb, "execute_result")
             if WIDGET_VIEW in o.get("data", {})}
    assert shown <= still_open, f"{name} closes widgets it displayed: a reader of the notebook sees blank widgets"
    return nb


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _outputs(nb, output_type):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == output_type]


@pytest.mark.kernel
@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", NAMES)
def test_executes_on_samples(name, sample_cache, monkeypatch):
    monkeypatch.setenv("H5LENS_COURSE_DATA", "")  # as on a machine without ../shared
    monkeypatch.setenv("H5LENS_SAMPLE_DIR", str(sample_cache))
    nb = _execute(name)
    assert not _outputs(nb, "error")
    if name in USES_COURSE:
        first = "".join(o.get("text", "") for o in _outputs(nb, "stream")[:1])
        assert "(generated samples)" in first


@pytest.mark.kernel
@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", USES_COURSE)
def test_executes_on_course_data(name, course, sample_cache, monkeypatch):
    monkeypatch.setenv("H5LENS_COURSE_DATA", str(course))
    monkeypatch.setenv("H5LENS_SAMPLE_DIR", str(sample_cache))
    nb = _execute(name)
    first = "".join(o.get("text", "") for o in _outputs(nb, "stream")[:1])
    assert "(course files)" in first  # so the EXPECTED.md assertions inside did run
