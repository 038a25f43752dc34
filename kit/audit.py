"""The disclosure audit: can anything the ledger withholds be worked out from what is shown?

Everything the kit publishes about ratings is a sum of cells of one table per wave: provider x
customer, each cell the 11 counts of its 0-10 answers. The ledger (:class:`kit.ledger.Ledger`)
shows some cells and totals and withholds the others. The audit takes the attacker's view, as
statistical agencies audit cell suppression (tau-ARGUS, R's sdcTable): it assumes every shown
cell and total is published with its whole 0-10 distribution (the most the packs and the
workshop ever show together, so any smaller publication is safer still), that empty cells are
known to be empty, and that a withheld cell holds at least one answer. Every shown total is
then a linear equation on the withheld cells' unknown counts. For each withheld cell and total,
integer programming (:func:`scipy.optimize.milp`) finds the smallest and largest values of its
``n``, promoters and detractors that fit every equation.

A withheld figure is **pinned** when one of these has a single possible value (worked out
exactly), and **narrow** when the range of its ``n`` is smaller than the anonymity threshold.

Example
-------
>>> import numpy as np
>>> counts = np.zeros((1, 2, 2, 11), dtype=int)  # one wave, 2 x 2, all answers 10
>>> counts[0, :, :, 10] = [[20, 3], [9, 30]]
>>> hidden = np.zeros((1, 3, 3), dtype=bool)
>>> hidden[0, 0, 1] = True  # only the small cell withheld: its row total gives it away
>>> result = audit(counts, hidden, waves=["W"], functions=["A", "B"], min_n=5)
>>> result[["provider", "customer", "n", "n_min", "n_max", "pinned"]].to_dict("records")
[{'provider': 'A', 'customer': 'B', 'n': 3, 'n_min': 3, 'n_max': 3, 'pinned': True}]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_array

__all__ = ["ALL", "COLUMNS", "audit", "summary"]

#: The name of a total (row, column or grand total) in the audit's table.
ALL = "All functions"
COLUMNS = [
    "wave",
    "provider",
    "customer",
    "n",
    "n_min",
    "n_max",
    "promoters",
    "promoters_min",
    "promoters_max",
    "detractors",
    "detractors_min",
    "detractors_max",
    "pinned",
    "narrow",
]


def _bounds(
    objectives: np.ndarray, a: np.ndarray, rhs: np.ndarray, cells: int
) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of each objective over integer counts ``x >= 0`` whose first rows of ``a``
    equal ``rhs`` and whose last ``cells`` rows (one withheld cell's answers each) are >= 1.

    Each bound is first solved as a linear program (fast): when its optimal counts are whole
    numbers they are optimal among whole numbers too (tables with fixed totals mostly give
    whole vertices); otherwise the integer program decides.
    """
    equal, floor = a[: len(rhs)], a[len(rhs) :]
    exact = {"A_eq": csr_array(equal), "b_eq": rhs} if len(rhs) else {}
    at_least_one = {"A_ub": csr_array(-floor), "b_ub": -np.ones(cells)}
    lower = np.concatenate([rhs, np.ones(cells)])
    upper = np.concatenate([rhs, np.full(cells, np.inf)])
    lo, hi = np.empty(len(objectives)), np.empty(len(objectives))
    for i, objective in enumerate(objectives):
        for sign, out in ((1, lo), (-1, hi)):
            res = linprog(
                sign * objective, bounds=(0, None), method="highs", **exact, **at_least_one
            )
            if res.status == 3:  # unbounded: nothing shown limits it
                out[i] = sign * -np.inf
                continue
            if res.status == 0 and np.allclose(res.x, np.round(res.x), atol=1e-7):
                out[i] = sign * res.fun
                continue
            res = milp(
                sign * objective,
                integrality=np.ones(a.shape[1]),
                bounds=Bounds(0, np.inf),
                constraints=LinearConstraint(csr_array(a), lower, upper),
            )
            out[i] = sign * res.fun if res.status == 0 else sign * -np.inf
    return np.round(lo), np.round(hi)


def _spread(k: int, js, weights) -> np.ndarray:
    """A row over ``k`` unknowns (``len(weights)`` per withheld cell) weighting cells ``js``."""
    row, m = np.zeros(k), len(weights)
    for j in js:
        row[j * m : (j + 1) * m] = weights
    return row


def _line_hidden(hidden: np.ndarray, kind: str, i: int) -> bool:
    return bool(
        hidden[i, -1] if kind == "row" else hidden[-1, i] if kind == "col" else hidden[-1, -1]
    )


