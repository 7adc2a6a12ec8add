"""Bulk work on a real dask.distributed LocalCluster: flat-field, convert, ROI sums.

One cluster of two worker processes for the whole module; every result is
compared bit for bit with the single-process path (or the course values).
"""

from __future__ import annotations

import ipaddress
import os
import re
import signal
import socket
import threading
import time
import urllib.request
import warnings

import h5py
import numpy as np
import pytest

import h5lens
from h5lens.write.convert import convert

distributed = pytest.importorskip("distributed")
zarr = pytest.importorskip("zarr")

EX3 = [0.9960207, 1.0059180, 1.0095165, 1.0084231, 1.0087656, 0.9887014]
EX3_PIXEL = [1.000391, 0.984694, 1.028852, 0.994104, 1.011654, 0.955045]
NAMES = ["0000", "0100", "0200", "0299", "0400", "0500"]
ID19_MEANS = [3377.54, 3756.09, 3670.23, 3639.73, 3713.91, 3714.06]


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # port-in-use notices on a shared machine
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address="127.0.0.1:0", host="127.0.0.1")
    with cluster, distributed.Client(cluster) as cl:
        yield cl


@pytest.fixture
def healthy(client):
    """The client with its two workers up (a previous test may have killed one)."""
    client.wait_for_workers(2, timeout=180)  # a killed worker's process restarts slowly on a loaded machine
    return client


def bits(a):
    return np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)


def read_out(spec):
    filename, inner = spec.split("::")
    if filename.endswith(".zarr"):
        return zarr.open_array(filename, path=inner.strip("/"), mode="r")[:]
    with h5py.File(filename, "r") as h5:
        return h5[inner][()]


def leftovers(folder):
    return [p.name for p in folder.iterdir() if "h5lens-tmp" in p.name]


@pytest.fixture(scope="module")
def stack200(tmp_path_factory):
    """200 frames uint16 (96, 128), one HDF5 chunk per frame; a flat with two flat == dark pixels."""
    rng = np.random.default_rng(7)
    path = tmp_path_factory.mktemp("stack") / "raw200.h5"
    raw = rng.integers(0, 6000, (200, 96, 128), dtype=np.uint16)
    with h5py.File(path, "w") as h5:
        h5.create_dataset("raw", data=raw, chunks=(1, 96, 128))
    dark = rng.integers(80, 120, (96, 128)).astype(np.uint16)
    flat = (dark + rng.integers(3000, 5000, (96, 128))).astype(np.uint16)
    flat[3, 4], flat[50, 60] = dark[3, 4], dark[50, 60]
    return path, raw, flat, dark


# -- flat-field ------------------------------------------------------------------------------
@pytest.mark.parametrize("ext", ["h5", "zarr"])
def test_course_exercise3_on_cluster(healthy, course, tmp_path, ext):
    with h5py.File(course / "ID16B_diatomee.h5", "r") as h5:
        raw = np.stack([h5["data"][n][()] for n in NAMES])
        flats = {0: h5["flatfield/0000"][()], 500: h5["flatfield/0500"][()]}
        dark = h5["dark/0000"][()]
    with h5py.File(tmp_path / "stack.h5", "w") as h5:
        h5["raw"] = raw
    src, idx = f"{tmp_path}/stack.h5::/raw", [int(n) for n in NAMES]
    ref = h5lens.flatfield_stack(src, flats, dark, f"{tmp_path}/ref.h5::/c", indices=idx, progress=False)
    out = h5lens.flatfield_stack(src, flats, dark, f"{tmp_path}/out.{ext}::/corrected", indices=idx,
                                 client=healthy, chunk_frames=2, progress=False)
    assert out == f"{tmp_path}/out.{ext}::/corrected"
    res = read_out(out)
    np.testing.assert_allclose(res.mean(axis=(1, 2), dtype=np.float64), EX3, rtol=1e-6)
    np.testing.assert_allclose(res[:, 270, 320], EX3_PIXEL, rtol=1e-6)
    np.testing.assert_array_equal(bits(res), bits(read_out(ref)))


