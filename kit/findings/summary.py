"""The executive summary and the team conversation: what a pack opens with, from its findings.

Every statement is computed from the other findings (:mod:`kit.findings.internal_nps`,
:mod:`kit.findings.follow_up`), so it shows only what they show: a withheld figure never
reaches a sentence. Statements are ranked by what a steering committee must hear first: a
significant change, then the score against its target, then what is inconclusive, then the
rest.

Example
-------
>>> from kit.config import SAMPLE_CONFIG
>>> from kit.context import open_engagement
>>> found = executive_summary(open_engagement(SAMPLE_CONFIG, scope="Regulatory"))
>>> found.so_what
'Regulatory fell 42 points since 2025-H2, a significant drop: it now stands at −21.'
>>> found.findings["verdict"].tolist()[:2]
['significant', 'fact']
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from kit.context import Context
from kit.findings import follow_up, internal_nps
from kit.wording import count, groups_moved, listed, moved, ordinal, p_value, possessive, signed

__all__ = ["ExecutiveSummary", "executive_summary", "conversation"]

#: How many findings, decisions and actions an executive summary holds at most.
FINDINGS, DECISIONS, ACTIONS = 5, 3, 5
#: The order findings are told in, by verdict.
ORDER = {"significant": 0, "fact": 1, "inconclusive": 2, "no significant change": 3}


class ExecutiveSummary(NamedTuple):
    """``so_what``: the one line for the cover. ``findings``: one row per statement,
    ``finding`` (a plain-text sentence), ``figure`` (its number, short), ``verdict``
    ("significant", "inconclusive", "no significant change" or "fact"). ``decisions``: what
    the steering committee is asked to decide. ``actions``: the top actions of the plan,
    ``action``, ``function``, ``owner``, ``due``."""

    so_what: str
    findings: pd.DataFrame
    decisions: list[str]
    actions: pd.DataFrame


def _row(finding: str, figure: str, verdict: str) -> dict:
    return {"finding": finding, "figure": figure, "verdict": verdict}


def _score(ctx: Context) -> tuple[pd.Series | None, list[dict]]:
    """The scope's score with its interval and n, against the target."""
    now = internal_nps.summary(ctx).iloc[0]
    name = "The organisation" if ctx.is_organisation else ctx.scope
    if now["suppressed"]:
        return None, [
            _row(
                f"{possessive(name)} score in {ctx.wave} is withheld to keep respondents "
                "anonymous.",
                "withheld",
                "fact",
            )
        ]
    level = int(ctx.cfg.thresholds.confidence * 100)
    target = ctx.cfg.target_nps
    gap = now["nps"] - target
    where = (
        f"{signed(abs(gap))[1:]} points below the target of {signed(target)}"
        if round(gap) < 0
        else f"at or above the target of {signed(target)}"
    )
    rank = ""
    if not ctx.is_organisation:
        scores = pd.Series(
            {
                f: ctx.ledger.view(ctx.wave, provider=f)["nps"]
                for f in ctx.ledger.shown_providers(ctx.wave)
            }
        )
        place = int((scores > now["nps"] + 1e-9).sum()) + 1
        rank = f"; ranked {ordinal(place)} of the {len(scores)} functions shown"
    return now, [
        _row(
            f"{possessive(name)} internal NPS is {signed(now['nps'])} in {ctx.wave} "
            f"({level}% interval {signed(now['ci_low'])} to {signed(now['ci_high'])}, "
            f"{count(int(now['n']), 'rating')}): {where}{rank}.",
            signed(now["nps"]),
            "fact",
        )
    ]


def _change_row(name: str, change: pd.Series) -> dict:
    verdict = change["verdict"]
    family = int(change.get("family_size", 1) or 1)
    test = (
        f"{p_value(change['p_adjusted'])} over the {family} changes tested together"
        if family > 1
        else p_value(change["p_value"])
    )
    said = {
        "significant": f"a significant change ({test})",
        "inconclusive": "inconclusive: too few responses to tell",
        "no significant change": "within the margin of error",
    }[verdict]
    return _row(f"{moved(name, change)}: {said}.", f"{signed(change['difference'])} pts", verdict)


