"""External touchpoint coordination: how many functions reach the same physician, and when.

A **collision** is a pair of touches of the same external stakeholder by two *different*
functions at most ``collision_days`` days apart (0: the same day). Touches by one function
never collide with each other. **Over-contact** is more touches in a period (a calendar quarter
by default) than the agreed ``cap``. Everything is vectorised: windows are found with sorted
keys and ``searchsorted``, never by comparing every pair.

Example
-------
>>> from kit.config import SAMPLE_CONFIG, load_engagement
>>> from kit.data import load
>>> ds = load(load_engagement(SAMPLE_CONFIG))
>>> table = per_stakeholder(ds.touchpoints, cap=12, collision_days=7)
>>> int(table["collisions"].sum())
1356

Large logs
----------
A CRM logs tens of millions of touches a year. :func:`coordination` then works in DuckDB
instead of pandas: on a CSV or Parquet file (the log never enters pandas whole, only the
tables computed from it) or on a DataFrame of more than :data:`LARGE_ROWS` rows, with the
same tables as the pandas path, value for value. :func:`check_log` validates such a file in
SQL, with the messages :func:`kit.data.load` gives for ``touchpoints.csv``.

>>> from kit.config import SAMPLE_DIR
>>> tables = coordination(SAMPLE_DIR / "touchpoints.csv", cap=12, collision_days=7)
>>> int(tables["per_stakeholder"]["collisions"].sum())
1356
"""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from kit.data import Problem, ragged_row, unclosed_quote

__all__ = [
    "LARGE_CSV_BYTES",
    "LARGE_ROWS",
    "LOG_FORMATS",
    "REQUIRED",
    "check_log",
    "engine_for",
    "log_file",
    "collisions",
    "collision_matrix",
    "coordination",
    "coordination_score",
    "over_contacted",
    "per_stakeholder",
    "segments",
]

REQUIRED = ("external_id", "segment", "function", "channel", "date")


def _check(touchpoints: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in REQUIRED if c not in touchpoints.columns]
    if missing:
        raise ValueError(f"touchpoints: missing column(s) {missing}; expected {list(REQUIRED)}")
    dates = pd.to_datetime(touchpoints["date"], errors="coerce")
    bad = dates.isna() & touchpoints["date"].notna()
    blank = touchpoints["date"].isna()
    if bad.any() or blank.any():
        rows = [int(i) + 2 for i in np.flatnonzero((bad | blank).to_numpy())[:10]]
        raise ValueError(
            f"touchpoints: {int(bad.sum() + blank.sum())} date(s) blank or not readable, at "
            f"file rows {rows} (e.g. {touchpoints['date'][bad | blank].iloc[0]!r}); use "
            "YYYY-MM-DD"
        )
    return touchpoints.assign(date=dates)


