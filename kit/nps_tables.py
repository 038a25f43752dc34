"""NPS across the organisation: who rates whom, who answered, who sees itself as others do.

The provider x customer matrix, response rates against headcount, the 360 gap (a function's own
prediction against the score it receives) and the influence-weighted NPS. Every table is tidy
and applies the anonymity rules of :mod:`kit.privacy`.

>>> from kit.config import SAMPLE_CONFIG, load_engagement
>>> from kit.data import load
>>> ds = load(load_engagement(SAMPLE_CONFIG))
>>> now = ds.responses[ds.responses["wave"] == "2026-H1"]
>>> gap = gap_360(now, ds.functions, min_n=5).iloc[0]
>>> f"{gap['provider_function']}: predicted {gap['predicted']:+.0f}, received {gap['nps']:+.0f}"
'Regulatory: predicted +30, received -21'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit import nps
from kit.privacy import complementary_suppression, complementary_suppression_1d

__all__ = ["gap_360", "influence_weighted", "matrix", "mutual", "response_rates"]

PROVIDER, CUSTOMER = "provider_function", "respondent_function"


def matrix(
    responses: pd.DataFrame,
    *,
    min_n: int,
    provider: str = PROVIDER,
    customer: str = CUSTOMER,
    **options,
) -> pd.DataFrame:
    """NPS each provider function receives from each customer function, one row per pair.

    Cells under ``min_n`` are suppressed, and further cells by two-way complementary
    suppression with the totals as cells too, so that neither a provider's overall score (row
    total) nor a customer function's (column total), shown or hidden, lets a hidden cell be
    worked out. ``options`` go to
    :func:`kit.nps.summary` (method, confidence, breaks).
    """
    table = nps.summary(responses, by=[provider, customer], **options)
    wide = table.pivot(index=provider, columns=customer, values="n").fillna(0)
    hidden = complementary_suppression(wide, min_n=min_n, margins=True).iloc[:-1, :-1].stack()
    hidden.index = hidden.index.set_names([provider, customer])
    mask = hidden.reindex(pd.MultiIndex.from_frame(table[[provider, customer]])).to_numpy()
    table["suppressed"] = mask.astype(bool)
    return nps.blank_suppressed(table)


def mutual(table: pd.DataFrame, function: str) -> pd.DataFrame:
    """For one function: the NPS it receives from each other function and the NPS it gives it.

    ``table`` is :func:`matrix`. Low scores both ways mark a silo.
    """
    given = table[table[CUSTOMER] == function].rename(columns={PROVIDER: "function"})
    received = table[table[PROVIDER] == function].rename(columns={CUSTOMER: "function"})
    cols = ["function", "n", "nps", "suppressed"]
    out = received[cols].merge(
        given[cols], on="function", how="outer", suffixes=("_received", "_given")
    )
    for side in ("received", "given"):
        out[f"suppressed_{side}"] = out[f"suppressed_{side}"].fillna(False).astype(bool)
    out = out[out["function"] != function]
    return out.sort_values("function", kind="stable").reset_index(drop=True)


def response_rates(
    responses: pd.DataFrame,
    functions: pd.DataFrame,
    *,
    respondent: str = "respondent_id",
    customer: str = CUSTOMER,
    min_n: int = 0,
    invited: pd.Series | None = None,
) -> pd.DataFrame:
    """People who answered per customer function against the people invited (``invited``:
    function -> number, when the invitation list is known) or else its headcount.

    Counts distinct respondents (each response when ``respondent`` is blank). ``base`` says
    which of the two ``rate`` is over ("invited" or "headcount"; "unknown", ``rate`` blank, for
    a function with neither); above 100% the base is out of date. Functions with fewer than
    ``min_n`` respondents are ``suppressed`` (their count and rate blank), and further ones so
    that none is the total of people less the others.
    """
    people = responses[respondent].fillna(responses.get("response_id"))
    answered = people.groupby(responses[customer], observed=True).nunique()
    out = functions[["function", "headcount"]].rename(columns={"function": customer})
    out = out.assign(respondents=out[customer].map(answered).fillna(0).astype(int))
    invited = invited if invited is not None else pd.Series(dtype=float)
    out["invited"] = out[customer].map(invited).astype(float)
    heads = out["headcount"].astype(float)  # blank: not known
    out["base"] = np.select(
        [out["invited"].notna(), heads.notna()], ["invited", "headcount"], "unknown"
    )
    denominator = out["invited"].fillna(heads)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["rate"] = 100 * out["respondents"] / denominator
    out = out.sort_values("rate", ascending=False, kind="stable").reset_index(drop=True)
    # the total of people is printed: a second group is hidden so no small one is its remainder
    out["suppressed"] = complementary_suppression_1d(out["respondents"], min_n=min_n).to_numpy()
    out["respondents"] = out["respondents"].astype("Int64")
    out.loc[out["suppressed"], ["respondents", "rate"]] = pd.NA
    return out


def gap_360(
    responses: pd.DataFrame,
    functions: pd.DataFrame,
    *,
    min_n: int,
    provider: str = PROVIDER,
    **options,
) -> pd.DataFrame:
    """Each function's predicted NPS against the NPS it receives.

    ``gap`` = received - predicted; ``outside`` is True when the prediction lies outside the
    received score's interval (a blind spot, not just noise). Suppressed functions show no gap.
    """
    received = nps.segments(responses, by=provider, min_n=min_n, **options)
    predicted = functions.set_index("function")["predicted_nps"]
    out = received[[provider, "n", "nps", "ci_low", "ci_high", "suppressed"]].copy()
    out["predicted"] = out[provider].map(predicted).astype(float)
    out["gap"] = out["nps"] - out["predicted"]
    out["outside"] = (out["predicted"] < out["ci_low"]) | (out["predicted"] > out["ci_high"])
    return out.sort_values("gap", kind="stable", na_position="last").reset_index(drop=True)


def influence_weighted(
    responses: pd.DataFrame,
    stakeholders: pd.DataFrame,
    roster: pd.DataFrame,
    *,
    min_n: int,
    by: str = PROVIDER,
    detractor_max: int = 6,
    passive_max: int = 8,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """NPS in which the voices of influential stakeholders count more.

    A response is linked to the stakeholder register only when its respondent agreed to be
    contacted (``contact_id`` -> roster -> ``stakeholder_id``). A linked response counts
    influence / 3 times (influence 1-5, so Medium = 3 counts once, Very high 5/3); every other
    response counts once. The interval uses Kish's effective sample size; a group is suppressed
    under ``min_n`` real responses, with the complementary rule of :func:`kit.nps.segments`.

    Returns ``by, n, linked, nps, nps_weighted, shift, ci_low, ci_high, suppressed``.
    """
    consented = responses["ok_to_contact"].fillna(False).astype(bool)
    to_register = roster.set_index("contact_id")["stakeholder_id"]
    influence = stakeholders.set_index("stakeholder_id")["influence"].astype(float)
    linked = responses["contact_id"].where(consented).map(to_register).map(influence)
    weight = (linked / 3).fillna(1.0).to_numpy()
    cat = nps.classify(responses["score"], detractor_max=detractor_max, passive_max=passive_max)
    x = cat.cat.codes.to_numpy().astype(float) - 1  # -1, 0, +1
    frame = pd.DataFrame(
        {
            by: responses[by].to_numpy(),
            "w": weight,
            "wx": weight * x,
            "wx2": weight * x**2,
            "w2": weight**2,
            "x": x,
            "linked": linked.notna().to_numpy(),
        }
    )
    frame = frame[cat.notna().to_numpy()]
    g = frame.groupby(by, observed=True, sort=True).agg(
        n=("x", "size"),
        linked=("linked", "sum"),
        nps=("x", "mean"),
        sw=("w", "sum"),
        swx=("wx", "sum"),
        swx2=("wx2", "sum"),
        sw2=("w2", "sum"),
    )
    mean = g["swx"] / g["sw"]
    var = g["swx2"] / g["sw"] - mean**2
    n_eff = g["sw"] ** 2 / g["sw2"]
    half = nps.z_critical(confidence) * np.sqrt(var / n_eff)
    out = pd.DataFrame(
        {
            "n": g["n"],
            "linked": g["linked"].astype(int),
            "nps": 100 * g["nps"],
            "nps_weighted": 100 * mean,
            "ci_low": 100 * (mean - half).clip(-1, 1),
            "ci_high": 100 * (mean + half).clip(-1, 1),
        }
    ).reset_index()
    out["shift"] = out["nps_weighted"] - out["nps"]
    out["suppressed"] = complementary_suppression_1d(out["n"], min_n=min_n).to_numpy()
    out[["n", "linked"]] = out[["n", "linked"]].astype("Int64")
    out.loc[out["suppressed"], ["n", "linked"]] = pd.NA
    out.loc[out["suppressed"], ["nps", "nps_weighted", "shift", "ci_low", "ci_high"]] = np.nan
    cols = [by, "n", "linked", "nps", "nps_weighted", "shift", "ci_low", "ci_high", "suppressed"]
    return out[cols]
