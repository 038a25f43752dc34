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
    assert notes == [("invitations.csv", None), ("comments.csv", None)]  # absent in the sample
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
