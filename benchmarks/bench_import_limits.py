"""Resource limits of `kit import` (issue 19, item 3): a 200 MB export, the largest export read
(just under ``MAX_EXPORT_BYTES``), a 300,000-character cell and binary files are each answered
within 10 s and 1 GB. Each case runs `kit import` in a child process; its wall time and peak
memory (``ru_maxrss``, the Python interpreter and the kit included) are printed.
Run: `python benchmarks/bench_import_limits.py`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from kit.importers import MAX_EXPORT_BYTES

MAPPING = """\
score: Likely
wave: 2026-H1
respondent_function: {column: Team}
provider_function: {column: Rated}
response_id: Id
comment: Why
submitted_at: Date
ok_to_contact: {column: Contact}
"""

#: The child: runs one `kit import` and prints its exit code, seconds and peak memory.
CHILD = """
import json, resource, sys, time
from kit.cli import main
started = time.perf_counter()
code = main(sys.argv[1:])
print(json.dumps({"code": code, "seconds": time.perf_counter() - started,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def survey_csv(path: Path, size: int) -> Path:
    """A plausible export of about ``size`` bytes: 7 columns, a comment on every row."""
    header = "Id,Date,Team,Rated,Likely,Why,Contact\n"
    line = (
        "R{:08d},2026-03-02 09:14:00,Regulatory,Quality,{},"
        "Approvals take weeks and nobody says why.,Yes\n"
    )
    with path.open("w", encoding="utf-8") as f:
        f.write(header)
        written, i = len(header), 0
        while True:
            block = "".join(line.format(i + k, (i + k) % 11) for k in range(10_000))
            if written + len(block) > size:
                break
            f.write(block)
            written += len(block)
            i += 10_000
    return path


def run(folder: Path, name: str, export: Path, *, suggest: bool = False) -> dict:
    out = folder / f"{name}.responses.csv"
    args = [str(export), "--suggest"] if suggest else [str(export)]
    if not suggest:
        args += ["--mapping", str(folder / "mapping.yaml"), "-o", str(out)]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "import", *args], capture_output=True, text=True, check=False
    )
    lines = done.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    said = (done.stderr.strip().splitlines() or lines[:-1] or [""])[-1]
    return {"case": name, **figures, "said": said[:150]}


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    (folder / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    cell = folder / "cell.csv"
    cell.write_text(
        "Id,Date,Team,Rated,Likely,Why,Contact\n"
        "R1,2026-03-02,Sales,IT,9," + "x" * 300_000 + ",Yes\n",
        encoding="utf-8",
    )
    png = folder / "chart.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(5_000_000))
    zipped = folder / "export.csv"
    zipped.write_bytes(b"PK\x03\x04" + os.urandom(5_000_000))
    cases = [
        run(folder, "200 MB export", survey_csv(folder / "big.csv", 200_000_000)),
        run(folder, "largest read", survey_csv(folder / "largest.csv", MAX_EXPORT_BYTES - 100)),
        run(folder, "300,000-character cell", cell),
        run(folder, "PNG named .png", png, suggest=True),
        run(folder, "zip named .csv", zipped, suggest=True),
    ]
    print(f"{'case':<24}{'exit':>5}{'seconds':>9}{'peak MB':>9}  what kit import said")
    for c in cases:
        print(f"{c['case']:<24}{c['code']:>5}{c['seconds']:>9.2f}{c['peak_mb']:>9.0f}  {c['said']}")
    within = all(c["seconds"] < 10 and c["peak_mb"] < 1024 for c in cases)
    print(f"every case within 10 s and 1 GB: {'yes' if within else 'NO'}")
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


if __name__ == "__main__":
    main()
