"""The pack renderer and the batch's checks, without running notebooks."""

from dataclasses import replace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from kit.config import NOTEBOOKS_DIR
from kit.report import (
    STAGES,
    ParameterError,
    ScopeResult,
    check_parameters,
    declared_parameters,
    for_client,
    render_notebook,
    render_pack,
    run_batch,
    scopes_for,
    summary_table,
)


def _nb():
    code = new_code_cell(
        "secret_source_code = 1",
        outputs=[
            new_output("display_data", data={"text/html": "<p>shown output</p>"}),
            new_output("stream", name="stdout", text="a print"),
        ],
    )
    hidden = new_markdown_cell("only for the consultant")
    hidden.metadata["tags"] = ["consultant-only"]
    return new_notebook(
        cells=[
            new_markdown_cell("# Stage\n\n## First section\n\nProse."),
            code,
            hidden,
            new_markdown_cell("## Second <b>one</b>"),
        ]
    )


def test_render_hides_code_streams_and_consultant_cells():
    body, toc, omitted = render_notebook(_nb(), prefix="s1")
    assert omitted == []
    assert "shown output" in body and "Prose." in body
    assert "secret_source_code" not in body
    assert "a print" not in body
    assert "only for the consultant" not in body
    assert toc == [("s1-1", "First section"), ("s1-2", "Second one")]
    assert 'id="s1-1"' in body and 'id="s1-2"' in body


def test_a_section_with_nothing_to_say_is_left_out_heading_and_all(cfg, ds):
    from kit.narrative import omitted

    said = new_code_cell("")
    said.outputs = [new_output("display_data", data={"text/html": "<p>kept</p>"})]
    empty = new_code_cell("")
    reason = omitted("no touchpoints were provided for <Sales & Co>")
    empty.outputs = [new_output("display_data", data={"text/html": reason.data})]
    nb = new_notebook(
        cells=[
            new_markdown_cell("## Scores\n\nWhat they say."),
            said,
            new_markdown_cell("## External touchpoints\n\nOne company or six?"),
            empty,
        ]
    )
    body, toc, left_out = render_notebook(nb, prefix="s2")
    assert toc == [("s2-1", "Scores")]
    assert "kept" in body and "touchpoints" not in body and "One company" not in body
    assert body.count('<section class="kit-block">') == 1, "a heading travels with its content"
    assert left_out == [("External touchpoints", "no touchpoints were provided for <Sales & Co>")]
    page = render_pack(cfg, ds, "Organisation", [nb] * len(STAGES), wave="2026-H1")
    assert "Left out of this pack" in page
    assert "no touchpoints were provided for &lt;Sales &amp; Co&gt;" in page


def test_pack_escapes_client_strings(cfg, ds):
    hostile = replace(
        cfg,
        client='<script>alert("x")</script>',
        title="T&C <b>",
        confidentiality="<img src=x onerror=alert(1)>",
    )
    page = render_pack(hostile, ds, "Organisation", [_nb()] * len(STAGES), wave="2026-H1")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert page.count('class="stage"') == len(STAGES)
    assert 'id="methodology"' in page


def test_scopes(cfg, ds):
    scopes = scopes_for(cfg, ds)
    assert scopes[0] == "Organisation" and len(scopes) == 13
    assert scopes_for(cfg, ds, ["Regulatory", "Regulatory"]) == ["Regulatory"]
    with pytest.raises(ValueError, match="Unknown scope.*Nowhere"):
        scopes_for(cfg, ds, ["Nowhere"])


@pytest.mark.parametrize("name", [n for n, _ in STAGES])
def test_notebook_parameters_checked(name):
    path = NOTEBOOKS_DIR / name
    ok = {"config": "x.yaml", "scope": "Organisation", "wave": "", "audience": "client"}
    check_parameters(path, ok)
    with pytest.raises(ParameterError, match="'scopee' is not a parameter"):
        check_parameters(path, {**ok, "scopee": "x"})
    with pytest.raises(ParameterError, match="must be a JSON value"):
        check_parameters(path, {**ok, "scope": object()})


@pytest.mark.parametrize("name", [n for n, _ in STAGES])
def test_every_stage_declares_the_batch_parameters(name):
    declared = declared_parameters(NOTEBOOKS_DIR / name)
    assert declared == ["config", "scope", "wave", "audience", "min_group_size"]


def test_a_client_run_never_executes_consultant_only_cells():
    nb = nbformat.read(NOTEBOOKS_DIR / "02_internal_nps.ipynb", as_version=4)
    hidden = [c for c in nb.cells if "consultant-only" in c.metadata.get("tags", [])]
    assert any("ctx.where(" in c.source for c in hidden), "the exploration cell is hidden"
    stripped = for_client(nb)
    assert len(stripped.cells) == len(nb.cells) - len(hidden)
    assert not any("consultant-only" in c.metadata.get("tags", []) for c in stripped.cells)
    assert len(nbformat.read(NOTEBOOKS_DIR / "02_internal_nps.ipynb", as_version=4).cells) == len(
        nb.cells
    ), "the notebook itself is not changed"


