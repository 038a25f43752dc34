"""Stage 2, internal NPS: what notebook 02 shows for a scope."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from kit import drivers, narrative, nps, nps_tables, plots, privacy, themes
from kit.narrative import change_sentence, nps_phrase, signed, table


def trend(ctx) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scope's NPS per wave up to the selected one, and the changes between waves."""
    waves = list(ctx.cfg.waves[: ctx.cfg.waves.index(ctx.wave) + 1])
    rated = ctx.rated[ctx.rated["wave"].isin(waves)]
    return nps.trend(rated, waves=waves, **ctx.nps_options)


def segments(ctx) -> pd.DataFrame:
    """NPS per rated function (organisation) or per customer function (one function)."""
    by = "provider_function" if ctx.is_organisation else "respondent_function"
    return nps.segments(ctx.current, by=by, **ctx.nps_options)


def headline(ctx) -> HTML:
    """Headline sentences for the scope's NPS, computed from the data."""
    args = ctx.nps_options
    now = nps.summary(ctx.current, **args).iloc[0]
    who = (
        "Internal customers rate the organisation's functions"
        if ctx.is_organisation
        else (f"{ctx.scope}'s internal customers give it")
    )
    lines = [
        f"{who} an NPS of {nps_phrase(now, confidence=args['confidence'])} in {ctx.wave}"
        + ("" if now["suppressed"] else f": {nps.band(now['nps'])}.")
    ]
    _, changes = trend(ctx)
    last = changes[changes["wave_to"] == ctx.wave]
    if ctx.is_organisation:
        seg = segments(ctx)
        shown = seg[~seg["suppressed"]].sort_values("nps")
        if len(shown) >= 2:
            lo, hi = shown.iloc[0], shown.iloc[-1]
            lines.append(
                f"Highest: {hi['provider_function']} ({signed(hi['nps'])}); lowest: "
                f"{lo['provider_function']} ({signed(lo['nps'])})."
            )
        moves = (
            nps.compare_waves(
                ctx.ds.responses,
                waves=[ctx.cfg.previous_wave_of(ctx.wave), ctx.wave],
                by="provider_function",
                **args,
            )
            if ctx.cfg.previous_wave_of(ctx.wave)
            else pd.DataFrame()
        )
        sig = moves[moves["significant"].fillna(False).astype(bool)] if len(moves) else moves
        if len(moves):
            if len(sig):
                lines += [change_sentence(r["provider_function"], r) for _, r in sig.iterrows()]
            else:
                lines.append(
                    f"No function's score changed significantly since "
                    f"{ctx.cfg.previous_wave_of(ctx.wave)} (Holm-corrected)."
                )
    else:
        if len(last):
            lines.append(change_sentence(ctx.scope, last.iloc[0]))
        predicted = ctx.ds.functions.set_index("function")["predicted_nps"].get(ctx.scope)
        if predicted is not None and pd.notna(predicted) and not now["suppressed"]:
            gap = now["nps"] - float(predicted)
            lines.append(
                f"{ctx.scope} expected {signed(float(predicted))}: the score it receives "
                f"is {abs(gap):.0f} points {'below' if gap < 0 else 'above'} its own "
                f"estimate."
            )
    return narrative.headline(lines)


def kpis(ctx) -> HTML:
    """Key figures of the scope in the selected wave."""
    args = ctx.nps_options
    now = nps.summary(ctx.current, **args).iloc[0]
    if now["suppressed"]:
        return narrative.kpis([("NPS", "suppressed", f"fewer than {ctx.min_n} responses")])
    conf = f"{args['confidence']:.0%}"
    return narrative.kpis(
        [
            (
                "NPS",
                signed(now["nps"]),
                f"{conf} interval {signed(now['ci_low'])} to {signed(now['ci_high'])}",
            ),
            ("Responses", f"{int(now['n']):,}", f"wave {ctx.wave}"),
            ("Promoters", f"{now['pct_promoters']:.0f}%", "scored 9-10"),
            ("Detractors", f"{now['pct_detractors']:.0f}%", f"scored 0-{ctx.cfg.detractor_max}"),
        ]
    )


