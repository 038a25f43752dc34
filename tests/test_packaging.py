"""The kit as a consultant installs and uses it: JupyterLab that saves no client data, a wheel
that builds packs, notebooks papermill runs from anywhere, the command's help, the progress it
prints, and packs that come out the same twice."""

from __future__ import annotations

import io
import json
import os
import re
import runpy
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from importlib.metadata import version
from pathlib import Path

import commands
import nbformat
import pytest

from kit.config import NOTEBOOKS_DIR, ROOT, SAMPLE_CONFIG
from kit.report import ScopeResult, lock_record, progress_bar
from kit.serve import free_port

BIN = Path(sys.executable).parent
JUPYTER_CONFIG = ROOT / "jupyter" / "jupyter_server_config.py"
#: What the sample's consultant-only follow-up list shows: e-mail addresses of the roster.
ROSTER_DOMAIN = ".example"


def _run(cmd: list[str], *, cwd: Path = ROOT, timeout: float = 600, env=None):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


# ---------------------------------------------------------------- client data never reaches git


def _executed_follow_up(tmp: Path) -> nbformat.NotebookNode:
    """Notebook 03 run on the sample in the consultant's view, as a JupyterLab user runs it."""
    import papermill

    out = tmp / "executed.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / "03_follow_up_planning.ipynb"),
        str(out),
        cwd=str(NOTEBOOKS_DIR),
        kernel_name="python3",
        progress_bar=False,
    )
    return nbformat.read(out, as_version=4)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Overriding existing pre_save_hook")  # set once per class
