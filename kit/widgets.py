"""Workshop widgets: large, code-free controls for a room looking at one screen.

Thin views over :mod:`kit.workshop`: each tool is an ``ipywidgets.VBox`` whose controls call
one function there and show the result as escaped HTML (no chart library in the loop, so a
control answers at once). They work in JupyterLab and in Voilà (``kit workshop``).

Example
-------
>>> from kit.config import SAMPLE_CONFIG
>>> from kit.context import open_engagement
>>> room = Workshop(open_engagement(SAMPLE_CONFIG))
>>> room.explorer.provider.value = "Regulatory"
>>> room.explorer.result["n"]
100
"""

from __future__ import annotations

import re
from datetime import date
from html import escape

import ipywidgets as W
import numpy as np
import pandas as pd

from kit import narrative, nps
from kit.config import ENGAGEMENT_LEVELS
from kit.context import Context
from kit.findings import mapping as find_mapping
from kit.ledger import ALL, Ledger
from kit.narrative import signed
from kit.plots import BRAND, CATEGORY_COLOURS, use_brand
from kit.stakeholders import QUADRANTS
from kit.workshop import Poll, RegisterEdits, what_if

__all__ = [
    "Workshop",
    "NpsExplorer",
    "WhatIf",
    "LivePoll",
    "GridWorkshop",
    "board_html",
    "quadrant_legend_html",
]

