"""Minimal exports, as `kit import` writes them: `kit validate` passing means `kit report` works.

Each engagement has only what a minimal export gives (score, rated function, the respondent's
function, the wave), without dates, consent, respondent ids, predictions or any of the optional
tables; one of them has a single wave. Every pack of every scope run must build and say what it
left out and why.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import commands
import numpy as np
import pandas as pd
import pytest
import yaml

from kit.config import SAMPLE_CONFIG, SAMPLE_DIR

#: Columns `kit import` writes for a long export mapped with score, wave and both functions only.
IMPORTED = [
    "response_id",
    "wave",
    "submitted_at",
    "respondent_id",
    "respondent_function",
    "provider_function",
    "score",
    "comment",
]


def minimal_engagement(
    folder: Path, waves: list[str], functions: list[str], seed: int, consent: bool = False
) -> Path:
    """A data folder with responses.csv and functions.csv only; returns its engagement.yaml.
    With ``consent``, as `kit import` writes a mapped consent column without contact ids
    (every other answer agreed), and the waves' close dates in engagement.yaml."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    rows = [
        {
            "response_id": f"export-{wave}-{k}-{rater}-{rated}",
            "wave": wave,
            "submitted_at": "",
            "respondent_id": "",
            "respondent_function": rater,
            "provider_function": rated,
            "score": int(rng.integers(0, 11)),
            "comment": "",
        }
        for wave in waves
        for rater in functions
        for rated in functions
        if rater != rated
        for k in range(9)
    ]
    responses = pd.DataFrame(rows, columns=IMPORTED)
    if consent:
        responses["ok_to_contact"] = responses.index % 2 == 0
        responses["contact_id"] = ""
    responses.to_csv(folder / "responses.csv", index=False)
    pd.DataFrame({"function": functions, "headcount": [40] * len(functions), "head_id": ""}).to_csv(
        folder / "functions.csv", index=False
    )
    cfg = yaml.safe_load(Path(SAMPLE_CONFIG).read_text(encoding="utf-8"))
    cfg.update(
        client="Minimal Co",
        waves=waves,
        current_wave=waves[-1],
        confidentiality="Confidential. Prepared for Minimal Co.",
    )
    if consent:
        cfg["wave_closes"] = {
            w: f"{w[:4]}-{'06-30' if w.endswith('H1') else '12-31'}" for w in waves
        }
    path = folder / "engagement.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


ENGAGEMENTS = {  # name: (waves, functions, the function whose pack is built, consent column)
    "two-waves": (["2025-H1", "2025-H2"], ["Finance", "Operations", "Research"], "Finance", False),
    "one-wave": (["2026-H1"], ["Finance", "Operations"], "Operations", False),
    "three-waves": (["2024-H2", "2025-H1", "2025-H2"], ["Sales", "Legal", "IT"], "IT", True),
}


