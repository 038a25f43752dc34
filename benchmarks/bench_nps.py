"""`kit.nps.summary` on 1,000,000 responses against the floor: one plain pandas groupby count.

Goal (issue 3): under 1 s, under 1 GB peak memory, at most 2x the floor.
Run: `make bench` or `python benchmarks/bench_nps.py`.
"""

from __future__ import annotations

import resource
import time

import numpy as np
import pandas as pd

from kit import nps

KEYS = ["wave", "provider_function", "respondent_function"]
ROWS = 1_000_000


def responses(rows: int = ROWS, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    functions = np.array([f"Function {i:02d}" for i in range(12)], dtype=object)
    waves = np.array(["2025-H1", "2025-H2", "2026-H1"], dtype=object)
    return pd.DataFrame(
        {
            "wave": waves[rng.integers(0, 3, rows)],
            "provider_function": functions[rng.integers(0, 12, rows)],
            "respondent_function": functions[rng.integers(0, 12, rows)],
            "score": rng.integers(0, 11, rows),
        }
    )


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    data = responses()
    floor = best_of(lambda: data.groupby(KEYS, observed=True).size())
    ours = best_of(lambda: nps.summary(data, by=KEYS, min_n=5))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    groups = len(nps.summary(data, by=KEYS))
    ratio = ours / floor
    print(f"nps.summary, {ROWS:,} responses, {groups} groups (wave x provider x customer)")
    print(f"  summary with intervals : {ours * 1000:7.0f} ms   (goal < 1000 ms)")
    print(f"  floor: groupby count   : {floor * 1000:7.0f} ms")
    print(f"  ratio                  : {ratio:7.2f} x   (goal <= 2.0 x)")
    print(f"  peak memory (process)  : {peak_mb:7.0f} MB   (goal < 1024 MB)")
    ok = ours < 1.0 and ratio <= 2.0 and peak_mb < 1024
    print("  " + ("goals met" if ok else "GOALS MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
