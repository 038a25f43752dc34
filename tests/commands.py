"""The command lines the tests run the kit with, written once."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from kit.browser import BrowserNotFound, find_browser
from kit.config import SAMPLE_CONFIG

#: The packs' date pinned (reproducible builds), so a run across midnight compares equal.
PINNED = {**os.environ, "SOURCE_DATE_EPOCH": "1795000000"}


def has_browser() -> bool:
    """Whether a Chromium-family browser is there to print PDFs."""
    try:
        find_browser()
        return True
    except BrowserNotFound:
        return False


def kit_report(out: Path, *args: str, config: Path = SAMPLE_CONFIG) -> list[str]:
    """``kit report`` (this Python, no progress bar) writing under ``out``; ``args`` add to it."""
    base = [sys.executable, "-m", "kit.cli", "report", "--config", str(config)]
    return [*base, "--out", str(out), "--quiet", *args]
