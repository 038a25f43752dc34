"""The project's own rules: dependency lists in step, notebooks stored clean and thin."""

import ast
import re
import tomllib

import nbformat
import pytest
import yaml

from kit.config import NOTEBOOKS_DIR, ROOT

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert conda == wanted
    pip = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    assert "-e ." in pip


def test_required_packages_are_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    assert {
        "jupyterlab",
        "pandas",
        "seaborn",
        "ipywidgets",
        "papermill",
        "nbconvert",
        "pytest",
        "nbval",
    } <= names
    assert "nbconvert>=7.17.1" in project["dependencies"]


def test_every_package_the_kit_imports_is_declared():
    import sys
    from importlib.metadata import packages_distributions

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(r) for r in project["dependencies"]}
    imported = set()
    for path in (ROOT / "kit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"kit", "__future__"}
    dists = packages_distributions()
    missing = {
        name: dists.get(name)
        for name in third_party
        if not {_name(d) for d in dists.get(name, [name])} & declared
    }
    assert not missing, f"imported by kit/ but not in pyproject.toml: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_clean_and_thin(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "stored with outputs"
    first = code[0]
    assert "parameters" in first.metadata.get("tags", [])
    for node in ast.parse(first.source).body:  # literal values only
        assert isinstance(node, ast.Assign)
        ast.literal_eval(node.value)
    for cell in code:
        tree = ast.parse(cell.source)
        defs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        assert not defs, f"define functions in kit/, not in {path.name}"
        assert len(cell.source.splitlines()) <= 10, "keep notebook cells to a few lines"
