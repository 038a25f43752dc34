"""No pack says, in a sentence or a table row, a figure of a group the ledger withholds.

Each stage's sections are rendered for every scope that gets a pack (client audience), cut
into pieces (sentences, table rows, list items), and every piece that names a withheld
customer group of the scope (or, in the organisation's pack, a withheld function) is
searched for that group's count of ratings and its NPS."""

from __future__ import annotations

import html
import re

import pytest

from kit.config import SAMPLE_CONFIG
from kit.context import ORGANISATION, open_engagement
from kit.findings import follow_up as find_follow_up
from kit.findings import internal_nps as find_nps
from kit.findings import summary as find_summary
from kit.ledger import ALL
from kit.narrative import signed
from kit.sections import follow_up as show_follow_up
from kit.sections import internal_nps as show_nps
from kit.sections import summary as show_summary

PAIRS = [
    (find_nps.headline, show_nps.headline),
    (find_nps.summary, show_nps.kpis),
    (find_nps.trend, show_nps.trend),
    (
        lambda ctx: (find_nps.segments(ctx), find_nps.segment_changes(ctx)),
        lambda found, ctx: show_nps.segments(found[0], ctx, found[1]),
    ),
    (
        lambda ctx: (find_nps.matrix(ctx), find_nps.cell_changes(ctx)),
        lambda found, ctx: show_nps.matrix(*found[:1], ctx, found[1]),
    ),
    (find_nps.scorecard, show_nps.scorecard),
    (find_nps.group_changes, show_nps.group_changes),
    (
        lambda ctx: (find_nps.distribution(ctx), find_nps.category_shares(ctx)),
        lambda found, ctx: show_nps.distribution(found[0], ctx, found[1]),
    ),
    (find_summary.executive_summary, show_summary.executive_summary),
    (find_summary.conversation, show_summary.conversation),
    (find_nps.participation, show_nps.participation),
    (find_nps.gap, show_nps.gap),
    (find_nps.influence, show_nps.influence),
    (lambda ctx: find_nps.drivers(ctx, resamples=20), show_nps.drivers),
    (
        lambda ctx: (find_nps.themes(ctx), find_nps.theme_changes(ctx)),
        lambda found, ctx: show_nps.themes(found[0], ctx, found[1]),
    ),
    (find_follow_up.owners, show_follow_up.owners),
    (find_follow_up.plan, show_follow_up.plan),
    (find_follow_up.loop, show_follow_up.loop),
    (find_follow_up.impact, show_follow_up.impact),
    (find_follow_up.target, show_follow_up.target),
]


def pieces(block) -> list[str]:
    """Sentences, table rows and list items of a section, as plain text (charts dropped)."""
    body = re.sub(r"<svg.*?</svg>", "", block.data, flags=re.S)
    parts = re.split(r"</?(?:tr|p|li|h\d|div|caption)\b[^>]*>", body)
    out = []
    for part in parts:
        words = html.unescape(" ".join(re.sub(r"<[^>]+>", " ", part).split()))
        out += [s for s in re.split(r"(?<=[.;:])\s+(?=[A-Z])", words) if s]
    return out


def figures(view: dict) -> list[re.Pattern]:
    """How a group's figures would read: its n as a count, its NPS as a signed score."""
    n = view["n"]
    out = [re.compile(rf"(?<![\d.,]){n} (?:ratings?|responses?|respondents?|answers?)\b")]
    out.append(re.compile(rf"\bn = {n}(?![\d,])"))
    if round(view["nps"]):
        out.append(re.compile(rf"(?<![\d.,]){re.escape(signed(view['nps']))}(?![\d.,])"))
    return out


@pytest.mark.parametrize("wave", ["2025-H2", "2026-H1"])
def test_no_piece_naming_a_withheld_group_holds_its_figures(wave):
    whole = open_engagement(SAMPLE_CONFIG, wave=wave, audience="client")
    ledger = whole.ledger
    checked = 0
    for scope in [ORGANISATION, *ledger.functions]:
        ctx = open_engagement(SAMPLE_CONFIG, scope=scope, wave=wave, audience="client")
        if scope != ORGANISATION and ctx.too_small:
            continue  # no pack
        text = [p for find, show in PAIRS for p in pieces(show(find(ctx), ctx))]
        groups = []  # (names a piece must hold, the group's true figures, shown figures)
        w = ledger.waves.index(wave)
        for other in ledger.functions:
            o = ledger.functions.index(other)
            # what may read the same: the shown groups between the scope and the other
            near = [ledger.view(wave, provider=other), ledger.view(wave, customer=other)]
            if scope != ORGANISATION:
                near += [
                    ledger.view(wave, provider=scope, customer=other),
                    ledger.view(wave, provider=other, customer=scope),
                ]
            shown = [v for v in near if not v["suppressed"] and v["n"]]
            if scope == ORGANISATION:
                for provider, customer in ((other, ALL), (ALL, other)):
                    if ledger.withheld(wave, provider=provider, customer=customer):
                        truth = ledger.counts[w]
                        hist = truth[o].sum(axis=0) if customer == ALL else truth[:, o].sum(0)
                        groups.append((other, _view(ledger, hist), shown))
            elif ledger.withheld(wave, provider=scope, customer=other):
                hist = ledger.counts[w, ledger.functions.index(scope), o]
                if hist.sum():
                    groups.append((other, _view(ledger, hist), shown))
        for name, view, shown in groups:
            for piece in text:
                if not re.search(rf"\b{re.escape(name)}\b", piece):
                    continue
                checked += 1
                for pattern in figures(view):
                    found = pattern.search(piece)
                    if found:  # allowed only as the same figure of a shown group
                        same = [v for v in shown if any(q.search(found[0]) for q in figures(v))]
                        assert same, (scope, name, view["n"], piece)
    assert checked > 50


def _view(ledger, hist) -> dict:
    from kit.ledger import result

    return result(hist, suppressed=False, confidence=ledger.confidence, cut=ledger.cut)
