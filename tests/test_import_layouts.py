"""kit import's layouts: several files of one survey, long (question/answer) exports, several
comment columns, a matrix export's general comment kept once, the roster from the export's
names and e-mails (consenting respondents only), self-ratings, and the limits on what is read."""

from __future__ import annotations

import csv
import hashlib
import json
import time
import zipfile
from pathlib import Path

import pandas as pd
import yaml

from kit import importers as im
from kit.cli import main

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
MATRIX = EXPORTS / "qualtrics_matrix.csv"
LONG = EXPORTS / "long_matrix.csv"
CONTACTS = EXPORTS / "contacts_matrix.csv"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "external"
EXTERNAL = SHARED if SHARED.is_dir() else Path(__file__).parent / "fixtures" / "external"
SUDZILLA = "On a scale of 0-10, how would you rate Sudzilla?"


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def write_mapping(folder: Path, fields: dict) -> Path:
    path = folder / "mapping.yaml"
    path.write_text(yaml.safe_dump(fields, allow_unicode=True), encoding="utf-8")
    return path


def kit_import(folder: Path, files: list[Path], fields: dict, capsys) -> tuple[int, str, str]:
    out = folder / "out" / "responses.csv"
    out.parent.mkdir(exist_ok=True)
    m = write_mapping(folder, fields)
    code = main(["import", *map(str, files), "--mapping", str(m), "-o", str(out)])
    printed = capsys.readouterr()
    return code, printed.out, printed.err


def written(folder: Path) -> tuple[pd.DataFrame, dict]:
    out = folder / "out" / "responses.csv"
    log = json.loads(out.with_suffix(".import-log.json").read_text())
    return pd.read_csv(out, keep_default_na=False), log


BASE = {"wave": "2026-H1", "respondent_function": {"column": "Team"}, "score": "Likely"}


def survey_part(path: Path, rows: list[list[str]]) -> Path:
    return write_csv(path, [["Team", "Likely", "Why"], *rows])


# ---------------------------------------------------------------- several files


def test_several_files_are_appended_with_their_source_and_counted_per_file(tmp_path, capsys):
    a = survey_part(tmp_path / "wave.csv", [["Sales", "9", "Quick"], ["IT", "n/a", ""]])
    b = tmp_path / "wave.xlsx"  # same stem: the ids must still differ
    pd.DataFrame(
        {"Team": ["Sales", "Sales", "IT"], "Likely": [3, 10, 7], "Why": ["Slow", "", "Fine"]}
    ).to_excel(b, index=False)
    fields = {**BASE, "provider_function": "Finance", "comment": "Why"}
    code, out, err = kit_import(tmp_path, [a, b], fields, capsys)
    assert code == 0, err
    got, log = written(tmp_path)
    assert got[["source_file", "score", "comment"]].values.tolist() == [
        ["wave.csv", 9, "Quick"],
        ["wave.xlsx", 3, "Slow"],
        ["wave.xlsx", 10, ""],
        ["wave.xlsx", 7, "Fine"],
    ]
    assert got["response_id"].tolist() == [
        "wave.csv-2",
        "wave.xlsx-2",
        "wave.xlsx-3",
        "wave.xlsx-4",
    ]
    assert [(f["rows_read"], f["responses_kept"]) for f in log["per_file"]] == [(2, 2), (3, 3)]
    assert log["rows_read"] == 5 and log["ratings_written"] == 4
    assert log["ratings_without_score"] == 1  # the 'n/a' of wave.csv
    assert "wave.csv (generic; utf-8 (valid UTF-8), delimiter ','" in out
    assert "wave.xlsx (generic; Excel workbook): 3 responses read, 3 kept; dropped: none." in out
    assert "4 rating(s) written to" in out


