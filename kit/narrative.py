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

from html import escape

import numpy as np
import pandas as pd
from IPython.display import HTML

from kit.config import Engagement
from kit.data import Dataset

__all__ = [
    "signed",
    "headline",
    "note",
    "kpis",
    "table",
    "nps_phrase",
    "change_sentence",
    "methodology",
    "scope_stakeholders",
    "mapping_headline",
    "sipoc_view",
    "nps_trend",
    "nps_segments",
    "nps_headline",
    "nps_kpis",
    "changes_table",
    "segments_table",
    "followup_headline",
    "followup_owners",
    "followup_list",
    "followup_log",
]


def signed(value: float, digits: int = 0) -> str:
    """``+12`` / ``-6`` / ``0`` with a true minus sign, as NPS is usually written."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    text = f"{value:+.{digits}f}"
    return "0" if text.strip("+-") == f"{0:.{digits}f}" else text.replace("-", "−")


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
        return (format(value, fmt) if fmt else f"{value:,}"), True
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
    (a format spec, or ``"signed"``). Rows flagged in ``suppressed`` read "suppressed"."""
    columns = columns or {c: c for c in df.columns if c != suppressed}
    formats = formats or {}
    head = "".join(f"<th>{escape(label)}</th>" for label in columns.values())
    rows = []
    for _, row in df.head(max_rows).iterrows():
        hidden = bool(suppressed in df.columns and row[suppressed])
        cells = []
        for i, col in enumerate(columns):
            if hidden and i > 0 and col not in df.columns[:1]:
                text, num = ("suppressed" if i == 1 else ""), False
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


def nps_phrase(row: pd.Series, *, confidence: float = 0.95) -> str:
    """``"+12 (95% interval −3 to +26, n = 61)"`` or ``"suppressed"``."""
    if row.get("suppressed", False) or pd.isna(row.get("nps")):
        return "not shown (too few responses)"
    return (
        f"{signed(row['nps'])} ({confidence:.0%} interval {signed(row['ci_low'])} to "
        f"{signed(row['ci_high'])}, n = {int(row['n'])})"
    )