def _codes(data: pd.DataFrame, days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Stakeholder codes, function codes and sortable day keys (a gap wider than the window
    between stakeholders)."""
    who = pd.factorize(data["external_id"])[0].astype(np.int64)
    fn = pd.factorize(data["function"])[0].astype(np.int64)
    day = data["date"].to_numpy("datetime64[D]").astype(np.int64)
    day = day - (day.min() if len(day) else 0)
    span = int(day.max()) + 2 * days + 10 if len(day) else 1
    return who, fn, day, span


def _window(group: np.ndarray, day: np.ndarray, span: int, days: int):
    """Per touch (in the input order): touches of the same group before it within ``days``
    (each pair once, ties broken by position) and touches of the group around it."""
    key = group * span + day
    order = np.argsort(key, kind="stable")
    k = key[order]
    lo = np.searchsorted(k, k - days, side="left")
    hi = np.searchsorted(k, k + days, side="right")
    before, around = np.empty(len(k), np.int64), np.empty(len(k), np.int64)
    before[order] = np.arange(len(k)) - lo
    around[order] = hi - lo
    return before, around


def _per_touch(data: pd.DataFrame, days: int) -> pd.DataFrame:
    """Per touch: collisions with earlier touches (each pair counted once), whether the
    touch collides with anyone at all, and the stakeholder and function codes."""
    who, fn, day, span = _codes(data, days)
    before_all, around_all = _window(who, day, span, days)
    same = who * (int(fn.max()) + 1 if len(fn) else 1) + fn
    before_same, around_same = _window(same, day, span, days)
    return data.assign(
        collisions=before_all - before_same,
        colliding=(around_all - around_same) > 0,
        who_code=who,
        function_code=fn,
        day_key=who * span + day,
    )


def _distinct(group: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    """Distinct ``values`` (integer codes) per ``group`` code (sort-based: fast for ints)."""
    width = int(values.max()) + 1
    pairs = np.sort(group * width + values)
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
    return np.bincount(pairs // width, minlength=groups)


def per_stakeholder(
    touchpoints: pd.DataFrame, *, period: str = "Q", cap: int = 12, collision_days: int = 7
) -> pd.DataFrame:
    """One row per external stakeholder and period: touches, distinct functions and channels,
    collisions (counted in the period of the later touch), and over-contact against ``cap``."""
    return _by_stakeholder(_per_touch(_check(touchpoints), collision_days), period, cap)


def _by_stakeholder(data: pd.DataFrame, period: str, cap: int) -> pd.DataFrame:
    who = data["who_code"].to_numpy()
    when, when_names = pd.factorize(data["date"].dt.to_period(period), sort=True)
    slots = max(len(when_names), 1)
    gid, groups = pd.factorize(who * slots + when, sort=True)
    n = len(groups)
    order = np.argsort(gid, kind="stable")
    first = order[np.r_[True, gid[order][1:] != gid[order][:-1]]] if n else order
    return _stakeholder_table(
        {
            "external_id": data["external_id"].to_numpy()[first],
            "segment": data["segment"].to_numpy()[first],
            "period": when_names.astype(str)[groups % slots],
            "touches": np.bincount(gid, minlength=n),
            "functions": _distinct(gid, data["function_code"].to_numpy(), n) if n else [],
            "channels": _distinct(gid, pd.factorize(data["channel"])[0], n) if n else [],
            "collisions": np.bincount(gid, weights=data["collisions"], minlength=n).astype(int),
        },
        cap,
    )


def _stakeholder_table(columns: dict, cap: int) -> pd.DataFrame:
    """The per-stakeholder table from its counted columns (both engines)."""
    out = pd.DataFrame(columns)
    out["over_cap"] = out["touches"] > cap
    out["excess"] = (out["touches"] - cap).clip(lower=0)
    return out


def collisions(touchpoints: pd.DataFrame, *, collision_days: int = 7) -> pd.DataFrame:
    """Every colliding pair: ``external_id, function_a, function_b`` (a < b), the two dates
    and ``days_apart``. For inspection: the list grows with the square of the touches one
    person gets; the counting functions never build it."""
    data = _check(touchpoints).sort_values(["external_id", "date"], kind="stable")
    data = data.reset_index(drop=True)
    who, _, day, span = _codes(data, collision_days)
    count, _ = _window(who, day, span, collision_days)  # the frame is in key order
    i = np.repeat(np.arange(len(data)), count)
    offset = np.arange(len(i)) - np.repeat(np.cumsum(count) - count, count) + 1
    j = i - offset
    fa, fb = data["function"].to_numpy()[i], data["function"].to_numpy()[j]
    keep = fa != fb
    i, j, fa, fb = i[keep], j[keep], fa[keep], fb[keep]
    first = np.where(fa < fb, i, j)
    second = np.where(fa < fb, j, i)
    dates = data["date"].to_numpy()
    return pd.DataFrame(
        {
            "external_id": data["external_id"].to_numpy()[i],
            "function_a": data["function"].to_numpy()[first],
            "function_b": data["function"].to_numpy()[second],
            "date_a": dates[first],
            "date_b": dates[second],
            "days_apart": np.abs((dates[i] - dates[j]).astype("timedelta64[D]").astype(int)),
        }
    )


def collision_matrix(touchpoints: pd.DataFrame, *, collision_days: int = 7) -> pd.DataFrame:
    """Collisions per pair of functions (each pair once, ``function_a`` < ``function_b``).

    Counted without listing the pairs: for each function A and each other function B, the
    touches of B within the window of each touch of A (sorted keys and ``searchsorted``).
    """
    data = _check(touchpoints)
    who, _, day, span = _codes(data, collision_days)
    return _matrix(data.assign(day_key=who * span + day), collision_days)


def _matrix(data: pd.DataFrame, collision_days: int) -> pd.DataFrame:
    key = data["day_key"].to_numpy()
    functions = sorted(data["function"].unique())
    by_function = {f: np.sort(key[(data["function"] == f).to_numpy()]) for f in functions}
    rows = []
    for i, a in enumerate(functions):
        mine = by_function[a]
        for b in functions[i + 1 :]:
            theirs = by_function[b]
            lo = np.searchsorted(theirs, mine - collision_days, side="left")
            hi = np.searchsorted(theirs, mine + collision_days, side="right")
            count = int((hi - lo).sum())
            if count:
                rows.append({"function_a": a, "function_b": b, "collisions": count})
    return _matrix_table(rows)


def _matrix_table(rows: list[dict]) -> pd.DataFrame:
    """The pairs of functions (``function_a`` < ``function_b``, in that order), most
    collisions first (both engines)."""
    out = pd.DataFrame(rows, columns=["function_a", "function_b", "collisions"])
    return out.sort_values("collisions", ascending=False, kind="stable", ignore_index=True)


def over_contacted(table: pd.DataFrame, *, top: int = 15) -> pd.DataFrame:
    """The stakeholders most over-contacted over all periods of :func:`per_stakeholder`."""
    out = (
        table.groupby(["external_id", "segment"], sort=False)
        .agg(
            touches=("touches", "sum"),
            peak=("touches", "max"),
            periods_over_cap=("over_cap", "sum"),
            excess=("excess", "sum"),
            functions=("functions", "max"),
            collisions=("collisions", "sum"),
        )
        .reset_index()
    )
    out = out.sort_values(
        ["excess", "collisions", "external_id"], ascending=[False, False, True], kind="stable"
    )
    return out.head(top).reset_index(drop=True)


def segments(table: pd.DataFrame) -> pd.DataFrame:
    """Per segment: stakeholders, touches per stakeholder and period, share of stakeholder
    periods over the cap, and collisions per stakeholder."""
    g = table.groupby("segment", sort=True)
    out = pd.DataFrame(
        {
            "stakeholders": g["external_id"].nunique(),
            "touches_per_period": g["touches"].mean(),
            "share_over_cap": g["over_cap"].mean(),
            "collisions_per_stakeholder": g["collisions"].sum() / g["external_id"].nunique(),
        }
    ).reset_index()
    return out.sort_values("collisions_per_stakeholder", ascending=False, ignore_index=True)


def coordination_score(touchpoints: pd.DataFrame, *, collision_days: int = 7) -> pd.DataFrame:
    """Per function: its touches, how many collide with another function's touch, and a
    coordination score = 100 x (1 - colliding share): 100 means none of its touches lands
    within ``collision_days`` of another function's touch on the same person."""
    return _scores(_per_touch(_check(touchpoints), collision_days))


def _scores(data: pd.DataFrame) -> pd.DataFrame:
    g = data.groupby("function", sort=True)
    return _score_table(
        pd.DataFrame({"touches": g.size(), "colliding": g["colliding"].sum()}).reset_index()
    )


def _score_table(out: pd.DataFrame) -> pd.DataFrame:
    """Scores from ``function, touches, colliding`` in function order (both engines)."""
    out = out.copy()
    out["colliding_share"] = out["colliding"] / out["touches"]
    out["score"] = 100 * (1 - out["colliding_share"])
    return out.sort_values("score", kind="stable", ignore_index=True)


def coordination(
    touchpoints: pd.DataFrame | Path | str,
    *,
    period: str = "Q",
    cap: int = 12,
    collision_days: int = 7,
    engine: str = "auto",
) -> dict[str, pd.DataFrame]:
    """The three coordination tables from one pass over the touches: ``per_stakeholder``
    (:func:`per_stakeholder`), ``matrix`` (:func:`collision_matrix`) and ``scores``
    (:func:`coordination_score`).

    Parameters
    ----------
    touchpoints
        The touches (columns :data:`REQUIRED`), or a CSV or Parquet file of them
        (:data:`LOG_FORMATS`), read by DuckDB and never held whole in pandas.
    engine
        ``"pandas"``, ``"duckdb"`` or ``"auto"`` (:func:`engine_for`: DuckDB for a file or
        more than :data:`LARGE_ROWS` touches). Both give the same tables, row for row.
    """
    engine = engine_for(touchpoints) if engine == "auto" else engine
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}")
    if engine == "duckdb":
        return _duck_coordination(touchpoints, period=period, cap=cap, days=collision_days)
    if not isinstance(touchpoints, pd.DataFrame):
        raise ValueError(f"the pandas engine takes a DataFrame; {touchpoints} is a file (DuckDB)")
    data = _per_touch(_check(touchpoints), collision_days)
    return {
        "per_stakeholder": _by_stakeholder(data, period, cap),
        "matrix": _matrix(data, collision_days),
        "scores": _scores(data),
    }


