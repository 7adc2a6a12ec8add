"""The follower of live files (h5lens.live): back-off, errors, waking by poke and by the file system.

No test measures time: each waits on an event the follower sets (bounded, so a
broken follower fails instead of hanging).
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from live.writers import edf_bytes

import h5lens
from h5lens.live import INTERVAL, MAX_INTERVAL, Follower, next_interval, watched_folders

LONG = 3600.0  # a wait no test sees the end of: only a poke or the file system wakes the poller


def test_back_off_doubles_up_to_the_maximum_and_a_change_resets_it():
    waits, wait = [], INTERVAL
    for _ in range(6):
        wait = next_interval(wait, False, INTERVAL, MAX_INTERVAL)
        waits.append(wait)
    assert waits == [2.0, 4.0, 8.0, 8.0, 8.0, 8.0]
    assert next_interval(8.0, True, INTERVAL, MAX_INTERVAL) == INTERVAL
    assert next_interval(0.1, False, 0.5, 0.2) == 0.5  # a maximum below the interval is the interval


class Calls:
    """A check that answers from a script and sets an event after each call."""

    def __init__(self, answers):
        self.answers, self.count = list(answers), 0
        self.reports: list[tuple[bool, Exception | None, float]] = []
        self.event = threading.Event()
        self.follower: Follower | None = None

    def check(self):
        answer = self.answers[min(self.count, len(self.answers) - 1)]
        self.count += 1
        if isinstance(answer, Exception):
            raise answer
        return answer

    def report(self, changed, error):
        self.reports.append((changed, error, self.follower.wait))
        self.event.set()

    def next(self):
        assert self.event.wait(30), "the follower did not check"
        self.event.clear()


def test_poke_checks_now_and_each_report_carries_the_wait_that_follows():
    calls = Calls([False, False, True, False])
    calls.follower = follower = Follower(calls.check, calls.report, interval=LONG, max_interval=4 * LONG)
    follower.start()
    try:
        calls.next()  # the first check runs at once
        for _ in range(3):
            follower.poke()
            calls.next()
    finally:
        follower.stop()
    assert not follower.running
    assert [(c, w / LONG) for c, _, w in calls.reports] == [(False, 2), (False, 4), (True, 1), (False, 2)]


def test_an_error_is_reported_and_following_goes_on():
    calls = Calls([OSError("img.edf was deleted"), True])
    calls.follower = follower = Follower(calls.check, calls.report, interval=LONG)
    follower.start()
    try:
        calls.next()
        follower.poke()
        calls.next()
    finally:
        follower.stop()
    (changed, error, _), (again, none, _) = calls.reports
    assert not changed and isinstance(error, OSError) and "img.edf" in str(error)
    assert again and none is None


def test_a_bad_interval_is_refused():
    with pytest.raises(ValueError, match="interval must be positive"):
        Follower(lambda: False, lambda c, e: None, interval=0)


def test_the_file_system_wakes_the_poller(tmp_path):
    pytest.importorskip("watchfiles")
    calls = Calls([False])
    calls.follower = follower = Follower(calls.check, calls.report, folders=[str(tmp_path)], interval=LONG)
    follower.start()
    try:
        calls.next()
        for i in range(100):  # the watcher may start after the first write: write until it wakes the poller
            (tmp_path / f"img_{i:04d}.edf").write_bytes(b"{}")
            if calls.event.wait(0.2):
                break
        assert calls.count >= 2 and follower.watching
    finally:
        follower.stop()
    assert not follower.watching


def test_a_folder_that_cannot_be_watched_leaves_polling(tmp_path):
    calls = Calls([False])
    calls.follower = follower = Follower(calls.check, calls.report, folders=[str(tmp_path / "gone")], interval=LONG)
    follower.start()
    try:
        calls.next()
        follower._threads[1].join(30)  # the watcher gave up on the missing folder
        assert not follower.watching and follower.running
        follower.poke()
        calls.next()
    finally:
        follower.stop()
    assert calls.count == 2


def test_watched_folders_of_files_series_and_memory(tmp_path):
    for i in range(2):
        (tmp_path / f"img_{i:04d}.edf").write_bytes(edf_bytes(i, (8, 8)))
    with h5lens.open_series(str(tmp_path / "img_*.edf"), follow=True) as root:
        assert watched_folders(root["/scan_0/instrument/detector_0/data"]) == [str(tmp_path)]
    assert watched_folders(h5lens.open(np.arange(3))) == []
