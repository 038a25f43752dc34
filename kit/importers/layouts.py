"""Exports to the kit's tables: wide, matrix (one score column per rated function) and long
layouts, one file or several of one survey.

Each row becomes one rating per rated function; a matrix export's general comment goes once
per respondent to a comments table; self-ratings are counted; every row is accounted for in
the import log (read = kept + dropped by reason); a value that cannot be a score or a date is a
problem listed with the file's own row number and its column, never silently dropped or
guessed (``on_invalid: blank | drop`` blanks or drops it, counted).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from kit.importers.long import pivot_long
from kit.importers.mapping import (
    PER_RESPONSE,
    loose_label,
    mapped_column,
    mapped_comment,
    mapped_provider_comments,
    mapped_value,
    recode_labels,
    shape_problems,
    undecided,
)
from kit.importers.problems import ImportProblem, Problem, refusal, write_problems
from kit.importers.read import Export
from kit.importers.roster import consenting_contacts, roster_of
from kit.importers.values import (
    CONSENT_YES,
    MISSING,
    YES_NO,
    date_order,
    order_message,
    parse_dates,
    parse_scores,
    whole_numbers,
)

__all__ = ["Imported", "import_exports", "to_responses"]


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
    problems: list = [f"mapping {p}" for p in undecided(mapping)] + shape_problems(mapping)
    if problems:  # a mapping not read by load_mapping: nothing further can be read with it
        raise ImportProblem(export.path, problems)
    d = export.data
    providers = mapping.get("providers")
    score_cols = (
        {mapped_column(export, c, problems, "providers"): f for c, f in providers.items()}
        if providers
        else {mapped_column(export, mapping.get("score"), problems, "score"): None}
        if mapping.get("score")
        else {}
    )
    if not score_cols:
        problems.append("mapping: 'score' (or 'providers' for a wide export) is required")
    for needed in ("wave", "respondent_function"):
        if needed not in mapping:
            problems.append(f"mapping: '{needed}' is required (a fixed value or {{column: ...}})")
    if not providers and "provider_function" not in mapping:
        problems.append(
            "mapping: 'provider_function' is required with one 'score' column (the function "
            "rated: a fixed name, or {column: ...}); for one score column per function, map "
            "them under 'providers' instead"
        )
    base = {
        f: mapped_value(export, mapping.get(f), problems, f) for f in PER_RESPONSE if f != "comment"
    }
    base["comment"] = mapped_comment(export, mapping.get("comment"), problems)
    per_function = mapped_provider_comments(export, mapping, problems)
    drivers = {
        k: mapped_column(export, v, problems, f"drivers.{k}")
        for k, v in (mapping.get("drivers") or {}).items()
    }
    on_invalid = mapping.get("on_invalid", "error")
    if problems:
        raise ImportProblem(export.path, problems)

    cells: list[Problem] = []  # unusable cells: blanked, dropped or refused per on_invalid
    scale = str(mapping.get("score_scale", "0-10"))
    na = mapping.get("not_applicable") or []
    na = {loose_label(v) for v in ([na] if isinstance(na, str) else na)}
    not_applicable: dict[str, int] = {}

    def answered(col: str) -> pd.Series:
        """The column with its 'not applicable' answers blanked (counted)."""
        said = [v for v in d[col].unique() if loose_label(v) in na] if na else []
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
        driver_values[k], invalid = whole_numbers(values)
        cells += _cell_problems(
            values, invalid, col, "not a whole number", "is not a rating", export.lines
        )
    dates, dayfirst, refused = pd.Series(pd.NaT, index=d.index), None, []
    if base["submitted_at"] is not None:
        spec = mapping["submitted_at"]
        date_col = mapped_column(
            export, spec.get("column") if isinstance(spec, dict) else spec, [], ""
        )
        text = base["submitted_at"].fillna("").astype(str).str.strip()
        dayfirst = mapping.get("dayfirst")
        if dayfirst is None:
            order = date_order(text)
            if order.dayfirst is None and (order.either_rows or order.day_first_rows):
                kind = "dates in both orders" if order.day_first_rows else "date order unknown"
                rows = order.day_first_rows + order.either_rows
                message = order_message(repr(date_col), text, order)
                refused.append(Problem(None, date_col, text.at[rows[0]], kind, message))
            else:
                dayfirst = bool(order.dayfirst)
        if not refused:  # a column of unknown order is never parsed, not even half of it
            dates = parse_dates(text, date1904=export.date1904, dayfirst=dayfirst)
            bad = dates.isna() & (text != "") & ~text.str.lower().isin(MISSING)
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
        unclear = said[kept_rows & (said != "") & ~said.str.lower().isin(YES_NO)]
        if len(unclear):
            log["consent not understood (not contacted)"] = {
                str(v): int(n) for v, n in unclear.value_counts().items()
            }
    contact, people = consenting_contacts(export, base, consent, kept_rows, log)
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
            out[f] = recode_labels(out[f], recode, recoded)
    comments = None
    if providers and base["comment"] is not None:  # said once per respondent, not per rating
        text = base["comment"].fillna("").astype(str).str.strip()
        has = kept_rows & text.ne("")
        comments = pd.DataFrame(
            {
                "comment_id": ids,
                "wave": base["wave"],
                "respondent_id": base["respondent_id"],
                "respondent_function": recode_labels(function, recode, Counter())
                if recode
                else function,
                "comment": text,
                "ok_to_contact": consent,
                "contact_id": contact,
            },
            index=d.index,
        )[has].reset_index(drop=True)
        log["general comments"] = len(comments)
    if people is not None and recode:
        people["function"] = recode_labels(people["function"], recode, Counter())
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
    >>> from kit.importers import read_export
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
                pivot_long(export, mapping)
                if mapping.get("layout") == "long"
                else (export, mapping)
            )
            parts.append(_one_file(read, how, prefix=prefix, seen=seen, recoded=recoded))
        except ImportProblem as exc:
            problems += [_in_file(p, export.path, several) for p in exc.problems]
    if problems:
        raise refusal(where, problems, problems_file)
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
        roster, clashes, moved = roster_of(pd.concat(everyone, ignore_index=True))
        if clashes:
            raise refusal(where, clashes, problems_file)
        log["roster"]["people"] = len(roster)
        log["roster"]["people with several functions (latest kept)"] = moved
    if mapping.get("recode"):
        recode = mapping["recode"]
        log["recoded"] = dict(recoded)
        seen_labels = {loose_label(k.split(" -> ")[0]) for k in recoded}
        log["recode labels not found"] = [k for k in recode if loose_label(k) not in seen_labels]
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
