"""What the workshop widgets compute: plain functions and small state objects, no widgets.

:mod:`kit.widgets` shows these on a projector; everything here is tested without a browser.

- the explorer reads :class:`kit.ledger.Ledger`: every 0-10 answer counted by wave x provider
  x customer once, with what each wave lets be shown (the disclosure ledger).
- :func:`what_if`: move detractors to passives and passives to promoters; the new NPS.
- :class:`Poll`: votes from the room, a running NPS, saved as a wave-like CSV.
- :class:`RegisterEdits`: moves on the stakeholder grid, saved as a new register version.

Example
-------
>>> r = what_if(30, 40, 30, to_passive=10, target=20)
>>> r["after"], r["moves_to_target"]
(10.0, 10)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from math import ceil
from pathlib import Path

import numpy as np
import pandas as pd

from kit import nps
from kit.config import ENGAGEMENT_LEVELS, slug
from kit.data import SCHEMAS, write_version
from kit.ledger import ALL, result

__all__ = ["ALL", "what_if", "Poll", "RegisterEdits", "GRID_FIELDS"]


def what_if(
    detractors: int,
    passives: int,
    promoters: int,
    *,
    to_passive: int = 0,
    to_promoter: int = 0,
    target: float | None = None,
    confidence: float = 0.95,
) -> dict:
    """The NPS if ``to_passive`` detractors became passives and ``to_promoter`` passives (after
    the first move) became promoters.

    Returns ``before`` and ``after`` (NPS), ``ci_low``/``ci_high`` (after), ``n``,
    ``points_per_move`` (each person moved one step is worth 100/n points), ``to_target``
    (points still missing, 0 once reached) and ``moves_to_target`` (one-step moves still needed).

    >>> r = what_if(30, 40, 30, to_passive=10, target=20)
    >>> r["before"], r["after"], r["to_target"], r["moves_to_target"]
    (0.0, 10.0, 10.0, 10)
    """
    if not 0 <= to_passive <= detractors:
        raise ValueError(f"to_passive must be between 0 and {detractors}, got {to_passive}")
    if not 0 <= to_promoter <= passives + to_passive:
        raise ValueError(
            f"to_promoter must be between 0 and {passives + to_passive}, got {to_promoter}"
        )
    n = detractors + passives + promoters
    det, pas, pro = (
        detractors - to_passive,
        passives + to_passive - to_promoter,
        promoters + to_promoter,
    )
    row = pd.DataFrame({"n": [n], "detractors": det, "passives": pas, "promoters": pro})
    after = nps.intervals(row, method="adjusted_wald", confidence=confidence).iloc[0]
    before = 100 * (promoters - detractors) / n if n else np.nan
    now = 100 * (pro - det) / n if n else np.nan
    missing = float(max(0.0, target - now)) if target is not None and n else np.nan
    return {
        "n": n,
        "before": before,
        "after": now,
        "ci_low": float(after["ci_low"]),
        "ci_high": float(after["ci_high"]),
        "detractors": det,
        "passives": pas,
        "promoters": pro,
        "points_per_move": 100 / n if n else np.nan,
        "target": target,
        "to_target": missing,
        "moves_to_target": ceil(round(missing * n / 100, 9)) if not np.isnan(missing) else None,
    }


@dataclass
class Poll:
    """Votes from the room on "How likely is it that you would recommend <provider> to a
    colleague?", entered one click per vote.

    >>> poll = Poll()
    >>> for s in (10, 9, 3, 7, 9):
    ...     poll.vote(s)
    >>> poll.undo()
    9
    >>> poll.result(min_n=3)["nps"]
    25.0
    """

    votes: list[int] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)

    def vote(self, score: int) -> None:
        if not (isinstance(score, (int, np.integer)) and 0 <= score <= 10):
            raise ValueError(f"a vote is a whole number from 0 to 10, got {score!r}")
        self.votes.append(int(score))
        self.times.append(datetime.now().replace(microsecond=0))

    def undo(self) -> int | None:
        """Take the last vote back; returns it (None when there is none)."""
        if not self.votes:
            return None
        self.times.pop()
        return self.votes.pop()

    def result(self, *, min_n: int, confidence: float = 0.95, cut=(6, 8)) -> dict:
        """The running NPS; held back (``suppressed``) until ``min_n`` votes are in, so that
        no one's vote can be read off the first few."""
        hist = np.bincount(np.asarray(self.votes, dtype=int), minlength=11)
        out = result(hist, suppressed=len(self.votes) < min_n, confidence=confidence, cut=cut)
        out["votes"] = len(self.votes)
        return out

    def to_responses(
        self, *, wave: str, provider_function: str, respondent_function: str
    ) -> pd.DataFrame:
        """The votes as rows of the kit's ``responses`` table (no comment, no contact)."""
        stamp = self.times[0].strftime("%Y%m%d%H%M%S") if self.times else "empty"
        return pd.DataFrame(
            {
                "response_id": [f"POLL-{stamp}-{i:03d}" for i in range(1, len(self.votes) + 1)],
                "wave": wave,
                "submitted_at": [t.isoformat() for t in self.times],
                "respondent_id": "",
                "respondent_function": respondent_function,
                "provider_function": provider_function,
                "score": self.votes,
                "comment": "",
                "ok_to_contact": False,
                "contact_id": "",
            },
            columns=[c.name for c in SCHEMAS["responses"] if not c.name.startswith("driver_")],
        )

    def save(
        self, folder: Path | str, *, wave: str, provider_function: str, respondent_function: str
    ) -> Path:
        """Write the votes to a new ``poll-<provider>-<time>.csv`` in ``folder``; never
        overwrites. Append its rows to ``responses.csv`` (and add the wave to the engagement)
        to analyse them with the survey."""
        if not self.votes:
            raise ValueError("no votes to save")
        table = self.to_responses(
            wave=wave, provider_function=provider_function, respondent_function=respondent_function
        )
        stem = f"poll-{slug(provider_function)}-{self.times[0]:%Y%m%d-%H%M%S}"
        return _new_file(Path(folder), stem, table)


