"""Cost per scope as the client grows: the sample at x1, x4, x16 and x64.

Goals (issue 21, item 1): a scope's pack costs in proportion to the scope's own data; what is
organisation-wide (validation, the coding of comments, touchpoint coordination) is computed
once per batch; every stage's growth exponent at or below 1.15 and no section over 1 s at
x64; validation of the x64 client (about 100,000 responses) under 2 s.

The clients come from the kit's own generator (``kit sample --scale N``: 12 functions at x1,
24 at x4, 48 from x16), cached in /tmp/kit-bench-scale while the generator is unchanged. Each
size is measured in a fresh process: ``kit.data.validate``; the batch-wide work (every comment
coded, the company's touchpoints), as a batch does it once; then, for the organisation and for
one function, the three stage notebooks' cells run in-process as a client pack runs them
(consultant-only cells left out), with the CPU time and the peak of memory allocated
(tracemalloc, in a second pass so that tracing does not slow the timed one) of every finding
and section function called from a cell. The growth exponent of a stage is the slope of
log(CPU time) against log(size) over the four sizes: 1 is linear. x64's touchpoints.csv is
33 MB, above 16 MB (``kit.touchpoints.LARGE_CSV_BYTES``): it is checked and coordinated in
DuckDB, as a client's would be; DuckDB's threads count in the CPU time.

Run: ``make bench`` or ``python benchmarks/bench_scale.py [--sizes 1,4,16,64]``.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import inspect
import json
import math
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

CACHE = Path("/tmp/kit-bench-scale")
SIZES = (1, 4, 16, 64)
FUNCTION = "Regulatory"
SCOPES = ("Organisation", FUNCTION)
EXPONENT_GOAL, SECTION_GOAL, VALIDATE_GOAL = 1.15, 1.0, 2.0
NOISE = 0.02  # seconds: below this at x64 an exponent says little
os.environ.setdefault("MPLBACKEND", "Agg")


def client(size: int) -> Path:
    """The generated client's engagement.yaml, generated again only when the generator
    changed."""
    import kit.sample

    stamp = hashlib.sha256(Path(kit.sample.__file__).read_bytes()).hexdigest()[:16]
    folder = CACHE / f"x{size}"
    done = folder / ".generator"
    if not done.is_file() or done.read_text() != stamp:
        t0 = time.perf_counter()
        kit.sample.write(folder, scale=size)
        done.write_text(stamp)
        print(f"  generated x{size} in {time.perf_counter() - t0:.1f} s", flush=True)
    return folder / "engagement.yaml"


# -- one size, in its own process ------------------------------------------------------------


class Meter:
    """CPU seconds and peak allocated MB of the outermost call of every wrapped function."""

    def __init__(self, memory: bool):
        self.memory, self.depth, self.stage = memory, 0, ""
        self.figures: dict[str, list[float]] = {}
        self.originals: list[tuple[object, str, object]] = []

    def run(self, name: str, fn, *args, **kw):
        if self.depth:
            return fn(*args, **kw)
        self.depth += 1
        if self.memory:
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
        t0 = time.process_time()
        try:
            return fn(*args, **kw)
        finally:
            seconds = time.process_time() - t0
            peak = (tracemalloc.get_traced_memory()[1] - base) / 2**20 if self.memory else 0.0
            self.depth -= 1
            key = f"{self.stage}{name}"
            old = self.figures.get(key, [0.0, 0.0])
            self.figures[key] = [old[0] + seconds, max(old[1], peak)]

    def wrap(self, module) -> None:
        short = module.__name__.removeprefix("kit.")
        for name, fn in list(vars(module).items()):
            if name.startswith("_") or not inspect.isfunction(fn):
                continue
            if fn.__module__ == module.__name__:
                timed = functools.partial(self.run, f"{short}.{name}", fn)
                self.originals.append((module, name, fn))
                setattr(module, name, functools.wraps(fn)(timed))

    def unwrap(self) -> None:
        for module, name, fn in self.originals:
            setattr(module, name, fn)
        self.originals.clear()


def _cells(notebook: Path) -> list[str]:
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    keep = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and "parameters" not in tags and "consultant-only" not in tags:
            keep.append(cell.source)
    return keep


def measure(config: Path, *, memory: bool) -> dict[str, list[float]]:
    """Every stage's [CPU seconds, peak MB] for one client."""
    import importlib

    import kit.context
    from kit import data, shared
    from kit.config import NOTEBOOKS_DIR, load_engagement
    from kit.report import STAGES

    meter = Meter(memory)
    shared._MEMORY.clear()  # nothing left from the other pass
    data._LOADED.clear()
    if memory:
        tracemalloc.start()
    opening = kit.context.open_engagement
    kit.context.open_engagement = functools.partial(meter.run, "open the scope", opening)
    for mod in (
        "kit.findings.mapping",
        "kit.findings.internal_nps",
        "kit.findings.follow_up",
        "kit.findings.summary",
        "kit.sections.mapping",
        "kit.sections.internal_nps",
        "kit.sections.follow_up",
        "kit.sections.summary",
    ):
        meter.wrap(importlib.import_module(mod))
    cfg = load_engagement(config)
    meter.stage = "batch: "
    meter.run("validate", data.validate, cfg)
    data.load(cfg)  # validated once per batch: the scopes read the result
    meter.run("code every comment", shared.coded_comments, cfg)
    from kit.findings import mapping
    from kit.ledger import Ledger

    org = opening(config, audience="client")
    meter.run("disclosure ledger", Ledger.from_context, org)  # kept on disk once decided
    meter.run("company touchpoints", mapping.touchpoints, org, top=10)
    for scope in SCOPES:
        for notebook, _ in STAGES:
            meter.stage = f"{scope} {notebook[:2]}: "
            namespace = {
                "config": str(config),
                "scope": scope,
                "wave": "",
                "audience": "client",
                "min_group_size": 0,
                "display": lambda *a, **k: None,
            }
            for source in _cells(NOTEBOOKS_DIR / notebook):
                exec(compile(source, notebook, "exec"), namespace)  # noqa: S102 - our notebooks
            import matplotlib.pyplot as plt

            plt.close("all")
    if memory:
        tracemalloc.stop()
    kit.context.open_engagement = opening
    meter.unwrap()
    return meter.figures


