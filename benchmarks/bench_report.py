"""Report generation against its floor, and the batch with two jobs against one.

Goals (issue 8), measured in one run on the sample client (each comparison in turns, best of
each: this machine's speed drifts by a fifth or more from one minute to the next):
- one pack (three notebooks, the pack HTML, its PDF) takes at most 1.5x the floor: the same
  runner on the same notebooks reduced to their parameters and imports (kernel starts, pandas,
  seaborn and the kit imported) with a blank pack printed;
- the whole batch (every sample scope) with ``--jobs 2`` is at least 1.7x faster than with 1.

Issue 21 (a lower floor per pack): the floor in CPU seconds (children included: workers,
kernels, the browser) of one pack of the reduced notebooks, and the whole sample batch against
(packs) x that floor, each with kernels started bare (``KIT_KERNEL_FORK=0``: every kernel starts
Python and imports pandas, seaborn and the kit) and forked from each worker's template (the
imports paid once per worker). Then the same batch on a two-worker ``LocalCluster``
(``--cluster local:2``) against the local pool.

Where the time goes is printed from the manifests' timings. Beside the batches, the CPU time of
every process they start (sampled from /proc) gives the best --jobs 2 could do on two cores:
its own CPU work shared evenly over both, with no idle moment.
Run: `make bench` or `python benchmarks/bench_report.py [--quick | --floor]` (--quick: skip the
batches; --floor: only the floor, bare against forked, and the cluster).
"""

from __future__ import annotations

import ast
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat

from kit.config import NOTEBOOKS_DIR, SAMPLE_CONFIG
from kit.report import STAGES, run_batch

SCOPE = "Regulatory"
PACK_GOAL, JOBS_GOAL = 1.5, 1.7
ROUNDS = 3  # one pack and its floor, in turn: the best of each
BATCH_ROUNDS = 2  # the whole batch with one job, then two: the best of each


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
    bad = [r for r in results if r.status not in ("ok", "withheld")]
    if bad:
        raise SystemExit(f"batch failed: {[(r.scope, r.error) for r in bad]}")
    return seconds, [r for r in results if r.status == "ok"]  # withheld scopes get no pack


def _cpu_seconds() -> dict[tuple[int, str], float]:
    """CPU seconds (user + system) of this process and every process under it, by (pid, start)."""
    parent: dict[int, int] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent[int(entry.name)], stats[int(entry.name)] = int(fields[1]), fields
    mine, todo = set(), [os.getpid()]
    while todo:
        pid = todo.pop()
        mine.add(pid)
        todo += [p for p, pp in parent.items() if pp == pid and p not in mine]
    tick = os.sysconf("SC_CLK_TCK")
    return {(p, stats[p][19]): (int(stats[p][11]) + int(stats[p][12])) / tick for p in mine}


@contextmanager
def cpu_work(into: list[float]):
    """Appends to ``into`` the CPU seconds used inside the block by this process and all it
    starts, the sampling itself left out (Linux; sampled every 0.2 s, so a process's last
    moments can be missed: a little under, never over)."""
    if not Path("/proc/self/stat").exists():
        yield
        into.append(float("nan"))
        return
    start, seen, done, own = _cpu_seconds(), {}, threading.Event(), [0.0]

    def sample() -> None:
        while not done.wait(0.2):
            seen.update(_cpu_seconds())
        own[0] = time.thread_time()  # the sampling's own CPU, left out

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        seen.update(_cpu_seconds())
        into.append(sum(v - start.get(k, 0.0) for k, v in seen.items()) - own[0])


def where_time_goes(results) -> str:
    parts: dict[str, list[float]] = {}
    for r in results:
        manifest = json.loads((Path(r.folder) / "manifest.json").read_text())
        for k, v in manifest["timings_s"].items():
            parts.setdefault(k, []).append(v)
    return ", ".join(f"{k} {statistics.mean(v):.1f} s" for k, v in parts.items())


@contextmanager
def kernels_forked(forked: bool):
    """Kernels forked from the template (the default), or started bare."""
    from kit.kernel import FORK_ENV

    saved = os.environ.get(FORK_ENV)
    os.environ[FORK_ENV] = "1" if forked else "0"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(FORK_ENV)
        else:
            os.environ[FORK_ENV] = saved


