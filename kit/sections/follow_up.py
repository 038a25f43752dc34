"""Stage 3, follow-up planning: what notebook 03 shows for a scope."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from kit import followup, narrative, nps, themes
from kit.followup import log_summary, queue_summary
from kit.narrative import note, signed, table
from kit.sections import internal_nps, mapping
from kit.stakeholders import engagement_actions


def headline(ctx, queue: pd.DataFrame) -> HTML:
    """How many consenting respondents to go back to, by when, and the earlier loop."""
    det = int((queue["category"] == "detractor").sum())
    pas = int((queue["category"] == "passive").sum())
    lines = [
        f"{len(queue)} respondents who agreed to be contacted should hear back about "
        f"{ctx.label} from {ctx.wave}: {det} detractors first, then {pas} passives."
    ]
    if len(queue):
        lines.append(
            f"First contacts are due by {queue['due'].min():%d %B %Y} "
            f"({ctx.cfg.followup_sla_days} days after the survey closed), owned by "
            f"{queue['owner'].nunique()} function heads."
        )
    log = log_summary(
        ctx.ds.followups, ctx.ds.responses, provider=None if ctx.is_organisation else ctx.scope
    )
    if len(log):
        done = int(log["contacted"].sum())
        total = int(log["followups"].sum())
        lines.append(
            f"In earlier waves, {done} of {total} planned follow-ups reached a first "
            f"contact ({100 * done / total:.0f}%)."
        )
    return narrative.headline(lines)


def owners(ctx, queue: pd.DataFrame) -> HTML:
    """Counts per rated function and owner (safe for a pack); suppressed functions hidden."""
    scores = nps.segments(ctx.current, by="provider_function", **ctx.nps_options)
    hidden = set(scores.loc[scores["suppressed"], "provider_function"])
    summary = queue_summary(queue)
    summary["suppressed"] = summary["provider_function"].isin(hidden)
    out = table(
        summary,
        columns={
            "provider_function": "Rated function",
            "owner": "Owner",
            "detractors": "Detractors",
            "passives": "Passives",
            "total": "To contact",
            "due": "Due by",
        },
    )
    if hidden & set(summary["provider_function"]):
        return narrative.join(
            out, note("Counts for functions whose scores are withheld (anonymity rule) are too.")
        )
    return out


def named_list(ctx, queue: pd.DataFrame) -> HTML:
    """The named follow-up list: only in the consultant's view, never in a client pack."""
    if ctx.for_client:
        return note("The named follow-up list is kept out of client reports.")
    return table(
        queue,
        columns={
            "priority": "#",
            "response_id": "Response",
            "provider_function": "Rated function",
            "score": "Score",
            "name": "Contact",
            "email": "E-mail",
            "owner": "Owner",
            "due": "Due",
        },
    )


def log(ctx) -> HTML:
    """The closed-loop figures of earlier waves."""
    log = log_summary(
        ctx.ds.followups, ctx.ds.responses, provider=None if ctx.is_organisation else ctx.scope
    )
    if log.empty:
        return note("No follow-up was logged for earlier waves.")
    return table(
        log,
        columns={
            "wave": "Wave",
            "followups": "Planned",
            "contacted": "Contacted",
            "closed": "Closed",
            "contact_rate": "% contacted",
            "median_days_to_contact": "Median days to contact",
            "overdue": "Late or missing",
        },
        formats={"contact_rate": ".0f", "median_days_to_contact": ".0f"},
    )


# ---------------------------------------------------------------- the plan and the loop


def _provider(ctx) -> str | None:
    return None if ctx.is_organisation else ctx.scope


def queue(ctx) -> pd.DataFrame:
    """The follow-up queue of the scope in the selected wave (consenting respondents only)."""
    return followup.queue(
        ctx.ds,
        wave=ctx.wave,
        provider=_provider(ctx),
        sla_days=ctx.cfg.followup_sla_days,
        detractor_max=ctx.cfg.detractor_max,
        passive_max=ctx.cfg.passive_max,
        coded=themes.code(ctx.current, codebook=ctx.cfg.codebook),
    )


def plan(ctx) -> pd.DataFrame:
    """Proposed actions for the scope: from its comment themes and its engagement gaps."""
    rated = ctx.current
    coded = themes.code(rated, codebook=ctx.cfg.codebook)
    register = mapping.scope_stakeholders(ctx)
    gaps = engagement_actions(register, top=8)
    if not ctx.is_organisation:
        gaps = gaps[gaps["function"] == ctx.scope]
    close = ctx.current["submitted_at"].max() if len(ctx.current) else pd.Timestamp.now()
    due = (close + pd.Timedelta(days=90)).normalize()
    return followup.action_plan(coded, rated, gaps, followup.owners(ctx.ds), due=due)


def plan_view(ctx) -> HTML:
    """The proposed action plan, for the consultant to edit with the function heads."""
    if (hidden := internal_nps.withheld(ctx)) is not None:
        return hidden
    p = plan(ctx)
    if p.empty:
        return note(
            "No theme is frequent enough and no engagement gap is open: no action proposed."
        )
    lines = [
        f"{len(p)} actions are proposed for {ctx.label}: "
        f"{int((p['source'] == 'survey themes').sum())} answer the most frequent complaint themes "
        f"and {int((p['source'] == 'stakeholder map').sum())} close engagement gaps, all due "
        f"{p['due'].iloc[0]:%d %B %Y}, to be confirmed with their owners."
    ]
    return narrative.join(
        narrative.headline(lines),
        table(
            p,
            columns={
                "action_id": "#",
                "function": "Function",
                "action": "Action",
                "owner": "Owner",
                "success_measure": "Success measure",
                "answers": "Answers",
            },
            suppressed=None,
        ),
    )


