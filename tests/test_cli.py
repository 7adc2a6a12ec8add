"""The ``h5lens`` command line: ls, html, convert dispatch, and one-line errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import h5py
import numpy as np
import pytest

from h5lens.cli import main, use_color

SCRIPT = Path(sys.executable).with_name("h5lens")


@pytest.fixture
def h5file(tmp_path):
    """A small NeXus-like file: two levels, attributes, a soft and a broken link."""
    path = tmp_path / "scan é.h5"
    with h5py.File(path, "w") as f:
        f.attrs["creator"] = "test"
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        data = entry.create_group("data")
        data.create_dataset("frames", data=np.zeros((3, 4, 5), "uint16"), chunks=(1, 4, 5), compression="gzip")
        data["frames"].attrs["units"] = "counts"
        entry["title"] = "scan 5"
        f["alias"] = h5py.SoftLink("/entry/data/frames")
        f["dangling"] = h5py.SoftLink("/nowhere")
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def names(out):
    return [line.lstrip("│├└─ ").split("  ")[0] for line in out.splitlines()]


def test_ls_one_level_by_default(capsys, h5file):
    code, out, err = run(capsys, "ls", str(h5file))
    assert code == 0 and err == ""
    assert names(out) == ["scan é.h5", "alias", "dangling", "entry/"]
    assert "[NXentry]" in out and "→ /nowhere (broken)" in out and "\x1b[" not in out


def test_ls_recursive_depth_and_attrs(capsys, h5file):
    code, out, _ = run(capsys, "ls", "-r", str(h5file))
    assert code == 0 and names(out) == ["scan é.h5", "alias", "dangling", "entry/", "data/", "frames", "title"]
    assert "3 × 4 × 5 uint16  chunked 1 × 4 × 5 · gzip 4" in out and "@" not in out
    _, out, _ = run(capsys, "ls", "--depth", "2", str(h5file))
    assert names(out) == ["scan é.h5", "alias", "dangling", "entry/", "data/", "title"]
    _, out, _ = run(capsys, "ls", "-r", "--attrs", str(h5file))
    assert "@units = counts" in out and "@creator = test" in out and "@NX_class = NXentry" in out


def test_ls_inner_path(capsys, h5file):
    code, out, _ = run(capsys, "ls", "-r", f"{h5file}::/entry/data")
    assert code == 0 and names(out) == ["data/", "frames"]
    code, out, _ = run(capsys, "ls", f"{h5file}::/entry/data/frames")
    assert code == 0 and out.startswith("frames  3 × 4 × 5 uint16")


def test_ls_limits(capsys, tmp_path):
    path = tmp_path / "many.h5"
    with h5py.File(path, "w") as f:
        for i in range(100):
            f[f"d{i:03d}"] = i
    _, out, _ = run(capsys, "ls", str(path))  # every member by default, as h5ls lists them
    assert len(out.splitlines()) == 101 and "more" not in out
    assert out.splitlines()[-1] == "└── d099  scalar int64  contiguous  = 99"
    _, out, _ = run(capsys, "ls", "--all", str(path))  # the former opt-in still works
    assert len(out.splitlines()) == 101
    for flag in ("--max", "--limit"):
        _, out, _ = run(capsys, "ls", flag, "10", str(path))
        assert "… 91 more members (display budget)" in out and len(out.splitlines()) == 11


def test_ls_recursive_lists_every_member_of_a_big_tree(capsys, tmp_path):
    path = tmp_path / "deep.h5"
    with h5py.File(path, "w") as f:
        for i in range(40):
            for j in range(60):
                f.create_dataset(f"g{i:02d}/d{j:02d}", shape=(1000,), dtype="f4")
    _, out, _ = run(capsys, "ls", "-r", str(path))
    assert len(out.splitlines()) == 1 + 40 + 40 * 60 and "budget" not in out
    _, out, _ = run(capsys, "ls", "-r", "--max", "100", str(path))
    # the budget counts entries, upper levels first: 40 groups, g00's first 59 members and a note,
    # one "not shown" note per closed group, the footer
    lines = out.splitlines()
    assert len(lines) == 1 + 40 + 59 + 1 + 39 + 1 and "display budget of 100 entries reached" in lines[-1]


def test_ls_values(capsys, tmp_path):
    path = tmp_path / "values.h5"
    with h5py.File(path, "w") as f:
        f["count_time"] = 0.5
        f["title"] = "ascan del -0.5 0.5 20 1"
        f["short"] = np.arange(4)
        f["big"] = np.arange(10**6)
    _, out, _ = run(capsys, "ls", str(path))
    lines = {line.split()[1]: line for line in out.splitlines()[1:]}
    assert lines["count_time"].endswith("count_time  scalar float64  contiguous  = 0.5")
    assert lines["title"].endswith("= ascan del -0.5 0.5 20 1")
    assert "=" not in lines["short"] and "=" not in lines["big"]  # scalars only by default
    _, out, _ = run(capsys, "ls", "--values", str(path))
    assert "short  4 int64  contiguous  = [0, 1, 2, 3]" in out and "= [0, 1, 2, 3, 4" not in out  # big datasets are never read
    _, out, _ = run(capsys, "ls", "--no-values", str(path))
    assert " = " not in out


def test_colour_rules(capsys, h5file):
    _, out, _ = run(capsys, "ls", "--color", "always", str(h5file))
    assert "\x1b[1;34mentry/\x1b[0m" in out
    master, slave = os.openpty()
    try:
        with open(slave, "w", closefd=False) as tty:
            assert use_color("auto", tty, {}) is True
            assert use_color("auto", tty, {"NO_COLOR": "1"}) is False
            assert use_color("auto", tty, {"NO_COLOR": ""}) is True  # no-color.org: set AND non-empty
            assert use_color("never", tty, {}) is False
    finally:
        os.close(master)
        os.close(slave)
    assert use_color("auto", sys.stdout, {}) is False  # captured: not a terminal


def test_html_page(capsys, h5file, tmp_path):
    page = tmp_path / "page.html"
    code, out, err = run(capsys, "html", str(h5file), "-o", str(page))
    assert code == 0 and out == "" and err == ""
    text = page.read_text("utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    seen = []

    class Names(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if ("class", "h5l-name") in attrs:
                seen.append(dict(attrs)["title"])

    Names().feed(text)
    assert seen == ["/", "/alias", "/dangling", "/entry", "/entry/data", "/entry/data/frames", "/entry/title"]
    code, out, _ = run(capsys, "html", "--depth", "1", "--no-attrs", str(h5file))
    seen.clear()
    Names().feed(out)
    assert code == 0 and out.startswith("<!DOCTYPE html>") and "<table>" not in out
    assert seen == ["/", "/alias", "/dangling", "/entry"]


@pytest.mark.parametrize("kind", ["missing", "garbage", "truncated", "directory", "bad inner path"])
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, h5file, kind):
    source = tmp_path / "input.h5"
    if kind == "garbage":
        source.write_bytes(b"this is not a data file\n" * 50)
    elif kind == "truncated":
        source.write_bytes(h5file.read_bytes()[:1500])
    elif kind == "directory":
        source.mkdir()
    elif kind == "bad inner path":
        source = f"{h5file}::/entry/nothing_here"
    for command in ("ls", "html"):
        code, out, err = run(capsys, command, str(source))
        assert code == 2 and out == ""
        assert err.startswith("h5lens: error: ") and err.count("\n") == 1 and "Traceback" not in err
    if kind == "missing":
        assert "input.h5" in err
    if kind == "bad inner path":
        assert "nothing_here" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(capsys, h5file):
    h5file.chmod(0)
    try:
        code, _, err = run(capsys, "ls", str(h5file))
    finally:
        h5file.chmod(0o644)
    assert code == 2 and err.startswith("h5lens: error: ") and err.count("\n") == 1


def test_usage_errors(capsys):
    assert run(capsys, "ls")[0] == 2
    assert run(capsys, "ls", "--depth", "-1", "x.h5")[0] == 2
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "ls" in out and "html" in out and "convert" in out


def test_output_file_error_is_exit_1(capsys, h5file, tmp_path):
    code, _, err = run(capsys, "html", str(h5file), "-o", str(tmp_path / "no" / "such" / "dir.html"))
    assert code == 1 and err.startswith("h5lens: error: ") and err.count("\n") == 1


def test_convert_is_dispatched_lazily(capsys, h5file):
    # `ls` never loads the writers
    probe = ("import sys; from h5lens.cli import main; main(['ls', sys.argv[1]]); "
             "print('WRITE', any(m.startswith('h5lens.write') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe, str(h5file)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "WRITE False" in done.stdout
    convert = pytest.importorskip("h5lens.write.convert")
    if not hasattr(convert, "cli_main"):
        pytest.skip("h5lens.write.convert has no cli_main yet")
    code, out, _ = run(capsys, "convert", "--help")
    assert code == 0 and out  # the converter's own help: the arguments reached it


@pytest.mark.skipif(not SCRIPT.exists() and not shutil.which("h5lens"), reason="console script not installed")
def test_console_script(h5file, tmp_path):
    script = str(SCRIPT if SCRIPT.exists() else shutil.which("h5lens"))
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run([script, "ls", "-r", str(h5file)], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0 and done.stderr == ""
    assert names(done.stdout) == ["scan é.h5", "alias", "dangling", "entry/", "data/", "frames", "title"]
    done = subprocess.run([script, "ls", str(tmp_path / "missing.h5")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("h5lens: error: ") and done.stderr.count("\n") == 1
    assert "missing.h5" in done.stderr


def test_version_flag(capsys):
    import h5lens

    code, out, err = run(capsys, "--version")
    assert code == 0 and out == f"h5lens {h5lens.__version__}\n" and err == ""
    # the one the package metadata declares (pyproject.toml), not a second number
    pyproject = (Path(__file__).parents[1] / "pyproject.toml").read_text()
    assert f'\nversion = "{h5lens.__version__}"\n' in pyproject
