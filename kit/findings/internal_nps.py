"""Stage 2, internal NPS: every figure notebook 02 and the packs show, as tidy data.

Scores are on the -100..100 scale with their n and interval (``ci_low``, ``ci_high``) in the
same points; a group under the anonymity threshold has ``suppressed`` True and no figures.

Example
-------
>>> from kit.config import SAMPLE_CONFIG
>>> from kit.context import open_engagement
>>> ctx = open_engagement(SAMPLE_CONFIG, scope="Regulatory")
>>> row = summary(ctx).iloc[0]
>>> f"{row['nps']:+.0f} (n={row['n']})"
'-21 (n=100)'
>>> segments(ctx)[["respondent_function", "n", "suppressed"]].head(2).to_dict("records")
[{'respondent_function': 'Clinical Operations', 'n': 16, 'suppressed': False}, \
{'respondent_function': 'Market Access', 'n': None, 'suppressed': True}]
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from kit import drivers as driver_analysis
from kit import nps, nps_tables, privacy
from kit import themes as coding
from kit.context import Context

__all__ = [
    "Headline",
    "Trend",
    "Matrix",
    "Participation",
    "Influence",
    "Drivers",
    "Themes",
    "summary",
    "headline",
    "trend",
    "moves",
    "segments",
    "distribution",
    "matrix",
    "participation",
    "gap",
    "influence",
    "drivers",
    "themes",
]


class Trend(NamedTuple):
    """``waves``: one row per wave up to the selected one (:func:`kit.nps.trend` columns);
    ``changes``: one row per pair of consecutive waves, with the test of the change."""

    waves: pd.DataFrame
    changes: pd.DataFrame


class Headline(NamedTuple):
    """What the headline says. ``summary``: the scope now (one row); ``change``: its change
    into the selected wave (0 or 1 row); ``segments``: scores per function (organisation);
    ``moves``: each function's change since ``previous`` (organisation, empty on a first
    wave); ``predicted``: the function's own guess of its score (NaN if none)."""

    summary: pd.DataFrame
    change: pd.DataFrame
    segments: pd.DataFrame
    moves: pd.DataFrame
    previous: str | None
    predicted: float


class Matrix(NamedTuple):
    """``cells``: provider x customer NPS of the wave (all functions, suppression applied);
    ``silos``: pairs ``a``, ``b`` rating each other negatively (``a_from_b``, ``b_from_a``,
    ``mean``), worst first; ``mutual``: for one function, what each partner gives it and what
    it gives back (empty for the organisation)."""

    cells: pd.DataFrame
    silos: pd.DataFrame
    mutual: pd.DataFrame


class Participation(NamedTuple):
    """``rates``: respondents against headcount per customer function; ``people``: distinct
    respondents in the wave; ``headcount``: the organisation's headcount."""

    rates: pd.DataFrame
    people: int
    headcount: int


class Influence(NamedTuple):
    """``table``: NPS and influence-weighted NPS per rated function (``linked``: responses
    linked to the register); ``responses``: the responses it rests on."""

    table: pd.DataFrame
    responses: int


class Drivers(NamedTuple):
    """``table``: LMG importance per driver with bootstrap intervals (empty when there is
    none); ``columns``: the driver ratings found; ``problem``: why there is no table, if so."""

    table: pd.DataFrame
    columns: list[str]
    problem: str


class Themes(NamedTuple):
    """The scope's comments in the wave: ``responses`` and ``commented`` counts, ``matched``
    (comments with a theme); ``counts`` per theme and category, redacted ``quotes``, and the
    redacted comments no theme matched (``uncoded``: ``response_id``, ``provider_function``,
    ``score``, ``comment``, ``check`` where a name may have survived; the consultant's working
    list, empty for a client). Quotes carry the same ``check``. All three are
    empty when the scope or its comments are too few (``enough`` False)."""

    responses: int
    commented: int
    matched: int
    enough: bool
    counts: pd.DataFrame
    quotes: pd.DataFrame
    uncoded: pd.DataFrame


def _waves(ctx: Context) -> list[str]:
    return list(ctx.cfg.waves[: ctx.cfg.waves.index(ctx.wave) + 1])


def summary(ctx: Context) -> pd.DataFrame:
    """The scope's NPS in the wave: one row of :func:`kit.nps.summary` columns."""
    return nps.summary(ctx.current, **ctx.nps_options)


def trend(ctx: Context) -> Trend:
    """The scope's NPS per wave up to the selected one, and the tests of the changes."""
    waves = _waves(ctx)
    rated = ctx.rated[ctx.rated["wave"].isin(waves)]
    return Trend(*nps.trend(rated, waves=waves, **ctx.nps_options))


def segments(ctx: Context, *, by: str | None = None) -> pd.DataFrame:
    """NPS per group of the wave: per rated function (organisation) or per customer function
    (one function) unless ``by`` names another column; suppression applied."""
    by = by or ("provider_function" if ctx.is_organisation else "respondent_function")
    return nps.segments(ctx.current, by=by, **ctx.nps_options)


def moves(ctx: Context) -> pd.DataFrame:
    """Each rated function's change from the previous wave to this one (Holm-corrected);
    empty on the first wave."""
    previous = ctx.cfg.previous_wave_of(ctx.wave)
    if not previous:
        return pd.DataFrame()
    return nps.compare_waves(
        ctx.ds.responses, waves=[previous, ctx.wave], by="provider_function", **ctx.nps_options
    )


