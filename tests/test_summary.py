"""The executive summary, the team conversation and the function head's "why", on the sample:
every statement matches the tables it comes from, and none says what the ledger withholds."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import reading
from statsmodels.stats.multitest import multipletests

from kit import nps, themes
from kit.config import SAMPLE_CONFIG
from kit.context import open_engagement
from kit.findings import internal_nps as find
from kit.findings.summary import conversation, executive_summary
from kit.sections import internal_nps as show
from kit.sections import summary as story
from kit.wording import signed


@pytest.fixture(scope="module")
def reg():
    return open_engagement(SAMPLE_CONFIG, scope="Regulatory", audience="client")


@pytest.fixture(scope="module")
def whole():
    return open_engagement(SAMPLE_CONFIG, audience="client")


def _numbers(text: str) -> list[float]:
    return [float(x.replace("−", "-")) for x in re.findall(r"[−+-]?\d+(?:\.\d+)?", text)]


def test_a_function_pack_opens_with_its_one_material_finding(reg):
    found = executive_summary(reg)
    change = find.trend(reg).changes.iloc[-1]
    assert (change["wave_to"], change["verdict"]) == ("2026-H1", "significant")
    assert found.so_what == (
        f"Regulatory fell {abs(change['difference']):.0f} points since 2025-H2, a significant "
        f"drop: it now stands at {signed(find.summary(reg).iloc[0]['nps'])}."
    )
    assert found.so_what.startswith("Regulatory fell 42 points")
    first = found.findings.iloc[0]
    assert first["verdict"] == "significant" and first["figure"] == "−42 pts"
    assert f"{signed(change['nps_a'])} to {signed(change['nps_b'])}" in first["finding"]
    assert f"over the {int(change['family_size'])} changes" in first["finding"]
    score = found.findings[found.findings["figure"] == "−21"].iloc[0]["finding"]
    now = find.summary(reg).iloc[0]
    assert f"{int(now['n'])} ratings" in score
    assert f"{signed(now['ci_low'])} to {signed(now['ci_high'])}" in score
    assert "41 points below the target of +20" in score
    assert 3 <= len(found.findings) <= 5
    assert list(found.actions["function"].unique()) == ["Regulatory"]
    assert found.actions["owner"].notna().all() and found.actions["due"].notna().all()


def test_the_customer_groups_finding_matches_their_table(reg):
    groups = find.group_changes(reg)
    shown = groups[~groups["suppressed"]]
    text = executive_summary(reg).findings.set_index("figure")
    fell = int((shown["difference"].round() < 0).sum())
    row = text.loc[f"{fell} of {len(shown)}", "finding"]
    worst = shown.sort_values("difference").iloc[0]
    assert f"{worst['respondent_function']} most, {signed(worst['difference'])} points" in row
    assert row.startswith("Every customer group shown (5)")


def test_the_organisation_summary_tells_significant_and_inconclusive_apart(whole):
    found = executive_summary(whole)
    moves = find.moves(whole)
    significant = moves[moves["verdict"] == "significant"]["provider_function"].tolist()
    assert significant == ["Regulatory"]
    assert found.so_what.endswith(
        f"the only significant change among the {int((~moves['suppressed']).sum())} "
        "functions compared."
    )
    unsure = moves[moves["verdict"] == "inconclusive"]
    row = found.findings[found.findings["verdict"] == "inconclusive"].iloc[0]
    assert row["figure"] == f"{len(unsure)} functions"
    assert row["finding"].startswith(f"{len(unsure)} functions' changes are inconclusive")
    withheld = moves.loc[moves["suppressed"], "provider_function"].tolist()
    assert withheld == ["Legal & Compliance", "Sales"]
    text = " ".join(found.findings["finding"]) + " ".join(found.decisions)
    assert not any(name in text for name in withheld), "no withheld function's change is said"
    verdicts = found.findings["verdict"].tolist()
    assert verdicts == sorted(verdicts, key=["significant", "fact", "inconclusive"].index)
    assert found.actions["function"].iloc[0] == "Regulatory", "the significant fall first"


def test_a_withheld_function_is_told_nothing_but_that(legal):
    found = executive_summary(legal)
    assert found.findings["figure"].tolist() == ["withheld"]
    assert not _numbers(found.findings.iloc[0]["finding"].replace("2026-H1", ""))
    assert conversation(legal) == []


def test_the_team_conversation_asks_from_the_functions_own_findings(reg, whole):
    asked = conversation(reg)
    assert len(asked) == 3
    worst = find.group_changes(reg).sort_values("difference").iloc[0]
    assert asked[0].startswith(f"To {worst['respondent_function']}: your score of Regulatory")
    assert f"fell {abs(worst['difference']):.0f} points" in asked[0]
    assert "“Slow responses”" in asked[1]
    assert asked[2].startswith(f"{int(find.summary(reg).iloc[0]['passives'])} customers rated")
    assert conversation(whole) == []
    said = reading.text(story.conversation(asked, reg))
    assert all(q in said for q in asked)
    assert "Left out of the pack" in reading.text(story.conversation([], whole))


def test_customer_groups_changes_are_one_family_and_respect_the_ledger(reg):
    groups = find.group_changes(reg)
    for _, g in groups.iterrows():
        hidden = any(
            reg.ledger.withheld(w, provider="Regulatory", customer=g["respondent_function"])
            for w in ("2025-H2", "2026-H1")
        )
        assert bool(g["suppressed"]) == hidden
        if hidden:
            assert pd.isna(g["difference"]) and pd.isna(g["n_a"])
    shown = groups[~groups["suppressed"]]
    assert (shown["family_size"] == len(shown)).all()
    expected = multipletests(shown["p_value"], method="holm")[1]
    np.testing.assert_allclose(shown["p_adjusted"], expected)
    # one group by hand: Sales' two waves, as compare_waves on its own answers
    sales = reg.rated[reg.rated["respondent_function"] == "Sales"]
    alone = nps.compare_waves(sales, waves=["2025-H2", "2026-H1"], **reg.nps_options).iloc[0]
    row = shown.set_index("respondent_function").loc["Sales"]
    assert row["difference"] == pytest.approx(alone["difference"])
    assert row["p_value"] == pytest.approx(alone["p_value"])


def test_the_split_now_and_before_is_counted_from_the_answers(reg):
    shares = find.category_shares(reg)
    assert shares["wave"].tolist() == ["2025-H2", "2026-H1"]
    for _, row in shares.iterrows():
        scores = reg.rated.loc[reg.rated["wave"] == row["wave"], "score"]
        assert row["n"] == len(scores)
        assert row["detractors"] == pytest.approx(100 * (scores <= 6).mean())
        assert row["promoters"] == pytest.approx(100 * (scores >= 9).mean())
        assert row[["detractors", "passives", "promoters"]].sum() == pytest.approx(100)
    said = reading.text(show.distribution(find.distribution(reg), reg, shares))
    before, now = shares.iloc[0], shares.iloc[1]
    assert f"promoters fell from {before['promoters']:.0f}% to {now['promoters']:.0f}%" in said


def test_a_function_pack_quotes_its_own_customers_and_the_organisations_quotes_agree(reg, whole):
    """Quotes are pooled by the function rated: Regulatory's pack has them (none before, when
    they were pooled per customer group), and every quote the organisation pack shows about a
    function is the one that function's pack shows for the same theme."""
    own = find.themes(reg).quotes
    assert len(own) >= 5
    about = reg.ds.responses.set_index("response_id")["provider_function"]
    assert set(about[own["response_id"]]) == {"Regulatory"}
    assert "respondent_function" not in own.columns
    quotes = find.themes(whole).quotes
    for function, theirs in quotes.groupby(quotes["response_id"].map(about)):
        ctx = open_engagement(SAMPLE_CONFIG, scope=function, audience="client")
        pack = find.themes(ctx).quotes.set_index("theme")["response_id"]
        for _, q in theirs.iterrows():
            assert pack[q["theme"]] == q["response_id"], (function, q["theme"])
    shown = set(whole.ledger.shown_providers(whole.wave))
    assert set(quotes["response_id"].map(about)) <= shown