def _wave(
    counts: np.ndarray, hidden: np.ndarray, *, cut: tuple[int, int]
) -> list[tuple[int, int, np.ndarray, np.ndarray, np.ndarray]]:
    """``(p, c, true, low, high)`` for every withheld cell and total of one wave (``p`` or
    ``c`` = -1 for a total); each array holds n, promoters, detractors."""
    providers, customers = counts.shape[:2]
    n = counts.sum(axis=2)
    cells = [(p, c) for p in range(providers) for c in range(customers) if hidden[p, c] and n[p, c]]
    m = counts.shape[2]  # 11 scores, or 3 categories (detractor, passive, promoter)
    scale = np.arange(11) if m == 11 else np.array([0, cut[0] + 1, 10])
    measures = np.vstack([np.ones(m), scale > cut[1], scale <= cut[0]])
    out = []
    if cells:  # one system: the grand total links every withheld cell to every other
        members = cells
        k = len(members) * m
        lines: dict[tuple[str, int], list[int]] = {}
        for j, (p, c) in enumerate(members):
            lines.setdefault(("row", p), []).append(j)
            lines.setdefault(("col", c), []).append(j)
        lines[("all", 0)] = list(range(len(members)))

        equations, rhs = [], []
        for (kind, i), js in lines.items():
            if _line_hidden(hidden, kind, i):
                continue
            for s in range(m):  # a shown total less its shown cells, answer by answer
                equations.append(_spread(k, js, np.arange(m) == s))
                rhs.append(sum(counts[members[j]][s] for j in js))
        targets, truths = [], []  # (p, c, true values, the known part of a total)
        for j, (p, c) in enumerate(members):
            targets += [_spread(k, [j], m) for m in measures]
            truths.append((p, c, counts[p, c] @ measures.T, np.zeros(3)))
        for (kind, i), js in lines.items():
            if not _line_hidden(hidden, kind, i):
                continue
            if kind == "row":
                whole = counts[i].sum(axis=0)
            elif kind == "col":
                whole = counts[:, i].sum(axis=0)
            else:
                whole = counts.sum(axis=(0, 1))
            known = whole - sum(counts[members[j]] for j in js)
            targets += [_spread(k, js, m) for m in measures]
            truths.append(
                (
                    i if kind == "row" else -1,
                    i if kind == "col" else -1,
                    whole @ measures.T,
                    known @ measures.T,
                )
            )
        per_cell = np.vstack([_spread(k, [j], np.ones(m)) for j in range(len(members))])
        lo, hi = _bounds(
            np.array(targets), np.vstack([*equations, per_cell]), np.array(rhs, float), len(members)
        )
        for q, (p, c, value, known) in enumerate(truths):
            out.append((p, c, value, lo[3 * q : 3 * q + 3] + known, hi[3 * q : 3 * q + 3] + known))
    return out


def audit(
    counts: np.ndarray,
    hidden: np.ndarray,
    *,
    waves: Sequence[str],
    functions: Sequence[str],
    min_n: int,
    cut: tuple[int, int] = (6, 8),
    detail: str = "scores",
) -> pd.DataFrame:
    """The feasible range of every withheld cell and total, wave by wave.

    Parameters
    ----------
    counts
        ``counts[w, p, c, s]``: ratings of score ``s`` by customer ``c`` of provider ``p`` in
        wave ``w`` (:attr:`kit.ledger.Ledger.counts`).
    hidden
        ``hidden[w]``: the withheld cells of wave ``w``, with the totals as a last row
        (customers' totals), last column (providers' totals) and corner (grand total).
    min_n
        The anonymity threshold: a withheld ``n`` whose range is narrower is ``narrow``.
    cut
        ``(detractor_max, passive_max)``.
    detail
        What is taken as published for every shown cell and total: ``"scores"``, its whole
        0-10 distribution (the workshop's bars); ``"categories"``, its detractors, passives
        and promoters only (what the packs print: n with the shares, or NPS).

    Returns
    -------
    pandas.DataFrame
        One row per withheld cell or total with answers (:data:`COLUMNS`): its true ``n``,
        ``promoters`` and ``detractors`` and the smallest and largest value of each that fits
        everything shown (NA: no bound); ``pinned`` when any of them has one possible value,
        ``narrow`` when ``n_max - n_min < min_n``. A total reads :data:`ALL` as its provider
        or customer.
    """
    if detail not in ("scores", "categories"):
        raise ValueError(f"detail must be 'scores' or 'categories', not {detail!r}")
    if detail == "categories":
        kinds = [np.arange(11) <= cut[0], (np.arange(11) > cut[0]) & (np.arange(11) <= cut[1])]
        kinds.append(np.arange(11) > cut[1])
        counts = np.stack([counts[..., k].sum(axis=-1) for k in kinds], axis=-1)
    rows = []
    for w, wave in enumerate(waves):
        for p, c, value, lo, hi in _wave(counts[w], hidden[w], cut=cut):
            rows.append(
                {
                    "wave": wave,
                    "provider": ALL if p < 0 else functions[p],
                    "customer": ALL if c < 0 else functions[c],
                    **{
                        f"{name}{suffix}": v if np.isfinite(v) else pd.NA
                        for name, i in (("n", 0), ("promoters", 1), ("detractors", 2))
                        for suffix, v in (("", value[i]), ("_min", lo[i]), ("_max", hi[i]))
                    },
                }
            )
    out = pd.DataFrame(rows, columns=COLUMNS[:-2])
    for column in COLUMNS[3:-2]:
        out[column] = out[column].astype("Int64")
    spans = [out[f"{q}_max"] - out[f"{q}_min"] for q in ("n", "promoters", "detractors")]
    out["pinned"] = ((spans[0] == 0) | (spans[1] == 0) | (spans[2] == 0)).fillna(False)
    out["narrow"] = (spans[0] < min_n).fillna(False)
    return out[COLUMNS]


def summary(result: pd.DataFrame) -> dict:
    """Cells audited, pinned and narrow, and the narrowest range of a withheld ``n`` (None
    when none is bounded)."""
    span = (result["n_max"] - result["n_min"]).dropna()
    return {
        "withheld": len(result),
        "pinned": int(result["pinned"].sum()),
        "narrow": int(result["narrow"].sum()),
        "narrowest_n_range": int(span.min()) if len(span) else None,
    }
