"""Stage 1, stakeholder mapping: what notebook 01 shows for a scope."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from kit import narrative, network, nps, plots, touchpoints
from kit.config import ENGAGEMENT_LEVELS
from kit.narrative import note, signed, table
from kit.sections import internal_nps
from kit.stakeholders import (
    SALIENCE,
    engagement_actions,
    engagement_gaps,
    engagement_matrix,
    grid,
    in_scope,
    internal_customers,
    quadrant_counts,
    salience,
    sipoc,
)


def scope_stakeholders(ctx) -> pd.DataFrame:
    """The register rows that matter to the scope (everyone for the organisation)."""
    return in_scope(
        ctx.ds.stakeholders, ctx.ds.relationships, None if ctx.is_organisation else ctx.scope
    )


def headline(ctx) -> HTML:
    """Who the scope's internal customers are, who matters most, where engagement must move."""
    rel = ctx.ds.relationships
    placed = grid(scope_stakeholders(ctx), high=ctx.cfg.thresholds.high)
    close = placed[placed["quadrant"] == "Manage closely"]
    gaps = engagement_gaps(placed)
    lines = []
    if ctx.is_organisation:
        lines.append(
            f"{len(ctx.ds.functions)} functions are linked by {len(rel)} mapped "
            f"deliverables; {len(placed)} stakeholders are in the register."
        )
    else:
        customers = sorted(set(rel.loc[rel["supplier_function"] == ctx.scope, "customer_function"]))
        suppliers = sorted(set(rel.loc[rel["customer_function"] == ctx.scope, "supplier_function"]))
        lines.append(
            f"{ctx.scope} serves {len(customers)} internal customer functions "
            f"({', '.join(customers) or 'none mapped'}) and relies on {len(suppliers)} "
            f"supplier functions."
        )
    lines.append(
        f"{len(close)} of {len(placed)} stakeholders in scope need managing closely "
        f"(high influence and high interest)."
    )
    if len(gaps):
        top = gaps.iloc[0]
        lines.append(
            f"{len(gaps)} stakeholders are less engaged than needed; the largest gap is "
            f"{top['name']} ({top['role']}, {top['function']}): {top['engagement_current']} "
            f"today, {top['engagement_desired']} needed."
        )
    return narrative.headline(lines)


def sipoc_view(ctx) -> HTML:
    """SIPOC table of a function, or the internal-customer overview of all functions."""
    if ctx.is_organisation:
        return table(
            internal_customers(ctx.ds.relationships, ctx.ds.responses),
            columns={
                "function": "Function",
                "customers": "Internal customers",
                "suppliers": "Suppliers",
                "deliverables": "Deliverables out",
                "rated_by": "Rated by (functions)",
            },
        )
    s = sipoc(ctx.ds.relationships, ctx.scope)
    raters = set(ctx.rated["respondent_function"])
    unmapped = sorted(raters - set(s.loc[s["role"] == "Customer", "partner"]) - {ctx.scope})
    out = table(
        s,
        columns={
            "role": "Role",
            "partner": "Function",
            "deliverable": "Input / output",
            "frequency": "Frequency",
            "criticality": "Criticality",
        },
    )
    if unmapped:
        extra = note(
            f"Also rate {ctx.scope} without a mapped relationship (customers beyond the "
            f"obvious lines): {', '.join(unmapped)}."
        )
        return narrative.join(out, extra)
    return out


def salience_view(ctx) -> HTML:
    """Mitchell's salience classes of the stakeholders in scope, definitive ones named."""
    register = salience(scope_stakeholders(ctx))
    counts = (
        register.groupby(["salience_group", "salience"], observed=True)
        .size()
        .rename("stakeholders")
        .reset_index()
    )
    order = {cls: i for i, (cls, _) in enumerate(reversed(list(SALIENCE.values())))}
    counts = counts.sort_values("salience", key=lambda s: s.map(order), ignore_index=True)
    definitive = register[register["salience"] == "Definitive"].sort_values(
        "influence", ascending=False
    )
    lines = [
        f"{len(definitive)} of {len(register)} stakeholders in scope hold power, legitimacy and "
        "urgency at once (definitive): they get attention first."
    ]
    if len(definitive):
        lines.append(
            "Definitive: "
            + "; ".join(f"{r['name']} ({r['role']})" for _, r in definitive.head(8).iterrows())
            + ("…" if len(definitive) > 8 else ".")
        )
    out = table(
        counts,
        columns={"salience_group": "Group", "salience": "Class", "stakeholders": "Stakeholders"},
        suppressed=None,
    )
    return narrative.join(narrative.headline(lines), out)


