"""General comments (comments.csv, about no one function): shown once, for the organisation."""

from __future__ import annotations

import pandas as pd
import pytest

from kit.context import open_engagement
from kit.findings import internal_nps as find
from kit.sections import internal_nps as show

SLOW = "Everything takes too long to get approved."
SILO = "The data is not shared between teams, we compare notes at the coffee machine."
BOTH = "Slow answers and the data is not shared: Dr Jane Roe said so too."
NONE = "Thanks for asking."


def _with_general(folder, texts, wave="2026-H1"):
    rows = pd.DataFrame(
        {
            "comment_id": [f"g-{i}" for i in range(len(texts))],
            "wave": wave,
            "respondent_id": [f"p-{i}" for i in range(len(texts))],
            "respondent_function": "Sales",
            "comment": texts,
        }
    )
    rows.to_csv(folder / "comments.csv", index=False)
    return folder / "engagement.yaml"


def test_general_comments_are_coded_counted_and_quoted_for_the_organisation(sample_copy):
    texts = [SLOW] * 4 + [SILO] * 3 + [BOTH] * 2 + [NONE] * 3  # 12 >= threshold of 10
    config = _with_general(sample_copy, texts)
    found = find.general_comments(open_engagement(config, audience="client"))
    assert (found.commented, found.matched, found.enough) == (12, 9, True)
    counts = found.counts.set_index("theme")
    assert counts.loc["slow_response", "count"] == 6  # SLOW and BOTH
    assert counts.loc["data_not_shared", "count"] == 5  # SILO and BOTH
    assert counts.loc["slow_response", "share"] == pytest.approx(50.0)
    assert list(found.counts["theme"][:2]) == ["slow_response", "data_not_shared"]
    assert set(found.quotes["theme"]) == {"slow_response", "data_not_shared"}
    assert not found.quotes["quote"].str.contains("Jane Roe").any()  # redacted

    html = show.general_comments(found, open_engagement(config, audience="client")).data
    assert "12 respondents left a general comment in 2026-H1" in html
    assert "Slow responses" in html and "6 of 12 general comments (50%)" in html


def test_a_function_and_a_small_or_other_wave_show_none(sample_copy):
    config = _with_general(sample_copy, [SLOW] * 9)  # one under the threshold of 10
    org = open_engagement(config, audience="client")
    found = find.general_comments(org)
    assert (found.commented, found.enough) == (9, False) and found.counts.empty
    assert "fewer than 10 general comments" in show.general_comments(found, org).data
    regulatory = open_engagement(config, scope="Regulatory", audience="client")
    found = find.general_comments(regulatory)
    assert found.commented == 0
    assert "in the organisation pack" in show.general_comments(found, regulatory).data
    earlier = open_engagement(config, wave="2025-H2", audience="client")
    assert find.general_comments(earlier).commented == 0


def test_without_general_comments_the_section_is_silently_absent(org):
    html = show.general_comments(find.general_comments(org), org).data
    assert 'data-reason=""' in html and "Left out" not in html


def test_a_section_that_does_not_apply_is_dropped_without_a_line():
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from kit.narrative import not_applicable
    from kit.report import render_notebook

    cell = new_code_cell("")
    cell.outputs = [new_output("display_data", data={"text/html": not_applicable().data})]
    nb = new_notebook(cells=[new_markdown_cell("## General comments\n\nAbout no one."), cell])
    body, toc, left_out = render_notebook(nb, prefix="s9")
    assert (body, toc, left_out) == ("", [], [])
