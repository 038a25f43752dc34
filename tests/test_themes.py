"""Comment themes: the codebook, coverage on the sample, counts, safe quotes."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit import themes
from kit.privacy import person_names

SILO_THEMES = [
    "decisions_overturned",
    "misaligned_priorities",
    "data_not_shared",
    "slow_response",
    "unclear_ownership",
    "good_collaboration",
]


def responses(*comments: str, scores=None) -> pd.DataFrame:
    n = len(comments)
    return pd.DataFrame(
        {
            "response_id": [f"R{i}" for i in range(n)],
            "comment": list(comments),
            "score": scores or [5] * n,
            "provider_function": ["X"] * n,
            "respondent_function": ["Y"] * n,
        }
    )


@pytest.mark.parametrize(
    ("comment", "theme"),
    [
        ("We agreed it in the meeting and next day it was reversed.", "decisions_overturned"),
        ("Their priorities are not ours.", "misaligned_priorities"),
        ("They sit on information we need.", "data_not_shared"),
        ("Waited   six weeks\nfor a reply.", "slow_response"),
        ("Nobody takes ownership of anything.", "unclear_ownership"),
        ("Great partnership, it felt like one team.", "good_collaboration"),
    ],
)
def test_each_silo_theme_codes_a_plain_comment(comment, theme):
    coded = themes.code(responses(comment))
    assert theme in set(coded["theme"])


def test_a_comment_can_carry_several_themes_and_blank_ones_none():
    coded = themes.code(responses("Too slow, and nobody takes ownership.", "", None))
    assert set(coded["theme"]) == {"slow_response", "unclear_ownership"}
    assert set(coded["response_id"]) == {"R0"}


def test_sample_coverage_and_tone(ds):
    coded = themes.code(ds.responses)
    commented = ds.responses["comment"].fillna("").str.strip().ne("").sum()
    assert coded["response_id"].nunique() / commented >= 0.95
    counts = coded["theme"].value_counts()
    assert all(counts.get(t, 0) >= 10 for t in SILO_THEMES)
    table = themes.theme_counts(ds.responses, coded).set_index(["theme", "category"])
    assert table.loc[("slow_response", "detractor"), "share"] > 0.2
    assert table.loc[("slow_response", "promoter"), "count"] == 0
    assert (
        table.loc[("good_collaboration", "promoter"), "share"]
        > table.loc[("good_collaboration", "detractor"), "share"]
    )


def test_theme_counts_by_hand():
    data = responses("Too slow.", "Slow again.", "Great partnership.", "", scores=[2, 8, 10, 0])
    t = themes.theme_counts(data, themes.code(data)).set_index(["theme", "category"])
    assert t.loc[("slow_response", "detractor"), ["count", "share"]].tolist() == [1, 1.0]
    assert t.loc[("slow_response", "passive"), "count"] == 1
    assert t.loc[("slow_response", "promoter"), "count"] == 0
    assert t.loc[("slow_response", "detractor"), "total"] == 2


def test_quotes_only_from_large_groups_and_redacted(ds):
    names = person_names(ds.stakeholders, ds.roster)
    coded = themes.code(ds.responses)
    q = themes.quotes(ds.responses, coded, names=names, min_group_size=10, per_theme=3)
    commented = ds.responses[ds.responses["comment"].notna()]
    sizes = commented.groupby("respondent_function").size()
    groups = ds.responses.set_index("response_id").loc[q["response_id"], "respondent_function"]
    assert (groups.map(sizes) >= 10).all()
    assert q.groupby("theme").size().max() <= 3 and not q["quote"].duplicated().any()
    for name in names:
        assert not q["quote"].str.contains(name, regex=False).any()
    assert not q["quote"].str.contains("@|EMP-|\\+44", regex=True).any()
    small = themes.quotes(ds.responses, coded, min_group_size=10_000)
    assert small.empty


def test_quote_choice_is_deterministic(ds):
    coded = themes.code(ds.responses)
    a = themes.quotes(ds.responses, coded)
    b = themes.quotes(ds.responses.sample(frac=1, random_state=3), coded)
    assert a["response_id"].tolist() == b["response_id"].tolist()


def test_uncoded_lists_what_no_theme_matched():
    data = responses("Too slow.", "Purple elephants.")
    assert themes.uncoded(data, themes.code(data))["comment"].tolist() == ["Purple elephants."]


def test_bad_codebook_lists_every_problem(tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_text(
        "themes:\n  a:\n    label: A\n    patterns: ['(unclosed', 'fine']\n"
        "  b:\n    label: B\n  c:\n    patterns: ['[bad']\n",
        encoding="utf-8",
    )
    with pytest.raises(themes.CodebookError) as err:
        themes.load_codebook(path)
    text = str(err.value)
    assert str(path) in text and "3 problem(s)" in text
    assert "'(unclosed'" in text and "theme 'b'" in text and "'[bad'" in text


def test_engagement_codebook_is_used(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("themes:\n  cake:\n    label: Cake\n    patterns: [cake]\n", encoding="utf-8")
    coded = themes.code(responses("More cake please"), codebook=themes.load_codebook(path))
    assert coded["label"].tolist() == ["Cake"]


# -- the prefilter: searching a pattern only where its required strings are ---------------


def test_prefilter_codes_the_sample_as_searching_every_pattern(ds):
    pd.testing.assert_frame_equal(
        themes.code(ds.responses), themes.code(ds.responses, prefilter=False)
    )


@pytest.mark.parametrize(
    ("pattern", "required"),
    [
        ("overturn", {"overturn"}),
        (r"\brevers(ed|es|al|ing)\b", {"revers"}),
        ("slow (reviews?|approvals?)", {"review", "approval"}),
        ("(data|information) not shared", {" not shared"}),
        ("(ab)+ then", {" then"}),  # the longer of the two
        ("x?y?", None),  # may match nothing: no string is required
        ("[a-z]+", None),
        ("(a|[0-9])", None),  # one alternative requires no string
        ("Café", {"caf"}),  # a non-ASCII letter ends the run
    ],
)
def test_required_text_read_from_the_pattern(pattern, required):
    got = themes.required_text(re.compile(pattern, re.IGNORECASE))
    assert (None if got is None else set(got)) == required


WORDS = [
    "slow", "Slow", "REVIEW", "reviews", "overturned", "reversed", "not shared", "data",
    "priorities are not ours", "ownership", "nobody", "takes", "one team", "Café", "ſlow",
    "K", "\u212a", "wait", "weeks", "six", "for", "a", "reply", "!", ",", "  ", "\n", "silo",
    "we see the same KOLs", "never compare notes", "CRM", "tickets", "escalate",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join), max_size=8))
def test_prefilter_equals_plain_coding_on_random_comments(comments):
    frame = responses(*comments) if comments else responses()
    pd.testing.assert_frame_equal(
        themes.code(frame), themes.code(frame, prefilter=False), check_dtype=True
    )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="abcSK\u017f\u212a .-", max_size=30), min_size=1, max_size=6),
    st.sampled_from(["sk", "a(b|c)+", "s.k", "(ab|ba)c?", "k{2}", r"\bsa", "S-?K"]),
)
def test_prefilter_equals_plain_search_for_any_pattern(texts, pattern):
    compiled = (re.compile(pattern, re.IGNORECASE),)
    assert themes._hits(texts, compiled, prefilter=True) == themes._hits(
        texts, compiled, prefilter=False
    )
