import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

from kit.config import load_engagement
from kit.data import DataError, load, problems_table, validate


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_sample_loads_typed(ds):
    r = ds.responses
    assert r["response_id"].is_unique
    assert str(r["score"].dtype) == "Int64"
    assert r["score"].between(0, 10).all()
    assert r["ok_to_contact"].dtype == "boolean"
    assert pd.api.types.is_datetime64_any_dtype(r["submitted_at"])
    assert ds.drivers == [
        "driver_responsiveness",
        "driver_quality",
        "driver_communication",
        "driver_collaboration",
    ]
    assert len(ds.functions) == 12
    assert not [p for p in ds.warnings if p.severity == "error"]


def _edit(folder: Path, table: str, edits: dict[tuple[int, str], str]) -> None:
    path = folder / f"{table}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for (i, col), value in edits.items():
        df.loc[i, col] = value
    df.to_csv(path, index=False)


def test_every_problem_named_with_file_row_column_value(sample_copy: Path):
    _edit(
        sample_copy,
        "responses",
        {
            (0, "score"): "11",
            (1, "score"): "nine",
            (2, "provider_function"): "Regulatroy",
            (3, "response_id"): "R00005",
            (5, "wave"): "2024-H2",
        },
    )
    _edit(sample_copy, "stakeholders", {(0, "influence"): "7", (1, "engagement_current"): "Keen"})
    before = _hashes(sample_copy)
    with pytest.raises(DataError) as err:
        load(load_engagement(sample_copy / "engagement.yaml"))
    table = problems_table(err.value.problems)
    errors = table[table["severity"] == "error"]
    got = set(zip(errors["file"], errors["row"], errors["column"], errors["value"], strict=True))
    assert ("responses.csv", 2, "score", "11") in got
    assert ("responses.csv", 3, "score", "nine") in got
    assert ("responses.csv", 4, "provider_function", "Regulatroy") in got
    assert ("responses.csv", 5, "response_id", "R00005") in got  # the duplicate ...
    assert ("responses.csv", 6, "response_id", "R00005") in got  # ... and its original
    assert ("responses.csv", 7, "wave", "2024-H2") in got
    assert ("stakeholders.csv", 2, "influence", "7") in got
    assert ("stakeholders.csv", 3, "engagement_current", "Keen") in got
    message = str(err.value)
    assert "responses.csv, row 4, column 'provider_function' (value 'Regulatroy')" in message
    assert "add it there or correct the spelling" in message
    assert _hashes(sample_copy) == before  # inputs are never modified


def test_missing_required_table_and_column(sample_copy: Path):
    (sample_copy / "functions.csv").unlink()
    df = pd.read_csv(sample_copy / "responses.csv", dtype=str, keep_default_na=False)
    df.drop(columns=["score"]).to_csv(sample_copy / "responses.csv", index=False)
    _, problems = validate(sample_copy)
    messages = [(p.file, p.column, p.message) for p in problems]
    assert any(f == "functions.csv" and "missing" in m for f, _, m in messages)
    assert any(f == "responses.csv" and c == "score" and "missing" in m for f, c, m in messages)


def test_contact_without_consent_is_refused(sample_copy: Path):
    df = pd.read_csv(sample_copy / "responses.csv", dtype=str, keep_default_na=False)
    i = df.index[df["contact_id"] != ""][0]
    df.loc[i, "ok_to_contact"] = "false"
    df.to_csv(sample_copy / "responses.csv", index=False)
    _, problems = validate(load_engagement(sample_copy / "engagement.yaml"))
    assert [(p.row, p.column) for p in problems if "consent" in p.message] == [
        (i + 2, "contact_id")
    ]


def test_register_labels_any_case_are_mapped_and_unknown_ones_named(sample_copy):
    _edit(
        sample_copy,
        "stakeholders",
        {(0, "influence"): "  very   HIGH ", (1, "interest"): "medium", (2, "influence"): "Huge"},
    )
    with pytest.raises(DataError) as err:
        load(load_engagement(sample_copy / "engagement.yaml"))
    table = problems_table([p for p in err.value.problems if p.severity == "error"])
    assert table[["row", "column", "value"]].values.tolist() == [[4, "influence", "Huge"]]
    assert "influence_labels" in table["message"].iloc[0]
    _edit(sample_copy, "stakeholders", {(2, "influence"): "High"})
    ds = load(load_engagement(sample_copy / "engagement.yaml"))
    assert ds.stakeholders["influence"].iloc[:3].tolist() == [
        5,
        ds.stakeholders.loc[1, "influence"],
        4,
    ]
    assert ds.stakeholders.loc[1, "interest"] == 3


