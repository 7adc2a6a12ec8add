"""Every public entry point over every hostile case, each case in its own bounded child process.

The corpus (:mod:`hostile.corpus`) is generated once; two children at a time run
:mod:`hostile.runner` on one case each, under a timeout and an address-space
limit, and report per entry point. A case passes an entry point when it works
or fails with a readable error; no case may hang, be killed, exceed the memory
bound, or change a byte of its files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hostile.corpus import CASES, ENTRY_POINTS, run_all

pytestmark = [pytest.mark.hostile, pytest.mark.timeout(900)]

SRC = str(Path(__file__).resolve().parents[2] / "src")
#: Wall time allowed to one case (all entry points); generous: the machine may be shared.
CASE_TIMEOUT = 60.0
#: Peak resident memory allowed to one case's child process.
MAX_RSS_MB = 1024


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return run_all(tmp_path_factory.mktemp("hostile"), SRC, timeout=CASE_TIMEOUT)


def test_corpus_is_large_and_covers_every_format():
    formats = {fmt for fmt, _ in CASES.values()}
    assert len(CASES) >= 60 and {"hdf5", "edf", "tiff", "cbf", "spec", "zarr", "path"} <= formats


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(results, name):
    result = results[name]
    assert not result["killed"], f"{name}: killed after {result['seconds']:.0f} s (hang or crash)"
    assert result["exit"] == 0, f"{name}: the runner exited with {result['exit']}"
    missing = [e for e in ENTRY_POINTS if e not in result["entries"]]
    assert not missing, f"{name}: no report from {missing}"
    bugs = {e: r["error"] for e, r in result["entries"].items() if r["bug"]}
    assert not bugs, f"{name}: {bugs}"
    assert result["rss_mb"] < MAX_RSS_MB, f"{name}: peak RSS {result['rss_mb']:.0f} MB"
    assert result["unchanged"], f"{name}: a file changed"


def test_summary(results, capsys):
    """The figures of the run (shown with ``-s``): passes per entry point, slowest case, largest RSS."""
    passed = {e: sum(1 for r in results.values() if e in r["entries"] and not r["entries"][e]["bug"])
              for e in ENTRY_POINTS}
    slowest = max(results, key=lambda n: results[n]["seconds"])
    largest = max(results, key=lambda n: results[n]["rss_mb"])
    with capsys.disabled():
        print(f"\nhostile corpus: {len(results)} cases; passing per entry point: {passed}")
        print(f"slowest: {slowest} {results[slowest]['seconds']:.1f} s; "
              f"largest peak RSS: {largest} {results[largest]['rss_mb']:.0f} MB")
    assert all(r["unchanged"] for r in results.values())
