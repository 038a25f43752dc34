"""What every stage notebook starts from: the configuration, the validated data, the scope.

Example
-------
>>> from kit.config import SAMPLE_CONFIG
>>> ctx = open_engagement(SAMPLE_CONFIG, scope="Regulatory")
>>> ctx.label, ctx.wave, set(ctx.rated["provider_function"])
('Regulatory', '2026-H1', {'Regulatory'})
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kit.config import ORGANISATION, Engagement, load_engagement
from kit.data import Dataset, load

__all__ = ["Context", "open_engagement", "AUDIENCES"]

#: "consultant": the working view (may list named contacts); "client": what a pack may show.
AUDIENCES = ("consultant", "client")


@dataclass(frozen=True)
class Context:
    """One scope of one engagement, as a stage notebook sees it."""

    cfg: Engagement
    ds: Dataset
    scope: str
    wave: str
    audience: str
    min_group_size: int = 0

    @property
    def is_organisation(self) -> bool:
        return self.scope == ORGANISATION

    @property
    def label(self) -> str:
        """How the scope is named in sentences."""
        return "the organisation" if self.is_organisation else self.scope

    @property
    def rated(self) -> pd.DataFrame:
        """All waves' responses about the scope (every response for the organisation)."""
        r = self.ds.responses
        return r if self.is_organisation else r[r["provider_function"] == self.scope]

    @property
    def in_wave(self) -> pd.DataFrame:
        """Every response of the selected wave, whatever the scope."""
        r = self.ds.responses
        return r[r["wave"] == self.wave]

    @property
    def current(self) -> pd.DataFrame:
        """The scope's responses in the selected wave."""
        r = self.rated
        return r[r["wave"] == self.wave]

    @property
    def min_n(self) -> int:
        """The anonymity threshold: the engagement's, or a stricter one set for this run."""
        return max(self.cfg.thresholds.min_group_size, self.min_group_size)

    @property
    def nps_options(self) -> dict:
        """The engagement's NPS settings, as keyword arguments for :mod:`kit.nps`."""
        return {
            "confidence": self.cfg.thresholds.confidence,
            "min_n": self.min_n,
            "detractor_max": self.cfg.detractor_max,
            "passive_max": self.cfg.passive_max,
        }

    @property
    def for_client(self) -> bool:
        return self.audience == "client"


def open_engagement(
    config: Path | str,
    *,
    scope: str = ORGANISATION,
    wave: str = "",
    audience: str = "consultant",
    min_group_size: int = 0,
) -> Context:
    """Load and validate an engagement and select a scope and a wave.

    Parameters
    ----------
    config
        Path to ``engagement.yaml``.
    scope
        A function in ``functions.csv`` or ``"Organisation"``.
    wave
        A wave label; empty for the configuration's current wave.
    audience
        ``"consultant"`` (default, the working view) or ``"client"`` (what a pack may show).
    min_group_size
        A stricter anonymity threshold for this run; 0 keeps the engagement's. A value below
        the engagement's threshold is ignored: a notebook cannot weaken anonymity.

    Raises
    ------
    kit.config.ConfigError, kit.data.DataError, ValueError
        With every problem listed, before any analysis runs.
    """
    cfg = load_engagement(config)
    ds = load(cfg)
    wave = wave or cfg.current_wave
    problems = []
    if wave not in cfg.waves:
        problems.append(f"wave {wave!r} is not one of {list(cfg.waves)}")
    functions = set(ds.functions["function"])
    if scope != ORGANISATION and scope not in functions:
        problems.append(
            f"scope {scope!r} is not '{ORGANISATION}' nor a function in "
            f"functions.csv ({', '.join(sorted(functions))})"
        )
    if audience not in AUDIENCES:
        problems.append(f"audience {audience!r} must be one of {AUDIENCES}")
    if not isinstance(min_group_size, int) or min_group_size < 0:
        problems.append(f"min_group_size {min_group_size!r} must be a whole number, 0 or more")
    if problems:
        raise ValueError("; ".join(problems))
    return Context(cfg, ds, scope, wave, audience, min_group_size)