def test_reporting_cycle_is_named(sample_copy):
    _edit(
        sample_copy,
        "stakeholders",
        {(0, "reports_to"): "S002", (1, "reports_to"): "S003", (2, "reports_to"): "S001"},
    )
    with pytest.raises(DataError) as err:
        load(load_engagement(sample_copy / "engagement.yaml"))
    text = str(err.value)
    assert "reporting cycle (S001 -> S002 -> S003 -> S001)" in text
    assert text.count("reporting cycle") == 1


def test_a_label_differing_by_case_or_spacing_gets_a_precise_hint(sample_copy):
    _edit(sample_copy, "responses", {(0, "provider_function"): "market  access"})
    with pytest.raises(DataError) as err:
        load(load_engagement(sample_copy / "engagement.yaml"))
    assert "differs from 'Market Access' only by case or spacing" in str(err.value)


def test_a_batch_validates_once_for_all_its_processes(sample_copy, monkeypatch):
    from kit import data

    cfg = load_engagement(sample_copy / "engagement.yaml")
    with data.shared_validation() as folder:
        first = load(cfg)
        assert len(list(folder.glob("*.pickle"))) == 1

        def again(*args, **kwargs):
            raise AssertionError("validated again")

        monkeypatch.setattr(data, "validate", again)
        monkeypatch.setattr(data, "_LOADED", {})  # as in a new process of the batch
        shared = load(cfg)
        for table in data.SCHEMAS:
            pd.testing.assert_frame_equal(getattr(shared, table), getattr(first, table))
        assert shared.warnings == first.warnings
        with (sample_copy / "functions.csv").open("a", encoding="utf-8") as f:
            f.write("\n")  # the files changed: the shared result no longer stands
        with pytest.raises(AssertionError, match="validated again"):
            load(cfg)
    assert not folder.exists() and data.SHARED_ENV not in os.environ


def test_a_follow_up_for_someone_who_did_not_consent_is_refused(sample_copy: Path):
    followups = pd.read_csv(sample_copy / "followups.csv", dtype=str, keep_default_na=False)
    responses = pd.read_csv(sample_copy / "responses.csv", dtype=str, keep_default_na=False)
    refused = responses.index[responses["ok_to_contact"].str.lower() == "false"][0]
    followups.loc[3, "response_id"] = responses.loc[refused, "response_id"]
    followups.to_csv(sample_copy / "followups.csv", index=False)
    _, problems = validate(load_engagement(sample_copy / "engagement.yaml"))
    found = [p for p in problems if "did not agree to be contacted" in p.message]
    assert [(p.file, p.row, p.column, p.value) for p in found] == [
        ("followups.csv", 5, "response_id", responses.loc[refused, "response_id"])
    ]
    assert found[0].severity == "error"


def _drop(folder: Path, table: str, columns: list[str]) -> None:
    path = folder / f"{table}.csv"
    pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns=columns).to_csv(
        path, index=False
    )


def test_absent_optional_columns_are_notes_and_filled_once(sample_copy: Path):
    _drop(sample_copy, "responses", ["ok_to_contact", "contact_id", "submitted_at"])
    _drop(sample_copy, "functions", ["predicted_nps"])
    (sample_copy / "touchpoints.csv").unlink()
    _, problems = validate(sample_copy)
    notes = {(p.file, p.column): p.message for p in problems if p.severity == "note"}
    assert notes[("responses.csv", "ok_to_contact")] == (
        "no consent column: nobody will be contacted (the follow-up queue is empty)"
    )
    assert ("responses.csv", "contact_id") not in notes  # said by the consent note
    assert notes[("responses.csv", "submitted_at")].startswith("no submission dates")
    assert notes[("functions.csv", "predicted_nps")].startswith("no predicted_nps")
    assert notes[("touchpoints.csv", None)].startswith("is absent")
    assert not [p for p in problems if p.severity == "error"]

    ds = load(sample_copy)
    r = ds.responses
    assert r["ok_to_contact"].dtype == "boolean" and not r["ok_to_contact"].any()
    assert r["contact_id"].isna().all() and r["submitted_at"].isna().all()
    assert ds.functions["predicted_nps"].isna().all()
    assert {"responses.ok_to_contact", "responses.submitted_at"} <= ds.absent
    assert "responses.comment" not in ds.absent


