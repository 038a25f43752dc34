"""Printing with one browser and one page for a whole batch (kit.browser)."""

from __future__ import annotations

from datetime import date

import pytest

from kit.browser import BrowserNotFound, Printer, find_browser

pytestmark = [pytest.mark.slow, pytest.mark.browser]
DAY = date(2026, 11, 18)


@pytest.fixture
def printer():
    try:
        find_browser()
    except BrowserNotFound:
        pytest.fail("a Chromium-family browser is needed: run `make browser`")
    with Printer() as p:
        yield p


def _text(path) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() or "" for page in PdfReader(path).pages)


@pytest.fixture
def first_alone(tmp_path):
    """A document printed by a browser of its own, before the test's printer starts."""
    a = tmp_path / "a.html"
    a.write_text("<h1>Regulatory pack</h1>" + "<p>alpha</p>" * 200)
    with Printer() as alone:
        alone.pdf(a, tmp_path / "a-alone.pdf", footer="A", dated=DAY)
    return a


def test_one_page_prints_each_document_as_if_alone(first_alone, printer, tmp_path):
    a, b = first_alone, tmp_path / "b.html"
    b.write_text("<h1>Finance pack</h1><p>beta</p>")
    printer.pdf(a, tmp_path / "a1.pdf", footer="A", dated=DAY)
    page = printer._page
    printer.pdf(b, tmp_path / "b.pdf", footer="B", dated=DAY)
    printer.pdf(a, tmp_path / "a2.pdf", footer="A", dated=DAY)
    assert printer._page is page, "one page serves every print"
    alone_bytes = (tmp_path / "a-alone.pdf").read_bytes()
    assert (tmp_path / "a1.pdf").read_bytes() == alone_bytes
    assert (tmp_path / "a2.pdf").read_bytes() == alone_bytes, "nothing carried over from b"
    text = _text(tmp_path / "b.pdf")
    assert "Finance pack" in text and "Regulatory" not in text and "alpha" not in text


def test_a_failed_print_gives_the_next_one_a_new_page(printer, tmp_path):
    good = tmp_path / "good.html"
    good.write_text("<p>after the failure</p>")
    with pytest.raises(Exception):  # noqa: B017 - whatever playwright raises for a missing file
        printer.pdf(tmp_path / "missing.html", tmp_path / "missing.pdf")
    assert printer._page is None
    printer.pdf(good, tmp_path / "good.pdf")
    assert "after the failure" in _text(tmp_path / "good.pdf")


def test_a_chart_drawn_once_looks_as_savefig_draws_it(printer):
    """kit.narrative.cropped_svg crops by the SVG's viewBox: the browser shows the same picture
    as savefig's tight crop (only anti-aliasing may differ)."""
    import io

    import numpy as np
    from PIL import Image
    from test_narrative import _figures

    from kit.narrative import cropped_svg

    page = printer._browser.new_page()
    try:
        for make in _figures():
            ax = make()
            buf = io.StringIO()
            ax.figure.savefig(buf, format="svg", bbox_inches="tight")
            shots = []
            for svg in (buf.getvalue(), cropped_svg(ax.figure)):
                page.set_content(
                    f"<body style='margin:0; background:#808080'>{svg[svg.index('<svg') :]}</body>"
                )
                png = page.locator("svg").first.screenshot()
                shots.append(np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=int))
            savefig, ours = shots
            assert ours.shape == savefig.shape, make.__name__
            differ = np.abs(ours - savefig) > 64
            assert differ.mean() < 0.002, f"{make.__name__}: {differ.mean():.2%} of pixels differ"
            assert (savefig < 128).mean() > 0.003, "the picture has ink"
    finally:
        page.close()
