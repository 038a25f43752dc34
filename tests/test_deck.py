"""The editable PowerPoint deck (kit.deck): built from the findings, read back with
python-pptx, checked against the findings' own values; one slow test renders a deck made
by ``kit report`` with LibreOffice."""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest
import yaml
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Inches

from kit.config import SAMPLE_CONFIG, ConfigError, load_engagement
from kit.context import open_engagement
from kit.deck import WITHHELD_FILL, deck, heat_colour, write_deck
from kit.errors import KitError
from kit.findings import internal_nps
from kit.findings.summary import executive_summary
from kit.wording import signed


def _read_back(ctx) -> Presentation:
    """The deck as a file, opened again: what a consultant's PowerPoint reads."""
    buffer = io.BytesIO()
    deck(ctx).save(buffer)
    buffer.seek(0)
    return Presentation(buffer)


@pytest.fixture(scope="module")
def org_ctx():
    return open_engagement(SAMPLE_CONFIG, audience="client")


@pytest.fixture(scope="module")
def reg_ctx():
    return open_engagement(SAMPLE_CONFIG, scope="Regulatory", audience="client")


@pytest.fixture(scope="module")
def org_deck(org_ctx):
    return _read_back(org_ctx)


@pytest.fixture(scope="module")
def reg_deck(reg_ctx):
    return _read_back(reg_ctx)


def _titles(prs) -> list[str]:
    return [s.shapes.title.text if s.shapes.title is not None else "" for s in prs.slides]


def _tables(prs) -> list[tuple[int, list[list[str]], object]]:
    """Every table: (slide index, rows of cell texts, the table)."""
    out = []
    for i, slide in enumerate(prs.slides):
        for shape in slide.shapes:
            if shape.has_table:
                rows = [[c.text for c in row.cells] for row in shape.table.rows]
                out.append((i, rows, shape.table))
    return out


def _table(prs, first_heading: str):
    """The rows and table whose first heading is ``first_heading`` (header row dropped)."""
    found = [(rows, t) for _, rows, t in _tables(prs) if rows[0][0] == first_heading]
    assert found, f"no table headed {first_heading!r}"
    return found[0]


def _charts(prs, kind) -> list:
    return [
        shape.chart
        for slide in prs.slides
        for shape in slide.shapes
        if shape.has_chart and shape.chart.chart_type == kind
    ]


def _all_text(prs) -> str:
    parts = []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [c.text for row in shape.table.rows for c in row.cells]
        parts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(parts)


# ---------------------------------------------------------------- action titles


def test_regulatory_titles_state_its_findings_with_their_numbers(reg_deck, reg_ctx):
    titles = _titles(reg_deck)
    assert titles[1] == executive_summary(reg_ctx).so_what
    change = internal_nps.trend(reg_ctx).changes.iloc[-1]
    assert change["wave_to"] == "2026-H1" and change["verdict"] == "significant"
    expected = (
        f"Regulatory fell {abs(change['difference']):.0f} points since {change['wave_from']}, "
        f"from {signed(change['nps_a'])} to {signed(change['nps_b'])}: a significant drop"
    )
    assert (
        expected == "Regulatory fell 42 points since 2025-H2, from +21 to −21: a significant drop"
    )
    assert expected in titles
    now = internal_nps.summary(reg_ctx).iloc[0]
    scores = internal_nps.segments(reg_ctx.scoped("Organisation"))
    shown = scores[~scores["suppressed"]]
    rank = int((shown["nps"] > now["nps"]).sum()) + 1
    assert (rank, len(shown)) == (9, 10)  # IT's −21.4 is just below Regulatory's −21.0
    assert (
        f"Regulatory's NPS is {signed(now['nps'])} in 2026-H1, "
        f"{abs(now['nps'] - 20):.0f} points below the target of +20; ranked 9th of the 10 "
        "functions shown"
    ) in titles
    groups = internal_nps.group_changes(reg_ctx)
    worst = groups[~groups["suppressed"]].sort_values("difference").iloc[0]
    assert any(
        f"{worst['respondent_function']} most, {signed(worst['difference'])} points" in t
        for t in titles
    )
    assert (
        worst["respondent_function"] == "Medical Affairs" and signed(worst["difference"]) == "−61"
    )


