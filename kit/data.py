"""Load and validate the kit's tables.

Every table is a CSV file in the engagement's data folder (``responses.csv``, ``functions.csv``,
...). :func:`load` reads them as text (nothing is guessed or lost), checks each value against the
table's schema and the references between tables, and either returns typed DataFrames or raises
:class:`DataError` listing **every** problem with its file, row, column, value and what to do.
Input files are only read, never written.

Example
-------
>>> from kit.config import SAMPLE_CONFIG, load_engagement
>>> ds = load(load_engagement(SAMPLE_CONFIG))
>>> sorted(ds.responses["wave"].unique())
['2025-H1', '2025-H2', '2026-H1']
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gc
import hashlib
import io
import os
import pickle
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import numpy as np
import pandas as pd

from kit.config import ENGAGEMENT_LEVELS, Engagement
from kit.errors import KitError
from kit.importers import CONSENT_YES, parse_scores
from kit.stakeholders import SENIORITY

__all__ = [
    "Column",
    "SCHEMAS",
    "Problem",
    "DataError",
    "Dataset",
    "load",
    "validate",
    "problems_table",
    "file_hashes",
    "table_path",
    "write_version",
    "VERSIONED",
]


@dataclass(frozen=True)
class Column:
    """One column of a table: its kind and the rules its values follow."""

    name: str
    kind: str = "text"  # id | text | int | bool | date | datetime | choice
    required: bool = True  # the column must be present
    nullable: bool = False  # blank values allowed
    lo: int | None = None
    hi: int | None = None
    choices: tuple[str, ...] = ()
    ref: tuple[str, str] | None = None  # (table, column) the value must exist in
    hint: str = ""  # added to messages about a bad value


_LABEL_HINT = (
    ", or a label from stakeholders.influence_labels in engagement.yaml "
    "(e.g. Low, Medium, High, Very High)"
)


def _c(name: str, kind: str = "text", **kw) -> Column:
    return Column(name, kind, **kw)


_DRIVER = dict(kind="int", lo=1, hi=5, nullable=True, required=False)
_FUNC = ("functions", "function")
_STAKE = ("stakeholders", "stakeholder_id")

SCHEMAS: dict[str, tuple[Column, ...]] = {
    "functions": (
        _c("function", "id"),
        _c("headcount", "int", lo=1, hi=1_000_000, nullable=True),
        _c("head_id", nullable=True, ref=_STAKE),
        _c("predicted_nps", "int", lo=-100, hi=100, nullable=True, required=False),
    ),
    "responses": (
        _c("response_id", "id"),
        _c("wave"),
        _c("submitted_at", "datetime", nullable=True, required=False),
        _c("respondent_id", nullable=True, required=False),
        _c("respondent_function", ref=_FUNC),
        _c("provider_function", ref=_FUNC),
        _c("score", "int", lo=0, hi=10),
        _c("comment", nullable=True, required=False),
        _c("ok_to_contact", "bool", nullable=True, required=False),
        _c("contact_id", nullable=True, required=False, ref=("roster", "contact_id")),
    ),
    "stakeholders": (
        _c("stakeholder_id", "id"),
        _c("name"),
        _c("role", nullable=True),
        _c("function", ref=_FUNC),
        _c("level", nullable=True, required=False),
        _c("reports_to", nullable=True, required=False, ref=_STAKE),
        _c("influence", "int", lo=1, hi=5, hint=_LABEL_HINT),
        _c("interest", "int", lo=1, hi=5, hint=_LABEL_HINT),
        _c("power", "bool", nullable=True, required=False),
        _c("legitimacy", "bool", nullable=True, required=False),
        _c("urgency", "bool", nullable=True, required=False),
        _c("engagement_current", "choice", choices=ENGAGEMENT_LEVELS, nullable=True),
        _c("engagement_desired", "choice", choices=ENGAGEMENT_LEVELS, nullable=True),
        _c("relationship_owner", nullable=True, required=False, ref=_STAKE),
    ),
    "relationships": (
        _c("supplier_function", ref=_FUNC),
        _c("customer_function", ref=_FUNC),
        _c("deliverable"),
        _c("frequency", "choice", choices=("Daily", "Weekly", "Monthly", "Quarterly", "Ad hoc")),
        _c("criticality", "int", lo=1, hi=5),
    ),
    "touchpoints": (
        _c("touchpoint_id", "id"),
        _c("external_id"),
        _c("segment"),
        _c("function"),
        _c("channel"),
        _c("date", "date"),
        _c("topic", nullable=True, required=False),
    ),
    "followups": (
        _c("followup_id", "id"),
        _c("response_id", ref=("responses", "response_id")),
        _c("owner", ref=_STAKE),
        _c("created", "date"),
        _c("due", "date"),
        _c(
            "status",
            "choice",
            choices=("open", "contacted", "action agreed", "closed", "no response"),
        ),
        _c("first_contact_at", "date", nullable=True),
        _c("closed_at", "date", nullable=True),
        _c("action", nullable=True),
        _c("outcome", nullable=True),
    ),
    "invitations": (
        _c("wave"),
        _c("function", ref=_FUNC),
        _c("invited", "int", lo=1, hi=1_000_000),
    ),
    "comments": (
        _c("comment_id", "id"),
        _c("wave"),
        _c("respondent_id", nullable=True, required=False),
        _c("respondent_function", ref=_FUNC),
        _c("comment"),
        _c("ok_to_contact", "bool", nullable=True, required=False),
        _c("contact_id", nullable=True, required=False, ref=("roster", "contact_id")),
        _c("source_file", nullable=True, required=False),
    ),
    "roster": (
        _c("contact_id", "id"),
        _c("name"),
        _c("email", nullable=True),
        _c("function", ref=_FUNC),
        _c("stakeholder_id", nullable=True, required=False, ref=_STAKE),
    ),
}

#: What the packs do without an optional column: ``kit validate`` says it as a note, and
#: :func:`load` adds the column blank (consent: false), so every stage can read it.
ABSENT_COLUMN = {
    ("responses", "respondent_id"): "no respondent id: each rating counts as one person's and "
    "the participation section is left out",
    ("responses", "comment"): "no comment column: the comment themes and quotes are left out",
    ("responses", "ok_to_contact"): "no consent column: nobody will be contacted (the "
    "follow-up queue is empty)",
    ("responses", "contact_id"): "no contact id: nobody can be named for follow-up",
    ("functions", "predicted_nps"): "no predicted_nps column: the 360 gap (predicted against "
    "received scores) is left out",
    ("stakeholders", "level"): "no level column: seniority is taken from reporting lines only",
    ("stakeholders", "reports_to"): "no reports_to column: seniority is taken from levels only",
    ("stakeholders", "power"): "no power column: the salience section is left out",
    ("stakeholders", "legitimacy"): "no legitimacy column: the salience section is left out",
    ("stakeholders", "urgency"): "no urgency column: the salience section is left out",
    ("stakeholders", "relationship_owner"): "no relationship_owner column: each stakeholder's "
    "owner is suggested from the register (line manager or an engaged peer)",
    ("touchpoints", "topic"): "no topic column: touchpoints carry no topic",
    ("roster", "stakeholder_id"): "no stakeholder_id column: no answer is weighted by its "
    "author's influence",
}

#: Tables whose absence leaves sections out of the pack, as ``kit validate`` notes say.
ABSENT_TABLE = {
    "stakeholders": "is absent: the stakeholder mapping sections are left out",
    "relationships": "is absent: the SIPOC and network sections are left out",
    "touchpoints": "is absent: the touchpoint sections are left out",
    "followups": "is absent: no earlier follow-up to report",
    "roster": "is absent: nobody can be named for follow-up",
    "invitations": "is absent: participation is taken from functions.csv headcounts",
}


def _absent_notes(
    tables: dict[str, pd.DataFrame], folder: Path, cfg: Engagement | None
) -> list[Problem]:
    """One note per optional table or column that is absent, with what it means for the packs."""
    notes = [
        Problem(table_path(folder, t).name, None, None, None, means, severity="note")
        for t, means in ABSENT_TABLE.items()
        if t not in tables
    ]
    for (table, column), means in ABSENT_COLUMN.items():
        if table not in tables or column in tables[table].columns:
            continue
        if column == "contact_id" and "ok_to_contact" not in tables[table].columns:
            continue  # said by the consent note
        notes.append(Problem(f"{table}.csv", None, column, None, means, severity="note"))
    responses = tables.get("responses")
    for column in ("respondent_id", "comment"):  # `kit import` writes them blank if unmapped
        given = responses is not None and column in responses.columns and len(responses)
        if given and responses[column].isna().all():
            means = "blank " + ABSENT_COLUMN[("responses", column)].removeprefix("no ")
            notes.append(Problem("responses.csv", None, column, None, means, severity="note"))
    consent = responses is not None and {"ok_to_contact", "contact_id"} <= set(responses.columns)
    if (
        consent
        and responses["ok_to_contact"].eq(True).any()
        and responses["contact_id"].isna().all()
    ):
        means = (
            "blank contact ids although some respondents agreed to be contacted: nobody "
            "can be named for follow-up (map contact_id and add roster.csv)"
        )
        notes.append(Problem("responses.csv", None, "contact_id", None, means, "note"))
    if responses is not None and "wave" in responses.columns:
        notes += _dates_note(responses, cfg)
    return notes


def _undated_waves(responses: pd.DataFrame) -> list[str]:
    """The waves none of whose responses carries a submission date."""
    if "submitted_at" not in responses.columns:
        return list(dict.fromkeys(responses["wave"]))
    dated = responses.groupby("wave", sort=False)["submitted_at"].apply(lambda s: s.notna().any())
    return [w for w, any_date in dated.items() if not any_date]


def _dates_note(responses: pd.DataFrame, cfg: Engagement | None) -> list[Problem]:
    """What stands in for absent submission dates: the wave close dates of engagement.yaml."""
    undated = _undated_waves(responses)
    if not undated:
        return []
    closes = cfg.wave_closes if cfg else {}
    missing = [w for w in undated if w not in closes]
    waves = ", ".join(undated)
    means = (
        f"no submission dates in {waves}: the wave close dates in engagement.yaml "
        "(wave_closes) stand in for them; follow-up due dates count from them"
        if not missing
        else f"no submission dates in {waves}: follow-up due dates cannot be given as dates; "
        f"add the close date to engagement.yaml (wave_closes: {{{missing[0]}: YYYY-MM-DD}})"
    )
    return [Problem("responses.csv", None, "submitted_at", None, means, severity="note")]


def _dated_by_wave_close(responses: pd.DataFrame, closes: dict[str, str]) -> pd.DataFrame:
    """Responses of a wave with no submission date at all dated on the wave's close day."""
    undated = responses["wave"].isin(_undated_waves(responses))
    close = pd.to_datetime(responses["wave"].map(closes)).astype(responses["submitted_at"].dtype)
    return responses.assign(submitted_at=responses["submitted_at"].where(~undated, close))


