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

A withheld figure is **pinned** when its ``n`` has a single possible value, or its number of
promoters, passives or detractors a single possible value above zero, or when all its answers
can only fall in one category (:func:`pinned`); it is **narrow** when the range of its ``n`` is
smaller than the anonymity threshold.

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

import os
import sys
from collections.abc import Sequence

import highspy
import numpy as np
import pandas as pd
from scipy.sparse import csr_array

from kit.errors import KitError

__all__ = ["ALL", "COLUMNS", "MEASURES", "PUBLISHED", "audit", "pinned", "summary"]


class AuditError(KitError):
    """The audit could not be completed; nothing should be published until it is."""


#: The name of a total (row, column or grand total) in the audit's table.
ALL = "All functions"
#: The figures audited for each withheld cell and total.
MEASURES = ("n", "promoters", "passives", "detractors")
COLUMNS = [
    "wave",
    "provider",
    "customer",
    *(f"{m}{suffix}" for m in MEASURES for suffix in ("", "_min", "_max")),
    "pinned",
    "narrow",
]


#: Unknowns up to which the primal simplex is used (2x quicker on the sample's 500; the dual,
#: 3x quicker on a 60-function wave's 3,200: ``benchmarks/bench_audit.py``).
PRIMAL_UP_TO = 2000


def _solver():
    """A quiet HiGHS solver. HiGHS prints a banner on the process's standard output when its
    first solver is made (past Python, into a notebook's output or a batch log): kept out."""
    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
    h.setOptionValue("output_flag", False)
    return h


