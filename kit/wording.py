"""Plain-text wording shared by every output: signed scores, possessives, counts that
agree with their noun, lists, p-values, and the sentence on a change between two waves.

Nothing here is HTML: the pack (:mod:`kit.narrative`), the deck and the findings' summaries
all say things the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "change_sentence",
    "count",
    "groups_moved",
    "listed",
    "moved",
    "ordinal",
    "p_value",
    "possessive",
    "signed",
]


def possessive(name: str) -> str:
    """``Regulatory's``, ``Sales'``: the possessive of a name, as a report writes it."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def count(n: int, one: str, many: str | None = None) -> str:
    """``1 detractor answer``, ``3 detractor answers``, ``2 people``: a number with its noun
    agreeing."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def signed(value: float, digits: int = 0) -> str:
    """``+12`` / ``-6`` / ``0`` with a true minus sign, as NPS is usually written."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    text = f"{value:+.{digits}f}"
    return "0" if text.strip("+-") == f"{0:.{digits}f}" else text.replace("-", "−")


def listed(names: list[str]) -> str:
    """``"A"``, ``"A and B"``, ``"A, B and C"``: names as a sentence lists them.

    >>> listed(["Sales", "IT", "HR"])
    'Sales, IT and HR'
    """
    names = [str(n) for n in names]
    return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1] if names else ""


def change_sentence(name: str, change: pd.Series) -> str:
    """One sentence on a change between two waves, significant only when it is."""
    if change.get("suppressed", False) or pd.isna(change.get("difference")):
        return (
            f"{name}: the change from {change['wave_from']} to {change['wave_to']} is "
            "withheld to keep respondents anonymous."
        )
    diff = change["difference"]
    verb = "rose" if diff > 0 else "fell" if diff < 0 else "was unchanged"
    family = int(change.get("family_size", 1) or 1)
    raw = change["p_value"]
    if family > 1:
        adjusted = change["p_adjusted"]
        among = f"Holm-adjusted over the {family} functions' changes from {change['wave_from']}"
        test = (
            f"{p_value(adjusted)}, {among}"
            if change["significant"]
            else f"{p_value(raw)} for this change alone, not significant once {among}"
        )
    else:
        test = f"{p_value(raw)}, a single test"
    verdict = {
        "significant": "a significant change",
        "inconclusive": "inconclusive: too few responses to tell",
    }.get(
        change.get("verdict", "significant" if change["significant"] else ""),
        "within the margin of error, not a significant change",
    )
    return (
        f"{possessive(name)} NPS {verb} from {signed(change['nps_a'])} in {change['wave_from']} to "
        f"{signed(change['nps_b'])} in {change['wave_to']} ({signed(diff)} points; {test}): "
        f"{verdict}."
    )


def p_value(p: float) -> str:
    """``p = 0.012`` (three decimals below 0.1, two above), ``p < 0.001``, ``p > 0.99``:
    never ``p = 1.000``."""
    if p < 0.001:
        return "p < 0.001"
    if p > 0.99:
        return "p > 0.99"
    return f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``22nd``: a rank as a sentence says it.

    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def moved(name: str, change: pd.Series) -> str:
    """How a score moved between two waves, as a title or a finding opens: ``Regulatory fell
    42 points since 2025-H2, from +21 to −21``, or ``... held at +6 since 2025-H2`` when the
    change rounds to nothing (never "fell 0 points").

    >>> moved("IT", pd.Series({"difference": 0.2, "nps_a": 5.8, "nps_b": 6.0, "wave_from": "W1"}))
    'IT held at +6 since W1'
    """
    diff = change["difference"]
    if round(diff) == 0:
        return f"{name} held at {signed(change['nps_b'])} since {change['wave_from']}"
    return (
        f"{name} {'rose' if diff > 0 else 'fell'} {abs(diff):.0f} points since "
        f"{change['wave_from']}, from {signed(change['nps_a'])} to {signed(change['nps_b'])}"
    )


def groups_moved(name: str, changes: pd.DataFrame) -> str:
    """How the customer groups' scores of ``name`` moved (shown changes, with ``difference``,
    ``wave_from``, ``respondent_function`` and ``verdict``): how many fell by a point or more,
    and the largest fall.

    >>> c = pd.DataFrame({"respondent_function": ["HR", "IT"], "difference": [-12.4, 3.0],
    ...                   "wave_from": "W1", "verdict": "inconclusive"})
    >>> groups_moved("Finance", c)[:60]
    '1 of the 2 customer groups shown rates Finance lower than in'
    >>> groups_moved("Finance", c)[60:]
    ' W1; HR most, −12 points (inconclusive)'
    """
    fell = int((changes["difference"].round() < 0).sum())
    since = changes["wave_from"].iloc[0]
    if not fell:
        return f"No customer group shown rates {name} lower than in {since}"
    worst = changes.sort_values("difference").iloc[0]
    said = (
        f"Every customer group shown ({len(changes)}) rates {name} lower than in {since}"
        if fell == len(changes)
        else f"{fell} of the {len(changes)} customer groups shown "
        f"{'rates' if fell == 1 else 'rate'} {name} lower than in {since}"
    )
    return (
        f"{said}; {worst['respondent_function']} most, {signed(worst['difference'])} points "
        f"({worst['verdict']})"
    )