def changes_table(changes: pd.DataFrame) -> HTML:
    """The wave-on-wave changes with their test, significant or not."""
    t = changes.assign(verdict=changes["significant"].map({True: "significant", False: "n.s."}))
    return table(
        t,
        columns={
            "wave_from": "From",
            "wave_to": "To",
            "nps_a": "NPS before",
            "nps_b": "NPS after",
            "difference": "Change",
            "p_adjusted": "p (Holm)",
            "verdict": "Verdict",
        },
        formats={
            "nps_a": "signed",
            "nps_b": "signed",
            "difference": "signed",
            "p_adjusted": ".3f",
        },
    )


def segments_table(ctx, segments: pd.DataFrame) -> HTML:
    """The segment scores as a table with n, interval and category shares."""
    label = segments.columns[0]
    return table(
        segments,
        columns={
            label: "Function",
            "n": "n",
            "nps": "NPS",
            "ci_low": "Low",
            "ci_high": "High",
            "pct_promoters": "% promoters",
            "pct_detractors": "% detractors",
        },
        formats={
            "n": ",.0f",
            "nps": "signed",
            "ci_low": "signed",
            "ci_high": "signed",
            "pct_promoters": ".0f",
            "pct_detractors": ".0f",
        },
    )


def distribution(ctx) -> HTML:
    """The 0-10 answers of the selected wave, coloured by category."""
    if (note := withheld(ctx)) is not None:
        return note
    ax = plots.score_distribution(
        ctx.current, detractor_max=ctx.cfg.detractor_max, passive_max=ctx.cfg.passive_max
    )
    return narrative.chart(ax)


def trend_view(ctx) -> HTML:
    """NPS per wave with intervals, and the test of each change."""
    table_, changes = trend(ctx)
    return narrative.join(
        narrative.chart(plots.nps_trend(table_, changes=changes)), changes_table(changes)
    )


def segments_view(ctx) -> HTML:
    """Scores per function (organisation) or per customer group (one function)."""
    seg = segments(ctx)
    label = seg.columns[0]
    blocks = [narrative.chart(plots.nps_bars(seg, label=label))]
    if (~seg["suppressed"]).any():
        blocks.append(narrative.chart(plots.category_split(seg, label=label)))
    return narrative.join(*blocks, segments_table(ctx, seg))


# ---------------------------------------------------------------- across the organisation


def withheld(ctx) -> HTML | None:
    """A note when the scope itself has too few responses to show anything about them."""
    if len(ctx.current) >= ctx.min_n:
        return None
    return narrative.note(
        f"{ctx.label} has fewer than {ctx.min_n} responses in {ctx.wave}: nothing more about "
        "them is shown, to keep respondents anonymous."
    )


def _silos(m: pd.DataFrame) -> pd.DataFrame:
    """Pairs of functions that rate each other negatively, both ways shown."""
    shown = m[~m["suppressed"]].set_index(["provider_function", "respondent_function"])["nps"]
    rows = []
    for (a, b), score in shown.items():
        back = shown.get((b, a))
        if a < b and back is not None and score < 0 and back < 0:
            rows.append({"a": a, "b": b, "a_from_b": score, "b_from_a": back})
    out = pd.DataFrame(rows, columns=["a", "b", "a_from_b", "b_from_a"])
    return out.assign(mean=(out["a_from_b"] + out["b_from_a"]) / 2).sort_values("mean")


def matrix(ctx) -> pd.DataFrame:
    """The provider x customer matrix of the selected wave (all functions)."""
    return nps_tables.matrix(ctx.in_wave, **ctx.nps_options)


