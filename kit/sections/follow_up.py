"""Stage 3, follow-up planning: how notebook 03 and the packs present its findings.

Each function takes a finding of :mod:`kit.findings.follow_up` first and the
:class:`~kit.context.Context` second, and returns HTML (computed sentences and tables)::

    from kit.findings import follow_up as find
    from kit.sections import follow_up as show

    plan = find.plan(ctx, top=8)
    show.plan(plan, ctx)
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from kit import narrative
from kit.context import Context
from kit.findings.follow_up import Loop, Target
from kit.narrative import count, note, signed, table

__all__ = ["headline", "owners", "named_list", "log", "plan", "loop", "impact", "target"]


def headline(queue: pd.DataFrame, log: pd.DataFrame, ctx: Context) -> HTML:
    """How many consenting respondents to go back to, by when, and the earlier loop
    (``queue`` and ``log`` from :func:`kit.findings.follow_up.queue` and ``.log``)."""
    if ctx.too_small and ctx.for_client:
        return narrative.withheld(ctx)
    det = int((queue["category"] == "detractor").sum())
    pas = int((queue["category"] == "passive").sum())
    people = int(queue["person"].nunique())
    passives = {
        "all": f"then {count(pas, 'passive answer')}, those nearest promoter level first",
        "nearly": f"then {count(pas, 'passive answer')} one point below promoter level",
        "none": "passives are not queued",
    }[ctx.cfg.followup_passives]
    if "responses.ok_to_contact" in ctx.ds.absent:
        lines = [
            f"Consent to be contacted was not collected in this survey (no ok_to_contact "
            f"column): nobody who answered about {ctx.label} is contacted, so there is no "
            "follow-up queue."
        ]
        return narrative.headline(lines)
    if ctx.ds.responses["contact_id"].isna().all():
        return narrative.headline(
            [
                "The responses carry no contact id (contact_id, linked to roster.csv): nobody "
                f"who answered about {ctx.label} can be named, so there is no follow-up queue."
            ]
        )
    lines = [
        f"{count(len(queue), 'answer')} from {count(people, 'person', 'people')} who agreed "
        f"to be contacted should be followed up about {ctx.label} from {ctx.wave}: "
        f"{count(det, 'detractor answer')} first, {passives}."
    ]
    if len(queue):
        heads = queue["owner"].nunique()
        due, today = queue["due"].min(), narrative.pack_date()
        when = (
            f"are due {ctx.cfg.followup_sla_days} days after the survey closed (neither the "
            "responses nor engagement.yaml's wave_closes give the date)"
            if pd.isna(due)
            else f"were due by {due:%d %B %Y} ({ctx.cfg.followup_sla_days} days after the survey "
            f"closed): {(today - due.date()).days} days overdue at the date of this report"
            if due.date() < today
            else f"are due by {due:%d %B %Y} ({ctx.cfg.followup_sla_days} days after the "
            "survey closed)"
        )
        lines.append(f"First contacts {when}, owned by {count(heads, 'function head')}.")
    shown = log[~log["suppressed"]] if len(log) else log
    if len(shown):
        done = int(shown["contacted"].sum())
        total = int(shown["followups"].sum())
        lines.append(
            f"In earlier waves, {done} of {total} planned follow-ups reached a first "
            f"contact ({100 * done / total:.0f}%)."
        )
    return narrative.headline(lines)


def owners(owners: pd.DataFrame, ctx: Context) -> HTML:
    """Counts per rated function and owner (safe for a pack); suppressed functions hidden."""
    if owners.empty:
        consent = "responses.ok_to_contact" not in ctx.ds.absent
        named = ctx.ds.responses["contact_id"].notna().any()
        return narrative.omitted(
            "consent to be contacted was not collected (no ok_to_contact column)"
            if not consent
            else "the responses carry no contact id, so nobody can be named"
            if not named
            else f"no one who agreed to be contacted is to be followed up about {ctx.label}"
        )
    columns = {
        "provider_function": "Rated function",
        "owner": "Owner",
        "detractors": "Detractors",
        "passives": "Passives",
        "total": "To contact",
        "due": "Due by",
    }
    if owners["due"].isna().all():  # the survey's close date is not known (the headline says so)
        del columns["due"]
    out = table(owners, columns=columns)
    if owners["suppressed"].any():
        return narrative.join(
            out,
            note(
                f"Counts under {ctx.min_n}, and those of functions whose scores are withheld, "
                "are not shown (anonymity rule), nor one more where the total would give "
                "them away."
            ),
        )
    return out


def named_list(queue: pd.DataFrame, ctx: Context) -> HTML:
    """The named follow-up list: only in the consultant's view, never in a client pack."""
    if ctx.for_client:
        return note("The named follow-up list is kept out of client reports.")
    columns = {
        "priority": "#",
        "response_id": "Response",
        "provider_function": "Rated function",
        "score": "Score",
        "name": "Contact",
        "email": "E-mail",
        "owner": "Owner",
        "due": "Due",
    }
    if queue["due"].isna().all():  # the survey's close date is not known
        del columns["due"]
    return table(queue, columns=columns)


def log(log: pd.DataFrame, ctx: Context) -> HTML:
    """The closed-loop figures of earlier waves."""
    if log.empty:
        return narrative.omitted(f"no follow-up was logged for {ctx.label} in earlier waves")
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