def one(size: int) -> None:
    config = client(size)
    timed = measure(config, memory=False)
    peaks = measure(config, memory=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"size": size, "timed": timed, "peaks": peaks, "rss_mb": rss}))


# -- the table -------------------------------------------------------------------------------


def exponent(sizes: list[int], seconds: list[float]) -> float:
    """Least-squares slope of log(seconds) on log(size)."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(max(t, 1e-4)) for t in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.one)
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    CACHE.mkdir(parents=True, exist_ok=True)
    runs = {}
    for size in sizes:
        client(size)
        t0 = time.perf_counter()
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size)],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode:
            print(out.stdout, out.stderr, file=sys.stderr)
            return 1
        runs[size] = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"  x{size}: measured in {time.perf_counter() - t0:.0f} s, peak RSS "
            f"{runs[size]['rss_mb']:.0f} MB",
            flush=True,
        )
    return report(sizes, runs)


def report(sizes: list[int], runs: dict) -> int:
    stages = list(runs[sizes[-1]]["timed"])
    width = max(map(len, stages)) + 2
    head = "".join(f"{'x' + str(s) + ' s':>9}{'MB':>6}" for s in sizes)
    print(f"\n{'stage':<{width}}{head}{'exp':>7}")
    steep, slow = [], []
    for stage in stages:
        seconds = [runs[s]["timed"].get(stage, [0.0])[0] for s in sizes]
        peaks = [runs[s]["peaks"].get(stage, [0.0, 0.0])[1] for s in sizes]
        cells = "".join(f"{t:9.3f}{m:6.0f}" for t, m in zip(seconds, peaks, strict=True))
        k = exponent(sizes, seconds) if len(sizes) > 1 else float("nan")
        mark = ""
        if k > EXPONENT_GOAL:
            mark = " <- steeper than linear" if seconds[-1] >= NOISE else " (under 20 ms)"
            if seconds[-1] >= NOISE:
                steep.append(stage)
        if seconds[-1] > SECTION_GOAL and not stage.startswith("batch"):
            slow.append(stage)
            mark += " <- over 1 s"
        print(f"{stage:<{width}}{cells}{k:7.2f}{mark}")
    big = sizes[-1]
    validate = runs[big]["timed"]["batch: validate"][0]
    per_scope = {
        scope: sum(t for st, (t, _) in runs[big]["timed"].items() if st.startswith(scope + " "))
        for scope in SCOPES
    }
    print(
        f"\nAt x{big}: validation {validate:.2f} s CPU (goal {VALIDATE_GOAL:.0f} s); the "
        + "; ".join(f"{s} scope's findings and sections {t:.1f} s" for s, t in per_scope.items())
    )
    print(
        f"Stages above exponent {EXPONENT_GOAL} (at least {NOISE * 1000:.0f} ms at x{big}): "
        + (", ".join(steep) or "none")
    )
    print(
        f"Sections or findings over {SECTION_GOAL:.0f} s at x{big}: " + (", ".join(slow) or "none")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
