"""Stage 1, stakeholder mapping: every figure notebook 01 and the packs show, as tidy data.

Who serves whom (SIPOC), who matters how much (power/interest grid, salience, engagement
current against desired), where the silos are (the network of who serves whom) and how
coordinated the external touchpoints are. The stakeholders are the scope's
(:attr:`kit.context.Context.stakeholders`: everyone for the organisation, else the function's
own people and those of its SIPOC partners).

Example
-------
>>> from kit.config import SAMPLE_CONFIG
>>> from kit.context import open_engagement
>>> ctx = open_engagement(SAMPLE_CONFIG, scope="Marketing")
>>> grid(ctx).counts[["quadrant", "stakeholders"]].to_dict("records")[:2]
[{'quadrant': 'Manage closely', 'stakeholders': 14}, \
{'quadrant': 'Keep satisfied', 'stakeholders': 12}]
>>> sipoc(ctx).unmapped  # rates Marketing without a mapped relationship
['Medical Affairs']
>>> own = touchpoints(ctx).own.iloc[0]
>>> f"{own['touches']} touches, coordination score {own['score']:.0f}/100"
'571 touches, coordination score 42/100'
"""

from __future__ import annotations

from typing import NamedTuple

import networkx as nx
import pandas as pd

from kit import network as network_analysis
from kit import shared
from kit import stakeholders as register_analysis
from kit import touchpoints as touch_analysis
from kit.context import Context
from kit.findings import internal_nps

__all__ = [
    "Headline",
    "Grid",
    "Sipoc",
    "Salience",
    "EngagementMatrix",
    "Network",
    "Touchpoints",
    "headline",
    "grid",
    "sipoc",
    "salience",
    "engagement",
    "network",
    "touchpoints",
]


class Grid(NamedTuple):
    """The power/interest grid of the scope's stakeholders. ``placed``: the register rows in
    scope with ``quadrant`` (ordered categorical, :data:`kit.stakeholders.QUADRANTS`) and
    ``approach``; ``counts``: ``quadrant``, ``stakeholders``, ``approach`` for all four
    quadrants (zeros included); ``high``: the score from which influence and interest count
    as high; ``gaps``: the stakeholders less engaged than needed, largest gap first (``gap``
    in steps of :data:`kit.config.ENGAGEMENT_LEVELS`)."""

    placed: pd.DataFrame
    counts: pd.DataFrame
    high: int
    gaps: pd.DataFrame


class Headline(NamedTuple):
    """What the headline says. ``functions`` and ``deliverables``: how many functions the
    organisation has and how many deliverables link them (relationship rows; ``mapped`` is
    False when there is no relationships file); ``customers`` and ``suppliers``: the
    function's customer and supplier functions, sorted (empty for the organisation);
    ``stakeholders``: the register rows in scope; ``quadrants``: their counts per quadrant
    (:attr:`Grid.counts`); ``gaps``: those less engaged than needed, largest gap first
    (:func:`kit.stakeholders.engagement_gaps`, with ``gap`` in steps and ``priority``);
    ``priorities``: the same, highest priority (influence x gap) first
    (:func:`kit.stakeholders.by_priority`); ``leaders``: the function's own leadership
    (:func:`kit.stakeholders.leadership`) with ``gap``, ``priority`` and ``head`` (named head
    in functions.csv), gap or not (empty for the organisation); ``own``: the function's
    other people in the register, highest priority first (empty for the organisation);
    ``heads``: the function heads in scope (``head_id`` in functions.csv) with ``gap`` and
    ``priority``, highest priority first."""

    functions: int
    deliverables: int
    customers: list[str]
    suppliers: list[str]
    stakeholders: int
    quadrants: pd.DataFrame
    gaps: pd.DataFrame
    mapped: bool
    priorities: pd.DataFrame
    leaders: pd.DataFrame
    own: pd.DataFrame
    heads: pd.DataFrame


class Sipoc(NamedTuple):
    """Who serves whom. ``overview``: per function (all functions) ``function``,
    ``customers``, ``suppliers``, ``deliverables`` out and ``rated_by`` (distinct customer
    functions that rated it, all waves); ``edges``: the function's SIPOC, ``role``
    (Supplier/Customer), ``partner``, ``deliverable``, ``frequency``, ``criticality``, most
    critical first (empty for the organisation); ``unmapped``: functions that rate it (any
    wave) without a mapped relationship to it, sorted (empty for the organisation)."""

    overview: pd.DataFrame
    edges: pd.DataFrame
    unmapped: list[str]


