"""Paths and the engagement configuration (``engagement.yaml``).

One engagement = one client, one survey programme. The YAML file sits next to the data tables;
every relative path in it is read relative to the file itself.

Example
-------
>>> from kit.config import load_engagement, SAMPLE_CONFIG
>>> cfg = load_engagement(SAMPLE_CONFIG)
>>> cfg.client, cfg.current_wave
('Helix Biopharma', '2026-H1')
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

from kit import yamlfile
from kit.errors import KitError

__all__ = [
    "ROOT",
    "SAMPLE_DIR",
    "SAMPLE_CONFIG",
    "REPORTS_DIR",
    "NOTEBOOKS_DIR",
    "NOTEBOOK_CONFIG",
    "IN_CLONE",
    "ORGANISATION",
    "ConfigError",
    "Thresholds",
    "Engagement",
    "load_engagement",
    "slug",
]

_PACKAGE = Path(__file__).resolve().parent
#: Run from a clone, the kit reads the repository's ``notebooks/`` and ``data/sample/``; installed
#: from a wheel, the copies built into it (``kit/_bundled/``, same layout: see ``setup.py``).
IN_CLONE = (_PACKAGE.parent / "pyproject.toml").is_file() and (
    _PACKAGE.parent / "notebooks"
).is_dir()
ROOT = _PACKAGE.parent if IN_CLONE else _PACKAGE / "_bundled"
SAMPLE_DIR = ROOT / "data" / "sample"
SAMPLE_CONFIG = SAMPLE_DIR / "engagement.yaml"
#: ``reports/`` of the clone; installed, ``reports/`` in the current folder.
REPORTS_DIR = ROOT / "reports" if IN_CLONE else Path("reports")
NOTEBOOKS_DIR = ROOT / "notebooks"
#: The notebooks' default ``config``: the sample, relative to the notebooks' own folder. It is
#: read from there whatever the current folder (``papermill notebooks/02_internal_nps.ipynb``
#: run from the repository root or anywhere else).
NOTEBOOK_CONFIG = "../data/sample/engagement.yaml"

#: The scope name of the organisation-wide pack.
ORGANISATION = "Organisation"

ENGAGEMENT_LEVELS = ("Unaware", "Resistant", "Neutral", "Supportive", "Leading")


class ConfigError(KitError):
    """The engagement file cannot be used; the message lists every problem at once."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = Path(path)
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"{self.path}: {len(self.problems)} problem(s) in the engagement file:\n{lines}\n"
            "Fix them in the YAML file and run again."
        )


#: Which consenting passives the follow-up queue takes: every passive (the highest scores,
#: nearly promoters, first), only those one point below promoter level, or none.
PASSIVES = ("all", "nearly", "none")


@dataclass(frozen=True)
class Thresholds:
    """Anonymity and reporting thresholds.

    ``min_group_size`` hides scores of smaller groups; ``min_comment_group_size`` hides verbatims
    of smaller groups; ``high`` is where "high" starts on a 1-5 influence/interest scale; a
    change that is not significant and whose interval reaches further than
    ``inconclusive_margin`` NPS points either side is "inconclusive", not "no change".
    """

    min_group_size: int = 5
    min_comment_group_size: int = 10
    confidence: float = 0.95
    high: int = 4
    inconclusive_margin: float = 15.0


#: The question quoted in the packs when the engagement file does not give its own.
DEFAULT_NPS_QUESTION = "How likely are you to recommend working with this function?"


