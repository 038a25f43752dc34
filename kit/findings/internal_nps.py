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

import numpy as np
import pandas as pd

from kit import drivers as driver_analysis
from kit import nps, nps_tables, privacy
from kit import themes as coding
from kit.context import Context
from kit.ledger import ALL

__all__ = [
    "Headline",
    "Trend",
    "Matrix",
    "Participation",
    "Influence",
    "Drivers",
    "Themes",
    "GeneralComments",
    "summary",
    "headline",
    "trend",
    "moves",
    "scorecard",
    "segment_changes",
    "group_changes",
    "segments",
    "distribution",
    "category_shares",
    "matrix",
    "cell_changes",
    "participation",
    "gap",
    "influence",
    "drivers",
    "themes",
    "theme_changes",
    "general_comments",
]


class Trend(NamedTuple):
    """``waves``: one row per wave up to the selected one (:func:`kit.nps.trend` columns);
    ``changes``: one row per pair of consecutive waves, with the test of the change;
    ``weightings`` (organisation): the score per wave weighed three ways
    (:func:`weightings`)."""

    waves: pd.DataFrame
    changes: pd.DataFrame
    weightings: pd.DataFrame = pd.DataFrame()


class Headline(NamedTuple):
    """What the headline says. ``summary``: the scope now (one row); ``change``: its change
    into the selected wave (0 or 1 row); ``segments``: scores per function (organisation);
    ``moves``: each function's change since ``previous`` (organisation, empty on a first
    wave); ``predicted``: the function's own guess of its score (NaN if none); ``withheld``:
    the rated functions whose scores are withheld in the wave (organisation: they get no pack
    of their own); ``weightings``: the organisation's score weighed three ways."""

    summary: pd.DataFrame
    change: pd.DataFrame
    segments: pd.DataFrame
    moves: pd.DataFrame
    previous: str | None
    predicted: float
    withheld: list[str]
    weightings: pd.DataFrame = pd.DataFrame()


class Matrix(NamedTuple):
    """``cells``: provider x customer NPS of the wave (all functions, suppression applied);
    ``silos``: pairs ``a``, ``b`` rating each other negatively (``a_from_b``, ``b_from_a``,
    ``mean``), worst first; ``mutual``: for one function, what each partner gives it and what
    it gives back (empty for the organisation)."""

    cells: pd.DataFrame
    silos: pd.DataFrame
    mutual: pd.DataFrame


class Participation(NamedTuple):
    """``rates``: respondents per customer function against those invited (when the
    invitation list is known) or its headcount (``base``); ``people``: distinct respondents in
    the wave; ``headcount``: the organisation's headcount; ``invited``: the people invited to
    the wave (0 when not known)."""

    rates: pd.DataFrame
    people: int
    headcount: int
    invited: int = 0


class Influence(NamedTuple):
    """``table``: NPS and influence-weighted NPS per rated function (``linked``: responses
    linked to the register); ``responses``: the responses it rests on."""

    table: pd.DataFrame
    responses: int


class Drivers(NamedTuple):
    """``table``: LMG importance per driver with bootstrap intervals (empty when there is
    none); ``columns``: the driver ratings found; ``problem``: why there is no table, if so;
    ``levels``: how each driver is rated now and its change since the previous wave
    (:func:`kit.drivers.levels`; no change where the previous wave is withheld)."""

    table: pd.DataFrame
    columns: list[str]
    problem: str
    levels: pd.DataFrame = pd.DataFrame()


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


class GeneralComments(NamedTuple):
    """The wave's general comments (``comments.csv``: about no one function, kept once per
    respondent by ``kit import`` for a matrix export), shown for the organisation only:
    ``commented`` (how many), ``matched`` (with a theme), ``enough`` (at least the comment
    threshold, the organisation shown); ``counts`` per theme (``theme``, ``label``,
    ``count``, ``share`` in % of the general comments) and one redacted quote per theme
    (``theme``, ``label``, ``quote``, ``check``). Empty tables unless ``enough``."""

    commented: int
    matched: int
    enough: bool
    counts: pd.DataFrame
    quotes: pd.DataFrame


def _waves(ctx: Context) -> list[str]:
    return list(ctx.cfg.waves[: ctx.cfg.waves.index(ctx.wave) + 1])


