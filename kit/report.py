"""Batch runner: execute the stage notebooks per scope and build client-ready report packs.

A *scope* is one provider function, or the whole organisation. For each scope the three stage
notebooks run with papermill, one after the other in one kernel of their own; their outputs
(never their code) are assembled into one self-contained HTML document, which one headless
browser, shared by the batch, prints to PDF::

    reports/<client>/<wave>/<scope>/pack.html, pack.pdf, pack.pptx, notebooks/*.ipynb, manifest.json

``pack.pptx`` (format ``pptx``) is the scope's editable deck, built from the same findings by
:mod:`kit.deck` in the scope's worker, beside the pack, and published with it.

The scopes run on a pool (:mod:`kit.cluster`): this machine's worker processes (``jobs``), or
the workers of a Dask cluster (``cluster``); several engagements can share one pool
(:func:`run_batches`). Each scope's kernel is forked from its worker's template, the imports
done once per worker (:class:`kit.kernel.Template`).

Every pack is built in a temporary folder and moved into place whole. A scope that fails leaves
no pack (an older one stays as it was); its executed notebooks go to
``reports/<client>/<wave>/_failed/<scope>/``, never into a pack. Faults stay with their scope:
a cell raising, a kernel killed, a cell past ``timeout_s``, a full disk; only a kernel that does
not start is tried again. One batch at a time writes a reports folder (a lock). Interrupted
(Ctrl-C, or SIGTERM through ``kit report``), a batch stops its scopes and leaves nothing half
made. The same inputs give the same pack, byte for byte, on the same day (or with
``SOURCE_DATE_EPOCH`` set).

Example
-------
>>> from kit.config import SAMPLE_CONFIG
>>> results = run_batch(SAMPLE_CONFIG, scopes=["Regulatory"], formats=("html",))  # doctest: +SKIP
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import functools
import hashlib
import html
import json
import logging
import multiprocessing
import os
import platform
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import NamedTuple

import jinja2
import nbformat
from markupsafe import Markup

from kit import __version__
from kit.config import (
    NOTEBOOKS_DIR,
    ORGANISATION,
    REPORTS_DIR,
    ROOT,
    Engagement,
    load_engagement,
    slug,
)
from kit.data import SHARED_ENV, Dataset, file_hashes, load, shared_validation
from kit.errors import KitError
from kit.narrative import pack_date

__all__ = [
    "FORMATS",
    "STAGES",
    "ScopeResult",
    "ParameterError",
    "BatchLocked",
    "batch_lock",
    "clean_staging",
    "pack_date",
    "progress_bar",
    "lock_record",
    "scopes_for",
    "withheld_scopes",
    "Batch",
    "DisclosureError",
    "audit_line",
    "disclosure_audit",
    "check_parameters",
    "declared_parameters",
    "for_client",
    "render_notebook",
    "render_pack",
    "run_batch",
    "run_batches",
    "build_remote",
    "LocalPool",
    "summary_table",
]

#: The stage notebooks, in pack order: (file name, title).
STAGES = (
    ("01_stakeholder_mapping.ipynb", "Stakeholder mapping"),
    ("02_internal_nps.ipynb", "Internal NPS"),
    ("03_follow_up_planning.ipynb", "Follow-up planning"),
)
#: What a batch can write per scope: the HTML pack, its PDF, the editable deck.
FORMATS = ("html", "pdf", "pptx")
#: The order the stages are told in a pack (indexes of :data:`STAGES`): the results and
#: their why, then what to do, then who to engage.
PACK_ORDER = (1, 2, 0)
#: Cells with this tag are for the consultant exploring, not for the client pack.
HIDE_TAG = "consultant-only"
TEMPLATES = Path(__file__).parent / "templates"
_VERSIONED = (
    "pandas",
    "numpy",
    "scipy",
    "matplotlib",
    "seaborn",
    "papermill",
    "nbconvert",
    "ipykernel",
    "networkx",
    "playwright",
)


class ParameterError(KitError):
    """Parameters passed to a notebook that it does not declare, or of a non-JSON type."""


class BatchLocked(KitError):
    """Another ``kit report`` is writing the same reports folder."""


@dataclass
class ScopeResult:
    """What happened to one scope in a batch."""

    scope: str
    status: str = "ok"  # ok | failed | html only | no deck | withheld (no pack: anonymity rule)
    seconds: float = 0.0
    folder: str = ""
    html: str = ""
    pdf: str = ""
    pptx: str = ""
    error: str = ""
    failed_notebook: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    kernel_restarts: int = 0  # kernels that did not start and were started again


# ---------------------------------------------------------------- scopes and parameters


def scopes_for(cfg: Engagement, ds: Dataset, requested: list[str] | None = None) -> list[str]:
    """The scopes of a batch: the organisation first, then each provider function.

    Raises ValueError naming any requested scope that is not a function of the data.
    """
    functions = list(ds.functions["function"])
    wanted = requested or (
        [ORGANISATION, *cfg.scopes] if cfg.scopes else [ORGANISATION, *functions]
    )
    unknown = [s for s in wanted if s != ORGANISATION and s not in functions]
    if unknown:
        raise KitError(
            f"Unknown scope(s) {unknown}. A scope is '{ORGANISATION}' or one of the functions in "
            f"functions.csv: {', '.join(functions)}."
        )
    wanted = list(dict.fromkeys(wanted))
    folders: dict[str, list[str]] = {}
    for s in wanted:
        folders.setdefault(slug(s), []).append(s)
    clashes = [names for names in folders.values() if len(names) > 1]
    if clashes:
        raise KitError(
            "These scopes would share a pack folder: "
            + "; ".join(" and ".join(repr(n) for n in names) for names in clashes)
            + ". Rename one of them in functions.csv (and the other tables)."
        )
    return wanted


def _is_json(value) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, list):
        return all(_is_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    return False


def declared_parameters(notebook: Path) -> list[str]:
    """The names a notebook's ``parameters`` cell assigns (what papermill can replace)."""
    import papermill

    return list(papermill.inspect_notebook(_literal(notebook)))


