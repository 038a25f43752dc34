"""Real survey exports in: Qualtrics, SurveyMonkey, Microsoft Forms, Google Forms, Snap, CSV/Excel.

An export is read as text (its encoding and delimiter detected, or taken from the mapping), its
header rows recognised (Qualtrics: 3 rows, or 2 in the legacy format; SurveyMonkey and Snap: 2;
the others: 1), test and unfinished responses dropped and counted, and its columns mapped to the
kit's responses table by a small YAML **mapping**::

    score: "How likely are you to recommend ...?"   # a column name or its question text
    score_scale: 0-10          # or 1-11 when a 0-10 question was exported as codes 1-11
    comment: "...why?"
    wave: 2026-H1              # a fixed value, or {column: ...}
    respondent_function: {column: "Your function"}   # a bare 'Q1' that is a column: refused
    provider_function: Regulatory                    # {value: "Q1"}: the text, even if a column
    respondent_id: ResponseId  # the person (may answer several waves)
    response_id: ResponseId    # one answer; derived from file and row when not mapped
    submitted_at: RecordedDate
    dayfirst: true             # 05/01/2026 is 5 January (detected from the values if absent)
    ok_to_contact: {column: "May we contact you?"}
    drivers: {responsiveness: "Q5_1", quality: "Q5_2"}
    providers: {"Rating - Finance": Finance, "Rating - IT": IT}   # wide exports
    recode: {"Regulatory Affairs": Regulatory}   # survey label -> function (provider, respondent)
    not_applicable: ["Not applicable"]            # answers read as no answer, counted
    encoding: cp1250           # detected if absent (UTF-8/16, cp1250, cp1252)
    delimiter: ";"             # detected if absent (, ; tab |)
    on_invalid: blank          # or drop; unusable cells (#ERROR!) stop the import by default
    comment: ["What works well?", "What should change?"]   # joined, each after its question
    provider_comments: {"Comment on IT": IT}      # a matrix's comment per rated function
    contact_name: "Your name"                     # with contact_email: roster.csv of the
    contact_email: "Your e-mail"                  # consenting respondents only
    layout: long               # one row per answer: question, answer, respondent_id, questions
    question: {column: question_id}
    answer: {column: answer_text}
    questions: {Q1_IT: {score: IT}, Q2: comment, Q3: ok_to_contact}

Several files of one survey are read with one mapping (:func:`import_exports`), each row's
``source_file`` recorded. A matrix export's general comment goes once per respondent to a
comments table, not onto each rating. Exports over ``MAX_EXPORT_BYTES``, binary files and
cells over ``MAX_CELL_CHARS`` characters are refused before anything is parsed.

A value still undecided (``CHOOSE: ...`` as :func:`suggest_mapping` writes it, ``CHANGE ME``,
``TODO``, ``<...>``) is refused wherever it appears. Every row is accounted for in the import
log (read = kept + dropped by reason); a value that cannot be a score or a date is a problem
listed with the file's own row number and its column, never silently dropped or guessed.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import yaml

from kit import yamlfile
from kit.errors import KitError

__all__ = [
    "Export",
    "ImportProblem",
    "Problem",
    "read_export",
    "load_mapping",
    "to_responses",
    "import_exports",
    "Imported",
    "parse_scores",
    "parse_dates",
    "date_order",
    "suggest_mapping",
    "write_problems",
]

EXCEL = {".xlsx", ".xlsm", ".xls"}
DELIMITERS = (",", ";", "\t", "|")
#: The single-byte code pages told apart when a file is not UTF-8/16 (Western, Central European).
CODE_PAGES = ("cp1252", "cp1250")
#: Lines shown per kind of problem before "... and N more like this".
SHOWN_PER_KIND = 50
#: The largest export read (larger ones are refused before reading, with what to do).
MAX_EXPORT_BYTES = 30_000_000
#: The longest cell read (an essay-length comment is 5,000 characters).
MAX_CELL_CHARS = 100_000
_IMPORT_ID = re.compile(r'^\{"ImportId"')
#: A score: a whole number alone ("9", "9.0", " 9 "), optionally with a label after a separator
#: ("10 - Extremely likely", "9 = very likely"); the label holds no digit (so no date gets in).
_SCORE = re.compile(r"^\s*(\d{1,2})(?:\.0+)?\s*(?:[-\u2013\u2014=:]\s*[^\W\d_][^\d]*)?$")
#: A numeric date with the day and month in either order: 05/01/2020, 5.1.20, 05-01-2020 08:21.
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)(.*)$")
_MISSING = {
    "",
    "n/a",
    "na",
    "-",
    "none",
    "don't know",
    "dont know",
    "prefer not to say",
}
_PREVIEW = {"1", "2", "8", "survey preview", "survey test", "spam", "preview", "test"}
_ON_INVALID = ("error", "blank", "drop")


# ---------------------------------------------------------------- problems


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


def _row_ranges(rows: list[int]) -> str:
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
                    f"  {name}{column!r}: {kind}, {len(rows)} ({where} {_row_ranges(rows)})"
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


@dataclass
class Export:
    """An export with its header rows understood: one row per response, named columns.

    ``data`` is indexed by the file's own row number (header rows counted; a quoted comment
    spanning lines counts from its first line), so messages name the row a user sees."""

    path: Path
    kind: str
    data: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)  # column -> question text
    dropped: dict[str, int] = field(default_factory=dict)  # reason -> rows
    first_row: int = 2  # file row of the first response (for messages)
    date1904: bool = False
    encoding: str = ""  # how the text was decoded ("" for Excel)
    encoding_source: str = ""  # byte-order mark, valid UTF-8, detected, mapping
    delimiter: str = ""  # the one used ("" for Excel)
    delimiter_source: str = ""  # detected, mapping
    lines: pd.DataFrame | None = None  # a pivoted long export: each answer's file line
    long_layout: dict = field(default_factory=dict)  # a pivoted long export: its counts

    @property
    def rows_read(self) -> int:
        return len(self.data) + sum(self.dropped.values())


# ---------------------------------------------------------------- reading


def _misdecoded(text: str, encoding: str) -> int:
    """Signs that a code page was the wrong one: symbols inside words ('£ódŸ' for 'Łódź') and
    letters the other page's common letters turn into ('ø' for 'ř', 'ŕ' for 'à')."""
    rare = {"cp1252": set("ìøòðþŸœÌØÒÐÞŒ"), "cp1250": set("ŕăőűĺţŔĂŐŰĹŢ")}[encoding]
    text = text[:200_000]
    symbols = sum(
        1
        for i, ch in enumerate(text)
        if ord(ch) > 127
        and not unicodedata.category(ch).startswith("L")
        and any(0 <= j < len(text) and text[j].isalpha() for j in (i - 1, i + 1))
    )
    return 3 * symbols + sum(ch in rare for ch in text)


def _decode(raw: bytes, encoding: str | None = None) -> tuple[str, str, str]:
    """The file's text, the encoding used and how it was chosen.

    A byte-order mark or valid UTF-8 decides; otherwise cp1252 and cp1250 are told apart by
    charset-normalizer and, where it cannot tell, by the signs of a wrong code page."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise KitError(
                f"mapping 'encoding: {encoding}' is not an encoding Python knows; use e.g. "
                "utf-8, utf-16, cp1250 (Central European Windows), cp1252 (Western Windows)"
            ) from exc
        text = raw.decode(encoding, errors="strict")
        return text.removeprefix("\ufeff"), encoding, "mapping"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16", "byte-order mark"
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig", "byte-order mark"
    try:
        return raw.decode("utf-8"), "utf-8", "valid UTF-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    judged = {m.encoding: m for m in from_bytes(raw, cp_isolation=list(CODE_PAGES))}
    candidates = []
    for rank, enc in enumerate(CODE_PAGES):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        m = judged.get(enc)
        chaos, coherence = (m.chaos, m.coherence) if m else (1.0, 0.0)
        candidates.append(((chaos, -coherence, _misdecoded(text, enc), rank), enc, text))
    if not candidates:
        raise KitError(
            "the file is neither UTF-8/UTF-16 nor Windows cp1252/cp1250 text; save it as UTF-8 "
            "or name its encoding in the mapping (encoding: ...)"
        )
    candidates.sort()
    _, enc, text = candidates[0]
    how = "detected"
    if len(candidates) > 1 and candidates[1][2] != text:
        other, other_text = candidates[1][1], candidates[1][2]
        at = next(i for i, (a, b) in enumerate(zip(text, other_text, strict=True)) if a != b)
        start = max((m.end() for m in re.finditer(r"[^\w]", text[:at])), default=0)
        end = next((m.start() + at for m in re.finditer(r"[^\w]", text[at:])), len(text))
        how = f"detected; {other} would read {text[start:end]!r} as {other_text[start:end]!r}"
    return text, enc, how


def _sniff_delimiter(text: str) -> str | None:
    """The delimiter that splits the first lines into the most consistent number of columns
    (more than one); None when none does."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best = None
    for sep in DELIMITERS:
        rows = [
            r
            for r in csv.reader(io.StringIO(sample, newline=""), delimiter=sep)
            if any(c.strip() for c in r)
        ][:50]
        if not rows:
            continue
        width, count = Counter(len(r) for r in rows).most_common(1)[0]
        if width < 2:
            continue
        key = (count / len(rows), width)
        if best is None or key > best[0]:
            best = (key, sep)
    return best[1] if best else None


def _delimiter(value) -> str:
    names = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    sep = names.get(str(value).strip().lower(), str(value))
    if len(sep) != 1:
        raise KitError(
            f"mapping 'delimiter: {value!r}' must be one character: ',', ';', tab or '|'"
        )
    return sep


def _text_grid(text: str, sep: str) -> pd.DataFrame:
    """Records as rows of text cells, indexed by the file line each record starts on.

    Pandas' C parser reads the usual file (one record per line) in a fraction of the time and
    memory; a file whose records span lines (a comment with line breaks) or vary in width is
    read record by record, each record's first line kept. A cell over ``MAX_CELL_CHARS`` is
    refused, named by row, column and length."""
    grid = _fast_grid(text, sep)
    if grid is None:
        grid = _slow_grid(text, sep)
    long = [
        (int(line), col, n)
        for col in grid.columns
        if (lengths := grid[col].str.len()).max() > MAX_CELL_CHARS
        for line, n in lengths[lengths > MAX_CELL_CHARS].items()
    ]
    if long:
        header = grid.iloc[0] if len(grid) else pd.Series(dtype=str)
        raise ImportProblem(
            "",
            [
                Problem(
                    line,
                    (name := str(header.get(col, col))[:80]),
                    f"{n} characters",
                    "cell too long",
                    f"row {line}, column {name!r}: a cell of {n:,} characters (the kit reads "
                    f"cells of up to {MAX_CELL_CHARS:,})",
                )
                for line, col, n in sorted(long)
            ],
        )
    return grid


def _fast_grid(text: str, sep: str) -> pd.DataFrame | None:
    """The grid by pandas' C parser when every record is one line; None otherwise."""
    if len(text) < 1_000_000:
        return None  # small files: the exact reader costs nothing
    lines = text.count("\n") + (not text.endswith("\n"))
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        return None
    if len(grid) != lines:
        return None  # records span lines, or bare carriage returns: read record by record
    grid.index = range(1, len(grid) + 1)
    grid.columns = range(grid.shape[1])
    return grid


