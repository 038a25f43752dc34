"""The mapping: a small YAML file naming which column of an export is which field::

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

This module reads and checks a mapping (unknown fields, impossible settings, shapes) and
finds, in an export, the columns and values it names. A value still undecided
(``CHOOSE: ...`` as :func:`~kit.importers.suggest.suggest_mapping` writes it, ``CHANGE ME``,
``TODO``, ``<...>``) is refused wherever it appears.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pandas as pd

from kit import yamlfile
from kit.importers.problems import ImportProblem
from kit.importers.read import DELIMITERS, Export

__all__ = [
    "UNDECIDED",
    "PLACEHOLDER",
    "PER_RESPONSE",
    "LONG_KEYS",
    "QUESTION_FIELDS",
    "load_mapping",
    "undecided",
    "shape_problems",
    "long_problems",
    "loose_label",
    "column_ref",
    "mapped_column",
    "mapped_value",
    "mapped_comment",
    "mapped_provider_comments",
    "recode_labels",
]

_ON_INVALID = ("error", "blank", "drop")
#: Mapping fields that name one value per response (a column, or a fixed value).
PER_RESPONSE = (
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
LONG_KEYS = ("layout", "question", "answer", "questions")
_FIELDS = {
    *PER_RESPONSE,
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
    *LONG_KEYS,
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
PLACEHOLDER = re.compile(
    r"^\s*((?-i:CHOOSE)\b.*|todo|tbd|fixme|\?+|\.\.\.|<[^<>]*>)\s*$|change[ _-]?me", re.IGNORECASE
)
_HOW_TO_DECIDE = {
    "score": "the name or question text of the 0-10 column",
    "submitted_at": "the name of the date column, or remove the line",
    "dayfirst": "true (05/01 is 5 January) or false (05/01 is 1 May)",
    "wave": 'the wave, e.g. 2026-H1, or {column: "..."} when the file holds several',
}


def loose_label(text) -> str:
    """A label compared loosely: spaces collapsed, any case."""
    return " ".join(str(text).split()).casefold()


def undecided(mapping: dict) -> list[str]:
    """Every value (or key) still a placeholder (CHOOSE ..., CHANGE ME, TODO, <...>), by key."""
    found = []

    def walk(key: str, value) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, str) and PLACEHOLDER.search(k):
                    found.append((f"{key}.{k}", k))
                walk(f"{key}.{k}", v)
        elif isinstance(value, list):
            for v in value:
                walk(key, v)
        elif isinstance(value, str) and PLACEHOLDER.search(value):
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
    problems += undecided(raw)
    if (
        raw.get("dayfirst") is not None
        and not isinstance(raw["dayfirst"], bool)
        and not any("'dayfirst:" in p for p in problems)
    ):
        problems.append(f"'dayfirst: {raw['dayfirst']}' must be true (05/01 is 5 January) or false")
    problems += shape_problems(raw)
    if problems:
        raise ImportProblem(path, problems)
    return raw


def shape_problems(mapping: dict) -> list[str]:
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
    return problems + long_problems(mapping)


def recode_labels(values: pd.Series, recode: dict, used: Counter) -> pd.Series:
    """Survey labels replaced by the organisation's function names (loosely matched); each
    replacement counted in ``used``."""
    table = {loose_label(k): str(v) for k, v in recode.items()}
    new = {
        v: table[loose_label(v)]
        for v in values.unique()
        if isinstance(v, str) and loose_label(v) in table
    }
    for v, n in values[values.isin(list(new))].value_counts(sort=False).items():
        used[f"{v} -> {new[v]}"] += int(n)
    return values.map(lambda v: new.get(v, v) if isinstance(v, str) else v)


def mapped_column(export: Export, ref, problems: list, field_name: str) -> str | None:
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


def mapped_value(export: Export, spec, problems, field_name) -> pd.Series | None:
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
        col = mapped_column(export, spec.get("column"), problems, field_name)
        return export.data[col].str.strip() if col else None
    if field_name in _COLUMN_FIELDS:
        col = mapped_column(export, spec, problems, field_name)
        return export.data[col] if col else None
    key = loose_label(spec)
    named = next(
        (c for c, lab in export.labels.items() if loose_label(c) == key or loose_label(lab) == key),
        None,
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
QUESTION_FIELDS = (
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


def column_ref(spec):
    return spec.get("column") if isinstance(spec, dict) else spec


def long_problems(mapping: dict) -> list[str]:
    """layout: wide or long; a long layout's question, answer, respondent_id and questions."""
    layout = mapping.get("layout", "wide")
    if layout not in ("wide", "long"):
        return [f"'layout: {layout}' must be wide (one row per response) or long (one per answer)"]
    if layout == "wide":
        extra = [k for k in LONG_KEYS[1:] if k in mapping]
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
        if not (what in QUESTION_FIELDS or form in _QUESTION_FORMS):
            problems.append(
                f"'questions: {qid}: {what}': a question answers one of "
                f"{', '.join(QUESTION_FIELDS)}, or is one function's score, comment or a driver: "
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


def mapped_comment(export: Export, spec, problems: list) -> pd.Series | None:
    """The comment: one column as it is, or several (``comment: [A, B]``) joined, each
    non-blank answer after its question text ("What works well: ...")."""
    if not isinstance(spec, list):
        return mapped_value(export, spec, problems, "comment")
    columns = [
        mapped_column(export, s.get("column") if isinstance(s, dict) else s, problems, "comment")
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


def mapped_provider_comments(export: Export, mapping: dict, problems: list) -> dict[str, str]:
    """{rated function: comment column} from ``provider_comments: {column: function}``."""
    spec = mapping.get("provider_comments") or {}
    if spec and not mapping.get("providers"):
        problems.append(
            "mapping 'provider_comments' names comment columns per rated function: it needs "
            "'providers' (one score column per rated function)"
        )
        return {}
    names = {loose_label(f): str(f) for f in (mapping.get("providers") or {}).values()}
    out = {}
    for ref, function in spec.items():
        col = mapped_column(export, ref, problems, "provider_comments")
        if loose_label(function) not in names:
            problems.append(
                f"mapping 'provider_comments: {ref}: {function}': {function!r} is not one of "
                f"the functions in 'providers' ({', '.join(map(repr, names.values()))})"
            )
        elif col:
            out[names[loose_label(function)]] = col
    return out