def check_parameters(notebook: Path, parameters: dict) -> None:
    """Refuse parameters a notebook does not declare, or values that are not JSON types.

    papermill only warns about unknown names and will inject any object's ``repr``; a typo or a
    crafted object must stop the batch before anything runs.
    """
    declared = set(declared_parameters(notebook))
    unknown = sorted(set(parameters) - declared)
    problems = [
        f"'{k}' is not a parameter of {notebook.name} (it has: {', '.join(sorted(declared))})"
        for k in unknown
    ]
    problems += [
        f"'{k}' must be a JSON value (text, number, true/false, list), got {type(v).__name__}"
        for k, v in parameters.items()
        if not _is_json(v)
    ]
    if problems:
        raise ParameterError("; ".join(problems))


# ---------------------------------------------------------------- rendering


_H2 = re.compile(r"<h2[^>]*>(.*?)</h2>", re.S)
_HEADING_ANCHOR = re.compile(r'<a class="anchor-link".*?</a>', re.S)


def _markdown(text: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return _HEADING_ANCHOR.sub("", markdown2html_mistune(text))


def _output_html(output: dict) -> str:
    kind = output.get("output_type")
    if kind not in ("display_data", "execute_result"):
        return ""  # streams and errors are working notes, not client content
    data = output.get("data", {})
    if "image/svg+xml" in data:
        svg = data["image/svg+xml"]
        svg = "".join(svg) if isinstance(svg, list) else svg
        return re.sub(r"<\?xml.*?\?>|<!DOCTYPE[^>]*>", "", svg, flags=re.S)
    if "image/png" in data:
        return f'<img alt="chart" src="data:image/png;base64,{data["image/png"].strip()}">'
    if "text/html" in data:
        return data["text/html"]  # produced by kit functions, which escape client strings
    if "text/markdown" in data:
        return _markdown(data["text/markdown"])
    if "text/plain" in data:
        return f"<pre>{html.escape(data['text/plain'])}</pre>"
    return ""


class Rendered(NamedTuple):
    """A notebook as pack HTML: ``body``; ``toc``, its level-2 headings ``(anchor, text)``;
    ``omitted``, the sections left out ``(heading, reason)`` (:func:`kit.narrative.omitted`)."""

    body: str
    toc: list[tuple[str, str]]
    omitted: list[tuple[str, str]]


_OMITTED = re.compile(r'<div class="kit-omitted" data-reason="([^"]*)"')


def render_notebook(nb: nbformat.NotebookNode, *, prefix: str) -> Rendered:
    """The client-facing HTML of an executed notebook: prose and outputs, no code.

    Each markdown cell opens a block (``<section class="kit-block">``) holding the outputs
    that follow it, so that print keeps a heading with its content. A block whose only
    output says it has nothing to show (:func:`kit.narrative.omitted`) is left out, heading
    and all, and listed in ``omitted``. Cells tagged ``consultant-only`` are left out.
    """
    blocks: list[tuple[str, list[str], list[str]]] = []  # (markdown, outputs, reasons)
    for cell in nb.cells:
        if HIDE_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "markdown":
            blocks.append((_markdown(cell.source), [], []))
        elif cell.cell_type == "code":
            if not blocks:
                blocks.append(("", [], []))
            for out in cell.get("outputs", []):
                body = _output_html(out)
                reason = _OMITTED.search(body)
                if reason:
                    blocks[-1][2].append(html.unescape(reason.group(1)))
                elif body:
                    blocks[-1][1].append(f'<div class="output">{body}</div>')
    parts: list[str] = []
    toc: list[tuple[str, str]] = []
    omitted: list[tuple[str, str]] = []

    def anchor(match: re.Match) -> str:
        inner = match.group(1).strip()
        name = f"{prefix}-{len(toc) + 1}"
        toc.append((name, _text(inner)))
        return f'<h2 id="{name}">{inner}</h2>'

    for markdown, outputs, reasons in blocks:
        if reasons and not outputs:
            heading = _H2.search(markdown)
            omitted += [(_text(heading.group(1)) if heading else "", r) for r in reasons if r]
            continue
        body = _H2.sub(anchor, markdown + "".join(outputs))
        parts.append(f'<section class="kit-block">{body}</section>')
    return Rendered("\n".join(parts), toc, omitted)


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _said_once(omitted: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One line per reason, naming every section it left out (in pack order)."""
    headings: dict[str, list[str]] = {}
    for heading, reason in omitted:
        named = headings.setdefault(reason, [])
        if heading and heading not in named:
            named.append(heading)
    return [("; ".join(named), reason) for reason, named in headings.items()]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
    )


def methodology_html(cfg: Engagement, ds: Dataset) -> str:
    """The methodology appendix, computed from the configuration and the data."""
    from kit import narrative

    return narrative.methodology(cfg, ds)


def render_pack(
    cfg: Engagement,
    ds: Dataset,
    scope: str,
    notebooks: list[nbformat.NotebookNode],
    *,
    wave: str,
    on: date | None = None,
) -> str:
    """One self-contained HTML document, told as a storyline: the cover with its one-line
    so-what, the executive summary, contents, then the stages in :data:`PACK_ORDER` (results
    and their why, what to do, who to engage), and the methodology with what was left out."""
    from kit.context import Context
    from kit.findings.summary import executive_summary
    from kit.sections import summary as show

    ctx = Context(cfg, ds, scope, wave, "client")
    found = executive_summary(ctx)
    stages, omitted = [], []
    for i, stage in enumerate(PACK_ORDER, start=1):
        title, done = STAGES[stage][1], render_notebook(notebooks[stage], prefix=f"s{i}")
        stages.append(
            {"anchor": f"stage-{i}", "title": title, "body": Markup(done.body), "toc": done.toc}
        )
        omitted += done.omitted
    omitted = _said_once(omitted)
    template = _environment().get_template("kit_pack.html.j2")
    return template.render(
        kit_version=__version__,
        client=cfg.client,
        title=cfg.title,
        scope_label="Organisation-wide" if scope == ORGANISATION else scope,
        wave=wave,
        date=(on or pack_date()).strftime("%d %B %Y"),
        consultancy=cfg.consultancy,
        confidentiality=cfg.confidentiality,
        primary=cfg.brand_primary,
        accent=cfg.brand_accent,
        css=Markup((TEMPLATES / "pack.css").read_text(encoding="utf-8")),
        stages=stages,
        methodology=Markup(methodology_html(cfg, ds)),
        omitted=omitted,
        so_what=found.so_what,
        summary=Markup(show.executive_summary(found, ctx).data),
    )


# ---------------------------------------------------------------- one scope


@dataclass(frozen=True)
class _Task:
    config: str
    scope: str
    wave: str
    out_root: str
    timeout_s: int
    start_timeout_s: int
    notebooks_dir: str = str(NOTEBOOKS_DIR)
    start_attempts: int = 2
    deck: bool = False  # also write the editable deck, pack.pptx
    env: tuple[tuple[str, str], ...] = ()  # set in the worker while it builds the scope


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@functools.cache
def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version(), "kit": __version__}
    for name in _VERSIONED:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


LOCK_FILE = ROOT / "requirements.lock"


@functools.cache
def lock_record(lock: Path = LOCK_FILE) -> dict:
    """Whether the installed packages are the exact versions of ``requirements.lock``: its
    sha256 and ``"used": true`` when every pin is what is installed; otherwise ``"used":
    false`` and each package that differs (``"name": "installed X, locked Y"``)."""
    from importlib.metadata import PackageNotFoundError, version

    if not lock.is_file():
        return {"file": lock.name, "used": False, "why": "no lock file beside the kit"}
    differs = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        name, sep, pinned = line.split("#")[0].strip().partition("==")
        if not sep:
            continue
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "nothing"
        if installed != pinned:
            differs[name] = f"installed {installed}, locked {pinned}"
    return {"file": lock.name, "sha256": _sha(lock), "used": not differs} | (
        {"differs": differs} if differs else {}
    )


def _parameters(task: _Task) -> dict:
    return {"config": task.config, "scope": task.scope, "wave": task.wave, "audience": "client"}


def _literal(path: Path) -> str:
    """A path papermill will not treat as a format string (it runs ``path.format(**params)``)."""
    return str(path).replace("{", "{{").replace("}", "}}")


@contextlib.contextmanager
def _kernel(task: _Task, result: ScopeResult, log: Path):
    """The kernel a scope's notebooks run in, one after the other (:mod:`kit.kernel`): started
    once per scope (the imports are paid once, not three times; forked from the worker's
    template, :class:`kit.kernel.Template`, they are paid once per worker), started again if it
    does not answer within ``start_timeout_s``, shut down when the scope is done, whatever
    happened. What the kernel prints goes to ``log``."""
    from kit import kernel

    sockets = Path(tempfile.mkdtemp(prefix="kit-kernel-"))  # short: socket paths are limited
    km = None
    try:
        for attempt in range(1, task.start_attempts + 1):
            km = kernel.start(task.notebooks_dir, sockets, task.start_timeout_s, stderr=str(log))
            if km is not None:
                break
            if attempt == task.start_attempts:
                raise RuntimeError(
                    f"the kernel did not start within {task.start_timeout_s} s "
                    f"({task.start_attempts} tries); a slow machine may need --start-timeout"
                )
            result.kernel_restarts += 1
        yield km
    finally:
        if km is not None:
            kernel.stop(km)
        shutil.rmtree(sockets, ignore_errors=True)


def for_client(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of a notebook without its consultant-only cells: a client pack never runs them
    (named lists, uncoded comments and segment filters are not even computed)."""
    out = nbformat.from_dict(nb)
    out.cells = [c for c in out.cells if HIDE_TAG not in c.get("metadata", {}).get("tags", [])]
    return out


def _execute(src: Path, dest: Path, params: dict, task: _Task, km) -> nbformat.NotebookNode:
    import papermill

    return papermill.execute_notebook(
        for_client(nbformat.read(src, as_version=4)),
        _literal(dest),
        parameters=params,
        cwd=str(src.parent),
        kernel_name="python3",
        km=km,
        progress_bar=False,
        log_output=False,
        request_save_on_cell_execute=False,
        execution_timeout=task.timeout_s,
        start_timeout=task.start_timeout_s,
    )


def _failure(exc: BaseException, notebook: str) -> str:
    cell = getattr(exc, "cell_index", None)
    ename, evalue = getattr(exc, "ename", type(exc).__name__), getattr(exc, "evalue", str(exc))
    where = f"{notebook}, cell {cell}" if cell is not None else notebook
    return f"{where}: {ename}: {str(evalue).strip().splitlines()[0] if evalue else ''}"


def _mark_failed(src: Path, dest: Path, error: str) -> None:
    """The notebook as it was given, headed by what went wrong, where no output was saved."""
    nb = nbformat.read(src, as_version=4)
    note = f"**This notebook did not finish** and its outputs were lost: {error}. "
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(note + f"See {KERNEL_LOG} beside it."))
    nbformat.write(nb, dest)


def _quarantine(staging: Path, out_root: Path, scope: str) -> Path:
    """Keep the failed executed notebooks for the consultant, out of any pack."""
    dest = out_root / "_failed" / slug(scope)
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(staging / "notebooks"), str(dest))
    return dest