def test_organisation_titles_state_its_findings_with_their_numbers(org_deck, org_ctx):
    titles = _titles(org_deck)
    assert titles[1] == executive_summary(org_ctx).so_what
    own = internal_nps.trend(org_ctx).changes.iloc[-1]
    assert (
        f"The organisation's score fell {abs(own['difference']):.0f} points since "
        f"{own['wave_from']}, from {signed(own['nps_a'])} to {signed(own['nps_b'])}: "
        "a significant drop"
    ) in titles
    seg = internal_nps.segments(org_ctx)
    shown = seg[~seg["suppressed"]].sort_values("nps", ascending=False)
    met = int((shown["nps"].round() >= 20).sum())
    assert met == 2  # Pharmacovigilance +53, Supply Chain +38
    assert titles[3].startswith(f"{met} of the {len(shown)} functions shown meet the target")
    top, bottom = shown.iloc[0], shown.iloc[-1]
    assert any(
        t.startswith(
            f"{top['provider_function']} leads at {signed(top['nps'])} and "
            f"{bottom['provider_function']} trails at {signed(bottom['nps'])}"
        )
        for t in titles
    )
    moves = internal_nps.moves(org_ctx)
    regulatory = moves.set_index("provider_function").loc["Regulatory"]
    assert f"{abs(regulatory['difference']):.0f} points" in titles[1]


# ---------------------------------------------------------------- native charts, their data


def test_ranked_bar_chart_holds_the_scores_of_the_findings(org_deck, org_ctx):
    (chart,) = _charts(org_deck, XL_CHART_TYPE.BAR_CLUSTERED)
    seg = internal_nps.segments(org_ctx)
    shown = seg[~seg["suppressed"]].sort_values("nps", ascending=False)
    plot = chart.plots[0]
    assert list(plot.categories) == list(shown["provider_function"])
    now, before = plot.series
    assert now.name == "2026-H1" and before.name == "2025-H2"
    assert list(now.values) == pytest.approx(list(shown["nps"]))
    previous = internal_nps.moves(org_ctx).set_index("provider_function")["nps_a"]
    assert list(before.values) == pytest.approx([previous[f] for f in shown["provider_function"]])
    assert "Sales" not in plot.categories and "Legal & Compliance" not in plot.categories
    assert chart.part.chart_workbook.xlsx_part is not None  # editable: the data are inside


def test_trend_line_chart_holds_every_wave_of_the_findings(reg_deck, reg_ctx):
    (chart,) = _charts(reg_deck, XL_CHART_TYPE.LINE_MARKERS)
    waves = internal_nps.trend(reg_ctx).waves
    plot = chart.plots[0]
    assert list(plot.categories) == ["2025-H1", "2025-H2", "2026-H1"]
    nps, low, high = plot.series
    assert list(nps.values) == pytest.approx(list(waves["nps"]))
    assert list(low.values) == pytest.approx(list(waves["ci_low"]))
    assert list(high.values) == pytest.approx(list(waves["ci_high"]))
    assert round(nps.values[-1]) == -21


def test_customer_group_chart_of_a_function(reg_deck, reg_ctx):
    (chart,) = _charts(reg_deck, XL_CHART_TYPE.BAR_CLUSTERED)
    seg = internal_nps.segments(reg_ctx)
    shown = seg[~seg["suppressed"]].sort_values("nps", ascending=False)
    assert list(chart.plots[0].categories) == list(shown["respondent_function"])
    assert list(chart.plots[0].series[0].values) == pytest.approx(list(shown["nps"]))
    hidden = set(seg.loc[seg["suppressed"], "respondent_function"])
    assert hidden == {"Market Access", "Pharmacovigilance"}
    assert not hidden & set(chart.plots[0].categories)


# ---------------------------------------------------------------- confidentiality


def test_every_withheld_cell_of_the_matrix_says_withheld(org_deck, org_ctx):
    rows, table = _table(org_deck, "Function rated, by customer function:")
    customers = [h.replace("\n", " ") for h in rows[0][1:]]
    cells = internal_nps.matrix(org_ctx).cells
    suppressed = cells[cells["suppressed"]]
    assert len(suppressed) == 37
    where = {r[0]: i for i, r in enumerate(rows)}
    for _, c in suppressed.iterrows():
        i, j = where[c["provider_function"]], 1 + customers.index(c["respondent_function"])
        assert rows[i][j] == "withheld"
        assert str(table.cell(i, j).fill.fore_color.rgb) == WITHHELD_FILL
    shown = cells[~cells["suppressed"]]
    for _, c in shown.iterrows():
        i, j = where[c["provider_function"]], 1 + customers.index(c["respondent_function"])
        assert rows[i][j] == f"{signed(c['nps'])} ({int(c['n'])})"
        assert str(table.cell(i, j).fill.fore_color.rgb) == heat_colour(c["nps"])