def test_declared_parameters_of_any_cell(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "language": "python", "display_name": "Python"}
    nb.cells = [nbformat.v4.new_code_cell("a = 1\nb: int = 2  # two\nc, d = 3, 4\nprint(a)")]
    nbformat.write(nb, tmp_path / "none.ipynb")
    assert declared_parameters(tmp_path / "none.ipynb") == []
    nb.cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(nb, tmp_path / "some.ipynb")
    assert declared_parameters(tmp_path / "some.ipynb") == ["a", "b"]


def test_summary_table_lists_failures():
    rows = [
        ScopeResult("Organisation", seconds=3.14, pdf="/r/org/pack.pdf"),
        ScopeResult(
            "IT",
            status="failed",
            error="02_internal_nps.ipynb, cell 4: KeyError: 'x'",
            failed_notebook="/r/_failed/it/02_internal_nps.ipynb",
        ),
    ]
    text = summary_table(rows)
    assert "Organisation" in text and "/r/org/pack.pdf" in text and "3.1" in text
    assert "cell 4: KeyError" in text and "_failed/it" in text


def test_stage_notebooks_exist_and_are_valid():
    for name, _ in STAGES:
        nbformat.validate(nbformat.read(NOTEBOOKS_DIR / name, as_version=4))


@pytest.mark.slow
def test_kernels_use_the_batchs_validation(tmp_path):
    """The batch validates the data once; its kernels load that result instead of validating
    again (here a kernel that tried to validate would fail its scope)."""
    from kit.config import SAMPLE_CONFIG

    for name, title in STAGES:
        nb = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
        params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        check = (
            "import kit.data\n"
            "from kit.context import open_engagement\n"
            "def again(*a, **k):\n"
            "    raise AssertionError('validated again in the kernel')\n"
            "kit.data.validate = again\n"
            "open_engagement(config, scope=scope, wave=wave, audience=audience)\n"
            f"print('## {title}')"
        )
        nb.cells = [params, new_code_cell(check)]
        nbformat.write(nb, tmp_path / name)
    results = run_batch(
        SAMPLE_CONFIG,
        scopes=["Finance"],
        formats=("html",),
        reports_dir=tmp_path / "out",
        progress=False,
        notebooks_dir=tmp_path,
    )
    assert [(r.status, r.error) for r in results] == [("ok", "")]


def _stale(root):
    """What a batch killed outright leaves: an unfinished pack and a replaced one."""
    for name in (".tmp-finance-x1", ".old-hr-123-456"):
        (root / name / "notebooks").mkdir(parents=True)
        (root / name / "pack.html").write_text("confidential")
    (root / "regulatory").mkdir()
    (root / "regulatory" / "pack.html").write_text("a finished pack")


def test_a_batch_first_removes_what_a_killed_batch_left(tmp_path, monkeypatch):
    import kit.report as report
    from kit.config import SAMPLE_CONFIG, load_engagement

    root = report.output_root(load_engagement(SAMPLE_CONFIG), "2026-H1", tmp_path)
    root.mkdir(parents=True)
    _stale(root)
    seen = []

    def run(plans, pool, progress):
        seen.append(sorted(root.iterdir()))
        return {str(p.root): [report.ScopeResult(t.scope) for t in p.tasks] for p in plans}

    monkeypatch.setattr(report, "_run", run)
    report.run_batch(SAMPLE_CONFIG, scopes=["Regulatory"], reports_dir=tmp_path, progress=False)
    names = [p.name for p in seen[0]]
    assert ".tmp-finance-x1" not in names and ".old-hr-123-456" not in names
    assert (root / "regulatory" / "pack.html").read_text() == "a finished pack"


def test_kit_report_clean_staging_only_cleans(tmp_path, capsys):
    from kit.cli import main
    from kit.config import SAMPLE_CONFIG, load_engagement
    from kit.report import output_root

    root = output_root(load_engagement(SAMPLE_CONFIG), "2026-H1", tmp_path)
    root.mkdir(parents=True)
    _stale(root)
    assert main(["report", "--clean-staging", "--out", str(tmp_path)]) == 0
    assert "2 unfinished pack folder(s) removed" in capsys.readouterr().out
    assert sorted(p.name for p in root.iterdir()) == [".kit-report.lock", "regulatory"]


def test_a_scope_the_ledger_withholds_gets_no_pack(cfg, ds):
    from kit.report import withheld_scopes

    scopes = ["Organisation", "Regulatory", "Sales", "Legal & Compliance"]
    now = withheld_scopes(cfg, ds, "2026-H1", scopes)
    assert list(now) == ["Sales", "Legal & Compliance"]  # 4 ratings; Sales, its complement
    assert {r.status for r in now.values()} == {"withheld"}
    assert "no pack: anonymity rule (too few responses, answers all alike" in now["Sales"].error
    assert withheld_scopes(cfg, ds, "2025-H2", scopes) == {}
    table = summary_table(list(now.values()))
    assert "Sales" in table and "withheld" in table and "no pack" in table
