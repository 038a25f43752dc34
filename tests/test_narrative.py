import numpy as np
import pandas as pd
import pytest

from kit.narrative import change_sentence, headline, kpis, nps_phrase, signed, table


@pytest.mark.parametrize(
    ("value", "text"), [(12.4, "+12"), (-6.0, "−6"), (0.2, "0"), (-0.4, "0"), (np.nan, "–")]
)
def test_signed(value, text):
    assert signed(value) == text


def test_blocks_escape_client_strings():
    evil = '<img src=x onerror="alert(1)">'
    assert "<img" not in headline([evil]).data
    assert "<img" not in kpis([(evil, evil, evil)]).data
    df = pd.DataFrame({"function": [evil], "n": [7]})
    html = table(df).data
    assert "<img" not in html and "&lt;img" in html
    assert "<td class=num>7</td>" in html


def test_table_shows_suppressed_rows_without_values():
    df = pd.DataFrame(
        {
            "function": ["A", "B"],
            "n": [12.0, np.nan],
            "nps": [25.0, np.nan],
            "suppressed": [False, True],
        }
    )
    html = table(df, formats={"nps": "signed"}).data
    assert "+25" in html
    row_b = html.split("<tr>")[-1]
    assert "B" in row_b and "suppressed" in row_b and "nan" not in row_b


def test_nps_phrase_and_change_sentence():
    row = pd.Series({"nps": -18.0, "ci_low": -33.2, "ci_high": -2.6, "n": 61, "suppressed": False})
    assert nps_phrase(row) == "−18 (95% interval −33 to −3, n = 61)"
    assert nps_phrase(pd.Series({"nps": np.nan, "suppressed": True})).startswith("not shown")
    change = pd.Series(
        {
            "wave_from": "W1",
            "wave_to": "W2",
            "nps_a": 12.0,
            "nps_b": -6.0,
            "difference": -18.0,
            "p_value": 0.0123,
            "significant": True,
        }
    )
    assert change_sentence("Regulatory", change) == (
        "Regulatory's NPS fell from +12 in W1 to −6 in W2 (−18 points; p = 0.012): "
        "a significant change."
    )
    flat = change.copy()
    flat["significant"], flat["p_value"] = False, 0.4
    assert "not a significant change" in change_sentence("IT", flat)
