"""One scope's pack: the kit against the route a data scientist would take by hand.

Goal (issue 21, item 5): for one scope (Regulatory, on the sample), the CPU seconds of
- the kit: ``kit report --scope Regulatory --format html,pdf``;
- the do-it-yourself route: papermill runs each stage notebook, ``jupyter nbconvert --to html
  --no-input`` turns each into HTML, and the kit's own browser (found as :mod:`kit.browser`
  finds it) prints each to PDF with ``--headless --print-to-pdf``;
- Quarto (``quarto render NOTEBOOK -P scope:...``) where it is installed;
and what each output lacks, read from the outputs themselves: whether the HTML loads anything
from the network (not self-contained), how many files a reader gets (one document or one per
notebook), whether every PDF page carries its number (pdftotext), and whether a contact's
e-mail address from roster.csv appears (the notebooks' consultant-only cells run as they are
in the do-it-yourself route: a client pack must not show them).

CPU seconds are those of the processes started and waited for (``RUSAGE_CHILDREN``: the
command, its kernels and browsers). Run: ``make bench`` or ``python benchmarks/bench_peers.py``.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kit.browser import find_browser
from kit.config import NOTEBOOKS_DIR, SAMPLE_CONFIG, SAMPLE_DIR
from kit.report import STAGES

SCOPE = "Regulatory"
BIN = Path(sys.executable).parent
EXTERNAL = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=["']?(https?:)?//""", re.I
)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list, **kw) -> None:
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=False, **kw)
    if done.returncode:
        raise SystemExit(
            f"failed: {' '.join(map(str, cmd))}\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )


def measured(route) -> tuple[float, float, list[Path], list[Path]]:
    """(CPU seconds, wall seconds, HTML files, PDF files) of one route."""
    cpu, wall = children_cpu(), time.perf_counter()
    html, pdf = route()
    return children_cpu() - cpu, time.perf_counter() - wall, html, pdf


def kit_route(out: Path):
    def route():
        run(
            [BIN / "kit", "report", "--config", SAMPLE_CONFIG, "--scope", SCOPE]
            + ["--format", "html,pdf", "--out", out, "--jobs", "1", "--quiet"]
        )
        return sorted(out.rglob("*.html")), sorted(out.rglob("*.pdf"))

    return route


def diy_route(out: Path):
    def route():
        browser = find_browser()
        html, pdf = [], []
        for name, _ in STAGES:
            executed = out / name
            run(
                [BIN / "papermill", NOTEBOOKS_DIR / name, executed, "--cwd", NOTEBOOKS_DIR]
                + ["-p", "config", SAMPLE_CONFIG, "-p", "scope", SCOPE, "--no-progress-bar"]
            )
            run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed])
            page = executed.with_suffix(".html")
            printed = executed.with_suffix(".pdf")
            args = ["--headless", "--disable-gpu", f"--print-to-pdf={printed}"]
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                args.append("--no-sandbox")
            run([browser, *args, page.as_uri()])
            html.append(page)
            pdf.append(printed)
        return html, pdf

    return route


def pages_numbered(pdf: Path) -> tuple[int, int]:
    """(pages whose text holds their own number as a word, pages)."""
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    numbered = 0
    for i in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(i), "-l", str(i), "-layout", pdf, "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        tail = " ".join(text.strip().splitlines()[-3:])
        numbered += bool(re.search(rf"(?<![\d.,]){i}(?![\d.,%])", tail))
    return numbered, pages


def lacks(html: list[Path], pdf: list[Path]) -> dict[str, str]:
    emails = [
        line.split(",")[2]
        for line in (SAMPLE_DIR / "roster.csv").read_text(encoding="utf-8").splitlines()[1:]
    ]
    external = sum(len(EXTERNAL.findall(p.read_text(encoding="utf-8"))) for p in html)
    numbered = [pages_numbered(p) for p in pdf]
    leaked = sum(any(e in p.read_text(encoding="utf-8") for e in emails) for p in html)
    return {
        "documents": f"{len(html)} HTML + {len(pdf)} PDF",
        "self-contained HTML": "yes" if not external else f"no: {external} network loads",
        "page numbers": ", ".join(f"{n}/{t} pages" for n, t in numbered),
        "contacts' e-mails shown": f"in {leaked} of {len(html)} HTML" if leaked else "none",
    }


def main() -> int:
    missing = [t for t in ("pdfinfo", "pdftotext") if not shutil.which(t)]
    if missing:
        print(f"needs poppler's {', '.join(missing)}: not found; skipped")
        return 0
    figures = {}
    with tempfile.TemporaryDirectory(prefix="kit-bench-peers-") as tmp:
        for name, route in (
            ("kit report", kit_route(Path(tmp) / "kit")),
            ("papermill + nbconvert + Chromium", diy_route(Path(tmp) / "diy")),
        ):
            (Path(tmp) / ("kit" if name == "kit report" else "diy")).mkdir()
            cpu, wall, html, pdf = measured(route)
            figures[name] = (cpu, wall, lacks(html, pdf))
            print(f"  {name}: {cpu:.1f} s CPU, {wall:.1f} s wall", flush=True)
    print(f"\nOne scope ({SCOPE}, the sample), HTML and PDF:")
    for name, (cpu, wall, said) in figures.items():
        print(f"\n{name}: {cpu:.1f} s CPU ({wall:.1f} s wall)")
        for what, value in said.items():
            print(f"  {what:<26}{value}")
    kit_cpu, diy_cpu = figures["kit report"][0], figures["papermill + nbconvert + Chromium"][0]
    print(f"\nRatio kit / do-it-yourself: {kit_cpu / diy_cpu:.2f}x the CPU")
    quarto = shutil.which("quarto")
    print(
        "Quarto: "
        + (
            f"installed at {quarto}, not measured by this bench yet"
            if quarto
            else "not installed here (its PyPI package downloads its binary at install time, "
            "which this offline machine cannot): not measured"
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
