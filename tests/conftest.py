"""Shared pytest fixtures: where the real course data lives, temporary files."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: The course files (see ../shared/data/silx-training/PROVENANCE.md), relative to the repo root.
COURSE = REPO / ".." / "shared" / "data" / "silx-training"


@pytest.fixture(scope="session")
def course() -> Path:
    """Folder of the real course data; tests using it skip only when it is absent."""
    if not (COURSE / "EXPECTED.md").exists():
        pytest.skip("course data ../shared/data/silx-training is not present")
    return COURSE.resolve()