def test_the_scorecard_ranks_the_shown_functions_and_withholds_the_rest(whole, reg):
    card = find.scorecard(whole)
    shown = card[~card["suppressed"]]
    assert shown["rank"].tolist() == list(range(1, len(shown) + 1))
    assert shown["nps"].is_monotonic_decreasing
    moves = find.moves(whole).set_index("provider_function")
    for _, row in shown.iterrows():
        assert row["change"] == pytest.approx(moves.loc[row["provider_function"], "difference"])
        assert row["to_target"] == pytest.approx(row["nps"] - whole.cfg.target_nps)
    hidden = card[card["suppressed"]]
    assert hidden["provider_function"].tolist() == ["Legal & Compliance", "Sales"]
    assert hidden[["n", "nps", "change", "rank"]].isna().all().all()
    said = reading.text(show.scorecard(card, whole))
    assert "Regulatory −21 −34 −7 100 −42 significant −41 9" in said
    assert "Sales withheld" in said
    assert find.scorecard(reg).empty


def test_pair_changes_are_shown_only_where_both_waves_show_the_pair(whole):
    changes = find.cell_changes(whole)
    assert len(changes) == changes["family_size"].iloc[0] == 28
    for _, row in changes.iterrows():
        for wave in ("2025-H2", "2026-H1"):
            assert not whole.ledger.withheld(
                wave, provider=row["provider_function"], customer=row["respondent_function"]
            )
    assert changes["difference"].abs().is_monotonic_decreasing
    np.testing.assert_allclose(
        changes["p_adjusted"].sort_values(),
        np.sort(multipletests(changes["p_value"], method="holm")[1]),
    )
    said = reading.text(show.matrix(find.matrix(whole), whole, changes))
    assert "Of the 28 pairs shown in both 2025-H2 and 2026-H1, none changed significantly" in said
    assert "Regulatory as rated by Medical Affairs, −61 points (n 18 then 13)" in said


def test_theme_changes_count_each_comment_once_per_theme_in_each_wave(reg, legal):
    changes = find.theme_changes(reg).set_index("theme")
    now = find.themes(reg).counts.drop_duplicates("theme").set_index("theme")["total"]
    assert (changes["now"].reindex(now.index) == now).all(), "the same counts as the themes"
    before = reg.rated[reg.rated["wave"] == "2025-H2"]
    commented = before[before["comment"].fillna("").str.strip() != ""]
    coded = themes.code(before, codebook=reg.cfg.codebook)
    slow = coded.loc[coded["theme"] == "slow_response", "response_id"].nunique()
    row = changes.loc["slow_response"]
    assert row["before"] == slow
    assert row["share_before"] == pytest.approx(100 * slow / len(commented))
    assert row["change"] == pytest.approx(row["share_now"] - row["share_before"])
    assert find.theme_changes(legal).empty, "a withheld function's comments are not counted"
    said = reading.text(show.themes(find.themes(reg), reg, find.theme_changes(reg)))
    assert "Since 2025-H2, the theme that moved most is “Slow responses”" in said


def test_ranked_bars_mark_the_target_and_the_previous_wave_where_both_waves_show_it(reg):
    changes = find.segment_changes(reg)
    html = show.segments(find.segments(reg), reg, changes).data
    assert "2025-H2" in html and "Target" in html
    assert "2025-H2" not in show.segments(find.segments(reg), reg).data
