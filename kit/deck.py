"""The editable PowerPoint deck of a scope: the pack's storyline, from the same findings.

One finding per slide, each titled with an action title (a sentence that states the finding
with its number), native PowerPoint tables and charts with their data inside (a consultant
edits them before the steering meeting), the client's brand colours and, when the engagement
names one (``slides: {template: ...}``), the client's own template. Every slide's speaker notes
hold its method: how the number was computed, the interval or test used, what is withheld and
why (the pack's methodology, in its words).

Confidentiality is the pack's: every figure comes from :mod:`kit.findings` (through the
disclosure ledger), a withheld figure reads "withheld", comments appear only as the redacted
quotes the findings give, and a slide whose finding is empty or withheld is left out.

Example
-------
>>> from kit.config import SAMPLE_CONFIG
>>> from kit.context import open_engagement
>>> ctx = open_engagement(SAMPLE_CONFIG, scope="Regulatory", audience="client")
>>> slides = deck(ctx).slides
>>> slides[1].shapes.title.text == executive_summary(ctx).so_what  # the so-what, first
True
>>> slides[5].shapes.title.text
'Regulatory fell 42 points since 2025-H2, from +21 to −21: a significant drop'
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from html import unescape
from pathlib import Path

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from kit import narrative
from kit.config import ENGAGEMENT_LEVELS, ORGANISATION
from kit.context import Context
from kit.errors import KitError
from kit.findings import follow_up, internal_nps, mapping
from kit.findings.summary import ExecutiveSummary, conversation, executive_summary
from kit.narrative import WHY_WITHHELD, band, driver_sentence, pack_date
from kit.wording import (
    change_sentence,
    count,
    groups_moved,
    listed,
    moved,
    ordinal,
    p_value,
    possessive,
    signed,
)

__all__ = ["deck", "write_deck", "heat_colour", "WITHHELD_FILL"]

#: The kit's own slides: 16:9, in inches.
WIDTH, HEIGHT = 13.333, 7.5
#: A withheld cell: grey, and the word "withheld", never a number.
WITHHELD_FILL = "D9D9D9"
#: The colour-blind-safe diverging scale of the heat map (orange below zero, blue above).
LOW, MID, HIGH = (0xB3, 0x58, 0x06), (0xF7, 0xF7, 0xF7), (0x21, 0x66, 0xAC)
#: Scores from this far from zero get the scale's full colour.
SATURATION = 70.0
#: The three NPS categories in charts: the pack's (kit.plots.CATEGORY_COLOURS, Okabe-Ito
#: vermillion and blue, told apart with every common colour vision; passives grey).
CATEGORY_FILLS = {"Detractors": "D55E00", "Passives": "BBBBBB", "Promoters": "0072B2"}
INK, MUTED, LINE = "222222", "666666", "BFBFBF"
#: Rows per table slide: a table of long sentences holds fewer.
ROWS, LONG_ROWS = 12, 8


def heat_colour(nps: float) -> str:
    """The heat map's fill for a score (hex, no '#'): orange for negative scores, blue for
    positive ones, near white around zero, full colour from ±:data:`SATURATION`."""
    t = max(-1.0, min(1.0, float(nps) / SATURATION))
    end = HIGH if t > 0 else LOW
    rgb = (round(m + abs(t) * (e - m)) for m, e in zip(MID, end, strict=True))
    return "".join(f"{c:02X}" for c in rgb)


def _dark(fill: str) -> bool:
    r, g, b = (int(fill[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.45


@dataclass
class Cell:
    """A table cell: its text and, optionally, a fill, bold, alignment and a text colour."""

    text: str
    fill: str | None = None
    bold: bool = False
    align: str = "left"
    colour: str | None = None
    italic: bool = False


def _withheld_cell() -> Cell:
    return Cell("withheld", fill=WITHHELD_FILL, align="center", colour="404040", italic=True)


def _num(text: str) -> Cell:
    return Cell(text, align="right")


def _methods(ctx: Context) -> dict[str, str]:
    """The pack's methodology (:func:`kit.narrative.methodology`) as plain text, by heading."""
    html = narrative.methodology(ctx.cfg, ctx.ds)
    parts = re.findall(r"<h3>(.*?)</h3><p>(.*?)</p>", html, flags=re.S)
    return {unescape(t): unescape(re.sub(r"<[^>]+>", "", p)) for t, p in parts}


