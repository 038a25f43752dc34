"""What the stage notebooks show, computed on the sample's planted effects."""

from __future__ import annotations

import dataclasses
import html
import re

import matplotlib
import pandas as pd
import pytest
from reading import text

from kit import narrative
from kit.config import DEFAULT_NPS_QUESTION, SAMPLE_CONFIG
from kit.context import open_engagement
from kit.findings import internal_nps as find
from kit.sections import internal_nps as show

matplotlib.use("Agg")


def test_headline_reports_the_significant_fall(regulatory):
    said = text(show.headline(find.headline(regulatory), regulatory))
    assert "an NPS of −21 (95% interval −34 to −7, n = 100) in 2026-H1" in said
    assert (
        "fell from +21 in 2025-H2 to −21 in 2026-H1 (−42 points; p < 0.001, Holm-adjusted over "
        "the 10 functions' changes from 2025-H2): a significant change"
    ) in said
    assert "a significant change" in said
    assert "expected +30" in said and "51 points below" in said


def test_organisation_headline_names_the_significant_mover_only(org):
    said = text(show.headline(find.headline(org), org))
    assert "Regulatory's NPS fell" in said
    # the organisation's own change, paired through the panel: a family of one
    assert (
        "The organisation's NPS fell from +6 in 2025-H2 to −4 in 2026-H1 (−9 points; "
        "p = 0.010, a single test): a significant change."
    ) in said
    assert said.count("NPS fell") + said.count("NPS rose") == 2


def test_matrix_view_finds_the_silo(org, regulatory):
    earlier = open_engagement(SAMPLE_CONFIG, wave="2025-H2")
    said = text(show.matrix(find.matrix(earlier), earlier))
    assert "Marketing and Medical Affairs rate each other negatively" in said
    assert "<svg" in show.matrix(find.matrix(earlier), earlier).data
    ma = open_engagement(SAMPLE_CONFIG, scope="Medical Affairs", wave="2025-H2")
    assert "Medical Affairs and Marketing rate each other negatively" in text(
        show.matrix(find.matrix(ma), ma)
    )
    # in 2026-H1 Medical Affairs' 8 ratings of Marketing are all detractors: withheld, and
    # no sentence says what they are
    now = text(show.matrix(find.matrix(org), org))
    assert "rate each other negatively" not in now and "37 are withheld" in now


def test_gap_view_names_blind_spots(org, regulatory):
    said = text(show.gap(find.gap(org), org))
    assert said.startswith("4 of 10 functions rate themselves higher")
    assert "Regulatory predicted +30 and received −21: 51 points below" in said
    assert "blind spot" in text(show.gap(find.gap(regulatory), regulatory))


def test_a_small_scope_shows_no_count_anywhere(legal):
    for name, finding in (
        ("headline", find.headline),
        ("kpis", find.summary),
        ("distribution", find.distribution),
        ("segments", find.segments),
        ("influence", find.influence),
        ("gap", find.gap),
        ("drivers", find.drivers),
        ("themes", find.themes),
    ):
        said = text(getattr(show, name)(finding(legal), legal))
        assert not re.search(r"\b4 (responses|of)\b|n = 4\b", said), (name, said)
    assert "fewer than 5 responses" in text(show.distribution(find.distribution(legal), legal))


def test_the_organisation_headline_says_when_weighting_changes_the_story(org):
    said = text(show.headline(find.headline(org), org))
    assert (
        "How functions are weighed matters: counting every rating once gives −4, each of the "
        "10 functions shown counting equally +3, and weighing them by headcount +5; "
        "Regulatory and IT receive 36% of the ratings"
    ) in said
    agree = pd.Series(
        {
            "pooled": 24.0,
            "equal_weight": 30.0,
            "by_headcount": 28.0,
            "functions": 9,
            "most_rated": ("A", "B"),
            "their_share": 0.3,
        }
    )
    assert show.weighting_sentence(agree) is None  # the same band: nothing to add
    assert "How functions are weighed" in show.weighting_sentence(agree.replace(30.0, 60.0))