@dataclass(frozen=True)
class Engagement:
    """The engagement configuration, validated. Build it with :func:`load_engagement`."""

    client: str
    title: str
    waves: tuple[str, ...]
    current_wave: str
    data_dir: Path
    path: Path | None = None
    scopes: tuple[str, ...] | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    detractor_max: int = 6
    passive_max: int = 8
    followup_sla_days: int = 14
    followup_passives: str = "all"
    target_nps: float = 20.0
    #: The recommendation question as the survey asked it (``nps.question``), quoted in the packs.
    nps_question: str = DEFAULT_NPS_QUESTION
    collision_days: int = 7
    contact_cap: int = 12
    #: A large touchpoint log (``touchpoints.file``, CSV or Parquet) read by DuckDB, never
    #: whole into pandas (:func:`kit.touchpoints.log_file`); None: ``touchpoints.csv``.
    touchpoints_file: Path | None = None
    influence_labels: dict[str, int] = field(
        default_factory=lambda: {"low": 2, "medium": 3, "high": 4, "very high": 5}
    )
    brand_primary: str = "#1B4F72"
    brand_accent: str = "#C0392B"
    confidentiality: str = (
        "Confidential. Contains aggregated employee feedback; do not forward beyond the "
        "named recipients."
    )
    consultancy: str = ""
    #: The day each wave closed (``wave_closes``, ISO dates): follow-up due dates count from
    #: it when the responses carry no submission dates.
    wave_closes: dict[str, str] = field(default_factory=dict)
    #: The comment-theme codebook (YAML); None for the kit's own.
    codebook: Path | None = None
    #: The client's PowerPoint template for the decks (``slides.template``); None for the
    #: kit's plain 16:9 slides. ``slides_title_layout`` / ``slides_content_layout``: the
    #: indexes of its layouts for the title slide and the content slides (None: the deck
    #: picks them, :mod:`kit.deck`).
    slides_template: Path | None = None
    slides_title_layout: int | None = None
    slides_content_layout: int | None = None

    @property
    def previous_wave(self) -> str | None:
        """The wave before the current one, or None in a first wave."""
        return self.previous_wave_of(self.current_wave)

    def previous_wave_of(self, wave: str) -> str | None:
        """The wave before ``wave``, or None for the first."""
        i = self.waves.index(wave)
        return self.waves[i - 1] if i > 0 else None

    @property
    def client_slug(self) -> str:
        return slug(self.client)


_TOP_KEYS = {
    "codebook",
    "client",
    "title",
    "waves",
    "current_wave",
    "data_dir",
    "scopes",
    "thresholds",
    "nps",
    "followup",
    "touchpoints",
    "stakeholders",
    "brand",
    "slides",
    "confidentiality",
    "consultancy",
    "wave_closes",
}


def _wave_closes(raw: Any, waves: tuple[str, ...], problems: list[str]) -> dict[str, str]:
    """``wave_closes``: each listed wave's close day as an ISO date."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append("'wave_closes' must map waves to dates, e.g. {2026-H1: 2026-06-30}")
        return {}
    out = {}
    for wave, day in raw.items():
        if str(wave) not in waves:
            problems.append(
                f"'wave_closes' names {str(wave)!r}, not one of the waves {list(waves)}"
            )
        try:
            out[str(wave)] = date.fromisoformat(str(day)).isoformat()
        except ValueError:
            problems.append(f"'wave_closes.{wave}' must be a date (YYYY-MM-DD), got {day!r}")
    return out


_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


def slug(text: str) -> str:
    """A safe folder name: ASCII letters, digits and dashes only (never a path), at most 60
    characters; a name with none of those gets a stable name from its hash.

    >>> slug("Legal & Compliance"), slug("Médical Affairs"), slug("../../etc/{x}")
    ('legal-compliance', 'medical-affairs', 'etc-x')
    >>> slug("研究開発")
    'name-fc5c02ad'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    s = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()[:60].strip("-")
    return s or f"name-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def _section(raw: dict, key: str, problems: list[str]) -> dict:
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        problems.append(f"'{key}' must be a mapping, got {value!r}")
        return {}
    return value


def _number(
    section: dict,
    key: str,
    where: str,
    problems: list[str],
    *,
    kind=int,
    lo=None,
    hi=None,
    default: Any = None,
):
    if key not in section:
        return default
    value = section[key]
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    ok = ok and math.isfinite(value)  # YAML's .nan and .inf are numbers, not settings
    if ok and kind is int and float(value) != int(value):
        ok = False
    if ok and ((lo is not None and value < lo) or (hi is not None and value > hi)):
        ok = False
    if not ok:
        rng = f" between {lo} and {hi}" if lo is not None and hi is not None else ""
        what = {"int": "a whole number", "float": "a number"}[kind.__name__]
        problems.append(f"'{where}.{key}' must be {what}{rng}, got {value!r}")
        return default
    return kind(value)