STYLE = """<style>
/* The workshop's one style sheet (every tool emits it, so a tool shown alone looks right).
   Sizes are variables: fixed in JupyterLab; inside .kit-presenter (what `kit workshop` serves)
   taken from the screen with clamp() of vw/vh, so a projector at 1024x768 or 1920x1080 shows
   the same page, scaled, using the whole width. --kit-u is the unit of type and marks. */
.kit-ws { --kit-u: 1px; --kit-big: 72px; --kit-bar-h: 150px; --kit-vote: 64px;
  --kit-cell-h: 92px; --kit-scale-w: 520px;
  --kit-p: {primary}; --kit-a: {accent};  /* the brand colours */
  font-family: "DejaVu Sans", Arial, sans-serif; font-size: calc(18 * var(--kit-u));
  color: #1B2631; --jp-widgets-font-size: calc(16 * var(--kit-u));
  --jp-widgets-inline-height: calc(36 * var(--kit-u));
  --jp-widgets-horizontal-tab-width: calc(200 * var(--kit-u));
  --jp-widgets-horizontal-tab-height: calc(34 * var(--kit-u)); }
.kit-presenter, .kit-presenter .kit-ws {
  --kit-u: clamp(1px, min(0.09vw, 0.14vh), 2.2px);
  --kit-big: clamp(48px, 16vh, 240px); --kit-bar-h: clamp(100px, 38vh, 540px);
  --kit-vote: clamp(48px, min(7vw, 10.5vh), 150px); --kit-cell-h: clamp(52px, 10vh, 150px);
  --kit-scale-w: min(100%, 60vw); }
.kit-ws .lm-TabBar-tab { font-size: calc(17 * var(--kit-u)); }
.kit-ws .kit-header { align-items: center; justify-content: space-between; gap: 1em; }
.kit-ws .kit-header .kit-title { margin: 0; }
.kit-ws .kit-notes { background: #FEF9E7; border-left: 4px solid var(--kit-a);
  padding: 0 1em; font-size: calc(16 * var(--kit-u)); max-width: 70em; }
.kit-ws .kit-notes .widget-html-content { line-height: 1.45; }
.kit-ws .kit-legend span { display: inline-block; padding: 1px 8px; color: white;
  font-size: calc(14 * var(--kit-u)); margin-top: 4px; }
.kit-ws .kit-target-label { position: absolute; top: calc(-18 * var(--kit-u));
  font-size: calc(13 * var(--kit-u)); color: var(--kit-a); white-space: nowrap; }
.kit-ws .kit-title { font-size: calc(22 * var(--kit-u)); font-weight: bold; margin: 6px 0; }
.kit-ws .kit-row { display: flex; gap: calc(28 * var(--kit-u)); align-items: flex-start;
  flex-wrap: wrap; }
.kit-presenter .kit-row { flex-wrap: nowrap; }
.kit-presenter .kit-row > div { flex: 2 1 0; min-width: 0; }
.kit-presenter .kit-row > div + div { flex: 3 1 0; }
.kit-ws .kit-big { font-size: var(--kit-big); font-weight: bold; line-height: 1;
  color: var(--kit-p); }
.kit-ws .kit-sub { font-size: calc(17 * var(--kit-u)); color: #555; margin-top: 6px; }
.kit-ws .kit-hidden { font-size: calc(26 * var(--kit-u)); color: #888; font-style: italic; }
.kit-ws .kit-bars { display: flex; align-items: flex-end; gap: calc(5 * var(--kit-u));
  height: calc(var(--kit-bar-h) + 40 * var(--kit-u)); }
.kit-ws .kit-bar { width: calc(40 * var(--kit-u)); text-align: center;
  font-size: calc(15 * var(--kit-u)); }
.kit-ws .kit-bar.kit-wide { width: calc(110 * var(--kit-u)); }
.kit-presenter .kit-bar { flex: 1 1 0; min-width: 0; }
.kit-presenter .kit-bar.kit-wide { flex: 0 1 30%; }
.kit-ws .kit-bar div { margin-top: 3px; }
.kit-ws .kit-scale { position: relative; height: calc(46 * var(--kit-u));
  width: var(--kit-scale-w); margin: calc(14 * var(--kit-u)) 0 4px; }
.kit-ws .kit-axis { position: absolute; top: calc(20 * var(--kit-u)); width: 100%; height: 2px;
  background: #bbb; }
.kit-ws .kit-ci { position: absolute; top: calc(13 * var(--kit-u));
  height: calc(16 * var(--kit-u)); background: #AED6F1; }
.kit-ws .kit-dot { position: absolute; top: calc(9 * var(--kit-u)); width: 4px;
  height: calc(24 * var(--kit-u)); background: var(--kit-p); }
.kit-ws .kit-target { position: absolute; top: 0; width: 2px; height: calc(42 * var(--kit-u));
  background: var(--kit-a); }
.kit-ws .kit-ticks { display: flex; justify-content: space-between; width: var(--kit-scale-w);
  font-size: calc(13 * var(--kit-u)); }
.kit-ws .kit-controls { flex-wrap: wrap; column-gap: calc(6 * var(--kit-u)); }
.kit-presenter .kit-controls > .jupyter-widgets { flex: 1 1 0; width: auto; min-width: 12em; }
.kit-ws .kit-long-slider { width: calc(620 * var(--kit-u)); max-width: 100%; }
.kit-ws .kit-board { display: grid; gap: 3px;
  grid-template-columns: calc(30 * var(--kit-u)) repeat(5, calc(150 * var(--kit-u))); }
.kit-presenter .kit-board { grid-template-columns: calc(30 * var(--kit-u))
  repeat(5, minmax(0, 1fr)); }
.kit-ws .kit-board-box { flex: 0 1 auto; min-width: 0; }
.kit-presenter .kit-board-box { flex: 1 1 0; }
.kit-ws .kit-grid-row { gap: calc(16 * var(--kit-u)); }
.kit-presenter .kit-poll { --kit-bar-h: clamp(80px, 25vh, 400px); }  /* below the vote pad */
.kit-ws .kit-cell { min-height: var(--kit-cell-h); padding: 4px; font-size: calc(13 * var(--kit-u));
  line-height: 1.25; overflow-wrap: anywhere; }
.kit-ws .kit-cell .kit-me { font-weight: bold; outline: 2px solid var(--kit-a); padding: 0 2px; }
.kit-ws .kit-axislabel { font-size: calc(14 * var(--kit-u)); color: #555; text-align: center; }
.kit-ws .kit-grid-controls { width: calc(380 * var(--kit-u)); flex: 0 0 auto; }
.kit-presenter .kit-grid-controls { width: clamp(290px, 28vw, 560px); }
.kit-ws .kit-grid-controls > .jupyter-widgets:not(.widget-button) { width: 100%; }
.kit-ws .kit-quadrants { display: grid; grid-template-columns: 1fr 1fr; gap: 3px;
  margin-top: calc(10 * var(--kit-u)); font-size: calc(14 * var(--kit-u)); line-height: 1.25; }
.kit-ws .kit-quadrants > div { padding: calc(5 * var(--kit-u)); }
.kit-ws .kit-quadrants .kit-axislabel { grid-column: 1 / 3; text-align: left; padding: 0; }
.kit-ws table { border-collapse: collapse; font-size: calc(15 * var(--kit-u)); }
.kit-ws th, .kit-ws td { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: left; }
.kit-ws td.num { text-align: right; }
.kit-ws .kit-vote { flex-wrap: wrap; }
.kit-ws .kit-vote button { width: var(--kit-vote); height: var(--kit-vote);
  font-size: calc(var(--kit-vote) * 0.4) !important; font-weight: bold; }
.kit-ws .kit-notice { font-size: calc(18 * var(--kit-u)); color: #7B241C; min-height: 1.2em; }
</style>"""
QUADRANT_COLOURS = {
    "Manage closely": "#FADBD8",
    "Keep satisfied": "#FCF3CF",
    "Keep informed": "#D6EAF8",
    "Monitor": "#F2F3F4",
}
WIDE = {"description_width": "initial"}
#: The empty choice a picker starts on.
CHOOSE = "choose…"
#: The vote buttons, coloured by the category of their score.
BUTTON_STYLES = {"detractor": "danger", "passive": "", "promoter": "success"}