def change_sentence(name: str, change: pd.Series) -> str:
    """One sentence on a change between two waves, significant only when it is."""
    if change.get("suppressed", False) or pd.isna(change.get("difference")):
        return (
            f"{name}: the change from {change['wave_from']} to {change['wave_to']} cannot be "
            "shown (too few responses)."
        )
    diff = change["difference"]
    verb = "rose" if diff > 0 else "fell" if diff < 0 else "was unchanged"
    p = change.get("p_adjusted", change.get("p_value"))
    test = f"p = {p:.3f}" if p >= 0.001 else "p < 0.001"
    verdict = (
        "a significant change"
        if change["significant"]
        else "within the margin of error, not a significant change"
    )
    return (
        f"{name}'s NPS {verb} from {signed(change['nps_a'])} in {change['wave_from']} to "
        f"{signed(change['nps_b'])} in {change['wave_to']} ({signed(diff)} points; {test}): "
        f"{verdict}."
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
            f"“How likely is it that you would recommend this function to a colleague?” from 0 to "
            f"10. Waves: {waves}. {r['respondent_id'].nunique():,} distinct respondents.",
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
            "accurate for the small groups typical of internal surveys.",
        ),
        (
            "Significance",
            "A change between waves is called significant only when a two-sided "
            "z test on the difference of the two NPS gives p below 0.05, after Holm's correction "
            "when several functions are compared at once. Other changes are labelled as within the "
            "margin of error.",
        ),
        (
            "Anonymity",
            f"Groups with fewer than {th.min_group_size} responses show neither a "
            f"score nor a count, and further groups are hidden where needed so that a hidden group "
            f"cannot be worked out by subtraction. Verbatim comments appear only for groups of at "
            f"least {th.min_comment_group_size} and with names, e-mail addresses, phone numbers "
            "and employee ids removed.",
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


# ---------------------------------------------------------------- stage 1: stakeholder mapping


def scope_stakeholders(ctx) -> pd.DataFrame:
    """The register rows that matter to the scope (everyone for the organisation)."""
    from kit.stakeholders import in_scope

    return in_scope(
        ctx.ds.stakeholders, ctx.ds.relationships, None if ctx.is_organisation else ctx.scope
    )


def mapping_headline(ctx) -> HTML:
    """Who the scope's internal customers are, who matters most, where engagement must move."""
    from kit.stakeholders import engagement_gaps, grid

    rel = ctx.ds.relationships
    placed = grid(scope_stakeholders(ctx), high=ctx.cfg.thresholds.high)
    close = placed[placed["quadrant"] == "Manage closely"]
    gaps = engagement_gaps(placed)
    lines = []
    if ctx.is_organisation:
        lines.append(
            f"{len(ctx.ds.functions)} functions are linked by {len(rel)} mapped "
            f"deliverables; {len(placed)} stakeholders are in the register."
        )
    else:
        customers = sorted(set(rel.loc[rel["supplier_function"] == ctx.scope, "customer_function"]))
        suppliers = sorted(set(rel.loc[rel["customer_function"] == ctx.scope, "supplier_function"]))
        lines.append(
            f"{ctx.scope} serves {len(customers)} internal customer functions "
            f"({', '.join(customers) or 'none mapped'}) and relies on {len(suppliers)} "
            f"supplier functions."
        )
    lines.append(
        f"{len(close)} of {len(placed)} stakeholders in scope need managing closely "
        f"(high influence and high interest)."
    )
    if len(gaps):
        top = gaps.iloc[0]
        lines.append(
            f"{len(gaps)} stakeholders are less engaged than needed; the largest gap is "
            f"{top['name']} ({top['role']}, {top['function']}): {top['engagement_current']} "
            f"today, {top['engagement_desired']} needed."
        )
    return headline(lines)


def sipoc_view(ctx) -> HTML:
    """SIPOC table of a function, or the internal-customer overview of all functions."""
    from kit.stakeholders import internal_customers, sipoc

    if ctx.is_organisation:
        return table(
            internal_customers(ctx.ds.relationships, ctx.ds.responses),
            columns={
                "function": "Function",
                "customers": "Internal customers",
                "suppliers": "Suppliers",
                "deliverables": "Deliverables out",
                "rated_by": "Rated by (functions)",
            },
        )
    s = sipoc(ctx.ds.relationships, ctx.scope)
    raters = set(ctx.rated["respondent_function"])
    unmapped = sorted(raters - set(s.loc[s["role"] == "Customer", "partner"]) - {ctx.scope})
    out = table(
        s,
        columns={
            "role": "Role",
            "partner": "Function",
            "deliverable": "Input / output",
            "frequency": "Frequency",
            "criticality": "Criticality",
        },
    )
    if unmapped:
        extra = note(
            f"Also rate {ctx.scope} without a mapped relationship (customers beyond the "
            f"obvious lines): {', '.join(unmapped)}."
        )
        return HTML(out.data + extra.data)
    return out


# ---------------------------------------------------------------- stage 2: internal NPS


def _nps_args(ctx) -> dict:
    return {
        "confidence": ctx.cfg.thresholds.confidence,
        "min_n": ctx.min_n,
        "detractor_max": ctx.cfg.detractor_max,
        "passive_max": ctx.cfg.passive_max,
    }


def nps_trend(ctx) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scope's NPS per wave up to the selected one, and the changes between waves."""
    from kit import nps

    waves = list(ctx.cfg.waves[: ctx.cfg.waves.index(ctx.wave) + 1])
    rated = ctx.rated[ctx.rated["wave"].isin(waves)]
    return nps.trend(rated, waves=waves, **_nps_args(ctx))


def nps_segments(ctx) -> pd.DataFrame:
    """NPS per rated function (organisation) or per customer function (one function)."""
    from kit import nps

    by = "provider_function" if ctx.is_organisation else "respondent_function"
    return nps.segments(ctx.current, by=by, **_nps_args(ctx))


def nps_headline(ctx) -> HTML:
    """Headline sentences for the scope's NPS, computed from the data."""
    from kit import nps

    args = _nps_args(ctx)
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
    _, changes = nps_trend(ctx)
    last = changes[changes["wave_to"] == ctx.wave]
    if ctx.is_organisation:
        seg = nps_segments(ctx)
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
    return headline(lines)


def nps_kpis(ctx) -> HTML:
    """Key figures of the scope in the selected wave."""
    from kit import nps

    args = _nps_args(ctx)
    now = nps.summary(ctx.current, **args).iloc[0]
    if now["suppressed"]:
        return kpis([("NPS", "suppressed", f"fewer than {ctx.min_n} responses")])
    conf = f"{args['confidence']:.0%}"
    return kpis(
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
            "p_value": "p",
            "verdict": "Verdict",
        },
        formats={"nps_a": "signed", "nps_b": "signed", "difference": "signed", "p_value": ".3f"},
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


# ---------------------------------------------------------------- stage 3: follow-up


def followup_headline(ctx, queue: pd.DataFrame) -> HTML:
    """How many consenting respondents to go back to, by when, and the earlier loop."""
    from kit.followup import log_summary

    det = int((queue["category"] == "detractor").sum())
    pas = int((queue["category"] == "passive").sum())
    lines = [
        f"{len(queue)} respondents who agreed to be contacted should hear back about "
        f"{ctx.label} from {ctx.wave}: {det} detractors first, then {pas} passives."
    ]
    if len(queue):
        lines.append(
            f"First contacts are due by {queue['due'].min():%d %B %Y} "
            f"({ctx.cfg.followup_sla_days} days after the survey closed), owned by "
            f"{queue['owner'].nunique()} function heads."
        )
    log = log_summary(
        ctx.ds.followups, ctx.ds.responses, provider=None if ctx.is_organisation else ctx.scope
    )
    if len(log):
        done = int(log["contacted"].sum())
        total = int(log["followups"].sum())
        lines.append(
            f"In earlier waves, {done} of {total} planned follow-ups reached a first "
            f"contact ({100 * done / total:.0f}%)."
        )
    return headline(lines)


def followup_owners(ctx, queue: pd.DataFrame) -> HTML:
    """Counts per rated function and owner (safe for a pack); suppressed functions hidden."""
    from kit import nps
    from kit.followup import queue_summary

    scores = nps.segments(ctx.current, by="provider_function", **_nps_args(ctx))
    hidden = set(scores.loc[scores["suppressed"], "provider_function"])
    summary = queue_summary(queue)
    summary["suppressed"] = summary["provider_function"].isin(hidden)
    out = table(
        summary,
        columns={
            "provider_function": "Rated function",
            "owner": "Owner",
            "detractors": "Detractors",
            "passives": "Passives",
            "total": "To contact",
            "due": "Due by",
        },
    )
    if hidden & set(summary["provider_function"]):
        return HTML(
            out.data
            + note("Counts for functions whose scores are withheld (anonymity rule) are too.").data
        )
    return out


def followup_list(ctx, queue: pd.DataFrame) -> HTML:
    """The named follow-up list: only in the consultant's view, never in a client pack."""
    if ctx.for_client:
        return note("The named follow-up list is kept out of client reports.")
    return table(
        queue,
        columns={
            "priority": "#",
            "response_id": "Response",
            "provider_function": "Rated function",
            "score": "Score",
            "name": "Contact",
            "email": "E-mail",
            "owner": "Owner",
            "due": "Due",
        },
    )


def followup_log(ctx) -> HTML:
    """The closed-loop figures of earlier waves."""
    from kit.followup import log_summary

    log = log_summary(
        ctx.ds.followups, ctx.ds.responses, provider=None if ctx.is_organisation else ctx.scope
    )
    if log.empty:
        return note("No follow-up was logged for earlier waves.")
    return table(
        log,
        columns={
            "wave": "Wave",
            "followups": "Planned",
            "contacted": "Contacted",
            "closed": "Closed",
            "contact_rate": "% contacted",
            "median_days_to_contact": "Median days to contact",
            "overdue": "Late or missing",
        },
        formats={"contact_rate": ".0f", "median_days_to_contact": ".0f"},
    )
