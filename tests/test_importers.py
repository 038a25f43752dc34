"""Importers on real exports (../shared/external) and on a corpus of hand-made bad files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kit import importers as im
from kit.cli import main

SHARED = Path(__file__).resolve().parents[2] / "shared" / "external"
EXTERNAL = SHARED if SHARED.is_dir() else Path(__file__).parent / "fixtures" / "external"
SUDZILLA = "On a scale of 0-10, how would you rate Sudzilla?"


def mapping(tmp_path: Path, **fields) -> Path:
    base = {"wave": "2026-H1", "respondent_function": "Sales", "provider_function": "Marketing"}
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump({**base, **fields}), encoding="utf-8")
    return path


def run_import(tmp_path, export: Path, **fields) -> tuple[pd.DataFrame, dict]:
    out = tmp_path / "responses.csv"
    code = main(
        ["import", str(export), "--mapping", str(mapping(tmp_path, **fields)), "-o", str(out)]
    )
    assert code == 0
    log = json.loads(out.with_suffix(".import-log.json").read_text())
    return pd.read_csv(out), log


def hand_nps(path: Path, column: str) -> tuple[int, float]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        scores = [int(r[column]) for r in csv.DictReader(f) if r[column].strip()]
    pro = sum(s >= 9 for s in scores)
    det = sum(s <= 6 for s in scores)
    return len(scores), 100 * (pro - det) / len(scores)


@pytest.mark.parametrize("name", ["input_01.csv", "input_02.csv"])
def test_google_forms_export_matches_a_hand_count(tmp_path, name):
    path = EXTERNAL / "google_forms_sudzilla" / name
    got, log = run_import(
        tmp_path,
        path,
        score=SUDZILLA,
        comment="...why?",
        submitted_at="Timestamp",
        dayfirst=False,  # input_01's dates all fit both orders (11/1/2019 ... 11/4/2019)
    )
    n, nps = hand_nps(path, SUDZILLA)
    assert log["format"] == "googleforms" and log["rows_read"] == 39 and len(got) == n
    assert 100 * ((got["score"] >= 9).mean() - (got["score"] <= 6).mean()) == pytest.approx(nps)
    assert pd.to_datetime(got["submitted_at"]).iloc[0] == pd.Timestamp("2019-11-01 08:51:12")
    assert got["comment"].iloc[0] == "Bad service"


@pytest.mark.parametrize(
    ("name", "kind", "id_col"),
    [
        ("sample.csv", "qualtrics", "ResponseId"),
        ("sample_legacy.csv", "qualtrics-legacy", "ResponseID"),
    ],
)
def test_qualtrics_current_and_legacy(tmp_path, name, kind, id_col):
    got, log = run_import(
        tmp_path,
        EXTERNAL / "qualtrics" / name,
        score="This is a multiple choice question.",
        comment="this is a FREE text  question.",
        respondent_id=id_col,
    )
    assert log["format"] == kind and log["rows_read"] == 1
    assert got[["respondent_id", "score", "comment"]].values.tolist() == [
        ["R_2YPOQ602ER1jkf1", 2, "Hello World!"]
    ]


def test_snap_excel_with_serial_dates(tmp_path):
    path = EXTERNAL / "snap_nhsbsa" / "nhs_pensions_FIC_data.example.xlsm"
    got, log = run_import(tmp_path, path, score="Q1", comment="Q2", submitted_at="ID.endDate")
    raw = pd.read_excel(path, sheet_name="FIC_data", header=None).iloc[2:]
    expected = pd.to_numeric(raw[9], errors="coerce").dropna()
    assert log["format"] == "snap" and log["rows_read"] == 21
    assert len(got) == len(expected) and sorted(got["score"]) == sorted(expected.astype(int))
    assert pd.to_datetime(got["submitted_at"]).iloc[0] == pd.Timestamp("2021-05-04")  # 44320


def test_qualtrics_preview_and_unfinished_are_dropped_and_counted(tmp_path):
    rows = [
        ["ResponseId", "Status", "Finished", "Q1"],
        ["Response ID", "Response Type", "Finished", "How likely ...?"],
        [
            '{"ImportId":"_recordId"}',
            '{"ImportId":"status"}',
            '{"ImportId":"finished"}',
            '{"ImportId":"QID1"}',
        ],
        ["R_1", "IP Address", "True", "10 - Extremely likely"],
        ["R_2", "Survey Preview", "True", "3"],
        ["R_3", "IP Address", "False", "7"],
        ["R_4", "IP Address", "True", "N/A"],
        ["R_5", "IP Address", "True", " 9 "],
    ]
    path = tmp_path / "q.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    got, log = run_import(tmp_path, path, score="How likely ...?", respondent_id="ResponseId")
    assert got["score"].tolist() == [10, 9]
    assert log["dropped"] == {"preview or test": 1, "unfinished": 1, "duplicate response id": 0}
    assert log["ratings_without_score"] == 1
    assert log["rows_read"] == log["responses_kept"] + 2 == 5


def test_surveymonkey_two_header_rows_and_wide_reshape(tmp_path):
    rows = [
        ["Respondent ID", "Collector ID", "How likely are you to recommend...", "", "Why?"],
        ["", "", "Finance", "IT", "Open-Ended Response"],
        ["101", "9", "9", "3", "IT never answers"],
        ["102", "9", "10", "", "ok"],
    ]
    path = tmp_path / "sm.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    export = im.read_export(path)
    assert export.kind == "surveymonkey"
    got, log = run_import(
        tmp_path,
        path,
        respondent_id="Respondent ID",
        comment="Why?",
        providers={
            "How likely are you to recommend... - Finance": "Finance",
            "How likely are you to recommend... - IT": "IT",
        },
    )
    got = got.sort_values(["respondent_id", "provider_function"])
    assert got[["respondent_id", "provider_function", "score"]].values.tolist() == [
        [101, "Finance", 9],
        [101, "IT", 3],
        [102, "Finance", 10],
    ]
    assert log["ratings_written"] == 3 and log["ratings_without_score"] == 1


def test_microsoft_forms_excel(tmp_path):
    path = tmp_path / "forms.xlsx"
    pd.DataFrame(
        {
            "ID": [1, 2],
            "Start time": ["2026-03-02 10:00", "2026-03-03 11:00"],
            "Completion time": ["2026-03-02 10:05", "2026-03-03 11:02"],
            "Email": ["a", "b"],
            "Recommend us (0-10)": [10, 6],
        }
    ).to_excel(path, index=False)
    export = im.read_export(path)
    assert export.kind == "msforms"
    got, _ = run_import(tmp_path, path, score="recommend us (0-10)", respondent_id="ID")
    assert got["score"].tolist() == [10, 6]


def test_encodings_and_multiline_comments(tmp_path):
    text = 'id\tscore\tcomment\n1\t9\t"Très bien,\nmerci"\n2\t4\tLent\n'
    utf16 = tmp_path / "export.tsv"
    utf16.write_bytes(text.encode("utf-16"))
    cp = tmp_path / "export.csv"
    cp.write_bytes(text.replace("\t", ",").encode("cp1252"))
    for path in (utf16, cp):
        got, _ = run_import(tmp_path, path, score="SCORE", comment="comment", respondent_id="id")
        (tmp_path / "responses.csv").unlink()
        (tmp_path / "responses.import-log.json").unlink()
        assert got["comment"].tolist() == ["Très bien,\nmerci", "Lent"]


def test_recoded_1_to_11_scale(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("id,q\n1,11\n2,1\n3,7\n", encoding="utf-8")
    got, _ = run_import(tmp_path, path, score="q", score_scale="1-11", respondent_id="id")
    assert got["score"].tolist() == [10, 0, 6]


def test_duplicate_ids_are_dropped_and_counted(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("id,q\n1,9\n1,9\n2,5\n", encoding="utf-8")
    got, log = run_import(tmp_path, path, score="q", response_id="id")
    assert len(got) == 2 and log["dropped"]["duplicate response id"] == 1
    assert log["rows_read"] == 3 == log["responses_kept"] + 1


def test_bad_scores_are_listed_with_row_and_column(tmp_path, capsys):
    path = tmp_path / "e.csv"
    path.write_text("id,q\n1,eleven\n2,9\n3,12\n4,7.5\n", encoding="utf-8")
    code = main(
        [
            "import",
            str(path),
            "--mapping",
            str(mapping(tmp_path, score="q")),
            "-o",
            str(tmp_path / "out.csv"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "3 problem(s); nothing was written" in err
    for row, value in ((2, "eleven"), (4, "12"), (5, "7.5")):
        assert f"row {row}, column 'q': {value!r} is not a score on 0-10" in err
    assert not (tmp_path / "out.csv").exists()


def test_mapping_problems_are_all_listed(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("id,q\n1,9\n", encoding="utf-8")
    bad = tmp_path / "m.yaml"
    bad.write_text("score: nope\ncomment: missing\n", encoding="utf-8")
    with pytest.raises(im.ImportProblem) as err:
        im.to_responses(im.read_export(path), im.load_mapping(bad))
    text = str(err.value)
    assert "'score': no column named 'nope'" in text and "'comment': no column" in text
    assert "'wave' is required" in text
    assert "'provider_function' is required with one 'score' column (the function rated" in text
    assert "map them under 'providers' instead" in text  # not "a long export": another layout


def test_inputs_are_never_changed_and_output_never_overwritten(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("id,q\n1,9\n", encoding="utf-8")
    before = path.read_bytes()
    run_import(tmp_path, path, score="q")
    assert path.read_bytes() == before
    again = main(
        [
            "import",
            str(path),
            "--mapping",
            str(mapping(tmp_path, score="q")),
            "-o",
            str(tmp_path / "responses.csv"),
        ]
    )
    assert again == 2


def test_dates_excel_serials_both_systems_and_mixed_text():
    values = pd.Series(["44320", "2019-11-01 08:51:12", "11/1/2019 9:05:13", ""])
    got = im.parse_dates(values, dayfirst=False)
    assert got.tolist()[:3] == [
        pd.Timestamp("2021-05-04"),
        pd.Timestamp("2019-11-01 08:51:12"),
        pd.Timestamp("2019-11-01 09:05:13"),
    ]
    assert pd.isna(got.iloc[3])
    assert im.parse_dates(pd.Series(["42858"]), date1904=True).iloc[0] == pd.Timestamp("2021-05-04")


def test_suggest_finds_score_and_comment(capsys):
    assert (
        main(["import", str(EXTERNAL / "google_forms_sudzilla" / "input_01.csv"), "--suggest"]) == 0
    )
    out = capsys.readouterr().out
    assert f"score: '{SUDZILLA}'" in out and "comment: '...why?'" in out


formats = st.sampled_from(["{}", " {} ", "{}.0", "{} - label", "{}\t"])


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10), formats)
def test_no_valid_score_is_lost(score, fmt):
    scores, invalid = im.parse_scores(pd.Series([fmt.format(score)]))
    assert scores.iloc[0] == score and not invalid.iloc[0]


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.integers(11, 10_000),
        st.integers(-100, -1),
        st.floats(0.1, 9.9).filter(lambda x: x != round(x)),
    ),
    formats,
)
def test_no_invalid_score_gets_through(value, fmt):
    scores, invalid = im.parse_scores(pd.Series([fmt.format(value)]))
    assert pd.isna(scores.iloc[0]) and invalid.iloc[0]


def test_validate_lists_every_problem_in_the_terminal_and_a_file(sample_copy, tmp_path, capsys):
    path = sample_copy / "responses.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    text[1] = text[1].replace(",Market Access,", ",Market Acess,", 1)
    text[2] = ",".join(["R99999" if i == 0 else v for i, v in enumerate(text[2].split(","))])
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    out = tmp_path / "problems.csv"
    code = main(["validate", str(sample_copy / "engagement.yaml"), "--out", str(out)])
    printed = capsys.readouterr().out
    saved = pd.read_csv(out)
    assert code == 1 and "Market Acess" in printed and "error(s)" in printed
    assert set(saved["column"]) >= {"provider_function"} and (saved["row"] == 2).any()


def test_codes_1_to_11_are_detected_when_not_declared(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("id,q\n1,11\n2,1\n", encoding="utf-8")
    with pytest.raises(im.ImportProblem, match="add 'score_scale: 1-11'"):
        im.to_responses(
            im.read_export(path), yaml.safe_load(mapping(tmp_path, score="q").read_text())
        )


# ------------------------------------------------------------ strict scores (issue 18, item 3)

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
SEPARATORS = st.sampled_from([" - ", "-", " = ", "=", ": ", " \u2013 ", " \u2014 "])
LABELS = st.text(
    alphabet=st.characters(categories=["Lu", "Ll"]) | st.just(" "), min_size=1, max_size=30
).filter(lambda s: s[0].isalpha())


def test_scores_with_labels_are_kept():
    values = pd.Series(
        ["10 - Extremely likely", "9 = very likely", "9.0", " 9 ", "0 \u2013 Not at all", "5", ""]
    )
    scores, invalid = im.parse_scores(values)
    assert scores.tolist()[:6] == [10, 9, 9, 9, 0, 5] and pd.isna(scores.iloc[6])
    assert not invalid.any()


REFUSED = [
    "05/01/2020",
    "5/1/20",
    "2020-01-05",
    "08:21",
    "8:21:00",
    "7 Dec 2019",
    "Dec 7",
    "7 Dec",
    "5-7",
    "5 - 7",
    "9/10",
    "10/10",
    "5+",
    "1e1",
    "7.5",
    "9,5",
    "top 2 box",
    "Q9",
    "9a",
    "#ERROR!",
    "11",
    "-1",
    "9 - 10 very likely",
]


@pytest.mark.parametrize("value", REFUSED)
def test_what_is_not_a_score_is_refused(value):
    scores, invalid = im.parse_scores(pd.Series([value]))
    assert pd.isna(scores.iloc[0]) and invalid.iloc[0]


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10), SEPARATORS, LABELS, st.sampled_from(["{}", "{}.0", "{}.00", " {} "]))
def test_any_valid_score_in_any_accepted_form_is_kept(score, sep, label, number):
    for scale, written in (("0-10", score), ("1-11", score + 1)):
        for text in (number.format(written), number.format(written) + sep + label):
            scores, invalid = im.parse_scores(pd.Series([text]), scale=scale)
            assert scores.iloc[0] == score and not invalid.iloc[0], (scale, text)


DATE_FORMATS = st.sampled_from(
    [
        "%d/%m/%Y",
        "%m/%d/%Y",
        "%d/%m/%y",
        "%d.%m.%Y",
        "%d-%m-%Y",
        "%Y-%m-%d",
        "%d %b %Y",
        "%b %d %Y",
        "%d %B",
        "%H:%M",
        "%H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%I:%M %p",
        "%d/%m",
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    st.datetimes(min_value=pd.Timestamp("1990-01-01"), max_value=pd.Timestamp("2040-12-31")),
    DATE_FORMATS,
)
def test_no_date_or_time_gets_through_as_a_score(moment, fmt):
    text = moment.strftime(fmt)
    for scale in ("0-10", "1-11"):
        scores, invalid = im.parse_scores(pd.Series([text]), scale=scale)
        assert pd.isna(scores.iloc[0]) and invalid.iloc[0], text


def test_a_date_in_the_score_column_is_reported_with_its_file_row(tmp_path, capsys):
    path = tmp_path / "e.csv"
    path.write_text("id,q\n1,9\n\n2,05/01/2020\n3,08:21\n4,7 Dec 2019\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    code = main(
        ["import", str(path), "--mapping", str(mapping(tmp_path, score="q")), "-o", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and str(path) in err
    for row, value in ((4, "05/01/2020"), (5, "08:21"), (6, "7 Dec 2019")):
        assert f"row {row}, column 'q': {value!r} is not a score on 0-10" in err
    assert "What to do: a score is a whole number 0-10" in err and not out.exists()


# ------------------------------------------------------------ delimiters and encodings (items 2, 4)


@pytest.mark.parametrize(("sep", "shown"), [(";", ";"), ("\t", "\t"), ("|", "|"), (",", ",")])
def test_delimiter_is_detected_and_logged(tmp_path, sep, shown):
    path = tmp_path / "e.csv"
    rows = [["id", "Score", "Comment"], ["1", "9", "fast, friendly"], ["2", "4", "slow; rude"]]
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=sep).writerows(rows)
    got, log = run_import(tmp_path, path, score="Score", comment="Comment", response_id="id")
    assert log["delimiter"] == shown and log["delimiter_source"] == "detected"
    assert got["score"].tolist() == [9, 4]
    assert got["comment"].tolist() == ["fast, friendly", "slow; rude"]


def test_delimiter_in_the_mapping_overrides_and_a_wrong_one_is_hinted(tmp_path, capsys):
    path = tmp_path / "e.csv"
    path.write_text("id;Score\n1;9\n2;5\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    code = main(
        [
            "import",
            str(path),
            "--mapping",
            str(mapping(tmp_path, score="Score", delimiter=",")),
            "-o",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "no column named 'Score'; columns are 'id;Score'" in err
    assert "split on ',' into 1 column(s) but its header contains ';'" in err
    assert 'add the line delimiter: ";" to the mapping' in err
    got, log = run_import(tmp_path, path, score="Score", delimiter=";")
    assert got["score"].tolist() == [9, 5] and log["delimiter_source"] == "mapping"


def test_windows_1250_semicolon_file_from_an_r_user_comes_out_exactly(tmp_path, capsys):
    path = FIXTURES / "cp1250_semicolon.csv"
    before = path.read_bytes()
    got, log = run_import(
        tmp_path,
        path,
        score="hodnoceni",
        wave={"column": "vlna"},
        respondent_id="osoba",
        respondent_function={"column": "funkce"},
        comment="komentar",
        submitted_at="datum",
    )
    printed = capsys.readouterr().out
    assert path.read_bytes() == before
    assert (log["encoding"], log["delimiter"]) == ("cp1250", ";")
    assert log["encoding_source"] == "detected; cp1252 would read 'Łódź' as '£ódŸ'"
    assert "cp1250 (detected; cp1252 would read 'Łódź' as '£ódŸ'), delimiter ';'" in printed
    assert got["respondent_function"].tolist() == [
        "Łódź Zakupy",
        "Účetnictví",
        "Księgowość",
        "Łódź Zakupy",
        "Řízení kvality",
    ]
    assert got["comment"].tolist()[:2] == ["Szybka odpowiedź", "Pomalé schvalování faktur"]
    assert got["score"].tolist() == [9, 7, 10, 6, 8]
    # 13.01.2025 proves day first for the whole column: 02.02, 03.02, 05.08 read the same way
    assert pd.to_datetime(got["submitted_at"]).dt.strftime("%Y-%m-%d").tolist() == [
        "2025-01-13",
        "2025-02-02",
        "2025-02-03",
        "2025-07-20",
        "2025-08-05",
    ]
    assert log["dayfirst"] is True and log["dayfirst_source"] == "detected"


def test_encoding_in_the_mapping_is_followed(tmp_path):
    path = FIXTURES / "cp1250_semicolon.csv"
    got, log = run_import(
        tmp_path,
        path,
        score="hodnoceni",
        respondent_function={"column": "funkce"},
        encoding="cp1252",
        dayfirst=True,
    )
    assert log["encoding"] == "cp1252" and log["encoding_source"] == "mapping"
    assert got["respondent_function"].iloc[0] == "Łódź Zakupy".encode("cp1250").decode("cp1252")


def test_utf8_and_western_windows_files_are_not_taken_for_cp1250(tmp_path):
    text = "id,Abteilung,Score\n1,Einkauf Müller,9\n2,Très bien à Genève,7\n3,Logística,8\n"
    for enc, expected in (("utf-8", "utf-8"), ("cp1252", "cp1252"), ("utf-8-sig", "utf-8-sig")):
        path = tmp_path / f"{enc}.csv"
        path.write_bytes(text.encode(enc))
        export = im.read_export(path)
        assert export.encoding == expected
        assert export.data["Abteilung"].tolist() == [
            "Einkauf Müller",
            "Très bien à Genève",
            "Logística",
        ]


def test_an_unknown_encoding_or_undecodable_file_is_an_error_not_a_traceback(tmp_path, capsys):
    path = tmp_path / "e.csv"
    path.write_bytes("id,q,f\n1,9,Łódź\n".encode("cp1250"))
    for enc, expected in (
        ("latin-9000", "is not an encoding Python knows"),
        ("ascii", "cannot be read as ascii"),
    ):
        code = main(
            [
                "import",
                str(path),
                "--mapping",
                str(mapping(tmp_path, score="q", encoding=enc)),
                "-o",
                str(tmp_path / "o.csv"),
            ]
        )
        err = capsys.readouterr().err
        assert code == 2 and expected in err and "Traceback" not in err and str(path) in err


# ------------------------------------------------------------ day first or month first (item 2)


def day_first_column(n: int = 5000, seed: int = 18) -> tuple[pd.Series, pd.Series]:
    """n survey timestamps written day first (dd/mm/yyyy hh:mm), and the true moments."""
    rng = pd.Series(range(n)).sample(frac=1, random_state=seed).to_numpy()
    truth = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng * 12_345, unit="s")
    truth = pd.Series(truth).dt.floor("min")
    return truth.dt.strftime("%d/%m/%Y %H:%M"), truth


def test_5000_day_first_dates_are_all_read_day_first_where_pandas_mixed_is_not():
    text, truth = day_first_column()
    naive = pd.to_datetime(text, format="mixed")  # what a loose reader does
    wrong = int((naive != truth).sum())
    assert wrong > 1000  # pandas reads 05/01 as 1 May and 13/01 as 13 January in one column
    order = im.date_order(text)
    assert order.dayfirst is True and not order.month_first_rows
    got = im.parse_dates(text)
    assert got.tolist() == truth.tolist()


def test_a_5000_row_day_first_export_imports_exactly(tmp_path, capsys):
    text, truth = day_first_column()
    path = tmp_path / "bank.csv"
    pd.DataFrame({"id": range(1, 5001), "Date": text, "Rating (Num)": 9}).to_csv(
        path, index=False, sep=";"
    )
    got, log = run_import(tmp_path, path, score="Rating (Num)", submitted_at="Date")
    assert log["dayfirst"] is True and log["dayfirst_source"] == "detected"
    assert "Dates read day first (detected)." in capsys.readouterr().out
    assert pd.to_datetime(got["submitted_at"]).tolist() == truth.tolist()


def test_a_column_in_both_orders_is_refused_naming_rows(tmp_path, capsys):
    path = tmp_path / "e.csv"
    path.write_text(
        "id,q,when\n1,9,05/01/2020\n2,8,13/01/2020\n3,7,01/14/2020\n4,6,02/02/2020\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    args = ["import", str(path), "-o", str(out), "--mapping"]
    code = main([*args, str(mapping(tmp_path, score="q", submitted_at="when"))])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists() and "Traceback" not in err
    assert (
        "column 'when': dates written day first (row 3: '13/01/2020') and month first "
        "(row 4: '01/14/2020') in one column" in err
    )
    assert "set 'dayfirst: true' or 'dayfirst: false' in the mapping" in err
    assert "row 2, column 'q'" not in err  # the scores are fine ...
    bad_score = tmp_path / "both.csv"
    bad_score.write_text(path.read_text().replace("1,9,", "1,9/10,"), encoding="utf-8")
    main(["import", str(bad_score), "-o", str(out), "--mapping", str(tmp_path / "mapping.yaml")])
    err = capsys.readouterr().err  # ... and every problem is listed at once
    assert "2 problem(s)" in err and "row 2, column 'q': '9/10' is not a score" in err
    assert "dates written day first" in err
    # an explicit order is followed; what contradicts it is listed, not guessed
    code = main([*args, str(mapping(tmp_path, score="q", submitted_at="when", dayfirst=True))])
    err = capsys.readouterr().err
    assert code == 2 and "row 4, column 'when': '01/14/2020' is not a date (read day first)" in err
    got, log = run_import(
        tmp_path, path, score="q", submitted_at="when", dayfirst=True, on_invalid="blank"
    )
    assert pd.to_datetime(got["submitted_at"]).dt.strftime("%d %b").fillna("").tolist() == [
        "05 Jan",
        "13 Jan",
        "",
        "02 Feb",
    ]
    assert log["blanked (on_invalid: blank)"] == {"when: not a date": 1}


def test_suggest_writes_the_detected_date_order(tmp_path, capsys):
    text, _ = day_first_column(200)
    path = tmp_path / "e.csv"
    pd.DataFrame({"Timestamp": text, "How likely to recommend": 9}).to_csv(path, index=False)
    assert main(["import", str(path), "--suggest"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("dayfirst:"))
    assert line.split("#")[0].strip() == "dayfirst: true" and "day first (row " in line
    assert yaml.safe_load(out)["dayfirst"] is True
    assert (
        main(["import", str(EXTERNAL / "google_forms_sudzilla" / "input_01.csv"), "--suggest"]) == 0
    )
    out = capsys.readouterr().out
    assert "# dayfirst: true or false? every date fits both orders" in out
    assert "dayfirst" not in yaml.safe_load(out)


# ------------------------------------------------------------ response ids (item 2)


def test_a_person_who_answered_two_waves_keeps_both(tmp_path):
    path = tmp_path / "waves.csv"
    path.write_text(
        "person,wave,q\nP1,2025-H2,9\nP2,2025-H2,4\nP1,2026-H1,6\nP1,2026-H1,8\n",
        encoding="utf-8",
    )
    got, log = run_import(
        tmp_path, path, score="q", respondent_id="person", wave={"column": "wave"}
    )
    assert got[["respondent_id", "wave", "score"]].values.tolist() == [
        ["P1", "2025-H2", 9],
        ["P2", "2025-H2", 4],
        ["P1", "2026-H1", 6],
        ["P1", "2026-H1", 8],
    ]
    assert got["response_id"].tolist() == ["waves-2", "waves-3", "waves-4", "waves-5"]
    assert log["dropped"]["duplicate response id"] == 0
    assert log["response_id"] == "derived from the file name and row"
    (tmp_path / "responses.csv").unlink()
    again, _ = run_import(tmp_path, path, score="q", respondent_id="person")
    assert again["response_id"].tolist() == got["response_id"].tolist()  # stable


def test_wide_export_ids_are_per_row_and_function(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("person,Finance,IT\nP1,9,3\nP1,7,\n", encoding="utf-8")
    got, _ = run_import(
        tmp_path, path, respondent_id="person", providers={"Finance": "Finance", "IT": "IT"}
    )
    assert sorted(got["response_id"]) == ["wide-2-Finance", "wide-2-IT", "wide-3-Finance"]


# ------------------------------------------------------------ actionable errors (item 6)


def error_export(tmp_path: Path, n_bad: int = 120) -> Path:
    """A Qualtrics export: 3 header rows, 2 preview rows, then answers with #ERROR! cells."""
    rows = [
        ["ResponseId", "Status", "Q1", "Q2"],
        ["Response ID", "Response Type", "How likely ...?", "Why?"],
        ['{"ImportId":"_recordId"}', '{"ImportId":"status"}', '{"ImportId":"QID1"}', "{}"],
        ["R_p1", "Survey Preview", "3", ""],
        ["R_p2", "Survey Preview", "4", ""],
    ]
    rows += [[f"R_{i}", "IP Address", "#ERROR!" if i < n_bad else "9", ""] for i in range(200)]
    path = tmp_path / "qualtrics.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def test_errors_are_capped_summarised_and_listed_in_full(tmp_path, capsys):
    path = error_export(tmp_path)
    out = tmp_path / "responses.csv"
    m = mapping(tmp_path, score="Q1", response_id="ResponseId")
    assert main(["import", str(path), "--mapping", str(m), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    shown = [x for x in err.splitlines() if x.startswith("  - row ")]
    assert len(shown) == 50 and "  ... and 70 more like this" in err
    # file rows: 3 header rows and 2 dropped previews counted, never renumbered
    assert shown[0] == "  - row 6, column 'Q1': '#ERROR!' is not a score on 0-10"
    assert "Summary by column and kind:\n  'Q1': not a score, 120 (rows 6-125)" in err
    problems_file = tmp_path / "responses.import-problems.csv"
    assert f"Full list: {problems_file}" in err and not out.exists()
    listed = pd.read_csv(problems_file)
    assert len(listed) == 120 and listed["row"].tolist() == list(range(6, 126))
    assert set(listed["value"]) == {"#ERROR!"} and set(listed["kind"]) == {"not a score"}


@pytest.mark.parametrize("how", ["blank", "drop"])
def test_on_invalid_blanks_or_drops_and_counts(tmp_path, capsys, how):
    path = error_export(tmp_path, n_bad=7)
    before = path.read_bytes()
    got, log = run_import(tmp_path, path, score="Q1", response_id="ResponseId", on_invalid=how)
    printed = capsys.readouterr().out
    assert path.read_bytes() == before
    assert len(got) == 193 and set(got["score"]) == {9}
    assert log["rows_read"] == 202 and log["problems"] == 7
    assert pd.read_csv(log["problems_file"])["row"].tolist() == list(range(6, 13))
    if how == "blank":
        assert log["ratings_without_score"] == 7 and log["responses_kept"] == 200
        assert log["blanked (on_invalid: blank)"] == {"Q1: not a score": 7}
        assert "Blanked (on_invalid: blank): 7 cell(s) of Q1: not a score." in printed
    else:
        assert log["dropped"]["unusable value (on_invalid: drop)"] == 7
        assert log["responses_kept"] == 193 == log["rows_read"] - 2 - 7


def test_on_invalid_must_be_known(tmp_path):
    with pytest.raises(im.ImportProblem, match="'on_invalid: skip' must be one of error, blank"):
        im.load_mapping(mapping(tmp_path, score="q", on_invalid="skip"))


def test_rows_are_file_lines_across_multiline_comments_and_blank_lines(tmp_path, capsys):
    path = tmp_path / "e.csv"
    path.write_text(
        'id,q,why\n1,9,"line one\nline two\nline three"\n\n2,9/10,ok\n', encoding="utf-8"
    )
    m = mapping(tmp_path, score="q", comment="why")
    assert main(["import", str(path), "--mapping", str(m), "-o", str(tmp_path / "o.csv")]) == 2
    assert "row 6, column 'q': '9/10' is not a score on 0-10" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8").splitlines()[5] == "2,9/10,ok"


def test_bad_score_scale_is_refused_when_the_mapping_is_read(tmp_path):
    with pytest.raises(im.ImportProblem, match="'score_scale: 1-5' must be 0-10 or 1-11"):
        im.load_mapping(mapping(tmp_path, score="q", score_scale="1-5"))


def test_damaged_workbook_and_missing_sheet_are_errors_not_tracebacks(tmp_path, capsys):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    good = tmp_path / "good.xlsx"
    pd.DataFrame({"q": [9]}).to_excel(good, index=False)
    for args, expected in (
        ([str(broken)], "not a workbook Excel can save"),
        ([str(good), "--sheet", "Answers"], "no sheet named 'Answers'; sheets are ['Sheet1']"),
    ):
        assert main(["import", *args, "--suggest"]) == 2
        err = capsys.readouterr().err
        assert expected in err and str(args[0]) in err and "Traceback" not in err


def test_a_close_call_between_code_pages_is_said_with_the_other_reading(tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes("id;funkce\n1;Účetnictví\n".encode("cp1250"))
    export = im.read_export(path)
    readings = {"cp1250": "Účetnictví", "cp1252": "Úèetnictví"}
    other = "cp1252" if export.encoding == "cp1250" else "cp1250"
    assert export.data["funkce"].iloc[0] == readings[export.encoding]
    assert export.encoding_source == (
        f"detected; {other} would read {readings[export.encoding]!r} as {readings[other]!r}"
    )
    forced = im.read_export(path, encoding="cp1250")
    assert forced.data["funkce"].iloc[0] == "Účetnictví" and forced.encoding_source == "mapping"


# ------------------------------------------------------------ --suggest and mapping checks (5, 8)

MATRIX = Path(__file__).parent / "fixtures" / "exports" / "qualtrics_matrix.csv"


def suggest(path: Path, capsys) -> tuple[str, dict]:
    assert main(["import", str(path), "--suggest"]) == 0
    out = capsys.readouterr().out
    return out, yaml.safe_load(out)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.mark.parametrize("name", ["Rating (Num)", "rating", "recomendation", "Q7"])
def test_suggest_chooses_the_score_by_its_values_never_a_text_column(tmp_path, capsys, name):
    path = write_csv(
        tmp_path / "e.csv",
        [
            ["Respondent", "How likely are you to recommend us", "NPS Type", name],
            ["P1", "Very likely", "Promoter", "9"],
            ["P2", "Not likely", "Detractor", "3"],
            ["P3", "Likely", "Passive", "7"],
            ["P4", "Very likely", "Promoter", "10"],
        ],
    )
    out, suggested = suggest(path, capsys)
    assert suggested["score"] == name and suggested["score_scale"] == "0-10"
    assert "NPS Type" not in out.split("score:")[1].splitlines()[0]


def test_suggest_finds_scores_in_the_shared_real_exports(capsys):
    expected = {
        EXTERNAL / "google_forms_sudzilla" / "input_02.csv": (SUDZILLA, "...why?", "2019-H2"),
        EXTERNAL / "qualtrics" / "sample.csv": ("Q1", "Q2", "2017-H2"),
        EXTERNAL / "qualtrics" / "sample_legacy.csv": ("Q1", "Q2", "2017-H2"),
    }
    for path, (score, comment, wave) in expected.items():
        _, suggested = suggest(path, capsys)
        assert (suggested["score"], suggested["comment"], suggested["wave"]) == (
            score,
            comment,
            wave,
        )
    # Snap: Q1 by its values (never the text NetEasyScore), the named comment first; its dates
    # fall in two half-years, so the wave is left to decide (never the sample's 2026-H1)
    out, suggested = suggest(
        EXTERNAL / "snap_nhsbsa" / "nhs_pensions_FIC_data.example.xlsm", capsys
    )
    assert suggested["score"] == "Q1" and suggested["comment"] == "Q2"
    assert suggested["wave"].startswith("CHOOSE") and "2021-H1: 6 dates, 2021-H2: 15" in out
    # Google Forms input_01: day and month both fit, so the wave depends on dayfirst
    out, suggested = suggest(EXTERNAL / "google_forms_sudzilla" / "input_01.csv", capsys)
    assert "read day first they fall in 2019-H1; read month first they fall in 2019-H2" in out
    assert suggested["wave"].startswith("CHOOSE")


def test_suggest_on_a_matrix_export_proposes_providers_function_consent_and_wave(capsys):
    out, suggested = suggest(MATRIX, capsys)
    assert suggested["providers"] == {
        "Q2_1": "Regulatory Affairs",
        "Q2_2": "Quality Assurance",
        "Q2_3": "IT",
    }
    assert "score" not in suggested and "provider_function" not in suggested
    assert suggested["respondent_function"] == {"column": "Q1"}
    assert suggested["ok_to_contact"] == {"column": "Q4"}
    assert suggested["comment"] == "Q3" and suggested["respondent_id"] == "ResponseId"
    assert suggested["wave"] == "2026-H1" and suggested["dayfirst"] is False
    assert suggested["not_applicable"] == ["Not applicable"]
    assert "IT, Quality Assurance, Regulatory Affairs" in out  # the function column's values


def test_a_suggested_matrix_mapping_imports_with_recode_and_not_applicable(tmp_path, capsys):
    out, suggested = suggest(MATRIX, capsys)
    suggested["recode"] = {"Regulatory Affairs": "Regulatory", "quality  assurance": "Quality"}
    m = tmp_path / "mapping.yaml"
    m.write_text(yaml.safe_dump(suggested), encoding="utf-8")
    dest = tmp_path / "responses.csv"
    assert main(["import", str(MATRIX), "--mapping", str(m), "-o", str(dest)]) == 0
    got = pd.read_csv(dest)
    log = json.loads(dest.with_suffix(".import-log.json").read_text())
    by = got.set_index(["respondent_id", "provider_function"])["score"].to_dict()
    assert by == {
        ("R_1", "Regulatory"): 3,
        ("R_1", "Quality"): 9,
        ("R_2", "Regulatory"): 10,
        ("R_2", "IT"): 7,
        ("R_4", "Regulatory"): 6,
        ("R_4", "Quality"): 8,
        ("R_4", "IT"): 2,
        ("R_5", "Regulatory"): 0,
        ("R_5", "Quality"): 9,
        ("R_5", "IT"): 9,
        ("R_6", "Quality"): 10,
        ("R_6", "IT"): 4,
    }
    assert set(got["respondent_function"]) == {"Regulatory", "Quality", "IT"}
    assert set(got["wave"]) == {"2026-H1"}
    assert got.groupby("respondent_id")["ok_to_contact"].first().to_dict() == {
        "R_1": True,
        "R_2": False,
        "R_4": True,
        "R_5": False,
        "R_6": True,
    }
    # 'Not applicable' is no answer: counted per column, never an error or a rating
    assert log["not_applicable (read as no answer)"] == {"Q2_1": 1, "Q2_2": 1, "Q2_3": 1}
    assert log["ratings_without_score"] == 3 and log["ratings_written"] == 12
    assert "problems" not in log
    # recode counted per rating written: provider (4 each) and respondent (R_1 2 + R_5 3; 2 + 2)
    assert log["recoded"] == {
        "Regulatory Affairs -> Regulatory": 4 + 5,
        "Quality Assurance -> Quality": 4 + 4,
    }
    assert log["recode labels not found"] == []


def test_without_not_applicable_those_answers_stop_the_import(tmp_path, capsys):
    _, suggested = suggest(MATRIX, capsys)
    del suggested["not_applicable"]
    m = tmp_path / "mapping.yaml"
    m.write_text(yaml.safe_dump(suggested), encoding="utf-8")
    code = main(["import", str(MATRIX), "--mapping", str(m), "-o", str(tmp_path / "r.csv")])
    err = capsys.readouterr().err
    assert code == 2 and "3 problem(s)" in err
    assert "row 9, column 'Q2_1': 'Not applicable' is not a score on 0-10" in err


def test_what_suggest_cannot_decide_is_refused_by_import_not_written(tmp_path, capsys):
    path = write_csv(tmp_path / "e.csv", [["Q7", "Why"], ["9", "Fast and kind"], ["4", "Slow"]])
    out, suggested = suggest(path, capsys)
    assert suggested["score"] == "Q7"
    for key in ("provider_function", "respondent_function", "wave"):
        assert suggested[key].startswith("CHOOSE:"), key
    m = tmp_path / "mapping.yaml"
    m.write_text(out, encoding="utf-8")
    dest = tmp_path / "r.csv"
    assert main(["import", str(path), "--mapping", str(m), "-o", str(dest)]) == 2
    err = capsys.readouterr().err
    assert "mapping.yaml: 3 problem(s); nothing was written" in err and "Traceback" not in err
    assert (
        '\'provider_function: CHOOSE: the function rated, {value: "Regulatory"} or '
        '{column: "..."}\' is not decided: replace it with {column: "..."} (a column of the '
        'export) or {value: "..."} (the same for every row)' in err
    )
    assert "'wave: CHOOSE: the wave, e.g. 2026-H1 (no dates to read it from)' is not decided" in err
    assert not dest.exists()


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("provider_function", "CHANGE ME", "provider_function"),
        ("provider_function", "change me (the function)", "provider_function"),
        ("wave", "TODO", "wave"),
        ("providers", {"q": "<function>"}, "providers.q"),
        ("recode", {"Regulatory Affairs": "..."}, "recode.Regulatory Affairs"),
    ],
)
def test_a_placeholder_is_refused_wherever_it_appears(tmp_path, field, value, key):
    path = tmp_path / "e.csv"
    path.write_text("q\n9\n", encoding="utf-8")
    with pytest.raises(im.ImportProblem) as err:
        im.load_mapping(mapping(tmp_path, score="q", **{field: value}))
    assert f"'{key}: " in str(err.value) and "is not decided" in str(err.value)
    with pytest.raises(im.ImportProblem, match="is not decided"):  # also for a mapping as a dict
        im.to_responses(im.read_export(path), {"score": "q", "wave": "W", field: value})


def test_a_bare_value_that_is_a_column_is_refused_with_a_hint(tmp_path, capsys):
    export = im.read_export(MATRIX)  # Q1: "Which function do you work in?"
    base = {"providers": {"Q2_3": "IT"}, "wave": "W", "not_applicable": ["Not applicable"]}
    for value in ("Q1", "q1", "Which function do you work in?"):
        with pytest.raises(im.ImportProblem) as err:
            im.to_responses(export, {**base, "respondent_function": value})
        assert f"mapping 'respondent_function: {value}' is a fixed value" in str(err.value)
        assert "did you mean {column: Q1}?" in str(err.value)
    got, _ = im.to_responses(export, {**base, "respondent_function": {"value": "Q1"}})
    assert set(got["respondent_function"]) == {"Q1"}  # the text itself, when asked for
    got, _ = im.to_responses(export, {**base, "respondent_function": {"column": "Q1"}})
    assert got[["respondent_function", "score"]].values.tolist() == [
        ["Quality Assurance", 7],
        ["IT", 2],
        ["Regulatory Affairs", 9],
        ["Quality Assurance", 4],
    ]
    m = tmp_path / "mapping.yaml"
    m.write_text(yaml.safe_dump({**base, "respondent_function": "Q1"}), encoding="utf-8")
    assert main(["import", str(MATRIX), "--mapping", str(m), "-o", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert "did you mean {column: Q1}?" in err and "Traceback" not in err


def test_recode_and_not_applicable_must_have_their_shape(tmp_path):
    with pytest.raises(im.ImportProblem) as err:
        im.load_mapping(mapping(tmp_path, score="q", recode=["Regulatory"], not_applicable=3))
    text = str(err.value)
    assert "'recode: ['Regulatory']' must be lines of 'survey label: function name'" in text
    assert "'not_applicable: 3' must be a list of answers read as no answer" in text


def test_suggest_says_when_a_file_is_long_and_when_consent_is_not_yes_no(tmp_path, capsys):
    long = write_csv(
        tmp_path / "long.csv",
        [
            ["respondent", "Question", "Answer"],
            ["P1", "Q1", "9"],
            ["P1", "Q2", "Quick"],
            ["P2", "Q1", "4"],
            ["P2", "Q2", "Slow"],
        ],
    )
    out, suggested = suggest(long, capsys)
    assert "long.csv is long: one row per answer ('Question' names the question" in out
    assert suggested["layout"] == "long" and suggested["respondent_id"] == "respondent"
    assert suggested["questions"] == {"Q1": "score"}  # one-word answers: no comment
    assert "  # not used: 'Q2'" in out
    consent = write_csv(
        tmp_path / "c.csv",
        [
            ["Department", "Likely to recommend", "May we contact you?"],
            ["Sales", "9", "Yes, please call me"],
            ["IT", "3", "No thanks"],
            ["Sales", "8", "No thanks"],
        ],
    )
    out, suggested = suggest(consent, capsys)
    assert "ok_to_contact" not in suggested
    assert "# ok_to_contact: {column: 'May we contact you?'} ? its answers" in out
    assert "only yes, y, true, 1, ja, oui count as consent" in out
    assert suggested["respondent_function"] == {"column": "Department"}


def test_suggest_proposes_a_wave_column_and_codes_1_to_11(tmp_path, capsys):
    path = write_csv(
        tmp_path / "e.csv",
        [["Wave", "Team", "nps"], ["2025-H2", "Sales", "11"], ["2026-H1", "IT", "1"]],
    )
    _, suggested = suggest(path, capsys)
    assert suggested["wave"] == {"column": "Wave"} and suggested["score_scale"] == "1-11"
    assert suggested["respondent_function"] == {"column": "Team"}


def test_suggest_takes_a_date_column_by_its_values_and_its_half_year_as_the_wave(tmp_path, capsys):
    path = write_csv(
        tmp_path / "e.csv",
        [
            ["Update frequency", "When", "Score"],
            ["Weekly", "14/05/2025 10:00", "9"],
            ["Monthly", "02/06/2025 11:30", "6"],
            ["Weekly", "03/01/2025 09:00", "10"],
        ],
    )
    out, suggested = suggest(path, capsys)
    assert suggested["submitted_at"] == "When" and suggested["dayfirst"] is True
    assert "day first (row 2: '14/05/2025 10:00')" in out
    assert suggested["wave"] == "2025-H1" and "(2025-01-03 to 2025-06-02)" in out


def test_import_prints_what_not_applicable_and_recode_did(tmp_path, capsys):
    _, suggested = suggest(MATRIX, capsys)
    suggested["recode"] = {"Regulatory Affairs": "Regulatory", "Finance dept": "Finance"}
    m = tmp_path / "mapping.yaml"
    m.write_text(yaml.safe_dump(suggested), encoding="utf-8")
    assert main(["import", str(MATRIX), "--mapping", str(m), "-o", str(tmp_path / "r.csv")]) == 0
    out = capsys.readouterr().out
    assert "Read as no answer (not_applicable): 1 in 'Q2_1', 1 in 'Q2_2', 1 in 'Q2_3'." in out
    assert "Recoded: Regulatory Affairs -> Regulatory (9 rating(s))." in out
    assert "recode: label(s) not found in the file: ['Finance dept']." in out


def test_a_suggestion_is_valid_yaml_whatever_the_columns_and_answers_hold(tmp_path, capsys):
    name = "Why? (it's free: say # anything)"
    path = write_csv(
        tmp_path / "e.csv",
        [
            ["Team: yours", "Likely to recommend", name],
            ["Sales\n(EMEA)", "9", "Line one\nline 'two': #3"],
            ["IT", "Not applicable", "Slow, and they never call back when they say so"],
            ["IT", "n/a - no contact", "ok"],
        ],
    )
    out, suggested = suggest(path, capsys)
    assert suggested["comment"] == name and suggested["score"] == "Likely to recommend"
    assert suggested["respondent_function"] == {"column": "Team: yours"}
    assert suggested["not_applicable"] == ["Not applicable", "n/a - no contact"]
    assert "# Sales (EMEA), IT" in out or "# IT, Sales (EMEA)" in out


@pytest.mark.parametrize(
    ("path", "score_column"),
    [
        (EXTERNAL / "google_forms_sudzilla" / "input_01.csv", SUDZILLA),
        (EXTERNAL / "google_forms_sudzilla" / "input_02.csv", SUDZILLA),
        (EXTERNAL / "qualtrics" / "sample.csv", "Q1"),
        (EXTERNAL / "snap_nhsbsa" / "nhs_pensions_FIC_data.example.xlsm", "Q1"),
    ],
)
def test_a_real_export_imports_once_what_suggest_left_open_is_decided(
    tmp_path, capsys, path, score_column
):
    _, suggested = suggest(path, capsys)
    m = tmp_path / "mapping.yaml"
    m.write_text(yaml.safe_dump(suggested), encoding="utf-8")
    dest = tmp_path / "r.csv"
    if any(str(v).startswith("CHOOSE") for v in suggested.values()):
        assert main(["import", str(path), "--mapping", str(m), "-o", str(dest)]) == 2
        assert "is not decided" in capsys.readouterr().err and not dest.exists()
    decided = {"provider_function": {"value": "Regulatory"}, "respondent_function": "Sales"}
    decided["wave"] = suggested["wave"] if "CHOOSE" not in str(suggested["wave"]) else "2026-H1"
    m.write_text(yaml.safe_dump({**suggested, **decided, "dayfirst": False}), encoding="utf-8")
    assert main(["import", str(path), "--mapping", str(m), "-o", str(dest)]) == 0
    got = pd.read_csv(dest)
    export = im.read_export(path)
    expected = [int(v) for v in export.data[score_column] if str(v).strip()]  # all plain numbers
    assert len(expected) >= 1 and sorted(got["score"]) == sorted(expected)
    assert set(got["provider_function"]) == {"Regulatory"} and set(got["respondent_function"]) == {
        "Sales"
    }


def test_a_bare_column_name_is_refused_on_a_real_export_too():
    export = im.read_export(EXTERNAL / "snap_nhsbsa" / "nhs_pensions_FIC_data.example.xlsm")
    m = {"score": "Q1", "wave": "2021-H1", "provider_function": "Pensions"}
    with pytest.raises(im.ImportProblem) as err:
        im.to_responses(export, {**m, "respondent_function": "NetEasyScore"})
    assert "did you mean {column: NetEasyScore}?" in str(err.value)
    assert str(err.value).startswith(f"{export.path}: 1 problem(s)")


def test_an_output_folder_that_is_not_there_and_a_table_validate_would_refuse_are_said(
    tmp_path, capsys, monkeypatch
):
    path = error_export(tmp_path, n_bad=0)
    m = mapping(tmp_path, score="Q1", response_id="ResponseId")
    missing = tmp_path / "nowhere" / "responses.csv"
    assert main(["import", str(path), "--mapping", str(m), "-o", str(missing)]) == 2
    assert "the folder" in capsys.readouterr().err and not missing.parent.exists()
    monkeypatch.setenv("KIT_MAX_TABLE_MB", "0.001")  # 1,000 bytes: the 200 ratings are more
    out = tmp_path / "responses.csv"
    assert main(["import", str(path), "--mapping", str(m), "-o", str(out)]) == 0
    said = capsys.readouterr().out
    size = out.stat().st_size / 1e6
    assert f"responses.csv is {size:.3g} MB, above the 0.001 MB kit validate" in said
    assert "KIT_MAX_TABLE_MB=<MB>" in said


def test_the_score_may_be_written_as_a_column_like_every_field(tmp_path):
    path = error_export(tmp_path, n_bad=3)
    kw = {"response_id": "ResponseId", "on_invalid": "drop"}
    plain, _ = run_import(tmp_path, path, score="Q1", **kw)
    (tmp_path / "responses.csv").rename(tmp_path / "plain.csv")
    written, _ = run_import(tmp_path, path, score={"column": "q1"}, **kw)
    assert len(written) == 197 and written["score"].tolist() == plain["score"].tolist()
