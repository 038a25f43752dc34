"""Verbatim themes: comments coded with an editable codebook, counted, quoted safely.

The codebook is YAML (the kit's own is ``kit/codebook.yaml``; an engagement can point
``codebook:`` at its own copy): theme key -> label, description, patterns (regular expressions
matched case-insensitively on the comment with its spaces normalised).

Example
-------
>>> from kit.config import SAMPLE_CONFIG, load_engagement
>>> from kit.data import load
>>> ds = load(load_engagement(SAMPLE_CONFIG))
>>> coded = code(ds.responses)
>>> sorted(set(coded["theme"]))[:3]
['communication_gaps', 'data_not_shared', 'decisions_overturned']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from re import _constants as _C  # the parse tree's node kinds
from re import _parser

import pandas as pd

from kit import yamlfile
from kit.errors import KitError
from kit.nps import CATEGORIES, classify
from kit.privacy import redact, suspects

__all__ = [
    "DEFAULT_CODEBOOK",
    "Codebook",
    "CodebookError",
    "load_codebook",
    "code",
    "normalised",
    "counted_hits",
    "required_text",
    "theme_counts",
    "quotes",
    "uncoded",
    "clip",
    "MAX_QUOTE",
]

DEFAULT_CODEBOOK = Path(__file__).with_name("codebook.yaml")


class CodebookError(KitError):
    """A codebook that cannot be used, with every problem listed."""

    def __init__(self, path: Path, problems: list[str]):
        self.path, self.problems = path, problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"{path}: {len(problems)} problem(s) in the codebook:\n{lines}\n"
            "Fix them and run again (patterns are Python regular expressions)."
        )


@dataclass(frozen=True)
class Codebook:
    """Themes in codebook order: key -> (label, description, compiled patterns)."""

    labels: dict[str, str]
    descriptions: dict[str, str]
    patterns: dict[str, tuple[re.Pattern, ...]]


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read and check a codebook; every bad theme or pattern is reported at once."""
    path = Path(path) if path else DEFAULT_CODEBOOK
    try:
        raw = yamlfile.read(path) or {}
    except OSError as exc:
        raise CodebookError(path, [f"cannot be read: {exc}"]) from None
    themes = raw.get("themes") if isinstance(raw, dict) else None
    if not isinstance(themes, dict) or not themes:
        raise CodebookError(path, ["it must have a 'themes:' mapping of theme -> settings"])
    problems: list[str] = []
    labels, descriptions, patterns = {}, {}, {}
    for key, spec in themes.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("patterns"), list):
            problems.append(f"theme '{key}': needs 'label' and a list of 'patterns'")
            continue
        compiled = []
        for pat in spec["patterns"]:
            try:
                compiled.append(re.compile(str(pat), re.IGNORECASE))
            except re.error as exc:
                problems.append(f"theme '{key}': pattern {pat!r} is not valid ({exc})")
        if not spec["patterns"]:
            problems.append(f"theme '{key}': the list of patterns is empty")
        labels[key] = str(spec.get("label") or key.replace("_", " ").capitalize())
        descriptions[key] = str(spec.get("description", ""))
        patterns[key] = tuple(compiled)
    if problems:
        raise CodebookError(path, problems)
    return Codebook(labels, descriptions, patterns)


def _codebook(path: str | Path | None) -> Codebook:
    """:func:`load_codebook`, read again only when the file changed (a pack codes several
    times; a batch, once per scope)."""
    path = Path(path) if path else DEFAULT_CODEBOOK
    try:
        st = path.stat()
    except OSError:
        return load_codebook(path)  # says what is wrong
    return _codebook_read(str(path.resolve()), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=8)
def _codebook_read(path: str, size: int, mtime_ns: int) -> Codebook:
    return load_codebook(path)


#: Longest quote shown; longer comments are cut at a word and marked.
MAX_QUOTE = 400


