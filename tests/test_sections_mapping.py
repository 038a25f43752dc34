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
    assert said == (
        "12 functions are linked by 75 mapped deliverables; 80 stakeholders are in the "
        "register. 9 of the 12 function heads are less engaged than needed. 17 of 80 "
        "stakeholders in scope need managing closely (high influence and high interest). 46 "
        "stakeholders in scope are less engaged than needed; first by priority (influence x "
        "gap) is Manon Davies (Head of Clinical Operations, Clinical Operations): Unaware "
        "today, Leading needed (priority 20, the highest possible)."
    )
    said = text(show.headline(find.headline(regulatory), regulatory))
    sentences = [
        "Regulatory serves 7 internal customer functions (Clinical Operations, Market Access, "
        "Marketing, Medical Affairs, Pharmacovigilance, Sales and Supply Chain) and relies on 7 "
        "supplier functions.",
        # its own head comes before anyone else's
        "Regulatory's own head, Layla Silva (Head of Regulatory Affairs), is Unaware today "
        "and needs to be Leading: 4 steps up the engagement scale, the largest gap the scale "
        "allows (priority 16: influence 4 x gap 4).",
        "5 of Regulatory's 6 other people in the register are less engaged than needed; first "
        "by priority: Elif Wilson (Regulatory Strategy Director): Unaware today, Supportive "
        "needed.",
        "16 of 72 stakeholders in scope need managing closely (high influence and high interest).",
        "40 stakeholders in scope are less engaged than needed; in partner functions, first by "
        "priority (influence x gap) is Manon Davies (Head of Clinical Operations, Clinical "
        "Operations): Unaware today, Leading needed (priority 20, the highest possible).",
    ]
    assert said == " ".join(sentences)


def test_headline_possessives_and_agreement():
    sales = open_engagement(SAMPLE_CONFIG, scope="Sales")
    said = text(show.headline(find.headline(sales), sales))
    assert (
        "Sales' own head, Katarzyna Ahmed (Head of Sales), is Supportive today and needs " in said
    )
    assert "1 step up the engagement scale (priority 4: influence 4 x gap 1)." in said
    assert "Sales's" not in said
    marketing = open_engagement(SAMPLE_CONFIG, scope="Marketing")
    said = text(show.headline(find.headline(marketing), marketing))
    assert "Marketing's own head, Emma Patel (Head of Marketing), is Leading today, as needed." in (
        said
    )
    legal = open_engagement(SAMPLE_CONFIG, scope="Legal & Compliance")
    said = text(show.headline(find.headline(legal), legal))
    assert "Legal & Compliance's 2 other people in the register are engaged at least as " in said
    assert "relies on 0 supplier functions" in said


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


def test_engagement_shows_the_matrix_and_the_actions(org, regulatory):
    found = find.engagement(org, top=2)
    said = text(show.engagement(found, org))
    assert said.count("Brief ") + said.count("Meet ") == 2
    assert said.startswith(
        "2 stakeholders by priority (influence x gap), highest first. 1 of them, at the top of "
        "their reporting line, has no one above them in the register: a peer who already "
        "supports the work (Supportive or Leading today) is the suggested owner."
    )
    assert "Stakeholder Unaware Resistant Neutral Supportive Leading Priority" in said
    assert (
        "Manon Davies (Head of Clinical Operations) Clinical Operations 20 Brief Manon Davies "
        "on the survey results that concern Clinical Operations and why they matter (to reach "
        "Leading). Hassan Colombo (Head of Medical Affairs)"
    ) in said
    said = text(show.engagement(find.engagement(regulatory, top=1), regulatory))
    assert said.startswith(
        "2 stakeholders by priority (influence x gap), highest first; Regulatory's own "
        "leadership is listed whatever its rank. 2 of them, at the top of their reporting "
        "line, have no one above them"
    )
    assert (
        "Layla Silva (Head of Regulatory Affairs) Regulatory 16 Brief Layla Silva on the "
        "survey results that concern Regulatory and why they matter (to reach Leading). Emma "
        "Patel (Head of Marketing)"
    ) in said
    assert "Sipho Nwosu" not in said and "Laura Berg (Regulatory Strategy Director)" not in said
    register = org.ds.stakeholders.assign(
        engagement_current=org.ds.stakeholders["engagement_desired"]
    )
    engaged = dataclasses.replace(org, ds=dataclasses.replace(org.ds, stakeholders=register))
    none = find.engagement(engaged)
    assert none.actions.empty and none.matrix.empty
    assert text(show.engagement(none, engaged)) == (
        "Every stakeholder in scope is already engaged as needed."
    )


