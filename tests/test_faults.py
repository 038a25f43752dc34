"""The batch under faults, each made to happen: a cell raising, the kernel killed, a cell past
its timeout, a kernel slow to start, the browser missing or crashing, the output folder
read-only or full, two runs on one folder, the batch stopped midway.

In every case: the other scopes finish, the summary says what happened, the exit code is not
zero, no partial pack stands where a finished one belongs, a failed notebook is quarantined
(never shipped), and a rerun after the fault completes. The stage notebooks are replaced by
small ones with the same parameters, so that each run takes seconds: the runner is the same.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import commands
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell

from kit.browser import BrowserNotFound, find_browser
from kit.config import NOTEBOOKS_DIR
from kit.report import STAGES

pytestmark = pytest.mark.slow
GOOD, BAD = "Finance", "IT"


def small_notebooks(folder: Path, fault: str = "", pause: float = 0) -> Path:
    """The stage notebooks cut to their parameters and one line of output; ``fault`` is code
    run in the first one when the scope is IT; every scope's first one waits ``pause`` s."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, (name, title) in enumerate(STAGES):
        nb = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
        params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        cells = [params, new_markdown_cell(f"## {title}"), new_code_cell('print("done", scope)')]
        if pause and i == 0:
            cells.append(new_code_cell(f"import time\ntime.sleep({pause})"))
        if fault and i == 0:
            cells.insert(
                1, new_code_cell(f"if scope == {BAD!r}:\n" + textwrap.indent(fault, "    "))
            )
        nb.cells = cells
        nbformat.write(nb, folder / name)
    return folder


def kit_report(out: Path, notebooks: Path, *args, env=None, preexec=None, timeout=300):
    return subprocess.run(
        report_command(out, notebooks, *args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        preexec_fn=preexec,
    )


def report_command(out: Path, notebooks: Path, *args) -> list[str]:
    scopes = ("--scope", BAD, "--scope", GOOD)
    return commands.kit_report(out, *scopes, "--notebooks", str(notebooks), "--jobs", "2", *args)


def packs(out: Path) -> Path:
    return out / "helix-biopharma" / "2026-h1"


def assert_isolated(proc, out: Path, pattern: str, *, quarantined: bool = True) -> None:
    """The common promises after a scope's fault."""
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert re.search(rf"{BAD}\s+failed\s.*{pattern}", proc.stdout), proc.stdout
    assert re.search(rf"{GOOD}\s+ok\s", proc.stdout), proc.stdout
    root = packs(out)
    assert (root / "finance" / "pack.html").is_file()
    assert not (root / "it").exists(), "no partial pack where a finished one belongs"
    assert not list(root.glob(".tmp-*")) and not list(root.glob(".old-*"))
    if quarantined:
        assert (root / "_failed" / "it" / STAGES[0][0]).is_file()


def rerun_completes(out: Path, tmp_path: Path, *args, env=None) -> None:
    proc = kit_report(out, small_notebooks(tmp_path / "fixed"), *args, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (packs(out) / "it" / "pack.html").is_file()


def test_a_cell_raising(tmp_path):
    notebooks = small_notebooks(tmp_path / "nb", 'raise ValueError("row 17: Jane Doe, 3")')
    out = tmp_path / "reports"
    proc = kit_report(out, notebooks, "--format", "html")
    assert_isolated(proc, out, r"cell \d+: ValueError")
    # the traceback (which can hold data rows) is only in the quarantined notebook
    assert "Jane Doe" not in (packs(out) / "finance" / "pack.html").read_text()
    rerun_completes(out, tmp_path, "--format", "html")


def test_the_kernel_killed_mid_run(tmp_path):
    fault = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
    out = tmp_path / "reports"
    proc = kit_report(out, small_notebooks(tmp_path / "nb", fault), "--format", "html")
    assert_isolated(proc, out, r"DeadKernelError")
    rerun_completes(out, tmp_path, "--format", "html")


def test_a_cell_past_its_timeout(tmp_path):
    out = tmp_path / "reports"
    notebooks = small_notebooks(tmp_path / "nb", "import time\ntime.sleep(300)")
    t0 = time.monotonic()
    proc = kit_report(out, notebooks, "--format", "html", "--timeout", "5")
    assert time.monotonic() - t0 < 120
    assert_isolated(proc, out, r"Timeout")
    rerun_completes(out, tmp_path, "--format", "html")


def test_a_kernel_slow_to_start_is_started_again(tmp_path):
    """The first kernel to start takes 60 s (past --start-timeout 8): it is started again."""
    kernels = tmp_path / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True)
    marker = tmp_path / "first-start"
    wrapper = tmp_path / "slow_kernel.py"
    wrapper.write_text(
        textwrap.dedent(f"""
        import os, sys, time
        try:
            os.close(os.open({str(marker)!r}, os.O_CREAT | os.O_EXCL))
            time.sleep(60)
        except FileExistsError:
            pass
        os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *sys.argv[1:]])
        """)
    )
    spec = {"argv": [sys.executable, str(wrapper), "-f", "{connection_file}"], "language": "python"}
    (kernels / "kernel.json").write_text(json.dumps({**spec, "display_name": "slow"}))
    out = tmp_path / "reports"
    env = {"JUPYTER_PATH": str(tmp_path / "jupyter")}
    proc = kit_report(
        out, small_notebooks(tmp_path / "nb"), "--format", "html", "--start-timeout", "8", env=env
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert marker.exists()
    restarts = [
        json.loads((packs(out) / s / "manifest.json").read_text())["kernel_restarts"]
        for s in ("it", "finance")
    ]
    assert sorted(restarts) == [0, 1]


def _browser() -> Path:
    try:
        return find_browser()
    except BrowserNotFound:
        pytest.fail("a Chromium-family browser is needed: run `make browser`")


@pytest.mark.browser
@pytest.mark.parametrize(
    ("browser", "message", "pause"),
    [
        ("/nonexistent/chromium", r"KIT_BROWSER='/nonexistent/chromium' is not an executable", 0),
        ("#!/bin/sh\necho crashed >&2\nexit 1\n", r"The browser could not start", 0),
        ('#!/bin/sh\nexec timeout -s KILL 3 {real} "$@"\n', r"PDF failed", 6),  # before a print
    ],
    ids=["missing", "crashing at start", "crashing mid-batch"],
)
def test_the_browser_missing_or_crashing(tmp_path, browser, message, pause):
    if browser.startswith("#!"):
        script = tmp_path / "chromium"
        script.write_text(browser.format(real=_browser()))
        script.chmod(0o755)
        browser = str(script)
    out = tmp_path / "reports"
    notebooks = small_notebooks(tmp_path / "nb", pause=pause)
    proc = kit_report(out, notebooks, env={"KIT_BROWSER": browser})
    assert proc.returncode == 1
    for scope in ("it", "finance"):
        assert re.search(rf"{scope}\s+html only\s+[\d.]+\s+.*{message}", proc.stdout, re.I | re.S)
        assert (packs(out) / scope / "pack.html").is_file(), "the HTML is still delivered"
        assert not (packs(out) / scope / "pack.pdf").exists()
    rerun_completes(out, tmp_path)
    assert (packs(out) / "it" / "pack.pdf").is_file()


@contextlib.contextmanager
def tmpfs(path: Path, *, size: str, read_only: bool = False):
    """A small file system of its own at ``path`` (root only); yields False where it cannot
    be mounted, so the caller uses another way to make the fault happen."""
    path.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (",ro" if read_only else "")
    mounted = (
        hasattr(os, "geteuid")
        and os.geteuid() == 0
        and subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)]).returncode == 0
    )
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], check=False)