_STOPPING = False  # in a worker: the batch is being stopped
_IN_SCOPE = False  # in a worker: a scope is being built
_PARENT = 0  # in a worker: the batch's process


def _worker_init() -> None:
    """In each worker: the first SIGINT or SIGTERM stops the scope it runs (its kernel shut down,
    its staging folder removed) or, idle, ends it quietly; any more are ignored while it cleans
    up, and no scope starts."""

    def stop(signum, frame) -> None:
        global _STOPPING
        if not _STOPPING:
            _STOPPING = True
            logging.getLogger("asyncio").setLevel(logging.CRITICAL)  # tasks cut off: no noise
            raise KeyboardInterrupt if _IN_SCOPE else SystemExit(0)

    global _PARENT
    _PARENT = os.getppid()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)
    _die_with_parent()


def _die_with_parent() -> None:
    """Linux: a SIGTERM for this worker when the batch's process dies, however it died (even
    SIGKILL): the worker then stops its scope as above, and its kernel, which watches its
    parent (ipykernel's parent poller), ends with it. Elsewhere, nothing."""
    import ctypes
    import ctypes.util

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
        if os.getppid() != _PARENT:  # the batch died before this worker asked
            os.kill(os.getpid(), signal.SIGTERM)


def _build_scope(task: _Task) -> ScopeResult:
    """Execute and render one scope into a staging folder (runs in a worker process)."""
    global _IN_SCOPE
    if _STOPPING:
        raise KeyboardInterrupt
    _IN_SCOPE = True
    try:
        return _build(task)
    finally:
        _IN_SCOPE = False
        if _STOPPING and os.getppid() != _PARENT:  # the batch is gone: nobody to answer to
            os._exit(1)


