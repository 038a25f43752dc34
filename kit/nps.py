"""Net Promoter Score with honest margins of error.

Scores are 0-10 answers to "How likely is it that you would recommend ... to a colleague?".
Detractors answer 0-6, passives 7-8, promoters 9-10 (the breaks are parameters). NPS is the
percentage of promoters minus the percentage of detractors, from -100 to +100.

Every function here returns points on the -100..100 scale and works on tidy data: one row per
rating, a ``score`` column and whatever grouping columns you name.

Intervals (``method``):

``"adjusted_wald"`` (default)
    Rocks (2016): add 0.75 detractors, 1.5 passives and 0.75 promoters, then use the trinomial
    variance. Good coverage even for small groups and scores near the ends of the scale. The
    interval is centred on the adjusted score and clipped to -100..100; ``nps`` stays the
    observed score.
``"wald"``
    The plain trinomial interval, se = sqrt((p + d - (p - d)^2) / n). Textbook figures; poor
    for small groups.
``"bootstrap"``
    Percentile interval from ``bootstrap`` multinomial resamples, seeded and reproducible.

Finite population correction: when a group's headcount is known (``population``) and a
sizeable share of it answered (say more than 5%), the margin of error shrinks by
sqrt((N - n) / (N - 1)); a census (n = N) has no sampling error. Use it for internal customer
groups whose headcount you trust; leave it out when the headcount is uncertain or when you want
to generalise beyond this moment's population.

>>> import pandas as pd
>>> ratings = pd.DataFrame({"score": [0, 5, 7, 8, 9, 10]})
>>> row = summary(ratings, method="wald").iloc[0]
>>> f"NPS {row['nps']:+.1f}, se {row['se']:.1f}"
'NPS +0.0, se 33.3'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from math import ceil

import numpy as np
import pandas as pd
from scipy import stats

from kit.privacy import complementary_suppression_1d

__all__ = [
    "CATEGORIES",
    "METHODS",
    "blank_suppressed",
    "intervals",
    "z_critical",
    "classify",
    "compare",
    "change_design_effect",
    "change_design_effects",
    "compare_waves",
    "design_effects",
    "mean_design_effect",
    "people",
    "holm",
    "benjamini_hochberg",
    "verdicts",
    "sample_size",
    "segments",
    "summary",
    "trend",
    "withhold_changes",
]

CATEGORIES = ("detractor", "passive", "promoter")
METHODS = ("adjusted_wald", "wald", "bootstrap")
#: Rocks (2016) pseudo-counts: detractors, passives, promoters.
ADJUSTMENT = (0.75, 1.5, 0.75)
COUNT_COLUMNS = ["n", "promoters", "passives", "detractors"]
STAT_COLUMNS = ["pct_promoters", "pct_passives", "pct_detractors", "nps", "se", "ci_low", "ci_high"]


def _breaks(detractor_max: int, passive_max: int) -> None:
    if not 0 <= detractor_max < passive_max < 10:
        raise ValueError(
            f"category breaks must satisfy 0 <= detractor_max < passive_max < 10, got "
            f"detractor_max={detractor_max}, passive_max={passive_max}"
        )


def _scores(values, name: str = "score") -> np.ndarray:
    s = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isnan(s) & ((s < 0) | (s > 10) | (s != np.round(s)))
    if bad.any():
        shown = ", ".join(str(v) for v in pd.unique(s[bad])[:5])
        raise ValueError(
            f"column {name!r} must hold whole numbers 0-10; found {shown} "
            f"({int(bad.sum())} values). Run `kit validate` on the data folder."
        )
    return s


def classify(scores, *, detractor_max: int = 6, passive_max: int = 8) -> pd.Series:
    """The category of each 0-10 score: ``detractor``, ``passive`` or ``promoter`` (NaN stays).

    >>> classify([0, 6, 7, 8, 9, 10]).tolist()
    ['detractor', 'detractor', 'passive', 'passive', 'promoter', 'promoter']
    """
    _breaks(detractor_max, passive_max)
    index = scores.index if isinstance(scores, pd.Series) else None
    s = _scores(scores)
    codes = np.where(np.isnan(s), -1, (s > detractor_max).astype(int) + (s > passive_max))
    return pd.Series(pd.Categorical.from_codes(codes, CATEGORIES), index=index, name="category")


# ---------------------------------------------------------------- intervals


def z_critical(confidence: float) -> float:
    """The two-sided normal critical value of a ``confidence`` level (1.96 for 0.95)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _trinomial(det, pas, pro, method: str):
    """Centre (proportion scale), per-response variance and effective n for each group."""
    det, pas, pro = (np.asarray(x, dtype=float) for x in (det, pas, pro))
    if method == "adjusted_wald":
        det, pas, pro = det + ADJUSTMENT[0], pas + ADJUSTMENT[1], pro + ADJUSTMENT[2]
    n = det + pas + pro
    with np.errstate(invalid="ignore", divide="ignore"):
        p, d = pro / n, det / n
    return p - d, p + d - (p - d) ** 2, n


