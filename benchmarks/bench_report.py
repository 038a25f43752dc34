"""Report generation against its floor, and the batch with two jobs against one.

Goals (issue 8), measured in one run on the sample client:
- one pack (three notebooks, the pack HTML, its PDF) takes at most 1.5x the floor: the same
  runner on the same notebooks reduced to their parameters and imports (kernel starts, pandas,
  seaborn and the kit imported) with a blank pack printed;
- the whole batch (every sample scope) with ``--jobs 2`` is at least 1.7x faster than with 1.

Where the time goes is printed from the manifests' timings.
Run: `make bench` or `python benchmarks/bench_report.py [--quick]` (--quick: skip the batches).
"""

from __future__ import annotations

import ast
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from kit.config import NOTEBOOKS_DIR, SAMPLE_CONFIG
from kit.report import STAGES, run_batch

SCOPE = "Regulatory"
PACK_GOAL, JOBS_GOAL = 1.5, 1.7


def reduced_notebooks(folder: Path) -> Path:
    """The stage notebooks with only their parameters cell and their import statements."""
    for name, _ in STAGES:
        nb = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
        imports = []
        for cell in nb.cells:
            if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
                continue
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Import | ast.ImportFrom):
                    imports.append(ast.unparse(node))
        params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        nb.cells = [params, nbformat.v4.new_code_cell("\n".join(["import seaborn", *imports]))]
        nbformat.write(nb, folder / name)
    return folder


def timed_batch(out: Path, **kw) -> tuple[float, list]:
    t0 = time.perf_counter()
    results = run_batch(SAMPLE_CONFIG, reports_dir=out, progress=False, **kw)
    seconds = time.perf_counter() - t0
    bad = [r for r in results if r.status != "ok"]
    if bad:
        raise SystemExit(f"batch failed: {[(r.scope, r.error) for r in bad]}")
    return seconds, results


def parallel_efficiency() -> float:
    """How this machine runs two copies of that work at once: 1.0 when both take as long as
    one alone, 0.5 when two cores give nothing."""
    import multiprocessing

    from _calibrate import chart_work  # a module of its own: the pool's processes import it

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        pool.map(chart_work, [0, 0])  # warm: imports and caches in both
        alone = min(pool.apply(chart_work) for _ in range(2))
        together = max(pool.map(chart_work, [0, 0]))
    return alone / together


def where_time_goes(results) -> str:
    parts: dict[str, list[float]] = {}
    for r in results:
        manifest = json.loads((Path(r.folder) / "manifest.json").read_text())
        for k, v in manifest["timings_s"].items():
            parts.setdefault(k, []).append(v)
    return ", ".join(f"{k} {statistics.mean(v):.1f} s" for k, v in parts.items())


def main(quick: bool = False) -> int:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        floor_nb = reduced_notebooks(Path(tempfile.mkdtemp(dir=tmp)))
        timed_batch(tmp / "warm", scopes=[SCOPE], jobs=1)  # file caches warm for both
        packs, floors = [], []
        for i in range(2):
            floors.append(
                timed_batch(tmp / f"floor{i}", scopes=[SCOPE], jobs=1, notebooks_dir=floor_nb)[0]
            )
            seconds, results = timed_batch(tmp / f"pack{i}", scopes=[SCOPE], jobs=1)
            packs.append(seconds)
        pack, floor = min(packs), min(floors)
        ratio = pack / floor
        ok &= ratio <= PACK_GOAL
        print(f"One pack ({SCOPE}), best of 2, wall time of `kit report` with one job")
        print(f"  pack                       : {pack:6.1f} s   ({where_time_goes(results)})")
        print(f"  floor (imports, blank page): {floor:6.1f} s")
        print(f"  ratio                      : {ratio:6.2f} x   (goal <= {PACK_GOAL} x)")
        if not quick:
            one, results = timed_batch(tmp / "jobs1", jobs=1)
            two, _ = timed_batch(tmp / "jobs2", jobs=2)
            speedup = one / two
            ok &= speedup >= JOBS_GOAL
            print(f"All {len(results)} sample scopes")
            print(f"  --jobs 1                   : {one:6.1f} s")
            print(f"  --jobs 2                   : {two:6.1f} s")
            print(f"  speed-up                   : {speedup:6.2f} x   (goal >= {JOBS_GOAL} x)")
            efficiency = parallel_efficiency()
            print(
                f"  this machine, two copies of a pack's chart work at once: each runs at "
                f"{efficiency:.0%} of its speed alone (at most {2 * efficiency:.2f} x from 2 jobs)"
            )
            print(f"  per pack (jobs 1)          : {where_time_goes(results)}")
    print("  " + ("goals met" if ok else "GOALS MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(quick="--quick" in sys.argv))