def engagement_view(ctx, *, top: int = 12) -> HTML:
    """The engagement assessment matrix (C current, D desired) and the actions it suggests."""
    register = scope_stakeholders(ctx)
    actions = engagement_actions(register, top=top)
    if actions.empty:
        return narrative.note("Every stakeholder in scope is already engaged as needed.")
    matrix = engagement_matrix(
        register.set_index("stakeholder_id").loc[actions["stakeholder_id"]].reset_index()
    )
    return narrative.join(
        table(
            matrix,
            columns={"name": "Stakeholder", **{lv: lv for lv in ENGAGEMENT_LEVELS}},
            suppressed=None,
        ),
        table(
            actions,
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


def network_view(ctx) -> HTML:
    """The internal network: brokers, silos, and (organisation) the chart coloured by NPS."""
    g = network.build(ctx.ds.relationships, ctx.ds.functions)
    metrics = network.function_metrics(g)
    matrix = internal_nps.matrix(ctx) if len(ctx.in_wave) else None
    silos = network.silo_scores(g, matrix)
    if not ctx.is_organisation:
        silos = silos[(silos["function_a"] == ctx.scope) | (silos["function_b"] == ctx.scope)]
    brokers = metrics.head(2)
    lines = [
        f"{brokers.iloc[0]['function']} and {brokers.iloc[1]['function']} broker the most: "
        "many working paths between other functions run through them."
    ]
    groups = network.communities(g).groupby("community")["function"].apply(list)
    if len(groups) > 1:
        lines.append(
            "The work clusters into "
            + "; ".join(f"{{{', '.join(fs)}}}" for fs in groups)
            + ": functions that deliver mostly to each other, whatever the organisation chart."
        )
    isolated = [f for f in g if g.degree(f) == 0]
    if isolated:
        lines.append(f"No mapped relationship at all: {', '.join(isolated)}.")
    top = silos.iloc[0]
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
        seg = nps.segments(ctx.in_wave, by="provider_function", **ctx.nps_options)
        received = seg.set_index("provider_function")["nps"]
        blocks.append(narrative.chart(plots.network(g, nps=received)))
    blocks.append(
        table(
            silos.head(6),
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


def grid_view(ctx) -> HTML:
    """The power/interest grid of the scope's stakeholders and the approach per quadrant."""
    high = ctx.cfg.thresholds.high
    placed = grid(scope_stakeholders(ctx), high=high)
    ax = plots.power_interest_grid(
        placed, high=high, highlight=None if ctx.is_organisation else ctx.scope
    )
    counts = table(
        quadrant_counts(placed),
        columns={
            "quadrant": "Quadrant",
            "stakeholders": "Stakeholders",
            "approach": "Engagement approach",
        },
        suppressed=None,
    )
    return narrative.join(narrative.chart(ax), counts)


def touchpoints_view(ctx) -> HTML:
    """How external stakeholders experience the functions: over-contact and collisions."""
    touches = ctx.ds.touchpoints
    if touches.empty:
        return narrative.note("No external touchpoints were provided (touchpoints.csv).")
    days, cap = ctx.cfg.collision_days, ctx.cfg.contact_cap
    tables = touchpoints.coordination(touches, cap=cap, collision_days=days)
    table_, scores, pairs = tables["per_stakeholder"], tables["scores"], tables["matrix"]
    worst = touchpoints.over_contacted(table_, top=10)
    seg = touchpoints.segments(table_)
    over = table_.loc[table_["over_cap"], "external_id"].nunique()
    top_seg = seg.iloc[0]
    lines = [
        f"{touches['external_id'].nunique():,} external stakeholders received {len(touches):,} "
        f"touches from {touches['function'].nunique()} functions; {over} of them got more than "
        f"{cap} in a quarter.",
        f"{int(table_['collisions'].sum()):,} times two functions contacted the same person "
        f"within {days} days; {top_seg['segment']} stakeholders bear the most "
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
        mine = scores[scores["function"] == ctx.scope]
        if mine.empty:
            return narrative.headline(
                [*lines[:1], f"{ctx.scope} has no recorded external touchpoints."]
            )
        m = mine.iloc[0]
        lines.append(
            f"{ctx.scope}: {m['colliding_share']:.0%} of its {int(m['touches']):,} touches "
            f"land within {days} days of another function's (coordination score "
            f"{m['score']:.0f}/100)."
        )
    return narrative.join(
        narrative.headline(lines),
        narrative.chart(plots.collision_matrix(pairs)),
        table(
            worst,
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
            scores,
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