def _kit(*args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "kit.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=commands.PINNED)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ENGAGEMENTS))
def test_a_minimal_export_validates_and_every_pack_builds(name, tmp_path):
    waves, functions, scope, consent = ENGAGEMENTS[name]
    config = minimal_engagement(tmp_path / "client", waves, functions, len(name), consent)

    checked = _kit("validate", str(config), "--out", str(tmp_path / "problems.csv"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert ("no consent column: nobody will be contacted" in checked.stdout) is not consent
    assert ("blank contact ids although some respondents agreed" in checked.stdout) is consent
    assert ("(wave_closes) stand in for them" in checked.stdout) is consent
    assert "responses.csv: blank comment column: the comment themes and quotes are left out" in (
        checked.stdout
    )
    assert "stakeholders.csv is absent" in checked.stdout

    out = tmp_path / "reports"
    built = _kit(
        "report",
        "--config",
        str(config),
        "--out",
        str(out),
        "--quiet",
        "--jobs",
        "2",
        "--scope",
        scope,
        "--scope",
        "Organisation",
    )
    printed = built.stdout + built.stderr
    assert built.returncode == 0, printed
    assert "Traceback" not in printed
    packs = out / "minimal-co" / waves[-1].lower()
    for folder in (scope.lower(), "organisation"):
        html = (packs / folder / "pack.html").read_text(encoding="utf-8")
        assert (packs / folder / "pack.pdf").stat().st_size > 0
        assert "Left out of this pack" in html
        left_out = re.search(r'<ul class="omitted">(.*?)</ul>', html, re.S).group(1)
        reasons = re.findall(r"<li>(.*?)</li>", left_out, re.S)
        assert len(reasons) == len(set(reasons)), "each reason is said once"
        assert "there is no relationships file" in left_out
        if consent:
            assert "the responses carry no contact id, so nobody can be named" in left_out
            assert "The responses carry no contact id (contact_id, linked to roster.csv)" in html
        else:
            assert "consent to be contacted was not collected" in left_out
            assert "Consent to be contacted was not collected in this survey" in html
        first_wave = [r for r in reasons if "there is no earlier wave to compare" in r]
        assert len(first_wave) == (1 if len(waves) == 1 else 0)
        if len(waves) == 1:  # one line naming every section the first wave leaves out
            for heading in ("Trend across waves", "Did follow-up move the scores?"):
                assert heading in first_wave[0]
            assert "Change since" not in html
        assert "the responses carry no respondent id" in left_out
        assert "What drives the score</strong>: the survey has no driver ratings" in left_out
        assert "What people say</strong>: the responses carry no comments" in left_out
        assert "no function predicted its score" in left_out
        text = subprocess.run(
            ["pdftotext", str(packs / folder / "pack.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "Left out of this pack" in text
        for broken in ("nan", "NaN", "None", "NaT"):
            assert not re.search(rf"\b{broken}\b", text), f"{broken!r} printed in {folder}"
        assert "0 distinct respondents" not in text


def _stripped_sample(dest: Path) -> Path:
    """The sample with every optional column (drivers too) removed from every table."""
    from kit.data import DRIVER_PREFIX, SCHEMAS

    shutil.copytree(SAMPLE_DIR, dest)
    for table, columns in SCHEMAS.items():
        path = dest / f"{table}.csv"
        if not path.is_file():
            continue
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        optional = [c.name for c in columns if not c.required and c.name in df.columns]
        optional += [c for c in df.columns if c.startswith(DRIVER_PREFIX)]
        df.drop(columns=optional).to_csv(path, index=False)
    return dest / "engagement.yaml"


@pytest.mark.slow
def test_the_sample_without_any_optional_column_validates_and_reports(tmp_path):
    config = _stripped_sample(tmp_path / "client")
    checked = _kit("validate", str(config), "--out", str(tmp_path / "problems.csv"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for said in (
        "responses.csv: no comment column: the comment themes and quotes are left out",
        "stakeholders.csv: no power column: the salience section is left out",
        "responses.csv: no submission dates",
    ):
        assert said in checked.stdout

    out = tmp_path / "reports"
    built = _kit(
        "report", "--config", str(config), "--out", str(out), "--quiet", "--jobs", "2",
        "--scope", "Regulatory", "--scope", "Organisation",
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Traceback" not in built.stdout + built.stderr
    for folder in ("regulatory", "organisation"):
        html = (out / "helix-biopharma" / "2026-h1" / folder / "pack.html").read_text("utf-8")
        left_out = re.search(r'<ul class="omitted">(.*?)</ul>', html, re.S).group(1)
        assert "the responses have no comment column" in left_out
        assert "no power, legitimacy and urgency columns" in left_out
        assert "Non-stakeholder" not in html
        assert "Consent to be contacted was not collected in this survey" in html


def test_follow_up_of_earlier_waves_only():
    """A wave's pack reports the follow-up of earlier waves' answers, never its own or later
    ones: the sample logs 47 follow-ups of 2025-H1 answers and 50 of 2025-H2 ones."""
    from kit.context import open_engagement
    from kit.findings import follow_up as find
    from kit.sections import follow_up as show

    first = open_engagement(SAMPLE_CONFIG, wave="2025-H1")
    assert find.log(first).empty and not find.loop(first).logged
    assert "no follow-up was logged for the organisation in earlier waves" in (
        show.loop(find.loop(first), first).data
    )
    second = open_engagement(SAMPLE_CONFIG, wave="2025-H2")
    assert find.log(second)["wave"].tolist() == ["2025-H1"]
    assert int(find.loop(second).funnel["followups"].iloc[0]) == 47
    current = open_engagement(SAMPLE_CONFIG)
    assert find.log(current)["wave"].tolist() == ["2025-H1", "2025-H2"]
    assert int(find.loop(current).funnel["followups"].iloc[0]) == 47 + 50


def test_without_any_date_the_follow_up_says_so_and_prints_no_date(sample_copy):
    """Consent given but no submission date and no wave_closes: the queue is built, its due
    date is said to be unknown, and no table prints 'NaT'."""
    from kit.context import open_engagement
    from kit.findings import follow_up as find
    from kit.sections import follow_up as show

    path = sample_copy / "responses.csv"
    pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns=["submitted_at"]).to_csv(
        path, index=False
    )
    ctx = open_engagement(sample_copy / "engagement.yaml", scope="Regulatory")
    queue = find.queue(ctx)
    assert len(queue) and queue["due"].isna().all()
    said = show.headline(queue, find.log(ctx), ctx).data
    assert "are due 14 days after the survey closed (neither the responses nor" in said
    owners = show.owners(find.owners(ctx), ctx).data
    assert "Due by" not in owners and "NaT" not in owners
    plan = show.plan(find.plan(ctx), ctx).data
    assert "due dates to be set with their owners" in plan and "NaT" not in plan
