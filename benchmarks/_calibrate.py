"""The work `bench_report.py` uses to measure this machine's parallel efficiency."""

from __future__ import annotations

import time

from kit.config import SAMPLE_CONFIG


def chart_work(_: object = None) -> float:
    """A pack's kind of work (the sample's charts and tables, again and again) for a fixed
    number of rounds; returns the time it took (the argument is for Pool.map)."""
    from kit import plots
    from kit.context import open_engagement
    from kit.sections import internal_nps, mapping

    ctx = open_engagement(SAMPLE_CONFIG, scope="Regulatory")
    plots.setup()
    t0 = time.perf_counter()
    for _ in range(4):
        mapping.grid_view(ctx)
        internal_nps.segments_view(ctx)
        internal_nps.trend_view(ctx)
    return time.perf_counter() - t0
