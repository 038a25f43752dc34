"""A stakeholder register typed in Excel (or saved as CSV) in: ``kit import-register``.

A register as people keep it (a title and a date above the header, a function typed once for a
block of rows, names where the kit wants ids, "High" for influence, "Yes" for power) becomes the
kit's ``stakeholders.csv`` (:data:`kit.data.SCHEMAS`). A small YAML **mapping** names the column
that holds each field::

    stakeholder_id: Ref            # optional: without it ids are derived from names (s-anna-berg)
    name: Name
    role: Job title
    function: Department           # blank under a filled cell: filled down (merged-looking cells)
    level: Grade
    reports_to: Line manager       # a name (any case and spacing) or an id: resolved to the id
    influence: Influence           # a label of stakeholders.influence_labels, or 1-5
    interest: Interest
    power: Power                   # Yes / No (also true/false, y/n, x)
    legitimacy: Legitimacy
    urgency: Urgency
    engagement_current: Current    # Unaware, Resistant, Neutral, Supportive, Leading (any case)
    engagement_desired: Desired
    relationship_owner: Owner      # a name or an id, as reports_to
    # header_row: 4                # the header's line, where it is not found by itself
    # fill_down: [function]        # columns whose blank cells repeat the cell above (default)

:func:`suggest_mapping` writes one from the header's names, with ``CHOOSE: ...`` where it
cannot decide (refused until decided, as :mod:`kit.importers` does). Every problem is listed at
once with the file's own line, the column, the value and what to do.

Example
-------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "register.csv"
>>> _ = path.write_text(
...     "Stakeholder register,,,,\\n,,,,\\nName,Department,Influence,Interest,Line manager\\n"
...     "Ada Berg,Regulatory,High,4,\\nBo Lund,,medium,Low,ada berg\\n", encoding="utf-8")
>>> reg = read_register(path)
>>> reg.header_line
3
>>> table, log = to_stakeholders(reg, auto_mapping(reg))
>>> table[["stakeholder_id", "function", "influence", "interest", "reports_to"]].values.tolist()
[['s-ada-berg', 'Regulatory', '4', '4', ''], ['s-bo-lund', 'Regulatory', '3', '2', 's-ada-berg']]
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kit import yamlfile
from kit.config import ENGAGEMENT_LEVELS, slug
from kit.data import INVISIBLE, SCHEMAS
from kit.errors import KitError
from kit.importers.mapping import PLACEHOLDER, UNDECIDED, loose_label
from kit.importers.problems import ImportProblem, Problem, row_ranges
from kit.importers.read import read_grid, unique_names
from kit.importers.suggest import yaml_quoted
from kit.stakeholders import SENIORITY

__all__ = [
    "FIELDS",
    "DEFAULT_LABELS",
    "Register",
    "RegisterProblem",
    "read_register",
    "load_mapping",
    "suggest_mapping",
    "auto_mapping",
    "to_stakeholders",
    "write",
    "line_ranges",
]

#: The columns of the kit's stakeholders table, in its order.
FIELDS = tuple(c.name for c in SCHEMAS["stakeholders"])
#: Columns the written table always has (blank where nothing is mapped and blank is allowed).
ALWAYS = tuple(c.name for c in SCHEMAS["stakeholders"] if c.required)
#: Fields a register cannot do without.
NEEDED = ("name", "function", "influence", "interest")
REFERENCES = ("reports_to", "relationship_owner")
SCALES = ("influence", "interest")
FLAGS = ("power", "legitimacy", "urgency")
ENGAGEMENT = ("engagement_current", "engagement_desired")
#: The sample's labels, used when no engagement file is given.
DEFAULT_LABELS = {"low": 2, "medium": 3, "high": 4, "very high": 5}
_OPTIONS = {"header_row", "fill_down"}
#: Lines searched for the header.
_HEADER_SEARCH = 30

#: Header names (compared without case and punctuation) that say which field a column holds.
NAMES: dict[str, tuple[str, ...]] = {
    "stakeholder_id": ("stakeholder id", "id", "ref", "ref no", "reference", "stakeholder ref"),
    "name": ("name", "full name", "stakeholder", "stakeholder name", "person", "employee name"),
    "role": ("role", "title", "job title", "position", "job"),
    "function": ("function", "department", "dept", "team", "division", "business unit", "unit"),
    "level": ("level", "grade", "seniority", "band", "management level"),
    "reports_to": (
        "reports to",
        "reporting to",
        "manager",
        "line manager",
        "head",
        "boss",
        "supervisor",
    ),
    "influence": ("influence",),
    "interest": ("interest",),
    "power": ("power",),
    "legitimacy": ("legitimacy", "legitimate", "legitimate claim"),
    "urgency": ("urgency", "urgent"),
    "engagement_current": (
        "current engagement",
        "engagement current",
        "engagement now",
        "engagement today",
        "current level",
        "current state",
        "current",
        "engagement",
    ),
    "engagement_desired": (
        "desired engagement",
        "engagement desired",
        "target engagement",
        "engagement target",
        "desired level",
        "target level",
        "desired state",
        "desired",
        "target",
    ),
    "relationship_owner": (
        "relationship owner",
        "owner",
        "account owner",
        "rel owner",
        "relationship manager",
        "owned by",
        "engaged by",
    ),
}
_WHAT = {
    "stakeholder_id": "each person's id (or remove the line: ids are derived from the names)",
    "name": "the column with each person's name",
    "role": "the job title column, or remove the line",
    "function": "the column with each person's function (as in functions.csv)",
    "level": "the seniority column (Executive, Director, Manager, Individual contributor)",
    "reports_to": "the column naming each person's manager, or remove the line",
    "influence": "the influence column (labels or 1-5)",
    "interest": "the interest column (labels or 1-5)",
    "engagement_current": "the current engagement column, or remove the line",
    "engagement_desired": "the desired engagement column, or remove the line",
    "relationship_owner": "the column naming who owns the relationship, or remove the line",
}
_YES = {"yes", "y", "true", "1", "x", "\u2713", "\u2714", "ja", "oui", "si", "s\u00ed"}
_NO = {"no", "n", "false", "0", "nein", "non"}


class RegisterProblem(ImportProblem):
    """A register or mapping that cannot be imported: every problem, with the file's line, the
    column, the value and what to do; nothing is written."""


@dataclass
class Register:
    """A register's table below its header: cells as text, indexed by the file's own line."""

    path: Path
    sheet: str | None
    header_line: int
    data: pd.DataFrame
    #: Lines above the header (titles, dates) that were passed over.
    above: int = 0
    log: dict = field(default_factory=dict)


def line_ranges(lines: list[int]) -> str:
    """Lines said briefly: [5, 6, 7, 9] -> '5-7, 9'."""
    return row_ranges(lines)


def _norm(text) -> str:
    """A header or name compared loosely: no case, punctuation or repeated spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", str(text).casefold()).replace("_", " ").split())


