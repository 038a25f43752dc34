from dataclasses import replace

import pandas as pd

from kit.followup import log_summary, queue, queue_summary


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
    # E (score 0) did not consent: never listed. F (9) and G (8) are not followed up.
    # Detractors by score; B before A at score 3 because B's contact is influential (5).
    assert q["response_id"].tolist() == ["B", "A", "C", "D"]
    assert q["priority"].tolist() == [1, 2, 3, 4]
    assert q["category"].tolist() == ["detractor", "detractor", "detractor", "passive"]
    assert (q["due"] == pd.Timestamp("2026-03-24")).all()  # last submission 10 Mar + 14 days
    head = ds.functions.set_index("function").loc["Regulatory", "head_id"]
    assert (q["owner_id"] == head).all()
    assert queue(mini, wave="W", include_passives=False)["response_id"].tolist() == ["B", "A", "C"]


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