def _slow_grid(text: str, sep: str) -> pd.DataFrame:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows, lines, previous = [], [], 0
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, 10 * MAX_CELL_CHARS))  # longer cells named, not a csv.Error
    try:
        for record in reader:
            rows.append(record)
            lines.append(previous + 1)
            previous = reader.line_num
    except csv.Error as exc:
        too_long = "field larger than field limit" in str(exc)
        raise KitError(
            f"row {previous + 1}: a cell of more than {10 * MAX_CELL_CHARS:,} characters (the kit "
            f"reads cells of up to {MAX_CELL_CHARS:,}); shorten it in a copy of the export"
            if too_long
            else f"row {previous + 1} cannot be read as delimited text ({exc}); save the export "
            "again as CSV from the survey tool or Excel"
        ) from exc
    finally:
        csv.field_size_limit(limit)
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], index=lines, dtype=str)


#: What the first bytes of a file say it is, when it is not text or a workbook.
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a zip archive",
    b"\x1f\x8b": "a gzip archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"Rar!": "a RAR archive",
    b"\xd0\xcf\x11\xe0": "an old-format Office file (.xls, .doc)",
    b"\x7fELF": "a program",
    b"MZ": "a Windows program",
}


def _refuse_unreadable(path: Path) -> None:
    """Refuse, before reading it, a file too large or one that is not text or a workbook."""
    size = path.stat().st_size
    if size > MAX_EXPORT_BYTES:
        raise KitError(
            f"the file is {size / 1e6:,.1f} MB; the kit reads exports of up to "
            f"{MAX_EXPORT_BYTES / 1e6:,.0f} MB (100,000 responses of 30 questions are about "
            "20 MB): remove the columns the kit does not use, or split the rows into several "
            "files and import them together (kit import A.csv B.csv ...)"
        )
    with path.open("rb") as f:
        head = f.read(8192)
    excel = path.suffix.lower() in EXCEL
    what = next((w for magic, w in _MAGIC.items() if head.startswith(magic)), None)
    if what == "a zip archive" and excel:  # a workbook is a zip archive with its parts listed
        import zipfile

        try:
            with zipfile.ZipFile(path) as book:
                if "[Content_Types].xml" in book.namelist():
                    return
        except zipfile.BadZipFile:
            return  # a damaged workbook: said when it is opened
        raise KitError(
            "this is a zip archive but not an Excel workbook (it holds no workbook parts): "
            "expected an Excel workbook (.xlsx, .xlsm) or CSV; unzip it, or export again"
        )
    expected = "expected CSV or TSV text, or an Excel workbook (.xlsx, .xlsm)"
    if what:
        hint = (
            "; if it is an Excel workbook, give it its .xlsx name"
            if what == "a zip archive"
            else "; open it in Excel and save it as .xlsx"
            if what.startswith("an old-format Office")
            else ""
        )
        raise KitError(f"this is {what}, not a survey export: {expected}{hint}")
    if not excel and b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        at = head.index(b"\x00")
        raise KitError(
            f"this file holds binary data (a zero byte at byte {at}), not text: "
            f"{expected} (a UTF-16 file without its byte-order mark: save it as UTF-8)"
        )


def _grid(path: Path, sheet, encoding=None, delimiter=None) -> tuple[pd.DataFrame, dict]:
    """The file as a grid of text cells indexed by file row, no header interpreted; and how it
    was read (Excel 1904 flag, encoding, delimiter and how each was chosen)."""
    if path.suffix.lower() in EXCEL:
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl and zipfile raise many kinds for a damaged file
            raise KitError(
                f"not a workbook Excel can save ({type(exc).__name__}: {exc}); open it in "
                "Excel and save it again as .xlsx, or export CSV"
            ) from exc
        if sheet and sheet not in book.sheetnames:
            raise KitError(f"no sheet named {sheet!r}; sheets are {book.sheetnames}")
        ws = book[sheet] if sheet else book.worksheets[0]
        rows = [
            [("" if v is None else v) for v in r]
            for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)
        ]
        epoch1904 = bool(getattr(book, "epoch", None) and book.epoch.year == 1904)
        book.close()
        grid = pd.DataFrame(rows, index=range(1, len(rows) + 1))
        grid = grid.map(lambda v: v if isinstance(v, str) else _cell_text(v))
        return grid, {"date1904": epoch1904}
    text, enc, enc_source = _decode(path.read_bytes(), encoding)
    if delimiter is not None:
        sep, sep_source = _delimiter(delimiter), "mapping"
    else:
        sniffed = _sniff_delimiter(text)
        sep, sep_source = (
            (sniffed, "detected")
            if sniffed
            else (
                "\t" if path.suffix.lower() == ".tsv" else ",",
                "default (one column)",
            )
        )
    how = {
        "date1904": False,
        "encoding": enc,
        "encoding_source": enc_source,
        "delimiter": sep,
        "delimiter_source": sep_source,
    }
    return _text_grid(text, sep), how


def _blank(cells: pd.Series) -> pd.Series:
    return cells.astype(str).str.strip().eq("")


def _without_blank_lines(grid: pd.DataFrame) -> pd.DataFrame:
    """The grid without its blank rows and columns. Only cells that could make one blank are
    stripped (a row is blank only if its first cell is; a column only if no cell has text)."""
    if grid.empty:
        return grid
    first = grid.iloc[:, 0]
    maybe = grid.loc[_blank(first)]
    blank_rows = maybe.index[maybe.apply(_blank).all(axis=1)] if len(maybe) else []
    grid = grid.drop(index=blank_rows)
    keep = []
    for col in grid.columns:
        filled = grid[col].astype(str)
        filled = filled[filled.ne("")]
        keep.append(
            not filled.empty and not _blank(filled.head(1)).all() or (~_blank(filled)).any()
        )
    return grid.loc[:, keep]


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return "" if value is None else str(value)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        n = " ".join(str(n).split()) or "column"
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out


def _kind(grid: pd.DataFrame) -> str:
    head = [str(v) for v in grid.iloc[0]] if len(grid) else []
    second = [str(v) for v in grid.iloc[1]] if len(grid) > 1 else []
    third = [str(v) for v in grid.iloc[2]] if len(grid) > 2 else []
    if any(_IMPORT_ID.match(v) for v in third):
        return "qualtrics"
    if head[:2] == ["V1", "V2"] and "ResponseID" in second:
        return "qualtrics-legacy"
    if "Respondent ID" in head and "Collector ID" in head:
        return "surveymonkey"
    if head and head[0].startswith("ID.") and second and not second[0].startswith("ID."):
        return "snap"
    if head[:3] == ["ID", "Start time", "Completion time"]:
        return "msforms"
    if head and head[0] == "Timestamp":
        return "googleforms"
    return "generic"