def _clean(text) -> str:
    return " ".join(INVISIBLE.sub("", str(text)).split())


def _match(header: str) -> list[tuple[tuple, str]]:
    """(strength, field) for each field whose names the header holds, strongest first: the
    header is a name, or holds one (longer names, then earlier ones, count more)."""
    words = _norm(header).split()
    if not words:
        return []
    found = []
    for name, synonyms in NAMES.items():
        best = None
        for s in (name.replace("_", " "), *synonyms):
            sw = s.split()
            if sw == words:
                key = (2, len(sw), 0)
            else:
                at = next(
                    (i for i in range(len(words) - len(sw) + 1) if words[i : i + len(sw)] == sw),
                    None,
                )
                if at is None:
                    continue
                key = (1, len(sw), -at)
            best = key if best is None or key > best else best
        if best:
            found.append((best, name))
    return sorted(found, reverse=True)


def _field_of(header: str) -> str | None:
    """The one field a header names, or None (none, or two equally)."""
    found = _match(header)
    if not found or (len(found) > 1 and found[0][0] == found[1][0]):
        return None
    return found[0][1]


def _mapped_columns(mapping: dict) -> list[str]:
    cols = []
    for key, spec in mapping.items():
        if key in _OPTIONS:
            continue
        if isinstance(spec, dict):
            spec = spec.get("column")
        if isinstance(spec, str):
            cols.append(_norm(spec))
    return cols


