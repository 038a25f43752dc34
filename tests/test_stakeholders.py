import pandas as pd
import pytest

from kit.stakeholders import QUADRANTS, engagement_gaps, grid, in_scope, quadrant_counts, sipoc


def test_quadrant_rule_on_a_hand_made_register():
    reg = pd.DataFrame(
        {
            "name": ["A", "B", "C", "D", "E", "F"],
            "influence": [4, 5, 3, 1, 4, 3],
            "interest": [4, 3, 4, 1, 3, 3],
        }
    )
    placed = grid(reg)
    assert placed["quadrant"].tolist() == [
        "Manage closely",
        "Keep satisfied",
        "Keep informed",
        "Monitor",
        "Keep satisfied",
        "Monitor",
    ]
    assert "quadrant" not in reg.columns  # input untouched
    # a stricter threshold moves the 4s down
    assert grid(reg, high=5)["quadrant"].tolist()[0] == "Monitor"
    counts = quadrant_counts(placed)
    assert counts["quadrant"].tolist() == list(QUADRANTS)
    assert counts["stakeholders"].tolist() == [1, 2, 1, 2]


def test_engagement_gaps_ranked_by_gap_then_influence():
    reg = pd.DataFrame(
        {
            "name": ["A", "B", "C", "D"],
            "influence": [2, 5, 4, 5],
            "engagement_current": ["Resistant", "Neutral", "Unaware", "Leading"],
            "engagement_desired": ["Supportive", "Supportive", "Neutral", "Leading"],
        }
    )
    gaps = engagement_gaps(reg)
    assert gaps["name"].tolist() == ["C", "A", "B"]
    assert gaps["gap"].tolist() == [2, 2, 1]


def test_sipoc_of_a_small_chain():
    rel = pd.DataFrame(
        {
            "supplier_function": ["Clinical", "Safety", "Regulatory", "Regulatory"],
            "customer_function": ["Regulatory", "Regulatory", "Marketing", "Sales"],
            "deliverable": ["Study reports", "Safety reports", "Approvals", "Label updates"],
            "frequency": ["Monthly", "Quarterly", "Weekly", "Ad hoc"],
            "criticality": [5, 4, 5, 2],
        }
    )
    s = sipoc(rel, "Regulatory")
    assert s[["role", "partner", "deliverable"]].values.tolist() == [
        ["Supplier", "Clinical", "Study reports"],
        ["Supplier", "Safety", "Safety reports"],
        ["Customer", "Marketing", "Approvals"],
        ["Customer", "Sales", "Label updates"],
    ]
    assert sipoc(rel, "Nobody").empty


def test_in_scope_keeps_own_people_and_partners(ds):
    reg = in_scope(ds.stakeholders, ds.relationships, "Regulatory")
    rel = ds.relationships
    partners = set(rel.loc[rel["supplier_function"] == "Regulatory", "customer_function"]) | set(
        rel.loc[rel["customer_function"] == "Regulatory", "supplier_function"]
    )
    assert set(reg["function"]) <= partners | {"Regulatory"}
    assert "Regulatory" in set(reg["function"])
    assert len(in_scope(ds.stakeholders, rel, None)) == len(ds.stakeholders)


@pytest.mark.parametrize("high", [3, 4, 5])
def test_every_sample_stakeholder_gets_one_quadrant(ds, high):
    placed = grid(ds.stakeholders, high=high)
    assert placed["quadrant"].notna().all()
    assert quadrant_counts(placed)["stakeholders"].sum() == len(ds.stakeholders)
