"""NPS statistics against hand-worked and published figures, and properties that must hold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kit import nps


def ratings(detractors: int, passives: int, promoters: int, **extra) -> pd.DataFrame:
    scores = [3] * detractors + [7] * passives + [10] * promoters
    return pd.DataFrame({"score": scores, **extra})


@pytest.mark.parametrize(
    ("counts", "expected_nps", "expected_se"),
    [
        ((1, 2, 3), 33.3, 30.4),  # variance 5/9 per response, n = 6
        ((1, 0, 1), 0.0, 70.7),
        ((0, 1, 1), 50.0, 35.4),
        ((1, 1, 1), 0.0, 47.1),
    ],
)
def test_wald_reference_figures(counts, expected_nps, expected_se):
    row = nps.summary(ratings(*counts), method="wald").iloc[0]
    assert row["nps"] == pytest.approx(expected_nps, abs=0.05)
    assert row["se"] == pytest.approx(expected_se, abs=0.05)
    assert row["ci_low"] == pytest.approx(row["nps"] - 1.959964 * row["se"], abs=1e-3)


def test_variance_five_ninths():
    _, var, n = nps._trinomial(1, 2, 3, "wald")
    assert float(var) == pytest.approx(5 / 9) and float(n) == 6


def test_adjusted_wald_worked_by_hand():
    # (1, 2, 3) + (0.75, 1.5, 0.75): n' = 9, p' = 3.75/9, d' = 1.75/9, centre = 2/9
    row = nps.summary(ratings(1, 2, 3)).iloc[0]
    p, d = 3.75 / 9, 1.75 / 9
    se = np.sqrt((p + d - (p - d) ** 2) / 9)
    assert row["nps"] == pytest.approx(100 * 2 / 6)  # the observed score is reported
    assert row["se"] == pytest.approx(100 * se)
    assert row["ci_low"] == pytest.approx(100 * (2 / 9 - 1.959964 * se), abs=1e-4)
    assert row["ci_high"] == pytest.approx(100 * (2 / 9 + 1.959964 * se), abs=1e-4)


def test_adjusted_wald_is_clipped_at_the_scale_ends():
    row = nps.summary(ratings(0, 0, 4)).iloc[0]
    assert row["nps"] == 100 and row["ci_high"] == 100 and row["ci_low"] < 100


def test_shares_and_counts_by_group():
    data = pd.concat([ratings(2, 1, 1, team="A"), ratings(0, 0, 3, team="B")], ignore_index=True)
    t = nps.summary(data, by="team").set_index("team")
    assert t.loc["A", ["n", "promoters", "passives", "detractors"]].tolist() == [4, 1, 1, 2]
    assert t.loc["A", "pct_detractors"] == 50 and t.loc["A", "nps"] == -25
    assert t.loc["B", "nps"] == 100


def test_custom_breaks():
    data = pd.DataFrame({"score": [6, 7, 8, 9]})
    assert nps.classify(data["score"], detractor_max=7, passive_max=8).tolist() == [
        "detractor",
        "detractor",
        "passive",
        "promoter",
    ]
    with pytest.raises(ValueError, match="detractor_max < passive_max"):
        nps.classify(data["score"], detractor_max=8, passive_max=7)


def test_out_of_range_scores_named():
    with pytest.raises(ValueError, match=r"whole numbers 0-10; found 11.0, 7.5"):
        nps.summary(pd.DataFrame({"score": [1, 11, 7.5]}))


def test_blank_scores_are_not_counted():
    row = nps.summary(pd.DataFrame({"score": [10, None, 0, 10]})).iloc[0]
    assert row["n"] == 3 and row["nps"] == pytest.approx(100 / 3)


def test_suppressed_group_shows_neither_score_nor_count():
    data = pd.concat([ratings(1, 1, 1, g="small"), ratings(3, 3, 3, g="big")])
    t = nps.summary(data, by="g", min_n=5).set_index("g")
    assert t.loc["small", "suppressed"]
    assert t.loc["small", ["n", "promoters", "nps", "ci_low"]].isna().all()
    assert t.loc["big", "n"] == 9 and not t.loc["big", "suppressed"]


def test_finite_population_correction():
    data = ratings(10, 10, 20)
    plain = nps.summary(data, method="wald").iloc[0]
    fpc = nps.summary(data, method="wald", population=80).iloc[0]
    assert fpc["se"] == pytest.approx(plain["se"] * np.sqrt((80 - 40) / 79))
    census = nps.summary(data, method="wald", population=40).iloc[0]
    assert census["se"] == 0 and census["ci_low"] == census["nps"]
    grouped = nps.summary(data.assign(g="x"), by="g", method="wald", population={"x": 80})
    assert grouped["se"].iloc[0] == pytest.approx(fpc["se"])
    with pytest.raises(ValueError, match=r"x \(n=40, population 30\)"):
        nps.summary(data.assign(g="x"), by="g", population={"x": 30})


def test_bootstrap_is_seeded_and_close_to_wald():
    data = ratings(30, 40, 50)
    a = nps.summary(data, method="bootstrap", seed=7).iloc[0]
    b = nps.summary(data, method="bootstrap", seed=7).iloc[0]
    w = nps.summary(data, method="wald").iloc[0]
    assert a["ci_low"] == b["ci_low"] and a["se"] == b["se"]
    assert a["se"] == pytest.approx(w["se"], rel=0.1)
    assert a["ci_low"] == pytest.approx(w["ci_low"], abs=3)


def test_compare_independent_by_hand():
    a, b = ratings(40, 30, 30), ratings(20, 30, 50)
    got = nps.compare(a, b, method="wald")
    se = 100 * np.sqrt((0.7 - 0.01) / 100 + (0.7 - 0.09) / 100)
    assert got["difference"] == pytest.approx(40)
    assert got["se"] == pytest.approx(se)
    assert got["z"] == pytest.approx(40 / se)
    assert got["p_value"] == pytest.approx(0.000449, rel=0.01) and got["significant"]


def test_compare_paired_uses_each_respondents_change():
    ids = [f"P{i}" for i in range(6)]
    a = pd.DataFrame({"respondent_id": ids, "score": [3, 3, 7, 7, 9, 10]})
    b = pd.DataFrame({"respondent_id": ids[::-1], "score": [10, 9, 9, 9, 7, 3][::-1]})
    got = nps.compare(a, b, paired=True)
    # P0..P5 go detractor->promoter twice, passive->promoter twice, promoter->passive,
    # promoter->detractor: changes +2, +2, +1, +1, -1, -2 (promoter +1, passive 0, detractor -1)
    diffs = np.array([2, 2, 1, 1, -1, -2])
    assert got["n_a"] == 6
    assert got["difference"] == pytest.approx(100 * diffs.mean())
    assert got["se"] == pytest.approx(100 * diffs.std(ddof=1) / np.sqrt(6))
    with pytest.raises(ValueError, match="one rating per respondent"):
        nps.compare(pd.concat([a, a]), b, paired=True)


def test_holm_reference():
    assert nps.holm([0.01, 0.04, 0.03, 0.005]).round(3).tolist() == [0.03, 0.06, 0.06, 0.02]
    out = nps.holm([0.2, np.nan, 0.01])
    assert np.isnan(out[1]) and out[0] == pytest.approx(0.2) and out[2] == pytest.approx(0.02)


def test_sample_size():
    assert nps.sample_size(10) == 385
    assert nps.sample_size(10, population=200) == 132
    assert nps.sample_size(20) == 97
    assert nps.sample_size(10, promoters=0.3, detractors=0.2) == 189  # var 0.49


def test_compare_waves_marks_the_planted_regulatory_fall(ds, cfg):
    changes = nps.compare_waves(
        ds.responses, waves=cfg.waves, by="provider_function", min_n=5
    ).set_index(["provider_function", "wave_to"])
    reg = changes.loc[("Regulatory", "2026-H1")]
    assert reg["nps_a"] == pytest.approx(21.05, abs=0.01)
    assert reg["nps_b"] == pytest.approx(-21.0)
    assert reg["p_adjusted"] < 0.01 and reg["significant"]
    assert changes["p_adjusted"].dropna().ge(changes["p_value"].dropna()).all()
    legal = changes.loc[("Legal & Compliance", "2026-H1")]
    assert legal["suppressed"] and pd.isna(legal["nps_b"]) and not legal["significant"]


def test_trend_lists_every_wave_in_order():
    data = pd.concat([ratings(1, 1, 5, wave="W2"), ratings(5, 1, 1, wave="W1")])
    table, changes = nps.trend(data, waves=["W1", "W2", "W3"], min_n=5)
    assert table["wave"].tolist() == ["W1", "W2", "W3"]
    assert table["suppressed"].tolist() == [False, False, True]
    assert changes[["wave_from", "wave_to"]].values.tolist() == [["W1", "W2"], ["W2", "W3"]]
    assert changes["suppressed"].tolist() == [False, True]


def test_segments_hide_a_second_group_when_one_is_small():
    data = pd.concat([ratings(2, 2, 2, g="A"), ratings(1, 1, 1, g="B"), ratings(5, 5, 5, g="C")])
    t = nps.segments(data, by="g", min_n=5).set_index("g")
    assert t["suppressed"].to_dict() == {"A": True, "B": True, "C": False}


def test_band_follows_the_seed():
    from kit.narrative import band

    assert "highest-growth" in band(55)
    assert "average" in band(5)
    assert band(-3).startswith("negative")


# ---------------------------------------------------------------- properties

counts3 = st.tuples(*(st.integers(0, 60) for _ in range(3))).filter(lambda c: sum(c) > 0)


@settings(max_examples=200, deadline=None)
@given(counts3, st.sampled_from(nps.METHODS[:2]))
def test_interval_in_range_and_around_the_estimate(c, method):
    row = nps.summary(ratings(*c), method=method).iloc[0]
    assert -100 <= row["nps"] <= 100
    if method == "adjusted_wald":
        assert -100 <= row["ci_low"] <= row["ci_high"] <= 100
    else:
        assert row["ci_low"] <= row["nps"] <= row["ci_high"]


@settings(max_examples=200, deadline=None)
@given(counts3)
def test_adding_a_promoter_never_lowers_nps(c):
    before = nps.summary(ratings(*c)).iloc[0]["nps"]
    after = nps.summary(ratings(c[0], c[1], c[2] + 1)).iloc[0]["nps"]
    assert after >= before


@settings(max_examples=100, deadline=None)
@given(st.lists(counts3, min_size=1, max_size=6))
def test_grouped_summary_matches_one_group_at_a_time(groups):
    data = pd.concat([ratings(*c, g=f"g{i}") for i, c in enumerate(groups)])
    t = nps.summary(data, by="g").set_index("g")
    for i, c in enumerate(groups):
        one = nps.summary(ratings(*c)).iloc[0]
        assert t.loc[f"g{i}", "nps"] == pytest.approx(one["nps"])
        assert t.loc[f"g{i}", "ci_low"] == pytest.approx(one["ci_low"])


# ---------------------------------------------------------------- clustered by respondent

panels = st.integers(min_value=0, max_value=2**32 - 1).flatmap(
    lambda seed: st.tuples(
        st.just(seed),
        st.integers(min_value=3, max_value=40),  # people
        st.integers(min_value=10, max_value=160),  # ratings
    )
)


def _panel(seed: int, people: int, ratings: int) -> pd.DataFrame:
    """Ratings from a few people each, over two waves, with people's own leanings."""
    rng = np.random.default_rng(seed)
    who = rng.integers(0, people, size=ratings)
    leaning = rng.normal(0, 2.5, size=people)
    score = np.clip(np.round(7 + leaning[who] + rng.normal(0, 2, size=ratings)), 0, 10)
    wave = rng.choice(["A", "B"], size=ratings)
    if len(set(wave)) < 2:
        wave[:2] = ["A", "B"]
    return pd.DataFrame({"respondent_id": who, "score": score, "wave": wave})


