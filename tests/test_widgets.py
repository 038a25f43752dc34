"""The workshop widgets' callbacks, driven by setting values and clicking, without a browser."""

from __future__ import annotations

import pandas as pd
import pytest

from kit.context import open_engagement
from kit.ledger import ALL, Ledger
from kit.narrative import signed
from kit.widgets import (
    GridWorkshop,
    LivePoll,
    NpsExplorer,
    Workshop,
    board_html,
    quadrant_legend_html,
)
from kit.workshop import what_if


@pytest.fixture
def room(sample_copy):
    return Workshop(open_engagement(sample_copy / "engagement.yaml"))


def test_explorer_follows_the_pickers(room):
    ex = room.explorer
    assert ex.wave.value == "2026-H1" and ex.provider.value == ALL
    ex.provider.value = "Regulatory"
    assert ex.result["n"] == 100 and f'data-kit="nps">{signed(ex.result["nps"])}<' in (
        ex.output.value
    )
    assert "−21" in ex.output.value and "n = 100" in ex.output.value
    ex.wave.value = "2025-H2"
    assert round(ex.result["nps"]) == 21
    assert ex.output.value.count('class="kit-bar"') == 11  # a function's 0-10 answers
    ex.customer.value = "Sales"
    expected = ex.cube.view("2025-H2", provider="Regulatory", customer="Sales")
    assert ex.result == expected
    # a customer group: its detractors, passives and promoters only (what the audit assumes)
    assert ex.output.value.count('class="kit-bar kit-wide"') == 3
    assert 'class="kit-bar"' not in ex.output.value
    assert ">Detractors</div>" in ex.output.value


def test_explorer_never_shows_a_suppressed_score(room):
    ex = room.explorer
    ex.provider.value = "Legal & Compliance"  # 4 ratings in 2026-H1
    assert ex.result["suppressed"]
    assert "Not shown" in ex.output.value and "n = " not in ex.output.value
    assert "kit-bars" not in ex.output.value  # nor its distribution


def test_what_if_sliders(room):
    wi = room.what_if
    assert "Legal & Compliance" not in wi.function.options  # suppressed functions not offered
    wi.function.value = "Regulatory"
    base = wi.base
    assert wi.to_passive.max == base["detractors"]
    wi.to_passive.value = 10
    assert wi.to_promoter.max == base["passives"] + 10
    wi.to_promoter.value = 4
    expected = what_if(
        base["detractors"],
        base["passives"],
        base["promoters"],
        to_passive=10,
        to_promoter=4,
        target=20,
    )
    assert wi.result == expected
    assert f'data-kit="nps">{signed(expected["after"])}<' in wi.output.value
    moves = expected["moves_to_target"]
    assert moves > 1 and f"{moves} more people one step up" in wi.output.value
    wi.function.value = "IT"  # a new function starts from its own score
    assert (wi.to_passive.value, wi.to_promoter.value) == (0, 0)
    assert wi.result["after"] == wi.result["before"]


def test_poll_pickers_start_empty_and_refuse_a_self_rating(room):
    poll = room.poll
    assert (poll.provider.value, poll.room.value) == ("", "")
    assert poll.provider.label == poll.room.label == "choose…"
    assert all(b.disabled for b in poll.buttons)
    assert poll.vote(9) is False and poll.poll.votes == []
    assert "Choose the function the room rates" in poll.notice.value
    poll.provider.value = "Regulatory"  # one of two is not enough
    assert all(b.disabled for b in poll.buttons) and poll.vote(9) is False
    poll.room.value = "Regulatory"
    assert "Regulatory would be rating itself" in poll.notice.value
    assert all(b.disabled for b in poll.buttons) and poll.vote(9) is False
    poll.save_button.click()
    assert "Not saved: Regulatory would be rating itself" in poll.status.value
    poll.room.value = "Sales"
    assert poll.notice.value == "" and not any(b.disabled for b in poll.buttons)
    assert poll.vote(9) is True and poll.poll.votes == [9]


def test_poll_buttons_undo_and_save(room, sample_copy):
    poll = room.poll
    assert "appears at 5 votes" in poll.output.value
    poll.provider.value, poll.room.value = "Regulatory", "Sales"
    for s in (10, 9, 3, 7, 9, 0):
        poll.buttons[s].click()
    poll.undo_button.click()  # the 0 was a slip
    assert poll.poll.votes == [10, 9, 3, 7, 9]
    assert poll.result["nps"] == 40.0 and 'data-kit="nps">+40<' in poll.output.value
    # the bars: 9 got two votes, the tallest bar; 3, 7 and 10 one each, half as tall
    assert "height:calc(var(--kit-bar-h) * 1.000)" in poll.output.value
    assert poll.output.value.count("height:calc(var(--kit-bar-h) * 0.500)") == 3
    poll.save_button.click()
    saved = list((sample_copy / "polls").glob("poll-regulatory-*.csv"))
    assert len(saved) == 1 and "5 votes saved" in poll.status.value
    table = pd.read_csv(saved[0])
    assert set(table["provider_function"]) == {"Regulatory"}
    assert set(table["respondent_function"]) == {"Sales"}


