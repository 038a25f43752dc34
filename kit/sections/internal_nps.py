"""Stage 2, internal NPS: how notebook 02 and the packs present the findings of a scope.

Each function takes a finding of :mod:`kit.findings.internal_nps` and the scope, and returns
HTML: computed sentences, charts and tables.
"""

from __future__ import annotations

import re

import pandas as pd
from IPython.display import HTML

from kit import narrative, plots
from kit.context import Context
from kit.findings.internal_nps import (
    Drivers,
    GeneralComments,
    Headline,
    Influence,
    Matrix,
    Participation,
    Themes,
    Trend,
)
from kit.narrative import band, change_sentence, nps_phrase, signed, table
from kit.wording import groups_moved, listed


def headline(found: Headline, ctx: Context) -> HTML:
    """Headline sentences for the scope's NPS, computed from the data."""
    args = ctx.nps_options
    now = found.summary.iloc[0]
    who = (
        "Internal customers rate the organisation's functions"
        if ctx.is_organisation
        else (f"{narrative.possessive(ctx.scope)} internal customers give it")
    )
    lines = [
        f"{who} an NPS of {nps_phrase(now, confidence=args['confidence'])} in {ctx.wave}"
        + ("" if now["suppressed"] else f": {band(now['nps'])}.")
    ]
    last = found.change
    if ctx.is_organisation:
        seg = found.segments
        shown = seg[~seg["suppressed"]].sort_values("nps")
        if len(shown) >= 2:
            lo, hi = shown.iloc[0], shown.iloc[-1]
            lines.append(
                f"Highest: {hi['provider_function']} ({signed(hi['nps'])}); lowest: "
                f"{lo['provider_function']} ({signed(lo['nps'])})."
            )
        if found.withheld:
            lines.append(
                f"{narrative.listed(found.withheld)} get no report pack of their own for "
                f"{ctx.wave} ({narrative.WHY_WITHHELD})."
            )
        if len(last):
            lines.append(change_sentence("The organisation", last.iloc[0]))
        if len(found.weightings):
            said = weighting_sentence(found.weightings.iloc[-1])
            lines += [said] if said else []
        moves = found.moves
        sig = moves[moves["significant"].fillna(False).astype(bool)] if len(moves) else moves
        if len(moves):
            if len(sig):
                lines += [change_sentence(r["provider_function"], r) for _, r in sig.iterrows()]
            else:
                lines.append(
                    f"No function's score changed significantly since "
                    f"{found.previous} (Holm-corrected)."
                )
    else:
        if len(last):
            lines.append(change_sentence(ctx.scope, last.iloc[0]))
        predicted = found.predicted
        if pd.notna(predicted) and not now["suppressed"]:
            gap = now["nps"] - predicted
            lines.append(
                f"{ctx.scope} expected {signed(float(predicted))}: the score it receives "
                f"is {abs(gap):.0f} points {'below' if gap < 0 else 'above'} its own "
                f"estimate."
            )
    return narrative.join(question(ctx), narrative.headline(lines))


def question(ctx: Context) -> HTML:
    """The survey's question as the engagement file gives it (``nps.question``)."""
    asked = ctx.cfg.nps_question
    scale = "" if re.search(r"\b0\b.*\b10\b", asked) else " (answered 0 to 10)"
    end = "." if scale or not asked.endswith(("?", ".", "!")) else ""
    return narrative.note(f"The question asked: “{asked}”{scale}{end}")


def kpis(summary: pd.DataFrame, ctx: Context) -> HTML:
    """Key figures of the scope in the selected wave (``summary``: one row)."""
    args = ctx.nps_options
    now = summary.iloc[0]
    if now["suppressed"]:
        return narrative.kpis([("NPS", "withheld", "to keep respondents anonymous")])
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


