"""kit report on a Dask cluster (kit.cluster): the same packs, byte for byte, as this machine's
pool; several engagements sharing the workers; workers that cannot see the data refused."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import commands
import pytest

from kit.cli import main
from kit.cluster import ClusterError, DaskPool, file_hashes_of
from kit.config import NOTEBOOKS_DIR, SAMPLE_CONFIG, SAMPLE_DIR
from kit.data import file_hashes
from kit.report import STAGES, _versions, run_batches

SCOPES = ["Regulatory", "Finance"]


def _other_client(tmp_path: Path) -> Path:
    """A copy of the sample under another client's name (its own reports folder)."""
    folder = tmp_path / "other"
    shutil.copytree(SAMPLE_DIR, folder)
    config = folder / "engagement.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("client: Helix Biopharma", "client: Orbis Pharma"))
    return config


@pytest.mark.slow
def test_a_local_cluster_builds_the_same_packs_and_shares_its_workers(tmp_path, monkeypatch):
    if not commands.has_browser():
        pytest.fail("a Chromium-family browser is needed: run `make browser`")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", commands.PINNED["SOURCE_DATE_EPOCH"])
    other = _other_client(tmp_path)
    scopes = [a for s in SCOPES for a in ("--scope", s)]
    local, spread = tmp_path / "local", tmp_path / "cluster"
    base = ["report", "--quiet", *scopes]
    assert main([*base, "--out", str(local), "--jobs", "2"]) == 0
    code = main(
        [*base, "--out", str(spread), "--cluster", "local:2"]
        + ["--config", str(SAMPLE_CONFIG), "--config", str(other)]
    )
    assert code == 0
    here, there = local / "helix-biopharma" / "2026-h1", spread / "helix-biopharma" / "2026-h1"
    for scope in ("regulatory", "finance"):
        for name in ("pack.html", "pack.pdf"):
            assert (there / scope / name).read_bytes() == (here / scope / name).read_bytes(), (
                f"{scope}/{name} differs between the cluster and the local pool"
            )
        manifest = json.loads((there / scope / "manifest.json").read_text())
        assert (
            manifest["outputs"]
            == json.loads((here / scope / "manifest.json").read_text())["outputs"]
        )
    orbis = spread / "orbis-pharma" / "2026-h1"
    assert sorted(p.name for p in orbis.iterdir() if p.is_dir()) == ["finance", "regulatory"]
    assert "Orbis Pharma" in (orbis / "regulatory" / "pack.html").read_text(encoding="utf-8")
    for root in (there, orbis):
        assert not list(root.glob(".tmp-*")), "no staging folder nor validated data left behind"


class _Client:
    """A stand-in for distributed.Client: ``run`` answers what each worker sees."""

    def __init__(self, views: dict) -> None:
        self.views = views

    def run(self, function, *args):
        return self.views


def _plan(root: Path):
    from kit.config import load_engagement

    class Task:
        notebooks_dir = str(NOTEBOOKS_DIR)

    class Plan:
        cfg = load_engagement(SAMPLE_CONFIG)
        tasks = [Task()]

    Plan.root = root
    return Plan


def _view(plan, **changes) -> dict:
    """What a worker that sees everything as this machine does would answer."""
    files = {
        str(SAMPLE_DIR): file_hashes(SAMPLE_DIR),
        str(NOTEBOOKS_DIR): file_hashes_of(NOTEBOOKS_DIR, [n for n, _ in STAGES]),
    }
    files[str(SAMPLE_DIR)] |= file_hashes_of(SAMPLE_DIR, ["engagement.yaml"])
    view = {"files": files, "writable": {str(plan.root): ""}, "versions": _versions()}
    return view | {"nthreads": 1} | changes


def test_workers_that_see_what_this_machine_sees_pass(tmp_path):
    plan = _plan(tmp_path)
    DaskPool(_Client({"tcp://a:1": _view(plan), "tcp://b:1": _view(plan)}), tmp_path).check([plan])


def test_a_worker_that_cannot_see_the_data_or_differs_is_named(tmp_path):
    plan = _plan(tmp_path)
    blind = _view(plan)
    blind["files"] = {k: dict.fromkeys(v, "missing") for k, v in blind["files"].items()}
    stale = _view(plan)
    stale["files"][str(SAMPLE_DIR)]["responses.csv"] = "0" * 64
    views = {
        "tcp://blind:1": blind,
        "tcp://stale:1": stale,
        "tcp://old:1": _view(plan, versions=_versions() | {"pandas": "1.5.3"}),
        "tcp://busy:1": _view(plan, nthreads=4, writable={str(tmp_path): "Read-only file system"}),
    }
    with pytest.raises(ClusterError) as caught:
        DaskPool(_Client(views), tmp_path).check([plan])
    said = str(caught.value)
    assert re.search(r"tcp://blind:1 cannot see .*responses\.csv.* in .*data/sample", said)
    assert "tcp://blind:1 cannot see 01_stakeholder_mapping.ipynb" in said
    assert f"tcp://stale:1 sees other contents of responses.csv in {SAMPLE_DIR}" in said
    assert f"tcp://old:1 runs other versions: pandas 1.5.3 (here {_versions()['pandas']})" in said
    assert "tcp://busy:1 runs 4 tasks at once" in said and "--nthreads 1" in said
    assert f"tcp://busy:1 cannot write the reports folder {tmp_path} (Read-only" in said
    assert "tcp://stale:1 cannot" not in said and "tcp://old:1 sees" not in said


def test_a_cluster_address_without_a_count_is_refused(tmp_path, capsys):
    code = main(["report", "--quiet", "--scope", "Finance", "--out", str(tmp_path)] + [
        "--cluster", "local:two"
    ])  # fmt: skip
    assert code == 2
    assert "--cluster local:two: say how many worker processes, e.g. local:2" in (
        capsys.readouterr().err
    )
    assert not list(tmp_path.rglob("pack.*"))


def test_two_engagements_writing_one_folder_are_refused(tmp_path):
    from kit.errors import KitError

    with pytest.raises(KitError, match="write the same reports folder .*helix-biopharma"):
        run_batches([SAMPLE_CONFIG, SAMPLE_CONFIG], reports_dir=tmp_path, progress=False)
    assert not list(tmp_path.rglob("pack.*"))
