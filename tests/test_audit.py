"""The disclosure audit: hand-worked tables, a brute-force reference, and the sample's leaks."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kit import audit
from kit.cli import main
from kit.privacy import complementary_suppression


def table(n, *, score: int = 10) -> np.ndarray:
    """One wave of a provider x customer table whose answers all have one score."""
    n = np.asarray(n)
    counts = np.zeros((1, *n.shape, 11), dtype=int)
    counts[0, ..., score] = n
    return counts


def hide(shape, *cells) -> np.ndarray:
    """A suppression pattern with the totals as a last row and column; ``cells`` withheld."""
    hidden = np.zeros((1, shape[0] + 1, shape[1] + 1), dtype=bool)
    for i, j in cells:
        hidden[0, i, j] = True
    return hidden


def run(counts, hidden, **options) -> pd.DataFrame:
    names = [f"F{i}" for i in range(max(counts.shape[1:3]))]
    options.setdefault("min_n", 5)
    options.setdefault("exact", True)  # every bound solved: the ranges below are worked by hand
    return audit.audit(counts, hidden, waves=["W"], functions=names, **options)


def ranges(result: pd.DataFrame, column: str = "n") -> dict:
    return {
        (r["provider"], r["customer"]): (r[f"{column}_min"], r[f"{column}_max"])
        for _, r in result.iterrows()
    }


def test_a_lone_withheld_cell_is_given_away_by_its_row_total():
    result = run(table([[20, 3], [9, 30]]), hide((2, 2), (0, 1)))
    assert ranges(result) == {("F0", "F1"): (3, 3)}
    assert result["pinned"].all() and result["narrow"].all()


def test_a_withheld_rectangle_keeps_every_cell_open():
    # a + b = 23, c + d = 39, a + c = 29, b + d = 33, each at least 1: a = 1..22 by hand
    counts = table([[10, 1], [5, 15]], score=0) + table([[10, 2], [4, 15]], score=10)
    result = run(counts, hide((2, 2), (0, 0), (0, 1), (1, 0), (1, 1)))
    assert ranges(result) == {
        ("F0", "F0"): (1, 22),
        ("F0", "F1"): (1, 22),
        ("F1", "F0"): (7, 28),
        ("F1", "F1"): (11, 32),
    }
    assert not result["pinned"].any() and not result["narrow"].any()
    assert ranges(result, "promoters")[("F0", "F1")] == (0, 12)


def test_a_table_of_one_answer_gives_every_withheld_cell_away():
    """Homogeneity: when every answer is a 10, each withheld cell has no detractor."""
    result = run(table([[20, 3], [9, 30]]), hide((2, 2), (0, 0), (0, 1), (1, 0), (1, 1)))
    assert set(ranges(result, "detractors").values()) == {(0, 0)}
    assert result["pinned"].all()


def test_a_column_total_gives_away_a_cell_its_row_protects():
    # row 0 hides a (3) and b (9): safe within the row; but column 0 shows its total and c
    counts = table([[3, 9], [12, 30]])
    result = run(counts, hide((2, 2), (0, 0), (0, 1)))
    assert ranges(result) == {("F0", "F0"): (3, 3), ("F0", "F1"): (9, 9)}
    assert result["pinned"].all()


def test_a_function_total_subtracted_from_the_organisations_gives_it_away():
    # the cross-pack leak: every function's total shown but one, and the organisation's total
    n = np.array([[40, 30, 2], [25, 35, 20], [1, 2, 1]])
    hidden = hide((3, 3), (2, 0), (2, 1), (2, 2), (0, 2))
    hidden[0, 2, -1] = True  # the small function's total withheld, the grand total shown
    result = run(table(n), hidden).set_index(["provider", "customer"])
    total = result.loc[("F2", audit.ALL)]
    assert (total["n"], total["n_min"], total["n_max"]) == (4, 4, 4)
    assert total["pinned"]


def test_categories_show_when_nobody_in_a_withheld_pair_is_a_promoter():
    counts = table([[20, 3, 4], [9, 30, 12]], score=7)  # all passives...
    counts[0, 0, 0, 7], counts[0, 0, 0, 10] = 10, 10  # ...but the shown cell's promoters
    result = run(counts, hide((2, 3), (0, 1), (0, 2), (1, 1), (1, 2)), detail="categories")
    assert set(ranges(result, "promoters").values()) == {(0, 0)}, "the row holds no other"
    assert result["pinned"].all()
    assert not result["narrow"].any(), "their sizes stay open: a + b = 7, a + c = 33"


def _brute_force(counts: np.ndarray, hidden: np.ndarray) -> dict:
    """Every way to fill the withheld cells (n per cell, one score) that fits the shown totals."""
    n = counts.sum(axis=-1)[0]
    cells = [tuple(c) for c in np.argwhere(hidden[0, :-1, :-1] & (n > 0))]
    rows, cols = n.shape
    found: dict = {c: set() for c in cells}
    top = int(n.sum())
    for values in itertools.product(range(1, top + 1), repeat=len(cells)):
        trial = n.copy()
        for c, v in zip(cells, values, strict=True):
            trial[c] = v
        full = np.vstack([trial, trial.sum(axis=0)])
        full = np.column_stack([full, full.sum(axis=1)])
        truth = np.vstack([n, n.sum(axis=0)])
        truth = np.column_stack([truth, truth.sum(axis=1)])
        lines = [(i, slice(None)) for i in range(rows + 1)] + [
            (slice(None), j) for j in range(cols + 1)
        ]
        ok = all(
            full[i, -1] == truth[i, -1] for i in range(rows + 1) if not hidden[0, i, -1]
        ) and all(full[-1, j] == truth[-1, j] for j in range(cols + 1) if not hidden[0, -1, j])
        if ok and lines:
            for c, v in zip(cells, values, strict=True):
                found[c].add(v)
    return {c: (min(v), max(v)) for c, v in found.items()}


@settings(max_examples=40, deadline=None)
@given(
    n=st.lists(st.lists(st.integers(0, 6), min_size=3, max_size=3), min_size=2, max_size=3),
    min_n=st.integers(2, 5),
)
def test_the_ranges_are_those_of_every_table_that_fits(n, min_n):
    """Against brute force on small tables, with the kit's own suppression pattern."""
    n = np.array(n)
    pattern = complementary_suppression(pd.DataFrame(n), min_n=min_n, margins=True).to_numpy()
    counts, hidden = table(n), pattern[None]
    cells = int((hidden[0, :-1, :-1] & (n > 0)).sum())
    if not 0 < cells <= 4 or n.sum() > 14:
        return
    result = run(counts, hidden, min_n=min_n)
    top = int(n.sum())  # the enumeration's cap stands for "no upper bound"
    got = {
        (int(r["provider"][1:]), int(r["customer"][1:])): (
            r["n_min"],
            top if pd.isna(r["n_max"]) else r["n_max"],
        )
        for _, r in result.iterrows()
        if audit.ALL not in (r["provider"], r["customer"])
    }
    assert got == _brute_force(counts, hidden)
    inside = (result["n_min"] <= result["n"]) & (result["n"] <= result["n_max"])
    assert inside.fillna(True).all()


