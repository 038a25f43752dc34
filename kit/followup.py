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

from math import ceil

import numpy as np
import pandas as pd

from kit.data import Dataset
from kit.nps import CATEGORIES, classify

__all__ = [
    "CONTACT_COLUMNS",
    "IMPACT_COLUMNS",
    "MOVES_COLUMNS",
    "STATUSES",
    "THEME_ACTIONS",
    "action_plan",
    "impact",
    "log_summary",
    "overdue_by_owner",
    "owners",
    "queue",
    "queue_summary",
    "status_funnel",
    "target_moves",
    "you_said_we_did",
]

#: The follow-up statuses, in the order a follow-up moves through them.
STATUSES = ("open", "contacted", "action agreed", "closed", "no response")

#: Columns that identify a person: for the consultant's working file, never for a client pack.
CONTACT_COLUMNS = ("contact_id", "name", "email", "comment")
#: The columns of :func:`impact` and of :func:`target_moves`.
IMPACT_COLUMNS = (
    "wave_from",
    "wave_to",
    "n_followed",
    "n_not",
    "change_followed",
    "change_not",
    "difference",
    "ci_low",
    "ci_high",
    "p_value",
)
MOVES_COLUMNS = ("detractors_to_passives", "passives_to_promoters", "moves", "nps_after")


