"""Narrative from data: computed sentences and the HTML blocks that show them.

Every client string that goes into HTML here is escaped. The blocks are IPython ``HTML``
objects, so a notebook cell that returns one shows it, and the report pack keeps it as is.

Example
-------
>>> html = headline(["Regulatory's NPS fell <a lot>"])
>>> "&lt;a lot&gt;" in html.data
True
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from html import escape

import numpy as np
import pandas as pd
from IPython.display import HTML

from kit.config import Engagement
from kit.context import Context
from kit.data import Dataset
from kit.wording import change_sentence, count, listed, p_value, possessive, signed

__all__ = [
    "signed",
    "listed",
    "headline",
    "note",
    "kpis",
    "table",
    "chart",
    "cropped_svg",
    "join",
    "nps_phrase",
    "band",
    "change_sentence",
    "p_value",
    "pack_date",
    "possessive",
    "count",
    "driver_sentence",
    "methodology",
    "withheld",
    "WHY_WITHHELD",
]


def pack_date() -> date:
    """The date a pack carries: today, or the day of ``SOURCE_DATE_EPOCH`` when it is set
    (the convention for reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return datetime.fromtimestamp(int(epoch), tz=UTC).date() if epoch.isdigit() else date.today()


def headline(sentences: list[str]) -> HTML:
    """A highlighted box of computed headline sentences."""
    body = "".join(f"<p>{escape(s)}</p>" for s in sentences if s)
    return HTML(f'<div class="headline">{body}</div>')


def note(text: str) -> HTML:
    """A short muted note under a chart or table."""
    return HTML(f'<p class="note">{escape(text)}</p>')


def kpis(items: list[tuple[str, str, str]]) -> HTML:
    """Key figures as cards: ``(label, value, note)`` each."""
    cards = "".join(
        f'<div class="kpi"><div class="label">{escape(label)}</div>'
        f'<div class="value">{escape(value)}</div><div class="note">{escape(sub)}</div></div>'
        for label, value, sub in items
    )
    return HTML(f'<div class="kpis">{cards}</div>')


def _cell(value, fmt: str | None) -> tuple[str, bool]:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "–", False
    if isinstance(value, pd.Timestamp):
        return value.strftime("%d %b %Y"), False
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        if fmt == "signed":
            return signed(float(value)), True
        if fmt == "p":
            return p_value(float(value)).removeprefix("p = ").replace("p ", ""), True
        text = format(value, fmt) if fmt else f"{value:,}"
        if text.startswith("-") and not text.strip("-0.,% "):
            text = text[1:]  # -0.004 shown to two places is 0.00, not -0.00
        return text, True
    return str(value), False


def table(
    df: pd.DataFrame,
    *,
    columns: dict[str, str] | None = None,
    formats: dict[str, str] | None = None,
    suppressed: str | None = "suppressed",
    caption: str = "",
    max_rows: int = 60,
) -> HTML:
    """An escaped HTML table: ``columns`` picks and renames, ``formats`` formats numbers
    (a format spec, ``"signed"`` or ``"p"``). Rows flagged in ``suppressed`` read "withheld"."""
    columns = columns or {c: c for c in df.columns if c != suppressed}
    formats = formats or {}
    head = "".join(f"<th>{escape(label)}</th>" for label in columns.values())
    rows = []
    for _, row in df.head(max_rows).iterrows():
        hidden = bool(suppressed in df.columns and row[suppressed])
        cells = []
        for i, col in enumerate(columns):
            if hidden and i > 0 and col not in df.columns[:1]:
                text, num = ("withheld" if i == 1 else ""), False
                cells.append(f'<td class="suppressed">{text}</td>')
                continue
            text, num = _cell(row[col], formats.get(col))
            cells.append(f"<td{' class=num' if num else ''}>{escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = len(df) - max_rows
    foot = f'<p class="note">… and {more} more rows.</p>' if more > 0 else ""
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return HTML(
        f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{foot}"
    )


#: Why a group is withheld, in words that do not tell which reason applies to which group.
WHY_WITHHELD = (
    "too few responses, answers all alike, or needed so that a smaller group cannot be worked out"
)


def withheld(ctx: Context) -> HTML | None:
    """A note when nothing may be shown about the scope in the wave."""
    if not ctx.too_small:
        return None
    if len(ctx.current) < ctx.min_n:
        return note(
            f"{ctx.label} has fewer than {ctx.min_n} responses in {ctx.wave}: nothing more "
            "about them is shown, to keep respondents anonymous."
        )
    return note(
        f"{possessive(ctx.label)} responses in {ctx.wave} are withheld to keep respondents "
        f"anonymous ({WHY_WITHHELD}): nothing more about them is shown."
    )


def omitted(reason: str) -> HTML:
    """What a section shows when it has nothing to say: a one-line note in the notebook; in
    a pack, the section is left out, heading and all, and ``reason`` listed once under the
    methodology (:func:`kit.report.render_notebook`)."""
    return HTML(
        f'<div class="kit-omitted" data-reason="{escape(reason)}">'
        f'<p class="note">Left out of the pack: {escape(reason)}</p></div>'
    )


def not_applicable() -> HTML:
    """What a section shows when it does not apply to this engagement at all (its optional
    table was never given): nothing in the notebook, and in a pack the section is left out,
    heading and all, without a line under the methodology."""
    return HTML('<div class="kit-omitted" data-reason=""></div>')


def join(*blocks: HTML) -> HTML:
    """Several HTML blocks shown as one (a sentence, a chart, a table...)."""
    return HTML("".join(b.data for b in blocks))


def chart(ax) -> HTML:
    """A matplotlib chart as an inline SVG block, cropped to its content (the figure is closed)."""
    import matplotlib.pyplot as plt

    try:
        svg = cropped_svg(ax.figure)
    finally:
        plt.close(ax.figure)
    return HTML(f'<figure class="chart">{svg[svg.index("<svg") :]}</figure>')


#: No drawing time in a chart: the same inputs give the same pack, byte for byte, any day.
_SVG_METADATA = {"Date": None}
_SVG_SIZE = re.compile(r'width="[\d.]+pt" height="[\d.]+pt" viewBox="[^"]*"')


def cropped_svg(fig) -> str:
    """``fig`` as SVG cropped to its content, as ``savefig(format="svg", bbox_inches="tight")``
    makes it, but drawn once instead of twice: the crop is the SVG's viewBox, measured after the
    one drawing (savefig draws the whole figure a first time only to measure it). The charts of
    a pack take about a third less time. (Unlike savefig, it leaves anything placed in figure
    coordinates where it was drawn; the kit's charts place text by their data.)"""
    import io

    import matplotlib as mpl
    from matplotlib.backends.backend_mixed import MixedModeRenderer
    from matplotlib.backends.backend_svg import RendererSVG
    from matplotlib.colors import to_hex

    buf, dpi = io.StringIO(), fig.dpi
    width, height = fig.get_size_inches()
    try:
        fig.dpi = 72  # SVG units are points, as in savefig
        vector = RendererSVG(width * 72, height * 72, buf, image_dpi=dpi, metadata=_SVG_METADATA)
        renderer = MixedModeRenderer(fig, width, height, dpi, vector)
        fig.draw(renderer)
        box = fig.get_tightbbox(renderer).padded(mpl.rcParams["savefig.pad_inches"])
        renderer.finalize()
    except Exception:  # noqa: BLE001 - another matplotlib's internals: savefig's own way
        fig.dpi, buf = dpi, io.StringIO()
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata=_SVG_METADATA)
        return buf.getvalue()
    finally:
        fig.dpi = dpi
    x, y, w, h = (f"{72 * v:.3f}" for v in (box.x0, height - box.y1, box.width, box.height))
    svg = _SVG_SIZE.sub(
        f'width="{w}pt" height="{h}pt" viewBox="{x} {y} {w} {h}"', buf.getvalue(), 1
    )
    # Labels may reach beyond the figure: the crop gets the figure's background, as in savefig.
    paint = to_hex(fig.get_facecolor(), keep_alpha=True)
    back = f'<rect x="{x}" y="{y}" width="{w}" height="{h}" style="fill: {paint}"/>\n'
    return svg.replace(' <g id="figure_1">', back + ' <g id="figure_1">', 1)


def nps_phrase(row: pd.Series, *, confidence: float = 0.95) -> str:
    """``"+12 (95% interval −3 to +26, n = 61)"`` or ``"withheld ..."``."""
    if row.get("suppressed", False) or pd.isna(row.get("nps")):
        return "withheld to keep respondents anonymous"
    return (
        f"{signed(row['nps'])} ({confidence:.0%} interval {signed(row['ci_low'])} to "
        f"{signed(row['ci_high'])}, n = {int(row['n'])})"
    )


def band(nps: float) -> str:
    """Where a score sits against Satmetrix's published NPS benchmarks."""
    if pd.isna(nps):
        return "not available"
    if nps > 50:
        return "the level the highest-growth companies reach (above +50)"
    if nps > 20:
        return "clearly positive, above what average performers reach"
    if nps >= 0:
        return "barely positive, where average performers sit"
    return "negative: more detractors than promoters"


def driver_sentence(table: pd.DataFrame) -> str:
    """One plain sentence on which ratings go with the score, in one unit (share of the
    variation the drivers explain), honest about overlapping intervals and about cause."""
    top, rest = table.iloc[0], table.iloc[1:]
    total = table["r2"].iloc[0]
    others = ", ".join(f"{r['label'].lower()} ({r['share']:.0%})" for _, r in rest.iterrows())
    text = (
        f"{top['label']} is the rating most closely tied to the score: it accounts for "
        f"{top['share']:.0%} of the variation the drivers explain (interval "
        f"{top['share_low']:.0%} to {top['share_high']:.0%}), ahead of {others}. Together "
        f"the {len(table)} drivers explain {total:.0%} of the variation in scores "
        f"(n = {int(table['n'].iloc[0]):,})."
    )
    if len(rest) and rest.iloc[0]["share_high"] >= top["share_low"]:
        text += (
            f" The intervals of {top['label'].lower()} and {rest.iloc[0]['label'].lower()} "
            "overlap: their order is not certain."
        )
    return text + (
        " This is an association within one wave's answers, not proof of cause: people who "
        "rate a function well overall tend to rate it well on everything."
    )


def methodology(cfg: Engagement, ds: Dataset) -> str:
    """The methodology appendix as HTML, computed from the configuration and the data."""
    r = ds.responses
    th = cfg.thresholds
    waves = ", ".join(f"{escape(w)} ({int((r['wave'] == w).sum()):,} responses)" for w in cfg.waves)
    items = [
        (
            "Survey",
            f"Internal customers rated each function they work with on the question "
            f"“{escape(cfg.nps_question)}” from 0 to 10. Waves: {waves}."
            + (
                f" {r['respondent_id'].nunique():,} distinct respondents."
                if r["respondent_id"].notna().any()
                else ""
            ),
        ),
        (
            "Net Promoter Score",
            f"Scores {cfg.passive_max + 1}-10 are promoters, "
            f"{cfg.detractor_max + 1}-{cfg.passive_max} passives and 0-{cfg.detractor_max} "
            "detractors. NPS = % promoters − % detractors, from −100 to +100. Above +50 is what "
            "high-growth companies reach; average performers are barely positive; negative scores "
            "happen.",
        ),
        (
            "Margins of error",
            f"Every NPS is shown with its number of responses (n) and a "
            f"{th.confidence:.0%} interval by the adjusted-Wald method (Rocks, 2016), which stays "
            "accurate for the small groups typical of internal surveys. Where one person gave "
            "several of the ratings pooled in a score (the organisation's, or a customer "
            "group's), the interval is widened for it: the ratings are clustered by "
            "respondent (a cluster-robust variance), because one person's answers are not "
            "independent of each other.",
        ),
        (
            "The organisation's score",
            "The organisation's NPS counts every rating once, so the functions rated most "
            "weigh most in it. Beside it the report shows the mean of the functions' scores "
            "(each function counting equally) and the functions' scores weighed by their "
            "headcount, both over the functions whose own score is shown; a sentence says so "
            "when they tell a different story (another sign or band).",
        ),
        (
            "Significance",
            "A change between waves is called significant only when a two-sided "
            "z test on the difference of the two NPS gives p below 0.05 after Holm's correction "
            "over its family: every function's change between the same two waves (a function's "
            "own report and the organisation's weigh it the same way). Tables show each "
            "change's own p, the Holm-adjusted p that decides, and the Benjamini-Hochberg q "
            "for screening; the organisation's own score is one test per pair of waves. Most "
            "people answer every wave, so the two waves are not independent samples: the test "
            "pairs each person's answers across waves through the same clustering by "
            "respondent, which makes a change measured on the same people more certain. A "
            "change that is not significant and whose interval reaches further than "
            f"{th.inconclusive_margin:.0f} points either side is called inconclusive (too few "
            "responses to tell), not 'no change'.",
        ),
        (
            "Who rates whom",
            "The provider x customer matrix shows the NPS each function receives from each "
            "internal customer function. Cells are withheld in two directions, so that neither "
            "a function's overall score nor a customer group's lets a withheld cell be worked "
            "out. Two functions rating each other negatively are flagged as a likely silo.",
        ),
        (
            "The 360 gap and influence",
            "Each function predicted its own NPS before the survey; a prediction outside the "
            "interval of the score received is called a blind spot. The influence-weighted NPS "
            "counts the answers of people in the stakeholder register (only those who agreed "
            "to be linked) in proportion to their influence (1-5, Medium counting once).",
        ),
        (
            "Drivers",
            "The importance of each driver rating is its share of the variation in "
            "likelihood-to-recommend that the drivers explain together, averaged over every "
            "order of entering them in a linear model (LMG; Lindeman, Merenda and Gold, 1980; "
            "Grömping, 2006), with bootstrap percentile intervals over respondents; drivers "
            "are ranked only on 50 complete answers or more. It describes an association in "
            "one wave's answers, not a cause: a person who rates a function well overall tends "
            "to rate it well on every driver. Beside it, each driver's mean rating (1-5) and "
            "its change since the previous wave, with intervals, show where a function is "
            "weak and what moved.",
        ),
        (
            "Comment themes",
            "Comments are coded with an editable codebook of phrases per theme; a comment can "
            "carry several themes. Counts are shown by category; quotes are chosen by rule, not "
            "by hand.",
        ),
        (
            "Anonymity",
            "One disclosure ledger decides, for each wave, which groups may be shown in any "
            f"report: groups with fewer than {th.min_group_size} responses, and groups whose "
            "answers all fall in one category (all promoters, all passives or all detractors, "
            "which would tell each member's answer), show neither a score nor a count. Further "
            "groups (a customer group, a function's or a customer function's total) are "
            "withheld so that no withheld group can be worked out by subtracting what any "
            "report shows. Before anything is published, an audit takes the attacker's side, as "
            "statistical agencies audit their tables: every figure the reports and the workshop "
            "show is an equation on the withheld groups' answers, and linear and integer "
            "programming find the smallest and largest number of responses, promoters, "
            "passives and detractors each withheld group can have. Wherever a group's size, or "
            "a number of its promoters, passives or detractors above zero, has a single "
            "possible value, or its answers could only be in one category, a further group is "
            "withheld and the audit runs again; a batch whose audit still finds one publishes "
            "nothing. A function whose own score "
            "is withheld gets no report of its own. Follow-up counts and logs, and influence "
            "weighting, are not "
            f"shown for fewer than {th.min_group_size} people. Verbatim comments appear only for "
            "groups of at "
            f"least {th.min_comment_group_size} and with names (in any case, without their "
            "accents, possessive or plural, or as initials), e-mail addresses, phone numbers and "
            "employee ids removed.",
        ),
        (
            "Follow-up",
            f"Only respondents who agreed to be contacted are listed for follow-up; "
            f"each item is owned by the head of the rated function and due {cfg.followup_sla_days} "
            "days after the survey closed. Individual items stay in the consultant's working file; "
            "this report shows counts only.",
        ),
    ]
    body = "".join(
        f"<h3>{escape(t)}</h3><p>{escape(s) if t != 'Survey' else s}</p>" for t, s in items
    )
    return body
