"""kit import-register: stakeholder registers typed in Excel, made by hand here with openpyxl."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from kit import registers as rg
from kit.cli import main
from kit.config import SAMPLE_CONFIG, SAMPLE_DIR
from kit.data import validate

FIXTURES = Path(__file__).parent / "fixtures" / "registers"
HEADER = ["Name", "Department", "Job title", "Line manager", "Influence", "Interest", "Owner"]


def workbook(path: Path, rows: list[list], *, title: bool = True, sheet: str = "Register") -> Path:
    """An xlsx as people type one: a title and a date above the header, then ``rows``."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append(["Stakeholder register: Acme Logistics"])
        ws.append(["Last updated", "2026-03-03"])
        ws.append([])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def sample_as_excel(path: Path) -> tuple[Path, pd.DataFrame]:
    """The sample's register as a client would keep it: names instead of ids (in other case and
    spacing), labels instead of 2-5, Yes/No/Y/N, engagement words in any case, each function
    typed once for its block of rows, a blank row, an extra column; and the sample itself."""
    s = pd.read_csv(SAMPLE_DIR / "stakeholders.csv", dtype=str, keep_default_na=False)
    name = dict(zip(s["stakeholder_id"], s["name"], strict=True))
    label = {"1": 1, "2": "Low", "3": "medium", "4": "HIGH", "5": "Very  high"}
    rows = [
        ["Ref", "Name", "Job title", "Department", "Grade", "Reports to", "Influence (1-5)"]
        + ["Interest", "Power?", "Legitimacy", "Urgency", "Current engagement"]
        + ["Desired engagement", "Relationship owner", "Notes"]
    ]
    previous = None
    for i, r in enumerate(s.itertuples()):
        rows.append(
            [
                r.stakeholder_id,
                r.name,
                r.role,
                "" if r.function == previous else r.function,
                r.level.lower(),
                name.get(r.reports_to, "").upper(),
                label[r.influence],
                label[r.interest],
                "Yes" if r.power == "true" else "No",
                "yes" if r.legitimacy == "true" else "no",
                "Y" if r.urgency == "true" else "N",
                r.engagement_current.lower(),
                r.engagement_desired.upper(),
                "  " + name[r.relationship_owner].lower().replace(" ", "   "),
                "met in March" if i % 7 == 0 else None,
            ]
        )
        previous = r.function
        if i == 10:
            rows.append([])
    return workbook(path, rows), s


def run(*args: str) -> int:
    return main(["import-register", *map(str, args)])


def test_the_sample_typed_in_excel_comes_back_as_the_sample(tmp_path, sample_copy):
    xlsx, sample = sample_as_excel(tmp_path / "register.xlsx")
    out = tmp_path / "stakeholders.csv"
    assert run(xlsx, "--config", SAMPLE_CONFIG, "-o", out) == 0
    # byte for byte: ids kept, names resolved, labels read, Yes/No and case normalised
    assert out.read_bytes() == (SAMPLE_DIR / "stakeholders.csv").read_bytes()
    log = json.loads(out.with_suffix(".import-log.json").read_text())
    assert log["header_line"] == 4 and log["lines_above_header"] == 2
    assert (log["rows_read"], log["blank_rows_skipped"], log["blank_lines"]) == (81, 1, [16])
    assert log["stakeholders_written"] == 80 and log["ids_derived"] == 0
    assert log["names_resolved"] == {
        "reports_to": int((sample["reports_to"] != "").sum()),  # 68
        "relationship_owner": 80,
    }
    repeated = int((sample["function"] == sample["function"].shift()).sum())
    assert len(log["filled_down"]["function"]) == repeated
    assert log["labels_read"]["influence"]["HIGH -> 4"] == int((sample["influence"] == "4").sum())
    # and the file passes kit validate in a copy of the sample
    shutil.copy(out, sample_copy / "stakeholders.csv")
    _, problems = validate(sample_copy)
    assert [p for p in problems if p.severity == "error"] == []
    assert main(["validate", str(sample_copy / "engagement.yaml")]) == 0


