"""``kit import --suggest``: a starting mapping written from an export's columns and values.

The score column is chosen by its values (mostly whole numbers 0-10), a matrix export gets
``providers:``, a long one the pivot mapping; the respondent's function, consent, comments,
the date and its order, the wave and the roster's columns are proposed where the export shows
them. What cannot be decided is written ``CHOOSE: ...``, which ``kit import`` refuses.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

import pandas as pd
import yaml

from kit.importers.long import LONG_QUESTION, pivot_long
from kit.importers.mapping import QUESTION_FIELDS, UNDECIDED
from kit.importers.problems import ImportProblem, listed
from kit.importers.read import Export
from kit.importers.values import (
    MISSING,
    NUMERIC_DATE,
    SCORE,
    YES_NO,
    date_order,
    parse_dates,
    parse_scores,
    row_examples,
)

__all__ = ["SCORE_SHARE", "suggest_mapping", "yaml_quoted"]

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
_LONG_ANSWER = re.compile(r"^(answer|response|value)( ?(text|value|code))?$", re.I)
#: Answers that say the question did not apply (proposed for not_applicable:).
_NA_ANSWER = re.compile(
    r"not applicable|does not apply|doesn.?t apply|no experience|not worked|never used|"
    r"have not used|haven.?t used|no opinion|cannot say|can.?t say|no contact|^n/?a\b",
    re.IGNORECASE,
)
#: Score columns must be mostly 0-10 whole numbers: at least this share of their answers.
SCORE_SHARE = 0.8


def yaml_quoted(text) -> str:
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
    answered = text[(text != "") & ~text.str.lower().isin(MISSING)]
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
    numbers = set(pd.to_numeric(rest.str.extract(SCORE, expand=False), errors="coerce").dropna())
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
    return text[(text != "") & ~text.str.lower().isin(MISSING)]


def _is_free_text(values: pd.Series, named: bool) -> bool:
    """Answers in words, not numbers, dates, codes or ids: named like a comment question, or
    long and varied (a choice list repeats a few answers)."""
    if values.empty or values.str.contains(r"[^\W\d_]{2}", regex=True).mean() < 0.8:
        return False
    if values.str.match(NUMERIC_DATE).mean() > 0.5 or values.str.match(r"^\d{4}-\d\d-\d\d").any():
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
    question = next((c for c in cols if LONG_QUESTION.match(c.replace("_", " ").strip())), None)
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
        f"both orders occur ({row_examples(text, order.day_first_rows, 1)}; "
        f"{row_examples(text, order.month_first_rows, 1)})"
        if order.day_first_rows
        else f"every date fits both orders ({row_examples(text, order.either_rows, 1)})"
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
    fixed = ["layout: long", f"question: {{column: {yaml_quoted(question)}}}"]
    fixed.append(f"answer: {{column: {yaml_quoted(answer)}}}")
    ids = list(dict.fromkeys(v for v in export.data[question].fillna("").str.strip() if v))
    key = _long_key(export, question, answer)
    undecided = f"{UNDECIDED}: score, comment, ok_to_contact, respondent_function, ... or omit"
    if key is None:
        return (
            "\n".join(
                [
                    head,
                    *fixed,
                    "respondent_id: "
                    + yaml_quoted(f"{UNDECIDED}: the column naming the respondent"),
                    "questions:",
                    *[f"  {yaml_quoted(q)}: {yaml_quoted(undecided)}" for q in ids],
                ]
            )
            + "\n"
        )
    try:
        pivoted, _ = pivot_long(
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
            questions.append(f"  {yaml_quoted(name)}: {{score: {yaml_quoted(value)}}}")
            continue
        in_providers = False
        column = value.get("column") if isinstance(value, dict) else value
        if name == "respondent_id":
            continue
        if name in QUESTION_FIELDS and isinstance(column, str) and column in ids:
            questions.append(f"  {yaml_quoted(column)}: {name}")
        else:
            kept.append(line)
    taken = {yaml.safe_load(q.strip()).popitem()[0] for q in questions}
    rest = [q for q in ids if q not in taken]
    if rest:
        shown = listed(rest, 10, yaml_quoted)
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
                f"respondent_id: {yaml_quoted(key)}",
                "questions:",
                *questions,
                *kept,
            ]
        )
        + "\n"
    )


def suggest_mapping(export: Export, *, pivot: bool = True, files: int = 1) -> str:
    """A starting mapping for an export: the score column chosen by its values (mostly whole
    numbers 0-10), or ``providers:`` for a matrix export (questions ending ' - <function>');
    the respondent's function, consent, comment(s), date and its order, and the wave. What
    it cannot decide is written as ``CHOOSE: ...``, which
    :func:`~kit.importers.mapping.load_mapping` refuses. A
    long export (one row per answer) gets the pivot mapping (``layout: long``). With
    ``files`` above 1, the export is the first of that many read with one mapping, and the
    suggestion says so."""
    if files > 1:
        return (
            f"# Suggested from {export.path.name}, the first of {files} files; kit import "
            "reads them all with one mapping, so their columns must be the same.\n"
            + suggest_mapping(export, pivot=pivot)
        )
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
        lines += [f"  {yaml_quoted(c)}: {yaml_quoted(f)}" for c, f in providers.items()]
        first = next(iter(providers.values()))
        lines.append(
            f"# recode: {{{yaml_quoted(first)}: ...}}   # survey label -> your function name, "
            "where they differ (also applied to respondent_function)"
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
        lines.append(f"score: {yaml_quoted(best.column)}")
        if others:
            shown = ", ".join(map(yaml_quoted, others[:5]))
            lines.append(f"# other columns of whole numbers 0-10 (drivers: ?): {shown}")
    else:
        lines.append(
            f"score: {yaml_quoted(f'{UNDECIDED}: the 0-10 column (no column is mostly 0-10)')}"
        )
    scale = "1-11" if any(s.scale == "1-11" for s in chosen) else "0-10"
    lines.append(
        "score_scale: 1-11          # the answers run 1-11: a 0-10 question exported as codes"
        if scale == "1-11"
        else "score_scale: 0-10"
    )
    na = sorted({v for s in chosen for v in s.not_applicable})
    if na:
        lines.append(f"not_applicable: [{', '.join(map(yaml_quoted, na))}]   # read as no answer")
    other = sorted({v for s in chosen for v in s.other})
    if other:
        shown = listed(other, 3, yaml_quoted)
        lines.append(
            f"# not scores: {shown}; kit import lists them (on_invalid: blank or drop to go on)"
        )
    if providers:
        lines.append("# provider_function: not needed (providers: above)")
    else:
        lines.append(
            "provider_function: "
            + yaml_quoted(
                f'{UNDECIDED}: the function rated, {{value: "Regulatory"}} or {{column: "..."}}'
            )
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
        shown = listed(values, 8)
        lines.append(f"respondent_function: {{column: {yaml_quoted(function)}}}   # {shown}")
    else:
        lines.append(
            "respondent_function: "
            + yaml_quoted(
                f'{UNDECIDED}: {{column: "..."}} or {{value: "..."}} (no function column found)'
            )
        )

    # -- consent: a yes/no column named like consent, contact or follow-up
    consent = [c for c in columns if c not in used and _CONSENT_NAME.search(label(c))]
    yes_no = [c for c in consent if set(_distinct(export, c).str.lower()) <= YES_NO]
    if yes_no and not _distinct(export, yes_no[0]).empty:
        used.add(yes_no[0])
        lines.append(f"ok_to_contact: {{column: {yaml_quoted(yes_no[0])}}}   # yes / no")
    elif consent and not _distinct(export, consent[0]).empty:
        values = sorted(set(_distinct(export, consent[0])))[:4]
        lines.append(
            f"# ok_to_contact: {{column: {yaml_quoted(consent[0])}}} ? its answers "
            f"({', '.join(map(yaml_quoted, values))}) are not yes/no: only yes, y, true, 1, ja, "
            "oui count as consent"
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
        lines.append(f"submitted_at: {yaml_quoted(date_col)}")
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
        lines.append(f"wave: {{column: {yaml_quoted(wave)}}}   # {waves}")
    elif len(one) == 1 and len(next(iter(one))) == 1:
        (half,) = next(iter(one))
        read = next(iter(readings.values()))
        lines.append(
            f"wave: {yaml_quoted(half)}   # the half-year of every date ({read.min():%Y-%m-%d} to "
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
        lines.append(f"wave: {yaml_quoted(f'{UNDECIDED}: the wave, e.g. 2026-H1 ({why})')}")

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
        lines += [f"  {yaml_quoted(c)}: {yaml_quoted(f)}" for c, f in per_function.items()]
    if texts:
        used.add(texts[0])
        lines.append(
            f"comment: {yaml_quoted(texts[0])}"
            + (
                "   # said once per respondent: to comments.csv, not onto each rating"
                * bool(providers)
            )
        )
        if texts[1:]:
            lines.append(
                f"# other free-text columns: {', '.join(map(yaml_quoted, texts[1:6]))} "
                "(comment: [A, B] joins them, each after its question)"
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
        pair = [f"contact_name: {yaml_quoted(name)}", f"contact_email: {yaml_quoted(email)}"]
        if consented:
            lines.append("# roster.csv of consenting respondents (nobody else's name or e-mail):")
            lines += pair
        else:
            lines.append("# roster.csv from names and e-mails needs ok_to_contact (consent):")
            lines += [f"# {line}" for line in pair]

    # -- the person
    person = _named(export, columns, used, "respondent_id")
    lines.append(
        f"respondent_id: {yaml_quoted(person)}" if person else "# respondent_id: (no column found)"
    )
    lines.append(
        "# on_invalid: blank         # or drop: unusable cells (#ERROR!) instead of stopping"
    )
    return "\n".join(lines) + "\n"
