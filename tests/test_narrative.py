import numpy as np
import pandas as pd
import pytest

from kit.narrative import change_sentence, headline, kpis, nps_phrase, p_value, signed, table


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
    assert "B" in row_b and "withheld" in row_b and "nan" not in row_b


def test_nps_phrase_and_change_sentence():
    row = pd.Series({"nps": -18.0, "ci_low": -33.2, "ci_high": -2.6, "n": 61, "suppressed": False})
    assert nps_phrase(row) == "−18 (95% interval −33 to −3, n = 61)"
    assert nps_phrase(pd.Series({"nps": np.nan, "suppressed": True})).startswith("withheld")
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
        "Regulatory's NPS fell from +12 in W1 to −6 in W2 (−18 points; p = 0.012, a single "
        "test): "
        "a significant change."
    )
    flat = change.copy()
    flat["significant"], flat["p_value"] = False, 0.4
    assert "not a significant change" in change_sentence("IT", flat)
    # one of 10 functions' changes: the family is named, the raw p given, never "p = 1.000"
    among = flat.copy()
    among["family_size"], among["p_adjusted"], among["verdict"] = 10, 1.0, "inconclusive"
    said = change_sentence("Marketing", among)
    assert (
        "(−18 points; p = 0.40 for this change alone, not significant once Holm-adjusted over "
        "the 10 functions' changes from W1): inconclusive: too few responses to tell."
    ) in said
    assert "1.000" not in said
    assert [p_value(p) for p in (0.0004, 0.0123, 0.43, 1.0)] == [
        "p < 0.001",
        "p = 0.012",
        "p = 0.43",
        "p > 0.99",
    ]


# ---------------------------------------------------------------- charts drawn once, cropped


def _figures():
    """Charts whose content overflows their axes in each direction."""
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from kit import plots

    plots.setup()

    def long_labels():
        _, ax = plt.subplots(figsize=(4, 3))
        ax.barh(["Pharmacovigilance and drug safety", "IT"], [-21, 14])
        ax.set_title("NPS by function")
        return ax

    def legend_outside():
        _, ax = plt.subplots(figsize=(5, 3))
        ax.plot([1, 2, 3], label="wave 1")
        ax.plot([3, 1, 2], label="wave 2")
        ax.legend(bbox_to_anchor=(1.02, 1), loc="upper left")
        return ax

    def text_beyond_the_figure():
        _, ax = plt.subplots(figsize=(3, 3))
        ax.scatter([0, 1], [0, 1])
        ax.annotate("far left, below", (0, 0), xytext=(-150, -90), textcoords="offset points")
        ax.tick_params(axis="x", labelrotation=60)
        return ax

    return [long_labels, legend_outside, text_beyond_the_figure]


def _size(svg: str) -> tuple[float, float, float, float]:
    import re

    width, height = (
        float(v) for v in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    )
    view = [float(v) for v in re.search(r'viewBox="([^"]*)"', svg).group(1).split()]
    return width, height, view[2], view[3]


@pytest.mark.parametrize("make", _figures(), ids=lambda f: f.__name__)
def test_a_chart_is_cropped_as_savefig_crops_it(make):
    import io
    import re

    from kit.narrative import cropped_svg

    ax = make()
    buf = io.StringIO()
    ax.figure.savefig(buf, format="svg", bbox_inches="tight")
    ours = cropped_svg(ax.figure)
    assert _size(ours) == pytest.approx(_size(buf.getvalue()), abs=0.01)
    texts = re.compile(r"<text[^>]*>([^<]*)</text>")
    assert texts.findall(ours) == texts.findall(buf.getvalue()), "the same words, in order"


def test_a_chart_falls_back_to_savefig_if_matplotlib_changed(monkeypatch):
    import io

    from matplotlib.backends import backend_mixed

    from kit.narrative import chart

    ax = _figures()[0]()
    buf = io.StringIO()
    ax.figure.savefig(buf, format="svg", bbox_inches="tight")

    def changed(*args, **kwargs):
        raise TypeError("MixedModeRenderer() takes 4 positional arguments but 5 were given")

    monkeypatch.setattr(backend_mixed, "MixedModeRenderer", changed)
    html = chart(ax).data
    assert html.startswith('<figure class="chart"><svg')
    assert _size(html) == pytest.approx(_size(buf.getvalue()), abs=0.01)


@pytest.mark.parametrize("broken", [False, True], ids=["drawn once", "savefig fallback"])
def test_a_chart_carries_no_drawing_time(broken, monkeypatch):
    """Two runs of the same inputs give the same pack: no <dc:date> in any chart, any day."""
    from matplotlib.backends import backend_mixed

    from kit.narrative import chart

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    if broken:
        monkeypatch.setattr(backend_mixed, "MixedModeRenderer", None)
    first, second = (chart(_figures()[0]()).data for _ in range(2))
    assert "<dc:date>" not in first
    assert "<dc:creator>" in first, "the rest of the metadata is still written"
    assert first == second


def test_possessives_and_counts_read_as_english():
    from kit.narrative import count, possessive

    assert [possessive(n) for n in ("Regulatory", "Sales", "IT")] == [
        "Regulatory's",
        "Sales'",
        "IT's",
    ]
    assert [count(1, "follow-up"), count(3, "follow-up"), count(2, "person", "people")] == [
        "1 follow-up",
        "3 follow-ups",
        "2 people",
    ]
    assert count(1_234, "answer") == "1,234 answers"


def test_a_number_that_rounds_to_zero_has_no_minus_sign():
    df = pd.DataFrame({"change": [-0.004, -0.006, 0.0, -0.0, -12.5]})
    html = table(df, formats={"change": ".2f"}).data
    cells = [c.split("</td>")[0] for c in html.split("<td class=num>")[1:]]
    assert cells == ["0.00", "-0.01", "0.00", "0.00", "-12.50"]
    assert table(pd.DataFrame({"p": [-0.004]}), formats={"p": ".0%"}).data.count("-") == 0
