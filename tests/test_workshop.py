"""Workshop logic: the cube against stage 2, what-if arithmetic, the poll, register edits."""

from __future__ import annotations

import ast
import filecmp
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit import nps, nps_tables
from kit.context import open_engagement
from kit.data import SCHEMAS, _check_table, load, table_path
from kit.ledger import ALL, Ledger
from kit.workshop import Poll, RegisterEdits, what_if


@pytest.fixture(scope="module")
def ctx():
    from kit.config import SAMPLE_CONFIG

    return open_engagement(SAMPLE_CONFIG)


@pytest.fixture(scope="module")
def cube(ctx):
    return Ledger.from_context(ctx)


def test_known_figures_of_the_sample(cube):
    regulatory = cube.view("2026-H1", provider="Regulatory")
    assert (regulatory["n"], round(regulatory["nps"])) == (100, -21)
    assert round(cube.view("2025-H2", provider="Regulatory")["nps"]) == 21
    # Legal & Compliance has 4 ratings; Sales is withheld as its complement (as in stage 2)
    for hidden in ("Legal & Compliance", "Sales"):
        view = cube.view("2026-H1", provider=hidden)
        assert view["suppressed"] and np.isnan(view["nps"]) and view["distribution"] is None
    assert cube.shown_providers("2026-H1") == [
        f for f in cube.functions if f not in ("Legal & Compliance", "Sales")
    ]


def test_every_shown_view_equals_the_summary_of_its_rows(ctx, cube):
    r = ctx.ds.responses
    options = [ALL, *cube.functions]
    checked = 0
    for wave, provider, customer in itertools.product(cube.waves, options, options):
        view = cube.view(wave, provider=provider, customer=customer)
        rows = r[
            (r["wave"] == wave)
            & ((r["provider_function"] == provider) if provider != ALL else True)
            & ((r["respondent_function"] == customer) if customer != ALL else True)
        ]
        if view["suppressed"]:
            continue
        expected = nps.summary(rows).iloc[0]
        assert view["n"] == expected["n"]
        if not len(rows):
            assert np.isnan(view["nps"])
            continue
        assert view["nps"] == pytest.approx(expected["nps"])
        assert (view["ci_low"], view["ci_high"]) == pytest.approx(
            (expected["ci_low"], expected["ci_high"])
        )
        scores = np.bincount(rows["score"].astype(int), minlength=11)
        if customer == ALL:  # a function's or the organisation's score: its 0-10 answers
            assert view["distribution"] == tuple(scores)
        else:  # a customer group's: its detractors, passives and promoters only
            assert view["distribution"] == (scores[:7].sum(), scores[7:9].sum(), scores[9:].sum())
        checked += 1
    assert checked == 165  # of 507 views: the others are empty or withheld


def test_cells_are_withheld_at_least_where_the_matrix_rule_alone_withholds_them(ctx, cube):
    more = 0
    for wave in cube.waves:
        rows = ctx.ds.responses[ctx.ds.responses["wave"] == wave]
        m = nps_tables.matrix(rows, min_n=ctx.min_n)
        for _, cell in m.iterrows():
            view = cube.view(
                wave, provider=cell["provider_function"], customer=cell["respondent_function"]
            )
            assert view["suppressed"] or not cell["suppressed"]
            more += view["suppressed"] and not cell["suppressed"]
    assert more == 5  # all alike (1) or needed by the audit (4)


def test_no_hidden_view_is_a_difference_of_shown_views(cube):
    # in every row and column of every wave (totals included), a hidden entry never stands
    # alone: the shown entries and a shown total cannot be subtracted down to it
    for w in range(len(cube.waves)):
        n = cube.counts[w].sum(axis=2).astype(float)
        n = np.vstack([n, n.sum(axis=0)])
        n = np.column_stack([n, n.sum(axis=1)])
        hidden = cube.hidden[w]
        for parts, mask, total_hidden in [
            *((n[i, :-1], hidden[i, :-1], hidden[i, -1]) for i in range(n.shape[0])),
            *((n[:-1, j], hidden[:-1, j], hidden[-1, j]) for j in range(n.shape[1])),
        ]:
            k = (mask & (parts > 0)).sum()
            assert k != 1 or total_hidden
            assert not (total_hidden and k == 0 and parts.sum() > 0)


def test_a_stricter_threshold_hides_more(ctx):
    from dataclasses import replace

    strict = Ledger.from_context(replace(ctx, min_group_size=30))
    assert strict.view("2026-H1", provider="Clinical Operations")["suppressed"]  # 25 ratings
    assert not strict.view("2026-H1", provider="Regulatory")["suppressed"]


def test_what_if_hand_worked():
    r = what_if(30, 40, 30, to_passive=10, to_promoter=5, target=20)
    # 100 people: 20 detractors, 45 passives, 35 promoters -> +15
    assert (r["detractors"], r["passives"], r["promoters"]) == (20, 45, 35)
    assert (r["before"], r["after"], r["points_per_move"]) == (0.0, 15.0, 1.0)
    assert (r["to_target"], r["moves_to_target"]) == (5.0, 5)
    assert r["ci_low"] < 15 < r["ci_high"]
    reached = what_if(10, 0, 10, to_passive=10, target=20)  # 20 people: +50
    assert (reached["after"], reached["to_target"], reached["moves_to_target"]) == (50.0, 0.0, 0)


def test_what_if_refuses_moves_that_are_not_there():
    with pytest.raises(ValueError, match="to_passive must be between 0 and 3"):
        what_if(3, 5, 2, to_passive=4)
    with pytest.raises(ValueError, match="to_promoter must be between 0 and 7"):
        what_if(3, 5, 2, to_passive=2, to_promoter=8)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 60), st.data())
