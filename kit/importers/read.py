"""Reading an export: bytes to a grid of text cells to an :class:`Export`.

The encoding (byte-order mark, valid UTF-8, or cp1250 told from cp1252) and the delimiter
(``,`` ``;`` tab ``|``) are detected unless the mapping names them; Excel workbooks are read
cell by cell. Files over ``MAX_EXPORT_BYTES``, binary files and cells over ``MAX_CELL_CHARS``
characters are refused before anything is parsed. The header rows of each survey tool are
recognised (Qualtrics: 3 rows, or 2 in the legacy format; SurveyMonkey and Snap: 2; the
others: 1) and test and unfinished responses dropped and counted.
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

import numpy as np
import pandas as pd

from kit.errors import KitError
from kit.importers.problems import ImportProblem, Problem

__all__ = [
    "EXCEL",
    "DELIMITERS",
    "CODE_PAGES",
    "MAX_EXPORT_BYTES",
    "MAX_CELL_CHARS",
    "Export",
    "read_export",
    "read_exports",
    "read_grid",
    "unique_names",
]

#: File names read as Excel workbooks.
EXCEL = {".xlsx", ".xlsm", ".xls"}
#: The delimiters a text export is split on (sniffed in this order of preference on ties).
DELIMITERS = (",", ";", "\t", "|")
#: The single-byte code pages told apart when a file is not UTF-8/16 (Western, Central European).
CODE_PAGES = ("cp1252", "cp1250")
#: The largest export read (larger ones are refused before reading, with what to do).
MAX_EXPORT_BYTES = 30_000_000
#: The longest cell read (an essay-length comment is 5,000 characters).
MAX_CELL_CHARS = 100_000
_IMPORT_ID = re.compile(r'^\{"ImportId"')
_PREVIEW = {"1", "2", "8", "survey preview", "survey test", "spam", "preview", "test"}


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


def read_grid(path: Path, sheet, encoding=None, delimiter=None) -> tuple[pd.DataFrame, dict]:
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


def unique_names(names: list[str]) -> list[str]:
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
        grid, how = read_grid(path, sheet, encoding, delimiter)
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
    names = unique_names(names)
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


def read_exports(
    paths: list[Path],
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> list[Export]:
    """Several exports of one survey read alike (:func:`read_export`); a file that cannot be
    read does not stop the others being tried, and every such file is said at once."""
    exports, unread = [], []
    for path in paths:
        try:
            exports.append(read_export(path, sheet=sheet, encoding=encoding, delimiter=delimiter))
        except (KitError, OSError) as exc:
            unread.append(str(exc))
    if unread:
        raise KitError("\n".join(unread))
    return exports


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