class _Tool(W.VBox):
    """A tool: its style sheet first (so it also looks right shown alone), then its children."""

    def _layout(self, children, *, name: str) -> None:
        css = STYLE.replace("{primary}", BRAND["primary"]).replace("{accent}", BRAND["accent"])
        self.children = [W.HTML(css), *children]
        self.add_class("kit-ws")
        self.add_class(f"kit-{name}")


def _controls(*controls: W.Widget) -> W.HBox:
    """A row of pickers that shares the width (and wraps on a narrow screen)."""
    row = W.HBox(list(controls))
    row.add_class("kit-controls")
    return row


def _button(description: str, **kw) -> W.Button:
    """A button as wide as its label (ipywidgets' fixed width cuts long labels short)."""
    return W.Button(description=description, layout=W.Layout(width="auto"), **kw)


# ---------------------------------------------------------------- HTML pieces


def score_html(result: dict, *, min_n: int, confidence: float, label: str = "NPS") -> str:
    """The score, its interval and n in large type; or why it is not shown."""
    if result["suppressed"]:
        return (
            f'<div class="kit-hidden" data-kit="nps">Not shown</div><div class="kit-sub">'
            f"Fewer than {min_n} responses here, or withheld so that a smaller group cannot be "
            "worked out from the totals.</div>"
        )
    if not result["n"]:
        return '<div class="kit-hidden" data-kit="nps">No ratings</div>'
    return (
        f'<div class="kit-sub">{escape(label)}</div>'
        f'<div class="kit-big" data-kit="nps">{signed(result["nps"])}</div>'
        f'<div class="kit-sub">{confidence:.0%} interval {signed(result["ci_low"])} to '
        f"{signed(result['ci_high'])} · n = {result['n']}</div>"
    )


def scale_html(nps: float, lo: float, hi: float, *, target: float | None = None) -> str:
    """The score and its interval on the -100..+100 line, with the target in red."""

    def x(v: float) -> float:
        return (float(np.clip(v, -100, 100)) + 100) / 2

    target_mark = (
        f'<div class="kit-target" style="left:{x(target):.1f}%"></div>'
        f'<div class="kit-target-label" style="left:calc({x(target):.1f}% + 4px)">'
        f"target {signed(target)}</div>"
        if target is not None
        else ""
    )
    return (
        '<div class="kit-scale"><div class="kit-axis"></div>'
        f'<div class="kit-ci" style="left:{x(lo):.1f}%;width:{x(hi) - x(lo):.1f}%"></div>'
        f'<div class="kit-dot" style="left:calc({x(nps):.1f}% - 2px)"></div>{target_mark}</div>'
        '<div class="kit-ticks"><span>−100</span><span>−50</span><span>0</span><span>+50</span>'
        "<span>+100</span></div>"
    )