def _find_header(grid: pd.DataFrame, mapping: dict | None) -> int | None:
    """The first line where most non-blank cells are text naming the register's fields, or that
    holds most of the mapping's columns; at least two either way."""
    wanted = set(_mapped_columns(mapping)) if mapping else None
    for line in list(grid.index)[:_HEADER_SEARCH]:
        cells = [str(v).strip() for v in grid.loc[line] if str(v).strip()]
        if wanted is not None:  # most of the mapping's columns, whatever else the row has
            known = sum(_norm(c) in wanted for c in cells)
            if known >= min(2, len(wanted)) and known * 2 >= len(wanted):
                return line
        else:  # most of the row's cells name fields
            known = sum(bool(_match(c)) and not _is_number(c) for c in cells)
            if known >= 2 and known * 2 >= len(cells):
                return line
    return None


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def read_register(
    path: Path | str, *, sheet: str | None = None, mapping: dict | None = None
) -> Register:
    """Read a register (xlsx or csv) and find its header: ``mapping['header_row']`` if given,
    else the first line where most cells name the register's fields or the mapping's columns.

    Raises
    ------
    RegisterProblem
        When the file cannot be read or no header is found (with what was looked for).
    FileNotFoundError
        When the file does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        grid, _ = read_grid(path, sheet)
    except ImportProblem:
        raise
    except KitError as exc:
        raise RegisterProblem(path, [str(exc)]) from exc
    grid = grid.map(_clean)
    where = f" (sheet {sheet!r})" if sheet else ""
    if grid.empty or not grid.map(bool).any().any():
        raise RegisterProblem(path, [f"the file{where} has no rows"])
    given = (mapping or {}).get("header_row")
    if given is not None:
        if given not in grid.index:
            raise RegisterProblem(
                path, [f"'header_row: {given}' is not a line of the file (1 to {grid.index[-1]})"]
            )
        header = int(given)
    else:
        header = _find_header(grid, mapping)
    if header is None:
        looked = (
            "the columns the mapping names"
            if mapping
            else "names such as Name, Function, Influence, Interest, Reports to"
        )
        raise RegisterProblem(
            path,
            [
                f"no header row found{where} in the first {_HEADER_SEARCH} lines: none has at "
                f"least two cells naming {looked}. Add 'header_row: N' (the header's line) to "
                "the mapping"
                + (", or give the register's sheet with --sheet" if path.suffix != ".csv" else "")
            ],
        )
    names = unique_names([str(v) or "(blank)" for v in grid.loc[header]])
    data = grid.loc[grid.index > header].copy()
    data.columns = names
    keep = [c for c, n in zip(data.columns, grid.loc[header], strict=True) if str(n).strip()]
    data = data[keep]
    above = int(sum(grid.loc[grid.index < header].map(bool).any(axis=1)))
    return Register(path, sheet, int(header), data, above=above)


# ---------------------------------------------------------------- mappings


def load_mapping(path: Path | str) -> dict:
    """A register mapping (YAML): unknown fields, undecided values (``CHOOSE: ...``, TODO) and
    values that are neither a column nor ``{value: ...}`` are refused, all at once."""
    path = Path(path)
    raw = yamlfile.read(path) or {}
    if not isinstance(raw, dict):
        raise RegisterProblem(path, ["the mapping must be lines of 'field: column'"])
    problems = []
    unknown = sorted(set(map(str, raw)) - set(FIELDS) - _OPTIONS)
    if unknown:
        problems.append(
            f"unknown field(s) {unknown}; known: {', '.join(FIELDS)} (and header_row, fill_down)"
        )
    for key, spec in raw.items():
        if key in _OPTIONS:
            continue
        text = spec.get("column", spec.get("value")) if isinstance(spec, dict) else spec
        if isinstance(text, str) and PLACEHOLDER.search(text):
            problems.append(f"'{key}: {text}' is not decided: write {_WHAT.get(key, 'the column')}")
        elif isinstance(spec, dict) and (
            set(spec) not in ({"column"}, {"value"})
            or (set(spec) == {"value"} and key in ("stakeholder_id", "name", *REFERENCES))
        ):
            problems.append(
                f"'{key}: {spec}': write the column's name (or {{column: ...}})"
                + ("" if key in ("stakeholder_id", "name", *REFERENCES) else " or {value: ...}")
            )
        elif not isinstance(spec, str | dict) or isinstance(spec, bool):
            problems.append(f"'{key}: {spec}': write the name of a column of the register")
    header = raw.get("header_row")
    if header is not None and (not isinstance(header, int) or isinstance(header, bool)):
        problems.append(f"'header_row: {header}' must be a line number, e.g. header_row: 4")
    fill = raw.get("fill_down")
    if fill is not None and not (
        isinstance(fill, list) and all(f in FIELDS and f not in ("name",) for f in fill)
    ):
        problems.append(f"'fill_down: {fill}' must be a list of fields, e.g. [function, level]")
    if problems:
        raise RegisterProblem(path, problems)
    return raw


def _proposals(register: Register) -> dict[str, list[str]]:
    """For each field, the columns whose header names it (best first)."""
    found: dict[str, list[tuple[tuple, str]]] = {}
    for col in register.data.columns:
        f = _field_of(col)
        if f:
            found.setdefault(f, []).append((_match(col)[0][0], col))
    return {
        f: [c for _, c in sorted(cols, key=lambda x: x[0], reverse=True)]
        for f, cols in found.items()
    }


def _decided(proposals: dict[str, list[str]]) -> dict[str, str | None]:
    """The column for each field, None where two columns name it equally well."""
    out = {}
    for f, cols in proposals.items():
        strength = [_match(c)[0][0] for c in cols]
        out[f] = cols[0] if len(cols) == 1 or strength[0] > strength[1] else None
    return out


def suggest_mapping(register: Register) -> str:
    """A starting mapping from the header's names; ``CHOOSE: ...`` where it cannot decide (no
    column, or two equally named) for a field the kit needs, which :func:`load_mapping`
    refuses; optional fields not found are written as comments."""
    where = f", sheet {register.sheet!r}" if register.sheet else ""
    lines = [
        f"# Suggested register mapping for {register.path.name}{where}; header found on "
        f"line {register.header_line}. Check every line.",
        "# Each field names a column of the header; replace every CHOOSE; '#' lines are left out.",
    ]
    proposals = _proposals(register)
    chosen = _decided(proposals)
    columns = list(register.data.columns)
    notes = {
        "stakeholder_id": "unique ids; used as written",
        "reports_to": "names or ids, resolved to ids",
        "relationship_owner": "names or ids, resolved to ids",
        "influence": "labels of stakeholders.influence_labels, or 1-5",
        "interest": "labels of stakeholders.influence_labels, or 1-5",
        "function": "blank cells repeat the one above",
    }
    for f in FIELDS:
        cols = proposals.get(f, [])
        col = chosen.get(f)
        note = f"   # {notes[f]}" if f in notes else ""
        if col:
            lines.append(f"{f}: {yaml_quoted(col)}{note}")
        elif cols:
            lines.append(f"{f}: {yaml_quoted(f'{UNDECIDED}: one of ' + ', '.join(cols))}")
        elif f == "stakeholder_id":
            lines.append("# stakeholder_id: no id column: ids are derived from names (s-<name>)")
        elif f in NEEDED:
            shown = ", ".join(columns[:12])
            lines.append(f"{f}: {yaml_quoted(f'{UNDECIDED}: {_WHAT[f]} (columns: {shown})')}")
        else:
            what = _WHAT.get(f, f"the {f} column (Yes/No)").removesuffix(", or remove the line")
            lines.append(f"# {f}: no column found; add it if there is one: {what}")
    used = {c for c in chosen.values() if c}
    rest = [c for c in columns if c not in used and not any(c in v for v in proposals.values())]
    if rest:
        lines.append(f"# columns not used: {', '.join(map(yaml_quoted, rest))}")
    if register.above:
        lines.append(
            f"# header_row: {register.header_line}   # found by itself; "
            f"{register.above} line(s) above it passed over"
        )
    return "\n".join(lines) + "\n"


def auto_mapping(register: Register) -> dict:
    """The mapping :func:`suggest_mapping` proposes, when it decided everything the kit needs;
    else :class:`RegisterProblem` saying what to choose (run ``--suggest``)."""
    proposals = _proposals(register)
    chosen = {f: c for f, c in _decided(proposals).items() if c}
    missing = [f for f in NEEDED if f not in chosen]
    undecided = [f for f in proposals if f not in chosen]
    if missing or undecided:
        raise RegisterProblem(
            register.path,
            [
                *[f"no column is named like the field {f!r} ({_WHAT[f]})" for f in missing],
                *[
                    f"columns {', '.join(map(repr, proposals[f]))} could each be {f!r}"
                    for f in undecided
                ],
                "write a mapping: 'kit import-register FILE --suggest > register.yaml', "
                "decide each CHOOSE, then pass --mapping register.yaml",
            ],
        )
    return chosen


# ---------------------------------------------------------------- conversion


def _columns(register: Register, mapping: dict, problems: list) -> dict[str, pd.Series]:
    """Each mapped field's cells (a column, or a fixed value); a missing column is a problem."""
    by_name = {_norm(c): c for c in register.data.columns}
    out = {}
    for f in FIELDS:
        spec = mapping.get(f)
        if spec is None:
            continue
        if isinstance(spec, dict) and "value" in spec:
            out[f] = pd.Series(_clean(spec["value"]), index=register.data.index)
            continue
        name = spec["column"] if isinstance(spec, dict) else spec
        col = by_name.get(_norm(name))
        if col is None:
            problems.append(
                Problem(
                    register.header_line,
                    str(name),
                    str(name),
                    "no such column",
                    f"line {register.header_line} (the header): no column {name!r} for "
                    f"{f!r}; the columns are {', '.join(map(repr, register.data.columns))}; "
                    "correct the mapping",
                )
            )
            continue
        out[f] = register.data[col]
    for f in NEEDED:
        if f not in mapping:
            problems.append(
                Problem(
                    None,
                    f,
                    "",
                    "field not mapped",
                    f"the mapping names no column for {f!r} ({_WHAT[f]}): add '{f}: <column>'",
                )
            )
    return out