@pytest.mark.parametrize("ext", ["h5", "zarr"])
def test_200_frames_bit_identical_with_fill_count(healthy, stack200, tmp_path, ext):
    path, raw, flat, dark = stack200
    with pytest.warns(RuntimeWarning, match="400 of 2457600 pixels"):
        ref = h5lens.flatfield_stack(f"{path}::/raw", flat, dark, f"{tmp_path}/ref.{ext}::/c", progress=False)
    with pytest.warns(RuntimeWarning, match="400 of 2457600 pixels"):
        out = h5lens.flatfield_stack(f"{path}::/raw", flat, dark, f"{tmp_path}/out.{ext}::/g/c",
                                     client=healthy, progress=False)
    res = read_out(out)
    np.testing.assert_array_equal(bits(res), bits(read_out(ref)))
    with pytest.warns(RuntimeWarning, match="400 of 2457600 pixels"):
        np.testing.assert_array_equal(bits(res), bits(h5lens.flatfield(raw, flat, dark)))
    assert leftovers(tmp_path) == []


def test_zarr_store_is_plain_zarr_and_existing_arrays_are_kept(healthy, stack200, tmp_path):
    path, raw, flat, dark = stack200
    store = tmp_path / "x.zarr"
    flat = flat.copy()
    flat[3, 4] = flat[50, 60] = 9999  # no flat == dark pixel here
    h5lens.flatfield_stack(h5py.File(path, "r")["raw"], flat, dark, f"{store}::/first", client=healthy,
                           progress=False)
    group = zarr.open_group(str(store), mode="r")
    assert group["first"].shape == (200, 96, 128) and group["first"].dtype == np.float32
    with pytest.raises(FileExistsError, match="overwrite=True"):
        h5lens.flatfield_stack(f"{path}::/raw", flat, dark, f"{store}::/first", client=healthy, progress=False)
    h5lens.flatfield_stack(f"{path}::/raw", flat + 1, dark, f"{store}::/second", client=healthy, progress=False)
    h5lens.flatfield_stack(f"{path}::/raw", flat + 2, dark, f"{store}::/first", client=healthy, progress=False,
                           overwrite=True)
    group = zarr.open_group(str(store), mode="r")
    assert sorted(group.array_keys()) == ["first", "second"]
    np.testing.assert_array_equal(bits(group["first"][:]), bits(h5lens.flatfield(raw, flat + 2, dark)))
    np.testing.assert_array_equal(bits(group["second"][:]), bits(h5lens.flatfield(raw, flat + 1, dark)))
    assert leftovers(store) == []


def test_one_progress_bar_for_the_job_and_the_dashboard_link(healthy, stack200, tmp_path, capsys):
    path, _, flat, dark = stack200
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        h5lens.flatfield_stack(f"{path}::/raw", flat, dark, f"{tmp_path}/p.h5::/c", client=healthy, chunk_frames=9)
    err = capsys.readouterr().err
    assert "200/200" in err and err.count("flatfield: 100%") >= 1
    assert f"dask dashboard at {healthy.dashboard_link}" in err


def test_in_memory_sources_are_refused_with_a_reason(healthy, stack200, tmp_path):
    _, raw, flat, dark = stack200
    with pytest.raises(TypeError, match="each worker opens the source itself"):
        h5lens.flatfield_stack(raw, flat, dark, f"{tmp_path}/o.h5::/c", client=healthy, progress=False)