def build_remote(task: _Task) -> ScopeResult:
    """:func:`_build` as a task of a Dask cluster (:mod:`kit.cluster`): the batch's settings
    in ``task.env`` (its validated data, the packs' date) are set while the scope is built."""
    saved = {k: os.environ.get(k) for k, _ in task.env}
    os.environ.update(dict(task.env))
    try:
        return _build(task, own_process=False)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _build(task: _Task, *, own_process: bool = True) -> ScopeResult:
    """Build one scope into a staging folder. ``own_process``: this worker process runs one
    scope at a time, so what it writes on stderr may go to the scope's kernel log too."""
    started = time.perf_counter()
    cfg = load_engagement(task.config)
    out_root = Path(task.out_root)
    out_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-{slug(task.scope)}-", dir=out_root))
    result = ScopeResult(scope=task.scope, folder=str(staging))
    try:
        (staging / "notebooks").mkdir()
        log = staging / "notebooks" / KERNEL_LOG
        log.touch()
        with _kernel_log(log) if own_process else contextlib.nullcontext():
            return _execute_scope(task, cfg, staging, result, started)
    except Exception as exc:  # noqa: BLE001 - e.g. the disk filled up: the scope fails, alone
        shutil.rmtree(staging, ignore_errors=True)
        result.status, result.error, result.folder = "failed", _failure(exc, "pack"), ""
        result.seconds = time.perf_counter() - started
        return result
    except BaseException:  # the batch is being stopped: leave nothing half made
        shutil.rmtree(staging, ignore_errors=True)
        raise


@contextlib.contextmanager
def _kernel_log(path: Path):
    """Send what kernels print on stderr to a log kept only with a failed scope."""
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _execute_scope(
    task: _Task, cfg: Engagement, staging: Path, result: ScopeResult, started: float
) -> ScopeResult:
    out_root = Path(task.out_root)
    params = _parameters(task)
    executed = []
    t0 = time.perf_counter()
    name = "kernel start"
    try:
        with _kernel(task, result, staging / "notebooks" / KERNEL_LOG) as km:
            result.timings[name] = round(time.perf_counter() - t0, 2)
            for name, _ in STAGES:
                t0 = time.perf_counter()
                src = Path(task.notebooks_dir) / name
                executed.append(_execute(src, staging / "notebooks" / name, params, task, km))
                result.timings[name] = round(time.perf_counter() - t0, 2)
    except Exception as exc:  # noqa: BLE001 - any failure of a scope is reported, not raised
        result.status, result.error = "failed", _failure(exc, name)
        with contextlib.suppress(OSError):  # a full disk may refuse even this
            failed = staging / "notebooks" / name
            if name in dict(STAGES) and not failed.exists():  # the kernel died: no outputs
                _mark_failed(Path(task.notebooks_dir) / name, failed, result.error)
            kept = _quarantine(staging, out_root, task.scope)
            result.failed_notebook = str(kept / name if name in dict(STAGES) else kept)
        shutil.rmtree(staging, ignore_errors=True)
        result.seconds, result.folder = time.perf_counter() - started, ""
        return result
    t0 = time.perf_counter()
    ds = load(cfg)
    page = render_pack(cfg, ds, task.scope, executed, wave=task.wave)
    (staging / "pack.html").write_text(page, encoding="utf-8")
    result.timings["render"] = round(time.perf_counter() - t0, 2)
    (staging / "notebooks" / KERNEL_LOG).unlink(missing_ok=True)
    result.html = str(staging / "pack.html")
    if task.deck:
        _write_deck(task, staging, result)
    result.seconds = time.perf_counter() - started
    return result


