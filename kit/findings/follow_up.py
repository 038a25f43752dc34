"""Stage 3, follow-up planning: every figure notebook 03 and the packs show, as tidy data.

Who to go back to (consenting respondents only), owners and due dates, the proposed actions,
whether earlier follow-up happened and whether it moved scores, and what it takes to reach the
engagement's target NPS. Named contacts are for the consultant: in a client context the
queue carries no ``contact_id``, ``name``, ``email`` or ``comment``.

Example
-------
>>> from kit.config import SAMPLE_CONFIG
>>> from kit.context import open_engagement
>>> ctx = open_engagement(SAMPLE_CONFIG, scope="Regulatory")
>>> q = queue(ctx)
>>> len(q), int((q["category"] == "detractor").sum())
(30, 15)
>>> owners(ctx)[["provider_function", "owner", "total", "suppressed"]].to_dict("records")
[{'provider_function': 'Regulatory', 'owner': 'Layla Silva', 'total': 30, 'suppressed': False}]
>>> loop(ctx).funnel[["stage", "followups"]].to_dict("list")
{'stage': ['planned', 'contacted', 'action agreed', 'closed'], 'followups': [20, 17, 12, 10]}
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from kit import followup, privacy
from kit.context import Context
from kit.findings import internal_nps, mapping

__all__ = [
    "Loop",
    "Target",
    "queue",
    "owners",
    "log",
    "plan",
    "loop",
    "impact",
    "moves",
    "target",
]


class Loop(NamedTuple):
    """Closing the loop in earlier waves, from the follow-up log.

    ``funnel``: how many follow-ups reached each ``stage`` (planned, contacted, action agreed,
    closed): ``followups`` and ``share`` (% of planned). ``late``: per ``owner`` (and
    ``owner_name``), the follow-ups never contacted and past their due date when the selected
    wave opened (``overdue``, ``oldest_due``), most first. ``said``: "you said, we did": the
    themes of followed-up comments (``you_said``) against the actions agreed on them
    (``we_did``), with ``followups`` and ``closed`` counts. ``logged``: whether any follow-up
    was logged for the scope. ``suppressed``: fewer follow-ups than the anonymity threshold were
    logged; then ``funnel`` has no counts and ``late`` and ``said`` are empty. ``no_response``:
    follow-ups where the owner tried and the customer did not answer (not counted as late).
    """

    funnel: pd.DataFrame
    late: pd.DataFrame
    said: pd.DataFrame
    logged: bool
    suppressed: bool
    no_response: int = 0


class Target(NamedTuple):
    """What it takes to reach the target NPS.

    ``summary``: the scope's NPS in the wave (one row of :func:`kit.nps.summary` columns, with
    its ``suppressed`` flag). ``target``: the engagement's target NPS. ``options``: every split
    of the fewest one-category moves that reach it (:func:`kit.followup.target_moves` columns
    ``detractors_to_passives``, ``passives_to_promoters``, ``moves``, ``nps_after``); empty when
    the target is already met or the scope is suppressed.
    """

    summary: pd.DataFrame
    target: float
    options: pd.DataFrame


def queue(ctx: Context, *, passives: str | None = None) -> pd.DataFrame:
    """The follow-up queue of the scope in the wave: consenting respondents only.

    Detractors first, then passives as ``passives`` says (default: the engagement's
    ``followup.passives``; :func:`kit.followup.queue`);
    ordered as :func:`kit.followup.queue` explains, with the comments' complaint themes from
    the engagement's codebook (:attr:`Context.coded`).

    Returns
    -------
    pandas.DataFrame
        One row per response to follow up: ``priority`` (1 = first), ``response_id``,
        ``provider_function``, ``respondent_function``, ``score``, ``category``,
        ``contact_id``, ``name``, ``email``, ``comment``, ``themes``, ``influence``,
        ``owner_id``, ``owner`` (the head of the rated function), ``due``. For a client
        context the columns that identify a person (:data:`kit.followup.CONTACT_COLUMNS`) are
        empty.
    """
    q = followup.queue(
        ctx.ds,
        wave=ctx.wave,
        provider=ctx.provider,
        sla_days=ctx.cfg.followup_sla_days,
        detractor_max=ctx.cfg.detractor_max,
        passive_max=ctx.cfg.passive_max,
        passives=passives or ctx.cfg.followup_passives,
        coded=ctx.coded,
    )
    if ctx.for_client:
        q = q.assign(**{c: None for c in followup.CONTACT_COLUMNS})
    return q


def owners(ctx: Context) -> pd.DataFrame:
    """The queue counted per rated function and owner: safe for a client pack.

    Returns
    -------
    pandas.DataFrame
        ``provider_function``, ``owner``, ``detractors``, ``passives``, ``total``, ``due`` (the
        earliest), most to contact first; ``suppressed`` True (and no counts) for a function
        whose score is withheld in the wave (anonymity rule).
    """
    out = followup.queue_summary(queue(ctx))
    scores = internal_nps.segments(ctx, by="provider_function")
    hidden = set(scores.loc[scores["suppressed"], "provider_function"])
    # the queue's total is printed: a withheld function's count must not be its remainder
    out["suppressed"] = privacy.complementary_suppression_1d(
        out["total"], min_n=ctx.min_n, hidden=out["provider_function"].isin(hidden)
    ).to_numpy()
    for column in ("detractors", "passives", "total"):
        out[column] = out[column].astype("Int64").mask(out["suppressed"])
    out["due"] = out["due"].mask(out["suppressed"])
    return out


def log(ctx: Context) -> pd.DataFrame:
    """The closed-loop figures of every earlier wave with follow-ups logged for the scope.

    Returns
    -------
    pandas.DataFrame
        One row per wave (:func:`kit.followup.log_summary`): ``wave``, ``followups``,
        ``contacted``, ``closed``, ``contact_rate`` (%), ``median_days_to_contact``,
        ``overdue`` (not contacted by the due date); ``suppressed`` (no figures) for a wave
        with fewer follow-ups than the anonymity threshold; empty when nothing was logged.
    """
    out = followup.log_summary(ctx.ds.followups, ctx.ds.responses, provider=ctx.provider)
    earlier = ctx.cfg.waves[: ctx.cfg.waves.index(ctx.wave)]  # a first wave has none
    out = out[out["wave"].isin(earlier)].reset_index(drop=True)
    few = out["followups"] < ctx.min_n  # a handful of follow-ups is a handful of people
    out[["followups", "contacted", "closed", "overdue"]] = out[
        ["followups", "contacted", "closed", "overdue"]
    ].astype("Int64")
    out.loc[few, ["followups", "contacted", "closed", "overdue"]] = pd.NA
    out.loc[few, ["contact_rate", "median_days_to_contact"]] = float("nan")
    return out.assign(suppressed=few.to_numpy())


def plan(
    ctx: Context,
    *,
    top: int = 8,
    due_days: int = 90,
    themes_per_function: int = 2,
    min_mentions: int = 3,
) -> pd.DataFrame:
    """Proposed actions for the scope: from its comment themes and its engagement gaps.

    Parameters
    ----------
    top
        How many of the most influential stakeholders' engagement gaps (in the scope's
        register) to take up; for a function's scope only those in the function are kept.
    due_days
        Days after the wave's last response that every action is due.
    themes_per_function, min_mentions
        The most frequent complaint themes per rated function taken up, and how many comments
        a theme needs to be taken up. None for a function whose score is withheld; no count
        of comments where a function has fewer than the comment threshold (as in its themes).

    Returns
    -------
    pandas.DataFrame
        :func:`kit.followup.action_plan` columns: ``action_id``, ``function``, ``action``,
        ``owner``, ``due``, ``success_measure``, ``answers``, ``source`` ("survey themes" or
        "stakeholder map"), ``status``.
    """
    gaps = mapping.engagement(ctx, top=top).actions  # as the mapping pages rank and own them
    if not ctx.is_organisation:
        gaps = gaps[gaps["function"] == ctx.scope]
    current = ctx.current
    # one due date per wave, from its last answer (a function's own would tell when it was
    # last rated); a wave without answers has no close: the plan is due from today
    close = ctx.in_wave["submitted_at"].max() if len(ctx.in_wave) else pd.Timestamp.now()
    rated = current["provider_function"].unique()
    commented = current[current["comment"].fillna("").str.strip() != ""]
    comments = commented.groupby("provider_function").size()
    return followup.action_plan(
        ctx.coded,
        current,
        gaps,
        followup.owners(ctx.ds),
        # no submission dates (kit validate notes it): no due date to compute, NaT
        due=(close + pd.Timedelta(days=due_days)).normalize() if pd.notna(close) else pd.NaT,
        themes_per_function=themes_per_function,
        min_mentions=min_mentions,
        withheld=[f for f in rated if ctx.ledger.withheld(ctx.wave, provider=f)],
        uncounted=[
            f for f in rated if comments.get(f, 0) < ctx.cfg.thresholds.min_comment_group_size
        ],
    )


def loop(ctx: Context) -> Loop:
    """Did earlier follow-up happen? The status funnel, late items per owner, you said - we did.

    All of it is the scope's: the follow-ups of the responses about the scope's function (every
    follow-up for the organisation), "you said, we did" with their comments coded with the
    engagement's codebook.
    """
    f, r = ctx.ds.followups, ctx.ds.responses
    opened = r.loc[r["wave"] == ctx.wave, "submitted_at"].min()
    # only the follow-ups of earlier waves' answers: none in a first wave, none from the future
    r = r[r["wave"].isin(ctx.cfg.waves[: ctx.cfg.waves.index(ctx.wave)])]
    f = f[f["response_id"].isin(r["response_id"])]
    funnel = followup.status_funnel(f, r, provider=ctx.provider)
    late = followup.overdue_by_owner(f, r, ctx.ds.stakeholders, on=opened, provider=ctx.provider)
    about = r if ctx.provider is None else r[r["provider_function"] == ctx.provider]
    logged = f[f["response_id"].isin(about["response_id"])]
    coded = ctx.code(about[about["response_id"].isin(logged["response_id"])])
    said = followup.you_said_we_did(logged, coded)
    no_response = int(logged["status"].eq("no response").sum())
    planned = int(funnel["followups"].iloc[0])
    suppressed = 0 < planned < ctx.min_n
    if suppressed:
        funnel = funnel.assign(followups=pd.NA, share=pd.NA)
        late, said, no_response = late.iloc[:0], said.iloc[:0], 0
    return Loop(funnel, late, said, planned > 0, suppressed, no_response)


def impact(ctx: Context) -> pd.DataFrame:
    """Did following up move the scores? Detractors followed up against those not.

    Estimated for the whole organisation over the waves up to the selected one; empty for a
    function's scope (per function the groups are too small to say) and on the first wave.

    Returns
    -------
    pandas.DataFrame
        :func:`kit.followup.impact` columns: one row per pair of consecutive waves
        (``wave_from``, ``wave_to``, ``n_followed``, ``n_not``, ``change_followed``,
        ``change_not``, ``difference`` with ``ci_low``, ``ci_high``, ``p_value``), then a row
        pooling every pair (``wave_from`` "all pairs") when there are several.
    """
    if not ctx.is_organisation:
        return pd.DataFrame(columns=list(followup.IMPACT_COLUMNS))
    return followup.impact(
        ctx.ds.responses,
        ctx.ds.followups,
        waves=list(ctx.cfg.waves[: ctx.cfg.waves.index(ctx.wave) + 1]),
        detractor_max=ctx.cfg.detractor_max,
        confidence=ctx.cfg.thresholds.confidence,
    )


def moves(ctx: Context) -> pd.DataFrame:
    """The follow-up effect in NPS terms (organisation; empty for a function's scope): where
    earlier detractors stood in the next wave, followed up or not
    (:func:`kit.followup.category_moves`); a group under the anonymity threshold has no
    shares."""
    columns = ["group", "n", "still_detractors", "now_passives", "now_promoters"]
    if not ctx.is_organisation:
        return pd.DataFrame(columns=columns)
    out = followup.category_moves(
        ctx.ds.responses,
        ctx.ds.followups,
        waves=list(ctx.cfg.waves[: ctx.cfg.waves.index(ctx.wave) + 1]),
        detractor_max=ctx.cfg.detractor_max,
        passive_max=ctx.cfg.passive_max,
    )
    few = out["n"] < ctx.min_n
    out.loc[few, columns[2:]] = float("nan")
    return out


def target(ctx: Context) -> Target:
    """The fewest moves (a detractor to passive, or a passive to promoter) that lift the
    scope's NPS to the engagement's target, as a what-if table."""
    now = internal_nps.summary(ctx)
    goal = ctx.cfg.target_nps
    row = now.iloc[0]
    if row["suppressed"]:
        return Target(now, goal, pd.DataFrame(columns=list(followup.MOVES_COLUMNS)))
    counts = {k: int(row[k]) for k in ("detractors", "passives", "promoters")}
    return Target(now, goal, followup.target_moves(counts, target=goal))