def _hex(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


@dataclass
class _Deck:
    """The presentation being built, with its geometry, colours and the pack's methods."""

    ctx: Context
    prs: Presentation
    title_layout: object
    content_layout: object
    templated: bool
    methods: dict[str, str]
    left_out: list[str] = field(default_factory=list)

    @property
    def width(self) -> float:
        return Emu(self.prs.slide_width).inches

    @property
    def height(self) -> float:
        return Emu(self.prs.slide_height).inches

    @property
    def long_rows(self) -> int:
        """Rows of long sentences a table slide holds: fewer on a narrower slide."""
        return max(4, round(LONG_ROWS * min(1.0, self.width / WIDTH) ** 2))

    @property
    def primary(self) -> str:
        return self.ctx.cfg.brand_primary.lstrip("#").upper()

    @property
    def accent(self) -> str:
        return self.ctx.cfg.brand_accent.lstrip("#").upper()

    @property
    def name(self) -> str:
        return "The organisation" if self.ctx.is_organisation else self.ctx.scope

    def method(self, *headings: str) -> str:
        return "\n\n".join(f"{h}: {self.methods[h]}" for h in headings if h in self.methods)

    # ------------------------------------------------------------ slides and their parts

    def slide(self, title: str, notes: str):
        """A content slide with its action title, footer and speaker notes; returns it and
        the top of the space below the title (inches)."""
        slide = self.prs.slides.add_slide(self.content_layout)
        _drop_placeholders(slide, keep=(PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE))
        shape = slide.shapes.title
        if shape is None:  # a template layout without a title: the title as a text box
            shape = slide.shapes.add_textbox(Inches(0.5), Inches(0.3), Inches(1), Inches(1))
            shape.name = "Title"
        if shape is not None and not (self.templated and shape.is_placeholder):
            shape.left, shape.top = Inches(0.5), Inches(0.3)
            shape.width, shape.height = Inches(self.width - 1.0), Inches(1.05)
        frame = shape.text_frame
        frame.word_wrap = True
        frame.vertical_anchor = MSO_ANCHOR.TOP
        frame.text = title
        para = frame.paragraphs[0]
        para.alignment = PP_ALIGN.LEFT
        narrow = self.width < WIDTH - 1  # a client template's narrower slide: smaller titles
        para.font.size = Pt(24 if len(title) <= 120 and not narrow else 20)
        para.font.bold = True
        para.font.color.rgb = _hex(self.primary)
        self.footer(slide)
        slide.notes_slide.notes_text_frame.text = notes
        top = Emu(shape.top + shape.height).inches + 0.15
        return slide, max(top, 1.45)

    def footer(self, slide) -> None:
        cfg, ctx = self.ctx.cfg, self.ctx
        scope = "Organisation" if ctx.is_organisation else ctx.scope
        number = len(self.prs.slides)
        self.text(
            slide,
            [f"{cfg.client} · {cfg.title} · {scope} · {ctx.wave} · Confidential"],
            left=0.5,
            top=self.height - 0.45,
            width=self.width - 2.0,
            height=0.3,
            size=10,
            colour=MUTED,
        )
        self.text(
            slide,
            [str(number)],
            left=self.width - 1.3,
            top=self.height - 0.45,
            width=0.8,
            height=0.3,
            size=10,
            colour=MUTED,
            align=PP_ALIGN.RIGHT,
        )

    def text(
        self,
        slide,
        lines: list[str],
        *,
        left: float,
        top: float,
        width: float,
        height: float,
        size: int = 14,
        colour: str = INK,
        bold: bool = False,
        align=PP_ALIGN.LEFT,
        bullets: bool = False,
    ):
        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = box.text_frame
        frame.word_wrap = True
        for i, line in enumerate(lines):
            para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            para.text = (f"{i + 1}. " if bullets else "") + line
            para.alignment = align
            para.font.size = Pt(size)
            para.font.bold = bold
            para.font.color.rgb = _hex(colour)
            if i:
                para.space_before = Pt(6)
        return box

    def table(
        self,
        slide,
        header: list[str],
        rows: list[list[Cell | str]],
        *,
        top: float,
        widths: list[float],
        size: int = 11,
        head_size: int | None = None,
        left: float = 0.5,
        width: float | None = None,
        vertical: int = 0,
        head_height: float = 0.3,
    ):
        """A native table: a header row in the brand colour, body rows white unless a cell
        says otherwise; ``widths`` are the columns' shares of ``width``; the headings of the
        columns from ``vertical`` on (when above 0) read bottom to top."""
        width = width or self.width - 1.0
        shape = slide.shapes.add_table(
            len(rows) + 1,
            len(header),
            Inches(left),
            Inches(top),
            Inches(width),
            Inches(0.3 * (len(rows) + 1)),
        )
        table = shape.table
        table.horz_banding = False
        total = sum(widths)
        for i, w in enumerate(widths):
            table.columns[i].width = Inches(width * w / total)
        for r in range(len(rows) + 1):
            table.rows[r].height = Inches(head_height if r == 0 else 0.3)
        heads = [Cell(h, fill=self.primary, bold=True, colour="FFFFFF") for h in header]
        for c, value in enumerate(heads):
            _fill_cell(table.cell(0, c), value, size=head_size or size)
            if vertical and c >= vertical:  # long names read upwards, in regular weight
                table.cell(0, c)._tc.get_or_add_tcPr().set("vert", "vert270")
                table.cell(0, c).text_frame.paragraphs[0].font.bold = False
                table.cell(0, c).vertical_anchor = MSO_ANCHOR.BOTTOM
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                cell = value if isinstance(value, Cell) else Cell(str(value))
                _fill_cell(table.cell(r, c), cell, size=size)
        return shape

    def bar_chart(
        self,
        slide,
        categories: list[str],
        series: dict[str, list[float | None]],
        *,
        top: float,
        height: float,
        axis_title: str,
        colours: list[str],
        left: float = 0.5,
        width: float | None = None,
        kind=XL_CHART_TYPE.BAR_CLUSTERED,
        number_format: str = '+0;"−"0;0',
        bounds: tuple[float, float] | None = None,
    ):
        """A native, editable bar chart; categories listed top to bottom as given."""
        data = CategoryChartData(number_format=number_format)
        data.categories = categories
        for name, values in series.items():
            data.add_series(name, values)
        width = width or self.width - 1.0
        frame = slide.shapes.add_chart(
            kind, Inches(left), Inches(top), Inches(width), Inches(height), data
        )
        chart = frame.chart
        chart.font.size = Pt(12)
        chart.has_legend = len(series) > 1
        if chart.has_legend:
            chart.legend.position = XL_LEGEND_POSITION.BOTTOM
            chart.legend.include_in_layout = False
        plot = chart.plots[0]
        plot.gap_width = 60
        if kind == XL_CHART_TYPE.BAR_CLUSTERED:
            plot.overlap = -10
        for s, colour in zip(plot.series, colours, strict=False):
            s.format.fill.solid()
            s.format.fill.fore_color.rgb = _hex(colour)
            s.invert_if_negative = False
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.number_format, labels.number_format_is_linked = number_format, False
        labels.font.size = Pt(11)
        if kind == XL_CHART_TYPE.BAR_CLUSTERED:
            labels.position = XL_LABEL_POSITION.OUTSIDE_END
        else:
            labels.position = XL_LABEL_POSITION.CENTER
        cats = chart.category_axis
        cats.reverse_order = True  # the first category at the top, as a ranking reads
        cats.tick_label_position = XL_TICK_LABEL_POSITION.LOW  # clear of negative bars
        cats.tick_labels.font.size = Pt(12)
        cats.format.line.color.rgb = _hex(LINE)
        values = chart.value_axis
        values.has_major_gridlines = True
        values.major_gridlines.format.line.color.rgb = _hex("E5E5E5")
        values.tick_labels.font.size = Pt(11)
        stacked = kind == XL_CHART_TYPE.BAR_STACKED_100
        values.tick_labels.number_format = "0%" if stacked else number_format
        values.tick_labels.number_format_is_linked = False
        values.has_title = True
        values.axis_title.text_frame.text = axis_title
        values.axis_title.text_frame.paragraphs[0].font.size = Pt(12)
        values.axis_title.text_frame.paragraphs[0].font.bold = False
        if bounds is not None:
            values.minimum_scale, values.maximum_scale = bounds
        return chart

    def line_chart(
        self,
        slide,
        categories: list[str],
        series: dict[str, list[float | None]],
        *,
        top: float,
        height: float,
        colours: list[str],
        dashed: set[str],
    ):
        data = CategoryChartData(number_format='+0;"−"0;0')
        data.categories = categories
        for name, values in series.items():
            data.add_series(name, values)
        frame = slide.shapes.add_chart(
            XL_CHART_TYPE.LINE_MARKERS,
            Inches(0.5),
            Inches(top),
            Inches(self.width * 0.58),
            Inches(height),
            data,
        )
        chart = frame.chart
        chart.font.size = Pt(12)
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        for s, colour in zip(chart.plots[0].series, colours, strict=False):
            s.smooth = False
            s.format.line.color.rgb = _hex(colour)
            s.format.line.width = Pt(1.5 if s.name in dashed else 3)
            s.marker.format.fill.solid()
            s.marker.format.fill.fore_color.rgb = _hex(colour)
            s.marker.format.line.color.rgb = _hex(colour)
            if s.name in dashed:
                from pptx.enum.dml import MSO_LINE_DASH_STYLE

                s.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
                s.marker.size = 4
            else:
                s.marker.size = 9
                s.data_labels.show_value = True
                s.data_labels.number_format = '+0;"−"0;0'
                s.data_labels.number_format_is_linked = False
                s.data_labels.position = XL_LABEL_POSITION.ABOVE
                s.data_labels.font.size = Pt(12)
                s.data_labels.font.bold = True
        chart.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
        chart.category_axis.tick_labels.font.size = Pt(12)
        values = chart.value_axis
        values.has_title = True
        values.axis_title.text_frame.text = "NPS (−100 to +100)"
        values.axis_title.text_frame.paragraphs[0].font.size = Pt(12)
        values.axis_title.text_frame.paragraphs[0].font.bold = False
        values.tick_labels.font.size = Pt(11)
        values.major_gridlines.format.line.color.rgb = _hex("E5E5E5")
        return chart


def _fill_cell(cell, spec: Cell, *, size: int) -> None:
    cell.margin_left = cell.margin_right = Inches(0.06)
    cell.margin_top = cell.margin_bottom = Inches(0.02)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    cell.fill.solid()
    cell.fill.fore_color.rgb = _hex(spec.fill or "FFFFFF")
    frame = cell.text_frame
    frame.word_wrap = True
    lines = spec.text.split("\n")
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.text = line
        para.alignment = {"left": PP_ALIGN.LEFT, "right": PP_ALIGN.RIGHT}.get(
            spec.align, PP_ALIGN.CENTER
        )
        font = para.font
        font.size = Pt(size)
        font.bold = spec.bold
        font.italic = spec.italic
        colour = spec.colour or ("FFFFFF" if spec.fill and _dark(spec.fill) else INK)
        font.color.rgb = _hex(colour)


def _drop_placeholders(slide, *, keep) -> None:
    """Remove a layout's empty placeholders (body, date, footer...) the deck does not fill."""
    for ph in list(slide.placeholders):
        if ph.placeholder_format.type not in keep:
            ph._element.getparent().remove(ph._element)


def _pick_layout(prs, index: int | None, *, names: tuple[str, ...], fallback: int):
    """The layout at ``index`` if there is one, else the first named in ``names``, else the
    one at ``fallback``, else the first layout with a title placeholder, else the first."""
    layouts = list(prs.slide_layouts)
    if index is not None and 0 <= index < len(layouts):
        return layouts[index]
    for name in names:
        for layout in layouts:
            if layout.name.strip().lower() == name:
                return layout
    if 0 <= fallback < len(layouts):
        return layouts[fallback]
    titled = [
        lay
        for lay in layouts
        if any(
            p.placeholder_format.type in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
            for p in lay.placeholders
        )
    ]
    return (titled or layouts)[0]


def _open(ctx: Context) -> _Deck:
    cfg = ctx.cfg
    template = cfg.slides_template
    if template is not None:
        if not Path(template).is_file():
            raise KitError(f"The slides template {template} (slides.template) is not a file.")
        try:
            prs = Presentation(str(template))
        except Exception as exc:  # noqa: BLE001 - python-pptx's errors vary by what is wrong
            raise KitError(
                f"The slides template {template} (slides.template) cannot be read as a "
                f"PowerPoint presentation: {exc}"
            ) from None
        _drop_slides(prs)
    else:
        prs = Presentation()
        prs.slide_width, prs.slide_height = Inches(WIDTH), Inches(HEIGHT)
    title = _pick_layout(prs, cfg.slides_title_layout, names=("title slide",), fallback=0)
    content = _pick_layout(prs, cfg.slides_content_layout, names=("title only",), fallback=5)
    return _Deck(ctx, prs, title, content, template is not None, _methods(ctx))


def _drop_slides(prs) -> None:
    """A template's own example slides are not part of the deck."""
    ids = prs.slides._sldIdLst
    for entry in list(ids):
        prs.part.drop_rel(entry.rId)
        ids.remove(entry)


# ---------------------------------------------------------------- the storyline


def deck(ctx: Context) -> Presentation:
    """The scope's deck: cover, executive summary, results, the why, what to do,
    stakeholders; one finding per slide, each with its method in the speaker notes.

    Parameters
    ----------
    ctx
        The scope, opened for the client (``open_engagement(..., audience="client")``).

    Raises
    ------
    kit.errors.KitError
        For a consultant's context or a segment (``ctx.where``): a deck is a client document.
    """
    if not ctx.for_client or ctx.filters:
        raise KitError(
            "A deck is a client document: open the engagement with audience='client' and a "
            "whole scope (no ctx.where)."
        )
    d = _open(ctx)
    cover = _cover(d)
    found = executive_summary(ctx)
    _summary(d, found)
    _decisions(d, found)
    if not ctx.too_small:
        _scorecard(d)
        _ranking(d)
        _trend(d)
        _shares(d)
        _matrix(d)
        _groups(d)
        _drivers(d)
        _themes(d)
        _quotes(d)
        _conversation(d)
        _plan(d)
        _loop(d)
        _stakeholders(d)
    else:
        d.left_out.append(
            f"every result of {d.name}: its responses in {ctx.wave} are withheld ({WHY_WITHHELD})"
        )
    if d.left_out:
        notes = cover.notes_slide.notes_text_frame
        notes.text += "\n\nLeft out of this deck, with nothing to say: " + "; ".join(d.left_out)
        notes.text += "."
    _properties(d)
    return d.prs


def _properties(d: _Deck) -> None:
    cfg, when = d.ctx.cfg, pack_date()
    props = d.prs.core_properties
    props.title = f"{cfg.title}: {d.name if not d.ctx.is_organisation else ORGANISATION}"
    props.author = cfg.consultancy or cfg.client
    props.subject = f"{cfg.client}, {d.ctx.wave}"
    props.comments = cfg.confidentiality
    props.keywords = ""
    props.last_modified_by = cfg.consultancy or cfg.client
    props.revision = 1
    stamp = datetime(when.year, when.month, when.day)
    props.created = props.modified = props.last_printed = stamp


def _cover(d: _Deck):
    ctx, cfg = d.ctx, d.ctx.cfg
    slide = d.prs.slides.add_slide(d.title_layout)
    _drop_placeholders(
        slide, keep=(PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.SUBTITLE)
    )
    scope = "Organisation-wide results" if ctx.is_organisation else ctx.scope
    title = slide.shapes.title
    heading = f"{cfg.title}: {scope}"
    if title is None:
        title = d.text(slide, [heading], left=0.8, top=1.5, width=d.width - 1.6, height=1.5)
    title.text_frame.text = heading
    if not d.templated:
        title.left, title.top = Inches(0.8), Inches(1.6)
        title.width, title.height = Inches(d.width - 1.6), Inches(1.6)
    para = title.text_frame.paragraphs[0]
    para.font.color.rgb = _hex(d.primary)
    para.font.bold = True
    para.font.size = Pt(36)
    para.alignment = PP_ALIGN.LEFT
    date = pack_date()
    lines = [
        cfg.client,
        f"Survey wave {ctx.wave} · {date.day} {date:%B %Y}",
        *([f"Prepared by {cfg.consultancy}"] if cfg.consultancy else []),
    ]
    subtitle = next(
        (p for p in slide.placeholders if p.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE),
        None,
    )
    top = Emu(title.top + title.height).inches + 0.2
    if subtitle is None or not d.templated:
        if subtitle is not None:
            subtitle._element.getparent().remove(subtitle._element)
        subtitle = d.text(slide, lines, left=0.8, top=top, width=d.width - 1.6, height=1.4)
    else:
        subtitle.text_frame.text = "\n".join(lines)
    for para in subtitle.text_frame.paragraphs:
        para.font.size = Pt(20)
        para.font.color.rgb = _hex(INK)
        para.alignment = PP_ALIGN.LEFT
    d.text(
        slide,
        [cfg.confidentiality],
        left=0.8,
        top=d.height - 1.5,
        width=d.width - 1.6,
        height=0.9,
        size=12,
        colour=d.accent,
    )
    slide.notes_slide.notes_text_frame.text = (
        f"This deck tells the same story as the {scope} report pack, from the same findings: "
        "every figure is one the pack shows, after the disclosure ledger (the anonymity rule). "
        "Charts and tables are native PowerPoint objects with their data inside: edit them "
        "freely, but do not add figures that are not in the pack.\n\n"
        + d.method("Survey", "Net Promoter Score", "Anonymity")
    )
    return slide


def _summary(d: _Deck, found: ExecutiveSummary) -> None:
    if found.findings.empty:
        d.left_out.append("the executive summary: no finding to state")
        return
    verdicts = {
        "significant": "Significant",
        "inconclusive": "Inconclusive",
        "no significant change": "Within the margin of error",
        "fact": "",
    }
    slide, top = d.slide(
        found.so_what,
        "The findings are ranked by what a steering committee must hear first: a significant "
        "change, then the score against its target, then what is inconclusive. Significant: "
        "the change is larger than chance would give, after testing every comparison of the "
        "wave together. Inconclusive: too few responses to tell a real change from chance. "
        "Every figure is from the slides that follow.\n\n"
        + d.method("Margins of error", "Significance"),
    )
    rows = [
        [
            Cell(r.figure, bold=True, align="center", colour=d.primary),
            r.finding,
            Cell(verdicts.get(r.verdict, ""), italic=True),
        ]
        for r in found.findings.itertuples()
    ]
    d.table(
        slide,
        ["Figure", "What we found", "Verdict"],
        rows,
        top=top + 0.1,
        widths=[1.4, 8.6, 2.3],
        size=14,
    )


def _decisions(d: _Deck, found: ExecutiveSummary) -> None:
    decisions, actions = found.decisions, found.actions
    if not decisions and actions.empty:
        d.left_out.append("decisions and first actions: none follow from the findings")
        return
    owners = actions["owner"].dropna().nunique() if len(actions) else 0
    said = [f"the steering committee is asked for {count(len(decisions), 'decision')}"] * bool(
        decisions
    )
    if len(actions):
        said.append(
            f"{count(len(actions), 'first action')}"
            + (f", with {count(owners, 'owner')}" if owners else ", owners to be agreed")
        )
    title = "; ".join(said)
    title = title[0].upper() + title[1:]
    slide, top = d.slide(
        title,
        "Decisions follow from the findings: a significant fall asks for a recovery plan, "
        "inconclusive changes for more answers next wave, a score below target for the "
        "target to be confirmed or reset. The first actions are the top of the action "
        "plan (survey themes and engagement gaps), to be confirmed with their owners.\n\n"
        + d.method("Follow-up"),
    )
    if decisions:
        box = d.text(
            slide,
            decisions,
            left=0.5,
            top=top,
            width=d.width - 1.0,
            height=0.5 + 0.45 * len(decisions),
            size=14,
            bullets=True,
        )
        top = Emu(box.top + box.height).inches + 0.25
    if len(actions):
        rows = [
            [
                r.action,
                r.function,
                _owner(r.owner),
                _date(r.due),
            ]
            for r in actions.head(LONG_ROWS).itertuples()
        ]
        d.table(
            slide,
            ["First action", "Function", "Owner", "Due"],
            rows,
            top=top,
            widths=[7.2, 2.0, 1.8, 1.3],
            size=11,
        )


def _owner(value) -> str:
    """An owner's name, or what to do when the register names nobody."""
    return "to be agreed" if value is None or pd.isna(value) or not str(value).strip() else value


def _date(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%d %b %Y}"


def _interval(row) -> str:
    return f"{signed(row['ci_low'])} to {signed(row['ci_high'])}"


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    if table.empty:
        return table
    return table[~table["suppressed"].astype(bool)]


def _scores(ctx: Context) -> pd.DataFrame:
    """Every function's score of the wave (the organisation's segments), with its rank among
    those shown (1 = highest)."""
    seg = internal_nps.segments(ctx.scoped(ORGANISATION))
    shown = ~seg["suppressed"].astype(bool)
    seg["rank"] = pd.Series(pd.NA, index=seg.index, dtype="Int64")
    seg.loc[shown, "rank"] = (
        seg.loc[shown, "nps"].rank(ascending=False, method="min").astype("int64")
    )
    return seg


def _scorecard(d: _Deck) -> None:
    ctx, cfg = d.ctx, d.ctx.cfg
    target = cfg.target_nps
    previous = cfg.previous_wave_of(ctx.wave)
    level = f"{cfg.thresholds.confidence:.0%}"
    notes = (
        f"NPS = % promoters − % detractors. Interval: {level}, adjusted-Wald, clustered by "
        f"respondent. Change: since {previous or 'the previous wave'}, tested with every "
        "function's change between the same two waves as one family (Holm). Rank: among the "
        f"functions whose score is shown. Withheld rows: {WHY_WITHHELD}.\n\n"
        + d.method("Net Promoter Score", "Margins of error", "Significance", "Anonymity")
    )
    scores = _scores(ctx)
    moves = internal_nps.moves(ctx)
    if ctx.is_organisation:
        shown = _shown(scores)
        if shown.empty:
            d.left_out.append("the scorecard: every function's score is withheld")
            return
        met = int((shown["nps"].round() >= round(target)).sum())
        now = internal_nps.summary(ctx).iloc[0]
        title = (
            f"{met} of the {len(shown)} functions shown meet the target of {signed(target)}; "
            f"the organisation scores {signed(now['nps'])} in {ctx.wave}"
        )
        slide, top = d.slide(title, notes)
        changes = moves.set_index("provider_function") if len(moves) else pd.DataFrame()
        rows = []
        for _, r in scores.sort_values(["rank", "provider_function"]).iterrows():
            name = r["provider_function"]
            if r["suppressed"]:
                rows.append([name, *[_withheld_cell() for _ in range(7)]])
                continue
            rows.append([name, *_score_cells(r, changes, name, target)])
        subtitle = (
            f"The organisation: {narrative.nps_phrase(now, confidence=cfg.thresholds.confidence)}"
            f"; target {signed(target)} for every function."
        )
        d.text(slide, [subtitle], left=0.5, top=top - 0.1, width=d.width - 1.0, height=0.4)
        d.table(
            slide,
            [
                "Function",
                "NPS",
                f"{level} interval",
                "n",
                f"Change since {previous}" if previous else "Change",
                "Verdict",
                "Against target",
                "Rank",
            ],
            rows,
            top=top + 0.35,
            widths=[2.6, 0.9, 1.7, 0.8, 1.6, 2.3, 1.5, 0.8],
            size=11,
        )
        return
    row = scores.set_index("provider_function").loc[ctx.scope]
    if row["suppressed"]:
        d.left_out.append(f"the scorecard: {possessive(ctx.scope)} score is withheld")
        return
    gap = row["nps"] - target
    where = (
        f"{abs(gap):.0f} points below the target of {signed(target)}"
        if round(gap) < 0
        else f"at or above the target of {signed(target)}"
    )
    shown = int(scores["rank"].notna().sum())
    title = (
        f"{possessive(ctx.scope)} NPS is {signed(row['nps'])} in {ctx.wave}, {where}; "
        f"ranked {ordinal(int(row['rank']))} of the {shown} functions shown"
    )
    slide, top = d.slide(title, notes)
    changes = moves.set_index("provider_function") if len(moves) else pd.DataFrame()
    cells = _score_cells(row, changes, ctx.scope, target)
    d.table(
        slide,
        [
            "NPS",
            f"{level} interval",
            "n",
            f"Change since {previous}" if previous else "Change",
            "Verdict",
            "Against target",
            "Rank",
        ],
        [cells],
        top=top + 0.3,
        widths=[1.2, 2.0, 1.0, 1.9, 2.4, 1.8, 1.0],
        size=22,
        head_size=13,
    )
    share = _shown(internal_nps.summary(ctx)).iloc[0]
    d.text(
        slide,
        [
            f"Promoters {share['pct_promoters']:.0f}%, passives {share['pct_passives']:.0f}%, "
            f"detractors {share['pct_detractors']:.0f}% of {count(int(share['n']), 'rating')}: "
            f"{band(share['nps'])}."
        ],
        left=0.5,
        top=top + 1.9,
        width=d.width - 1.0,
        height=0.6,
        size=16,
    )


def _score_cells(row, changes: pd.DataFrame, name: str, target: float) -> list[Cell]:
    change = changes.loc[name] if name in changes.index else None
    if change is None:  # a first wave: nothing to compare with
        moved = [Cell("–", align="center"), Cell("")]
    elif change["suppressed"] or pd.isna(change["difference"]):
        moved = [_withheld_cell(), _withheld_cell()]
    else:
        moved = [_num(signed(change["difference"])), Cell(str(change["verdict"]).capitalize())]
    return [
        _num(signed(row["nps"])),
        Cell(_interval(row), align="center"),
        _num(f"{int(row['n']):,}"),
        *moved,
        _num(signed(row["nps"] - target)),
        _num(str(int(row["rank"]))),
    ]


def _ranking(d: _Deck) -> None:
    """The ranked bar chart: functions (organisation) or customer groups (a function), now
    and in the previous wave."""
    ctx, cfg = d.ctx, d.ctx.cfg
    previous = cfg.previous_wave_of(ctx.wave)
    org = ctx.is_organisation
    if org:
        seg, label, before = (
            internal_nps.segments(ctx),
            "provider_function",
            internal_nps.moves(ctx),
        )
    else:
        seg, label = internal_nps.segments(ctx), "respondent_function"
        before = internal_nps.group_changes(ctx)
    shown = _shown(seg).sort_values(["nps", label], ascending=[False, True])
    if len(shown) < 2:
        d.left_out.append("the ranking: fewer than two groups are shown")
        return
    hidden = sorted(seg.loc[seg["suppressed"].astype(bool), label])
    earlier = {}
    if len(before):
        ok = _shown(before).dropna(subset=["nps_a"])
        earlier = dict(zip(ok[label], ok["nps_a"], strict=True))
    hi, lo = shown.iloc[0], shown.iloc[-1]
    if ctx.is_organisation:
        title = (
            f"{hi[label]} leads at {signed(hi['nps'])} and {lo[label]} trails at "
            f"{signed(lo['nps'])}: a {abs(round(hi['nps']) - round(lo['nps']))}-point spread "
            "between functions"
        )
    else:
        title = (
            f"{hi[label]} rates {ctx.scope} highest ({signed(hi['nps'])}), {lo[label]} lowest "
            f"({signed(lo['nps'])}), among the {len(shown)} customer groups shown"
        )
    withheld = f" Not in the chart, withheld ({WHY_WITHHELD}): {listed(hidden)}." if hidden else ""
    slide, top = d.slide(
        title,
        f"Each bar is a score of {ctx.wave} "
        f"({'per function rated' if org else 'per customer group'}), ranked; the lighter "
        f"bar is the same group in {previous} where it is shown."
        f"{withheld} The data sit inside the chart: right-click, Edit Data.\n\n"
        + d.method("Net Promoter Score", "Margins of error", "Anonymity"),
    )
    names = list(shown[label])
    series = {ctx.wave: [float(v) for v in shown["nps"]]}
    colours = [d.primary]
    if previous and earlier:
        series[previous] = [
            float(earlier[n]) if n in earlier and pd.notna(earlier[n]) else None for n in names
        ]
        colours.append("A6A6A6")
    values = [v for s in series.values() for v in s if v is not None]
    low = min(-20, 10 * ((min(values) - 15) // 10))
    high = max(20, 10 * (-(-(max(values) + 15) // 10)))
    chart_height = d.height - top - 1.25 if hidden else d.height - top - 0.75
    d.bar_chart(
        slide,
        names,
        series,
        top=top,
        height=chart_height,
        axis_title=f"NPS (−100 to +100); target {signed(cfg.target_nps)}",
        colours=colours,
        bounds=(max(-100, low), min(100, high)),
    )
    if hidden:
        d.text(
            slide,
            [f"Withheld to keep respondents anonymous: {listed(hidden)}."],
            left=0.5,
            top=d.height - 1.05,
            width=d.width - 1.0,
            height=0.4,
            size=12,
            colour=MUTED,
        )


def _change_title(name: str, change: pd.Series) -> str:
    diff = change["difference"]
    said = {
        "significant": f"a significant {'rise' if diff > 0 else 'drop'}",
        "inconclusive": "inconclusive: too few responses to tell",
    }.get(change["verdict"], "within the margin of error")
    return f"{moved(name, change)}{', ' if round(diff) == 0 else ': '}{said}"


def _trend(d: _Deck) -> None:
    ctx = d.ctx
    found = internal_nps.trend(ctx)
    waves = found.waves
    if len(waves) < 2 or waves["suppressed"].astype(bool).all():
        d.left_out.append("the trend: a single wave, or every wave withheld")
        return
    changes = found.changes
    last = _shown(changes[changes["wave_to"] == ctx.wave]) if len(changes) else changes
    last = last[last["difference"].notna()] if len(last) else last
    name = "The organisation's score" if ctx.is_organisation else ctx.scope
    if len(last):
        title = _change_title(name, last.iloc[0])
    else:
        now = waves[waves["wave"] == ctx.wave].iloc[0]
        title = (
            f"{possessive(d.name)} NPS by wave: {signed(now['nps'])} in {ctx.wave}; the change "
            "from the wave before is withheld"
            if not now["suppressed"]
            else f"{possessive(d.name)} NPS by wave; {ctx.wave} is withheld"
        )
    hidden = list(waves.loc[waves["suppressed"].astype(bool), "wave"])
    level = f"{ctx.cfg.thresholds.confidence:.0%}"
    slide, top = d.slide(
        title,
        f"The score in each wave with its {level} interval (dashed). Each change between "
        "consecutive waves is tested (two-sided z test on the difference, the same people "
        "paired through the clustering by respondent)"
        + ("" if ctx.is_organisation else ", with every function's change as one family (Holm)")
        + "."
        + (f" Withheld waves ({listed(hidden)}): {WHY_WITHHELD}." if hidden else "")
        + "\n\n"
        + d.method("Margins of error", "Significance"),
    )

    def values(column: str) -> list[float | None]:
        return [
            None if s else float(v) for v, s in zip(waves[column], waves["suppressed"], strict=True)
        ]

    d.line_chart(
        slide,
        list(waves["wave"]),
        {
            "NPS": values("nps"),
            f"{level} interval, low": values("ci_low"),
            f"{level} interval, high": values("ci_high"),
        },
        top=top,
        height=d.height - top - 0.75,
        colours=[d.primary, "8C8C8C", "8C8C8C"],
        dashed={f"{level} interval, low", f"{level} interval, high"},
    )
    said = [
        change_sentence(d.name, c)
        for _, c in changes.iterrows()
        if not c["suppressed"] and pd.notna(c["difference"])
    ]
    d.text(
        slide,
        said,
        left=d.width * 0.58 + 0.8,
        top=top + 0.2,
        width=d.width * 0.42 - 1.3,
        height=d.height - top - 1.0,
        size=13,
    )


def _shares(d: _Deck) -> None:
    """The split of answers now and in the previous wave (a function that moved)."""
    ctx = d.ctx
    shares = internal_nps.category_shares(ctx)
    if len(shares) != 2 or shares["suppressed"].astype(bool).any():
        d.left_out.append("the split of answers now and before: no earlier wave shown")
        return
    before, now = shares.iloc[0], shares.iloc[1]
    moved = [
        f"{label} {'rose' if now[c] > before[c] else 'fell'} from {before[c]:.0f}% to {now[c]:.0f}%"
        for c, label in (("detractors", "detractors"), ("promoters", "promoters"))
        if round(now[c]) != round(before[c])
    ]
    if not moved:
        d.left_out.append(
            f"the split of answers: the same as in {before['wave']} (whole percentages)"
        )
        return
    said = listed(moved)
    whose = (
        "the organisation's ratings" if ctx.is_organisation else f"{possessive(ctx.scope)} ratings"
    )
    slide, top = d.slide(
        f"Since {before['wave']}, {said} of {whose}",
        "Each bar splits a wave's answers into detractors (0-"
        f"{ctx.cfg.detractor_max}), passives ({ctx.cfg.detractor_max + 1}-"
        f"{ctx.cfg.passive_max}) and promoters ({ctx.cfg.passive_max + 1}-10); n = "
        f"{int(before['n']):,} in {before['wave']}, {int(now['n']):,} in {now['wave']}.\n\n"
        + d.method("Net Promoter Score"),
    )
    d.bar_chart(
        slide,
        [f"{r['wave']} (n = {int(r['n']):,})" for _, r in shares.iterrows()],
        {
            "Detractors": [float(v) for v in shares["detractors"]],
            "Passives": [float(v) for v in shares["passives"]],
            "Promoters": [float(v) for v in shares["promoters"]],
        },
        top=top + 0.2,
        height=min(3.6, d.height - top - 1.0),
        axis_title="Share of answers (%)",
        colours=list(CATEGORY_FILLS.values()),
        kind=XL_CHART_TYPE.BAR_STACKED_100,
        number_format='0"%"',
    )


def _matrix(d: _Deck) -> None:
    ctx = d.ctx
    found = internal_nps.matrix(ctx)
    if ctx.is_organisation:
        _org_matrix(d, found)
    else:
        _mutual(d, found)


def _heat(value, n) -> Cell:
    return Cell(f"{signed(value)} ({int(n)})", fill=heat_colour(value), align="center")


def _org_matrix(d: _Deck, found: internal_nps.Matrix) -> None:
    ctx = d.ctx
    cells = found.cells
    shown = _shown(cells)
    if shown.empty:
        d.left_out.append("who rates whom: every pair is withheld")
        return
    worst = shown.sort_values(["nps", "provider_function"]).iloc[0]
    hidden = int(cells["suppressed"].astype(bool).sum())
    silo = found.silos
    if len(silo):
        s = silo.iloc[0]
        title = (
            f"{s['a']} and {s['b']} rate each other below zero ({signed(s['a_from_b'])} and "
            f"{signed(s['b_from_a'])}): a likely silo"
        )
    else:
        title = (
            f"The lowest score given: {worst['provider_function']} receives "
            f"{signed(worst['nps'])} from {worst['respondent_function']}; no two functions "
            "rate each other below zero"
        )
    providers = sorted(cells["provider_function"].unique())
    customers = sorted(cells["respondent_function"].unique())
    slide, top = d.slide(
        title,
        f"Rows: the function rated; columns: the customer function that rates it; each cell "
        f"is the NPS with its number of ratings (n) in {ctx.wave}. Orange below zero, blue "
        f"above, full colour from ±{SATURATION:.0f}. {len(cells)} pairs were rated; {hidden} "
        f"are withheld (grey, no number: {WHY_WITHHELD}). A blank cell: no rating.\n\n"
        + d.method("Who rates whom", "Anonymity"),
    )
    by = cells.set_index(["provider_function", "respondent_function"])
    d.text(
        slide,
        [
            "Each cell: the NPS a function (row) receives from a customer function (column), "
            "with its number of ratings in brackets; grey: withheld."
        ],
        left=0.5,
        top=top - 0.1,
        width=d.width - 1.0,
        height=0.35,
        size=12,
        colour=MUTED,
    )
    header = ["Function rated, by customer function:", *customers]
    rows = []
    for p in providers:
        row: list[Cell | str] = [Cell(p, bold=True)]
        for c in customers:
            if (p, c) not in by.index:
                row.append(Cell("", fill="FFFFFF"))
            elif by.loc[(p, c), "suppressed"]:
                row.append(_withheld_cell())
            else:
                row.append(_heat(by.loc[(p, c), "nps"], by.loc[(p, c), "n"]))
        rows.append(row)
    size = 10 if len(customers) > 8 or len(providers) > 9 else 12
    d.table(
        slide,
        header,
        rows[:ROWS],
        top=top + 0.25,
        widths=[2.0] + [(d.width - 3.0) / max(1, len(customers))] * len(customers),
        size=size,
        head_size=10,
        vertical=1,
        head_height=1.3,
    )


def _mutual(d: _Deck, found: internal_nps.Matrix) -> None:
    ctx = d.ctx
    view = found.mutual
    if view.empty:
        d.left_out.append(f"who rates whom: no partner of {ctx.scope} in {ctx.wave}")
        return
    got = view[~view["suppressed_received"].astype(bool) & view["nps_received"].notna()]
    if got.empty:
        d.left_out.append(f"who rates whom: every partner's score of {ctx.scope} is withheld")
        return
    worst = got.sort_values(["nps_received", "function"]).iloc[0]
    silos = found.silos
    both = silos[(silos["a"] == ctx.scope) | (silos["b"] == ctx.scope)]
    partners = [r["b"] if r["a"] == ctx.scope else r["a"] for _, r in both.iterrows()]
    tail = (
        f"; {ctx.scope} and {listed(partners)} rate each other below zero"
        if len(both)
        else f"; no partner and {ctx.scope} rate each other below zero"
    )
    slide, top = d.slide(
        f"{worst['function']} gives {ctx.scope} its lowest score, {signed(worst['nps_received'])}"
        + tail,
        f"Each row is a partner function in {ctx.wave}: the NPS it gives {ctx.scope} and the "
        f"NPS {ctx.scope} gives it, each with its number of ratings (n). Orange below zero, "
        f"blue above. Withheld cells (grey, no number): {WHY_WITHHELD}. A dash: no rating "
        "that way.\n\n" + d.method("Who rates whom", "Anonymity"),
    )
    rows = []
    for _, r in view.iterrows():
        row: list[Cell | str] = [Cell(r["function"], bold=True)]
        for way in ("received", "given"):
            if bool(r[f"suppressed_{way}"]):
                row += [_withheld_cell(), _withheld_cell()]
            elif pd.isna(r[f"nps_{way}"]):
                row += [Cell("–", align="center"), Cell("–", align="center")]
            else:
                fill = heat_colour(r[f"nps_{way}"])
                row += [
                    _num(f"{int(r[f'n_{way}']):,}"),
                    Cell(signed(r[f"nps_{way}"]), fill=fill, align="center", bold=True),
                ]
        rows.append(row)
    d.table(
        slide,
        [
            "Partner function",
            "n (rates us)",
            f"NPS it gives {ctx.scope}",
            "n (we rate)",
            f"NPS {ctx.scope} gives it",
        ],
        rows[:ROWS],
        top=top,
        widths=[3.0, 1.6, 2.6, 1.6, 2.6],
        size=12,
    )


def _groups(d: _Deck) -> None:
    """Scores by customer group: with their change for a function, per customer function
    across every function rated for the organisation."""
    ctx = d.ctx
    previous = ctx.cfg.previous_wave_of(ctx.wave)
    if ctx.is_organisation:
        seg = internal_nps.segments(ctx, by="respondent_function")
        shown = _shown(seg)
        if len(shown) < 2:
            d.left_out.append("scores by customer group: fewer than two groups shown")
            return
        ranked = shown.sort_values(["nps", "respondent_function"])
        lo, hi = ranked.iloc[0], ranked.iloc[-1]
        title = (
            f"{lo['respondent_function']} rates the functions it works with lowest "
            f"({signed(lo['nps'])}), {hi['respondent_function']} highest ({signed(hi['nps'])})"
        )
        changes = pd.DataFrame()
    else:
        seg = internal_nps.segments(ctx)
        changes = internal_nps.group_changes(ctx)
        moved = _shown(changes).dropna(subset=["difference"]) if len(changes) else changes
        if _shown(seg).empty:
            d.left_out.append("scores by customer group: every group is withheld")
            return
        if len(moved):
            title = groups_moved(ctx.scope, moved)
        else:
            lo = _shown(seg).sort_values("nps").iloc[0]
            title = f"{lo['respondent_function']} rates {ctx.scope} lowest, {signed(lo['nps'])}"
    level = f"{ctx.cfg.thresholds.confidence:.0%}"
    slide, top = d.slide(
        title,
        (
            "Each customer function's score of every function it rated"
            if ctx.is_organisation
            else f"Each customer group's score of {ctx.scope}"
        )
        + f" in {ctx.wave}, with its {level} interval"
        + (
            f" and its change since {previous}, tested with the groups' changes as one "
            "family (Holm); with a few dozen answers per group only large changes can be "
            "told from chance"
            if len(changes)
            else ""
        )
        + f". Withheld rows: {WHY_WITHHELD}.\n\n"
        + d.method("Margins of error", "Significance", "Anonymity"),
    )
    by = changes.set_index("respondent_function") if len(changes) else pd.DataFrame()
    order = seg.assign(_hidden=seg["suppressed"].astype(bool)).sort_values(
        ["_hidden", "nps", "respondent_function"]
    )
    rows = []
    for _, r in order.head(ROWS).iterrows():
        name = r["respondent_function"]
        extra = 3 if len(by) else 0
        if r["suppressed"]:
            rows.append([name, *[_withheld_cell() for _ in range(3 + extra)]])
            continue
        row = [
            name,
            _num(f"{int(r['n']):,}"),
            _num(signed(r["nps"])),
            Cell(_interval(r), align="center"),
        ]
        if len(by):
            c = by.loc[name] if name in by.index else None
            if c is None or c["suppressed"] or pd.isna(c["difference"]):
                row += [_withheld_cell()] * 3
            else:
                row += [
                    _num(signed(c["nps_a"])),
                    _num(signed(c["difference"])),
                    Cell(f"{str(c['verdict']).capitalize()} ({p_value(c['p_adjusted'])}, Holm)"),
                ]
        rows.append(row)
    header = ["Customer group", "n", f"NPS {ctx.wave}", f"{level} interval"]
    widths = [3.0, 0.9, 1.4, 1.9]
    if len(by):
        header += [f"NPS {previous}", "Change", "Verdict"]
        widths += [1.4, 1.1, 3.3]
    d.table(slide, header, rows, top=top, widths=widths, size=12)


def _drivers(d: _Deck) -> None:
    ctx = d.ctx
    found = internal_nps.drivers(ctx)
    levels, table = found.levels, found.table
    if len(found.columns) < 2 or (table.empty and levels.empty):
        d.left_out.append(f"drivers: {found.problem or 'no driver ratings'}")
        return
    parts = []
    if len(table):
        top_row = table.iloc[0]
        parts.append(
            f"{top_row['label']} is the rating most closely tied to the score "
            f"({top_row['share']:.0%} of the variation the drivers explain)"
        )
    if len(levels) and "change" in levels:
        clear = levels[levels["change_high"] < 0]
        if len(clear) == len(levels):
            worst = clear.sort_values("change").iloc[0]
            parts.append(
                f"every driver fell, {worst['label'].lower()} most ({signed(worst['change'], 2)} "
                "on the 1-5 scale)"
            )
        elif len(clear):
            worst = clear.sort_values("change").iloc[0]
            parts.append(
                f"{worst['label'].lower()} fell most clearly ({signed(worst['change'], 2)} on "
                "the 1-5 scale)"
            )
    if not parts:
        lv = levels.sort_values("mean").iloc[0]
        parts.append(f"{lv['label']} is rated lowest, {lv['mean']:.2f} on the 1-5 scale")
    title = "; ".join(parts)
    title = title[0].upper() + title[1:]
    notes = (driver_sentence(table) + "\n\n" if len(table) else f"{found.problem}\n\n") + d.method(
        "Drivers"
    )
    slide, top = d.slide(title, notes)
    shares = table.set_index("label") if len(table) else pd.DataFrame()
    compared = "change" in levels
    rows = []
    order = list(table["label"]) if len(table) else list(levels["label"])
    lv = levels.set_index("label") if len(levels) else pd.DataFrame()
    for name in order:
        row: list[Cell | str] = [Cell(name, bold=True)]
        if len(shares):
            s = shares.loc[name]
            row += [
                _num(f"{s['share']:.0%}"),
                Cell(f"{s['share_low']:.0%} to {s['share_high']:.0%}", align="center"),
            ]
        if name in lv.index:
            r = lv.loc[name]
            row += [_num(f"{r['mean']:.2f}")]
            if compared:
                row += [
                    _num(f"{r['previous']:.2f}" if pd.notna(r["previous"]) else "–"),
                    _num(signed(r["change"], 2) if pd.notna(r["change"]) else "–"),
                    Cell(
                        f"{signed(r['change_low'], 2)} to {signed(r['change_high'], 2)}"
                        if pd.notna(r["change"])
                        else "–",
                        align="center",
                    ),
                ]
        rows.append(row)
    header = ["Driver"]
    widths = [2.6]
    if len(shares):
        header += ["Share of explained variation", "Interval"]
        widths += [2.0, 1.8]
    if len(lv):
        header += ["Mean (1-5)"]
        widths += [1.3]
        if compared:
            previous = ctx.cfg.previous_wave_of(ctx.wave)
            header += [f"Mean {previous}", "Change", "Interval"]
            widths += [1.5, 1.2, 1.9]
    d.table(slide, header, rows, top=top + 0.1, widths=widths, size=13)
    if len(table):
        n = int(table["n"].iloc[0])
        d.text(
            slide,
            [
                f"Together the {len(table)} drivers explain {table['r2'].iloc[0]:.0%} of the "
                f"variation in scores (n = {n:,} complete answers). An association within "
                "one wave's answers, not proof of cause."
            ],
            left=0.5,
            top=top + 0.55 * (len(rows) + 1) + 0.4,
            width=d.width - 1.0,
            height=0.8,
            size=14,
            colour=MUTED,
        )


def _themes(d: _Deck) -> None:
    ctx = d.ctx
    found = internal_nps.themes(ctx)
    if not found.enough or found.counts.empty:
        d.left_out.append(
            f"comment themes: fewer than {ctx.cfg.thresholds.min_comment_group_size} comments"
        )
        return
    counts = found.counts
    wide = (
        counts.pivot_table(index=["theme", "label"], columns="category", values="count")
        .fillna(0)
        .reset_index()
    )
    totals = counts.drop_duplicates("theme").set_index("theme")["total"]
    wide["total"] = wide["theme"].map(totals)
    wide = wide[wide["total"] > 0].sort_values(["total", "label"], ascending=[False, True])
    top_theme = wide.iloc[0]
    bad = counts[(counts["category"] == "detractor") & (counts["count"] > 0)]
    bad = bad.sort_values(["count", "label"], ascending=[False, True])
    title = (
        f"“{top_theme['label']}” is the most frequent theme ({int(top_theme['total'])} comments)"
    )
    if len(bad) and bad.iloc[0]["theme"] != top_theme["theme"]:
        title += f"; detractors mention “{bad.iloc[0]['label']}” most ({int(bad.iloc[0]['count'])})"
    elif len(bad):
        title += f", {int(bad.iloc[0]['count'])} of them from detractors"
    slide, top = d.slide(
        title,
        f"{found.commented} of {found.responses} responses about {ctx.label} in {ctx.wave} "
        f"carry a comment; {found.matched} of them match a theme (a comment can carry several). "
        f"The {min(ROWS - 2, len(wide))} most frequent themes of {len(wide)} are shown.\n\n"
        + d.method("Comment themes", "Anonymity"),
    )
    shown = wide.head(ROWS - 2)
    cats = [c for c in ("detractor", "passive", "promoter") if c in shown]
    d.bar_chart(
        slide,
        list(shown["label"]),
        {f"{c.capitalize()}s": [float(v) for v in shown[c]] for c in cats},
        top=top,
        height=d.height - top - 0.75,
        axis_title="Comments",
        colours=[CATEGORY_FILLS[f"{c.capitalize()}s"] for c in cats],
        kind=XL_CHART_TYPE.BAR_STACKED,
        number_format="0;-0;;",
    )


def _quotes(d: _Deck) -> None:
    ctx = d.ctx
    found = internal_nps.themes(ctx)
    quotes = found.quotes
    if not found.enough or quotes.empty:
        d.left_out.append("quotes: no group has enough comments to quote anonymously")
        return
    totals = found.counts.drop_duplicates("theme").set_index("theme")["total"]
    ranked = quotes.assign(total=quotes["theme"].map(totals).fillna(0))
    ranked = ranked.sort_values(["total", "label"], ascending=[False, True])
    picked = ranked.head(6)
    slide, top = d.slide(
        f"In their words: {count(len(picked), 'redacted quote')} on the "
        f"{'most frequent themes' if len(ranked) > len(picked) else 'themes'}, one per theme",
        f"Quotes are chosen by rule, one per theme, from functions rated with at least "
        f"{ctx.cfg.thresholds.min_comment_group_size} comments; the rater's function is never "
        "shown; names, e-mail addresses, phone numbers and employee ids are removed. "
        + (
            f"{len(ranked) - len(picked)} more quotes are in the report pack. "
            if len(ranked) > len(picked)
            else ""
        )
        + "\n\n"
        + d.method("Comment themes", "Anonymity"),
    )
    rows = [
        [
            Cell(r["label"], bold=True),
            Cell(str(r["category"]).capitalize()),
            Cell(f"“{r['quote']}”", italic=True),
        ]
        for _, r in picked.iterrows()
    ]
    d.table(
        slide,
        ["Theme", "From a", "Comment (redacted)"],
        rows,
        top=top,
        widths=[2.6, 1.3, 8.4],
        size=12,
    )


def _conversation(d: _Deck) -> None:
    questions = conversation(d.ctx)
    if not questions:
        if not d.ctx.is_organisation:
            d.left_out.append(
                "the team conversation: no finding of the function's own to ask about"
            )
        return
    slide, top = d.slide(
        f"{count(len(questions), 'question')} for {possessive(d.ctx.scope)} head to take to "
        "the internal customers who answered",
        "Each question comes from this deck's own findings: the customer group whose score "
        "fell most, the theme detractors mention most, and the passives who are one step "
        "from recommending.",
    )
    d.text(
        slide,
        questions,
        left=0.8,
        top=top + 0.2,
        width=d.width - 1.6,
        height=d.height - top - 1.0,
        size=18,
        bullets=True,
    )


def _plan(d: _Deck) -> None:
    ctx = d.ctx
    plan = follow_up.plan(ctx, top=8, due_days=90)
    if plan.empty:
        d.left_out.append("the action plan: no theme frequent enough and no engagement gap open")
        return
    themes_n = int((plan["source"] == "survey themes").sum())
    gaps_n = int((plan["source"] == "stakeholder map").sum())
    pages = _pages(plan, d.long_rows)
    due = _date(plan["due"].iloc[0])
    for i, page in enumerate(pages, start=1):
        title = (
            f"{len(plan)} actions proposed for {ctx.label}: {themes_n} answer the most frequent "
            f"complaint themes, {gaps_n} close engagement gaps, "
            + (f"all due {due}" if due != "–" else "due dates to be set")
        )
        if len(pages) > 1:
            title += f" ({i} of {len(pages)})"
        slide, top = d.slide(
            title,
            "Actions come from the complaint themes most frequent per rated function (at "
            "least three comments) and from the largest engagement gaps of the most "
            "influential stakeholders; every action is owned by the head of its function and "
            "due 90 days after the wave's last answer, to be confirmed with its owner. No "
            "action is proposed from the comments of a function whose score is withheld.\n\n"
            + d.method("Follow-up"),
        )
        rows = [
            [
                r["action_id"],
                r["function"],
                r["action"],
                _owner(r["owner"]),
                r["success_measure"],
                r["answers"],
            ]
            for _, r in page.iterrows()
        ]
        d.table(
            slide,
            ["#", "Function", "Action", "Owner", "Success measure", "Answers"],
            rows,
            top=top,
            widths=[0.6, 1.6, 4.4, 1.5, 2.5, 1.9],
            size=11,
        )


def _loop(d: _Deck) -> None:
    ctx = d.ctx
    found = follow_up.loop(ctx)
    if not found.logged:
        d.left_out.append("closing the loop: no follow-up was logged for earlier waves")
        return
    if found.suppressed:
        d.left_out.append(
            f"closing the loop: fewer than {ctx.min_n} follow-ups were logged (anonymity rule)"
        )
        return
    funnel, late, said = found.funnel, found.late, found.said
    stages = {s: int(n) for s, n in zip(funnel["stage"], funnel["followups"], strict=True)}
    share = funnel.set_index("stage")["share"]
    title = (
        f"Of {stages['planned']} planned follow-ups, {stages['contacted']} reached a first "
        f"contact ({share['contacted']:.0f}%) and {stages['closed']} are closed"
    )
    overdue = int(late["overdue"].sum()) if len(late) else 0
    slide, top = d.slide(
        title,
        f"From the follow-up log of earlier waves, for {ctx.label}. Late: never contacted and "
        f"past the due date when {ctx.wave} opened; a follow-up where the owner tried and the "
        "customer did not answer is not counted as late"
        + (f" ({found.no_response} such)" if found.no_response else "")
        + f". Counts under {ctx.min_n} people are not shown.\n\n"
        + d.method("Follow-up"),
    )
    half = (d.width - 1.5) / 2
    d.table(
        slide,
        ["Stage", "Follow-ups", "% of planned"],
        [
            [
                str(r["stage"]).capitalize(),
                _num(f"{int(r['followups'])}"),
                _num(f"{r['share']:.0f}%"),
            ]
            for _, r in funnel.iterrows()
        ],
        top=top,
        widths=[2.4, 1.3, 1.4],
        width=half,
        size=13,
    )
    if len(late):
        d.text(
            slide,
            [f"{count(overdue, 'follow-up')} had no first contact before {ctx.wave} opened"],
            left=1.0 + half,
            top=top - 0.05,
            width=half,
            height=0.4,
            size=13,
            bold=True,
        )
        d.table(
            slide,
            ["Owner", "Late", "Oldest due"],
            [
                [r["owner_name"], _num(str(int(r["overdue"]))), _date(r["oldest_due"])]
                for _, r in late.head(8).iterrows()
            ],
            top=top + 0.45,
            left=1.0 + half,
            widths=[2.6, 1.0, 1.6],
            width=half,
            size=12,
        )
    if len(said):
        d.table(
            slide,
            ["You said", "We did", "Conversations", "Closed"],
            [
                [
                    r["you_said"],
                    r["we_did"],
                    _num(str(int(r["followups"]))),
                    _num(str(int(r["closed"]))),
                ]
                for _, r in said.head(4).iterrows()
            ],
            top=top + 2.6,
            widths=[3.0, 5.5, 1.6, 1.2],
            size=11,
        )


def _pages(table: pd.DataFrame, most: int = LONG_ROWS) -> list[pd.DataFrame]:
    """``table`` split into as few slides as ``most`` rows a slide allow, evenly."""
    slides = -(-len(table) // most)
    size = -(-len(table) // slides)
    return [table.iloc[i : i + size] for i in range(0, len(table), size)]


def _stakeholders(d: _Deck) -> None:
    ctx = d.ctx
    found = mapping.engagement(ctx)
    actions = found.actions
    if actions.empty:
        d.left_out.append("stakeholders: everyone in scope is engaged as needed")
        return
    pages = _pages(actions, d.long_rows)
    own = actions[actions["leadership"].astype(bool)] if "leadership" in actions else actions[:0]
    if len(own):
        first = own.iloc[0]
        whose = f"{possessive(ctx.scope)} own head, {first['name']}"
    else:
        first = actions.iloc[0]
        whose = f"the first, {first['name']} ({first['function']})"
    levels = list(ENGAGEMENT_LEVELS)
    for i, page in enumerate(pages, start=1):
        title = (
            f"{count(len(actions), 'stakeholder')} to engage, by priority; {whose}: "
            f"{first['current']} today, {first['desired']} needed"
        )
        if len(pages) > 1:
            title += f" ({i} of {len(pages)})"
        slide, top = d.slide(
            title,
            "The stakeholders in scope less engaged than needed, most important first "
            f"(influence and the size of the gap between current and desired engagement, in "
            f"steps of {' → '.join(levels)}), with a suggested action and its owner. "
            "Stakeholders come from the engagement's register, not from the survey: no "
            "respondent is named.",
        )
        rows = [
            [
                Cell(r["name"], bold=True),
                r.get("role", ""),
                r["function"],
                f"{r['current']} → {r['desired']}",
                _num(str(int(r["influence"]))),
                r["action"],
                r["owner"],
            ]
            for _, r in page.iterrows()
        ]
        d.table(
            slide,
            [
                "Stakeholder",
                "Role",
                "Function",
                "Engagement",
                "Influence",
                "Suggested action",
                "Owner",
            ],
            rows,
            top=top,
            widths=[1.6, 1.9, 1.8, 1.9, 1.0, 3.4, 1.6],
            size=11,
        )


# ---------------------------------------------------------------- writing


def write_deck(ctx: Context, path: Path | str) -> Path:
    """Build the scope's deck and save it to ``path`` (``pack.pptx``); the same findings give
    the same file, byte for byte, on the same day (or with ``SOURCE_DATE_EPOCH`` set)."""
    buffer = io.BytesIO()
    deck(ctx).save(buffer)
    path = Path(path)
    path.write_bytes(_reproducible(buffer.getvalue()))
    return path


def _reproducible(blob: bytes) -> bytes:
    """The package (and the workbooks inside its charts) with every time stamp set to the
    pack's date, so that the same inputs give the same bytes."""
    when = pack_date()
    stamp = (when.year, when.month, when.day, 0, 0, 0)
    iso = f"{when.isoformat()}T00:00:00Z"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith(".xlsx"):
                data = _reproducible(data)
            elif info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rb"\g<1>" + iso.encode() + rb"\g<2>",
                    data,
                )
            dst.writestr(zipfile.ZipInfo(info.filename, stamp), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()