def _write_deck(task: _Task, staging: Path, result: ScopeResult) -> None:
    """The scope's editable deck beside its pack, from the same findings (:mod:`kit.deck`);
    if it fails, the pack is still delivered, without a deck, and the scope says why."""
    from kit.context import open_engagement
    from kit.deck import write_deck

    t0 = time.perf_counter()
    try:
        ctx = open_engagement(task.config, scope=task.scope, wave=task.wave, audience="client")
        result.pptx = str(write_deck(ctx, staging / "pack.pptx"))
    except Exception as exc:  # noqa: BLE001 - a deck's fault stays with the deck
        (staging / "pack.pptx").unlink(missing_ok=True)
        result.status, result.error = "no deck", f"Deck failed: {type(exc).__name__}: {exc}"
    result.timings["deck"] = round(time.perf_counter() - t0, 2)


def _manifest(
    cfg: Engagement, task: _Task, result: ScopeResult, staging: Path, browser: str
) -> dict:
    return {
        "client": cfg.client,
        "title": cfg.title,
        "scope": task.scope,
        "wave": task.wave,
        "generated_on": pack_date().isoformat(),
        "parameters": _parameters(task),
        "inputs": {
            "engagement.yaml": _sha(cfg.path),
            **file_hashes(
                cfg.data_dir, also=(cfg.touchpoints_file,) if cfg.touchpoints_file else ()
            ),
        },
        "notebooks": {name: _sha(Path(task.notebooks_dir) / name) for name, _ in STAGES},
        "outputs": {p.name: _sha(p) for p in sorted(staging.glob("pack.*"))},
        "versions": {**_versions(), "browser": browser},
        "lock": lock_record(),
        "timings_s": {**result.timings, "total": round(result.seconds, 2)},
        "kernel_restarts": result.kernel_restarts,
    }


