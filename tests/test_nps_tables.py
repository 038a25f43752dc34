"""The organisation-wide NPS tables, on hand-made data and on the sample's planted effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kit import nps_tables as t


def pairs(cells: dict[tuple[str, str], tuple[int, int, int]]) -> pd.DataFrame:
    """Responses from {(provider, customer): (detractors, passives, promoters)}."""
    rows = []
    for (prov, cust), (d, p, q) in cells.items():
        for score in [2] * d + [7] * p + [10] * q:
            rows.append({"provider_function": prov, "respondent_function": cust, "score": score})
    return pd.DataFrame(rows)


def test_matrix_scores_each_pair_and_hides_small_cells_two_ways():
    data = pairs(
        {
            ("A", "X"): (1, 1, 1),  # 3: under the threshold
            ("A", "Y"): (2, 2, 6),
            ("B", "X"): (0, 5, 5),
            ("B", "Y"): (4, 4, 2),
        }
    )
    m = t.matrix(data, min_n=5).set_index(["provider_function", "respondent_function"])
    assert m["suppressed"].to_dict() == {
        ("A", "X"): True,
        ("A", "Y"): True,  # else A's total gives A-X away
        ("B", "X"): True,  # else X's total gives A-X away
        ("B", "Y"): True,  # else B's and Y's totals give B-X and A-Y away
    }
    assert m["nps"].isna().all() and m["n"].isna().all()


def test_matrix_keeps_large_cells():
    data = pairs({("A", "X"): (1, 2, 7), ("A", "Y"): (5, 0, 5), ("B", "X"): (3, 3, 0)})
    m = t.matrix(data, min_n=5).set_index(["provider_function", "respondent_function"])
    assert not m["suppressed"].any()
    assert m.loc[("A", "X"), "nps"] == pytest.approx(60)
    assert m.loc[("B", "X"), "nps"] == pytest.approx(-50)


def test_mutual_view_shows_the_sample_silo(ds, cfg):
    now = ds.responses[ds.responses["wave"] == cfg.current_wave]
    view = t.mutual(t.matrix(now, min_n=5), "Medical Affairs").set_index("function")
    marketing = view.loc["Marketing"]
    assert marketing["nps_received"] < -40 and marketing["nps_given"] < -40
    assert "Medical Affairs" not in view.index


def test_response_rates_count_people_not_ratings():
    responses = pd.DataFrame(
        {
            "response_id": [f"r{i}" for i in range(1, 11)],
            "respondent_id": ["p1", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"],
            "respondent_function": ["X", "X", "X", "X", "X", "X", "Y", "W", "W", "W"],
        }
    )
    functions = pd.DataFrame({"function": ["X", "Y", "Z", "W"], "headcount": [10, 4, 8, 6]})
    rates = t.response_rates(responses, functions, min_n=2).set_index("respondent_function")
    assert rates.loc["X", "respondents"] == 5 and rates.loc["X", "rate"] == 50
    assert rates.loc["Y", "suppressed"] and pd.isna(rates.loc["Y", "rate"])
    assert rates.loc["Z", "respondents"] == 0 and not rates.loc["Z", "suppressed"]
    # 9 people answered: 9 - 5 would give Y's one person away, so W is withheld too
    assert rates.loc["W", "suppressed"] and pd.isna(rates.loc["W", "respondents"])


def test_gap_360_finds_the_planted_blind_spot(ds, cfg):
    now = ds.responses[ds.responses["wave"] == cfg.current_wave]
    gaps = t.gap_360(now, ds.functions, min_n=5).set_index("provider_function")
    assert gaps.loc["Regulatory", "gap"] == pytest.approx(-51)
    assert gaps.loc["Regulatory", "outside"]
    assert gaps.loc["Legal & Compliance", "suppressed"]
    assert pd.isna(gaps.loc["Legal & Compliance", "gap"])


def test_influence_weighted_by_hand():
    responses = pd.DataFrame(
        {
            "provider_function": ["A"] * 6,
            "score": [10, 10, 0, 0, 7, 7],
            "ok_to_contact": [True, True, True, False, False, False],
            "contact_id": ["C1", "C2", "C3", "C4", None, None],
        }
    )
    roster = pd.DataFrame(
        {"contact_id": ["C1", "C2", "C3", "C4"], "stakeholder_id": ["S1", None, "S3", "S4"]}
    )
    register = pd.DataFrame({"stakeholder_id": ["S1", "S3", "S4"], "influence": [5, 1, 5]})
    got = t.influence_weighted(responses, register, roster, min_n=5).iloc[0]
    # weights: C1 5/3 (promoter), C2 1 (not in register), C3 1/3 (detractor),
    # C4 1 (no consent, so not linked), two passives 1 each
    w = np.array([5 / 3, 1, 1 / 3, 1, 1, 1])
    x = np.array([1, 1, -1, -1, 0, 0])
    assert got["linked"] == 2 and got["n"] == 6
    assert got["nps"] == pytest.approx(0)
    assert got["nps_weighted"] == pytest.approx(100 * (w * x).sum() / w.sum())
    assert got["shift"] == pytest.approx(got["nps_weighted"])
