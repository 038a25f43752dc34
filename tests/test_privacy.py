"""Complementary suppression: no hidden group can be recovered by subtraction."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.privacy import complementary_suppression, complementary_suppression_1d


def test_one_small_group_takes_the_next_smallest_with_it():
    n = pd.Series([40, 3, 12, 9], index=list("abcd"))
    assert complementary_suppression_1d(n, min_n=5).tolist() == [False, True, False, True]


def test_two_small_groups_that_together_reach_the_threshold_are_enough():
    n = pd.Series([40, 3, 4, 9])
    assert complementary_suppression_1d(n, min_n=5).tolist() == [False, True, True, False]


def test_nothing_small_nothing_hidden_and_empty_cells_ignored():
    assert not complementary_suppression_1d(pd.Series([5, 6, 0]), min_n=5).any()


def test_two_way_table_hand_worked():
    n = pd.DataFrame([[2, 10, 10], [10, 10, 10], [10, 10, 10]], columns=list("xyz"))
    hidden = complementary_suppression(n, min_n=5)
    # the small cell, a partner in its row and in its column, and the fourth corner: otherwise
    # column y's single hidden cell is recovered from its total, and then row 0 gives away x0
    assert hidden.values.sum() == 4
    assert hidden.iloc[:2, :2].values.all()
    assert (hidden.sum(axis=1).isin([0, 2])).all() and (hidden.sum(axis=0).isin([0, 2])).all()


def _safe(n: np.ndarray, hidden: np.ndarray, min_n: int) -> bool:
    cells = hidden & (n > 0)
    return cells.sum() == 0 or (cells.sum() >= 2 and n[cells].sum() >= min_n)


cell = st.integers(0, 30)
#: Two-way tables of counts: 1 to 6 rows of 4 cells.
tables = st.integers(1, 6).flatmap(
    lambda r: st.lists(st.lists(cell, min_size=4, max_size=4), min_size=r, max_size=r)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(cell, min_size=1, max_size=12), st.integers(2, 10))
def test_1d_never_leaves_a_hidden_total_under_the_threshold(values, min_n):
    n = pd.Series(values)
    hidden = complementary_suppression_1d(n, min_n=min_n).to_numpy()
    arr = n.to_numpy()
    assert hidden[(arr > 0) & (arr < min_n)].all()  # every small group is hidden
    # recoverable only if the whole line is hidden anyway (then nothing is subtracted)
    assert _safe(arr, hidden, min_n) or hidden[arr > 0].all()


@settings(max_examples=200, deadline=None)
@given(tables, st.integers(2, 10))
def test_2d_every_row_and_column_is_safe(rows, min_n):
    n = pd.DataFrame(rows)
    hidden = complementary_suppression(n, min_n=min_n).to_numpy()
    arr = n.to_numpy()
    assert hidden[(arr > 0) & (arr < min_n)].all()
    for line, mask in [*zip(arr, hidden, strict=True), *zip(arr.T, hidden.T, strict=True)]:
        assert _safe(line, mask, min_n) or mask[line > 0].all()


def test_margins_hand_worked():
    # B's total (4) is small: hidden, with A's total as its complement in the totals column;
    # each hidden total keeps a hidden cell in its row, and every column stays safe
    n = pd.DataFrame([[20, 12, 9], [3, 1, 0], [11, 14, 30]], index=[*"ABC"], columns=[*"xyz"])
    hidden = complementary_suppression(n, min_n=5, margins=True)
    assert hidden["All"].tolist() == [True, True, False, False]
    assert not hidden.loc["All"].any()
    assert hidden.loc["B", ["x", "y"]].all() and not hidden.loc["A", "z"]


@settings(max_examples=200, deadline=None)
@given(tables, st.integers(2, 10))
def test_margins_no_line_lets_a_hidden_entry_be_subtracted_out(rows, min_n):
    n = pd.DataFrame(rows)
    hidden = complementary_suppression(n, min_n=min_n, margins=True).to_numpy()
    arr = n.to_numpy()
    arr = np.vstack([arr, arr.sum(axis=0)])
    arr = np.column_stack([arr, arr.sum(axis=1)])
    assert hidden[(arr > 0) & (arr < min_n)].all()  # small cells and small totals alike
    lines = [(arr[i, :-1], hidden[i, :-1], hidden[i, -1]) for i in range(arr.shape[0])]
    lines += [(arr[:-1, j], hidden[:-1, j], hidden[-1, j]) for j in range(arr.shape[1])]
    for parts, mask, total_hidden in lines:
        if total_hidden:  # the total is not the sum of the shown parts
            assert mask[parts > 0].any() or parts.sum() == 0
        else:
            assert _safe(parts, mask, min_n) or mask[parts > 0].all()
