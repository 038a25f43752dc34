"""The workshop as a room sees it: `kit workshop` serves Voilà, headless Chromium drives it.

The server is started the way a consultant does (`kit workshop`), on 127.0.0.1 and a free
port, and is always stopped with Ctrl-C (SIGINT) at the end, even when the test fails. The
screenshots (each tool at 1024x768, 1280x720 and 1920x1080) go to pytest's tmp_path, to be
looked at: `pytest tests/test_workshop_browser.py --basetemp=/tmp/ws`.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kit.browser import BrowserNotFound, _launch_args, find_browser
from kit.context import open_engagement
from kit.ledger import Ledger
from kit.narrative import signed
from kit.serve import free_port
from kit.workshop import what_if

pytestmark = [pytest.mark.browser, pytest.mark.slow]
#: Projector and laptop screens the workshop must fit.
SCREENS = [(1024, 768), (1280, 720), (1920, 1080)]
TABS = ("NPS explorer", "What if", "Live poll", "Stakeholder grid")


@pytest.fixture
def workshop(sample_copy: Path):
    """`kit workshop` on a copy of the sample; yields (url, process); stopped with Ctrl-C."""
    try:
        find_browser()
    except BrowserNotFound:
        pytest.fail("a Chromium-family browser is needed: run `make browser`")
    port = free_port(0)
    kit = Path(sys.executable).with_name("kit")
    proc = subprocess.Popen(
        [str(kit), "workshop", "--config", str(sample_copy / "engagement.yaml"), f"--port={port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        line = ""
        while time.monotonic() < deadline and "Workshop running" not in line:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                pytest.fail(f"kit workshop ended at start (exit {proc.returncode})")
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match and int(match.group(1)) == port, line
        yield match.group(0), proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        proc.stdout.close()


def _wait(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the page did not follow within 20 s"
        time.sleep(0.1)


def _nps_text(page, tool: str) -> str:
    return page.locator(f".kit-{tool} [data-kit=nps]").inner_text()


def _wait_text(page, tool: str, expected: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = _nps_text(page, tool)
        if text == expected:
            return text
        time.sleep(0.1)
    return text


def test_workshop_in_a_real_browser(workshop, sample_copy, tmp_path):
    from playwright.sync_api import sync_playwright

    url, proc = workshop
    ctx = open_engagement(sample_copy / "engagement.yaml")
    cube = Ledger.from_context(ctx)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(find_browser()), args=_launch_args())
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("response", lambda r: outside.append(r.url) if "127.0.0.1" not in r.url else 0)
            page.goto(url, timeout=120_000)
            page.wait_for_selector(".kit-explorer [data-kit=nps]", timeout=120_000)
            overall = cube.view("2026-H1")
            assert _nps_text(page, "explorer") == signed(overall["nps"])
            body = page.locator("body").inner_text()
            assert "open_engagement" not in body and "import" not in body  # no code shown

            # a picker: Regulatory's score, to the point
            page.locator(".kit-provider select").select_option(label="Regulatory")
            regulatory = cube.view("2026-H1", provider="Regulatory")
            assert _wait_text(page, "explorer", signed(regulatory["nps"])) == "−21"
            assert "n = 100" in page.locator(".kit-explorer").inner_text()
            page.screenshot(path=str(shots / "workshop-explorer.png"))

            # a suppressed group reads "Not shown", never a number
            page.locator(".kit-provider select").select_option(label="Legal & Compliance")
            assert _wait_text(page, "explorer", "Not shown") == "Not shown"

            # a slider: ten Regulatory detractors moved to passive
            page.get_by_role("tab", name="What if").click()
            page.locator(".kit-function select").select_option(label="Regulatory")
            before = what_if(
                regulatory["detractors"],
                regulatory["passives"],
                regulatory["promoters"],
                target=ctx.cfg.target_nps,
            )
            # the view has switched (its slider reset) before any key is pressed
            assert _wait_text(page, "whatif", signed(before["after"])) == "−21"
            handle = page.locator(".kit-to-passive .noUi-handle")
            handle.focus()
            for _ in range(10):
                page.keyboard.press("ArrowRight")
            moved = what_if(
                regulatory["detractors"],
                regulatory["passives"],
                regulatory["promoters"],
                to_passive=10,
                target=ctx.cfg.target_nps,
            )
            assert _wait_text(page, "whatif", signed(moved["after"])) == "−11"
            page.screenshot(path=str(shots / "workshop-what-if.png"))

            # the poll's pickers start empty: no vote until both are chosen, never a self-rating
            page.get_by_role("tab", name="Live poll").click()
            about, room = page.locator(".kit-about select"), page.locator(".kit-room select")
            assert about.input_value() == room.input_value() == "choose…"
            assert page.locator(".kit-vote-9").is_disabled()
            notice = page.locator(".kit-poll .kit-notice")
            assert "Choose the function the room rates" in notice.inner_text()
            about.select_option(label="Regulatory")
            room.select_option(label="Regulatory")
            _wait(lambda: "rating itself" in notice.inner_text())
            assert "a self-rating is not" in notice.inner_text()
            assert page.locator(".kit-vote-9").is_disabled()
            room.select_option(label="Sales")
            _wait(lambda: page.locator(".kit-vote-9").is_enabled())
            assert notice.inner_text().strip() == ""
            # the room votes: five clicks, one undo
            for s in (10, 9, 3, 7, 9, 0):
                page.locator(f".kit-vote-{s}").click()
            page.get_by_role("button", name="Undo last vote").click()
            assert _wait_text(page, "poll", "+40") == "+40"
            page.screenshot(path=str(shots / "workshop-poll.png"))

            page.get_by_role("tab", name="Stakeholder grid").click()
            page.wait_for_selector(".kit-grid .kit-board")
            page.screenshot(path=str(shots / "workshop-grid.png"))
        finally:
            browser.close()
    assert outside == []  # nothing was fetched from any other host
    assert all((shots / f"workshop-{n}.png").stat().st_size > 20_000 for n in ("explorer", "poll"))


def test_ctrl_c_stops_the_server_and_its_kernel(workshop, descendants):
    from urllib.request import urlopen

    url, proc = workshop
    with urlopen(url, timeout=120) as page:  # Voilà starts a kernel for the page
        assert page.status == 200
    kernels = descendants(proc.pid)
    proc.send_signal(signal.SIGINT)
    out = proc.communicate(timeout=60)[0]
    assert proc.returncode == 0 and "Workshop stopped." in out
    time.sleep(1)
    assert not [k for k in kernels if Path(f"/proc/{k}").exists()]
    with pytest.raises(OSError):
        urlopen(url, timeout=5)


#: Whatever sits past the right edge of the screen, or is cut short inside its own box.
_LAYOUT_JS = """() => {
  const width = window.innerWidth, past = [], cut = [];
  const name = e => e.tagName + '.' + [...e.classList].slice(-2).join('.') + ' "' +
    (e.innerText || '').slice(0, 30) + '"';
  for (const e of document.querySelectorAll('.kit-workshop *')) {
    const r = e.getBoundingClientRect();
    if (r.width && r.height && (r.right > width + 0.5 || r.left < -0.5)) past.push(name(e));
  }
  const labelled = 'button, .widget-label, .lm-TabBar-tabLabel';
  for (const e of document.querySelectorAll(labelled)) {
    if (e.offsetParent && e.scrollWidth > e.clientWidth) cut.push(name(e));
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, past, cut};
}"""


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.evaluate(
        "e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, "
        "top: r.top, bottom: r.bottom, height: r.height, "
        "font: parseFloat(getComputedStyle(e).fontSize)}; }"
    )


def test_presenter_mode_fits_each_screen(workshop, tmp_path):
    """At 1024x768, 1280x720 and 1920x1080: nothing wider than the screen or cut short, the
    headline at least 5% of the screen height, the charts and their controls above the fold,
    type that grows with the screen, the quadrant legend beside the grid; the facilitator's
    notes hidden until asked for."""
    from playwright.sync_api import sync_playwright

    url, _ = workshop
    shots = tmp_path / "screenshots"
    shots.mkdir()
    title_px = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(find_browser()), args=_launch_args())
        try:
            page = browser.new_page(viewport={"width": 1024, "height": 768})
            page.goto(url, timeout=120_000)
            page.wait_for_selector(".kit-explorer [data-kit=nps]", timeout=120_000)

            # the room does not see the facilitator's notes until the toggle shows them
            notes = page.locator(".kit-notes")
            assert notes.is_hidden() and "How to use it" not in page.locator("body").inner_text()
            toggle = page.get_by_role("button", name="Facilitator notes")
            toggle.click()
            notes.wait_for(state="visible")
            assert "How to use it" in notes.inner_text() and "Live poll" in notes.inner_text()
            page.screenshot(path=str(shots / "notes-1024x768.png"))
            toggle.click()
            notes.wait_for(state="hidden")

            # five votes, so that the poll's chart is measured at each size too
            page.get_by_role("tab", name="Live poll").click()
            page.locator(".kit-about select").select_option(label="Regulatory")
            page.locator(".kit-room select").select_option(label="Sales")
            _wait(lambda: page.locator(".kit-vote-9").is_enabled())
            for s in (10, 9, 3, 7, 9):
                page.locator(f".kit-vote-{s}").click()
            page.wait_for_selector(".kit-poll .kit-bars")

            for width, height in SCREENS:
                page.set_viewport_size({"width": width, "height": height})
                size = f"{width}x{height}"
                for tab in TABS:
                    page.get_by_role("tab", name=tab).click()
                    page.wait_for_timeout(300)  # the tab shown and laid out
                    page.screenshot(path=str(shots / f"{size}-{tab.replace(' ', '-')}.png"))
                    layout = page.evaluate(_LAYOUT_JS)
                    assert layout["scrollWidth"] <= layout["innerWidth"], (size, tab, layout)
                    assert layout["past"] == [], (size, tab, layout["past"])
                    assert layout["cut"] == [], (size, tab, layout["cut"])

                    if tab == "NPS explorer":
                        headline = _box(page, ".kit-explorer [data-kit=nps]")
                        assert headline["font"] >= 0.05 * height, (size, headline)
                        assert headline["height"] >= 0.05 * height, (size, headline)
                        bars = _box(page, ".kit-explorer .kit-bars")
                        legend = _box(page, ".kit-explorer .kit-legend")
                        controls = _box(page, ".kit-explorer .kit-controls")
                        assert max(bars["bottom"], legend["bottom"]) <= height, (size, legend)
                        assert controls["top"] >= 0 and controls["bottom"] < bars["top"]
                        assert bars["right"] >= 0.85 * width, f"{size}: the chart uses the width"
                        title_px[size] = _box(page, ".kit-explorer .kit-title")["font"]
                    if tab == "Live poll":
                        chart = _box(page, ".kit-poll .kit-legend")
                        assert chart["bottom"] <= height, f"{size}: the poll's chart in view"
                    if tab == "Stakeholder grid":
                        quadrants = page.locator(".kit-grid .kit-quadrants")
                        board = _box(page, ".kit-grid .kit-board")
                        key = _box(page, ".kit-grid .kit-quadrants")
                        assert key["right"] <= board["left"] and key["bottom"] <= height, size
                        text = quadrants.inner_text()
                        assert "Manage closely" in text and "Monitor" in text
                        high = "Manage closely\ninfluence ≥\u00a04\ninterest ≥\u00a04"
                        assert high in text  # the sample's thresholds.high: 4
        finally:
            browser.close()
    assert title_px["1920x1080"] >= 1.3 * title_px["1024x768"], title_px  # type scales
    assert len(list(shots.glob("*.png"))) == 1 + len(SCREENS) * len(TABS)
