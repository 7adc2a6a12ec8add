"""A writer killed with SIGKILL mid-write leaves the target absent or byte-identical.

Each test runs the writer in a child process, waits until its temporary file
(beside the target) has grown past a few megabytes, kills it with SIGKILL and
checks the target. The child must really die mid-way (exit by signal 9): a
writer that finished first would prove nothing, so that fails the test.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import fabio
import numpy as np
import pytest

from h5lens.write import TreeBuilder
from h5lens.write.atomic import TMP_SUFFIX

pytestmark = pytest.mark.timeout(120)

MIN_BYTES = 4 << 20  # kill once the temporary file holds this much


def _sizes(directory) -> list[int]:
    """Sizes of the temporary files now in ``directory``.

    A temp file can be renamed into place between listing and ``stat`` (the
    writer commits an earlier step): such a file is simply not counted.
    """
    sizes = []
    for p in directory.iterdir():
        if p.name.endswith(TMP_SUFFIX):
            try:
                sizes.append(p.stat().st_size)
            except FileNotFoundError:
                pass
    return sizes


def kill_midway(code: str, directory, min_bytes: int = MIN_BYTES) -> list:
    """Run ``code`` in a child, SIGKILL it once its temp file exceeds ``min_bytes``; return temp files left."""
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=directory,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline:
            if max(_sizes(directory), default=0) >= min_bytes:
                child.send_signal(signal.SIGKILL)
                break
            if child.poll() is not None:
                out, err = child.communicate()
                pytest.fail(f"the writer ended (code {child.returncode}) before it could be killed:\n{err.decode()}")
            time.sleep(0.005)
        else:
            pytest.fail("the writer's temporary file never grew")
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    return [p for p in directory.iterdir() if p.name.endswith(TMP_SUFFIX)]


BIG_WRITE = """
import numpy as np
from h5lens.write import TreeBuilder
data = np.random.default_rng(0).integers(0, 2**31, size=(64, 512, 512), dtype="int32")
TreeBuilder().dataset("/entry/data", data, chunks=(1, 512, 512), compression=("gzip", 6)).write("out.h5"{extra})
"""


def previous_version(path):
    TreeBuilder().dataset("/old", np.arange(1000)).group("/entry", attrs={"NX_class": "NXentry"}).write(path)
    return path.read_bytes()


def test_new_file_is_absent_after_kill(tmp_path):
    left = kill_midway(BIG_WRITE.format(extra=""), tmp_path)
    assert not (tmp_path / "out.h5").exists()
    assert len(left) == 1  # nothing could remove it; its name says what it is


def test_overwrite_keeps_previous_version_after_kill(tmp_path):
    before = previous_version(tmp_path / "out.h5")
    kill_midway(BIG_WRITE.format(extra=", overwrite=True"), tmp_path)
    assert (tmp_path / "out.h5").read_bytes() == before


def test_append_keeps_previous_version_after_kill(tmp_path):
    before = previous_version(tmp_path / "out.h5")
    kill_midway(BIG_WRITE.format(extra=', mode="a"'), tmp_path)
    assert (tmp_path / "out.h5").read_bytes() == before


def test_filling_keeps_previous_version_after_kill(tmp_path):
    code = """
    import numpy as np
    from h5lens.write import TreeBuilder
    out = TreeBuilder().dataset("/frames", shape=(400, 512, 512), dtype="int32", chunks=(1, 512, 512)).write("out.h5")
    open("written", "w").close()
    rng = np.random.default_rng(0)
    with out as f:
        for i in range(400):
            f["/frames"][i] = rng.integers(0, 2**31, size=(512, 512), dtype="int32")
    """
    left = kill_midway(code, tmp_path)
    assert (tmp_path / "written").exists() and len(left) == 1
    import h5py

    with h5py.File(tmp_path / "out.h5", "r") as f:  # the committed, unfilled version
        assert f["/frames"].shape == (400, 512, 512)
        assert f["/frames"][399, 0, 0] == 0 and f["/frames"].id.get_storage_size() == 0


@pytest.fixture(scope="module")
def edf_series(tmp_path_factory):
    folder = tmp_path_factory.mktemp("series")
    rng = np.random.default_rng(1)
    frame = rng.integers(0, 2**31, size=(512, 512), dtype="int32")
    for i in range(48):
        fabio.edfimage.EdfImage(data=np.roll(frame, i), header={"motor_mne": "x", "motor_pos": str(i)}).write(
            str(folder / f"img_{i:04d}.edf"))
    return folder


CONVERT = """
import h5lens
h5lens.convert({pattern!r}, "out.h5", compression=("gzip", 6), progress=False{extra})
"""


def test_convert_new_file_is_absent_after_kill(tmp_path, edf_series):
    kill_midway(CONVERT.format(pattern=str(edf_series / "img_*.edf"), extra=""), tmp_path)
    assert not (tmp_path / "out.h5").exists()


def test_convert_overwrite_keeps_previous_version_after_kill(tmp_path, edf_series):
    before = previous_version(tmp_path / "out.h5")
    kill_midway(CONVERT.format(pattern=str(edf_series / "img_*.edf"), extra=", overwrite=True"), tmp_path)
    assert (tmp_path / "out.h5").read_bytes() == before


FULL_DISK = """
import resource, signal
import numpy as np
from h5lens.write import TreeBuilder
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit now fail with EFBIG, like a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (2 << 20, 2 << 20))
TreeBuilder().dataset("/d", np.ones((10, 512, 512)), chunks=(1, 512, 512)).write("out.h5"{extra})
"""


@pytest.mark.parametrize("previous", [False, True])
def test_full_disk_leaves_target_absent_or_untouched(tmp_path, previous):
    before = previous_version(tmp_path / "out.h5") if previous else None
    done = subprocess.run([sys.executable, "-c", FULL_DISK.format(extra=", overwrite=True" if previous else "")],
                          cwd=tmp_path, capture_output=True, text=True)
    # HDF5 reports the failed write; h5py/HDF5 may then even crash while closing the file
    assert done.returncode != 0 and ("File too large" in done.stderr or done.returncode < 0)
    if previous:
        assert (tmp_path / "out.h5").read_bytes() == before
    else:
        assert not (tmp_path / "out.h5").exists()
