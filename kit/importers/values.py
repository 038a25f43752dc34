"""Reading the values of an export's cells: scores, driver ratings, dates, consent.

A score is a whole number 0-10 alone or with a label; dates are read in one order per column
(day first or month first, from the mapping or proved by the values, never half one way);
consent is given only by the words in ``CONSENT_YES``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import pandas as pd

from kit.errors import KitError
from kit.importers.problems import listed

__all__ = [
    "SCORE",
    "NUMERIC_DATE",
    "MISSING",
    "CONSENT_YES",
    "YES_NO",
    "parse_scores",
    "whole_numbers",
    "DateOrder",
    "date_order",
    "parse_dates",
    "order_message",
    "row_examples",
]

#: A score: a whole number alone ("9", "9.0", " 9 "), optionally with a label after a separator
#: ("10 - Extremely likely", "9 = very likely"); the label holds no digit (so no date gets in).
SCORE = re.compile(r"^\s*(\d{1,2})(?:\.0+)?\s*(?:[-\u2013\u2014=:]\s*[^\W\d_][^\d]*)?$")
#: A numeric date with the day and month in either order: 05/01/2020, 5.1.20, 05-01-2020 08:21.
NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)(.*)$")
#: Answers read as no answer (compared in lower case, spaces stripped).
MISSING = {
    "",
    "n/a",
    "na",
    "-",
    "none",
    "don't know",
    "dont know",
    "prefer not to say",
}
#: The answers read as consent; any other non-blank answer ("Yes, please", "Sí") is not, and
#: is counted in the import log and said (consent is never guessed).
CONSENT_YES = {"yes", "y", "true", "1", "ja", "oui"}
#: Every answer understood as consent given or refused.
YES_NO = CONSENT_YES | {"no", "n", "false", "0", "nein", "non"}


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
    raw = values.fillna("").astype(str)
    distinct = pd.Series(raw.unique())  # a score column holds a few distinct answers
    text = distinct.str.strip()
    missing = text.str.lower().isin(MISSING)
    number = pd.to_numeric(text.str.extract(SCORE, expand=False), errors="coerce")
    if scale == "1-11":
        number = number.where(number.between(1, 11)) - 1
    ok = number.between(0, 10)
    at = pd.Index(distinct).get_indexer(raw)
    score = pd.Series(number.where(ok).to_numpy()[at], index=values.index, dtype=float)
    return score, pd.Series((~missing & ~ok).to_numpy()[at], index=values.index)


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
    parts = values.fillna("").astype(str).str.extract(NUMERIC_DATE)
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
            raise KitError(order_message("the values", text, order))
        dayfirst = bool(order.dayfirst)
    serial = pd.to_numeric(text, errors="coerce")
    is_serial = serial.between(1, 100_000)
    origin = pd.Timestamp("1904-01-01") if date1904 else pd.Timestamp("1899-12-30")
    from_serial = origin + pd.to_timedelta(serial.where(is_serial), unit="D")
    parts = text.str.extract(NUMERIC_DATE)
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


def row_examples(text: pd.Series, rows: list, n: int = 3) -> str:
    """The first ``n`` rows with their values ("row 2: '05/01/2020'"), and how many more."""
    return listed(rows, n, lambda r: f"row {r}: {text.at[r]!r}")


def order_message(column: str, text: pd.Series, order: DateOrder) -> str:
    if order.day_first_rows and order.month_first_rows:
        return (
            f"column {column}: dates written day first ({row_examples(text, order.day_first_rows)})"
            f" and month first ({row_examples(text, order.month_first_rows)}) in one column"
        )
    first = order.either_rows[0]
    a, b = NUMERIC_DATE.match(text.at[first]).group(1, 3)
    return (
        f"column {column}: every date fits both orders ({row_examples(text, order.either_rows)}): "
        f"row {first} could be day {int(a)} of month {int(b)} or day {int(b)} of month {int(a)}"
    )


def whole_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Driver ratings: a whole number alone or with a label; blanks and "N/A" are no answer."""
    text = values.fillna("").astype(str).str.strip()
    missing = text.str.lower().isin(MISSING)
    number = pd.to_numeric(text.str.extract(SCORE, expand=False), errors="coerce")
    return number, ~missing & number.isna()
