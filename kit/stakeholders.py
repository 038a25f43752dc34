"""Stakeholder mapping: the power/interest grid, engagement gaps and their priority
(influence x gap), who should engage whom (never someone junior: :data:`SENIORITY`), salience
and the SIPOC of a function.

Example
-------
>>> from kit.config import SAMPLE_CONFIG, load_engagement
>>> from kit.data import load
>>> ds = load(load_engagement(SAMPLE_CONFIG))
>>> bool(grid(ds.stakeholders)["quadrant"].isin(QUADRANTS).all())
True
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from kit.config import ENGAGEMENT_LEVELS

__all__ = [
    "QUADRANTS",
    "APPROACH",
    "grid",
    "quadrant_counts",
    "engagement_gaps",
    "sipoc",
    "internal_customers",
    "in_scope",
    "SALIENCE",
    "salience",
    "engagement_matrix",
    "engagement_actions",
    "engagement_levels",
    "by_priority",
    "SENIORITY",
    "seniority",
    "leadership",
    "suggested_owners",
]

#: Mendelow's quadrants, from most to least attention.
QUADRANTS = ("Manage closely", "Keep satisfied", "Keep informed", "Monitor")
APPROACH = {
    "Manage closely": "Involve in decisions; meet regularly; co-own the improvement plan.",
    "Keep satisfied": "Consult on what affects them; brief before decisions; avoid surprises.",
    "Keep informed": "Share progress and results; invite ideas; use them as advocates.",
    "Monitor": "Light-touch updates; watch for changes in their interest or influence.",
}


def grid(
    register: pd.DataFrame,
    *,
    influence: str = "influence",
    interest: str = "interest",
    high: int = 4,
) -> pd.DataFrame:
    """Place each stakeholder on the power/interest grid (Mendelow).

    Parameters
    ----------
    register
        The stakeholder register; ``influence`` and ``interest`` on a 1-5 scale.
    high
        Scores at or above this count as high (default 4).

    Returns
    -------
    A copy of ``register`` with ``quadrant`` (one of :data:`QUADRANTS`, ordered categorical)
    and ``approach`` (how to engage that quadrant).

    Examples
    --------
    >>> reg = pd.DataFrame({"influence": [5, 5, 2, 1], "interest": [4, 1, 5, 3]})
    >>> grid(reg)["quadrant"].tolist()
    ['Manage closely', 'Keep satisfied', 'Keep informed', 'Monitor']
    """
    out = register.copy()
    hi_power = pd.to_numeric(out[influence]) >= high
    hi_interest = pd.to_numeric(out[interest]) >= high
    labels = pd.Series("Monitor", index=out.index)
    labels[hi_power & hi_interest] = "Manage closely"
    labels[hi_power & ~hi_interest] = "Keep satisfied"
    labels[~hi_power & hi_interest] = "Keep informed"
    out["quadrant"] = pd.Categorical(labels, categories=QUADRANTS, ordered=True)
    out["approach"] = out["quadrant"].map(APPROACH).astype(str)
    return out


def quadrant_counts(placed: pd.DataFrame) -> pd.DataFrame:
    """Stakeholders per quadrant (all four shown, zeros included), with the approach."""
    counts = placed["quadrant"].value_counts().reindex(QUADRANTS, fill_value=0)
    return pd.DataFrame(
        {
            "quadrant": QUADRANTS,
            "stakeholders": counts.to_numpy(),
            "approach": [APPROACH[q] for q in QUADRANTS],
        }
    )


def engagement_levels(register: pd.DataFrame) -> pd.DataFrame:
    """A copy of the register with ``gap`` (steps from the current engagement level to the
    desired one on Unaware < Resistant < Neutral < Supportive < Leading; negative when the
    desired level is below the current one, NA when either is blank) and ``priority``
    (``influence`` x ``gap``, from 1 to 20 for a stakeholder with a gap).

    >>> reg = pd.DataFrame({"influence": [4, 2], "engagement_current": ["Unaware", "Neutral"],
    ...                     "engagement_desired": ["Leading", "Neutral"]})
    >>> engagement_levels(reg)[["gap", "priority"]].values.tolist()
    [[4, 16], [0, 0]]
    """
    rank = {level: i for i, level in enumerate(ENGAGEMENT_LEVELS)}
    out = register.copy()
    desired = out["engagement_desired"].map(rank).astype("Int64")
    current = out["engagement_current"].map(rank).astype("Int64")
    out["gap"] = desired - current
    out["priority"] = pd.to_numeric(out["influence"]).astype("Int64") * out["gap"]
    return out


def engagement_gaps(register: pd.DataFrame) -> pd.DataFrame:
    """Stakeholders whose current engagement is below the desired one, largest gap first.

    ``gap`` counts steps on Unaware < Resistant < Neutral < Supportive < Leading; ties are
    broken by influence (higher first), then name. ``priority`` is influence x gap
    (:func:`engagement_levels`).
    """
    out = engagement_levels(register)
    out = out[out["gap"].fillna(0) > 0].astype({"gap": int, "priority": int})
    return out.sort_values(["gap", "influence", "name"], ascending=[False, False, True])


def by_priority(gaps: pd.DataFrame) -> pd.DataFrame:
    """Rows of :func:`engagement_levels` highest ``priority`` (influence x gap) first; ties:
    the larger gap, the higher influence, then name."""
    return gaps.sort_values(
        ["priority", "gap", "influence", "name"],
        ascending=[False, False, False, True],
        kind="stable",
        na_position="last",
    )


def sipoc(relationships: pd.DataFrame, function: str) -> pd.DataFrame:
    """SIPOC of one function from the relationship (supplier -> customer) table.

    Returns a tidy table with one row per edge touching ``function``: ``role`` ("Supplier" for
    what the function receives, "Customer" for what it delivers), ``partner``, ``deliverable``
    (an input or an output), ``frequency`` and ``criticality``; most critical first.

    Examples
    --------
    >>> rel = pd.DataFrame({"supplier_function": ["A", "B"], "customer_function": ["B", "C"],
    ...                     "deliverable": ["x", "y"], "frequency": ["Weekly", "Monthly"],
    ...                     "criticality": [5, 3]})
    >>> sipoc(rel, "B")[["role", "partner", "deliverable"]].values.tolist()
    [['Supplier', 'A', 'x'], ['Customer', 'C', 'y']]
    """
    cols = ["deliverable", "frequency", "criticality"]
    inputs = relationships[relationships["customer_function"] == function]
    outputs = relationships[relationships["supplier_function"] == function]
    parts = [
        inputs.assign(role="Supplier", partner=inputs["supplier_function"])[
            ["role", "partner", *cols]
        ],
        outputs.assign(role="Customer", partner=outputs["customer_function"])[
            ["role", "partner", *cols]
        ],
    ]
    out = pd.concat(parts, ignore_index=True)
    out["role"] = pd.Categorical(out["role"], categories=["Supplier", "Customer"], ordered=True)
    return out.sort_values(
        ["role", "criticality", "partner"], ascending=[True, False, True], ignore_index=True
    )


def internal_customers(
    relationships: pd.DataFrame, responses: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per function: how many functions it serves and is served by, and the deliverables.

    When ``responses`` are given, ``rated_by`` counts the distinct customer functions that
    rated it: customers who rate a function without a mapped relationship are the internal
    customers "beyond the obvious lines".
    """
    served = relationships.groupby("supplier_function")["customer_function"].nunique()
    suppliers = relationships.groupby("customer_function")["supplier_function"].nunique()
    deliverables = relationships.groupby("supplier_function")["deliverable"].count()
    names = sorted(set(served.index) | set(suppliers.index))
    out = pd.DataFrame({"function": names})
    out["customers"] = out["function"].map(served).fillna(0).astype(int)
    out["suppliers"] = out["function"].map(suppliers).fillna(0).astype(int)
    out["deliverables"] = out["function"].map(deliverables).fillna(0).astype(int)
    if responses is not None:
        rated = responses.groupby("provider_function")["respondent_function"].nunique()
        out["rated_by"] = out["function"].map(rated).fillna(0).astype(int)
    return out


