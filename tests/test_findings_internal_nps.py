"""Stage 2 findings: their columns, suppression, and the sample's figures (planted effects)."""

from __future__ import annotations

import pandas as pd
import pytest

from kit.config import SAMPLE_CONFIG
from kit.context import open_engagement
from kit.errors import KitError
from kit.findings import internal_nps as find


def test_summary_of_the_organisation_and_a_withheld_function(org, legal):
    now = find.summary(org).iloc[0]
    assert (now["n"], now["promoters"], now["passives"], now["detractors"]) == (476, 121, 216, 139)
    assert now["nps"] == pytest.approx(100 * (121 - 139) / 476)
    hidden = find.summary(legal).iloc[0]
    assert hidden["suppressed"] and pd.isna(hidden["n"]) and pd.isna(hidden["nps"])


def test_trend_tests_the_regulatory_fall(regulatory):
    waves, changes, _ = find.trend(regulatory)
    assert waves["wave"].tolist() == ["2025-H1", "2025-H2", "2026-H1"]
    assert waves["n"].tolist() == [101, 114, 100]
    last = changes.iloc[-1]
    assert (last["wave_from"], last["wave_to"]) == ("2025-H2", "2026-H1")
    assert last["difference"] == pytest.approx(-21 - 100 * 24 / 114)
    assert bool(last["significant"]) and last["p_adjusted"] < 0.001
    # tested among every function's change between the same two waves (10 shown)
    assert changes["family_size"].tolist() == [12, 10]
    assert changes["verdict"].tolist() == ["no significant change", "significant"]
    marketing = find.trend(open_engagement(SAMPLE_CONFIG, scope="Marketing")).changes.iloc[-1]
    # +8 on 39 answers, interval about ±21: too few responses to tell
    assert marketing["verdict"] == "inconclusive"
    assert (marketing["ci_high"] - marketing["ci_low"]) / 2 > 15


def test_a_first_wave_trend_has_no_change_and_no_moves():
    first = open_engagement(SAMPLE_CONFIG, wave="2025-H1")
    assert len(find.trend(first).waves) == 1 and find.trend(first).changes.empty
    assert find.moves(first).empty
    assert find.headline(first).previous is None


def test_segments_group_as_asked_and_suppress_small_groups(org, regulatory):
    seg = find.segments(org)
    assert seg.columns[0] == "provider_function" and len(seg) == 12
    assert seg.loc[seg["suppressed"], "provider_function"].tolist() == [
        "Legal & Compliance",
        "Sales",
    ]
    assert seg.loc[seg["suppressed"], "n"].isna().all(), "no count for a withheld group"
    by_customer = find.segments(regulatory)
    assert by_customer.columns[0] == "respondent_function"
    assert by_customer["n"].sum() < 100, "two small customer groups are withheld"
    assert find.segments(regulatory, by="provider_function")["n"].tolist() == [100]


def test_moves_name_regulatory_the_only_significant_change(org):
    moves = find.moves(org)
    significant = moves.loc[moves["significant"].fillna(False).astype(bool), "provider_function"]
    assert significant.tolist() == ["Regulatory"]
    assert moves.set_index("provider_function").loc["Regulatory", "difference"] == pytest.approx(
        -42.05, abs=0.01
    )


def test_distribution_counts_every_answer_or_none(regulatory, legal):
    dist = find.distribution(regulatory)
    assert dist["score"].tolist() == list(range(11))
    assert dist["n"].sum() == 100 and dist.loc[dist["score"] == 7, "n"].item() == 27
    assert dist.groupby("category")["n"].sum().to_dict() == {
        "detractor": 38,
        "passive": 45,
        "promoter": 17,
    }
    hidden = find.distribution(legal)
    assert hidden["suppressed"].all() and hidden["n"].isna().all()


def test_matrix_finds_the_planted_silo(org, regulatory):
    cells, silos, mutual = find.matrix(open_engagement(SAMPLE_CONFIG, wave="2025-H2"))
    assert len(cells) == 73 and int(cells["suppressed"].sum()) == 41
    assert silos[["a", "b"]].values.tolist() == [["Marketing", "Medical Affairs"]]
    assert silos["a_from_b"].round(1).item() == -91.7 and mutual.empty
    cells, silos, _ = find.matrix(org)  # 2026-H1: one side is all detractors, so withheld
    assert len(cells) == 70 and int(cells["suppressed"].sum()) == 37
    assert cells.loc[cells["suppressed"], "nps"].isna().all()
    assert silos.empty
    two_way = find.matrix(regulatory).mutual
    assert set(two_way.columns) >= {"function", "n_received", "nps_received", "nps_given"}
    row = two_way.set_index("function").loc["Clinical Operations"]
    assert (row["n_received"], row["nps_received"]) == (16, -6.25)


