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
from kit.narrative import count, listed, note, omitted, possessive, signed, table

#: The highest priority possible: influence 5 times the whole engagement scale (4 steps).
MOST_PRIORITY = 5 * (len(ENGAGEMENT_LEVELS) - 1)
NO_RELATIONSHIPS = (
    "there is no relationships file (relationships.csv): who serves whom is not mapped"
)

__all__ = ["headline", "grid", "sipoc", "salience", "engagement", "network", "touchpoints"]


def _verb(n: int, one: str = "is", many: str = "are") -> str:
    return one if n == 1 else many


def _who(row: pd.Series, *, function: bool = False) -> str:
    """``Name (Role)`` or ``Name (Role, Function)``; the parts the register gives."""
    parts = [p for p in (row.get("role"), row["function"] if function else None) if _given(p)]
    return f"{row['name']} ({', '.join(parts)})" if parts else str(row["name"])


def _given(value) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and value != ""


def _leader_sentence(row: pd.Series, scope: str) -> str:
    """Where one of the function's own leaders stands, gap first."""
    label = f"{possessive(scope)} own {'head' if row['head'] else 'leadership'}"
    who = f"{label}, {_who(row)},"
    now, needed, gap = row["engagement_current"], row["engagement_desired"], row["gap"]
    if pd.isna(gap):
        return f"{who} has no current or desired engagement level in the register."
    gap = int(gap)
    if gap > 0:
        widest = ", the largest gap the scale allows" if gap == len(ENGAGEMENT_LEVELS) - 1 else ""
        return (
            f"{who} is {now} today and needs to be {needed}: {count(gap, 'step')} up the "
            f"engagement scale{widest} (priority {int(row['priority'])}: influence "
            f"{int(row['influence'])} x gap {gap})."
        )
    if gap == 0:
        return f"{who} is {now} today, as needed."
    return (
        f"{who} is {now} today; the register asks for {needed}, a lower level: "
        "check the register (kit validate lists it)."
    )


def _first(row: pd.Series, *, function: bool = False) -> str:
    return (
        f"{_who(row, function=function)}: {row['engagement_current']} today, "
        f"{row['engagement_desired']} needed"
    )


def headline(found: Headline, ctx: Context) -> HTML:
    """Who the scope's internal customers are and where its own leadership and people
    stand, then who matters most and where engagement must move first (influence x gap)."""
    lines = [_place(found, ctx)]
    if not found.stakeholders:
        lines.append(
            "No one in the stakeholder register (stakeholders.csv) is in scope: who matters "
            "and how engaged they are is not mapped."
        )
        return narrative.headline(lines)
    if ctx.is_organisation:
        heads = found.heads
        if len(heads):
            behind = int((heads["gap"].fillna(0) > 0).sum())
            lines.append(
                f"{behind} of the {count(len(heads), 'function head')} "
                f"{_verb(behind)} less engaged than needed."
            )
    else:
        lines += _own(found, ctx.scope)
    close = int(found.quadrants.set_index("quadrant")["stakeholders"]["Manage closely"])
    lines.append(
        f"{close} of {count(found.stakeholders, 'stakeholder')} in scope "
        f"{_verb(close, 'needs', 'need')} managing closely (high influence and high interest)."
    )
    gapped = found.priorities
    others = gapped if ctx.is_organisation else gapped[gapped["function"] != ctx.scope]
    if len(gapped):
        where = "first by" if ctx.is_organisation else "in partner functions, first by"
        said = f"{count(len(gapped), 'stakeholder')} in scope {_verb(len(gapped))} less engaged "
        said += "than needed"
        if len(others):
            top = others.iloc[0]
            p = int(top["priority"])
            said += (
                f"; {where} priority (influence x gap) is {_first(top, function=True)} "
                f"(priority {p}{', the highest possible' if p == MOST_PRIORITY else ''})"
            )
        lines.append(said + ".")
    return narrative.headline(lines)


