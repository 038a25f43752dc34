"""Stakeholder mapping: the power/interest grid, engagement gaps and SIPOC of a function.

Example
-------
>>> from kit.config import SAMPLE_CONFIG, load_engagement
>>> from kit.data import load
>>> ds = load(load_engagement(SAMPLE_CONFIG))
>>> bool(grid(ds.stakeholders)["quadrant"].isin(QUADRANTS).all())
True
"""

from __future__ import annotations

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


def engagement_gaps(register: pd.DataFrame) -> pd.DataFrame:
    """Stakeholders whose current engagement is below the desired one, largest gap first.

    ``gap`` counts steps on Unaware < Resistant < Neutral < Supportive < Leading; ties are
    broken by influence (higher first), then name.
    """
    rank = {level: i for i, level in enumerate(ENGAGEMENT_LEVELS)}
    out = register.copy()
    out["gap"] = out["engagement_desired"].map(rank) - out["engagement_current"].map(rank)
    out = out[out["gap"] > 0]
    return out.sort_values(["gap", "influence", "name"], ascending=[False, False, True])


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


def engagement_actions(register: pd.DataFrame, *, top: int | None = None) -> pd.DataFrame:
    """The engagement gaps as suggested actions, most influential stakeholders first.

    Returns ``stakeholder_id, name, function, current, desired, gap, influence, action, owner``
    (the stakeholder's relationship owner): the rows stage 3 takes up as action proposals.
    """
    gaps = engagement_gaps(register).sort_values(
        ["influence", "gap", "name"], ascending=[False, False, True], kind="stable"
    )
    owners = register.set_index("stakeholder_id")["name"]
    out = pd.DataFrame(
        {
            "stakeholder_id": gaps["stakeholder_id"],
            "name": gaps["name"],
            "function": gaps["function"],
            "current": gaps["engagement_current"],
            "desired": gaps["engagement_desired"],
            "gap": gaps["gap"].astype(int),
            "influence": gaps["influence"],
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
            "owner": gaps["relationship_owner"].map(owners).fillna(gaps["relationship_owner"]),
        }
    ).reset_index(drop=True)
    return out.head(top) if top else out