def _withheld(ctx: Context, wave: str, *, by: str | None = None, group=None) -> bool:
    """The ledger's word on one group of the scope in ``wave``: the scope's total (no ``by``),
    a provider's total, or a customer group (a cell for a function, a column for the whole)."""
    provider = ctx.provider or ALL
    if by == "provider_function":
        provider = group
    customer = group if by == "respondent_function" else ALL
    return ctx.ledger.withheld(wave, provider=provider, customer=customer)


def _by_ledger(ctx: Context, table: pd.DataFrame, by: str, *, wave: str | None = None):
    """``table`` (one row per group of ``by``) suppressed and blanked as the ledger decides."""
    out = table.copy()
    out["suppressed"] = [_withheld(ctx, wave or ctx.wave, by=by, group=g) for g in out[by]]
    return nps.blank_suppressed(out)


def summary(ctx: Context) -> pd.DataFrame:
    """The scope's NPS in the wave: one row of :func:`kit.nps.summary` columns, withheld
    (``suppressed``, no figures) when the scope is :attr:`~kit.context.Context.too_small`."""
    out = nps.summary(ctx.current, **ctx.nps_options)
    out["suppressed"] = ctx.too_small
    return nps.blank_suppressed(out)


def trend(ctx: Context) -> Trend:
    """The scope's NPS per wave up to the selected one, and the tests of the changes; a wave
    whose total the ledger withholds shows no figures, nor do the changes into and out of it."""
    waves = _waves(ctx)
    rated = ctx.rated[ctx.rated["wave"].isin(waves)]
    table, changes = nps.trend(rated, waves=waves, **ctx.nps_options)
    if ctx.filters:
        return Trend(table, _verdicts(ctx, changes))
    hidden = {w: _withheld(ctx, w) for w in waves}
    table["suppressed"] = table["suppressed"] | table["wave"].map(hidden)
    if ctx.is_organisation and len(changes):  # the organisation's score: a family of one
        pair = changes["wave_from"].map(hidden) | changes["wave_to"].map(hidden)
        changes = nps.withhold_changes(changes, pair, confidence=ctx.cfg.thresholds.confidence)
    elif len(changes):  # one function's: tested among every function's changes
        every = _function_changes(ctx, waves)
        changes = every[every["provider_function"] == ctx.scope].drop(columns="provider_function")
    table = nps.blank_suppressed(table)
    return Trend(
        table,
        _verdicts(ctx, changes.reset_index(drop=True)),
        weightings(ctx, table) if ctx.is_organisation else pd.DataFrame(),
    )


def weightings(ctx: Context, pooled: pd.DataFrame) -> pd.DataFrame:
    """The organisation's score per wave weighed three ways: ``pooled`` (every rating counts
    once: the most-rated functions weigh most), ``equal_weight`` (the mean of the functions'
    scores) and ``by_headcount`` (functions weighed by their headcount), over the
    ``functions`` whose score the ledger shows in the wave; ``most_rated`` names the two
    functions with most ratings and ``their_share`` of all ratings."""
    heads = ctx.ds.functions.set_index("function")["headcount"]
    rows = []
    for _, row in pooled.iterrows():
        wave = row["wave"]
        shown = {f: ctx.ledger.view(wave, provider=f) for f in ctx.ledger.shown_providers(wave)}
        scores = pd.Series({f: v["nps"] for f, v in shown.items()}, dtype=float)
        weights = heads.reindex(scores.index).astype(float)
        rated = pd.Series({f: v["n"] for f, v in shown.items()}, dtype=float)
        top = rated.sort_values(ascending=False).head(2)
        usable = weights.notna().all() and weights.sum() > 0
        rows.append(
            {
                "wave": wave,
                "pooled": row["nps"],
                "equal_weight": scores.mean() if len(scores) else np.nan,
                "by_headcount": float((scores * weights).sum() / weights.sum())
                if usable
                else np.nan,
                "functions": len(scores),
                "most_rated": tuple(top.index),
                "their_share": float(top.sum() / row["n"])
                if pd.notna(row["n"]) and row["n"]
                else np.nan,
            }
        )
    return pd.DataFrame(rows)


def _verdicts(ctx: Context, changes: pd.DataFrame) -> pd.DataFrame:
    if changes.empty:
        return changes.assign(verdict=pd.Series(dtype=str))
    margin = ctx.cfg.thresholds.inconclusive_margin
    return changes.assign(verdict=nps.verdicts(changes, margin=margin))