def plan(plan: pd.DataFrame, ctx: Context) -> HTML:
    """The proposed action plan, for the consultant to edit with the function heads."""
    if (hidden := narrative.withheld(ctx)) is not None:
        return hidden
    if plan.empty:
        return note(
            "No theme is frequent enough and no engagement gap is open: no action proposed."
        )
    lines = [
        f"{len(plan)} actions are proposed for {ctx.label}: "
        f"{int((plan['source'] == 'survey themes').sum())} answer the most frequent complaint "
        f"themes and {int((plan['source'] == 'stakeholder map').sum())} close engagement gaps, "
        + (
            f"all due {plan['due'].iloc[0]:%d %B %Y}, to be confirmed with their owners."
            if pd.notna(plan["due"].iloc[0])
            else "due dates to be set with their owners (the survey's close date is not known)."
        )
    ]
    return narrative.join(
        narrative.headline(lines),
        table(
            plan,
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


def loop(loop: Loop, ctx: Context) -> HTML:
    """Closing the loop in earlier waves: the status funnel, late items, you said - we did."""
    if not loop.logged:
        return narrative.omitted(f"no follow-up was logged for {ctx.label} in earlier waves")
    if loop.suppressed:
        return note(
            f"Fewer than {ctx.min_n} follow-ups were logged for {ctx.label}: the figures are "
            "not shown, to keep the people concerned anonymous."
        )
    funnel, late, said = loop.funnel, loop.late, loop.said
    stages = {s: int(n) for s, n in zip(funnel["stage"], funnel["followups"], strict=True)}
    lines = [
        f"Of {stages['planned']} planned follow-ups, {stages['contacted']} reached a first "
        f"contact, {stages['action agreed']} agreed an action and {stages['closed']} are closed.",
        f"{count(int(late['overdue'].sum()), 'follow-up')} had no first contact from "
        f"their owner before {ctx.wave} opened"
        + (
            f", most with {late['owner_name'].iloc[0]} ({int(late['overdue'].iloc[0])})"
            if len(late) and (len(late) == 1 or late["overdue"].iloc[0] > late["overdue"].iloc[1])
            else ""
        )
        + (
            f"; in {count(loop.no_response, 'more', 'more')} the owner tried and the customer "
            "did not answer."
            if loop.no_response
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


def impact(impact: pd.DataFrame, ctx: Context, moves: pd.DataFrame | None = None) -> HTML:
    """Did following up move the scores? Detractors followed up against those not: on the
    0-10 scale, and (``moves``, :func:`kit.findings.follow_up.moves`) in NPS categories."""
    if ctx.cfg.previous_wave_of(ctx.wave) is None:  # said once with the other first-wave omissions
        return narrative.omitted(f"there is no earlier wave to compare {ctx.wave} with")
    if ctx.ds.followups.empty:  # the same reason as the loop's, so the pack says it once
        return narrative.omitted(f"no follow-up was logged for {ctx.label} in earlier waves")
    if not ctx.is_organisation:
        return note(
            "The effect of follow-up is estimated for the whole organisation (see the "
            "organisation pack): per function the groups are too small to say."
        )
    if impact.empty:
        return note(
            f"No earlier wave to compare with: {ctx.wave} is the first, so the effect of "
            "follow-up can be estimated from the next wave on."
        )
    pooled = impact.iloc[-1]
    if pd.isna(pooled.get("difference")):
        return note("Not enough detractors answered two waves to estimate an effect.")
    small = min(pooled["n_followed"], pooled["n_not"]) < 30
    confidence = ctx.cfg.thresholds.confidence
    lines = [
        f"Detractors who were followed up scored {signed(pooled['change_followed'], 1)} "
        f"points on the 0-10 scale in the next wave; those who were not, "
        f"{signed(pooled['change_not'], 1)}. The difference, "
        f"{signed(pooled['difference'], 1)} points on the 0-10 scale "
        f"({confidence:.0%} interval {signed(pooled['ci_low'], 1)} to "
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
    blocks = []
    shown = moves[moves["still_detractors"].notna()] if moves is not None else None
    if shown is not None and len(shown) == 2:
        fol, rest = shown.iloc[0], shown.iloc[1]
        lines.insert(
            1,
            f"In NPS terms: of the {fol['n']} detractors followed up, "
            f"{fol['still_detractors']:.0f}% were still detractors in the next wave and "
            f"{fol['now_promoters']:.0f}% had become promoters; of the {rest['n']} not "
            f"followed up, {rest['still_detractors']:.0f}% and {rest['now_promoters']:.0f}%.",
        )
        blocks.append(
            table(
                moves,
                columns={
                    "group": "Detractors",
                    "n": "n",
                    "still_detractors": "% still detractors",
                    "now_passives": "% now passives",
                    "now_promoters": "% now promoters",
                },
                formats={c: ".0f" for c in ("still_detractors", "now_passives", "now_promoters")},
                suppressed=None,
            )
        )
    return narrative.join(
        narrative.headline(lines),
        *blocks,
        table(
            impact,
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


def target(target: Target, ctx: Context) -> HTML:
    """The fewest moves that reach the engagement's target NPS, as a what-if table."""
    if (hidden := narrative.withheld(ctx)) is not None:
        return hidden
    options = target.options
    if options.empty:
        return note(f"{ctx.label} already meets the target NPS of {signed(target.target)}.")
    now = target.summary.iloc[0]
    k = int(options["moves"].iloc[0])
    shown = options.iloc[sorted({0, len(options) // 2, len(options) - 1})]
    lines = [
        f"{ctx.label[:1].upper()}{ctx.label[1:]} is at {signed(now['nps'])} against a target "
        f"of {signed(target.target)}: "
        f"{k} of its {int(now['n'])} respondents would need to move up one category, for "
        "example:"
    ]
    return narrative.join(
        narrative.headline(lines),
        table(
            shown,
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
