"""What every stage notebook starts from: the configuration, the validated data, the scope.

A :class:`Context` owns the scope: which function (``provider``), which wave, for whom
(``audience``), the stakeholders that matter to it, whether it is too small to show, and its
comments coded once. :meth:`Context.where` narrows it to a segment for the consultant exploring.

Example
-------
>>> from kit.config import SAMPLE_CONFIG
>>> ctx = open_engagement(SAMPLE_CONFIG, scope="Regulatory")
>>> ctx.label, ctx.wave, set(ctx.rated["provider_function"])
('Regulatory', '2026-H1', {'Regulatory'})
>>> sales = ctx.where(respondent_function="Sales")
>>> sales.label, len(sales.current)
('Regulatory (respondent_function = Sales)', 27)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from kit import shared
from kit.config import ORGANISATION, Engagement, load_engagement
from kit.data import Dataset, load
from kit.errors import KitError
from kit.ledger import ALL, Ledger
from kit.stakeholders import in_scope

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
    #: The segment filters applied by :meth:`where`, as ``(column, value)`` pairs.
    filters: tuple[tuple[str, object], ...] = ()
    _ledger: Ledger | None = field(default=None, init=False, compare=False, repr=False)
    #: The loaded data's signature (:func:`kit.shared.data_key`) when ``ds`` came whole from
    #: :func:`open_engagement`: then organisation-wide results are computed once per batch.
    #: ``dataclasses.replace`` (other data) leaves it None.
    _data_key: tuple | None = field(default=None, init=False, compare=False, repr=False)

    @property
    def is_organisation(self) -> bool:
        return self.scope == ORGANISATION

    @property
    def provider(self) -> str | None:
        """The function rated: None for the organisation (every function)."""
        return None if self.is_organisation else self.scope

    @property
    def label(self) -> str:
        """How the scope is named in sentences (with the segment, when filtered)."""
        name = "the organisation" if self.is_organisation else self.scope
        if not self.filters:
            return name
        return f"{name} ({', '.join(f'{col} = {_shown(v)}' for col, v in self.filters)})"

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
        """The engagement's NPS settings, as keyword arguments for :mod:`kit.nps`: intervals
        and tests clustered by respondent (one person's several ratings, and their answers
        in several waves, are not independent)."""
        return {
            "confidence": self.cfg.thresholds.confidence,
            "min_n": self.min_n,
            "detractor_max": self.cfg.detractor_max,
            "passive_max": self.cfg.passive_max,
            "cluster": "respondent_id" if "respondent_id" in self.ds.responses else None,
        }

    @property
    def for_client(self) -> bool:
        return self.audience == "client"

    @property
    def ledger(self) -> Ledger:
        """The engagement's disclosure ledger (:mod:`kit.ledger`), built once from all its
        data (a segment from :meth:`where` keeps its scope's)."""
        if self._ledger is None:
            object.__setattr__(self, "_ledger", Ledger.from_context(self))
        return self._ledger

    @property
    def too_small(self) -> bool:
        """True when nothing may be shown about the scope in the wave: too few responses, or
        its total withheld by the ledger so that a smaller group cannot be worked out."""
        if len(self.current) < self.min_n:
            return True
        if self.filters:
            return False
        return self.ledger.withheld(self.wave, provider=self.provider or ALL)

    @cached_property
    def stakeholders(self) -> pd.DataFrame:
        """The register rows that matter to the scope (everyone for the organisation)."""
        return in_scope(self.ds.stakeholders, self.ds.relationships, self.provider)

    @cached_property
    def coded(self) -> pd.DataFrame:
        """The themes of the scope's comments in the wave (:func:`kit.themes.code` with the
        engagement's codebook), from the batch's one coding of every comment."""
        return self.code(self.current)

    def code(self, responses: pd.DataFrame) -> pd.DataFrame:
        """The themes of some of the responses' comments (any waves), as
        :func:`kit.themes.code` with the engagement's codebook gives them: taken from the
        batch's coding of every comment (:func:`kit.shared.coded`), not coded again."""
        return shared.coded(self.cfg, responses)

    @property
    def data_key(self) -> tuple | None:
        """The loaded data's signature when the data are the engagement's files as loaded
        (results computed from them may be shared by the batch), else None."""
        return self._data_key

    def scoped(self, scope: str) -> Context:
        """The same engagement, wave and audience for another scope (the same ledger)."""
        other = dataclasses.replace(self, scope=scope)
        object.__setattr__(other, "_ledger", self.ledger)
        object.__setattr__(other, "_data_key", self._data_key)
        return other

    def where(self, **equals) -> Context:
        """The same scope narrowed to the responses whose columns equal the values given.

        A value may be a list (any of them). The filters are recorded in :attr:`label`. Refused
        for the ``client`` audience: a filtered table next to the unfiltered one can reveal a
        withheld group by subtraction, so a pack always shows whole scopes.

        >>> from kit.config import SAMPLE_CONFIG
        >>> ctx = open_engagement(SAMPLE_CONFIG, scope="Regulatory")
        >>> len(ctx.where(respondent_function=["Sales", "Marketing"]).current)
        43
        """
        if self.for_client:
            raise KitError(
                "ctx.where(...) is for the consultant's exploration and is refused for a "
                "client pack: a filtered table beside the unfiltered one can reveal a withheld "
                "group by subtraction. Open the engagement with audience='consultant'."
            )
        r = self.ds.responses
        unknown = sorted(set(equals) - set(r.columns))
        if unknown:
            raise KitError(
                f"ctx.where(): no column {', '.join(map(repr, unknown))} in the responses; "
                f"filter on one of {', '.join(r.columns)}."
            )
        keep = pd.Series(True, index=r.index)
        for column, value in equals.items():
            many = isinstance(value, (list, tuple, set, frozenset))
            keep &= r[column].isin(list(value)) if many else r[column] == value
        if not keep.any():
            raise KitError(
                "ctx.where(): no response has "
                + " and ".join(f"{c} = {_shown(v)}" for c, v in equals.items())
                + "; check the spelling against the values in responses.csv."
            )
        frozen = tuple(
            (c, tuple(v) if isinstance(v, (list, set, frozenset)) else v) for c, v in equals.items()
        )
        segment = dataclasses.replace(
            self, ds=dataclasses.replace(self.ds, responses=r[keep]), filters=self.filters + frozen
        )
        object.__setattr__(segment, "_ledger", self.ledger)  # decided on the whole data
        return segment


def _shown(value) -> str:
    return (
        " or ".join(map(str, value))
        if isinstance(value, (list, tuple, set, frozenset))
        else str(value)
    )


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
    kit.errors.KitError
        With every problem listed, before any analysis runs.
    """
    cfg = load_engagement(config)
    ds = load(cfg)
    wave = wave or cfg.current_wave
    problems = []
    if not isinstance(wave, str) or wave not in cfg.waves:
        problems.append(f"wave {wave!r} is not one of {list(cfg.waves)}")
    functions = set(ds.functions["function"])
    if not isinstance(scope, str):
        problems.append(f"scope {scope!r} must be one name: '{ORGANISATION}' or a function")
    elif scope != ORGANISATION and scope not in functions:
        problems.append(
            f"scope {scope!r} is not '{ORGANISATION}' nor a function in "
            f"functions.csv ({', '.join(sorted(functions))})"
        )
    if not isinstance(audience, str) or audience not in AUDIENCES:
        problems.append(f"audience {audience!r} must be one of {AUDIENCES}")
    if (
        isinstance(min_group_size, bool)
        or not isinstance(min_group_size, int)
        or min_group_size < 0
    ):
        problems.append(f"min_group_size {min_group_size!r} must be a whole number, 0 or more")
    if problems:
        raise KitError("; ".join(problems))
    ctx = Context(cfg, ds, scope, wave, audience, min_group_size)
    object.__setattr__(ctx, "_data_key", shared.data_key(cfg))
    return ctx