def test_each_file_whose_columns_differ_gets_its_own_error_and_nothing_is_written(tmp_path, capsys):
    good = survey_part(tmp_path / "a.csv", [["Sales", "9", ""]])
    renamed = write_csv(tmp_path / "b.csv", [["Team", "Score", "Why"], ["IT", "8", ""]])
    short = write_csv(tmp_path / "c.csv", [["Team", "Likely"], ["IT", "eight", ""]])
    fields = {**BASE, "provider_function": "Finance", "comment": "Why"}
    code, _, err = kit_import(tmp_path, [good, renamed, short], fields, capsys)
    assert code == 2
    assert "3 files (a.csv, b.csv, c.csv): 2 problem(s); nothing was written" in err
    assert "b.csv: mapping 'score': no column named 'Likely'" in err
    assert "c.csv: mapping 'comment': no column named 'Why'" in err
    assert "c.csv: row 2, column 'Likely': 'eight' is not a score" not in err  # mapping first
    assert not (tmp_path / "out" / "responses.csv").exists()


def test_problems_of_several_files_are_named_by_file_in_the_summary_and_list(tmp_path, capsys):
    a = survey_part(tmp_path / "a.csv", [["Sales", "9", ""], ["IT", "9/10", ""]])
    b = survey_part(tmp_path / "b.csv", [["IT", "08:21", ""]])
    code, _, err = kit_import(tmp_path, [a, b], {**BASE, "provider_function": "HR"}, capsys)
    assert code == 2
    assert "a.csv: row 3, column 'Likely': '9/10' is not a score on 0-10" in err
    assert "b.csv: row 2, column 'Likely': '08:21' is not a score on 0-10" in err
    listed = pd.read_csv(tmp_path / "out" / "responses.import-problems.csv")
    assert [(Path(f).name, r) for f, r in zip(listed["file"], listed["row"], strict=True)] == [
        ("a.csv", 3),
        ("b.csv", 2),
    ]


def test_a_response_id_in_two_files_is_kept_once_and_counted(tmp_path, capsys):
    header = ["Id", "Team", "Likely"]
    a = write_csv(tmp_path / "march.csv", [header, ["R1", "IT", "9"], ["R2", "IT", "4"]])
    b = write_csv(tmp_path / "april.csv", [header, ["R2", "IT", "4"], ["R3", "HR", "10"]])
    fields = {**BASE, "provider_function": "Finance", "response_id": "Id"}
    assert kit_import(tmp_path, [a, b], fields, capsys)[0] == 0
    got, log = written(tmp_path)
    assert got["response_id"].tolist() == ["R1", "R2", "R3"]
    assert [f["dropped"]["duplicate response id"] for f in log["per_file"]] == [0, 1]
    assert log["dropped"]["duplicate response id"] == 1


def test_the_same_file_twice_is_refused(tmp_path, capsys):
    a = survey_part(tmp_path / "a.csv", [["Sales", "9", ""]])
    code, _, err = kit_import(tmp_path, [a, a], {**BASE, "provider_function": "HR"}, capsys)
    assert code == 2 and "is given 2 times: give each file once" in err


