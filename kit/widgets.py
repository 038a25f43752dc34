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

__all__ = ["Workshop", "NpsExplorer", "WhatIf", "LivePoll", "GridWorkshop"]

STYLE = """<style>
.kit-ws { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 18px; color: #1B2631;
  --jp-widgets-font-size: 16px; --jp-widgets-inline-height: 36px;
  --kit-p: {primary}; --kit-a: {accent};  /* the brand colours */ }
.kit-workshop { --jp-widgets-horizontal-tab-width: 200px; }
.kit-workshop .lm-TabBar-tab { font-size: 17px; min-height: 34px; line-height: 34px; }
.kit-ws .kit-legend span { display: inline-block; padding: 1px 8px; color: white; font-size: 14px; }
.kit-ws .kit-target-label { position: absolute; top: -18px; font-size: 13px; color: var(--kit-a); }
.kit-ws .kit-title { font-size: 22px; font-weight: bold; margin: 6px 0; }
.kit-ws .kit-row { display: flex; gap: 28px; align-items: flex-start; flex-wrap: wrap; }
.kit-ws .kit-big { font-size: 72px; font-weight: bold; line-height: 1; color: var(--kit-p); }
.kit-ws .kit-sub { font-size: 17px; color: #555; margin-top: 6px; }
.kit-ws .kit-hidden { font-size: 26px; color: #888; font-style: italic; }
.kit-ws .kit-bars { display: flex; align-items: flex-end; gap: 5px; height: 190px; }
.kit-ws .kit-bar { width: 40px; text-align: center; font-size: 15px; }
.kit-ws .kit-bar.kit-wide { width: 110px; }
.kit-ws .kit-bar div { margin-top: 3px; }
.kit-ws .kit-scale { position: relative; height: 46px; width: 520px; margin: 14px 0 4px; }
.kit-ws .kit-axis { position: absolute; top: 20px; width: 100%; height: 2px; background: #bbb; }
.kit-ws .kit-ci { position: absolute; top: 13px; height: 16px; background: #AED6F1; }
.kit-ws .kit-dot { position: absolute; top: 9px; width: 4px; height: 24px;
  background: var(--kit-p); }
.kit-ws .kit-target { position: absolute; top: 0; width: 2px; height: 42px;
  background: var(--kit-a); }
.kit-ws .kit-ticks { display: flex; justify-content: space-between; width: 520px; font-size: 13px; }
.kit-ws .kit-board { display: grid; grid-template-columns: 30px repeat(5, 150px); gap: 3px; }
.kit-ws .kit-cell { min-height: 92px; padding: 4px; font-size: 13px; line-height: 1.25; }
.kit-ws .kit-cell .kit-me { font-weight: bold; outline: 2px solid var(--kit-a); padding: 0 2px; }
.kit-ws .kit-axislabel { font-size: 14px; color: #555; text-align: center; }
.kit-ws table { border-collapse: collapse; font-size: 15px; }
.kit-ws th, .kit-ws td { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: left; }
.kit-ws td.num { text-align: right; }
.kit-vote button { font-size: 26px !important; font-weight: bold; }
</style>"""
QUADRANT_COLOURS = {
    "Manage closely": "#FADBD8",
    "Keep satisfied": "#FCF3CF",
    "Keep informed": "#D6EAF8",
    "Monitor": "#F2F3F4",
}
WIDE = {"description_width": "initial"}
#: The vote buttons, coloured by the category of their score.
BUTTON_STYLES = {"detractor": "danger", "passive": "", "promoter": "success"}


