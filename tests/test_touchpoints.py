"""Touchpoint coordination: collisions worked by hand, against brute force, on the sample."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit import touchpoints as tp


def touches(rows, segment="KOL") -> pd.DataFrame:
    """rows: (external_id, function, day of January 2026)."""
    return pd.DataFrame(
        {
            "touchpoint_id": [f"T{i}" for i in range(len(rows))],
            "external_id": [r[0] for r in rows],
            "segment": segment,
            "function": [r[1] for r in rows],
            "channel": ["Email", "Phone"] * (len(rows) // 2) + ["Email"] * (len(rows) % 2),
            "date": [pd.Timestamp(2026, 1, r[2]) for r in rows],
        }
    )


def brute(data: pd.DataFrame, days: int) -> int:
    total = 0
    for _, g in data.groupby("external_id"):
        d = g["date"].to_numpy("datetime64[D]").astype(int)
        f = np.asarray(g["function"], dtype=object)
        near = np.abs(d[:, None] - d[None, :]) <= days
        other = f[:, None] != f[None, :]
        total += int(np.triu(near & other, 1).sum())
    return total


def test_collisions_by_hand():
    # one physician: Sales day 1, Marketing day 3, Medical day 10, Sales day 11, Sales day 8
    data = touches(
        [
            ("P", "Sales", 1),
            ("P", "Marketing", 3),
            ("P", "Medical", 10),
            ("P", "Sales", 11),
            ("P", "Sales", 8),
        ]
    )
    # N = 7: S1-M3 (2 days), M3-Md10 (7, the boundary counts), Md10-S11, Md10-S8, M3-S8 (5)
    assert tp.per_stakeholder(data, collision_days=7)["collisions"].sum() == 5
    assert tp.per_stakeholder(data, collision_days=0)["collisions"].sum() == 0
    pairs = tp.collisions(data, collision_days=7)
    assert sorted(pairs["days_apart"]) == [1, 2, 2, 5, 7]
    assert (pairs["function_a"] < pairs["function_b"]).all()


def test_same_day_and_same_function():
    data = touches([("P", "Sales", 5), ("P", "Sales", 5), ("P", "Medical", 5), ("Q", "HR", 5)])
    assert tp.per_stakeholder(data, collision_days=0)["collisions"].sum() == 2


def test_per_stakeholder_counts_and_cap():
    rows = [("P", f, d) for f, d in [("A", 1), ("B", 2), ("A", 20), ("C", 25)]] + [("Q", "A", 3)]
    table = tp.per_stakeholder(touches(rows), cap=3, collision_days=1).set_index("external_id")
    assert table.loc["P", ["touches", "functions", "channels", "collisions"]].tolist() == [
        4,
        3,
        2,
        1,
    ]
    assert table.loc["P", "over_cap"] and table.loc["P", "excess"] == 1
    assert not table.loc["Q", "over_cap"] and table.loc["P", "period"] == "2026Q1"


def test_matrix_counts_each_pair_once():
    data = touches([("P", "A", 1), ("P", "B", 2), ("P", "A", 3), ("Q", "B", 1), ("Q", "A", 1)])
    m = tp.collision_matrix(data, collision_days=7)
    assert m.to_dict("records") == [{"function_a": "A", "function_b": "B", "collisions": 3}]


def test_coordination_score_by_hand():
    data = touches([("P", "A", 1), ("P", "B", 2), ("P", "A", 20), ("Q", "A", 1)])
    s = tp.coordination_score(data, collision_days=7).set_index("function")
    assert s.loc["A", ["touches", "colliding"]].tolist() == [3, 1]
    assert s.loc["A", "score"] == pytest.approx(100 * (1 - 1 / 3))
    assert s.loc["B", "score"] == 0


def test_sample_collisions_match_brute_force_and_kols_top(ds):
    t = ds.touchpoints
    table = tp.per_stakeholder(t, cap=12, collision_days=7)
    assert table["collisions"].sum() == brute(t, 7) == 1356
    kols = set(t.loc[t["segment"] == "KOL", "external_id"])
    assert set(tp.over_contacted(table, top=20)["external_id"]) == kols
    seg = tp.segments(table).set_index("segment")
    assert seg["collisions_per_stakeholder"].idxmax() == "KOL"
    assert seg.loc["KOL", "share_over_cap"] > 0.5


def test_bad_input_named():
    data = touches([("P", "A", 1)])
    with pytest.raises(ValueError, match=r"missing column\(s\) \['channel'\]"):
        tp.per_stakeholder(data.drop(columns="channel"))
    bad = data.astype({"date": object})
    bad.loc[0, "date"] = "31/31/2026"
    with pytest.raises(ValueError, match=r"file rows \[2\].*'31/31/2026'"):
        tp.per_stakeholder(bad)


def test_empty_input_gives_empty_tables():
    empty = touches([]).astype({"date": "datetime64[ns]"})
    assert tp.per_stakeholder(empty).empty and tp.collision_matrix(empty).empty


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("PQR"), st.sampled_from("ABC"), st.integers(1, 31)),
        max_size=40,
    ),
    st.integers(0, 10),
)
def test_vectorised_count_equals_brute_force(rows, days):
    data = touches(rows)
    got = int(tp.per_stakeholder(data, collision_days=days)["collisions"].sum()) if rows else 0
    assert got == (brute(data, days) if rows else 0)
    if rows:
        assert len(tp.collisions(data, collision_days=days)) == got


def test_one_pass_gives_the_same_tables(ds):
    t = ds.touchpoints
    tables = tp.coordination(t, cap=12, collision_days=7)
    pd.testing.assert_frame_equal(tables["per_stakeholder"], tp.per_stakeholder(t))
    pd.testing.assert_frame_equal(tables["matrix"], tp.collision_matrix(t))
    pd.testing.assert_frame_equal(tables["scores"], tp.coordination_score(t))


# --- DuckDB: the same tables as pandas, and large logs validated in SQL ----------------------


def assert_same_tables(got: dict, expected: dict) -> None:
    assert set(got) == set(expected) == {"per_stakeholder", "matrix", "scores"}
    for name in expected:  # same rows in the same order, same dtypes: no re-sorting needed
        pd.testing.assert_frame_equal(got[name], expected[name], obj=name)


def write_parquet(frame: pd.DataFrame, path) -> None:
    import duckdb

    con = duckdb.connect()
    con.register("frame", frame)
    con.execute(f"COPY frame TO '{path}' (FORMAT parquet)")
    con.close()


def test_duckdb_by_hand():
    data = touches(
        [("P", "Sales", 1), ("P", "Marketing", 3), ("P", "Medical", 10), ("P", "Sales", 11)]
        + [("P", "Sales", 8)]
    )
    tables = tp.coordination(data, collision_days=7, engine="duckdb")
    assert tables["per_stakeholder"]["collisions"].tolist() == [5]
    assert tables["matrix"].to_dict("records") == [
        {"function_a": "Marketing", "function_b": "Sales", "collisions": 2},  # S1-M3, M3-S8
        {"function_a": "Medical", "function_b": "Sales", "collisions": 2},  # Md10-S8, Md10-S11
        {"function_a": "Marketing", "function_b": "Medical", "collisions": 1},  # M3-Md10
    ]
    scores = tables["scores"].set_index("function")
    assert scores["colliding"].to_dict() == {"Marketing": 1, "Medical": 1, "Sales": 3}
    same_day = tp.coordination(data, collision_days=0, engine="duckdb")
    assert same_day["per_stakeholder"]["collisions"].tolist() == [0]
    assert same_day["matrix"].empty and same_day["scores"]["colliding"].sum() == 0


def test_duckdb_equals_pandas_on_the_sample_frame_csv_and_parquet(ds, tmp_path):
    t = ds.touchpoints
    expected = tp.coordination(t, cap=12, collision_days=7, engine="pandas")
    assert expected["per_stakeholder"]["collisions"].sum() == 1356
    assert_same_tables(tp.coordination(t, cap=12, collision_days=7, engine="duckdb"), expected)
    assert_same_tables(tp.coordination(ds.folder / "touchpoints.csv"), expected)
    write_parquet(t, tmp_path / "log.parquet")
    assert_same_tables(tp.coordination(tmp_path / "log.parquet"), expected)
    for days, period in [(0, "M"), (30, "Y")]:
        assert_same_tables(
            tp.coordination(t, cap=5, collision_days=days, period=period, engine="duckdb"),
            tp.coordination(t, cap=5, collision_days=days, period=period, engine="pandas"),
        )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["P1", "P2", "Q", "R", "S"]),
            st.sampled_from(["Sales", "Medical", "Market Access", "HR"]),
            st.sampled_from(["Email", "Phone", "Visit"]),
            st.integers(0, 200),  # days from 2025-11-20: quarters, months and a new year
        ),
        min_size=1,
        max_size=60,
    ),
    st.integers(0, 10),
    st.integers(1, 6),
    st.sampled_from(["Q", "M", "Y"]),
)
def test_duckdb_equals_pandas_on_random_logs(rows, days, cap, period):
    start = pd.Timestamp(2025, 11, 20)
    data = pd.DataFrame(
        {
            "touchpoint_id": [f"T{i}" for i in range(len(rows))],
            "external_id": [r[0] for r in rows],
            "segment": ["KOL" if r[0].startswith("P") else "GP" for r in rows],
            "function": [r[1] for r in rows],
            "channel": [r[2] for r in rows],
            "date": [start + pd.Timedelta(days=r[3]) for r in rows],
        }
    )
    options = dict(cap=cap, collision_days=days, period=period)
    expected = tp.coordination(data, engine="pandas", **options)
    assert_same_tables(tp.coordination(data, engine="duckdb", **options), expected)
    assert expected["per_stakeholder"]["collisions"].sum() == brute(data, days)


def test_engine_chosen_by_size_or_file():
    assert tp.engine_for(pd.DataFrame(index=range(tp.LARGE_ROWS))) == "pandas"
    assert tp.engine_for(pd.DataFrame(index=range(tp.LARGE_ROWS + 1))) == "duckdb"
    assert tp.engine_for("crm.csv") == tp.engine_for("crm.parquet") == "duckdb"
    with pytest.raises(ValueError, match="engine must be one of"):
        tp.coordination(touches([("P", "A", 1)]), engine="spark")
    with pytest.raises(ValueError, match="period must be one of Q, M, Y"):
        tp.coordination(touches([("P", "A", 1)]), engine="duckdb", period="W")


def test_empty_log_file_gives_the_empty_tables(tmp_path):
    (tmp_path / "log.csv").write_text(",".join(tp.REQUIRED) + "\n")
    expected = tp.coordination(touches([]).astype({"date": "datetime64[ns]"}), engine="pandas")
    got = tp.coordination(tmp_path / "log.csv")
    for name in expected:
        assert got[name].empty and list(got[name].columns) == list(expected[name].columns)


LOG = """touchpoint_id,external_id,segment,function,channel,date
T1,P1,KOL,Sales,Email,2025-12-30
T2,,KOL,Sales,Email,2025-12-30
T3,P1,KOL,Medical Affairs,Email,31/12/2025
T4,P1,KOL,sales ,Phone,2025-12-31
T5,P2,GP,Procurement,Phone,2025-12-31
T6,P2,GP,Medical Affairs,Visit,2025-12-31T23:30:00-02:00
"""


def test_check_log_lists_every_problem_with_its_line(tmp_path):
    (tmp_path / "crm.csv").write_text(LOG)
    said = tp.check_log(tmp_path / "crm.csv", functions=["Sales", "Medical Affairs"])
    got = {(p.row, p.column, p.value, p.severity): p.message for p in said}
    assert got == {
        (3, "external_id", "", "error"): "is blank; every row needs a value here",
        (4, "date", "31/12/2025", "error"): "is not a date in ISO format (YYYY-MM-DD)",
        (7, "date", "2025-12-31T23:30:00-02:00", "warning"): (
            "carries a time zone: read as the UTC time (dates without a zone are read as "
            "written); write all dates without a zone if they are local times"
        ),
        (5, "function", "sales ", "error"): "is not a known function in functions.csv; "
        "differs from 'Sales' only by case or spacing; write it as 'Sales'",
        (6, "function", "Procurement", "error"): "is not a known function in functions.csv; "
        "add it there or correct the spelling",
    }
    assert {p.file for p in said} == {"crm.csv"}


def test_a_zoned_time_is_read_as_utc_as_kit_data_reads_it(tmp_path):
    good = "\n".join(line for line in LOG.splitlines() if ",," not in line and "31/" not in line)
    (tmp_path / "crm.csv").write_text(good + "\n")
    per = tp.coordination(tmp_path / "crm.csv")["per_stakeholder"]
    # 23:30 at UTC-2 on 31 December is 01:30 UTC on 1 January: the next quarter
    assert per.loc[per["external_id"] == "P2", "period"].tolist() == ["2025Q4", "2026Q1"]


def test_check_log_parquet_types_missing_columns_and_record_numbers(tmp_path):
    frame = touches([("P", "Sales", d) for d in range(1, 6)])
    frame.loc[2, "external_id"] = "  "
    write_parquet(frame, tmp_path / "crm.parquet")
    blank = tp.check_log(tmp_path / "crm.parquet", functions=["Sales"])
    assert [(p.row, p.column, p.message) for p in blank] == [
        (3, "external_id", "is blank; every row needs a value here")
    ]
    typed = touches([("P", "Sales", d) for d in range(1, 6)])
    write_parquet(typed.drop(columns="channel").assign(date=range(5)), tmp_path / "typed.parquet")
    said = {(p.row, p.column, p.value): p.message for p in tp.check_log(tmp_path / "typed.parquet")}
    assert said == {
        (None, "channel", None): "column is missing from the header; add it (see README, "
        "data model)",
        (None, "date", "BIGINT"): "is stored as BIGINT; store dates (a date or timestamp "
        "column, or text YYYY-MM-DD)",
    }


def test_check_log_lists_100_rows_and_counts_all(tmp_path):
    rows = [f"T{i},P{i},GP,Sales,Email,2025-13-{i % 28 + 1:02d}" for i in range(150)]
    (tmp_path / "crm.csv").write_text(
        "\n".join(["touchpoint_id," + ",".join(tp.REQUIRED[:-1]) + ",date", *rows]) + "\n"
    )
    said = tp.check_log(tmp_path / "crm.csv")
    assert len(said) == 100 and [p.row for p in said] == list(range(2, 102))
    assert said[0].message == (
        "is not a date in ISO format (YYYY-MM-DD) (150 rows in all, the first 100 listed)"
    )


def test_check_log_refuses_unreadable_files(tmp_path):
    (tmp_path / "crm.csv").write_text(LOG.replace("T5,P2", "T5,P2,extra"))
    [said] = tp.check_log(tmp_path / "crm.csv")  # named by its line, as for the tables
    assert (said.row, said.message) == (
        6,
        "has 7 cells where the header has 6: a value holding a comma needs quotes, or a cell "
        "is missing",
    )
    (tmp_path / "crm.parquet").write_text(LOG)
    [said] = tp.check_log(tmp_path / "crm.parquet")
    assert said.message.startswith("cannot be read as Parquet")
    [said] = tp.check_log(tmp_path / "crm.xlsx")
    assert said.message.startswith("must be a CSV (.csv) or Parquet (.parquet) file")
    with pytest.raises(ValueError, match=r"1 date\(s\) blank or not readable in crm.csv"):
        (tmp_path / "crm.csv").write_text(LOG.replace(",,", ",P3,"))
        tp.coordination(tmp_path / "crm.csv")


def parquet_beside_the_data(folder) -> None:
    """The sample's touchpoints.csv replaced by touchpoints.parquet (text, as exported)."""
    import duckdb

    csv, parquet = folder / "touchpoints.csv", folder / "touchpoints.parquet"
    duckdb.sql(f"COPY (FROM read_csv('{csv}', all_varchar = true)) TO '{parquet}'")
    csv.unlink()