@settings(max_examples=30, deadline=None)
@given(
    n=st.lists(st.lists(st.integers(0, 12), min_size=4, max_size=4), min_size=3, max_size=4),
    min_n=st.integers(2, 6),
    seed=st.integers(0, 2**32 - 1),
    detail=st.sampled_from(sorted(audit.PUBLISHED)),
)
def test_solving_only_the_bounds_that_decide_decides_the_same(n, min_n, seed, detail):
    """The quick audit (bounds solved only where a decision depends on them) against every
    bound solved: the same pinned and narrow figures, the same narrowest range, every range
    inside the exact one and holding the true value, and single values only where exact."""
    rng = np.random.default_rng(seed)
    n = np.array(n)
    counts = np.zeros((1, *n.shape, 11), dtype=int)
    for (p, c), size in np.ndenumerate(n):
        counts[0, p, c] = rng.multinomial(size, rng.dirichlet(np.ones(11) * 0.5))
    hidden = complementary_suppression(pd.DataFrame(n), min_n=min_n, margins=True).to_numpy()
    quick = run(counts, hidden[None], min_n=min_n, detail=detail, exact=False)
    full = run(counts, hidden[None], min_n=min_n, detail=detail)
    assert audit.summary(quick) == audit.summary(full)
    key = ["provider", "customer"]
    assert quick[key + ["pinned", "narrow"]].equals(full[key + ["pinned", "narrow"]])
    for m in audit.MEASURES:
        low, high = quick[f"{m}_min"], quick[f"{m}_max"]
        assert ((full[f"{m}_min"] <= low) & (low <= quick[m])).all()
        assert ((quick[m] <= high) & (high <= full[f"{m}_max"])).fillna(True).all()
        single = low == high
        assert (full.loc[single, f"{m}_min"] == full.loc[single, f"{m}_max"]).all()


