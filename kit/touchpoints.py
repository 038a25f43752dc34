"""External touchpoint coordination: how many functions reach the same physician, and when.

A **collision** is a pair of touches of the same external stakeholder by two *different*
functions at most ``collision_days`` days apart (0: the same day). Touches by one function
never collide with each other. **Over-contact** is more touches in a period (a calendar quarter
by default) than the agreed ``cap``. Everything is vectorised: windows are found with sorted
keys and ``searchsorted``, never by comparing every pair.

Example
-------
>>> from kit.config import SAMPLE_CONFIG, load_engagement
>>> from kit.data import load
>>> ds = load(load_engagement(SAMPLE_CONFIG))
>>> table = per_stakeholder(ds.touchpoints, cap=12, collision_days=7)
>>> int(table["collisions"].sum())
1356
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "REQUIRED",
    "collisions",
    "collision_matrix",
    "coordination",
    "coordination_score",
    "over_contacted",
    "per_stakeholder",
    "segments",
]

REQUIRED = ("external_id", "segment", "function", "channel", "date")


def _check(touchpoints: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in REQUIRED if c not in touchpoints.columns]
    if missing:
        raise ValueError(f"touchpoints: missing column(s) {missing}; expected {list(REQUIRED)}")
    dates = pd.to_datetime(touchpoints["date"], errors="coerce")
    bad = dates.isna() & touchpoints["date"].notna()
    blank = touchpoints["date"].isna()
    if bad.any() or blank.any():
        rows = [int(i) + 2 for i in np.flatnonzero((bad | blank).to_numpy())[:10]]
        raise ValueError(
            f"touchpoints: {int(bad.sum() + blank.sum())} date(s) blank or not readable, at "
            f"file rows {rows} (e.g. {touchpoints['date'][bad | blank].iloc[0]!r}); use "
            "YYYY-MM-DD"
        )
    return touchpoints.assign(date=dates)


def _codes(data: pd.DataFrame, days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Stakeholder codes, function codes and sortable day keys (a gap wider than the window
    between stakeholders)."""
    who = pd.factorize(data["external_id"])[0].astype(np.int64)
    fn = pd.factorize(data["function"])[0].astype(np.int64)
    day = data["date"].to_numpy("datetime64[D]").astype(np.int64)
    day = day - (day.min() if len(day) else 0)
    span = int(day.max()) + 2 * days + 10 if len(day) else 1
    return who, fn, day, span


def _window(group: np.ndarray, day: np.ndarray, span: int, days: int):
    """Per touch (in the input order): touches of the same group before it within ``days``
    (each pair once, ties broken by position) and touches of the group around it."""
    key = group * span + day
    order = np.argsort(key, kind="stable")
    k = key[order]
    lo = np.searchsorted(k, k - days, side="left")
    hi = np.searchsorted(k, k + days, side="right")
    before, around = np.empty(len(k), np.int64), np.empty(len(k), np.int64)
    before[order] = np.arange(len(k)) - lo
    around[order] = hi - lo
    return before, around


def _per_touch(data: pd.DataFrame, days: int) -> pd.DataFrame:
    """Per touch: collisions with earlier touches (each pair counted once), whether the
    touch collides with anyone at all, and the stakeholder and function codes."""
    who, fn, day, span = _codes(data, days)
    before_all, around_all = _window(who, day, span, days)
    same = who * (int(fn.max()) + 1 if len(fn) else 1) + fn
    before_same, around_same = _window(same, day, span, days)
    return data.assign(
        collisions=before_all - before_same,
        colliding=(around_all - around_same) > 0,
        who_code=who,
        function_code=fn,
        day_key=who * span + day,
    )


