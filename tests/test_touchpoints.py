"""Touchpoint coordination: collisions worked by hand, against brute force, on the sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit import touchpoints as tp


def touches(rows, segment="KOL") -> pd.DataFrame:
    """rows: (external_id, function, day of January 2026)."""
    return pd.DataFrame(
        {
            "touchpoint_id": [f"T{i}" for i in range(len(rows))],
            "external_id": [r[0] for r in rows],
            "segment": segment,
            "function": [r[1] for r in rows],
            "channel": ["Email", "Phone"] * (len(rows) // 2) + ["Email"] * (len(rows) % 2),
            "date": [pd.Timestamp(2026, 1, r[2]) for r in rows],
        }
    )


def brute(data: pd.DataFrame, days: int) -> int:
    total = 0
    for _, g in data.groupby("external_id"):
        d = g["date"].to_numpy("datetime64[D]").astype(int)
        f = np.asarray(g["function"], dtype=object)
        near = np.abs(d[:, None] - d[None, :]) <= days
        other = f[:, None] != f[None, :]
        total += int(np.triu(near & other, 1).sum())
    return total


def test_collisions_by_hand():
    # one physician: Sales day 1, Marketing day 3, Medical day 10, Sales day 11, Sales day 8
    data = touches(
        [
            ("P", "Sales", 1),
            ("P", "Marketing", 3),
            ("P", "Medical", 10),
            ("P", "Sales", 11),
            ("P", "Sales", 8),
        ]
    )
    # N = 7: S1-M3 (2 days), M3-Md10 (7, the boundary counts), Md10-S11, Md10-S8, M3-S8 (5)
    assert tp.per_stakeholder(data, collision_days=7)["collisions"].sum() == 5
    assert tp.per_stakeholder(data, collision_days=0)["collisions"].sum() == 0
    pairs = tp.collisions(data, collision_days=7)
    assert sorted(pairs["days_apart"]) == [1, 2, 2, 5, 7]
    assert (pairs["function_a"] < pairs["function_b"]).all()


def test_same_day_and_same_function():
    data = touches([("P", "Sales", 5), ("P", "Sales", 5), ("P", "Medical", 5), ("Q", "HR", 5)])
    assert tp.per_stakeholder(data, collision_days=0)["collisions"].sum() == 2


def test_per_stakeholder_counts_and_cap():
    rows = [("P", f, d) for f, d in [("A", 1), ("B", 2), ("A", 20), ("C", 25)]] + [("Q", "A", 3)]
    table = tp.per_stakeholder(touches(rows), cap=3, collision_days=1).set_index("external_id")
    assert table.loc["P", ["touches", "functions", "channels", "collisions"]].tolist() == [
        4,
        3,
        2,
        1,
    ]
    assert table.loc["P", "over_cap"] and table.loc["P", "excess"] == 1
    assert not table.loc["Q", "over_cap"] and table.loc["P", "period"] == "2026Q1"


def test_matrix_counts_each_pair_once():
    data = touches([("P", "A", 1), ("P", "B", 2), ("P", "A", 3), ("Q", "B", 1), ("Q", "A", 1)])
    m = tp.collision_matrix(data, collision_days=7)
    assert m.to_dict("records") == [{"function_a": "A", "function_b": "B", "collisions": 3}]


def test_coordination_score_by_hand():
    data = touches([("P", "A", 1), ("P", "B", 2), ("P", "A", 20), ("Q", "A", 1)])
    s = tp.coordination_score(data, collision_days=7).set_index("function")
    assert s.loc["A", ["touches", "colliding"]].tolist() == [3, 1]
    assert s.loc["A", "score"] == pytest.approx(100 * (1 - 1 / 3))
    assert s.loc["B", "score"] == 0


def test_sample_collisions_match_brute_force_and_kols_top(ds):
    t = ds.touchpoints
    table = tp.per_stakeholder(t, cap=12, collision_days=7)
    assert table["collisions"].sum() == brute(t, 7) == 1356
    kols = set(t.loc[t["segment"] == "KOL", "external_id"])
    assert set(tp.over_contacted(table, top=20)["external_id"]) == kols
    seg = tp.segments(table).set_index("segment")
    assert seg["collisions_per_stakeholder"].idxmax() == "KOL"
    assert seg.loc["KOL", "share_over_cap"] > 0.5


def test_bad_input_named():
    data = touches([("P", "A", 1)])
    with pytest.raises(ValueError, match=r"missing column\(s\) \['channel'\]"):
        tp.per_stakeholder(data.drop(columns="channel"))
    bad = data.astype({"date": object})
    bad.loc[0, "date"] = "31/31/2026"
    with pytest.raises(ValueError, match=r"file rows \[2\].*'31/31/2026'"):
        tp.per_stakeholder(bad)


def test_empty_input_gives_empty_tables():
    empty = touches([]).astype({"date": "datetime64[ns]"})
    assert tp.per_stakeholder(empty).empty and tp.collision_matrix(empty).empty


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("PQR"), st.sampled_from("ABC"), st.integers(1, 31)),
        max_size=40,
    ),
    st.integers(0, 10),
)
def test_vectorised_count_equals_brute_force(rows, days):
    data = touches(rows)
    got = int(tp.per_stakeholder(data, collision_days=days)["collisions"].sum()) if rows else 0
    assert got == (brute(data, days) if rows else 0)
    if rows:
        assert len(tp.collisions(data, collision_days=days)) == got


def test_one_pass_gives_the_same_tables(ds):
    t = ds.touchpoints
    tables = tp.coordination(t, cap=12, collision_days=7)
    pd.testing.assert_frame_equal(tables["per_stakeholder"], tp.per_stakeholder(t))
    pd.testing.assert_frame_equal(tables["matrix"], tp.collision_matrix(t))
    pd.testing.assert_frame_equal(tables["scores"], tp.coordination_score(t))
