"""The executive summary and the team conversation, as the pack and the notebooks show them.

Each function takes a finding of :mod:`kit.findings.summary` and the scope, and returns HTML.
"""

from __future__ import annotations

from html import escape

from IPython.display import HTML

from kit.context import Context
from kit.findings.summary import ExecutiveSummary
from kit.narrative import omitted, table

#: How each verdict is marked beside a finding.
VERDICTS = {
    "significant": "Significant",
    "inconclusive": "Inconclusive",
    "no significant change": "No significant change",
    "fact": "",
}


def executive_summary(found: ExecutiveSummary, ctx: Context) -> HTML:
    """One page: the so-what, the findings with their figures and verdicts, the decisions
    requested and the top actions with their owners."""
    items = "".join(
        f'<li class="finding"><span class="figure">{escape(r.figure)}</span>'
        f"<span>{escape(r.finding)}"
        + (
            f' <em class="verdict {r.verdict.replace(" ", "-")}">{VERDICTS[r.verdict]}</em>'
            if VERDICTS[r.verdict]
            else ""
        )
        + "</span></li>"
        for r in found.findings.itertuples()
    )
    parts = [
        '<section class="summary" id="summary">',
        '<p class="stage-number">Executive summary</p>',
        f'<h1 class="so-what">{escape(found.so_what)}</h1>',
        f'<h2>What we found</h2><ul class="findings">{items}</ul>',
    ]
    if found.decisions:
        asks = "".join(f"<li>{escape(d)}</li>" for d in found.decisions)
        parts.append(f'<h2>Decisions requested</h2><ol class="decisions">{asks}</ol>')
    if len(found.actions):
        shown = found.actions.assign(due=found.actions["due"].dt.strftime("%d %b %Y"))
        parts.append("<h2>First actions</h2>")
        parts.append(
            table(
                shown,
                columns={
                    "action": "Action",
                    "function": "Function",
                    "owner": "Owner",
                    "due": "Due",
                },
                suppressed=None,
            ).data
        )
    parts.append(
        '<p class="note">Significant: the change is larger than chance would give, after '
        "testing every comparison of the wave together. Inconclusive: too few responses to "
        "tell a real change from chance. Every figure is from the pages that follow.</p>"
    )
    parts.append("</section>")
    return HTML("".join(parts))


def conversation(questions: list[str], ctx: Context) -> HTML:
    """Three questions for the function's head to take to their internal customers."""
    if not questions:
        return omitted(
            "the team conversation is for a function's own pack, from its shown findings"
            if not ctx.is_organisation
            else "the team conversation is in each function's own pack"
        )
    asked = "".join(f"<li>{escape(q)}</li>" for q in questions)
    return HTML(
        f'<div class="conversation"><p>For {escape(ctx.scope)}\'s head, to open a '
        "conversation with the internal customers who answered: each question comes from "
        f"this pack's own findings.</p><ol>{asked}</ol></div>"
    )
