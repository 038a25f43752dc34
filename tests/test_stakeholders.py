import pandas as pd
import pytest

from kit.stakeholders import (
    QUADRANTS,
    engagement_actions,
    engagement_gaps,
    engagement_matrix,
    grid,
    in_scope,
    quadrant_counts,
    salience,
    sipoc,
)


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


@pytest.mark.parametrize(
    ("p", "l", "u", "cls", "group"),
    [
        (False, False, False, "Non-stakeholder", "None"),
        (True, False, False, "Dormant", "Latent"),
        (False, True, False, "Discretionary", "Latent"),
        (False, False, True, "Demanding", "Latent"),
        (True, True, False, "Dominant", "Expectant"),
        (True, False, True, "Dangerous", "Expectant"),
        (False, True, True, "Dependent", "Expectant"),
        (True, True, True, "Definitive", "Definitive"),
    ],
)
def test_each_salience_class(p, l, u, cls, group):  # noqa: E741 - Mitchell's letters
    reg = pd.DataFrame({"power": [p], "legitimacy": [l], "urgency": [u]})
    got = salience(reg).iloc[0]
    assert (got["salience"], got["salience_group"]) == (cls, group)


def test_salience_blank_is_absent_and_missing_column_named():
    reg = pd.DataFrame(
        {
            "power": pd.array([True, None], dtype="boolean"),
            "legitimacy": [True, True],
            "urgency": [False, False],
        }
    )
    assert salience(reg)["salience"].tolist() == ["Dominant", "Discretionary"]
    with pytest.raises(KeyError, match="urgency"):
        salience(reg.drop(columns="urgency"))


def test_engagement_matrix_marks_current_and_desired():
    reg = pd.DataFrame(
        {
            "name": ["A", "B"],
            "engagement_current": ["Resistant", "Supportive"],
            "engagement_desired": ["Supportive", "Supportive"],
        }
    )
    m = engagement_matrix(reg).set_index("name")
    assert m.loc["A", "Resistant"] == "C" and m.loc["A", "Supportive"] == "D"
    assert m.loc["A", "gap"] == 2 and m.loc["B", "Supportive"] == "C D" and m.loc["B", "gap"] == 0
    assert m.loc["A", "Leading"] == ""


def test_engagement_actions_rank_by_influence_and_name_the_owner():
    reg = pd.DataFrame(
        {
            "stakeholder_id": ["S1", "S2", "S3"],
            "name": ["Ann", "Bob", "Cy"],
            "function": ["Sales", "IT", "HR"],
            "influence": [3, 5, 5],
            "engagement_current": ["Unaware", "Neutral", "Leading"],
            "engagement_desired": ["Leading", "Supportive", "Leading"],
            "relationship_owner": ["S3", "S1", None],
        }
    )
    acts = engagement_actions(reg)
    assert acts["name"].tolist() == ["Bob", "Ann"]  # Cy has no gap; influence ranks first
    assert acts.loc[0, "owner"] == "Ann" and acts.loc[1, "owner"] == "Cy"
    assert acts.loc[0, "action"].startswith("Involve Bob in designing")
    assert acts.loc[1, "gap"] == 4