def test_no_number_of_a_withheld_group_appears(org_deck, org_ctx, reg_deck, reg_ctx):
    # the true sizes, from the raw answers, to look for them where they must not be
    answers = org_ctx.in_wave.groupby(["provider_function", "respondent_function"]).size()
    cells = internal_nps.matrix(org_ctx).cells
    rows, _ = _table(org_deck, "Function rated, by customer function:")
    customers = [h.replace("\n", " ") for h in rows[0][1:]]
    where = {r[0]: r for r in rows[1:]}
    for _, c in cells[cells["suppressed"]].iterrows():
        true_n = int(answers[(c["provider_function"], c["respondent_function"])])
        text = where[c["provider_function"]][1 + customers.index(c["respondent_function"])]
        assert str(true_n) not in text and not re.search(r"\d", text)

    # a withheld function's or customer group's row says "withheld" in every figure column
    def hidden(ctx, by):
        seg = internal_nps.segments(ctx, by=by)
        return set(seg.loc[seg["suppressed"], by])

    org_groups = hidden(org_ctx, "respondent_function")
    reg_groups = hidden(reg_ctx, "respondent_function")
    assert hidden(org_ctx, "provider_function") == {"Legal & Compliance", "Sales"}
    assert org_groups == {"Legal & Compliance", "Market Access"}
    assert reg_groups == {"Market Access", "Pharmacovigilance"}
    tables = [
        (org_deck, "Function", hidden(org_ctx, "provider_function"), "provider_function"),
        (org_deck, "Customer group", org_groups, "respondent_function"),
        (reg_deck, "Customer group", reg_groups, "respondent_function"),
        (reg_deck, "Partner function", reg_groups, "respondent_function"),
    ]
    for prs, heading, names, by in tables:
        ctx = org_ctx if prs is org_deck else reg_ctx
        true_n = ctx.current.groupby(by).size()
        rows, _ = _table(prs, heading)
        found = [row for row in rows[1:] if row[0] in names]
        assert len(found) == len(names), heading
        for row in found:
            assert not re.search(r"\d", " ".join(row[1:])), row
            assert str(int(true_n[row[0]])) not in " ".join(row[1:])
            if heading == "Partner function":  # the way back may be shown, or not rated
                assert set(row[1:3]) == {"withheld"}
            else:
                assert set(row[1:]) == {"withheld"}
    legal = org_ctx.in_wave["provider_function"].eq("Legal & Compliance").sum()
    assert legal == 4  # under the threshold: its size must not be printed with its name
    assert "Legal & Compliance (4)" not in _all_text(org_deck)


def test_a_withheld_function_gets_no_result_slides(org_ctx):
    prs = _read_back(org_ctx.scoped("Legal & Compliance"))
    assert not any(shape.has_chart for slide in prs.slides for shape in slide.shapes)
    titles = _titles(prs)
    assert "withheld" in titles[1]
    for _, rows, _ in _tables(prs):
        for row in rows:
            assert not re.search(r"\bn = \d", " ".join(row))


def test_a_deck_is_for_the_client_audience_only():
    with pytest.raises(KitError, match="audience='client'"):
        deck(open_engagement(SAMPLE_CONFIG, scope="Regulatory"))


# ---------------------------------------------------------------- notes, brand, template


def test_every_slide_has_its_method_in_the_speaker_notes(org_deck, reg_deck):
    for prs in (org_deck, reg_deck):
        for i, slide in enumerate(prs.slides):
            notes = slide.notes_slide.notes_text_frame.text
            assert len(notes) > 100, (i, _titles(prs)[i], notes)
    matrix_notes = next(
        s.notes_slide.notes_text_frame.text
        for s in org_deck.slides
        if any(
            sh.has_table and sh.table.cell(0, 0).text.startswith("Function rated")
            for sh in s.shapes
        )
    )
    assert "37 are withheld" in matrix_notes and "Who rates whom:" in matrix_notes
    cover = org_deck.slides[0].notes_slide.notes_text_frame.text
    assert "Anonymity:" in cover


def test_brand_colour_on_titles_headers_and_series(org_deck, org_ctx, sample_copy):
    primary = org_ctx.cfg.brand_primary.lstrip("#").upper()
    for slide in list(org_deck.slides)[1:]:
        run = slide.shapes.title.text_frame.paragraphs[0]
        assert str(run.font.color.rgb) == primary
    for _, _, table in _tables(org_deck):
        assert str(table.cell(0, 0).fill.fore_color.rgb) == primary
    (chart,) = _charts(org_deck, XL_CHART_TYPE.BAR_CLUSTERED)
    assert str(chart.plots[0].series[0].format.fill.fore_color.rgb) == primary
    # another client's colour is that client's
    path = sample_copy / "engagement.yaml"
    raw = yaml.safe_load(path.read_text())
    raw["brand"]["primary"] = "#0A7E5C"
    path.write_text(yaml.safe_dump(raw))
    other = _read_back(open_engagement(path, scope="Regulatory", audience="client"))
    assert str(other.slides[1].shapes.title.text_frame.paragraphs[0].font.color.rgb) == "0A7E5C"


def test_default_slides_are_16_by_9(reg_deck):
    assert (reg_deck.slide_width, reg_deck.slide_height) == (Inches(13.333), Inches(7.5))