def scorecard(card: pd.DataFrame, ctx: Context) -> HTML:
    """Every function's score, interval, change, verdict, distance to target and rank."""
    if card.empty:
        return narrative.omitted("every function's scorecard is in the organisation pack")
    level = int(ctx.cfg.thresholds.confidence * 100)
    previous = ctx.cfg.previous_wave_of(ctx.wave)
    columns = {
        "provider_function": "Function",
        "nps": "NPS",
        "ci_low": f"{level}% low",
        "ci_high": f"{level}% high",
        "n": "n",
        "change": f"Change since {previous}",
        "verdict": "Verdict",
        "to_target": f"vs target {signed(ctx.cfg.target_nps)}",
        "rank": "Rank",
    }
    if previous is None:  # a first wave: nothing to change from
        del columns["change"], columns["verdict"]
    return table(
        card,
        columns=columns,
        formats={
            "nps": "signed",
            "ci_low": "signed",
            "ci_high": "signed",
            "n": ",.0f",
            "change": "signed",
            "to_target": "signed",
        },
        caption=f"Scorecard, {ctx.wave}: best first; withheld functions last.",
    )


def _changes_table(changes: pd.DataFrame) -> HTML:
    """The wave-on-wave changes with their test and verdict, the family of the adjusted p
    named above the table."""
    family = changes["family_size"].fillna(0).astype(int)
    if family.max() > 1:
        sizes = ", ".join(
            f"{k} from {a} to {b}"
            for a, b, k in zip(changes["wave_from"], changes["wave_to"], family, strict=True)
            if k
        )
        said = (
            "p is each change's own test; adjusted p (Holm, which decides the verdict) and "
            "q (Benjamini-Hochberg, for screening) weigh it with every function's change "
            f"between the same two waves ({sizes})."
        )
        columns = {"p_value": "p", "p_adjusted": "Adjusted p (Holm)", "q_value": "q (BH)"}
    else:
        said = "p is the change's own test: the organisation's score is one test per pair of waves."
        columns = {"p_value": "p"}
    shown = changes.assign(verdict=changes["verdict"].str.capitalize())
    return narrative.join(
        narrative.note(said),
        table(
            shown,
            columns={
                "wave_from": "From",
                "wave_to": "To",
                "nps_a": "NPS before",
                "nps_b": "NPS after",
                "difference": "Change",
                **columns,
                "verdict": "Verdict",
            },
            formats={
                "nps_a": "signed",
                "nps_b": "signed",
                "difference": "signed",
                "p_value": "p",
                "p_adjusted": "p",
                "q_value": "p",
            },
        ),
    )


def _segments_table(segments: pd.DataFrame) -> HTML:
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


def distribution(found: pd.DataFrame, ctx: Context, shares: pd.DataFrame | None = None) -> HTML:
    """The 0-10 answers of the selected wave, coloured by category, and (``shares``:
    :func:`kit.findings.internal_nps.category_shares`) how the split moved since the
    previous wave."""
    if (note := narrative.withheld(ctx)) is not None:
        return note
    blocks = [narrative.chart(plots.score_distribution(found))]
    if shares is not None and len(shares) == 2 and not shares["suppressed"].any():
        before, now = shares.iloc[0], shares.iloc[1]
        moved = [
            f"{label} {'rose' if now[c] > before[c] else 'fell'} from {before[c]:.0f}% to "
            f"{now[c]:.0f}%"
            for c, label in (("promoters", "promoters"), ("detractors", "detractors"))
            if round(now[c]) != round(before[c])
        ]
        said = (
            f"Since {before['wave']}, {narrative.listed(moved)}."
            if moved
            else f"The split is the same as in {before['wave']}."
        )
        blocks += [
            narrative.headline([said]),
            table(
                shares,
                columns={
                    "wave": "Wave",
                    "n": "n",
                    "detractors": "Detractors %",
                    "passives": "Passives %",
                    "promoters": "Promoters %",
                },
                formats={"detractors": ".0f", "passives": ".0f", "promoters": ".0f"},
            ),
        ]
    return narrative.join(*blocks)


