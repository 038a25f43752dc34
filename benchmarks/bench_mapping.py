"""Stakeholder-mapping goals (issue 4): touchpoint coordination over 1,000,000 touchpoints
for 50,000 external stakeholders in under 3 s and 1.5 GB peak; network metrics for 500
functions or teams in under 2 s. Run: `make bench` or `python benchmarks/bench_mapping.py`.
"""

from __future__ import annotations

import resource
import time

import numpy as np
import pandas as pd

from kit import network, touchpoints
from kit.sample import TOUCH_FUNCTIONS

FUNCTIONS = list(TOUCH_FUNCTIONS)


def touch_table(rows: int = 1_000_000, people: int = 50_000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = np.array([f"HCP{i:06d}" for i in range(people)], dtype=object)
    # 1% of people (the KOLs) get ten times the touches of the others
    weight = np.where(np.arange(people) < people // 100, 10.0, 1.0)
    who = rng.choice(people, size=rows, p=weight / weight.sum())
    # the same string dtype as tables read by kit.data
    return pd.DataFrame(
        {
            "external_id": pd.array(ids[who], dtype="str"),
            "segment": np.where(who < 500, "KOL", "Other"),
            "function": np.array(FUNCTIONS, dtype=object)[rng.integers(0, 6, rows)],
            "channel": np.array(["Email", "Phone", "Visit"], dtype=object)[
                rng.integers(0, 3, rows)
            ],
            "date": pd.Timestamp("2025-07-01") + pd.to_timedelta(rng.integers(0, 365, rows), "D"),
        }
    )


def relationships(nodes: int = 500, edges: int = 3000, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, nodes, edges), rng.integers(0, nodes, edges)
    keep = a != b
    return pd.DataFrame(
        {
            "supplier_function": [f"Team {i:03d}" for i in a[keep]],
            "customer_function": [f"Team {i:03d}" for i in b[keep]],
            "deliverable": "x",
            "frequency": rng.choice(["Weekly", "Monthly", "Quarterly"], keep.sum()),
            "criticality": rng.integers(1, 6, keep.sum()),
        }
    )


def main() -> int:
    data = touch_table()
    t0 = time.perf_counter()
    tables = touchpoints.coordination(data, cap=12, collision_days=7)
    per, pairs = tables["per_stakeholder"], tables["matrix"]
    touch_s = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rel = relationships()
    t0 = time.perf_counter()
    g = network.build(rel)
    network.function_metrics(g)
    network_s = time.perf_counter() - t0
    print(
        f"touchpoints: {len(data):,} touches, {data['external_id'].nunique():,} people, "
        f"{int(per['collisions'].sum()):,} collisions, {len(pairs)} function pairs"
    )
    print(f"  coordination (per stakeholder, matrix, scores): {touch_s:6.2f} s (goal < 3 s)")
    print(f"  peak memory (process): {peak_mb:6.0f} MB (goal < 1536 MB)")
    print(f"network: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges")
    print(f"  build + function_metrics: {network_s:6.2f} s (goal < 2 s)")
    ok = touch_s < 3 and peak_mb < 1536 and network_s < 2
    print("  " + ("goals met" if ok else "GOALS MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