class Salience(NamedTuple):
    """Mitchell's salience of the scope's stakeholders. ``register``: the register rows in
    scope with ``salience`` (class) and ``salience_group``; ``counts``: ``salience_group``,
    ``salience``, ``stakeholders`` for the classes present, most salient first;
    ``definitive``: the definitive stakeholders, most influential first; ``missing``: the
    power, legitimacy and urgency columns the register lacks (then the rest is empty)."""

    register: pd.DataFrame
    counts: pd.DataFrame
    definitive: pd.DataFrame
    missing: list[str]


class EngagementMatrix(NamedTuple):
    """Where engagement must move. ``actions``: the ``top`` engagement gaps by priority
    (influence x gap), with the function's own leadership kept whenever it has a gap
    (:func:`kit.stakeholders.engagement_actions` columns: ``stakeholder_id, name, role,
    function, current, desired, gap, influence, priority, leadership, action, owner_id, owner,
    owner_role, owner_basis``; the owner is never junior to the stakeholder); ``matrix``: the
    same stakeholders in the engagement assessment matrix (``name``, one column per level
    holding "C", "D", "C D" or "", ``gap`` and ``priority``); ``leadership``: the function's
    own leadership with ``gap`` and ``priority``, gap or not (empty for the organisation).
    ``actions`` and ``matrix`` are empty when everyone is engaged as needed;
    ``stakeholders``: how many register rows are in scope."""

    matrix: pd.DataFrame
    actions: pd.DataFrame
    leadership: pd.DataFrame
    stakeholders: int


class Network(NamedTuple):
    """The internal network of all functions. ``graph``: the networkx graph supplier ->
    customer (:func:`kit.network.build`); ``metrics``: per function, brokers (highest
    ``betweenness``) first (:func:`kit.network.function_metrics`); ``communities``:
    ``function``, ``community`` (1 = largest); ``isolated``: functions with no mapped
    relationship; ``silos``: pairs of functions by ``silo_score``, highest first, with
    ``mutual_nps`` from the wave's published (not suppressed) matrix cells (for a function,
    only the pairs it is in); ``received``: NPS per rated function in the wave
    (:func:`kit.findings.internal_nps.segments`, organisation only, else empty); ``mapped``:
    False when there is no relationships file: then no one is a broker, isolated or in a silo
    (``metrics``, ``communities``, ``silos`` empty), as nothing is known of who serves whom."""

    graph: nx.DiGraph
    metrics: pd.DataFrame
    communities: pd.DataFrame
    isolated: list[str]
    silos: pd.DataFrame
    received: pd.DataFrame
    mapped: bool


class Touchpoints(NamedTuple):
    """How external stakeholders experience the company's functions, over all functions and
    every touch recorded (whatever the scope). ``stakeholders``, ``touches``, ``functions``:
    how many external stakeholders got how many touches from how many functions;
    ``over_cap``: stakeholders who got more than ``cap`` touches in some quarter;
    ``collisions``: times two functions contacted the same person within ``days`` days;
    ``per_stakeholder``: one row per stakeholder and quarter
    (:func:`kit.touchpoints.per_stakeholder`); ``worst``: the ``top`` most over-contacted
    (:func:`kit.touchpoints.over_contacted`); ``segments``: per segment, most collisions
    first; ``pairs``: collisions per pair of functions, most first; ``scores``: per function
    ``touches``, ``colliding``, ``colliding_share`` and coordination ``score`` (0-100), least
    coordinated first; ``own``: the function's row of ``scores`` (empty for the organisation
    or a function without touches)."""

    stakeholders: int
    touches: int
    functions: int
    over_cap: int
    collisions: int
    cap: int
    days: int
    per_stakeholder: pd.DataFrame
    worst: pd.DataFrame
    segments: pd.DataFrame
    pairs: pd.DataFrame
    scores: pd.DataFrame
    own: pd.DataFrame


def grid(ctx: Context, *, register: pd.DataFrame | None = None) -> Grid:
    """The scope's stakeholders on the power/interest grid (Mendelow), with the engagement's
    threshold for "high", the count per quadrant and the engagement gaps. ``register``: other
    rows of the register to place instead (the workshop's edits), in the same columns."""
    high = ctx.cfg.thresholds.high
    placed = register_analysis.grid(ctx.stakeholders if register is None else register, high=high)
    return Grid(
        placed,
        register_analysis.quadrant_counts(placed),
        high,
        register_analysis.engagement_gaps(placed),
    )