# --- Large logs: DuckDB --------------------------------------------------------------------

#: Above this many touches a DataFrame is coordinated in DuckDB: there pandas needs about
#: 330 MB and 2 s per million touches (``benchmarks/bench_touchpoints.py``).
LARGE_ROWS = 1_000_000
#: A ``touchpoints.csv`` larger than this (about 160,000 touches) is a log for DuckDB too:
#: checked and coordinated in SQL, not read into pandas with the other tables.
LARGE_CSV_BYTES = 16 * 2**20
ENGINES = ("auto", "pandas", "duckdb")
#: The files a touchpoint log may be (``touchpoints: {file: ...}`` in engagement.yaml).
LOG_FORMATS = (".csv", ".parquet")
#: DuckDB's memory (past it, it spills to a temporary folder) and threads; the memory limit
#: can be set with ``KIT_DUCKDB_MEMORY`` (e.g. ``8GB``) on a larger machine.
MEMORY_ENV = "KIT_DUCKDB_MEMORY"
DEFAULT_MEMORY = "2GB"
THREADS = max(1, min(os.cpu_count() or 1, 8))
#: The periods DuckDB labels as pandas does (``str(pd.Period)``), of a date ``{d}``.
PERIODS = {
    "Q": "year({d})::VARCHAR || 'Q' || quarter({d})::VARCHAR",
    "M": "strftime({d}, '%Y-%m')",
    "Y": "strftime({d}, '%Y')",
}
_TEXT = ("external_id", "segment", "function", "channel")
_ZONE_SQL = r"[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"
_OFFSET_SQL = r"\s*[+-][0-9]{2}(:?[0-9]{2})?$"
_LISTED = 100  # rows listed per problem of a large log


