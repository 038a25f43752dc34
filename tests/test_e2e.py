"""End to end: the real `kit report` on the sample, its HTML and PDF read back."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import commands
import nbformat
import pytest
from nbformat.v4 import new_code_cell

from kit import nps
from kit.cli import main
from kit.config import NOTEBOOKS_DIR, SAMPLE_CONFIG
from kit.narrative import signed

pytestmark = pytest.mark.slow
SCOPES = ["Organisation", "Regulatory"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    if not commands.has_browser():
        pytest.fail("a Chromium-family browser is needed: run `make browser`")
    out = tmp_path_factory.mktemp("reports")
    cmd = commands.kit_report(out, "--jobs", "2", *[a for s in SCOPES for a in ("--scope", s)])
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=commands.PINNED)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Kernel is running" not in proc.stderr, "kernel chatter stays out of the terminal"
    return out / "helix-biopharma" / "2026-h1", proc.stdout


def _pdf_text(path: Path) -> tuple[str, int]:
    from pypdf import PdfReader

    reader = PdfReader(path)
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.split()), len(reader.pages)


def test_summary_names_every_pack(batch):
    root, stdout = batch
    for scope in ("organisation", "regulatory"):
        assert str(root / scope / "pack.pdf") in stdout
    assert re.search(r"Organisation\s+ok\s+\d+\.\d", stdout)


@pytest.mark.parametrize("scope", SCOPES)
def test_pdf_reads_back(batch, ds, cfg, scope):
    root, _ = batch
    text, pages = _pdf_text(root / scope.lower() / "pack.pdf")
    assert "Helix Biopharma" in text
    data = ds.responses[ds.responses["wave"] == cfg.current_wave]
    if scope != "Organisation":
        data = data[data["provider_function"] == scope]
    head = nps.summary(data, min_n=5, cluster="respondent_id").iloc[0]  # as the packs
    assert f"NPS of {signed(head['nps'])} (95% interval {signed(head['ci_low'])} to" in text
    assert f"n = {int(head['n'])}" in text
    assert 8 <= pages <= 40
    for section in ("Stakeholder mapping", "Internal NPS", "Follow-up planning", "Methodology"):
        assert section in text
    assert "\u00b6" not in text, "no heading permalink marks in print"


@pytest.mark.parametrize("scope", SCOPES)
def test_html_is_self_contained_and_complete(batch, scope):
    root, _ = batch
    page = (root / scope.lower() / "pack.html").read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", page, re.I)
    assert "<script" not in page.lower()
    for anchor in ("stage-1", "stage-2", "stage-3", "methodology"):
        assert f'id="{anchor}"' in page
    assert page.count("<svg") >= 5  # charts are inline vector graphics
    assert "import " not in re.sub(r"<svg.*?</svg>", "", page, flags=re.S)  # no code shown


def test_manifest_records_inputs_and_timings(batch, ds):
    root, _ = batch
    manifest = json.loads((root / "regulatory" / "manifest.json").read_text())
    assert manifest["scope"] == "Regulatory" and manifest["wave"] == "2026-H1"
    assert set(manifest["inputs"]) >= {"engagement.yaml", "responses.csv", "functions.csv"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in manifest["inputs"].values())
    assert manifest["parameters"]["audience"] == "client"
    assert set(manifest["outputs"]) == {"pack.html", "pack.pdf"}
    assert manifest["timings_s"]["total"] > 0 and manifest["versions"]["pandas"]
    assert len(list((root / "regulatory" / "notebooks").glob("*.ipynb"))) == 3
    assert not list(root.glob(".tmp-*")), "no staging folder left behind"
    assert (root / "regulatory").stat().st_mode & 0o055 == 0o055, "others may read the pack"
    assert not list(root.rglob("kernel-stderr.log")), "kernel logs stay out of packs"


def test_a_rerun_gives_the_same_pack_and_replaces_it_whole(batch):
    root, _ = batch
    folder = root / "regulatory"
    before = {name: (folder / name).read_bytes() for name in ("pack.html", "pack.pdf")}
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "stale.txt").write_text("left from an older pack")
    cmd = commands.kit_report(root.parent.parent, "--scope", "Regulatory")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=commands.PINNED)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not (folder / "stale.txt").exists(), "a rerun replaces the pack whole"
    for name, content in before.items():
        assert (folder / name).read_bytes() == content, f"{name} differs between runs"
    again = json.loads((folder / "manifest.json").read_text())
    assert again["outputs"] == manifest["outputs"] and again["inputs"] == manifest["inputs"]
    assert again["generated_on"] == "2026-11-18"  # SOURCE_DATE_EPOCH's day


def test_client_pack_names_no_contact(batch, ds):
    root, _ = batch
    page = (root / "organisation" / "pack.html").read_text(encoding="utf-8")
    emails = ds.roster["email"].dropna()
    assert not [e for e in emails if e in page]
    for planted in ("EMP-", "+44 20 7946", "@helixbio", "Ask James", "escalated to Elif"):
        assert planted not in page, planted


def test_a_failing_scope_does_not_stop_the_others(tmp_path, capsys):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, notebooks)
    path = notebooks / "02_internal_nps.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(
        3, new_code_cell('if scope == "IT":\n    raise RuntimeError("planted failure")')
    )
    nbformat.write(nb, path)
    out = tmp_path / "reports"
    code = main(
        [
            "report",
            "--config",
            str(SAMPLE_CONFIG),
            "--scope",
            "IT",
            "--scope",
            "Finance",
            "--format",
            "html",
            "--out",
            str(out),
            "--notebooks",
            str(notebooks),
            "--quiet",
        ]
    )
    printed = capsys.readouterr().out
    assert code == 1
    assert "Disclosure audit: 126 withheld groups and totals in 3 wave(s); none can be" in printed
    assert re.search(
        r"IT\s+failed.*02_internal_nps\.ipynb, cell \d+: RuntimeError: planted failure", printed
    )
    root = out / "helix-biopharma" / "2026-h1"
    assert (root / "finance" / "pack.html").is_file()
    assert not (root / "it").exists(), "no partial pack where a finished one belongs"
    assert (root / "_failed" / "it" / "02_internal_nps.ipynb").is_file()
    assert (root / "_failed" / "it" / "kernel-stderr.log").is_file()
    assert not list(root.glob(".tmp-*"))


def test_a_batch_whose_audit_gives_a_group_away_publishes_nothing(tmp_path, capsys, monkeypatch):
    """The ledger's audit loop bypassed (complementary suppression only): the batch's own
    audit finds the three cells whose detractors the packs would give away, and stops."""
    from kit import ledger

    monkeypatch.setattr(ledger, "CACHE", None)
    monkeypatch.setattr(ledger, "ROUNDS", 0)
    out = tmp_path / "reports"
    code = main(["report", "--config", str(SAMPLE_CONFIG), "--out", str(out), "--quiet"])
    said = capsys.readouterr().err
    assert code == 2
    assert "can work out 3 withheld figure(s)" in said and "nothing was published" in said
    assert "2025-H1: Pharmacovigilance rated by Marketing: its detractors, from " in said
    assert "Pharmacovigilance's total, the total of Marketing's ratings" in said
    assert "Traceback" not in said
    assert not out.exists() or not list(out.rglob("pack.*"))