def _distinct(group: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    """Distinct ``values`` (integer codes) per ``group`` code (sort-based: fast for ints)."""
    width = int(values.max()) + 1
    pairs = np.sort(group * width + values)
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
    return np.bincount(pairs // width, minlength=groups)


def per_stakeholder(
    touchpoints: pd.DataFrame, *, period: str = "Q", cap: int = 12, collision_days: int = 7
) -> pd.DataFrame:
    """One row per external stakeholder and period: touches, distinct functions and channels,
    collisions (counted in the period of the later touch), and over-contact against ``cap``."""
    return _by_stakeholder(_per_touch(_check(touchpoints), collision_days), period, cap)


def _by_stakeholder(data: pd.DataFrame, period: str, cap: int) -> pd.DataFrame:
    who = data["who_code"].to_numpy()
    when, when_names = pd.factorize(data["date"].dt.to_period(period), sort=True)
    slots = max(len(when_names), 1)
    gid, groups = pd.factorize(who * slots + when, sort=True)
    n = len(groups)
    order = np.argsort(gid, kind="stable")
    first = order[np.r_[True, gid[order][1:] != gid[order][:-1]]] if n else order
    out = pd.DataFrame(
        {
            "external_id": data["external_id"].to_numpy()[first],
            "segment": data["segment"].to_numpy()[first],
            "period": when_names.astype(str)[groups % slots],
            "touches": np.bincount(gid, minlength=n),
            "functions": _distinct(gid, data["function_code"].to_numpy(), n) if n else [],
            "channels": _distinct(gid, pd.factorize(data["channel"])[0], n) if n else [],
            "collisions": np.bincount(gid, weights=data["collisions"], minlength=n).astype(int),
        }
    )
    out["over_cap"] = out["touches"] > cap
    out["excess"] = (out["touches"] - cap).clip(lower=0)
    return out


def collisions(touchpoints: pd.DataFrame, *, collision_days: int = 7) -> pd.DataFrame:
    """Every colliding pair: ``external_id, function_a, function_b`` (a < b), the two dates
    and ``days_apart``. For inspection: the list grows with the square of the touches one
    person gets; the counting functions never build it."""
    data = _check(touchpoints).sort_values(["external_id", "date"], kind="stable")
    data = data.reset_index(drop=True)
    who, _, day, span = _codes(data, collision_days)
    count, _ = _window(who, day, span, collision_days)  # the frame is in key order
    i = np.repeat(np.arange(len(data)), count)
    offset = np.arange(len(i)) - np.repeat(np.cumsum(count) - count, count) + 1
    j = i - offset
    fa, fb = data["function"].to_numpy()[i], data["function"].to_numpy()[j]
    keep = fa != fb
    i, j, fa, fb = i[keep], j[keep], fa[keep], fb[keep]
    first = np.where(fa < fb, i, j)
    second = np.where(fa < fb, j, i)
    dates = data["date"].to_numpy()
    return pd.DataFrame(
        {
            "external_id": data["external_id"].to_numpy()[i],
            "function_a": data["function"].to_numpy()[first],
            "function_b": data["function"].to_numpy()[second],
            "date_a": dates[first],
            "date_b": dates[second],
            "days_apart": np.abs((dates[i] - dates[j]).astype("timedelta64[D]").astype(int)),
        }
    )


def collision_matrix(touchpoints: pd.DataFrame, *, collision_days: int = 7) -> pd.DataFrame:
    """Collisions per pair of functions (each pair once, ``function_a`` < ``function_b``).

    Counted without listing the pairs: for each function A and each other function B, the
    touches of B within the window of each touch of A (sorted keys and ``searchsorted``).
    """
    data = _check(touchpoints)
    who, _, day, span = _codes(data, collision_days)
    return _matrix(data.assign(day_key=who * span + day), collision_days)


def _matrix(data: pd.DataFrame, collision_days: int) -> pd.DataFrame:
    key = data["day_key"].to_numpy()
    functions = sorted(data["function"].unique())
    by_function = {f: np.sort(key[(data["function"] == f).to_numpy()]) for f in functions}
    rows = []
    for i, a in enumerate(functions):
        mine = by_function[a]
        for b in functions[i + 1 :]:
            theirs = by_function[b]
            lo = np.searchsorted(theirs, mine - collision_days, side="left")
            hi = np.searchsorted(theirs, mine + collision_days, side="right")
            count = int((hi - lo).sum())
            if count:
                rows.append({"function_a": a, "function_b": b, "collisions": count})
    out = pd.DataFrame(rows, columns=["function_a", "function_b", "collisions"])
    return out.sort_values("collisions", ascending=False, kind="stable", ignore_index=True)


def over_contacted(table: pd.DataFrame, *, top: int = 15) -> pd.DataFrame:
    """The stakeholders most over-contacted over all periods of :func:`per_stakeholder`."""
    out = (
        table.groupby(["external_id", "segment"], sort=False)
        .agg(
            touches=("touches", "sum"),
            peak=("touches", "max"),
            periods_over_cap=("over_cap", "sum"),
            excess=("excess", "sum"),
            functions=("functions", "max"),
            collisions=("collisions", "sum"),
        )
        .reset_index()
    )
    out = out.sort_values(
        ["excess", "collisions", "external_id"], ascending=[False, False, True], kind="stable"
    )
    return out.head(top).reset_index(drop=True)


def segments(table: pd.DataFrame) -> pd.DataFrame:
    """Per segment: stakeholders, touches per stakeholder and period, share of stakeholder
    periods over the cap, and collisions per stakeholder."""
    g = table.groupby("segment", sort=True)
    out = pd.DataFrame(
        {
            "stakeholders": g["external_id"].nunique(),
            "touches_per_period": g["touches"].mean(),
            "share_over_cap": g["over_cap"].mean(),
            "collisions_per_stakeholder": g["collisions"].sum() / g["external_id"].nunique(),
        }
    ).reset_index()
    return out.sort_values("collisions_per_stakeholder", ascending=False, ignore_index=True)


def coordination_score(touchpoints: pd.DataFrame, *, collision_days: int = 7) -> pd.DataFrame:
    """Per function: its touches, how many collide with another function's touch, and a
    coordination score = 100 x (1 - colliding share): 100 means none of its touches lands
    within ``collision_days`` of another function's touch on the same person."""
    return _scores(_per_touch(_check(touchpoints), collision_days))


def _scores(data: pd.DataFrame) -> pd.DataFrame:
    g = data.groupby("function", sort=True)
    out = pd.DataFrame({"touches": g.size(), "colliding": g["colliding"].sum()}).reset_index()
    out["colliding_share"] = out["colliding"] / out["touches"]
    out["score"] = 100 * (1 - out["colliding_share"])
    return out.sort_values("score", kind="stable", ignore_index=True)


def coordination(
    touchpoints: pd.DataFrame, *, period: str = "Q", cap: int = 12, collision_days: int = 7
) -> dict[str, pd.DataFrame]:
    """The three coordination tables from one pass over the touches: ``per_stakeholder``
    (:func:`per_stakeholder`), ``matrix`` (:func:`collision_matrix`) and ``scores``
    (:func:`coordination_score`)."""
    data = _per_touch(_check(touchpoints), collision_days)
    return {
        "per_stakeholder": _by_stakeholder(data, period, cap),
        "matrix": _matrix(data, collision_days),
        "scores": _scores(data),
    }
