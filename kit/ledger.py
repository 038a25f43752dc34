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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kit import nps
from kit.privacy import complementary_suppression

__all__ = ["ALL", "Ledger", "result"]

#: A total: every provider, or every customer.
ALL = "All functions"


def result(hist: np.ndarray, *, suppressed: bool, confidence: float, cut: tuple[int, int]):
    """NPS, interval and distribution from the 11 counts of one group (blank if suppressed)."""
    kinds = np.asarray(nps.classify(range(11), detractor_max=cut[0], passive_max=cut[1]))
    det, pas, pro = (int(hist[kinds == kind].sum()) for kind in nps.CATEGORIES)
    row = pd.DataFrame(
        {"n": [det + pas + pro], "detractors": det, "passives": pas, "promoters": pro}
    )
    stats = nps.intervals(row, method="adjusted_wald", confidence=confidence).iloc[0]
    out = {k: int(stats[k]) for k in ("n", "promoters", "passives", "detractors")}
    out |= {k: float(stats[k]) for k in ("nps", "ci_low", "ci_high")}
    out["distribution"] = tuple(int(x) for x in hist)
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
    ) -> Ledger:
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
        n = counts.sum(axis=3)
        hidden = np.stack(
            [
                complementary_suppression(pd.DataFrame(n[i]), min_n=min_n, margins=True).to_numpy()
                for i in range(len(waves))
            ]
        )
        return cls(
            waves, functions, counts, hidden, min_n, confidence, (detractor_max, passive_max)
        )

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
        )

    def _index(self, function: str) -> int | slice:
        return slice(None) if function == ALL else self.functions.index(function)

    def view(self, wave: str, *, provider: str = ALL, customer: str = ALL) -> dict:
        """One group's NPS: ``n, promoters, passives, detractors, nps, ci_low, ci_high,
        distribution`` (11 counts), all blank when ``suppressed``."""
        w = self.waves.index(wave)
        p, c = self._index(provider), self._index(customer)
        hist = self.counts[w, p, c].reshape(-1, 11).sum(axis=0)
        hidden = bool(self.hidden[w, -1 if provider == ALL else p, -1 if customer == ALL else c])
        return result(hist, suppressed=hidden, confidence=self.confidence, cut=self.cut)

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

    def audit(self, *, detail: str = "scores") -> pd.DataFrame:
        """What everything this ledger lets be shown gives away (:func:`kit.audit.audit`)."""
        from kit.audit import audit

        return audit(
            self.counts,
            self.hidden,
            waves=self.waves,
            functions=self.functions,
            min_n=self.min_n,
            cut=self.cut,
            detail=detail,
        )
