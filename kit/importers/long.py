"""The long layout (``layout: long``): one row per answer pivoted to one row per respondent.

Each answer keeps its file line, so a problem in a pivoted cell names the line a user sees;
the mapping's ``questions:`` become the fields they answer.
"""

from __future__ import annotations

import re

import pandas as pd

from kit.importers.mapping import (
    LONG_KEYS,
    column_ref,
    long_problems,
    loose_label,
    mapped_column,
)
from kit.importers.problems import ImportProblem, Problem, row_ranges
from kit.importers.read import Export

__all__ = ["UNMAPPED_ANSWERS", "LONG_QUESTION", "pivot_long"]

#: The import log's count of a long export's answers that no mapped question takes.
UNMAPPED_ANSWERS = "answers to questions not in 'questions:'"
#: Names of a long export's question column (question, question_id, qid, item, ...).
LONG_QUESTION = re.compile(
    r"^(question|question ?(id|text|code|name)|qid|item|variable|field|attribute)$", re.I
)


def pivot_long(export: Export, mapping: dict) -> tuple[Export, dict]:
    """A long export (one row per answer) as one row per respondent, with the mapping that
    reads it (``questions:`` turned into the fields they answer). Each answer keeps its file
    line for messages; a respondent who answered one question twice is refused, naming both
    lines. Columns besides question and answer (a date, a department) are carried, one value
    per respondent; one that differs between a respondent's rows is refused where mapped."""
    problems: list = list(long_problems(mapping))
    if problems:
        raise ImportProblem(export.path, [f"mapping {p}" for p in problems])
    qcol = mapped_column(export, column_ref(mapping["question"]), problems, "question")
    acol = mapped_column(export, column_ref(mapping["answer"]), problems, "answer")
    kcol = mapped_column(export, column_ref(mapping["respondent_id"]), problems, "respondent_id")
    if problems:
        raise ImportProblem(export.path, problems)
    d = export.data
    key = d[kcol].fillna("").astype(str).str.strip()
    question = d[qcol].fillna("").astype(str).str.strip()
    found: dict[str, str] = {}
    for q in question[question.ne("")]:
        found.setdefault(loose_label(q), q)
    wanted: dict[str, object] = {}
    for qid, what in mapping["questions"].items():
        if loose_label(qid) in found:
            wanted[found[loose_label(qid)]] = what
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
    clash = [c for c in carried if loose_label(c) in {loose_label(q) for q in wanted}]
    problems += [
        f"column {c!r} has the name of a question in {qcol!r}: rename it in a copy" for c in clash
    ]
    if problems:
        raise ImportProblem(export.path, problems)

    keyed = d[key.ne("")]
    who = key[key.ne("")]
    first_line = pd.Series(keyed.index, index=who.values).groupby(level=0, sort=False).min()
    first_line = first_line.sort_values()
    how = {k: v for k, v in mapping.items() if k not in LONG_KEYS}
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

    used = {loose_label(column_ref(v)) for v in how.values() if isinstance(column_ref(v), str)}
    data, lines = {}, {}
    for c in carried:
        values = keyed[c].fillna("").astype(str).str.strip()
        values.index = who.values
        given = values[values.ne("")]
        per = given.groupby(level=0, sort=False)
        data[c] = per.first().reindex(first_line.index).fillna("")
        if loose_label(c) in used or loose_label(export.labels.get(c, c)) in used:
            differ = per.nunique()
            for k in differ[differ > 1].index:
                rows = sorted(int(i) for i in keyed.index[(who == k).values])
                problems.append(
                    f"column {c!r}: respondent {k!r} has {int(differ[k])} different answers on "
                    f"their rows ({row_ranges(rows)}); one value per respondent"
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
        c for c in carried if c != qcol and LONG_QUESTION.match(c.replace("_", " ").strip())
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