@settings(max_examples=25, deadline=None)
@given(
    n=st.lists(st.lists(st.integers(0, 9), min_size=3, max_size=3), min_size=3, max_size=4),
    seed=st.integers(0, 2**32 - 1),
    detail=st.sampled_from(["published", "categories"]),
)
def test_categories_as_unknowns_give_the_ranges_of_0_to_10_counts(n, seed, detail):
    """When only nested lines show 0-10 answers, the audit takes each withheld cell's three
    category counts as its unknowns (3 per cell, not 11): every exact range is the same."""
    rng = np.random.default_rng(seed)
    n = np.array(n)
    counts = np.zeros((*n.shape, 11), dtype=int)
    for (p, c), size in np.ndenumerate(n):
        counts[p, c] = rng.multinomial(size, rng.dirichlet(np.ones(11) * 0.5))
    hidden = complementary_suppression(pd.DataFrame(n), min_n=5, margins=True).to_numpy()
    options = dict(cut=(6, 8), published=audit.PUBLISHED[detail], min_n=5, exact=True)
    fast = audit._wave(counts, hidden, **options)
    full = audit._wave(counts, hidden, **options, by_category=False)
    assert len(fast) == len(full)
    for (p, c, value, lo, hi), (p_, c_, value_, lo_, hi_) in zip(fast, full, strict=True):
        assert (p, c) == (p_, c_)
        assert (value == value_).all() and (lo == lo_).all() and (hi == hi_).all()


def test_nothing_shown_leaves_everything_open():
    hidden = np.ones((1, 3, 3), dtype=bool)
    result = run(table([[2, 3], [1, 4]]), hidden)
    assert result["n_max"].isna().all() and not result["pinned"].any()


def test_complementary_suppression_alone_lets_the_sample_give_groups_away(org):
    """The leak the ledger's audit loop closes, measured with the loop bypassed: line-by-line
    complementary suppression lets what the packs print work out the exact number of
    detractors in three withheld cells (Pharmacovigilance rated by Marketing, 2025-H1:
    1 of its 4 raters is a detractor, and that is all the totals allow)."""
    ledger = org.ledger
    plain = np.stack(
        [
            complementary_suppression(
                pd.DataFrame(ledger.counts[w].sum(axis=2)), min_n=5, margins=True
            ).to_numpy()
            for w in range(len(ledger.waves))
        ]
    )
    result = audit.audit(
        ledger.counts, plain, waves=ledger.waves, functions=ledger.functions, min_n=5
    )
    assert audit.summary(result) == {
        "withheld": 121,
        "pinned": 3,
        "narrow": 43,
        "narrowest_n_range": 2,
    }
    row = result.set_index(["wave", "provider", "customer"]).loc[
        ("2025-H1", "Pharmacovigilance", "Marketing")
    ]
    assert (row["n"], row["detractors"], row["detractors_min"], row["detractors_max"]) == (
        4,
        1,
        1,
        1,
    )


def test_the_ledger_lets_no_withheld_group_be_given_away(org):
    ledger = org.ledger
    assert audit.summary(ledger.audit()) == {
        "withheld": 126,
        "pinned": 0,
        "narrow": 37,
        "narrowest_n_range": 2,
    }
    assert audit.summary(ledger.audit(detail="categories"))["pinned"] == 0
    # the cell above is withheld with every figure open
    row = (
        ledger.audit()
        .set_index(["wave", "provider", "customer"])
        .loc[("2025-H1", "Pharmacovigilance", "Marketing")]
    )
    assert row["detractors_max"] > row["detractors_min"]


