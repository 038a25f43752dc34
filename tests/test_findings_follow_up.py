"""Stage 3 findings on the sample: the queue, owners, log, plan, loop, impact and target."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from kit.config import SAMPLE_CONFIG
from kit.context import open_engagement
from kit.findings import follow_up as find


def test_queue_lists_consenting_detractors_then_passives(regulatory):
    q = find.queue(regulatory)
    assert list(q.columns) == [
        "priority",
        "response_id",
        "provider_function",
        "respondent_function",
        "score",
        "category",
        "contact_id",
        "name",
        "email",
        "comment",
        "themes",
        "influence",
        "owner_id",
        "owner",
        "due",
        "person",
    ]
    assert len(q) == 30
    assert q["category"].value_counts().to_dict() == {"detractor": 15, "passive": 15, "promoter": 0}
    assert q["priority"].tolist() == list(range(1, 31))
    # every consenting passive, the 8s (nearly promoters) first, then the 7s
    assert q.loc[q["category"] == "passive", "score"].tolist() == [8] * 4 + [7] * 11
    assert q[["response_id", "score", "name", "owner"]].head(3).to_dict("records") == [
        {"response_id": "R01313", "score": 4, "name": "Arnav Kowalski", "owner": "Layla Silva"},
        {"response_id": "R01222", "score": 4, "name": "Dmitri MacLeod", "owner": "Layla Silva"},
        {"response_id": "R01114", "score": 4, "name": "João Mensah", "owner": "Layla Silva"},
    ]
    assert (q["due"] == pd.Timestamp("2026-04-03")).all()  # 14 days after 20 March
    assert int(q["themes"].notna().sum()) == 12
    consent = regulatory.ds.responses.set_index("response_id")["ok_to_contact"]
    assert consent[q["response_id"]].all() and q["contact_id"].notna().all()


def test_queue_without_passives_and_for_a_client(org):
    assert find.queue(org, passives="none")["category"].value_counts().to_dict() == {
        "detractor": 47,
        "passive": 0,
        "promoter": 0,
    }
    client = open_engagement(SAMPLE_CONFIG, audience="client")
    mine, theirs = find.queue(org), find.queue(client)
    assert theirs["response_id"].tolist() == mine["response_id"].tolist()
    for column in ("contact_id", "name", "email", "comment"):
        assert theirs[column].isna().all() and mine[column].notna().any(), column
    assert mine["email"].str.endswith("@helixbio.example").all()


def test_owners_counts_per_function_and_hides_withheld_ones(org, legal):
    own = find.owners(org)
    assert list(own.columns) == [
        "provider_function",
        "owner",
        "detractors",
        "passives",
        "total",
        "due",
        "suppressed",
    ]
    first = own.iloc[0]
    assert first[["provider_function", "owner"]].tolist() == ["Regulatory", "Layla Silva"]
    assert first[["detractors", "passives", "total"]].tolist() == [15, 15, 30]
    assert len(own) == 12
    hidden = own[own["suppressed"]]
    # Sales and Legal & Compliance: scores withheld (every other function has 5 or more to
    # contact now that all consenting passives are queued)
    assert hidden["provider_function"].tolist() == ["Sales", "Legal & Compliance"]
    assert hidden[["detractors", "passives", "total", "due"]].isna().all().all()
    assert int(own.loc[~own["suppressed"], "total"].sum()) == 146 - 11  # the two: 11 together
    small = find.owners(legal)
    assert small["suppressed"].tolist() == [True] and small["total"].isna().all()


def test_log_per_wave(org, regulatory):
    log = find.log(org)
    assert log[["wave", "followups", "contacted", "closed", "overdue"]].to_dict("list") == {
        "wave": ["2025-H1", "2025-H2"],
        "followups": [47, 50],
        "contacted": [39, 40],
        "closed": [16, 18],
        "overdue": [28, 23],
    }
    assert log["contact_rate"].round(1).tolist() == [83.0, 80.0]
    assert find.log(regulatory)["followups"].tolist() == [10, 10]


def test_plan_from_themes_and_engagement_gaps(org, regulatory):
    p = find.plan(regulatory)
    assert list(p.columns) == [
        "action_id",
        "function",
        "action",
        "owner",
        "due",
        "success_measure",
        "answers",
        "source",
        "status",
    ]
    assert p["action_id"].tolist() == ["A001", "A002", "A003", "A004", "A005"]
    assert p["source"].tolist() == ["survey themes"] * 2 + ["stakeholder map"] * 3
    # by priority (influence x gap), Regulatory's own head is among its 8 highest gaps
    assert "Layla Silva" in p.loc[2, "action"]
    assert p["answers"].iloc[0] == "Slow responses (18 comments)"
    assert (p["due"] == pd.Timestamp("2026-06-18")).all()  # 90 days after 20 March
    assert (find.plan(regulatory, due_days=30)["due"] == pd.Timestamp("2026-04-19")).all()
    whole = find.plan(org)
    assert whole["source"].value_counts().to_dict() == {"survey themes": 15, "stakeholder map": 8}
    themed = whole[whole["source"] == "survey themes"].set_index("function")["answers"]
    assert "Sales" not in themed and "Legal & Compliance" not in themed, "scores withheld"
    assert themed["Supply Chain"] == "Slow responses", "fewer than 10 comments: no count"
    assert themed["Pharmacovigilance"] == "Quality issues"
    fewer = find.plan(org, top=3, min_mentions=10)
    assert fewer["answers"].head(3).tolist() == [
        "Tools and systems (14 comments)",
        "Slow responses (18 comments)",
        "Decisions overturned after meetings (11 comments)",
    ]
    assert fewer["source"].value_counts().to_dict() == {"survey themes": 3, "stakeholder map": 3}


@pytest.mark.parametrize("scope", ["Organisation", "Regulatory", "Marketing"])
def test_the_plan_takes_the_mapping_pages_gaps_and_owners(scope):
    """One ranking and one owner rule: the plan's stakeholder actions are the mapping page's
    priorities, in their order, with the same suggested owners."""
    from kit.findings import mapping

    ctx = open_engagement(SAMPLE_CONFIG, scope=scope, audience="client")
    mapped = mapping.engagement(ctx, top=8).actions
    if scope != "Organisation":
        mapped = mapped[mapped["function"] == scope]
    planned = find.plan(ctx, top=8)
    planned = planned[planned["source"] == "stakeholder map"]
    assert planned["action"].tolist() == mapped["action"].tolist()
    assert planned["owner"].tolist() == mapped["owner"].tolist()


def test_loop_funnel_late_and_you_said_we_did(org):
    loop = find.loop(org)
    assert loop.logged and not loop.suppressed
    assert loop.funnel["stage"].tolist() == ["planned", "contacted", "action agreed", "closed"]
    assert loop.funnel["followups"].tolist() == [97, 79, 56, 34]
    # 7 follow-ups never reached by their owner (one owner each); 11 more where the owner
    # tried and the customer did not answer, which are not the owner's delay
    assert loop.late.iloc[0][["owner_name", "overdue"]].tolist() == ["Layla Silva", 1]
    assert int(loop.late["overdue"].sum()) == 7 and loop.no_response == 11
    assert loop.said.iloc[0].tolist() == [
        "Quality issues",
        "Fast-track lane for urgent requests",
        2,
        1,
    ]
    assert len(loop.said) == 6


def test_loop_of_a_small_scope_carries_no_figures(legal):
    loop = find.loop(legal)
    assert loop.logged and loop.suppressed  # 1 follow-up logged, fewer than 5
    assert loop.funnel["followups"].isna().all() and loop.funnel["share"].isna().all()
    assert loop.late.empty and loop.said.empty


def test_loop_codes_comments_with_the_engagements_codebook(sample_copy):
    (sample_copy / "mine.yaml").write_text(
        "themes:\n  any:\n    label: Anything said\n    patterns: ['.']\n", encoding="utf-8"
    )
    config = sample_copy / "engagement.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("# codebook: my_codebook.yaml", "codebook: mine.yaml"), encoding="utf-8"
    )
    said = find.loop(open_engagement(config)).said
    assert set(said["you_said"]) == {"Anything said"}
    assert said.iloc[0][["we_did", "followups", "closed"]].tolist() == [
        "Fast-track lane for urgent requests",
        5,
        4,
    ]


def test_impact_of_following_up(org, regulatory):
    t = find.impact(org)
    assert t["wave_from"].tolist() == ["2025-H1", "2025-H2", "all pairs"]
    pooled = t.iloc[-1]
    assert (pooled["n_followed"], pooled["n_not"]) == (47, 149)
    assert pooled["difference"] == pytest.approx(2.0867, abs=1e-4)
    assert (pooled["ci_low"], pooled["ci_high"]) == pytest.approx((1.7538, 2.4195), abs=1e-4)
    assert find.impact(regulatory).empty and "difference" in find.impact(regulatory).columns
    first = find.impact(open_engagement(SAMPLE_CONFIG, wave="2025-H1"))
    assert first.empty and list(first.columns) == list(t.columns)
    second = find.impact(open_engagement(SAMPLE_CONFIG, wave="2025-H2"))
    assert second["wave_from"].tolist() == ["2025-H1"] and second["n_followed"].iloc[0] == 26


def test_target_moves(org, regulatory, legal):
    t = find.target(org)
    assert t.target == 20
    assert int(t.summary.iloc[0]["n"]) == 476
    assert len(t.options) == 115 and set(t.options["moves"]) == {114}
    assert t.options["nps_after"].iloc[0] == pytest.approx(100 * (121 + 114 - 139) / 476)
    reg = find.target(regulatory)
    assert reg.summary.iloc[0]["nps"] == -21 and len(reg.options) == 39
    assert reg.options.iloc[-1][["detractors_to_passives", "passives_to_promoters"]].tolist() == [
        38,
        3,
    ]
    small = find.target(legal)
    assert bool(small.summary.iloc[0]["suppressed"]) and small.options.empty
    met = dataclasses.replace(regulatory, cfg=dataclasses.replace(regulatory.cfg, target_nps=-50))
    assert find.target(met).options.empty
