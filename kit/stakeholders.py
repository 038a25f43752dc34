"""Stakeholder mapping: the power/interest grid, engagement gaps and SIPOC of a function.

Example
-------
>>> from kit.config import SAMPLE_CONFIG, load_engagement
>>> from kit.data import load
>>> ds = load(load_engagement(SAMPLE_CONFIG))
>>> grid(ds.stakeholders)["quadrant"].isin(QUADRANTS).all()
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