def _place(found: Headline, ctx: Context) -> str:
    """The scope among the functions: what links them, or whom the function serves."""
    if ctx.is_organisation:
        linked = (
            f"are linked by {count(found.deliverables, 'mapped deliverable')}"
            if found.mapped
            else "are listed; who serves whom is not mapped (no relationships file)"
        )
        return (
            f"{count(found.functions, 'function')} {linked}; "
            f"{count(found.stakeholders, 'stakeholder')} {_verb(found.stakeholders)} in the "
            "register."
        )
    if found.mapped:
        return (
            f"{ctx.scope} serves {count(len(found.customers), 'internal customer function')} "
            f"({listed(found.customers) or 'none mapped'}) and relies on "
            f"{count(len(found.suppliers), 'supplier function')}."
        )
    return (
        f"Who {ctx.scope} serves and relies on is not mapped (no relationships file): the "
        f"stakeholders in scope are {possessive(ctx.scope)} own people only."
    )


def _own(found: Headline, scope: str) -> list[str]:
    """Where the function's own head, leadership and people stand."""
    lines = []
    if found.leaders.empty:
        lines.append(
            f"{possessive(scope)} head is not in the stakeholder register: add them to map "
            "how engaged they are."
        )
    lines += [_leader_sentence(r, scope) for _, r in found.leaders.iterrows()]
    own = found.own
    if len(own):
        behind = own[own["gap"].fillna(0) > 0]
        people = count(len(own), "other person", "other people")
        if len(behind):
            lines.append(
                f"{len(behind)} of {possessive(scope)} {people} in the register "
                f"{_verb(len(behind))} less engaged than needed; first by priority: "
                f"{_first(behind.iloc[0])}."
            )
        else:
            lines.append(
                f"{possessive(scope)} {people} in the register {_verb(len(own))} engaged "
                "at least as needed."
            )
    return lines