def headline(ctx: Context) -> Headline:
    """The figures the headline sentences are made of: the scope's place among the functions,
    its own leadership's and people's engagement, its stakeholders per quadrant and its
    engagement gaps by priority (influence x gap)."""
    rel = ctx.ds.relationships
    placed = grid(ctx)
    levels = register_analysis.by_priority(register_analysis.engagement_levels(placed.placed))
    customers: list[str] = []
    suppliers: list[str] = []
    leaders = own = levels.iloc[:0]
    if not ctx.is_organisation:
        customers = sorted(set(rel.loc[rel["supplier_function"] == ctx.scope, "customer_function"]))
        suppliers = sorted(set(rel.loc[rel["customer_function"] == ctx.scope, "supplier_function"]))
        ids = _leaders(ctx)
        leaders = levels.set_index("stakeholder_id").loc[ids].reset_index()
        leaders["head"] = leaders["stakeholder_id"].isin(ctx.ds.functions["head_id"].dropna())
        own = levels[(levels["function"] == ctx.scope) & ~levels["stakeholder_id"].isin(ids)]
    heads = levels[levels["stakeholder_id"].isin(ctx.ds.functions["head_id"].dropna())]
    return Headline(
        functions=len(ctx.ds.functions),
        deliverables=len(rel),
        customers=customers,
        suppliers=suppliers,
        stakeholders=len(placed.placed),
        quadrants=placed.counts,
        gaps=placed.gaps,
        mapped=len(rel) > 0,
        priorities=register_analysis.by_priority(placed.gaps).reset_index(drop=True),
        leaders=leaders,
        own=own.reset_index(drop=True),
        heads=heads.reset_index(drop=True),
    )


def _leaders(ctx: Context) -> list[str]:
    """The stakeholder ids of the scope function's own leadership in the register (none for
    the organisation)."""
    if ctx.is_organisation:
        return []
    found = register_analysis.leadership(ctx.ds.stakeholders, ctx.ds.functions, ctx.scope)
    return found["stakeholder_id"].tolist()


def sipoc(ctx: Context) -> Sipoc:
    """Who serves whom with what: every function's internal customers and suppliers, and a
    function's own SIPOC with the raters it has no mapped relationship to."""
    rel = ctx.ds.relationships
    overview = register_analysis.internal_customers(rel, ctx.ds.responses)
    if ctx.is_organisation:
        return Sipoc(overview, pd.DataFrame(), [])
    edges = register_analysis.sipoc(rel, ctx.scope)
    raters = set(ctx.rated["respondent_function"])
    mapped = set(edges.loc[edges["role"] == "Customer", "partner"])
    return Sipoc(overview, edges, sorted(raters - mapped - {ctx.scope}))


def salience(ctx: Context) -> Salience:
    """Mitchell's salience classes of the scope's stakeholders (power, legitimacy, urgency),
    counted per class, and the definitive ones."""
    whole = ctx.ds.stakeholders  # a column absent from the file is loaded blank
    missing = [
        c
        for c in ("power", "legitimacy", "urgency")
        if c not in whole or (len(whole) and whole[c].isna().all())
    ]
    register = register_analysis.salience(ctx.stakeholders.assign(**dict.fromkeys(missing, pd.NA)))
    if missing:
        register = register.iloc[:0]
    counts = (
        register.groupby(["salience_group", "salience"], observed=True)
        .size()
        .rename("stakeholders")
        .reset_index()
    )
    order = {
        cls: i for i, (cls, _) in enumerate(reversed(list(register_analysis.SALIENCE.values())))
    }
    counts = counts.sort_values("salience", key=lambda s: s.map(order), ignore_index=True)
    definitive = (
        register[register["salience"] == "Definitive"]
        .sort_values("influence", ascending=False)
        .reset_index(drop=True)
    )
    return Salience(register, counts, definitive, missing)