def test_sections_with_nobody_in_scope_are_left_out(org):
    nobody = dataclasses.replace(
        org, ds=dataclasses.replace(org.ds, stakeholders=org.ds.stakeholders.iloc[:0])
    )
    for block in (
        show.grid(find.grid(nobody), nobody),
        show.salience(find.salience(nobody), nobody),
        show.engagement(find.engagement(nobody), nobody),
    ):
        assert 'class="kit-omitted"' in block.data
        assert "no one in the stakeholder register is in scope for the organisation" in (
            text(block)
        )
    bare = org.ds.stakeholders.drop(columns=["legitimacy", "urgency"])
    partial = dataclasses.replace(org, ds=dataclasses.replace(org.ds, stakeholders=bare))
    block = show.salience(find.salience(partial), partial)
    assert text(block) == (
        "Left out of the pack: the stakeholder register has no legitimacy and urgency "
        "columns, so salience is not known"
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


def test_no_network_sipoc_or_silo_without_a_relationships_file(sample_copy):
    (sample_copy / "relationships.csv").unlink()
    for scope in ("Organisation", "Regulatory"):
        ctx = open_engagement(sample_copy / "engagement.yaml", scope=scope)
        block = show.network(find.network(ctx), ctx)
        said = text(block)
        assert 'class="kit-omitted"' in block.data and "<svg" not in block.data
        assert said == (
            "Left out of the pack: there is no relationships file (relationships.csv): who "
            "serves whom is not mapped, so there is no network, broker or silo to show"
        )
        assert "broker the most" not in said and "silo signal" not in said
        assert 'class="kit-omitted"' in show.sipoc(find.sipoc(ctx), ctx).data
    said = text(show.headline(find.headline(ctx), ctx))
    assert said.startswith(
        "Who Regulatory serves and relies on is not mapped (no relationships file): the "
        "stakeholders in scope are Regulatory's own people only."
    )


def test_touchpoints_shows_segments_and_scores(org):
    said = text(show.touchpoints(find.touchpoints(org), org))
    # the segments are named as the data names them (the sample's: a pharma company's)
    assert said.startswith(
        "600 external stakeholders (General practitioner, High prescriber, Hospital pharmacist, "
        "Hospital specialist, KOL and Payer) received 4,999 touches from 6 functions"
    )
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
    block = show.touchpoints(find.touchpoints(regulatory), regulatory)
    assert 'class="kit-omitted" data-reason="Regulatory has no recorded external' in block.data
    assert text(block) == ("Left out of the pack: Regulatory has no recorded external touchpoints")


def test_touchpoints_note_when_none_were_provided(org):
    ds = dataclasses.replace(org.ds, touchpoints=org.ds.touchpoints.iloc[:0])
    bare = dataclasses.replace(org, ds=ds)
    found = find.touchpoints(bare)
    assert (found.touches, found.collisions) == (0, 0) and found.scores.empty
    assert text(show.touchpoints(found, bare)) == (
        "Left out of the pack: no external touchpoints were provided (touchpoints.csv)"
    )


def test_without_a_register_the_headline_says_so_and_the_pages_are_left_out(sample_copy):
    (sample_copy / "stakeholders.csv").unlink()
    ctx = open_engagement(sample_copy / "engagement.yaml", scope="Regulatory")
    said = text(show.headline(find.headline(ctx), ctx))
    assert said == (
        "Regulatory serves 7 internal customer functions (Clinical Operations, Market Access, "
        "Marketing, Medical Affairs, Pharmacovigilance, Sales and Supply Chain) and relies on 7 "
        "supplier functions. No one in the stakeholder register (stakeholders.csv) is in scope: "
        "who matters and how engaged they are is not mapped."
    )
    for name in ("grid", "salience", "engagement"):
        block = getattr(show, name)(getattr(find, name)(ctx), ctx)
        assert text(block) == (
            "Left out of the pack: no one in the stakeholder register is in scope for Regulatory"
        )


def test_touchpoints_name_the_clients_own_segments(org):
    renamed = org.ds.touchpoints.assign(
        segment=org.ds.touchpoints["segment"].map(
            lambda s: "Retailer" if s in ("KOL", "Payer") else "Carrier <b>"
        )
    )
    ctx = dataclasses.replace(org, ds=dataclasses.replace(org.ds, touchpoints=renamed))
    block = show.touchpoints(find.touchpoints(ctx), ctx)
    said = text(block)
    assert said.startswith("600 external stakeholders (Carrier <b> and Retailer) received")
    assert "Carrier &lt;b&gt;" in block.data  # a client's text is escaped
    for pharma in ("KOL", "Payer", "physician", "Hospital pharmacist", "prescri"):
        assert pharma.lower() not in said.lower()