def _header_of(mapping: dict, f: str) -> str:
    spec = mapping.get(f)
    return str(spec.get("column", f) if isinstance(spec, dict) else spec)


def _problem(line, column, value, kind, text) -> Problem:
    return Problem(int(line), column, str(value), kind, f"line {line}, column {column!r}: {text}")


def _scale(values: pd.Series, labels: dict[str, int], column: str, problems: list, used: Counter):
    """Labels through ``labels``, whole numbers 1-5 kept; anything else (blank too) a problem."""
    out = pd.Series("", index=values.index, dtype=object)
    known = ", ".join(labels) or "none set"
    for line, v in values.items():
        label = loose_label(v)
        if label in labels:
            out[line] = str(labels[label])
            used[f"{v} -> {labels[label]}"] += 1
        elif _is_number(v) and float(v).is_integer() and 1 <= float(v) <= 5:
            out[line] = str(int(float(v)))
        elif not v:
            problems.append(
                _problem(
                    line,
                    column,
                    v,
                    "not a level",
                    f"is blank; write a label ({known}) or a whole number 1-5",
                )
            )
        else:
            problems.append(
                _problem(
                    line,
                    column,
                    v,
                    "not a level",
                    f"{v!r} is neither a label of influence_labels ({known}) nor a whole number "
                    "1-5; write one of them, or add the label to stakeholders.influence_labels "
                    "in engagement.yaml (and pass it with --config)",
                )
            )
    return out


