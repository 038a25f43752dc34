"""Linear cost per scope: what a batch computes once (comment coding, touchpoint coordination)
gives the same findings as computing it per scope, and validation's faster paths read files
as before."""

from __future__ import annotations

import csv
import inspect
import os
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit import data, shared, themes
from kit.config import SAMPLE_CONFIG, load_engagement
from kit.context import open_engagement
from kit.findings import follow_up, internal_nps, mapping, summary

SCOPES = ["Organisation", "Regulatory", "Legal & Compliance"]
MODULES = [mapping, internal_nps, follow_up, summary]


def _findings(ctx) -> dict[str, object]:
    """Every public finding that needs nothing but the scope, by name."""
    out = {}
    for module in MODULES:
        for name in module.__all__:
            fn = getattr(module, name)
            if not inspect.isfunction(fn):
                continue
            params = list(inspect.signature(fn).parameters.values())
            if params[0].name != "ctx" or any(
                p.default is inspect.Parameter.empty and p.kind is p.KEYWORD_ONLY
                for p in params[1:]
            ):
                continue
            out[f"{module.__name__}.{name}"] = fn(ctx)
    return out


def _same(a, b, where: str) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, obj=where)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, obj=where)
    elif isinstance(a, tuple) and hasattr(a, "_fields"):
        assert type(a) is type(b), where
        for field in a._fields:
            _same(getattr(a, field), getattr(b, field), f"{where}.{field}")
    elif isinstance(a, nx.Graph):
        assert nx.utils.graphs_equal(a, b), where
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), where
    else:
        assert a == b, where


def _uncached(monkeypatch) -> None:
    """Every scope codes its own comments, searching every pattern, and computes the
    company's touchpoints itself: the kit before the batch-wide sharing."""
    monkeypatch.setattr(
        shared,
        "coded",
        lambda cfg, responses: themes.code(responses, codebook=cfg.codebook, prefilter=False),
    )
    monkeypatch.setattr(shared, "batch_cached", lambda key, compute: compute())


@pytest.mark.parametrize("audience", ["consultant", "client"])
def test_findings_of_three_scopes_are_the_same_with_and_without_sharing(monkeypatch, audience):
    shared._MEMORY.clear()
    with_sharing = {
        s: _findings(open_engagement(SAMPLE_CONFIG, scope=s, audience=audience)) for s in SCOPES
    }
    assert any(k[0] == "coded comments" for k in shared._MEMORY)  # the sharing did happen
    assert any(k[0] == "touchpoints" for k in shared._MEMORY)
    _uncached(monkeypatch)
    for scope in SCOPES:
        alone = _findings(open_engagement(SAMPLE_CONFIG, scope=scope, audience=audience))
        assert alone.keys() == with_sharing[scope].keys()
        assert len(alone) >= 30
        for name, value in alone.items():
            _same(with_sharing[scope][name], value, f"{scope}: {name}")


def test_a_batch_searches_each_comment_once_however_many_scopes_and_findings(monkeypatch):
    shared._MEMORY.clear()
    searched = []
    real = themes.counted_hits

    def spy(texts, **kw):
        texts = list(texts)
        searched.append(set(texts))
        return real(texts, **kw)

    monkeypatch.setattr(themes, "counted_hits", spy)
    responses = data.load(load_engagement(SAMPLE_CONFIG)).responses
    distinct = set(themes.normalised(responses["comment"])) - {""}
    for scope in SCOPES:
        ctx = open_engagement(SAMPLE_CONFIG, scope=scope, audience="client")
        internal_nps.themes(ctx), internal_nps.theme_changes(ctx)
        follow_up.queue(ctx), follow_up.plan(ctx), follow_up.loop(ctx)
    # every comment once for the batch, then nothing new to search in 3 scopes x 5 findings
    assert searched[0] == distinct and len(distinct) > 400
    assert all(not later for later in searched[1:]), [len(x) for x in searched]


def test_segments_and_other_rows_are_coded_as_their_own(org):
    sales = org.where(respondent_function="Sales")
    pd.testing.assert_frame_equal(
        sales.coded, themes.code(sales.current, codebook=org.cfg.codebook, prefilter=False)
    )
    shuffled = org.current.iloc[::-1]  # not in the loaded order: coded here, the same way
    pd.testing.assert_frame_equal(org.code(shuffled), themes.code(shuffled, prefilter=False))
    edited = org.current.assign(comment="Too slow, and nobody takes ownership.")
    got = org.code(edited)
    assert set(got["theme"]) == {"slow_response", "unclear_ownership"}
    assert len(got) == 2 * len(edited)


def test_batch_result_is_computed_once_per_batch_and_never_for_changed_files(
    monkeypatch, sample_copy: Path
):
    cfg = load_engagement(sample_copy / "engagement.yaml")
    with data.shared_validation() as folder:
        shared._MEMORY.clear()
        first = shared.coded_comments(cfg)
        assert len(list(folder.glob("*.shared.pickle"))) == 1
        shared._MEMORY.clear()  # another kernel of the batch: reads the file, codes nothing
        monkeypatch.setattr(themes, "counted_hits", lambda *a, **k: pytest.fail("coded twice"))
        again = shared.coded_comments(cfg)
        assert again == first and len(first) > 400
        monkeypatch.undo()
        responses = sample_copy / "responses.csv"
        text = responses.read_text(encoding="utf-8")
        responses.write_text(text.replace("Too slow.", "Quick and helpful."), encoding="utf-8")
        os.utime(responses, ns=(time.time_ns(), time.time_ns() + 10**9))
        changed = shared.coded_comments(cfg)
        assert len(list(folder.glob("*.shared.pickle"))) == 2
        assert "quick and helpful." in {t.lower() for t in changed} - set(first)
    assert not folder.exists()


