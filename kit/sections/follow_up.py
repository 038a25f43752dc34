"""Stage 3, follow-up planning: what notebook 03 shows for a scope."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from kit import narrative, nps
from kit.followup import log_summary, queue_summary
from kit.narrative import note, table


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
        return HTML(
            out.data
            + note("Counts for functions whose scores are withheld (anonymity rule) are too.").data
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