def read_export(
    path: Path | str,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Export:
    """Read a survey export, recognise its format and header rows, drop test and unfinished
    responses (counted in ``Export.dropped``). ``encoding`` and ``delimiter`` (from the mapping)
    override the detected ones."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        _refuse_unreadable(path)
        grid, how = _grid(path, sheet, encoding, delimiter)
    except ImportProblem as exc:
        if exc.path:
            raise
        raise ImportProblem(path, exc.problems) from exc
    except KitError as exc:  # an encoding or delimiter that cannot be used: name the file
        raise ImportProblem(path, [str(exc)]) from exc
    except UnicodeDecodeError as exc:
        raise ImportProblem(
            path,
            [
                f"the file cannot be read as {encoding} (byte {exc.start}): remove 'encoding:' "
                "from the mapping to let the kit detect it, or name the right one"
            ],
        ) from exc
    grid = _without_blank_lines(grid)
    if grid.empty:
        raise ImportProblem(path, ["the file has no rows"])
    kind = _kind(grid)
    header_rows = {"qualtrics": 3, "qualtrics-legacy": 2, "surveymonkey": 2, "snap": 2}.get(kind, 1)
    top = [list(map(str, grid.iloc[i])) for i in range(min(header_rows, len(grid)))]
    if kind == "qualtrics-legacy":
        names = [b if re.fullmatch(r"V\d+", a) else a for a, b in zip(top[0], top[1], strict=True)]
        labels = top[1]
    elif kind == "surveymonkey":
        filled = pd.Series(top[0]).replace("", np.nan).ffill().fillna("").tolist()
        names = [
            q if sub in ("", "Response", "Open-Ended Response") else f"{q} - {sub}"
            for q, sub in zip(filled, top[1], strict=True)
        ]
        labels = names
    else:
        names = top[0]
        labels = top[1] if header_rows > 1 else top[0]
    names = _unique(names)
    data = grid.iloc[header_rows:].copy()
    data.columns = names
    export = Export(
        path=path,
        kind=kind,
        data=data,
        labels=dict(zip(names, [" ".join(lab.split()) for lab in labels], strict=True)),
        first_row=int(data.index[0]) if len(data) else int(grid.index[-1]) + 1,
        **how,
    )
    if kind.startswith("qualtrics"):
        _drop_qualtrics(export)
    return export


def _drop(export: Export, mask: pd.Series, reason: str) -> None:
    if mask.any():
        export.dropped[reason] = export.dropped.get(reason, 0) + int(mask.sum())
        export.data = export.data.loc[~mask]


def _drop_qualtrics(export: Export) -> None:
    d = export.data
    for col in ("Status", "ResponseSet", "DistributionChannel"):
        if col in d.columns:
            _drop(export, d[col].str.strip().str.lower().isin(_PREVIEW), "preview or test")
            d = export.data
    if "Finished" in d.columns:
        _drop(export, d["Finished"].str.strip().str.lower().isin({"0", "false"}), "unfinished")


# ---------------------------------------------------------------- values


def parse_scores(values: pd.Series, *, scale: str = "0-10") -> tuple[pd.Series, pd.Series]:
    """Scores 0-10 from what exports write: a whole number alone ("9", " 9 ", "9.0") or with a
    label after a separator ("10 - Extremely likely", "9 = very likely"); "N/A" and blanks are no
    answer. Anything else (05/01/2020, 08:21, 7 Dec 2019, 5-7, 9/10, 5+, 1e1, 7.5) is invalid.
    Returns the scores (NaN for no answer or invalid) and a mask of invalid values.

    Example
    -------
    >>> scores, invalid = parse_scores(pd.Series(["10 - Extremely likely", "05/01/2020", "N/A"]))
    >>> scores.tolist()[0], invalid.tolist()
    (10.0, [False, True, False])
    """
    if scale not in ("0-10", "1-11"):
        raise KitError(f"score_scale must be '0-10' or '1-11', not {scale!r}")
    raw = values.fillna("").astype(str)
    distinct = pd.Series(raw.unique())  # a score column holds a few distinct answers
    text = distinct.str.strip()
    missing = text.str.lower().isin(_MISSING)
    number = pd.to_numeric(text.str.extract(_SCORE, expand=False), errors="coerce")
    if scale == "1-11":
        number = number.where(number.between(1, 11)) - 1
    ok = number.between(0, 10)
    at = pd.Index(distinct).get_indexer(raw)
    score = pd.Series(number.where(ok).to_numpy()[at], index=values.index, dtype=float)
    return score, pd.Series((~missing & ~ok).to_numpy()[at], index=values.index)


class DateOrder(NamedTuple):
    """What a column's numeric dates (05/01/2020) say about their order: ``dayfirst`` True,
    False, or None when they prove both orders or neither; the rows proving each, and the rows
    that fit both."""

    dayfirst: bool | None
    day_first_rows: list
    month_first_rows: list
    either_rows: list


def date_order(values: pd.Series) -> DateOrder:
    """Day-first or month-first, from the values: a first field above 12 proves day-first
    (13/01/2020), a second field above 12 month-first (01/13/2020). Rows are the index labels.

    Example
    -------
    >>> date_order(pd.Series(["05/01/2020", "13/01/2020"], index=[2, 3]))
    DateOrder(dayfirst=True, day_first_rows=[3], month_first_rows=[], either_rows=[2])
    """
    parts = values.fillna("").astype(str).str.extract(_NUMERIC_DATE)
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[2], errors="coerce")
    day_first = list(values.index[(first > 12) & (second <= 12)])
    month_first = list(values.index[(second > 12) & (first <= 12)])
    either = list(values.index[(first <= 12) & (second <= 12) & (first != second)])
    if day_first and month_first:
        verdict = None
    elif day_first or month_first:
        verdict = bool(day_first)
    else:
        verdict = None if either else False  # no numeric date, or day = month: order is moot
    return DateOrder(verdict, day_first, month_first, either)


def parse_dates(values: pd.Series, *, date1904: bool = False, dayfirst: bool | None = None):
    """Dates from text (ISO, "7 Dec 2019", numeric dates in one order) and Excel serial numbers
    (1900 or 1904 system); NaT where a value is not a date.

    Numeric dates (05/01/2020) are read in one order for the whole column: ``dayfirst`` if
    given, else the order the values prove (:func:`date_order`); a column that proves both
    orders, or neither, raises :class:`KitError` naming rows, never parses half one way."""
    text = values.fillna("").astype(str).str.strip()
    if dayfirst is None:
        order = date_order(text)
        if order.dayfirst is None and (order.either_rows or order.day_first_rows):
            raise KitError(_order_message("the values", text, order))
        dayfirst = bool(order.dayfirst)
    serial = pd.to_numeric(text, errors="coerce")
    is_serial = serial.between(1, 100_000)
    origin = pd.Timestamp("1904-01-01") if date1904 else pd.Timestamp("1899-12-30")
    from_serial = origin + pd.to_timedelta(serial.where(is_serial), unit="D")
    parts = text.str.extract(_NUMERIC_DATE)
    numeric = parts[0].notna() & ~is_serial
    a, b = (pd.to_numeric(parts[i], errors="coerce") for i in (0, 2))
    year = pd.to_numeric(parts[3], errors="coerce")
    year = year.where(parts[3].str.len() == 4, year + np.where(year < 69, 2000, 1900))
    day, month = (a, b) if dayfirst else (b, a)
    iso = (
        year.astype("Int64").astype(str).str.zfill(4)
        + "-"
        + month.astype("Int64").astype(str).str.zfill(2)
        + "-"
        + day.astype("Int64").astype(str).str.zfill(2)
        + parts[4].fillna("")
    )
    valid = numeric & month.between(1, 12) & day.between(1, 31)
    from_numeric = pd.to_datetime(iso.where(valid), errors="coerce", format="mixed")
    other = ~is_serial & ~numeric & (text != "")
    from_text = pd.to_datetime(text.where(other), errors="coerce", format="mixed", dayfirst=False)
    return from_serial.where(is_serial, from_numeric.where(numeric, from_text))


def _examples(text: pd.Series, rows: list, n: int = 3) -> str:
    shown = ", ".join(f"row {r}: {text.at[r]!r}" for r in rows[:n])
    return shown + (f" and {len(rows) - n} more" if len(rows) > n else "")


def _order_message(column: str, text: pd.Series, order: DateOrder) -> str:
    if order.day_first_rows and order.month_first_rows:
        return (
            f"column {column}: dates written day first ({_examples(text, order.day_first_rows)})"
            f" and month first ({_examples(text, order.month_first_rows)}) in one column"
        )
    first = order.either_rows[0]
    a, b = _NUMERIC_DATE.match(text.at[first]).group(1, 3)
    return (
        f"column {column}: every date fits both orders ({_examples(text, order.either_rows)}): "
        f"row {first} could be day {int(a)} of month {int(b)} or day {int(b)} of month {int(a)}"
    )


# ---------------------------------------------------------------- mapping


#: Mapping fields that name one value per response (a column, or a fixed value).
_PER_RESPONSE = (
    "wave",
    "respondent_function",
    "provider_function",
    "respondent_id",
    "response_id",
    "submitted_at",
    "comment",
    "ok_to_contact",
    "contact_id",
    "contact_name",
    "contact_email",
)
#: The fields of a long layout (``layout: long``).
_LONG_KEYS = ("layout", "question", "answer", "questions")
#: The import log's count of a long export's answers that no mapped question takes.
UNMAPPED_ANSWERS = "answers to questions not in 'questions:'"
_FIELDS = {
    *_PER_RESPONSE,
    "score",
    "score_scale",
    "drivers",
    "providers",
    "dayfirst",
    "encoding",
    "delimiter",
    "on_invalid",
    "recode",
    "not_applicable",
    "provider_comments",
    *_LONG_KEYS,
}
#: Fields whose bare value is a column name (the others: a bare value is the same for every row).
_COLUMN_FIELDS = (
    "respondent_id",
    "response_id",
    "submitted_at",
    "contact_id",
    "comment",
    "contact_name",
    "contact_email",
)
#: What a suggestion writes where it could not decide, and placeholders people write by hand.
UNDECIDED = "CHOOSE"
_PLACEHOLDER = re.compile(
    r"^\s*((?-i:CHOOSE)\b.*|todo|tbd|fixme|\?+|\.\.\.|<[^<>]*>)\s*$|change[ _-]?me", re.IGNORECASE
)
_HOW_TO_DECIDE = {
    "score": "the name or question text of the 0-10 column",
    "submitted_at": "the name of the date column, or remove the line",
    "dayfirst": "true (05/01 is 5 January) or false (05/01 is 1 May)",
    "wave": 'the wave, e.g. 2026-H1, or {column: "..."} when the file holds several',
}


def _label(text) -> str:
    """A label compared loosely: spaces collapsed, any case."""
    return " ".join(str(text).split()).casefold()


def _undecided(mapping: dict) -> list[str]:
    """Every value (or key) still a placeholder (CHOOSE ..., CHANGE ME, TODO, <...>), by key."""
    found = []

    def walk(key: str, value) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, str) and _PLACEHOLDER.search(k):
                    found.append((f"{key}.{k}", k))
                walk(f"{key}.{k}", v)
        elif isinstance(value, list):
            for v in value:
                walk(key, v)
        elif isinstance(value, str) and _PLACEHOLDER.search(value):
            found.append((key, value))

    for key, value in mapping.items():
        walk(str(key), value)
    return [
        f"'{key}: {value}' is not decided: replace it with "
        + _HOW_TO_DECIDE.get(
            key.split(".")[0],
            '{column: "..."} (a column of the export) or {value: "..."} (the same for every row)',
        )
        for key, value in found
    ]


def load_mapping(path: Path | str) -> dict:
    """Read a mapping file; unknown keys and impossible settings are an error naming them."""
    path = Path(path)
    raw = yamlfile.read(path) or {}
    if not isinstance(raw, dict):
        raise ImportProblem(path, ["the mapping must be a set of 'field: column' lines"])
    problems = []
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        problems.append(f"unknown field(s) {unknown}; known: {sorted(_FIELDS)}")
    if raw.get("on_invalid", "error") not in _ON_INVALID:
        problems.append(
            f"'on_invalid: {raw['on_invalid']}' must be one of {', '.join(_ON_INVALID)}"
        )
    if str(raw.get("score_scale", "0-10")) not in ("0-10", "1-11"):
        problems.append(f"'score_scale: {raw['score_scale']}' must be 0-10 or 1-11")
    problems += _undecided(raw)
    if (
        raw.get("dayfirst") is not None
        and not isinstance(raw["dayfirst"], bool)
        and not any("'dayfirst:" in p for p in problems)
    ):
        problems.append(f"'dayfirst: {raw['dayfirst']}' must be true (05/01 is 5 January) or false")
    problems += _shape_problems(raw)
    if problems:
        raise ImportProblem(path, problems)
    return raw


def _shape_problems(mapping: dict) -> list[str]:
    """recode: a set of 'survey label: function' lines; not_applicable: a list of labels."""
    problems = []
    recode = mapping.get("recode")
    if recode is not None and not (
        isinstance(recode, dict)
        and all(
            isinstance(v, str | int | float) and not isinstance(v, bool) for v in recode.values()
        )
    ):
        problems.append(
            f"'recode: {recode}' must be lines of 'survey label: function name', e.g. "
            'recode: {"Regulatory Affairs": Regulatory}'
        )
    na = mapping.get("not_applicable")
    if na is not None and not (
        isinstance(na, str) or (isinstance(na, list) and all(isinstance(v, str) for v in na))
    ):
        problems.append(
            f"'not_applicable: {na}' must be a list of answers read as no answer, e.g. "
            'not_applicable: ["Not applicable", "I have not worked with them"]'
        )
    for key, example in (
        ("providers", 'providers: {"Rating - IT": IT, "Rating - HR": HR}'),
        ("drivers", 'drivers: {responsiveness: "Q5_1", quality: "Q5_2"}'),
    ):
        value = mapping.get(key)
        if value is not None and not (
            isinstance(value, dict)
            and all(isinstance(v, str | int | float) for v in [*value, *value.values()])
        ):
            what = "score column: function" if key == "providers" else "driver: column"
            problems.append(f"'{key}: {value}' must be lines of '{what}', e.g. {example}")
    comment = mapping.get("comment")
    if isinstance(comment, list) and not all(
        isinstance(c, str) or (isinstance(c, dict) and set(c) == {"column"}) for c in comment
    ):
        problems.append(
            f"'comment: {comment}' must be a column, or a list of columns joined with their "
            'questions as labels: comment: ["What works well?", "What should change?"]'
        )
    per_function = mapping.get("provider_comments")
    if per_function is not None and not (
        isinstance(per_function, dict) and all(isinstance(v, str) for v in per_function.values())
    ):
        problems.append(
            f"'provider_comments: {per_function}' must be lines of 'comment column: function', "
            'e.g. provider_comments: {"Q3 - Regulatory Affairs": Regulatory Affairs}'
        )
    if mapping.get("contact_name") or mapping.get("contact_email"):
        if not mapping.get("ok_to_contact"):
            problems.append(
                "'contact_name'/'contact_email' build the roster of consenting respondents: "
                "map 'ok_to_contact' too (nobody is listed without consent)"
            )
        if not mapping.get("contact_name"):
            problems.append("'contact_email' builds the roster: map 'contact_name' too")
        if not (mapping.get("contact_email") or mapping.get("contact_id")):
            problems.append(
                "'contact_name' builds the roster: map 'contact_email' (a contact id is made "
                "from it) or 'contact_id'"
            )
    return problems + _long_problems(mapping)


def _recode(values: pd.Series, recode: dict, used: Counter) -> pd.Series:
    """Survey labels replaced by the organisation's function names (loosely matched); each
    replacement counted in ``used``."""
    table = {_label(k): str(v) for k, v in recode.items()}
    new = {
        v: table[_label(v)] for v in values.unique() if isinstance(v, str) and _label(v) in table
    }
    for v, n in values[values.isin(list(new))].value_counts(sort=False).items():
        used[f"{v} -> {new[v]}"] += int(n)
    return values.map(lambda v: new.get(v, v) if isinstance(v, str) else v)


def _column(export: Export, ref, problems: list, field_name: str) -> str | None:
    """The export column a mapping entry names (by column name or question text, any case;
    ``{column: ...}`` too, as every field may be written)."""
    if isinstance(ref, dict) and set(ref) == {"column"}:
        ref = ref["column"]
    key = " ".join(str(ref).split()).lower()
    for name, label in export.labels.items():
        if name.lower() == key or label.lower() == key:
            return name
    message = f"mapping '{field_name}': no column named {ref!r}; columns are " + ", ".join(
        repr(c) for c in list(export.data.columns)[:30]
    )
    header = " ".join(export.data.columns)
    others = [s for s in DELIMITERS if s != export.delimiter and s in header]
    if export.delimiter and len(export.data.columns) <= 2 and others:
        name = {"\t": "tab"}.get(others[0], others[0])
        message += (
            f". The file was split on {export.delimiter!r} into {len(export.data.columns)} "
            f"column(s) but its header contains {others[0]!r}: add the line "
            f'delimiter: "{name}" to the mapping'
        )
    problems.append(message)
    return None


def _value(export: Export, spec, problems, field_name) -> pd.Series | None:
    """A mapping entry: a fixed value, or {column: ...}, or (for ids, dates) a column name."""
    if spec is None:
        return None
    if isinstance(spec, dict):
        if set(spec) == {"value"}:  # a fixed value even where it equals a column's name
            return pd.Series(str(spec["value"]), index=export.data.index)
        if set(spec) != {"column"}:
            problems.append(
                f"mapping '{field_name}: {spec}': write {{column: \"...\"}} (a column of the "
                'export) or {value: "..."} (the same for every row)'
            )
            return None
        col = _column(export, spec.get("column"), problems, field_name)
        return export.data[col].str.strip() if col else None
    if field_name in _COLUMN_FIELDS:
        col = _column(export, spec, problems, field_name)
        return export.data[col] if col else None
    key = _label(spec)
    named = next(
        (c for c, lab in export.labels.items() if _label(c) == key or _label(lab) == key), None
    )
    if named is not None:
        problems.append(
            f"mapping '{field_name}: {spec}' is a fixed value written in every row, but "
            f"{spec!r} is also a column of the export: did you mean {{column: {named}}}? "
            f'(write {{value: "{spec}"}} to keep the text itself)'
        )
        return None
    return pd.Series(str(spec), index=export.data.index)


#: What a question of a long export can answer (``questions: {Q1: score, ...}``), and the
#: per-function forms (``Q2_Regulatory: {score: Regulatory}``, ``{comment: ...}``,
#: ``{driver: ...}``).
_QUESTION_FIELDS = (
    "score",
    "comment",
    "ok_to_contact",
    "respondent_function",
    "provider_function",
    "wave",
    "submitted_at",
    "response_id",
    "contact_id",
    "contact_name",
    "contact_email",
)
_QUESTION_FORMS = ("score", "comment", "driver")


def _ref(spec):
    return spec.get("column") if isinstance(spec, dict) else spec


def _long_problems(mapping: dict) -> list[str]:
    """layout: wide or long; a long layout's question, answer, respondent_id and questions."""
    layout = mapping.get("layout", "wide")
    if layout not in ("wide", "long"):
        return [f"'layout: {layout}' must be wide (one row per response) or long (one per answer)"]
    if layout == "wide":
        extra = [k for k in _LONG_KEYS[1:] if k in mapping]
        return [f"{extra} are read with 'layout: long' only"] if extra else []
    problems = [
        f"'layout: long' needs '{k}:' ({what})"
        for k, what in (
            ("question", "the column naming the question"),
            ("answer", "the column holding the answer"),
            ("respondent_id", "the column naming the respondent: the rows' key"),
            ("questions", "question id: field, e.g. {Q1: score, Q2: comment}"),
        )
        if not mapping.get(k)
    ]
    questions = mapping.get("questions")
    if questions and not isinstance(questions, dict):
        return problems + ["'questions:' must be lines of 'question id: field'"]
    for qid, what in (questions or {}).items():
        form = next(iter(what), None) if isinstance(what, dict) and len(what) == 1 else None
        if not (what in _QUESTION_FIELDS or form in _QUESTION_FORMS):
            problems.append(
                f"'questions: {qid}: {what}': a question answers one of "
                f"{', '.join(_QUESTION_FIELDS)}, or is one function's score, comment or a driver: "
                "{score: Regulatory}, {comment: Regulatory}, {driver: responsiveness}"
            )
    taken = Counter(w for w in (questions or {}).values() if isinstance(w, str) and w != "comment")
    problems += [
        f"'questions:' gives {field!r} to {n} questions: one only "
        "(for one score per function, write {score: <function>})"
        for field, n in taken.items()
        if n > 1
    ]
    problems += [
        f"'{field}' is given twice: in 'questions:' and as '{field}:'; keep one"
        for field in taken
        if field in mapping
    ]
    return problems


def _pivot(export: Export, mapping: dict) -> tuple[Export, dict]:
    """A long export (one row per answer) as one row per respondent, with the mapping that
    reads it (``questions:`` turned into the fields they answer). Each answer keeps its file
    line for messages; a respondent who answered one question twice is refused, naming both
    lines. Columns besides question and answer (a date, a department) are carried, one value
    per respondent; one that differs between a respondent's rows is refused where mapped."""
    problems: list = list(_long_problems(mapping))
    if problems:
        raise ImportProblem(export.path, [f"mapping {p}" for p in problems])
    qcol = _column(export, _ref(mapping["question"]), problems, "question")
    acol = _column(export, _ref(mapping["answer"]), problems, "answer")
    kcol = _column(export, _ref(mapping["respondent_id"]), problems, "respondent_id")
    if problems:
        raise ImportProblem(export.path, problems)
    d = export.data
    key = d[kcol].fillna("").astype(str).str.strip()
    question = d[qcol].fillna("").astype(str).str.strip()
    found: dict[str, str] = {}
    for q in question[question.ne("")]:
        found.setdefault(_label(q), q)
    wanted: dict[str, object] = {}
    for qid, what in mapping["questions"].items():
        if _label(qid) in found:
            wanted[found[_label(qid)]] = what
        else:
            problems.append(
                f"mapping 'questions': no question {str(qid)!r} in column {qcol!r}; its "
                f"questions are {', '.join(map(repr, list(found.values())[:40]))}"
            )
    mine = question.isin(list(wanted))
    orphan = mine & key.eq("")
    problems += [
        Problem(
            int(i),
            kcol,
            "",
            "no respondent",
            f"row {i}: an answer to {question.at[i]!r} without a respondent in {kcol!r}",
        )
        for i in orphan[orphan].index
    ]
    answers = pd.DataFrame(
        {"key": key, "question": question, "answer": d[acol].fillna(""), "line": d.index}
    )[mine & ~orphan]
    twice = answers[answers.duplicated(["key", "question"], keep=False)]
    for (who, q), group in twice.groupby(["key", "question"], sort=False):
        lines = [int(v) for v in group["line"]]
        problems.append(
            Problem(
                lines[0],
                acol,
                str(who),
                "answered twice",
                f"rows {', '.join(map(str, lines[:-1]))} and {lines[-1]}: respondent "
                f"{who!r} answered {q!r} {len(lines)} times; keep one answer per question",
            )
        )
    carried = [c for c in d.columns if c not in (qcol, acol)]
    clash = [c for c in carried if _label(c) in {_label(q) for q in wanted}]
    problems += [
        f"column {c!r} has the name of a question in {qcol!r}: rename it in a copy" for c in clash
    ]
    if problems:
        raise ImportProblem(export.path, problems)

    keyed = d[key.ne("")]
    who = key[key.ne("")]
    first_line = pd.Series(keyed.index, index=who.values).groupby(level=0, sort=False).min()
    first_line = first_line.sort_values()
    how = {k: v for k, v in mapping.items() if k not in _LONG_KEYS}
    providers, per_function, drivers, comments = {}, {}, {}, []
    for qid, what in wanted.items():
        if isinstance(what, dict):
            ((form, target),) = what.items()
            if form == "score":
                providers[qid] = target
            elif form == "comment":
                per_function[qid] = target
            else:
                drivers[str(target)] = qid
        elif what == "comment":
            comments.append(qid)
        elif what == "score":
            how["score"] = qid
        else:
            how[what] = {"column": qid}
    for name, value in (
        ("providers", providers),
        ("provider_comments", per_function),
        ("drivers", drivers),
    ):
        if value:
            how[name] = {**(mapping.get(name) or {}), **value}
    if comments:
        how["comment"] = comments if len(comments) > 1 else comments[0]

    used = {_label(_ref(v)) for v in how.values() if isinstance(_ref(v), str)}
    data, lines = {}, {}
    for c in carried:
        values = keyed[c].fillna("").astype(str).str.strip()
        values.index = who.values
        given = values[values.ne("")]
        per = given.groupby(level=0, sort=False)
        data[c] = per.first().reindex(first_line.index).fillna("")
        if _label(c) in used or _label(export.labels.get(c, c)) in used:
            differ = per.nunique()
            for k in differ[differ > 1].index:
                rows = sorted(int(i) for i in keyed.index[(who == k).values])
                problems.append(
                    f"column {c!r}: respondent {k!r} has {int(differ[k])} different answers on "
                    f"their rows ({_row_ranges(rows)}); one value per respondent"
                )
    if problems:
        raise ImportProblem(export.path, problems)
    data[kcol] = pd.Series(first_line.index, index=first_line.index)
    for q in wanted:
        mine_q = answers[answers["question"] == q].set_index("key")
        data[q] = mine_q["answer"].reindex(first_line.index).fillna("")
        lines[q] = mine_q["line"].reindex(first_line.index)
    wide = pd.DataFrame(data)
    wide.index = first_line.values
    line_of = pd.DataFrame(lines)
    line_of.index = first_line.values
    labels = {c: export.labels.get(c, c) for c in carried} | {kcol: export.labels.get(kcol, kcol)}
    texts = [
        c for c in carried if c != qcol and _LONG_QUESTION.match(c.replace("_", " ").strip())
    ]  # a question text beside the question id labels it (a comment's label)
    said = (
        d.loc[mine, texts[0]].fillna("").astype(str).str.strip().groupby(question[mine]).first()
        if texts
        else pd.Series(dtype=str)
    )
    labels |= {q: " ".join(str(said.get(q, "")).split()) or q for q in wanted}
    how["respondent_id"] = kcol
    pivoted = Export(
        path=export.path,
        kind=f"{export.kind}, long layout",
        data=wide,
        labels=labels,
        dropped={},
        first_row=int(first_line.iloc[0]) if len(first_line) else export.first_row,
        date1904=export.date1904,
        encoding=export.encoding,
        encoding_source=export.encoding_source,
        delimiter=export.delimiter,
        delimiter_source=export.delimiter_source,
        lines=line_of,
        long_layout={
            "answers read": export.rows_read,
            "answers used": int(len(answers)),
            UNMAPPED_ANSWERS: int((~mine & question.ne("")).sum()),
            "rows without a question": int(question.eq("").sum()),
            "respondents": len(first_line),
        },
    )
    return pivoted, how


def _cell_problems(
    values: pd.Series,
    invalid: pd.Series,
    column: str,
    kind: str,
    what: str,
    lines: pd.DataFrame | None = None,
):
    """One problem per invalid cell, at the file's own row (for a long export, the line of the
    answer itself: ``lines`` holds it per respondent and question)."""

    def row(i) -> int:
        if lines is not None and column in lines.columns and pd.notna(lines.at[i, column]):
            return int(lines.at[i, column])
        return int(i)

    return [
        Problem(
            row(i),
            column,
            str(values.at[i]),
            kind,
            f"row {row(i)}, column {column!r}: {values.at[i]!r} {what}",
        )
        for i in invalid[invalid].index
    ]


def _comment(export: Export, spec, problems: list) -> pd.Series | None:
    """The comment: one column as it is, or several (``comment: [A, B]``) joined, each
    non-blank answer after its question text ("What works well: ...")."""
    if not isinstance(spec, list):
        return _value(export, spec, problems, "comment")
    columns = [
        _column(export, s.get("column") if isinstance(s, dict) else s, problems, "comment")
        for s in spec
    ]
    if None in columns:
        return None
    joined = pd.Series("", index=export.data.index, dtype=object)
    for c in columns:  # column by column: each answer after its question, one per line
        text = export.data[c].fillna("").astype(str).str.strip()
        labelled = (export.labels.get(c) or c) + ": " + text
        gap = joined.ne("") & text.ne("")
        joined = joined + gap.map({True: "\n", False: ""}) + labelled.where(text.ne(""), "")
    return joined


def _contact_ids(emails: pd.Series) -> pd.Series:
    """A stable contact id from an e-mail address: 'c-' and 10 hex digits of the SHA-256 of
    the address in lower case (the address itself is never in the id)."""
    return emails.map(
        lambda e: (
            "c-" + hashlib.sha256(e.strip().lower().encode()).hexdigest()[:10] if e.strip() else ""
        )
    )


def _provider_comments(export: Export, mapping: dict, problems: list) -> dict[str, str]:
    """{rated function: comment column} from ``provider_comments: {column: function}``."""
    spec = mapping.get("provider_comments") or {}
    if spec and not mapping.get("providers"):
        problems.append(
            "mapping 'provider_comments' names comment columns per rated function: it needs "
            "'providers' (one score column per rated function)"
        )
        return {}
    names = {_label(f): str(f) for f in (mapping.get("providers") or {}).values()}
    out = {}
    for ref, function in spec.items():
        col = _column(export, ref, problems, "provider_comments")
        if _label(function) not in names:
            problems.append(
                f"mapping 'provider_comments: {ref}: {function}': {function!r} is not one of "
                f"the functions in 'providers' ({', '.join(map(repr, names.values()))})"
            )
        elif col:
            out[names[_label(function)]] = col
    return out


class _Part(NamedTuple):
    """One file's share of an import."""

    responses: pd.DataFrame
    comments: pd.DataFrame | None  # general comments of a matrix export, once per respondent
    people: pd.DataFrame | None  # consenting respondents' contacts, for the roster
    log: dict
    cells: list  # unusable cells, blanked or dropped (on_invalid)


def _one_file(
    export: Export,
    mapping: dict,
    *,
    prefix: str,
    seen: set,
    recoded: Counter,
    problems_file: Path | None = None,
) -> _Part:
    """One export through the mapping (see :func:`import_exports`); raises ImportProblem."""
    problems: list = [f"mapping {p}" for p in _undecided(mapping)] + _shape_problems(mapping)
    if problems:  # a mapping not read by load_mapping: nothing further can be read with it
        raise ImportProblem(export.path, problems)
    d = export.data
    providers = mapping.get("providers")
    score_cols = (
        {_column(export, c, problems, "providers"): f for c, f in providers.items()}
        if providers
        else {_column(export, mapping.get("score"), problems, "score"): None}
        if mapping.get("score")
        else {}
    )
    if not score_cols:
        problems.append("mapping: 'score' (or 'providers' for a wide export) is required")
    for needed in ("wave", "respondent_function"):
        if needed not in mapping:
            problems.append(f"mapping: '{needed}' is required (a fixed value or {{column: ...}})")
    if not providers and "provider_function" not in mapping:
        problems.append("mapping: 'provider_function' is required for a long export")
    base = {f: _value(export, mapping.get(f), problems, f) for f in _PER_RESPONSE if f != "comment"}
    base["comment"] = _comment(export, mapping.get("comment"), problems)
    per_function = _provider_comments(export, mapping, problems)
    drivers = {
        k: _column(export, v, problems, f"drivers.{k}")
        for k, v in (mapping.get("drivers") or {}).items()
    }
    on_invalid = mapping.get("on_invalid", "error")
    if problems:
        raise ImportProblem(export.path, problems)

    cells: list[Problem] = []  # unusable cells: blanked, dropped or refused per on_invalid
    scale = str(mapping.get("score_scale", "0-10"))
    na = mapping.get("not_applicable") or []
    na = {_label(v) for v in ([na] if isinstance(na, str) else na)}
    not_applicable: dict[str, int] = {}

    def answered(col: str) -> pd.Series:
        """The column with its 'not applicable' answers blanked (counted)."""
        said = [v for v in d[col].unique() if _label(v) in na] if na else []
        is_na = d[col].isin(said)
        if is_na.any():
            not_applicable[col] = int(is_na.sum())
        return d[col].mask(is_na, "")

    scores = {}
    for col in score_cols:
        values = answered(col)
        scores[col], invalid = parse_scores(values, scale=scale)
        cells += _cell_problems(
            values, invalid, col, "not a score", f"is not a score on {scale}", export.lines
        )
    driver_values = {}
    for k, col in drivers.items():
        values = answered(col)
        driver_values[k], invalid = _whole_numbers(values)
        cells += _cell_problems(
            values, invalid, col, "not a whole number", "is not a rating", export.lines
        )
    dates, dayfirst, refused = pd.Series(pd.NaT, index=d.index), None, []
    if base["submitted_at"] is not None:
        spec = mapping["submitted_at"]
        date_col = _column(export, spec.get("column") if isinstance(spec, dict) else spec, [], "")
        text = base["submitted_at"].fillna("").astype(str).str.strip()
        dayfirst = mapping.get("dayfirst")
        if dayfirst is None:
            order = date_order(text)
            if order.dayfirst is None and (order.either_rows or order.day_first_rows):
                kind = "dates in both orders" if order.day_first_rows else "date order unknown"
                rows = order.day_first_rows + order.either_rows
                message = _order_message(repr(date_col), text, order)
                refused.append(Problem(None, date_col, text.at[rows[0]], kind, message))
            else:
                dayfirst = bool(order.dayfirst)
        if not refused:  # a column of unknown order is never parsed, not even half of it
            dates = parse_dates(text, date1904=export.date1904, dayfirst=dayfirst)
            bad = dates.isna() & (text != "") & ~text.str.lower().isin(_MISSING)
            how = f"is not a date (read {'day' if dayfirst else 'month'} first)"
            cells += _cell_problems(text, bad, date_col, "not a date", how, export.lines)

    if on_invalid == "error" and scale == "0-10" and any(p.kind == "not a score" for p in cells):
        codes = pd.concat([pd.to_numeric(d[c], errors="coerce") for c in score_cols])
        if codes.max() == 11 and codes.min() >= 1:
            cells.append(
                Problem(
                    None,
                    "",
                    "",
                    "scale",
                    "the scores run from 1 to 11: this looks like a 0-10 question exported as "
                    "codes 1-11; add 'score_scale: 1-11' to the mapping",
                )
            )
    if refused or (cells and on_invalid == "error"):  # on_invalid never settles a date order
        raise ImportProblem(export.path, refused + cells)

    log = {
        "file": str(export.path),
        "format": export.kind,
        "encoding": export.encoding or "Excel workbook",
        "encoding_source": export.encoding_source or "Excel",
        "delimiter": export.delimiter,
        "delimiter_source": export.delimiter_source,
        "rows_read": export.rows_read,
        "dropped": dict(export.dropped),
    }
    if export.long_layout:
        log["long layout"] = dict(export.long_layout)
    if base["submitted_at"] is not None:
        log["dayfirst"] = dayfirst
        log["dayfirst_source"] = "mapping" if mapping.get("dayfirst") is not None else "detected"
    unusable_rows = sorted({p.row for p in cells if p.row is not None})
    keep_row = pd.Series(True, index=d.index)
    if on_invalid == "drop":
        index_of = _index_of_rows(export)
        keep_row.loc[sorted({index_of[r] for r in unusable_rows})] = False
        log["dropped"]["unusable value (on_invalid: drop)"] = int((~keep_row).sum())
    elif on_invalid == "blank":
        blanked = Counter(f"{p.column}: {p.kind}" for p in cells if p.row is not None)
        log["blanked (on_invalid: blank)"] = dict(blanked)
    if na:
        log["not_applicable (read as no answer)"] = not_applicable
    if cells:
        log["problems"] = len(cells)

    if base["response_id"] is not None:
        ids = base["response_id"].fillna("").astype(str).str.strip()
        log["response_id"] = "mapped"
        kept = ids[keep_row]
        duplicate = pd.Series(False, index=d.index)
        duplicate.loc[kept.index] = (kept.duplicated(keep="first") | kept.isin(seen)) & kept.ne("")
        seen.update(kept[~duplicate.loc[kept.index]])
    else:
        ids = pd.Series([f"{prefix}-{i}" for i in d.index], index=d.index, dtype=object)
        log["response_id"] = "derived from the file name and row"
        duplicate = pd.Series(False, index=d.index)
    log["dropped"]["duplicate response id"] = int(duplicate.sum())
    kept_rows = keep_row & ~duplicate
    consent = pd.Series(False, index=d.index)
    if base["ok_to_contact"] is not None:  # consent is never guessed: what is not read, said
        said = base["ok_to_contact"].fillna("").str.strip()
        consent = said.str.lower().isin(CONSENT_YES)
        unclear = said[kept_rows & (said != "") & ~said.str.lower().isin(_YES_NO)]
        if len(unclear):
            log["consent not understood (not contacted)"] = {
                str(v): int(n) for v, n in unclear.value_counts().items()
            }
    contact, people = _contacts(export, base, consent, kept_rows, log)
    function = base["respondent_function"]
    recode = mapping.get("recode") or {}
    rows = []
    for col, provider in score_cols.items():
        if providers:
            comment = d[per_function[provider]] if provider in per_function else None
        else:
            comment = base["comment"]
        part = pd.DataFrame(
            {
                "response_id": ids + (f"-{provider}" if providers else ""),
                "wave": base["wave"],
                "submitted_at": dates,
                "respondent_id": base["respondent_id"],
                "respondent_function": function,
                "provider_function": provider if providers else base["provider_function"],
                "score": scores[col].astype("Int64"),
                "comment": comment.fillna("").str.strip().replace("", None)
                if comment is not None
                else None,
            },
            index=d.index,
        )
        for k, values in driver_values.items():
            part[f"driver_{k}"] = values.astype("Int64")
        if base["ok_to_contact"] is not None:
            part["ok_to_contact"] = consent
            part["contact_id"] = contact
        rows.append(part[kept_rows])
    long = pd.concat(rows)
    blank = long["score"].isna()
    log["ratings_without_score"] = int(blank.sum())
    if per_function:
        lost = long["comment"].notna() & blank
        log["function comments without a score (not written)"] = int(lost.sum())
    out = long[~blank].reset_index(drop=True)
    if recode:  # counted per rating written
        for f in ("respondent_function", "provider_function"):
            out[f] = _recode(out[f], recode, recoded)
    comments = None
    if providers and base["comment"] is not None:  # said once per respondent, not per rating
        text = base["comment"].fillna("").astype(str).str.strip()
        has = kept_rows & text.ne("")
        comments = pd.DataFrame(
            {
                "comment_id": ids,
                "wave": base["wave"],
                "respondent_id": base["respondent_id"],
                "respondent_function": _recode(function, recode, Counter()) if recode else function,
                "comment": text,
                "ok_to_contact": consent,
                "contact_id": contact,
            },
            index=d.index,
        )[has].reset_index(drop=True)
        log["general comments"] = len(comments)
    if people is not None and recode:
        people["function"] = _recode(people["function"], recode, Counter())
    log["ratings_written"] = len(out)
    log["responses_kept"] = export.rows_read - sum(log["dropped"].values())
    return _Part(out, comments, people, log, cells)


def _index_of_rows(export: Export) -> dict[int, object]:
    """The data index of each file row a problem can name (a long export's answer lines)."""
    index_of = {int(i): i for i in export.data.index}
    if export.lines is not None:
        for col in export.lines.columns:
            for i, line in export.lines[col].dropna().items():
                index_of[int(line)] = i
    return index_of


def _contacts(
    export: Export, base: dict, consent: pd.Series, kept: pd.Series, log: dict
) -> tuple[pd.Series | None, pd.DataFrame | None]:
    """Each row's contact id (consenting rows only), and with ``contact_name`` or
    ``contact_email`` mapped the consenting people for the roster (file row, contact id, name,
    e-mail, function). A non-consenting respondent's name and e-mail go nowhere."""
    if base["ok_to_contact"] is None:
        return None, None
    name, email = base["contact_name"], base["contact_email"]
    if name is None and email is None:
        ids = base["contact_id"]
        return (ids.where(consent) if ids is not None else None), None
    name = name.fillna("").astype(str).str.strip() if name is not None else None
    email = email.fillna("").astype(str).str.strip() if email is not None else None
    if base["contact_id"] is not None:
        ids = base["contact_id"].fillna("").astype(str).str.strip()
    else:
        ids = _contact_ids(email)
    named = ids.ne("") & (name.ne("") if name is not None else True)
    listed = consent & kept & named
    log["roster"] = {
        "people": 0,
        "consenting without a name or id (not contacted)": int((consent & kept & ~named).sum()),
    }
    people = pd.DataFrame(
        {
            "line": [int(i) for i in listed[listed].index],
            "contact_id": ids[listed].values,
            "name": name[listed].values if name is not None else ids[listed].values,
            "email": email[listed].values if email is not None else "",
            "function": base["respondent_function"][listed].values,
        }
    )
    return ids.where(listed), people


def _roster(people: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem], int]:
    """One roster row per contact id (the latest function where a person gave several); a
    contact id with two names, or two e-mail addresses, is a problem naming the rows."""
    problems = []
    for cid, group in people.groupby("contact_id", sort=False):
        for column, what in (("name", "names"), ("email", "e-mail addresses")):
            values = group[column].fillna("").astype(str)
            firsts = values[values.ne("")].groupby(values.map(_label)).head(1)
            if len(firsts) > 1:
                where = "; ".join(
                    f"{r.file}, row {r.line}: {r[column]!r}"
                    for _, r in group.loc[firsts.index].iterrows()
                )
                problems.append(
                    Problem(
                        int(group["line"].iloc[0]),
                        column,
                        str(cid),
                        f"two {what} for one person",
                        f"contact {cid!r} has {len(firsts)} {what} ({where}): correct them "
                        "in a copy of the export so each person has one",
                        file=str(group["file"].iloc[0]),
                    )
                )
    moved = int((people.groupby("contact_id")["function"].nunique() > 1).sum())
    first = people.drop_duplicates("contact_id", keep="first").set_index("contact_id")
    latest = people.drop_duplicates("contact_id", keep="last").set_index("contact_id")
    roster = pd.DataFrame(
        {
            "contact_id": first.index,
            "name": first["name"].values,
            "email": first["email"].replace("", None).values,
            "function": latest.loc[first.index, "function"].values,
        }
    )
    return roster, problems, moved