def _with_optional_columns(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every absent optional column added, blank (consent absent = not given)."""
    out = df.copy()
    for col in SCHEMAS[table]:
        if col.name in out.columns:
            continue
        if col.kind == "bool":
            fill = False if (table, col.name) == ("responses", "ok_to_contact") else pd.NA
            out[col.name] = pd.Series(fill, index=out.index, dtype="boolean")
        elif col.kind == "int":
            out[col.name] = pd.Series(pd.NA, index=out.index, dtype="Int64")
        elif col.kind in ("date", "datetime"):
            out[col.name] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
        else:
            out[col.name] = pd.Series(None, index=out.index, dtype="object")
    return out


#: Tables a report cannot do without; the others may be absent (their stage says so).
REQUIRED_TABLES = ("functions", "responses")
DRIVER_PREFIX = "driver_"


@dataclass(frozen=True)
class Problem:
    """One problem in one cell (or file). ``row`` is the line number in the file (header = 1)."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    severity: str = "error"  # error | warning | note (an absent optional column or table)


def row_ranges(rows) -> str:
    """Line numbers as ranges: 12, 13, 14, 20 -> '12-14, 20'."""
    spans: list[list[int]] = []
    for r in sorted({int(r) for r in rows}):
        if spans and r == spans[-1][1] + 1:
            spans[-1][1] = r
        else:
            spans.append([r, r])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def grouped(problems: list[Problem]) -> pd.DataFrame:
    """Each distinct problem once (same severity, file, column and message), in the order
    first found: ``count``, the ``rows`` as ranges ('2-501, 610') and up to three
    ``examples`` of its values."""
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.severity, p.file, p.column, p.message), []).append(p)
    rows = []
    for (severity, file, column, message), ps in groups.items():
        values = list(dict.fromkeys(p.value for p in ps if p.value is not None))
        rows.append(
            {
                "severity": severity,
                "file": file,
                "column": column,
                "message": message,
                "count": len(ps),
                "rows": row_ranges(p.row for p in ps if p.row is not None),
                "examples": values[:3],
                "values": len(values),
            }
        )
    cols = ["severity", "file", "column", "message", "count", "rows", "examples", "values"]
    return pd.DataFrame(rows, columns=cols)


def grouped_lines(problems: list[Problem]) -> list[str]:
    """One line per distinct problem (:func:`grouped`): file, rows, column, value(s), what is
    wrong and what to do."""
    lines = []
    for g in grouped(problems).itertuples():
        single = g.rows.isdigit()
        spans = g.rows.split(", ")
        shown = g.rows if len(spans) <= 10 else ", ".join(spans[:10]) + ", ..."
        rows = f", row {shown}" if single else f", rows {shown}" if g.rows else ""
        column = g.column if isinstance(g.column, str) else ""  # a whole file: NaN in the frame
        where = g.file + rows + (f", column '{column}'" if column else "")
        if g.values == 1 and g.count == 1:
            value = f" (value {g.examples[0]!r})"
        elif g.values:
            more = f" and {g.values - 3} other value(s)" if g.values > 3 else ""
            value = f" ({g.count} cells: {', '.join(map(repr, g.examples))}{more})"
        else:
            value = f" ({g.count} times)" if g.count > 1 else ""
        lines.append(f"  - {where}{value}: {g.message}")
    return lines