def bars_html(distribution, *, cut: tuple[int, int] = (6, 8)) -> str:
    """Bars of the 0-10 answers (11 counts), or of the detractors, passives and promoters
    (3), coloured by category, counts on top."""
    counts = np.asarray(distribution, dtype=int)
    top = max(int(counts.max()), 1)
    bars = []
    if len(counts) == 11:
        kinds = nps.classify(range(11), detractor_max=cut[0], passive_max=cut[1])
        labels = [str(score) for score in range(11)]
    else:
        kinds, labels = list(nps.CATEGORIES), ["Detractors", "Passives", "Promoters"]
    for k, kind, label in zip(counts, kinds, labels, strict=True):
        bars.append(
            f'<div class="kit-bar{"" if len(counts) == 11 else " kit-wide"}">{k}<div style="'
            f"height:calc(var(--kit-bar-h) * {k / top:.3f});background:{CATEGORY_COLOURS[kind]}"
            f'"></div><div>{label}</div></div>'
        )
    legend = "".join(
        f'<span style="background:{CATEGORY_COLOURS[kind]};color:{ink}">{label}</span> '
        for kind, label, ink in (
            ("detractor", f"Detractors 0-{cut[0]}", "white"),
            ("passive", f"Passives {cut[0] + 1}-{cut[1]}", "#1B2631"),
            ("promoter", f"Promoters {cut[1] + 1}-10", "white"),
        )
    )
    return f'<div class="kit-bars">{"".join(bars)}</div><div class="kit-legend">{legend}</div>'


def result_html(
    r: dict,
    *,
    min_n: int,
    confidence: float,
    target: float | None,
    cut: tuple[int, int] | None = None,
    label: str = "NPS",
) -> str:
    """Score, interval line and (with ``cut``) the 0-10 bars side by side; or "not shown"."""
    if r["suppressed"] or not r["n"]:
        return score_html(r, min_n=min_n, confidence=confidence)
    left = score_html(r, min_n=min_n, confidence=confidence, label=label) + scale_html(
        r["nps"], r["ci_low"], r["ci_high"], target=target
    )
    right = f"<div>{bars_html(r['distribution'], cut=cut)}</div>" if cut else ""
    return f'<div class="kit-row"><div>{left}</div>{right}</div>'


def board_html(
    placed: pd.DataFrame, *, high: int, selected: str | None = None, per_cell: int = 6
) -> str:
    """The power/interest grid as a 5 x 5 board of names (influence across, interest up)."""
    cells = []
    groups = {key: g for key, g in placed.sort_values("name").groupby(["influence", "interest"])}
    for interest in range(5, 0, -1):
        cells.append(f'<div class="kit-axislabel">{interest}</div>')
        for influence in range(1, 6):
            quadrant = QUADRANTS[(0 if influence >= high else 2) + (0 if interest >= high else 1)]
            group = groups.get((influence, interest), placed.iloc[:0])
            names = [
                f'<span class="kit-me">{escape(n)}</span>' if sid == selected else escape(n)
                for sid, n in zip(group["stakeholder_id"], group["name"], strict=True)
            ]
            if len(names) > per_cell:
                mine = [n for n in names if "kit-me" in n]
                rest = [n for n in names if "kit-me" not in n][: per_cell - 1 - len(mine)]
                names = mine + rest + [f"+{len(group) - len(mine) - len(rest)} more"]
            cells.append(
                f'<div class="kit-cell" style="background:{QUADRANT_COLOURS[quadrant]}">'
                + "<br>".join(names)
                + "</div>"
            )
    cells.append("<div></div>")
    cells += [f'<div class="kit-axislabel">{i}</div>' for i in range(1, 6)]
    return (
        '<div class="kit-axislabel" style="text-align:left">Interest ↑ · Influence →</div>'
        f'<div class="kit-board">{"".join(cells)}</div>'
    )


