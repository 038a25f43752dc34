"""Resource limits of `kit validate` (issue 19, item 3): a YAML alias bomb, a 200 MB
responses.csv, the largest table read (just under the size limit, ``KIT_MAX_TABLE_MB``), a
300,000-character cell and a binary file named responses.csv are each answered within 10 s and
1 GB, with a message. Each case runs `kit validate` in a child process, timed here; its peak
memory is the child's ``ru_maxrss`` (read with ``RUSAGE_CHILDREN`` by a fresh watcher process,
so no case inherits another's peak). Exits 1 if a limit is exceeded or a message is missing.
Run: `python benchmarks/bench_limits.py`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

from kit.config import SAMPLE_DIR
from kit.data import DEFAULT_MAX_TABLE_MB

SECONDS, MEGABYTES = 10.0, 1024

#: The watcher: runs one command as its child; prints its exit code, seconds, peak memory and
#: what it said.
WATCHER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, errors="replace")
print(json.dumps({"code": done.returncode, "seconds": time.perf_counter() - started,
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "said": done.stdout + done.stderr}))
"""

HEADER = (
    "response_id,wave,submitted_at,respondent_id,respondent_function,provider_function,score,"
    "comment,ok_to_contact,contact_id\n"
)


def responses(path: Path, size: int, *, rated: str = "IT") -> None:
    """A responses.csv of about ``size`` bytes (the sample's waves and functions: valid unless
    ``rated`` is not one of them)."""
    line = (
        "X{:09d},2026-H1,2026-04-02,P{:09d},Regulatory," + rated + ",{},"
        "Approvals take weeks and nobody says why.,false,\n"
    )
    with path.open("w", encoding="utf-8") as f:
        f.write(HEADER)
        written, i = len(HEADER), 0
        while written < size:
            block = "".join(line.format(i + k, i + k, (i + k) % 11) for k in range(10_000))
            f.write(block)
            written += len(block)
            i += 10_000


def long_cell(path: Path) -> None:
    """The sample's responses with one more row whose comment is 300,000 characters."""
    table = pd.read_csv(SAMPLE_DIR / "responses.csv", dtype=str, keep_default_na=False)
    row = table.iloc[[0]].assign(response_id="X1", comment="slow " * 60_000)
    pd.concat([table, row]).to_csv(path, index=False)


def cases(folder: Path) -> dict[str, tuple[Path, str, dict]]:
    """Each case's data folder, a word its message must hold, and its environment."""
    out = {}

    def copy(name: str) -> Path:
        dest = folder / name
        shutil.copytree(SAMPLE_DIR, dest)
        return dest

    bomb = copy("alias-bomb")
    levels = "".join(
        f"l{k}: &l{k} [{', '.join([f'*l{k - 1}'] * 9)}]\n" for k in range(1, 10)
    )  # 9^9 = 387 million values if expanded
    with (bomb / "engagement.yaml").open("a", encoding="utf-8") as f:
        f.write("l0: &l0 [lol]\n" + levels)
    out["YAML alias bomb (9 levels of 9)"] = (bomb / "engagement.yaml", "an alias (*l0)", {})

    huge = copy("200-mb")
    responses(huge / "responses.csv", 200_000_000)
    out["responses.csv of 200 MB"] = (huge / "engagement.yaml", "above the kit's limit", {})

    largest = copy("at-the-limit")
    responses(largest / "responses.csv", (DEFAULT_MAX_TABLE_MB - 1) * 1_000_000)
    out[f"responses.csv of {DEFAULT_MAX_TABLE_MB - 1} MB (validated)"] = (
        largest / "engagement.yaml",
        "error(s)",
        {},
    )
    wrong = copy("at-the-limit-all-wrong")
    responses(wrong / "responses.csv", (DEFAULT_MAX_TABLE_MB - 1) * 1_000_000, rated="Qualty")
    out[f"responses.csv of {DEFAULT_MAX_TABLE_MB - 1} MB, every row an error"] = (
        wrong / "engagement.yaml",
        "is not a known function",
        {},
    )

    cell = copy("long-cell")
    long_cell(cell / "responses.csv")
    out["a 300,000-character cell"] = (cell / "engagement.yaml", "300,000 characters long", {})

    binary = copy("binary")
    (binary / "responses.csv").write_bytes(os.urandom(20_000_000))
    out["a binary file named responses.csv (20 MB)"] = (
        binary / "engagement.yaml",
        "responses.csv",
        {},
    )
    return out


def run(config: Path, env: dict) -> dict:
    command = [sys.executable, "-m", "kit.cli", "validate", str(config)]
    command += ["--out", str(config.parent / "problems.csv")]
    done = subprocess.run(
        [sys.executable, "-c", WATCHER, *command],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=True,
    )
    return json.loads(done.stdout)


def main() -> int:
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'case':52} {'exit':>4} {'seconds':>8} {'peak MB':>8}  message")
        for name, (config, words, env) in cases(Path(tmp)).items():
            got = run(config, env)
            said = got["said"]
            message = next((line.strip() for line in said.splitlines() if words in line), "")
            print(
                f"{name:52} {got['code']:>4} {got['seconds']:>8.1f} {got['peak_mb']:>8.0f}  "
                f"{message[:110]}"
            )
            over = got["seconds"] > SECONDS or got["peak_mb"] > MEGABYTES
            if "Traceback" in said or not message or over:
                failed.append(name)
    if failed:
        print(f"\nOver {SECONDS:.0f} s or {MEGABYTES} MB, or no clear message: {failed}")
        return 1
    print(f"\nEvery case answered within {SECONDS:.0f} s and {MEGABYTES} MB, with a message.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