class DataError(KitError):
    """The data cannot be used. ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem], *, folder: Path | str = ""):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        head = f"{len(errors)} problem(s) in the data" + (f" in {folder}" if folder else "")
        lines = grouped_lines(errors)
        more = f"\n  ... and {len(lines) - 50} more kinds" if len(lines) > 50 else ""
        super().__init__(
            f"{head}:\n" + "\n".join(lines[:50]) + more + "\nFix these in the files (they are "
            "never changed by the kit) and run again."
        )


def _format(p: Problem) -> str:
    where = (
        p.file
        + (f", row {p.row}" if p.row else "")
        + (f", column '{p.column}'" if p.column else "")
    )
    value = f" (value {p.value!r})" if p.value is not None else ""
    return f"  - {where}{value}: {p.message}"


@dataclass
class Dataset:
    """The typed tables of one engagement, plus the problems found that did not block."""

    responses: pd.DataFrame
    functions: pd.DataFrame
    stakeholders: pd.DataFrame
    relationships: pd.DataFrame
    touchpoints: pd.DataFrame
    followups: pd.DataFrame
    roster: pd.DataFrame
    folder: Path
    warnings: list[Problem] = field(default_factory=list)
    #: Optional: how many people of each function were invited to each wave.
    invitations: pd.DataFrame = field(default_factory=lambda: _empty("invitations"))
    #: Optional: general comments, about no one function (``comments.csv``).
    comments: pd.DataFrame = field(default_factory=lambda: _empty("comments"))
    #: Optional columns absent from their file and filled blank by :func:`load`
    #: (``"responses.ok_to_contact"``): sections say what is missing.
    absent: frozenset[str] = frozenset()
    #: A large touchpoint log (CSV or Parquet) left on disk for DuckDB
    #: (:func:`kit.touchpoints.log_file`); ``touchpoints`` is then empty.
    touchpoints_file: Path | None = None

    @property
    def drivers(self) -> list[str]:
        """The driver rating columns present in the responses (``driver_*``)."""
        return [c for c in self.responses.columns if c.startswith(DRIVER_PREFIX)]


#: Tables above this size are refused before reading (they would take more than 10 s and
#: 1 GB to check); ``KIT_MAX_TABLE_MB`` raises it for a larger engagement.
MAX_TABLE_MB_ENV = "KIT_MAX_TABLE_MB"
DEFAULT_MAX_TABLE_MB = 20
#: The longest cell a spreadsheet holds (Excel): a longer one is a damaged file (an unclosed
#: quote swallowing the rows after it) or not survey data.
MAX_CELL_CHARS = 32_767
_SHOWN_CHARS = 60  # of a value quoted in a message
_MAX_FIELD = 16_000_000  # characters of one cell the CSV reader takes (its default: 131,072)


def _shown(value: str) -> str:
    """A value short enough to print: a 300,000-character cell is not quoted in full."""
    value = str(value)
    if len(value) <= _SHOWN_CHARS:
        return value
    return f"{value[:_SHOWN_CHARS]}... ({len(value):,} characters)"


def _mb(n: int) -> str:
    return f"{n / 1e6:.2g}" if n < 10e6 else f"{n / 1e6:,.0f}"


def max_table_bytes() -> int:
    """The largest table read (:data:`DEFAULT_MAX_TABLE_MB`, or ``KIT_MAX_TABLE_MB``)."""
    given = os.environ.get(MAX_TABLE_MB_ENV, "").strip()
    if not given:
        return DEFAULT_MAX_TABLE_MB * 1_000_000
    try:
        mb = float(given)
    except ValueError:
        mb = float("nan")
    if not mb > 0 or mb == float("inf"):
        raise KitError(
            f"{MAX_TABLE_MB_ENV}={given!r} is not a size in megabytes; set it to a number "
            f"such as 200, or unset it for the default ({DEFAULT_MAX_TABLE_MB})"
        )
    return int(mb * 1_000_000)


def _byte_problem(path: Path) -> str | None:
    """What makes a file unreadable as UTF-8 CSV text, said with its line, or None. Read in
    blocks: a large file is never held whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with open(path, "rb") as f:
        first = True
        while block := f.read(1 << 20):
            if first:
                first = False
                if block.startswith((b"\xff\xfe", b"\xfe\xff")):
                    return "is saved as UTF-16 text; save it as UTF-8 ('CSV UTF-8' in Excel)"
                if block.startswith(b"PK\x03\x04"):
                    return (
                        "is a zip file or an Excel workbook, not a CSV: open it in Excel and "
                        "save it as 'CSV UTF-8'"
                    )
            nul = block.find(b"\x00")
            if nul >= 0:  # no text holds one: binary, whatever else is wrong with it
                at = line + block[:nul].count(b"\n")
                return (
                    f"holds a NUL byte at line {at}: it is a binary file, not CSV text; "
                    "export the table again as CSV"
                )
            try:
                decoder.decode(block, final=False)
            except UnicodeDecodeError as exc:
                at = line + block[: exc.start].count(b"\n")
                return (
                    f"is not UTF-8 text: line {at} has the byte(s) {block[exc.start : exc.end]!r}"
                    " (a file saved in a Windows or Mac code page); save it as 'CSV UTF-8', or "
                    "bring it in with kit import, which detects the encoding"
                )
            line += block.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return f"is not UTF-8 text: it ends inside a character (line {line}); save it again"
    return None


def _rows(path: Path) -> tuple[list[str], list[list[str]], list[int], list[Problem]]:
    """The header and rows of a CSV file, with a problem for each row whose number of cells
    differs from the header's and for a quote never closed (line numbers as the file counts
    them). The third list: each row's first line."""
    name = path.name
    limit = csv.field_size_limit()
    with open(path, encoding="utf-8-sig", newline="") as f:
        csv.field_size_limit(max(limit, _MAX_FIELD))  # long cells are answered below, by size
        reader = csv.reader(f, strict=True)
        rows, starts, start = [], [], 1
        try:
            for row in reader:
                if row:  # a blank line is no row
                    rows.append(row)
                    starts.append(start)
                start = reader.line_num + 1
        except csv.Error as exc:
            said = str(exc)
            why = (
                f"a cell starting at line {start} is longer than any survey answer: a quote "
                '(") opened there is probably never closed; check that line'
                if "field larger" in said
                else unclosed_quote(start)
                if "unexpected end of data" in said
                else f"line {reader.line_num} cannot be read as CSV ({said}): a quote inside a "
                'value must be doubled ("") and the value quoted'
            )
            return [], [], [], [Problem(name, None, None, None, why)]
        finally:
            csv.field_size_limit(limit)
    if not rows:
        empty = "is empty; it needs at least its header line"
        return [], [], [], [Problem(name, None, None, None, empty)]
    return _header_problems(name, rows, starts)


def _plain_table(path: Path) -> pd.DataFrame | None:
    """The table of a file the CSV reader would read line by line and comma by comma (no
    quote, carriage return or blank line) whose every row has the header's cells, read by
    pandas' C parser in a fifth of the CSV reader's time, its index the file's line - 2;
    None for any other file (read by :func:`_rows`, which says what is wrong with it)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        text = f.read()
    if not text or text[0] == "\n" or any(c in text for c in ('"', "\r", "\n\n")):
        return None
    header = text.split("\n", 1)[0].split(",")
    if len(set(header)) < len(header) or not _same_cells(text, len(header)):
        return None
    try:
        table = pd.read_csv(
            io.StringIO(text),
            dtype=object,
            na_filter=False,
            keep_default_na=False,
            index_col=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        return None
    lines = text.count("\n") + (not text.endswith("\n"))
    if len(table) != lines - 1 or list(table.columns) != header:
        return None
    return table


def _same_cells(text: str, width: int) -> bool:
    """Whether every line of a quote-free ``text`` has ``width`` cells (its commas counted
    per line, all at once) and none is longer than the CSV reader takes (that one is the
    CSV reader's to say)."""
    b = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)  # ',' and newline are one byte
    ends = np.flatnonzero(b == ord("\n"))
    if not text.endswith("\n"):
        ends = np.append(ends, len(b))
    per_line = np.diff(np.searchsorted(np.flatnonzero(b == ord(",")), ends), prepend=0)
    longest = int(np.diff(ends, prepend=-1).max())
    return bool((per_line == width - 1).all()) and longest <= _MAX_FIELD


def ragged_row(cells: int, width: int) -> str:
    """What a row with another number of cells than its header is told."""
    return (
        f"has {cells} cells where the header has {width}: a value holding a comma needs "
        "quotes, or a cell is missing"
    )


