"""The layout's promise: data -> analysis -> findings -> sections, widgets and the CLI."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

KIT = Path(__file__).resolve().parents[1] / "kit"
#: What a section may import from the kit: presentation helpers, the scope, findings' types.
PRESENTATION = {"kit.narrative", "kit.wording", "kit.plots", "kit.context", "kit.config"}


def kit_imports(path: Path) -> set[str]:
    """The kit modules a file imports (``from kit import x`` counts as ``kit.x``)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "kit":
                names |= {f"kit.{a.name}" for a in node.names}
            else:
                names.add(node.module)
    return {n for n in names if n.split(".")[0] == "kit"}


SECTIONS = sorted(p for p in (KIT / "sections").glob("*.py") if p.name != "__init__.py")
FINDINGS = sorted(p for p in (KIT / "findings").glob("*.py") if p.name != "__init__.py")


def test_every_stage_has_its_findings_and_its_section():
    assert [p.name for p in SECTIONS] == [p.name for p in FINDINGS]
    assert {p.stem for p in FINDINGS} == {"mapping", "internal_nps", "follow_up", "summary"}


@pytest.mark.parametrize("path", SECTIONS, ids=lambda p: p.stem)
def test_a_section_presents_findings_only(path):
    used = kit_imports(path)
    wrong = {m for m in used if m not in PRESENTATION and not m.startswith("kit.findings")}
    assert not wrong, f"{path.name} imports {wrong}: take it from kit.findings instead"


@pytest.mark.parametrize("path", FINDINGS, ids=lambda p: p.stem)
def test_findings_carry_no_presentation(path):
    used = kit_imports(path)
    assert not used & {"kit.narrative", "kit.plots", "kit.widgets"}
    assert not any(m.startswith("kit.sections") for m in used)
    text = path.read_text(encoding="utf-8")
    assert "matplotlib" not in text and "IPython" not in text and "<p>" not in text


@pytest.mark.parametrize("name", ["cli.py", "widgets.py", "workshop.py", "workbook.py"])
def test_the_cli_and_the_workshop_read_findings_not_sections(name):
    assert not any(m.startswith("kit.sections") for m in kit_imports(KIT / name))


def test_one_exception_root_caught_once_by_the_cli():
    from kit import errors

    raised = set()
    for path in KIT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                path.name != "errors.py"
                and isinstance(node, ast.ClassDef)
                and any(
                    getattr(b, "id", "").endswith(("Error", "Problem", "Locked", "NotFound"))
                    for b in node.bases
                )
            ):
                module = ".".join(path.relative_to(KIT.parent).with_suffix("").parts)
                raised.add((module, node.name))
    classes = {(m, n): getattr(importlib.import_module(m), n) for m, n in raised}
    assert raised and all(issubclass(c, errors.KitError) for c in classes.values()), classes
    cli = (KIT / "cli.py").read_text(encoding="utf-8")
    assert cli.count("except (KitError, OSError)") == 1
    assert issubclass(errors.KitError, ValueError)
