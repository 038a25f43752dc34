"""Follow-up planning: who to go back to (consenting respondents only), owners and due dates.

Example
-------
>>> from kit.config import SAMPLE_CONFIG, load_engagement
>>> from kit.data import load
>>> cfg = load_engagement(SAMPLE_CONFIG)
>>> ds = load(cfg)
>>> q = queue(ds, wave=cfg.current_wave)
>>> bool(q["contact_id"].notna().all())
True
"""

from __future__ import annotations

import pandas as pd

from kit.data import Dataset
from kit.nps import classify

__all__ = ["queue", "queue_summary", "log_summary", "CONTACT_COLUMNS"]

#: Columns that identify a person: for the consultant's working file, never for a client pack.
CONTACT_COLUMNS = ("contact_id", "name", "email", "comment")


def _owners(ds: Dataset) -> pd.DataFrame:
    heads = ds.functions[["function", "head_id"]].rename(columns={"head_id": "owner_id"})
    names = ds.stakeholders.set_index("stakeholder_id")["name"]
    heads["owner"] = heads["owner_id"].map(names)
    return heads


def queue(
    ds: Dataset,
    *,
    wave: str,
    provider: str | None = None,
    sla_days: int = 14,
    detractor_max: int = 6,
    passive_max: int = 8,
    include_passives: bool = True,
) -> pd.DataFrame:
    """The follow-up queue of a wave: consenting detractors first, then passives just below 9.

    Only responses with ``ok_to_contact`` true **and** a ``contact_id`` are included. Each item
    gets an owner (the head of the rated function) and a due date (the wave's last submission
    plus ``sla_days``). Order: category, score (lowest first), the contact's influence in the
    stakeholder register (highest first), most recent first.

    Returns
    -------
    One row per response to follow up: ``priority`` (1 = first), ``response_id``,
    ``provider_function``, ``respondent_function``, ``score``, ``category``, ``contact_id``,
    ``name``, ``email``, ``comment``, ``influence``, ``owner_id``, ``owner``, ``due``.
    """
    r = ds.responses[ds.responses["wave"] == wave]
    if provider is not None:
        r = r[r["provider_function"] == provider]
    close = r["submitted_at"].max() if len(r) else pd.NaT
    consent = r["ok_to_contact"].fillna(False).astype(bool) & r["contact_id"].notna()
    r = r[consent].copy()
    r["category"] = classify(r["score"], detractor_max=detractor_max, passive_max=passive_max)
    keep = r["category"].eq("detractor")
    if include_passives:
        keep |= r["score"].eq(passive_max - 1)
    r = r[keep]
    roster = ds.roster.set_index("contact_id")
    r["name"] = r["contact_id"].map(roster["name"])
    r["email"] = r["contact_id"].map(roster["email"])
    influence = ds.stakeholders.set_index("stakeholder_id")["influence"]
    r["influence"] = r["contact_id"].map(roster["stakeholder_id"]).map(influence)
    r = r.merge(_owners(ds), left_on="provider_function", right_on="function", how="left")
    r["due"] = (close + pd.Timedelta(days=sla_days)).normalize() if pd.notna(close) else pd.NaT
    r["_cat"] = r["category"].map({"detractor": 0, "passive": 1, "promoter": 2})
    r = r.sort_values(
        ["_cat", "score", "influence", "submitted_at", "response_id"],
        ascending=[True, True, False, False, True],
        na_position="last",
    )
    r.insert(0, "priority", range(1, len(r) + 1))
    cols = [
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
        "influence",
        "owner_id",
        "owner",
        "due",
    ]
    return r[cols].reset_index(drop=True)


def queue_summary(q: pd.DataFrame) -> pd.DataFrame:
    """Aggregate counts of a queue per rated function and owner: safe for a client pack."""
    if q.empty:
        return pd.DataFrame(
            columns=["provider_function", "owner", "detractors", "passives", "total", "due"]
        )
    g = q.groupby(["provider_function", "owner"], dropna=False)
    out = g.agg(
        detractors=("category", lambda s: int((s == "detractor").sum())),
        passives=("category", lambda s: int((s == "passive").sum())),
        total=("response_id", "size"),
        due=("due", "min"),
    ).reset_index()
    return out.sort_values(
        ["total", "provider_function"], ascending=[False, True], ignore_index=True
    )


_STARTED = ("contacted", "action agreed", "closed")


def log_summary(
    followups: pd.DataFrame, responses: pd.DataFrame, *, provider: str | None = None
) -> pd.DataFrame:
    """Closed-loop figures per wave from the follow-up log.

    Returns one row per wave with follow-ups: ``followups``, ``contacted`` (first contact made),
    ``closed``, ``contact_rate`` (%), ``median_days_to_contact`` and ``overdue`` (not contacted
    by the due date, or still open past it).
    """
    cols = [
        "wave",
        "followups",
        "contacted",
        "closed",
        "contact_rate",
        "median_days_to_contact",
        "overdue",
    ]
    f = followups.merge(responses[["response_id", "wave", "provider_function"]], on="response_id")
    if provider is not None:
        f = f[f["provider_function"] == provider]
    if f.empty:
        return pd.DataFrame(columns=cols)
    f = f.assign(
        contacted=f["first_contact_at"].notna(),
        closed=f["status"].eq("closed"),
        days=(f["first_contact_at"] - f["created"]).dt.days,
        overdue=(f["first_contact_at"].isna() | (f["first_contact_at"] > f["due"])),
    )
    out = (
        f.groupby("wave", sort=True)
        .agg(
            followups=("followup_id", "size"),
            contacted=("contacted", "sum"),
            closed=("closed", "sum"),
            median_days_to_contact=("days", "median"),
            overdue=("overdue", "sum"),
        )
        .reset_index()
    )
    out["contact_rate"] = 100 * out["contacted"] / out["followups"]
    return out[cols]
