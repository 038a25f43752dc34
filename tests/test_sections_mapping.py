"""What stage 1 (stakeholder mapping) says, computed on the sample's planted effects."""

from __future__ import annotations

import dataclasses

import matplotlib
from reading import text

from kit.config import SAMPLE_CONFIG
from kit.context import open_engagement
from kit.findings import mapping as find
from kit.sections import mapping as show

matplotlib.use("Agg")


def test_headline_of_the_organisation_and_of_a_function(org, regulatory):
    said = text(show.headline(find.headline(org), org))
    assert "12 functions are linked by 75 mapped deliverables; 80 stakeholders" in said
    assert "17 of 80 stakeholders in scope need managing closely" in said
    assert (
        "46 stakeholders are less engaged than needed; the largest gap is Manon Davies "
        "(Head of Clinical Operations, Clinical Operations): Unaware today, Leading needed."
    ) in said
    said = text(show.headline(find.headline(regulatory), regulatory))
    assert said.startswith(
        "Regulatory serves 7 internal customer functions (Clinical Operations, Market Access, "
        "Marketing, Medical Affairs, Pharmacovigilance, Sales, Supply Chain) and relies on 7 "
        "supplier functions."
    )
    assert "16 of 72 stakeholders in scope need managing closely" in said


def test_sipoc_notes_raters_without_a_mapped_relationship(org):
    marketing = open_engagement(SAMPLE_CONFIG, scope="Marketing")
    said = text(show.sipoc(find.sipoc(marketing), marketing))
    assert "Role Function Input / output Frequency Criticality" in said
    assert (
        "Also rate Marketing without a mapped relationship (customers beyond the obvious "
        "lines): Medical Affairs."
    ) in said
    said = text(show.sipoc(find.sipoc(org), org))
    assert said.startswith("Function Internal customers Suppliers Deliverables out Rated by")
    assert "Also rate" not in said


def test_salience_names_the_definitive_stakeholders(org):
    said = text(show.salience(find.salience(org), org))
    assert said.startswith("8 of 80 stakeholders in scope hold power, legitimacy and urgency")
    assert "Definitive: " in said and "Camille Khoury (Head of Pharmacovigilance (QPPV))" in said
    assert "Latent Dormant 8" in said


def test_engagement_shows_the_matrix_and_the_actions(org):
    found = find.engagement(org, top=2)
    said = text(show.engagement(found, org))
    assert said.count("Brief ") + said.count("Meet ") == 2
    assert "Brief Manon Davies on the survey results that concern Clinical Operations" in said
    register = org.ds.stakeholders.assign(
        engagement_current=org.ds.stakeholders["engagement_desired"]
    )
    engaged = dataclasses.replace(org, ds=dataclasses.replace(org.ds, stakeholders=register))
    none = find.engagement(engaged)
    assert none.actions.empty and none.matrix.empty
    assert text(show.engagement(none, engaged)) == (
        "Every stakeholder in scope is already engaged as needed."
    )


def test_network_names_brokers_clusters_and_the_silo(org, regulatory):
    earlier = open_engagement(SAMPLE_CONFIG, wave="2025-H2")
    block = show.network(find.network(earlier), earlier)
    said = text(block)
    assert said.startswith("Sales and Clinical Operations broker the most")
    assert "{Market Access, Marketing, Regulatory}" in said
    assert (
        "The strongest silo signal: Marketing and Medical Affairs share most of their "
        "partners (80% overlap) but have no direct relationships and rate each other at −82 "
        "on average."
    ) in said
    assert "<svg" in block.data
    block = show.network(find.network(regulatory), regulatory)
    assert "<svg" not in block.data
    assert "The strongest silo signal: Finance and Regulatory" in text(block)


def test_touchpoints_shows_segments_and_scores(org):
    said = text(show.touchpoints(find.touchpoints(org), org))
    assert "1,356 times two functions contacted the same person within 7 days" in said
    assert "Collisions each" in said and "Coordination score" in said
    assert "The most frequent collision: Marketing and Medical Affairs (273 times)" in said


def test_touchpoints_of_a_function_with_and_without_touches(regulatory):
    marketing = open_engagement(SAMPLE_CONFIG, scope="Marketing")
    said = text(show.touchpoints(find.touchpoints(marketing), marketing))
    assert (
        "Marketing: 58% of its 571 touches land within 7 days of another function's "
        "(coordination score 42/100)."
    ) in said
    said = text(show.touchpoints(find.touchpoints(regulatory), regulatory))
    assert said.endswith("Regulatory has no recorded external touchpoints.")
    assert "Coordination score" not in said


def test_touchpoints_note_when_none_were_provided(org):
    ds = dataclasses.replace(org.ds, touchpoints=org.ds.touchpoints.iloc[:0])
    bare = dataclasses.replace(org, ds=ds)
    found = find.touchpoints(bare)
    assert (found.touches, found.collisions) == (0, 0) and found.scores.empty
    assert text(show.touchpoints(found, bare)) == (
        "No external touchpoints were provided (touchpoints.csv)."
    )