def group_changes(changes: pd.DataFrame, ctx: Context) -> HTML:
    """How each customer group's score of the function moved since the previous wave."""
    if ctx.is_organisation:
        return narrative.omitted(
            "each function's change by customer group is in the function's own pack"
        )
    if changes.empty:
        return narrative.omitted(f"there is no earlier wave to compare {ctx.wave} with")
    shown = changes[~changes["suppressed"].astype(bool)]
    if shown.empty:
        return narrative.omitted("every customer group's change is withheld")
    worst = shown.sort_values("difference").iloc[0]
    said = [
        f"{groups_moved(ctx.scope, shown)}.",
        "Each change is tested against chance with the groups' changes as one family (Holm); "
        "with a few dozen answers per group, only large changes can be told from chance.",
    ]
    return narrative.join(
        narrative.headline(said),
        table(
            changes.sort_values("difference", na_position="last"),
            columns={
                "respondent_function": "Customer group",
                "nps_a": f"NPS {worst['wave_from']}",
                "nps_b": f"NPS {worst['wave_to']}",
                "difference": "Change",
                "p_adjusted": "p (Holm)",
                "verdict": "Verdict",
            },
            formats={
                "nps_a": "signed",
                "nps_b": "signed",
                "difference": "signed",
                "p_adjusted": "p",
            },
        ),
    )


def trend(found: Trend, ctx: Context) -> HTML:
    """NPS per wave with intervals, and the test of each change; for the organisation, its
    score weighed three ways."""
    if ctx.cfg.previous_wave_of(ctx.wave) is None:  # said once with the other first-wave ones
        return narrative.omitted(f"there is no earlier wave to compare {ctx.wave} with")
    if len(found.waves) < 2:
        return narrative.omitted(f"{ctx.label} has scores in one wave only: there is no trend")
    blocks = [
        narrative.chart(
            plots.nps_trend(found.waves, changes=found.changes, weightings=found.weightings)
        ),
        _changes_table(found.changes),
    ]
    if len(found.weightings):
        blocks.append(
            table(
                found.weightings,
                columns={
                    "wave": "Wave",
                    "pooled": "Every rating once",
                    "equal_weight": "Each function equally",
                    "by_headcount": "By headcount",
                    "functions": "Functions",
                },
                formats={"pooled": "signed", "equal_weight": "signed", "by_headcount": "signed"},
            )
        )
    return narrative.join(*blocks)


def weighting_sentence(weights: pd.Series) -> str | None:
    """A sentence when weighing the functions otherwise changes the score's sign or band."""
    pooled, others = weights["pooled"], (weights["equal_weight"], weights["by_headcount"])
    if pd.isna(pooled) or not any(
        pd.notna(o) and (band(o) != band(pooled) or (o >= 0) != (pooled >= 0)) for o in others
    ):
        return None
    top = narrative.listed(list(weights["most_rated"]))
    return (
        f"How functions are weighed matters: counting every rating once gives "
        f"{signed(pooled)}, each of the {weights['functions']} functions shown counting "
        f"equally {signed(weights['equal_weight'])}, and weighing them by headcount "
        f"{signed(weights['by_headcount'])}; {top} receive {weights['their_share']:.0%} of "
        "the ratings, so the first figure leans towards them."
    )


def segments(seg: pd.DataFrame, ctx: Context, changes: pd.DataFrame | None = None) -> HTML:
    """Scores per function (organisation) or per customer group (one function), ranked, with
    the target and (``changes``: :func:`kit.findings.internal_nps.segment_changes`) each
    group's score in the previous wave where both waves show it."""
    label = seg.columns[0]
    previous, since = None, "Previous wave"
    if changes is not None and len(changes):
        shown = changes[~changes["suppressed"].astype(bool)]
        previous, since = shown.set_index(label)["nps_a"], str(changes["wave_from"].iloc[0])
    bars = plots.nps_bars(
        seg, label=label, target=ctx.cfg.target_nps, previous=previous, previous_label=since
    )
    blocks = [narrative.chart(bars)]
    if (~seg["suppressed"]).any():
        blocks.append(narrative.chart(plots.category_split(seg, label=label)))
    return narrative.join(*blocks, _segments_table(seg))


# ---------------------------------------------------------------- across the organisation