def test_a_parquet_log_beside_the_data_stays_out_of_pandas(sample_copy, org):
    from kit.context import open_engagement
    from kit.data import load, validate
    from kit.findings import mapping as find

    parquet_beside_the_data(sample_copy)
    ds = load(sample_copy)
    assert ds.touchpoints.empty and ds.touchpoints_file == sample_copy / "touchpoints.parquet"
    _, problems = validate(sample_copy)
    assert not [p for p in problems if "touchpoint" in p.file]  # no "absent" note either
    ctx = open_engagement(sample_copy / "engagement.yaml")
    got, expected = find.touchpoints(ctx), find.touchpoints(org)
    assert (got.touches, got.stakeholders, got.functions, got.collisions) == (4999, 600, 6, 1356)
    for name, value in expected._asdict().items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(getattr(got, name), value, obj=name)
        else:
            assert getattr(got, name) == value, name


def test_a_large_touchpoints_csv_is_a_log_for_duckdb_not_a_table(sample_copy, org, monkeypatch):
    """A touchpoints.csv over LARGE_CSV_BYTES is checked and coordinated in DuckDB, not read
    into pandas nor held to the tables' size limit, with the same findings; its problems
    still carry the file's lines."""
    from kit.context import open_engagement
    from kit.data import MAX_TABLE_MB_ENV, load, validate
    from kit.findings import mapping as find

    csv = sample_copy / "touchpoints.csv"
    monkeypatch.setattr(tp, "LARGE_CSV_BYTES", csv.stat().st_size - 1)
    monkeypatch.setenv(MAX_TABLE_MB_ENV, "0.3")  # under the log's 0.45 MB: not applied to it
    ds = load(sample_copy)
    assert ds.touchpoints.empty and ds.touchpoints_file == csv
    got = find.touchpoints(open_engagement(sample_copy / "engagement.yaml"))
    expected = find.touchpoints(org)
    pd.testing.assert_frame_equal(got.scores, expected.scores)
    assert (got.touches, got.collisions) == (expected.touches, expected.collisions) == (4999, 1356)
    lines = csv.read_text().splitlines()
    lines[10] = lines[10].replace(",Sales,", ",Slaes,")  # line 11
    csv.write_text("\n".join(lines) + "\n")
    _, problems = validate(sample_copy)
    [said] = [p for p in problems if p.file == "touchpoints.csv"]
    assert (said.row, said.column, said.value) == (11, "function", "Slaes")


