"""Stage 1, stakeholder mapping: the HTML notebook 01 and the packs show for a scope.

Each function presents one finding of :mod:`kit.findings.mapping` (finding first, the
:class:`~kit.context.Context` second): sentences, charts and tables, nothing computed here.

Example
-------
>>> from kit.config import SAMPLE_CONFIG
>>> from kit.context import open_engagement
>>> from kit.findings import mapping as find
>>> ctx = open_engagement(SAMPLE_CONFIG, scope="Marketing")
>>> html = headline(find.headline(ctx), ctx).data
>>> "<p>Marketing serves 5 internal customer functions (Finance, Market Access" in html
True
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from kit import narrative, plots
from kit.config import ENGAGEMENT_LEVELS
from kit.context import Context
from kit.findings.mapping import (
    EngagementMatrix,
    Grid,
    Headline,
    Network,
    Salience,
    Sipoc,
    Touchpoints,
)
from kit.narrative import note, signed, table

__all__ = ["headline", "grid", "sipoc", "salience", "engagement", "network", "touchpoints"]


def headline(found: Headline, ctx: Context) -> HTML:
    """Who the scope's internal customers are, who matters most, where engagement must move."""
    lines = []
    if ctx.is_organisation:
        lines.append(
            f"{found.functions} functions are linked by {found.deliverables} mapped "
            f"deliverables; {found.stakeholders} stakeholders are in the register."
        )
    else:
        lines.append(
            f"{ctx.scope} serves {len(found.customers)} internal customer functions "
            f"({', '.join(found.customers) or 'none mapped'}) and relies on "
            f"{len(found.suppliers)} supplier functions."
        )
    close = found.quadrants.set_index("quadrant")["stakeholders"]["Manage closely"]
    lines.append(
        f"{close} of {found.stakeholders} stakeholders in scope need managing closely "
        f"(high influence and high interest)."
    )
    gaps = found.gaps
    if len(gaps):
        top = gaps.iloc[0]
        lines.append(
            f"{len(gaps)} stakeholders are less engaged than needed; the largest gap is "
            f"{top['name']} ({top['role']}, {top['function']}): {top['engagement_current']} "
            f"today, {top['engagement_desired']} needed."
        )
    return narrative.headline(lines)


def sipoc(found: Sipoc, ctx: Context) -> HTML:
    """SIPOC table of a function, or the internal-customer overview of all functions."""
    if ctx.is_organisation:
        return table(
            found.overview,
            columns={
                "function": "Function",
                "customers": "Internal customers",
                "suppliers": "Suppliers",
                "deliverables": "Deliverables out",
                "rated_by": "Rated by (functions)",
            },
        )
    out = table(
        found.edges,
        columns={
            "role": "Role",
            "partner": "Function",
            "deliverable": "Input / output",
            "frequency": "Frequency",
            "criticality": "Criticality",
        },
    )
    if found.unmapped:
        extra = note(
            f"Also rate {ctx.scope} without a mapped relationship (customers beyond the "
            f"obvious lines): {', '.join(found.unmapped)}."
        )
        return narrative.join(out, extra)
    return out


def salience(found: Salience, ctx: Context) -> HTML:
    """Mitchell's salience classes of the stakeholders in scope, definitive ones named."""
    definitive = found.definitive
    lines = [
        f"{len(definitive)} of {len(found.register)} stakeholders in scope hold power, "
        "legitimacy and urgency at once (definitive): they get attention first."
    ]
    if len(definitive):
        lines.append(
            "Definitive: "
            + "; ".join(f"{r['name']} ({r['role']})" for _, r in definitive.head(8).iterrows())
            + ("…" if len(definitive) > 8 else ".")
        )
    out = table(
        found.counts,
        columns={"salience_group": "Group", "salience": "Class", "stakeholders": "Stakeholders"},
        suppressed=None,
    )
    return narrative.join(narrative.headline(lines), out)


def engagement(found: EngagementMatrix, ctx: Context) -> HTML:
    """The engagement assessment matrix (C current, D desired) and the actions it suggests."""
    if found.actions.empty:
        return narrative.note("Every stakeholder in scope is already engaged as needed.")
    return narrative.join(
        table(
            found.matrix,
            columns={"name": "Stakeholder", **{lv: lv for lv in ENGAGEMENT_LEVELS}},
            suppressed=None,
        ),
        table(
            found.actions,
            columns={
                "name": "Stakeholder",
                "function": "Function",
                "influence": "Influence",
                "action": "Suggested action",
                "owner": "Owner",
            },
            suppressed=None,
        ),
    )