def _cell_changes(changes: pd.DataFrame, ctx: Context, top: int = 8) -> list[HTML]:
    """The pairs whose score moved most since the previous wave, with their n and verdict."""
    if changes is None or changes.empty:
        return []
    first = changes.iloc[0]
    significant = int((changes["verdict"] == "significant").sum())
    said = (
        f"Of the {len(changes)} pairs shown in both {first['wave_from']} and {first['wave_to']}, "
        + (f"{significant} changed significantly" if significant else "none changed significantly")
        + f" once tested together; the largest move: {first['provider_function']} as rated by "
        f"{first['respondent_function']}, {signed(first['difference'])} points "
        f"(n {int(first['n_a'])} then {int(first['n_b'])})."
    )
    return [
        narrative.headline([said]),
        table(
            changes.head(top),
            columns={
                "provider_function": "Function rated",
                "respondent_function": "Rated by",
                "n_a": f"n {first['wave_from']}",
                "nps_a": f"NPS {first['wave_from']}",
                "n_b": f"n {first['wave_to']}",
                "nps_b": f"NPS {first['wave_to']}",
                "difference": "Change",
                "verdict": "Verdict",
            },
            formats={"nps_a": "signed", "nps_b": "signed", "difference": "signed"},
            caption="The largest moves between pairs since the previous wave.",
        ),
    ]


def matrix(found: Matrix, ctx: Context, changes: pd.DataFrame | None = None) -> HTML:
    """Who rates whom: the heatmap (organisation) with (``changes``:
    :func:`kit.findings.internal_nps.cell_changes`) the pairs that moved most, or the two-way
    view of one function."""
    m, silos = found.cells, found.silos
    if ctx.is_organisation:
        hidden = int(m["suppressed"].sum())
        lines = [
            f"{len(m)} provider-customer pairs were rated in {ctx.wave}; {hidden} are withheld "
            f"({narrative.WHY_WITHHELD}). Each cell reads its score over its number of ratings."
        ]
        lines += [
            f"{r['a']} and {r['b']} rate each other negatively ({r['a']} gets "
            f"{signed(r['a_from_b'])} from {r['b']}, {r['b']} gets {signed(r['b_from_a'])} "
            f"back): a likely silo."
            for _, r in silos.head(3).iterrows()
        ]
        return narrative.join(
            narrative.headline(lines),
            narrative.chart(plots.nps_matrix(m)),
            *_cell_changes(changes, ctx),
        )
    view = found.mutual
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


def participation(found: Participation, ctx: Context) -> HTML:
    """Who answered: respondents per customer function, against those invited where the
    invitation list is known, else against headcount (said which)."""
    rates, people, total, invited = found
    if people == 0:
        return narrative.omitted(
            "the responses carry no respondent id, so the people who answered cannot be counted"
        )
    shown = rates[~rates["suppressed"]].dropna(subset=["rate"])
    base = set(rates["base"])
    unknown = list(rates.loc[rates["base"] == "unknown", "respondent_function"])
    if unknown:  # a headcount left blank in functions.csv: no rate, said once
        lines = [
            f"{people:,} people answered in {ctx.wave}. Participation is not shown for "
            f"{listed(unknown)}: {'its' if len(unknown) == 1 else 'their'} headcount is not "
            "known (blank in functions.csv) and no invitation list gives it."
        ]
    elif base == {"invited"}:
        lines = [
            f"{people:,} people answered in {ctx.wave}, {100 * people / invited:.0f}% of the "
            f"{invited:,} invited."
        ]
    else:
        lines = [
            f"{people:,} people answered in {ctx.wave}, {100 * people / total:.0f}% of the "
            f"organisation's headcount ({total:,})"
            + (
                "; rates are against those invited where the invitation list gives them, "
                "else against headcount."
                if "invited" in base
                else ": who was invited is not known, so rates are against headcount."
            )
        ]
    if len(shown) >= 2:
        lo, hi = shown.iloc[-1], shown.iloc[0]
        lines.append(
            f"Highest participation: {hi['respondent_function']} ({hi['rate']:.0f}%); lowest: "
            f"{lo['respondent_function']} ({lo['rate']:.0f}%)."
        )
    return narrative.join(narrative.headline(lines), narrative.chart(plots.response_rates(rates)))


def gap(gaps: pd.DataFrame, ctx: Context) -> HTML:
    """The 360 gap: each function's own predicted NPS against the NPS it receives."""
    shown = gaps[~gaps["suppressed"] & gaps["predicted"].notna()]
    if gaps["predicted"].isna().all():
        return narrative.omitted("no function predicted its score (predicted_nps in functions.csv)")
    if not ctx.is_organisation and shown.empty:
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


