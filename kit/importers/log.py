"""What an import leaves behind: its files, and the summary ``kit import`` prints.

The responses table, and beside it the general comments and the roster where the import made
them, are each written aside and moved in whole; the import log is written as JSON beside
them. :func:`import_summary` gives the lines said after an import: per file how it was read
and what was kept and dropped, what was written, and every choice made that a user should
know of (date order, consent not understood, answers read as no answer, labels recoded,
cells blanked).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from kit.importers.layouts import Imported
from kit.importers.long import UNMAPPED_ANSWERS
from kit.importers.values import CONSENT_YES

__all__ = ["ImportFiles", "import_files", "tables_to_write", "write_import", "import_summary"]


class ImportFiles(NamedTuple):
    """Where an import writes: all beside the responses table."""

    responses: Path
    comments: Path  # general comments of a matrix export, once per respondent
    roster: Path  # consenting respondents' names and e-mail addresses
    problems: Path  # every unusable cell (CSV)
    log: Path  # the import log (JSON)


def import_files(out: Path | str) -> ImportFiles:
    """The files of an import whose responses table is ``out``.

    Example
    -------
    >>> import_files("data/responses.csv").log.name
    'responses.import-log.json'
    """
    out = Path(out)
    return ImportFiles(
        responses=out,
        comments=out.with_name("comments.csv"),
        roster=out.with_name("roster.csv"),
        problems=out.with_suffix(".import-problems.csv"),
        log=out.with_suffix(".import-log.json"),
    )


def tables_to_write(got: Imported, files: ImportFiles) -> list[tuple[pd.DataFrame, Path]]:
    """The tables an import writes and where: the responses first, then the general comments
    and the roster where the import made them."""
    made = [
        (got.responses, files.responses),
        (got.comments, files.comments),
        (got.roster, files.roster),
    ]
    return [(table, path) for table, path in made if table is not None]


def write_import(got: Imported, files: ImportFiles) -> dict:
    """Write the tables (each aside, then moved in whole) and the import log, which names the
    comments and roster files written; returns the log as written."""
    for table, path in tables_to_write(got, files):
        partial = path.with_name(f".{path.name}.partial")
        table.to_csv(partial, index=False, date_format="%Y-%m-%dT%H:%M:%S")
        partial.replace(path)
    log = dict(got.log)
    for name in ("comments", "roster"):
        if getattr(got, name) is not None:
            log[f"{name}_file"] = str(getattr(files, name))
    files.log.write_text(json.dumps(log, indent=2) + "\n", encoding="utf-8")
    return log


def import_summary(got: Imported, files: ImportFiles) -> list[str]:
    """The lines said after an import written by :func:`write_import`."""
    log = got.log
    lines = [line for one in log.get("per_file", [log]) for line in _read_lines(one)]
    lines.append(
        f"{log['ratings_written']} rating(s) written to {files.responses} "
        f"({log['ratings_without_score']} rating(s) without a score)."
    )
    lines += _size_lines(got, files)
    lines += _date_lines(log)
    lines += _comment_lines(got, files)
    lines += _roster_lines(got, files)
    lines += _answer_lines(log)
    if log.get("problems"):
        lines.append(f"{log['problems']} unusable cell(s) listed in {files.problems}.")
    lines.append(f"Log: {files.log}")
    return lines


def _read_lines(one: dict) -> list[str]:
    """How one file was read, and its responses read, kept and dropped."""
    dropped = ", ".join(f"{n} {why}" for why, n in one["dropped"].items() if n) or "none"
    read_as = (
        f"{one['encoding']} ({one['encoding_source']}), delimiter {one['delimiter']!r} "
        f"({one['delimiter_source']})"
        if one["delimiter"]
        else "Excel workbook"
    )
    lines = [
        f"{Path(one['file']).name} ({one['format']}; {read_as}): {one['rows_read']} "
        f"responses read, {one['responses_kept']} kept; dropped: {dropped}."
    ]
    if "long layout" in one:
        long = one["long layout"]
        lines.append(
            f"  Long layout: {long['answers used']} of {long['answers read']} answers "
            f"pivoted to {long['respondents']} respondents; "
            f"{long[UNMAPPED_ANSWERS]} answer(s) to questions not in 'questions:'."
        )
    return lines


def _size_lines(got: Imported, files: ImportFiles) -> list[str]:
    """A written table above the size kit validate and kit report read, said now."""
    from kit.data import MAX_TABLE_MB_ENV, max_table_bytes  # kit.data imports this package

    limit = max_table_bytes()
    return [
        f"{path.name} is {path.stat().st_size / 1e6:.3g} MB, above the {limit / 1e6:.3g} MB "
        f"kit validate and kit report read by default: set {MAX_TABLE_MB_ENV}=<MB> when you "
        "run them."
        for _, path in tables_to_write(got, files)
        if path.stat().st_size > limit
    ]


def _date_lines(log: dict) -> list[str]:
    """The order dates were read in: once when every file was read alike, else per file."""
    if "dayfirst" in log:
        return [
            f"Dates read {'day' if log['dayfirst'] else 'month'} first ({log['dayfirst_source']})."
        ]
    orders = "; ".join(
        f"{Path(one['file']).name} {'day' if one['dayfirst'] else 'month'} first "
        f"({one['dayfirst_source']})"
        for one in log.get("per_file", [])
        if "dayfirst" in one
    )
    return [f"Dates read: {orders}."] if orders else []


def _comment_lines(got: Imported, files: ImportFiles) -> list[str]:
    lines = []
    if got.comments is not None:
        lines.append(
            f"{len(got.comments)} general comment(s) written to {files.comments}, once "
            "per respondent (not copied onto each function they rated)."
        )
    lost = got.log.get("function comments without a score (not written)")
    if lost:
        lines.append(
            f"{lost} comment(s) on a function without a score for it: not written (a comment "
            "goes with its rating)."
        )
    return lines


def _roster_lines(got: Imported, files: ImportFiles) -> list[str]:
    if got.roster is None:
        return []
    roster = got.log["roster"]
    lines = [
        f"Roster: {len(got.roster)} consenting person(s) written to {files.roster}; "
        "their ratings carry their contact_id (nobody else's name or e-mail is written)."
    ]
    if roster["consenting without a name or id (not contacted)"]:
        lines.append(
            f"  {roster['consenting without a name or id (not contacted)']} consenting "
            "response(s) without a name or e-mail: not in the roster, not contacted."
        )
    if roster["people with several functions (latest kept)"]:
        lines.append(
            f"  {roster['people with several functions (latest kept)']} person(s) answered "
            "from several functions: the roster keeps the latest."
        )
    return lines


def _answer_lines(log: dict) -> list[str]:
    """Self-ratings kept, and what was made of answers: consent not understood, answers read
    as no answer, labels recoded, cells blanked."""
    lines = []
    if log["self_ratings"]:
        by = ", ".join(f"{f} {n}" for f, n in log["self_ratings_by_function"].items())
        lines.append(
            f"{log['self_ratings']} self-rating(s) kept ({by}): people rating their own "
            "function; `kit validate` flags them."
        )
    unclear = log.get("consent not understood (not contacted)")
    if unclear:
        said = ", ".join(f"{v!r} ({n})" for v, n in unclear.items())
        lines.append(
            f"Consent not understood, so not given: {said}; only "
            f"{', '.join(sorted(CONSENT_YES))} count as consent (recode the column "
            "in the export if these mean yes)."
        )
    na = log.get("not_applicable (read as no answer)")
    if na is not None:
        where = ", ".join(f"{n} in {col!r}" for col, n in na.items()) or "none found"
        lines.append(f"Read as no answer (not_applicable): {where}.")
    if log.get("recoded") or log.get("recode labels not found"):
        done = ", ".join(f"{how} ({n} rating(s))" for how, n in log["recoded"].items())
        lines.append(f"Recoded: {done or 'nothing'}.")
        if log["recode labels not found"]:
            lines.append(
                f"recode: label(s) not found in the file: {log['recode labels not found']}."
            )
    for field_kind, n in log.get("blanked (on_invalid: blank)", {}).items():
        lines.append(f"Blanked (on_invalid: blank): {n} cell(s) of {field_kind}.")
    return lines