def engagement(ctx: Context, *, top: int = 12) -> EngagementMatrix:
    """The ``top`` engagement gaps of the scope's stakeholders by priority (influence x gap),
    the function's own leadership always among them when it has a gap, as suggested actions
    with an owner as senior as the stakeholder or more, and their engagement assessment
    matrix (C current, D desired).

    Parameters
    ----------
    top
        How many stakeholders to take up (highest priority first) besides the function's
        own leadership; 0 for all.
    """
    register = ctx.stakeholders
    own = _leaders(ctx)
    actions = register_analysis.engagement_actions(
        register,
        top=top,
        keep=own,
        people=ctx.ds.stakeholders,
        relationships=ctx.ds.relationships,
    )
    chosen = register.set_index("stakeholder_id").loc[actions["stakeholder_id"]].reset_index()
    matrix = register_analysis.engagement_matrix(chosen).assign(
        priority=actions["priority"].to_numpy()
    )
    levels = register_analysis.engagement_levels(register).set_index("stakeholder_id")
    return EngagementMatrix(matrix, actions, levels.loc[own].reset_index(), len(register))


def network(ctx: Context) -> Network:
    """The network of who serves whom: brokers, clusters, isolated functions, and the pairs
    of functions most likely to be silos (mutual NPS from the wave where it is published).
    Without a relationships file nothing of it is known: no broker, cluster or silo."""
    rel = ctx.ds.relationships
    g = network_analysis.build(rel, ctx.ds.functions)
    received = internal_nps.segments(ctx) if ctx.is_organisation else pd.DataFrame()
    if rel.empty:
        return Network(
            graph=g,
            metrics=network_analysis.function_metrics(nx.DiGraph()),
            communities=pd.DataFrame(columns=["function", "community"]),
            isolated=[],
            silos=network_analysis.silo_scores(nx.DiGraph()),
            received=received,
            mapped=False,
        )
    cells = internal_nps.matrix(ctx).cells if len(ctx.in_wave) else None
    silos = network_analysis.silo_scores(g, cells)
    if not ctx.is_organisation:
        mine = (silos["function_a"] == ctx.scope) | (silos["function_b"] == ctx.scope)
        silos = silos[mine].reset_index(drop=True)
    return Network(
        graph=g,
        metrics=network_analysis.function_metrics(g),
        communities=network_analysis.communities(g),
        isolated=[f for f in g if g.degree(f) == 0],
        silos=silos,
        received=received,
        mapped=True,
    )


def touchpoints(ctx: Context, *, top: int = 10) -> Touchpoints:
    """Over-contact and collisions of the company's external touchpoints (all functions, all
    touches, whatever the scope), the ``top`` most over-contacted stakeholders, and the
    function's own coordination score. The company's part is computed once per batch
    (:func:`kit.shared.batch_cached`) and each scope reads its own row.

    Parameters
    ----------
    top
        How many of the most over-contacted external stakeholders ``worst`` lists.
    """
    days, cap = ctx.cfg.collision_days, ctx.cfg.contact_cap
    key = None if ctx.data_key is None else ("touchpoints", ctx.data_key, cap, days, top)
    company = shared.batch_cached(
        key, lambda: _company_touchpoints(_touch_log(ctx), cap=cap, days=days, top=top)
    )
    scores = company.scores
    own = scores.iloc[:0] if ctx.is_organisation else scores[scores["function"] == ctx.scope]
    copies = {
        name: value.copy() if isinstance(value, pd.DataFrame) else value
        for name, value in company._asdict().items()
    }
    return Touchpoints(**{**copies, "own": own.reset_index(drop=True)})


def _touch_log(ctx: Context):
    """The touches: a large log stays on disk, read by DuckDB (``touchpoints.file``)."""
    log = ctx.ds.touchpoints_file
    return ctx.ds.touchpoints if log is None else log


def _company_touchpoints(touches, *, cap: int, days: int, top: int) -> Touchpoints:
    """:class:`Touchpoints` of the whole company (``own`` empty)."""
    tables = touch_analysis.coordination(touches, cap=cap, collision_days=days)
    per, scores = tables["per_stakeholder"], tables["scores"]
    return Touchpoints(
        stakeholders=int(per["external_id"].nunique()),
        touches=int(scores["touches"].sum()),
        functions=len(scores),
        over_cap=int(per.loc[per["over_cap"], "external_id"].nunique()),
        collisions=int(per["collisions"].sum()),
        cap=cap,
        days=days,
        per_stakeholder=per,
        worst=touch_analysis.over_contacted(per, top=top),
        segments=touch_analysis.segments(per),
        pairs=tables["matrix"],
        scores=scores,
        own=scores.iloc[:0],
    )