def test_suggest_with_several_files_suggests_from_the_first_and_says_so(tmp_path, capsys):
    a = survey_part(tmp_path / "a.csv", [["Sales", "9", "Quick help"]])
    b = write_csv(tmp_path / "b.csv", [["Other"], ["x"]])
    assert main(["import", str(a), str(b), "--suggest"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Suggested from a.csv, the first of 2 files;")
    assert yaml.safe_load(out)["score"] == "Likely"


def test_the_two_shared_google_forms_files_import_together(tmp_path, capsys):
    files = [EXTERNAL / "google_forms_sudzilla" / n for n in ("input_01.csv", "input_02.csv")]
    fields = {
        "score": SUDZILLA,
        "comment": "...why?",
        "submitted_at": "Timestamp",
        "dayfirst": False,
        "wave": "2019-H2",
        "respondent_function": "Attendees",
        "provider_function": "Sudzilla",
    }
    code, out, err = kit_import(tmp_path, files, fields, capsys)
    assert code == 0, err
    assert "Dates read month first (mapping)." in out  # said once: both files alike
    got, log = written(tmp_path)
    for path in files:  # each file's scores as a hand count reads them
        with path.open(encoding="utf-8-sig", newline="") as f:
            expected = [int(r[SUDZILLA]) for r in csv.DictReader(f) if r[SUDZILLA].strip()]
        assert got.loc[got["source_file"] == path.name, "score"].tolist() == expected
    assert [f["rows_read"] for f in log["per_file"]] == [39, 39]
    assert got["response_id"].is_unique and got["response_id"].iloc[0] == "input_01-2"
    assert set(pd.to_datetime(got["submitted_at"]).dt.month) == {11}  # November 2019 in both


# ---------------------------------------------------------------- long layout

LONG_MAPPING = {
    "layout": "long",
    "question": {"column": "question_id"},
    "answer": {"column": "answer_text"},
    "respondent_id": "respondent",
    "questions": {
        "Q1_REG": {"score": "Regulatory"},
        "Q1_IT": {"score": "IT"},
        "Q2": "comment",
        "Q3": "comment",
        "Q4": "ok_to_contact",
    },
    "respondent_function": {"column": "department"},
    "submitted_at": "submitted",
    "wave": "2026-H1",
    "not_applicable": ["Not applicable"],
    "recode": {"Regulatory Affairs": "Regulatory"},
}


def test_a_long_matrix_export_is_pivoted_to_one_row_per_respondent(tmp_path, capsys):
    code, out, err = kit_import(tmp_path, [LONG], LONG_MAPPING, capsys)
    assert code == 0, err
    got, log = written(tmp_path)
    by = got.set_index(["respondent_id", "provider_function"])["score"].to_dict()
    assert by == {
        ("P1", "Regulatory"): 3,
        ("P1", "IT"): 9,
        ("P2", "Regulatory"): 10,
        ("P2", "IT"): 8,
        ("P3", "IT"): 2,
    }
    assert got.groupby("respondent_id")["respondent_function"].first().to_dict() == {
        "P1": "Regulatory",
        "P2": "IT",
        "P3": "Quality",
    }
    assert got.groupby("respondent_id")["ok_to_contact"].first().to_dict() == {
        "P1": True,
        "P2": False,
        "P3": True,
    }
    assert set(got["comment"]) == {""}  # a general comment is not copied onto each rating
    assert log["long layout"] == {
        "answers read": 14,
        "answers used": 13,
        "answers to questions not in 'questions:'": 1,
        "rows without a question": 0,
        "respondents": 3,
    }
    assert log["rows_read"] == 3 and log["ratings_without_score"] == 1
    assert "Long layout: 13 of 14 answers pivoted to 3 respondents; 1 answer(s)" in out
    comments = pd.read_csv(tmp_path / "out" / "comments.csv")
    assert comments.set_index("respondent_id")["comment"].to_dict() == {
        "P1": "What works well?: Fast answers on the service desk.\n"
        "What should change?: Approvals take weeks.",
        "P2": "What works well?: Good partners on audits.",
        "P3": "What should change?: The ticket queue is slow.",
    }
    # two self-ratings: P1 (Regulatory Affairs, recoded) rates Regulatory, P2 (IT) rates IT
    assert log["self_ratings"] == 2
    assert "2 self-rating(s) kept (IT 1, Regulatory 1)" in out


def test_two_answers_to_one_question_name_both_lines(tmp_path, capsys):
    rows = LONG.read_text(encoding="utf-8").splitlines()
    twice = tmp_path / "long.csv"
    twice.write_text("\n".join([*rows, "P2,IT,2026-03-03,Q1_IT,How likely?,3"]) + "\n")
    code, _, err = kit_import(tmp_path, [twice], LONG_MAPPING, capsys)
    assert code == 2
    assert "rows 8 and 16: respondent 'P2' answered 'Q1_IT' 2 times" in err


def test_a_bad_answer_in_a_long_export_is_named_by_its_own_line(tmp_path, capsys):
    bad = tmp_path / "long.csv"
    bad.write_text(LONG.read_text(encoding="utf-8").replace("- IT,8", "- IT,08:21"))
    code, _, err = kit_import(tmp_path, [bad], LONG_MAPPING, capsys)
    assert code == 2 and "row 8, column 'Q1_IT': '08:21' is not a score on 0-10" in err


def test_a_long_mapping_names_what_is_missing_or_not_in_the_file(tmp_path, capsys):
    fields = {**LONG_MAPPING, "questions": {"Q1": "score", "Q2": "rating"}}
    del fields["answer"]
    code, _, err = kit_import(tmp_path, [LONG], fields, capsys)
    assert code == 2
    assert "'layout: long' needs 'answer:' (the column holding the answer)" in err
    assert "'questions: Q2: rating': a question answers one of score, comment" in err
    fields = {**LONG_MAPPING, "questions": {"Q7": {"score": "IT"}}}
    code, _, err = kit_import(tmp_path, [LONG], fields, capsys)
    assert code == 2 and "no question 'Q7' in column 'question_id'" in err


def test_suggest_on_a_long_export_writes_the_pivot_mapping_that_then_imports(tmp_path, capsys):
    assert main(["import", str(LONG), "--suggest"]) == 0
    out = capsys.readouterr().out
    suggested = yaml.safe_load(out)
    assert suggested["layout"] == "long"
    assert suggested["question"] == {"column": "question_id"}
    assert suggested["answer"] == {"column": "answer_text"}
    assert suggested["respondent_id"] == "respondent"
    assert suggested["questions"] == {
        "Q1_REG": {"score": "Regulatory Affairs"},  # a matrix: question texts '... - IT'
        "Q1_IT": {"score": "IT"},
        "Q4": "ok_to_contact",
        "Q2": "comment",
    }
    assert "  # not used: 'Q3', 'Q9'" in out  # the questions it did not place are named
    assert suggested["respondent_function"] == {"column": "department"}
    assert suggested["wave"] == "2026-H1"
    assert "provider_function" not in suggested and suggested["not_applicable"] == [
        "Not applicable"
    ]
    suggested["questions"]["Q3"] = "comment"  # the person adds the second comment question
    code, _, err = kit_import(tmp_path, [LONG], suggested, capsys)
    assert code == 0, err
    got, _ = written(tmp_path)
    assert len(got) == 5 and sorted(got["score"]) == [2, 3, 8, 9, 10]


# ---------------------------------------------------------------- comments


def test_several_comment_columns_are_joined_with_their_questions(tmp_path, capsys):
    rows = [
        ["Team", "Likely", "What works well?", "What should change?"],
        ["Sales", "9", "Quick answers", "Nothing"],
        ["IT", "4", "", "Call back\nwhen you say you will"],
        ["HR", "7", "", ""],
    ]
    path = write_csv(tmp_path / "e.csv", rows)
    fields = {
        **BASE,
        "provider_function": "Finance",
        "comment": ["What works well?", {"column": "What should change?"}],
    }
    assert kit_import(tmp_path, [path], fields, capsys)[0] == 0
    got, _ = written(tmp_path)
    assert got["comment"].tolist() == [
        "What works well?: Quick answers\nWhat should change?: Nothing",
        "What should change?: Call back\nwhen you say you will",
        "",
    ]
    fields["comment"] = "What works well?"  # one column: as it is, no label
    (tmp_path / "out").rename(tmp_path / "first")
    assert kit_import(tmp_path, [path], fields, capsys)[0] == 0
    assert written(tmp_path)[0]["comment"].tolist() == ["Quick answers", "", ""]


def test_a_matrix_exports_general_comment_is_kept_once_per_respondent(tmp_path, capsys):
    fields = {
        "providers": {"Q2_1": "Regulatory Affairs", "Q2_2": "Quality Assurance", "Q2_3": "IT"},
        "respondent_function": {"column": "Q1"},
        "respondent_id": "ResponseId",
        "ok_to_contact": {"column": "Q4"},
        "comment": "Q3",
        "wave": "2026-H1",
        "not_applicable": ["Not applicable"],
    }
    code, out, err = kit_import(tmp_path, [MATRIX], fields, capsys)
    assert code == 0, err
    got, log = written(tmp_path)
    assert set(got["comment"]) == {""} and len(got) == 12
    comments = pd.read_csv(tmp_path / "out" / "comments.csv", keep_default_na=False)
    assert list(comments.columns) == [
        "comment_id",
        "wave",
        "respondent_id",
        "respondent_function",
        "comment",
        "ok_to_contact",
        "contact_id",
    ]
    assert comments[["comment_id", "respondent_id", "ok_to_contact"]].values.tolist() == [
        ["qualtrics_matrix-4", "R_1", True],
        ["qualtrics_matrix-5", "R_2", False],
        ["qualtrics_matrix-7", "R_4", True],
        ["qualtrics_matrix-9", "R_6", True],
    ]  # R_3 is a preview (dropped), R_5 left no comment
    assert comments.at[2, "comment"] == "The IT ticket queue is slow and nobody calls back."
    assert log["general comments"] == 4
    assert log["comments_file"] == str(tmp_path / "out" / "comments.csv")
    assert "4 general comment(s) written to" in out and "comments.csv, once per respondent" in out
    # a second import beside it refuses to overwrite comments.csv, and writes nothing
    (tmp_path / "out" / "responses.csv").rename(tmp_path / "out" / "before.csv")
    code, _, err = kit_import(tmp_path, [MATRIX], fields, capsys)
    assert code == 2 and "comments.csv exists" in err
    assert not (tmp_path / "out" / "responses.csv").exists()


# ---------------------------------------------------------------- roster and per-function comments

CONTACT_MAPPING = {
    "providers": {"Rating - Regulatory": "Regulatory", "Rating - IT": "IT"},
    "provider_comments": {"Comment on Regulatory": "Regulatory", "Comment on IT": "IT"},
    "comment": "Anything else?",
    "response_id": "Response ID",
    "respondent_function": {"column": "Department"},
    "ok_to_contact": {"column": "May we contact you?"},
    "contact_name": "Your name",
    "contact_email": "Your e-mail",
    "wave": "2026-H1",
}


def contact_id(email: str) -> str:
    return "c-" + hashlib.sha256(email.encode()).hexdigest()[:10]


def test_the_roster_lists_consenting_respondents_once_and_nobody_else(tmp_path, capsys):
    code, out, err = kit_import(tmp_path, [CONTACTS], CONTACT_MAPPING, capsys)
    assert code == 0, err
    got, log = written(tmp_path)
    roster = pd.read_csv(tmp_path / "out" / "roster.csv", keep_default_na=False)
    anna, eve = contact_id("anna.novak@example.com"), contact_id("eve.stone@example.com")
    assert roster.values.tolist() == [
        [anna, "Anna Novak", "anna.novak@example.com", "Finance"],
        [eve, "Eve Stone", "eve.stone@example.com", "Regulatory"],
    ]  # R1 and R3 are one person (the address in other case); R4 gave no address
    ids = got.groupby("response_id")["contact_id"].first().to_dict()
    assert ids == {
        "R1-Regulatory": anna,
        "R1-IT": anna,
        "R2-Regulatory": "",
        "R3-Regulatory": anna,
        "R3-IT": anna,
        "R4-Regulatory": "",
        "R4-IT": "",
        "R5-Regulatory": "",
        "R5-IT": "",
        "R6-Regulatory": eve,
        "R6-IT": eve,
    }
    assert log["roster"] == {
        "people": 2,
        "consenting without a name or id (not contacted)": 1,
        "people with several functions (latest kept)": 0,
    }
    assert "Roster: 2 consenting person(s) written to" in out
    assert log["roster_file"] == str(tmp_path / "out" / "roster.csv")
    # the names and e-mails of those who did not consent (and of R4, not listed) go nowhere
    for path in (tmp_path / "out").iterdir():
        text = path.read_text(encoding="utf-8").lower()
        for secret in ("ben ortiz", "ben.ortiz", "dana weiss", "dana.weiss", "chen li"):
            assert secret not in text, (secret, path.name)


def test_per_function_comments_go_on_that_functions_rating(tmp_path, capsys):
    assert kit_import(tmp_path, [CONTACTS], CONTACT_MAPPING, capsys)[0] == 0
    got, log = written(tmp_path)
    comment = got.set_index("response_id")["comment"].to_dict()
    assert comment["R1-Regulatory"] == "Quick approvals"
    assert comment["R1-IT"] == "Tickets wait for days"
    assert comment["R3-IT"] == "Still slow" and comment["R3-Regulatory"] == ""
    assert comment["R6-IT"] == "Eve likes the desk"
    general = pd.read_csv(tmp_path / "out" / "comments.csv")
    assert general.set_index("comment_id")["comment"].to_dict() == {
        "R1": "Thanks for asking",
        "R4": "Good survey",
        "R5": "Please keep it short",
    }
    assert log["self_ratings"] == 3  # R4 and R5 (IT) rate IT, R6 (Regulatory) Regulatory


def test_two_names_for_one_email_are_refused_naming_the_rows(tmp_path, capsys):
    changed = tmp_path / "contacts.csv"
    changed.write_text(CONTACTS.read_text(encoding="utf-8").replace("ANNA NOVAK", "Anna Nowak"))
    code, _, err = kit_import(tmp_path, [changed], CONTACT_MAPPING, capsys)
    assert code == 2
    assert (
        f"contact '{contact_id('anna.novak@example.com')}' has 2 names (contacts.csv, row 2: "
        "'Anna Novak'; contacts.csv, row 4: 'Anna Nowak')"
    ) in err
    assert not (tmp_path / "out" / "roster.csv").exists()


def test_an_existing_roster_is_never_overwritten(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "roster.csv").write_text("contact_id,name,email,function\n")
    code, _, err = kit_import(tmp_path, [CONTACTS], CONTACT_MAPPING, capsys)
    assert code == 2 and "roster.csv exists" in err
    assert (tmp_path / "out" / "roster.csv").read_text() == "contact_id,name,email,function\n"
    assert not (tmp_path / "out" / "responses.csv").exists()


def test_a_roster_without_consent_mapped_is_refused(tmp_path, capsys):
    fields = {k: v for k, v in CONTACT_MAPPING.items() if k != "ok_to_contact"}
    code, _, err = kit_import(tmp_path, [CONTACTS], fields, capsys)
    assert code == 2 and "map 'ok_to_contact' too (nobody is listed without consent)" in err


# ---------------------------------------------------------------- limits


def test_a_binary_file_is_refused_naming_it_and_what_was_expected(tmp_path, capsys):
    png = tmp_path / "chart.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    zipped = tmp_path / "export.csv"
    zipped.write_bytes(b"PK\x03\x04" + bytes(200))
    fake = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("notes.txt", "not a workbook")
    assert main(["import", str(fake), "--suggest"]) == 2
    err = capsys.readouterr().err
    assert str(fake) in err and "this is a zip archive but not an Excel workbook" in err
    raw = tmp_path / "dump.csv"
    raw.write_bytes(b"Team,Likely\nSales,9\x00\x00\x01\n")
    for path, what in (
        (png, "this is a PNG image, not a survey export"),
        (zipped, "this is a zip archive, not a survey export"),
        (raw, "holds binary data (a zero byte at byte 19)"),
    ):
        assert main(["import", str(path), "--suggest"]) == 2
        err = capsys.readouterr().err
        assert str(path) in err and what in err
        assert "expected CSV or TSV text, or an Excel workbook (.xlsx, .xlsm)" in err


def test_a_cell_over_100000_characters_is_refused_with_row_column_and_length(tmp_path, capsys):
    path = write_csv(
        tmp_path / "e.csv",
        [["Team", "Likely", "Why"], ["Sales", "9", "ok"], ["IT", "3", "x" * 300_000]],
    )
    started = time.perf_counter()
    assert main(["import", str(path), "--suggest"]) == 2
    assert time.perf_counter() - started < 10
    err = capsys.readouterr().err
    assert "row 3, column 'Why': a cell of 300,000 characters (the kit reads cells of up to" in err
    big = tmp_path / "big.csv"  # the fast reader of large files says the same
    big.write_text("Team,Likely,Why\n" + "Sales,9,ok\n" * 100_000 + "IT,3," + "y" * 200_000 + "\n")
    assert main(["import", str(big), "--suggest"]) == 2
    assert "row 100002, column 'Why': a cell of 200,000 characters" in capsys.readouterr().err


def test_an_export_over_the_size_limit_is_refused_before_it_is_read(tmp_path, capsys):
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:  # a sparse file: nothing is written, nothing must be read
        f.truncate(im.MAX_EXPORT_BYTES + 1)
    started = time.perf_counter()
    assert main(["import", str(path), "--suggest"]) == 2
    assert time.perf_counter() - started < 2
    err = capsys.readouterr().err
    assert "the file is 30.0 MB; the kit reads exports of up to 30 MB" in err
    assert "kit import A.csv B.csv" in err


def test_a_large_file_read_fast_keeps_file_rows_and_multiline_comments(tmp_path):
    body = "".join(f"R{i},Sales,{i % 11}\n" for i in range(100_000))
    fast = tmp_path / "fast.csv"
    fast.write_text("Id,Team,Likely\n" + body)
    assert fast.stat().st_size > 1_000_000  # read by pandas' C parser
    export = im.read_export(fast)
    assert len(export.data) == 100_000 and export.data.index[0] == 2
    assert export.data.loc[100_001, ["Id", "Likely"]].tolist() == ["R99999", "9"]
    spanning = tmp_path / "spanning.csv"  # a quoted line break: read record by record
    spanning.write_text('Id,Team,Likely\nX,"Sales\nand more",9\n' + body)
    export = im.read_export(spanning)
    assert export.data.loc[2, "Team"] == "Sales\nand more"
    assert export.data.loc[4, "Id"] == "R0" and export.data.loc[100_003, "Id"] == "R99999"


def test_two_matrix_files_keep_each_general_comments_source(tmp_path, capsys):
    first, second = tmp_path / "march.csv", tmp_path / "april.csv"
    first.write_bytes(MATRIX.read_bytes())
    second.write_bytes(MATRIX.read_bytes().replace(b"R_", b"S_"))
    fields = {
        "providers": {"Q2_1": "Regulatory Affairs", "Q2_2": "Quality Assurance", "Q2_3": "IT"},
        "respondent_function": {"column": "Q1"},
        "respondent_id": "ResponseId",
        "comment": "Q3",
        "wave": "2026-H1",
        "not_applicable": ["Not applicable"],
    }
    code, out, err = kit_import(tmp_path, [first, second], fields, capsys)
    assert code == 0, err
    comments = pd.read_csv(tmp_path / "out" / "comments.csv", keep_default_na=False)
    assert comments[["comment_id", "source_file"]].values.tolist() == [
        ["march-4", "march.csv"],
        ["march-5", "march.csv"],
        ["march-7", "march.csv"],
        ["march-9", "march.csv"],
        ["april-4", "april.csv"],
        ["april-5", "april.csv"],
        ["april-7", "april.csv"],
        ["april-9", "april.csv"],
    ]
    assert set(comments["ok_to_contact"]) == {False}  # consent not mapped: nobody contacted
    assert "8 general comment(s) written to" in out
    got, log = written(tmp_path)
    assert len(got) == 24 and log["general comments"] == 8
    assert [f["dropped"] for f in log["per_file"]] == [
        {"preview or test": 1, "duplicate response id": 0}
    ] * 2


def test_providers_or_drivers_not_given_as_lines_are_refused(tmp_path, capsys):
    fields = {**BASE, "providers": ["Likely"], "drivers": "Likely"}
    del fields["score"]
    path = survey_part(tmp_path / "a.csv", [["Sales", "9", ""]])
    code, _, err = kit_import(tmp_path, [path], fields, capsys)
    assert code == 2 and "Traceback" not in err
    assert "'providers: ['Likely']' must be lines of 'score column: function'" in err
    assert "'drivers: Likely' must be lines of 'driver: column'" in err


def test_suggest_proposes_function_comments_the_general_comment_and_the_roster(tmp_path, capsys):
    assert main(["import", str(CONTACTS), "--suggest"]) == 0
    out = capsys.readouterr().out
    suggested = yaml.safe_load(out)
    assert suggested["provider_comments"] == CONTACT_MAPPING["provider_comments"]
    assert suggested["comment"] == "Anything else?"
    assert (suggested["contact_name"], suggested["contact_email"]) == ("Your name", "Your e-mail")
    assert suggested["ok_to_contact"] == {"column": "May we contact you?"}
    suggested["wave"] = "2026-H1"  # the one thing it could not decide
    assert kit_import(tmp_path, [CONTACTS], suggested, capsys)[0] == 0
    roster = pd.read_csv(tmp_path / "out" / "roster.csv")
    assert roster["name"].tolist() == ["Anna Novak", "Eve Stone"]
    # without a consent column the roster lines are offered commented out, never active
    no_consent = tmp_path / "no_consent.csv"
    pd.read_csv(CONTACTS).drop(columns="May we contact you?").to_csv(no_consent, index=False)
    assert main(["import", str(no_consent), "--suggest"]) == 0
    out = capsys.readouterr().out
    assert "contact_name" not in yaml.safe_load(out)
    assert "# contact_name: 'Your name'" in out and "needs ok_to_contact (consent)" in out


# ---------------------------------------------------------------- the import's files and summary


def test_write_import_and_its_summary_are_what_kit_import_writes_and_says(tmp_path, capsys):
    code, out, err = kit_import(tmp_path, [CONTACTS], CONTACT_MAPPING, capsys)
    assert code == 0, err
    mapping = im.load_mapping(tmp_path / "mapping.yaml")  # as kit import read it
    got = im.import_exports([im.read_export(CONTACTS)], mapping)
    (tmp_path / "again").mkdir()
    files = im.import_files(tmp_path / "again" / "responses.csv")
    assert [p.name for p in files] == [
        "responses.csv",
        "comments.csv",
        "roster.csv",
        "responses.import-problems.csv",
        "responses.import-log.json",
    ]
    before = json.dumps(got.log, sort_keys=True)
    log = im.write_import(got, files)
    assert json.dumps(got.log, sort_keys=True) == before  # the import's own log is left as it was
    named = {"comments_file": str(files.comments), "roster_file": str(files.roster)}
    assert log == {**got.log, **named}
    assert json.loads(files.log.read_text(encoding="utf-8")) == log
    for name in ("responses.csv", "comments.csv", "roster.csv"):  # the same bytes as kit import's
        assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "out" / name).read_bytes()
    assert sorted(p.name for p in (tmp_path / "again").iterdir()) == sorted(
        p.name for p in (tmp_path / "out").iterdir()
    )  # nothing left aside (no .partial file)
    lines = im.import_summary(got, files)
    assert "\n".join(lines) + "\n" == out.replace(str(tmp_path / "out"), str(tmp_path / "again"))
    assert lines[0].startswith("contacts_matrix.csv (generic; utf-8 (valid UTF-8)")
    # 6 respondents rate 2 functions: R2 left IT blank
    assert lines[1] == f"11 rating(s) written to {files.responses} (1 rating(s) without a score)."
    assert lines[-1] == f"Log: {files.log}"


def test_the_summary_says_a_table_above_the_size_kit_validate_reads(tmp_path, monkeypatch):
    got = im.import_exports([im.read_export(CONTACTS)], CONTACT_MAPPING)
    files = im.import_files(tmp_path / "responses.csv")
    im.write_import(got, files)
    size = files.responses.stat().st_size  # the largest of the three tables written
    monkeypatch.setenv("KIT_MAX_TABLE_MB", str((size - 1) / 1e6))
    said = [line for line in im.import_summary(got, files) if " MB, above the " in line]
    assert said == [
        f"responses.csv is {size / 1e6:.3g} MB, above the {(size - 1) / 1e6:.3g} MB kit validate "
        "and kit report read by default: set KIT_MAX_TABLE_MB=<MB> when you run them."
    ]


def test_every_file_that_cannot_be_read_is_named_at_once_and_nothing_is_written(tmp_path, capsys):
    good = survey_part(tmp_path / "a.csv", [["Sales", "9", ""]])
    png = tmp_path / "chart.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    gone = tmp_path / "gone.csv"
    fields = {**BASE, "provider_function": "Finance"}
    code, _, err = kit_import(tmp_path, [good, png, gone], fields, capsys)
    assert code == 2
    assert f"{png}: 1 problem(s); nothing was written" in err and "this is a PNG image" in err
    assert f"{gone}: no such file" in err
    assert list((tmp_path / "out").iterdir()) == []
