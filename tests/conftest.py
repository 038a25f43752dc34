"""Shared fixtures: the sample engagement (loaded once) and throw-away copies of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kit.config import SAMPLE_CONFIG, SAMPLE_DIR, load_engagement
from kit.data import load


@pytest.fixture(scope="session")
def cfg():
    return load_engagement(SAMPLE_CONFIG)


@pytest.fixture(scope="session")
def ds(cfg):
    return load(cfg)


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample data folder (with its engagement.yaml)."""
    dest = tmp_path / "client"
    shutil.copytree(SAMPLE_DIR, dest)
    return dest
