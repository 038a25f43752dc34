"""The disclosure ledger: per engagement and wave, what may be published about the ratings.

Every figure the kit shows about ratings is a sum of cells of one table per wave: provider x
customer, each cell the counts of its 0-10 answers. The ledger counts them once and decides
once, per wave, which cells, which function totals (rows: the score a function receives),
which customer totals (columns) and whether the grand total may be shown: groups under the
threshold are withheld, and further ones by complementary suppression with the totals as
cells, so that no total shown anywhere (a pack, a sentence, the workshop) gives a withheld
group away by subtraction. Findings read it; :mod:`kit.audit` checks it from the attacker's side.

Example
-------
>>> from kit.context import open_engagement
>>> from kit.config import SAMPLE_CONFIG
>>> ledger = open_engagement(SAMPLE_CONFIG).ledger
>>> view = ledger.view("2026-H1", provider="Regulatory")
>>> f"{view['nps']:+.0f} (n={view['n']})"
'-21 (n=100)'
>>> ledger.withheld("2026-H1", provider="Legal & Compliance"), ledger.withheld("2026-H1")
(True, False)
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kit import audit, nps
from kit.privacy import complementary_suppression

__all__ = ["ALL", "Ledger", "protect", "result"]

#: A total: every provider, or every customer.
ALL = "All functions"


#: Where decided suppression patterns are kept (only which cells are withheld, no count),
#: so that each pack of a batch reuses the decision instead of auditing again.
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kit" / "ledger"
#: Bumped whenever the rules below change, so that no older decision is reused.
RULES = "5"
#: Rounds of the audit loop before :func:`protect` gives up (the audit then refuses).
ROUNDS = 40


def categories(counts: np.ndarray, cut: tuple[int, int]) -> np.ndarray:
    """Detractors, passives and promoters from counts by score (the last axis)."""
    s = np.arange(11)
    kinds = (s <= cut[0], (s > cut[0]) & (s <= cut[1]), s > cut[1])
    return np.stack([counts[..., k].sum(axis=-1) for k in kinds], axis=-1)


def with_totals(table: np.ndarray) -> np.ndarray:
    """A provider x customer table (x anything) with its totals as a last row and column."""
    table = np.concatenate([table, table.sum(axis=0, keepdims=True)], axis=0)
    return np.concatenate([table, table.sum(axis=1, keepdims=True)], axis=1)


def protect(counts: np.ndarray, *, min_n: int, cut: tuple[int, int] = (6, 8)) -> np.ndarray:
    """Which cells and totals of one wave's provider x customer table to withhold.

    1. **Primary**: a group with fewer than ``min_n`` answers, and a group whose answers all
       fall in one category (all detractors, all passives or all promoters: showing it would
       tell each member's answer), whatever its size.
    2. **Complementary**: further cells and totals, line by line, so that no withheld group
       is a shown total less its shown parts
       (:func:`kit.privacy.complementary_suppression`).
    3. **Audited**: the disclosure audit (:func:`kit.audit.audit`, on what the kit publishes)
       is run on the pattern; while it gives any withheld figure away
       (:func:`kit.audit.pinned`), the smallest shown group that shares a line with that
       figure is withheld too, and the audit runs again.

    ``counts[p, c, s]`` are the answers of score ``s``; returns ``hidden``, the shape of the
    table with its totals (last row and column), True where withheld.
    """
    n = with_totals(counts.sum(axis=2))
    split = with_totals(categories(counts, cut))
    alike = (split.max(axis=2) == n) & (n > 0)
    hidden = complementary_suppression(
        pd.DataFrame(n[:-1, :-1]), min_n=min_n, margins=True, sensitive=alike
    ).to_numpy(copy=True)
    names = [str(i) for i in range(counts.shape[0])]
    for _ in range(ROUNDS):
        found = audit.audit(
            counts[None], hidden[None], waves=["w"], functions=names, min_n=min_n, cut=cut
        )
        pinned = found[found["pinned"]]
        if pinned.empty:
            break
        before = hidden.sum()
        for p, c in zip(pinned["provider"], pinned["customer"], strict=True):
            p = -1 if p == audit.ALL else int(p)
            c = -1 if c == audit.ALL else int(c)
            _widen(hidden, n, p, c)
        if hidden.sum() == before:
            break  # nothing left to hide: the audit will say what stays pinned
    return hidden


def _widen(hidden: np.ndarray, n: np.ndarray, p: int, c: int) -> None:
    """Withhold the smallest shown group sharing a line with the pinned figure ``(p, c)``
    (``-1``: a total), or, when none is left, a shown total over it."""
    lines = []
    if p >= 0:
        lines += [(p, j) for j in range(n.shape[1] - 1)]
    if c >= 0:
        lines += [(i, c) for i in range(n.shape[0] - 1)]
    if p < 0 and c < 0:  # the grand total: any function's or customer group's total
        lines += [(i, -1) for i in range(n.shape[0] - 1)]
        lines += [(-1, j) for j in range(n.shape[1] - 1)]
    shown = [(n[i, j], i, j) for i, j in lines if n[i, j] and not hidden[i, j]]
    if shown:
        _, i, j = min(shown)
        hidden[i, j] = True
        return
    totals = [(p, -1)] * (p >= 0) + [(-1, c)] * (c >= 0) + [(-1, -1)]
    for i, j in totals:
        if not hidden[i, j]:
            hidden[i, j] = True
            return


def _key(counts: np.ndarray, min_n: int, cut: tuple[int, int]) -> str:
    digest = hashlib.sha256(np.ascontiguousarray(counts, dtype=np.int64).tobytes())
    digest.update(repr((counts.shape, min_n, cut, RULES)).encode())
    return digest.hexdigest()


def _cached(cache: Path | None, key: str) -> np.ndarray | None:
    if cache is None:
        return None
    try:
        return np.load(cache / f"{key}.npy", allow_pickle=False).astype(bool)
    except (OSError, ValueError):
        return None


def _store(cache: Path | None, key: str, hidden: np.ndarray) -> None:
    """Keep a decision for the next pack (atomically; a cache that cannot be written is
    simply not used)."""
    if cache is None:
        return
    try:
        cache.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(dir=cache, suffix=".tmp", delete=False) as f:
            np.save(f, hidden)
        os.replace(f.name, cache / f"{key}.npy")
    except OSError:
        pass


def result(
    hist: np.ndarray,
    *,
    suppressed: bool,
    confidence: float,
    cut: tuple[int, int],
    scores: bool = True,
):
    """NPS, interval and distribution from the 11 counts of one group (blank if suppressed).
    The distribution is the 11 counts by score, or with ``scores=False`` the detractors,
    passives and promoters only."""
    kinds = np.asarray(nps.classify(range(11), detractor_max=cut[0], passive_max=cut[1]))
    det, pas, pro = (int(hist[kinds == kind].sum()) for kind in nps.CATEGORIES)
    row = pd.DataFrame(
        {"n": [det + pas + pro], "detractors": det, "passives": pas, "promoters": pro}
    )
    stats = nps.intervals(row, method="adjusted_wald", confidence=confidence).iloc[0]
    out = {k: int(stats[k]) for k in ("n", "promoters", "passives", "detractors")}
    out |= {k: float(stats[k]) for k in ("nps", "ci_low", "ci_high")}
    out["distribution"] = tuple(int(x) for x in (hist if scores else (det, pas, pro)))
    if suppressed:
        out = {k: (None if k == "distribution" else np.nan) for k in out}
    out["suppressed"] = suppressed
    return out


@dataclass(frozen=True)
class Ledger:
    """Score counts by wave x provider x customer, and what each wave lets be shown.

    ``counts[w, p, c, s]`` is the number of ratings of score ``s`` that customer function
    ``c`` gave provider function ``p`` in wave ``w``. ``hidden[w]`` is the suppression pattern
    of wave ``w``'s provider x customer table with its totals (last row and column: "all").
    """

    waves: tuple[str, ...]
    functions: tuple[str, ...]
    counts: np.ndarray
    hidden: np.ndarray
    min_n: int
    confidence: float = 0.95
    cut: tuple[int, int] = (6, 8)

    @classmethod
    def build(
        cls,
        responses: pd.DataFrame,
        *,
        waves,
        functions,
        min_n: int,
        confidence: float = 0.95,
        detractor_max: int = 6,
        passive_max: int = 8,
        cache: Path | None = None,
    ) -> Ledger:
        """Count the answers and decide, wave by wave, what may be shown (:func:`protect`).
        With ``cache``, a folder, a decision already taken on the same counts is reused."""
        waves, functions = tuple(waves), tuple(functions)
        w = pd.Categorical(responses["wave"], categories=waves).codes.astype(np.int64)
        p = pd.Categorical(responses["provider_function"], categories=functions).codes
        c = pd.Categorical(responses["respondent_function"], categories=functions).codes
        s = pd.to_numeric(responses["score"], errors="coerce").to_numpy(dtype=float)
        keep = (w >= 0) & (p >= 0) & (c >= 0) & ~np.isnan(s)
        nf = len(functions)
        flat = ((w[keep] * nf + p[keep]) * nf + c[keep]) * 11 + s[keep].astype(np.int64)
        shape = (len(waves), nf, nf, 11)
        counts = np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape)
        cut = (detractor_max, passive_max)
        key = _key(counts, min_n, cut)
        hidden = _cached(cache, key)
        if hidden is None:
            hidden = np.stack([protect(counts[i], min_n=min_n, cut=cut) for i in range(len(waves))])
            _store(cache, key, hidden)
        return cls(waves, functions, counts, hidden, min_n, confidence, cut)

    @classmethod
    def from_context(cls, ctx) -> Ledger:
        """The cube of an engagement, with its threshold and NPS settings."""
        o = ctx.nps_options
        return cls.build(
            ctx.ds.responses,
            waves=ctx.cfg.waves,
            functions=sorted(ctx.ds.functions["function"]),
            min_n=o["min_n"],
            confidence=o["confidence"],
            detractor_max=o["detractor_max"],
            passive_max=o["passive_max"],
            cache=CACHE,
        )

    def _index(self, function: str) -> int | slice:
        return slice(None) if function == ALL else self.functions.index(function)

    def view(self, wave: str, *, provider: str = ALL, customer: str = ALL) -> dict:
        """One group's NPS: ``n, promoters, passives, detractors, nps, ci_low, ci_high,
        distribution``, all blank when ``suppressed``. The distribution is by score (11
        counts) for a function's overall score and the organisation's, as the packs chart
        them; by category (3) for a customer group, as the audit assumes."""
        w = self.waves.index(wave)
        p, c = self._index(provider), self._index(customer)
        hist = self.counts[w, p, c].reshape(-1, 11).sum(axis=0)
        hidden = bool(self.hidden[w, -1 if provider == ALL else p, -1 if customer == ALL else c])
        return result(
            hist,
            suppressed=hidden,
            confidence=self.confidence,
            cut=self.cut,
            scores=customer == ALL,
        )

    def shown_providers(self, wave: str) -> list[str]:
        """Functions whose overall score in the wave may be shown (for the what-if picker)."""
        w = self.waves.index(wave)
        n = self.counts[w].sum(axis=(1, 2))
        return [f for i, f in enumerate(self.functions) if n[i] and not self.hidden[w, i, -1]]

    def withheld(self, wave: str, *, provider: str = ALL, customer: str = ALL) -> bool:
        """Whether a cell (a provider and a customer), a total (one of them :data:`ALL`) or
        the grand total of a wave is withheld. An empty cell has nothing to withhold."""
        w = self.waves.index(wave)
        p = -1 if provider == ALL else self.functions.index(provider)
        c = -1 if customer == ALL else self.functions.index(customer)
        return bool(self.hidden[w, p, c])

    def audit(self, *, detail: str = "published", exact: bool = False) -> pd.DataFrame:
        """What everything this ledger lets be shown gives away (:func:`kit.audit.audit`)."""
        return audit.audit(
            self.counts,
            self.hidden,
            waves=self.waves,
            functions=self.functions,
            min_n=self.min_n,
            cut=self.cut,
            detail=detail,
            exact=exact,
        )