def network(found: Network, ctx: Context) -> HTML:
    """The internal network: brokers, silos, and (organisation) the chart coloured by NPS."""
    brokers = found.metrics.head(2)
    lines = [
        f"{brokers.iloc[0]['function']} and {brokers.iloc[1]['function']} broker the most: "
        "many working paths between other functions run through them."
    ]
    groups = found.communities.groupby("community")["function"].apply(list)
    if len(groups) > 1:
        lines.append(
            "The work clusters into "
            + "; ".join(f"{{{', '.join(fs)}}}" for fs in groups)
            + ": functions that deliver mostly to each other, whatever the organisation chart."
        )
    if found.isolated:
        lines.append(f"No mapped relationship at all: {', '.join(found.isolated)}.")
    top = found.silos.iloc[0]
    lines.append(
        f"The strongest silo signal: {top['function_a']} and {top['function_b']} share most "
        f"of their partners ({top['overlap']:.0%} overlap) but have "
        f"{'no' if top['relationships'] == 0 else int(top['relationships'])} direct "
        "relationship"
        + ("" if top["relationships"] == 1 else "s")
        + (
            f" and rate each other at {signed(top['mutual_nps'])} on average."
            if pd.notna(top["mutual_nps"])
            else "."
        )
    )
    blocks = [narrative.headline(lines)]
    if ctx.is_organisation:
        received = found.received.set_index("provider_function")["nps"]
        blocks.append(narrative.chart(plots.network(found.graph, nps=received)))
    blocks.append(
        table(
            found.silos.head(6),
            columns={
                "function_a": "Function",
                "function_b": "and",
                "relationships": "Links",
                "overlap": "Shared partners",
                "mutual_nps": "Mutual NPS",
                "silo_score": "Silo score",
            },
            formats={"overlap": ".0%", "mutual_nps": "signed", "silo_score": ".0f"},
            suppressed=None,
        )
    )
    return narrative.join(*blocks)


def grid(found: Grid, ctx: Context) -> HTML:
    """The power/interest grid of the scope's stakeholders and the approach per quadrant."""
    ax = plots.power_interest_grid(found.placed, high=found.high, highlight=ctx.provider)
    counts = table(
        found.counts,
        columns={
            "quadrant": "Quadrant",
            "stakeholders": "Stakeholders",
            "approach": "Engagement approach",
        },
        suppressed=None,
    )
    return narrative.join(narrative.chart(ax), counts)


def touchpoints(found: Touchpoints, ctx: Context) -> HTML:
    """How external stakeholders experience the functions: over-contact and collisions."""
    if not found.touches:
        return narrative.note("No external touchpoints were provided (touchpoints.csv).")
    seg, pairs = found.segments, found.pairs
    top_seg = seg.iloc[0]
    lines = [
        f"{found.stakeholders:,} external stakeholders received {found.touches:,} "
        f"touches from {found.functions} functions; {found.over_cap} of them got more than "
        f"{found.cap} in a quarter.",
        f"{found.collisions:,} times two functions contacted the same person "
        f"within {found.days} days; {top_seg['segment']} stakeholders bear the most "
        f"({top_seg['collisions_per_stakeholder']:.0f} collisions each, against "
        f"{seg['collisions_per_stakeholder'].iloc[1:].max():.1f} at most elsewhere).",
    ]
    if len(pairs):
        p = pairs.iloc[0]
        lines.append(
            f"The most frequent collision: {p['function_a']} and {p['function_b']} "
            f"({int(p['collisions']):,} times)."
        )
    if not ctx.is_organisation:
        if found.own.empty:
            return narrative.headline(
                [*lines[:1], f"{ctx.scope} has no recorded external touchpoints."]
            )
        m = found.own.iloc[0]
        lines.append(
            f"{ctx.scope}: {m['colliding_share']:.0%} of its {int(m['touches']):,} touches "
            f"land within {found.days} days of another function's (coordination score "
            f"{m['score']:.0f}/100)."
        )
    return narrative.join(
        narrative.headline(lines),
        narrative.chart(plots.collision_matrix(pairs)),
        table(
            found.worst,
            columns={
                "external_id": "Stakeholder",
                "segment": "Segment",
                "touches": "Touches",
                "peak": "Most in a quarter",
                "functions": "Functions",
                "collisions": "Collisions",
            },
            suppressed=None,
        ),
        table(
            seg,
            columns={
                "segment": "Segment",
                "stakeholders": "Stakeholders",
                "touches_per_period": "Touches per quarter",
                "share_over_cap": "Over the cap",
                "collisions_per_stakeholder": "Collisions each",
            },
            formats={
                "touches_per_period": ".1f",
                "share_over_cap": ".0%",
                "collisions_per_stakeholder": ".1f",
            },
            suppressed=None,
        ),
        table(
            found.scores,
            columns={
                "function": "Function",
                "touches": "Touches",
                "colliding_share": "Colliding",
                "score": "Coordination score",
            },
            formats={"colliding_share": ".0%", "score": ".0f"},
            suppressed=None,
        ),
    )