def engine_for(touchpoints: pd.DataFrame | Path | str) -> str:
    """``"duckdb"`` for a file or more than :data:`LARGE_ROWS` touches, else ``"pandas"``.

    >>> engine_for(pd.DataFrame({"external_id": ["P1"]})), engine_for("crm.parquet")
    ('pandas', 'duckdb')
    """
    if isinstance(touchpoints, pd.DataFrame):
        return "duckdb" if len(touchpoints) > LARGE_ROWS else "pandas"
    return "duckdb"


@contextmanager
def _duck():
    """A private DuckDB database in memory, spilling to a temporary folder removed after."""
    import duckdb  # imported when a large log is met: kernels of small engagements skip it

    memory = os.environ.get(MEMORY_ENV, "").strip() or DEFAULT_MEMORY
    with tempfile.TemporaryDirectory(prefix="kit-duckdb-") as spill:
        con = duckdb.connect(
            config={"memory_limit": memory, "threads": THREADS, "temp_directory": spill}
        )
        try:
            con.execute("SET enable_progress_bar = false")  # not in a notebook, nor a log
            _macros(con)
            yield con
        finally:
            con.close()


def _macros(con) -> None:
    """``kit_ts(text)``: an ISO date or time as a timestamp, a zoned time as UTC (as
    :func:`kit.data.load` reads it), NULL when not a date; ``kit_zoned(text)``: whether it
    carries a zone other than Z."""
    con.execute(
        f"""
        CREATE MACRO kit_zoned(v) AS
            length(v) > 16 AND regexp_matches(v, '{_ZONE_SQL}') AND NOT v LIKE '%Z';
        CREATE MACRO kit_ts(v) AS CASE WHEN kit_zoned(v) THEN
            try_cast(regexp_replace(v, '{_OFFSET_SQL}', '') AS TIMESTAMP)
            - to_minutes(
                (CASE WHEN regexp_extract(v, '([+-])[0-9]{{2}}(:?[0-9]{{2}})?$', 1) = '-'
                    THEN -1 ELSE 1 END)
                * (60 * CAST(regexp_extract(v, '[+-]([0-9]{{2}})(:?[0-9]{{2}})?$', 1) AS INT)
                   + coalesce(TRY_CAST(
                        regexp_extract(v, '[+-][0-9]{{2}}:?([0-9]{{2}})$', 1) AS INT), 0)))
            ELSE try_cast(v AS TIMESTAMP) END;
        """
    )


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _scan(path: Path) -> str:
    """The SQL that reads a log file as it is (a CSV as text, each row numbered by ``pos``
    for Parquet)."""
    if path.suffix.lower() == ".parquet":
        return f"read_parquet({_literal(path)}, file_row_number = true)"
    return (
        f"read_csv({_literal(path)}, header = true, all_varchar = true, delim = ',', "
        "quote = '\"', escape = '\"', skip = 0, comment = '')"  # no title or comment skipped
    )


def _columns(con, path: Path) -> dict[str, str]:
    """The log's columns and their DuckDB types."""
    return {
        row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {_scan(path)}").fetchall()
    }


def _date_sql(column: str, kind: str) -> str:
    """A log's date column of DuckDB type ``kind`` as a timestamp (NULL when not a date)."""
    if kind == "DATE" or kind.startswith("TIMESTAMP"):
        return f"CAST({column} AS TIMESTAMP)"
    return f"kit_ts(trim({column}::VARCHAR))"


def _open_file(con, path: Path) -> None:
    """The view ``log(pos, external_id, segment, function, channel, day)`` over a log file:
    text trimmed, ``day`` counted from 1970-01-01 (a time of day dropped, a zone read as UTC),
    ``pos`` the row's place in the file. A CSV is first copied into DuckDB (its rows kept in
    order), a Parquet file read where it is."""
    columns = _columns(con, path)
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ValueError(
            f"touchpoints: {path.name} lacks column(s) {missing}; expected {list(REQUIRED)}"
        )
    if path.suffix.lower() == ".parquet":
        source, pos = _scan(path), "file_row_number"
    else:
        picked = ", ".join(f'"{c}"' for c in REQUIRED)
        con.execute(f"CREATE TEMP TABLE csv_log AS SELECT {picked} FROM {_scan(path)}")
        source, pos = "csv_log", "rowid"
    text = ", ".join(f'trim("{c}"::VARCHAR) AS {c}' for c in _TEXT)
    ts = _date_sql('"date"', columns["date"])
    con.execute(
        f"""CREATE VIEW log AS SELECT {pos}::BIGINT AS pos, {text},
            (CAST({ts} AS DATE) - DATE '1970-01-01')::INTEGER AS day FROM {source}"""
    )
    unread = con.execute(f"SELECT count(*) FROM {source} WHERE {ts} IS NULL").fetchall()[0][0]
    if unread:
        raise ValueError(
            f"touchpoints: {unread} date(s) blank or not readable in {path.name}; kit "
            "validate lists them with their rows (write dates as YYYY-MM-DD)"
        )