def loop_view(ctx) -> HTML:
    """Closing the loop in earlier waves: the status funnel, late items, you said - we did."""
    f, r, provider = ctx.ds.followups, ctx.ds.responses, _provider(ctx)
    funnel = followup.status_funnel(f, r, provider=provider)
    if funnel["followups"].iloc[0] == 0:
        return note("No follow-up was logged for earlier waves.")
    opened = r.loc[r["wave"] == ctx.wave, "submitted_at"].min()
    late = followup.overdue_by_owner(f, r, ctx.ds.stakeholders, on=opened, provider=provider)
    said = followup.you_said_we_did(f[f["response_id"].isin(r["response_id"])], themes.code(r))
    stages = {s: int(n) for s, n in zip(funnel["stage"], funnel["followups"], strict=True)}
    if stages["planned"] < ctx.min_n:
        return note(
            f"Fewer than {ctx.min_n} follow-ups were logged for {ctx.label}: the figures are "
            "not shown, to keep the people concerned anonymous."
        )
    lines = [
        f"Of {stages['planned']} planned follow-ups, {stages['contacted']} reached a first "
        f"contact, {stages['action agreed']} agreed an action and {stages['closed']} are closed.",
        f"{int(late['overdue'].sum())} were never contacted before {ctx.wave} opened"
        + (
            f", most with {late['owner_name'].iloc[0]} ({int(late['overdue'].iloc[0])})."
            if len(late)
            else "."
        ),
    ]
    blocks = [
        narrative.headline(lines),
        table(
            funnel,
            columns={"stage": "Stage", "followups": "Follow-ups", "share": "%"},
            formats={"share": ".0f"},
            suppressed=None,
        ),
    ]
    if len(said):
        blocks.append(
            table(
                said.head(8),
                columns={
                    "you_said": "You said",
                    "we_did": "We did",
                    "followups": "Conversations",
                    "closed": "Closed",
                },
                suppressed=None,
            )
        )
    return narrative.join(*blocks)


def impact_view(ctx) -> HTML:
    """Did following up move the scores? Detractors followed up against those not."""
    if not ctx.is_organisation:
        return note(
            "The effect of follow-up is estimated for the whole organisation (see the "
            "organisation pack): per function the groups are too small to say."
        )
    t = followup.impact(
        ctx.ds.responses,
        ctx.ds.followups,
        waves=list(ctx.cfg.waves[: ctx.cfg.waves.index(ctx.wave) + 1]),
        detractor_max=ctx.cfg.detractor_max,
        confidence=ctx.cfg.thresholds.confidence,
    )
    pooled = t.iloc[-1]
    if t.empty or pd.isna(pooled.get("difference")):
        return note("Not enough detractors answered two waves to estimate an effect.")
    small = min(pooled["n_followed"], pooled["n_not"]) < 30
    lines = [
        f"Detractors who were followed up scored {signed(pooled['change_followed'], 1)} points "
        f"higher in the next wave; those who were not, {signed(pooled['change_not'], 1)}. "
        f"The difference, {signed(pooled['difference'], 1)} points "
        f"({ctx.cfg.thresholds.confidence:.0%} interval {signed(pooled['ci_low'], 1)} to "
        f"{signed(pooled['ci_high'], 1)}; n = {int(pooled['n_followed'])} and "
        f"{int(pooled['n_not'])}), "
        + (
            "is clear, though the groups are small enough to read it with care."
            if small
            else "is larger than chance would produce."
        )
        if pooled["ci_low"] > 0
        else "Follow-up shows no clear effect on scores yet: the interval includes zero.",
        "An observational estimate: people were not followed up at random, so part of the "
        "difference may come from who was chosen.",
    ]
    return narrative.join(
        narrative.headline(lines),
        table(
            t,
            columns={
                "wave_from": "From",
                "wave_to": "To",
                "n_followed": "n followed up",
                "n_not": "n not",
                "change_followed": "Change (followed up)",
                "change_not": "Change (not)",
                "difference": "Difference",
                "ci_low": "Low",
                "ci_high": "High",
            },
            formats={
                c: ".2f"
                for c in ("change_followed", "change_not", "difference", "ci_low", "ci_high")
            },
            suppressed=None,
        ),
    )


def target_view(ctx) -> HTML:
    """The fewest moves that reach the engagement's target NPS, as a what-if table."""
    if (hidden := internal_nps.withheld(ctx)) is not None:
        return hidden
    target = ctx.cfg.target_nps
    now = nps.summary(ctx.current, **ctx.nps_options).iloc[0]
    counts = {k: int(now[k]) for k in ("detractors", "passives", "promoters")}
    options = followup.target_moves(counts, target=target)
    if options.empty:
        return note(f"{ctx.label} already meets the target NPS of {signed(target)}.")
    k = int(options["moves"].iloc[0])
    show = options.iloc[sorted({0, len(options) // 2, len(options) - 1})]
    lines = [
        f"{ctx.label[:1].upper()}{ctx.label[1:]} is at {signed(now['nps'])} against a target "
        f"of {signed(target)}: "
        f"{k} of its {int(now['n'])} respondents would need to move up one category, for "
        "example:"
    ]
    return narrative.join(
        narrative.headline(lines),
        table(
            show,
            columns={
                "detractors_to_passives": "Detractors to passives",
                "passives_to_promoters": "Passives to promoters",
                "moves": "Moves",
                "nps_after": "NPS after",
            },
            formats={
                "detractors_to_passives": ".0f",
                "passives_to_promoters": ".0f",
                "moves": ".0f",
                "nps_after": "signed",
            },
            suppressed=None,
        ),
    )