def unclosed_quote(line: int) -> str:
    """What a file with a quote never closed is told."""
    return f'a quote (") opened at line {line} is never closed; close it or remove it'


def _header_problems(
    name: str, rows: list[list[str]], starts: list[int]
) -> tuple[list[str], list[list[str]], list[int], list[Problem]]:
    """The header, the body rows and their lines, with a problem for each row whose number of
    cells differs from the header's and for a column named twice."""
    problems: list[Problem] = []
    header, body, lines = rows[0], rows[1:], starts[1:]
    width = len(header)
    for row, line in zip(body, lines, strict=True):
        if len(row) != width:
            problems.append(
                Problem(
                    name,
                    line,
                    None,
                    None,
                    ragged_row(len(row), width),
                )
            )
    seen: set[str] = set()
    for column in header:
        if column in seen:
            problems.append(
                Problem(name, 1, column, None, "is in the header twice; keep one column of it")
            )
        seen.add(column)
    return header, body, lines, problems


def read_table(path: Path | str, *, warnings: list[Problem] | None = None) -> pd.DataFrame:
    """A kit-layout table (``responses.csv``...) as text, exactly as written: nothing turned
    into NaN, nothing guessed. The one reader of the kit's tables.

    A cell longer than a spreadsheet cell holds (:data:`MAX_CELL_CHARS`) is kept and said as a
    warning, added to ``warnings`` when given.

    Raises
    ------
    DataError
        Naming the file and what to do when it is a folder, too large
        (:func:`max_table_bytes`), empty, binary, not UTF-8 (the line), has rows with more or
        fewer cells than its header (their lines), a quote never closed or a column twice.
    """
    path = Path(path)

    def refused(message: str) -> DataError:
        return DataError([Problem(path.name, None, None, None, message)], folder=path.parent)

    if path.is_dir():
        raise refused("is a folder, not a file; the table must be a CSV file of that name")
    size, limit = path.stat().st_size, max_table_bytes()
    if size > limit:
        raise refused(
            f"is {_mb(size)} MB, above the kit's limit of {_mb(limit)} MB per "
            f"table; check it is the right file, or raise the limit ({MAX_TABLE_MB_ENV}=<MB>)"
        )
    said = _byte_problem(path)
    if said:
        raise refused(said)
    table = _plain_table(path)
    if table is None:
        header, body, lines, problems = _rows(path)
        if problems:
            raise DataError(problems, folder=path.parent)
        table = (
            # indexed by line - 2, so that row i + 2 is the file's own line (a comment may
            # span several lines); :func:`load` numbers the rows 0, 1, 2... again
            pd.DataFrame(body, columns=header, dtype=object, index=[n - 2 for n in lines])
            if body
            else pd.DataFrame({c: pd.Series(dtype=object) for c in header})
        )
    for column in table.columns if warnings is not None else []:
        values = table[column]  # text, as the reader gave it
        cells = values.to_numpy()
        lengths = np.fromiter(map(len, cells), dtype=np.int64, count=len(cells))
        for i in values.index[lengths > MAX_CELL_CHARS]:
            warnings.append(
                Problem(
                    path.name,
                    int(i) + 2,
                    column,
                    _shown(values[i]),
                    f"is {len(values[i]):,} characters long, more than a spreadsheet cell "
                    f"holds ({MAX_CELL_CHARS:,}): check the file is not damaged (a quote "
                    "swallowing rows) and the cell is what was answered",
                    severity="warning",
                )
            )
    return table


#: The words read as yes and as no in every yes/no column: ``kit import``'s consent words
#: (:data:`kit.importers.CONSENT_YES`), so ``kit validate`` and ``kit import`` agree.
YES_WORDS = frozenset(CONSENT_YES)
NO_WORDS = frozenset({"no", "n", "false", "0", "nein", "non"})
_WHOLE = re.compile(r"^-?\d+(?:\.0+)?$")  # 12, -30, 12.0; not 1e1, 1,200 or 7.5
#: A time zone after a time: Z, +02:00, -0500.
_ZONE = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$")
#: :data:`_ZONE` at the end of a cell, in cells joined by NUL (stripped: no newline ends one).
_ZONE_JOINED = re.compile(_ZONE.pattern[:-1] + r"(?=\x00|\Z)")


def _joined(values: pd.Series) -> str | None:
    """The cells joined by NUL (which no table read holds), for one search over a whole
    column; None if a cell is not text."""
    try:
        return "\x00".join(values.to_numpy())
    except TypeError:
        return None


#: The ASCII bytes ``str.strip`` removes.
_SPACE_BYTE = np.zeros(256, dtype=bool)
_SPACE_BYTE[[ord(c) for c in " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"]] = True


def _edge_space(joined: str) -> bool:
    """Whether a cell of an ASCII column joined by NUL starts or ends with a space (the bytes
    beside each NUL, looked at all at once)."""
    b = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    if not len(b):
        return False
    sep = b == 0
    ends = np.concatenate((b[[0, -1]], b[1:][sep[:-1]], b[:-1][sep[1:]]))
    return bool(_SPACE_BYTE[ends].any())


def _stripped(values: pd.Series, joined: str | None) -> pd.Series:
    """``values.str.strip()``; the column itself when no cell has space at either end
    (``joined``: :func:`_joined` of ``values``)."""
    if joined is None:  # a cell that is not text
        return values.str.strip()
    if joined.isascii() and not _edge_space(joined):
        return values
    cells = values.to_numpy()
    return pd.Series([v.strip() for v in cells], index=values.index, dtype=values.dtype)


def _zoned(raw: pd.Series, joined: str | None) -> pd.Series:
    """Cells ending in a time with a time zone (:data:`_ZONE`): looked for cell by cell only
    when the cells joined (``joined``, :func:`_joined` of ``raw``) have one."""
    if joined is not None and not _ZONE_JOINED.search(joined):
        return pd.Series(False, index=raw.index)
    return raw.str.contains(_ZONE)


def _dates(cells: pd.Series) -> pd.Series:
    """ISO dates and times read as UTC without their zone, NaT where none; each distinct
    value read once (a log has a few hundred days in its hundred thousands of rows)."""
    codes, distinct = pd.factorize(cells)
    read = pd.to_datetime(
        pd.Series(distinct, dtype=object), errors="coerce", format="ISO8601", utc=True
    ).dt.tz_localize(None)
    if not len(read):  # every cell blank
        return read.reindex(range(len(codes))).set_axis(cells.index)
    return read.iloc[np.maximum(codes, 0)].where(codes >= 0).set_axis(cells.index)