# -- failures: a worker killed, an unreadable frame, Ctrl-C ---------------------------------------
@pytest.fixture(scope="module")
def big_stack(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "raw.h5"
    rng = np.random.default_rng(1)
    with h5py.File(path, "w") as h5:
        h5.create_dataset("raw", data=rng.integers(0, 5000, (300, 128, 256), dtype=np.uint16), chunks=(1, 128, 256))
    flat = np.full((128, 256), 4000, np.uint16)
    dark = np.full((128, 256), 100, np.uint16)
    return path, flat, dark


def _run_in_thread(fn):
    outcome = {}

    def target():
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def _first_task_done(client, prefix, since, timeout=60, state="memory"):
    """Wait until a task whose key starts with ``prefix`` has reached ``state`` after ``since`` (``time.time()``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # the scheduler's transition log, not the tasks' current states: a task of a fast job is in memory
        # only until the job's tracker takes its result, which a poll may miss on a loaded machine
        done = client.run_on_scheduler(
            lambda dask_scheduler, p=prefix, state=state: [str(t.key) for t in dask_scheduler.transition_log
                                               if str(t.key).startswith(p) and t.finish == state and t.timestamp >= since])
        if done:
            return
        time.sleep(0.01)
    raise AssertionError("no task finished")


@pytest.mark.parametrize("ext", ["zarr", "h5"])
def test_unreadable_frame_names_file_and_frames(healthy, tmp_path, ext):
    path = tmp_path / "bad.h5"
    rng = np.random.default_rng(2)
    with h5py.File(path, "w") as h5:
        dset = h5.create_dataset("raw", data=rng.integers(0, 9, (40, 32, 32), dtype=np.uint16),
                                 chunks=(1, 32, 32), compression="gzip")
        info = dset.id.get_chunk_info_by_coord((27, 0, 0))
    with open(path, "r+b") as handle:  # garble the deflate stream of frame 27
        handle.seek(info.byte_offset)
        handle.write(b"\xff" * info.size)
    flat, dark = np.full((32, 32), 10, np.uint16), np.zeros((32, 32), np.uint16)
    with pytest.raises(OSError, match=r"frames 26-27 of .*bad\.h5::/raw"):
        h5lens.flatfield_stack(f"{path}::/raw", flat, dark, f"{tmp_path}/o.{ext}::/c", client=healthy,
                               chunk_frames=2, progress=False)
    assert not (tmp_path / f"o.{ext}").exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize("when", ["first task done", "first task submitted"])
def test_interrupt_cancels_and_leaves_no_output(healthy, big_stack, tmp_path, monkeypatch, when, request):
    """Ctrl-C once a task has finished, or while the job is still submitting its tasks.

    The SIGINT is sent from the job's own hooks (the bar's completion callback, or right after a
    submission), so it lands mid-job whatever the machine's load.
    """
    from h5lens.cluster import _tracker

    # Python's own Ctrl-C handler, whatever this process inherited (a shell's background job ignores SIGINT)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    request.addfinalizer(lambda: signal.signal(signal.SIGINT, previous))
    path, flat, dark = big_stack
    target = tmp_path / "int.zarr"
    sent = []

    def interrupt():
        if not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C or a kernel interrupt sends

    if when == "first task done":
        done = _tracker.Tracker._done

        def hooked(self, future, frames):
            done(self, future, frames)
            interrupt()
        monkeypatch.setattr(_tracker.Tracker, "_done", hooked)
    else:
        submit = _tracker.Tracker.submit

        def hooked(self, *args, **kwargs):
            future = submit(self, *args, **kwargs)
            interrupt()
            return future
        monkeypatch.setattr(_tracker.Tracker, "submit", hooked)
    with pytest.raises(KeyboardInterrupt):
        h5lens.flatfield_stack(f"{path}::/raw", flat, dark, f"{target}::/c", client=healthy, chunk_frames=2,
                               progress=False)
    assert not target.exists() and leftovers(tmp_path) == []
    assert not any(str(k).startswith("h5lens-flatfield") for ks in healthy.processing().values() for k in ks)


# -- convert and ROI sums ----------------------------------------------------------------------
def test_convert_id19_series_on_cluster(healthy, course, tmp_path):
    files = sorted(course.glob("ID19_D2H2T2_*.edf"))
    ref = convert(files, tmp_path / "ref.h5", progress=False)
    out = convert(files, tmp_path / "out.h5", progress=False, client=healthy, frames_per_chunk=2)
    with h5py.File(ref, "r") as a, h5py.File(out, "r") as b:
        x, y = a["/entry/instrument/detector/data"][()], b["/entry/instrument/detector/data"][()]
        assert b["/entry/instrument/detector/data"].chunks == (2, 270, 320)
    np.testing.assert_array_equal(x, y)
    assert y.dtype == np.uint16 and y.shape == (6, 270, 320)
    np.testing.assert_allclose(y.mean(axis=(1, 2)), ID19_MEANS, atol=0.005)


def test_convert_truncated_frame_names_the_file(healthy, course, tmp_path):
    files = []
    for f in sorted(course.glob("ID19_D2H2T2_*.edf")):
        files.append(tmp_path / f.name)
        files[-1].write_bytes(f.read_bytes())
    files[3].write_bytes(files[3].read_bytes()[:-5000])
    with pytest.raises(Exception, match=r"ID19_D2H2T2_0003\.edf"):
        convert(files, tmp_path / "out.h5", progress=False, client=healthy)
    assert not (tmp_path / "out.h5").exists() and leftovers(tmp_path) == []


def test_roi_sum_on_cluster_equals_numpy(healthy, stack200):
    path, raw, _, _ = stack200
    mask = np.zeros((96, 128), bool)
    mask[10:40, 20:90] = True
    mask[15, 25] = False
    expected = raw[:, mask].astype(np.float64).sum(axis=1)
    local = h5lens.roi_sum(f"{path}::/raw", mask)
    remote = h5lens.roi_sum(f"{path}::/raw", mask, client=healthy, chunk_frames=7)
    np.testing.assert_array_equal(local, expected)
    np.testing.assert_array_equal(remote, expected)
    with pytest.raises(ValueError, match="does not fit frames"):
        h5lens.roi_sum(f"{path}::/raw", mask[:-1], client=healthy)


def test_bad_client_and_missing_extras(stack200, tmp_path, monkeypatch):
    path, raw, _, _ = stack200
    mask = np.ones((96, 128), bool)
    with pytest.raises(TypeError, match="client must be None, a dask.distributed.Client or 'local'"):
        h5lens.roi_sum(f"{path}::/raw", mask, client="tcp://nowhere")
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)
    with pytest.raises(ImportError, match=r"h5lens\[dask\]"):
        h5lens.roi_sum(f"{path}::/raw", mask, client="local")
    monkeypatch.setitem(__import__("sys").modules, "zarr", None)
    with pytest.raises(ImportError, match=r"h5lens\[dask\]"):
        h5lens.flatfield_stack(f"{path}::/raw", mask, ~mask, f"{tmp_path}/a.zarr::/c", progress=False)


# -- a worker killed mid-job ---------------------------------------------------------------------
@pytest.fixture
def own_client():
    """A cluster of its own: a killed worker's replacement may take long to start on a loaded machine."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address="127.0.0.1:0", host="127.0.0.1")
    with cluster, distributed.Client(cluster) as cl:
        yield cl