def in_scope(
    stakeholders: pd.DataFrame, relationships: pd.DataFrame, scope: str | None
) -> pd.DataFrame:
    """The stakeholders who matter to a scope: its own people and those of its SIPOC partners.

    ``scope=None`` (the organisation) returns the whole register.
    """
    if scope is None:
        return stakeholders.copy()
    partners = set(
        relationships.loc[relationships["supplier_function"] == scope, "customer_function"]
    )
    partners |= set(
        relationships.loc[relationships["customer_function"] == scope, "supplier_function"]
    )
    return stakeholders[stakeholders["function"].isin(partners | {scope})].copy()


#: Mitchell, Agle & Wood (1997): (power, legitimacy, urgency) -> class and group.
SALIENCE = {
    (False, False, False): ("Non-stakeholder", "None"),
    (True, False, False): ("Dormant", "Latent"),
    (False, True, False): ("Discretionary", "Latent"),
    (False, False, True): ("Demanding", "Latent"),
    (True, True, False): ("Dominant", "Expectant"),
    (True, False, True): ("Dangerous", "Expectant"),
    (False, True, True): ("Dependent", "Expectant"),
    (True, True, True): ("Definitive", "Definitive"),
}


def salience(
    register: pd.DataFrame,
    *,
    power: str = "power",
    legitimacy: str = "legitimacy",
    urgency: str = "urgency",
) -> pd.DataFrame:
    """A copy of the register with Mitchell's salience ``salience`` class and its ``group``.

    A blank attribute counts as absent. Missing columns are a ``KeyError`` naming them.

    >>> reg = pd.DataFrame({"power": [True, True, False], "legitimacy": [True, False, True],
    ...                     "urgency": [True, True, False]})
    >>> salience(reg)["salience"].tolist()
    ['Definitive', 'Dangerous', 'Discretionary']
    """
    missing = [c for c in (power, legitimacy, urgency) if c not in register.columns]
    if missing:
        raise KeyError(f"salience needs the yes/no columns {missing} in the stakeholder register")
    flags = register[[power, legitimacy, urgency]].astype("boolean").fillna(False).astype(bool)
    keys = list(map(tuple, flags.to_numpy()))
    out = register.copy()
    out["salience"] = [SALIENCE[k][0] for k in keys]
    out["salience_group"] = [SALIENCE[k][1] for k in keys]
    return out