def _check_column(table: str, df: pd.DataFrame, col: Column, out: list[Problem]) -> pd.Series:
    column = df[col.name]
    joined = _joined(column)
    raw = _stripped(column, joined)
    if raw is not column:
        joined = _joined(raw)
    blank = raw.eq("")
    fname = f"{table}.csv"

    def flag(mask: pd.Series, message: str, severity: str = "error") -> None:
        for i in mask[mask].index:
            out.append(
                Problem(fname, int(i) + 2, col.name, _shown(df.at[i, col.name]), message, severity)
            )

    if not col.nullable:
        flag(blank, "is blank; every row needs a value here")
    if col.kind == "id":
        flag(raw.duplicated(keep=False) & ~blank, "is a duplicate id; ids must be unique")
    if col.kind == "int":
        rng = f" from {col.lo} to {col.hi}" if col.lo is not None else ""
        if table == "responses" and (col.name == "score" or col.name.startswith(DRIVER_PREFIX)):
            # the importer's reading of a rating: 9, 9.0, '9 - very likely'; not 9/10, 5+, 1e1
            num, _ = parse_scores(raw.where(~blank, ""))
            what = f"is not a whole number{rng} (as kit import reads a score: not 9/10, 5+, 1e1)"
        else:
            whole_text = raw.str.fullmatch(_WHOLE).fillna(False)
            num = pd.to_numeric(raw.where(whole_text & ~blank), errors="coerce")
            what = f"is not a whole number{rng}{col.hint}"
        whole = num.notna()
        flag(~blank & ~whole, what)
        inside = whole & num.between(col.lo, col.hi) if col.lo is not None else whole
        flag(whole & ~inside, f"is outside the allowed range{rng}")
        return num.where(inside).astype("Int64")
    if col.kind == "bool":
        yes, no = YES_WORDS, NO_WORDS
        low = raw.str.lower()
        flag(
            ~blank & ~low.isin(yes | no),
            f"is not read as yes or no: write true or false (also read: "
            f"{', '.join(sorted(yes - {'true'}))} as yes; {', '.join(sorted(no - {'false'}))}"
            " as no)",
        )
        return low.map(lambda v: True if v in yes else (False if v in no else pd.NA)).astype(
            "boolean"
        )
    if col.kind in ("date", "datetime"):
        zoned = _zoned(raw, joined) & ~blank
        parsed = _dates(raw.where(~blank))
        flag(~blank & parsed.isna(), "is not a date in ISO format (YYYY-MM-DD)")
        flag(
            zoned & parsed.notna(),
            "carries a time zone: read as the UTC time (dates without a zone are read as "
            "written); write all dates without a zone if they are local times",
            severity="warning",
        )
        return parsed
    if col.kind == "choice":
        flag(~blank & ~raw.isin(col.choices), f"must be one of: {', '.join(col.choices)}")
    return raw.where(~blank, None).astype("object") if col.nullable else raw


def _check_table(table: str, df: pd.DataFrame, out: list[Problem]) -> pd.DataFrame:
    schema = SCHEMAS[table]
    missing = [c.name for c in schema if c.required and c.name not in df.columns]
    folded = {" ".join(str(c).lower().split()): c for c in df.columns}
    one = len(df.columns) == 1 and any(d in str(df.columns[0]) for d in ";\t|")
    for name in missing:
        near = folded.get(name)
        out.append(
            Problem(
                f"{table}.csv",
                1,
                name,
                None,
                "column is missing from the header; "
                + (
                    "the file reads as one column: it is separated by ';' (or tabs), save it "
                    "as a comma-separated CSV"
                    if one
                    else f"the header has {near!r}: write it as {name!r}"
                    if near is not None
                    else "add it (see README, data model)"
                ),
            )
        )
    typed = df.copy()
    for col in schema:
        if col.name in df.columns:
            typed[col.name] = _check_column(table, df, col, out)
    if table == "responses":
        for name in [c for c in df.columns if c.startswith(DRIVER_PREFIX)]:
            typed[name] = _check_column(table, df, Column(name, **_DRIVER), out)
    return typed


#: Characters that show nothing but change what text means or how it reads: zero-width
#: spaces and joiners, the byte-order mark, and the controls that reverse text direction
#: (they can make "Regulatory" and "Regulatory" different ids, or disguise a comment).
INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _strip_invisible(table: str, df: pd.DataFrame, out: list[Problem]) -> pd.DataFrame:
    """The table without invisible characters; each cell that had some is reported."""
    clean = df.copy()
    for col in df.columns:
        joined = _joined(df[col])
        if joined is not None and (joined.isascii() or not INVISIBLE.search(joined)):
            continue  # one search per column, none per cell
        text = df[col].astype(str)
        hit = text.str.contains(INVISIBLE)
        for i in hit[hit].index:
            out.append(
                Problem(
                    f"{table}.csv",
                    int(i) + 2,
                    col,
                    df.at[i, col],
                    "contained invisible characters (zero-width or text-direction controls); "
                    "they were removed for the analysis (the file is unchanged)",
                    severity="warning",
                )
            )
        if hit.any():
            clean[col] = text.str.replace(INVISIBLE, "", regex=True)
    return clean


def _map_labels(df: pd.DataFrame, labels: dict[str, int]) -> pd.DataFrame:
    """Influence and interest written as labels (any case and spacing) become 1-5."""
    out = df.copy()
    for col in ("influence", "interest"):
        if col in out.columns:
            key = out[col].str.lower().str.split().str.join(" ")
            out[col] = key.map({k: str(v) for k, v in labels.items()}).fillna(out[col])
    return out


def _check_reporting_lines(register: pd.DataFrame, out: list[Problem]) -> None:
    """A reports-to chain that comes back to where it started is an error, named in full."""
    if "reports_to" not in register.columns:
        return
    boss = dict(zip(register["stakeholder_id"], register["reports_to"], strict=True))
    row = {sid: int(i) + 2 for i, sid in register["stakeholder_id"].items()}
    seen_cycles: set[frozenset] = set()
    for start in boss:
        path, node = [], start
        while isinstance(node, str) and node in boss and node not in path:
            path.append(node)
            node = boss[node]
        if node in path:
            cycle = path[path.index(node) :]
            if frozenset(cycle) not in seen_cycles:
                seen_cycles.add(frozenset(cycle))
                chain = " -> ".join([*cycle, cycle[0]])
                out.append(
                    Problem(
                        "stakeholders.csv",
                        row[cycle[0]],
                        "reports_to",
                        boss[cycle[0]],
                        f"makes a reporting cycle ({chain}); someone in it must report "
                        "outside it or to nobody",
                    )
                )


def _check_register(register: pd.DataFrame, out: list[Problem]) -> None:
    """Warnings on entries of the stakeholder register that contradict each other: a desired
    engagement below the current one, Mitchell's power against the grid's influence at the
    ends of its scale (power but the lowest influence, no power but the highest), and a level
    the kit cannot rank (:data:`kit.stakeholders.SENIORITY`)."""
    if not {"stakeholder_id", "name"} <= set(register.columns):
        return
    rank = {level: i for i, level in enumerate(ENGAGEMENT_LEVELS)}

    def warn(i, column: str, value, message: str) -> None:
        who = f"{register.at[i, 'stakeholder_id']} {register.at[i, 'name']}"
        out.append(
            Problem(
                "stakeholders.csv",
                int(i) + 2,
                column,
                None if pd.isna(value) else str(value),
                f"{who}: {message}",
                severity="warning",
            )
        )

    if {"engagement_current", "engagement_desired"} <= set(register.columns):
        now = register["engagement_current"].map(rank)
        needed = register["engagement_desired"].map(rank)
        for i in register.index[(needed < now).fillna(False)]:
            current, desired = (
                register.at[i, "engagement_current"],
                register.at[i, "engagement_desired"],
            )
            warn(
                i,
                "engagement_desired",
                desired,
                f"the desired engagement ({desired}) is below the current one ({current}): the "
                "register asks to make them less engaged; check both columns",
            )
    if {"power", "influence"} <= set(register.columns):
        power = register["power"].astype("boolean")
        influence = pd.to_numeric(register["influence"], errors="coerce")
        for i in register.index[(power.eq(True) & influence.eq(1)).fillna(False)]:
            warn(
                i,
                "power",
                "true",
                "has power (Mitchell's salience) but influence 1, the lowest on the "
                "power/interest grid; the two disagree: check both columns",
            )
        for i in register.index[(power.eq(False) & influence.eq(5)).fillna(False)]:
            warn(
                i,
                "power",
                "false",
                "has no power (Mitchell's salience) but influence 5, the highest on the "
                "power/interest grid; the two disagree: check both columns",
            )
    if "level" in register.columns:
        known = {" ".join(level.lower().split()) for level in SENIORITY}
        level = register["level"]
        folded = level.map(lambda v: " ".join(v.lower().split()) if isinstance(v, str) else "")
        for i in register.index[level.notna() & (folded != "") & ~folded.isin(known)]:
            warn(
                i,
                "level",
                level[i],
                f"is not one of {', '.join(SENIORITY)}; seniority (who may be suggested to "
                "engage them) is taken from the reporting line (reports_to) instead",
            )


