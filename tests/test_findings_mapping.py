"""Stage 1 findings on the sample: columns, scope, suppression and hand-checked figures.

The figures were counted by hand from data/sample (stakeholders.csv, relationships.csv,
touchpoints.csv) with awk, not with the kit.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from kit.config import ENGAGEMENT_LEVELS, SAMPLE_CONFIG
from kit.context import open_engagement
from kit.findings import mapping as find
from kit.stakeholders import QUADRANTS


def test_grid_places_the_whole_register_for_the_organisation(org):
    found = find.grid(org)
    assert found.high == 4
    assert len(found.placed) == 80
    assert {"stakeholder_id", "name", "quadrant", "approach"} <= set(found.placed.columns)
    assert found.counts.columns.tolist() == ["quadrant", "stakeholders", "approach"]
    # influence >= 4 and interest >= 4, counted with awk on stakeholders.csv
    assert dict(zip(found.counts["quadrant"], found.counts["stakeholders"], strict=True)) == {
        "Manage closely": 17,
        "Keep satisfied": 14,
        "Keep informed": 25,
        "Monitor": 24,
    }


def test_grid_of_a_function_keeps_its_people_and_its_partners(regulatory):
    found = find.grid(regulatory)
    # Regulatory and the 9 functions it serves or is served by: all but Finance and Legal
    partners = {
        "Regulatory",
        "Clinical Operations",
        "HR",
        "IT",
        "Market Access",
        "Marketing",
        "Medical Affairs",
        "Pharmacovigilance",
        "Sales",
        "Supply Chain",
    }
    assert set(found.placed["function"]) <= partners
    assert "Finance" not in set(found.placed["function"])
    assert len(found.placed) == 72  # 80 in the register, 8 in Finance or Legal
    assert found.counts["quadrant"].tolist() == list(QUADRANTS)
    assert found.counts["stakeholders"].tolist() == [16, 11, 23, 22]


def test_headline_counts_the_organisation(org):
    found = find.headline(org)
    assert (found.functions, found.deliverables, found.stakeholders) == (12, 75, 80)
    assert found.customers == [] and found.suppliers == []
    assert found.quadrants.set_index("quadrant").loc["Manage closely", "stakeholders"] == 17
    assert len(found.gaps) == 46
    assert (found.gaps["gap"] > 0).all()
    first = found.gaps.iloc[0]
    assert (first["name"], first["engagement_current"], first["engagement_desired"]) == (
        "Manon Davies",
        "Unaware",
        "Leading",
    )


def test_headline_names_a_functions_customers_and_suppliers(regulatory):
    found = find.headline(regulatory)
    # awk on relationships.csv: supplier == Regulatory, and customer == Regulatory
    assert found.customers == [
        "Clinical Operations",
        "Market Access",
        "Marketing",
        "Medical Affairs",
        "Pharmacovigilance",
        "Sales",
        "Supply Chain",
    ]
    assert found.suppliers == [
        "Clinical Operations",
        "HR",
        "IT",
        "Marketing",
        "Medical Affairs",
        "Pharmacovigilance",
        "Supply Chain",
    ]
    assert found.stakeholders == 72 and len(found.gaps) == 40


def test_sipoc_of_the_organisation_is_the_overview(org):
    found = find.sipoc(org)
    assert found.overview.columns.tolist() == [
        "function",
        "customers",
        "suppliers",
        "deliverables",
        "rated_by",
    ]
    assert len(found.overview) == 12
    assert found.edges.empty and found.unmapped == []
    assert found.overview["deliverables"].sum() == 75
    clin = found.overview.set_index("function").loc["Clinical Operations"]
    assert (clin["customers"], clin["suppliers"], clin["deliverables"]) == (6, 8, 6)


def test_sipoc_of_a_function_lists_its_edges_and_unmapped_raters(regulatory, marketing):
    found = find.sipoc(regulatory)
    assert found.edges.columns.tolist() == [
        "role",
        "partner",
        "deliverable",
        "frequency",
        "criticality",
    ]
    first = found.edges.iloc[0]
    assert (first["role"], first["partner"], first["deliverable"]) == (
        "Supplier",
        "Clinical Operations",
        "Clinical study reports",
    )
    assert set(found.edges.loc[found.edges["role"] == "Customer", "partner"]) == set(
        find.headline(regulatory).customers
    )
    assert found.unmapped == []
    # Medical Affairs rates Marketing but no relationship maps it as a customer
    assert find.sipoc(marketing).unmapped == ["Medical Affairs"]


def test_salience_counts_the_classes_most_salient_first(org):
    found = find.salience(org)
    assert found.counts.columns.tolist() == ["salience_group", "salience", "stakeholders"]
    assert found.counts["salience"].tolist() == [
        "Definitive",
        "Dependent",
        "Dangerous",
        "Dominant",
        "Demanding",
        "Discretionary",
        "Dormant",
        "Non-stakeholder",
    ]
    assert found.counts["stakeholders"].sum() == len(found.register) == 80
    # power, legitimacy and urgency all "true" / all blank-or-false in stakeholders.csv
    assert found.counts.set_index("salience").loc["Non-stakeholder", "stakeholders"] == 13
    assert set(found.definitive["name"]) == {
        "Camille Khoury",
        "Youssef Hansen",
        "Amélie Walsh",
        "Daniel Colombo",
        "Sofia Virtanen",
        "Sipho Nwosu",
        "Pierre Walsh",
        "Isabel Johansson",
    }
    assert set(found.definitive["name"].head(2)) == {"Camille Khoury", "Isabel Johansson"}
    assert found.definitive["influence"].is_monotonic_decreasing


def test_engagement_takes_the_top_gaps_by_influence_times_gap(org, regulatory):
    found = find.engagement(org)
    assert len(found.actions) == 12 and len(found.matrix) == 12
    assert found.matrix.columns.tolist() == ["name", *ENGAGEMENT_LEVELS, "gap", "priority"]
    assert found.matrix["name"].tolist() == found.actions["name"].tolist()
    first = found.actions.iloc[0]
    # a head whose relationship owner is her own director (Sipho Nwosu): a peer head instead
    assert (first["stakeholder_id"], first["name"], first["owner"], first["owner_basis"]) == (
        "S006",
        "Manon Davies",
        "Hassan Colombo",
        "engaged peer",
    )
    assert found.matrix.iloc[0][["Unaware", "Leading", "gap", "priority"]].tolist() == [
        "C",
        "D",
        4,
        20,
    ]
    assert found.actions["priority"].is_monotonic_decreasing
    assert found.leadership.empty and not found.actions["leadership"].any()
    assert len(find.engagement(org, top=3).actions) == 3


def test_priority_order_is_influence_times_gap_by_hand(regulatory):
    # stakeholders.csv, Regulatory's scope (all but Finance and Legal): influence x steps
    # from current to desired on Unaware 0, Resistant 1, Neutral 2, Supportive 3, Leading 4
    by_hand = [
        ("Manon Davies", 5 * (4 - 0)),  # Unaware -> Leading
        ("Amélie Walsh", 4 * (4 - 0)),
        ("Layla Silva", 4 * (4 - 0)),
        ("Arnav Owusu", 5 * (4 - 1)),  # Resistant -> Leading
        ("Camille Khoury", 5 * (3 - 0)),  # Unaware -> Supportive
        ("Elif Wilson", 5 * (3 - 0)),
        ("Laura Berg", 5 * (3 - 0)),
        ("Gabriel Wilson", 4 * (4 - 1)),
        ("Laura Kowalski", 5 * (4 - 2)),  # Neutral -> Leading
        ("Lena Fujita", 5 * (4 - 2)),
        ("Paul Novák", 5 * (3 - 1)),  # Resistant -> Supportive
        ("Hassan Wiśniewski", 4 * (3 - 1)),  # ties at 8: gap 2, influence 4, then the name
    ]
    acts = find.engagement(regulatory).actions
    assert list(zip(acts["name"], acts["priority"], strict=True)) == by_hand
    assert (acts["priority"] == acts["influence"] * acts["gap"]).all()
    # nobody left out ranks higher than the last one listed
    everyone = find.engagement(regulatory, top=0).actions
    rest = everyone[~everyone["stakeholder_id"].isin(acts["stakeholder_id"])]
    assert rest["priority"].max() <= acts["priority"].iloc[-1] == 8
    assert len(everyone) == 40


def test_a_functions_own_head_is_always_in_its_priority_list(regulatory, marketing):
    found = find.engagement(regulatory)
    head = found.actions.set_index("name").loc["Layla Silva"]
    assert head["leadership"] and (head["current"], head["desired"]) == ("Unaware", "Leading")
    # Unaware -> Leading: the largest gap possible, and the largest in the scope
    assert head["gap"] == len(ENGAGEMENT_LEVELS) - 1 == found.actions["gap"].max()
    assert found.leadership["name"].tolist() == ["Layla Silva"]
    # outside the top 2, still listed, in its place by priority
    short = find.engagement(regulatory, top=2).actions
    assert short["name"].tolist() == ["Manon Davies", "Amélie Walsh", "Layla Silva"]
    assert find.engagement(regulatory, top=1).actions["name"].tolist() == [
        "Manon Davies",
        "Layla Silva",
    ]
    # a head engaged as needed has no action but is in the leadership table
    lead = find.engagement(marketing).leadership.iloc[0]
    assert (lead["name"], lead["gap"], lead["priority"]) == ("Emma Patel", 0, 0)
    assert "Emma Patel" not in set(find.engagement(marketing).actions["name"])


def test_headline_speaks_of_the_scope_first(org, regulatory):
    found = find.headline(regulatory)
    head = found.leaders.iloc[0]
    assert (head["name"], head["head"], head["gap"], head["priority"]) == (
        "Layla Silva",
        True,
        4,
        16,
    )
    # Regulatory's 6 other people, highest priority first (Elif Wilson and Laura Berg 15)
    assert found.own["name"].tolist()[:2] == ["Elif Wilson", "Laura Berg"]
    assert len(found.own) == 6 and (found.own["gap"] > 0).sum() == 5
    assert found.priorities["priority"].is_monotonic_decreasing
    whole = find.headline(org)
    assert whole.leaders.empty and whole.own.empty
    assert whole.priorities.iloc[0]["name"] == "Manon Davies"
    assert len(whole.heads) == 12 and (whole.heads["gap"] > 0).sum() == 9


def test_network_finds_the_silo_with_the_published_mutual_nps(org):
    # 2026-H1: Medical Affairs' ratings of Marketing are all detractors, so withheld: the
    # silo signal there rests on shared partners only, with no mutual NPS
    now = find.network(org).silos.set_index(["function_a", "function_b"])
    assert pd.isna(now.loc[("Marketing", "Medical Affairs"), "mutual_nps"])
    found = find.network(open_engagement(SAMPLE_CONFIG, wave="2025-H2"))
    assert isinstance(found.graph, nx.DiGraph) and found.graph.number_of_nodes() == 12
    assert found.metrics["function"].head(2).tolist() == ["Sales", "Clinical Operations"]
    assert found.communities.columns.tolist() == ["function", "community"]
    assert sorted(found.communities.loc[found.communities["community"] == 3, "function"]) == [
        "Market Access",
        "Marketing",
        "Regulatory",
    ]
    assert found.isolated == []
    top = found.silos.iloc[0]
    assert (top["function_a"], top["function_b"], top["relationships"]) == (
        "Marketing",
        "Medical Affairs",
        0,
    )
    assert top["overlap"] == pytest.approx(0.8)
    # 2025-H2: Medical Affairs gives Marketing 11 detractors, 1 passive (−91.7), Marketing
    # gives Medical Affairs 10 and 4 (−71.4): −81.5 on average
    assert top["mutual_nps"] == pytest.approx((-11 / 12 - 10 / 14) / 2 * 100)
    assert len(found.silos) == 66  # every pair of 12 functions
    assert {"provider_function", "nps", "suppressed"} <= set(found.received.columns)
    assert len(found.received) == 12


def test_network_of_a_function_keeps_its_pairs_only(regulatory):
    found = find.network(regulatory)
    assert len(found.silos) == 11
    pairs = found.silos[["function_a", "function_b"]]
    assert (pairs == "Regulatory").any(axis=1).all()
    assert found.received.empty


def test_network_uses_no_withheld_cell():
    strict = open_engagement(SAMPLE_CONFIG, min_group_size=1000)
    found = find.network(strict)
    assert found.received["suppressed"].all()
    assert found.silos["mutual_nps"].isna().all()


def test_no_network_without_a_relationships_file(sample_copy):
    (sample_copy / "relationships.csv").unlink()
    ctx = open_engagement(sample_copy / "engagement.yaml")
    found = find.network(ctx)
    assert not found.mapped
    assert found.metrics.empty and found.communities.empty and found.silos.empty
    assert found.isolated == []  # not known to be isolated: nothing is mapped
    assert {"function_a", "function_b", "silo_score"} <= set(found.silos.columns)
    assert find.network(open_engagement(SAMPLE_CONFIG, scope="Regulatory")).mapped
    head = find.headline(ctx)
    assert not head.mapped and head.deliverables == 0
    regulatory = open_engagement(sample_copy / "engagement.yaml", scope="Regulatory")
    # without relationships, a function's scope is its own people
    assert set(find.grid(regulatory).placed["function"]) == {"Regulatory"}
    assert not find.network(regulatory).mapped


def test_touchpoints_counts_the_company(org):
    found = find.touchpoints(org)
    # touchpoints.csv: 4,999 rows, 600 distinct external_id, 6 distinct function
    assert (found.touches, found.stakeholders, found.functions) == (4999, 600, 6)
    assert (found.over_cap, found.collisions, found.cap, found.days) == (20, 1356, 12, 7)
    assert found.segments["segment"].iloc[0] == "KOL"
    assert found.segments["stakeholders"].iloc[0] == 20
    assert len(found.worst) == 10 and found.worst["external_id"].iloc[0] == "HCP0137"
    first = found.pairs.iloc[0]
    assert (first["function_a"], first["function_b"], first["collisions"]) == (
        "Marketing",
        "Medical Affairs",
        273,
    )
    assert found.scores.columns.tolist() == [
        "function",
        "touches",
        "colliding",
        "colliding_share",
        "score",
    ]
    assert found.own.empty
    assert len(find.touchpoints(org, top=3).worst) == 3


def test_touchpoints_of_a_function_has_its_own_score(marketing, regulatory):
    own = find.touchpoints(marketing).own
    assert len(own) == 1
    assert (own.loc[0, "touches"], own.loc[0, "colliding"]) == (571, 329)
    assert own.loc[0, "score"] == pytest.approx(100 * (1 - 329 / 571))
    # the company's tables whatever the scope; Regulatory makes no external touch
    assert find.touchpoints(regulatory).collisions == 1356
    assert find.touchpoints(regulatory).own.empty