def influence(found: Influence, ctx: Context) -> HTML:
    """NPS with influential stakeholders' voices weighted up, where consent links them."""
    if (note := narrative.withheld(ctx)) is not None:
        return note
    by = "provider_function"
    t = found.table
    shown = t[~t["suppressed"]]
    if shown.empty:
        return narrative.omitted(
            f"fewer than {ctx.min_n} answers about {ctx.label} come from people in the "
            "stakeholder register who agreed to be linked, too few to weight by influence"
        )
    big = shown[shown["shift"].abs() >= 5]
    lines = [
        f"{int(shown['linked'].sum())} of the {int(shown['n'].sum()):,} responses about "
        f"{', '.join(shown[by])} come from people in the stakeholder register who agreed to be "
        "linked; they count in proportion to their influence. Functions with fewer linked "
        "answers than the anonymity threshold are not weighted."
    ]
    lines.append(
        "; ".join(f"{r[by]} moves {signed(r['shift'])} points" for _, r in big.iterrows()) + "."
        if len(big)
        else f"Weighting by influence moves {'no function' if ctx.is_organisation else ctx.scope}"
        "'s score by less than 5 points: influential stakeholders see it much as everyone "
        "else does."
    )
    out = table(
        shown,
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


def drivers(found: Drivers, ctx: Context) -> HTML:
    """Which driver ratings move likelihood-to-recommend, with their uncertainty."""
    if (note := narrative.withheld(ctx)) is not None:
        return note
    if not found.columns:  # no driver_* column at all: nothing to say here
        return narrative.omitted("the survey has no driver ratings")
    if len(found.columns) < 2:
        return narrative.note(found.problem)
    blocks = []
    if found.problem:
        blocks.append(
            narrative.note(f"No ranking of the drivers for {ctx.label}: {found.problem}.")
        )
    else:
        blocks += [
            narrative.headline([narrative.driver_sentence(found.table)]),
            narrative.chart(plots.driver_importance(found.table)),
        ]
    levels = found.levels
    if len(levels):
        if "change" in levels:
            moved = levels[levels["change_high"] < 0].sort_values("change")
            if len(moved):
                m = moved.iloc[0]
                blocks.append(
                    narrative.headline(
                        [
                            f"{m['label']} is rated {m['mean']:.2f} on the 1-5 scale, down "
                            f"from {m['previous']:.2f} in the previous wave (change "
                            f"{signed(m['change'], 2)}, interval {signed(m['change_low'], 2)} "
                            f"to {signed(m['change_high'], 2)}): the largest clear fall."
                        ]
                    )
                )
        columns = {"label": "Driver", "mean": "Mean (1-5)", "ci_low": "Low", "ci_high": "High"}
        if "change" in levels:
            columns |= {
                "previous": "Previous wave",
                "change": "Change",
                "change_low": "Low",
                "change_high": "High",
            }
        blocks.append(
            table(
                levels,
                columns=columns,
                formats={c: ".2f" for c in columns if c != "label"},
                suppressed=None,
            )
        )
        if not found.problem:
            blocks.append(narrative.chart(plots.driver_map(found.table, levels)))
    return narrative.join(*blocks)


def _too_few_comments(found: Themes, ctx: Context) -> HTML | None:
    """A note why no comment is shown, or None."""
    if (note := narrative.withheld(ctx)) is not None:
        return note
    if "responses.comment" in ctx.ds.absent:
        return narrative.omitted("the responses have no comment column")
    if ctx.ds.responses["comment"].isna().all():  # `kit import` without a comment mapped
        return narrative.omitted("the responses carry no comments")
    if found.enough:
        return None
    return narrative.note(
        f"Fewer than {ctx.cfg.thresholds.min_comment_group_size} comments about {ctx.label} "
        f"in {ctx.wave}: themes are not shown."
    )


def _theme_changes(changes: pd.DataFrame | None, ctx: Context, top: int = 6) -> list[HTML]:
    if changes is None or changes.empty:
        return []
    previous = ctx.cfg.previous_wave_of(ctx.wave)
    first = changes.iloc[0]
    said = (
        f"Since {previous}, the theme that moved most is “{first['label']}”: "
        f"{first['share_before']:.0f}% of comments then, {first['share_now']:.0f}% now "
        f"({int(first['before'])} and {int(first['now'])} comments)."
    )
    return [
        narrative.headline([said]),
        table(
            changes.head(top),
            columns={
                "label": "Theme",
                "before": f"Comments {previous}",
                "share_before": "%",
                "now": f"Comments {ctx.wave}",
                "share_now": "% ",
                "change": "Change (points)",
            },
            formats={"share_before": ".0f", "share_now": ".0f", "change": "signed"},
            suppressed=None,
            caption="The themes whose share of comments moved most since the previous wave.",
        ),
    ]


def themes(found: Themes, ctx: Context, changes: pd.DataFrame | None = None) -> HTML:
    """Comment themes by category, a redacted quote per theme, and (``changes``:
    :func:`kit.findings.internal_nps.theme_changes`) the themes that moved most."""
    if (note := _too_few_comments(found, ctx)) is not None:
        return note
    counts, picked = found.counts, found.quotes
    top = counts.iloc[0] if len(counts) else None
    lines = [
        f"{found.commented} of {found.responses} responses about {ctx.label} carry a comment; "
        f"{found.matched} of them match a theme."
    ]
    if top is not None:
        lines.append(f"The most frequent theme is “{top['label']}” ({int(top['total'])}).")
    quotes = (
        table(picked, columns={"label": "Theme", "category": "From a", "quote": "Comment"})
        if len(picked)
        else narrative.note("No quotes: no function has enough comments to quote anonymously.")
    )
    return narrative.join(
        narrative.headline(lines),
        narrative.chart(plots.theme_counts(counts)),
        *_theme_changes(changes, ctx),
        quotes,
    )


def uncoded(found: Themes, ctx: Context) -> HTML:
    """Comments no theme matched, redacted, for the consultant to code (never in a pack)."""
    if ctx.for_client:
        return narrative.note("Uncoded comments are a working list, kept out of client reports.")
    if (note := _too_few_comments(found, ctx)) is not None:
        return note
    rest = found.uncoded
    return narrative.join(
        narrative.note(f"{len(rest)} comments match no theme: add phrases to the codebook."),
        table(
            rest.assign(check=rest["check"].map({True: "read first", False: ""})),
            columns={
                "response_id": "Response",
                "score": "Score",
                "comment": "Comment",
                "check": "Name left?",
            },
        ),
    )


def general_comments(found: GeneralComments, ctx: Context) -> HTML:
    """The organisation's general comments (about no one function): how many, their themes
    and a redacted quote per theme. Left out where the engagement has none."""
    if ctx.ds.comments.empty:
        return narrative.not_applicable()
    if not ctx.is_organisation:
        return narrative.omitted(
            "general comments (about no one function) are in the organisation pack"
        )
    if (note := narrative.withheld(ctx)) is not None:
        return note
    least = ctx.cfg.thresholds.min_comment_group_size
    if not found.enough:
        return narrative.omitted(
            f"fewer than {least} general comments in {ctx.wave} (at least {least} are needed "
            "to show their themes anonymously)"
        )
    lines = [
        f"{narrative.count(found.commented, 'respondent')} left a general comment in "
        f"{ctx.wave}, about no one function; {found.matched} of them match a theme."
    ]
    if len(found.counts):
        top = found.counts.iloc[0]
        lines.append(
            f"The most frequent theme is “{top['label']}”: {int(top['count'])} of "
            f"{found.commented} general comments ({top['share']:.0f}%)."
        )
    quotes = (
        table(found.quotes, columns={"label": "Theme", "quote": "Comment"})
        if len(found.quotes)
        else narrative.note("No quotes: no general comment matches a theme.")
    )
    return narrative.join(
        narrative.headline(lines),
        table(
            found.counts,
            columns={"label": "Theme", "count": "Comments", "share": "% of general comments"},
            formats={"share": ".0f"},
            suppressed=None,
            caption="Themes of the general comments, most frequent first.",
        ),
        quotes,
    )
