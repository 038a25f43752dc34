"""The bad-input corpus: files a client sends, typed by hand or saved by the wrong program.

Each case is a folder of ``tests/fixtures/bad/``: a few small files and a ``case.yaml`` saying
what it is (``about``), what it is laid over (``base``: ``tiny``, the small valid engagement in
``_tiny/``, or ``sample``, the sample's data; none: the case's files alone), the ``kit`` command
(``{dir}`` is the copy's folder), the ``exit`` code (0 accepted, 1 problems found, 2 refused),
words the output ``says``, its ``class`` (error, warning or accepted), and optionally ``env``
(settings), ``remove`` (base files taken away) and ``known`` (a bug not fixed yet, in a file
this corpus' owner does not own: the case is expected to fail until it is). Each case runs
in-process on a copy; it fails on a Python traceback, on exit 0 for an error, on missing words
and on any input file changed (checksums before and after).
"""

from __future__ import annotations

import hashlib
import shlex
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from kit.cli import main
from kit.config import SAMPLE_DIR
from kit.yamlfile import read

CORPUS = Path(__file__).parent / "fixtures" / "bad"
CLASSES = ("error", "warning", "accepted")


def _cases() -> dict[str, dict]:
    return {
        d.name: read(d / "case.yaml")
        for d in sorted(CORPUS.iterdir())
        if d.is_dir() and not d.name.startswith("_")
    }


CASES = _cases()


def _copy(name: str, dest: Path) -> Path:
    """The case laid over its base in ``dest``."""
    case = CASES[name]
    base = {"tiny": CORPUS / "_tiny", "sample": SAMPLE_DIR}.get(case.get("base"))
    if base is not None:
        shutil.copytree(base, dest)
    dest.mkdir(exist_ok=True)
    for gone in case.get("remove", []):
        (dest / gone).unlink()
    for path in sorted((CORPUS / name).rglob("*")):
        if path.is_file() and path.name != "case.yaml":
            target = dest / path.relative_to(CORPUS / name)
            if target.parent.is_file():
                target.parent.unlink()  # a table replaced by a folder of its name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return dest


def _checksums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _run(name: str, tmp_path: Path, capsys, monkeypatch) -> tuple[int, str, Path]:
    case = CASES[name]
    folder = _copy(name, tmp_path / "case")
    for key, value in (case.get("env") or {}).items():
        monkeypatch.setenv(key, str(value))
    argv = [a.replace("{dir}", str(folder)) for a in shlex.split(case["command"])]
    code = main(argv)
    said = capsys.readouterr()
    return code, said.out + said.err, folder


def _params() -> list:
    """Every case; one whose ``known`` names a bug not fixed yet is expected to fail (strict:
    when it is fixed, the test says so and the line is removed)."""
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=case["known"]))
        if case.get("known")
        else name
        for name, case in sorted(CASES.items())
    ]


@pytest.mark.parametrize("name", _params())
def test_a_bad_input_gets_a_clear_answer_and_changes_nothing(name, tmp_path, capsys, monkeypatch):
    case = CASES[name]
    folder = _copy(name, tmp_path / "before")
    before = _checksums(folder)
    shutil.rmtree(folder)
    code, text, folder = _run(name, tmp_path, capsys, monkeypatch)
    assert "Traceback" not in text and 'File "' not in text, text
    assert code == case["exit"], text
    if case["class"] == "error":
        assert code != 0, "an input that must be refused was accepted"
    for words in case["says"]:
        assert words in text, f"{words!r} not in:\n{text}"
    after = _checksums(folder)
    assert {k: v for k, v in after.items() if k in before} == before, "an input was changed"


def test_every_case_is_well_formed():
    for name, case in CASES.items():
        keys = {"about", "base", "command", "exit", "says", "class", "env", "remove", "known"}
        assert set(case) <= keys, name
        assert case["class"] in CLASSES and case["exit"] in (0, 1, 2) and case["says"], name
        assert (case["exit"] == 0) == (case["class"] != "error"), name
        assert case["command"].split()[0] in ("validate", "import", "plan", "audit", "report")


def test_the_corpus_counts_its_classes(capsys):
    """For the README and the closing note: how many inputs are refused, warned, accepted."""
    counts = Counter(case["class"] for case in CASES.values())
    with capsys.disabled():
        print(f"\nbad-input corpus: {len(CASES)} cases, {dict(sorted(counts.items()))}")
    assert len(CASES) >= 60
    assert counts["error"] >= 50 and counts["warning"] >= 10 and counts["accepted"] >= 5
    commands = Counter(case["command"].split()[0] for case in CASES.values())
    assert set(commands) == {"validate", "import", "plan", "audit", "report"}


def test_consent_in_words_is_not_taken_as_consent(tmp_path, capsys, monkeypatch):
    code, _, folder = _run("import-consent-in-words", tmp_path, capsys, monkeypatch)
    assert code == 0
    written = pd.read_csv(folder / "imported.csv")
    assert written["ok_to_contact"].tolist() == [False, False, True, False]