def load_engagement(path: Path | str, **overrides: Any) -> Engagement:
    """Read and validate an ``engagement.yaml``.

    Parameters
    ----------
    path
        The YAML file. ``data_dir`` inside it (default: the file's folder) is resolved
        relative to the file. The notebooks' default, :data:`NOTEBOOK_CONFIG`, is read from
        the notebooks' folder.
    **overrides
        Top-level fields to replace after validation (e.g. ``current_wave="2025-H2"``).

    Raises
    ------
    ConfigError
        Listing every problem found, not just the first.
    FileNotFoundError
        When the file does not exist.
    """
    path = (NOTEBOOKS_DIR / path if str(path) == NOTEBOOK_CONFIG else Path(path)).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"Engagement file not found: {path}")
    raw = yamlfile.read(path) or {}
    if not isinstance(raw, dict):
        raise ConfigError(path, ["the file must be a mapping of settings"])
    problems: list[str] = []
    kwargs = _parse(raw, path, problems)
    unknown = sorted(set(raw) - _TOP_KEYS)
    problems += [f"unknown setting '{k}' (known: {', '.join(sorted(_TOP_KEYS))})" for k in unknown]
    if problems:
        raise ConfigError(path, problems)
    eng = Engagement(**kwargs)
    if overrides:
        names = {f.name for f in fields(Engagement)}
        bad = sorted(set(overrides) - names)
        if bad:
            raise ConfigError(path, [f"unknown override '{k}'" for k in bad])
        eng = Engagement(**{**kwargs, **overrides})
        if eng.current_wave not in eng.waves:
            raise ConfigError(path, [f"current_wave {eng.current_wave!r} is not in waves"])
    return eng


def _text(raw: dict, key: str, problems: list[str], *, required: bool = True) -> str:
    value = raw.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(f"'{key}' is required (a line of text)")
        return ""
    if not isinstance(value, (str, int, float)):
        problems.append(f"'{key}' must be text, got {value!r}")
        return ""
    return str(value).strip()


