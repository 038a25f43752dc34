"""Anonymity that holds: small groups suppressed, and no suppressed group recoverable.

Primary suppression hides every group with fewer than ``min_n`` responses. That alone is not
enough when the parent total is shown: subtracting the shown groups from it gives the hidden one.
Complementary suppression therefore hides further groups until, in every line of a table, no
group is hidden, or at least two are and together they hold ``min_n`` responses or more.

>>> import pandas as pd
>>> complementary_suppression_1d(pd.Series([40, 3, 12, 9]), min_n=5).tolist()
[False, True, False, True]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["complementary_suppression", "complementary_suppression_1d"]


def _fix_line(n: np.ndarray, hidden: np.ndarray, min_n: int) -> bool:
    """Hide the smallest shown non-empty cells of one line until it is safe.

    Safe: nothing hidden, or at least two hidden cells holding ``min_n`` responses together
    (a single hidden cell is recoverable from the line's total, whatever its size).
    """
    changed = False
    while 0 < n[hidden].sum() < min_n or (hidden & (n > 0)).sum() == 1:
        shown = np.flatnonzero(~hidden & (n > 0))
        if not len(shown):
            break
        hidden[shown[np.argmin(n[shown])]] = True
        changed = True
    return changed


def complementary_suppression_1d(n: pd.Series, *, min_n: int) -> pd.Series:
    """Which groups to hide: those under ``min_n`` plus enough others to stop subtraction."""
    counts = pd.to_numeric(n, errors="coerce").fillna(0).to_numpy(dtype=float)
    hidden = (counts > 0) & (counts < min_n)
    _fix_line(counts, hidden, min_n)
    return pd.Series(hidden, index=n.index, name="suppressed")


def complementary_suppression(n: pd.DataFrame, *, min_n: int) -> pd.DataFrame:
    """The same rule for a two-way table of counts (rows and columns both have totals).

    ``n`` is a wide table of response counts (e.g. provider x customer, 0 or NaN for empty
    cells). Returns a boolean table of the same shape: True where the cell must not be shown.
    Lines are revisited until no row or column lets a hidden cell be recovered.
    """
    counts = n.apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy(dtype=float)
    hidden = (counts > 0) & (counts < min_n)
    changed = True
    while changed:
        changed = False
        for i in range(counts.shape[0]):
            changed |= _fix_line(counts[i], hidden[i], min_n)
        for j in range(counts.shape[1]):
            col = hidden[:, j].copy()
            if _fix_line(counts[:, j], col, min_n):
                hidden[:, j] = col
                changed = True
    return pd.DataFrame(hidden, index=n.index, columns=n.columns)