def test_touchpoints_of_replaced_data_are_not_taken_from_the_batch(org):
    import dataclasses

    none = dataclasses.replace(
        org, ds=dataclasses.replace(org.ds, touchpoints=org.ds.touchpoints.iloc[:0])
    )
    assert none.data_key is None and org.data_key is not None
    assert mapping.touchpoints(none).touches == 0
    assert mapping.touchpoints(org).touches == len(org.ds.touchpoints)


# -- validation's fast paths read as the CSV reader and pandas do ---------------------------

CELL = st.text(alphabet="ab ,\t\n\x0b\x1c\u00a0é\u200b", max_size=6)


def _csv_reference(path: Path) -> tuple[list[list[str]], list[int]]:
    rows, starts, start = [], [], 1
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, strict=True)
        for row in reader:
            if row:
                rows.append(row)
                starts.append(start)
            start = reader.line_num + 1
    return rows, starts


def _reference_table(path: Path) -> pd.DataFrame | None:
    """The table as the CSV reader reads it, or None where it has a problem to say."""
    rows, starts = _csv_reference(path)
    if not rows or len(set(rows[0])) < len(rows[0]) or any(len(r) != len(rows[0]) for r in rows):
        return None
    index = [n - 2 for n in starts[1:]]
    return pd.DataFrame(rows[1:], columns=rows[0], dtype=object, index=index)


@settings(max_examples=300, deadline=None)
@given(st.lists(CELL, max_size=40), st.booleans())
def test_quote_free_files_read_by_pandas_as_the_csv_reader_reads_them(tmp_path_factory, cells, bom):
    """The fast path either gives the CSV reader's table, cell for cell and line for line,
    or declines (and the CSV reader reads the file and says what is wrong)."""
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_text(("\ufeff" if bom else "") + ",".join(cells), encoding="utf-8")
    got = data._plain_table(path)
    if got is not None:
        expected = _reference_table(path)
        assert expected is not None
        assert got.columns.tolist() == expected.columns.tolist()
        assert got.to_numpy().tolist() == expected.to_numpy().tolist()
        assert got.index.tolist() == expected.index.tolist()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.text(alphabet="ab \t\x0b\u00a0é\u200b", min_size=1, max_size=5),
        min_size=1,
        max_size=5,
        unique=True,
    ),
    st.lists(
        st.lists(st.text(alphabet="ab \t\u00a0é", max_size=5), min_size=5, max_size=5), max_size=20
    ),
    st.booleans(),
)
def test_well_formed_quote_free_tables_take_the_fast_path(tmp_path_factory, header, rows, end):
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    lines = [",".join(header)] + [",".join(r[: len(header)]) for r in rows]
    path.write_text("\n".join(lines) + ("\n" if end else ""), encoding="utf-8")
    got = data._plain_table(path)
    expected = _reference_table(path)
    if any(not line for line in lines) or expected is None:
        return  # a blank line: the CSV reader's path
    assert got is not None
    assert got.to_numpy().tolist() == expected.to_numpy().tolist()
    assert got.index.tolist() == expected.index.tolist()


def test_files_with_quotes_or_carriage_returns_go_to_the_csv_reader(tmp_path: Path):
    for text in ('a,"b,c"\n', "a,b\r\n1,2\r\n", "a,b\n1,2,3\n4\n", "a,a\n1,2\n"):
        (tmp_path / "t.csv").write_text(text, encoding="utf-8", newline="")
        assert data._plain_table(tmp_path / "t.csv") is None


@settings(max_examples=300, deadline=None)
@given(st.lists(CELL, max_size=30))
def test_strip_and_zone_checks_per_column_equal_the_per_cell_ones(cells):
    column = pd.Series(cells, dtype=object)
    joined = data._joined(column)
    pd.testing.assert_series_equal(data._stripped(column, joined), column.str.strip())
    zoned_cells = pd.Series(
        [c + s for c, s in zip(cells, ["12:30Z", "", "08:00:00+02:00", "7"] * 10, strict=False)],
        dtype=object,
    ).str.strip()
    assert data._zoned(zoned_cells, data._joined(zoned_cells)).tolist() == (
        zoned_cells.str.contains(data._ZONE).tolist()
    )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.sampled_from(["2025-01-02", "2025-1-2", "02/01/2025", "x", "2025-02-30", ""]),
            st.datetimes(timezones=st.one_of(st.none(), st.timezones())).map(
                lambda d: d.isoformat()
            ),
        ),
        max_size=12,
    )
)
def test_dates_read_once_per_distinct_value_equal_every_cell_read(cells):
    column = pd.Series(cells, dtype=object, index=[3 * i for i in range(len(cells))])
    expected = pd.to_datetime(column, errors="coerce", format="ISO8601", utc=True)
    expected = expected.dt.tz_localize(None)
    pd.testing.assert_series_equal(data._dates(column), expected)
