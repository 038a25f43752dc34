"""One kernel per scope, one client for its notebooks (kit.kernel)."""

from __future__ import annotations

import os
import time

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from kit import kernel
from kit.report import _literal

pytestmark = pytest.mark.slow


def _notebook(path, *sources):
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    spec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["kernelspec"] = spec
    nbformat.write(nb, path)
    return path


def test_the_notebooks_of_a_scope_share_one_kernel_and_one_client(tmp_path):
    import papermill

    sockets = tmp_path / "s"
    sockets.mkdir()
    km = kernel.start(str(tmp_path), sockets, timeout_s=60)
    assert km is not None
    pid = km.provisioner.process.pid
    try:
        client = km.client()
        assert km.client() is client
        t0 = time.perf_counter()
        client.start_channels()  # again: harmless
        from jupyter_core.utils import run_sync

        run_sync(client.wait_for_ready)(timeout=10)
        assert time.perf_counter() - t0 < 0.15, "checked once, not again for every notebook"
        first = _notebook(tmp_path / "a.ipynb", "x = 41", "print('first', x)")
        second = _notebook(tmp_path / "b.ipynb", "x += 1", "print('second', x)", "x")
        outs = []
        for nb in (first, second):
            done = papermill.execute_notebook(
                _literal(nb), _literal(tmp_path / f"out-{nb.name}"), km=km,
                kernel_name="python3", progress_bar=False, cwd=str(tmp_path),
            )  # fmt: skip
            outs.append([o for c in done.cells for o in c.outputs])
        assert outs[0][0]["text"] == "first 41\n"
        assert outs[1][0]["text"] == "second 42\n", "the second notebook ran in the same kernel"
        assert outs[1][1]["data"]["text/plain"] == "42", "every output of every notebook kept"
    finally:
        kernel.stop(km)
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_kernel_that_does_not_answer_is_stopped(tmp_path, monkeypatch):
    sockets = tmp_path / "s"
    sockets.mkdir()
    pids = []
    real = kernel.ScopeKernelManager.start_kernel

    async def start_then_freeze(self, **kw):
        await real(self, **kw)
        pids.append(self.provisioner.process.pid)
        os.kill(pids[-1], 19)  # SIGSTOP: alive, silent

    monkeypatch.setattr(kernel.ScopeKernelManager, "start_kernel", start_then_freeze)
    assert kernel.start(str(tmp_path), sockets, timeout_s=3) is None
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.kill(pids[0], 0)


def _first_output(km, code: str) -> str:
    from jupyter_core.utils import run_sync

    said = []
    hook = lambda m: said.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else 0  # noqa: E731
    run_sync(km.client().execute_interactive)(code, timeout=30, output_hook=hook)
    return "".join(said).strip()


_PROBE = (
    "import os, sys; print(sorted({'pandas', 'seaborn', 'kit.findings.internal_nps'} & "
    "set(sys.modules)), os.getcwd(), sys.path, os.getpgid(0) == os.getpid(), "
    "os.environ['MPLBACKEND'])"
)


def test_a_kernel_is_forked_from_the_template_with_the_imports_done(tmp_path):
    """Each kernel is a process of its own (its own session, folder, import path and
    matplotlib backend, as ``python -m ipykernel_launcher`` would have them), started with
    pandas, seaborn and the kit imported; the second one starts in well under a second."""
    pids, seconds = [], []
    for i in range(2):
        sockets = tmp_path / f"s{i}"
        sockets.mkdir()
        t0 = time.perf_counter()
        km = kernel.start(str(tmp_path), sockets, 60, stderr=str(tmp_path / "log"))
        seconds.append(time.perf_counter() - t0)
        try:
            assert type(km.provisioner.process).__name__ == "_Forked"
            said = _first_output(km, _PROBE)
            pids.append(km.provisioner.pid)
        finally:
            kernel.stop(km)
        assert said == f"['kit.findings.internal_nps', 'pandas', 'seaborn'] {_bare(tmp_path)}"
    assert pids[0] != pids[1], "one kernel per scope"
    assert seconds[1] < 1.5, f"a forked kernel took {seconds[1]:.2f} s to answer"
    time.sleep(0.2)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def _bare(folder) -> str:
    """What the probe says in a kernel started as the kernelspec says, past its module list."""
    sockets = folder / "bare"
    sockets.mkdir(exist_ok=True)
    km = kernel.start(str(folder), sockets, 60, fork=False)
    try:
        assert type(km.provisioner.process).__name__ == "Popen"
        said = _first_output(km, _PROBE)
    finally:
        kernel.stop(km)
    assert said.startswith(f"[] {folder} ['") and said.endswith(
        " True module://matplotlib_inline.backend_inline"
    )
    return said.removeprefix("[] ")


def test_only_this_pythons_ipykernel_is_forked():
    import sys

    python = sys.executable
    assert kernel.forkable([python, "-m", "ipykernel_launcher", "-f", "/r/k.json"]) == "/r/k.json"
    assert kernel.forkable([python, "-Xfrozen_modules=off", "-m", "ipykernel_launcher"] + [
        "-f", "/r/k.json"
    ]) == "/r/k.json"  # fmt: skip
    assert kernel.forkable(["/usr/bin/python3.9", "-m", "ipykernel_launcher", "-f", "k"]) is None
    assert kernel.forkable([python, "/tmp/slow_kernel.py", "-f", "k.json"]) is None
    assert kernel.forkable([python, "-m", "ipykernel_launcher", "-f", "k", "--debug"]) is None
