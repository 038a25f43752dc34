"""What stops an import, said so a person can act on it.

:class:`Problem` is one unusable cell or mapping line (the file's own row, the column, the
value, its kind); :class:`ImportProblem` lists them all at once (at most ``SHOWN_PER_KIND``
lines per kind, what to do per kind, a summary by column and kind, where the full list is);
:func:`write_problems` writes that full list as CSV.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kit.errors import KitError

__all__ = [
    "SHOWN_PER_KIND",
    "Problem",
    "ImportProblem",
    "write_problems",
    "refusal",
    "listed",
    "row_ranges",
]

#: Lines shown per kind of problem before "... and N more like this".
SHOWN_PER_KIND = 50


@dataclass(frozen=True)
class Problem:
    """One thing that stops an import: where it is (the file's own row; None for the mapping),
    the column, the value, its kind and the sentence shown."""

    row: int | None
    column: str
    value: str
    kind: str
    message: str
    file: str = ""  # the export it is in (several files imported together)


#: What to do, said once per kind of problem.
_ADVICE = {
    "not a score": "a score is a whole number 0-10, alone or with a label ('9 - very likely'); "
    "correct these cells in a copy of the export, or add 'on_invalid: blank' (keep the row "
    "without a score) or 'on_invalid: drop' (leave the row out) to the mapping",
    "not a date": "correct these cells in a copy of the export, or add 'on_invalid: blank' or "
    "'on_invalid: drop' to the mapping",
    "not a whole number": "a driver rating is a whole number, alone or with a label; correct "
    "these cells, or add 'on_invalid: blank' or 'on_invalid: drop' to the mapping",
    "dates in both orders": "export the column again in one format (ISO 2026-01-05 is safest), "
    "or set 'dayfirst: true' or 'dayfirst: false' in the mapping: the dates that contradict "
    "it are then listed one by one",
    "date order unknown": "add 'dayfirst: true' (05/01 is 5 January) or 'dayfirst: false' "
    "(05/01 is 1 May) to the mapping",
    "cell too long": "shorten these cells in a copy of the export, or delete the column there "
    "if the mapping does not use it",
}


def listed(items: list, n: int, say=str) -> str:
    """The first ``n`` items said (by ``say``), joined by commas, and how many more there are.

    Example
    -------
    >>> listed(["Sales", "IT", "HR"], 2)
    'Sales, IT and 1 more'
    """
    shown = ", ".join(say(item) for item in items[:n])
    return shown + (f" and {len(items) - n} more" if len(items) > n else "")


def row_ranges(rows: list[int]) -> str:
    """12, 13, 14, 20 -> '12-14, 20'."""
    rows = sorted(set(rows))
    spans: list[list[int]] = []
    for r in rows:
        if spans and r == spans[-1][1] + 1:
            spans[-1][1] = r
        else:
            spans.append([r, r])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


class ImportProblem(KitError):
    """An export or mapping that cannot be imported, with every problem listed: at most
    ``SHOWN_PER_KIND`` lines per kind, a summary by column and kind, and where the full list is."""

    def __init__(self, path, problems: list, *, problems_file: Path | None = None):
        self.path = path
        self.problems = [
            p if isinstance(p, Problem) else Problem(None, "", "", "mapping", str(p))
            for p in problems
        ]
        self.problems_file = problems_file
        super().__init__(self._text())

    def _text(self) -> str:
        lines = [f"{self.path}: {len(self.problems)} problem(s); nothing was written:"]
        kinds: dict[str, list[Problem]] = {}
        for p in self.problems:
            kinds.setdefault(p.kind, []).append(p)
        for kind, items in kinds.items():
            lines += [f"  - {p.message}" for p in items[:SHOWN_PER_KIND]]
            if len(items) > SHOWN_PER_KIND:
                lines.append(f"  ... and {len(items) - SHOWN_PER_KIND} more like this")
            if kind in _ADVICE:
                lines.append(f"  What to do: {_ADVICE[kind]}.")
        cells = [p for p in self.problems if p.row is not None]
        if cells:
            lines.append("Summary by column and kind:")
            groups: dict[tuple[str, str, str], list[int]] = {}
            files = {p.file for p in cells}
            for p in cells:
                name = Path(p.file).name + ": " if len(files) > 1 else ""
                groups.setdefault((name, p.column, p.kind), []).append(p.row)
            for (name, column, kind), rows in groups.items():
                where = "row" if len(set(rows)) == 1 else "rows"
                lines.append(
                    f"  {name}{column!r}: {kind}, {len(rows)} ({where} {row_ranges(rows)})"
                )
        if self.problems_file is not None:
            lines.append(f"Full list: {self.problems_file}")
        return "\n".join(lines)


def write_problems(path: Path, file: Path, problems: list[Problem]) -> Path:
    """The full list of problems as CSV (file, row, column, value, kind, problem)."""
    pd.DataFrame(
        {
            "file": [p.file or str(file) for p in problems],
            "row": pd.array([p.row for p in problems], dtype="Int64"),
            "column": [p.column for p in problems],
            "value": [p.value for p in problems],
            "kind": [p.kind for p in problems],
            "problem": [p.message for p in problems],
        }
    ).to_csv(path, index=False)
    return path


def refusal(where, problems: list[Problem], problems_file: Path | None):
    if problems_file is not None:
        write_problems(problems_file, Path(str(where)), problems)
    return ImportProblem(where, problems, problems_file=problems_file)