def test_the_output_folder_read_only(tmp_path):
    with tmpfs(tmp_path / "ro", size="1m", read_only=True) as mounted:
        out = tmp_path / "ro" if mounted else Path("/sys/kit-reports")  # /sys refuses writes
        if not mounted and os.access("/sys", os.W_OK) and Path("/sys").stat().st_uid != 0:
            pytest.skip("no read-only place to write to on this machine")
        proc = kit_report(out, small_notebooks(tmp_path / "nb"), "--format", "html")
        assert proc.returncode == 2
        assert "cannot write to the reports folder" in proc.stderr
        assert "--out" in proc.stderr
    rerun_completes(tmp_path / "rw", tmp_path, "--format", "html")


def _limit_file_size(limit: int):
    def preexec():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead

    return preexec


def test_the_disk_filling_up(tmp_path):
    notebooks = small_notebooks(tmp_path / "nb")
    with tmpfs(tmp_path / "disk", size="4m") as mounted:
        out = tmp_path / "disk"
        first = kit_report(out, notebooks, "--format", "html")
        assert first.returncode == 0, first.stdout + first.stderr
        before = (packs(out) / "finance" / "pack.html").read_bytes()
        if mounted:  # fill the disk to the last few kilobytes
            filler = out / "filler"
            fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * 4096)
            os.close(fd)
            os.truncate(filler, filler.stat().st_size - 16 * 1024)
            proc = kit_report(out, notebooks, "--format", "html")
        else:  # no tmpfs here: a file-size limit makes the writes fail the same way
            proc = kit_report(out, notebooks, "--format", "html", preexec=_limit_file_size(8192))
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert re.search(r"(No space left on device|File too large)", proc.stdout), proc.stdout
        root = packs(out)
        assert (root / "finance" / "pack.html").read_bytes() == before, "the old pack stays whole"
        assert not list(root.glob(".tmp-*")) and not list(root.glob(".old-*"))
        if mounted:
            filler.unlink()
            again = kit_report(out, notebooks, "--format", "html")
            assert again.returncode == 0, again.stdout + again.stderr