def quadrant_legend_html(*, high: int) -> str:
    """What each quadrant of the grid means, laid out as on the board (interest up, influence
    across), with the engagement's ``high`` threshold."""
    rule = {
        "Manage closely": f"influence ≥\u00a0{high}<br>interest ≥\u00a0{high}",
        "Keep satisfied": f"influence ≥\u00a0{high}<br>interest <\u00a0{high}",
        "Keep informed": f"influence <\u00a0{high}<br>interest ≥\u00a0{high}",
        "Monitor": f"influence <\u00a0{high}<br>interest <\u00a0{high}",
    }
    order = ("Keep informed", "Manage closely", "Monitor", "Keep satisfied")  # as on the board
    boxes = "".join(
        f'<div class="kit-quadrant" style="background:{QUADRANT_COLOURS[q]}"><b>{q}</b><br>'
        f"{rule[q]}</div>"
        for q in order
    )
    return (
        f'<div class="kit-quadrants"><div class="kit-axislabel">Quadrants (high: {high} or '
        f"more on 1-5)</div>{boxes}</div>"
    )


# ---------------------------------------------------------------- tools


class NpsExplorer(_Tool):
    """Wave, rated function and rating function pickers; the score with its interval and n,
    suppressed groups shown as such."""

    def __init__(self, cube: Ledger, *, wave: str, target: float | None = None):
        self.cube, self.target = cube, target
        options = [ALL, *cube.functions]
        self.wave = W.Dropdown(options=cube.waves, value=wave, description="Wave", style=WIDE)
        self.provider = W.Dropdown(options=options, description="Rated function", style=WIDE)
        self.customer = W.Dropdown(options=options, description="Rated by", style=WIDE)
        for control, name in (
            (self.wave, "wave"),
            (self.provider, "provider"),
            (self.customer, "customer"),
        ):
            control.add_class(f"kit-{name}")
            control.observe(self.update, names="value")
        self.output = W.HTML()
        super().__init__()
        self._layout(
            [_controls(self.wave, self.provider, self.customer), self.output], name="explorer"
        )
        self.update()

    def update(self, change=None) -> None:
        wave, provider, customer = self.wave.value, self.provider.value, self.customer.value
        self.result = self.cube.view(wave, provider=provider, customer=customer)
        title = (
            f"{'All functions' if provider == ALL else provider}, rated by "
            f"{'all functions' if customer == ALL else customer}, {wave}"
        )
        body = result_html(
            self.result,
            min_n=self.cube.min_n,
            confidence=self.cube.confidence,
            target=self.target,
            cut=self.cube.cut,
        )
        self.output.value = f'<div class="kit-title">{escape(title)}</div>{body}'


class WhatIf(_Tool):
    """Move detractors to passives and passives to promoters for one function: the new NPS,
    its interval and the distance to the target."""

    def __init__(self, cube: Ledger, *, wave: str, target: float):
        self.cube, self.wave, self.target = cube, wave, target
        self.function = W.Dropdown(
            options=cube.shown_providers(wave), description="Function", style=WIDE
        )
        self.function.layout.max_width = "40em"
        self.to_passive = W.IntSlider(description="Detractors → passives", style=WIDE)
        self.to_promoter = W.IntSlider(description="Passives → promoters", style=WIDE)
        for control, name in (
            (self.function, "function"),
            (self.to_passive, "to-passive"),
            (self.to_promoter, "to-promoter"),
        ):
            control.add_class(f"kit-{name}")
        self.to_passive.add_class("kit-long-slider")
        self.to_promoter.add_class("kit-long-slider")
        self.function.observe(self._reset, names="value")
        self.to_passive.observe(self.update, names="value")
        self.to_promoter.observe(self.update, names="value")
        self.output = W.HTML()
        super().__init__()
        self._layout(
            [_controls(self.function), self.to_passive, self.to_promoter, self.output],
            name="whatif",
        )
        self._reset()

    def _reset(self, change=None) -> None:
        self.base = self.cube.view(self.wave, provider=self.function.value)
        with self.hold_trait_notifications():
            self.to_passive.value = self.to_promoter.value = 0
            self.to_passive.max = self.base["detractors"]
        self.update()

    def update(self, change=None) -> None:
        b = self.base
        self.to_promoter.max = b["passives"] + self.to_passive.value
        self.result = r = what_if(
            b["detractors"],
            b["passives"],
            b["promoters"],
            to_passive=self.to_passive.value,
            to_promoter=min(self.to_promoter.value, self.to_promoter.max),
            target=self.target,
            confidence=self.cube.confidence,
        )
        reached = (
            "Target reached."
            if r["to_target"] == 0
            else f"{r['to_target']:.1f} points short of the target of {signed(self.target)}: "
            f"{r['moves_to_target']} more {'person' if r['moves_to_target'] == 1 else 'people'} "
            "one step up."
        )
        self.output.value = (
            f'<div class="kit-title">{escape(self.function.value)}, {escape(self.wave)}: '
            f"{signed(r['before'])} today</div>"
            + result_html(
                {**r, "nps": r["after"], "suppressed": False},
                min_n=0,
                confidence=self.cube.confidence,
                target=self.target,
                label="NPS if these people moved",
            )
            + f'<div class="kit-sub">Each person moved one step is worth '
            f"{r['points_per_move']:.1f} points (100 / n). {escape(reached)}</div>"
        )


