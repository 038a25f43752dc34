"""The disclosure audit: can anything the ledger withholds be worked out from what is shown?

Everything the kit publishes about ratings is a sum of cells of one table per wave: provider x
customer, each cell the 11 counts of its 0-10 answers. The ledger (:class:`kit.ledger.Ledger`)
shows some cells and totals and withholds the others. The audit takes the attacker's view, as
statistical agencies audit cell suppression (tau-ARGUS, R's sdcTable): it assumes every shown
cell and total is published with its whole 0-10 distribution (the most the packs and the
workshop ever show together, so any smaller publication is safer still), that empty cells are
known to be empty, and that a withheld cell holds at least one answer. Every shown total is
then a linear equation on the withheld cells' unknown counts. For each withheld cell and total,
linear and integer programming (HiGHS) find the smallest and largest values of its ``n``,
promoters, passives and detractors that fit every equation: every bound when asked for
(``exact``), otherwise those a verdict depends on (:func:`_ranges`).

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


#: Unknowns up to which the primal simplex is used (2x quicker than the dual on the sample and
#: on a 60-function wave, 900 unknowns by category; the dual is quicker on 3,000 0-10 counts).
PRIMAL_UP_TO = 2000
#: Tables drawn before any bound is solved (optima of random objectives): most ranges open at
#: once, and a 60-function wave needs 4 s, not 14 (``benchmarks/bench_audit.py``).
SPREAD = 40


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


class _Model:
    """Integer counts ``x >= 0`` whose first rows of ``a`` equal ``rhs`` and whose last
    ``cells`` rows (one withheld cell's answers each) are >= 1, optimised objective by objective.

    One model serves every objective: each optimum is first solved as a linear program,
    started from the last one's basis (fast); when its optimal counts are whole numbers they are
    optimal among whole numbers too (tables with fixed totals mostly give whole vertices);
    otherwise the integer program decides.
    """

    def __init__(self, a: np.ndarray, rhs: np.ndarray, cells: int):
        m = csr_array(a)
        self.h = h = _solver()
        h.setOptionValue("presolve", "off")  # each objective re-solved from the last basis
        if a.shape[1] <= PRIMAL_UP_TO:  # measured: primal simplex is quicker on small tables
            h.setOptionValue("simplex_strategy", 4)
        self.variables = v = a.shape[1]
        h.addVars(v, np.zeros(v), np.full(v, highspy.kHighsInf))
        lower = np.concatenate([rhs, np.ones(cells)])
        upper = np.concatenate([rhs, np.full(cells, highspy.kHighsInf)])
        h.addRows(len(lower), lower, upper, m.nnz, m.indptr[:-1], m.indices, m.data)
        self.columns = np.arange(v, dtype=np.int32)

    def _run(self) -> highspy.HighsModelStatus:
        h = self.h
        h.run()
        status = h.getModelStatus()
        if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kUnbounded):
            h.clearSolver()  # a numerical failure: once more, from scratch
            h.setOptionValue("presolve", "on")
            h.run()
            h.setOptionValue("presolve", "off")
            status = h.getModelStatus()
        return status

    def optimum(
        self, objective: np.ndarray, maximise: bool, best: np.ndarray | None = None
    ) -> tuple[float, np.ndarray | None]:
        """The smallest (largest) whole-number value of ``objective @ x``, and an ``x`` that
        attains it (None when nothing shown bounds it, ``-inf`` or ``inf``, or when ``best``,
        the best table found so far, attains it)."""
        attained = objective @ best if best is not None else np.nan
        h, v = self.h, self.variables
        self._aim(objective, maximise)
        status, value, x = self._optimal()
        if x is not None and not _integral(x):
            bound = np.floor(value + 1e-6) if maximise else np.ceil(value - 1e-6)
            if bound == attained:  # no whole table does better than the relaxation's bound
                return bound, None
            h.changeColsIntegrality(v, self.columns, np.full(v, highspy.HighsVarType.kInteger))
            h.setOptionValue("presolve", "on")
            h.clearSolver()  # from the relaxation's state, HiGHS 1.16 may report an optimum of 0
            if best is not None:  # a start: the search need only beat it
                start = highspy.HighsSolution()
                start.col_value = best
                start.value_valid = True
                h.setSolution(start)
            status, value, x = self._optimal()
            h.setOptionValue("presolve", "off")
            h.changeColsIntegrality(v, self.columns, np.full(v, highspy.HighsVarType.kContinuous))
        if status == highspy.HighsModelStatus.kUnbounded:  # nothing shown limits it
            return (np.inf if maximise else -np.inf), None
        if x is None or abs(objective @ x - value) > 1e-6 * max(1.0, abs(value)):
            raise AuditError(f"the solver could not bound a withheld figure ({status.name})")
        return float(np.round(value)), np.round(x)

    def vertex(self, objective: np.ndarray, maximise: bool) -> np.ndarray | None:
        """The relaxation's optimal counts for ``objective``, when they are whole numbers."""
        self._aim(objective, maximise)
        _, _, x = self._optimal()
        return np.round(x) if x is not None and _integral(x) else None

    def _aim(self, objective: np.ndarray, maximise: bool) -> None:
        self.h.changeColsCost(self.variables, self.columns, objective)
        sense = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
        self.h.changeObjectiveSense(sense)

    def _optimal(self) -> tuple[highspy.HighsModelStatus, float, np.ndarray | None]:
        """Run; the status, and the optimum and its counts when found (read at once: a change
        to the model clears them)."""
        status = self._run()
        if status != highspy.HighsModelStatus.kOptimal:
            return status, np.nan, None
        h = self.h
        return status, h.getInfo().objective_function_value, np.asarray(h.getSolution().col_value)


def _integral(x: np.ndarray) -> bool:
    return bool(np.allclose(x, np.round(x), atol=1e-7))


def _ranges(
    model: _Model, targets: np.ndarray, truth: np.ndarray, *, min_n: int, exact: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The smallest and largest value of each target (4 per figure: :data:`MEASURES`).

    With ``exact``, every bound is solved. Otherwise the values of every table found so far
    that fits (the true one first) are kept, and a bound is solved only where they leave a
    decision open: a figure's ``n`` seen within fewer than ``min_n`` values, a category count
    seen at one value only. What the audit decides (:func:`pinned`, ``narrow``, the narrowest
    ``n`` range) is then exact; a range not solved is one that tables which fit attain (the
    true range holds it).
    """
    t = csr_array(targets)
    lo, hi = t @ truth, t @ truth
    tables = [truth]  # every whole table found that fits, and which attains each bound
    lo_at, hi_at = np.zeros(len(targets), dtype=int), np.zeros(len(targets), dtype=int)
    q = len(MEASURES)
    figures = len(targets) // q
    solved = np.zeros((len(targets), 2), dtype=bool)

    def found(x: np.ndarray | None) -> None:
        if x is None:
            return
        seen = t @ x
        lo_at[seen < lo], hi_at[seen > hi] = len(tables), len(tables)
        np.minimum(lo, seen, out=lo)
        np.maximum(hi, seen, out=hi)
        tables.append(x)

    def solve(i: int, maximise: bool) -> None:
        if solved[i, int(maximise)]:
            return
        best = tables[(hi_at if maximise else lo_at)[i]]
        value, x = model.optimum(targets[i], maximise, best)
        solved[i, int(maximise)] = True
        found(x)
        (hi if maximise else lo)[i] = value

    rng = np.random.default_rng(0)
    for i in range(SPREAD):  # a few tables far apart, to open most ranges at once
        found(model.vertex(rng.normal(size=targets.shape[1]), bool(i % 2)))
    for f in range(figures):
        n = q * f
        for maximise in (False, True):  # its size, within fewer than min_n values?
            if exact or hi[n] - lo[n] < min_n:
                solve(n, maximise)
        for i in range(n + 1, n + q):  # a category count with one possible value?
            for maximise in (False, True):
                if exact or lo[i] == hi[i]:
                    solve(i, maximise)
    # the narrowest range of an n, exact: solve the ranges seen narrower than the best solved
    width = hi[::q] - lo[::q]
    known = solved[::q].all(axis=1)
    best = width[known].min() if known.any() else np.inf
    for f in np.argsort(width, kind="stable"):
        if known[f]:
            continue
        if width[f] >= best:
            break
        solve(q * f, False)
        solve(q * f, True)
        best = min(best, hi[q * f] - lo[q * f])
    return lo, hi


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
    """A row over ``k`` unknowns (``len(weights)`` per withheld cell) weighting cells ``js``."""
    row, w = np.zeros(k), len(weights)
    for j in js:
        row[j * w : (j + 1) * w] = weights
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
    counts: np.ndarray,
    hidden: np.ndarray,
    *,
    cut: tuple[int, int],
    published: dict[str, str],
    min_n: int,
    exact: bool,
    by_category: bool = True,
) -> list[tuple[int, int, np.ndarray, np.ndarray, np.ndarray]]:
    """``(p, c, true, low, high)`` for every withheld cell and total of one wave (``p`` or
    ``c`` = -1 for a total); each array holds n, promoters, passives, detractors."""
    providers, customers = counts.shape[:2]
    n = counts.sum(axis=2)
    cells = [(p, c) for p in range(providers) for c in range(customers) if hidden[p, c] and n[p, c]]
    if not cells:
        return []
    measures = _measures(cut)
    if by_category and "categories" in (published["row"], published["col"]):
        # The 0-10 answers are then shown for providers and the organisation (or customers and
        # the organisation) only: sets of cells that nest. Any cells' category counts that fit
        # the shown totals split into 0-10 answers that fit them too (each set's answers are
        # shared out among its cells, category by category, with nothing else to satisfy),
        # so the categories are the unknowns: 3 per cell, not 11, and the same ranges.
        counts = counts @ measures[1:].T
        measures = np.vstack([np.ones(3), np.eye(3)])
    width = counts.shape[2]
    groups = {
        "scores": [np.arange(width) == s for s in range(width)] if width == 11 else [],
        "categories": [m.astype(bool) for m in measures[1:]],
    }
    if width == 3:
        groups["scores"] = groups["categories"]
    k = len(cells) * width
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
    per_cell = np.vstack([_spread(k, [j], np.ones(width)) for j in range(len(cells))])
    model = _Model(np.vstack([*equations, per_cell]), np.array(rhs, float), len(cells))
    truth = np.concatenate([counts[p, c] for p, c in cells]).astype(float)
    lo, hi = _ranges(model, np.array(targets), truth, min_n=min_n, exact=exact)
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
    exact: bool = False,
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
    exact
        Solve every bound. By default a bound is solved only where what the audit decides
        depends on it (:func:`_ranges`): ``pinned``, ``narrow`` and the narrowest range are the
        same either way, and every range shown as a single value is exact.

    Returns
    -------
    pandas.DataFrame
        One row per withheld cell or total with answers (:data:`COLUMNS`): its true ``n``,
        ``promoters``, ``passives`` and ``detractors`` and the smallest and largest value of
        each that fits everything shown (NA: no bound; without ``exact``, a range that decides
        nothing may be narrower than the true one, never wider); ``pinned`` when they give the
        group away (:func:`pinned`), ``narrow`` when ``n_max - n_min < min_n``. A total reads
        :data:`ALL` as its provider or customer.
    """
    if detail not in PUBLISHED:
        raise ValueError(f"detail must be one of {', '.join(PUBLISHED)}, not {detail!r}")
    rows = []
    for w, wave in enumerate(waves):
        for p, c, value, lo, hi in _wave(
            counts[w], hidden[w], cut=cut, published=PUBLISHED[detail], min_n=min_n, exact=exact
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