def test_ids_are_derived_from_names_and_names_resolved_in_any_case(tmp_path):
    xlsx = workbook(
        tmp_path / "r.xlsx",
        [
            HEADER,
            ["Åsa Öberg", "Finance", "CFO", "", "Very high", 3, ""],
            ["Anna Berg", "", "Controller", "ÅSA  öberg", "medium", "High", "åsa öberg"],
            ["Anna Berg", "IT", "Analyst", "", "Low", 2, "Asa Oberg"],
            [None] * 7,
            ["Bo Lund", "", "Engineer", "anna berg", 1, "5", "Åsa Öberg"],
        ],
    )
    reg = rg.read_register(xlsx)
    assert reg.header_line == 4
    # "Asa Oberg" is not "Åsa Öberg": resolution forgives case and spacing, not spelling
    with pytest.raises(rg.RegisterProblem) as err:
        rg.to_stakeholders(reg, rg.auto_mapping(reg))
    text = str(err.value)
    assert "line 7, column 'Owner': 'Asa Oberg' is nobody in the register" in text
    assert "line 9, column 'Line manager': 'anna berg' is the name of 2 people" in text
    assert "line 6 (s-anna-berg); line 7 (s-anna-berg-2)" in text
    assert text.count("  - line") == 2  # every problem at once, nothing else


def test_derived_ids_stable_and_distinct(tmp_path):
    rows = [
        HEADER,
        ["Åsa Öberg", "Finance", "CFO", "", "Very high", 3, ""],
        ["Anna Berg", "", "Controller", "ÅSA  öberg", "medium", "High", "åsa öberg"],
        ["Anna Berg", "IT", "Analyst", "", "Low", 2, ""],
        ["Bo Lund", "", "Engineer", "Åsa Öberg", 1, "5", "Åsa Öberg"],
    ]
    reg = rg.read_register(workbook(tmp_path / "r.xlsx", rows))
    table, log = rg.to_stakeholders(reg, rg.auto_mapping(reg))
    assert table["stakeholder_id"].tolist() == [
        "s-asa-oberg",
        "s-anna-berg",
        "s-anna-berg-2",
        "s-bo-lund",
    ]
    assert table["function"].tolist() == ["Finance", "Finance", "IT", "IT"]
    assert table["reports_to"].tolist() == ["", "s-asa-oberg", "", "s-asa-oberg"]
    assert table["relationship_owner"].tolist() == ["", "s-asa-oberg", "", "s-asa-oberg"]
    assert table["influence"].tolist() == ["5", "3", "2", "1"]
    assert table["interest"].tolist() == ["3", "4", "2", "5"]
    # the schema's required columns are always there; unmapped optional ones are not
    assert list(table.columns) == [
        "stakeholder_id",
        "name",
        "role",
        "function",
        "reports_to",
        "influence",
        "interest",
        "engagement_current",
        "engagement_desired",
        "relationship_owner",
    ]
    assert log["ids_derived"] == 4 and log["filled_down"] == {"function": [6, 8]}
    assert log["names_on_several_lines"] == {"Anna Berg": [6, 7]}
    assert log["names_resolved"] == {"reports_to": 2, "relationship_owner": 2}
    again, _ = rg.to_stakeholders(reg, rg.auto_mapping(reg))
    pd.testing.assert_frame_equal(table, again)


def test_every_problem_listed_at_once_and_nothing_written(tmp_path, capsys):
    xlsx = workbook(
        tmp_path / "bad.xlsx",
        [
            HEADER + ["Power"],
            ["Ada King", "Finance", "CFO", "", "High", "Med", "", "Yes"],
            ["Ben Ode", "Finance", "Analyst", "Ada Kingg", "critical", 4, "Ada King", "maybe"],
            ["Cy Dunn", "IT", "CIO", "Ada King", 7, "", "Dee Hart", "No"],
        ],
    )
    out = tmp_path / "stakeholders.csv"
    assert run(xlsx, "-o", out) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kit import-register: {xlsx}: 7 problem(s); nothing was written:")
    for said in (
        "line 5, column 'Interest': 'Med' is neither a label of influence_labels (low, "
        "medium, high, very high) nor a whole number 1-5",
        "line 6, column 'Line manager': 'Ada Kingg' is nobody in the register (close: "
        "'Ada King' (line 5))",
        "line 6, column 'Influence': 'critical' is neither a label",
        "line 6, column 'Power': 'maybe' is not Yes or No",
        "line 7, column 'Influence': '7' is neither a label",
        "line 7, column 'Interest': is blank",
        "line 7, column 'Owner': 'Dee Hart' is nobody in the register (no name is close)",
    ):
        assert said in err
    assert "add the label to stakeholders.influence_labels" in err
    assert not out.exists() and not out.with_suffix(".import-log.json").exists()


