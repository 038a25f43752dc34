"""Anonymity that holds: small groups suppressed, no suppressed group recoverable, and
personal data removed from comments.

Primary suppression hides every group with fewer than ``min_n`` responses. That alone is not
enough when the parent total is shown: subtracting the shown groups from it gives the hidden one.
Complementary suppression therefore hides further groups until, in every line of a table, no
group is hidden, or at least two are and together they hold ``min_n`` responses or more.

>>> import pandas as pd
>>> complementary_suppression_1d(pd.Series([40, 3, 12, 9]), min_n=5).tolist()
[False, True, False, True]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "complementary_suppression",
    "complementary_suppression_1d",
    "person_names",
    "plain",
    "redact",
    "suspects",
]


def _fix_line(n: np.ndarray, hidden: np.ndarray, min_n: int, *, total_hidden: bool = False) -> bool:
    """Hide the smallest shown non-empty cells of one line until it is safe.

    Safe, when the line's total is shown: nothing hidden, or at least two hidden cells holding
    ``min_n`` responses together (a single hidden cell is recoverable from the line's total,
    whatever its size). When the total is hidden: at least one cell hidden too (otherwise the
    total is the sum of the shown cells).
    """

    def unsafe() -> bool:
        k = (hidden & (n > 0)).sum()
        if total_hidden:
            return k == 0 and n.sum() > 0
        return 0 < n[hidden].sum() < min_n or k == 1

    changed = False
    while unsafe():
        shown = np.flatnonzero(~hidden & (n > 0))
        if not len(shown):
            break
        hidden[shown[np.argmin(n[shown])]] = True
        changed = True
    return changed


def complementary_suppression_1d(n: pd.Series, *, min_n: int, hidden=None) -> pd.Series:
    """Which groups to hide: those under ``min_n`` (and those already ``hidden``, decided
    elsewhere) plus enough others to stop subtraction from the total."""
    counts = pd.to_numeric(n, errors="coerce").fillna(0).to_numpy(dtype=float)
    hidden = (counts > 0) & (counts < min_n) | (
        np.zeros(len(counts), dtype=bool) if hidden is None else np.asarray(hidden, dtype=bool)
    )
    _fix_line(counts, hidden, min_n)
    return pd.Series(hidden, index=n.index, name="suppressed")


def complementary_suppression(
    n: pd.DataFrame,
    *,
    min_n: int,
    margins: bool = False,
    total: str = "All",
    sensitive: np.ndarray | None = None,
) -> pd.DataFrame:
    """The same rule for a two-way table of counts (rows and columns both have totals).

    ``n`` is a wide table of response counts (e.g. provider x customer, 0 or NaN for empty
    cells). Returns a boolean table of the same shape: True where the cell must not be shown.
    Lines are revisited until no row or column lets a hidden cell be recovered.
    ``sensitive`` (the shape of the result) marks further cells to hide whatever their size.

    With ``margins``, the row totals, column totals and grand total are cells too (a row and
    a column named ``total`` are added): a total under ``min_n`` is hidden, the totals are
    protected from each other as in :func:`complementary_suppression_1d`, and a hidden total
    keeps at least one of its cells hidden, so that no view of the table (a cell, a row's or a
    column's total, the whole) can be subtracted from another to recover a small group.

    >>> n = pd.DataFrame([[20, 12, 9], [3, 1, 0], [11, 14, 30]], index=[*"ABC"], columns=[*"xyz"])
    >>> complementary_suppression(n, min_n=5, margins=True).astype(int).to_numpy().tolist()
    [[0, 1, 0, 1], [1, 1, 0, 1], [1, 1, 0, 0], [0, 0, 0, 0]]
    """
    counts = n.apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy(dtype=float)
    if margins:
        counts = np.vstack([counts, counts.sum(axis=0)])
        counts = np.column_stack([counts, counts.sum(axis=1)])
    hidden = (counts > 0) & (counts < min_n)
    if sensitive is not None:
        hidden |= np.asarray(sensitive, dtype=bool) & (counts > 0)
    rows, cols = counts.shape
    parts = (rows - 1, cols - 1) if margins else (rows, cols)
    changed = True
    while changed:
        changed = False
        for i in range(rows):
            line = hidden[i, : parts[1]]
            changed |= _fix_line(
                counts[i, : parts[1]], line, min_n, total_hidden=margins and hidden[i, -1]
            )
        for j in range(cols):
            line = hidden[: parts[0], j].copy()
            total_hidden = margins and hidden[-1, j]
            if _fix_line(counts[: parts[0], j], line, min_n, total_hidden=total_hidden):
                hidden[: parts[0], j] = line
                changed = True
    index, columns = n.index, n.columns
    if margins:
        index, columns = [*index, total], [*columns, total]
    return pd.DataFrame(hidden, index=index, columns=columns)


# ---------------------------------------------------------------- redaction

EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
#: Phone numbers: an international prefix or a leading 0 / area code, then digit groups.
PHONE = re.compile(
    r"(?<![\w-])(?:\+\d{1,3}[\s.-]?(?:\(0\)[\s.-]?)?|\(?0\d{1,4}\)?[\s.-]?|\(\d{3}\)\s?)"
    r"\d{2,4}(?:[\s.-]?\d{2,4}){1,3}(?![\w-])"
)
#: Employee ids: EMP-12345, EMP12345, E123456 (letters then 5-8 digits).
EMPLOYEE_ID = re.compile(r"\b(?:EMP[-_ ]?\d{4,8}|E\d{6,8})\b", re.IGNORECASE)
#: First names or surnames that are also common words: matched only as part of a full name.
COMMON_WORDS = frozenset(
    [
        "will",
        "may",
        "grant",
        "mark",
        "rose",
        "hope",
        "joy",
        "faith",
        "bill",
        "sue",
        "pat",
        "art",
        "chase",
        "dawn",
        "drew",
        "gene",
        "glen",
        "guy",
        "jack",
        "jean",
        "john",
        "lane",
        "long",
        "lee",
        "love",
        "page",
        "park",
        "reed",
        "rich",
        "ray",
        "see",
        "summer",
        "victor",
        "wade",
        "ward",
        "white",
        "young",
        "king",
        "hall",
        "wood",
        "green",
        "brown",
        "black",
        "price",
        "rich",
        "case",
    ]
)
PLACEHOLDERS = {"e-mail": "[e-mail]", "phone": "[phone]", "id": "[employee id]", "name": "[name]"}


def person_names(*tables: pd.DataFrame, column: str = "name") -> list[str]:
    """The distinct person names in the given tables (e.g. the register and the roster)."""
    names = pd.concat([t[column] for t in tables if column in t.columns], ignore_index=True)
    return sorted(set(names.dropna().astype(str).str.strip()) - {""})


#: Letters that Unicode does not decompose, as people type them without the accent.
_PLAIN = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "æ": "ae",
        "Æ": "Ae",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "œ": "oe",
        "Œ": "Oe",
    }
)
#: Acronyms that are not initials: never redacted as such.
ACRONYMS = frozenset(
    {
        "IT",
        "HR",
        "QA",
        "QC",
        "PR",
        "UK",
        "US",
        "EU",
        "CEO",
        "CFO",
        "COO",
        "CIO",
        "VP",
        "RA",
        "PV",
        "MA",
        "KPI",
        "SLA",
        "OK",
        "AI",
        "ID",
        "SOP",
        "CRO",
    }
)


def plain(text: str) -> str:
    """``text`` without accents, as it is often typed: "Wiśniewski" -> "Wisniewski"."""
    text = str(text)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_PLAIN))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _terms(names: Iterable[str]) -> tuple[set[str], set[str], set[str]]:
    """Full names and distinctive parts (any case), common-word parts (capitalised only), and
    initials (capitals only), each with its accent-free spelling."""
    anycase, capitalised, initials = set(), set(), set()
    for name in names:
        full = " ".join(str(name).split())
        if not full:
            continue
        parts = re.split(r"[\s]+", full)
        anycase |= {full, plain(full)}
        for part in {p for word in parts for p in (word, *word.split("-"))}:
            if len(part) < 2 or not part[0].isalpha():
                continue
            target = capitalised if part.lower() in COMMON_WORDS or len(part) < 3 else anycase
            target |= {part, plain(part)}
        letters = _initials(parts)
        if len(parts) >= 2 and len(letters) >= 2 and letters not in ACRONYMS:
            initials.add(letters)
    return anycase, capitalised, initials


_WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    """The words of ``text`` accent-free and in lower case, as :func:`_present` compares
    them."""
    return set(_WORD.findall(plain(text).lower()))


def _initials(parts: list[str]) -> str:
    return "".join(p[0] for p in parts if p[:1].isalpha()).upper()


def _present(names: Iterable[str], texts: Iterable) -> list[str]:
    """The ``names`` that may occur in ``texts``: those with a word, or initials, among the
    texts' words (a plural or possessive ending taken off). Every match of a name's pattern
    starts with one of its words whole, so the pattern of these names redacts the texts
    exactly as the pattern of all would, and a roster of thousands costs nothing when few
    of them are named."""
    seen: set[str] = set()
    for text in texts:
        if isinstance(text, str):
            for word in _words(text):
                seen.update((word, word.removesuffix("s"), word.removesuffix("es")))
    kept = []
    for name in names:
        initials = _initials(str(name).split())
        if not seen.isdisjoint(_words(str(name)) | _words(initials)):
            kept.append(name)
    return kept


def _alternation(terms: Iterable[str]) -> str:
    return "|".join(
        re.escape(t).replace(r"\ ", r"\s+") for t in sorted(set(terms), key=len, reverse=True)
    )


#: What may follow a name and still be it: a possessive, a plural, a plural possessive.
_AFTER = r"(?:'s|’s|s'|s’|es|s)?"


def _name_pattern(names: Iterable[str]) -> re.Pattern | None:
    """One pattern for every way a name is written: full names and distinctive parts in any
    case, with or without accents, possessive or plural ("the Wilsons"); first names or
    surnames that are also common words ("Lee", "Park") only capitalised and not opening a
    sentence; initials ("EW") only in capitals."""
    anycase, capitalised, initials = _terms(names)
    branches = []
    if anycase:
        branches.append(rf"(?i:{_alternation(anycase)}){_AFTER}")
    if capitalised:
        opening = r"(?<![.!?]\s)(?<![.!?])(?<!^)"
        branches.append(rf"{opening}(?:{_alternation(capitalised)}){_AFTER}")
    if initials:
        branches.append(rf"(?:{_alternation(initials)})")
    if not branches:
        return None
    return re.compile(rf"(?<![\w-])(?:{'|'.join(branches)})(?![\w-])", re.UNICODE)


def suspects(texts: pd.Series, *, names: Iterable[str] = ()) -> pd.Series:
    """For the consultant: True where a text, once redacted, still holds a capitalised word
    that is part of a person's name (a name that opened a sentence, say), to read it first."""
    parts = {
        plain(p).lower() for name in names for p in re.split(r"[\s-]+", str(name)) if len(p) >= 2
    }

    def check(text) -> bool:
        if not isinstance(text, str):
            return False
        words = re.findall(r"(?<![\w\[])[^\W\d_][\w'’-]*", text)
        return any(w[0].isupper() and plain(w).lower().rstrip("'’s") in parts for w in words)

    return texts.map(check).astype(bool)


def redact(texts: pd.Series, *, names: Iterable[str] = ()) -> pd.Series:
    """Comments with personal data replaced: e-mail addresses, phone numbers, employee ids and
    the ``names`` of people, however written (see :func:`_name_pattern`: any case, without
    accents, possessive or plural, initials). Offline and rule-based; blanks stay blank.
    Returns a new Series.

    >>> redact(pd.Series(["Ask Elif Wilson (EMP-12345) or elif.w@helix.example"]),
    ...        names=["Elif Wilson"]).iloc[0]
    'Ask [name] ([employee id]) or [e-mail]'
    """
    pattern = _name_pattern(_present(names, texts))

    def clean(text):
        if not isinstance(text, str):
            return text
        text = EMAIL.sub(PLACEHOLDERS["e-mail"], text)
        text = EMPLOYEE_ID.sub(PLACEHOLDERS["id"], text)
        text = PHONE.sub(PLACEHOLDERS["phone"], text)
        return pattern.sub(PLACEHOLDERS["name"], text) if pattern is not None else text

    return texts.map(clean)
