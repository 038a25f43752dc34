"""The workshop as a room sees it: `kit workshop` serves Voilà, headless Chromium drives it.

The server is started the way a consultant does (`kit workshop`), on 127.0.0.1 and a free
port, and is always stopped with Ctrl-C (SIGINT) at the end, even when the test fails; the
screenshots go to reports/screenshots/ to be looked at.
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
from kit.config import REPORTS_DIR
from kit.context import open_engagement
from kit.ledger import Ledger
from kit.narrative import signed
from kit.serve import free_port
from kit.workshop import what_if

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = REPORTS_DIR / "screenshots"


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


def test_workshop_in_a_real_browser(workshop, sample_copy):
    from playwright.sync_api import sync_playwright

    url, proc = workshop
    ctx = open_engagement(sample_copy / "engagement.yaml")
    cube = Ledger.from_context(ctx)
    SHOTS.mkdir(parents=True, exist_ok=True)
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
            page.screenshot(path=str(SHOTS / "workshop-explorer.png"))

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
            page.screenshot(path=str(SHOTS / "workshop-what-if.png"))

            # the room votes: five clicks, one undo
            page.get_by_role("tab", name="Live poll").click()
            for s in (10, 9, 3, 7, 9, 0):
                page.locator(f".kit-vote-{s}").click()
            page.get_by_role("button", name="Undo last vote").click()
            assert _wait_text(page, "poll", "+40") == "+40"
            page.screenshot(path=str(SHOTS / "workshop-poll.png"))

            page.get_by_role("tab", name="Stakeholder grid").click()
            page.wait_for_selector(".kit-grid .kit-board")
            page.screenshot(path=str(SHOTS / "workshop-grid.png"))
        finally:
            browser.close()
    assert outside == []  # nothing was fetched from any other host
    assert all((SHOTS / f"workshop-{n}.png").stat().st_size > 20_000 for n in ("explorer", "poll"))


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