class LivePoll(_Tool):
    """One click per vote (0-10), undo, a running NPS held back until the anonymity threshold,
    and the votes saved as a wave-like CSV.

    The pickers start empty: the room votes only once the function voted about and the
    function voting are both chosen, and never on itself (no self-rating)."""

    def __init__(self, ctx: Context):
        self.ctx, self.poll = ctx, Poll()
        functions = [(CHOOSE, ""), *((f, f) for f in sorted(ctx.ds.functions["function"]))]
        self.provider = W.Dropdown(options=functions, value="", description="About", style=WIDE)
        self.room = W.Dropdown(options=functions, value="", description="Votes from", style=WIDE)
        self.provider.add_class("kit-about")
        self.room.add_class("kit-room")
        self.label = W.Text(
            value=f"Workshop {date.today():%Y-%m-%d}", description="Wave", style=WIDE
        )
        cut = (ctx.cfg.detractor_max, ctx.cfg.passive_max)
        self.buttons = []
        kinds = nps.classify(range(11), detractor_max=cut[0], passive_max=cut[1])
        for s, kind in enumerate(kinds):
            b = W.Button(description=str(s), button_style=BUTTON_STYLES[kind])
            b.add_class(f"kit-vote-{s}")
            b.on_click(lambda _, s=s: self.vote(s))
            self.buttons.append(b)
        self.undo_button = _button("Undo last vote", icon="undo")
        self.save_button = _button("Save votes", icon="save", button_style="info")
        self.undo_button.on_click(lambda _: self.undo())
        self.save_button.on_click(lambda _: self.save())
        self.output, self.status, self.notice = W.HTML(), W.HTML(), W.HTML()
        self.notice.add_class("kit-notice")
        self.provider.observe(self._check_pickers, names="value")
        self.room.observe(self._check_pickers, names="value")
        pad = W.HBox(self.buttons)
        pad.add_class("kit-vote")
        super().__init__()
        self._layout(
            [
                _controls(self.provider, self.room, self.label),
                self.notice,
                pad,
                W.HBox([self.undo_button, self.save_button]),
                self.output,
                self.status,
            ],
            name="poll",
        )
        self._check_pickers()
        self.update()

    @property
    def refusal(self) -> str:
        """Why the room cannot vote yet ("" once both pickers are chosen and differ)."""
        if not self.provider.value or not self.room.value:
            return "Choose the function the room rates (About) and who votes (Votes from)."
        if self.provider.value == self.room.value:
            return (
                f"{self.provider.value} would be rating itself: a self-rating is not a "
                "colleague's recommendation. Choose another function in About or Votes from."
            )
        return ""

    def _check_pickers(self, change=None) -> None:
        reason = self.refusal
        self.notice.value = escape(reason)
        for b in self.buttons:
            b.disabled = bool(reason)

    def vote(self, score: int) -> bool:
        """Count one vote; refused (False, the reason shown) until the pickers are valid."""
        if self.refusal:
            self._check_pickers()
            return False
        self.poll.vote(score)
        self.status.value = ""
        self.update()
        return True

    def undo(self) -> None:
        self.poll.undo()
        self.update()

    def save(self):
        if self.refusal:
            self.status.value = f'<div class="kit-sub">Not saved: {escape(self.refusal)}</div>'
            return None
        try:
            path = self.poll.save(
                self.ctx.cfg.data_dir / "polls",
                wave=self.label.value.strip() or "Workshop",
                provider_function=self.provider.value,
                respondent_function=self.room.value,
            )
        except (ValueError, OSError) as exc:
            self.status.value = f'<div class="kit-sub">Not saved: {escape(str(exc))}</div>'
            return None
        self.status.value = (
            f'<div class="kit-sub">{len(self.poll.votes)} votes saved to {escape(str(path))}</div>'
        )
        return path

    def update(self) -> None:
        o = self.ctx.nps_options
        self.result = r = self.poll.result(
            min_n=o["min_n"], confidence=o["confidence"], cut=(o["detractor_max"], o["passive_max"])
        )
        head = f'<div class="kit-title">{r["votes"]} vote{"s" if r["votes"] != 1 else ""}</div>'
        if r["suppressed"]:
            self.output.value = (
                f'{head}<div class="kit-sub">The score appears at {o["min_n"]} votes '
                "(the anonymity threshold).</div>"
            )
            return
        self.output.value = head + result_html(
            r,
            min_n=o["min_n"],
            confidence=o["confidence"],
            target=self.ctx.cfg.target_nps,
            cut=(o["detractor_max"], o["passive_max"]),
            label="NPS of the room",
        )


