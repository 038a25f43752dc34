"""CRM-sized touchpoint logs (issue 21, item 4): coordination of 20,000,000 touches of 500,000
external stakeholders read from Parquet by DuckDB in under 60 s and 4 GB peak; the log's
validation in SQL; and 1,000,000 touches by pandas against DuckDB.

The logs are generated in DuckDB itself (a year of touches; a tenth of the stakeholders, the
KOLs, get 30% of them; Sales logs most) and kept under /tmp between runs. Each measurement runs
in a child process that reports its own seconds and peak memory (``ru_maxrss``), so one does
not inherit another's memory. DuckDB runs with :data:`kit.touchpoints.THREADS` threads and
:data:`kit.touchpoints.DEFAULT_MEMORY` (``KIT_DUCKDB_MEMORY``), spilling past it. The machine's
load is printed: on a shared machine the seconds are those of the cores left over.

Run: ``make bench`` or ``python benchmarks/bench_touchpoints.py [--rows N --people N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CACHE = Path(tempfile.gettempdir()) / "kit-bench-touchpoints"
GOAL_S, GOAL_MB = 60, 4096
#: Sales most, then Medical Affairs and Marketing; all functions of the sample's functions.csv.
FUNCTIONS = ["Sales"] * 8 + ["Medical Affairs"] * 3 + ["Marketing"] * 3 + ["Market Access"] * 2
FUNCTIONS += ["Clinical Operations", "Pharmacovigilance", "Regulatory", "Supply Chain"]
#: Draws are hashes of i + k * SEED: hash(i, k) of DuckDB would tie stakeholders to functions.
SEED = 10**12
CHANNELS = ["Face to face", "Email", "Remote detail", "Phone", "Congress"]
SEGMENTS = ["High prescriber", "General practitioner", "Hospital pharmacist"]


def log_file(rows: int, people: int) -> Path:
    """A Parquet log of ``rows`` touches of ``people`` stakeholders over a year, made once."""
    path = CACHE / f"touchpoints-{rows}-{people}-v2.parquet"
    if path.is_file():
        return path
    import duckdb

    CACHE.mkdir(parents=True, exist_ok=True)
    kols = max(people // 10, 1)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    con = duckdb.connect(config={"memory_limit": "2GB", "threads": os.cpu_count() or 1})
    con.execute(
        f"""COPY (
        WITH drawn AS (
            SELECT i, hash(i + 3 * {SEED}) AS h3, hash(i + 4 * {SEED}) AS h4,
                CASE WHEN hash(i + {SEED}) % 10 < 3 THEN hash(i + 5 * {SEED}) % {kols}
                     ELSE hash(i + 5 * {SEED}) % {people} END AS who
            FROM range({rows}) t(i))
        SELECT 'T' || lpad(i::VARCHAR, 9, '0') AS touchpoint_id,
            'HCP' || lpad(who::VARCHAR, 7, '0') AS external_id,
            CASE WHEN who < {kols} THEN 'KOL' ELSE {SEGMENTS}[(who % 3)::INT + 1] END AS segment,
            {FUNCTIONS}[(h3 % {len(FUNCTIONS)})::INT + 1] AS function,
            {CHANNELS}[(h4 % 5)::INT + 1] AS channel,
            DATE '2025-07-01' + ((h4 >> 8) % 365)::INT AS date
        FROM drawn) TO '{partial}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)"""
    )
    con.close()
    partial.replace(path)
    return path


def child(task: str, path: str) -> dict:
    """One measurement, in this (child) process."""
    from kit import touchpoints as tp

    out: dict = {}
    if task == "validate":
        t0 = time.perf_counter()
        problems = tp.check_log(path, functions=sorted(set(FUNCTIONS)))
        out["problems"] = len(problems)
    else:
        source = path
        if task in ("pandas", "duckdb-frame"):  # the log held whole in pandas, as kit.data has it
            import duckdb

            t0 = time.perf_counter()
            source = duckdb.sql(f"FROM read_parquet('{path}')").df()
            source["date"] = source["date"].astype("datetime64[us]")
            out["read_s"] = time.perf_counter() - t0
        engine = "pandas" if task == "pandas" else "duckdb"
        t0 = time.perf_counter()
        tables = tp.coordination(source, cap=12, collision_days=7, engine=engine)
        per = tables["per_stakeholder"]
        tp.over_contacted(per, top=10)
        tp.segments(per)
        out |= {
            "collisions": int(per["collisions"].sum()),
            "stakeholders": int(per["external_id"].nunique()),
            "rows": len(per),
            "pairs": len(tables["matrix"]),
        }
    out["seconds"] = time.perf_counter() - t0
    used = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu_s"] = used.ru_utime + used.ru_stime  # the whole child: imports and reading too
    out["peak_mb"] = used.ru_maxrss / 1024
    return out


def measure(task: str, path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", task, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"{task} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--people", type=int, default=500_000)
    parser.add_argument("--child", nargs=2, metavar=("TASK", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    from kit import touchpoints as tp

    memory = os.environ.get(tp.MEMORY_ENV) or tp.DEFAULT_MEMORY
    print(f"DuckDB: {tp.THREADS} threads, memory_limit {memory}; {load()}")
    t0 = time.perf_counter()
    big = log_file(args.rows, args.people)
    print(
        f"log: {args.rows:,} touches of {args.people:,} stakeholders, "
        f"{big.stat().st_size / 1e6:,.0f} MB Parquet ({time.perf_counter() - t0:.1f} s, "
        f"cached in {CACHE})"
    )
    checked = measure("validate", big)
    print(
        f"  kit validate's check of the log (SQL): {checked['seconds']:6.1f} s "
        f"({checked['cpu_s']:.0f} CPU s), "
        f"{checked['peak_mb']:6.0f} MB peak, {checked['problems']} problems"
    )
    run = measure("duckdb", big)
    print(
        f"  coordination + worst + segments (DuckDB on Parquet): {run['seconds']:6.1f} s "
        f"(goal < {GOAL_S} s; {run['cpu_s']:.0f} CPU s), {run['peak_mb']:6.0f} MB peak "
        f"(goal < {GOAL_MB} MB)"
    )
    print(
        f"    {run['collisions']:,} collisions; {run['rows']:,} stakeholder-quarters of "
        f"{run['stakeholders']:,} stakeholders; {run['pairs']} function pairs; {load()}"
    )
    ok = run["seconds"] < GOAL_S and run["peak_mb"] < GOAL_MB and checked["problems"] == 0
    small = log_file(1_000_000, 50_000)
    print("1,000,000 touches of 50,000 stakeholders (pandas engine below LARGE_ROWS):")
    found = {}
    for task, what in [
        ("pandas", "pandas, the log in a DataFrame"),
        ("duckdb-frame", "DuckDB, the same DataFrame"),
        ("duckdb", "DuckDB, the Parquet file"),
    ]:
        found[task] = r = measure(task, small)
        read = f" (+ {r['read_s']:.1f} s to read it)" if "read_s" in r else ""
        print(
            f"  {what:32s} {r['seconds']:6.2f} s{read}, {r['cpu_s']:5.1f} CPU s in all, "
            f"{r['peak_mb']:6.0f} MB peak"
        )
    same = len({(r["collisions"], r["rows"], r["pairs"]) for r in found.values()}) == 1
    print(f"  the same tables' totals from all three: {'yes' if same else 'NO'}; {load()}")
    ok = ok and same
    print("  " + ("goals met" if ok else "GOALS MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