def test_labels_come_from_the_engagement(tmp_path, sample_copy):
    text = (sample_copy / "engagement.yaml").read_text()
    text = text.replace(
        "influence_labels: {low: 2, medium: 3, high: 4, very high: 5}",
        "influence_labels: {minor: 1, some: 3, critical: 5}",
    )
    (sample_copy / "engagement.yaml").write_text(text)
    rows = [HEADER, ["Ada King", "finance ", "CFO", "", "Critical", "some", ""]]
    xlsx = workbook(tmp_path / "r.xlsx", rows)
    out = tmp_path / "s.csv"
    assert run(xlsx, "--config", sample_copy / "engagement.yaml", "-o", out) == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False).iloc[0]
    # labels through this engagement's influence_labels; the function as functions.csv says it
    assert (got["influence"], got["interest"], got["function"]) == ("5", "3", "Finance")
    # "High" is the sample's label, not this engagement's
    rows[1][4] = "High"
    assert (
        run(
            workbook(tmp_path / "r2.xlsx", rows),
            "--config",
            sample_copy / "engagement.yaml",
            "-o",
            tmp_path / "s2.csv",
        )
        == 2
    )


def test_a_function_not_in_functions_csv_is_refused_with_close_names(tmp_path, capsys):
    rows = [HEADER, ["Ada King", "Regulatry", "Head", "", "High", 4, ""]]
    assert (
        run(
            workbook(tmp_path / "r.xlsx", rows), "--config", SAMPLE_CONFIG, "-o", tmp_path / "s.csv"
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "line 5, column 'Department': 'Regulatry' is not a function of functions.csv " in err
    assert "'Regulatory'" in err


def test_suggest_proposes_a_mapping_and_chooses_nothing_it_cannot(tmp_path, capsys):
    xlsx, _ = sample_as_excel(tmp_path / "register.xlsx")
    assert run(xlsx, "--suggest") == 0
    suggested = yaml.safe_load(capsys.readouterr().out)
    assert suggested == {
        "stakeholder_id": "Ref",
        "name": "Name",
        "role": "Job title",
        "function": "Department",
        "level": "Grade",
        "reports_to": "Reports to",
        "influence": "Influence (1-5)",
        "interest": "Interest",
        "power": "Power?",
        "legitimacy": "Legitimacy",
        "urgency": "Urgency",
        "engagement_current": "Current engagement",
        "engagement_desired": "Desired engagement",
        "relationship_owner": "Relationship owner",
    }
    # no name column, two columns that could be the function: CHOOSE, refused until decided
    rows = [
        ["Person", "Team", "Department", "Influence", "Interest"],
        ["Ada King", "Payables", "Finance", "High", "Low"],
    ]
    xlsx = workbook(tmp_path / "r.xlsx", rows)
    assert run(xlsx, "--suggest") == 0
    text = capsys.readouterr().out
    suggested = yaml.safe_load(text)
    assert suggested["name"] == "Person"
    assert suggested["function"] == "CHOOSE: one of Team, Department"
    mapping = tmp_path / "register.yaml"
    mapping.write_text(text)
    assert run(xlsx, "--mapping", mapping, "-o", tmp_path / "s.csv") == 2
    assert "'function: CHOOSE: one of Team, Department' is not decided" in capsys.readouterr().err
    mapping.write_text(text.replace("'CHOOSE: one of Team, Department'", "Department"))
    assert run(xlsx, "--mapping", mapping, "-o", tmp_path / "s.csv") == 0
    assert pd.read_csv(tmp_path / "s.csv")["function"].tolist() == ["Finance"]


def test_no_name_column(tmp_path, capsys):
    rows = [
        ["Department", "Influence", "Interest", "Line manager"],
        ["Finance", "High", "Low", ""],
    ]
    xlsx = workbook(tmp_path / "r.xlsx", rows)
    assert run(xlsx, "-o", tmp_path / "s.csv") == 2
    err = capsys.readouterr().err
    assert "no column is named like the field 'name'" in err and "--suggest" in err
    assert run(xlsx, "--suggest") == 0
    assert yaml.safe_load(capsys.readouterr().out)["name"].startswith(
        "CHOOSE: the column with each person's name (columns: Department, Influence"
    )
    mapping = tmp_path / "m.yaml"
    mapping.write_text("function: Department\ninfluence: Influence\ninterest: Interest\n")
    assert run(xlsx, "--mapping", mapping, "-o", tmp_path / "s.csv") == 2
    assert "the mapping names no column for 'name'" in capsys.readouterr().err


def test_a_mapping_with_header_row_fixed_values_and_a_wrong_column(tmp_path, capsys):
    rows = [
        ["Who", "Clout", "Care", "Boss"],
        ["Ada King", "5", "4", ""],
        ["Ben Ode", 2, 2, "ada king"],
    ]
    xlsx = workbook(tmp_path / "r.xlsx", rows)
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "header_row: 4\nname: Who\nfunction: {value: Finance}\ninfluence: Clout\n"
        "interest: Care\nreports_to: Bos\n"
    )
    assert run(xlsx, "--mapping", mapping, "-o", tmp_path / "s.csv") == 2
    assert "no column 'Bos' for 'reports_to'; the columns are 'Who', 'Clout', 'Care', 'Boss'" in (
        capsys.readouterr().err
    )
    mapping.write_text(mapping.read_text().replace("Bos\n", "Boss\n"))
    assert run(xlsx, "--mapping", mapping, "-o", tmp_path / "s.csv") == 0
    table = pd.read_csv(tmp_path / "s.csv", dtype=str, keep_default_na=False)
    assert table[["stakeholder_id", "function", "reports_to"]].values.tolist() == [
        ["s-ada-king", "Finance", ""],
        ["s-ben-ode", "Finance", "s-ada-king"],
    ]


def test_the_header_is_found_below_title_rows_and_not_in_them(tmp_path):
    # a title naming a field ("Stakeholder ... influence") is one cell, not a header
    path = tmp_path / "r.csv"
    path.write_text(
        "Stakeholder influence map,,,\nOwner: J. Smith,,,\n,,,\n"
        "Name,Function,Influence,Interest\nAda King,Finance,High,Low\n",
        encoding="utf-8",
    )
    assert rg.read_register(path).header_line == 4
    path.write_text("Just a list,,\nAda King,Finance,High\n", encoding="utf-8")
    with pytest.raises(rg.RegisterProblem, match="no header row found .* 'header_row: N'"):
        rg.read_register(path)


def test_a_semicolon_csv_saved_by_excel(tmp_path):
    """The fixture: Excel's 'CSV (semicolon)' in cp1252, a title row, labels and names."""
    src = FIXTURES / "register_semicolon.csv"
    out = tmp_path / "s.csv"
    assert run(src, "--config", SAMPLE_CONFIG, "-o", out) == 0
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert table["name"].tolist() == ["Zoë Müller", "René Dubois", "Jörg Weiß"]
    assert table["stakeholder_id"].tolist() == ["s-zoe-muller", "s-rene-dubois", "s-jorg-weiss"]
    assert table["reports_to"].tolist() == ["", "s-zoe-muller", "s-zoe-muller"]
    assert table["engagement_current"].tolist() == ["Supportive", "Neutral", "Resistant"]
    assert table["power"].tolist() == ["true", "false", ""]


def test_the_output_is_never_overwritten(tmp_path, capsys):
    out = tmp_path / "stakeholders.csv"
    out.write_text("kept\n")
    xlsx = workbook(tmp_path / "r.xlsx", [HEADER, ["Ada King", "Finance", "", "", "High", 4, ""]])
    assert run(xlsx, "-o", out) == 2
    assert "exists; choose a new name" in capsys.readouterr().err
    assert out.read_text() == "kept\n"


def test_merged_function_cells_and_a_mapping_among_many_other_columns(tmp_path):
    extra = ["E-mail", "Phone", "Office", "Assistant", "Notes", "Since"]
    rows = [
        ["Who", "Unit", "Clout", "Care", *extra],
        ["Ada King", "Finance", "5", "4", "a@x.org", "1", "Oslo", "", "", "2019"],
        ["Ben Ode", None, "2", "2", "b@x.org", "2", "Oslo", "", "", "2020"],
        ["Cy Dunn", None, "3", "3", "c@x.org", "3", "Rome", "", "", "2021"],
        ["Dee Hart", "IT", "4", "4", "d@x.org", "4", "Rome", "", "", "2022"],
    ]
    xlsx = workbook(tmp_path / "r.xlsx", rows)
    book = openpyxl.load_workbook(xlsx)
    book.active.merge_cells("B5:B7")  # Finance typed once, merged over three rows
    book.save(xlsx)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("name: Who\nfunction: Unit\ninfluence: Clout\ninterest: Care\n")
    reg = rg.read_register(xlsx, mapping=rg.load_mapping(mapping))
    assert reg.header_line == 4  # 4 of its 10 cells are the mapping's: enough
    table, log = rg.to_stakeholders(reg, rg.load_mapping(mapping))
    assert table["function"].tolist() == ["Finance", "Finance", "Finance", "IT"]
    assert log["filled_down"] == {"function": [6, 7]}
    assert list(table.columns) == [
        "stakeholder_id",
        "name",
        "role",
        "function",
        "influence",
        "interest",
        "engagement_current",
        "engagement_desired",
    ]
