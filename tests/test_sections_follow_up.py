"""What notebook 03 and the packs say about follow-up, on the sample."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from reading import text

from kit.config import SAMPLE_CONFIG
from kit.context import open_engagement
from kit.findings import follow_up as find
from kit.sections import follow_up as show


def test_headline_counts_the_queue_and_the_earlier_loop(org, monkeypatch):
    day = lambda d: str(int(datetime(*d, tzinfo=UTC).timestamp()))  # noqa: E731
    monkeypatch.setenv("SOURCE_DATE_EPOCH", day((2026, 11, 18)))  # the pack's date
    queue, log = find.queue(org), find.log(org)
    assert text(show.headline(queue, log, org)) == (
        "146 answers from 90 people who agreed to be contacted should be followed up about "
        "the organisation from 2026-H1: 47 detractor answers first, then 99 passive answers, "
        "those nearest promoter level first. First contacts were due by 03 April 2026 (14 days "
        "after the survey closed): 229 days overdue at the date of this report, owned by 12 "
        "function heads. In earlier waves, 79 of 97 planned follow-ups reached a first "
        "contact (81%)."
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", day((2026, 3, 25)))
    assert "First contacts are due by 03 April 2026 (14 days after the survey closed), " in (
        text(show.headline(queue, log, org))
    )
    nothing = text(show.headline(queue.iloc[:0], log.iloc[:0], org))
    assert nothing == (
        "0 answers from 0 people who agreed to be contacted should be followed up about the "
        "organisation from 2026-H1: 0 detractor answers first, then 0 passive answers, those "
        "nearest promoter level first."
    )


def test_owners_show_counts_but_not_for_withheld_functions(client, regulatory):
    said = text(show.owners(find.owners(client), client))
    assert "Regulatory Layla Silva 15 15 30 03 Apr 2026" in said
    assert "Sales withheld Pharmacovigilance" in said and "Legal & Compliance withheld" in said
    assert said.endswith("nor one more where the total would give them away.")
    alone = text(show.owners(find.owners(regulatory), regulatory))
    assert alone.endswith("Regulatory Layla Silva 15 15 30 03 Apr 2026")


def test_named_list_only_for_the_consultant(org, client):
    named = text(show.named_list(find.queue(org), org))
    assert "1 R01357 IT 4 Lena Khan lena.khan@helixbio.example Hassan Wiśniewski" in named
    kept = show.named_list(find.queue(client), client)
    assert text(kept) == "The named follow-up list is kept out of client reports."


def test_no_client_view_names_anyone(client):
    queue, log = find.queue(client), find.log(client)
    blocks = [
        show.headline(queue, log, client),
        show.owners(find.owners(client), client),
        show.named_list(queue, client),
        show.plan(find.plan(client), client),
        show.loop(find.loop(client), client),
        show.log(log, client),
        show.impact(find.impact(client), client),
        show.target(find.target(client), client),
    ]
    for block in blocks:
        assert "@" not in block.data and "Lena Khan" not in block.data


def test_plan_sentence_and_its_notes(regulatory, legal):
    plan = find.plan(regulatory)
    said = text(show.plan(plan, regulatory))
    assert said.startswith(
        "5 actions are proposed for Regulatory: 2 answer the most frequent complaint themes "
        "and 3 close engagement gaps, all due 18 June 2026, to be confirmed with their owners."
    )
    assert "A001 Regulatory Set and publish response times" in said
    assert text(show.plan(plan.iloc[:0], regulatory)) == (
        "No theme is frequent enough and no engagement gap is open: no action proposed."
    )
    assert text(show.plan(find.plan(legal), legal)) == (
        "Legal & Compliance has fewer than 5 responses in 2026-H1: nothing more about them "
        "is shown, to keep respondents anonymous."
    )


def test_loop_sentences_and_the_anonymity_note(org, legal):
    loop = find.loop(org)
    said = text(show.loop(loop, org))
    assert said.startswith(
        "Of 97 planned follow-ups, 79 reached a first contact, 56 agreed an action and 34 are "
        "closed. 7 follow-ups had no first contact from their owner before 2026-H1 opened; in "
        "11 more the owner tried and the customer did not answer."
    )
    assert "planned 97 100 contacted 79 81 action agreed 56 58 closed 34 35" in said
    assert "Quality issues Fast-track lane for urgent requests 2 1" in said
    assert text(show.loop(find.loop(legal), legal)) == (
        "Fewer than 5 follow-ups were logged for Legal & Compliance: the figures are not "
        "shown, to keep the people concerned anonymous."
    )
    none = loop._replace(logged=False)
    assert text(show.loop(none, org)) == (
        "Left out of the pack: no follow-up was logged for the organisation in earlier waves"
    )


def test_log_table(regulatory):
    log = find.log(regulatory)
    said = text(show.log(log, regulatory))
    assert "2025-H1 10 9 5 90 15 6 2025-H2 10 8 5 80 7 4" in said
    assert text(show.log(log.iloc[:0], regulatory)) == (
        "Left out of the pack: no follow-up was logged for Regulatory in earlier waves"
    )


def test_impact_sentences(org, regulatory):
    said = text(show.impact(find.impact(org), org, find.moves(org)))
    assert said.startswith(
        "Detractors who were followed up scored +2.5 points on the 0-10 scale in the next "
        "wave; those who were not, +0.4. The difference, +2.1 points on the 0-10 scale (95% "
        "interval +1.8 to +2.4; n = 47 and 149), is larger than chance would produce. In NPS "
        "terms: of the 47 detractors followed up, 17% were still detractors in the next wave "
        "and 28% had become promoters; of the 149 not followed up, 74% and 1%."
    )
    # the category moves, hand-counted: 8 of 47 followed up still detractors, 13 promoters
    moves = find.moves(org).set_index("group")
    assert moves.loc["followed up", "still_detractors"] == pytest.approx(100 * 8 / 47)
    assert moves.loc["followed up", "now_promoters"] == pytest.approx(100 * 13 / 47)
    assert moves.loc["not followed up", "now_promoters"] == pytest.approx(100 * 2 / 149)
    assert "all pairs 47 149 2.49 0.40 2.09 1.75 2.42" in said
    h2 = open_engagement(SAMPLE_CONFIG, wave="2025-H2")
    assert "is clear, though the groups are small enough to read it with care." in text(
        show.impact(find.impact(h2), h2)
    )
    assert text(show.impact(find.impact(regulatory), regulatory)) == (
        "The effect of follow-up is estimated for the whole organisation (see the "
        "organisation pack): per function the groups are too small to say."
    )
    zero = find.impact(org).assign(ci_low=-0.5)
    assert "Follow-up shows no clear effect on scores yet: the interval includes zero." in text(
        show.impact(zero, org)
    )
    unknown = find.impact(org).assign(difference=np.nan)
    assert text(show.impact(unknown, org)) == (
        "Not enough detractors answered two waves to estimate an effect."
    )


def test_impact_on_the_first_wave_is_left_out_not_a_crash():
    first = open_engagement(SAMPLE_CONFIG, wave="2025-H1", audience="client")
    # left out with the reason the trend gives too, so the pack says it once
    assert text(show.impact(find.impact(first), first)) == (
        "Left out of the pack: there is no earlier wave to compare 2025-H1 with"
    )


def test_target_what_if(org, legal):
    said = text(show.target(find.target(org), org))
    assert said.startswith(
        "The organisation is at −4 against a target of +20: 114 of its 476 respondents would "
        "need to move up one category, for example:"
    )
    assert said.endswith("0 114 114 +20 57 57 114 +20 114 0 114 +20")
    assert text(show.target(find.target(legal), legal)).startswith(
        "Legal & Compliance has fewer than 5 responses in 2026-H1"
    )
    pv = open_engagement(SAMPLE_CONFIG, scope="Pharmacovigilance")
    assert text(show.target(find.target(pv), pv)) == (
        "Pharmacovigilance already meets the target NPS of +20."
    )