def clip(text: str, limit: int = MAX_QUOTE) -> str:
    """``text`` cut to at most ``limit`` characters at a word, with an ellipsis when cut.

    >>> clip("one two three", 9)
    'one two…'
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut) + "…"


def normalised(texts: pd.Series) -> pd.Series:
    """Comments as they are coded: blank for none, spaces collapsed, ends stripped."""
    return texts.fillna("").astype(str).str.replace(r"\s+", " ", regex=True).str.strip()


def _required(items) -> frozenset[str] | None:
    """Lower-case ASCII strings one of which every match of a parsed pattern (``items``, a
    sequence from :mod:`re`'s parser) contains; None when no such set is known. A run of
    literals is one string, a group or a repeat (at least once) the set of what it requires,
    a branch the union of its alternatives'; the set whose shortest string is longest wins."""
    found, run = [], []
    for op, av in [*items, (None, None)]:
        if op is _C.LITERAL and av < 128:
            run.append(chr(av).lower())
            continue
        if run:
            found.append(frozenset({"".join(run)}))
            run = []
        got = None
        if op is _C.SUBPATTERN:
            got = _required(av[3])
        elif op is _C.BRANCH:
            alternatives = [_required(a) for a in av[1]]
            if all(alternatives):
                got = frozenset().union(*alternatives)
        elif op in _REPEATS and av[0] >= 1:
            got = _required(av[2])
        if got:
            found.append(got)
    return max(found, key=lambda s: (min(map(len, s)), -len(s))) if found else None


_REPEATS = tuple(
    getattr(_C, name)
    for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
    if hasattr(_C, name)
)


@lru_cache(maxsize=1024)
def required_text(pattern: re.Pattern) -> frozenset[str] | None:
    """Strings one of which (lower-cased) any text the pattern matches contains, when the
    text is ASCII: a cheap test that rules a pattern out before it is searched. None when the
    pattern has no such strings (or cannot be analysed).

    >>> sorted(required_text(re.compile("slow (reviews?|approvals?)", re.I)))
    ['approval', 'review']
    """
    try:
        return _required(_parser.parse(pattern.pattern, pattern.flags))
    except Exception:  # noqa: BLE001 - any parser surprise: no prefilter, search it
        return None


def _hits(texts: list[str], patterns: tuple[re.Pattern, ...], *, prefilter: bool) -> list:
    """Per text, how many of ``patterns`` it matches. With ``prefilter``, a pattern is
    searched in an ASCII text only when the text holds one of its :func:`required_text`
    strings (for ASCII text, case-insensitive matching is lower-case equality, so the result
    is the same); a text with other characters is searched with every pattern."""
    if not prefilter:
        return [sum(bool(p.search(t)) for p in patterns) for t in texts]
    needs = [(p, required_text(p)) for p in patterns]
    out = []
    for t in texts:
        if t.isascii():
            low = t.lower()
            out.append(
                sum(
                    bool(p.search(t))
                    for p, need in needs
                    if need is None or any(s in low for s in need)
                )
            )
        else:
            out.append(sum(bool(p.search(t)) for p in patterns))
    return out


def counted_hits(
    texts, *, codebook: Codebook | str | Path | None = None, prefilter: bool = True
) -> dict[str, tuple[int, ...]]:
    """For each distinct text (normalised as :func:`code` does), how many patterns of each
    theme it matches, in codebook order: what :func:`code` builds its table from, to keep
    and reuse (``counted=``) for any responses whose comments are among ``texts``."""
    book = codebook if isinstance(codebook, Codebook) else _codebook(codebook)
    distinct = list(pd.unique(pd.Series(list(texts), dtype=object)))
    columns = [_hits(distinct, pats, prefilter=prefilter) for pats in book.patterns.values()]
    return dict(zip(distinct, zip(*columns, strict=True), strict=True)) if distinct else {}


def code(
    responses: pd.DataFrame,
    *,
    codebook: Codebook | str | Path | None = None,
    text: str = "comment",
    id: str = "response_id",  # noqa: A002 - the column's name
    prefilter: bool = True,
    counted: dict[str, tuple[int, ...]] | None = None,
) -> pd.DataFrame:
    """Themes of each comment: one row per (response, theme) with the number of patterns hit.

    ``codebook`` is a loaded :class:`Codebook`, the path of one, or None for the kit's own.
    ``prefilter``: a pattern is searched only in the comments that hold one of the strings
    every match of it holds (:func:`required_text`), each distinct comment once (the same
    result; False searches every pattern in every comment). ``counted``: the hits of comments
    already coded with the same codebook (:func:`counted_hits`); only the others are searched.
    """
    book = codebook if isinstance(codebook, Codebook) else _codebook(codebook)
    comments = normalised(responses[text])
    comments = comments[comments != ""]
    if prefilter or counted is not None:
        known = counted or {}
        new = counted_hits(
            (t for t in pd.unique(comments.to_numpy()) if t not in known),
            codebook=book,
            prefilter=prefilter,
        )
        rows = [known[t] if t in known else new[t] for t in comments]
        per_theme = [[row[i] for row in rows] for i in range(len(book.patterns))]
    else:
        per_theme = [
            _hits(list(comments), pats, prefilter=False) for pats in book.patterns.values()
        ]
    parts = []
    for theme, counts in zip(book.patterns, per_theme, strict=True):
        hits = pd.Series(counts, index=comments.index)
        hit = hits[hits > 0]
        parts.append(
            pd.DataFrame({id: responses.loc[hit.index, id].to_numpy(), "theme": theme, "hits": hit})
        )
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    out["label"] = out["theme"].map(book.labels)
    return out[[id, "theme", "label", "hits"]]


def theme_counts(
    responses: pd.DataFrame,
    coded: pd.DataFrame,
    *,
    detractor_max: int = 6,
    passive_max: int = 8,
    text: str = "comment",
) -> pd.DataFrame:
    """How often each theme comes up per category: one row per theme and category.

    ``share`` is the theme's count over the commented responses of that category; ``total``
    the theme's count over all categories (the sort order).
    """
    cat = classify(responses["score"], detractor_max=detractor_max, passive_max=passive_max)
    cat.index = responses["response_id"].to_numpy()
    commented = cat[normalised(responses[text]).to_numpy() != ""]
    base = commented.value_counts().reindex(list(CATEGORIES), fill_value=0)
    tagged = coded.assign(category=coded["response_id"].map(cat).astype(str))
    counts = tagged.groupby(["theme", "label", "category"]).size().rename("count").reset_index()
    full = pd.MultiIndex.from_product(
        [tagged[["theme", "label"]].drop_duplicates().itertuples(index=False), CATEGORIES]
    )
    rows = [(t, lab, c) for (t, lab), c in full]
    grid = pd.DataFrame(rows, columns=["theme", "label", "category"])
    out = grid.merge(counts, how="left").fillna({"count": 0})
    out["count"] = out["count"].astype(int)
    out["share"] = out["count"] / out["category"].map(base).replace(0, pd.NA)
    out["total"] = out.groupby("theme")["count"].transform("sum")
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return out.sort_values(
        ["total", "theme", "category"],
        ascending=[False, True, True],
        key=lambda s: s.map(order) if s.name == "category" else s,
        ignore_index=True,
    )


def quotes(
    responses: pd.DataFrame,
    coded: pd.DataFrame,
    *,
    theme: str | None = None,
    per_theme: int = 2,
    names=(),
    min_group_size: int = 10,
    group: str = "respondent_function",
    text: str = "comment",
    detractor_max: int = 6,
    passive_max: int = 8,
) -> pd.DataFrame:
    """Representative quotes per theme, anonymised.

    Only comments from groups (``group``) with at least ``min_group_size`` comments are
    quoted, always redacted (``names`` plus e-mail, phone and employee-id patterns). The
    choice is by rule: the comments that hit the theme's patterns most, then of a readable
    length (closest to 120 characters), then by response id; no comment is quoted twice.
    ``check`` is True where a capitalised word of a person's name survived redaction (a
    name opening a sentence, say): the consultant reads those quotes first.
    """
    commented = responses[normalised(responses[text]) != ""]
    sizes = commented.groupby(group, observed=True).size()
    allowed = commented[commented[group].map(sizes) >= min_group_size]
    pool = coded[coded["response_id"].isin(allowed["response_id"])]
    if theme is not None:
        pool = pool[pool["theme"] == theme]
    info = allowed.set_index("response_id")
    pool = pool.assign(
        comment=normalised(pool["response_id"].map(info[text])),
        score=pool["response_id"].map(info["score"]),
    )
    pool = pool.assign(length_gap=(pool["comment"].str.len() - 120).abs())
    pool = pool.sort_values(
        ["theme", "hits", "length_gap", "response_id"], ascending=[True, False, True, True]
    )
    pool = pool.drop_duplicates("comment").groupby("theme").head(per_theme)
    cat = classify(pool["score"], detractor_max=detractor_max, passive_max=passive_max)
    quote = redact(pool["comment"], names=names)  # redacted whole, then cut
    out = pool.assign(
        category=cat.astype(str).to_numpy(),
        quote=quote.map(clip),
        check=suspects(quote, names=names),
    )
    return out[["theme", "label", "response_id", "category", "quote", "check"]].reset_index(
        drop=True
    )


def uncoded(responses: pd.DataFrame, coded: pd.DataFrame, *, text: str = "comment") -> pd.DataFrame:
    """Commented responses no theme matched, for the consultant to code."""
    commented = responses[normalised(responses[text]) != ""]
    rest = commented[~commented["response_id"].isin(coded["response_id"])]
    rest = rest.assign(**{text: normalised(rest[text]).map(clip)})
    return rest[["response_id", "provider_function", "score", text]].reset_index(drop=True)