def _fpc(n: np.ndarray, population) -> np.ndarray:
    if population is None:
        return np.ones_like(n, dtype=float)
    pop = np.asarray(population, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.sqrt(np.clip((pop - n) / (pop - 1), 0, None))
    return np.where(np.isnan(pop), 1.0, np.where(pop <= 1, 0.0, f))


def _bootstrap(counts: np.ndarray, confidence: float, resamples: int, seed: int):
    """se and percentile bounds (proportion scale) from multinomial resamples, per group."""
    rng = np.random.default_rng(seed)
    alpha = (1 - confidence) / 2
    se, lo, hi = (np.full(len(counts), np.nan) for _ in range(3))
    for i, (det, pas, pro) in enumerate(counts):
        n = int(det + pas + pro)
        if n == 0:
            continue
        draws = rng.multinomial(n, np.array([det, pas, pro]) / n, size=resamples)
        scores = (draws[:, 2] - draws[:, 0]) / n
        se[i] = scores.std(ddof=1)
        lo[i], hi[i] = np.quantile(scores, [alpha, 1 - alpha])
    return se, lo, hi


def intervals(
    counts: pd.DataFrame,
    *,
    method: str,
    confidence: float,
    population=None,
    resamples: int = 2000,
    seed: int = 2026,
    design_effect=None,
) -> pd.DataFrame:
    """Add shares, NPS, se and interval (points) to a table of counts (``n``, ``promoters``,
    ``passives``, ``detractors``). ``design_effect`` (per group) multiplies the variance:
    the clustered variance over the ordinary one (:func:`design_effects`)."""
    if method not in METHODS:
        raise ValueError(f"method {method!r} must be one of {METHODS}")
    if design_effect is not None and method == "bootstrap":
        raise ValueError("clustered intervals need method 'wald' or 'adjusted_wald'")
    z = z_critical(confidence)
    out = counts.copy()
    n = out["n"].to_numpy(dtype=float)
    det, pas, pro = (out[c].to_numpy(dtype=float) for c in ("detractors", "passives", "promoters"))
    with np.errstate(invalid="ignore", divide="ignore"):
        for col, k in (("pct_promoters", pro), ("pct_passives", pas), ("pct_detractors", det)):
            out[col] = 100 * k / n
    nps, _, _ = _trinomial(det, pas, pro, "wald")
    fpc = _fpc(n, population)
    if method == "bootstrap":
        se, lo, hi = _bootstrap(np.column_stack([det, pas, pro]), confidence, resamples, seed)
        se = se * fpc
        lo, hi = nps - (nps - lo) * fpc, nps + (hi - nps) * fpc
    else:
        centre, var, n_eff = _trinomial(det, pas, pro, method)
        deff = 1.0 if design_effect is None else np.asarray(design_effect, dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.sqrt(var / n_eff * deff) * fpc
        lo, hi = centre - z * se, centre + z * se
        if method == "adjusted_wald":
            lo, hi = np.clip(lo, -1, 1), np.clip(hi, -1, 1)
    out["nps"], out["se"], out["ci_low"], out["ci_high"] = 100 * nps, 100 * se, 100 * lo, 100 * hi
    return out


# ---------------------------------------------------------------- summaries


def _as_list(by) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def counts(
    data: pd.DataFrame,
    *,
    score: str = "score",
    by=None,
    detractor_max: int = 6,
    passive_max: int = 8,
) -> pd.DataFrame:
    """Responses, promoters, passives and detractors per group (blank scores not counted)."""
    _breaks(detractor_max, passive_max)
    keys = _as_list(by)
    missing = [c for c in [score, *keys] if c not in data.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in the data (columns: {list(data.columns)})")
    s = _scores(data[score], score)
    flags = pd.DataFrame(
        {
            "n": ~np.isnan(s),
            "promoters": s > passive_max,
            "passives": (s > detractor_max) & (s <= passive_max),
            "detractors": s <= detractor_max,
        },
        index=data.index,
    ).astype(np.int64)
    if not keys:
        return flags.sum().to_frame().T
    grouped = flags.groupby([data[k] for k in keys], observed=True, sort=True).sum()
    return grouped.reset_index()


def summary(
    data: pd.DataFrame,
    *,
    score: str = "score",
    by=None,
    method: str = "adjusted_wald",
    confidence: float = 0.95,
    population: Mapping | pd.Series | float | None = None,
    min_n: int = 0,
    detractor_max: int = 6,
    passive_max: int = 8,
    resamples: int = 2000,
    seed: int = 2026,
    cluster: str | None = None,
) -> pd.DataFrame:
    """NPS per group with its margin of error: one row per group, tidy.

    Parameters
    ----------
    data
        One row per rating.
    score
        The 0-10 column.
    by
        Grouping column(s), or None for one overall row.
    method
        ``"adjusted_wald"`` (default), ``"wald"`` or ``"bootstrap"`` (see the module notes).
    confidence
        Of the interval, e.g. 0.95.
    population
        Known group sizes for the finite population correction: a number (no ``by``), or a
        mapping / Series from group (a tuple for several ``by`` columns) to headcount.
    min_n
        Groups with fewer responses are suppressed: their counts and statistics are blank.
    cluster
        A column naming who gave each rating (``"respondent_id"``): where one person gave
        several ratings of a group, its variance is the cluster-robust one (linearised,
        with the small-sample factor G/(G-1)), as :func:`design_effects` explains.

    Returns
    -------
    DataFrame
        ``by`` columns, ``n, promoters, passives, detractors, pct_promoters, pct_passives,
        pct_detractors, nps, se, ci_low, ci_high, suppressed``.
    """
    keys = _as_list(by)
    cut = {"detractor_max": detractor_max, "passive_max": passive_max}
    table = counts(data, score=score, by=by, **cut)
    pop = _population(table, keys, population)
    deff = None
    if cluster is not None:
        levels = design_effects(data, by=keys, cluster=cluster, score=score, **cut)
        deff = _aligned(levels, table, keys)
    out = intervals(
        table,
        method=method,
        confidence=confidence,
        population=pop,
        resamples=resamples,
        seed=seed,
        design_effect=deff,
    )
    out["suppressed"] = out["n"] < min_n
    return blank_suppressed(out)


def _codes(data: pd.DataFrame, score: str, cut: dict) -> pd.Series:
    """Each rating as -1 (detractor), 0 (passive) or +1 (promoter); NaN when blank."""
    s = _scores(data[score], score)
    y = np.where(s > cut["passive_max"], 1.0, np.where(s > cut["detractor_max"], 0.0, -1.0))
    return pd.Series(np.where(np.isnan(s), np.nan, y), index=data.index)


def _grouped(data: pd.DataFrame, keys: list[str]):
    """``(key tuple, rows)`` per group, or one ``((), data)`` without keys."""
    if not keys:
        return [((), data)]
    return [(k if isinstance(k, tuple) else (k,), g) for k, g in data.groupby(keys, sort=True)]


def design_effects(
    data: pd.DataFrame,
    *,
    by=None,
    cluster: str = "respondent_id",
    score: str = "score",
    detractor_max: int = 6,
    passive_max: int = 8,
) -> pd.DataFrame:
    """How much one person's several ratings widen each group's NPS interval.

    The NPS is the mean of each rating coded +1 / 0 / -1. Its cluster-robust (linearised,
    sandwich) variance sums each person's residuals first: ``G/(G-1) * sum_g (sum_{i in g}
    e_i)^2 / n^2`` over the ``G`` people of a group of ``n`` ratings; the same as an ordinary
    least squares fit of the coded score on an intercept with covariance clustered by person
    (statsmodels ``cov_type="cluster"``). Where every rating of the group comes from a
    different person (``G == n``), nothing is clustered: the design effect is 1.

    Returns ``by`` columns, ``n, clusters, variance`` (clustered, proportion scale) and
    ``design_effect``: that variance over the ordinary one (the trinomial ``(p + d - (p -
    d)^2) / n``).
    """
    keys = _as_list(by)
    cut = {"detractor_max": detractor_max, "passive_max": passive_max}
    missing = [c for c in [cluster, score, *keys] if c not in data.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in the data (columns: {list(data.columns)})")
    y = _codes(data, score, cut)
    frame = data[keys + [cluster]].assign(_y=y).dropna(subset=["_y"])
    rows = []
    for key, g in _grouped(frame, keys):
        n = len(g)
        ordinary = float(((g["_y"] - g["_y"].mean()) ** 2).sum()) / n**2 if n else np.nan
        deff = mean_design_effect(g["_y"], g[cluster])
        rows.append(
            {
                **dict(zip(keys, key, strict=True)),
                "n": n,
                "clusters": g[cluster].nunique(),
                "variance": ordinary * deff,
                "design_effect": deff,
            }
        )
    return pd.DataFrame(rows, columns=[*keys, "n", "clusters", "variance", "design_effect"])


def people(who: pd.Series) -> np.ndarray:
    """Who gave each value, a rating with no respondent id counted as a person of its own."""
    out = who.to_numpy(dtype=object).copy()
    for i in np.flatnonzero(pd.isna(out)):  # named by its row, the same in every wave's part
        out[i] = f"\0no id {who.index[i]}"  # cannot be a real id: ids are text without NUL
    return out


def mean_design_effect(values: pd.Series, who: pd.Series) -> float:
    """The cluster-robust variance of the mean of ``values`` (``G/(G-1) * sum_g (sum_{i in g}
    e_i)^2 / n^2`` over the ``G`` people of ``who``) over the ordinary one (``sum e_i^2 /
    n^2``); 1 when every value comes from a different person."""
    e = values - values.mean()
    sums = e.groupby(people(who), sort=False).sum().to_numpy()
    n, clusters = len(values), len(sums)
    ordinary = float((e**2).sum())
    if clusters >= n or clusters < 2 or ordinary <= 0:
        return 1.0
    return clusters / (clusters - 1) * float((sums**2).sum()) / ordinary


def _aligned(levels: pd.DataFrame, table: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """``levels["design_effect"]`` in the row order of ``table`` (1 where absent)."""
    if not keys:
        return levels["design_effect"].to_numpy(dtype=float)[: len(table)]
    index = pd.MultiIndex.from_frame(levels[keys]) if len(keys) > 1 else levels[keys[0]]
    lookup = pd.Series(levels["design_effect"].to_numpy(), index=index)
    target = pd.MultiIndex.from_frame(table[keys]) if len(keys) > 1 else table[keys[0]]
    return lookup.reindex(target).fillna(1.0).to_numpy(dtype=float)


def _population(table: pd.DataFrame, keys: list[str], population):
    if population is None:
        return None
    if not keys:
        return np.full(len(table), float(population))
    lookup = pd.Series(population, dtype=float)
    index = pd.Index(table[keys[0]]) if len(keys) == 1 else pd.MultiIndex.from_frame(table[keys])
    pop = lookup.reindex(index).to_numpy(dtype=float)
    n = table["n"].to_numpy(dtype=float)
    over = ~np.isnan(pop) & (n > pop)
    if over.any():
        rows = [
            f"{g} (n={int(k)}, population {int(p)})"
            for g, k, p in zip(index[over], n[over], pop[over], strict=True)
        ]
        raise ValueError(
            "more responses than the stated population for: "
            + "; ".join(rows)
            + ". Check the headcounts in functions.csv."
        )
    return pop


def blank_suppressed(table: pd.DataFrame) -> pd.DataFrame:
    """A suppressed group shows neither its score nor its counts."""
    hide = table["suppressed"].to_numpy(dtype=bool)
    if hide.any():
        for col in COUNT_COLUMNS:
            table[col] = table[col].astype("Int64")
        table.loc[hide, COUNT_COLUMNS] = pd.NA
        table.loc[hide, STAT_COLUMNS] = np.nan
    return table


def segments(
    data: pd.DataFrame,
    *,
    by: str,
    min_n: int,
    **options,
) -> pd.DataFrame:
    """NPS per segment for a report: small segments suppressed, and complementary suppression.

    A segment under ``min_n`` is hidden; when the hidden segments together hold fewer than
    ``min_n`` responses, the smallest shown segments are hidden too, so that nobody can work a
    hidden score out by subtracting the shown segments from the scope's overall score.
    """
    table = summary(data, by=by, min_n=0, **options)
    hide = complementary_suppression_1d(table["n"], min_n=min_n)
    table["suppressed"] = hide.to_numpy()
    return blank_suppressed(table).sort_values(by, kind="stable").reset_index(drop=True)


def trend(
    data: pd.DataFrame,
    *,
    waves: Sequence[str],
    wave: str = "wave",
    min_n: int = 0,
    **options,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """NPS per wave (every wave listed, in order) and the tests of each wave-on-wave change."""
    table = summary(data, by=wave, min_n=0, **options).set_index(wave)
    table = table.reindex(pd.Index(list(waves), name=wave))
    table[COUNT_COLUMNS] = table[COUNT_COLUMNS].fillna(0).astype(np.int64)
    table["suppressed"] = table["n"] < max(min_n, 1)
    table = blank_suppressed(table.reset_index())
    changes = compare_waves(data, waves=waves, wave=wave, min_n=min_n, **options)
    return table, changes


# ---------------------------------------------------------------- comparisons


def _sig(z: np.ndarray) -> np.ndarray:
    return 2 * stats.norm.sf(np.abs(z))


def compare(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    score: str = "score",
    method: str = "adjusted_wald",
    paired: bool = False,
    respondent: str = "respondent_id",
    confidence: float = 0.95,
    detractor_max: int = 6,
    passive_max: int = 8,
) -> dict:
    """Test the change in NPS from ``a`` to ``b`` (two-sided z test).

    Independent samples use the trinomial variances of both groups (adjusted-Wald by default).
    ``paired=True`` keeps only respondents present in both (matched on ``respondent``, one
    rating each) and tests the mean of each respondent's change, scoring a promoter +1, a
    passive 0 and a detractor -1: this is the right test when the same people answered twice.

    Returns a dict with ``n_a, n_b, nps_a, nps_b, difference (b - a, points), se, z, p_value,
    ci_low, ci_high, significant``.
    """
    if method not in ("adjusted_wald", "wald"):
        raise ValueError(f"compare supports 'adjusted_wald' and 'wald', not {method!r}")
    z_crit = z_critical(confidence)
    cut = {"detractor_max": detractor_max, "passive_max": passive_max}
    if paired:
        return _paired(a, b, score, respondent, confidence, z_crit, cut)
    ca, cb = (counts(x, score=score, **cut).iloc[0] for x in (a, b))
    return _independent(ca, cb, method, confidence, z_crit)


def _independent(
    ca, cb, method: str, confidence: float, z_crit: float, design_effect: float = 1.0
) -> dict:
    (ea, va, na), (eb, vb, nb) = (
        _trinomial(c["detractors"], c["passives"], c["promoters"], method) for c in (ca, cb)
    )
    raw_a, _, _ = _trinomial(ca["detractors"], ca["passives"], ca["promoters"], "wald")
    raw_b, _, _ = _trinomial(cb["detractors"], cb["passives"], cb["promoters"], "wald")
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt((va / na + vb / nb) * design_effect)
        z = (eb - ea) / se
    centre = eb - ea
    return _record(
        int(ca["n"]), int(cb["n"]), raw_a, raw_b, raw_b - raw_a, centre, se, z, confidence, z_crit
    )


def _paired(a, b, score, respondent, confidence, z_crit, cut) -> dict:
    sides = []
    for name, x in (("a", a), ("b", b)):
        dup = x[respondent][x[respondent].duplicated()].unique()
        if len(dup):
            raise ValueError(
                f"paired comparison needs one rating per respondent in {name}; "
                f"{len(dup)} respondents rated more than once (e.g. {dup[0]!r}). "
                "Select one provider function first."
            )
        cat = classify(x[score], **cut).cat.codes.to_numpy() - 1  # -1, 0, +1
        sides.append(pd.Series(cat, index=x[respondent].to_numpy()))
    both = pd.concat(sides, axis=1, join="inner", keys=["a", "b"])
    both = both[(both["a"] >= -1) & (both["b"] >= -1)]
    diff = (both["b"] - both["a"]).to_numpy(dtype=float)
    n = len(diff)
    se = diff.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
    mean = diff.mean() if n else np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        z = mean / se
    return _record(n, n, both["a"].mean(), both["b"].mean(), mean, mean, se, z, confidence, z_crit)


def _record(n_a, n_b, nps_a, nps_b, difference, centre, se, z, confidence, z_crit) -> dict:
    p = float(_sig(np.asarray(z))) if np.isfinite(z) else np.nan
    return {
        "n_a": n_a,
        "n_b": n_b,
        "nps_a": 100 * float(nps_a),
        "nps_b": 100 * float(nps_b),
        "difference": 100 * float(difference),
        "se": 100 * float(se),
        "z": float(z),
        "p_value": p,
        "ci_low": 100 * float(np.clip(centre - z_crit * se, -2, 2)),
        "ci_high": 100 * float(np.clip(centre + z_crit * se, -2, 2)),
        "significant": bool(p < 1 - confidence) if np.isfinite(p) else False,
    }


def change_design_effect(a: pd.Series, b: pd.Series, who_a: pd.Series, who_b: pd.Series) -> float:
    """How the same people answering both waves changes the variance of a change in NPS.

    ``a`` and ``b`` are the coded ratings (+1 / 0 / -1) of the two waves, ``who_a`` and
    ``who_b`` who gave them. The cluster-robust variance of the difference of means sums
    each person's residuals in each wave, ``u_g = S_gb / n_b - S_ga / n_a``, as an ordinary
    least squares fit of the coded score on a wave dummy with covariance clustered by person
    does (statsmodels ``cov_type="cluster"``: ``G/(G-1) * (N-1)/(N-2) * sum_g u_g^2``). A
    person whose answers stay alike from one wave to the next makes the change more certain
    (the effect is below 1). Returns that variance over the independent-samples one; 1 when
    nobody gave more than one of the ratings.
    """
    ea, eb = a - a.mean(), b - b.mean()
    na, nb = len(a), len(b)
    if not na or not nb:
        return 1.0
    u = (eb.groupby(people(who_b), sort=False).sum() / nb).sub(
        ea.groupby(people(who_a), sort=False).sum() / na, fill_value=0.0
    )
    clusters, total = len(u), na + nb
    ordinary = float((ea**2).sum()) / na**2 + float((eb**2).sum()) / nb**2
    if clusters >= total or clusters < 2 or total < 3 or ordinary <= 0:
        return 1.0
    correction = clusters / (clusters - 1) * (total - 1) / (total - 2)
    return correction * float((u**2).sum()) / ordinary


def change_design_effects(
    coded: pd.DataFrame, keys: list[str], wave: str, waves: tuple[str, str], cluster: str
) -> dict[tuple, float]:
    """:func:`change_design_effect` of every group of ``keys`` at once (a few array passes
    instead of one per group), for the change between ``waves``: ``coded`` holds the coded
    ratings (``_y``), the wave and who gave each (``cluster``). Groups absent from a wave
    are left out (their effect is 1)."""
    first, last = waves
    d = coded[coded[wave].isin(waves)]
    groups = keys or ["_all"]
    d = d.assign(_all=0) if not keys else d
    later = (d[wave] == last).to_numpy()
    by_wave = d.groupby([*groups, wave], sort=False)["_y"]
    n = by_wave.transform("size").to_numpy(dtype=float)
    e = (d["_y"] - by_wave.transform("mean")).to_numpy(dtype=float)
    parts = pd.DataFrame(
        {
            **{k: d[k].to_numpy() for k in groups},
            "_who": people(d[cluster]),
            "_u": np.where(later, e, -e) / n,  # u_g = S_gb / n_b - S_ga / n_a, row by row
            "_o": e**2 / n**2,
            "_b": later.astype(int),
        }
    )
    per_person = parts.groupby([*groups, "_who"], sort=False)["_u"].sum()
    clusters = per_person.groupby(level=groups).size()
    spread = (per_person**2).groupby(level=groups).sum()
    per_group = parts.groupby(groups)
    ordinary, total, n_b = per_group["_o"].sum(), per_group.size(), per_group["_b"].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        correction = clusters / (clusters - 1) * (total - 1) / (total - 2)
        effect = correction * spread / ordinary
    ok = (n_b > 0) & (n_b < total) & (clusters < total) & (clusters >= 2) & (total >= 3)
    effect = effect.where(ok & (ordinary > 0), 1.0)
    return {
        (() if not keys else k if isinstance(k, tuple) else (k,)): float(v)
        for k, v in effect.items()
    }


def holm(p_values) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values (NaN ignored and kept).

    >>> holm([0.01, 0.04, 0.03, 0.005]).round(3).tolist()
    [0.03, 0.06, 0.06, 0.02]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    order = ok[np.argsort(p[ok], kind="stable")]
    m = len(order)
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order]) if m else []
    out[order] = np.minimum(adjusted, 1.0)
    return out


def compare_waves(
    data: pd.DataFrame,
    *,
    waves: Sequence[str],
    wave: str = "wave",
    by=None,
    score: str = "score",
    method: str = "adjusted_wald",
    confidence: float = 0.95,
    min_n: int = 0,
    detractor_max: int = 6,
    passive_max: int = 8,
    cluster: str | None = None,
) -> pd.DataFrame:
    """Test each consecutive change between ``waves``, per group: the groups' changes
    between the same two waves are one family (:func:`withhold_changes`).

    Without ``cluster`` the waves are treated as independent samples. With ``cluster`` (who
    gave each rating, e.g. ``"respondent_id"``) the people who answered both waves are paired
    through the clustering (:func:`change_design_effect`): with a panel, as internal surveys
    mostly are, the test is as sharp as the data allow. A change is ``suppressed`` (and not
    tested) when either wave has fewer than ``min_n`` responses.

    Returns ``by`` columns, ``wave_from, wave_to, n_a, n_b, nps_a, nps_b, difference, se, z,
    ci_low, ci_high, p_value, p_adjusted, q_value, family_size, significant, suppressed``.
    """
    keys = _as_list(by)
    waves = [w for w in waves if w]
    table = counts(
        data[data[wave].isin(waves)],
        score=score,
        by=[*keys, wave],
        detractor_max=detractor_max,
        passive_max=passive_max,
    )
    z_crit = z_critical(confidence)
    pairs = list(zip(waves[:-1], waves[1:], strict=True))
    effects: dict[tuple[str, str], dict[tuple, float]] = {}
    if cluster is not None:
        cut = {"detractor_max": detractor_max, "passive_max": passive_max}
        coded = data[data[wave].isin(waves)].assign(_y=lambda d: _codes(d, score, cut))
        coded = coded.dropna(subset=["_y"])
        effects = {p: change_design_effects(coded, keys, wave, p, cluster) for p in pairs}
    rows = []
    empty = pd.Series({"n": 0, "promoters": 0, "passives": 0, "detractors": 0})
    for key, g in _grouped(table, keys):
        g = g.set_index(wave)
        for w_from, w_to in pairs:
            ca = g.loc[w_from] if w_from in g.index else empty
            cb = g.loc[w_to] if w_to in g.index else empty
            deff = effects[(w_from, w_to)].get(key, 1.0) if cluster is not None else 1.0
            rec = _independent(ca, cb, method, confidence, z_crit, deff)
            hidden = min(rec["n_a"], rec["n_b"]) < max(min_n, 1)
            rows.append(
                {
                    **dict(zip(keys, key, strict=True)),
                    "wave_from": w_from,
                    "wave_to": w_to,
                    **rec,
                    "suppressed": hidden,
                }
            )
    columns = [
        *keys,
        "wave_from",
        "wave_to",
        "n_a",
        "n_b",
        "nps_a",
        "nps_b",
        "difference",
        "se",
        "z",
        "ci_low",
        "ci_high",
        "p_value",
        "p_adjusted",
        "q_value",
        "family_size",
        "significant",
        "suppressed",
    ]
    computed = ("p_adjusted", "q_value", "family_size")
    out = pd.DataFrame(rows, columns=[c for c in columns if c not in computed])
    if out.empty:
        return pd.DataFrame(columns=columns)
    return withhold_changes(out, out["suppressed"], confidence=confidence)[columns]


def benjamini_hochberg(p_values) -> np.ndarray:
    """Benjamini-Hochberg q-values (false discovery rate; NaN ignored and kept).

    Benjamini and Hochberg's (1995) example, 15 p-values: at q = 0.05 the first four are
    discoveries.

    >>> p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459,
    ...      0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000]
    >>> q = benjamini_hochberg(p)
    >>> int((q <= 0.05).sum()), q[:5].round(4).tolist()
    (4, [0.0015, 0.003, 0.0095, 0.0356, 0.0603])
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    order = ok[np.argsort(p[ok], kind="stable")]
    m = len(order)
    if m:
        ranked = p[order] * m / np.arange(1, m + 1)
        out[order] = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    return out


def withhold_changes(changes: pd.DataFrame, hide, *, confidence: float = 0.95) -> pd.DataFrame:
    """:func:`compare_waves` output with the rows ``hide`` (and those already suppressed)
    withheld: no counts, scores or test.

    The changes still shown between the same two waves are one family: ``p_adjusted`` is
    Holm's correction within it (the verdict), ``q_value`` Benjamini-Hochberg's (for
    screening), ``family_size`` how many changes it holds."""
    out = changes.copy()
    hide = np.asarray(hide, dtype=bool) | out["suppressed"].to_numpy(dtype=bool)
    stat = ["n_a", "n_b", "nps_a", "nps_b", "difference", "se", "z", "p_value"]
    stat += [c for c in ("ci_low", "ci_high") if c in out]
    out["suppressed"] = hide
    out[["n_a", "n_b"]] = out[["n_a", "n_b"]].astype("Int64")
    out.loc[hide, stat] = pd.NA
    out["p_adjusted"] = np.nan
    out["q_value"] = np.nan
    out["family_size"] = 0
    p = out["p_value"].astype(float)
    for _, rows in out.groupby(["wave_from", "wave_to"], sort=False).groups.items():
        out.loc[rows, "p_adjusted"] = holm(p[rows])
        out.loc[rows, "q_value"] = benjamini_hochberg(p[rows])
        out.loc[rows, "family_size"] = int(p[rows].notna().sum())
    out["significant"] = (out["p_adjusted"] < 1 - confidence).fillna(False).astype(bool)
    return out


def verdicts(changes: pd.DataFrame, *, margin: float = 15.0) -> pd.Series:
    """``"significant"``, ``"inconclusive"`` (not significant, and its interval reaches
    further than ``margin`` points either side: too few responses to tell) or
    ``"no significant change"``; blank for a withheld change."""
    half = (changes["ci_high"] - changes["ci_low"]) / 2
    out = np.where(
        changes["significant"],
        "significant",
        np.where(half > margin, "inconclusive", "no significant change"),
    )
    return pd.Series(out, index=changes.index, name="verdict").where(~changes["suppressed"], "")


def sample_size(
    margin: float,
    *,
    confidence: float = 0.95,
    population: int | None = None,
    promoters: float | None = None,
    detractors: float | None = None,
) -> int:
    """Responses needed for a margin of error of ``margin`` NPS points.

    Without expected shares the worst case is assumed (half promoters, half detractors). With a
    ``population`` (a headcount) the finite population correction applies.

    >>> sample_size(10), sample_size(10, population=200)
    (385, 132)
    """
    if not 0 < margin <= 200:
        raise ValueError(f"margin must be in NPS points between 0 and 200, got {margin}")
    if promoters is None or detractors is None:
        var = 1.0
    else:
        var = promoters + detractors - (promoters - detractors) ** 2
    n0 = z_critical(confidence) ** 2 * var / (margin / 100) ** 2
    if population is not None:
        n0 = n0 / (1 + (n0 - 1) / population)
    return int(ceil(n0 - 1e-9))