def _open_frame(con, touchpoints: pd.DataFrame) -> None:
    """The view ``log`` (as :func:`_open_file`) over a DataFrame, ``pos`` its row order."""
    data = _check(touchpoints)
    frame = pd.DataFrame({c: data[c].to_numpy() for c in REQUIRED if c != "date"})
    frame["date"] = data["date"].to_numpy("datetime64[us]")
    frame["pos"] = np.arange(len(frame), dtype=np.int64)
    con.register("frame", frame)
    con.execute(
        """CREATE VIEW log AS SELECT pos, external_id, segment, function, channel,
            (CAST(date AS DATE) - DATE '1970-01-01')::INTEGER AS day FROM frame"""
    )


def _duck_coordination(
    touchpoints: pd.DataFrame | Path | str, *, period: str, cap: int, days: int
) -> dict[str, pd.DataFrame]:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)} with DuckDB; got {period!r}")
    if isinstance(touchpoints, pd.DataFrame):
        if touchpoints.empty:  # nothing to count: the same empty tables as pandas
            return coordination(
                touchpoints, period=period, cap=cap, collision_days=days, engine="pandas"
            )
        with _duck() as con:
            _open_frame(con, touchpoints)
            return _duck_tables(con, period=period, cap=cap, days=int(days))
    path = Path(touchpoints).resolve()
    if path.suffix.lower() not in LOG_FORMATS:
        raise ValueError(f"touchpoints: {path.name} must be a CSV or Parquet file")
    with _duck() as con:
        _open_file(con, path)
        return _duck_tables(con, period=period, cap=cap, days=int(days))


def _duck_tables(con, *, period: str, cap: int, days: int) -> dict[str, pd.DataFrame]:
    """The coordination tables in SQL over the view ``log``, read once into integer codes
    (``coded``). Touches are counted per stakeholder, function and day (``grain``); the pairs
    of them by different functions within ``days`` (``near``, each pair once, dated by the
    later touch) are found in buckets of ``days + 1`` days (a pair within the window lies in
    the same bucket or the next; one integer key per stakeholder and bucket), never across a
    stakeholder's whole year; the three tables are sums over them."""
    if not con.execute("SELECT count(*) FROM log").fetchall()[0][0]:  # an empty file
        blank = {c: pd.Series(dtype=object) for c in REQUIRED if c != "date"}
        empty = pd.DataFrame(blank).assign(date=pd.Series(dtype="datetime64[us]"))
        return coordination(empty, period=period, cap=cap, collision_days=days, engine="pandas")
    label = PERIODS[period].format(d="(DATE '1970-01-01' + day)")
    codes = {"people": ("external_id", "who"), "functions": ("function", "fn")}
    codes |= {"channels": ("channel", "ch"), "segments": ("segment", "sg")}
    for table, (column, code) in codes.items():
        order = f"ORDER BY {column}" if table == "functions" else ""  # codes in name order
        con.execute(
            f"""CREATE TEMP TABLE {table} AS SELECT {column},
                (row_number() OVER ({order}))::INTEGER AS {code}
            FROM (SELECT DISTINCT {column} FROM log)"""
        )
    con.execute(
        f"""
        CREATE TEMP TABLE coded AS SELECT pos, who, fn, ch, sg, day FROM log
            JOIN people USING (external_id) JOIN functions USING (function)
            JOIN channels USING (channel) JOIN segments USING (segment);
        CREATE TEMP TABLE periods AS SELECT day, {label} AS period,
            (dense_rank() OVER (ORDER BY {label}))::INTEGER AS p
            FROM (SELECT DISTINCT day FROM coded);
        """
    )
    first, last = con.execute("SELECT min(day), max(day) FROM coded").fetchall()[0]
    width = days + 1
    slots = (last - first) // width + 2  # buckets per stakeholder, one spare: keys never meet
    con.execute(
        f"""
        CREATE TEMP TABLE grain AS SELECT (row_number() OVER ())::INTEGER AS id, who, fn,
            day, n, who::BIGINT * {slots} + (day - {first}) // {width} AS bucket
        FROM (SELECT who, fn, day, count(*)::BIGINT AS n FROM coded GROUP BY who, fn, day);
        CREATE TEMP TABLE near AS
            SELECT x.who, x.fn AS fa, y.fn AS fb, greatest(x.day, y.day) AS late,
                x.n * y.n AS n, x.id AS ida, y.id AS idb
            FROM grain x JOIN grain y ON x.bucket = y.bucket AND x.fn < y.fn
            UNION ALL
            SELECT x.who, x.fn, y.fn, y.day, x.n * y.n, x.id, y.id FROM grain x JOIN grain y
                ON y.bucket = x.bucket + 1 WHERE x.fn <> y.fn AND y.day - x.day <= {days};
        """
    )
    scores = con.execute(
        """
        WITH colliding AS (
            SELECT fn, sum(n)::BIGINT AS colliding FROM grain
            WHERE id IN (SELECT ida FROM near UNION ALL SELECT idb FROM near) GROUP BY fn)
        SELECT function, sum(n)::BIGINT AS touches,
            coalesce(any_value(colliding), 0)::BIGINT AS colliding
        FROM grain JOIN functions USING (fn) LEFT JOIN colliding USING (fn)
        GROUP BY function ORDER BY function
        """
    ).df()
    pairs = con.execute(
        """
        SELECT a.function AS function_a, b.function AS function_b,
            sum(near.n)::BIGINT AS collisions
        FROM near JOIN functions a ON a.fn = least(fa, fb)
            JOIN functions b ON b.fn = greatest(fa, fb)
        GROUP BY ALL ORDER BY function_a, function_b
        """
    ).df()
    con.execute("DROP TABLE grain")  # memory for the last and largest step
    con.execute(
        f"""
        CREATE TEMP TABLE per AS WITH counted AS (
            SELECT who, p, count(*) AS touches, {_distinct_sql(con, "fn", "functions")}
                AS functions, {_distinct_sql(con, "ch", "channels")} AS channels,
                arg_min(sg, pos) AS sg, min(pos) AS first
            FROM coded JOIN periods USING (day) GROUP BY who, p),
        collided AS (
            SELECT who, p, sum(n)::BIGINT AS collisions FROM (
                SELECT who, late AS day, sum(n) AS n FROM near GROUP BY who, late)
            JOIN periods USING (day) GROUP BY who, p)
        SELECT who, p, touches, functions, channels, sg, min(first) OVER (PARTITION BY who)
            AS place, coalesce(collisions, 0)::BIGINT AS collisions
        FROM counted LEFT JOIN collided USING (who, p);
        DROP TABLE coded;
        DROP TABLE near;
        """
    )
    per = con.execute(
        """
        WITH labels AS (SELECT DISTINCT p, period FROM periods)
        SELECT external_id, segment, period, touches, functions, channels, collisions
        FROM per JOIN people USING (who) JOIN segments USING (sg) JOIN labels USING (p)
        ORDER BY place, p
        """
    ).df()
    return {
        "per_stakeholder": _stakeholder_table({c: per[c].to_numpy() for c in per.columns}, cap),
        "matrix": _matrix_table(
            [
                {"function_a": a, "function_b": b, "collisions": int(n)}
                for a, b, n in pairs.itertuples(index=False)
            ]
        ),
        "scores": _score_table(pd.DataFrame({c: scores[c].to_numpy() for c in scores.columns})),
    }