@pytest.mark.parametrize("ext", ["h5", "zarr"])
def test_worker_killed_mid_job_completes_or_leaves_nothing(own_client, big_stack, tmp_path, ext):
    """SIGKILL of one worker process while the blocks stream back (HDF5) or are written by workers (Zarr)."""
    path, flat, dark = big_stack
    target = tmp_path / f"out.{ext}"
    pids = own_client.run(os.getpid)
    since = time.time()
    thread, outcome = _run_in_thread(lambda: h5lens.flatfield_stack(
        f"{path}::/raw", flat, dark, f"{target}::/c", client=own_client, chunk_frames=2, progress=False))
    _first_task_done(own_client, "h5lens-flatfield", since)
    running = thread.is_alive()
    os.kill(next(iter(pids.values())), signal.SIGKILL)
    thread.join(180)
    assert running, "the job ended before the worker was killed: nothing was tested"
    if "error" in outcome:  # failing is allowed, with a sentence and no output
        assert isinstance(outcome["error"], RuntimeError), repr(outcome["error"])
        assert f"{target}::/c was not written" in str(outcome["error"])
        assert not target.exists()
    else:
        res = read_out(outcome["value"])
        with h5py.File(path, "r") as h5:
            np.testing.assert_array_equal(bits(res), bits(h5lens.flatfield(h5["raw"][()], flat, dark)))
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("job", ["h5", "zarr", "roi_sum"])
def test_client_restart_mid_job_ends_it_with_a_sentence_or_completes(own_client, big_stack, tmp_path, job):
    """``client.restart()`` forgets every task: the job must not wait for them forever."""
    path, flat, dark = big_stack
    target = tmp_path / f"out.{job}"
    if job == "roi_sum":
        def run():
            return h5lens.roi_sum(f"{path}::/raw", flat > 0, client=own_client, chunk_frames=2)
    else:
        def run():
            return h5lens.flatfield_stack(f"{path}::/raw", flat, dark, f"{target}::/c", client=own_client,
                                          chunk_frames=2, progress=False)
    since = time.time()
    thread, outcome = _run_in_thread(run)
    _first_task_done(own_client, f"h5lens-{'roi_sum' if job == 'roi_sum' else 'flatfield'}", since)
    running = thread.is_alive()
    own_client.restart()
    thread.join(120)
    assert not thread.is_alive(), "the job still waits two minutes after client.restart()"
    assert running, "the job ended before the restart: nothing was tested"
    if "error" in outcome:
        error = outcome["error"]
        assert isinstance(error, RuntimeError), repr(error)
        assert "the cluster was restarted, shut down or lost workers" in str(error)
        assert ("no sums of" if job == "roi_sum" else f"{target}::/c was not written") in str(error)
        assert not target.exists()
    elif job == "roi_sum":
        with h5py.File(path, "r") as h5:
            np.testing.assert_array_equal(outcome["value"], h5["raw"][()].sum(axis=(1, 2), dtype=np.float64))
    else:
        with h5py.File(path, "r") as h5:
            expected = h5lens.flatfield(h5["raw"][()], flat, dark)
        np.testing.assert_array_equal(bits(read_out(outcome["value"])), bits(expected))
    assert leftovers(tmp_path) == []
    own_client.wait_for_workers(2, timeout=120)
    assert own_client.submit(sum, [1, 2]).result(timeout=60) == 3  # the cluster itself is usable again


