"""PII redaction: names, e-mail addresses, phone numbers and employee ids, offline."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.privacy import EMAIL, person_names, redact

NAMES = ["Elif Wilson", "Zoë Müller-Lüdenscheidt", "Sean O'Brien", "Will Smith", "Min-jun Ahmed"]


def one(text: str) -> str:
    return redact(pd.Series([text]), names=NAMES).iloc[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I escalated to Elif Wilson twice", "I escalated to [name] twice"),
        ("ask elif, she knows", "ask [name], she knows"),
        ("Wilson's team fixed it", "[name] team fixed it"),
        ("Zoë Müller-Lüdenscheidt said no", "[name] said no"),
        ("Min-jun was great", "[name] was great"),
        ("Sean O'Brien's call", "[name] call"),
        ("mail min-jun.ahmed@helixbio.example today", "mail [e-mail] today"),
        ("Call me on +44 20 7946 0982 if useful", "Call me on [phone] if useful"),
        ("ring 020 7946 0123", "ring [phone]"),
        ("ring (212) 555-1234 or +1 415.555.0199", "ring [phone] or [phone]"),
        ("Quote EMP-96022 please", "Quote [employee id] please"),
        ("id E1234567 on file", "id [employee id] on file"),
    ],
)
def test_redacts(text, expected):
    assert one(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "For the HLX-204 study in 2025",
        "Three weeks, 3 weeks, Q3, 50% of the time",
        "We will see. Will it work?",
        "Due 2026-03-14 or 14/03/2026, invoice 4500012345",
        "Smithfield market",
    ],
)
def test_leaves_ordinary_text_alone(text):
    assert one(text) == text


def test_blanks_stay_blank_and_input_is_not_changed():
    s = pd.Series(["Ask Elif Wilson", None, ""])
    before = s.copy()
    out = redact(s, names=NAMES)
    assert out.iloc[0] == "Ask [name]" and pd.isna(out.iloc[1]) and out.iloc[2] == ""
    pd.testing.assert_series_equal(s, before)


def test_every_planted_pii_comment_in_the_sample_is_cleaned(ds):
    names = person_names(ds.stakeholders, ds.roster)
    comments = ds.responses["comment"].dropna()
    cleaned = redact(comments, names=names)
    changed = comments[comments != cleaned]
    assert len(changed) == 10  # the ten planted in data/sample/README.md, nothing else
    assert not cleaned.str.contains("@|EMP-|\\+44 20", regex=True).any()
    for name in names:
        assert not cleaned.str.contains(rf"\b{name}\b", regex=True).any(), name


words = st.text(alphabet=st.characters(categories=("L", "N", "P", "Zs")), max_size=60)


@settings(max_examples=200, deadline=None)
@given(words, st.sampled_from(NAMES), st.emails())
def test_idempotent_and_leaves_no_email_or_name(prefix, name, email):
    text = f"{prefix} {name} {email} {prefix}"
    once = one(text)
    assert one(once) == once
    assert not EMAIL.search(once)
    assert name not in once


VARIANTS = [
    "Elif Wilson",
    "Ana López",
    "Piotr Wiśniewski",
    "Grace Lee",
    "Jin Park",
    "Zoë Müller-Lüdenscheidt",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the Wilsons never answer", "the [name] never answer"),
        ("the Wilsons' team again", "the [name] team again"),
        ("LOPEZ and lopez and López", "[name] and [name] and [name]"),
        ("ask Wisniewski, or wiśniewski", "ask [name], or [name]"),
        ("escalated to Lee twice", "escalated to [name] twice"),
        ("we met Park's deputy", "we met [name] deputy"),
        ("EW and AL were copied", "[name] and [name] were copied"),
        ("Lüdenscheidt's plan; Muller-Ludenscheidt", "[name] plan; [name]"),
    ],
)
def test_redacts_the_ways_names_are_written(text, expected):
    assert redact(pd.Series([text]), names=VARIANTS).iloc[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Park the idea for now. Lee way is small",  # common words opening a sentence
        "IT and HR agree; the park was closed",  # acronyms, lower-case common words
        "Lees and parks",
    ],
)
def test_common_words_and_acronyms_stay(text):
    assert redact(pd.Series([text]), names=[*VARIANTS, "Ivan Thomas", "Hana Rossi"]).iloc[0] == text


def test_suspects_flag_what_redaction_left_for_the_consultant():
    from kit.privacy import suspects

    texts = pd.Series(["Park the idea. Lee way is small", "nothing here", None, "[name] said"])
    assert suspects(redact(texts, names=VARIANTS), names=VARIANTS).tolist() == [
        True,
        False,
        False,
        False,
    ]


ROSTER = [*NAMES, "Łukasz Ćwik", "Anne-Marie Lee", "Jo Park", "Ewa Wiśniewska", "Ross Straße"]
_piece = st.sampled_from(
    [w for n in ROSTER for w in (n, *n.replace("-", " ").split())]
    + ["LC", "EW", "AL", "s", "'s", "es", "’s", "s'", "-", " ", ". ", "the", "IT", "Lees"]
)
_case = st.sampled_from([str, str.lower, str.upper, str.title])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.tuples(_piece, _case), max_size=8), min_size=1, max_size=4))
def test_only_names_present_are_in_the_pattern_and_the_result_is_the_same(texts):
    """The pattern is built from the names whose words the texts hold (a roster of
    thousands costs nothing): the result is the pattern of every name's."""
    from kit.privacy import PLACEHOLDERS, _name_pattern

    series = pd.Series(["".join(case(p) for p, case in pieces) for pieces in texts])
    everyone = _name_pattern(ROSTER)
    expected = series.map(lambda t: everyone.sub(PLACEHOLDERS["name"], t))
    assert redact(series, names=ROSTER).tolist() == expected.tolist()