KERNEL_LOG = "kernel-stderr.log"
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def _publish(staging: Path, dest: Path) -> None:
    """Swap the finished staging folder into place; an older pack is replaced whole, and put
    back if the swap fails."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(staging, 0o777 & ~_UMASK)  # mkdtemp made it private
    old = None
    if dest.exists():
        old = dest.with_name(f".old-{dest.name}-{os.getpid()}-{time.time_ns()}")
        os.replace(dest, old)
    try:
        os.replace(staging, dest)
    except OSError:
        if old is not None:
            os.replace(old, dest)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def batch_lock(root: Path):
    """One ``kit report`` at a time writes into ``root``; a second one stops at once, saying
    which run holds the folder. The lock goes with the process that holds it (no stale lock)."""
    import fcntl

    try:
        root.mkdir(parents=True, exist_ok=True)
        handle = open(root / ".kit-report.lock", "a+", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise OSError(
            f"cannot write to the reports folder {root} ({exc.strerror or exc}); "
            "make it writable or choose another folder with --out"
        ) from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BatchLocked(
                f"another `kit report` is writing {root} ({holder}); wait for it to finish, "
                "or write elsewhere with --out"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def clean_staging(root: Path) -> list[Path]:
    """Remove what a batch killed outright (power cut, SIGKILL) left in ``root``: unfinished
    packs (``.tmp-*``, confidential: executed notebooks and pages) and replaced ones
    (``.old-*``). Call it holding :func:`batch_lock`, which proves that no batch is writing."""
    stale = sorted([*root.glob(".tmp-*"), *root.glob(".old-*")])
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return stale


# ---------------------------------------------------------------- the batch


def _print_pdf(printer, result: ScopeResult, cfg: Engagement, scope: str) -> None:
    staging = Path(result.folder)
    t0 = time.perf_counter()
    footer = f"{cfg.client} · {cfg.title} · {scope} · Confidential"
    try:
        printer.pdf(staging / "pack.html", staging / "pack.pdf", footer=footer, dated=pack_date())
        result.pdf = str(staging / "pack.pdf")
    except Exception as exc:  # noqa: BLE001 - the HTML is still delivered
        result.status, result.error = "html only", f"PDF failed: {type(exc).__name__}: {exc}"
    result.timings["pdf"] = round(time.perf_counter() - t0, 2)
    result.seconds += time.perf_counter() - t0


@dataclass
class _Delivery:
    """Where finished scopes go: the formats asked for and the one browser that prints them."""

    cfg: Engagement
    formats: tuple[str, ...]
    printer: object = None
    printer_error: str = ""

    def open(self) -> None:
        """Start the browser (when PDFs are asked for); if it cannot start, say why."""
        if "pdf" not in self.formats:
            return
        from kit.browser import BrowserNotFound, Printer

        try:
            self.printer = Printer().__enter__()
        except BrowserNotFound as exc:
            self.printer_error = str(exc)
        except Exception as exc:  # noqa: BLE001 - the browser is broken: HTML only, said clearly
            self.printer_error = f"The browser could not start: {type(exc).__name__}: {exc}"

    def close(self) -> None:
        if self.printer is not None:
            with contextlib.suppress(Exception):  # a crashed browser closes as it can
                self.printer.__exit__(None, None, None)
            self.printer = None


def _finish(result: ScopeResult, task: _Task, out: _Delivery) -> ScopeResult:
    if result.status == "failed":
        return result
    try:
        return _deliver(result, task, out)
    except Exception as exc:  # noqa: BLE001 - e.g. disk full while writing: this scope fails
        shutil.rmtree(result.folder, ignore_errors=True)
        result.status, result.error, result.folder = "failed", _failure(exc, "pack"), ""
        result.html = result.pdf = result.pptx = ""
        return result


def _deliver(result: ScopeResult, task: _Task, out: _Delivery) -> ScopeResult:
    """Print the PDF, write the manifest and publish the staging folder as the pack."""
    staging, cfg, printer = Path(result.folder), out.cfg, out.printer
    if "pdf" in out.formats:
        if printer is None:
            result.status, result.error = "html only", out.printer_error
        else:
            _print_pdf(printer, result, cfg, task.scope)
    if "html" not in out.formats and result.pdf:
        (staging / "pack.html").unlink()
        result.html = ""
    browser = printer.version if printer is not None else ""
    manifest = _manifest(cfg, task, result, staging, browser)
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    dest = Path(task.out_root) / slug(task.scope)
    _publish(staging, dest)
    result.folder = str(dest)
    result.html = str(dest / "pack.html") if result.html else ""
    result.pdf = str(dest / "pack.pdf") if result.pdf else ""
    result.pptx = str(dest / "pack.pptx") if result.pptx else ""
    return result


def withheld_scopes(
    cfg: Engagement, ds: Dataset, wave: str, scopes: list[str]
) -> dict[str, ScopeResult]:
    """The functions among ``scopes`` that get no pack of their own in ``wave``: too few
    responses, or a total the disclosure ledger withholds (a pack of "not shown" pages would
    only say so fifteen times). The organisation pack names them."""
    from kit.context import Context
    from kit.narrative import WHY_WITHHELD

    whole = Context(cfg, ds, ORGANISATION, wave, "client")
    out = {}
    for scope in scopes:
        if scope != ORGANISATION and whole.scoped(scope).too_small:
            out[scope] = ScopeResult(
                scope, status="withheld", error=f"no pack: anonymity rule ({WHY_WITHHELD})"
            )
    return out


class DisclosureError(KitError):
    """The disclosure audit works out a withheld figure from what a batch would publish."""


class Batch(list):
    """The results of a batch, scope by scope, and what its disclosure audit found
    (``audit``: :func:`kit.audit.summary` of the waves its packs show)."""

    audit: dict


def disclosure_audit(cfg: Engagement, ds: Dataset, wave: str) -> dict:
    """Audit every figure the packs of ``wave`` may show (that wave and the ones before it)
    before anything is published: the summary, or :class:`DisclosureError` naming each
    withheld figure that can be worked out and the shown totals it is worked out from."""
    from kit import audit
    from kit.context import Context

    ledger = Context(cfg, ds, ORGANISATION, wave, "client").ledger
    shown = ledger.waves[: ledger.waves.index(wave) + 1]
    w = len(shown)
    result = audit.audit(
        ledger.counts[:w],
        ledger.hidden[:w],
        waves=shown,
        functions=ledger.functions,
        min_n=ledger.min_n,
        cut=ledger.cut,
    )
    pinned = result[result["pinned"]]
    if len(pinned):
        lines = []
        for _, r in pinned.iterrows():
            figures = [m for m in audit.MEASURES if r[f"{m}_min"] == r[f"{m}_max"]]
            sources = [f"{r['provider']}'s total" if r["provider"] != audit.ALL else ""]
            sources += [
                f"the total of {r['customer']}'s ratings" if r["customer"] != audit.ALL else ""
            ]
            lines.append(
                f"  {r['wave']}: {r['provider']} rated by {r['customer']}: its "
                f"{', '.join(figures)}, from {', '.join(s for s in sources if s)} and the "
                "shown groups they contain"
            )
        raise DisclosureError(
            f"The disclosure audit can work out {len(pinned)} withheld figure(s) from what "
            f"this batch would publish, so nothing was published:\n"
            + "\n".join(lines)
            + "\nReport this to the kit's maintainers with the engagement's settings; raising "
            "min_group_size in engagement.yaml withholds more and may clear it."
        )
    return audit.summary(result) | {"waves": len(shown)}


def output_root(cfg: Engagement, wave: str, reports_dir: Path | str | None = None) -> Path:
    """``reports/<client>/<wave>``: both parts made safe as folder names."""
    return Path(reports_dir or REPORTS_DIR) / cfg.client_slug / slug(wave)


def run_batch(
    config: Path | str,
    *,
    scopes: list[str] | None = None,
    wave: str | None = None,
    jobs: int | None = None,
    formats: tuple[str, ...] = ("html", "pdf"),
    reports_dir: Path | str | None = None,
    timeout_s: int = 600,
    start_timeout_s: int = 60,
    progress: bool = True,
    notebooks_dir: Path | str = NOTEBOOKS_DIR,
    cluster: str | None = None,
) -> list[ScopeResult]:
    """Build one report pack per scope; return one :class:`ScopeResult` each.

    Validates the configuration, the data and the notebooks' parameters before anything runs
    (raising a :class:`~kit.errors.KitError`); after that a failing scope never stops the others.
    ``cluster``: the address of a Dask scheduler, or ``local:N`` (:mod:`kit.cluster`), to run
    the scopes on instead of this machine's processes.
    """
    return run_batches(
        [config],
        scopes=scopes,
        wave=wave,
        jobs=jobs,
        formats=formats,
        reports_dir=reports_dir,
        timeout_s=timeout_s,
        start_timeout_s=start_timeout_s,
        progress=progress,
        notebooks_dir=notebooks_dir,
        cluster=cluster,
    )[0]


@dataclass
class _Plan:
    """One engagement's batch, checked and ready to run."""

    cfg: Engagement
    order: list[str]
    audited: dict
    withheld: dict[str, ScopeResult]
    tasks: list[_Task]
    root: Path
    out: _Delivery
    cost: dict[str, int]


