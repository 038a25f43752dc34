"""Real survey exports in: Qualtrics, SurveyMonkey, Microsoft Forms, Google Forms, Snap, CSV/Excel.

An export is read as text, its header rows recognised (Qualtrics: 3 rows, or 2 in the legacy
format; SurveyMonkey and Snap: 2; the others: 1), test and unfinished responses dropped and
counted, and its columns mapped to the kit's responses table by a small YAML **mapping**::

    score: "How likely are you to recommend ...?"   # a column name or its question text
    score_scale: 0-10          # or 1-11 when a 0-10 question was exported as codes 1-11
    comment: "...why?"
    wave: 2026-H1              # a fixed value, or {column: ...}
    respondent_function: {column: "Your function"}
    provider_function: Regulatory
    respondent_id: ResponseId
    submitted_at: RecordedDate
    ok_to_contact: {column: "May we contact you?"}
    drivers: {responsiveness: "Q5_1", quality: "Q5_2"}
    providers: {"Rating - Finance": Finance, "Rating - IT": IT}   # wide exports

Every row is accounted for in the import log (read = kept + dropped by reason); a value that
cannot be a score is an error listed with its row and column, never silently dropped.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from kit.errors import KitError

__all__ = [
    "Export",
    "ImportProblem",
    "read_export",
    "load_mapping",
    "to_responses",
    "parse_scores",
    "parse_dates",
    "suggest_mapping",
]

EXCEL = {".xlsx", ".xlsm", ".xls"}
_IMPORT_ID = re.compile(r'^\{"ImportId"')
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)(?![\d.])")
_MISSING = {"", "n/a", "na", "-", "none", "don't know", "dont know", "prefer not to say"}
_PREVIEW = {"1", "2", "8", "survey preview", "survey test", "spam", "preview", "test"}


class ImportProblem(KitError):
    """An export or mapping that cannot be imported, with every problem listed."""

    def __init__(self, path, problems: list[str]):
        self.path, self.problems = path, problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s); nothing was written:\n{lines}")


@dataclass
class Export:
    """An export with its header rows understood: one row per response, named columns."""

    path: Path
    kind: str
    data: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)  # column -> question text
    dropped: dict[str, int] = field(default_factory=dict)  # reason -> rows
    first_row: int = 2  # file row of the first response (for messages)
    date1904: bool = False

    @property
    def rows_read(self) -> int:
        return len(self.data) + sum(self.dropped.values())


# ---------------------------------------------------------------- reading


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _grid(path: Path, sheet) -> tuple[pd.DataFrame, bool]:
    """The file as a grid of text cells, no header interpreted; and the Excel 1904 flag."""
    if path.suffix.lower() in EXCEL:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        ws = book[sheet] if sheet else book.worksheets[0]
        rows = [[("" if v is None else v) for v in r] for r in ws.iter_rows(values_only=True)]
        epoch1904 = bool(getattr(book, "epoch", None) and book.epoch.year == 1904)
        book.close()
        grid = pd.DataFrame(rows).map(lambda v: v if isinstance(v, str) else _cell_text(v))
        return grid, epoch1904
    text = _decode(path.read_bytes())
    first = text.split("\n", 1)[0]
    sep = "\t" if path.suffix.lower() == ".tsv" or first.count("\t") > first.count(",") else ","
    grid = pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str, keep_default_na=False)
    return grid, False


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


def read_export(path: Path | str, *, sheet: str | None = None) -> Export:
    """Read a survey export, recognise its format and header rows, drop test and unfinished
    responses (counted in ``Export.dropped``)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    grid, date1904 = _grid(path, sheet)
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
    data = grid.iloc[header_rows:].reset_index(drop=True)
    data.columns = names
    export = Export(
        path=path,
        kind=kind,
        data=data,
        labels=dict(zip(names, [" ".join(lab.split()) for lab in labels], strict=True)),
        first_row=header_rows + 1,
        date1904=date1904,
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
    """Scores as numbers 0-10 from what exports write ("10 - Extremely likely", " 9 ", "9.0",
    "N/A", blanks). Returns the scores (NaN for no answer) and a mask of invalid values."""
    text = values.fillna("").astype(str).str.strip()
    missing = text.str.lower().isin(_MISSING)
    number = pd.to_numeric(text.str.extract(_NUMBER, expand=False), errors="coerce")
    if scale == "1-11":
        number = number - 1
    elif scale != "0-10":
        raise KitError(f"score_scale must be '0-10' or '1-11', not {scale!r}")
    ok = number.between(0, 10) & (number == number.round())
    invalid = ~missing & ~ok
    return number.where(ok), invalid


def parse_dates(values: pd.Series, *, date1904: bool = False, dayfirst: bool = False) -> pd.Series:
    """Dates from mixed text formats and Excel serial numbers (1900 or 1904 system)."""
    text = values.fillna("").astype(str).str.strip()
    serial = pd.to_numeric(text, errors="coerce")
    is_serial = serial.between(1, 100_000)
    origin = pd.Timestamp("1904-01-01") if date1904 else pd.Timestamp("1899-12-30")
    from_serial = origin + pd.to_timedelta(serial.where(is_serial), unit="D")
    parsed = pd.to_datetime(
        text.where(~is_serial & (text != "")), errors="coerce", format="mixed", dayfirst=dayfirst
    )
    return from_serial.where(is_serial, parsed)


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
_FIELDS = {*_PER_RESPONSE, "score", "score_scale", "drivers", "providers", "dayfirst"}


def load_mapping(path: Path | str) -> dict:
    """Read a mapping file; unknown keys are an error naming them."""
    path = Path(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ImportProblem(path, ["the mapping must be a set of 'field: column' lines"])
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise ImportProblem(path, [f"unknown field(s) {unknown}; known: {sorted(_FIELDS)}"])
    return raw


def _column(export: Export, ref, problems: list[str], field_name: str) -> str | None:
    """The export column a mapping entry names (by column name or question text, any case)."""
    key = " ".join(str(ref).split()).lower()
    for name, label in export.labels.items():
        if name.lower() == key or label.lower() == key:
            return name
    problems.append(
        f"mapping '{field_name}': no column named {ref!r}; columns are "
        + ", ".join(repr(c) for c in list(export.data.columns)[:30])
    )
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


def to_responses(export: Export, mapping: dict) -> tuple[pd.DataFrame, dict]:
    """The kit's responses table from an export and a mapping, and the import log.

    Wide exports (``providers``: one score column per rated function) become one row per
    rating. Raises :class:`ImportProblem` listing every problem when the data cannot be used.
    """
    problems: list[str] = []
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
    if problems:
        raise ImportProblem(export.path, problems)
    ids = base["response_id"] if base["response_id"] is not None else base["respondent_id"]
    if ids is None:
        ids = pd.Series([f"{export.path.stem}-{i + 1}" for i in range(len(d))], index=d.index)
    dup = ids.duplicated(keep="first") & ids.ne("")
    rows = []
    bad: list[str] = []
    scale = str(mapping.get("score_scale", "0-10"))
    for col, provider in score_cols.items():
        scores, invalid = parse_scores(d[col], scale=scale)
        for i in invalid[invalid].index:
            bad.append(
                f"row {export.first_row + d.index.get_loc(i)}, column {col!r}: "
                f"{d.at[i, col]!r} is not a score on {scale}"
            )
        part = pd.DataFrame(
            {
                "response_id": ids.astype(str) + (f"-{provider}" if providers else ""),
                "wave": base["wave"],
                "submitted_at": parse_dates(
                    base["submitted_at"],
                    date1904=export.date1904,
                    dayfirst=bool(mapping.get("dayfirst")),
                )
                if base["submitted_at"] is not None
                else pd.NaT,
                "respondent_id": base["respondent_id"],
                "respondent_function": base["respondent_function"],
                "provider_function": provider if providers else base["provider_function"],
                "score": scores.astype("Int64"),
                "comment": base["comment"].replace("", None)
                if base["comment"] is not None
                else None,
            },
            index=d.index,
        )
        for k, c in drivers.items():
            part[f"driver_{k}"] = pd.to_numeric(
                d[c].str.extract(_NUMBER, expand=False), errors="coerce"
            ).astype("Int64")
        if base["ok_to_contact"] is not None:
            part["ok_to_contact"] = (
                base["ok_to_contact"].str.lower().isin({"yes", "y", "true", "1", "ja", "oui"})
            )
            part["contact_id"] = (
                base["contact_id"].where(part["ok_to_contact"])
                if (base["contact_id"] is not None)
                else None
            )
        part["_dup"] = dup
        rows.append(part)
    if bad and scale == "0-10":
        codes = pd.concat([pd.to_numeric(d[c], errors="coerce") for c in score_cols])
        if codes.max() == 11 and codes.min() >= 1:
            bad.append(
                "the scores run from 1 to 11: this looks like a 0-10 question exported as "
                "codes 1-11; add 'score_scale: 1-11' to the mapping"
            )
    if bad:
        raise ImportProblem(export.path, bad)
    long = pd.concat(rows)
    log = {
        "file": str(export.path),
        "format": export.kind,
        "rows_read": export.rows_read,
        "dropped": dict(export.dropped),
    }
    duplicates = long["_dup"]
    blank = long["score"].isna() & ~duplicates
    log["dropped"]["duplicate response id"] = int(duplicates.sum() // max(len(score_cols), 1))
    log["ratings_without_score"] = int(blank.sum())
    out = long[~duplicates & ~blank].drop(columns="_dup").reset_index(drop=True)
    log["ratings_written"] = len(out)
    log["responses_kept"] = export.rows_read - sum(log["dropped"].values())
    return out, log


# ---------------------------------------------------------------- suggestions

_HINTS = {
    "score": ("recommend", "0-10", "0 to 10", "likely", "scale of", "nps", "rate"),
    "comment": ("why", "comment", "reason", "explain", "improve"),
    "submitted_at": ("recordeddate", "timestamp", "completion time", "end date", "enddate", "date"),
    "respondent_id": ("responseid", "response id", "respondent id", "id.name", "id"),
    "respondent_function": ("function", "department", "team"),
}


def suggest_mapping(export: Export) -> str:
    """A starting mapping for an export, from its column names and question texts."""
    lines = [f"# Suggested mapping for {export.path.name} ({export.kind}); check every line."]
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
        else:
            lines.append(f"# {name}: (no column found)")
    lines += [
        "score_scale: 0-10",
        "wave: 2026-H1               # set the wave",
        "provider_function: CHANGE ME  # the function rated, or providers: {...}",
    ]
    return "\n".join(lines) + "\n"