def test_two_runs_on_one_folder(tmp_path):
    out = tmp_path / "reports"
    slow = small_notebooks(tmp_path / "slow", "import time\ntime.sleep(10)")
    cmd_first = commands.kit_report(
        out, "--scope", BAD, "--notebooks", str(slow), "--format", "html"
    )
    first = subprocess.Popen(cmd_first, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lock = packs(out) / ".kit-report.lock"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and f"pid {first.pid}" not in _read(lock):
            time.sleep(0.2)
        second = kit_report(out, small_notebooks(tmp_path / "nb"), "--format", "html")
        assert second.returncode == 2
        assert f"another `kit report` is writing {packs(out)} (pid {first.pid}" in second.stderr
        assert first.poll() is None, "the first run goes on"
        assert first.wait(120) == 0, first.communicate()
    finally:
        if first.poll() is None:
            first.kill()
    assert (packs(out) / "it" / "pack.html").is_file()
    rerun_completes(out, tmp_path, "--format", "html")  # the lock went with the first run


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


@pytest.mark.browser
def test_a_frozen_browser_fails_the_print_instead_of_hanging(tmp_path, descendants):
    from kit.browser import Printer

    page = tmp_path / "p.html"
    page.write_text("<p>hello</p>")
    printer = Printer(_browser(), timeout_s=2).__enter__()
    frozen = [p for d in printer._driver for p in descendants(d)]
    if not frozen:
        printer.__exit__(None, None, None)
        pytest.skip("the browser's processes cannot be listed here (no /proc)")
    try:
        for pid in frozen:
            os.kill(pid, signal.SIGSTOP)
        t0 = time.monotonic()
        with pytest.raises(Exception):  # noqa: B017 - whatever playwright raises, not a hang
            printer.pdf(page, tmp_path / "p.pdf")
        assert time.monotonic() - t0 < 30
        printer.__exit__(None, None, None)
    finally:
        for pid in frozen:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _session(sid: int) -> list[str]:
    """The live processes of a session (zombies left out: they have ended)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == sid and fields[0] != "Z":
                found.append(stat.parent.name)
    return found


def _busy_batch(tmp_path: Path, out: Path) -> subprocess.Popen:
    """A batch of IT and Finance in its own session, once Finance's pack is done and IT sleeps."""
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to list the batch's processes")
    notebooks = small_notebooks(tmp_path / "nb", fault="import time\ntime.sleep(300)")
    proc = subprocess.Popen(
        report_command(out, notebooks, "--format", "html"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not (packs(out) / "finance" / "pack.html").exists():  # IT is sleeping by then
        if time.monotonic() > deadline or proc.poll() is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"the batch did not reach IT: {proc.communicate()}")
        time.sleep(0.2)
    return proc


@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C"])
def test_a_batch_stopped_midway(tmp_path, how):
    """Stopped while IT is busy (by a scheduler's SIGTERM, or Ctrl-C reaching the whole process
    group): it stops within seconds, says so, exit 130, leaves nothing running and nothing
    half made; finished packs stay; a rerun completes."""
    out = tmp_path / "reports"
    proc = _busy_batch(tmp_path, out)
    try:
        t0 = time.monotonic()
        if how == "SIGTERM":
            proc.send_signal(signal.SIGTERM)
        else:
            os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
        assert time.monotonic() - t0 < 20
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stdout + stderr
    assert "kit report: stopped" in stderr
    assert "Traceback" not in stderr and "exception" not in stderr.lower(), stderr
    time.sleep(0.5)
    assert _session(proc.pid) == [], "no worker, kernel or browser left running"
    root = packs(out)
    assert (root / "finance" / "pack.html").is_file(), "a finished pack stays"
    assert not (root / "it").exists()
    assert not list(root.glob(".tmp-*")) and not list(root.glob(".old-*"))
    rerun_completes(out, tmp_path, "--format", "html")


def test_a_batch_killed_outright_leaves_nothing_running(tmp_path):
    """SIGKILL for the batch's own process (no handler can run): its workers hear of it from
    the system, stop their scopes, and their kernels follow; nothing keeps running or writing,
    and no unfinished pack stays."""
    out = tmp_path / "reports"
    proc = _busy_batch(tmp_path, out)
    try:
        assert len(_session(proc.pid)) >= 3, "the batch, a worker and its kernel"
        proc.kill()
        proc.wait(10)
        deadline = time.monotonic() + 30
        while _session(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _session(proc.pid) == [], "no worker or kernel left running"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    root = packs(out)
    assert (root / "finance" / "pack.html").is_file(), "a finished pack stays"
    assert not (root / "it").exists()
    assert not list(root.glob(".tmp-*")), "the stopped scope removed its unfinished pack"