def test_drivers_show_levels_their_change_and_what_is_weak(regulatory):
    block = show.drivers(find.drivers(regulatory, resamples=100), regulatory)
    said = text(block)
    assert "Responsiveness is the rating most closely tied to the score" in said
    assert (
        "Communication is rated 3.06 on the 1-5 scale, down from 3.70 in the previous wave "
        "(change −0.63, interval −0.88 to −0.39): the largest clear fall."
    ) in said
    assert "Responsiveness 3.10" in said and block.data.count("<svg") == 2  # shares, the map
    small = open_engagement(SAMPLE_CONFIG, scope="Market Access", audience="client")
    said = text(show.drivers(find.drivers(small, resamples=50), small))
    assert "No ranking of the drivers for Market Access: only 22 responses" in said
    assert "Responsiveness 3.44" in said  # the levels are still shown


SAMPLE_QUESTION = "How likely is it that you would recommend this function to a colleague?"


def test_the_question_quoted_is_the_engagements(org, regulatory):
    assert text(show.headline(find.headline(regulatory), regulatory)).startswith(
        f"The question asked: “{SAMPLE_QUESTION}” (answered 0 to 10). Regulatory's internal"
    )
    asked = "Would you recommend Finance & Ops' <team> to a peer?"
    cfg = dataclasses.replace(org.cfg, nps_question=asked)
    ctx = dataclasses.replace(org, cfg=cfg)
    block = show.headline(find.headline(ctx), ctx)
    assert f"The question asked: “{asked}” (answered 0 to 10). Internal" in text(block)
    assert "&lt;team&gt;" in block.data
    on_a_scale = "On a scale of 0 to 10, how likely are you to recommend this team?"
    ctx = dataclasses.replace(org, cfg=dataclasses.replace(cfg, nps_question=on_a_scale))
    said = text(show.headline(find.headline(ctx), ctx))
    assert said.startswith(f"The question asked: “{on_a_scale}” Internal customers rate")
    method = narrative.methodology(cfg, org.ds)
    assert "on the question “Would you recommend Finance &amp; Ops&#x27; &lt;team&gt;" in method
    for said in (text(block), method):
        assert "colleague" not in said
    # an engagement file without a question: a neutral one, not the sample's
    plain = dataclasses.replace(org.cfg, nps_question=DEFAULT_NPS_QUESTION)
    assert SAMPLE_QUESTION not in narrative.methodology(plain, org.ds)
    assert DEFAULT_NPS_QUESTION != SAMPLE_QUESTION


@pytest.mark.slow
def test_a_pack_for_another_client_carries_none_of_the_samples_wording(sample_copy, tmp_path):
    import subprocess

    import commands

    (sample_copy / "touchpoints.csv").unlink()
    config = sample_copy / "engagement.yaml"
    asked = "On a scale from 0 to 10, how likely are you to recommend this team to a coworker?"
    text_ = config.read_text(encoding="utf-8").replace("Helix Biopharma", "Northwind Freight")
    text_ = text_.replace(f'question: "{SAMPLE_QUESTION}"', f'question: "{asked}"')
    config.write_text(text_, encoding="utf-8")
    out = tmp_path / "reports"
    cmd = commands.kit_report(out, "--scope", "Organisation", "--format", "html", config=config)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=commands.PINNED)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = (out / "northwind-freight" / "2026-h1" / "organisation" / "pack.html").read_text()
    body = re.sub(r"<(svg|style|script)\b.*?</\1>", "", page, flags=re.S)
    said = html.unescape(" ".join(re.sub(r"<[^>]+>", " ", body).split()))
    assert said.count(f"“{asked}”") == 2  # under the NPS heading and in the methodology
    for sample in (
        "Helix",
        "Biopharma",
        SAMPLE_QUESTION,
        "colleague",
        "seed article",
        "article",
        "Physicians, pharmacists and payers",
        "KOL",
        "Payer",
        "prescriber",
        "touchpoint collisions",
    ):
        assert sample not in said, sample
    # the touchpoint section is left out, heading and all, with one line in the methodology
    assert not re.search(r"<h2[^>]*>[^<]*External touchpoints", page)
    assert said.count("no external touchpoints were provided (touchpoints.csv)") == 1
