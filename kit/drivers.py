"""Which driver ratings move the likelihood-to-recommend score: relative importance (LMG).

Each driver's importance is its average gain in R² when it enters a linear model of the
score, over every order in which the drivers can enter (Lindeman, Merenda & Gold, 1980;
Grömping, 2006, R package relaimpo, metric "lmg"; the Shapley value of R²). The shares add up
to the model's R² and do not depend on the order the drivers are listed in, which is why they
are preferred to regression weights when drivers are correlated, as survey ratings always are.
Uncertainty comes from a seeded percentile bootstrap over respondents.

Example
-------
>>> from kit.config import SAMPLE_CONFIG, load_engagement
>>> from kit.data import load
>>> ds = load(load_engagement(SAMPLE_CONFIG))
>>> table = importance(ds.responses, resamples=200)
>>> table["label"].iloc[0], round(float(table["share"].sum()), 6)
('Responsiveness', 1.0)
"""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd

__all__ = ["driver_columns", "importance"]


def driver_columns(data: pd.DataFrame, *, prefix: str = "driver_") -> list[str]:
    """The driver rating columns, in table order."""
    return [c for c in data.columns if str(c).startswith(prefix)]


def _label(column: str, prefix: str = "driver_") -> str:
    return column.removeprefix(prefix).replace("_", " ").strip().capitalize()


def _r2(cov: np.ndarray, subset: tuple[int, ...]) -> np.ndarray:
    """R² of the score (index 0) on the drivers in ``subset`` (1-based), for a stack of
    covariance matrices of shape (..., k + 1, k + 1)."""
    if not subset:
        return np.zeros(cov.shape[:-2])
    idx = np.array(subset)
    sxx = cov[..., idx[:, None], idx[None, :]]
    sxy = cov[..., idx, 0]
    beta = np.linalg.solve(sxx, sxy[..., None])[..., 0]
    return np.einsum("...i,...i->...", beta, sxy) / cov[..., 0, 0]


def _lmg(cov: np.ndarray) -> np.ndarray:
    """LMG of every driver from a stack of covariance matrices: shape (..., k)."""
    k = cov.shape[-1] - 1
    r2 = {s: _r2(cov, s) for size in range(k + 1) for s in combinations(range(1, k + 1), size)}
    out = np.zeros((*cov.shape[:-2], k))
    for j in range(1, k + 1):
        others = [i for i in range(1, k + 1) if i != j]
        for size in range(k):
            weight = factorial(size) * factorial(k - size - 1) / factorial(k)
            for s in combinations(others, size):
                with_j = tuple(sorted((*s, j)))
                out[..., j - 1] += weight * (r2[with_j] - r2[s])
    return out


def _weighted_cov(z: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Covariance matrices of the rows of ``z`` weighted by each row of ``counts``."""
    n = counts.sum(axis=1, keepdims=True)
    mean = counts @ z / n
    second = np.einsum("bn,ni,nj->bij", counts, z, z, optimize=True) / n[..., None]
    return second - mean[:, :, None] * mean[:, None, :]


def importance(
    data: pd.DataFrame,
    *,
    score: str = "score",
    drivers: list[str] | None = None,
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 2026,
    min_n: int = 30,
) -> pd.DataFrame:
    """Relative importance of each driver for the score, with bootstrap intervals.

    Rows with a blank score or driver are left out (complete cases).

    Returns
    -------
    DataFrame
        One row per driver, most important first: ``driver, label, lmg`` (R² points it
        accounts for, 0-1), ``share`` (of the model's R², adding up to 1), ``ci_low, ci_high``
        (of ``lmg``), ``rank``, ``correlation`` (with the score), and the model's ``r2`` and
        ``n`` (complete rows) repeated on every row.
    """
    drivers = list(drivers) if drivers is not None else driver_columns(data)
    if len(drivers) < 2:
        raise ValueError(f"a driver analysis needs at least 2 driver columns, found {drivers}")
    missing = [c for c in [score, *drivers] if c not in data.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in the data")
    values = data[[score, *drivers]].apply(pd.to_numeric, errors="coerce").dropna()
    if len(values) < min_n:
        raise ValueError(
            f"only {len(values)} responses have the score and every driver rated; at least "
            f"{min_n} are needed"
        )
    flat = [c for c in values.columns if values[c].nunique() < 2]
    if flat:
        raise ValueError(f"column(s) {flat} have the same value in every response")
    z = values.to_numpy(dtype=float)
    point = _lmg(np.cov(z, rowvar=False)[None])[0]
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(len(z), np.full(len(z), 1 / len(z)), size=resamples).astype(float)
    boot = _lmg(_weighted_cov(z, counts))
    alpha = (1 - confidence) / 2
    lo, hi = np.nanquantile(boot, [alpha, 1 - alpha], axis=0)
    r2 = float(point.sum())
    out = pd.DataFrame(
        {
            "driver": drivers,
            "label": [_label(c) for c in drivers],
            "lmg": point,
            "share": point / r2,
            "ci_low": lo,
            "ci_high": hi,
            "correlation": [float(values[score].corr(values[c])) for c in drivers],
        }
    )
    out = out.sort_values("lmg", ascending=False, ignore_index=True)
    out.insert(6, "rank", np.arange(1, len(out) + 1))
    return out.assign(r2=r2, n=len(values))
