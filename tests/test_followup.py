from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from kit.followup import (
    action_plan,
    impact,
    log_summary,
    overdue_by_owner,
    queue,
    queue_summary,
    status_funnel,
    target_moves,
)


def _mini(ds):
    """A hand-made wave: consent, scores and influence chosen to fix the queue order."""
    responses = pd.DataFrame(
        {
            "response_id": ["A", "B", "C", "D", "E", "F", "G"],
            "wave": "W",
            "submitted_at": pd.to_datetime(
                [
                    "2026-03-02",
                    "2026-03-05",
                    "2026-03-03",
                    "2026-03-04",
                    "2026-03-06",
                    "2026-03-01",
                    "2026-03-10",
                ]
            ),
            "respondent_id": list("abcdefg"),
            "respondent_function": "Sales",
            "provider_function": "Regulatory",
            "score": pd.array([3, 3, 6, 7, 0, 9, 8], dtype="Int64"),
            "comment": None,
            "ok_to_contact": pd.array([True, True, True, True, False, True, True], dtype="boolean"),
            "contact_id": ["C1", "C2", "C3", "C4", None, "C6", "C7"],
        }
    )
    roster = pd.DataFrame(
        {
            "contact_id": ["C1", "C2", "C3", "C4", "C6", "C7"],
            "name": list("PQRSTU"),
            "email": None,
            "function": "Sales",
            "stakeholder_id": [None, "S2", None, None, None, None],
        }
    )
    stakeholders = ds.stakeholders.copy()
    stakeholders = pd.concat(
        [
            stakeholders,
            pd.DataFrame(
                {
                    "stakeholder_id": ["S2"],
                    "name": ["Q"],
                    "function": ["Sales"],
                    "influence": [5],
                    "interest": [3],
                }
            ),
        ],
        ignore_index=True,
    )
    return replace(ds, responses=responses, roster=roster, stakeholders=stakeholders)


def test_queue_order_and_consent(ds):
    mini = _mini(ds)
    q = queue(mini, wave="W", sla_days=14)
    # E (score 0) did not consent: never listed. F (9) is a promoter: not followed up.
    # Detractors by score; B before A at score 3 because B's contact is influential (5);
    # then the passives, G (8, nearly a promoter) before D (7).
    assert q["response_id"].tolist() == ["B", "A", "C", "G", "D"]
    assert q["priority"].tolist() == [1, 2, 3, 4, 5]
    assert q["category"].tolist() == ["detractor"] * 3 + ["passive"] * 2
    assert q["person"].nunique() == 5
    # "one point below promoter level" means the 8s, as the words say
    assert queue(mini, wave="W", passives="nearly")["response_id"].tolist()[3:] == ["G"]
    assert (q["due"] == pd.Timestamp("2026-03-24")).all()  # last submission 10 Mar + 14 days
    head = ds.functions.set_index("function").loc["Regulatory", "head_id"]
    assert (q["owner_id"] == head).all()
    assert queue(mini, wave="W", passives="none")["response_id"].tolist() == ["B", "A", "C"]


def test_sample_queue_has_only_consenting_people(ds, cfg):
    q = queue(ds, wave=cfg.current_wave)
    consenting = ds.responses.set_index("response_id")["ok_to_contact"]
    assert len(q) > 20
    assert consenting.loc[q["response_id"]].all()
    assert q["contact_id"].notna().all() and q["owner"].notna().all()
    s = queue_summary(q)
    assert s["total"].sum() == len(q)
    assert s["detractors"].sum() == (q["category"] == "detractor").sum()


def test_log_summary_worked_by_hand():
    responses = pd.DataFrame(
        {
            "response_id": ["a", "b", "c"],
            "wave": ["W1", "W1", "W2"],
            "provider_function": ["X", "X", "Y"],
        }
    )
    day = pd.Timestamp
    f = pd.DataFrame(
        {
            "followup_id": ["F1", "F2", "F3"],
            "response_id": ["a", "b", "c"],
            "created": [day("2025-01-01")] * 3,
            "due": [day("2025-01-15")] * 3,
            "status": ["closed", "open", "contacted"],
            "first_contact_at": [day("2025-01-05"), pd.NaT, day("2025-01-20")],
        }
    )
    out = log_summary(f, responses)
    assert out.to_dict("records") == [
        {
            "wave": "W1",
            "followups": 2,
            "contacted": 1,
            "closed": 1,
            "contact_rate": 50.0,
            "median_days_to_contact": 4.0,
            "overdue": 1,
        },
        {
            "wave": "W2",
            "followups": 1,
            "contacted": 1,
            "closed": 0,
            "contact_rate": 100.0,
            "median_days_to_contact": 19.0,
            "overdue": 1,
        },
    ]
    assert log_summary(f, responses, provider="Y")["followups"].tolist() == [1]