def test_roi_over_frames_on_cluster_equals_the_viewer_path(healthy, course):
    """The viewer's ROI statistic over frames, on the course map stack: same bits with and without a client."""
    from h5lens.measure import Frame, Shape
    from h5lens.measure.roi_frames import roi_over_frames

    root = h5lens.open(course / "test.h5")
    try:
        ds = root["diff_map_0004/data/map"]
        cube = np.asarray(ds[()], dtype=np.float64)
        shape = Shape("ellipse", y=(10, 60), x=(20, 90))
        mask = np.zeros(cube.shape[1:], bool)
        mask[30:33, 40:80] = True  # masked pixels are left out on the workers too
        for frame, statistic in [(Frame(ds, (0, slice(None), slice(None))), "sum"),
                                 (Frame(ds, (0, slice(None), slice(None)), mask=mask), "std"),
                                 (Frame(ds, (0, slice(None), slice(None)), transposed=True), "max")]:
            local = roi_over_frames(frame, shape, statistic, progress=False)
            remote = roi_over_frames(frame, shape, statistic, progress=False, client=healthy)
            np.testing.assert_array_equal(remote.view(np.uint64), local.view(np.uint64))
        np.testing.assert_allclose(local, cube.transpose(0, 2, 1)[:, shape.mask(cube.shape[:0:-1])].max(axis=1))
        with pytest.raises(TypeError, match="each worker opens the source itself"):
            roi_over_frames(Frame(cube, (0, slice(None), slice(None))), shape, client=healthy, progress=False)
    finally:
        root.close()


def test_viewer_roi_over_frames_with_a_client(healthy, course):
    """``viewer.add_roi(...).over_frames(client=)``: the stack view of the course NXdata, same bits."""
    v = h5lens.view(f"{course / 'test.h5'}::/diff_map_0004/data", view="stack")
    try:
        roi = v.add_roi("rect", y=(5, 40), x=(10, 70))
        local = roi.over_frames("mean", progress=False)
        remote = roi.over_frames("mean", progress=False, client=healthy)
        np.testing.assert_array_equal(remote.view(np.uint64), local.view(np.uint64))
        with h5py.File(course / "test.h5") as f:
            cube = f["diff_map_0004/data/map"][()]
        np.testing.assert_allclose(remote, cube[:, 5:41, 10:71].mean(axis=(1, 2), dtype=np.float64), rtol=1e-9)
    finally:
        v.close()


def test_workers_open_a_url_themselves(healthy, http_server, course, tmp_path):
    """A stack served over HTTP (loopback): each worker opens the URL, no handle crosses the cluster."""
    url = f"{http_server.url}/test.h5::/diff_map_0004/data/map"
    local = f"{course / 'test.h5'}::/diff_map_0004/data/map"
    with h5py.File(course / "test.h5") as f:
        cube = f["diff_map_0004/data/map"][()]
    flat = np.full(cube.shape[1:], cube.max() + 1.0, np.float32)
    dark = np.zeros(cube.shape[1:], np.float32)
    ref = h5lens.flatfield_stack(local, flat, dark, f"{tmp_path}/ref.zarr::/c", progress=False)
    out = h5lens.flatfield_stack(url, flat, dark, f"{tmp_path}/out.zarr::/c", client=healthy, chunk_frames=4,
                                 progress=False)
    np.testing.assert_array_equal(bits(read_out(out)), bits(read_out(ref)))
    mask = np.zeros(cube.shape[1:], bool)
    mask[3:9, 4:40] = True
    np.testing.assert_array_equal(h5lens.roi_sum(url, mask, client=healthy, chunk_frames=3),
                                  cube[:, mask].astype(np.float64).sum(axis=1))


