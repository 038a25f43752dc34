"""The bad-input corpus: files a client sends, typed by hand or saved by the wrong program.

Each case edits a copy of the sample (or writes a small file), runs a ``kit`` command on it
in-process, and checks what a consultant sees: the exit code (0 accepted, 1 found problems,
2 refused), words the message must hold, no Python traceback, and no input file changed
(checksums before and after).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from kit.cli import main


@dataclass(frozen=True)
class Case:
    edit: Callable[[Path], list[str]]  # changes the copy; returns the command's arguments
    code: int
    words: tuple[str, ...]


def _validate(path: Path) -> list[str]:
    """``kit validate``, its problems list written beside the data (never in the repository)."""
    return ["validate", str(path), "--out", str(path.parent / "problems.csv")]


def _yaml(extra: str) -> Callable[[Path], list[str]]:
    """The engagement file with ``extra`` lines added at its end."""

    def edit(folder: Path) -> list[str]:
        path = folder / "engagement.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
        return _validate(path)

    return edit


def _replace(old: str, new: str) -> Callable[[Path], list[str]]:
    def edit(folder: Path) -> list[str]:
        path = folder / "engagement.yaml"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
        return _validate(path)

    return edit


def _utf16(folder: Path) -> list[str]:
    path = folder / "engagement.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    return _validate(path)


def _csv_named_xlsx(folder: Path) -> list[str]:
    (folder / "plan.xlsx").write_text("response_id,status\nR00001,closed\n", encoding="utf-8")
    return [
        "plan",
        "import",
        str(folder / "plan.xlsx"),
        "--config",
        str(folder / "engagement.yaml"),
    ]


def _table(name: str, change: Callable[[str], str]) -> Callable[[Path], list[str]]:
    """A data table rewritten by ``change`` (as a spreadsheet program might save it)."""

    def edit(folder: Path) -> list[str]:
        path = folder / name
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
        return _validate(folder / "engagement.yaml")

    return edit


def _answered_twice(folder: Path) -> list[str]:
    """The last response once more under a new response id: one person rating one function
    twice in one wave."""
    path = folder / "responses.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    again = table.tail(1).assign(response_id=lambda t: t["response_id"] + "-again")
    pd.concat([table, again]).to_csv(path, index=False)
    return _validate(folder / "engagement.yaml")


def _import(folder: Path, export: str, mapping: str) -> list[str]:
    """``kit import`` of a small export with a hand-typed mapping, written into ``folder``."""
    (folder / "export.csv").write_text(export, encoding="utf-8")
    (folder / "mapping.yaml").write_text(mapping, encoding="utf-8")
    return [
        "import",
        str(folder / "export.csv"),
        "--mapping",
        str(folder / "mapping.yaml"),
        "-o",
        str(folder / "imported.csv"),
    ]


def _mapping_twice(folder: Path) -> list[str]:
    """An import mapping typed by hand with one field twice (YAML would keep the last)."""
    return _import(
        folder,
        "id,team,q1\n1,Sales,9\n",
        "score: {column: q1}\nrespondent_function: {column: team}\n"
        "provider_function: {value: IT}\nwave: {value: 2026-H1}\nscore: {column: id}\n",
    )


def _consent_in_words(folder: Path) -> list[str]:
    """Consent answered in words the kit does not read as yes: never guessed, counted, said."""
    return _import(
        folder,
        'id,team,q1,ok\n1,Sales,9,"Yes, please"\n2,HR,3,Sí\n3,IT,7,yes\n4,HR,8,no\n',
        "score: q1\nrespondent_function: {column: team}\n"
        "provider_function: {value: Finance}\nwave: {value: 2026-H1}\n"
        "ok_to_contact: {column: ok}\n",
    )


def _audit_bad_config(folder: Path) -> list[str]:
    _replace("min_group_size: 5", "min_group_size: .inf")(folder)
    return ["audit", "--config", str(folder / "engagement.yaml")]


def _report_bad_config(folder: Path) -> list[str]:
    _yaml("client: Again\n")(folder)
    return ["report", "--config", str(folder / "engagement.yaml"), "--out", str(folder / "out")]


CASES = {
    "engagement: a key set twice": Case(_yaml("title: Again\n"), 2, ("'title' is set twice",)),
    "engagement: a tab in the indentation": Case(
        _yaml("extra:\n\t- one\n"), 2, ("a tab in the indentation", "replace the tab")
    ),
    "engagement: a !!python tag": Case(
        _yaml("note: !!python/object/apply:os.system ['echo hi']\n"),
        2,
        ("the tag '!!python/object/apply:os.system' is not allowed",),
    ),
    "engagement: an alias bomb": Case(
        _yaml("a: &a [x, x, x]\nb: [*a, *a, *a]\n"), 2, ("an alias (*a)", "write the value out")
    ),
    "engagement: saved as UTF-16": Case(_utf16, 2, ("is not UTF-8 text",)),
    "engagement: min_group_size .inf": Case(
        _replace("min_group_size: 5", "min_group_size: .inf"),
        2,
        ("'thresholds.min_group_size' must be a whole number", "got inf"),
    ),
    "engagement: confidence .nan": Case(
        _replace("confidence: 0.95", "confidence: .nan"),
        2,
        ("'thresholds.confidence' must be a number", "got nan"),
    ),
    "engagement: target .nan": Case(
        _replace("target: 20", "target: .nan"), 2, ("'nps.target' must be a number",)
    ),
    "plan import: a CSV named .xlsx": Case(
        _csv_named_xlsx, 2, ("is not an Excel workbook", "nothing was imported")
    ),
    "functions.csv saved with ';'": Case(
        _table("functions.csv", lambda t: t.replace(",", ";")),
        1,
        ("functions.csv", "it is separated by ';'", "save it as a comma-separated CSV"),
    ),
    "functions.csv with a capitalised header": Case(
        _table("functions.csv", lambda t: t.replace("function,", "Function,", 1)),
        1,
        ("the header has 'Function': write it as 'function'",),
    ),
    "roster.csv without its id column": Case(
        _table("roster.csv", lambda t: "\n".join(r.split(",", 1)[1] for r in t.splitlines())),
        1,
        ("roster.csv", "contact_id", "column is missing from the header"),
    ),
    "engagement: min_group_size 2": Case(
        _replace("min_group_size: 5", "min_group_size: 2"),
        0,
        ("thresholds.min_group_size", "use 3 at least (5 is usual)"),
    ),
    "engagement: waves out of time order": Case(
        _replace("waves: [2025-H1, 2025-H2, 2026-H1]", "waves: [2025-H2, 2025-H1, 2026-H1]"),
        0,
        ("2025-H2, 2025-H1", "list the waves oldest first"),
    ),
    "functions.csv: more respondents than people": Case(
        _table("functions.csv", lambda t: t.replace("Regulatory,45,", "Regulatory,3,", 1)),
        0,
        ("Regulatory:", "more than its headcount"),
    ),
    "responses.csv: one person rating a function twice in a wave": Case(
        _answered_twice,
        0,
        ("times in 2026-H1 (rows", "one answer per person, function and wave"),
    ),
    "functions.csv: a name with a Cyrillic letter": Case(
        _table("functions.csv", lambda t: t.replace("Regulatory,", "R\u0435gulatory,", 1)),
        1,
        ("mixes alphabets (CYRILLIC, LATIN: 'е')", "retype it"),
    ),
    "import: consent answered in words": Case(
        _consent_in_words,
        0,
        ("Consent not understood, so not given: 'Yes, please' (1), 'Sí' (1)",),
    ),
    "import: a mapping with a field twice": Case(
        _mapping_twice, 2, ("mapping.yaml, line 5: 'score' is set twice (lines 1 and 5)",)
    ),
    "audit: a bad engagement file": Case(_audit_bad_config, 2, ("min_group_size",)),
    "report: a bad engagement file": Case(_report_bad_config, 2, ("'client' is set twice",)),
    "validate: the sample as it is": Case(
        lambda folder: _validate(folder / "engagement.yaml"), 0, ("0 error(s)",)
    ),
}


def _checksums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_bad_input_gets_a_clear_answer_and_changes_nothing(name, sample_copy, capsys):
    case = CASES[name]
    argv = case.edit(sample_copy)
    before = _checksums(sample_copy)
    code = main(argv)
    said = capsys.readouterr()
    text = said.out + said.err
    assert "Traceback" not in text
    assert code == case.code, text
    for words in case.words:
        assert words in text, text
    after = _checksums(sample_copy)
    assert {k: v for k, v in after.items() if k in before} == before, "an input was changed"


def test_the_corpus_counts_its_classes():
    """For the closing note: how many inputs are refused, and how many accepted."""
    codes = [c.code for c in CASES.values()]
    assert codes.count(2) >= 10 and codes.count(0) >= 1


def test_consent_in_words_is_not_taken_as_consent(sample_copy, capsys):
    assert main(_consent_in_words(sample_copy)) == 0
    capsys.readouterr()
    written = pd.read_csv(sample_copy / "imported.csv")
    assert written["ok_to_contact"].tolist() == [False, False, True, False]