def matrix_view(ctx) -> HTML:
    """Who rates whom: the heatmap (organisation) or the two-way view of one function."""
    m = matrix(ctx)
    silos = _silos(m)
    if ctx.is_organisation:
        hidden = int(m["suppressed"].sum())
        lines = [
            f"{len(m)} provider-customer pairs were rated in {ctx.wave}; {hidden} are withheld "
            "(too few responses, or needed to protect a small group)."
        ]
        lines += [
            f"{r['a']} and {r['b']} rate each other negatively ({r['a']} gets "
            f"{signed(r['a_from_b'])} from {r['b']}, {r['b']} gets {signed(r['b_from_a'])} "
            f"back): a likely silo."
            for _, r in silos.head(3).iterrows()
        ]
        return narrative.join(narrative.headline(lines), narrative.chart(plots.nps_matrix(m)))
    view = nps_tables.mutual(m, ctx.scope)
    both = silos[(silos["a"] == ctx.scope) | (silos["b"] == ctx.scope)]
    lines = [
        f"{ctx.scope} and {r['b'] if r['a'] == ctx.scope else r['a']} rate each other "
        "negatively: a likely silo to work on together."
        for _, r in both.iterrows()
    ] or [f"No function and {ctx.scope} rate each other negatively in {ctx.wave}."]
    out = table(
        view,
        columns={
            "function": "Function",
            "n_received": "n (rates us)",
            "nps_received": f"NPS it gives {ctx.scope}",
            "n_given": "n (we rate)",
            "nps_given": f"NPS {ctx.scope} gives it",
        },
        formats={"nps_received": "signed", "nps_given": "signed"},
        suppressed=None,
    )
    return narrative.join(narrative.headline(lines), out)


def response_view(ctx) -> HTML:
    """Who answered: respondents against headcount per customer function."""
    rates = nps_tables.response_rates(ctx.in_wave, ctx.ds.functions, min_n=ctx.min_n)
    people = ctx.in_wave["respondent_id"].nunique()
    total = int(ctx.ds.functions["headcount"].sum())
    shown = rates[~rates["suppressed"]].dropna(subset=["rate"])
    lines = [f"{people:,} people answered in {ctx.wave}, {100 * people / total:.0f}% of {total:,}."]
    if len(shown) >= 2:
        lo, hi = shown.iloc[-1], shown.iloc[0]
        lines.append(
            f"Highest participation: {hi['respondent_function']} ({hi['rate']:.0f}%); lowest: "
            f"{lo['respondent_function']} ({lo['rate']:.0f}%)."
        )
    return narrative.join(narrative.headline(lines), narrative.chart(plots.response_rates(rates)))


def gap_view(ctx) -> HTML:
    """The 360 gap: each function's own predicted NPS against the NPS it receives."""
    gaps = nps_tables.gap_360(ctx.in_wave, ctx.ds.functions, **ctx.nps_options)
    shown = gaps[~gaps["suppressed"] & gaps["predicted"].notna()]
    if not ctx.is_organisation:
        shown = shown[shown["provider_function"] == ctx.scope]
        if shown.empty:
            return narrative.note(f"No prediction or not enough responses for {ctx.scope}.")
    blind = shown[shown["outside"] & (shown["gap"] < 0)]
    lines = [
        f"{r['provider_function']} predicted {signed(r['predicted'])} and received "
        f"{signed(r['nps'])}: {abs(r['gap']):.0f} points "
        + (
            "below, outside the margin of error (a blind spot)."
            if r["outside"] and r["gap"] < 0
            else "above its own estimate."
            if r["outside"]
            else "apart, within the margin of error."
        )
        for _, r in (blind if ctx.is_organisation else shown).head(4).iterrows()
    ]
    if ctx.is_organisation:
        lines.insert(
            0,
            f"{len(blind)} of {len(shown)} functions rate themselves higher than "
            "their internal customers do, beyond the margin of error.",
        )
        return narrative.join(narrative.headline(lines), narrative.chart(plots.gap_360(shown)))
    return narrative.headline(lines)


def influence_view(ctx) -> HTML:
    """NPS with influential stakeholders' voices weighted up, where consent links them."""
    if (note := withheld(ctx)) is not None:
        return note
    by = "provider_function"
    data = ctx.in_wave if ctx.is_organisation else ctx.current
    t = nps_tables.influence_weighted(
        data,
        ctx.ds.stakeholders,
        ctx.ds.roster,
        min_n=ctx.min_n,
        by=by,
        detractor_max=ctx.cfg.detractor_max,
        passive_max=ctx.cfg.passive_max,
        confidence=ctx.cfg.thresholds.confidence,
    )
    linked = int(t["linked"].sum())
    shown = t[~t["suppressed"]]
    big = shown[shown["shift"].abs() >= 5]
    lines = [
        f"{linked} of {len(data):,} responses come from people in the stakeholder register who "
        "agreed to be linked; they count in proportion to their influence."
    ]
    lines.append(
        "; ".join(f"{r[by]} moves {signed(r['shift'])} points" for _, r in big.iterrows()) + "."
        if len(big)
        else f"Weighting by influence moves {'no function' if ctx.is_organisation else ctx.scope}"
        "'s score by less than 5 points: influential stakeholders see it much as everyone "
        "else does."
    )
    out = table(
        t,
        columns={
            by: "Function",
            "n": "n",
            "linked": "Linked",
            "nps": "NPS",
            "nps_weighted": "Influence-weighted",
            "shift": "Shift",
        },
        formats={"nps": "signed", "nps_weighted": "signed", "shift": "signed"},
    )
    return narrative.join(narrative.headline(lines), out)