def test_blank_dates_are_noted_and_the_sample_has_no_column_notes(sample_copy: Path):
    _, problems = validate(sample_copy)
    notes = [(p.file, p.column) for p in problems if p.severity == "note"]
    assert notes == [("invitations.csv", None)]  # absent in the sample (comments.csv: no note)
    _edit(sample_copy, "responses", {(i, "submitted_at"): "" for i in range(3)})
    _, problems = validate(sample_copy)
    assert ("responses.csv", "submitted_at") not in [(p.file, p.column) for p in problems]
    path = sample_copy / "responses.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[df["wave"] == "2025-H1", "submitted_at"] = ""  # one wave's dates all blank
    df.to_csv(path, index=False)
    _, problems = validate(sample_copy)
    blank = [p.message for p in problems if p.column == "submitted_at"]
    assert blank == [
        "no submission dates in 2025-H1: follow-up due dates cannot be given as dates; add the "
        "close date to engagement.yaml (wave_closes: {2025-H1: YYYY-MM-DD})"
    ]


def test_kit_validate_prints_notes_and_passes(sample_copy: Path, capsys):
    from kit.cli import main

    _drop(sample_copy, "responses", ["ok_to_contact", "contact_id"])
    out = sample_copy.parent / "problems.csv"
    assert main(["validate", str(sample_copy / "engagement.yaml"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Notes (optional data absent):\n")
    assert "  - responses.csv: no consent column: nobody will be contacted" in printed
    assert "0 error(s), 6 warning(s)" in printed  # the sample's own register warnings
    assert "note" not in set(pd.read_csv(out)["severity"])


def test_wave_close_dates_stand_in_for_absent_submission_dates(sample_copy: Path):
    _drop(sample_copy, "responses", ["submitted_at"])
    config = sample_copy / "engagement.yaml"
    _, problems = validate(load_engagement(config))
    said = [p.message for p in problems if p.column == "submitted_at"]
    assert said == [
        "no submission dates in 2025-H1, 2025-H2, 2026-H1: follow-up due dates cannot be given "
        "as dates; add the close date to engagement.yaml (wave_closes: {2025-H1: YYYY-MM-DD})"
    ]
    assert load(load_engagement(config)).responses["submitted_at"].isna().all()

    with open(config, "a", encoding="utf-8") as f:
        f.write("wave_closes: {2025-H1: 2025-03-31, 2025-H2: '2025-09-30', 2026-H1: 2026-03-31}\n")
    cfg = load_engagement(config)
    assert cfg.wave_closes == {
        "2025-H1": "2025-03-31",
        "2025-H2": "2025-09-30",
        "2026-H1": "2026-03-31",
    }
    _, problems = validate(cfg)
    said = [p.message for p in problems if p.column == "submitted_at"]
    assert said[0].endswith("(wave_closes) stand in for them; follow-up due dates count from them")
    dates = load(cfg).responses.groupby("wave")["submitted_at"].agg(["min", "max"])
    assert (dates["min"] == dates["max"]).all()  # one day per wave: its close
    assert dates.loc["2026-H1", "max"] == pd.Timestamp("2026-03-31")


def test_wave_closes_must_name_waves_and_dates(sample_copy: Path):
    from kit.config import ConfigError

    config = sample_copy / "engagement.yaml"
    with open(config, "a", encoding="utf-8") as f:
        f.write("wave_closes: {2024-H2: 2024-12-31, 2026-H1: 31/03/2026}\n")
    with pytest.raises(ConfigError) as err:
        load_engagement(config)
    assert "'wave_closes' names '2024-H2', not one of the waves" in str(err.value)
    assert "'wave_closes.2026-H1' must be a date (YYYY-MM-DD), got '31/03/2026'" in str(err.value)


# ------------------------------------------- one reading of a value (issue 19, item 1)

SCORES = {"1e1": None, "9/10": None, "5+": None, "7.5": None, " 8 ": 8, "08": 8, "10.0": 10}


def _scores_file(folder: Path, values: list[str]) -> None:
    path = folder / "responses.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False).head(len(values))
    df["score"] = values
    df.to_csv(path, index=False)


def test_validate_and_import_read_each_score_alike(sample_copy: Path):
    from kit import importers

    values = list(SCORES)
    _scores_file(sample_copy, values)
    tables, problems = validate(sample_copy)
    refused = {p.value for p in problems if p.column == "score" and p.severity == "error"}
    assert refused == {v for v, n in SCORES.items() if n is None}
    kept = tables["responses"]["score"]
    assert [None if pd.isna(x) else int(x) for x in kept] == list(SCORES.values())
    # the importer: the same values refused, with the file's own row, and the same scores
    export = sample_copy / "export.csv"
    pd.DataFrame({"team": "Sales", "q": values}).to_csv(export, index=False)
    mapping = {
        "score": "q",
        "respondent_function": {"column": "team"},
        "provider_function": {"value": "IT"},
        "wave": {"value": "2026-H1"},
    }
    with pytest.raises(importers.ImportProblem) as err:
        importers.to_responses(importers.read_export(export), mapping)
    said = str(err.value)
    for row, (value, score) in enumerate(SCORES.items(), start=2):
        assert (f"row {row}, column 'q': {value!r}" in said) == (score is None), value
    written, _ = importers.to_responses(
        importers.read_export(export), {**mapping, "on_invalid": "blank"}
    )
    assert written["score"].tolist() == [s for s in SCORES.values() if s is not None]


def test_yes_and_no_are_the_importer_s_consent_words(sample_copy: Path):
    from kit import importers
    from kit.data import NO_WORDS, YES_WORDS

    assert YES_WORDS == importers.CONSENT_YES
    assert YES_WORDS | NO_WORDS == importers._YES_NO  # what the importer reads at all
    words = ["yes", "Y", "true", "1", "ja", "oui", "no", "0", "NEIN", "non", "Yes, please", "Sí"]
    path = sample_copy / "responses.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False).head(len(words))
    df["ok_to_contact"], df["contact_id"] = words, ""
    df.to_csv(path, index=False)
    tables, problems = validate(sample_copy)
    bad = [(p.row, p.value) for p in problems if p.column == "ok_to_contact"]
    assert bad == [(12, "Yes, please"), (13, "Sí")]
    read = tables["responses"]["ok_to_contact"].tolist()
    assert read[:10] == [True] * 6 + [False] * 4


def test_a_date_with_a_time_zone_is_read_as_utc_and_said(sample_copy: Path):
    _edit(
        sample_copy,
        "responses",
        {(0, "submitted_at"): "2026-01-05T10:00:00+02:00", (1, "submitted_at"): "05/01/2026"},
    )
    tables, problems = validate(sample_copy)
    said = {(p.row, p.severity): p.message for p in problems if p.column == "submitted_at"}
    assert "time zone" in said[(2, "warning")]
    assert "ISO format" in said[(3, "error")]
    assert tables["responses"]["submitted_at"][0] == pd.Timestamp("2026-01-05 08:00")


# ------------------------------------------------ one reader for every table (item 1)


def _only(problems, file: str):
    return [(p.row, p.message) for p in problems if p.file == file and p.severity == "error"]


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "is empty; it needs at least its header line"),
        (b"function,headcount,head_id\nSales,10,\nR\xe9gulatory,5,\n", "line 3 has the byte"),
        (b"function,headcount,head_id\nSales,10,\x00\n", "NUL byte at line 2"),
        ("function,headcount\n".encode("utf-16"), "is saved as UTF-16"),
        (b"PK\x03\x04\x14\x00\x06\x00", "an Excel workbook, not a CSV"),
        (b'function,headcount,head_id\nSales,"10,\nIT,5,\n', 'a quote (") opened at line 2'),
        (b"function,function,head_id\nSales,Sales,\n", "is in the header twice"),
    ],
)
def test_an_unreadable_table_is_named_with_its_line(sample_copy: Path, content, words):
    (sample_copy / "functions.csv").write_bytes(content)
    _, problems = validate(sample_copy)
    messages = " | ".join(m for _, m in _only(problems, "functions.csv"))
    assert words in messages


