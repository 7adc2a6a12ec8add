"""The public names of ``h5lens``: lazy, complete, one version everywhere."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import h5lens

ROOT = Path(__file__).resolve().parents[1]


def test_version_is_the_same_in_pyproject_package_json_and_the_package():
    pyproject = re.search(r'^version\s*=\s*"([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.MULTILINE)
    package = json.loads((ROOT / "js" / "package.json").read_text())
    assert pyproject is not None
    assert h5lens.__version__ == pyproject.group(1) == package["version"]


def test_every_public_name_resolves():
    for name in h5lens.__all__:
        assert getattr(h5lens, name) is not None, name


def test_errors_are_public_and_are_the_ones_raised(tmp_path):
    from h5lens.nodes import LinkError, NodeError, UnknownFormatError
    from h5lens.selection import SelectionError, parse

    assert (h5lens.NodeError, h5lens.LinkError, h5lens.UnknownFormatError, h5lens.SelectionError) == \
        (NodeError, LinkError, UnknownFormatError, SelectionError)
    text = tmp_path / "notes.txt"
    text.write_text("just some words\n")
    with pytest.raises(h5lens.UnknownFormatError, match="notes.txt"):
        h5lens.open(text)
    tree = h5lens.open({"a": np.arange(3)})
    tree.create_link("broken", "/nowhere")
    with pytest.raises(h5lens.LinkError, match="nowhere"):
        tree["broken"].deref()
    with pytest.raises(h5lens.SelectionError):
        parse("1,:,x", (2, 3, 4))
    assert issubclass(h5lens.LinkError, KeyError) and issubclass(h5lens.UnknownFormatError, ValueError)


def test_importing_h5lens_loads_no_backend_or_widget():
    code = "import sys, h5lens; h5lens.__version__; print(sorted(m for m in ('h5py', 'fabio', 'silx', 'anywidget', " \
           "'h5lens.nodes', 'h5lens._open') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_all_lists_every_lazy_name():
    assert sorted(h5lens.__all__) == sorted([*h5lens._API, "__version__"])
    assert dir(h5lens) == sorted(h5lens.__all__)  # __dir__ hides the submodules