def _new_file(folder: Path, stem: str, table: pd.DataFrame) -> Path:
    """Write ``table`` to ``folder/stem.csv`` (or ``stem-2.csv``...), never over a file."""
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(1, 1000):
        path = folder / (f"{stem}.csv" if k == 1 else f"{stem}-{k}.csv")
        try:
            with open(path, "x", encoding="utf-8", newline="") as f:
                table.to_csv(f, index=False)
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"{folder}: no free file name for {stem}")


#: What the grid workshop may change, with the values allowed.
GRID_FIELDS = {
    "influence": tuple(range(1, 6)),
    "interest": tuple(range(1, 6)),
    "engagement_current": ENGAGEMENT_LEVELS,
    "engagement_desired": ENGAGEMENT_LEVELS,
}


class RegisterEdits:
    """Changes to the stakeholder register made in a workshop; the original is never touched.

    >>> reg = pd.DataFrame({"stakeholder_id": ["S1"], "name": ["Ana"], "influence": [2],
    ...                     "interest": [3], "engagement_current": ["Neutral"],
    ...                     "engagement_desired": ["Supportive"]})
    >>> edits = RegisterEdits(reg)
    >>> edits.set("S1", influence=4)
    >>> edits.changes[["name", "field", "before", "after"]].values.tolist()
    [['Ana', 'influence', 2, 4]]
    >>> int(reg.loc[0, "influence"])
    2
    """

    def __init__(self, register: pd.DataFrame):
        self.original = register.copy()
        self.register = register.copy()
        self._rows = pd.Series(range(len(register)), index=register["stakeholder_id"])

    def row(self, stakeholder_id: str) -> pd.Series:
        return self.register.iloc[int(self._rows[stakeholder_id])]

    def set(self, stakeholder_id: str, **values) -> None:
        """Change one stakeholder's ``influence``, ``interest`` or engagement levels."""
        if stakeholder_id not in self._rows.index:
            raise KeyError(f"no stakeholder {stakeholder_id!r} in the register")
        problems = [
            f"{name}={value!r} (allowed: {', '.join(map(str, GRID_FIELDS[name]))})"
            if name in GRID_FIELDS
            else f"{name!r} cannot be changed here (only {', '.join(GRID_FIELDS)})"
            for name, value in values.items()
            if name not in GRID_FIELDS or value not in GRID_FIELDS[name]
        ]
        if problems:
            raise ValueError(f"{stakeholder_id}: " + "; ".join(problems))
        i = int(self._rows[stakeholder_id])
        for name, value in values.items():
            self.register.iloc[i, self.register.columns.get_loc(name)] = value

    @property
    def changes(self) -> pd.DataFrame:
        """One row per changed value: ``stakeholder_id, name, field, before, after``."""
        rows = []
        for name in GRID_FIELDS:
            if name not in self.register.columns:
                continue
            before, after = self.original[name], self.register[name]
            for i in np.flatnonzero((before != after) & ~(before.isna() & after.isna())):
                rows.append(
                    {
                        "stakeholder_id": self.register["stakeholder_id"].iat[i],
                        "name": self.register["name"].iat[i],
                        "field": name,
                        "before": before.iat[i],
                        "after": after.iat[i],
                    }
                )
        return pd.DataFrame(rows, columns=["stakeholder_id", "name", "field", "before", "after"])

    def save(self, folder: Path | str) -> Path:
        """Save the edited register as the next ``stakeholders.vN.csv`` (the kit reads the
        latest version; the original file stays as it was), with the changes beside it in
        ``stakeholders.vN.changes.csv``."""
        changes = self.changes
        if changes.empty:
            raise ValueError("nothing has changed; no new register written")
        path = write_version(self.register, folder, "stakeholders")
        changes.to_csv(path.with_suffix(".changes.csv"), index=False)
        return path