# ---------------------------------------------------------------- drivers and comments


def drivers_view(ctx) -> HTML:
    """Which driver ratings move likelihood-to-recommend, with their uncertainty."""
    if (note := withheld(ctx)) is not None:
        return note
    columns = drivers.driver_columns(ctx.current)
    if len(columns) < 2:
        return narrative.note("This survey has no driver ratings to analyse.")
    try:
        table_ = drivers.importance(
            ctx.current, drivers=columns, confidence=ctx.cfg.thresholds.confidence
        )
    except ValueError as exc:
        return narrative.note(f"No driver analysis for {ctx.label}: {exc}")
    return narrative.join(
        narrative.headline([drivers.sentence(table_)]),
        narrative.chart(plots.driver_importance(table_)),
    )


def _comments(ctx) -> tuple[pd.DataFrame, pd.DataFrame] | HTML:
    """The scope's commented responses and their themes, or a note why none are shown."""
    if (note := withheld(ctx)) is not None:
        return note
    commented = ctx.current[ctx.current["comment"].fillna("").str.strip() != ""]
    least = ctx.cfg.thresholds.min_comment_group_size
    if len(commented) < least:
        return narrative.note(
            f"Fewer than {least} comments about {ctx.label} in {ctx.wave}: themes are not shown."
        )
    return commented, themes.code(commented, codebook=ctx.cfg.codebook)


def themes_view(ctx) -> HTML:
    """Comment themes by category, and a redacted quote or two per theme."""
    found = _comments(ctx)
    if isinstance(found, HTML):
        return found
    commented, coded = found
    counts = themes.theme_counts(
        commented, coded, detractor_max=ctx.cfg.detractor_max, passive_max=ctx.cfg.passive_max
    )
    picked = themes.quotes(
        commented,
        coded,
        per_theme=1,
        names=privacy.person_names(ctx.ds.stakeholders, ctx.ds.roster),
        min_group_size=ctx.cfg.thresholds.min_comment_group_size,
        group="respondent_function",
    )
    top = counts.iloc[0] if len(counts) else None
    lines = [
        f"{len(commented)} of {len(ctx.current)} responses about {ctx.label} carry a comment; "
        f"{coded['response_id'].nunique()} of them match a theme."
    ]
    if top is not None:
        lines.append(f"The most frequent theme is “{top['label']}” ({int(top['total'])}).")
    quotes = (
        table(picked, columns={"label": "Theme", "category": "From a", "quote": "Comment"})
        if len(picked)
        else narrative.note(
            "No quotes: no customer group has enough comments to quote anonymously."
        )
    )
    return narrative.join(
        narrative.headline(lines), narrative.chart(plots.theme_counts(counts)), quotes
    )


def uncoded_view(ctx) -> HTML:
    """Comments no theme matched, redacted, for the consultant to code (never in a pack)."""
    if ctx.for_client:
        return narrative.note("Uncoded comments are a working list, kept out of client reports.")
    found = _comments(ctx)
    if isinstance(found, HTML):
        return found
    commented, coded = found
    rest = themes.uncoded(commented, coded)
    names = privacy.person_names(ctx.ds.stakeholders, ctx.ds.roster)
    rest = rest.assign(comment=privacy.redact(rest["comment"], names=names))
    return narrative.join(
        narrative.note(f"{len(rest)} comments match no theme: add phrases to the codebook."),
        table(rest, columns={"response_id": "Response", "score": "Score", "comment": "Comment"}),
    )