def _plan(
    config: Path | str,
    *,
    scopes: list[str] | None = None,
    wave: str | None = None,
    formats: tuple[str, ...] = ("html", "pdf"),
    reports_dir: Path | str | None = None,
    timeout_s: int = 600,
    start_timeout_s: int = 60,
    notebooks_dir: Path | str = NOTEBOOKS_DIR,
) -> _Plan:
    """Validate one engagement and list its scopes' tasks (nothing runs)."""
    cfg = load_engagement(config)
    ds = load(cfg)
    wave = wave or cfg.current_wave
    if wave not in cfg.waves:
        raise KitError(f"Unknown wave {wave!r}; the engagement's waves are {list(cfg.waves)}.")
    bad = sorted(set(formats) - set(FORMATS)) or ([] if formats else ["(none)"])
    if bad:
        raise KitError(
            f"Unknown format(s) {bad}; use any of {', '.join(FORMATS)} (the HTML pack is "
            "always built: it is kept when asked for, or when no PDF is printed)."
        )
    order = scopes_for(cfg, ds, scopes)
    audited = disclosure_audit(cfg, ds, wave)
    withheld = withheld_scopes(cfg, ds, wave, order)
    selected = [s for s in order if s not in withheld]
    root = output_root(cfg, wave, reports_dir)
    dated = os.environ.get("SOURCE_DATE_EPOCH")
    env = ((SHARED_ENV, os.environ.get(SHARED_ENV, "")),)
    env += (("SOURCE_DATE_EPOCH", dated),) if dated else ()
    tasks = [
        _Task(
            str(cfg.path),
            s,
            wave,
            str(root),
            timeout_s,
            start_timeout_s,
            str(notebooks_dir),
            deck="pptx" in formats,
            env=env,
        )
        for s in selected
    ]
    if tasks:
        for name, _ in STAGES:
            check_parameters(Path(notebooks_dir) / name, _parameters(tasks[0]))
    rated = ds.responses["provider_function"].value_counts()
    cost = {s: len(ds.responses) if s == ORGANISATION else rated.get(s, 0) for s in selected}
    return _Plan(cfg, order, audited, withheld, tasks, root, _Delivery(cfg, tuple(formats)), cost)


def run_batches(
    configs: list[Path | str],
    *,
    scopes: list[str] | None = None,
    jobs: int | None = None,
    progress: bool = True,
    cluster: str | None = None,
    **options,
) -> list[Batch]:
    """:func:`run_batch` for several engagements at once, sharing one pool of workers (this
    machine's, or a Dask cluster's) and one browser; each engagement writes its own reports
    folder, under its own lock. One :class:`Batch` per engagement, in the order given.

    Every engagement is validated before anything runs. ``scopes``, when given, are asked of
    every engagement."""
    from kit.cluster import pool as cluster_pool

    plans: list[_Plan] = []
    with shared_validation() as validated:  # validated here once, for every worker and kernel
        for config in configs:
            plans.append(_plan(config, scopes=scopes, **options))
        roots = [p.root for p in plans]
        twice = sorted({str(r) for r in roots if roots.count(r) > 1})
        if twice:
            raise KitError(
                f"Two of the engagements given write the same reports folder ({', '.join(twice)}: "
                "the same client and wave); give each its own --out, or run them one at a time."
            )
        work = [p for p in plans if p.tasks]
        with contextlib.ExitStack() as held:
            for p in work:
                held.enter_context(batch_lock(p.root))
                clean_staging(p.root)
            if work:
                count = sum(len(p.tasks) for p in work)
                with cluster_pool(cluster, jobs, tasks=count, shared=validated) as runner:
                    for p in work:
                        p.tasks = [replace(t, env=runner.env(t.env, p.root)) for t in p.tasks]
                    if cluster:
                        runner.check(work)
                    done = _run(work, runner, progress)
            else:
                done = {}
    batches = []
    for p in plans:
        results = {r.scope: r for r in done.get(str(p.root), [])} | p.withheld
        batches.append(_batch([results[s] for s in p.order], p.audited))
    return batches


def _batch(results: list[ScopeResult], audited: dict) -> Batch:
    out = Batch(results)
    out.audit = audited
    return out


class LocalPool:
    """The scopes run in this machine's processes: ``jobs`` workers (spawned), each building
    one scope at a time. The other pool, a Dask cluster's, is :class:`kit.cluster.DaskPool`;
    both offer ``submit``, ``as_completed``, ``finishing``, ``stop``, ``env`` and ``check``."""

    def __init__(self, jobs: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.executor = cf.ProcessPoolExecutor(
            max_workers=jobs, mp_context=ctx, initializer=_worker_init
        )

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc) -> None:
        self.executor.shutdown(wait=True)

    def submit(self, task: _Task):
        return self.executor.submit(_build_scope, task)

    def as_completed(self, futures):
        return cf.as_completed(futures)

    def finishing(self) -> None:
        """The last scope is done: the workers end while its pack is printed."""
        self.executor.shutdown(wait=False)

    def stop(self, roots: list[Path]) -> None:
        _stop(self.executor, roots)

    def env(self, env: tuple, root: Path) -> tuple:
        return env  # the workers inherit this process's

    def check(self, plans) -> None:
        pass