def sipoc(found: Sipoc, ctx: Context) -> HTML:
    """SIPOC table of a function, or the internal-customer overview of all functions."""
    if found.overview.empty:
        return omitted(NO_RELATIONSHIPS)
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
    extra = note(
        f"Also rate {ctx.scope} without a mapped relationship (customers beyond the "
        f"obvious lines): {listed(found.unmapped)}."
    )
    if found.edges.empty:
        if not found.unmapped:
            return omitted(f"{ctx.scope} has no mapped supplier or customer in relationships.csv")
        return narrative.join(
            note(f"{ctx.scope} has no mapped supplier or customer in relationships.csv."), extra
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
    return narrative.join(out, extra) if found.unmapped else out


def _nobody(ctx: Context) -> HTML:
    return omitted(f"no one in the stakeholder register is in scope for {ctx.label}")


def salience(found: Salience, ctx: Context) -> HTML:
    """Mitchell's salience classes of the stakeholders in scope, definitive ones named."""
    if found.missing:
        return omitted(
            f"the stakeholder register has no {listed(found.missing)} "
            f"{'column' if len(found.missing) == 1 else 'columns'}, so salience is not known"
        )
    if found.register.empty:
        return _nobody(ctx)
    definitive, n = found.definitive, len(found.register)
    lines = [
        f"{len(definitive)} of {count(n, 'stakeholder')} in scope "
        f"{_verb(len(definitive), 'holds', 'hold')} power, legitimacy and urgency at once "
        "(definitive): they get attention first."
    ]
    if len(definitive):
        lines.append(
            "Definitive: "
            + "; ".join(_who(r) for _, r in definitive.head(8).iterrows())
            + ("…" if len(definitive) > 8 else ".")
        )
    out = table(
        found.counts,
        columns={"salience_group": "Group", "salience": "Class", "stakeholders": "Stakeholders"},
        suppressed=None,
    )
    return narrative.join(narrative.headline(lines), out)


def engagement(found: EngagementMatrix, ctx: Context) -> HTML:
    """The engagement assessment matrix (C current, D desired) and the actions it suggests,
    by priority (influence x gap), the function's own leadership always among them, each
    with an owner as senior as the person engaged or more."""
    if not found.stakeholders:
        return _nobody(ctx)
    if found.actions.empty:
        return narrative.note("Every stakeholder in scope is already engaged as needed.")
    acts = found.actions
    lines = [
        f"{count(len(acts), 'stakeholder')} by priority (influence x gap), highest first"
        + (
            f"; {possessive(ctx.scope)} own leadership is listed whatever its rank."
            if not ctx.is_organisation
            else "."
        )
    ]
    peers = int((acts["owner_basis"] == "engaged peer").sum())
    if peers:
        lines.append(
            f"{peers} of them, at the top of their reporting line, "
            f"{_verb(peers, 'has', 'have')} no one above them in the register: a peer who "
            "already supports the work (Supportive or Leading today) is the suggested owner."
        )
    shown = acts.assign(
        engaged_by=[
            f"{r['owner']} ({r['owner_role']})"
            if _given(r["owner"]) and _given(r["owner_role"])
            else r["owner"]
            if _given(r["owner"])
            else "No one as senior is in the register"
            for _, r in acts.iterrows()
        ],
        who=[_who(r) for _, r in acts.iterrows()],
    )
    return narrative.join(
        narrative.headline(lines),
        table(
            found.matrix,
            columns={
                "name": "Stakeholder",
                **{lv: lv for lv in ENGAGEMENT_LEVELS},
                "priority": "Priority",
            },
            suppressed=None,
        ),
        table(
            shown,
            columns={
                "who": "Stakeholder",
                "function": "Function",
                "priority": "Priority",
                "action": "Suggested action",
                "engaged_by": "Owner",
            },
            suppressed=None,
        ),
    )


def network(found: Network, ctx: Context) -> HTML:
    """The internal network: brokers, silos, and (organisation) the chart coloured by NPS;
    left out without a relationships file."""
    if not found.mapped:
        return omitted(NO_RELATIONSHIPS + ", so there is no network, broker or silo to show")
    brokers = found.metrics[found.metrics["betweenness"] > 0].head(2)
    lines = []
    if len(brokers):
        lines.append(
            f"{listed(brokers['function'].tolist())} "
            f"{_verb(len(brokers), 'brokers', 'broker')} the most: many working paths between "
            f"other functions run through {_verb(len(brokers), 'it', 'them')}."
        )
    groups = found.communities.groupby("community")["function"].apply(list)
    if len(groups) > 1:
        lines.append(
            "The work clusters into "
            + "; ".join(f"{{{', '.join(fs)}}}" for fs in groups)
            + ": functions that deliver mostly to each other, whatever the organisation chart."
        )
    if found.isolated:
        lines.append(f"No mapped relationship at all: {listed(found.isolated)}.")
    silos = found.silos[found.silos["overlap"] > 0]
    if len(silos):
        top = silos.iloc[0]
        links = int(top["relationships"])
        lines.append(
            f"The strongest silo signal: {top['function_a']} and {top['function_b']} share "
            f"most of their partners ({top['overlap']:.0%} overlap) but have "
            + ("no direct relationships" if links == 0 else count(links, "direct relationship"))
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
    if len(silos):
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


def grid(found: Grid, ctx: Context) -> HTML:
    """The power/interest grid of the scope's stakeholders and the approach per quadrant."""
    if found.placed.empty:
        return _nobody(ctx)
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
    """How external stakeholders experience the functions: over-contact and collisions; left
    out when none were recorded, or for a function that made none."""
    if not found.touches:
        return omitted("no external touchpoints were provided (touchpoints.csv)")
    if not ctx.is_organisation and found.own.empty:
        return omitted(f"{ctx.scope} has no recorded external touchpoints")
    seg, pairs = found.segments, found.pairs
    top_seg = seg.iloc[0]
    elsewhere = seg["collisions_per_stakeholder"].iloc[1:].max()
    groups = sorted(seg["segment"].astype(str))  # as the data names them, nothing assumed
    lines = [
        f"{count(found.stakeholders, 'external stakeholder')} "
        + (f"({listed(groups)}) " if 1 < len(groups) <= 8 else "")
        + f"received {count(found.touches, 'touch', 'touches')} from "
        f"{count(found.functions, 'function')}; "
        f"{found.over_cap} of them got more than {found.cap} in a quarter.",
        f"{count(found.collisions, 'time')} two functions contacted the same person "
        f"within {count(found.days, 'day')}; {top_seg['segment']} stakeholders bear the most "
        f"({top_seg['collisions_per_stakeholder']:.0f} collisions each"
        + (f", against {elsewhere:.1f} at most elsewhere)." if pd.notna(elsewhere) else ")."),
    ]
    if len(pairs):
        p = pairs.iloc[0]
        lines.append(
            f"The most frequent collision: {p['function_a']} and {p['function_b']} "
            f"({count(int(p['collisions']), 'time')})."
        )
    if not ctx.is_organisation:
        m = found.own.iloc[0]
        lines.append(
            f"{ctx.scope}: {m['colliding_share']:.0%} of its "
            f"{count(int(m['touches']), 'touch', 'touches')} land within "
            f"{count(found.days, 'day')} of another function's (coordination score "
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