def _flag(values: pd.Series, column: str, problems: list) -> pd.Series:
    def one(line, v):
        low = v.casefold()
        if not low:
            return ""
        if low in _YES:
            return "true"
        if low in _NO:
            return "false"
        problems.append(
            _problem(
                line,
                column,
                v,
                "not yes or no",
                f"{v!r} is not Yes or No; write Yes, No or leave it blank (not known)",
            )
        )
        return ""

    return pd.Series([one(i, v) for i, v in values.items()], index=values.index, dtype=object)


def _engagement(values: pd.Series, column: str, problems: list) -> pd.Series:
    levels = {lv.casefold(): lv for lv in ENGAGEMENT_LEVELS}

    def one(line, v):
        if not v:
            return ""
        if v.casefold() in levels:
            return levels[v.casefold()]
        problems.append(
            _problem(
                line,
                column,
                v,
                "not an engagement level",
                f"{v!r} is not an engagement level; write one of "
                f"{', '.join(ENGAGEMENT_LEVELS)} (any case), or leave it blank",
            )
        )
        return ""

    return pd.Series([one(i, v) for i, v in values.items()], index=values.index, dtype=object)


def _functions(values: pd.Series, functions, column: str, problems: list) -> pd.Series:
    """Function names as functions.csv writes them (any case and spacing); unknown: a problem."""
    if functions is None:
        return values
    known = {loose_label(f): f for f in functions}

    def one(line, v):
        if loose_label(v) in known:
            return known[loose_label(v)]
        close = difflib.get_close_matches(v, list(functions), n=3, cutoff=0.6)
        hint = f" (close: {', '.join(map(repr, close))})" if close else ""
        problems.append(
            _problem(
                line,
                column,
                v,
                "unknown function",
                f"{v!r} is not a function of functions.csv{hint}; write its name as "
                "functions.csv does, or add the function there",
            )
        )
        return v

    return pd.Series([one(i, v) for i, v in values.items()], index=values.index, dtype=object)