def headline(ctx: Context) -> Headline:
    """The figures the headline sentences are made of."""
    changes = trend(ctx).changes
    org = ctx.is_organisation
    predicted = ctx.ds.functions.set_index("function")["predicted_nps"].get(ctx.scope)
    return Headline(
        summary=summary(ctx),
        change=changes[changes["wave_to"] == ctx.wave],
        segments=segments(ctx) if org else pd.DataFrame(),
        moves=moves(ctx) if org else pd.DataFrame(),
        previous=ctx.cfg.previous_wave_of(ctx.wave),
        predicted=float(predicted)
        if predicted is not None and pd.notna(predicted)
        else float("nan"),
    )


def distribution(ctx: Context) -> pd.DataFrame:
    """The 0-10 answers of the wave: ``score``, ``n``, ``category`` (all ``suppressed`` and
    without counts when the scope is too small)."""
    counts = ctx.current["score"].value_counts().reindex(range(11), fill_value=0)
    out = pd.DataFrame({"score": range(11), "n": counts.to_numpy()})
    out["category"] = nps.classify(
        out["score"], detractor_max=ctx.cfg.detractor_max, passive_max=ctx.cfg.passive_max
    ).astype(str)
    out["suppressed"] = ctx.too_small
    if ctx.too_small:
        out["n"] = pd.NA
    return out


def _silos(cells: pd.DataFrame) -> pd.DataFrame:
    shown = cells[~cells["suppressed"]].set_index(["provider_function", "respondent_function"])
    shown = shown["nps"]
    rows = []
    for (a, b), score in shown.items():
        back = shown.get((b, a))
        if a < b and back is not None and score < 0 and back < 0:
            rows.append({"a": a, "b": b, "a_from_b": score, "b_from_a": back})
    out = pd.DataFrame(rows, columns=["a", "b", "a_from_b", "b_from_a"])
    return out.assign(mean=(out["a_from_b"] + out["b_from_a"]) / 2).sort_values("mean")


def matrix(ctx: Context) -> Matrix:
    """Who rates whom in the wave: the provider x customer matrix, its silos, and for one
    function the two-way view (what each partner gives it and gets back)."""
    cells = nps_tables.matrix(ctx.in_wave, **ctx.nps_options)
    mutual = pd.DataFrame() if ctx.is_organisation else nps_tables.mutual(cells, ctx.scope)
    return Matrix(cells, _silos(cells), mutual)


def participation(ctx: Context) -> Participation:
    """Who answered in the wave: respondents against headcount per customer function."""
    return Participation(
        rates=nps_tables.response_rates(ctx.in_wave, ctx.ds.functions, min_n=ctx.min_n),
        people=int(ctx.in_wave["respondent_id"].nunique()),
        headcount=int(ctx.ds.functions["headcount"].sum()),
    )


def gap(ctx: Context) -> pd.DataFrame:
    """The 360 gap: each function's predicted NPS against the NPS it receives (``gap``,
    ``outside`` its interval); one function's row only for a function's scope."""
    gaps = nps_tables.gap_360(ctx.in_wave, ctx.ds.functions, **ctx.nps_options)
    return gaps if ctx.is_organisation else gaps[gaps["provider_function"] == ctx.scope]


def influence(ctx: Context) -> Influence:
    """NPS with the answers of register stakeholders who agreed to be linked weighted by their
    influence, per rated function."""
    data = ctx.in_wave if ctx.is_organisation else ctx.current
    table = nps_tables.influence_weighted(
        data,
        ctx.ds.stakeholders,
        ctx.ds.roster,
        min_n=ctx.min_n,
        by="provider_function",
        detractor_max=ctx.cfg.detractor_max,
        passive_max=ctx.cfg.passive_max,
        confidence=ctx.cfg.thresholds.confidence,
    )
    return Influence(table, len(data))


def drivers(ctx: Context, *, resamples: int = 1000) -> Drivers:
    """Which driver ratings move likelihood-to-recommend: LMG relative importance with
    bootstrap intervals over ``resamples`` resamples."""
    columns = driver_analysis.driver_columns(ctx.current)
    if len(columns) < 2:
        return Drivers(pd.DataFrame(), columns, "This survey has no driver ratings to analyse.")
    try:
        table = driver_analysis.importance(
            ctx.current,
            drivers=columns,
            resamples=resamples,
            confidence=ctx.cfg.thresholds.confidence,
        )
    except ValueError as exc:
        return Drivers(pd.DataFrame(), columns, str(exc))
    return Drivers(table, columns, "")


def _commented(ctx: Context) -> pd.DataFrame:
    return ctx.current[ctx.current["comment"].fillna("").str.strip() != ""]


def themes(ctx: Context) -> Themes:
    """Comment themes of the wave by category, a redacted quote per theme from customer groups
    large enough to quote, and (for the consultant) the comments no theme matched."""
    commented, coded = _commented(ctx), ctx.coded
    least = ctx.cfg.thresholds.min_comment_group_size
    enough = not ctx.too_small and len(commented) >= least
    counts = quotes = pd.DataFrame()
    rest = pd.DataFrame(columns=["response_id", "provider_function", "score", "comment", "check"])
    if enough:
        names = privacy.person_names(ctx.ds.stakeholders, ctx.ds.roster)
        counts = coding.theme_counts(
            commented, coded, detractor_max=ctx.cfg.detractor_max, passive_max=ctx.cfg.passive_max
        )
        quotes = coding.quotes(
            commented,
            coded,
            per_theme=1,
            names=names,
            min_group_size=least,
            group="respondent_function",
        )
        if not ctx.for_client:
            rest = coding.uncoded(commented, coded)
            text = privacy.redact(rest["comment"], names=names)
            rest = rest.assign(comment=text, check=privacy.suspects(text, names=names))
    matched = coded["response_id"].nunique()
    return Themes(len(ctx.current), len(commented), matched, enough, counts, quotes, rest)
