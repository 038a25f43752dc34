"""Relative importance (LMG) against closed forms, brute force and the sample's design."""

from __future__ import annotations

from itertools import permutations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit import drivers


def r2(y: np.ndarray, x: np.ndarray) -> float:
    if x.shape[1] == 0:
        return 0.0
    design = np.column_stack([np.ones(len(y)), x])
    resid = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    return 1 - resid.var() / y.var()


def frame(seed: int, n: int = 200, k: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, k)) + rng.normal(size=(n, 1))  # correlated drivers
    y = x @ np.arange(1, k + 1) + rng.normal(scale=2, size=n)
    return pd.DataFrame(x, columns=[f"driver_{i}" for i in range(k)]).assign(score=y)


def test_two_drivers_closed_form():
    data = frame(1, k=2)
    y, x = data["score"].to_numpy(), data[["driver_0", "driver_1"]].to_numpy()
    full = r2(y, x)
    r1, r2_ = (np.corrcoef(y, x[:, i])[0, 1] ** 2 for i in range(2))
    got = drivers.importance(data, resamples=50).set_index("driver")["lmg"]
    assert got["driver_0"] == pytest.approx((r1 + (full - r2_)) / 2)
    assert got["driver_1"] == pytest.approx((r2_ + (full - r1)) / 2)


def test_three_drivers_match_all_six_orderings():
    data = frame(2)
    cols = ["driver_0", "driver_1", "driver_2"]
    y, x = data["score"].to_numpy(), data[cols].to_numpy()
    brute = np.zeros(3)
    for order in permutations(range(3)):
        for pos, j in enumerate(order):
            before = list(order[:pos])
            brute[j] += r2(y, x[:, [*before, j]]) - r2(y, x[:, before])
    brute /= 6
    got = drivers.importance(data, resamples=50).set_index("driver").loc[cols, "lmg"]
    assert got.to_numpy() == pytest.approx(brute)
    assert got.sum() == pytest.approx(r2(y, x))


def test_uncorrelated_drivers_get_their_squared_correlation():
    # a 2^2 factorial design: the drivers are exactly uncorrelated
    a = np.tile([1.0, 1, -1, -1], 25)
    b = np.tile([1.0, -1, 1, -1], 25)
    noise = np.random.default_rng(3).normal(size=100)
    data = pd.DataFrame({"driver_a": a, "driver_b": b, "score": 2 * a + b + noise})
    got = drivers.importance(data, resamples=50).set_index("driver")["lmg"]
    for col in ("driver_a", "driver_b"):
        assert got[col] == pytest.approx(np.corrcoef(data["score"], data[col])[0, 1] ** 2)


def test_sample_ranks_the_planted_weights(ds):
    t = drivers.importance(ds.responses)
    assert t["label"].iloc[0] == "Responsiveness" and t["label"].iloc[-1] == "Communication"
    assert t["share"].sum() == pytest.approx(1)
    assert (t["ci_low"] <= t["lmg"]).all() and (t["lmg"] <= t["ci_high"]).all()
    again = drivers.importance(ds.responses)
    assert again["ci_low"].tolist() == t["ci_low"].tolist()
    assert t["n"].iloc[0] == len(
        ds.responses[["score", *drivers.driver_columns(ds.responses)]].dropna()
    )
    from kit.narrative import driver_sentence

    said = driver_sentence(t)
    assert said.startswith(
        "Responsiveness is the rating most closely tied to the score: it accounts for 31% of "
        "the variation the drivers explain"
    )
    assert "not proof of cause" in said and "R²" not in said  # one unit, no causal advice
    # the share's interval comes from the same resamples, and holds the share
    assert ((t["share_low"] <= t["share"]) & (t["share"] <= t["share_high"])).all()


def test_bad_input_is_explained():
    data = frame(4)
    with pytest.raises(ValueError, match="at least 2 driver columns"):
        drivers.importance(data, drivers=["driver_0"])
    with pytest.raises(ValueError, match="only 10 responses .* at least 50"):
        drivers.importance(data.head(10))
    with pytest.raises(ValueError, match=r"\['driver_1'\] have the same value"):
        drivers.importance(data.assign(driver_1=3))
    with pytest.raises(KeyError, match="driver_x"):
        drivers.importance(data, drivers=["driver_0", "driver_x"])


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 5))
def test_lmg_is_non_negative_and_adds_up_to_r2(seed, k):
    data = frame(seed, n=60, k=k)
    t = drivers.importance(data, resamples=20)
    y, x = data["score"].to_numpy(), data[drivers.driver_columns(data)].to_numpy()
    assert (t["lmg"] >= -1e-12).all()
    assert t["lmg"].sum() == pytest.approx(r2(y, x))


