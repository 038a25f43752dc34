"""Hostile input refused or made harmless: markup and scripts in every client string, path
tricks in names, papermill's format strings, formulas in exports, huge comments, invisible
and right-to-left characters."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import commands
import pandas as pd
import pytest
import yaml

from kit.config import load_engagement, slug
from kit.data import validate
from kit.privacy import redact
from kit.report import _literal, output_root, scopes_for
from kit.themes import MAX_QUOTE, clip
from kit.workbook import CELL_LIMIT, neutralise

SCRIPT = "<script>alert(1)</script>Reg{x}"
IMG = "<img src=x onerror=alert(2)>"
CLIENT = "<b>Helix</b> & Co ../../etc {client}"
RLO = "\u202e"  # right-to-left override: "txt.exe" shows as "exe.txt"


def hostile_copy(folder: Path) -> Path:
    """The sample with a function called SCRIPT, a stakeholder called IMG, a hostile client
    name, hostile comments (markup, a right-to-left override, 300,000 characters) and a
    zero-width space inside a function reference."""
    for csv in folder.glob("*.csv"):
        csv.write_text(
            csv.read_text(encoding="utf-8")
            .replace("Regulatory", SCRIPT)
            .replace("Hassan Colombo", IMG),
            encoding="utf-8",
        )
    responses = pd.read_csv(folder / "responses.csv", dtype=str, keep_default_na=False)
    rated = responses.index[responses["provider_function"] == SCRIPT]
    responses.loc[rated[:40], "comment"] = (
        f"Slow approvals <script>alert(3)</script> {RLO}txt.exe and <b>no</b> reply"
    )
    responses.loc[rated[40], "comment"] = "slow " * 60_000
    responses.loc[rated[41], "provider_function"] = SCRIPT + "\u200b"
    responses.to_csv(folder / "responses.csv", index=False)
    cfg = yaml.safe_load((folder / "engagement.yaml").read_text(encoding="utf-8"))
    cfg.update(client=CLIENT, title="Review <i>2026</i>")
    (folder / "engagement.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return folder


@pytest.mark.slow
@pytest.mark.browser
def test_a_hostile_client_makes_a_harmless_pack(sample_copy, tmp_path):
    from pypdf import PdfReader

    hostile_copy(sample_copy)
    out = tmp_path / "{x}" / "reports"  # braces in the path: papermill formats paths
    cmd = commands.kit_report(
        out, "--scope", "Organisation", "--scope", SCRIPT, "--jobs", "2",
        config=sample_copy / "engagement.yaml",
    )  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    every = [p.resolve() for p in out.rglob("*")]
    assert every and all(out.resolve() in p.parents for p in every), "nothing outside --out"
    root = out / "b-helix-b-co-etc-client" / "2026-h1"
    for scope in ("organisation", "script-alert-1-script-reg-x"):
        page = (root / scope / "pack.html").read_text(encoding="utf-8")
        for raw in ("<script>alert", "<img src=x", "<b>Helix", "<i>2026", "<b>no</b>", RLO):
            assert raw not in page, (scope, raw)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;Reg{x}" in page
        assert "slow " * 100 not in page, "a huge comment is never shown whole"
        assert len(page) < 3_000_000
        text = " ".join(p.extract_text() for p in PdfReader(root / scope / "pack.pdf").pages)
        assert "<script>alert(1)</script>Reg{x}" in " ".join(text.split())
        assert "<b>Helix</b> & Co" in text


def test_invisible_characters_are_removed_and_reported(sample_copy):
    hostile_copy(sample_copy)
    tables, problems = validate(load_engagement(sample_copy / "engagement.yaml"))
    assert not [p for p in problems if p.severity == "error"], problems[:3]
    warned = [p for p in problems if "invisible characters" in p.message]
    cells = {(p.file, p.column) for p in warned}
    assert ("responses.csv", "provider_function") in cells and ("responses.csv", "comment") in cells
    assert all(p.row and p.severity == "warning" for p in warned)
    r = tables["responses"]
    assert (r["provider_function"] == SCRIPT).sum() > 40  # the zero-width one counts too
    assert not r["comment"].fillna("").str.contains(RLO).any()


def test_names_cannot_leave_the_reports_folder(cfg, ds, tmp_path):
    for name in ("../../etc/passwd", "/etc/passwd", "..", "{x}", "a/../../b", "C:\\temp", ""):
        s = slug(name)
        assert re.fullmatch(r"[a-z0-9-]+", s) and ".." not in s and len(s) <= 60, (name, s)
    hostile = load_engagement(cfg.path, client="../../../tmp/{x}")
    root = output_root(hostile, "../2026", tmp_path)
    assert tmp_path in root.resolve().parents
    assert slug("研究開発") != slug("販売")  # names without ASCII letters stay apart


def test_scopes_sharing_a_folder_are_refused(cfg, ds):
    functions = pd.concat([ds.functions, ds.functions.head(1).assign(function="Legal  Compliance")])
    with pytest.raises(ValueError, match="'Legal & Compliance' and 'Legal  Compliance'"):
        scopes_for(cfg, ds.__class__(**{**ds.__dict__, "functions": functions}))


def test_paths_are_not_format_strings_for_papermill(tmp_path):
    from papermill.parameterize import parameterize_path

    for p in (tmp_path / "{x}" / "a.ipynb", tmp_path / "{{y}}" / "b}.ipynb"):
        assert parameterize_path(_literal(p), {"scope": "IT"}) == str(p)


def test_exports_neutralise_formulas_and_oversized_text(tmp_path, sample_copy):
    assert neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for start in "=+-@\t\r":
        assert neutralise(start + "1").startswith("'")
    assert neutralise("fine") == "fine" and neutralise(3) == 3
    long = neutralise("x" * 100_000)
    assert len(long) < 32_767 and long.startswith("x" * CELL_LIMIT) and "68,000 more" in long
    # `kit validate --out` writes the offending values: as text, never as formulas
    responses = pd.read_csv(sample_copy / "responses.csv", dtype=str, keep_default_na=False)
    responses.loc[0, "score"] = "=cmd|' /C calc'!A0"
    responses.to_csv(sample_copy / "responses.csv", index=False)
    out = tmp_path / "problems.csv"
    cmd = [sys.executable, "-m", "kit.cli", "validate", str(sample_copy), "--out", str(out)]
    assert subprocess.run(cmd, capture_output=True, text=True).returncode == 1
    values = pd.read_csv(out, dtype=str)["value"].dropna()
    assert "'=cmd|' /C calc'!A0" in set(values)
    assert not values.str.match(r"^[=+\-@]").any()


def test_huge_and_hostile_comments_are_redacted_in_linear_time():
    # each of these once took minutes through a backtracking pattern; now all take well under
    # a second (the bound is loose: it catches a return of quadratic time, not a slowdown)
    texts = pd.Series(
        ["0" * 200_000, "a@" * 100_000, "x" * 1_000_000, "+44 " * 50_000, "Jane Doe " * 50_000]
    )
    t0 = time.perf_counter()
    out = redact(texts, names=["Jane Doe"])
    assert time.perf_counter() - t0 < 20
    assert "Jane" not in out.iloc[4]
    assert len(clip(out.iloc[2])) == MAX_QUOTE


def test_no_pandas_styler_anywhere():
    """Styler does not escape HTML by default; every table goes through narrative.table."""
    root = Path(__file__).resolve().parent.parent
    sources = [*(root / "kit").rglob("*.py"), *(root / "notebooks").glob("*.ipynb")]
    styler = re.compile(
        r"Styler|\.style\.(format|apply|map|background_gradient|bar|highlight|set_|to_html|hide)"
    )
    assert [p.name for p in sources if styler.search(p.read_text())] == []
