"""The page-fill gate: every page of every sample pack, as printed, read back as pixels.

A page whose content ends above 40% of its height (a heading left behind while its chart
moved on, a part that stops early) is a hole a client reads as a mistake. The packs are
built once with the real ``kit report``; each PDF page is rendered in grey at 40 dpi
(``pdftoppm``) and the lowest row with ink, above the running footer, is where the page's
content ends. The cover and the last page are exempt.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import commands
import numpy as np
import pytest
from PIL import Image

from kit.config import slug

pytestmark = pytest.mark.slow
#: Every sample scope that gets a pack (Sales and Legal & Compliance are withheld).
SCOPES = [
    "Organisation",
    "Clinical Operations",
    "Finance",
    "HR",
    "IT",
    "Market Access",
    "Marketing",
    "Medical Affairs",
    "Pharmacovigilance",
    "Regulatory",
    "Supply Chain",
]
DPI = 40
#: Grey levels below this count as ink (white is 255; the lightest fills the pack prints,
#: the headline boxes' #f3f6f9, are about 245).
INK = 250
#: The lowest a page's content may end, as a share of the page's height.
LOWEST_END = 0.40
#: The page's margins (pack.css ``@page``): content lives between them, the footer below.
A4_MM = 297.0
TOP_MM, BOTTOM_MM = 16.0, 18.0


@dataclass(frozen=True)
class Page:
    number: int
    height: int  # pixels
    content_top: int  # first pixel row of the content area (below the top margin)
    content_bottom: int  # first pixel row of the footer band (the bottom margin)
    ink_end: int  # one past the lowest row with ink in the content area (content_top if none)

    @property
    def ends_at(self) -> float:
        """Where the content ends, as a share of the page's height."""
        return self.ink_end / self.height

    @property
    def blank(self) -> int:
        """Rows of the content area left empty below the content."""
        return self.content_bottom - self.ink_end


def render(pdf: Path, folder: Path) -> list[Path]:
    """Every page of ``pdf`` as a grey PNG at :data:`DPI`, in page order."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf), str(folder / "p")],
        check=True,
        timeout=120,
    )
    return sorted(folder.glob("p-*.png"), key=lambda p: int(p.stem.split("-")[1]))


def ink_rows(png: Path) -> np.ndarray:
    """Whether each pixel row of a page holds any ink."""
    grey = np.asarray(Image.open(png).convert("L"))
    return (grey < INK).any(axis=1)


def measure(number: int, rows: np.ndarray) -> Page:
    """Where the content of one page (``rows``: :func:`ink_rows`) ends."""
    height = len(rows)
    top = int(round(height * TOP_MM / A4_MM))
    bottom = height - int(round(height * BOTTOM_MM / A4_MM))
    inked = np.flatnonzero(rows[top:bottom])
    end = top + int(inked[-1]) + 1 if len(inked) else top
    return Page(number, height, top, bottom, end)


def first_words(pdf: Path, number: int, words: int = 10) -> str:
    """The first words of a page, to name it in a failure."""
    text = subprocess.run(
        ["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return " ".join(text.split()[:words])


def blank_share(pages: list[Page]) -> float:
    """The share of the content area left empty below the content, over ``pages``."""
    return sum(p.blank for p in pages) / sum(p.content_bottom - p.content_top for p in pages)


def pack_pages(pdf: Path, folder: Path) -> list[Page]:
    return [measure(i, ink_rows(png)) for i, png in enumerate(render(pdf, folder), start=1)]


# ---------------------------------------------------------------- the measuring itself


def test_measure_finds_where_the_content_ends():
    rows = np.zeros(468, dtype=bool)  # A4 at 40 dpi
    rows[30:40] = rows[150:152] = True  # content
    rows[450:455] = True  # the footer, in the bottom margin
    page = measure(2, rows)
    assert (page.content_top, page.content_bottom) == (25, 440)
    assert page.ink_end == 152 and page.ends_at == pytest.approx(152 / 468)
    assert blank_share([page]) == pytest.approx((440 - 152) / (440 - 25))
    assert measure(3, np.zeros(468, dtype=bool)).ink_end == 25  # an empty page ends at its top


# ---------------------------------------------------------------- the packs


@pytest.fixture(scope="module")
def packs(tmp_path_factory) -> dict[str, Path]:
    if not commands.has_browser():
        pytest.fail("a Chromium-family browser is needed: run `make browser`")
    if not shutil.which("pdftoppm") or not shutil.which("pdftotext"):
        pytest.fail("pdftoppm and pdftotext are needed (Debian: poppler-utils)")
    out = tmp_path_factory.mktemp("reports")
    cmd = commands.kit_report(out, "--jobs", "2")  # the whole sample, as `make report`
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=commands.PINNED)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    root = out / "helix-biopharma" / "2026-h1"
    assert {p.parent.name for p in root.glob("*/pack.pdf")} == {slug(s) for s in SCOPES}
    return {scope: root / slug(scope) / "pack.pdf" for scope in SCOPES}


@pytest.fixture(scope="module")
def measured(packs, tmp_path_factory) -> dict[str, list[Page]]:
    pngs = tmp_path_factory.mktemp("pages")
    out = {scope: pack_pages(pdf, pngs / scope) for scope, pdf in packs.items()}
    for scope, pages in out.items():
        print(
            f"\n{scope}: {len(pages)} pages, {blank_share(pages[1:]):.1%} of the content area "
            f"blank (cover left out); content ends at "
            + ", ".join(f"p{p.number} {p.ends_at:.0%}" for p in pages)
        )
    return out


@pytest.mark.parametrize("scope", SCOPES)
def test_the_footer_sits_in_the_bottom_margin(packs, measured, scope, tmp_path):
    """What the gate ignores is the running footer, and only it: every page but the cover
    has ink in the bottom band, and none in the top band."""
    for png in render(packs[scope], tmp_path)[1:]:
        rows = ink_rows(png)
        page = measure(0, rows)
        assert rows[page.content_bottom :].any(), f"{png.name}: no footer where expected"
        assert not rows[: page.content_top].any(), f"{png.name}: ink in the top margin"


@pytest.mark.parametrize("scope", SCOPES)
def test_no_page_ends_above_forty_percent(packs, measured, scope):
    pages = measured[scope]
    assert len(pages) >= 8
    holes = [
        f"{scope} pack, page {p.number} ends at {p.ends_at:.0%} of its height: "
        f"'{first_words(packs[scope], p.number)}'"
        for p in pages[1:-1]
        if p.ends_at < LOWEST_END
    ]
    assert not holes, "\n".join(holes)
