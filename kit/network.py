"""The internal network: functions linked by what they deliver to each other, and its silos.

Functions are nodes; a SIPOC relationship (supplier -> customer, a deliverable) is an edge whose
weight is its criticality (1-5) times how often it flows (``FREQUENCY_WEIGHT``).

Example
-------
>>> from kit.config import SAMPLE_CONFIG, load_engagement
>>> from kit.data import load
>>> ds = load(load_engagement(SAMPLE_CONFIG))
>>> g = build(ds.relationships, ds.functions)
>>> g.number_of_nodes(), g.has_edge("Medical Affairs", "Marketing")
(12, False)
"""

from __future__ import annotations

from itertools import combinations

import networkx as nx
import numpy as np
import pandas as pd

__all__ = ["FREQUENCY_WEIGHT", "build", "function_metrics", "communities", "silo_scores"]

#: Relative flow of a deliverable by its frequency label (case and spacing ignored).
FREQUENCY_WEIGHT = {
    "daily": 5.0,
    "weekly": 4.0,
    "monthly": 3.0,
    "quarterly": 2.0,
    "yearly": 1.0,
    "annually": 1.0,
    "ad hoc": 1.0,
}


def _frequency(labels: pd.Series) -> pd.Series:
    key = labels.astype("string").str.lower().str.replace(r"[\s_-]+", " ", regex=True).str.strip()
    weight = key.map(FREQUENCY_WEIGHT)
    unknown = sorted(set(labels[weight.isna() & labels.notna()].astype(str)))
    if unknown:
        raise ValueError(
            f"relationships.csv: unknown frequency label(s) {unknown}; use one of "
            f"{sorted(FREQUENCY_WEIGHT)}"
        )
    return weight.fillna(1.0)


def build(relationships: pd.DataFrame, functions: pd.DataFrame | None = None) -> nx.DiGraph:
    """A directed graph supplier -> customer; parallel deliverables add up in ``weight``.

    Every function in ``functions`` is a node, linked or not (an isolated function is a
    finding, not an error).
    """
    g = nx.DiGraph()
    if functions is not None:
        g.add_nodes_from(functions["function"])
    weight = relationships["criticality"].astype(float) * _frequency(relationships["frequency"])
    edges = (
        relationships.assign(weight=weight.to_numpy())
        .groupby(["supplier_function", "customer_function"], sort=True)
        .agg(weight=("weight", "sum"), deliverables=("deliverable", "count"))
    )
    for (a, b), row in edges.iterrows():
        g.add_edge(a, b, weight=float(row["weight"]), deliverables=int(row["deliverables"]))
    return g


def _undirected(g: nx.DiGraph) -> nx.Graph:
    u = nx.Graph()
    u.add_nodes_from(g)
    for a, b, w in g.edges(data="weight"):
        prev = u.get_edge_data(a, b, {"weight": 0.0})["weight"]
        u.add_edge(a, b, weight=prev + w)
    return u


def communities(g: nx.DiGraph, *, seed: int = 2026) -> pd.DataFrame:
    """Clusters of functions that work more with each other than with the rest (Louvain).

    Returns ``function, community`` (1 = largest). Compare them with the formal lines: a
    community that cuts across lines is how the work really flows.
    """
    u = _undirected(g)
    found = nx.community.louvain_communities(u, weight="weight", seed=seed)
    found = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    rows = [{"function": f, "community": i} for i, c in enumerate(found, start=1) for f in c]
    return pd.DataFrame(rows, columns=["function", "community"])


def function_metrics(g: nx.DiGraph) -> pd.DataFrame:
    """Per function: customers, suppliers, flow in and out, brokerage, and outside share.

    ``betweenness`` (normalised, on the undirected graph, counting steps) marks the brokers
    that many shortest paths between other functions go through. ``outside_share`` is the share
    of the function's relationship weight that crosses to another community.
    """
    u = _undirected(g)
    between = nx.betweenness_centrality(u, normalized=True)
    community = communities(g).set_index("function")["community"]
    rows = []
    for f in sorted(g):
        total = sum(w for _, _, w in u.edges(f, data="weight"))
        outside = sum(w for _, b, w in u.edges(f, data="weight") if community[b] != community[f])
        rows.append(
            {
                "function": f,
                "customers": g.out_degree(f),
                "suppliers": g.in_degree(f),
                "flow_out": g.out_degree(f, weight="weight"),
                "flow_in": g.in_degree(f, weight="weight"),
                "betweenness": between[f],
                "community": int(community[f]),
                "outside_share": outside / total if total else np.nan,
            }
        )
    columns = ["function", "customers", "suppliers", "flow_out", "flow_in", "betweenness"]
    columns += ["community", "outside_share"]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values("betweenness", ascending=False, ignore_index=True)


def silo_scores(
    g: nx.DiGraph, matrix: pd.DataFrame | None = None, *, top: int | None = None
) -> pd.DataFrame:
    """Pairs of functions that should work together but do not, scored 0-100.

    For each pair: ``overlap`` is the Jaccard similarity of their partner sets (functions
    that serve or are served by the same others should coordinate); ``link`` is the weight of
    their direct relationships relative to the strongest pair (0 when none); ``mutual_nps`` is
    the mean NPS they give each other where ``matrix`` (:func:`kit.nps_tables.matrix`) shows
    both directions. ``silo_score = 100 * overlap * (1 - link) * distrust`` with
    ``distrust = (1 - mutual_nps / 100) / 2`` (0.5 when unknown): high when two functions share
    partners, barely connect and rate each other poorly.
    """
    u = _undirected(g)
    strongest = max((w for _, _, w in u.edges(data="weight")), default=1.0)
    shown = {}
    if matrix is not None:
        ok = matrix[~matrix["suppressed"].astype(bool)]
        shown = {
            (p, c): v
            for p, c, v in zip(
                ok["provider_function"], ok["respondent_function"], ok["nps"], strict=True
            )
        }
    rows = []
    for a, b in combinations(sorted(u), 2):
        na, nb = set(u[a]) - {b}, set(u[b]) - {a}
        overlap = len(na & nb) / len(na | nb) if na | nb else 0.0
        link = u.get_edge_data(a, b, {"weight": 0.0})["weight"] / strongest
        both = [shown.get((a, b)), shown.get((b, a))]
        mutual = float(np.mean(both)) if None not in both else np.nan
        distrust = 0.5 if np.isnan(mutual) else (1 - mutual / 100) / 2
        rows.append(
            {
                "function_a": a,
                "function_b": b,
                "relationships": int(g.has_edge(a, b)) + int(g.has_edge(b, a)),
                "overlap": overlap,
                "link": link,
                "mutual_nps": mutual,
                "silo_score": 100 * overlap * (1 - link) * distrust,
            }
        )
    columns = ["function_a", "function_b", "relationships", "overlap", "link", "mutual_nps"]
    out = pd.DataFrame(rows, columns=[*columns, "silo_score"])
    out = out.sort_values("silo_score", ascending=False, ignore_index=True)
    return out.head(top) if top else out
