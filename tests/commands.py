"""The command lines the tests run the kit with, written once."""

from __future__ import annotations

import sys
from pathlib import Path

from kit.config import SAMPLE_CONFIG


def kit_report(out: Path, *args: str, config: Path = SAMPLE_CONFIG) -> list[str]:
    """``kit report`` (this Python, no progress bar) writing under ``out``; ``args`` add to it."""
    base = [sys.executable, "-m", "kit.cli", "report", "--config", str(config)]
    return [*base, "--out", str(out), "--quiet", *args]