def _function_changes(ctx: Context, waves: list[str]) -> pd.DataFrame:
    """Every rated function's changes between consecutive ``waves``, withheld where the
    ledger withholds either wave's total; each pair of waves' shown changes are one family
    (Holm for the verdict, Benjamini-Hochberg beside it)."""
    out = nps.compare_waves(
        ctx.ds.responses, waves=waves, by="provider_function", **ctx.nps_options
    )
    hide = [
        _withheld(ctx, a, by="provider_function", group=f)
        or _withheld(ctx, b, by="provider_function", group=f)
        for f, a, b in zip(out["provider_function"], out["wave_from"], out["wave_to"], strict=True)
    ]
    return nps.withhold_changes(out, hide, confidence=ctx.cfg.thresholds.confidence)


#: The groupings the ledger decides (for another ``by``, the grouping's own rule applies).
LEDGER_GROUPS = ("provider_function", "respondent_function")


def segments(ctx: Context, *, by: str | None = None) -> pd.DataFrame:
    """NPS per group of the wave: per rated function (organisation) or per customer function
    (one function) unless ``by`` names another column. Withheld as the ledger decides for
    these two groupings; for another ``by`` (or a segment from ``ctx.where``), small groups
    and a complement are withheld within the table."""
    by = by or ("provider_function" if ctx.is_organisation else "respondent_function")
    if by not in LEDGER_GROUPS or ctx.filters:
        return nps.segments(ctx.current, by=by, **ctx.nps_options)
    table = nps.summary(ctx.current, by=by, **{**ctx.nps_options, "min_n": 0})
    table = _by_ledger(ctx, table, by)
    return table.sort_values(by, kind="stable").reset_index(drop=True)


def scorecard(ctx: Context) -> pd.DataFrame:
    """Every rated function's score in the wave with its interval and n, its ``change`` from
    the previous wave and that change's ``verdict``, its distance ``to_target`` and its
    ``rank`` among the functions shown (1 = highest), best first; withheld rows last, with no
    figures. The organisation's view: empty for one function or a segment."""
    if not ctx.is_organisation or ctx.filters:
        return pd.DataFrame()
    seg = segments(ctx)
    out = seg[["provider_function", "n", "nps", "ci_low", "ci_high", "suppressed"]].copy()
    moved = moves(ctx)
    if len(moved):
        moved = moved.set_index("provider_function")
        out["change"] = out["provider_function"].map(moved["difference"])
        out["verdict"] = out["provider_function"].map(moved["verdict"]).fillna("")
    else:
        out["change"], out["verdict"] = np.nan, ""
    out["to_target"] = out["nps"] - ctx.cfg.target_nps
    out["rank"] = out["nps"].rank(ascending=False, method="min").astype("Int64")
    out.loc[out["suppressed"], ["change", "verdict"]] = [np.nan, ""]
    return out.sort_values(["suppressed", "nps"], ascending=[True, False]).reset_index(drop=True)


def moves(ctx: Context) -> pd.DataFrame:
    """Each rated function's change from the previous wave to this one, with its ``verdict``
    (significant, inconclusive or no significant change: :func:`kit.nps.verdicts`); the
    changes shown are one family; withheld where the ledger withholds either wave's total;
    empty on the first wave."""
    previous = ctx.cfg.previous_wave_of(ctx.wave)
    if not previous:
        return pd.DataFrame()
    return _verdicts(ctx, _function_changes(ctx, [previous, ctx.wave]))


def segment_changes(ctx: Context) -> pd.DataFrame:
    """The change of each group :func:`segments` shows: each function's (:func:`moves`) for
    the organisation, each customer group's (:func:`group_changes`) for one function."""
    return moves(ctx) if ctx.is_organisation else group_changes(ctx)


def group_changes(ctx: Context) -> pd.DataFrame:
    """How each customer group's score of the function moved from the previous wave: one row
    per ``respondent_function`` (:func:`kit.nps.compare_waves` columns, with ``verdict``),
    the shown groups' changes one family; withheld where the ledger withholds the group in
    either wave; empty for the organisation, a segment, or the first wave."""
    previous = ctx.cfg.previous_wave_of(ctx.wave)
    if ctx.is_organisation or ctx.filters or not previous:
        return pd.DataFrame()
    waves = [previous, ctx.wave]
    out = nps.compare_waves(
        ctx.rated[ctx.rated["wave"].isin(waves)],
        waves=waves,
        by="respondent_function",
        **{**ctx.nps_options, "min_n": 0},
    )
    hide = [
        any(_withheld(ctx, w, by="respondent_function", group=g) for w in waves)
        for g in out["respondent_function"]
    ]
    out = nps.withhold_changes(out, hide, confidence=ctx.cfg.thresholds.confidence)
    return _verdicts(ctx, out.reset_index(drop=True))


