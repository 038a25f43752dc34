"""What the stage notebooks show, computed on the sample's planted effects."""

from __future__ import annotations

import html as html_lib
import re

import matplotlib
import pytest

from kit.config import SAMPLE_CONFIG
from kit.context import open_engagement
from kit.sections import internal_nps

matplotlib.use("Agg")


def text(block) -> str:
    """The visible sentences of an HTML block (charts and tags removed)."""
    html = re.sub(r"<svg.*?</svg>", "", block.data, flags=re.S)
    return html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


@pytest.fixture(scope="module")
def org():
    return open_engagement(SAMPLE_CONFIG)


@pytest.fixture(scope="module")
def regulatory():
    return open_engagement(SAMPLE_CONFIG, scope="Regulatory")


@pytest.fixture(scope="module")
def legal():
    return open_engagement(SAMPLE_CONFIG, scope="Legal & Compliance")


def test_headline_reports_the_significant_fall(regulatory):
    said = text(internal_nps.headline(regulatory))
    assert "an NPS of −21 (95% interval −34 to −7, n = 100) in 2026-H1" in said
    assert "fell from +21 in 2025-H2 to −21 in 2026-H1 (−42 points; p < 0.001)" in said
    assert "a significant change" in said
    assert "expected +30" in said and "51 points below" in said


def test_organisation_headline_names_the_significant_mover_only(org):
    said = text(internal_nps.headline(org))
    assert "Regulatory's NPS fell" in said
    assert said.count("NPS fell") + said.count("NPS rose") == 1


def test_matrix_view_finds_the_silo(org, regulatory):
    said = text(internal_nps.matrix_view(org))
    assert "Marketing and Medical Affairs rate each other negatively" in said
    assert "<svg" in internal_nps.matrix_view(org).data
    ma = open_engagement(SAMPLE_CONFIG, scope="Medical Affairs")
    assert "Medical Affairs and Marketing rate each other negatively" in text(
        internal_nps.matrix_view(ma)
    )


def test_gap_view_names_blind_spots(org, regulatory):
    said = text(internal_nps.gap_view(org))
    assert said.startswith("4 of 10 functions rate themselves higher")
    assert "Regulatory predicted +30 and received −21: 51 points below" in said
    assert "blind spot" in text(internal_nps.gap_view(regulatory))


def test_a_small_scope_shows_no_count_anywhere(legal):
    for view in (
        internal_nps.headline,
        internal_nps.kpis,
        internal_nps.distribution,
        internal_nps.segments_view,
        internal_nps.influence_view,
        internal_nps.gap_view,
    ):
        said = text(view(legal))
        assert not re.search(r"\b4 (responses|of)\b|n = 4\b", said), (view.__name__, said)
    assert "fewer than 5 responses" in text(internal_nps.distribution(legal))


def test_touchpoints_view_shows_segments_and_scores(org):
    from kit.sections import mapping

    said = text(mapping.touchpoints_view(org))
    assert "1,356 times two functions contacted the same person within 7 days" in said
    assert "Collisions each" in said and "Coordination score" in said
    assert "The most frequent collision: Marketing and Medical Affairs (273 times)" in said
