"""Real survey exports in: Qualtrics, SurveyMonkey, Microsoft Forms, Google Forms, Snap, CSV/Excel.

An export is read as text (its encoding and delimiter detected, or taken from the mapping), its
header rows recognised (Qualtrics: 3 rows, or 2 in the legacy format; SurveyMonkey and Snap: 2;
the others: 1), test and unfinished responses dropped and counted, and its columns mapped to the
kit's responses table by a small YAML **mapping**::

    score: "How likely are you to recommend ...?"   # a column name or its question text
    score_scale: 0-10          # or 1-11 when a 0-10 question was exported as codes 1-11
    comment: "...why?"
    wave: 2026-H1              # a fixed value, or {column: ...}
    respondent_function: {column: "Your function"}
    provider_function: Regulatory
    respondent_id: ResponseId  # the person (may answer several waves)
    response_id: ResponseId    # one answer; derived from file and row when not mapped
    submitted_at: RecordedDate
    dayfirst: true             # 05/01/2026 is 5 January (detected from the values if absent)
    ok_to_contact: {column: "May we contact you?"}
    drivers: {responsiveness: "Q5_1", quality: "Q5_2"}
    providers: {"Rating - Finance": Finance, "Rating - IT": IT}   # wide exports
    encoding: cp1250           # detected if absent (UTF-8/16, cp1250, cp1252)
    delimiter: ";"             # detected if absent (, ; tab |)
    on_invalid: blank          # or drop; unusable cells (#ERROR!) stop the import by default

Every row is accounted for in the import log (read = kept + dropped by reason); a value that
cannot be a score or a date is a problem listed with the file's own row number and its column,
never silently dropped or guessed.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import yaml

from kit.errors import KitError

__all__ = [
    "Export",
    "ImportProblem",
    "Problem",
    "read_export",
    "load_mapping",
    "to_responses",
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
            groups: dict[tuple[str, str], list[int]] = {}
            for p in cells:
                groups.setdefault((p.column, p.kind), []).append(p.row)
            for (column, kind), rows in groups.items():
                where = "row" if len(set(rows)) == 1 else "rows"
                lines.append(f"  {column!r}: {kind}, {len(rows)} ({where} {_row_ranges(rows)})")
        if self.problems_file is not None:
            lines.append(f"Full list: {self.problems_file}")
        return "\n".join(lines)


def write_problems(path: Path, file: Path, problems: list[Problem]) -> Path:
    """The full list of problems as CSV (file, row, column, value, kind, problem)."""
    pd.DataFrame(
        {
            "file": str(file),
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
    """Records as rows of text cells, indexed by the file line each record starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows, lines, previous = [], [], 0
    try:
        for record in reader:
            rows.append(record)
            lines.append(previous + 1)
            previous = reader.line_num
    except csv.Error as exc:
        raise KitError(
            f"row {previous + 1} cannot be read as delimited text ({exc}); save the export "
            "again as CSV from the survey tool or Excel"
        ) from exc
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], index=lines, dtype=str)


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
        grid, how = _grid(path, sheet, encoding, delimiter)
    except ImportProblem:
        raise
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
    grid = grid.loc[~grid.apply(lambda r: all(str(v).strip() == "" for v in r), axis=1)]
    grid = grid.loc[:, ~grid.apply(lambda c: all(str(v).strip() == "" for v in c))]
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
    text = values.fillna("").astype(str).str.strip()
    missing = text.str.lower().isin(_MISSING)
    number = pd.to_numeric(text.str.extract(_SCORE, expand=False), errors="coerce")
    if scale == "1-11":
        number = number.where(number.between(1, 11)) - 1
    ok = number.between(0, 10)
    return number.where(ok), ~missing & ~ok


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
)
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
}