class Imported(NamedTuple):
    """What :func:`import_exports` makes: the responses table; the general comments of a
    matrix export (None when there are none to keep apart); the roster of consenting
    respondents (None without ``contact_name``/``contact_email``); and the import log."""

    responses: pd.DataFrame
    comments: pd.DataFrame | None
    roster: pd.DataFrame | None
    log: dict


def _id_prefixes(paths: list[Path]) -> list[str]:
    """Each file's share of derived ids: its stem ('wave1' of wave1.csv); its name where two
    stems are alike (wave1.csv, wave1.xlsx); its folder and name where names are too."""
    for names in (
        [p.stem for p in paths],
        [p.name for p in paths],
        ["-".join(p.resolve().parts[1:]) for p in paths],
    ):
        if len(set(names)) == len(names):
            return names
    return [str(p) for p in paths]


def _in_file(problem: Problem, path: Path, several: bool) -> Problem:
    """A problem of one of several files, named by its file."""
    if not several:
        return replace(problem, file=str(path))
    return replace(problem, file=str(path), message=f"{path.name}: {problem.message}")


def _summed(logs: list[dict]) -> dict:
    """Counts of several files' logs added up (numbers, and counts by reason)."""
    total: dict = {}
    for log in logs:
        for key, value in log.items():
            if isinstance(value, bool):
                continue
            if isinstance(value, int):
                total[key] = total.get(key, 0) + value
            elif isinstance(value, dict) and all(isinstance(v, int) for v in value.values()):
                into = total.setdefault(key, {})
                for k, v in value.items():
                    into[k] = into.get(k, 0) + v
    return total