def test_a_notebook_run_on_client_data_is_saved_without_its_outputs(tmp_path):
    executed = _executed_follow_up(tmp_path)
    shown = json.dumps([c.get("outputs", []) for c in executed.cells])
    assert ROSTER_DOMAIN in shown, "the run shows the named list (e-mail addresses)"
    assert "papermill" in executed.metadata

    # Saved as JupyterLab saves it, through the contents manager the kit's config sets up,
    # into a copy of the repository's layout.
    from jupyter_server.services.contents.filemanager import FileContentsManager
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(JUPYTER_CONFIG.name, path=str(JUPYTER_CONFIG.parent)).load_config()
    (tmp_path / "repo" / "notebooks").mkdir(parents=True)
    manager = FileContentsManager(config=config, root_dir=str(tmp_path / "repo"))
    hook = runpy.run_path(str(JUPYTER_CONFIG))["strip_outputs"]  # the file's own function
    assert manager.pre_save_hook.__code__.co_filename == hook.__code__.co_filename
    model = {"type": "notebook", "format": "json", "content": json.loads(nbformat.writes(executed))}
    manager.save(model, "notebooks/03_follow_up_planning.ipynb")

    saved_text = (tmp_path / "repo" / "notebooks" / "03_follow_up_planning.ipynb").read_text()
    saved = nbformat.reads(saved_text, as_version=4)
    code = [c for c in saved.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert ROSTER_DOMAIN not in saved_text and "papermill" not in saved.metadata
    assert [c.source for c in saved.cells] == [c.source for c in executed.cells], "code kept"
    # Byte for byte the notebook as git stores it: `git status` stays clean after a run.
    assert saved_text == (NOTEBOOKS_DIR / "03_follow_up_planning.ipynb").read_text()


def test_the_hook_leaves_other_files_alone():
    hook = runpy.run_path(str(JUPYTER_CONFIG))["strip_outputs"]
    text = {"type": "file", "format": "text", "content": "name,email\nAda,ada@x.example\n"}
    before = json.dumps(text)
    hook(text, path="notes.csv")
    assert json.dumps(text) == before


@pytest.mark.parametrize(
    "path",
    [
        "clients/acme/responses.csv",
        "clients/acme/engagement.yaml",
        "clients/acme/mapping.yaml",
        "regulatory-plan.xlsx",
        "ranges.csv",
        "validation-problems.csv",
        "data/sample/validation-problems.csv",
        "data/sample/followups.v2.csv",
        "data/sample/stakeholders.v2.changes.csv",
        "data/sample/polls/poll-regulatory-20260312-1015.csv",
        "qualtrics_export.responses.import-problems.csv",
        "reports/acme/2026-h1/organisation/pack.pdf",
        "kit/_bundled/data/sample/responses.csv",
    ],
)
def test_client_data_and_working_files_are_ignored_by_git(path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git clone")
    proc = _run(["git", "check-ignore", "--no-index", "-q", path])
    assert proc.returncode == 0, f"{path} would be committed"


def test_the_stage_notebooks_and_sample_are_not_ignored():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git clone")
    for path in ("notebooks/03_follow_up_planning.ipynb", "data/sample/responses.csv"):
        assert _run(["git", "check-ignore", "--no-index", "-q", path]).returncode == 1, path


def test_git_strips_outputs_as_notebooks_are_committed():
    attributes = (ROOT / ".gitattributes").read_text()
    assert "*.ipynb filter=nbstripout" in attributes
    makefile = (ROOT / "Makefile").read_text()
    assert "nbstripout --install --attributes .gitattributes" in makefile
    assert "git rev-parse --is-inside-work-tree" in makefile, "make setup works outside git"
    clean = re.search(r"filter\.nbstripout\.clean '(.+)'", makefile).group(1)
    assert clean.endswith("-m nbstripout --keep-id")


@pytest.mark.parametrize("path", sorted(NOTEBOOKS_DIR.glob("0*.ipynb")), ids=lambda p: p.name)
def test_the_git_filter_leaves_a_stored_notebook_as_it_is(path):
    """The filter as `make setup` sets it: a clean clone's notebooks are not 'modified'."""
    text = path.read_text(encoding="utf-8")
    cmd = [sys.executable, "-m", "nbstripout", "--keep-id"]
    proc = subprocess.run(cmd, input=text, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == text

    with_output = nbformat.reads(text, as_version=4)
    code = next(c for c in with_output.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", text="ada@x.example\n")]
    code.execution_count = 7
    stripped = subprocess.run(
        cmd, input=nbformat.writes(with_output), capture_output=True, text=True, timeout=60
    ).stdout
    assert ROSTER_DOMAIN not in stripped and '"execution_count": 7' not in stripped


# ---------------------------------------------------------------- make lab


def _lab_layout(tmp: Path) -> Path:
    """A copy of the repository's layout for `make lab` (this venv, marked installed)."""
    repo = tmp / "repo"
    (repo / "notebooks").mkdir(parents=True)
    shutil.copy(ROOT / "Makefile", repo)
    shutil.copytree(ROOT / "jupyter", repo / "jupyter")
    shutil.copy(NOTEBOOKS_DIR / "03_follow_up_planning.ipynb", repo / "notebooks")
    (repo / ".venv").symlink_to(BIN.parent)
    return repo


def _get(url: str, token: str, *, data: bytes | None = None, method: str = "GET") -> bytes:
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Authorization": f"token {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.read()


def test_make_lab_passes_allow_root_only_as_root():
    dry = _run(["make", "-n", "-o", ".venv/.installed", "lab", "PORT=8999", "ARGS=--no-browser"])
    assert dry.returncode == 0, dry.stderr
    assert "--port 8999" in dry.stdout and "--no-browser" in dry.stdout
    assert ("--allow-root" in dry.stdout) == (os.geteuid() == 0)
    assert "--config" in dry.stdout and "jupyter_server_config.py" in dry.stdout
    if os.geteuid() == 0 and shutil.which("runuser"):  # and as a user, the same command without
        as_user = _run(["runuser", "-u", "nobody", "--", "make", "-n", "-o", ".venv/.installed",
                        "lab", "PORT=8999"])  # fmt: skip
        assert as_user.returncode == 0, as_user.stderr
        assert "--port 8999" in as_user.stdout and "--allow-root" not in as_user.stdout


@pytest.mark.slow
def test_make_lab_starts_saves_without_outputs_and_fetches_nothing(tmp_path):
    repo, port, token = _lab_layout(tmp_path), free_port(8899), "kit-test-token"
    env = {**os.environ, "JUPYTER_TOKEN": token, "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}
    cmd = ["make", "-o", ".venv/.installed", "lab", f"PORT={port}", "ARGS=--no-browser"]
    log = open(tmp_path / "lab.log", "w")  # noqa: SIM115 - closed below
    lab = subprocess.Popen(
        cmd, cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status = json.loads(_get(f"{base}/api/status", token))
                break
            except OSError:
                assert lab.poll() is None, (tmp_path / "lab.log").read_text()
                assert time.monotonic() < deadline, (tmp_path / "lab.log").read_text()
                time.sleep(0.5)
        assert "started" in status
        page = _get(f"{base}/lab", token).decode()
        assert '"news": {"disabled": true}' in page
        assert '"can_install": false' in page
        # A notebook with an output, saved through the running server (as autosave does).
        nb = nbformat.read(NOTEBOOKS_DIR / "03_follow_up_planning.ipynb", as_version=4)
        nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="ada@x.example\n")]
        nb.cells[2].execution_count = 3
        body = json.dumps({"type": "notebook", "content": nb}).encode()
        _get(f"{base}/api/contents/03_follow_up_planning.ipynb", token, data=body, method="PUT")
        saved = (repo / "notebooks" / "03_follow_up_planning.ipynb").read_text()
        assert saved == (NOTEBOOKS_DIR / "03_follow_up_planning.ipynb").read_text()
    finally:
        os.killpg(lab.pid, signal.SIGTERM)  # make, jupyter and its children: started here
        try:
            lab.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
            lab.wait()
        log.close()
    text = (tmp_path / "lab.log").read_text()
    assert "Extension Manager is 'readonly'" in text and "Failed to get" not in text


# ---------------------------------------------------------------- papermill from anywhere


@pytest.mark.slow
@pytest.mark.parametrize("where", ["repository root", "another folder"])
def test_papermill_runs_a_stage_notebook_with_its_default_config(tmp_path, where):
    cwd = ROOT if where == "repository root" else tmp_path
    notebook = NOTEBOOKS_DIR / "02_internal_nps.ipynb"
    notebook = notebook.relative_to(ROOT) if cwd == ROOT else notebook
    out = tmp_path / "out.ipynb"
    cmd = [str(BIN / "papermill"), str(notebook), str(out), "-p", "scope", "Regulatory"]
    proc = _run([*cmd, "--no-progress-bar"], cwd=cwd)
    assert proc.returncode == 0, proc.stderr[-3000:]
    executed = nbformat.read(out, as_version=4)
    assert executed.metadata.papermill.parameters == {"scope": "Regulatory"}
    shown = json.dumps([c.get("outputs", []) for c in executed.cells])
    assert "Regulatory" in shown and "Traceback" not in shown


# ---------------------------------------------------------------- the command


def test_version_comes_from_the_package_metadata():
    proc = _run([str(BIN / "kit"), "--version"])
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"kit {version('kit')}"


def test_help_describes_the_kit_with_an_example_per_command():
    from kit.cli import EXAMPLES

    proc = _run([str(BIN / "kit"), "--help"])
    assert proc.returncode == 0
    text = proc.stdout
    assert "Turns a client's internal survey" in text and "argument parsing" not in text
    for command, examples in EXAMPLES.items():
        assert examples[0][0] in text, command
        assert f"    {command} " in text, f"{command} listed"
    report = _run([str(BIN / "kit"), "report", "--help"]).stdout
    for cmd, _ in EXAMPLES["report"]:
        assert cmd in report
    assert "(default: 600)" in report and "(default: 60)" in report
    plan = _run([str(BIN / "kit"), "plan", "export", "--help"]).stdout
    assert "(default: the sample client)" in plan and "/data/sample" not in plan


def test_progress_is_a_line_per_pack_off_a_terminal():
    stream = io.StringIO()
    bar = progress_bar(2, stream=stream)
    bar.done(ScopeResult("Regulatory", seconds=6.42))
    bar.done(ScopeResult("Sales", status="failed", seconds=1.0))
    bar.close()
    assert stream.getvalue().splitlines() == [
        "Report packs: 1/2 Regulatory: ok (6.4 s)",
        "Report packs: 2/2 Sales: failed (1.0 s)",
    ]
    assert "\r" not in stream.getvalue()
    quiet = io.StringIO()
    progress_bar(1, show=False, stream=quiet).done(ScopeResult("Regulatory"))
    assert quiet.getvalue() == ""


def test_progress_is_a_bar_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    bar = progress_bar(2, stream=stream)
    bar.done(ScopeResult("Regulatory"))
    bar.close()
    assert "\r" in stream.getvalue() and "1/2" in stream.getvalue()


# ---------------------------------------------------------------- same inputs, same pack


@pytest.mark.slow
@pytest.mark.browser
def test_the_same_inputs_give_the_same_pack_byte_for_byte(tmp_path):
    """Two builds the same day, without SOURCE_DATE_EPOCH: the same HTML and PDF."""
    if not commands.has_browser():
        pytest.fail("a Chromium-family browser is needed: run `make browser`")
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    packs, manifests = [], []
    for run in ("first", "second"):
        cmd = [str(BIN / "kit"), "report", "--scope", "Regulatory", "--out", str(tmp_path / run)]
        proc = _run(cmd, env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        # Not a terminal: a plain line per pack, no bar frames in the log.
        assert "Report packs: 1/1 Regulatory: ok" in proc.stderr and "\r" not in proc.stderr
        folder = tmp_path / run / "helix-biopharma" / "2026-h1" / "regulatory"
        packs.append({n: (folder / n).read_bytes() for n in ("pack.html", "pack.pdf")})
        manifests.append(json.loads((folder / "manifest.json").read_text()))
    if manifests[0]["generated_on"] != manifests[1]["generated_on"]:
        pytest.skip("the two builds straddled midnight")
    for name in ("pack.html", "pack.pdf"):
        first, second = packs[0][name], packs[1][name]
        at = next((i for i, (x, y) in enumerate(zip(first, second, strict=False)) if x != y), None)
        where = f" from byte {at}: {first[at - 80 : at + 80]!r}" if at is not None else ""
        assert first == second, f"{name} differs between the two builds{where}"
    assert b"<dc:date>" not in packs[0]["pack.html"]
    assert manifests[0]["lock"] == lock_record() and manifests[0]["lock"]["used"] is True


# ---------------------------------------------------------------- a wheel, installed


@pytest.mark.slow
def test_a_wheel_installed_in_a_fresh_venv_builds_a_pack_and_serves_the_workshop(tmp_path):
    """`pip install` of the wheel, in a venv of its own (the locked versions, from PyPI or
    pip's cache), outside the clone: the notebooks and the sample come with it."""
    built = _run([str(BIN / "pip"), "wheel", ".", "--no-deps", "-q", "-w", str(tmp_path / "w")])
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((tmp_path / "w").glob("kit-*.whl"))
    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)]).returncode == 0
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    deps = _run([*pip, "-r", str(ROOT / "requirements.lock")], timeout=1200)
    assert deps.returncode == 0, deps.stderr[-2000:]
    assert _run([*pip, "--no-deps", str(wheel)]).returncode == 0
    home = tmp_path / "elsewhere"
    home.mkdir()
    kit = str(venv / "bin" / "kit")
    python = str(venv / "bin" / "python")
    where = _run([python, "-c", "import kit.config as c; print(c.ROOT)"], cwd=home)
    assert "site-packages/kit/_bundled" in where.stdout, where.stdout + where.stderr
    cmd = [kit, "report", "--scope", "Regulatory", "--format", "html", "--out", "packs"]
    proc = _run(cmd, cwd=home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    folder = home / "packs" / "helix-biopharma" / "2026-h1" / "regulatory"
    assert "Regulatory" in (folder / "pack.html").read_text()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["lock"]["used"] is True, manifest["lock"]
    assert manifest["lock"]["sha256"] == lock_record()["sha256"]

    port = free_port(8877)
    log = open(tmp_path / "workshop.log", "w")  # noqa: SIM115 - closed below
    workshop = subprocess.Popen(
        [kit, "workshop", "--port", str(port)],
        cwd=home,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline, page = time.monotonic() + 120, b""
        while not page:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as r:
                    page = r.read()
            except OSError:
                assert workshop.poll() is None, (tmp_path / "workshop.log").read_text()
                assert time.monotonic() < deadline, (tmp_path / "workshop.log").read_text()
                time.sleep(1)
        assert b"voila" in page.lower()
    finally:
        workshop.send_signal(signal.SIGINT)  # the kit's own Ctrl-C: Voilà and its kernel stop
        try:
            workshop.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(workshop.pid, signal.SIGKILL)
            workshop.wait()
        log.close()


def test_the_sample_config_is_the_notebooks_default():
    from kit.config import NOTEBOOK_CONFIG, load_engagement

    assert load_engagement(NOTEBOOK_CONFIG).path == SAMPLE_CONFIG.resolve()