def test_target_moves_worked_by_hand():
    # 3 detractors, 4 passives, 3 promoters: NPS 0; target +20 needs 20 * 10 / 100 = 2 moves
    moves = target_moves({"detractors": 3, "passives": 4, "promoters": 3}, target=20)
    assert moves[["detractors_to_passives", "passives_to_promoters"]].values.tolist() == [
        [0, 2],
        [1, 1],
        [2, 0],
    ]
    assert (moves["moves"] == 2).all() and moves["nps_after"].tolist() == [20, 20, 20]
    assert target_moves({"detractors": 0, "passives": 0, "promoters": 5}, target=50).empty
    with pytest.raises(ValueError, match="no responses"):
        target_moves({"detractors": 0, "passives": 0, "promoters": 0}, target=10)


def test_target_moves_respects_who_can_move():
    # 1 detractor, 1 passive: +100 needs 4 steps (D->P->Pr twice over), only possible as
    # detractor -> passive (1) and then both passives -> promoters (2): 3 steps reach +100
    moves = target_moves({"detractors": 1, "passives": 1, "promoters": 0}, target=100)
    assert moves.values.tolist() == [[1, 2, 3, 100.0]]


def _panel() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = []
    # wave 1 detractors P1-P4; P1, P2 followed up and move +3, +5; P3, P4 not, +1, -1
    for pid, s1, s2 in [("P1", 3, 6), ("P2", 2, 7), ("P3", 4, 5), ("P4", 6, 5), ("P5", 9, 9)]:
        rows.append(
            {
                "response_id": f"{pid}a",
                "wave": "W1",
                "respondent_id": pid,
                "provider_function": "X",
                "score": s1,
            }
        )
        rows.append(
            {
                "response_id": f"{pid}b",
                "wave": "W2",
                "respondent_id": pid,
                "provider_function": "X",
                "score": s2,
            }
        )
    followups = pd.DataFrame(
        {
            "response_id": ["P1a", "P2a", "P3a"],
            "first_contact_at": [pd.Timestamp("2025-01-05"), pd.Timestamp("2025-01-06"), pd.NaT],
        }
    )
    return pd.DataFrame(rows), followups


def test_impact_on_a_made_up_panel():
    responses, followups = _panel()
    row = impact(responses, followups, waves=["W1", "W2"]).iloc[0]
    assert (row["n_followed"], row["n_not"]) == (2, 2)  # P3 was planned but never reached
    assert row["change_followed"] == 4 and row["change_not"] == 0
    assert row["difference"] == 4
    # Welch: both groups have variance 2, se = sqrt(2/2 + 2/2) = sqrt(2), df = 2
    from scipy import stats

    half = stats.t.ppf(0.975, 2) * np.sqrt(2)
    assert row["ci_low"] == pytest.approx(4 - half) and row["ci_high"] == pytest.approx(4 + half)


def test_impact_on_the_sample_finds_the_planted_effect(ds, cfg):
    pooled = impact(ds.responses, ds.followups, waves=list(cfg.waves)).iloc[-1]
    assert pooled["wave_from"] == "all pairs"
    assert pooled["change_followed"] == pytest.approx(2.49, abs=0.01)
    assert pooled["change_not"] == pytest.approx(0.40, abs=0.01)
    assert 1.7 < pooled["ci_low"] < pooled["difference"] < pooled["ci_high"] < 2.5


def test_status_funnel_and_overdue(ds):
    funnel = status_funnel(ds.followups, ds.responses).set_index("stage")["followups"]
    assert funnel.to_dict() == {"planned": 97, "contacted": 79, "action agreed": 56, "closed": 34}
    late = overdue_by_owner(
        ds.followups, ds.responses, ds.stakeholders, on=pd.Timestamp("2026-03-02")
    )
    # 7 open, none contacted; the 11 "no response" were tried by their owner: not late
    assert late["overdue"].sum() == 7
    assert late["owner_name"].notna().all()


def test_action_plan_answers_themes_and_gaps():
    coded = pd.DataFrame(
        {
            "response_id": ["r1", "r2", "r3", "r4"],
            "theme": ["slow_response"] * 3 + ["good_collaboration"],
            "label": ["Slow responses"] * 3 + ["Good collaboration"],
        }
    )
    responses = pd.DataFrame(
        {"response_id": ["r1", "r2", "r3", "r4"], "provider_function": ["IT"] * 4}
    )
    gaps = pd.DataFrame(
        {
            "function": ["HR"],
            "action": ["Meet Ann."],
            "owner": ["Bob"],
            "name": ["Ann"],
            "current": ["Neutral"],
            "desired": ["Supportive"],
        }
    )
    owners = pd.DataFrame({"function": ["IT"], "owner": ["Ida"]})
    plan = action_plan(coded, responses, gaps, owners, due=pd.Timestamp("2026-06-30"))
    assert plan["action_id"].tolist() == ["A001", "A002"]
    assert plan.loc[0, "owner"] == "Ida" and plan.loc[0, "answers"] == "Slow responses (3 comments)"
    assert plan.loc[1, "source"] == "stakeholder map" and (plan["status"] == "open").all()