class GridWorkshop(_Tool):
    """Pick a stakeholder, move influence, interest and engagement: the grid and the
    engagement gaps follow; saving writes a new register version, never over the original."""

    def __init__(self, ctx: Context):
        self.ctx, self.high = ctx, ctx.cfg.thresholds.high
        self.edits = RegisterEdits(ctx.ds.stakeholders)
        reg = self.edits.register.sort_values("name")
        self.who = W.Dropdown(
            options=[
                (f"{n} ({f})", sid)
                for sid, n, f in zip(
                    reg["stakeholder_id"], reg["name"], reg["function"], strict=True
                )
            ],
            description="Stakeholder",
            style=WIDE,
        )
        self.show = W.Dropdown(
            options=[ALL, *sorted(ctx.ds.functions["function"])], description="Show", style=WIDE
        )
        self.influence = W.IntSlider(min=1, max=5, description="Influence", style=WIDE)
        self.interest = W.IntSlider(min=1, max=5, description="Interest", style=WIDE)
        self.current = W.Dropdown(
            options=ENGAGEMENT_LEVELS, description="Engagement now", style=WIDE
        )
        self.desired = W.Dropdown(options=ENGAGEMENT_LEVELS, description="Desired", style=WIDE)
        self.fields = {
            "influence": self.influence,
            "interest": self.interest,
            "engagement_current": self.current,
            "engagement_desired": self.desired,
        }
        self.save_button = _button("Save as new register", icon="save", button_style="info")
        self.save_button.on_click(lambda _: self.save())
        self.board, self.gaps, self.status = W.HTML(), W.HTML(), W.HTML()
        self.who.observe(self._load, names="value")
        self.show.observe(self.update, names="value")
        for name, control in self.fields.items():
            control.add_class(f"kit-{name.replace('_', '-')}")
            control.observe(
                lambda change, name=name: self._move(name, change["new"]), names="value"
            )
        self.who.add_class("kit-who")
        self.legend = W.HTML(quadrant_legend_html(high=self.high))
        controls = W.VBox(
            [self.who, self.show, *self.fields.values(), self.save_button, self.status, self.legend]
        )
        controls.add_class("kit-grid-controls")
        for control in (self.who, self.show, *self.fields.values()):
            control.style.description_width = "8.8em"
        self.board.add_class("kit-board-box")
        super().__init__()
        row = W.HBox([controls, self.board])
        row.add_class("kit-grid-row")
        self._layout([row, self.gaps], name="grid")
        self._loading = False
        self._load()

    def _load(self, change=None) -> None:
        """Put the selected stakeholder's values in the controls (without recording a move)."""
        row = self.edits.row(self.who.value)
        self._loading = True
        try:
            for name, control in self.fields.items():
                value = row[name]
                control.value = (
                    int(value)
                    if name in ("influence", "interest")
                    else (value if value in ENGAGEMENT_LEVELS else "Neutral")
                )
        finally:
            self._loading = False
        self.update()

    def _move(self, name: str, value) -> None:
        if self._loading:
            return
        self.edits.set(self.who.value, **{name: value})
        self.update()

    def update(self, change=None) -> None:
        reg = self.edits.register
        if self.show.value != ALL:
            reg = reg[
                (reg["function"] == self.show.value) | (reg["stakeholder_id"] == self.who.value)
            ]
        found = find_mapping.grid(self.ctx, register=reg)
        self.board.value = board_html(found.placed, high=self.high, selected=self.who.value)
        gaps = found.gaps.head(8)
        changes = self.edits.changes
        self.gaps.value = (
            '<div class="kit-title">Largest engagement gaps</div>'
            + narrative.table(
                gaps,
                columns={
                    "name": "Stakeholder",
                    "function": "Function",
                    "engagement_current": "Now",
                    "engagement_desired": "Desired",
                    "gap": "Steps",
                },
                suppressed=None,
            ).data
            + (
                f'<div class="kit-sub">{len(changes)} change(s) not saved yet.</div>'
                if len(changes)
                else ""
            )
        )

    def save(self):
        try:
            path = self.edits.save(self.ctx.cfg.data_dir)
        except (ValueError, OSError) as exc:
            self.status.value = f'<div class="kit-sub">Not saved: {escape(str(exc))}</div>'
            return None
        self.status.value = (
            f'<div class="kit-sub">Saved as {escape(path.name)}; the original is unchanged.</div>'
        )
        self.edits = RegisterEdits(self.edits.register)
        self.update()
        return path