def _fill_down(values: pd.Series) -> tuple[pd.Series, list[int]]:
    """Blank cells given the value above them (a cell typed once for a block of rows)."""
    filled = values.replace("", pd.NA).ffill().fillna("")
    lines = [int(i) for i in values.index[(values == "") & (filled != "")]]
    return filled.astype(object), lines


#: Letters that do not decompose into an ASCII letter and an accent.
_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
    }
)


def _ids(names: pd.Series) -> pd.Series:
    """``s-`` + the name's slug; a name shared by several rows gets -2, -3 in line order."""
    taken: set[str] = set()
    out = {}
    for line, name in names.items():
        base = f"s-{slug(name.translate(_LETTERS))}"
        sid, k = base, 1
        while sid in taken:
            k += 1
            sid = f"{base}-{k}"
        taken.add(sid)
        out[line] = sid
    return pd.Series(out, dtype=object)


def _resolve(
    values: pd.Series,
    names: pd.Series,
    ids: pd.Series,
    column: str,
    problems: list,
    resolved: Counter,
    *,
    by_id: bool,
) -> pd.Series:
    """Names (any case and spacing) or ids in a reference column, as ids; a name that is
    nobody's, or several people's, is a problem naming the candidates."""
    people: dict[str, list] = {}
    for line, name in names.items():
        people.setdefault(loose_label(name), []).append(line)
    exact = {sid.casefold(): sid for sid in ids} if by_id else {}

    def one(line, v):
        if not v:
            return ""
        key = loose_label(v)
        if key in exact:
            return exact[key]
        lines = people.get(key, [])
        if len(lines) == 1:
            if lines[0] == line:
                problems.append(
                    _problem(
                        line,
                        column,
                        v,
                        "self",
                        f"{v!r} is this row's own person; write someone else, or leave it blank",
                    )
                )
                return ""
            resolved[column] += 1
            return ids[lines[0]]
        if lines:
            who = "; ".join(f"line {i} ({ids[i]})" for i in lines)
            problems.append(
                _problem(
                    line,
                    column,
                    v,
                    "ambiguous name",
                    f"{v!r} is the name of {len(lines)} people: {who}; write the id instead "
                    "(map a stakeholder_id column), or make their names distinct",
                )
            )
            return ""
        close = difflib.get_close_matches(key, list(people), n=3, cutoff=0.75)
        hint = (
            "close: " + ", ".join(f"{names[people[c][0]]!r} (line {people[c][0]})" for c in close)
            if close
            else "no name is close"
        )
        problems.append(
            _problem(
                line,
                column,
                v,
                "unknown name",
                f"{v!r} is nobody in the register ({hint}); write the name as in the name "
                "column, add the person to the register, or leave it blank",
            )
        )
        return ""

    return pd.Series([one(i, v) for i, v in values.items()], index=values.index, dtype=object)