def test_participation_counts_people_not_ratings(org):
    rates, people, headcount, invited = find.participation(org)
    assert (people, headcount, invited) == (259, 859, 0)
    hr = rates.set_index("respondent_function").loc["HR"]
    assert (hr["respondents"], hr["headcount"], hr["rate"]) == (12, 30, 40)
    assert set(rates["base"]) == {"headcount"}  # no invitation list: against headcount


def test_participation_against_those_invited(sample_copy):
    """With invitations.csv (the panel: 330 invited in 2026-H1), rates are against it, and
    the sentence says so; a function missing from it falls back to headcount, labelled."""
    from reading import text

    from kit.sections import internal_nps as show

    functions = pd.read_csv(sample_copy / "functions.csv")
    invited = (functions["headcount"] * 330 / functions["headcount"].sum()).round().astype(int)
    invited.iloc[0] += 330 - invited.sum()
    table = pd.DataFrame({"wave": "2026-H1", "function": functions["function"], "invited": invited})
    table.to_csv(sample_copy / "invitations.csv", index=False)
    ctx = open_engagement(sample_copy / "engagement.yaml", audience="client")
    rates, people, _, total = find.participation(ctx)
    assert (people, total) == (259, 330)
    hr = rates.set_index("respondent_function").loc["HR"]
    hr_invited = int(table.set_index("function").loc["HR", "invited"])
    assert (hr["base"], hr["rate"]) == ("invited", pytest.approx(100 * 12 / hr_invited))
    said = text(show.participation(find.participation(ctx), ctx))
    assert said.startswith("259 people answered in 2026-H1, 78% of the 330 invited.")
    table.iloc[1:].to_csv(sample_copy / "invitations.csv", index=False)  # one function missing
    ctx = open_engagement(sample_copy / "engagement.yaml", audience="client")
    said = text(show.participation(find.participation(ctx), ctx))
    assert "rates are against those invited where the invitation list gives them" in said


def test_an_invitation_list_is_checked(sample_copy):
    from kit.data import validate

    pd.DataFrame(
        {
            "wave": ["2026-H1", "2026-H1", "2031-H1"],
            "function": ["HR", "HR", "IT"],
            "invited": [5, 20, 30],
        }
    ).to_csv(sample_copy / "invitations.csv", index=False)
    from kit.config import load_engagement

    _, problems = validate(load_engagement(sample_copy / "engagement.yaml"))
    mine = [p for p in problems if p.file == "invitations.csv"]
    said = {(p.row, p.column, p.severity): p.message for p in mine}
    assert said[(4, "wave", "error")].startswith("is not a wave listed in engagement.yaml")
    assert "listed twice for wave '2026-H1'" in said[(3, "function", "error")]
    assert said[(2, "invited", "warning")].startswith("12 people of HR answered in 2026-H1, more")


def test_gap_is_the_scopes_own_row(org, regulatory):
    mine = find.gap(regulatory)
    assert mine["provider_function"].tolist() == ["Regulatory"]
    row = mine.iloc[0]
    assert (row["predicted"], row["nps"], row["gap"], bool(row["outside"])) == (30, -21, -51, True)
    assert len(find.gap(org)) == 12


def test_influence_is_withheld_where_few_answers_are_linked(org, regulatory):
    table, responses = find.influence(regulatory)
    assert responses == 100
    assert table["suppressed"].all() and table["linked"].isna().all(), "4 linked answers"
    whole = find.influence(org).table
    shown = whole[~whole["suppressed"]]
    assert shown["provider_function"].tolist() == ["IT"]
    row = shown.iloc[0]
    assert (row["n"], row["linked"]) == (70, 5)
    assert row["shift"] == pytest.approx(row["nps_weighted"] - row["nps"])


def test_drivers_rank_responsiveness_first(regulatory):
    found = find.drivers(regulatory, resamples=200)
    assert found.problem == "" and len(found.columns) == 4
    assert found.table["label"].iloc[0] == "Responsiveness"
    assert found.table["share"].sum() == pytest.approx(1)
    assert found.table["n"].iloc[0] == 87