class Workshop(W.VBox):
    """The four workshop tools as tabs, built once from an engagement.

    ``presenter``: sized for a projector (type and layout from the screen size), with the
    engagement's name on top; ``kit workshop`` serves it so. ``notes``: facilitator notes
    (Markdown), kept from the room behind a "Facilitator notes" toggle.
    """

    def __init__(self, ctx: Context, *, presenter: bool = False, notes: str = ""):
        use_brand(ctx.cfg)
        cube = ctx.ledger
        self.explorer = NpsExplorer(cube, wave=ctx.wave, target=ctx.cfg.target_nps)
        self.what_if = WhatIf(cube, wave=ctx.wave, target=ctx.cfg.target_nps)
        self.poll = LivePoll(ctx)
        self.grid = GridWorkshop(ctx)
        self.tabs = W.Tab([self.explorer, self.what_if, self.poll, self.grid])
        for i, title in enumerate(("NPS explorer", "What if", "Live poll", "Stakeholder grid")):
            self.tabs.set_title(i, title)
        self.notes = W.HTML(_markdown(notes), layout=W.Layout(display="none"))
        self.notes.add_class("kit-notes")
        self.notes_button = W.ToggleButton(
            description="Facilitator notes", icon="sticky-note", layout=W.Layout(width="auto")
        )
        self.notes_button.add_class("kit-notes-toggle")
        self.notes_button.observe(self._toggle_notes, names="value")
        css = STYLE.replace("{primary}", BRAND["primary"]).replace("{accent}", BRAND["accent"])
        header = W.HBox(
            [
                W.HTML(
                    f'<div class="kit-title">{escape(f"{ctx.cfg.client} · {ctx.cfg.title}")}</div>'
                )
            ]
            + ([self.notes_button] if notes.strip() else [])
        )
        header.add_class("kit-header")
        super().__init__(
            [W.HTML(css)]
            + ([header, self.notes] if presenter or notes.strip() else [])
            + [self.tabs]
        )
        self.add_class("kit-ws")
        self.add_class("kit-workshop")
        if presenter:
            self.add_class("kit-presenter")

    def _toggle_notes(self, change=None) -> None:
        self.notes.layout.display = None if self.notes_button.value else "none"


def _markdown(text: str) -> str:
    """Markdown to HTML, as the notebooks render it (the notes are the kit's own text)."""
    if not text.strip():
        return ""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return re.sub(r'<a class="anchor-link".*?</a>', "", markdown2html_mistune(text), flags=re.S)