def _shown(changes: pd.DataFrame) -> pd.DataFrame:
    if changes.empty:
        return changes
    return changes[~changes["suppressed"].astype(bool) & changes["difference"].notna()]


def _organisation(ctx: Context) -> tuple[list[dict], list[str], list[str]]:
    """Findings, decisions and the functions to act on first, for the organisation."""
    rows, decisions = [], []
    own = _shown(internal_nps.trend(ctx).changes)
    own = own[own["wave_to"] == ctx.wave]
    if len(own):
        rows.append(_change_row("The organisation's score", own.iloc[0]))
    moves = _shown(internal_nps.moves(ctx))
    first: list[str] = []
    if len(moves):
        moves = moves.assign(size=moves["difference"].abs()).sort_values("size", ascending=False)
        for _, m in moves[moves["verdict"] == "significant"].iterrows():
            rows.append(_change_row(m["provider_function"], m))
            first.append(m["provider_function"])
            if m["difference"] < 0:
                decisions.append(
                    f"Ask {possessive(m['provider_function'])} head to bring a recovery plan "
                    "to the next steering meeting, starting with the customer groups whose "
                    "score fell most."
                )
        unsure = moves[moves["verdict"] == "inconclusive"]
        if len(unsure):
            named = [
                f"{f} {signed(d)}"
                for f, d in zip(unsure["provider_function"], unsure["difference"], strict=True)
            ]
            shown = named[:4] + ([f"{len(named) - 4} others"] if len(named) > 4 else [])
            rows.append(
                _row(
                    f"{possessive(count(len(unsure), 'function'))} changes are inconclusive, "
                    f"too few responses to tell a real change from chance: {listed(shown)}.",
                    count(len(unsure), "function"),
                    "inconclusive",
                )
            )
            decisions.append(
                f"Decide whether to ask more customers of the {count(len(unsure), 'function')} "
                "whose change is inconclusive to answer next wave, so that a change of their "
                "size can be told from chance."
            )
    silos = internal_nps.matrix(ctx).silos
    for _, s in silos.head(1).iterrows():
        rows.append(
            _row(
                f"{s['a']} and {s['b']} rate each other below zero ({signed(s['a_from_b'])} "
                f"and {signed(s['b_from_a'])}): a silo.",
                f"{signed(s['a_from_b'])} / {signed(s['b_from_a'])}",
                "fact",
            )
        )
        decisions.append(f"Sponsor a joint working session between {s['a']} and {s['b']}.")
    return rows, decisions, first


def _function(ctx: Context) -> tuple[list[dict], list[str], list[str]]:
    """Findings, decisions and the functions to act on first, for one function."""
    rows, decisions = [], []
    if ctx.too_small:  # nothing more about a withheld function is said
        return rows, decisions, [ctx.scope]
    own = _shown(internal_nps.trend(ctx).changes)
    own = own[own["wave_to"] == ctx.wave]
    if len(own):
        change = own.iloc[0]
        rows.append(_change_row(ctx.scope, change))
        if change["verdict"] == "significant" and change["difference"] < 0:
            decisions.append(
                f"Agree {possessive(ctx.scope)} recovery plan with its head, starting with the "
                "customer groups whose score fell most."
            )
    groups = _shown(internal_nps.group_changes(ctx))
    if len(groups):
        fell = int((groups["difference"].round() < 0).sum())
        rows.append(
            _row(
                f"{groups_moved(ctx.scope, groups)}.",
                f"{fell} of {len(groups)}",
                "significant" if (groups["verdict"] == "significant").any() else "fact",
            )
        )
    themes = internal_nps.themes(ctx)
    if themes.enough and len(themes.counts):
        bad = themes.counts[themes.counts["category"] == "detractor"]
        bad = bad[bad["count"] > 0].sort_values(["count", "theme"], ascending=[False, True])
        if len(bad):
            top = bad.iloc[0]
            rows.append(
                _row(
                    f"Detractors mention “{top['label']}” most: {top['count']} of their comments.",
                    f"{top['count']}",
                    "fact",
                )
            )
    return rows, decisions, [ctx.scope]


