"""The internal network on a small made-up chain and on the sample's planted silo."""

from __future__ import annotations

import pandas as pd
import pytest

from kit import network as nw
from kit import nps_tables


def chain() -> pd.DataFrame:
    # A -> B -> C -> D, and A -> C; E and F both serve B and C but never each other
    edges = [
        ("A", "B", "Weekly", 5),
        ("B", "C", "Monthly", 3),
        ("C", "D", "Daily", 2),
        ("A", "C", "ad-hoc", 1),
        ("E", "B", "Monthly", 2),
        ("E", "C", "Monthly", 2),
        ("F", "B", "Monthly", 2),
        ("F", "C", "Monthly", 2),
    ]
    return pd.DataFrame(
        edges, columns=["supplier_function", "customer_function", "frequency", "criticality"]
    ).assign(deliverable="x")


def test_weights_are_criticality_times_frequency():
    g = nw.build(chain())
    assert g["A"]["B"]["weight"] == 20  # 5 x weekly 4
    assert g["C"]["D"]["weight"] == 10  # 2 x daily 5
    assert g["A"]["C"]["weight"] == 1  # "ad-hoc" read as ad hoc


def test_isolated_function_is_a_node():
    g = nw.build(chain(), pd.DataFrame({"function": ["A", "Z"]}))
    assert "Z" in g and g.degree("Z") == 0


def test_unknown_frequency_is_named():
    bad = chain()
    bad.loc[2, "frequency"] = "Fortnightly"
    with pytest.raises(ValueError, match=r"unknown frequency label\(s\) \['Fortnightly'\]"):
        nw.build(bad)


def test_broker_and_degrees():
    m = nw.function_metrics(nw.build(chain())).set_index("function")
    assert m.loc["A", "customers"] == 2 and m.loc["A", "suppliers"] == 0
    assert m.loc["C", "suppliers"] == 4
    # shortest paths in steps: C alone on A-D, B-D, D-E, D-F; A-E, A-F and E-F each split
    # between B and C: C 5.5, B 1.5 of the 10 pairs of other functions
    assert m.loc["C", "betweenness"] == pytest.approx(0.55)
    assert m.loc["B", "betweenness"] == pytest.approx(0.15)
    assert m.loc[["A", "D", "E", "F"], "betweenness"].eq(0).all()


def test_silo_score_by_hand():
    scores = nw.silo_scores(nw.build(chain())).set_index(["function_a", "function_b"])
    ef = scores.loc[("E", "F")]
    # same partners {B, C}: overlap 1; no link; no survey: distrust 0.5 -> 50
    assert ef["overlap"] == 1 and ef["link"] == 0 and ef["silo_score"] == pytest.approx(50)
    matrix = pd.DataFrame(
        {
            "provider_function": ["E", "F"],
            "respondent_function": ["F", "E"],
            "nps": [-60.0, -20.0],
            "suppressed": [False, False],
        }
    )
    with_survey = nw.silo_scores(nw.build(chain()), matrix).set_index(["function_a", "function_b"])
    assert with_survey.loc[("E", "F"), "mutual_nps"] == -40
    assert with_survey.loc[("E", "F"), "silo_score"] == pytest.approx(70)  # distrust 0.7


def test_the_planted_silo_tops_the_sample(ds, cfg):
    now = ds.responses[ds.responses["wave"] == cfg.current_wave]
    g = nw.build(ds.relationships, ds.functions)
    top = nw.silo_scores(g, nps_tables.matrix(now, min_n=5)).iloc[0]
    assert {top["function_a"], top["function_b"]} == {"Marketing", "Medical Affairs"}
    assert top["relationships"] == 0 and top["mutual_nps"] < -50


def test_communities_cover_every_function_once(ds):
    c = nw.communities(nw.build(ds.relationships, ds.functions))
    assert sorted(c["function"]) == sorted(ds.functions["function"])
    assert c["community"].min() == 1