def test_a_log_in_the_settings_validated_with_the_data(sample_copy):
    from kit.config import ConfigError, load_engagement
    from kit.data import DataError, file_hashes, load

    crm = sample_copy / "crm"
    crm.mkdir()
    text = (sample_copy / "touchpoints.csv").read_text()
    (crm / "export.csv").write_text(text.replace(",Sales,", ",Sales Force,", 1))
    yaml = sample_copy / "engagement.yaml"
    yaml.write_text(
        yaml.read_text().replace("touchpoints:\n", "touchpoints:\n  file: crm/export.csv\n")
    )
    with pytest.raises(DataError) as refused:  # touchpoints.csv is still there too
        load(load_engagement(yaml))
    said = str(refused.value)
    assert "touchpoints.csv: is beside the touchpoint log export.csv" in said
    assert "export.csv, row 2, column 'function' (value 'Sales Force'): is not a known " in said
    (sample_copy / "touchpoints.csv").unlink()
    (crm / "export.csv").write_text(text)
    ds = load(load_engagement(yaml))
    assert ds.touchpoints_file == crm / "export.csv" and ds.touchpoints.empty
    hashes = file_hashes(sample_copy, also=(ds.touchpoints_file,))  # the manifest's inputs
    assert hashes[str(crm / "export.csv")] == hashlib.sha256(text.encode()).hexdigest()
    assert "responses.csv" in hashes
    yaml.write_text(yaml.read_text().replace("crm/export.csv", "crm/export.xlsx"))
    with pytest.raises(ConfigError, match=r"'touchpoints.file' .*export.xlsx must be a CSV"):
        load_engagement(yaml)


def test_duckdb_equals_pandas_with_more_than_64_functions_and_channels():
    rng = np.random.default_rng(7)
    n = 3000
    data = pd.DataFrame(
        {
            "external_id": rng.choice([f"P{i}" for i in range(40)], n),
            "segment": "KOL",
            "function": rng.choice([f"Team {i:03d}" for i in range(90)], n),
            "channel": rng.choice([f"Channel {i}" for i in range(70)], n),
            "date": pd.Timestamp(2026, 1, 1) + pd.to_timedelta(rng.integers(0, 120, n), "D"),
        }
    )
    assert data["function"].nunique() > 64 and data["channel"].nunique() > 64  # no bit mask
    expected = tp.coordination(data, engine="pandas")
    assert_same_tables(tp.coordination(data, engine="duckdb"), expected)