def test_ragged_rows_are_listed_by_their_lines(sample_copy: Path):
    path = sample_copy / "functions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] += ",extra"  # line 3: one cell too many
    lines[5] = lines[5].rsplit(",", 1)[0]  # line 6: one too few
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = [r for r, _ in _only(validate(sample_copy)[1], "functions.csv")]
    assert rows == [3, 6]


def test_a_folder_named_like_a_table_is_said(sample_copy: Path):
    (sample_copy / "roster.csv").unlink()
    (sample_copy / "roster.csv").mkdir()
    said = _only(validate(sample_copy)[1], "roster.csv")
    assert said == [(None, "is a folder, not a file; the table must be a CSV file of that name")]


def test_a_table_above_the_size_limit_is_refused_before_reading(sample_copy, monkeypatch):
    monkeypatch.setenv("KIT_MAX_TABLE_MB", "0.1")  # responses.csv is 0.17 MB
    said = _only(validate(sample_copy)[1], "responses.csv")
    assert said == [
        (
            None,
            "is 0.17 MB, above the kit's limit of 0.1 MB per table; check it is the right "
            "file, or raise the limit (KIT_MAX_TABLE_MB=<MB>)",
        )
    ]
    monkeypatch.setenv("KIT_MAX_TABLE_MB", "lots")
    with pytest.raises(Exception, match="KIT_MAX_TABLE_MB='lots' is not a size in megabytes"):
        validate(sample_copy)