def headline(ctx: Context) -> Headline:
    """The figures the headline sentences are made of."""
    found = trend(ctx)
    changes = found.changes
    org = ctx.is_organisation
    seg = segments(ctx) if org else pd.DataFrame()
    predicted = ctx.ds.functions.set_index("function")["predicted_nps"].get(ctx.scope)
    return Headline(
        summary=summary(ctx),
        change=changes[changes["wave_to"] == ctx.wave],
        segments=seg,
        moves=moves(ctx) if org else pd.DataFrame(),
        previous=ctx.cfg.previous_wave_of(ctx.wave),
        predicted=float(predicted)
        if predicted is not None and pd.notna(predicted)
        else float("nan"),
        withheld=sorted(seg.loc[seg["suppressed"], "provider_function"]) if org else [],
        weightings=found.weightings,
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


def category_shares(ctx: Context) -> pd.DataFrame:
    """The split of the scope's answers now and in the previous wave: one row per ``wave``
    with ``n`` and the % of ``detractors``, ``passives`` and ``promoters``; a wave whose total
    the ledger withholds has no figures (``suppressed``)."""
    previous = ctx.cfg.previous_wave_of(ctx.wave)
    rows = []
    for wave in [previous, ctx.wave] if previous else [ctx.wave]:
        answers = ctx.rated[ctx.rated["wave"] == wave]
        cats = nps.classify(
            answers["score"], detractor_max=ctx.cfg.detractor_max, passive_max=ctx.cfg.passive_max
        ).astype(str)
        hidden = len(answers) < ctx.min_n or (not ctx.filters and _withheld(ctx, wave))
        rows.append(
            {
                "wave": wave,
                "n": pd.NA if hidden else len(answers),
                **{
                    f"{c}s": np.nan if hidden else 100 * float((cats == c).mean())
                    for c in ("detractor", "passive", "promoter")
                },
                "suppressed": hidden,
            }
        )
    out = pd.DataFrame(rows)
    out["n"] = out["n"].astype("Int64")
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
    every = {**ctx.nps_options, "min_n": 0}
    cells = nps_tables.matrix(ctx.in_wave, **(ctx.nps_options if ctx.filters else every))
    if not ctx.filters:  # the ledger's cells (the same rule, decided once for every output)
        cells["suppressed"] = [
            ctx.ledger.withheld(ctx.wave, provider=p, customer=c)
            for p, c in zip(cells["provider_function"], cells["respondent_function"], strict=True)
        ]
        cells = nps.blank_suppressed(cells)
    mutual = pd.DataFrame() if ctx.is_organisation else nps_tables.mutual(cells, ctx.scope)
    return Matrix(cells, _silos(cells), mutual)


def cell_changes(ctx: Context) -> pd.DataFrame:
    """How each provider x customer score moved from the previous wave: one row per pair the
    ledger shows in both waves (:func:`kit.nps.compare_waves` columns with ``verdict``, the
    pairs one family), largest change first. The organisation's view: empty for one function,
    a segment or the first wave."""
    previous = ctx.cfg.previous_wave_of(ctx.wave)
    if not ctx.is_organisation or ctx.filters or not previous:
        return pd.DataFrame()
    waves = [previous, ctx.wave]
    keys = ["provider_function", "respondent_function"]
    out = nps.compare_waves(
        ctx.ds.responses[ctx.ds.responses["wave"].isin(waves)],
        waves=waves,
        by=keys,
        **{**ctx.nps_options, "min_n": 0},
    )
    hide = [
        any(ctx.ledger.withheld(w, provider=p, customer=c) for w in waves)
        for p, c in zip(out["provider_function"], out["respondent_function"], strict=True)
    ]
    out = nps.withhold_changes(out, hide, confidence=ctx.cfg.thresholds.confidence)
    out = _verdicts(ctx, out[~out["suppressed"].astype(bool)].reset_index(drop=True))
    order = out["difference"].abs().sort_values(ascending=False, kind="stable").index
    return out.loc[order].reset_index(drop=True)


def participation(ctx: Context) -> Participation:
    """Who answered in the wave: respondents per customer function, against those invited
    (``invitations.csv``) where known, else its headcount."""
    inv = ctx.ds.invitations
    invited = inv[inv["wave"] == ctx.wave].set_index("function")["invited"].astype(float)
    return Participation(
        rates=nps_tables.response_rates(
            ctx.in_wave, ctx.ds.functions, min_n=ctx.min_n, invited=invited
        ),
        people=int(ctx.in_wave["respondent_id"].nunique()),
        headcount=int(ctx.ds.functions["headcount"].sum()),
        invited=int(invited.sum()),
    )


def _withhold(table: pd.DataFrame, hide, *, counts: list[str], figures: list[str]):
    """``table`` with the rows ``hide`` (and those already suppressed) withheld: ``counts``
    and ``figures`` blank."""
    out = table.copy()
    out["suppressed"] = np.asarray(hide, dtype=bool) | out["suppressed"].to_numpy(dtype=bool)
    out[counts] = out[counts].astype("Int64")
    out.loc[out["suppressed"], counts] = pd.NA
    out.loc[out["suppressed"], figures] = np.nan
    return out


def _provider_withheld(ctx: Context, table: pd.DataFrame) -> list[bool]:
    return [_withheld(ctx, ctx.wave, by="provider_function", group=f) for f in table.iloc[:, 0]]


def gap(ctx: Context) -> pd.DataFrame:
    """The 360 gap: each function's predicted NPS against the NPS it receives (``gap``,
    ``outside`` its interval), withheld with the function's total; one function's row only
    for a function's scope."""
    every = {**ctx.nps_options, "min_n": 0}
    gaps = nps_tables.gap_360(ctx.in_wave, ctx.ds.functions, **every)
    gaps = _withhold(
        gaps,
        _provider_withheld(ctx, gaps),
        counts=["n"],
        figures=["nps", "ci_low", "ci_high", "gap"],
    )
    gaps["outside"] = gaps["outside"] & ~gaps["suppressed"]
    return gaps if ctx.is_organisation else gaps[gaps["provider_function"] == ctx.scope]


def influence(ctx: Context) -> Influence:
    """NPS with the answers of register stakeholders who agreed to be linked weighted by their
    influence, per rated function; withheld with the function's total, and where fewer than
    the anonymity threshold of answers are linked (their weight would be theirs alone)."""
    data = ctx.in_wave if ctx.is_organisation else ctx.current
    table = nps_tables.influence_weighted(
        data,
        ctx.ds.stakeholders,
        ctx.ds.roster,
        min_n=0,
        by="provider_function",
        detractor_max=ctx.cfg.detractor_max,
        passive_max=ctx.cfg.passive_max,
        confidence=ctx.cfg.thresholds.confidence,
    )
    few = (table["linked"] < ctx.min_n).to_numpy()
    hide = np.asarray(_provider_withheld(ctx, table)) | few
    table = _withhold(
        table,
        hide,
        counts=["n", "linked"],
        figures=["nps", "nps_weighted", "shift", "ci_low", "ci_high"],
    )
    return Influence(table, len(data))


def drivers(ctx: Context, *, resamples: int = 1000) -> Drivers:
    """Which driver ratings go with likelihood-to-recommend (LMG relative importance with
    bootstrap intervals over ``resamples`` resamples; none under 50 complete answers), and
    how each is rated and moved."""
    columns = driver_analysis.driver_columns(ctx.current)
    if len(columns) < 2:
        return Drivers(pd.DataFrame(), columns, "This survey has no driver ratings to analyse.")
    previous = ctx.cfg.previous_wave_of(ctx.wave)
    compared = previous and not ctx.filters and not _withheld(ctx, previous)
    levels = driver_analysis.levels(
        ctx.rated,
        waves=(previous, ctx.wave) if compared else (ctx.wave,),
        drivers=columns,
        cluster=ctx.nps_options["cluster"],
        confidence=ctx.cfg.thresholds.confidence,
    )
    try:
        table = driver_analysis.importance(
            ctx.current,
            drivers=columns,
            resamples=resamples,
            confidence=ctx.cfg.thresholds.confidence,
            cluster=ctx.nps_options["cluster"],
        )
    except ValueError as exc:
        return Drivers(pd.DataFrame(), columns, str(exc), levels)
    return Drivers(table, columns, "", levels)


def theme_changes(ctx: Context) -> pd.DataFrame:
    """How often each theme came up among the scope's comments now and in the previous wave:
    one row per theme, ``label``, ``before`` and ``now`` (comments), ``share_before`` and
    ``share_now`` (% of that wave's comments) and ``change`` (points of share), largest
    change first. Empty unless both waves have at least the comment threshold of comments
    and the ledger shows the scope's total in both."""
    previous = ctx.cfg.previous_wave_of(ctx.wave)
    if not previous or ctx.too_small or (not ctx.filters and _withheld(ctx, previous)):
        return pd.DataFrame()
    least = ctx.cfg.thresholds.min_comment_group_size
    waves = {}
    for wave, rated in (
        (previous, ctx.rated[ctx.rated["wave"] == previous]),
        (ctx.wave, ctx.current),
    ):
        commented = rated[rated["comment"].fillna("").str.strip() != ""]
        if len(commented) < least:
            return pd.DataFrame()
        coded = ctx.coded if wave == ctx.wave else ctx.code(rated)
        waves[wave] = (coded.drop_duplicates(["response_id", "theme"]), len(commented))
    labels = pd.concat([c for c, _ in waves.values()]).drop_duplicates("theme")
    out = labels.set_index("theme")[["label"]]
    for key, (coded, commented) in zip(("before", "now"), waves.values(), strict=True):
        out[key] = coded.groupby("theme").size().reindex(out.index, fill_value=0)
        out[f"share_{key}"] = 100 * out[key] / commented
    out["change"] = out["share_now"] - out["share_before"]
    order = out["change"].abs().sort_values(ascending=False, kind="stable").index
    return out.loc[order].reset_index()


def _commented(ctx: Context) -> pd.DataFrame:
    return ctx.current[ctx.current["comment"].fillna("").str.strip() != ""]


def themes(ctx: Context) -> Themes:
    """Comment themes of the wave by category, a redacted quote per theme, and (for the
    consultant) the comments no theme matched. Quotes are pooled by the function rated, from
    functions the ledger shows with at least the comment threshold of comments, so a quote
    about a function may appear in its own pack and the organisation's alike."""
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
        shown = ctx.ledger.shown_providers(ctx.wave)
        quotes = coding.quotes(  # pooled by the function rated: the rater is never shown
            commented[commented["provider_function"].isin(shown)],
            coded,
            per_theme=1,
            names=names,
            min_group_size=least,
            group="provider_function",
        )
        if not ctx.for_client:
            rest = coding.uncoded(commented, coded)
            text = privacy.redact(rest["comment"], names=names)
            rest = rest.assign(comment=text, check=privacy.suspects(text, names=names))
    matched = coded["response_id"].nunique()
    return Themes(len(ctx.current), len(commented), matched, enough, counts, quotes, rest)


def general_comments(ctx: Context) -> GeneralComments:
    """The organisation's general comments in the wave: their themes and a redacted quote per
    theme, from at least the comment threshold of comments (none for a function, or for a
    segment from :meth:`Context.where`: they are rated by no one function and carry no
    score)."""
    general = ctx.ds.comments
    if not ctx.is_organisation or ctx.filters:
        general = general.iloc[0:0]
    general = general[
        (general["wave"] == ctx.wave) & (general["comment"].fillna("").str.strip() != "")
    ]
    rows = general.rename(columns={"comment_id": "response_id"}).assign(score=np.nan, pool="all")
    least = ctx.cfg.thresholds.min_comment_group_size
    enough = not ctx.too_small and len(rows) >= least
    counts = pd.DataFrame(columns=["theme", "label", "count", "share"])
    quotes = pd.DataFrame(columns=["theme", "label", "quote", "check"])
    if not enough:
        return GeneralComments(len(rows), 0, False, counts, quotes)
    coded = coding.code(rows, codebook=ctx.cfg.codebook).drop_duplicates(["response_id", "theme"])
    counts = coded.groupby(["theme", "label"]).size().rename("count").reset_index()
    counts["share"] = 100 * counts["count"] / len(rows)
    counts = counts.sort_values(["count", "theme"], ascending=[False, True], ignore_index=True)
    names = privacy.person_names(ctx.ds.stakeholders, ctx.ds.roster)
    picked = coding.quotes(
        rows, coded, per_theme=1, names=names, min_group_size=least, group="pool"
    )
    order = {t: i for i, t in enumerate(counts["theme"])}
    quotes = picked.sort_values("theme", key=lambda t: t.map(order), ignore_index=True)[
        ["theme", "label", "quote", "check"]
    ]
    return GeneralComments(len(rows), coded["response_id"].nunique(), True, counts, quotes)