def test_grid_moves_are_recorded_and_saved_as_a_new_register(room, sample_copy):
    grid = room.grid
    original = (sample_copy / "stakeholders.csv").read_bytes()
    sid = grid.who.value
    grid.who.value = grid.who.options[3][1]  # choosing someone records nothing
    assert grid.edits.changes.empty
    grid.influence.value = 5 if grid.influence.value != 5 else 1
    grid.desired.value = "Leading"
    changes = grid.edits.changes
    assert set(changes["field"]) <= {"influence", "engagement_desired"} and len(changes) >= 1
    assert "not saved yet" in grid.gaps.value
    assert '<span class="kit-me">' in grid.board.value
    grid.save_button.click()
    assert "stakeholders.v2.csv" in grid.status.value
    assert (sample_copy / "stakeholders.csv").read_bytes() == original
    assert (sample_copy / "stakeholders.v2.csv").exists()
    assert grid.edits.changes.empty  # saved: nothing pending
    grid.who.value = sid


def test_client_strings_are_escaped():
    evil = "<script>alert(1)</script>"
    responses = pd.DataFrame(
        {
            "wave": "W1",
            "provider_function": [evil] * 6,
            "respondent_function": ["Ops"] * 6,
            "score": [10, 9, 9, 7, 3, 10],
        }
    )
    cube = Ledger.build(responses, waves=["W1"], functions=[evil, "Ops"], min_n=5)
    ex = NpsExplorer(cube, wave="W1")
    ex.provider.value = evil
    assert "<script>" not in ex.output.value and "&lt;script&gt;" in ex.output.value
    placed = pd.DataFrame(
        {"stakeholder_id": ["S1"], "name": [evil], "influence": [5], "interest": [5]}
    )
    assert "<script>" not in board_html(placed, high=4)


def test_grid_tool_alone(sample_copy):
    grid = GridWorkshop(open_engagement(sample_copy / "engagement.yaml"))
    grid.show.value = "Regulatory"
    names = grid.edits.register.loc[grid.edits.register["function"] == "Regulatory", "name"]
    assert all(n in grid.board.value for n in names if "&" not in n)


def test_poll_tool_alone_refuses_an_empty_save(sample_copy):
    poll = LivePoll(open_engagement(sample_copy / "engagement.yaml"))
    poll.provider.value, poll.room.value = "Regulatory", "Sales"
    poll.save_button.click()
    assert "Not saved: no votes to save" in poll.status.value
    assert not (sample_copy / "polls").exists()


def test_quadrant_legend_states_the_engagements_threshold(room):
    legend = quadrant_legend_html(high=3)
    nbsp = "\u00a0"
    assert f"<b>Manage closely</b><br>influence ≥{nbsp}3<br>interest ≥{nbsp}3" in legend
    assert f"<b>Monitor</b><br>influence <{nbsp}3<br>interest <{nbsp}3" in legend
    assert "high: 3 or more" in legend
    # laid out as on the board: high interest on top, high influence on the right
    order = [legend.index(q) for q in ("Keep informed", "Manage closely", "Monitor")]
    assert order == sorted(order) and legend.index("Keep satisfied") > order[-1]
    assert f"interest <{nbsp}4" in room.grid.legend.value  # the sample's high: 4
    assert room.grid.legend in room.grid.children[1].children[0].children  # beside the board


def test_presenter_mode_keeps_notes_behind_a_toggle(sample_copy):
    ctx = open_engagement(sample_copy / "engagement.yaml")
    notes = "## How to use it\n\nOne click per **vote**."
    room = Workshop(ctx, presenter=True, notes=notes)
    assert {"kit-presenter", "kit-workshop"} <= set(room._dom_classes)
    assert "<h2" in room.notes.value and "<strong>vote</strong>" in room.notes.value
    assert room.notes.layout.display == "none"
    header = room.children[1]
    assert room.notes_button in header.children
    assert "Helix Biopharma · Internal Customer Review" in header.children[0].value
    room.notes_button.value = True
    assert room.notes.layout.display is None
    room.notes_button.value = False
    assert room.notes.layout.display == "none"


def test_in_jupyterlab_the_workshop_is_the_tabs_alone(room):
    assert room.children[1:] == (room.tabs,)  # the notebook's own Markdown is the notes
    assert "kit-presenter" not in room._dom_classes
    css = room.children[0].value
    assert "--kit-u: 1px;" in css and "clamp(" in css  # fixed sizes; the screen's when served


def test_buttons_are_as_wide_as_their_labels(room):
    buttons = [
        room.poll.undo_button,
        room.poll.save_button,
        room.grid.save_button,
        room.notes_button,
    ]
    assert all(b.layout.width == "auto" for b in buttons)