def test_each_move_is_worth_100_over_n_points(det, pas, pro, data):
    n = det + pas + pro
    to_passive = data.draw(st.integers(0, det))
    to_promoter = data.draw(st.integers(0, pas + to_passive))
    r = what_if(det, pas, pro, to_passive=to_passive, to_promoter=to_promoter)
    if n:
        assert r["after"] - r["before"] == pytest.approx((to_passive + to_promoter) * 100 / n)
        assert -100 <= r["ci_low"] <= r["ci_high"] <= 100


def test_poll_counts_undoes_and_holds_back_small_rooms():
    poll = Poll()
    for s in (10, 9, 3, 7):
        poll.vote(s)
    early = poll.result(min_n=5)
    assert early["suppressed"] and early["votes"] == 4 and early["distribution"] is None
    poll.vote(9)
    assert poll.result(min_n=5)["nps"] == 40.0  # 3 promoters, 1 detractor, 5 votes
    assert poll.undo() == 9 and poll.votes == [10, 9, 3, 7]
    assert Poll().undo() is None
    for bad in (11, -1, 5.5, "7", True + 10):
        with pytest.raises(ValueError, match="whole number from 0 to 10"):
            poll.vote(bad)


def test_poll_saves_valid_responses_and_never_overwrites(tmp_path):
    poll = Poll()
    for s in (10, 9, 3, 7, 9):
        poll.vote(s)
    args = dict(wave="Workshop", provider_function="Regulatory", respondent_function="Sales")
    first = poll.save(tmp_path / "polls", **args)
    second = poll.save(tmp_path / "polls", **args)
    assert first != second and first.exists() and second.name.endswith("-2.csv")
    raw = pd.read_csv(first, dtype=str, keep_default_na=False)
    assert raw["score"].tolist() == ["10", "9", "3", "7", "9"]
    assert raw["response_id"].is_unique
    problems = []
    _check_table("responses", raw, problems)
    assert problems == []
    assert set(raw.columns) <= {c.name for c in SCHEMAS["responses"]}
    with pytest.raises(ValueError, match="no votes"):
        Poll().save(tmp_path, **args)


def test_register_edits_saved_as_a_new_version(sample_copy):
    ds = load(sample_copy)
    original = (sample_copy / "stakeholders.csv").read_bytes()
    edits = RegisterEdits(ds.stakeholders)
    sid = ds.stakeholders["stakeholder_id"].iloc[0]
    edits.set(sid, influence=1, engagement_desired="Leading")
    edits.set(sid, interest=int(ds.stakeholders["interest"].iloc[0]))  # no change
    assert edits.changes[["field", "after"]].values.tolist() == [
        ["influence", 1],
        ["engagement_desired", "Leading"],
    ]
    assert ds.stakeholders["influence"].iloc[0] != 1  # the input is not touched
    path = edits.save(sample_copy)
    assert path.name == "stakeholders.v2.csv"
    assert (sample_copy / "stakeholders.csv").read_bytes() == original
    assert table_path(sample_copy, "stakeholders") == path
    reread = load(sample_copy).stakeholders
    assert reread["influence"].iloc[0] == 1
    assert reread.drop(columns=["influence", "engagement_desired"]).equals(
        ds.stakeholders.drop(columns=["influence", "engagement_desired"])
    )
    assert len(pd.read_csv(path.with_suffix(".changes.csv"))) == 2
    again = RegisterEdits(reread)
    again.set(sid, interest=1)
    assert again.save(sample_copy).name == "stakeholders.v3.csv"
    assert filecmp.cmp(path, sample_copy / "stakeholders.v2.csv")


def test_register_edits_list_every_bad_value(ds):
    edits = RegisterEdits(ds.stakeholders)
    sid = ds.stakeholders["stakeholder_id"].iloc[0]
    with pytest.raises(ValueError) as err:
        edits.set(sid, influence=7, engagement_current="Keen", name="X")
    message = str(err.value)
    assert (
        "influence=7" in message and "'Keen'" in message and "'name' cannot be changed" in message
    )
    with pytest.raises(KeyError, match="no stakeholder 'S999'"):
        edits.set("S999", influence=2)
    with pytest.raises(ValueError, match="nothing has changed"):
        edits.save("/nonexistent")


def test_the_served_copy_keeps_facilitator_notes_from_the_room(tmp_path):
    import json

    import nbformat

    from kit.serve import WORKSHOP_NOTEBOOK, prepare

    stored = WORKSHOP_NOTEBOOK.read_bytes()
    nb = nbformat.read(WORKSHOP_NOTEBOOK, as_version=4)
    tagged = [c.source for c in nb.cells if "facilitator-notes" in c.metadata.get("tags", [])]
    assert len(tagged) == 2 and tagged[1].startswith("## How to use it")  # JupyterLab shows them
    served = nbformat.read(prepare("engagement.yaml", tmp_path, port=8999), as_version=4)
    assert [c.cell_type for c in served.cells] == ["code", "code", "code"]  # no Markdown left
    injected = served.cells[1].source  # papermill's injected parameters
    assert "presenter = True" in injected
    notes = next(line for line in injected.splitlines() if line.startswith("notes = "))
    assert ast.literal_eval(notes.removeprefix("notes = ")) == "\n\n".join(
        t.strip() for t in tagged
    )
    assert "presenter=presenter, notes=notes" in served.cells[2].source
    assert WORKSHOP_NOTEBOOK.read_bytes() == stored  # the stored notebook is left as it was
    csp = json.loads((tmp_path / "voila.json").read_text())["Voila"]["tornado_settings"]
    assert "default-src 'self'" in csp["headers"]["Content-Security-Policy"]