def load_mapping(path: Path | str) -> dict:
    """Read a mapping file; unknown keys and impossible settings are an error naming them."""
    path = Path(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
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
    if raw.get("dayfirst") is not None and not isinstance(raw["dayfirst"], bool):
        problems.append(f"'dayfirst: {raw['dayfirst']}' must be true (05/01 is 5 January) or false")
    if problems:
        raise ImportProblem(path, problems)
    return raw


def _column(export: Export, ref, problems: list, field_name: str) -> str | None:
    """The export column a mapping entry names (by column name or question text, any case)."""
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
        col = _column(export, spec.get("column"), problems, field_name)
        return export.data[col].str.strip() if col else None
    if field_name in ("respondent_id", "response_id", "submitted_at", "contact_id", "comment"):
        col = _column(export, spec, problems, field_name)
        return export.data[col] if col else None
    return pd.Series(str(spec), index=export.data.index)


def _cell_problems(values: pd.Series, invalid: pd.Series, column: str, kind: str, what: str):
    return [
        Problem(
            int(i),
            column,
            str(values.at[i]),
            kind,
            f"row {i}, column {column!r}: {values.at[i]!r} {what}",
        )
        for i in invalid[invalid].index
    ]


def to_responses(
    export: Export, mapping: dict, *, problems_file: Path | None = None
) -> tuple[pd.DataFrame, dict]:
    """The kit's responses table from an export and a mapping, and the import log.

    Wide exports (``providers``: one score column per rated function) become one row per
    rating. Each row's ``response_id`` is the mapped column or, without one, derived from the
    file and its row (a person who answered twice keeps both answers). Unusable cells stop the
    import (:class:`ImportProblem`, rows as the file numbers them), or with ``on_invalid:
    blank | drop`` are blanked or their rows dropped, counted in the log. With
    ``problems_file`` every problem is also written there as CSV."""
    problems: list = []
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
    base = {f: _value(export, mapping.get(f), problems, f) for f in _PER_RESPONSE}
    drivers = {
        k: _column(export, v, problems, f"drivers.{k}")
        for k, v in (mapping.get("drivers") or {}).items()
    }
    on_invalid = mapping.get("on_invalid", "error")
    if problems:
        raise ImportProblem(export.path, problems)

    cells: list[Problem] = []  # unusable cells: blanked, dropped or refused per on_invalid
    scale = str(mapping.get("score_scale", "0-10"))
    scores = {}
    for col in score_cols:
        scores[col], invalid = parse_scores(d[col], scale=scale)
        cells += _cell_problems(d[col], invalid, col, "not a score", f"is not a score on {scale}")
    driver_values = {}
    for k, col in drivers.items():
        driver_values[k], invalid = _whole_numbers(d[col])
        cells += _cell_problems(d[col], invalid, col, "not a whole number", "is not a rating")
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
            cells += _cell_problems(text, bad, date_col, "not a date", how)

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
        raise _refuse(export, refused + cells, problems_file)
    if cells and problems_file is not None:
        write_problems(problems_file, export.path, cells)

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
    if base["submitted_at"] is not None:
        log["dayfirst"] = dayfirst
        log["dayfirst_source"] = "mapping" if mapping.get("dayfirst") is not None else "detected"
    unusable_rows = sorted({p.row for p in cells if p.row is not None})
    keep_row = pd.Series(True, index=d.index)
    if on_invalid == "drop":
        keep_row.loc[unusable_rows] = False
        log["dropped"]["unusable value (on_invalid: drop)"] = len(unusable_rows)
    elif on_invalid == "blank":
        blanked = Counter(f"{p.column}: {p.kind}" for p in cells if p.row is not None)
        log["blanked (on_invalid: blank)"] = dict(blanked)
    if cells:
        log["problems"] = len(cells)
        log["problems_file"] = str(problems_file) if problems_file is not None else None

    if base["response_id"] is not None:
        ids = base["response_id"].fillna("").astype(str).str.strip()
        log["response_id"] = "mapped"
        kept = ids[keep_row]
        duplicate = pd.Series(False, index=d.index)
        duplicate.loc[kept.index] = kept.duplicated(keep="first") & kept.ne("")
    else:
        ids = pd.Series([f"{export.path.stem}-{i}" for i in d.index], index=d.index)
        log["response_id"] = "derived from the file name and row"
        duplicate = pd.Series(False, index=d.index)
    log["dropped"]["duplicate response id"] = int(duplicate.sum())

    rows = []
    for col, provider in score_cols.items():
        part = pd.DataFrame(
            {
                "response_id": ids + (f"-{provider}" if providers else ""),
                "wave": base["wave"],
                "submitted_at": dates,
                "respondent_id": base["respondent_id"],
                "respondent_function": base["respondent_function"],
                "provider_function": provider if providers else base["provider_function"],
                "score": scores[col].astype("Int64"),
                "comment": base["comment"].replace("", None)
                if base["comment"] is not None
                else None,
            },
            index=d.index,
        )
        for k, values in driver_values.items():
            part[f"driver_{k}"] = values.astype("Int64")
        if base["ok_to_contact"] is not None:
            part["ok_to_contact"] = (
                base["ok_to_contact"].str.lower().isin({"yes", "y", "true", "1", "ja", "oui"})
            )
            part["contact_id"] = (
                base["contact_id"].where(part["ok_to_contact"])
                if (base["contact_id"] is not None)
                else None
            )
        rows.append(part[keep_row & ~duplicate])
    long = pd.concat(rows)
    blank = long["score"].isna()
    log["ratings_without_score"] = int(blank.sum())
    out = long[~blank].reset_index(drop=True)
    log["ratings_written"] = len(out)
    log["responses_kept"] = export.rows_read - sum(log["dropped"].values())
    return out, log


def _whole_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Driver ratings: a whole number alone or with a label; blanks and "N/A" are no answer."""
    text = values.fillna("").astype(str).str.strip()
    missing = text.str.lower().isin(_MISSING)
    number = pd.to_numeric(text.str.extract(_SCORE, expand=False), errors="coerce")
    return number, ~missing & number.isna()


def _refuse(export: Export, problems: list[Problem], problems_file: Path | None):
    if problems_file is not None:
        write_problems(problems_file, export.path, problems)
    return ImportProblem(export.path, problems, problems_file=problems_file)


# ---------------------------------------------------------------- suggestions

_HINTS = {
    "score": ("recommend", "0-10", "0 to 10", "likely", "scale of", "nps", "rate"),
    "comment": ("why", "comment", "reason", "explain", "improve"),
    "submitted_at": ("recordeddate", "timestamp", "completion time", "end date", "enddate", "date"),
    "respondent_id": ("responseid", "response id", "respondent id", "id.name", "id"),
    "respondent_function": ("function", "department", "team"),
}


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


def suggest_mapping(export: Export) -> str:
    """A starting mapping for an export, from its column names and question texts; the date
    order from the values, and how the file was read."""
    lines = [f"# Suggested mapping for {export.path.name} ({export.kind}); check every line."]
    if export.encoding:
        sep = {"\t": "tab"}.get(export.delimiter, export.delimiter)
        lines.append(
            f"# Read as {export.encoding} ({export.encoding_source}), delimiter {sep!r} "
            f"({export.delimiter_source}); 'encoding:' and 'delimiter:' override."
        )
    used: set[str] = set()
    for name, hints in _HINTS.items():
        found = next(
            (
                col
                for hint in hints
                for col, label in export.labels.items()
                if col not in used and (hint in col.lower() or hint in label.lower())
            ),
            None,
        )
        if found:
            used.add(found)
            lines.append(f"{name}: {found!r}")
            if name == "submitted_at":
                lines.append(_dayfirst_line(export, found))
        else:
            lines.append(f"# {name}: (no column found)")
    lines += [
        "score_scale: 0-10",
        "wave: 2026-H1               # set the wave",
        "provider_function: CHANGE ME  # the function rated, or providers: {...}",
        "# on_invalid: blank         # or drop: unusable cells (#ERROR!) instead of stopping",
    ]
    return "\n".join(lines) + "\n"