def _check_refs(
    tables: dict[str, pd.DataFrame], raw: dict[str, pd.DataFrame], out: list[Problem]
) -> None:
    for table, df in tables.items():
        for col in SCHEMAS[table]:
            if col.ref is None or col.name not in df.columns or col.ref[0] not in tables:
                continue
            target_table, target_col = col.ref
            if target_col not in tables[target_table].columns:
                continue  # reported as a missing column of the target: nothing to check against
            known = tables[target_table][target_col].dropna()
            values = df[col.name]
            bad = values.notna() & ~values.isin(known)
            if not bad.any():
                continue
            folded = {" ".join(str(k).lower().split()): k for k in set(known)}
            message: dict[str, str] = {}  # one sentence per distinct value
            for i, value, written in zip(
                bad.index[bad], values[bad], raw[table][col.name][bad], strict=True
            ):
                if value not in message:
                    near = folded.get(" ".join(str(value).lower().split()))
                    hint = (
                        f"differs from {near!r} only by case or spacing; write it as {near!r}"
                        if near
                        else "add it there or correct the spelling"
                    )
                    message[value] = f"is not a known {target_col} in {target_table}.csv; {hint}"
                out.append(Problem(f"{table}.csv", int(i) + 2, col.name, written, message[value]))


def _scripts(text: str) -> set[str]:
    """The writing systems of a text's letters (LATIN, CYRILLIC, GREEK...)."""
    return {unicodedata.name(c, "?").split()[0] for c in text if c.isalpha()}


def _check_sense(
    responses: pd.DataFrame,
    functions: pd.DataFrame | None,
    cfg: Engagement | None,
    out: list[Problem],
) -> None:
    """Values each fine alone that together say something is wrong: a threshold too low to
    keep anyone anonymous, waves listed out of time order, more respondents than people, one
    person rating one function twice in a wave, a name mixing alphabets (prints like another)."""
    if cfg is not None and cfg.thresholds.min_group_size < 3:
        out.append(
            Problem(
                "engagement.yaml",
                None,
                "thresholds.min_group_size",
                str(cfg.thresholds.min_group_size),
                "shows groups this small: a score of one or two people tells each answer; "
                "use 3 at least (5 is usual)",
                severity="warning",
            )
        )
    if cfg is not None and {"wave", "submitted_at"} <= set(responses.columns):
        dated = responses.dropna(subset=["submitted_at"])
        middle = dated.groupby("wave")["submitted_at"].median()
        known = [w for w in cfg.waves if w in middle.index]
        for earlier, later in zip(known, known[1:], strict=False):
            if middle[later] < middle[earlier]:
                out.append(
                    Problem(
                        "engagement.yaml",
                        None,
                        "waves",
                        f"{earlier}, {later}",
                        f"are listed in this order, but {later}'s answers came before "
                        f"{earlier}'s (middle dates {middle[later]:%Y-%m-%d} and "
                        f"{middle[earlier]:%Y-%m-%d}): list the waves oldest first",
                        severity="warning",
                    )
                )
    if (
        functions is not None
        and {"function", "headcount"} <= set(functions.columns)
        and {"respondent_id", "respondent_function", "wave"} <= set(responses.columns)
    ):
        people = (
            responses.dropna(subset=["respondent_id"])
            .groupby(["wave", "respondent_function"])["respondent_id"]
            .nunique()
        )
        heads = functions.drop_duplicates("function").set_index("function")["headcount"]
        for (wave, function), n in people.items():
            head = heads.get(function)
            if head is not None and pd.notna(head) and n > head:
                out.append(
                    Problem(
                        "functions.csv",
                        None,
                        "headcount",
                        str(int(head)),
                        f"{function}: {n} people answered in {wave}, more than its headcount; "
                        "check the headcount or the respondents' function",
                        severity="warning",
                    )
                )
    keys = ["wave", "respondent_id", "provider_function"]
    if set(keys) <= set(responses.columns):
        rated = responses.dropna(subset=["respondent_id"])
        twice = rated[rated.duplicated(keys, keep=False)]
        for (wave, person, function), rows in twice.groupby(keys).groups.items():
            lines = ", ".join(str(int(i) + 2) for i in rows)
            out.append(
                Problem(
                    "responses.csv",
                    int(rows[0]) + 2,
                    "respondent_id",
                    str(person),
                    f"rates {function} {len(rows)} times in {wave} (rows {lines}): one "
                    "answer per person, function and wave; keep one",
                    severity="warning",
                )
            )
    listed = functions is not None and "function" in functions.columns
    names = {n: "functions.csv" for n in functions["function"].dropna()} if listed else {}
    for col in ("respondent_function", "provider_function"):
        if col in responses.columns:
            names.update(
                dict.fromkeys(
                    set(responses[col].dropna().astype(str).unique()) - set(names),
                    "responses.csv",
                )
            )
    for name, where in sorted(names.items()):
        scripts = _scripts(name)
        if len(scripts) > 1:
            odd = [
                c for c in name if c.isalpha() and unicodedata.name(c, "?").split()[0] != "LATIN"
            ]
            out.append(
                Problem(
                    where,
                    None,
                    "function" if where == "functions.csv" else "provider_function",
                    name,
                    f"mixes alphabets ({', '.join(sorted(scripts))}: {', '.join(map(repr, odd))}"
                    "): it prints like another name but is not the same; retype it",
                )
            )


def _check_self_ratings(responses: pd.DataFrame, out: list[Problem]) -> None:
    """A warning per function rated by its own people (respondent_function ==
    provider_function), with the count and rows: counted in its score like any rating."""
    if not {"respondent_function", "provider_function"} <= set(responses.columns):
        return
    own = responses["respondent_function"].eq(responses["provider_function"]).fillna(False)
    for function, rows in responses[own].groupby("provider_function").groups.items():
        lines = [int(i) + 2 for i in rows]
        out.append(
            Problem(
                "responses.csv",
                lines[0],
                "provider_function",
                str(function),
                f"{len(lines)} rating(s) of {function} by its own people (self-ratings, rows "
                f"{row_ranges(lines)}): they count in its score like any other; remove them "
                "if the survey asks each function about the others only",
                severity="warning",
            )
        )


def _check_responses(
    responses: pd.DataFrame, cfg: Engagement | None, out: list[Problem], table: str = "responses"
) -> None:
    """Waves listed in engagement.yaml, contact ids only with consent; for the responses, a
    warning for a wave with fewer answers than the anonymity threshold. ``table`` is the
    file's name (the general comments follow the same rules)."""
    fname = f"{table}.csv"
    if {"ok_to_contact", "contact_id"} <= set(responses.columns):
        leak = responses["contact_id"].notna() & responses["ok_to_contact"].ne(True).fillna(True)
        for i in leak[leak].index:
            out.append(
                Problem(
                    fname,
                    int(i) + 2,
                    "contact_id",
                    responses.at[i, "contact_id"],
                    "is set although ok_to_contact is not true; remove it "
                    "(contact details only with consent)",
                )
            )
    if cfg is None or "wave" not in responses.columns:
        return
    bad = ~responses["wave"].isin(cfg.waves)
    for i in bad[bad].index:
        out.append(
            Problem(
                fname,
                int(i) + 2,
                "wave",
                responses.at[i, "wave"],
                f"is not a wave listed in engagement.yaml {list(cfg.waves)}",
            )
        )
    if table != "responses":
        return
    counts = responses["wave"].value_counts()
    for wave in cfg.waves:
        n = int(counts.get(wave, 0))
        if n < cfg.thresholds.min_group_size:
            out.append(
                Problem(
                    "responses.csv",
                    None,
                    "wave",
                    wave,
                    f"has only {n} responses; most results for it will be suppressed",
                    severity="warning",
                )
            )