def engagement_matrix(register: pd.DataFrame, *, label: str = "name") -> pd.DataFrame:
    """The PMBOK stakeholder engagement assessment matrix: C (current) and D (desired).

    One row per stakeholder, one column per level (Unaware ... Leading), cells "C", "D", "C D"
    or blank; plus ``gap`` in steps.
    """
    rank = {level: i for i, level in enumerate(ENGAGEMENT_LEVELS)}
    rows = []
    for _, r in register.iterrows():
        cells = {
            level: " ".join(
                mark
                for mark, col in (("C", "engagement_current"), ("D", "engagement_desired"))
                if r[col] == level
            )
            for level in ENGAGEMENT_LEVELS
        }
        gap = rank.get(r["engagement_desired"], 0) - rank.get(r["engagement_current"], 0)
        rows.append({label: r[label], **cells, "gap": gap})
    return pd.DataFrame(rows, columns=[label, *ENGAGEMENT_LEVELS, "gap"])


#: What to do to move a stakeholder from a current engagement level.
MOVES = {
    "Unaware": "Brief {name} on the survey results that concern {function} and why they matter",
    "Resistant": "Meet {name} one to one to understand the objections and agree one concrete fix",
    "Neutral": "Involve {name} in designing the improvement actions for {function}",
    "Supportive": "Ask {name} to sponsor an improvement action and speak for it",
}


