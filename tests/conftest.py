"""Shared fixtures: the sample engagement (loaded once) and throw-away copies of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kit.config import SAMPLE_CONFIG, SAMPLE_DIR, load_engagement
from kit.context import open_engagement
from kit.data import load


@pytest.fixture(scope="session")
def cfg():
    return load_engagement(SAMPLE_CONFIG)


@pytest.fixture(scope="session")
def ds(cfg):
    return load(cfg)


# The sample's scopes, as the stage notebooks open them (consultant's view unless named).
@pytest.fixture(scope="module")
def org():
    return open_engagement(SAMPLE_CONFIG)


@pytest.fixture(scope="module")
def client():
    return open_engagement(SAMPLE_CONFIG, audience="client")


@pytest.fixture(scope="module")
def regulatory():
    return open_engagement(SAMPLE_CONFIG, scope="Regulatory")


@pytest.fixture(scope="module")
def marketing():
    return open_engagement(SAMPLE_CONFIG, scope="Marketing")


@pytest.fixture(scope="module")
def legal():
    """The sample's withheld function: 4 responses in the current wave, under the threshold."""
    return open_engagement(SAMPLE_CONFIG, scope="Legal & Compliance")


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample data folder (with its engagement.yaml)."""
    dest = tmp_path / "client"
    shutil.copytree(SAMPLE_DIR, dest)
    return dest


def _descendants(pid: int) -> list[int]:
    try:
        children = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:  # no /proc here: nothing known
        return []
    return children + [d for c in children for d in _descendants(c)]


@pytest.fixture
def descendants():
    """The ids of a process's descendants (Linux /proc; an empty list elsewhere)."""
    return _descendants
