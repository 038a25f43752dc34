"""Which driver ratings move the likelihood-to-recommend score: relative importance (LMG).

Each driver's importance is its average gain in R² when it enters a linear model of the
score, over every order in which the drivers can enter (Lindeman, Merenda & Gold, 1980;
Grömping, 2006, R package relaimpo, metric "lmg"; the Shapley value of R²). The shares add up
to the model's R² and do not depend on the order the drivers are listed in, which is why they
are preferred to regression weights when drivers are correlated, as survey ratings always are.
Uncertainty comes from a seeded percentile bootstrap over the respondents (each with all
the ratings they gave).

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
from scipy import stats

from kit.nps import change_design_effect, mean_design_effect, people, z_critical

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


def _resampled_covariances(z: np.ndarray, who: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """Covariance matrices of ``resamples`` bootstrap resamples of the people of ``who`` (one
    per row of ``z``), each drawn with all their rows: a person who rated several functions
    is one draw, not several independent ones.

    A person counts only through their rows' number, sums and cross-products: whole numbers,
    as ratings are, so people collapse into a few thousand distinct profiles at most, and a
    resample is how often each profile was drawn."""
    k = z.shape[1]
    _, person = np.unique(who, return_inverse=True)
    rows = np.column_stack(
        [np.ones(len(z)), z, (z[:, :, None] * z[:, None, :]).reshape(len(z), -1)]
    )
    sums = np.zeros((person.max() + 1, rows.shape[1]))
    np.add.at(sums, person, rows)
    profiles, profile = np.unique(sums, axis=0, return_inverse=True)
    pool = np.sort(profile.ravel())  # drawing a person is drawing a place in this list
    rng = np.random.default_rng(seed)
    total = np.empty((resamples, profiles.shape[1]))
    for start in range(0, resamples, _CHUNK):
        size = min(_CHUNK, resamples - start)
        drawn = pool[rng.integers(0, len(pool), size=(size, len(pool)))]
        drawn += np.arange(size)[:, None] * len(profiles)
        counts = np.bincount(drawn.ravel(), minlength=size * len(profiles))
        total[start : start + size] = counts.reshape(size, -1) @ profiles
    n = total[:, :1]
    mean = total[:, 1 : 1 + k] / n
    second = total[:, 1 + k :].reshape(-1, k, k) / n[:, :, None]
    return second - mean[:, :, None] * mean[:, None, :]


_CHUNK = 100  # resamples drawn at once (memory: 100 x the people, in 8-byte integers)


def importance(
    data: pd.DataFrame,
    *,
    score: str = "score",
    drivers: list[str] | None = None,
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 2026,
    min_n: int = 50,
    cluster: str | None = None,
) -> pd.DataFrame:
    """Relative importance of each driver for the score, with bootstrap intervals.

    Rows with a blank score or driver are left out (complete cases). With ``cluster`` (who
    gave each rating, e.g. ``"respondent_id"``) the bootstrap draws people with all their
    ratings, so that one person's several ratings (an organisation's respondents rate
    several functions) do not narrow the intervals; without it, each row is drawn alone.

    Returns
    -------
    DataFrame
        One row per driver, most important first: ``driver, label, lmg`` (R² points it
        accounts for, 0-1), ``share`` (of the model's R², adding up to 1), ``ci_low, ci_high``
        (of ``lmg``), ``rank``, ``correlation`` (with the score), ``share_low, share_high``
        (of ``share``, from the same resamples), and the model's ``r2`` and ``n`` (complete
        rows) repeated on every row. Fewer than ``min_n`` complete rows raise ValueError:
        with fewer, the order of the drivers is mostly noise.
    """
    drivers = list(drivers) if drivers is not None else driver_columns(data)
    if len(drivers) < 2:
        raise ValueError(f"a driver analysis needs at least 2 driver columns, found {drivers}")
    missing = [c for c in [score, *drivers] if c not in data.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in the data")
    numbers = data[[score, *drivers]].apply(pd.to_numeric, errors="coerce")
    complete = numbers.notna().all(axis=1).to_numpy()
    values = numbers[complete]
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
    who = people(data[cluster][complete]) if cluster else np.arange(len(z))
    boot = _lmg(_resampled_covariances(z, who, resamples, seed))
    alpha = (1 - confidence) / 2
    lo, hi = np.nanquantile(boot, [alpha, 1 - alpha], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = boot / boot.sum(axis=1, keepdims=True)
    share_lo, share_hi = np.nanquantile(shares, [alpha, 1 - alpha], axis=0)
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
            "share_low": share_lo,
            "share_high": share_hi,
        }
    )
    out = out.sort_values("lmg", ascending=False, ignore_index=True)
    out.insert(6, "rank", np.arange(1, len(out) + 1))
    return out.assign(r2=r2, n=len(values))


def levels(
    data: pd.DataFrame,
    *,
    waves: tuple[str, str] | tuple[str],
    drivers: list[str],
    wave: str = "wave",
    cluster: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """How each driver is rated (mean on its 1-5 scale) in the last of ``waves``, and its
    change since the first when two are given.

    Intervals are normal ones on the mean; with ``cluster`` (who gave each rating) one
    person's several ratings, and their answers in both waves, are taken into account as in
    :func:`kit.nps.design_effects` and :func:`kit.nps.change_design_effect`.

    Returns one row per driver: ``driver, label, n, mean, ci_low, ci_high``, and with two
    waves ``previous, change, change_low, change_high, p_value``.
    """
    z = z_critical(confidence)
    now, before = waves[-1], (waves[0] if len(waves) == 2 else None)
    rows = []
    for column in drivers:
        values = data[[wave, column] + ([cluster] if cluster else [])].copy()
        values[column] = pd.to_numeric(values[column], errors="coerce")
        values = values.dropna(subset=[column])
        b = values[values[wave] == now]
        n = len(b)
        deff = mean_design_effect(b[column], b[cluster]) if cluster and n else 1.0
        se = float(np.sqrt(b[column].var(ddof=0) / n * deff)) if n else np.nan
        mean = float(b[column].mean()) if n else np.nan
        row = {"driver": column, "label": _label(column), "n": n}
        row |= {"mean": mean, "ci_low": mean - z * se, "ci_high": mean + z * se}
        if before is not None:
            a = values[values[wave] == before]
            change = mean - float(a[column].mean()) if len(a) and n else np.nan
            effect = (
                change_design_effect(a[column], b[column], a[cluster], b[cluster])
                if cluster and len(a) and n
                else 1.0
            )
            var = (
                a[column].var(ddof=0) / len(a) + b[column].var(ddof=0) / n
                if len(a) and n
                else np.nan
            )
            se_change = float(np.sqrt(var * effect))
            p = float(2 * stats.norm.sf(abs(change / se_change))) if se_change > 0 else np.nan
            row |= {
                "previous": float(a[column].mean()) if len(a) else np.nan,
                "change": change,
                "change_low": change - z * se_change,
                "change_high": change + z * se_change,
                "p_value": p,
            }
        rows.append(row)
    return pd.DataFrame(rows)
