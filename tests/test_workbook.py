"""The follow-up workbook: formatted export, lossless round trip, clear errors, new versions."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from kit import workbook
from kit.cli import main
from kit.config import load_engagement
from kit.context import open_engagement
from kit.data import load
from kit.findings import follow_up


@pytest.fixture
def exported(sample_copy, tmp_path):
    ctx = open_engagement(sample_copy / "engagement.yaml", scope="Regulatory")
    path = tmp_path / "plan.xlsx"
    files = workbook.export(path, follow_up.queue(ctx), follow_up.plan(ctx), ctx.ds)
    return ctx, path, files


def test_export_is_formatted(exported):
    ctx, path, files = exported
    assert [f.name for f in files] == [
        "plan.xlsx",
        "plan-follow-up-queue.csv",
        "plan-action-plan.csv",
    ]
    book = load_workbook(path)
    ws = book[workbook.QUEUE_SHEET]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    rules = {r.formula1 for r in ws.data_validations.dataValidation}
    assert '"open,contacted,action agreed,closed,no response"' in rules
    assert book["lists"].sheet_state == "hidden"
    assert ws.column_dimensions["I"].width > 20  # the comment column is wide
    assert book[workbook.PLAN_SHEET].max_row == len(follow_up.plan(ctx)) + 1


def _edit(path, changes: dict[tuple[int, str], object]):
    book = load_workbook(path)
    ws = book[workbook.QUEUE_SHEET]
    header = [c.value for c in ws[1]]
    for (row, column), value in changes.items():
        cell = ws.cell(row=row, column=header.index(column) + 1, value=value)
        cell.data_type = "s" if isinstance(value, str) else cell.data_type  # typed as text
    book.save(path)


def test_round_trip_keeps_everything_and_writes_a_new_version(exported, sample_copy):
    ctx, path, _ = exported
    before = ctx.ds.followups
    owner = ctx.ds.stakeholders.loc[0, "name"]
    _edit(
        path,
        {
            (2, "status"): "contacted",
            (2, "first_contact_at"): "2026-04-02",
            (2, "owner"): owner,
            (2, "outcome"): '=HYPERLINK("x")  agreed',
        },
    )
    log_before = (sample_copy / "followups.csv").read_bytes()
    main(["plan", "import", str(path), "--config", str(sample_copy / "engagement.yaml")])
    assert (sample_copy / "followups.v2.csv").is_file()
    assert (sample_copy / "followups.csv").read_bytes() == log_before  # never overwritten
    ds = load(load_engagement(sample_copy / "engagement.yaml"))
    assert len(ds.followups) == len(before) + 1
    new = ds.followups.iloc[-1]
    assert new["status"] == "contacted" and new["first_contact_at"] == pd.Timestamp("2026-04-02")
    assert new["owner"] == ctx.ds.stakeholders.loc[0, "stakeholder_id"]
    assert new["outcome"] == '=HYPERLINK("x")  agreed'  # restored text, never run
    old = ds.followups.set_index("followup_id").loc[before["followup_id"]]
    pd.testing.assert_frame_equal(
        old.reset_index()[list(before.columns)], before, check_dtype=False
    )
    # a second import writes v3 and keeps v2
    main(["plan", "import", str(path), "--config", str(sample_copy / "engagement.yaml")])
    assert (sample_copy / "followups.v3.csv").is_file()
    assert (sample_copy / "followups.v2.csv").is_file()


def test_every_problem_is_listed(exported):
    ctx, path, _ = exported
    _edit(
        path,
        {
            (2, "status"): "done",
            (3, "owner"): "Nobody Known",
            (4, "response_id"): "R99999",
            (5, "first_contact_at"): "soon",
        },
    )
    with pytest.raises(workbook.WorkbookError) as err:
        workbook.read_log(path, ctx.ds)
    got = {(r, c, v) for _, r, c, v, _ in err.value.problems}
    assert got == {
        (2, "status", "done"),
        (3, "owner", "Nobody Known"),
        (4, "response_id", "R99999"),
        (5, "first_contact_at", "soon"),
    }
    assert "nothing was imported" in str(err.value)


def test_dates_are_read_only_when_they_cannot_be_misread(exported):
    """A text date 01/04/2026 is the 1st of April to some, the 4th of January to others:
    refused; so are a closing date before the first contact and a follow-up on two rows."""
    ctx, path, _ = exported
    book = load_workbook(path)
    ws = book[workbook.QUEUE_SHEET]
    header = [c.value for c in ws[1]]
    twin = ws.cell(row=2, column=header.index("followup_id") + 1).value
    book.close()
    _edit(
        path,
        {
            (2, "status"): "contacted",
            (2, "first_contact_at"): "01/04/2026",
            (3, "status"): "closed",
            (3, "first_contact_at"): "2026-04-10",
            (3, "closed_at"): "2026-04-02",
            (4, "followup_id"): twin,
            (4, "status"): "contacted",
            (4, "first_contact_at"): datetime(2026, 4, 3),
        },
    )
    with pytest.raises(workbook.WorkbookError) as err:
        workbook.read_log(path, ctx.ds)
    got = [(r, c, v) for _, r, c, v, _ in err.value.problems]
    assert got == [
        (2, "first_contact_at", "01/04/2026"),
        (3, "closed_at", "2026-04-02"),
        (4, "followup_id", twin),
    ]
    said = str(err.value)
    assert "type it as 2026-04-01" in said and "is before the first contact (2026-04-10)" in said
    assert "is also on row 2" in said


def test_a_csv_named_like_a_workbook_is_refused_whole(exported, tmp_path):
    ctx, path, _ = exported
    fake = tmp_path / "plan.xlsx"
    fake.write_text("response_id,status\nR00001,closed\n", encoding="utf-8")
    with pytest.raises(workbook.WorkbookError) as err:
        workbook.read_log(fake, ctx.ds)
    assert "plan.xlsx: 1 problem(s); nothing was imported:\n  - this is not an Excel workbook" in (
        str(err.value)
    )
    assert "save it as 'Excel Workbook (.xlsx)'" in str(err.value)


def test_a_follow_up_without_consent_is_not_imported(exported):
    ctx, path, _ = exported
    r = ctx.ds.responses
    refused = r.loc[r["ok_to_contact"].eq(False), "response_id"].iloc[0]
    _edit(path, {(2, "response_id"): refused, (2, "status"): "contacted"})
    with pytest.raises(workbook.WorkbookError) as err:
        workbook.read_log(path, ctx.ds)
    assert [(row, col, value) for _, row, col, value, _ in err.value.problems] == [
        (2, "response_id", refused)
    ]
    assert "did not agree to be contacted" in str(err.value)


def test_every_cell_written_is_inert_hidden_sheet_included(sample_copy, tmp_path):
    register = sample_copy / "stakeholders.csv"
    table = pd.read_csv(register, dtype=str, keep_default_na=False)
    table.loc[0, "name"] = '=HYPERLINK("http://x","y")'
    table.to_csv(register, index=False)
    ctx = open_engagement(sample_copy / "engagement.yaml", scope="Regulatory")
    path = tmp_path / "plan.xlsx"
    workbook.export(path, follow_up.queue(ctx), follow_up.plan(ctx), ctx.ds)
    book = load_workbook(path)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert book["lists"] in book.worksheets and cells
    formulas = [c.coordinate for c in cells if c.data_type == "f"]
    assert not formulas, f"live formulas in {formulas}"
    listed = [c.value for c in book["lists"]["A"]]
    assert '\'=HYPERLINK("http://x","y")' in listed


def test_formula_injection_is_neutralised(tmp_path, exported):
    ctx, _, _ = exported
    queue = follow_up.queue(ctx).head(1).assign(comment="=cmd|' /C calc'!A0")
    path = tmp_path / "evil.xlsx"
    workbook.export(path, queue, follow_up.plan(ctx).head(0), ctx.ds)
    cell = [c for c in load_workbook(path)[workbook.QUEUE_SHEET][2] if c.column_letter == "I"][0]
    assert cell.data_type == "s" and cell.value.startswith("'=")
    csv = (tmp_path / "evil-follow-up-queue.csv").read_text()
    assert "'=cmd" in csv
    assert [workbook.neutralise(v) for v in ("+1", "-x", "@a", "ok", 5)] == [
        "'+1",
        "'-x",
        "'@a",
        "ok",
        5,
    ]


def test_export_never_overwrites(exported, sample_copy):
    _, path, _ = exported
    code = main(
        ["plan", "export", "--config", str(sample_copy / "engagement.yaml"), "--out", str(path)]
    )
    assert code == 2