def test_drivers_say_why_there_is_no_table(sample_copy):

    path = sample_copy / "responses.csv"
    r = pd.read_csv(path, dtype=str, keep_default_na=False)
    r.drop(columns=[c for c in r.columns if c.startswith("driver_")]).to_csv(path, index=False)
    found = find.drivers(open_engagement(sample_copy / "engagement.yaml", scope="Regulatory"))
    assert found.table.empty and found.columns == []
    assert "no driver ratings" in found.problem


def test_themes_count_quote_and_keep_the_working_list_for_the_consultant(regulatory):
    said = find.themes(regulatory)
    assert (said.responses, said.commented, said.matched, said.enough) == (100, 31, 31, True)
    top = said.counts.iloc[0]
    assert (top["label"], top["total"]) == ("Slow responses", 18)
    # quotes are pooled over Regulatory's 31 comments (no customer group of it reaches 10)
    assert len(said.quotes) == 7 and not said.quotes["check"].any()
    client = open_engagement(SAMPLE_CONFIG, scope="Regulatory", audience="client")
    assert find.themes(client).uncoded.empty, "the working list is never computed for a client"


def test_themes_of_a_withheld_scope_are_empty(legal):
    said = find.themes(legal)
    assert not said.enough and said.counts.empty and said.quotes.empty and said.uncoded.empty


def test_a_segment_is_explored_with_where_and_refused_for_a_client(regulatory):
    sales = regulatory.where(respondent_function="Sales")
    assert sales.label == "Regulatory (respondent_function = Sales)"
    assert find.summary(sales)["n"].item() == 27
    assert find.segments(sales)["respondent_function"].tolist() == ["Sales"]
    assert find.summary(regulatory)["n"].item() == 100, "the original scope is unchanged"
    client = open_engagement(SAMPLE_CONFIG, scope="Regulatory", audience="client")
    with pytest.raises(KitError, match="refused for a client pack"):
        client.where(respondent_function="Sales")
    with pytest.raises(KitError, match="no column 'departement'"):
        regulatory.where(departement="Sales")
    with pytest.raises(KitError, match="no response has respondent_function = Sails"):
        regulatory.where(respondent_function="Sails")


def test_findings_never_change_the_data(regulatory):
    before = regulatory.ds.responses.copy()
    for finding in (find.headline, find.distribution, find.matrix, find.themes, find.influence):
        finding(regulatory)
    pd.testing.assert_frame_equal(regulatory.ds.responses, before)


def test_the_organisation_score_weighed_three_ways(org):
    """Pooled −3.8; the mean of the 10 functions shown +2.9; weighed by headcount +4.8,
    each recomputed from the ratings and functions.csv."""
    from kit import nps

    w = find.trend(org).weightings.set_index("wave").loc["2026-H1"]
    now = org.ds.responses[org.ds.responses["wave"] == "2026-H1"]
    per = nps.summary(now, by="provider_function").set_index("provider_function")["nps"]
    shown = per.drop(["Legal & Compliance", "Sales"])  # withheld in 2026-H1
    heads = org.ds.functions.set_index("function")["headcount"].reindex(shown.index)
    assert w["pooled"] == pytest.approx(nps.summary(now).iloc[0]["nps"])
    assert w["equal_weight"] == pytest.approx(shown.mean())
    assert w["by_headcount"] == pytest.approx((shown * heads).sum() / heads.sum())
    assert (round(w["pooled"], 1), round(w["equal_weight"], 1), round(w["by_headcount"], 1)) == (
        -3.8,
        2.9,
        4.8,
    )
    assert w["functions"] == 10 and w["most_rated"] == ("Regulatory", "IT")
    assert find.trend(open_engagement(SAMPLE_CONFIG, scope="IT")).weightings.empty


def test_waves_listed_without_responses_leave_the_trend_standing(sample_copy):
    """A client lists its earlier waves before their data is in: no crash, nothing invented."""
    config = sample_copy / "engagement.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("waves: [2025-H1", "waves: [2024-H1, 2024-H2, 2025-H1"))
    ctx = open_engagement(config, audience="client")
    found = find.trend(ctx)
    weights = found.weightings.set_index("wave")
    assert weights.loc["2024-H1", "most_rated"] == () and pd.isna(
        weights.loc["2024-H1", "their_share"]
    )
    assert weights.loc["2026-H1", "their_share"] == pytest.approx(0.357, abs=0.001)
    early = found.changes.set_index("wave_to").loc["2025-H1"]
    assert early["suppressed"] and early["verdict"] == ""