def test_no_shown_group_has_all_its_answers_in_one_category(org):
    """Medical Affairs rates Marketing -100 in 2026-H1: its 8 raters are all detractors; shown,
    it would tell each of them. The ledger withholds it (and any such group or total)."""
    from kit.ledger import categories, with_totals

    ledger = org.ledger
    assert ledger.withheld("2026-H1", provider="Marketing", customer="Medical Affairs")
    for w in range(len(ledger.waves)):
        split = with_totals(categories(ledger.counts[w], ledger.cut))
        shown = ~ledger.hidden[w] & (split.sum(axis=2) > 0)
        assert ((split[shown] > 0).sum(axis=1) >= 2).all()


def test_kit_audit_says_what_it_found(capsys, sample_copy, tmp_path):
    out, config = tmp_path / "ranges.csv", str(sample_copy / "engagement.yaml")
    assert main(["audit", "--config", config, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "126 withheld cells and totals in 3 waves audited" in said
    assert "0 given away (pinned)" in said
    assert len(pd.read_csv(out)) == 126
    assert main(["audit", "--config", config, "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err, "nothing is overwritten"
    exact = tmp_path / "exact.csv"
    assert main(["audit", "--config", config, "--exact", "--out", str(exact)]) == 0
    assert "0 given away (pinned)" in capsys.readouterr().out
    quick, full = pd.read_csv(out), pd.read_csv(exact)
    assert quick[["pinned", "narrow"]].equals(full[["pinned", "narrow"]])
    assert (full["n_min"] <= quick["n_min"]).all() and (full["n_min"] < quick["n_min"]).any()
    # were every customer group's total shown with its 0-10 bars, 8 groups would be given away
    assert main(["audit", "--config", config, "--detail", "scores"]) == 1
    said = capsys.readouterr().out
    assert "8 given away (pinned)" in said and "Market Access" in said


def test_kit_audit_passes_when_nothing_small_is_shown(capsys, sample_copy):
    path = sample_copy / "engagement.yaml"
    path.write_text(path.read_text().replace("min_group_size: 5", "min_group_size: 1000"))
    assert main(["audit", "--config", str(path)]) == 0
    assert "0 given away (pinned)" in capsys.readouterr().out


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=2, max_value=4).flatmap(
        lambda k: st.lists(
            st.lists(st.integers(min_value=0, max_value=3), min_size=k * 3, max_size=k * 3),
            min_size=k,
            max_size=k,
        )
    ),
    st.integers(min_value=0, max_value=2**32 - 1),
)
def test_what_the_ledger_decides_never_gives_a_group_away(sizes, seed):
    """Random tables of small groups (0-9 answers in k x k cells, scores drawn at random):
    whatever the ledger shows, the audit works out no withheld figure, no shown group has
    every answer in one category, and every group under the threshold is withheld."""
    from kit.ledger import categories, protect, with_totals

    rng = np.random.default_rng(seed)
    k = len(sizes)
    n = np.array([[sum(row[3 * j : 3 * j + 3]) for j in range(k)] for row in sizes])
    counts = np.zeros((k, k, 11), dtype=int)
    for (p, c), size in np.ndenumerate(n):
        counts[p, c] = rng.multinomial(size, rng.dirichlet(np.ones(11) * 0.7))
    hidden = protect(counts, min_n=5)
    result = audit.audit(counts[None], hidden[None], waves=["W"], functions=[*"ABCD"][:k], min_n=5)
    assert not result["pinned"].any(), result[result["pinned"]]
    split = with_totals(categories(counts, (6, 8)))
    sizes_ = split.sum(axis=2)
    shown = ~hidden & (sizes_ > 0)
    assert ((split[shown] > 0).sum(axis=1) >= 2).all()
    assert hidden[(sizes_ > 0) & (sizes_ < 5)].all()