def to_stakeholders(
    register: Register,
    mapping: dict,
    *,
    labels: dict[str, int] | None = None,
    functions: list[str] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """The kit's stakeholders table from a register, and the import log.

    Parameters
    ----------
    register
        From :func:`read_register`.
    mapping
        Field -> column (from :func:`load_mapping` or :func:`auto_mapping`).
    labels
        Influence and interest labels (``stakeholders.influence_labels``; default the sample's).
    functions
        The engagement's functions: names are written as these (any case), others refused.
        None: kept as typed.

    Raises
    ------
    RegisterProblem
        Listing every problem (line, column, value, what to do); nothing is returned.
    """
    labels = {loose_label(k): int(v) for k, v in (labels or DEFAULT_LABELS).items()}
    problems: list[Problem] = []
    cells = _columns(register, mapping, problems)
    if any(p.kind in ("no such column", "field not mapped") for p in problems):
        raise RegisterProblem(register.path, problems)
    mapped = list(cells)
    blank = pd.DataFrame(cells).eq("").all(axis=1)
    blank_lines = [int(i) for i in blank.index[blank]]
    cells = {f: v[~blank] for f, v in cells.items()}
    rows = pd.Index(blank.index[~blank])
    log: dict = {
        "file": str(register.path),
        "sheet": register.sheet,
        "header_line": register.header_line,
        "lines_above_header": register.above,
        "columns": {f: _header_of(mapping, f) for f in mapped},
        "rows_read": len(blank),
        "blank_rows_skipped": len(blank_lines),
        "blank_lines": blank_lines,
    }
    filled = {}
    for f in mapping.get("fill_down", ["function"]):
        if f in cells:
            cells[f], lines = _fill_down(cells[f])
            if lines:
                filled[f] = lines
    log["filled_down"] = filled
    column = {f: _header_of(mapping, f) for f in mapped}
    for f in ("name", "function"):
        for line in cells[f].index[cells[f] == ""]:
            problems.append(
                _problem(line, column[f], "", "blank", f"is blank; every stakeholder needs a {f}")
            )
    out = pd.DataFrame(index=rows)
    out["name"] = cells["name"]
    if "stakeholder_id" in cells:
        given = cells["stakeholder_id"]
        for line in given.index[given == ""]:
            problems.append(
                _problem(
                    line,
                    column["stakeholder_id"],
                    "",
                    "blank",
                    "is blank; "
                    "every stakeholder needs an id (or remove the id line "
                    "from the mapping: ids are then derived from names)",
                )
            )
        folded = given.str.casefold()
        for line in given.index[folded.duplicated(keep=False) & (given != "")]:
            others = [int(i) for i in given.index[folded == folded[line]] if i != line]
            problems.append(
                _problem(
                    line,
                    column["stakeholder_id"],
                    given[line],
                    "duplicate id",
                    f"{given[line]!r} is also the id on line(s) "
                    f"{', '.join(map(str, others))}; ids must be unique",
                )
            )
        out["stakeholder_id"] = given
        log["ids"] = "from the column " + repr(column["stakeholder_id"])
        log["ids_derived"] = 0
    else:
        out["stakeholder_id"] = _ids(cells["name"])
        log["ids"] = "derived from names (s-<name>)"
        log["ids_derived"] = len(out)
    shared = cells["name"][cells["name"] != ""].map(loose_label)
    shared = shared[shared.duplicated(keep=False)]
    log["names_on_several_lines"] = {
        cells["name"][lines[0]]: [int(i) for i in lines]
        for _, lines in shared.groupby(shared).groups.items()
    }
    for f in ("role", "level"):
        if f in cells:
            out[f] = cells[f]
    if "level" in out:
        ranks = {lv.casefold(): lv for lv in SENIORITY}
        out["level"] = out["level"].map(lambda v: ranks.get(v.casefold(), v))
    out["function"] = _functions(cells["function"], functions, column["function"], problems)
    used: Counter = Counter()
    log["labels_read"] = {}
    for f in SCALES:
        used = Counter()
        out[f] = _scale(cells[f], labels, column[f], problems, used)
        log["labels_read"][f] = dict(used)
    for f in FLAGS:
        if f in cells:
            out[f] = _flag(cells[f], column[f], problems)
    for f in ENGAGEMENT:
        if f in cells:
            out[f] = _engagement(cells[f], column[f], problems)
    resolved: Counter = Counter()
    for f in REFERENCES:
        if f in cells:
            out[f] = _resolve(
                cells[f],
                cells["name"],
                out["stakeholder_id"],
                column[f],
                problems,
                resolved,
                by_id="stakeholder_id" in cells,
            )
    log["names_resolved"] = {f: resolved[column[f]] for f in REFERENCES if f in cells}
    if problems:
        raise RegisterProblem(register.path, sorted(problems, key=lambda p: p.row or 0))
    for f in ALWAYS:
        if f not in out:
            out[f] = ""
    order = [f for f in FIELDS if f in out.columns]
    log["stakeholders_written"] = len(out)
    log["columns_written"] = order
    return out[order].reset_index(drop=True), log


def write(table: pd.DataFrame, log: dict, out: Path | str) -> Path:
    """``table`` written to ``out`` (refused if it exists; written aside, moved in whole) and the
    log beside it (``<name>.import-log.json``); returns the log's path."""
    import json

    out = Path(out)
    if out.exists():
        raise KitError(f"{out} exists; choose a new name (nothing is overwritten)")
    partial = out.with_name(f".{out.name}.partial")
    table.to_csv(partial, index=False)
    partial.replace(out)
    log_path = out.with_suffix(".import-log.json")
    log_path.write_text(
        json.dumps({**log, "output": str(out)}, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return log_path
