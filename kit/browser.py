"""Find a headless Chromium-family browser and print HTML pages to PDF with it.

The PDF is the report's own HTML printed by the browser (A4, page numbers in the footer), so the
two formats look the same. One browser process, and one page in it, serves every print of a
batch. Nothing is fetched from the network: pages are local files, and the browser runs with its
background networking switched off.

Discovery order: ``KIT_BROWSER`` (a path), then chromium, chromium-browser, google-chrome and
Microsoft Edge on ``PATH`` and the usual install locations.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date
from pathlib import Path

from kit.errors import KitError

__all__ = ["BrowserNotFound", "find_browser", "browser_help", "Printer"]

_NAMES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "microsoft-edge",
    "microsoft-edge-stable",
    "msedge",
)
_PATHS = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/snap/bin/chromium",
    "/usr/bin/google-chrome",
    "/opt/google/chrome/chrome",
    "/opt/microsoft/msedge/msedge",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
)
ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
]

FOOTER = (
    '<div style="font-family: Helvetica, Arial, sans-serif; font-size: 7.5pt; color: #666;'
    ' width: 100%; padding: 0 14mm; display: flex; justify-content: space-between;">'
    '<span>{left}</span><span><span class="pageNumber"></span> / '
    '<span class="totalPages"></span></span></div>'
)


class BrowserNotFound(KitError):
    """No Chromium-family browser was found; the message says how to get one."""


def browser_help() -> str:
    return (
        "No Chromium-family browser found for the PDF. The HTML packs are still written. "
        "Install one (Debian/Ubuntu: `sudo apt-get install chromium`; macOS/Windows: Google "
        "Chrome or Microsoft Edge) or set KIT_BROWSER to the browser's executable path."
    )


def find_browser() -> Path:
    """The browser executable to print with.

    Raises
    ------
    BrowserNotFound
        When ``KIT_BROWSER`` points nowhere or nothing is installed.
    """
    env = os.environ.get("KIT_BROWSER")
    if env:
        path = Path(env)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise BrowserNotFound(f"KIT_BROWSER={env!r} is not an executable file. " + browser_help())
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    for candidate in _PATHS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise BrowserNotFound(browser_help())


def _launch_args() -> list[str]:
    args = list(ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run as root otherwise
    return args


class Printer:
    """One headless browser, many prints. Use as a context manager.

    >>> with Printer() as printer:                      # doctest: +SKIP
    ...     printer.pdf("pack.html", "pack.pdf", footer="Helix Biopharma")
    """

    def __init__(self, executable: Path | None = None, *, timeout_s: float = 120):
        self.executable = executable or find_browser()
        self.timeout_ms = timeout_s * 1000
        self._pw = self._browser = self._page = None
        self._profile = None
        self._driver: set[int] = set()

    def __enter__(self) -> Printer:
        from playwright.sync_api import sync_playwright

        self._profile = tempfile.mkdtemp(prefix="kit-browser-")
        before = set(_children())
        self._pw = sync_playwright().start()
        self._driver = set(_children()) - before
        try:
            with self._deadline():
                self._browser = self._pw.chromium.launch(
                    executable_path=str(self.executable),
                    args=_launch_args(),
                    headless=True,
                    timeout=self.timeout_ms,
                )
        except Exception:
            self.__exit__(None, None, None)
            raise
        return self

    @contextmanager
    def _deadline(self) -> Iterator[None]:
        """A browser that crashed can leave a call waiting for ever: past the timeout (and a
        margin), the browser's driver is stopped, so the call fails instead of hanging."""
        timer = threading.Timer(self.timeout_ms / 1000 * 1.5 + 5, self._kill_driver)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def _kill_driver(self) -> None:
        for pid in self._driver:
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    @property
    def version(self) -> str:
        return self._browser.version if self._browser else ""

    def pdf(
        self, html: Path | str, pdf: Path | str, *, footer: str = "", dated: date | None = None
    ) -> Path:
        """Print one local HTML file to ``pdf`` (A4, page numbers). Returns the PDF path.

        ``dated``: the creation date written in the PDF (midnight UTC), instead of the moment of
        printing, so that the same pack printed twice is the same file.
        """

        with self._deadline():
            return self._print(html, pdf, footer=footer, dated=dated)

    def _print(self, html, pdf, *, footer: str, dated: date | None) -> Path:
        import html as html_lib

        page = self._open_page()
        try:
            page.goto(Path(html).resolve().as_uri(), wait_until="load", timeout=self.timeout_ms)
            page.pdf(
                path=str(pdf),
                format="A4",
                print_background=True,
                prefer_css_page_size=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER.format(left=html_lib.escape(footer)),
                margin={"top": "16mm", "bottom": "18mm", "left": "0mm", "right": "0mm"},
            )
        except Exception:
            self._page = None  # the next print starts from a new page
            with suppress(Exception):
                page.close()
            raise
        if dated is not None:
            _set_pdf_dates(Path(pdf), dated)
        return Path(pdf)

    def _open_page(self):
        """The page every print uses. One page for the batch: a new page per print costs a
        renderer process, about three times the CPU of the print itself."""
        if self._page is None:
            page = self._browser.new_page()
            # Block anything that is not a local file: a report must never reach the network.
            page.route("**/*", _local_only)
            self._page = page
        return self._page

    def __exit__(self, *exc) -> None:
        try:
            if self._browser is not None:
                with self._deadline(), suppress(Exception):  # it may have crashed already
                    self._browser.close()
        finally:
            if self._pw is not None:
                with self._deadline():
                    self._pw.stop()
            if self._profile:
                shutil.rmtree(self._profile, ignore_errors=True)
            self._browser = self._pw = self._page = None


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}[^)]*\)")


def _set_pdf_dates(path: Path, day: date) -> None:
    """Write ``day`` as the PDF's creation and modification dates, in place and at the same
    length (so the cross-reference offsets stay right)."""
    data = path.read_bytes()
    stamp = f"D:{day:%Y%m%d}000000+00'00'".encode()

    def fixed(m: re.Match) -> bytes:
        new = b"/" + m.group(1) + b" (" + stamp + b")"
        return new if len(new) == len(m.group(0)) else m.group(0)

    path.write_bytes(_PDF_DATE.sub(fixed, data))


def _children() -> list[int]:
    """This process's children (Linux; elsewhere none are known and no driver is stopped)."""
    pid = os.getpid()
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


def _local_only(route) -> None:
    if route.request.url.startswith(("file:", "data:", "about:")):
        route.continue_()
    else:
        route.abort()