def test_rows_are_the_file_s_own_lines_after_a_comment_on_several_lines(sample_copy: Path):
    path = sample_copy / "responses.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[0, "comment"] = "first line\nsecond line\nthird line"  # lines 2-4
    df.loc[1, "score"] = "eleven"  # on line 5, not 3
    df.to_csv(path, index=False)
    _, problems = validate(sample_copy)
    assert [(p.row, p.value) for p in problems if p.column == "score"] == [(5, "eleven")]
    assert tables_index(sample_copy)[:3] == [0, 3, 4]  # validated: by the file's lines
    df.loc[1, "score"] = "9"
    df.to_csv(path, index=False)
    assert load(sample_copy).responses.index[:3].tolist() == [0, 1, 2]  # loaded: 0, 1, 2...


def tables_index(folder: Path) -> list[int]:
    return validate(folder)[0]["responses"].index.tolist()


def test_a_cell_longer_than_a_spreadsheet_holds_is_warned_not_quoted_whole(sample_copy: Path):
    _edit(sample_copy, "responses", {(3, "comment"): "slow " * 60_000})
    _, problems = validate(sample_copy)
    long = [p for p in problems if p.column == "comment" and p.severity == "warning"]
    assert [(p.row, p.value[:10]) for p in long] == [(5, "slow slow ")]
    assert "300,000 characters long" in long[0].message and len(long[0].value) < 100


# ------------------------------------------------ issue 18's data-side items


def test_self_ratings_are_counted_per_function_with_their_rows(sample_copy: Path):
    path = sample_copy / "responses.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for i in (0, 1, 2, 7):
        df.loc[i, "provider_function"] = df.loc[i, "respondent_function"]
    df.to_csv(path, index=False)
    functions = df.loc[[0, 1, 2, 7], "respondent_function"]
    _, problems = validate(sample_copy)
    said = {p.value: p.message for p in problems if "self-ratings" in p.message}
    assert all(p.severity == "warning" for p in problems if "self-ratings" in p.message)
    assert set(said) == set(functions)
    expected = {f: [i + 2 for i in functions.index[functions == f]] for f in set(functions)}
    from kit.data import row_ranges

    for function, rows in expected.items():
        assert f"{len(rows)} rating(s) of {function} by its own people" in said[function]
        assert f"rows {row_ranges(rows)})" in said[function]


def test_row_ranges():
    from kit.data import row_ranges

    assert row_ranges([14, 12, 13, 20, 2]) == "2, 12-14, 20"
    assert row_ranges([]) == ""