def _run(plans: list[_Plan], pool, progress: bool) -> dict[str, list[ScopeResult]]:
    """Run every plan's tasks on ``pool``, largest first (so that workers end together); each
    plan's results in its scopes' order, by reports folder."""
    tasks = [(t, p) for p in plans for t in p.tasks]
    tasks.sort(key=lambda tp: -tp[1].cost[tp[0].scope])
    results: dict[tuple[str, str], ScopeResult] = {}
    bar = progress_bar(len(tasks), show=progress)
    formats = tuple(dict.fromkeys(f for p in plans for f in p.out.formats))
    browser = _Delivery(plans[0].cfg, formats)
    # Closed in reverse order: the browser, then the bar (the pool is closed by the caller).
    with contextlib.closing(bar), contextlib.closing(browser):
        futures = {pool.submit(t): (t, p) for t, p in tasks}
        browser.open()  # the browser starts while the first scopes run
        for p in plans:
            p.out.printer, p.out.printer_error = browser.printer, browser.printer_error
        try:
            for done, future in enumerate(pool.as_completed(futures), start=1):
                if done == len(futures):
                    pool.finishing()
                task, plan = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # noqa: BLE001 - a crashed worker fails its scope only
                    result = ScopeResult(task.scope, status="failed", error=_failure(exc, "worker"))
                key = (task.out_root, task.scope)
                results[key] = _finish(result, task, plan.out)
                bar.done(results[key])
        except KeyboardInterrupt:
            pool.stop([p.root for p in plans])
            raise
    return {
        str(p.root): [results[(str(p.root), s)] for s in p.order if s not in p.withheld]
        for p in plans
    }


class _Lines:
    """Progress where no one watches a terminal (a log file, CI): one plain line per pack."""

    def __init__(self, total: int, stream) -> None:
        self.total, self.count, self.stream = total, 0, stream

    def done(self, result: ScopeResult) -> None:
        self.count += 1
        print(
            f"Report packs: {self.count}/{self.total} {result.scope}: {result.status} "
            f"({result.seconds:.1f} s)",
            file=self.stream,
            flush=True,
        )

    def close(self) -> None:
        pass


class _Bar(_Lines):
    """Progress on a terminal: a tqdm bar, redrawn in place."""

    def __init__(self, total: int, stream) -> None:
        from tqdm import tqdm

        self.tqdm = tqdm(total=total, desc="Report packs", unit="pack", file=stream)

    def done(self, result: ScopeResult) -> None:
        self.tqdm.set_postfix_str(f"{result.scope}: {result.status}")
        self.tqdm.update()

    def close(self) -> None:
        self.tqdm.close()


class _Silent(_Lines):
    def done(self, result: ScopeResult) -> None:
        pass


def progress_bar(total: int, *, show: bool = True, stream=None) -> _Lines:
    """How a batch reports its packs on ``stream`` (stderr): a bar on a terminal, a plain
    line per pack otherwise (no carriage-return frames in a log file), nothing if not ``show``.
    Each finished pack is passed to ``.done(result)``; ``.close()`` ends it."""
    stream = stream or sys.stderr
    if not show:
        return _Silent(total, stream)
    return _Bar(total, stream) if stream.isatty() else _Lines(total, stream)


def _stop(pool: cf.ProcessPoolExecutor, roots: list[Path], grace_s: float = 15) -> None:
    """Stop an interrupted batch: no scope starts, the running ones stop (their workers are
    interrupted, and killed past ``grace_s``), and no staging folder is left. Finished packs
    stay as they are."""
    pool.shutdown(wait=False, cancel_futures=True)
    workers = multiprocessing.active_children()
    for worker in workers:
        with contextlib.suppress(OSError):
            os.kill(worker.pid, signal.SIGINT)
    deadline = time.monotonic() + grace_s
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
        if worker.is_alive():
            worker.kill()
    for root in roots:
        for staging in root.glob(".tmp-*"):  # the lock makes them this batch's
            shutil.rmtree(staging, ignore_errors=True)


def audit_line(audited: dict) -> str:
    """What the disclosure audit of a batch found, in one sentence."""
    narrowest = audited["narrowest_n_range"]
    return (
        f"Disclosure audit: {audited['withheld']} withheld groups and totals in "
        f"{audited['waves']} wave(s); none can be worked out from what the packs and the "
        "workshop show"
        + (
            f" (the narrowest range left for a withheld group's size spans {narrowest + 1} values)."
            if narrowest is not None
            else "."
        )
    )


def summary_table(results: list[ScopeResult]) -> str:
    """A plain-text table of a batch: scope, status, seconds, where the pack is or what failed."""
    rows = [("Scope", "Status", "Seconds", "Pack / problem")]
    for r in results:
        where = r.pdf or r.html
        detail = where if r.status == "ok" else f"{r.error}" + (f" -> {where}" if where else "")
        if r.failed_notebook:
            detail += f" (executed notebook kept at {r.failed_notebook})"
        rows.append((r.scope, r.status, f"{r.seconds:.1f}", detail))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:>{widths[2]}}  {d}" for a, b, c, d in rows]
    lines.insert(1, "-" * min(120, max(len(line) for line in lines)))
    return "\n".join(lines)