def _check_followup_dates(followups: pd.DataFrame, out: list[Problem]) -> None:
    """A follow-up's dates in the order things happen: due, first contact and closing on or
    after its creation, closing on or after the first contact."""
    order = [
        ("due", "created", "is before the follow-up was created"),
        ("first_contact_at", "created", "is before the follow-up was created"),
        ("closed_at", "created", "is before the follow-up was created"),
        ("closed_at", "first_contact_at", "is before the first contact"),
    ]
    for later, earlier, what in order:
        if not {later, earlier} <= set(followups.columns):
            continue
        wrong = (followups[later] < followups[earlier]).fillna(False)
        for i in wrong[wrong].index:
            out.append(
                Problem(
                    "followups.csv",
                    int(i) + 2,
                    later,
                    f"{followups.at[i, later]:%Y-%m-%d}",
                    f"{what} ({earlier} {followups.at[i, earlier]:%Y-%m-%d}); correct either date",
                )
            )


def _check_consent(followups: pd.DataFrame, responses: pd.DataFrame, out: list[Problem]) -> None:
    """A follow-up only goes back to someone who agreed to be contacted."""
    if not {"response_id", "ok_to_contact"} <= set(responses.columns) or followups.empty:
        return
    agreed = responses.set_index("response_id")["ok_to_contact"].eq(True)
    agreed = agreed[~agreed.index.duplicated()]
    known = followups["response_id"].isin(agreed.index)
    refused = known & ~followups["response_id"].map(agreed).fillna(False).astype(bool)
    for i in refused[refused].index:
        out.append(
            Problem(
                "followups.csv",
                int(i) + 2,
                "response_id",
                followups.at[i, "response_id"],
                "is a response whose author did not agree to be contacted (ok_to_contact); "
                "remove the follow-up",
            )
        )


def _empty(table: str) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype="object") for c in SCHEMAS[table]})


#: Tables the kit writes new versions of (``<table>.vN.csv``), never overwriting the last one.
VERSIONED = ("followups", "stakeholders")


def _versions(folder: Path, table: str) -> list[tuple[int, Path]]:
    pattern = re.compile(rf"{table}\.v(\d+)\.csv")
    return sorted(
        (int(m.group(1)), p)
        for p in folder.glob(f"{table}.v*.csv")
        if (m := pattern.fullmatch(p.name))
    )


def table_path(folder: Path | str, table: str) -> Path:
    """Where a table is read from: ``<table>.csv``, or for a versioned table (the follow-up
    log written by ``kit plan import``, the register saved by a workshop) its latest version
    ``<table>.vN.csv``; older versions are kept."""
    folder = Path(folder)
    versions = _versions(folder, table) if table in VERSIONED else []
    return versions[-1][1] if versions else folder / f"{table}.csv"


def write_version(df: pd.DataFrame, folder: Path | str, table: str) -> Path:
    """Save ``df`` as the next ``<table>.vN.csv`` (v2 after the original); never overwrites."""
    folder = Path(folder)
    versions = _versions(folder, table)
    out = folder / f"{table}.v{versions[-1][0] + 1 if versions else 2}.csv"
    with open(out, "x", encoding="utf-8", newline="") as f:
        df.to_csv(f, index=False)
    return out


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cycle collector off meanwhile: reading a table makes millions of small lists
    and strings, none of them in a cycle, and the collector's passes over them cost more than
    the reading (a 322,000-row table: 0.16 s instead of 0.53 s to split)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_TWO_LOGS = (
    "is beside the touchpoint log {0.name} ({0}): the kit reads one log; remove "
    "touchpoints.csv, or the log (touchpoints.parquet, or touchpoints.file in engagement.yaml)"
)


def _touchpoint_log(folder: Path, cfg: Engagement | None) -> Path | None:
    """The large touchpoint log, read by DuckDB, or None (:func:`kit.touchpoints.log_file`)."""
    from kit import touchpoints as touch_log  # it imports this module

    return touch_log.log_file(folder, cfg.touchpoints_file if cfg else None)