def test_a_blank_headcount_is_accepted_and_participation_not_shown_for_it(sample_copy: Path):
    from kit.context import open_engagement
    from kit.findings import internal_nps as find
    from kit.sections import internal_nps as show

    _edit(sample_copy, "functions", {(0, "headcount"): "", (1, "headcount"): " "})
    unknown = pd.read_csv(sample_copy / "functions.csv")["function"][:2].tolist()
    _, problems = validate(sample_copy)
    assert not [p for p in problems if p.file == "functions.csv" and p.severity == "error"]
    ctx = open_engagement(sample_copy / "engagement.yaml")
    found = find.participation(ctx)
    rates = found.rates.set_index("respondent_function")
    assert (rates.loc[unknown, "base"] == "unknown").all()
    assert rates.loc[unknown, "rate"].isna().all()
    known = rates.drop(index=unknown)
    assert (known["base"] == "headcount").all() and known["rate"].notna().any()
    html = show.participation(found, ctx).data
    sentence = "Participation is not shown for"
    assert html.count(sentence) == 1
    assert f"{unknown[0]} and {unknown[1]}" in html.split(sentence)[1].split(":")[0]
    assert "% of the organisation&#x27;s headcount" not in html
    assert "headcount not known" in html  # the chart's label for them


def test_general_comments_table_loads_and_is_checked(sample_copy: Path):
    assert load(sample_copy).comments.empty  # absent: blank, with its note
    (sample_copy / "comments.csv").write_text(
        "comment_id,wave,respondent_id,respondent_function,comment,ok_to_contact,contact_id\n"
        "g1,2026-H1,p1,Sales,Approvals take too long,no,\n"
        "g2,2027-H1,p2,Sales,Fine,,\n"
        "g1,2026-H1,p3,Salez,More data sharing,maybe,C0001\n",
        encoding="utf-8",
    )
    _, problems = validate(load_engagement(sample_copy / "engagement.yaml"))
    said = {(p.row, p.column) for p in problems if p.file == "comments.csv"}
    assert said == {
        (2, "comment_id"),  # a duplicate ...
        (4, "comment_id"),  # ... and its first
        (3, "wave"),
        (4, "respondent_function"),
        (4, "ok_to_contact"),
        (4, "contact_id"),  # without consent
    }
    (sample_copy / "comments.csv").write_text(
        "comment_id,wave,respondent_function,comment\ng1,2026-H1,Sales,Approvals are slow\n",
        encoding="utf-8",
    )
    comments = load(load_engagement(sample_copy / "engagement.yaml")).comments
    assert comments[["comment_id", "respondent_function"]].values.tolist() == [["g1", "Sales"]]
    assert comments["respondent_id"].isna().all() and "source_file" in comments.columns


def test_500_bad_scores_print_one_line_with_their_rows(sample_copy: Path, capsys):
    from kit.cli import main

    path = sample_copy / "responses.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[:499, "score"] = "9/10"
    df.to_csv(path, index=False)
    assert main(["validate", str(sample_copy / "engagement.yaml")]) == 1
    printed = capsys.readouterr().out
    assert printed.count("'9/10'") == 1
    # rows as the file numbers its lines (the sample's comments span several)
    assert "responses.csv, rows 2-32, 34-55, 57-111," in printed
    assert ", ..., column 'score' (500 cells: '9/10')" in printed
    assert len(printed.splitlines()) < 25
    saved = pd.read_csv(sample_copy / "validation-problems.csv")  # beside the data
    assert (saved["value"] == "9/10").sum() == 500


def test_dates_written_by_kit_import_are_read_back_alike_by_validate(sample_copy: Path):
    from kit import importers

    export = sample_copy / "export.csv"
    export.write_text(
        "team,q,when\nSales,9,05/01/2026 08:21\nHR,7,13/01/2026\n", encoding="utf-8"
    )  # day first, as 13/01 proves
    mapping = {
        "score": "q",
        "respondent_function": {"column": "team"},
        "provider_function": {"value": "IT"},
        "wave": {"value": "2026-H1"},
        "submitted_at": "when",
    }
    written, log = importers.to_responses(importers.read_export(export), mapping)
    assert log["dayfirst"] is True
    written.to_csv(
        sample_copy / "responses.csv", index=False, date_format="%Y-%m-%dT%H:%M:%S"
    )  # as `kit import` writes it
    for table in ("followups", "roster"):
        (sample_copy / f"{table}.csv").unlink()  # they refer to the sample's responses
    tables, problems = validate(sample_copy)
    assert not [p for p in problems if p.file == "responses.csv" and p.severity == "error"]
    assert tables["responses"]["submitted_at"].tolist() == [
        pd.Timestamp("2026-01-05 08:21"),
        pd.Timestamp("2026-01-13"),
    ]