class _Tool(W.VBox):
    """A tool: its style sheet first (so it also looks right shown alone), then its children."""

    def _layout(self, children, *, name: str) -> None:
        css = STYLE.replace("{primary}", BRAND["primary"]).replace("{accent}", BRAND["accent"])
        self.children = [W.HTML(css), *children]
        self.add_class("kit-ws")
        self.add_class(f"kit-{name}")


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
        height = 150 * k / top
        bars.append(
            f'<div class="kit-bar{"" if len(counts) == 11 else " kit-wide"}">{k}<div style="'
            f'height:{height:.0f}px;background:{CATEGORY_COLOURS[kind]}"></div><div>{label}</div>'
            "</div>"
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
    right = bars_html(r["distribution"], cut=cut) if cut else ""
    return f'<div class="kit-row"><div>{left}</div><div>{right}</div></div>'


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
    legend = "".join(
        f'<span style="background:{QUADRANT_COLOURS[q]};color:#1B2631">{q}</span> '
        for q in QUADRANTS
    )
    return (
        '<div class="kit-axislabel" style="text-align:left">Interest ↑ · Influence →</div>'
        f'<div class="kit-board">{"".join(cells)}</div><div class="kit-legend">{legend}</div>'
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
            [W.HBox([self.wave, self.provider, self.customer]), self.output], name="explorer"
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
        self.to_passive = W.IntSlider(description="Detractors → passives", style=WIDE)
        self.to_promoter = W.IntSlider(description="Passives → promoters", style=WIDE)
        for control, name in (
            (self.function, "function"),
            (self.to_passive, "to-passive"),
            (self.to_promoter, "to-promoter"),
        ):
            control.add_class(f"kit-{name}")
        self.to_passive.layout.width = self.to_promoter.layout.width = "620px"
        self.function.observe(self._reset, names="value")
        self.to_passive.observe(self.update, names="value")
        self.to_promoter.observe(self.update, names="value")
        self.output = W.HTML()
        super().__init__()
        self._layout([self.function, self.to_passive, self.to_promoter, self.output], name="whatif")
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
            f"{r['moves_to_target']} more people one step up."
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
    and the votes saved as a wave-like CSV."""

    def __init__(self, ctx: Context):
        self.ctx, self.poll = ctx, Poll()
        functions = sorted(ctx.ds.functions["function"])
        self.provider = W.Dropdown(options=functions, description="About", style=WIDE)
        self.room = W.Dropdown(options=functions, description="Votes from", style=WIDE)
        self.label = W.Text(
            value=f"Workshop {date.today():%Y-%m-%d}", description="Wave", style=WIDE
        )
        cut = (ctx.cfg.detractor_max, ctx.cfg.passive_max)
        self.buttons = []
        kinds = nps.classify(range(11), detractor_max=cut[0], passive_max=cut[1])
        for s, kind in enumerate(kinds):
            b = W.Button(
                description=str(s),
                button_style=BUTTON_STYLES[kind],
                layout=W.Layout(width="64px", height="64px"),
            )
            b.add_class(f"kit-vote-{s}")
            b.on_click(lambda _, s=s: self.vote(s))
            self.buttons.append(b)
        self.undo_button = W.Button(description="Undo last vote", icon="undo")
        self.save_button = W.Button(description="Save votes", icon="save", button_style="info")
        self.undo_button.on_click(lambda _: self.undo())
        self.save_button.on_click(lambda _: self.save())
        self.output, self.status = W.HTML(), W.HTML()
        pad = W.HBox(self.buttons)
        pad.add_class("kit-vote")
        super().__init__()
        self._layout(
            [
                W.HBox([self.provider, self.room, self.label]),
                pad,
                W.HBox([self.undo_button, self.save_button]),
                self.output,
                self.status,
            ],
            name="poll",
        )
        self.update()

    def vote(self, score: int) -> None:
        self.poll.vote(score)
        self.status.value = ""
        self.update()

    def undo(self) -> None:
        self.poll.undo()
        self.update()

    def save(self):
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
        self.save_button = W.Button(
            description="Save as new register", icon="save", button_style="info"
        )
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
        controls = W.VBox(
            [self.who, self.show, *self.fields.values(), self.save_button, self.status],
            layout=W.Layout(width="380px", min_width="380px"),
        )
        for control in (self.who, self.show, *self.fields.values()):
            control.layout.width = "370px"
            control.style.description_width = "155px"
        self.save_button.layout.width = "240px"
        super().__init__()
        self._layout([W.HBox([controls, self.board]), self.gaps], name="grid")
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


class Workshop(W.Tab):
    """The four workshop tools as tabs, built once from an engagement."""

    def __init__(self, ctx: Context):
        use_brand(ctx.cfg)
        cube = ctx.ledger
        self.explorer = NpsExplorer(cube, wave=ctx.wave, target=ctx.cfg.target_nps)
        self.what_if = WhatIf(cube, wave=ctx.wave, target=ctx.cfg.target_nps)
        self.poll = LivePoll(ctx)
        self.grid = GridWorkshop(ctx)
        super().__init__([self.explorer, self.what_if, self.poll, self.grid])
        for i, title in enumerate(("NPS explorer", "What if", "Live poll", "Stakeholder grid")):
            self.set_title(i, title)
        self.add_class("kit-workshop")