def import_exports(
    exports: list[Export], mapping: dict, *, problems_file: Path | None = None
) -> Imported:
    """The kit's tables from one or several exports of one survey read with one mapping.

    Each row becomes one rating per rated function (``providers``: one score column per
    function); with several files each row records its ``source_file`` and derived ids hold
    the file's name. ``layout: long`` exports (one row per answer) are pivoted first. A
    matrix export's general comment goes to ``comments`` once per respondent, not onto each
    rating; ``contact_name``/``contact_email`` give the roster of consenting respondents.
    Problems of every file are gathered into one :class:`ImportProblem` (rows as each file
    numbers them), or with ``on_invalid: blank | drop`` counted in the log.

    Example
    -------
    >>> from kit.config import SAMPLE_DIR
    >>> export = read_export(SAMPLE_DIR / "responses.csv")
    >>> mapping = {"score": "score", "wave": {"column": "wave"}, "provider_function":
    ...     {"column": "provider_function"}, "respondent_function": {"column":
    ...     "respondent_function"}, "response_id": "response_id"}
    >>> got = import_exports([export], mapping)
    >>> len(got.responses) == len(export.data), got.log["self_ratings"]
    (True, 0)
    """
    paths = [e.path for e in exports]
    several = len(exports) > 1
    where = (
        str(paths[0]) if not several else f"{len(paths)} files ({', '.join(p.name for p in paths)})"
    )
    twice = Counter(p.resolve() for p in paths)
    if max(twice.values()) > 1:
        raise ImportProblem(
            where,
            [
                f"{p} is given {n} times: give each file once (its rows would count twice)"
                for p, n in twice.items()
                if n > 1
            ],
        )
    problems, parts, seen, recoded = [], [], set(), Counter()
    for export, prefix in zip(exports, _id_prefixes(paths), strict=True):
        try:
            read, how = (
                _pivot(export, mapping) if mapping.get("layout") == "long" else (export, mapping)
            )
            parts.append(_one_file(read, how, prefix=prefix, seen=seen, recoded=recoded))
        except ImportProblem as exc:
            problems += [_in_file(p, export.path, several) for p in exc.problems]
    if problems:
        raise _refuse(where, problems, problems_file)
    cells = [
        _in_file(c, e.path, several)
        for e, part in zip(exports, parts, strict=True)
        for c in part.cells
    ]
    if cells and problems_file is not None:
        write_problems(problems_file, paths[0], cells)
    for export, part in zip(exports, parts, strict=True):
        for table in (part.responses, part.comments):
            if several and table is not None:
                table["source_file"] = export.path.name
        if part.people is not None:
            part.people.insert(0, "file", export.path.name)
    responses = pd.concat([p.responses for p in parts], ignore_index=True)
    kept_apart = [p.comments for p in parts if p.comments is not None]
    comments = pd.concat(kept_apart, ignore_index=True) if kept_apart else None
    log = dict(parts[0].log) if not several else {"files": [str(p) for p in paths]}
    if several:
        log["per_file"] = [p.log for p in parts]
        log.update(_summed([p.log for p in parts]))
        orders = {
            (p.log["dayfirst"], p.log["dayfirst_source"]) for p in parts if "dayfirst" in p.log
        }
        if len(orders) == 1 and all("dayfirst" in p.log for p in parts):
            log["dayfirst"], log["dayfirst_source"] = orders.pop()
    roster = None
    everyone = [p.people for p in parts if p.people is not None]
    if everyone:
        roster, clashes, moved = _roster(pd.concat(everyone, ignore_index=True))
        if clashes:
            raise _refuse(where, clashes, problems_file)
        log["roster"]["people"] = len(roster)
        log["roster"]["people with several functions (latest kept)"] = moved
    if mapping.get("recode"):
        recode = mapping["recode"]
        log["recoded"] = dict(recoded)
        seen_labels = {_label(k.split(" -> ")[0]) for k in recoded}
        log["recode labels not found"] = [k for k in recode if _label(k) not in seen_labels]
    if cells:
        log["problems_file"] = str(problems_file) if problems_file is not None else None
    own = responses["respondent_function"].astype(str) == responses["provider_function"].astype(str)
    log["self_ratings"] = int(own.sum())
    counts = responses.loc[own, "provider_function"].astype(str).value_counts()
    log["self_ratings_by_function"] = {
        k: int(counts[k]) for k in sorted(counts.index, key=lambda k: (-counts[k], k))
    }
    return Imported(responses, comments, roster, log)