def test_client_local_starts_a_cluster_for_the_call_and_stops_it(stack200):
    """``client="local"``: a LocalCluster of this machine's cores (2 here) for one call, gone afterwards."""
    psutil = pytest.importorskip("psutil")
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    path, raw, _, _ = stack200
    mask = np.zeros((96, 128), bool)
    mask[::3, 5:60] = True
    sums = h5lens.roi_sum(f"{path}::/raw", mask, client="local", chunk_frames=40)
    np.testing.assert_array_equal(sums, raw[:, mask].astype(np.float64).sum(axis=1))
    deadline = time.monotonic() + 60
    while True:
        # (multiprocessing's resource tracker, started with the first worker, lives as long as this process)
        left = [p for p in me.children(recursive=True) if p.pid not in before and p.is_running()
                and p.status() != psutil.STATUS_ZOMBIE and "resource_tracker" not in " ".join(p.cmdline())]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert left == [], "the call's workers still run"


def test_client_local_listens_on_loopback_only(stack200, capsys):
    """The cluster of ``client="local"``: every socket its processes listen on is on loopback.

    The scheduler, its dashboard and the nannies live in this process, the
    workers in its children; each one's port is found listening (so the check
    sees them all), none on another address. The dashboard link the progress
    output prints answers while the job's cluster runs.
    """
    psutil = pytest.importorskip("psutil")
    from h5lens.cluster._client import resolved

    me = psutil.Process()

    def listening(proc) -> set[tuple[str, int]]:
        """(address, port) of the TCP sockets ``proc`` listens on and of its unconnected UDP ones."""
        return {(c.laddr.ip, c.laddr.port) for c in proc.net_connections(kind="inet")
                if c.status == psutil.CONN_LISTEN or (c.type == socket.SOCK_DGRAM and not c.raddr)}

    before, children = listening(me), {p.pid for p in me.children(recursive=True)}
    path, raw, _, _ = stack200
    mask = np.zeros((96, 128), bool)
    mask[10:20, 30:90] = True
    with resolved("local") as client:
        client.wait_for_workers(len(client.cluster.workers), timeout=180)
        info = client.scheduler_info()
        workers = [p for p in me.children(recursive=True) if p.pid not in children]
        found = (listening(me) - before) | {s for p in workers for s in listening(p)}
        ports = {int(a.rsplit(":", 1)[1]) for a in [info["address"], *info["workers"],
                                                   *(w["nanny"] for w in info["workers"].values())]}
        ports.add(info["services"]["dashboard"])
        assert len(info["workers"]) >= 1 and ports <= {port for _, port in found}, (ports, found)
        assert [s for s in found if not ipaddress.ip_address(s[0]).is_loopback] == []
        # the job's progress output names the dashboard, which answers on loopback
        sums = h5lens.roi_sum(f"{path}::/raw", mask, client=client, chunk_frames=50, progress=True)
        link = re.search(r"dask dashboard at (\S+)", capsys.readouterr().err).group(1)
        assert link == f"http://127.0.0.1:{info['services']['dashboard']}/status"
        with urllib.request.urlopen(link, timeout=60) as page:
            assert page.status == 200 and b"Dask" in page.read()
    np.testing.assert_array_equal(sums, raw[:, mask].astype(np.float64).sum(axis=1))


def test_a_client_that_is_not_the_default_one(healthy, own_client, stack200, tmp_path):
    """Waits use the job's own client: with two open, dask's default is the newer one (``own_client``)."""
    path, raw, flat, dark = stack200
    assert distributed.default_client() is not healthy
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ref = h5lens.flatfield_stack(f"{path}::/raw", flat, dark, f"{tmp_path}/ref.zarr::/c", progress=False)
        for ext in ("zarr", "h5"):
            out = h5lens.flatfield_stack(f"{path}::/raw", flat, dark, f"{tmp_path}/out.{ext}::/c", client=healthy,
                                         progress=False)
            np.testing.assert_array_equal(bits(read_out(out)), bits(read_out(ref)))