def _coded(frame: pd.DataFrame) -> np.ndarray:
    s = frame["score"].to_numpy()
    return np.where(s >= 9, 100.0, np.where(s >= 7, 0.0, -100.0))


@settings(max_examples=60, deadline=None)
@given(panels)
def test_a_clustered_level_is_the_regression_on_an_intercept_clustered_by_person(panel):
    sm = pytest.importorskip("statsmodels.api")
    frame = _panel(*panel)
    row = nps.summary(frame, method="wald", cluster="respondent_id").iloc[0]
    y = _coded(frame)
    fit = sm.OLS(y, np.ones(len(y))).fit(
        cov_type="cluster", cov_kwds={"groups": frame["respondent_id"].to_numpy()}
    )
    assert row["nps"] == pytest.approx(fit.params[0])
    if frame["respondent_id"].nunique() < len(frame) and fit.bse[0] > 0:
        assert row["se"] == pytest.approx(fit.bse[0], rel=0.01, abs=1e-4)  # 0: rounding noise


@settings(max_examples=60, deadline=None)
@given(panels)
@example((2418, 3, 10))  # every residual 0: both standard errors are 0 up to rounding
def test_a_clustered_change_is_the_regression_on_a_wave_dummy_clustered_by_person(panel):
    sm = pytest.importorskip("statsmodels.api")
    frame = _panel(*panel)
    row = nps.compare_waves(frame, waves=["A", "B"], method="wald", cluster="respondent_id").iloc[0]
    y = _coded(frame)
    x = np.column_stack([np.ones(len(y)), (frame["wave"] == "B").to_numpy(dtype=float)])
    fit = sm.OLS(y, x).fit(
        cov_type="cluster", cov_kwds={"groups": frame["respondent_id"].to_numpy()}
    )
    assert row["difference"] == pytest.approx(fit.params[1], abs=1e-9)
    if frame["respondent_id"].nunique() < len(frame) and fit.bse[1] > 0:
        assert row["se"] == pytest.approx(fit.bse[1], rel=0.01, abs=1e-4)  # 0: rounding noise