def _distinct_sql(con, code: str, table: str) -> str:
    """How many distinct codes (1, 2, ...) a group holds: bits of one integer when there are
    at most 64 (one pass, no hash table per group), else ``count(DISTINCT ...)``."""
    if con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] <= 64:
        return f"bit_count(bit_or(1::UBIGINT << ({code} - 1)))::BIGINT"
    return f"count(DISTINCT {code})"


# --- Large logs: validation in SQL -----------------------------------------------------------

_TEXT_TYPES = ("VARCHAR", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")
_TEXT_TYPES += ("UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT")
_DATE_TYPES = ("VARCHAR", "DATE")  # and every TIMESTAMP


def log_file(folder: Path | str, configured: Path | None = None) -> Path | None:
    """The engagement's large touchpoint log: ``touchpoints.file`` of engagement.yaml
    (``configured``), else ``touchpoints.parquet`` in the data folder, else its
    ``touchpoints.csv`` when larger than :data:`LARGE_CSV_BYTES`, else None (then
    ``touchpoints.csv``, if any, is read by :func:`kit.data.load` with the other tables)."""
    if configured is not None:
        return Path(configured)
    beside, table = Path(folder) / "touchpoints.parquet", Path(folder) / "touchpoints.csv"
    if beside.is_file():
        return beside
    return table if table.is_file() and table.stat().st_size > LARGE_CSV_BYTES else None


def _said(exc: Exception) -> str:
    """DuckDB's reason for refusing a file, in one line (its line number when it gives one)."""
    text = str(exc)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    lines = [s.strip() for s in text.splitlines() if s.strip()]
    reason = next((s for s in lines[1:] if not s.startswith(("Original Line", "Possible"))), "")
    first = lines[0].split("Error: ", 1)[-1] if lines else text
    if line:
        return f"line {line.group(1)} cannot be read: {reason or first}"
    return first


def check_log(path: Path | str, *, functions=None) -> list[Problem]:
    """Every problem of a touchpoint log file (CSV or Parquet), found in DuckDB without
    reading the log into pandas, in :func:`kit.data.load`'s terms: the required columns
    (:data:`REQUIRED`) there, of a text or date type, no blank value, dates readable (ISO,
    a zone said as a warning), and each function one of ``functions`` (those of
    functions.csv; not checked when None). Rows are the file's lines (header = 1) for a CSV,
    record numbers (from 1) for Parquet; at most 100 rows are listed per problem, with the
    count of all.

    >>> from kit.config import SAMPLE_DIR
    >>> said = check_log(SAMPLE_DIR / "touchpoints.csv", functions=["Sales", "marketing"])
    >>> said[0].row, said[0].value, said[0].message
    (3, 'Marketing', "is not a known function in functions.csv; differs from 'marketing' \
only by case or spacing; write it as 'marketing' (571 rows with this value, the first 100 \
listed)")
    """
    path = Path(path)
    name = path.name

    def whole(message: str) -> list[Problem]:
        return [Problem(name, None, None, None, message)]

    if path.suffix.lower() not in LOG_FORMATS:
        return whole("must be a CSV (.csv) or Parquet (.parquet) file; export the log as one")
    if not path.is_file():
        return whole(f"is not there ({path}); give the touchpoint log's file")
    csv = path.suffix.lower() == ".csv"
    if csv and path.stat().st_size == 0:
        return whole("is empty; it needs at least its header line")
    if csv and (said := _csv_file_problem(path)):
        return whole(said)
    import duckdb

    with _duck() as con:
        try:
            columns = _columns(con, path)
            # counted in one pass over the file; a CSV's rows are numbered (copied in order:
            # line = rowid + 2) only when there is a problem to list
            row = "NULL::BIGINT" if csv else "file_row_number + 1"
            con.execute(f"CREATE VIEW rows AS SELECT {row} AS row, * FROM {_scan(path)}")
            return _log_problems(con, name, columns, csv, functions, path)
        except duckdb.Error as exc:
            if csv and (rows := _row_problems(path)):
                return rows  # named by line, as for the other tables
            kind = "CSV (UTF-8, comma-separated)" if csv else "Parquet"
            return whole(f"cannot be read as {kind}: {_said(exc)}; export the log again")


def _csv_file_problem(path: Path) -> str | None:
    """What makes a CSV log unreadable as a whole, said as for the other tables: not UTF-8
    text (:func:`kit.data._byte_problem`), or a column named twice in its header."""
    import csv as csv_module

    from kit.data import _byte_problem

    said = _byte_problem(path)
    if said:
        return said
    with open(path, encoding="utf-8-sig", newline="") as f:
        header = next(csv_module.reader(f), [])
    if len(header) == 1 and any(d in header[0] for d in ";\t|"):
        return (
            "reads as one column: it is separated by ';' (or tabs); save it as a "
            "comma-separated CSV"
        )
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:
        return f"has the column(s) {', '.join(map(repr, twice))} twice in its header; keep one"
    return None


def _records(path: Path):
    """(first line, cells) of each record of a CSV file after its header, read as
    :func:`kit.data.read_table` reads a table (a blank line is no record; a quoted value may
    span lines), one at a time. Raises ``csv.Error`` naming the line a quote opened."""
    import csv as csv_module

    from kit.data import _MAX_FIELD

    limit = csv_module.field_size_limit()
    csv_module.field_size_limit(max(limit, _MAX_FIELD))
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader, start = csv_module.reader(f, strict=True), 1
            try:
                for row in reader:
                    if row:
                        yield start, row
                    start = reader.line_num + 1
            except csv_module.Error as exc:
                raise csv_module.Error(start) from exc
    finally:
        csv_module.field_size_limit(limit)


def _row_problems(path: Path) -> list[Problem]:
    """The records of a CSV log a reader cannot take, by line (at most :data:`_LISTED`):
    cells other than the header's, a quote never closed; what DuckDB's refusal does not
    name."""
    import csv as csv_module

    name, problems, width = path.name, [], None
    try:
        for line, row in _records(path):
            if width is None:
                width = len(row)
            elif len(row) != width and len(problems) < _LISTED:
                problems.append(Problem(name, line, None, None, ragged_row(len(row), width)))
    except csv_module.Error as exc:
        problems.append(Problem(name, None, None, None, unclosed_quote(exc.args[0])))
    return problems


def _number_rows(con, path: Path) -> None:
    """The view ``rows`` of a CSV log numbered by its lines (header = 1), counted as a CSV
    reader counts them (a blank line, a value spanning lines): read again, as only a log
    with a problem to list is."""
    lines = np.fromiter((line for line, _ in _records(path)), dtype=np.int64)[1:]
    con.register("lines", pd.DataFrame({"i": np.arange(len(lines)), "line": lines}))
    con.execute("CREATE TEMP TABLE source AS SELECT * EXCLUDE (row) FROM rows")
    con.execute(
        "CREATE OR REPLACE VIEW rows AS SELECT lines.line AS row, source.* "
        "FROM source JOIN lines ON source.rowid = lines.i"
    )


def _log_problems(con, name: str, columns: dict, csv: bool, functions, path: Path) -> list[Problem]:
    """The problems of the view ``rows`` (``row`` and the log's columns)."""
    problems = [
        Problem(
            name,
            1 if csv else None,
            c,
            None,
            "column is missing from the header; add it (see README, data model)",
        )
        for c in REQUIRED
        if c not in columns
    ]
    checks: list[tuple[str, str, str, str]] = []  # column, SQL condition, message, severity
    mistyped = set()
    for c in ("touchpoint_id", *REQUIRED):
        kind = columns.get(c)
        if kind is None:
            continue
        dated = c == "date"
        if not (kind.startswith("TIMESTAMP") or kind in (_DATE_TYPES if dated else _TEXT_TYPES)):
            what = "dates (a date or timestamp column, or text YYYY-MM-DD)" if dated else "text"
            problems.append(Problem(name, None, c, kind, f"is stored as {kind}; store {what}"))
            mistyped.add(c)
            continue
        value = f'trim("{c}"::VARCHAR)'
        blank = f"(\"{c}\" IS NULL OR {value} = '')"
        checks.append((c, blank, "is blank; every row needs a value here", "error"))
        if dated and kind == "VARCHAR":
            checks.append(
                (
                    c,
                    f"NOT {blank} AND kit_ts({value}) IS NULL",
                    "is not a date in ISO format (YYYY-MM-DD)",
                    "error",
                )
            )
            checks.append(
                (
                    c,
                    f"NOT {blank} AND kit_zoned({value}) AND kit_ts({value}) IS NOT NULL",
                    "carries a time zone: read as the UTC time (dates without a zone are read as "
                    "written); write all dates without a zone if they are local times",
                    "warning",
                )
            )
    known = functions is not None and "function" in columns and "function" not in mistyped
    if known:
        con.register("known", pd.DataFrame({"function": pd.Series(list(functions), dtype=object)}))
    unknown = (
        f'{_UNKNOWN} AND trim("function"::VARCHAR) NOT IN (SELECT function FROM known)'
        if known
        else "false"
    )
    if not checks and not known:
        return problems
    counts = con.execute(
        "SELECT "
        + ", ".join(f"count(*) FILTER (WHERE {cond})" for _, cond, _, _ in checks)
        + ("," if checks else "")
        + f" count(*) FILTER (WHERE {unknown}) FROM rows"
    ).fetchall()[0]
    if csv and any(counts):
        _number_rows(con, path)
    for (column, cond, message, severity), count in zip(checks, counts, strict=False):
        if count:
            problems += _listed(con, name, column, cond, message, severity, count)
    if counts[-1]:
        problems += _unknown_functions(con, name, list(functions))
    return problems


def _listed(con, name, column, cond, message, severity, count) -> list[Problem]:
    """The first :data:`_LISTED` rows meeting ``cond``, one problem each."""
    if count > _LISTED:
        message += f" ({count:,} rows in all, the first {_LISTED} listed)"
    rows = con.execute(
        f"SELECT row, coalesce(\"{column}\"::VARCHAR, '') FROM rows WHERE {cond} "
        f"ORDER BY row LIMIT {_LISTED}"
    ).fetchall()
    return [Problem(name, int(r), column, v, message, severity) for r, v in rows]


_UNKNOWN = "trim(\"function\"::VARCHAR) <> ''"  # a blank function is said as blank


def _unknown_functions(con, name: str, known: list[str]) -> list[Problem]:
    """Rows whose function is not one of ``known``: for each of the first 20 such values, a
    near spelling suggested and up to :data:`_LISTED` of its rows."""
    con.execute(
        f"""CREATE TEMP TABLE unknown AS SELECT row, "function"::VARCHAR AS written,
            trim("function"::VARCHAR) AS value FROM rows
        WHERE {_UNKNOWN} AND trim("function"::VARCHAR) NOT IN (SELECT function FROM known)"""
    )
    values = con.execute(
        "SELECT value, count(*), min(row) AS first FROM unknown GROUP BY value ORDER BY first"
    ).fetchall()
    shown = {value: n for value, n, _ in values[:20]}
    con.register("shown", pd.DataFrame({"value": pd.Series(list(shown), dtype=object)}))
    rows = con.execute(
        f"""SELECT row, written, value FROM unknown WHERE value IN (SELECT value FROM shown)
        QUALIFY row_number() OVER (PARTITION BY value ORDER BY row) <= {_LISTED}
        ORDER BY row"""
    ).fetchall()
    folded = {" ".join(k.lower().split()): k for k in known}
    problems = []
    for row, written, value in rows:
        near = folded.get(" ".join(value.lower().split()))
        hint = (
            f"differs from {near!r} only by case or spacing; write it as {near!r}"
            if near
            else "add it there or correct the spelling"
        )
        n = shown[value]
        more = f" ({n:,} rows with this value, the first {_LISTED} listed)" if n > _LISTED else ""
        message = f"is not a known function in functions.csv; {hint}{more}"
        problems.append(Problem(name, int(row), "function", written, message))
    if len(values) > len(shown):
        others = sum(n for _, n, _ in values[20:])
        problems.append(
            Problem(
                name,
                None,
                "function",
                None,
                f"holds {len(values) - 20:,} more values that are not functions of "
                f"functions.csv ({others:,} rows): is it the function column?",
            )
        )
    return problems