def _parse(raw: dict, path: Path, problems: list[str]) -> dict[str, Any]:
    kw: dict[str, Any] = {"path": path}
    kw["client"] = _text(raw, "client", problems)
    kw["title"] = _text(raw, "title", problems)
    waves = raw.get("waves")
    if not isinstance(waves, list) or not waves:
        problems.append(
            "'waves' must be a list of wave labels in time order, e.g. [2025-H1, 2025-H2]"
        )
        waves = []
    waves = tuple(str(w) for w in waves)
    if len(set(waves)) != len(waves):
        problems.append(f"'waves' lists a wave twice: {list(waves)}")
    kw["waves"] = waves
    current = str(raw.get("current_wave", waves[-1] if waves else ""))
    if waves and current not in waves:
        problems.append(f"'current_wave' {current!r} is not one of the waves {list(waves)}")
    kw["current_wave"] = current
    kw["wave_closes"] = _wave_closes(raw.get("wave_closes"), waves, problems)
    kw["data_dir"] = (path.parent / str(raw.get("data_dir", "."))).resolve()
    if not kw["data_dir"].is_dir():
        problems.append(f"'data_dir' {kw['data_dir']} is not a folder")
    scopes = raw.get("scopes", "all")
    if scopes == "all" or scopes is None:
        kw["scopes"] = None
    elif isinstance(scopes, list) and all(isinstance(s, str) for s in scopes):
        kw["scopes"] = tuple(scopes)
    else:
        problems.append(f"'scopes' must be 'all' or a list of function names, got {scopes!r}")
    th = _section(raw, "thresholds", problems)
    kw["thresholds"] = Thresholds(
        min_group_size=_number(
            th, "min_group_size", "thresholds", problems, lo=1, hi=1000, default=5
        ),
        min_comment_group_size=_number(
            th, "min_comment_group_size", "thresholds", problems, lo=1, hi=1000, default=10
        ),
        confidence=_number(
            th, "confidence", "thresholds", problems, kind=float, lo=0.5, hi=0.999, default=0.95
        ),
        high=_number(th, "high", "thresholds", problems, lo=1, hi=5, default=4),
        inconclusive_margin=_number(
            th,
            "inconclusive_margin",
            "thresholds",
            problems,
            kind=float,
            lo=1,
            hi=200,
            default=15.0,
        ),
    )
    nps = _section(raw, "nps", problems)
    kw["detractor_max"] = _number(nps, "detractor_max", "nps", problems, lo=0, hi=9, default=6)
    kw["passive_max"] = _number(nps, "passive_max", "nps", problems, lo=1, hi=9, default=8)
    if kw["detractor_max"] >= kw["passive_max"]:
        problems.append("'nps.detractor_max' must be below 'nps.passive_max'")
    kw["target_nps"] = _number(
        nps, "target", "nps", problems, kind=float, lo=-100, hi=100, default=20.0
    )
    if nps.get("question") is not None:
        kw["nps_question"] = _text(nps, "question", problems)
    fu = _section(raw, "followup", problems)
    kw["followup_sla_days"] = _number(
        fu, "sla_days", "followup", problems, lo=1, hi=365, default=14
    )
    kw["followup_passives"] = fu.get("passives", "all")
    if kw["followup_passives"] not in PASSIVES:
        problems.append(
            f"'followup.passives' must be one of {', '.join(PASSIVES)}, "
            f"got {kw['followup_passives']!r}"
        )
    tp = _section(raw, "touchpoints", problems)
    kw["collision_days"] = _number(
        tp, "collision_days", "touchpoints", problems, lo=0, hi=365, default=7
    )
    kw["contact_cap"] = _number(
        tp, "contact_cap", "touchpoints", problems, lo=1, hi=10000, default=12
    )
    if tp.get("file"):
        log = (path.parent / str(tp["file"])).resolve()
        if log.suffix.lower() not in (".csv", ".parquet"):
            problems.append(
                f"'touchpoints.file' {log} must be a CSV (.csv) or Parquet (.parquet) file"
            )
        elif not log.is_file():
            problems.append(
                f"'touchpoints.file' {log} is not a file: give the touchpoint log relative to "
                "the engagement file, or remove the line"
            )
        else:
            kw["touchpoints_file"] = log
    st = _section(raw, "stakeholders", problems)
    labels = st.get("influence_labels") or {"low": 2, "medium": 3, "high": 4, "very high": 5}
    if not isinstance(labels, dict) or not all(
        isinstance(v, int) and 1 <= v <= 5 for v in labels.values()
    ):
        problems.append("'stakeholders.influence_labels' must map labels to integers 1-5")
        labels = {}
    kw["influence_labels"] = {" ".join(str(k).lower().split()): v for k, v in labels.items()}
    brand = _section(raw, "brand", problems)
    for key, name in (("primary", "brand_primary"), ("accent", "brand_accent")):
        if key in brand:
            if isinstance(brand[key], str) and _HEX.match(brand[key]):
                kw[name] = brand[key]
            else:
                problems.append(
                    f"'brand.{key}' must be a colour like '#1B4F72', got {brand[key]!r}"
                )
    if raw.get("confidentiality"):
        kw["confidentiality"] = _text(raw, "confidentiality", problems)
    kw["consultancy"] = _text(raw, "consultancy", problems, required=False)
    if raw.get("codebook"):
        kw["codebook"] = (path.parent / str(raw["codebook"])).resolve()
        if not kw["codebook"].is_file():
            problems.append(f"'codebook' {kw['codebook']} is not a file")
    kw.update(_slides(raw, path, problems))
    return kw


_SLIDES_KEYS = {"template", "title_layout", "content_layout"}


def _slides(raw: dict, path: Path, problems: list[str]) -> dict[str, Any]:
    """The optional ``slides`` section: the client's PowerPoint template (relative to the
    engagement file) and the indexes of its title and content layouts."""
    sl = _section(raw, "slides", problems)
    problems += [
        f"unknown setting 'slides.{k}' (known: {', '.join(sorted(_SLIDES_KEYS))})"
        for k in sorted(set(sl) - _SLIDES_KEYS)
    ]
    kw: dict[str, Any] = {
        f"slides_{key}": _number(sl, key, "slides", problems, lo=0, hi=100)
        for key in ("title_layout", "content_layout")
    }
    if sl.get("template"):
        template = (path.parent / str(sl["template"])).resolve()
        if not template.is_file():
            problems.append(
                f"'slides.template' {template} is not a file: give the client's PowerPoint "
                "template (.pptx) relative to the engagement file, or remove the line"
            )
        elif template.suffix.lower() != ".pptx":
            problems.append(
                f"'slides.template' {template} must be a PowerPoint presentation (.pptx; "
                "save a .potx template as .pptx in PowerPoint)"
            )
        else:
            kw["slides_template"] = template
    return kw
