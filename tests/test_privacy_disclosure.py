"""Disclosure control: primary and complementary suppression, proved by LP.

"Recoverable" (module docstring of peo_lib.privacy.disclosure): given every published
entry (cells and totals) and non-negativity, the hidden entry's feasible
interval has width 0. The verifier below is written independently of the
module's own audit: it always models the full table with a total row, a total
column and the grand total, and solves the bounds with scipy's linprog.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from peo_lib.privacy.disclosure import (
    TOTAL_LABEL,
    add_margins,
    disclosure_mask,
    label_small,
    suppress,
    suppress_groups,
    suppress_table,
    suppress_tidy,
)


def feasible_intervals(full: np.ndarray, hidden: np.ndarray) -> dict:
    """{(i, j): (min, max)} of each hidden entry of an (R+1) x (C+1) table with totals."""
    R, C = full.shape[0] - 1, full.shape[1] - 1
    idx = {ij: k for k, ij in enumerate(map(tuple, np.argwhere(hidden)))}
    n = len(idx)
    rows, rhs = [], []

    def relation(entries):  # sum(entries[:-1]) - entries[-1] == 0
        a, b = np.zeros(n), 0.0
        for pos, ij in enumerate(entries):
            sign = -1.0 if pos == len(entries) - 1 else 1.0
            if ij in idx:
                a[idx[ij]] += sign
            else:
                b -= sign * full[ij]
        rows.append(a)
        rhs.append(b)

    for i in range(R + 1):
        relation([(i, j) for j in range(C + 1)])
    for j in range(C + 1):
        relation([(i, j) for i in range(R + 1)])
    A, b = np.array(rows), np.array(rhs)
    out = {}
    for ij, k in idx.items():
        c = np.zeros(n)
        c[k] = 1
        lo = linprog(c, A_eq=A, b_eq=b, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=A, b_eq=b, bounds=(0, None), method="highs")
        assert lo.status == 0, "the published table must be consistent"
        out[ij] = (lo.fun, np.inf if hi.status == 3 else -hi.fun)
    return out


def count_tables():
    """Small count tables with many small cells and zeros (the hard cases)."""
    cell = st.one_of(st.integers(0, 6), st.integers(0, 40), st.just(0))
    return st.tuples(st.integers(1, 5), st.integers(1, 5)).flatmap(
        lambda rc: st.lists(st.lists(cell, min_size=rc[1], max_size=rc[1]),
                            min_size=rc[0], max_size=rc[0]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=count_tables(), min_n=st.sampled_from([3, 5, 10]))
def test_no_hidden_entry_is_recoverable(data, min_n):
    counts = pd.DataFrame(data, index=[f"g{i}" for i in range(len(data))],
                          columns=[f"c{j}" for j in range(len(data[0]))])
    mask = disclosure_mask(counts, min_n=min_n, include_margins=True)
    full = add_margins(counts).to_numpy()
    hidden = mask.to_numpy()
    assert mask.shape == full.shape
    # every small count, cell or total, is hidden
    small = (full > 0) & (full < min_n)
    assert not (small & ~hidden).any(), f"small count shown:\n{counts}\n{mask}"
    # interior mask is the same as without include_margins
    inner = disclosure_mask(counts, min_n=min_n)
    np.testing.assert_array_equal(inner.to_numpy(), hidden[:-1, :-1])
    # a hidden total hides its whole row/column (percentages would give it back)
    R, C = counts.shape
    for i in range(R):
        if hidden[i, C]:
            assert hidden[i, :].all()
    for j in range(C):
        if hidden[R, j]:
            assert hidden[:, j].all()
    # no hidden entry has a feasible interval of width 0
    for ij, (lo, hi) in feasible_intervals(full, hidden).items():
        assert hi - lo >= 1 - 1e-6, f"entry {ij} = {full[ij]} recoverable in [{lo}, {hi}]:\n{counts}\n{mask}"


@settings(max_examples=100, deadline=None)
@given(data=count_tables(), min_n=st.sampled_from([3, 5, 10]))
def test_without_margins_only_primary(data, min_n):
    counts = pd.DataFrame(data)
    mask = disclosure_mask(counts, min_n=min_n, margins=False).to_numpy()
    x = counts.to_numpy()
    small = lambda a: (a > 0) & (a < min_n)  # noqa: E731
    expected = small(x) | ((x == 0) & (small(x.sum(axis=1))[:, None] | small(x.sum(axis=0))[None, :]))
    np.testing.assert_array_equal(mask, expected)


def test_example_crosstab():
    counts = pd.DataFrame({"eens": [12, 3, 20], "oneens": [8, 9, 11]},
                          index=["Den Haag", "Delft", "Westland"])
    mask = disclosure_mask(counts, min_n=5)
    assert mask.loc["Delft", "eens"]  # primary
    assert mask.loc["Delft", "oneens"]  # row complement
    assert mask["eens"].sum() == 2 and mask["oneens"].sum() == 2
    assert not mask.loc["Westland"].any()
    shown = suppress_table(counts, min_n=5)
    assert shown.loc["Delft", "eens"] == "n<5"
    assert shown.loc[TOTAL_LABEL, TOTAL_LABEL] == 63


def test_nothing_small_nothing_hidden():
    counts = pd.DataFrame({"a": [10, 20], "b": [0, 7]})
    assert not disclosure_mask(counts, min_n=5).to_numpy().any()


def test_single_column_group_sizes_hide_next_smallest():
    sizes = pd.Series([40, 3, 12, 9, 0], index=["Den Haag", "Delft", "Zoetermeer", "Westland", "Rijswijk"],
                      name="n")
    mask = disclosure_mask(sizes, min_n=5)["n"]
    assert list(mask[mask].index) == ["Delft", "Westland"]  # the small one and the next-smallest
    assert not mask["Rijswijk"]  # an empty group is no disclosure
    full = disclosure_mask(sizes, min_n=5, include_margins=True)
    assert not full.loc[TOTAL_LABEL, "n"]


def test_zero_in_a_small_group_is_hidden():
    # Delft: 3 respondents, all 'eens'; the zero says "nobody in Delft disagreed"
    counts = pd.DataFrame({"eens": [3, 20, 15], "oneens": [0, 9, 11]}, index=["Delft", "Den Haag", "Leiden"])
    mask = disclosure_mask(counts, min_n=5, margins=False)
    assert mask.loc["Delft"].all()


def test_small_total_hides_whole_row_and_complement_row():
    counts = pd.DataFrame({"a": [2, 30, 8], "b": [1, 25, 9], "c": [0, 12, 6]}, index=["x", "y", "z"])
    mask = disclosure_mask(counts, min_n=5, include_margins=True)
    assert mask.loc["x"].all()
    assert mask.loc["z", TOTAL_LABEL]  # next-smallest group total
    assert mask.loc["z"].all()
    assert not mask.loc["y"].any()


def test_grand_total_small_hides_everything():
    counts = pd.DataFrame({"a": [1, 1], "b": [0, 1]})
    assert disclosure_mask(counts, min_n=5, include_margins=True).to_numpy().all()


@pytest.mark.parametrize("min_n, label", [(5, "n<5"), (10, "n<10"), (1, "n<1")])
def test_label_small(min_n, label):
    assert label_small(min_n) == label


@pytest.mark.parametrize("bad", [0, -1, 2.5, "5", True, None])
def test_min_n_checked(bad):
    with pytest.raises(ValueError, match="`min_n` must be a positive integer"):
        disclosure_mask(pd.DataFrame({"a": [1]}), min_n=bad)


@pytest.mark.parametrize("counts, match", [
    (pd.DataFrame({"a": [1.5]}), "non-negative whole numbers"),
    (pd.DataFrame({"a": [-1]}), "non-negative whole numbers"),
    (pd.DataFrame({"a": [np.nan]}), "missing value"),
    (pd.DataFrame({"a": ["x"]}), "numbers only"),
])
def test_counts_checked(counts, match):
    with pytest.raises(ValueError, match=match):
        disclosure_mask(counts, min_n=5)


def test_margins_checked():
    with pytest.raises(ValueError, match="`margins` must be one of"):
        disclosure_mask(pd.DataFrame({"a": [1]}), min_n=5, margins="yes")
    with pytest.raises(ValueError, match="needs `margins=True`"):
        disclosure_mask(pd.DataFrame({"a": [1]}), min_n=5, margins=False, include_margins=True)


def test_suppress_labels_and_alignment():
    counts = pd.DataFrame({"a": [3, 10], "b": [10, 10]}, index=["x", "y"])
    mask = disclosure_mask(counts, min_n=5)
    pct = counts.div(counts.sum(axis=1), axis=0) * 100
    shown = suppress(pct, mask, min_n=5)
    assert shown.loc["x", "a"] == "n<5"
    assert shown.dtypes.eq(object).all()
    with pytest.raises(ValueError, match="same index and columns"):
        suppress(pct.iloc[:1], mask, min_n=5)


def test_suppress_table_with_percentages():
    counts = pd.DataFrame({"a": [3, 10, 12], "b": [10, 10, 15]}, index=["x", "y", "z"])
    pct = counts.div(counts.sum(axis=1), axis=0).round(3) * 100
    shown = suppress_table(counts, min_n=5, values=pct)
    assert shown.shape == counts.shape and shown.loc["x", "a"] == "n<5"


def test_suppress_groups_mean_per_gemeente():
    table = pd.DataFrame({"gemeente": ["Den Haag", "Delft", "Westland", "Leiden"],
                          "n": [40, 3, 8, 12], "mean": [3.2, 2.1, 3.9, 3.0], "sd": [0.8, 1.1, 0.5, 0.7]})
    out = suppress_groups(table, group_col="gemeente", min_n=5)
    assert list(out.loc[out["suppressed"], "gemeente"]) == ["Delft", "Westland"]
    assert out.loc[out["suppressed"], ["n", "mean", "sd"]].isna().all().all()
    assert out.loc[~out["suppressed"], "mean"].notna().all()
    alone = suppress_groups(table, group_col="gemeente", min_n=5, total=False)
    assert list(alone.loc[alone["suppressed"], "gemeente"]) == ["Delft"]


def test_suppress_tidy_distribution_by_item():
    rows = []
    for item, counts in {"PR01": {"Den Haag": [10, 12], "Delft": [2, 9], "Leiden": [7, 8]},
                         "PR02": {"Den Haag": [10, 12], "Delft": [6, 9], "Leiden": [7, 8]}}.items():
        for g, (eens, oneens) in counts.items():
            tot = eens + oneens
            rows += [(item, g, "eens", eens, 100 * eens / tot), (item, g, "oneens", oneens, 100 * oneens / tot)]
    table = pd.DataFrame(rows, columns=["item", "gemeente", "categorie", "n", "pct"])
    out = suppress_tidy(table, group_cols="gemeente", category_col="categorie", min_n=5, by="item")
    pr01 = out[out["item"] == "PR01"]
    assert pr01.loc[(pr01["gemeente"] == "Delft") & (pr01["categorie"] == "eens"), "suppressed"].all()
    assert pr01["suppressed"].sum() == 4  # a 2x2 cycle
    assert not out.loc[out["item"] == "PR02", "suppressed"].any()
    assert out.loc[out["suppressed"], ["n", "pct"]].isna().all().all()


def test_suppress_tidy_checks_columns():
    with pytest.raises(ValueError, match=r"column\(s\) \['n'\] not in `table`"):
        suppress_tidy(pd.DataFrame({"g": ["a"], "count": [3]}), group_cols="g", min_n=5)