def engagement_actions(
    register: pd.DataFrame,
    *,
    top: int | None = None,
    keep: Iterable[str] = (),
    people: pd.DataFrame | None = None,
    relationships: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The engagement gaps as suggested actions, highest priority (influence x gap) first.

    Parameters
    ----------
    register
        The stakeholders to consider (a scope's register).
    top
        How many to take up, highest priority first (ties: larger gap, higher influence,
        name); None or 0 for all.
    keep
        Stakeholder ids listed whenever they have a gap, even outside the ``top`` (a function's
        own leadership, :func:`leadership`); they keep their place in the priority order.
    people, relationships
        The whole register and the SIPOC relationships, from which owners are suggested
        (:func:`suggested_owners`); ``people`` defaults to ``register``.

    Returns
    -------
    ``stakeholder_id, name, role, function, current, desired, gap, influence, priority,
    leadership`` (True for those in ``keep``), ``action``, ``owner_id``, ``owner``,
    ``owner_role``, ``owner_basis``: the rows stage 3 takes up as action proposals.

    Examples
    --------
    >>> reg = pd.DataFrame({"stakeholder_id": ["S1", "S2"], "name": ["Ann", "Bob"],
    ...     "function": ["IT", "IT"], "level": ["Executive", "Manager"],
    ...     "reports_to": [None, "S1"], "influence": [4, 5],
    ...     "engagement_current": ["Unaware", "Neutral"],
    ...     "engagement_desired": ["Leading", "Supportive"], "relationship_owner": [None, "S1"]})
    >>> engagement_actions(reg)[["name", "priority", "owner"]].fillna("-").values.tolist()
    [['Ann', 16, '-'], ['Bob', 5, 'Ann']]
    """
    gaps = by_priority(engagement_gaps(register))
    keep = set(keep)
    kept = gaps["stakeholder_id"].isin(keep)
    if top:
        gaps = gaps[(pd.Series(range(len(gaps)), index=gaps.index) < top) | kept]
    owners = suggested_owners(
        gaps, people=register if people is None else people, relationships=relationships
    ).set_index("stakeholder_id")
    ids = gaps["stakeholder_id"]
    return pd.DataFrame(
        {
            "stakeholder_id": ids,
            "name": gaps["name"],
            "role": gaps["role"] if "role" in gaps.columns else None,
            "function": gaps["function"],
            "current": gaps["engagement_current"],
            "desired": gaps["engagement_desired"],
            "gap": gaps["gap"].astype(int),
            "influence": gaps["influence"],
            "priority": gaps["priority"].astype(int),
            "leadership": ids.isin(keep),
            "action": [
                MOVES[c].format(name=n, function=f) + f" (to reach {d})."
                for c, n, f, d in zip(
                    gaps["engagement_current"],
                    gaps["name"],
                    gaps["function"],
                    gaps["engagement_desired"],
                    strict=True,
                )
            ],
            **{col: [owners.at[i, col] for i in ids] for col in OWNER_COLUMNS},
        }
    ).reset_index(drop=True)


#: The register's ``level`` labels, most senior first: the one place seniority is defined.
#: A level is read in any case and spacing; a blank or other level is taken from the
#: reporting line (one below the person one reports to). ``kit validate`` warns of others.
SENIORITY = ("Executive", "Director", "Manager", "Individual contributor")


def _fold(text) -> str:
    return " ".join(str(text).lower().split()) if isinstance(text, str) else ""


def seniority(register: pd.DataFrame) -> pd.Series:
    """Each stakeholder's seniority rank, 0 for the most senior (:data:`SENIORITY`), indexed
    by ``stakeholder_id``: from the ``level`` column where it is one of :data:`SENIORITY`,
    else one more than the rank of the person they report to (``reports_to``), else NA.

    >>> reg = pd.DataFrame({"stakeholder_id": ["A", "B", "C"],
    ...     "level": ["executive", None, "Team lead"], "reports_to": [None, "A", "B"]})
    >>> seniority(reg).tolist()
    [0, 1, 2]
    """
    order = {_fold(level): i for i, level in enumerate(SENIORITY)}
    ids = register["stakeholder_id"].tolist()
    levels = (
        register["level"] if "level" in register.columns else pd.Series(None, index=register.index)
    )
    bosses = (
        register["reports_to"] if "reports_to" in register.columns else levels.map(lambda _: None)
    )
    known = dict(zip(ids, levels.map(lambda v: order.get(_fold(v))), strict=True))
    boss = dict(zip(ids, bosses, strict=True))

    def rank(sid, seen=()) -> int | None:
        if known.get(sid) is not None and not pd.isna(known[sid]):
            return int(known[sid])
        up = boss.get(sid)
        if not isinstance(up, str) or up not in boss or up in seen:
            return None
        above = rank(up, (*seen, sid))
        return None if above is None else above + 1

    return pd.Series(
        [rank(sid) for sid in ids],
        index=pd.Index(ids, name="stakeholder_id"),
        dtype="Int64",
        name="seniority",
    )


def leadership(people: pd.DataFrame, functions: pd.DataFrame, function: str) -> pd.DataFrame:
    """A function's leadership in the register: its head (``head_id`` in ``functions``) and
    anyone else of the function at the head's seniority (:func:`seniority`), head first;
    without a head in the register, the function's most senior people."""
    mine = people[people["function"] == function]
    if mine.empty:
        return mine.copy()
    ranks = seniority(people).reindex(mine["stakeholder_id"]).to_numpy()
    heads = functions.loc[functions["function"] == function, "head_id"]
    head = heads.iloc[0] if len(heads) and isinstance(heads.iloc[0], str) else None
    is_head = mine["stakeholder_id"].eq(head).to_numpy()
    top = ranks[is_head][0] if is_head.any() else pd.Series(ranks).min()
    chosen = is_head | (
        pd.Series(ranks).eq(top).fillna(False).to_numpy() if pd.notna(top) else False
    )
    return (
        mine[chosen].sort_values("stakeholder_id", key=lambda s: s.ne(head), kind="stable").copy()
    )


#: What :func:`suggested_owners` adds.
OWNER_COLUMNS = ("owner_id", "owner", "owner_role", "owner_basis")


def suggested_owners(
    register: pd.DataFrame,
    *,
    people: pd.DataFrame | None = None,
    relationships: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Who should engage each stakeholder: never someone junior to them.

    The first of: their ``relationship_owner`` when as senior as them or more
    (:func:`seniority`; with a rank unknown, only someone above them in their reporting line
    counts as senior enough); the first person up that owner's reporting line who is; their
    own manager (``reports_to``); an engaged peer (Supportive or Leading today) as senior as
    them, from the function that exchanges the most deliverables with theirs, then the most
    engaged, the most influential, by name. A stakeholder at the top with no engaged peer
    gets no owner (NA).

    Parameters
    ----------
    register
        The stakeholders to find owners for.
    people
        The whole register the owners come from; defaults to ``register``.
    relationships
        The SIPOC relationships (supplier -> customer), to prefer a peer who works with the
        stakeholder's function; optional.

    Returns
    -------
    ``stakeholder_id``, ``owner_id``, ``owner`` (name), ``owner_role``, ``owner_basis``
    ("relationship owner", "relationship owner's line", "line manager", "engaged peer").
    """
    people = register if people is None else people
    ranks = seniority(people)
    info = people.set_index("stakeholder_id")
    boss = info["reports_to"] if "reports_to" in info.columns else pd.Series(None, index=info.index)
    links = _links(relationships)
    engaged = {level: i for i, level in enumerate(ENGAGEMENT_LEVELS)}

    def line(sid: str) -> list[str]:  # the people above sid, nearest first
        out, node = [], boss.get(sid)
        while isinstance(node, str) and node in info.index and node not in out and node != sid:
            out.append(node)
            node = boss.get(node)
        return out

    def senior_enough(who: str, sid: str) -> bool:
        if who == sid or who not in info.index:
            return False
        mine, theirs = ranks.get(sid), ranks.get(who)
        if pd.isna(mine) or pd.isna(theirs):
            return who in line(sid)
        return bool(theirs <= mine)

    def peer(sid: str, function: str) -> str | None:
        mine = ranks.get(sid)
        if pd.isna(mine):
            return None
        rows = people[
            ranks.reindex(people["stakeholder_id"]).le(mine).fillna(False).to_numpy()
            & people["engagement_current"].isin(["Supportive", "Leading"]).to_numpy()
            & people["stakeholder_id"].ne(sid).to_numpy()
        ]
        if rows.empty:
            return None
        order = pd.DataFrame(
            {
                "id": rows["stakeholder_id"],
                "links": [links.get(frozenset((function, f)), 0) for f in rows["function"]],
                "engaged": rows["engagement_current"].map(engaged),
                "influence": pd.to_numeric(rows["influence"]),
                "name": rows["name"],
            }
        ).sort_values(
            ["links", "engaged", "influence", "name"], ascending=[False, False, False, True]
        )
        return order["id"].iloc[0]

    def owner(sid: str, named, function: str) -> tuple[str | None, str | None]:
        if isinstance(named, str) and named in info.index:
            if senior_enough(named, sid):
                return named, "relationship owner"
            for up in line(named):
                if senior_enough(up, sid):
                    return up, "relationship owner's line"
        above = line(sid)
        if above:
            return above[0], "line manager"
        found = peer(sid, function)
        return (found, "engaged peer") if found else (None, None)

    named = (
        register["relationship_owner"]
        if "relationship_owner" in register.columns
        else pd.Series(None, index=register.index)
    )
    picked = [
        owner(sid, o, f)
        for sid, o, f in zip(register["stakeholder_id"], named, register["function"], strict=True)
    ]
    ids = [p[0] for p in picked]
    role = info["role"] if "role" in info.columns else pd.Series(None, index=info.index)
    return pd.DataFrame(
        {
            "stakeholder_id": register["stakeholder_id"].to_numpy(),
            "owner_id": ids,
            "owner": [None if i is None else info.at[i, "name"] for i in ids],
            "owner_role": [None if i is None or pd.isna(role[i]) else role[i] for i in ids],
            "owner_basis": [p[1] for p in picked],
        },
        dtype="object",
    )


def _links(relationships: pd.DataFrame | None) -> dict[frozenset, int]:
    """Deliverables exchanged between two functions, either way."""
    if relationships is None or relationships.empty:
        return {}
    pairs = [
        frozenset((a, b))
        for a, b in zip(
            relationships["supplier_function"], relationships["customer_function"], strict=True
        )
    ]
    return pd.Series(pairs).value_counts().to_dict()