def _bounds(
    objectives: np.ndarray, a: np.ndarray, rhs: np.ndarray, cells: int
) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of each objective over integer counts ``x >= 0`` whose first rows of ``a``
    equal ``rhs`` and whose last ``cells`` rows (one withheld cell's answers each) are >= 1.

    One model serves every objective: each bound is first solved as a linear program,
    started from the last one's basis (fast); when its optimal counts are whole numbers they are
    optimal among whole numbers too (tables with fixed totals mostly give whole vertices);
    otherwise the integer program decides.
    """
    m = csr_array(a)
    h = _solver()
    h.setOptionValue("presolve", "off")  # each objective re-solved from the last basis
    if a.shape[1] <= PRIMAL_UP_TO:  # measured: primal simplex is quicker on small tables
        h.setOptionValue("simplex_strategy", 4)
    variables = a.shape[1]
    h.addVars(variables, np.zeros(variables), np.full(variables, highspy.kHighsInf))
    lower = np.concatenate([rhs, np.ones(cells)])
    upper = np.concatenate([rhs, np.full(cells, highspy.kHighsInf)])
    h.addRows(len(lower), lower, upper, m.nnz, m.indptr[:-1], m.indices, m.data)
    columns = np.arange(variables, dtype=np.int32)
    whole = np.full(variables, highspy.HighsVarType.kInteger)
    real = np.full(variables, highspy.HighsVarType.kContinuous)
    optimal, unbounded = highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kUnbounded

    def solve() -> tuple[highspy.HighsModelStatus, float, np.ndarray]:
        h.run()
        status = h.getModelStatus()
        if status not in (optimal, unbounded):  # a numerical failure: once more, from scratch
            h.clearSolver()
            h.setOptionValue("presolve", "on")
            h.run()
            h.setOptionValue("presolve", "off")
            status = h.getModelStatus()
        if status != optimal:
            return status, np.nan, np.empty(0)
        return status, h.getInfo().objective_function_value, np.asarray(h.getSolution().col_value)

    lo, hi = np.empty(len(objectives)), np.empty(len(objectives))
    for i, objective in enumerate(objectives):
        h.changeColsCost(variables, columns, objective)
        for sense, out in ((highspy.ObjSense.kMinimize, lo), (highspy.ObjSense.kMaximize, hi)):
            h.changeObjectiveSense(sense)
            status, value, x = solve()
            if status == optimal and not np.allclose(x, np.round(x), atol=1e-7):
                h.changeColsIntegrality(variables, columns, whole)
                h.setOptionValue("presolve", "on")
                status, value, _ = solve()
                h.setOptionValue("presolve", "off")
                h.changeColsIntegrality(variables, columns, real)
            if status == optimal:
                out[i] = value
            elif status == unbounded:  # nothing shown limits it
                out[i] = -np.inf if sense == highspy.ObjSense.kMinimize else np.inf
            else:
                raise AuditError(f"the solver could not bound a withheld figure ({status.name})")
    return np.round(lo), np.round(hi)


#: What is taken as published for each shown line of a wave's table, by detail: its 0-10
#: answers (``"scores"``) or its detractors, passives and promoters (``"categories"``). The kit
#: publishes a function's score and the organisation's with their 0-10 bars (the packs'
#: distribution charts, the workshop), cells and customer groups' totals with their split.
PUBLISHED = {
    "published": {"row": "scores", "col": "categories", "all": "scores"},
    "scores": {"row": "scores", "col": "scores", "all": "scores"},
    "categories": {"row": "categories", "col": "categories", "all": "categories"},
}


def _measures(cut: tuple[int, int]) -> np.ndarray:
    """Rows over the 11 scores: every answer, promoters, passives, detractors."""
    s = np.arange(11)
    return np.vstack([np.ones(11), s > cut[1], (s > cut[0]) & (s <= cut[1]), s <= cut[0]])


def _spread(k: int, js, weights) -> np.ndarray:
    """A row over ``k`` unknowns (11 per withheld cell) weighting the scores of cells ``js``."""
    row = np.zeros(k)
    for j in js:
        row[j * 11 : (j + 1) * 11] = weights
    return row


def _line_hidden(hidden: np.ndarray, kind: str, i: int) -> bool:
    return bool(
        hidden[i, -1] if kind == "row" else hidden[-1, i] if kind == "col" else hidden[-1, -1]
    )


def _whole(counts: np.ndarray, kind: str, i: int) -> np.ndarray:
    """A line's 11 counts: a provider's row, a customer's column or the grand total."""
    if kind == "row":
        return counts[i].sum(axis=0)
    if kind == "col":
        return counts[:, i].sum(axis=0)
    return counts.sum(axis=(0, 1))


def _wave(
    counts: np.ndarray, hidden: np.ndarray, *, cut: tuple[int, int], published: dict[str, str]
) -> list[tuple[int, int, np.ndarray, np.ndarray, np.ndarray]]:
    """``(p, c, true, low, high)`` for every withheld cell and total of one wave (``p`` or
    ``c`` = -1 for a total); each array holds n, promoters, passives, detractors."""
    providers, customers = counts.shape[:2]
    n = counts.sum(axis=2)
    cells = [(p, c) for p in range(providers) for c in range(customers) if hidden[p, c] and n[p, c]]
    if not cells:
        return []
    measures = _measures(cut)
    groups = {
        "scores": [np.arange(11) == s for s in range(11)],
        "categories": [m.astype(bool) for m in measures[1:]],
    }
    k = len(cells) * 11
    lines: dict[tuple[str, int], list[int]] = {}  # one system: the grand total links them all
    for j, (p, c) in enumerate(cells):
        lines.setdefault(("row", p), []).append(j)
        lines.setdefault(("col", c), []).append(j)
    lines[("all", 0)] = list(range(len(cells)))

    equations, rhs = [], []
    for (kind, i), js in lines.items():
        if _line_hidden(hidden, kind, i):
            continue
        for group in groups[published[kind]]:  # a shown total less its shown cells
            equations.append(_spread(k, js, group))
            rhs.append(sum(counts[cells[j]][group].sum() for j in js))
    targets, truths = [], []  # (p, c, true values, the known part of a total)
    for j, (p, c) in enumerate(cells):
        targets += [_spread(k, [j], m) for m in measures]
        truths.append((p, c, measures @ counts[p, c], np.zeros(len(measures))))
    for (kind, i), js in lines.items():
        if not _line_hidden(hidden, kind, i):
            continue
        whole = _whole(counts, kind, i)
        known = whole - sum(counts[cells[j]] for j in js)
        targets += [_spread(k, js, m) for m in measures]
        truths.append(
            (
                i if kind == "row" else -1,
                i if kind == "col" else -1,
                measures @ whole,
                measures @ known,
            )
        )
    per_cell = np.vstack([_spread(k, [j], np.ones(11)) for j in range(len(cells))])
    lo, hi = _bounds(
        np.array(targets), np.vstack([*equations, per_cell]), np.array(rhs, float), len(cells)
    )
    q = len(measures)
    return [
        (p, c, value, lo[q * t : q * t + q] + known, hi[q * t : q * t + q] + known)
        for t, (p, c, value, known) in enumerate(truths)
    ]


def audit(
    counts: np.ndarray,
    hidden: np.ndarray,
    *,
    waves: Sequence[str],
    functions: Sequence[str],
    min_n: int,
    cut: tuple[int, int] = (6, 8),
    detail: str = "published",
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
        What is taken as published for every shown total (:data:`PUBLISHED`):
        ``"published"``, what the kit shows (functions' and the organisation's 0-10 answers,
        customer groups' split); ``"scores"``, every total's 0-10 answers; ``"categories"``,
        every total's detractors, passives and promoters only. Shown cells are always taken
        as known answer by answer (an attacker knows no less).

    Returns
    -------
    pandas.DataFrame
        One row per withheld cell or total with answers (:data:`COLUMNS`): its true ``n``,
        ``promoters``, ``passives`` and ``detractors`` and the smallest and largest value of
        each that fits everything shown (NA: no bound); ``pinned`` when they give the group
        away (:func:`pinned`), ``narrow`` when ``n_max - n_min < min_n``. A total reads :data:`ALL`
        as its provider or customer.
    """
    if detail not in PUBLISHED:
        raise ValueError(f"detail must be one of {', '.join(PUBLISHED)}, not {detail!r}")
    rows = []
    for w, wave in enumerate(waves):
        for p, c, value, lo, hi in _wave(
            counts[w], hidden[w], cut=cut, published=PUBLISHED[detail]
        ):
            rows.append(
                {
                    "wave": wave,
                    "provider": ALL if p < 0 else functions[p],
                    "customer": ALL if c < 0 else functions[c],
                    **{
                        f"{name}{suffix}": v if np.isfinite(v) else pd.NA
                        for i, name in enumerate(MEASURES)
                        for suffix, v in (("", value[i]), ("_min", lo[i]), ("_max", hi[i]))
                    },
                }
            )
    out = pd.DataFrame(rows, columns=COLUMNS[:-2])
    for column in COLUMNS[3:-2]:
        out[column] = out[column].astype("Int64")
    out["pinned"] = pinned(out)
    out["narrow"] = (out["n_max"] - out["n_min"] < min_n).fillna(False)
    return out[COLUMNS]


def pinned(ranges: pd.DataFrame) -> pd.Series:
    """Which withheld figures are given away: their size worked out exactly, or the number
    of their promoters, passives or detractors worked out at a value above zero, or all their
    answers known to fall in one category (only one category may hold any).

    A category known to hold nobody while two others stay possible is not counted: it says
    of a withheld group what a shown group with none of them (0% promoters, say) says of its
    members, which every table of NPS results publishes.
    """
    exact = ranges["n_min"] == ranges["n_max"]
    possible = 0
    for m in MEASURES[1:]:
        exact |= (ranges[f"{m}_min"] == ranges[f"{m}_max"]) & (ranges[f"{m}_min"] > 0)
        possible = possible + (ranges[f"{m}_max"] > 0).fillna(True).astype(int)
    return (exact.fillna(False) | (possible < 2)).astype(bool)


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