def test_the_sample_organisation_changes_follow_the_panel(org):
    """86% of 2026-H1's respondents also answered 2025-H2: paired through the clustering,
    the organisation-level changes are clearer (p 0.009 and 0.010, each the organisation's
    one test between its two waves; 0.049 and 0.043 as independent samples), and the
    organisation's interval is about 10% wider (±7.4 against ±6.7)."""
    from kit.findings import internal_nps as find

    found = find.trend(org)
    changes = found.changes
    assert changes["p_adjusted"].round(4).tolist() == [0.0092, 0.0098]
    assert changes["significant"].all()
    now = found.waves.set_index("wave").loc["2026-H1"]
    assert round((now["ci_high"] - now["ci_low"]) / 2, 1) == 7.4
    plain = nps.compare_waves(
        org.ds.responses, waves=["2025-H1", "2025-H2", "2026-H1"], method="adjusted_wald"
    )
    assert plain["p_value"].round(4).tolist() == [0.0488, 0.0429]


def test_a_rating_without_a_respondent_id_is_a_person_of_its_own():
    frame = _panel(7, 12, 80)
    frame["respondent_id"] = frame["respondent_id"].astype(object)
    blank = frame.index % 5 == 0
    named = frame.assign(
        respondent_id=frame["respondent_id"].where(~blank, "x" + frame.index.astype(str))
    )
    frame.loc[blank, "respondent_id"] = None
    for f in (nps.summary, lambda d, **k: nps.compare_waves(d, waves=["A", "B"], **k)):
        got = f(frame, method="wald", cluster="respondent_id").iloc[0]["se"]
        assert got == pytest.approx(f(named, method="wald", cluster="respondent_id").iloc[0]["se"])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C"]),  # group
            st.sampled_from(["w1", "w2"]),
            st.one_of(st.none(), st.sampled_from(["p1", "p2", "p3", "p4", "p5"])),
            st.sampled_from([-1.0, 0.0, 1.0]),
        ),
        min_size=1,
        max_size=40,
    ),
    st.booleans(),
)
def test_design_effects_of_every_group_at_once_are_each_groups_own(rows, grouped):
    """compare_waves takes every group's clustered design effect in one pass: each is what
    the one-group formula (checked against statsmodels elsewhere) gives for that group."""
    data = pd.DataFrame(rows, columns=["group", "wave", "who", "_y"])
    keys = ["group"] if grouped else []
    got = nps.change_design_effects(data, keys, "wave", ("w1", "w2"), "who")
    parts = data.groupby("group") if grouped else [("all", data)]
    for name, g in parts:
        a, b = g[g["wave"] == "w1"], g[g["wave"] == "w2"]
        if a.empty or b.empty:
            assert (name,) not in got or got[(name,) if grouped else ()] == 1.0
            continue
        one = nps.change_design_effect(a["_y"], b["_y"], a["who"], b["who"])
        assert got[(name,) if grouped else ()] == pytest.approx(one, rel=1e-9, abs=1e-12)