def owners(ds: Dataset) -> pd.DataFrame:
    """Each function with its head: ``function, owner_id, owner`` (the head's name)."""
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
    passives: str = "all",
    coded: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The follow-up queue of a wave: consenting detractors first, then passives.

    ``passives``: ``"all"`` (every passive, those nearest promoter level first), ``"nearly"``
    (only those one point below it: 8 with the usual breaks) or ``"none"``.

    Only responses with ``ok_to_contact`` true **and** a ``contact_id`` are included. Each item
    gets an owner (the head of the rated function) and a due date (the wave's last submission
    plus ``sla_days``). Order: category, score (detractors lowest first, passives highest
    first), the contact's influence in the
    stakeholder register (highest first), comments with a complaint theme (``coded``, from
    :func:`kit.themes.code`) before others, most recent first.

    Returns
    -------
    One row per response to follow up: ``priority`` (1 = first), ``response_id``,
    ``provider_function``, ``respondent_function``, ``score``, ``category``, ``contact_id``,
    ``name``, ``email``, ``comment``, ``themes``, ``influence``, ``owner_id``, ``owner``,
    ``due``.
    """
    r = ds.responses[ds.responses["wave"] == wave]
    close = r["submitted_at"].max() if len(r) else pd.NaT  # the wave's: one date for all
    if provider is not None:
        r = r[r["provider_function"] == provider]
    consent = r["ok_to_contact"].fillna(False).astype(bool) & r["contact_id"].notna()
    r = r[consent].copy()
    r["category"] = classify(r["score"], detractor_max=detractor_max, passive_max=passive_max)
    keep = r["category"].eq("detractor")
    if passives == "all":
        keep |= r["category"].eq("passive")
    elif passives == "nearly":
        keep |= r["score"].eq(passive_max)
    r = r[keep]
    roster = ds.roster.set_index("contact_id")
    r["name"] = r["contact_id"].map(roster["name"])
    r["email"] = r["contact_id"].map(roster["email"])
    influence = ds.stakeholders.set_index("stakeholder_id")["influence"]
    r["influence"] = r["contact_id"].map(roster["stakeholder_id"]).map(influence)
    r = r.merge(owners(ds), left_on="provider_function", right_on="function", how="left")
    r["due"] = (close + pd.Timedelta(days=sla_days)).normalize() if pd.notna(close) else pd.NaT
    r["person"] = r.groupby("respondent_id").ngroup() + 1  # to count people, not answers
    r["_cat"] = r["category"].map({"detractor": 0, "passive": 1, "promoter": 2})
    complaints = coded[coded["theme"].isin(THEME_ACTIONS)] if coded is not None else None
    r["themes"] = (
        r["response_id"].map(complaints.groupby("response_id")["label"].agg("; ".join))
        if complaints is not None
        else None
    )
    r["_theme"] = r["themes"].notna()
    # detractors from the lowest score up; passives from the highest down (nearly promoters)
    r["_score"] = np.where(r["_cat"] == 1, -r["score"].astype(float), r["score"].astype(float))
    r = r.sort_values(
        ["_cat", "_score", "influence", "_theme", "submitted_at", "response_id"],
        ascending=[True, True, False, False, False, True],
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
        "themes",
        "influence",
        "owner_id",
        "owner",
        "due",
        "person",
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


# ---------------------------------------------------------------- action plan

#: A first action per complaint theme of the kit's codebook; the consultant edits them.
THEME_ACTIONS = {
    "decisions_overturned": (
        "Agree a decision log for joint projects: who decides, recorded in the meeting",
        "No decision re-opened without new information in the next wave's comments",
    ),
    "misaligned_priorities": (
        "Hold a quarterly joint prioritisation with the main internal customers",
        "Customers' top three projects staffed as agreed",
    ),
    "data_not_shared": (
        "Publish the data and insights customers need, on a shared space, on a set date",
        "Fewer 'data not shared' comments; access requests answered within 5 days",
    ),
    "slow_response": (
        "Set and publish response times for the main requests; track them monthly",
        "Median response time within the published target",
    ),
    "unclear_ownership": (
        "Name one contact per customer function and publish who owns what",
        "Every customer function can name its contact",
    ),
    "working_in_silos": (
        "Start a joint account or project plan with the functions serving the same customers",
        "Joint plan in place; fewer 'working in silos' comments in the next wave",
    ),
    "communication_gaps": (
        "Send a short monthly update to internal customers before changes take effect",
        "No 'heard about it after' comments in the next wave",
    ),
    "quality_issues": (
        "Review the three most reworked deliverables with their customers",
        "Rework requests halved",
    ),
    "process_bureaucracy": (
        "Simplify the approval steps for small requests with two customer representatives",
        "Steps and turnaround for small requests halved",
    ),
    "tools_systems": (
        "Fix the top reported tool problems and tell customers when they are fixed",
        "Open tool issues older than 30 days cleared",
    ),
}


def action_plan(
    coded: pd.DataFrame,
    responses: pd.DataFrame,
    engagement: pd.DataFrame,
    owners: pd.DataFrame,
    *,
    due: pd.Timestamp,
    themes_per_function: int = 2,
    min_mentions: int = 3,
    withheld=(),
    uncounted=(),
) -> pd.DataFrame:
    """Proposed actions: the main complaint themes of each rated function (stage 2) and the
    engagement gaps of influential stakeholders (stage 1), each with owner, due date, success
    measure and what it answers. ``coded`` is :func:`kit.themes.code` of ``responses``;
    ``engagement`` is :func:`kit.stakeholders.engagement_actions`; ``owners`` maps ``function``
    to ``owner`` (its head). No theme action for the ``withheld`` functions (what a handful of
    people said is theirs), and no count of comments for the ``uncounted`` ones."""
    tagged = coded[coded["theme"].isin(THEME_ACTIONS)].merge(
        responses[["response_id", "provider_function"]], on="response_id"
    )
    tagged = tagged[~tagged["provider_function"].isin(list(withheld))]
    counts = tagged.groupby(["provider_function", "theme", "label"]).size().rename("mentions")
    counts = counts[counts >= min_mentions].reset_index()
    counts = counts.sort_values(["provider_function", "mentions"], ascending=[True, False])
    top = counts.groupby("provider_function").head(themes_per_function)
    head = owners.set_index("function")["owner"]
    rows = [
        {
            "function": r["provider_function"],
            "action": THEME_ACTIONS[r["theme"]][0],
            "owner": head.get(r["provider_function"]),
            "due": due,
            "success_measure": THEME_ACTIONS[r["theme"]][1],
            "answers": r["label"]
            if r["provider_function"] in uncounted
            else f"{r['label']} ({r['mentions']} comments)",
            "source": "survey themes",
        }
        for _, r in top.iterrows()
    ]
    rows += [
        {
            "function": r["function"],
            "action": r["action"],
            "owner": r["owner"],
            "due": due,
            "success_measure": f"{r['name']} at {r['desired']} in the next assessment",
            "answers": f"Engagement gap: {r['current']} -> {r['desired']}",
            "source": "stakeholder map",
        }
        for _, r in engagement.iterrows()
    ]
    out = pd.DataFrame(
        rows,
        columns=["function", "action", "owner", "due", "success_measure", "answers", "source"],
    )
    out.insert(0, "action_id", [f"A{i:03d}" for i in range(1, len(out) + 1)])
    out["status"] = "open"
    return out


# ---------------------------------------------------------------- closing the loop


def _log(followups: pd.DataFrame, responses: pd.DataFrame, provider: str | None):
    f = followups.merge(responses[["response_id", "wave", "provider_function"]], on="response_id")
    return f if provider is None else f[f["provider_function"] == provider]


def status_funnel(
    followups: pd.DataFrame, responses: pd.DataFrame, *, provider: str | None = None
) -> pd.DataFrame:
    """How many follow-ups reached each stage: planned, contacted, action agreed, closed."""
    f = _log(followups, responses, provider)
    reached = {
        "planned": len(f),
        "contacted": int(f["first_contact_at"].notna().sum()),
        "action agreed": int(f["status"].isin(["action agreed", "closed"]).sum()),
        "closed": int(f["status"].eq("closed").sum()),
    }
    out = pd.DataFrame({"stage": list(reached), "followups": list(reached.values())})
    out["share"] = 100 * out["followups"] / max(len(f), 1)
    return out


def overdue_by_owner(
    followups: pd.DataFrame,
    responses: pd.DataFrame,
    stakeholders: pd.DataFrame,
    *,
    on: pd.Timestamp,
    provider: str | None = None,
) -> pd.DataFrame:
    """Follow-ups past their due date without a first contact, per owner, on a given day
    (those logged as "no response", where the owner tried and the customer did not answer,
    are not the owner's delay and are not counted)."""
    f = _log(followups, responses, provider)
    waiting = ~f["status"].isin(["closed", "no response"])
    late = f[f["first_contact_at"].isna() & (f["due"] < on) & waiting]
    names = stakeholders.set_index("stakeholder_id")["name"]
    out = (
        late.groupby("owner")
        .agg(overdue=("followup_id", "size"), oldest_due=("due", "min"))
        .reset_index()
        .assign(owner_name=lambda d: d["owner"].map(names))
    )
    return out.sort_values(["overdue", "oldest_due"], ascending=[False, True], ignore_index=True)


def you_said_we_did(
    followups: pd.DataFrame, coded: pd.DataFrame, *, min_count: int = 2
) -> pd.DataFrame:
    """For internal customers: what they raised (themes of followed-up comments) and the
    actions agreed or closed on it, with how many follow-ups each. No names, no quotes."""
    done = followups[followups["status"].isin(["action agreed", "closed"])]
    pairs = done.merge(coded[["response_id", "label"]], on="response_id")
    out = (
        pairs.groupby(["label", "action"])
        .agg(followups=("followup_id", "size"), closed=("status", lambda s: (s == "closed").sum()))
        .reset_index()
        .rename(columns={"label": "you_said", "action": "we_did"})
    )
    out = out[out["followups"] >= min_count]
    return out.sort_values(["followups", "you_said"], ascending=[False, True], ignore_index=True)


# ---------------------------------------------------------------- did it work?


def impact(
    responses: pd.DataFrame,
    followups: pd.DataFrame,
    *,
    waves: list[str],
    detractor_max: int = 6,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Score change of detractors who were followed up against those who were not.

    For each pair of consecutive waves, detractors of the first wave (same respondent and rated
    function) who answered again in the next: ``change`` is their mean score change in each
    group, with a Welch interval for the difference (followed up - not). A follow-up counts when
    a first contact was made. Returns one row per wave pair: ``n_followed, n_not, change_followed,
    change_not, difference, ci_low, ci_high, p_value``, and a last row pooling every pair;
    the difference is a difference-in-differences (both groups start as detractors).
    """
    rows, panels = [], []
    for before, after, pair in _detractor_panels(responses, followups, waves, detractor_max):
        panels.append(pair)
        rows.append({"wave_from": before, "wave_to": after, **_did(pair, confidence)})
    if len(panels) > 1:
        rows.append(
            {"wave_from": "all pairs", "wave_to": "", **_did(pd.concat(panels), confidence)}
        )
    return pd.DataFrame(rows).reindex(columns=list(IMPACT_COLUMNS))


def _detractor_panels(responses, followups, waves, detractor_max):
    """For each pair of consecutive waves, ``(before, after, pair)``: the detractors of the
    first wave (a person and a rated function) who answered again in the next, with their
    ``change`` of score and whether they were ``followed`` up (a first contact made)."""
    reached = set(followups.loc[followups["first_contact_at"].notna(), "response_id"])
    keys = ["respondent_id", "provider_function"]
    for before, after in zip(waves[:-1], waves[1:], strict=True):
        a = responses[(responses["wave"] == before) & (responses["score"] <= detractor_max)]
        b = responses[responses["wave"] == after]
        pair = a.dropna(subset=["respondent_id"]).merge(b, on=keys, suffixes=("_a", "_b"))
        yield (
            before,
            after,
            pair.assign(
                change=pair["score_b"].astype(float) - pair["score_a"].astype(float),
                followed=pair["response_id_a"].isin(reached),
            ),
        )


def category_moves(
    responses: pd.DataFrame,
    followups: pd.DataFrame,
    *,
    waves: list[str],
    detractor_max: int = 6,
    passive_max: int = 8,
) -> pd.DataFrame:
    """Where detractors stood in the next wave, followed up or not: the follow-up effect in
    NPS terms. Detractors of each wave (a person and a rated function) who answered again in
    the next, pooled over every pair of consecutive waves; one row per ``group`` ("followed
    up", "not followed up"): ``n`` and the % ``still_detractors``, ``now_passives``,
    ``now_promoters``."""
    pairs = [p for _, _, p in _detractor_panels(responses, followups, waves, detractor_max)]
    panel = pd.concat(pairs) if pairs else pd.DataFrame(columns=["score_b", "followed"])
    now = classify(panel["score_b"], detractor_max=detractor_max, passive_max=passive_max)
    followed = panel["followed"].to_numpy(dtype=bool)
    rows = []
    for group, mask in (("followed up", followed), ("not followed up", ~followed)):
        cat = now[mask]
        shares = cat.value_counts(normalize=True).reindex(CATEGORIES, fill_value=0) * 100
        shares = shares if len(cat) else shares * np.nan
        rows.append(
            {
                "group": group,
                "n": len(cat),
                "still_detractors": float(shares["detractor"]),
                "now_passives": float(shares["passive"]),
                "now_promoters": float(shares["promoter"]),
            }
        )
    return pd.DataFrame(rows)


def _did(panel: pd.DataFrame, confidence: float) -> dict:
    """Mean change of the followed-up and the others, and Welch's test of the difference."""
    from scipy import stats

    fol, rest = panel.loc[panel["followed"], "change"], panel.loc[~panel["followed"], "change"]
    out = {
        "n_followed": len(fol),
        "n_not": len(rest),
        "change_followed": fol.mean(),
        "change_not": rest.mean(),
    }
    if len(fol) >= 2 and len(rest) >= 2:
        test = stats.ttest_ind(fol, rest, equal_var=False)
        ci = test.confidence_interval(confidence)
        out |= {
            "difference": fol.mean() - rest.mean(),
            "ci_low": ci.low,
            "ci_high": ci.high,
            "p_value": test.pvalue,
        }
    return out


def target_moves(counts: pd.Series | dict, *, target: float) -> pd.DataFrame:
    """The smallest sets of moves that lift a group's NPS to ``target``.

    ``counts`` has ``detractors``, ``passives`` and ``promoters``. A detractor who becomes a
    passive, or a passive who becomes a promoter, each adds 100 / n points; the fewest moves is
    k = ceil((target - NPS) * n / 100). Returns every feasible split of those k moves (a what-if
    table): ``detractors_to_passives, passives_to_promoters, moves, nps_after``; empty when the
    target is already met, and an error when no such moves can reach it.
    """
    c = dict(counts)
    d, p, q = int(c["detractors"]), int(c["passives"]), int(c["promoters"])
    n = d + p + q
    if n == 0:
        raise ValueError("no responses: a target cannot be planned")
    now = 100 * (q - d) / n
    cols = list(MOVES_COLUMNS)
    if now >= target:
        return pd.DataFrame(columns=cols)
    k = ceil((target - now) * n / 100 - 1e-9)
    rows = [
        (x, k - x, k, 100 * (q + (k - x) - (d - x)) / n)
        for x in range(0, k + 1)
        if x <= d and k - x <= p + x  # a converted detractor can move on to promoter
    ]
    if not rows:
        raise ValueError(f"NPS {now:+.0f} cannot reach {target:+.0f} by these moves with n = {n}")
    return pd.DataFrame(rows, columns=cols)