def _template(path):
    """A tiny client template: 4:3, a logo on the master, its own name for the content
    layout, and one example slide of its own."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(10), Inches(7.5)
    example = prs.slides.add_slide(prs.slide_layouts[1])
    example.shapes.title.text = "Example slide of the template"
    logo = example.shapes.add_shape(1, Inches(8.6), Inches(6.9), Inches(1.2), Inches(0.4))
    logo.name = "Client logo"
    prs.slide_master.shapes._spTree.append(copy.deepcopy(logo._element))
    prs.slide_layouts[1]._element.cSld.set("name", "Client content")
    prs.save(path)


def test_the_client_template_is_honoured(sample_copy):
    (sample_copy / "brand").mkdir()
    _template(sample_copy / "brand" / "template.pptx")
    path = sample_copy / "engagement.yaml"
    raw = yaml.safe_load(path.read_text())
    raw["slides"] = {"template": "brand/template.pptx", "content_layout": 1}
    path.write_text(yaml.safe_dump(raw))
    cfg = load_engagement(path)
    assert cfg.slides_template == (sample_copy / "brand" / "template.pptx").resolve()
    ctx = open_engagement(path, scope="Regulatory", audience="client")
    prs = _read_back(ctx)
    assert (prs.slide_width, prs.slide_height) == (Inches(10), Inches(7.5))
    titles = _titles(prs)
    assert "Example slide of the template" not in titles
    assert titles[1] == executive_summary(ctx).so_what
    assert prs.slides[0].slide_layout.name == "Title Slide"
    for slide in list(prs.slides)[1:]:
        assert slide.slide_layout.name == "Client content"
        assert "Client logo" in [s.name for s in slide.slide_layout.slide_master.shapes]
        for shape in slide.shapes:  # nothing runs off the narrower slide
            assert shape.left + shape.width <= prs.slide_width + Inches(0.01), shape.name


def test_a_missing_template_is_named(sample_copy):
    path = sample_copy / "engagement.yaml"
    raw = yaml.safe_load(path.read_text())
    raw["slides"] = {"template": "brand/missing.pptx", "colour": "blue"}
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError) as err:
        load_engagement(path)
    message = str(err.value)
    assert str(sample_copy / "brand" / "missing.pptx") in message
    assert "unknown setting 'slides.colour'" in message


def test_the_same_inputs_give_the_same_file(reg_ctx, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    a = write_deck(reg_ctx, tmp_path / "a.pptx").read_bytes()
    b = write_deck(reg_ctx, tmp_path / "b.pptx").read_bytes()
    assert a == b
    prs = Presentation(tmp_path / "a.pptx")
    assert prs.core_properties.created == pd.Timestamp(1780000000, unit="s").normalize()


def test_run_batch_refuses_an_unknown_format():
    from kit.report import run_batch

    with pytest.raises(KitError, match="html, pdf, pptx"):
        run_batch(SAMPLE_CONFIG, scopes=["Regulatory"], formats=("html", "docx"), progress=False)


# ---------------------------------------------------------------- the batch, rendered


@pytest.mark.slow
def test_kit_report_writes_a_deck_libreoffice_renders(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-impress")
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("poppler-utils (pdftotext, pdfinfo) is not installed")
    out = tmp_path / "reports"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "kit.cli",
            "report",
            "--out",
            str(out),
            "--scope",
            "Regulatory",
            "--format",
            "html,pdf,pptx",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Decks (pack.pptx):" in run.stdout
    (folder,) = out.glob("*/*/regulatory")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["outputs"]) == {"pack.html", "pack.pdf", "pack.pptx"}
    assert manifest["timings_s"]["deck"] > 0
    assert not list(out.glob("*/*/.tmp-*"))
    prs = Presentation(folder / "pack.pptx")
    profile = tmp_path / "lo-profile"  # a profile of its own: no clash with another soffice
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(folder / "pack.pptx"),
        ],
        capture_output=True,
        timeout=300,
        check=True,
    )
    pdf = tmp_path / "pack.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    assert pages == len(prs.slides)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    for title in _titles(prs):
        assert " ".join(title.split()) in flat, title


def test_a_function_deck_names_its_own_head_first_among_stakeholders(reg_deck, org_deck):
    """Regulatory's head (Unaware, needed Leading) leads its stakeholder slide's title, not
    another function's; the organisation's names the first by priority."""
    reg = [t for t in _titles(reg_deck) if "stakeholders to engage" in t]
    assert reg and all(
        "Regulatory's own head, Layla Silva: Unaware today, Leading" in t for t in reg
    )
    org = [t for t in _titles(org_deck) if "stakeholders to engage" in t]
    assert org and all("the first, Manon Davies (Clinical Operations)" in t for t in org)