def executive_summary(ctx: Context) -> ExecutiveSummary:
    """The pack's opening page: 3-5 findings with their numbers and verdicts, the decisions
    requested, the top actions with owners (empty where everything is withheld)."""
    now, rows = _score(ctx)
    more, decisions, first = _organisation(ctx) if ctx.is_organisation else _function(ctx)
    rows += more
    if now is not None and round(now["nps"] - ctx.cfg.target_nps) < 0:
        options = follow_up.target(ctx).options
        if len(options):
            moves = int(options["moves"].min())
            decisions.append(
                f"Confirm the target of {signed(ctx.cfg.target_nps)} for the next wave, or "
                f"reset it: reaching it takes {count(moves, 'customer')} moving up one "
                "category (detractor to passive, or passive to promoter)."
            )
    findings = pd.DataFrame(rows, columns=["finding", "figure", "verdict"])
    findings = findings.sort_values("verdict", key=lambda v: v.map(ORDER), kind="stable")
    findings = findings.head(FINDINGS).reset_index(drop=True)
    plan = follow_up.plan(ctx)
    plan = plan.sort_values("function", key=lambda f: ~f.isin(first), kind="stable").head(ACTIONS)
    actions = plan[["action", "function", "owner", "due"]].reset_index(drop=True)
    return ExecutiveSummary(_so_what(ctx, findings), findings, decisions[:DECISIONS], actions)


def _so_what(ctx: Context, findings: pd.DataFrame) -> str:
    """The one line for the cover: the most material finding."""
    significant = findings[findings["verdict"] == "significant"]
    if ctx.is_organisation:
        falls = [f for f in significant["finding"] if not f.startswith("The organisation")]
        if len(falls) == 1:
            compared = len(_shown(internal_nps.moves(ctx)))
            return (
                f"{falls[0].split(':')[0]}: the only significant change among the "
                f"{compared} functions compared."
            )
        if falls:
            return falls[0].split(":")[0] + "."
    elif len(significant):
        first = significant.iloc[0]["finding"]
        if " since " in first and "fell" in first:
            now = internal_nps.summary(ctx).iloc[0]
            head = first.split(", from")[0]
            return f"{head}, a significant drop: it now stands at {signed(now['nps'])}."
    return findings.iloc[0]["finding"] if len(findings) else ""


def conversation(ctx: Context) -> list[str]:
    """Three questions for a function's head to take to their internal customers, from the
    function's own findings (none for the organisation or a withheld function)."""
    if ctx.is_organisation or ctx.too_small:
        return []
    questions = []
    groups = _shown(internal_nps.group_changes(ctx))
    if len(groups):
        worst = groups.sort_values("difference").iloc[0]
        if worst["difference"] < 0:
            questions.append(
                f"To {worst['respondent_function']}: your score of {ctx.scope} fell "
                f"{abs(worst['difference']):.0f} points since {worst['wave_from']}. What "
                "changed for you, and what should we do first?"
            )
    themes = internal_nps.themes(ctx)
    if themes.enough and len(themes.counts):
        bad = themes.counts[
            (themes.counts["category"] == "detractor") & (themes.counts["count"] > 0)
        ]
        if len(bad):
            top = bad.sort_values(["count", "theme"], ascending=[False, True]).iloc[0]
            questions.append(
                f"“{top['label']}” is what your least satisfied customers mention most. "
                "Where does it hurt your work, and what would good look like?"
            )
    now = internal_nps.summary(ctx).iloc[0]
    if not now["suppressed"]:
        passives = int(now["passives"])
        questions.append(
            f"{count(passives, 'customer')} rated {ctx.scope} {ctx.cfg.detractor_max + 1} or "
            f"{ctx.cfg.passive_max}: satisfied, not yet "
            "recommending. What one change would make you recommend working with us?"
        )
    return questions[:3]