def cpu_of_batch(out: Path, **kw) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds with every child, packs built) of one batch."""
    cpu: list[float] = []
    with cpu_work(cpu):
        wall, results = timed_batch(out, **kw)
    return wall, cpu[0], len(results)


def floor_and_batch(tmp: Path, floor_nb: Path) -> None:
    """The floor of a pack and the whole batch against (packs) x floor, in CPU seconds,
    kernels bare then forked; then the batch on a LocalCluster of two workers."""
    print("A lower floor per pack (issue 21): CPU seconds, children included, --jobs 2")
    rows = {}
    for forked in (False, True):
        with kernels_forked(forked):
            floor = min(
                cpu_of_batch(tmp / f"f{forked}{i}", scopes=[SCOPE], jobs=2, notebooks_dir=floor_nb)
                for i in range(2)
            )
            empty = cpu_of_batch(tmp / f"e{forked}", jobs=2, notebooks_dir=floor_nb)
            batch = cpu_of_batch(tmp / f"b{forked}", jobs=2)
        rows[forked] = (floor, batch)
        (_, f_cpu, _), (wall, b_cpu, packs) = floor, batch
        print("  kernels " + ("forked from the template" if forked else "started bare (before)"))
        print(f"    floor, one pack of the reduced notebooks : {f_cpu:6.1f} s CPU")
        print(
            f"    {packs} packs of the reduced notebooks       : {empty[1]:6.1f} s CPU "
            f"({empty[1] / packs:.2f} s a pack)"
        )
        print(
            f"    {packs} packs (the sample batch)             : {b_cpu:6.1f} s CPU "
            f"({wall:5.1f} s wall) = {b_cpu / (packs * f_cpu):.2f} x {packs} x the floor "
            f"({packs * f_cpu:5.1f} s)"
        )
    (before, after) = rows[False][1][1], rows[True][1][1]
    print(f"  the batch's CPU, forked against bare: {after / before:.2f} x")
    wall, b_cpu, packs = cpu_of_batch(tmp / "cluster", cluster="local:2")
    print(
        f"  --cluster local:2 (kernels forked): {packs} packs {b_cpu:6.1f} s CPU, {wall:5.1f} s "
        f"wall, against --jobs 2: {wall / rows[True][1][0]:.2f} x the wall time"
    )


def main(quick: bool = False) -> int:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        floor_nb = reduced_notebooks(Path(tempfile.mkdtemp(dir=tmp)))
        if "--floor" in sys.argv:
            floor_and_batch(tmp, floor_nb)
            return 0
        timed_batch(tmp / "warm", scopes=[SCOPE], jobs=1)  # file caches warm for both
        packs, floors = [], []
        for i in range(ROUNDS):
            floors.append(
                timed_batch(tmp / f"floor{i}", scopes=[SCOPE], jobs=1, notebooks_dir=floor_nb)[0]
            )
            seconds, results = timed_batch(tmp / f"pack{i}", scopes=[SCOPE], jobs=1)
            packs.append(seconds)
        pack, floor = min(packs), min(floors)
        ratio = pack / floor
        ok &= ratio <= PACK_GOAL
        print(f"One pack ({SCOPE}), best of {ROUNDS}, wall time of `kit report` with one job")
        print(f"  pack                       : {pack:6.1f} s   ({where_time_goes(results)})")
        print(f"  floor (imports, blank page): {floor:6.1f} s")
        print(f"  ratio                      : {ratio:6.2f} x   (goal <= {PACK_GOAL} x)")
        if not quick:
            runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}  # (wall, CPU work)
            for i in range(BATCH_ROUNDS):  # in turn, so that both meet the machine's moods
                for jobs in (1, 2):
                    cpu: list[float] = []
                    with cpu_work(cpu):
                        wall, results = timed_batch(tmp / f"jobs{jobs}-{i}", jobs=jobs)
                    runs[jobs].append((wall, cpu[0]))
                    if jobs == 1:
                        one_job = results
            (one, work1), (two, work2) = min(runs[1]), min(runs[2])
            speedup = one / two
            ok &= speedup >= JOBS_GOAL
            print(f"All {len(one_job)} sample scopes, best of {BATCH_ROUNDS}")
            for jobs, wall, work in ((1, one, work1), (2, two, work2)):
                busy = f"CPU work {work:5.1f} s, {work / wall:.2f} cores busy on average"
                print(f"  --jobs {jobs}                   : {wall:6.1f} s   ({busy})")
            print(f"  speed-up                   : {speedup:6.2f} x   (goal >= {JOBS_GOAL} x)")
            for i, ((w1, c1), (w2, c2)) in enumerate(zip(runs[1], runs[2], strict=True), 1):
                print(
                    f"    round {i}: {w1:5.1f} s / {w2:5.1f} s = {w1 / w2:.2f} x, CPU work "
                    f"{c1:5.1f} s / {c2:5.1f} s, ceiling {2 * w1 / c2:.2f} x"
                )
            print(
                f"  ceiling on 2 cores         : {2 * one / work2:6.2f} x   (--jobs 2's CPU work "
                "shared evenly over both cores, never idle; --jobs 1 already prints each pack "
                "while the next one runs)"
            )
            print(f"  per pack (jobs 1)          : {where_time_goes(one_job)}")
            floor_and_batch(tmp, floor_nb)
    print("  " + ("goals met" if ok else "GOALS MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(quick="--quick" in sys.argv))