def to_responses(
    export: Export, mapping: dict, *, problems_file: Path | None = None
) -> tuple[pd.DataFrame, dict]:
    """The responses table and the import log of one export (:func:`import_exports`)."""
    got = import_exports([export], mapping, problems_file=problems_file)
    return got.responses, got.log


def _whole_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Driver ratings: a whole number alone or with a label; blanks and "N/A" are no answer."""
    text = values.fillna("").astype(str).str.strip()
    missing = text.str.lower().isin(_MISSING)
    number = pd.to_numeric(text.str.extract(_SCORE, expand=False), errors="coerce")
    return number, ~missing & number.isna()


def _refuse(where, problems: list[Problem], problems_file: Path | None):
    if problems_file is not None:
        write_problems(problems_file, Path(str(where)), problems)
    return ImportProblem(where, problems, problems_file=problems_file)


# ---------------------------------------------------------------- suggestions

_HINTS = {
    "submitted_at": (
        "recordeddate",
        "timestamp",
        "completion time",
        "end date",
        "enddate",
        "submitted",
        "date",
        "datum",
    ),
    "respondent_id": ("responseid", "response id", "respondent id", "id.name", "id"),
}
_SCORE_NAME = re.compile(
    r"recomm|recomend|likely|\bnps\b|net promoter|0 ?- ?10|0 to 10|scale of|rating|\brate\b|score",
    re.IGNORECASE,
)
#: Survey-tool bookkeeping that can hold small whole numbers (Status 0, Finished 1, Progress).
_BOOKKEEPING = re.compile(
    r"(^|[\s._])id$|^id\b|status|finished|progress|duration|latitude|longitude|language|"
    r"channel|ip ?address|recipient|reference|e-?mail|^name$|collector",
    re.IGNORECASE,
)
_FUNCTION_NAME = re.compile(
    r"department|function|team|group|division|business unit|\bunit\b|abteilung|bereich",
    re.IGNORECASE,
)
_CONSENT_NAME = re.compile(r"consent|contact|follow|reach (you|out)|get back", re.IGNORECASE)
_COMMENT_NAME = re.compile(
    r"why|comment|reason|explain|improve|feedback|suggest|free text|anything else|tell us",
    re.IGNORECASE,
)
_WAVE_NAME = re.compile(r"wave|survey period|\bperiod\b|\bround\b|\bcycle\b", re.IGNORECASE)
_LONG_QUESTION = re.compile(
    r"^(question|question ?(id|text|code|name)|qid|item|variable|field|attribute)$", re.I
)
_LONG_ANSWER = re.compile(r"^(answer|response|value)( ?(text|value|code))?$", re.I)
#: Answers that say the question did not apply (proposed for not_applicable:).
_NA_ANSWER = re.compile(
    r"not applicable|does not apply|doesn.?t apply|no experience|not worked|never used|"
    r"have not used|haven.?t used|no opinion|cannot say|can.?t say|no contact|^n/?a\b",
    re.IGNORECASE,
)
#: The answers read as consent; any other non-blank answer ("Yes, please", "Sí") is not, and
#: is counted in the import log and said (consent is never guessed).
CONSENT_YES = {"yes", "y", "true", "1", "ja", "oui"}
_YES_NO = CONSENT_YES | {"no", "n", "false", "0", "nein", "non"}
#: Score columns must be mostly 0-10 whole numbers: at least this share of their answers.
SCORE_SHARE = 0.8


def _q(text) -> str:
    """A YAML single-quoted string on one line (an answer's line breaks become spaces)."""
    return "'" + " ".join(str(text).split()).replace("'", "''") + "'"


class _ScoreColumn(NamedTuple):
    column: str
    scale: str  # 0-10 or 1-11
    share: float  # of answers that are scores
    scores: int
    not_applicable: list  # answers that say the question did not apply
    other: list  # answers that are neither


def _score_column(export: Export, col: str) -> _ScoreColumn | None:
    """``col`` as a score column when most of its answers are whole numbers 0-10 (or codes
    1-11), leaving out 'not applicable'-like answers; None otherwise."""
    text = export.data[col].fillna("").astype(str).str.strip()
    answered = text[(text != "") & ~text.str.lower().isin(_MISSING)]
    if answered.empty or _BOOKKEEPING.search(col):
        return None
    na = answered[answered.map(lambda v: bool(_NA_ANSWER.search(v)))]
    rest = answered.drop(na.index)
    if rest.empty:
        return None
    best = None
    for scale in ("0-10", "1-11"):
        scores, invalid = parse_scores(rest, scale=scale)
        share = float((~invalid).mean())
        if share >= SCORE_SHARE and (best is None or share > best.share):
            other = sorted(set(rest[invalid]))
            best = _ScoreColumn(
                col, scale, share, int(scores.notna().sum()), sorted(set(na)), other
            )
    if best is None:
        return None
    numbers = set(pd.to_numeric(rest.str.extract(_SCORE, expand=False), errors="coerce").dropna())
    if best.scale == "1-11" and 11 not in numbers:
        return None
    if numbers <= {0, 1} and not _SCORE_NAME.search(col + " " + export.labels.get(col, "")):
        return None  # a yes/no flag, not a rating
    return best


def _matrix(export: Export, scored: dict[str, _ScoreColumn]) -> tuple[str, dict[str, str]]:
    """The largest group (2 or more) of score columns whose question texts end in
    ' - <function>' after one shared question: (question, {column: function})."""
    groups: dict[str, dict[str, str]] = {}
    for col in scored:
        label = export.labels.get(col) or col
        for text in (label, col):
            if " - " in text:
                question, function = (p.strip() for p in text.rsplit(" - ", 1))
                if question and function:
                    groups.setdefault(question, {})[col] = function
                    break
    groups = {q: g for q, g in groups.items() if len(g) >= 2}
    if not groups:
        return "", {}
    question = max(groups, key=lambda q: (bool(_SCORE_NAME.search(q)), len(groups[q])))
    return question, groups[question]


def _function_comments(
    export: Export, texts: list[str], providers: dict[str, str]
) -> dict[str, str]:
    """Free-text columns whose question ends with a rated function's name, as the providers
    write it ('Why? - IT', 'Comment on IT'; not 'What would you change about it'):
    {column: function}."""
    found = {}
    for col in texts:
        for text in (export.labels.get(col) or col, col):
            text = " ".join(text.split())
            function = next(
                (f for f in (providers or {}).values() if re.search(rf"\W{re.escape(f)}$", text)),
                None,
            )
            if function is not None:
                found[col] = function
                break
    return found


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PERSON_NAME = re.compile(r"\bname\b|\bnom\b|\bnombre\b", re.IGNORECASE)
_NOT_PERSON_NAME = re.compile(
    r"compan|organi[sz]ation|file|user ?name|first|last|given|family|sur|product|site|team|"
    r"department|function",
    re.IGNORECASE,
)


def _mostly_emails(export: Export, col: str) -> bool:
    values = _distinct(export, col)
    return not values.empty and values.str.match(_EMAIL).mean() >= SCORE_SHARE


def _distinct(export: Export, col: str) -> pd.Series:
    text = export.data[col].fillna("").astype(str).str.strip()
    return text[(text != "") & ~text.str.lower().isin(_MISSING)]


def _is_free_text(values: pd.Series, named: bool) -> bool:
    """Answers in words, not numbers, dates, codes or ids: named like a comment question, or
    long and varied (a choice list repeats a few answers)."""
    if values.empty or values.str.contains(r"[^\W\d_]{2}", regex=True).mean() < 0.8:
        return False
    if values.str.match(_NUMERIC_DATE).mean() > 0.5 or values.str.match(r"^\d{4}-\d\d-\d\d").any():
        return False
    if named:
        return True
    varied = values.nunique() > 10 or values.nunique() / len(values) >= 0.5
    return values.str.contains(r"\s").mean() >= 0.3 and values.str.len().mean() >= 15 and varied


def _named(export: Export, columns, used, field: str, accept=lambda col: True) -> str | None:
    """The first column not ``used`` whose name or question holds one of ``field``'s hints
    (in the hints' order) and that ``accept`` takes; None when none does."""
    return next(
        (
            col
            for hint in _HINTS[field]
            for col in columns
            if col not in used
            and (hint in col.lower() or hint in export.labels[col].lower())
            and accept(col)
        ),
        None,
    )


def _mostly_dates(export: Export, col: str) -> bool:
    """Most answers read as dates in one order or the other ('Update frequency' is no date)."""
    text = _distinct(export, col)
    if text.empty:
        return False
    return any(
        parse_dates(text, date1904=export.date1904, dayfirst=first).notna().mean() >= SCORE_SHARE
        for first in (False, True)
    )


def _half_years(dates: pd.Series) -> Counter:
    dates = dates.dropna()
    return Counter(f"{d.year}-H{1 if d.month <= 6 else 2}" for d in dates)


def _looks_long(export: Export) -> tuple[str, str] | None:
    """(question column, answer column) when the file has one row per answer."""
    cols = list(export.data.columns)
    question = next((c for c in cols if _LONG_QUESTION.match(c.replace("_", " ").strip())), None)
    answer = next((c for c in cols if _LONG_ANSWER.match(c.replace("_", " ").strip())), None)
    if question and answer and export.data[question].nunique() < len(export.data):
        return question, answer
    return None


def _dayfirst_line(export: Export, column: str) -> str:
    """The mapping line for the date order of ``column``, as its values show it."""
    text = export.data[column].fillna("").astype(str).str.strip()
    order = date_order(text)
    if order.dayfirst is not None:
        proof = order.day_first_rows if order.dayfirst else order.month_first_rows
        if not proof:
            return "dayfirst: false             # no date whose day and month could be swapped"
        example = f"row {proof[0]}: {text.at[proof[0]]!r}"
        first = "day" if order.dayfirst else "month"
        return f"dayfirst: {str(order.dayfirst).lower():<5}             # {first} first ({example})"
    what = (
        f"both orders occur ({_examples(text, order.day_first_rows, 1)}; "
        f"{_examples(text, order.month_first_rows, 1)})"
        if order.day_first_rows
        else f"every date fits both orders ({_examples(text, order.either_rows, 1)})"
    )
    return f"# dayfirst: true or false? {what}; kit import refuses the dates until it is set"


def _long_key(export: Export, question: str, answer: str) -> str | None:
    """The column naming the respondent in a long export: its values repeat, once per question
    they answered (id-like names first); None when no column does."""
    q = export.data[question].fillna("").astype(str).str.strip()
    best = None
    for col in export.data.columns:
        if col in (question, answer):
            continue
        key = export.data[col].fillna("").astype(str).str.strip()
        if key.eq("").mean() > 0.2 or key.nunique() >= len(key):
            continue
        twice = pd.DataFrame({"k": key, "q": q}).duplicated().mean()
        named = bool(re.search(r"respondent|participant|person|response|\bid\b|_id$", col, re.I))
        rank = (twice, not named, list(export.data.columns).index(col))
        if twice < 0.05 and (best is None or rank < best[0]):
            best = (rank, col)
    return best[1] if best else None


def _suggest_long(export: Export, question: str, answer: str) -> str:
    """The pivot mapping of a long export: the suggestion for its pivoted form, each field
    that a question answers moved under ``questions:``."""
    head = (
        f"# {export.path.name} is long: one row per answer ({question!r} names the question, "
        f"{answer!r} holds the answer); kit import pivots it to one row per respondent."
    )
    fixed = ["layout: long", f"question: {{column: {_q(question)}}}"]
    fixed.append(f"answer: {{column: {_q(answer)}}}")
    ids = list(dict.fromkeys(v for v in export.data[question].fillna("").str.strip() if v))
    key = _long_key(export, question, answer)
    undecided = f"{UNDECIDED}: score, comment, ok_to_contact, respondent_function, ... or omit"
    if key is None:
        return (
            "\n".join(
                [
                    head,
                    *fixed,
                    "respondent_id: " + _q(f"{UNDECIDED}: the column naming the respondent"),
                    "questions:",
                    *[f"  {_q(q)}: {_q(undecided)}" for q in ids],
                ]
            )
            + "\n"
        )
    try:
        pivoted, _ = _pivot(
            export,
            {
                "layout": "long",
                "question": question,
                "answer": answer,
                "respondent_id": key,
                "questions": {q: "comment" for q in ids},
            },
        )
    except ImportProblem as exc:
        return (
            f"{head}\n# It cannot be pivoted yet:\n"
            + "\n".join(f"#   {p.message}" for p in exc.problems[:10])
            + "\n"
        )
    wide = suggest_mapping(pivoted, pivot=False).splitlines()
    questions, kept, in_providers = [], [], False
    for line in wide[1:]:
        if line.startswith("#"):
            if not line.startswith("# respondent_id:"):  # the key is the respondent
                kept.append(line)
            continue
        if line == "providers:":
            in_providers = True
            continue
        parsed = yaml.safe_load(line.strip()) or {}
        ((name, value),) = parsed.items()
        if in_providers and line.startswith("  "):
            questions.append(f"  {_q(name)}: {{score: {_q(value)}}}")
            continue
        in_providers = False
        column = value.get("column") if isinstance(value, dict) else value
        if name == "respondent_id":
            continue
        if name in _QUESTION_FIELDS and isinstance(column, str) and column in ids:
            questions.append(f"  {_q(column)}: {name}")
        else:
            kept.append(line)
    taken = {yaml.safe_load(q.strip()).popitem()[0] for q in questions}
    rest = [q for q in ids if q not in taken]
    if rest:
        shown = ", ".join(map(_q, rest[:10])) + (
            f" and {len(rest) - 10} more" if len(rest) > 10 else ""
        )
        questions.append(
            f"  # not used: {shown} (a score per function: {{score: Function}}; a driver: "
            "{driver: name})"
        )
    return (
        "\n".join(
            [
                head,
                f"# Respondents are told apart by {key!r} ({len(pivoted.data)} of them); questions "
                "not listed under 'questions:' are left out and counted in the import log.",
                *fixed,
                f"respondent_id: {_q(key)}",
                "questions:",
                *questions,
                *kept,
            ]
        )
        + "\n"
    )


def suggest_mapping(export: Export, *, pivot: bool = True) -> str:
    """A starting mapping for an export: the score column chosen by its values (mostly whole
    numbers 0-10), or ``providers:`` for a matrix export (questions ending ' - <function>');
    the respondent's function, consent, comment(s), date and its order, and the wave. What
    it cannot decide is written as ``CHOOSE: ...``, which :func:`load_mapping` refuses. A
    long export (one row per answer) gets the pivot mapping (``layout: long``)."""
    long = _looks_long(export) if pivot else None
    if long:
        return _suggest_long(export, *long)
    lines = [f"# Suggested mapping for {export.path.name} ({export.kind}); check every line."]
    if export.encoding:
        sep = {"\t": "tab"}.get(export.delimiter, export.delimiter)
        lines.append(
            f"# Read as {export.encoding} ({export.encoding_source}), delimiter {sep!r} "
            f"({export.delimiter_source}); 'encoding:' and 'delimiter:' override."
        )
    columns = list(export.data.columns)
    used: set[str] = set()

    def label(col: str) -> str:
        return f"{col} {export.labels.get(col, '')}"

    # -- the score: by values, preferring names that say so; a matrix gives providers
    scored = {c: s for c in columns if (s := _score_column(export, c)) is not None}
    question, providers = _matrix(export, scored)
    chosen: list[_ScoreColumn] = []
    if providers:
        chosen = [scored[c] for c in providers]
        used.update(providers)
        lines.append(f"# One score column per rated function ({question!r}):")
        lines.append("providers:")
        lines += [f"  {_q(c)}: {_q(f)}" for c, f in providers.items()]
        first = next(iter(providers.values()))
        lines.append(
            f"# recode: {{{_q(first)}: ...}}   # survey label -> your function name, where "
            "they differ (also applied to respondent_function)"
        )
    elif scored:
        ranked = sorted(
            scored.values(),
            key=lambda s: (
                -bool(_SCORE_NAME.search(label(s.column))),
                -round(s.share, 2),
                columns.index(s.column),
            ),
        )
        best = ranked[0]
        chosen = [best]
        used.add(best.column)
        others = [s.column for s in ranked[1:]]
        lines.append(f"score: {_q(best.column)}")
        if others:
            shown = ", ".join(map(_q, others[:5]))
            lines.append(f"# other columns of whole numbers 0-10 (drivers: ?): {shown}")
    else:
        lines.append(f"score: {_q(f'{UNDECIDED}: the 0-10 column (no column is mostly 0-10)')}")
    scale = "1-11" if any(s.scale == "1-11" for s in chosen) else "0-10"
    lines.append(
        "score_scale: 1-11          # the answers run 1-11: a 0-10 question exported as codes"
        if scale == "1-11"
        else "score_scale: 0-10"
    )
    na = sorted({v for s in chosen for v in s.not_applicable})
    if na:
        lines.append(f"not_applicable: [{', '.join(map(_q, na))}]   # read as no answer")
    other = sorted({v for s in chosen for v in s.other})
    if other:
        shown = ", ".join(map(_q, other[:3])) + (
            f" and {len(other) - 3} more" if len(other) > 3 else ""
        )
        lines.append(
            f"# not scores: {shown}; kit import lists them (on_invalid: blank or drop to go on)"
        )
    if providers:
        lines.append("# provider_function: not needed (providers: above)")
    else:
        lines.append(
            "provider_function: "
            + _q(f'{UNDECIDED}: the function rated, {{value: "Regulatory"}} or {{column: "..."}}')
        )

    # -- the respondent's function: a text column with few distinct values, named so
    def few_values(col: str) -> bool:
        values = _distinct(export, col)
        return (
            not values.empty
            and values.nunique() <= min(30, max(10, len(values) // 2))
            and values.str.len().mean() < 40
        )

    function = next(
        (c for c in columns if c not in used and _FUNCTION_NAME.search(label(c)) and few_values(c)),
        None,
    )
    if function:
        used.add(function)
        values = sorted({" ".join(v.split()) for v in _distinct(export, function)})
        shown = ", ".join(values[:8]) + (f" and {len(values) - 8} more" if len(values) > 8 else "")
        lines.append(f"respondent_function: {{column: {_q(function)}}}   # {shown}")
    else:
        lines.append(
            "respondent_function: "
            + _q(f'{UNDECIDED}: {{column: "..."}} or {{value: "..."}} (no function column found)')
        )

    # -- consent: a yes/no column named like consent, contact or follow-up
    consent = [c for c in columns if c not in used and _CONSENT_NAME.search(label(c))]
    yes_no = [c for c in consent if set(_distinct(export, c).str.lower()) <= _YES_NO]
    if yes_no and not _distinct(export, yes_no[0]).empty:
        used.add(yes_no[0])
        lines.append(f"ok_to_contact: {{column: {_q(yes_no[0])}}}   # yes / no")
    elif consent and not _distinct(export, consent[0]).empty:
        values = sorted(set(_distinct(export, consent[0])))[:4]
        lines.append(
            f"# ok_to_contact: {{column: {_q(consent[0])}}} ? its answers "
            f"({', '.join(map(_q, values))}) are not yes/no: only yes, y, true, 1, ja, oui "
            "count as consent"
        )
    else:
        lines.append("# ok_to_contact: (no yes/no consent column found: nobody will be contacted)")

    # -- the date and its order, and the wave
    date_col = _named(
        export, columns, used, "submitted_at", lambda col: _mostly_dates(export, col)
    ) or next(  # unnamed: written dates (numbers alone could be durations or counts)
        (
            col
            for col in columns
            if col not in used
            and _distinct(export, col).str.contains(r"\d[/.\-]\d|[a-z]{3}", case=False).all()
            and _mostly_dates(export, col)
        ),
        None,
    )
    readings: dict[str, pd.Series] = {}  # how the dates read, by order
    if date_col:
        used.add(date_col)
        lines.append(f"submitted_at: {_q(date_col)}")
        lines.append(_dayfirst_line(export, date_col))
        text = export.data[date_col].fillna("").astype(str).str.strip()
        order = date_order(text)
        decided = order.dayfirst is not None or not (order.either_rows or order.day_first_rows)
        for first in [bool(order.dayfirst)] if decided else [True, False]:
            read = parse_dates(text, date1904=export.date1904, dayfirst=first)
            readings["day first" if first else "month first"] = read
    else:
        lines.append("# submitted_at: (no date column found)")
    wave = next(
        (
            c
            for c in columns
            if c not in used
            and _WAVE_NAME.search(label(c))
            and _distinct(export, c).nunique() <= 12
        ),
        None,
    )
    halves = {how: _half_years(read) for how, read in readings.items()}
    one = {tuple(h) for h in halves.values()}
    if wave:
        used.add(wave)
        waves = ", ".join(sorted({" ".join(v.split()) for v in _distinct(export, wave)}))
        lines.append(f"wave: {{column: {_q(wave)}}}   # {waves}")
    elif len(one) == 1 and len(next(iter(one))) == 1:
        (half,) = next(iter(one))
        read = next(iter(readings.values()))
        lines.append(
            f"wave: {_q(half)}   # the half-year of every date ({read.min():%Y-%m-%d} to "
            f"{read.max():%Y-%m-%d}); use the wave's name in engagement.yaml"
        )
    else:
        if len(halves) == 2:
            why = "set dayfirst first: " + "; ".join(
                f"read {how} they fall in {', '.join(sorted(h))}" for how, h in halves.items()
            )
        elif halves:
            (h,) = halves.values()
            why = "the dates span " + ", ".join(f"{k}: {n} dates" for k, n in sorted(h.items()))
        else:
            why = "no dates to read it from"
        lines.append(f"wave: {_q(f'{UNDECIDED}: the wave, e.g. 2026-H1 ({why})')}")

    # -- comments: long free-text columns, named ones first
    def _named_comment(col: str) -> bool:
        return bool(_COMMENT_NAME.search(label(col)))

    texts = [c for c in columns if c not in used and not _BOOKKEEPING.search(c)]
    texts = [c for c in texts if _is_free_text(_distinct(export, c), _named_comment(c))]
    texts.sort(key=lambda c: (not _named_comment(c), columns.index(c)))
    per_function = _function_comments(export, texts, providers)
    texts = [c for c in texts if c not in per_function]
    if per_function:
        used.update(per_function)
        lines.append("# One comment column per rated function: each on that function's rating")
        lines.append("provider_comments:")
        lines += [f"  {_q(c)}: {_q(f)}" for c, f in per_function.items()]
    if texts:
        used.add(texts[0])
        lines.append(
            f"comment: {_q(texts[0])}"
            + (
                "   # said once per respondent: to comments.csv, not onto each rating"
                * bool(providers)
            )
        )
        if texts[1:]:
            lines.append(
                f"# other free-text columns: {', '.join(map(_q, texts[1:6]))} (comment: [A, B] "
                "joins them, each after its question)"
            )
    else:
        lines.append("# comment: (no free-text column found)")

    # -- the roster: a name and an e-mail column, written for consenting respondents only
    email = next((c for c in columns if c not in used and _mostly_emails(export, c)), None)
    name = next(
        (
            c
            for c in columns
            if c not in used
            and c != email
            and _PERSON_NAME.search(label(c))
            and not _NOT_PERSON_NAME.search(label(c))
            and not _distinct(export, c).empty
        ),
        None,
    )
    if email and name:
        consented = any(line.startswith("ok_to_contact:") for line in lines)
        pair = [f"contact_name: {_q(name)}", f"contact_email: {_q(email)}"]
        if consented:
            lines.append("# roster.csv of consenting respondents (nobody else's name or e-mail):")
            lines += pair
        else:
            lines.append("# roster.csv from names and e-mails needs ok_to_contact (consent):")
            lines += [f"# {line}" for line in pair]

    # -- the person
    person = _named(export, columns, used, "respondent_id")
    lines.append(f"respondent_id: {_q(person)}" if person else "# respondent_id: (no column found)")
    lines.append(
        "# on_invalid: blank         # or drop: unusable cells (#ERROR!) instead of stopping"
    )
    return "\n".join(lines) + "\n"
