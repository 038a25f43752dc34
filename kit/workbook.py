"""The follow-up workbook: queue and action plan out to Excel (and CSV), the edited log back in.

The workbook is a confidential working file for the consultant and the function heads, not
part of a report pack. Export: frozen header, filters, column widths, drop-downs for status and
owner. Import: every row checked (status, owner, response, dates), every problem listed with
sheet, row, column and value; the result is a **new** version of the follow-up log,
``followups.vN.csv``, next to the old one, which is never overwritten.

Cells that a spreadsheet would run as a formula (text starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return) are written with a leading apostrophe and read back without it.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pandas as pd

from kit.data import Dataset, write_version
from kit.errors import KitError
from kit.followup import STATUSES

__all__ = [
    "QUEUE_SHEET",
    "PLAN_SHEET",
    "WorkbookError",
    "export",
    "neutralise",
    "read_log",
    "write_log_version",
]

QUEUE_SHEET, PLAN_SHEET = "Follow-up queue", "Action plan"
QUEUE_COLUMNS = [
    "followup_id",
    "priority",
    "response_id",
    "provider_function",
    "score",
    "category",
    "name",
    "email",
    "comment",
    "themes",
    "owner",
    "due",
    "status",
    "first_contact_at",
    "closed_at",
    "action",
    "outcome",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class WorkbookError(KitError):
    """An edited workbook that cannot be read back, with every problem listed."""

    def __init__(self, path: Path, problems: list[tuple[str, int, str, object, str]]):
        self.path, self.problems = path, problems
        lines = "\n".join(
            f"  - sheet '{s}', row {r}, column '{c}', value {v!r}: {m}" if s else f"  - {m}"
            for s, r, c, v, m in problems
        )
        super().__init__(
            f"{path}: {len(problems)} problem(s); nothing was imported:\n{lines}\n"
            "Correct them in the workbook and import it again."
        )


#: Excel keeps at most 32,767 characters in a cell; longer text is cut, and says so.
CELL_LIMIT = 32_000


def neutralise(value):
    """Text that a spreadsheet would run as a formula, made inert with a leading apostrophe;
    text too long for a cell cut with a note."""
    if not isinstance(value, str):
        return value
    if len(value) > CELL_LIMIT:
        value = value[:CELL_LIMIT] + f" […cut: {len(value) - CELL_LIMIT:,} more characters]"
    return "'" + value if value.startswith(_FORMULA_START) else value


def _restore(value):
    if isinstance(value, str) and value.startswith("'") and value[1:2] in _FORMULA_START:
        return value[1:]
    return value


def _queue_sheet(queue: pd.DataFrame, followups: pd.DataFrame) -> pd.DataFrame:
    start = len(followups) + 1
    out = queue.assign(
        followup_id=[f"F{start + i:04d}" for i in range(len(queue))],
        status="open",
        first_contact_at=pd.NaT,
        closed_at=pd.NaT,
        action="",
        outcome="",
    )
    return out[QUEUE_COLUMNS]


def export(
    path: Path | str,
    queue: pd.DataFrame,
    plan: pd.DataFrame,
    ds: Dataset,
    *,
    csv: bool = True,
) -> list[Path]:
    """Write the queue and the action plan as a formatted workbook (and a CSV of each).

    Returns the files written.
    """
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    sheets = {
        QUEUE_SHEET: _queue_sheet(queue, ds.followups),
        PLAN_SHEET: plan,
    }
    owners = sorted(set(ds.stakeholders["name"].dropna()))
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            safe = frame.map(neutralise)
            safe.to_excel(xl, sheet_name=name, index=False)
            ws = xl.sheets[name]
            ws.freeze_panes = "A2"
            ws.auto_filter.ref = ws.dimensions
            for i, col in enumerate(frame.columns, start=1):
                longest = max([len(str(col)), *frame[col].astype(str).str.len().head(500)])
                ws.column_dimensions[get_column_letter(i)].width = min(max(10, longest + 2), 60)
            last = max(len(frame) + 1, 2)
            for column, choices in (("status", STATUSES), ("owner", None)):
                if column not in frame.columns:
                    continue
                letter = get_column_letter(list(frame.columns).index(column) + 1)
                if choices is None:  # owners: a hidden list sheet (too long for a formula)
                    lists = (
                        xl.book.create_sheet("lists")
                        if "lists" not in xl.book
                        else xl.book["lists"]
                    )
                    for r, owner in enumerate(owners, start=1):
                        lists.cell(row=r, column=1, value=neutralise(owner))
                    lists.sheet_state = "hidden"
                    formula = f"lists!$A$1:$A${len(owners)}"
                else:
                    formula = '"' + ",".join(choices) + '"'
                rule = DataValidation(type="list", formula1=formula, allow_blank=True)
                rule.error = f"Choose a {column} from the list."
                ws.add_data_validation(rule)
                rule.add(f"{letter}2:{letter}{last}")
    written = [path]
    if csv:
        for name, frame in sheets.items():
            out = path.with_name(f"{path.stem}-{name.lower().replace(' ', '-')}.csv")
            frame.map(neutralise).to_csv(out, index=False)
            written.append(out)
    return written


def read_log(path: Path | str, ds: Dataset, *, sla_days: int = 14) -> pd.DataFrame:
    """The follow-up log with the workbook's edits: the previous log, updated and extended.

    Rows of the queue sheet that are still ``open`` with no contact are left out (nothing
    happened yet); every other row replaces or adds a follow-up. Owners may be written as a
    name or a stakeholder id. All problems are reported at once in a :class:`WorkbookError`.
    """
    path = Path(path)
    if path.is_file() and path.open("rb").read(4) != b"PK\x03\x04":  # every .xlsx is a zip
        raise WorkbookError(
            path,
            [
                (
                    "",
                    0,
                    "",
                    None,
                    "this is not an Excel workbook (.xlsx), though it is named like one (a CSV "
                    "or an old .xls saved under a new name?): open it in Excel and save it as "
                    "'Excel Workbook (.xlsx)', or import the workbook `kit plan export` wrote",
                )
            ],
        )
    try:
        sheet = pd.read_excel(path, sheet_name=QUEUE_SHEET, dtype=object)
    except (ValueError, FileNotFoundError) as exc:
        raise WorkbookError(path, [(QUEUE_SHEET, 1, "", None, f"cannot be read: {exc}")]) from None
    sheet = sheet.map(_restore)
    problems = []
    missing = [
        c
        for c in ("followup_id", "response_id", "owner", "due", "status")
        if c not in sheet.columns
    ]
    for c in missing:
        problems.append((QUEUE_SHEET, 1, c, None, "column is missing; keep the exported header"))
    if missing:
        raise WorkbookError(path, problems)
    by_name = dict(zip(ds.stakeholders["name"], ds.stakeholders["stakeholder_id"], strict=True))
    ids = set(ds.stakeholders["stakeholder_id"])
    known_responses = set(ds.responses["response_id"])
    consent = ds.responses.get("ok_to_contact", pd.Series(False, index=ds.responses.index))
    agreed = set(ds.responses.loc[consent.eq(True), "response_id"])
    rows, first_row = [], {}
    for i, r in sheet.iterrows():
        row = int(i) + 2
        status = str(r["status"]).strip().lower() if pd.notna(r["status"]) else ""
        owner = str(r["owner"]).strip() if pd.notna(r["owner"]) else ""
        if status not in STATUSES:
            problems.append(
                (
                    QUEUE_SHEET,
                    row,
                    "status",
                    r["status"],
                    f"is not a status; use one of {', '.join(STATUSES)}",
                )
            )
        owner_id = owner if owner in ids else by_name.get(owner)
        if owner_id is None:
            problems.append(
                (
                    QUEUE_SHEET,
                    row,
                    "owner",
                    r["owner"] if owner else None,
                    "is not a person in the stakeholder register (name or id)",
                )
            )
        if r["response_id"] not in known_responses:
            problems.append(
                (
                    QUEUE_SHEET,
                    row,
                    "response_id",
                    r["response_id"],
                    "is not a response in responses.csv",
                )
            )
        elif r["response_id"] not in agreed:
            problems.append(
                (
                    QUEUE_SHEET,
                    row,
                    "response_id",
                    r["response_id"],
                    "did not agree to be contacted (ok_to_contact); delete the row",
                )
            )
        dates = {col: _date(r.get(col), row, col, problems) for col in _DATES}
        contact, closed = dates["first_contact_at"], dates["closed_at"]
        if pd.notna(contact) and pd.notna(closed) and closed < contact:
            problems.append(
                (
                    QUEUE_SHEET,
                    row,
                    "closed_at",
                    f"{closed:%Y-%m-%d}",
                    f"is before the first contact ({contact:%Y-%m-%d}); check both dates",
                )
            )
        key = r["followup_id"]
        if pd.notna(key) and key in first_row:
            problems.append(
                (
                    QUEUE_SHEET,
                    row,
                    "followup_id",
                    key,
                    f"is also on row {first_row[key]}; each follow-up has one row",
                )
            )
        first_row.setdefault(key, row)
        if status == "open" and pd.isna(dates["first_contact_at"]):
            continue
        rows.append(
            {
                "followup_id": r["followup_id"],
                "response_id": r["response_id"],
                "owner": owner_id,
                "created": pd.NaT,
                "due": dates["due"],
                "status": status,
                "first_contact_at": dates["first_contact_at"],
                "closed_at": dates["closed_at"],
                "action": r.get("action") if pd.notna(r.get("action")) else None,
                "outcome": r.get("outcome") if pd.notna(r.get("outcome")) else None,
            }
        )
    if problems:
        raise WorkbookError(path, problems)
    edits = pd.DataFrame(rows, columns=ds.followups.columns)
    previous = ds.followups.set_index("followup_id")
    edits = edits.set_index("followup_id")
    edits["created"] = (
        previous["created"].reindex(edits.index).fillna(edits["due"] - pd.Timedelta(days=sla_days))
    )
    merged = pd.concat([previous.drop(index=edits.index, errors="ignore"), edits])
    return merged.reset_index()[list(ds.followups.columns)]


_DATES = ("due", "first_contact_at", "closed_at")
#: A date written as text: only year first (2026-04-01) is read; 01/04/2026 means the 1st of
#: April to some and the 4th of January to others.
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?")


def _date(value, row: int, col: str, problems: list) -> pd.Timestamp:
    """A workbook cell as a date: a date cell as Excel stores it, or text written year first;
    anything else is a problem (an empty cell is no date)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return pd.NaT
    if isinstance(value, (datetime.date, pd.Timestamp)):
        return pd.Timestamp(value)
    text = str(value).strip()
    if not text:
        return pd.NaT
    if _ISO.fullmatch(text):
        parsed = pd.to_datetime(text, errors="coerce")
        if pd.notna(parsed):
            return parsed
    problems.append(
        (
            QUEUE_SHEET,
            row,
            col,
            value,
            "is not a date Excel knows, nor one written year first (YYYY-MM-DD): "
            "type it as 2026-04-01, or format the cell as a date",
        )
    )
    return pd.NaT


def write_log_version(log: pd.DataFrame, folder: Path | str) -> Path:
    """Save the log as the next ``followups.vN.csv``; existing files are never touched."""
    dated = log.copy()
    for col in ("created", "due", "first_contact_at", "closed_at"):
        dated[col] = pd.to_datetime(dated[col]).dt.strftime("%Y-%m-%d")
    return write_version(dated, folder, "followups")
