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


def _lock() -> dict[str, str]:
    """requirements.lock as {normalised name: pinned version}."""
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, sep, pinned = line.partition("==")
            assert sep, f"not an exact pin: {line!r}"
            pins[_name(name)] = pinned.strip()
    return pins


def test_the_lock_pins_every_dependency_within_its_specifier():
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = _lock()
    for text in project["dependencies"] + project["optional-dependencies"]["dev"]:
        req = Requirement(text)
        name = _name(req.name)
        assert name in pins, f"{name} is in pyproject.toml but not in requirements.lock: make lock"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {name}=={pins[name]}, outside {req.specifier}: make lock"
        )


def test_the_lock_is_what_make_setup_and_ci_install():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet -r $(LOCK)" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile
    assert "$(STAMP): pyproject.toml $(LOCK)" in makefile, "a new lock reinstalls"
    assert "make test" in (ROOT / ".ci" / "run").read_text()  # through make setup


def test_the_lock_is_what_this_venv_runs():
    from kit.report import lock_record

    record = lock_record()
    assert record["used"] is True, record.get("differs")
    assert len(record["sha256"]) == 64


def test_make_clean_deletes_only_the_sample_packs():
    from kit.config import REPORTS_DIR, SAMPLE_CONFIG, load_engagement

    makefile = (ROOT / "Makefile").read_text()
    packs = re.search(r"^SAMPLE_PACKS := (\S+)$", makefile, re.M).group(1)
    sample = REPORTS_DIR / load_engagement(SAMPLE_CONFIG).client_slug
    assert ROOT / packs == sample
    clean = makefile.split("\nclean:")[1].split("\n\n")[0]
    assert "find reports" not in clean and "rm -rf reports" not in clean
    everything = makefile.split("\nclean-all:")[1].split("\n\n")[0]
    assert "read -r -p" in everything, "deleting every client's packs asks first"


def test_the_wheel_carries_every_stage_notebook_and_the_sample():
    import runpy
    import subprocess

    bundled = {name for _, name in runpy.run_path(str(ROOT / "setup.py"))["bundled_files"]()}
    tracked = subprocess.run(
        ["git", "ls-files", "notebooks", "data/sample"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    if not tracked:
        pytest.skip("not a git clone")
    assert bundled == set(tracked) | {"requirements.lock"}


def test_the_engagement_file_points_to_a_readme_section_that_exists():
    text = (ROOT / "data" / "sample" / "engagement.yaml").read_text()
    sections = re.findall(r'README\.md, "([^"]+)"', text)
    headings = {h.strip() for h in re.findall(r"^#+ (.+)$", (ROOT / "README.md").read_text(), re.M)}
    assert sections and all(s in headings for s in sections), (sections, headings)


def test_the_readme_documents_every_engagement_setting():
    from kit import config

    readme = (ROOT / "README.md").read_text()
    table = readme.split("### Engagement settings")[1].split("\n## ")[0]
    for key in sorted(config._TOP_KEYS):
        assert f"`{key}" in table, f"engagement setting {key!r} is not in the README's table"
    nested = [
        "min_group_size", "min_comment_group_size", "confidence", "high", "inconclusive_margin",
        "detractor_max", "passive_max", "target", "sla_days", "passives", "collision_days",
        "contact_cap", "influence_labels", "primary", "accent", "template", "title_layout",
        "content_layout",
    ]  # fmt: skip
    for key in nested:
        assert f"{key}`" in table or f".{key}" in table, f"{key} is not in the README's table"