def test_levels_and_their_change_hand_worked():
    """Two people, two waves: A rates 2 then 4, B 4 then 4 (and B once more, 5, now)."""
    data = pd.DataFrame(
        {
            "wave": ["W1", "W1", "W2", "W2", "W2"],
            "who": ["A", "B", "A", "B", "B"],
            "driver_speed": [2, 4, 4, 4, 5],
        }
    )
    out = drivers.levels(data, waves=("W1", "W2"), drivers=["driver_speed"]).iloc[0]
    assert (out["n"], out["previous"], round(out["mean"], 4), round(out["change"], 4)) == (
        3,
        3.0,
        4.3333,
        1.3333,
    )
    # independent: se = sqrt(var_now / 3 + var_before / 2), population variances
    se = np.sqrt((np.var([4, 4, 5]) / 3) + np.var([2, 4]) / 2)
    assert out["change_high"] - out["change"] == pytest.approx(1.959964 * se, rel=1e-5)
    clustered = drivers.levels(
        data, waves=("W1", "W2"), drivers=["driver_speed"], cluster="who"
    ).iloc[0]
    assert clustered["change"] == out["change"]
    assert clustered["change_high"] != pytest.approx(out["change_high"])  # the pairing counts


def test_sample_regulatory_responsiveness_fell(regulatory):
    from kit.findings import internal_nps as find

    levels = find.drivers(regulatory, resamples=50).levels.set_index("label")
    row = levels.loc["Responsiveness"]
    assert (round(row["previous"], 2), round(row["mean"], 2)) == (3.64, 3.10)
    assert row["change_high"] < 0  # a clear fall


def _ratings(seed: int, n: int = 150) -> pd.DataFrame:
    """Whole-number ratings, as surveys give them."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 6, size=(n, 3))
    y = np.clip(x @ [1.0, 0.6, 0.3] / 2 + rng.integers(-2, 3, n), 0, 10).round()
    data = pd.DataFrame(x, columns=["driver_a", "driver_b", "driver_c"]).assign(score=y)
    return data.assign(who=[f"P{i}" for i in range(n)])


def test_a_person_rating_twice_is_one_draw_of_the_bootstrap():
    """Each person's ratings given twice (one respondent rating two functions alike): drawn
    by person, the intervals are exactly those of the single ratings; drawn row by row, they
    narrow as if twice as many people had answered."""
    once = _ratings(5)
    twice = pd.concat([once, once], ignore_index=True)
    columns = ["lmg", "ci_low", "ci_high", "share_low", "share_high"]
    single = drivers.importance(once, resamples=300).set_index("driver")[columns]
    by_person = drivers.importance(twice, resamples=300, cluster="who").set_index("driver")
    pd.testing.assert_frame_equal(by_person[columns], single, rtol=1e-9)
    by_row = drivers.importance(twice, resamples=300).set_index("driver")
    width = lambda t: (t["ci_high"] - t["ci_low"]).mean()  # noqa: E731
    assert width(by_row) < 0.85 * width(single)


def test_one_rating_per_person_draws_as_rows_do_and_blank_ids_are_people():
    data = _ratings(6)
    rows = drivers.importance(data, resamples=200)
    pd.testing.assert_frame_equal(drivers.importance(data, resamples=200, cluster="who"), rows)
    blank = data.assign(who=None)  # no id: each rating its own person
    pd.testing.assert_frame_equal(drivers.importance(blank, resamples=200, cluster="who"), rows)


def test_the_organisation_drivers_are_drawn_by_respondent(org):
    """The sample's organisation: 403 complete ratings in 2026-H1 from 236 people, drawn by
    person (its point estimates as row by row; its intervals from other draws)."""
    from kit.findings import internal_nps as find

    got = find.drivers(org).table
    columns = drivers.driver_columns(org.current)
    options = {"drivers": columns, "confidence": org.cfg.thresholds.confidence}
    complete = org.current.dropna(subset=["score", *options["drivers"]])
    assert got["n"].iloc[0] == len(complete) == 403
    assert complete["respondent_id"].nunique() == 236
    by_person = drivers.importance(org.current, cluster="respondent_id", **options)
    pd.testing.assert_frame_equal(got, by_person)
    by_row = drivers.importance(org.current, **options)
    pd.testing.assert_series_equal(got["lmg"], by_row["lmg"])
    assert not np.allclose(got["ci_low"], by_row["ci_low"])