def validate(source: Engagement | Path | str) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Check every table of a data folder; return the typed tables and all problems found.

    ``source`` is an :class:`~kit.config.Engagement` (its ``data_dir``, with its waves checked)
    or a folder. Nothing is raised for bad values: see :func:`load` for that.
    """
    with _gc_paused():
        return _validate(source)


def _validate(source: Engagement | Path | str) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    cfg = source if isinstance(source, Engagement) else None
    folder = cfg.data_dir if cfg else Path(source)
    problems: list[Problem] = []
    raw: dict[str, pd.DataFrame] = {}
    log = _touchpoint_log(folder, cfg)
    for table in SCHEMAS:
        path = table_path(folder, table)
        if table == "touchpoints" and log is not None:  # checked in DuckDB, below
            if path.exists() and path.resolve() != log.resolve():
                problems.append(Problem(path.name, None, None, None, _TWO_LOGS.format(log)))
            continue
        if path.exists():
            try:
                raw[table] = read_table(path, warnings=problems)
            except DataError as exc:
                problems += exc.problems
        elif table in REQUIRED_TABLES:
            problems.append(
                Problem(
                    path.name,
                    None,
                    None,
                    None,
                    f"is missing from {folder}; the kit needs this table",
                )
            )
    labels = (
        cfg.influence_labels
        if cfg
        else Engagement.__dataclass_fields__["influence_labels"].default_factory()
    )
    raw = {t: _strip_invisible(t, df, problems) for t, df in raw.items()}
    typed_input = {
        t: _map_labels(df, labels) if t == "stakeholders" else df for t, df in raw.items()
    }
    tables = {t: _check_table(t, df, problems) for t, df in typed_input.items()}
    _check_refs(tables, raw, problems)
    if "stakeholders" in tables:
        _check_reporting_lines(tables["stakeholders"], problems)
        _check_register(tables["stakeholders"], problems)
    if "responses" in tables:
        _check_responses(tables["responses"], cfg, problems)
        _check_sense(tables["responses"], tables.get("functions"), cfg, problems)
        _check_self_ratings(tables["responses"], problems)
    if "comments" in tables:
        _check_responses(tables["comments"], cfg, problems, table="comments")
    if {"responses", "followups"} <= set(tables):
        _check_consent(tables["followups"], tables["responses"], problems)
    if "followups" in tables:
        _check_followup_dates(tables["followups"], problems)
    if "invitations" in tables:
        _check_invitations(tables["invitations"], tables.get("responses"), cfg, problems)
    if log is not None:
        from kit import touchpoints as touch_log  # it imports this module

        functions = tables.get("functions", pd.DataFrame())
        known = functions["function"].dropna() if "function" in functions else None
        problems += touch_log.check_log(log, functions=known)
    notes = _absent_notes(tables, folder, cfg)
    problems += [p for p in notes if log is None or p.file != "touchpoints.csv"]
    # a table read from its latest version (followups.v2.csv) is named as that file
    read_from = {f"{t}.csv": table_path(folder, t).name for t in raw}
    read_from = {told: name for told, name in read_from.items() if told != name}
    problems = [replace(p, file=read_from[p.file]) if p.file in read_from else p for p in problems]
    return tables, problems


def _check_invitations(
    invited: pd.DataFrame, responses: pd.DataFrame | None, cfg: Engagement | None, out: list
) -> None:
    """Waves of the engagement, one row per wave and function, and no more people answering
    than were invited (a warning: the invitation list may be out of date)."""
    if not {"wave", "function", "invited"} <= set(invited.columns):
        return
    for i, row in invited.iterrows():
        if cfg is not None and row["wave"] not in cfg.waves:
            out.append(
                Problem(
                    "invitations.csv",
                    int(i) + 2,
                    "wave",
                    row["wave"],
                    f"is not a wave listed in engagement.yaml {list(cfg.waves)}",
                )
            )
    twice = invited.duplicated(["wave", "function"], keep="first")
    for i in twice[twice].index:
        out.append(
            Problem(
                "invitations.csv",
                int(i) + 2,
                "function",
                invited.at[i, "function"],
                f"is listed twice for wave {invited.at[i, 'wave']!r}; keep one row per wave "
                "and function",
            )
        )
    if responses is None or "respondent_id" not in responses.columns:
        return
    people = responses.groupby(["wave", "respondent_function"])["respondent_id"].nunique()
    for i, row in invited.iterrows():
        answered = int(people.get((row["wave"], row["function"]), 0))
        if pd.notna(row["invited"]) and answered > row["invited"]:
            out.append(
                Problem(
                    "invitations.csv",
                    int(i) + 2,
                    "invited",
                    str(row["invited"]),
                    f"{answered} people of {row['function']} answered in {row['wave']}, more "
                    "than were invited: check the invitation list",
                    severity="warning",
                )
            )


_LOADED: dict[tuple, Dataset] = {}


def _signature(folder: Path, cfg: Engagement | None) -> tuple:
    """What a validated dataset depends on: the files as they are now, and the settings."""
    log = _touchpoint_log(folder, cfg)
    files = tuple(
        (str(p), st.st_size, st.st_mtime_ns)
        for p in sorted({*folder.glob("*.csv"), *([log] if log else [])})
        for st in (p.stat(),)
    )
    settings = (
        (
            cfg.waves,
            tuple(sorted(cfg.influence_labels.items())),
            cfg.thresholds.min_group_size,
            tuple(sorted(cfg.wave_closes.items())),
        )
        if cfg
        else None
    )
    return str(folder.resolve()), files, settings


def _copy(ds: Dataset) -> Dataset:
    tables = {f.name: getattr(ds, f.name).copy() for f in fields(ds) if f.name in SCHEMAS}
    return Dataset(
        **tables,
        folder=ds.folder,
        warnings=list(ds.warnings),
        absent=ds.absent,
        touchpoints_file=ds.touchpoints_file,
    )


#: Set by :func:`shared_validation` for the processes a batch starts (workers, kernels).
SHARED_ENV = "KIT_VALIDATED_DATA"


@contextlib.contextmanager
def shared_validation() -> Iterator[Path]:
    """While open, a dataset validated by :func:`load` is left in a private folder (only this
    user can read or write it) for the processes started meanwhile, which inherit its name in
    ``KIT_VALIDATED_DATA``: a batch validates once, not once per kernel. It is used only while
    the files and settings are unchanged, and removed on closing."""
    folder = Path(tempfile.mkdtemp(prefix="kit-validated-"))
    previous = os.environ.get(SHARED_ENV)
    os.environ[SHARED_ENV] = str(folder)
    try:
        yield folder
    finally:
        if previous is None:
            os.environ.pop(SHARED_ENV, None)
        else:
            os.environ[SHARED_ENV] = previous
        shutil.rmtree(folder, ignore_errors=True)


def _shared_file(key: tuple) -> Path | None:
    folder = os.environ.get(SHARED_ENV)
    if not folder or not Path(folder).is_dir():
        return None
    return Path(folder) / (hashlib.sha256(repr(key).encode()).hexdigest() + ".pickle")


def _from_shared(key: tuple) -> Dataset | None:
    path = _shared_file(key)
    if path is None or not path.is_file():
        return None
    with contextlib.suppress(Exception), open(path, "rb") as f:
        ds = pickle.load(f)  # noqa: S301 - written by this user's batch, in its private folder
        return ds if isinstance(ds, Dataset) else None
    return None


def _to_shared(key: tuple, ds: Dataset) -> None:
    path = _shared_file(key)
    if path is None or path.exists():
        return
    with contextlib.suppress(OSError):
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(ds, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)


def load(source: Engagement | Path | str) -> Dataset:
    """Load an engagement's tables, typed and validated.

    Validated once while the files stay the same: later calls in the same process (the three
    notebooks of a pack share a kernel), or in the processes of a batch
    (:func:`shared_validation`), get a fresh copy of the result.

    Raises
    ------
    DataError
        When any table has an error; the message lists all of them.
    """
    cfg = source if isinstance(source, Engagement) else None
    folder = cfg.data_dir if cfg else Path(source)
    key = _signature(folder, cfg)
    ds = _LOADED.get(key) or _from_shared(key)
    if ds is None:
        tables, problems = validate(source)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise DataError(problems, folder=folder)
        absent = frozenset(
            f"{t}.{c.name}" for t in tables for c in SCHEMAS[t] if c.name not in tables[t].columns
        )
        for t in SCHEMAS:  # rows numbered 0, 1, 2... (validated, they were by file line)
            tables[t] = (
                _with_optional_columns(t, tables[t]).reset_index(drop=True)
                if t in tables
                else _empty(t)
            )
        if cfg is not None and cfg.wave_closes:
            tables["responses"] = _dated_by_wave_close(tables["responses"], cfg.wave_closes)
        warnings = [p for p in problems if p.severity == "warning"]
        log = _touchpoint_log(folder, cfg)
        ds = Dataset(
            **tables, folder=folder, warnings=warnings, absent=absent, touchpoints_file=log
        )
    _to_shared(key, ds)
    _LOADED.clear()  # one engagement at a time is plenty
    _LOADED[key] = ds
    return _copy(ds)


def problems_table(problems: list[Problem]) -> pd.DataFrame:
    """The problems as a tidy table (one row each), e.g. to print or save as CSV."""
    cols = ["severity", "file", "row", "column", "value", "message"]
    table = pd.DataFrame([{c: getattr(p, c) for c in cols} for p in problems], columns=cols)
    # line 12, never 12.0; blank (not NaN or None) for a whole file or column
    table["row"] = pd.Series([p.row if p.row is not None else "" for p in problems], dtype=object)
    return table.fillna({"column": "", "value": ""})


def file_hashes(folder: Path | str, *, also: tuple[Path, ...] = ()) -> dict[str, str]:
    """sha256 of every input file in a data folder, and of the files ``also`` (a touchpoint
    log kept elsewhere, named by its path), for the report manifest."""
    folder = Path(folder)
    out = {}
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix in {".csv", ".parquet", ".yaml", ".yml", ".xlsx"}:
            out[path.name] = _digest(path)
    for path in also:
        if Path(path).parent.resolve() != folder.resolve() and Path(path).is_file():
            out[str(path)] = _digest(Path(path))
    return out


_DIGESTS: dict[tuple, str] = {}


def _digest(path: Path) -> str:
    """A file's sha256, read once while it is unchanged (a log of gigabytes, many packs)."""
    info = path.stat()
    key = (str(path.resolve()), info.st_size, info.st_mtime_ns)
    if key not in _DIGESTS:
        with open(path, "rb") as f:  # in blocks: a touchpoint log may be gigabytes
            _DIGESTS[key] = hashlib.file_digest(f, "sha256").hexdigest()
    return _DIGESTS[key]
