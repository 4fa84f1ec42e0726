"""Privacy: disclosure control for tables and scrubbing of open answers.

Every table, figure, Excel sheet and widget passes through this module before
anything is shown (design.md, "Privacy rules"). Two halves:

Disclosure control (tables)
---------------------------
:func:`disclosure_mask` decides which cells of a table of respondent counts
must be hidden; :func:`suppress` replaces them by the label ``n<5``;
:func:`suppress_tidy` and :func:`suppress_groups` do the same for tidy tables
(one row per group, or per group and category).

Rules, in this order:

1. *Primary suppression*: a count ``0 < n < min_n``. A zero is published
   (it says "nobody in this group answered X", which is about a group, not a
   person) **except** when its row or column total is itself ``0 < t <
   min_n``: in a group of three, "nobody chose X" is a statement about three
   people, so the zero is hidden too (group disclosure). With ``margins=True``
   a total ``0 < t < min_n`` is also primary.
2. *Whole lines*: when a row total (or column total) is hidden, the whole row
   (column) is hidden. Otherwise a published percentage and count of one
   cell would give the total back (``n / pct``), and a published
   percentage-only row would still leak it through the column totals.
3. *Complementary suppression*: in every line (a row or column together with
   its total, when totals are published) that holds a hidden entry, at least
   two entries are hidden, so no hidden entry is its total minus the others.
   The complement is the smallest *non-zero* visible entry of that line
   (a zero complement protects little: "these two cells hold 2" is as
   revealing as the 2 itself); a zero only when nothing else is left.
   Repeated until stable.
4. *Audit*: the line rule is not sufficient on its own (a hidden cell that
   bridges two otherwise protected groups of cells can still be exact), so
   every hidden entry is checked by linear programming (below); an entry that
   is still exactly determined gets one more complement, and 3-4 repeat.

*Recoverable* means: given every published entry (cells and totals) and
non-negativity, the set of values the hidden entry can take is a single
point, i.e. ``max x - min x == 0`` over the linear programme
``{x >= 0 : row, column and grand totals add up}``. For two-way tables with
margins the constraint matrix is totally unimodular, so the LP bounds are
integers and a non-zero width means at least two integer counts are possible.
The property-based tests in ``tests/test_privacy_disclosure.py`` check this
independently with :func:`scipy.optimize.linprog`.

Not covered (check by hand, see ``docs/privacy.md``): linked tables (the same
respondents cross-tabulated by two variables in two tables), dominance of one
category in a group ("all 7 in Delft disagree"), and rare combinations.

Open answers
------------
:class:`Scrubber` (one ``deduce`` instance plus Dutch regex rules),
:func:`get_scrubber` (a process-wide singleton), :func:`scrub_texts`,
:func:`scrub_open_answers` (cached per raw file) and
:func:`open_answers_for_output` (scrubbed, tidy, only groups of at least
``min_n_open``, no respondent ids, order not linked to respondents).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
from peo_lib._validate import check_argument, check_positive_int

__all__ = [
    "group_size_mask",
    "distribution_mask",
    # disclosure control
    "disclosure_mask",
    "suppress",
    "suppress_table",
    "suppress_tidy",
    "suppress_groups",
    "add_margins",
    "label_small",
    "TOTAL_LABEL",
    # open answers
    "Scrubber",
    "get_scrubber",
    "scrub_texts",
    "scrub_open_answers",
    "open_answers_for_output",
    "deduce_cache_path",
    "SCRUBBER_VERSION",
    "TAGS",
]

TOTAL_LABEL = "Totaal"


# ======================================================================
# argument checks
# ======================================================================



def _check_min_n(min_n, param="min_n"):
    """min_n must be a positive integer (1 means: no suppression)."""
    return check_positive_int(min_n, param, hint=f"from the codebook's privacy.{param}")


def _as_counts(counts) -> pd.DataFrame:
    """Normalise a count table (DataFrame or Series) to a float DataFrame of non-negative integers."""
    if isinstance(counts, pd.Series):
        counts = counts.to_frame(counts.name if counts.name is not None else "n")
    if not isinstance(counts, pd.DataFrame):
        raise TypeError(f"`counts` must be a DataFrame (or Series) of respondent counts, "
                        f"not {type(counts).__name__}.")
    try:
        values = counts.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise ValueError("`counts` must hold numbers only (respondent counts); convert labels "
                         "or percentages back to counts first.") from None
    if np.isnan(values).any():
        r, c = np.argwhere(np.isnan(values))[0]
        raise ValueError(f"`counts` has a missing value at row {counts.index[r]!r}, column "
                         f"{counts.columns[c]!r}; use 0 for an empty cell.")
    bad = (values < 0) | (values != np.round(values))
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise ValueError(f"`counts` must hold non-negative whole numbers (respondent counts), but "
                         f"row {counts.index[r]!r}, column {counts.columns[c]!r} is {values[r, c]!r}. "
                         "Pass counts, not percentages or means.")
    return pd.DataFrame(values, index=counts.index, columns=counts.columns)


def label_small(min_n) -> str:
    """The label shown instead of a suppressed figure.

    Parameters
    ----------
    min_n : int
        The round's ``privacy.min_n``.

    Returns
    -------
    str
        ``"n<5"`` for ``min_n=5``.
    """
    return f"n<{_check_min_n(min_n)}"


# ======================================================================
# disclosure control: the core on an "extended" table (cells + totals)
# ======================================================================

class _Extended:
    """Cells plus published totals as one matrix, with the additive lines between them."""

    def __init__(self, values: np.ndarray, margins: bool):
        self.R, self.C = values.shape
        self.row_total = bool(margins and self.C > 1)
        self.col_total = bool(margins and self.R > 1)
        ext = values
        if self.row_total:
            ext = np.hstack([ext, ext.sum(axis=1, keepdims=True)])
        if self.col_total:
            ext = np.vstack([ext, ext.sum(axis=0, keepdims=True)])
        self.E = ext
        # A line: list of (i, j) entries whose first ones add up to the last one.
        lines = []
        if self.row_total:
            for i in range(ext.shape[0]):
                lines.append([(i, j) for j in range(ext.shape[1])])
        if self.col_total:
            for j in range(ext.shape[1]):
                lines.append([(i, j) for i in range(ext.shape[0])])
        self.lines = lines

    def is_total(self, i, j) -> bool:
        return (self.row_total and j == self.C) or (self.col_total and i == self.R)


def _primary(ext: _Extended, min_n: int) -> np.ndarray:
    """Primary suppression on the extended table (see module docstring, rule 1)."""
    E = ext.E
    cells = E[: ext.R, : ext.C]
    small = lambda a: (a > 0) & (a < min_n)  # noqa: E731
    mask = small(E)
    # zeros in a small group are group disclosure
    rsum = cells.sum(axis=1)
    csum = cells.sum(axis=0)
    zero_small = (cells == 0) & (small(rsum)[:, None] | small(csum)[None, :])
    mask[: ext.R, : ext.C] |= zero_small
    return mask


def _whole_lines(ext: _Extended, mask: np.ndarray) -> bool:
    """Rule 2: a hidden row/column total hides its whole row/column. Returns True if changed."""
    changed = False
    if ext.row_total:
        for i in range(ext.E.shape[0]):
            if mask[i, ext.C] and not mask[i].all():
                mask[i] = True
                changed = True
    if ext.col_total:
        for j in range(ext.E.shape[1]):
            if mask[ext.R, j] and not mask[:, j].all():
                mask[:, j] = True
                changed = True
    return changed


def _pick_complement(ext: _Extended, mask: np.ndarray, entries) -> tuple | None:
    """Smallest non-zero visible entry among `entries` (zero only as last resort)."""
    E = ext.E
    candidates = [(i, j) for (i, j) in entries if not mask[i, j]]
    if not candidates:
        return None

    def key(ij):
        i, j = ij
        v = E[i, j]
        # non-zero first, then smallest, then cells before totals, then position
        return (v == 0, v, ext.is_total(i, j), i, j)

    return min(candidates, key=key)


def _line_rule(ext: _Extended, mask: np.ndarray) -> bool:
    """Rule 3: every line with a hidden entry has at least two. Returns True if changed."""
    changed = False
    for line in ext.lines:
        hidden = sum(mask[i, j] for i, j in line)
        if hidden == 1:
            pick = _pick_complement(ext, mask, line)
            if pick is not None:
                mask[pick] = True
                changed = True
    return changed


def _system(ext: _Extended, mask: np.ndarray):
    """Hidden entries and the equations ``A x = b`` they satisfy given the published entries."""
    hidden = [tuple(ij) for ij in np.argwhere(mask)]
    pos = {ij: k for k, ij in enumerate(hidden)}
    A, b = [], []
    for line in ext.lines:
        row = np.zeros(len(hidden))
        rhs = 0.0
        last = line[-1]
        touched = False
        for ij in line:
            sign = -1.0 if ij == last else 1.0
            if ij in pos:
                row[pos[ij]] += sign
                touched = True
            else:
                rhs -= sign * ext.E[ij]
        if touched:
            A.append(row)
            b.append(rhs)
    return hidden, np.array(A).reshape(len(A), len(hidden)), np.array(b)


def _lp_bounds(A, b, k):
    """Min and max of hidden entry k subject to ``A x = b, x >= 0`` (linprog, HiGHS)."""
    from scipy.optimize import linprog

    c = np.zeros(A.shape[1])
    c[k] = 1.0
    lo = linprog(c, A_eq=A, b_eq=b, bounds=(0, None), method="highs")
    hi = linprog(-c, A_eq=A, b_eq=b, bounds=(0, None), method="highs")
    return (lo.fun if lo.status == 0 else 0.0, -hi.fun if hi.status == 0 else np.inf)


def _exact_entries(ext: _Extended, mask: np.ndarray) -> list:
    """Hidden entries whose value the published entries pin down (feasible interval of width 0).

    Fast path: when every hidden value is positive, the true table is an
    interior point, so an entry can move iff some null-space direction of
    ``A`` moves it (linear algebra only). With hidden zeros, non-negativity
    may block every direction, so those cases are solved as LPs.
    """
    from scipy.linalg import null_space

    hidden, A, b = _system(ext, mask)
    if not hidden or A.shape[0] == 0:
        return []
    N = null_space(A)
    free = np.linalg.norm(N, axis=1) > 1e-9 if N.size else np.zeros(len(hidden), dtype=bool)
    exact = [ij for ij, f in zip(hidden, free) if not f]
    x0 = np.array([ext.E[ij] for ij in hidden])
    if (x0 > 0).all():
        return exact
    for k, ij in enumerate(hidden):
        if free[k]:
            lo, hi = _lp_bounds(A, b, k)
            if hi - lo <= 1e-9:
                exact.append(ij)
    return exact


def _solve_mask(values: np.ndarray, min_n: int, margins: bool) -> tuple[_Extended, np.ndarray]:
    """Primary + whole lines + line rule + LP audit, until stable."""
    ext = _Extended(values, margins)
    mask = _primary(ext, min_n)
    if not ext.lines:
        return ext, mask
    while True:
        while _whole_lines(ext, mask) | _line_rule(ext, mask):
            pass
        exact = _exact_entries(ext, mask)
        if not exact:
            return ext, mask
        # One more complement next to the first exact entry: the smallest visible
        # entry in any line through it (a new cycle for the bridge).
        i, j = min(exact)
        entries = [ij for line in ext.lines if (i, j) in line for ij in line]
        pick = _pick_complement(ext, mask, entries)
        if pick is None:  # every line through it is hidden: hide everything left
            pick = _pick_complement(ext, mask, [tuple(ij) for ij in np.argwhere(~mask)])
            if pick is None:
                return ext, mask
        mask[pick] = True


def _expand_margins(ext: _Extended, mask: np.ndarray) -> np.ndarray:
    """The (R+1) x (C+1) mask with a total row and column (a total of one cell is that cell)."""
    if ext.row_total and ext.col_total:
        return mask.copy()
    if ext.col_total:  # one column: the row totals are the cells
        return np.hstack([mask, mask])
    if ext.row_total:  # one row: the column totals are the cells
        return np.vstack([mask, mask])
    return np.full((2, 2), bool(mask[0, 0]))


def disclosure_mask(counts, *, min_n, margins=True, include_margins=False) -> pd.DataFrame:
    """Which cells of a table of respondent counts must be hidden.

    Parameters
    ----------
    counts : DataFrame or Series
        Respondent counts, rows x columns (e.g. gemeente x answer category), or
        one column of group sizes. Non-negative whole numbers; no totals in it.
    min_n : int
        The round's ``privacy.min_n``: a count ``0 < n < min_n`` is hidden.
    margins : bool
        ``True`` (default) when row totals, column totals or the grand total
        are published *or can be derived* (shown elsewhere in the report, or
        percentages that add up to 100 %): hidden cells then get complements
        so that no total gives them back. ``False`` only for a table shown
        with no totals and no percentages anywhere.
    include_margins : bool
        Also return the mask of the totals: a ``Totaal`` row and column are
        appended (see :func:`add_margins` for the matching values).

    Returns
    -------
    DataFrame of bool
        Same index and columns as ``counts`` (plus ``Totaal`` with
        ``include_margins``); ``True`` = hide.

    Notes
    -----
    Rules (primary, zeros, whole lines, complements, LP audit) and the exact
    meaning of "not recoverable" are in the module docstring. Tables in this
    project are small (a dozen rows), so the audit costs a few milliseconds.

    Examples
    --------
    >>> counts = pd.DataFrame({"eens": [12, 3, 20], "oneens": [8, 9, 11]},
    ...                       index=["Den Haag", "Delft", "Westland"])
    >>> disclosure_mask(counts, min_n=5)                         # doctest: +NORMALIZE_WHITESPACE
               eens  oneens
    Den Haag   True    True
    Delft      True    True
    Westland  False   False
    """
    min_n = _check_min_n(min_n)
    check_argument("margins", [True, False], margins)
    check_argument("include_margins", [True, False], include_margins)
    if include_margins and not margins:
        raise ValueError("`include_margins=True` needs `margins=True`: totals that are shown "
                         "must be protected.")
    frame = _as_counts(counts)
    ext, mask = _solve_mask(frame.to_numpy(), min_n, margins)
    if include_margins:
        full = _expand_margins(ext, mask)
        return pd.DataFrame(full, index=_with_total(frame.index), columns=_with_total(frame.columns))
    return pd.DataFrame(mask[: ext.R, : ext.C].copy(), index=frame.index, columns=frame.columns)


def group_size_mask(sizes, *, min_n, total=True):
    """Which groups' statistics are hidden: the one rule for figures computed per group.

    A group under ``min_n`` is hidden, and (with ``total=True``, when a total of
    all groups is shown beside them) the next-smallest group where the total
    would reveal it: :func:`disclosure_mask` on the group sizes.

    Parameters
    ----------
    sizes : array-like of int
        The base of each group (respondents with a valid answer).
    min_n : int
    total : bool
        Whether a total over the groups is published beside them.

    Returns
    -------
    (ndarray of bool, bool)
        Hidden per group, and whether the total itself is hidden.
    """
    min_n = _check_min_n(min_n)
    sizes = np.asarray(sizes, dtype=float)
    if not total:
        return sizes < min_n, bool(sizes.sum() < min_n)
    s = pd.Series(sizes, index=range(len(sizes)), name="n")
    m = disclosure_mask(s, min_n=min_n, margins=True, include_margins=True).to_numpy(dtype=bool)
    return m[:-1, 0], bool(m[-1, 0])


def distribution_mask(counts, *, min_n, total=True):
    """The one suppression rule for answer distributions (tables, charts, dashboard).

    A distribution's percentages are computed on its group's base, so the rule
    "any figure computed on fewer than min_n respondents" applies to the group
    sizes: a group under ``min_n`` (and its complement, where a shown total
    would reveal it) is hidden as a whole; single answer categories are not.
    Masking every small category cell instead hid whole large groups (Den Haag,
    n=66) as complements of rare answers elsewhere, which no panel can read.

    Parameters
    ----------
    counts : array-like, groups x categories
    min_n : int
    total : bool
        Whether a total row over the groups is shown.

    Returns
    -------
    (cell G x K, row G, total cells K, total hidden)
    """
    counts = np.asarray(counts, dtype=float)
    if counts.ndim == 1:
        counts = counts[None, :]
    row, total_hidden = group_size_mask(counts.sum(axis=1), min_n=min_n, total=total)
    cell = np.repeat(row[:, None], counts.shape[1], axis=1)
    return cell, row, np.full(counts.shape[1], total_hidden), total_hidden


def _with_total(index: pd.Index, label=TOTAL_LABEL) -> pd.Index:
    """The index with a total entry appended (as plain objects, so categoricals do not object)."""
    if isinstance(index, pd.MultiIndex):
        total = tuple([label] + [""] * (index.nlevels - 1))
        return pd.MultiIndex.from_tuples(list(index) + [total], names=index.names)
    return pd.Index(list(index) + [label], name=index.name, dtype=object)


def add_margins(counts, *, label=TOTAL_LABEL) -> pd.DataFrame:
    """Append a total row and column to a table of counts.

    The shape matches ``disclosure_mask(counts, include_margins=True)``.

    Parameters
    ----------
    counts : DataFrame or Series
    label : str
        Name of the total row and column (``"Totaal"``).

    Returns
    -------
    DataFrame
    """
    frame = _as_counts(counts)
    values = frame.to_numpy()
    values = np.hstack([values, values.sum(axis=1, keepdims=True)])
    values = np.vstack([values, values.sum(axis=0, keepdims=True)])
    return pd.DataFrame(values, index=_with_total(frame.index, label),
                        columns=_with_total(frame.columns, label))


def suppress(values, mask, *, min_n) -> pd.DataFrame:
    """Replace hidden cells by the label ``n<min_n``.

    Parameters
    ----------
    values : DataFrame or Series
        What will be shown: counts, percentages, means... Same index and
        columns as ``mask``.
    mask : DataFrame of bool
        From :func:`disclosure_mask`.
    min_n : int
        For the label.

    Returns
    -------
    DataFrame of object
        Visible values unchanged, hidden ones ``"n<5"``.
    """
    label = label_small(min_n)
    if isinstance(values, pd.Series):
        values = values.to_frame()
    if isinstance(mask, pd.Series):
        mask = mask.to_frame(values.columns[0] if mask.name is None else mask.name)
    if not isinstance(values, pd.DataFrame) or not isinstance(mask, pd.DataFrame):
        raise TypeError("`values` and `mask` must be DataFrames (mask from disclosure_mask).")
    if values.shape != mask.shape or not (values.index.equals(mask.index)
                                          and values.columns.equals(mask.columns)):
        raise ValueError(
            f"`values` {values.shape} and `mask` {mask.shape} must have the same index and "
            "columns; compute the mask on the counts behind these values (use "
            "include_margins=True and add_margins() when totals are shown).")
    if mask.dtypes.ne(bool).any():
        raise ValueError("`mask` must be boolean (from disclosure_mask).")
    out = values.astype(object).copy()
    out = out.mask(mask.to_numpy(), label)
    return out


def suppress_table(counts, *, min_n, margins=True, values=None) -> pd.DataFrame:
    """Counts (or other values) ready to publish, with totals when ``margins``.

    Parameters
    ----------
    counts : DataFrame or Series
        Respondent counts (rows x columns).
    min_n : int
    margins : bool
        Append and protect a ``Totaal`` row and column.
    values : DataFrame, optional
        Show these instead of the counts (e.g. row percentages), same shape as
        ``counts``, or as ``add_margins(counts)`` when ``margins``.

    Returns
    -------
    DataFrame of object
    """
    mask = disclosure_mask(counts, min_n=min_n, margins=margins, include_margins=margins)
    if values is None:
        values = (add_margins(counts) if margins else _as_counts(counts)).astype("Int64")
    elif margins and values.shape == _as_counts(counts).shape:
        mask = mask.iloc[:-1, :-1]
    return suppress(values, mask, min_n=min_n)


def _tidy_mask(table, keys, category_col, count_col, min_n, total) -> np.ndarray:
    """Row-wise mask of one tidy table (no `by`)."""
    if category_col is None:
        counts = table.set_index(keys)[count_col].to_frame()
        mask = disclosure_mask(counts, min_n=min_n, margins=total)
        return mask.to_numpy()[:, 0]
    wide = (table.groupby(keys + [category_col], observed=True)[count_col].sum()
            .unstack(category_col, fill_value=0))
    mask = disclosure_mask(wide, min_n=min_n, margins=total)
    stacked = mask.stack(future_stack=True)
    lookup = dict(zip(stacked.index, stacked.to_numpy()))
    idx = list(zip(*[table[k] for k in keys], table[category_col]))
    # a row whose group or category is missing (NaN) is not in the table: hide it
    return np.array([bool(lookup.get(t, True)) for t in idx], dtype=bool)


def suppress_tidy(table, *, group_cols, category_col=None, count_col="n", min_n, total=True,
                  by=None, stat_cols=None) -> pd.DataFrame:
    """Disclosure control for a tidy table (one row per group, or group x category).

    Parameters
    ----------
    table : DataFrame
        Tidy: ``group_cols`` (+ ``category_col``) (+ ``by``), a count column
        and statistics (``pct``, ``mean``, ...).
    group_cols : str or list of str
        Columns that define the groups (e.g. ``"gemeente"``, or
        ``["gemeente", "ervaringsgroep"]``).
    category_col : str, optional
        Answer category column for a distribution table (group x category,
        counts per cell). ``None``: one row per group and ``count_col`` is the
        group size ("mean per gemeente").
    count_col : str
        Respondent counts (``"n"``).
    min_n : int
    total : bool
        A total (overall row, or the group sizes adding up to a known n) is
        shown or derivable: hide a complement (the next-smallest group or
        cell). Default ``True``.
    by : str or list of str, optional
        Separate tables in one frame (e.g. ``"item"``): each is protected
        on its own.
    stat_cols : list of str, optional
        Columns to blank where hidden; default every numeric column besides
        the keys (including ``count_col``).

    Returns
    -------
    DataFrame
        A copy with the statistics of hidden rows set to NaN and a boolean
        column ``suppressed``. Show hidden rows with :func:`label_small`, or
        drop them.
    """
    min_n = _check_min_n(min_n)
    check_argument("total", [True, False], total)
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"`table` must be a tidy DataFrame, not {type(table).__name__}.")
    keys = [group_cols] if isinstance(group_cols, str) else list(group_cols)
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    needed = keys + by + [count_col] + ([category_col] if category_col is not None else [])
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in `table` (columns: {list(table.columns)}).")
    dup_keys = keys + by + ([category_col] if category_col is not None else [])
    if table.duplicated(dup_keys).any():
        raise ValueError(f"`table` has more than one row per {dup_keys}; aggregate first.")
    out = table.copy()
    mask = np.zeros(len(out), dtype=bool)
    if by:
        for pos in out.groupby(by, sort=False, observed=True, dropna=False).indices.values():
            mask[pos] = _tidy_mask(out.iloc[pos], keys, category_col, count_col, min_n, total)
    else:
        mask = _tidy_mask(out, keys, category_col, count_col, min_n, total)
    if stat_cols is None:
        skip = set(keys + by + ([category_col] if category_col is not None else []))
        stat_cols = [c for c in out.columns if c not in skip and pd.api.types.is_numeric_dtype(out[c])
                     and not pd.api.types.is_bool_dtype(out[c])]
    for c in stat_cols:
        out[c] = out[c].astype(float).where(~mask)
    out["suppressed"] = mask
    return out


def suppress_groups(table, *, group_col, n_col="n", min_n, total=True, by=None,
                    stat_cols=None) -> pd.DataFrame:
    """Disclosure control for "statistic per group" tables (mean per gemeente).

    Groups with ``0 < n < min_n`` lose their statistics and n; with
    ``total=True`` the next-smallest group is hidden too, so the overall
    n and mean cannot give the small group back.

    Parameters
    ----------
    table : DataFrame
        One row per group (per ``by``): group column(s), ``n_col`` and
        statistics.
    group_col : str or list of str
    n_col : str
        Respondents behind each row's statistics.
    min_n : int
    total : bool
        An overall figure is shown (default ``True``).
    by : str or list of str, optional
        E.g. ``"scale"``: each is protected on its own.
    stat_cols : list of str, optional

    Returns
    -------
    DataFrame
        See :func:`suppress_tidy`.
    """
    return suppress_tidy(table, group_cols=group_col, category_col=None, count_col=n_col,
                         min_n=min_n, total=total, by=by, stat_cols=stat_cols)


# ======================================================================
# open answers: scrubbing
# ======================================================================

#: Bump when a rule changes: cached scrubbed answers are then made again.
SCRUBBER_VERSION = "1"

#: Dutch replacement tags (what readers see).
TAGS = {
    "naam": "[naam]",
    "e-mail": "[e-mail]",
    "telefoon": "[telefoon]",
    "postcode": "[postcode]",
    "nummer": "[nummer]",
    "url": "[url]",
    "organisatie": "[organisatie]",
    "plaats": "[plaats]",
    "adres": "[adres]",
    "datum": "[datum]",
    "leeftijd": "[leeftijd]",
    "term": "[verwijderd]",
}

# deduce 3.x annotation tags -> our tags (anything unknown becomes [verwijderd])
_DEDUCE_TAGS = {
    "persoon": "naam", "patient": "naam", "voornaam": "naam", "achternaam": "naam",
    "initiaal": "naam", "naam": "naam",
    "locatie": "plaats", "straat": "adres", "huisnummer": "adres",
    "datum": "datum", "leeftijd": "leeftijd",
    "telefoonnummer": "telefoon", "emailadres": "e-mail", "url": "url",
    "bsn": "nummer", "id": "nummer",
    "zorginstelling": "organisatie", "ziekenhuis": "organisatie", "instelling": "organisatie",
}

_SEP = r"(?:\s?[-./]\s?|\)\s?|\s)?"  # between digits of a phone number: space, -, ., /, ")"
_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}", re.UNICODE)
_URL = re.compile(
    r"(?:(?:https?://|www\.)[^\s<>\"']+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:nl|com|org|net|eu|info|be|de|nu|online|app)\b(?:/[^\s<>\"']*)?)",
    re.IGNORECASE)
_IBAN = re.compile(r"\bNL\s?\d{2}\s?[A-Z]{4}(?:\s?\d){10}\b", re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)\s?31" + _SEP + r"(?:\(0\)" + _SEP + r")?[1-9](?:" + _SEP + r"\d){8}"  # +31 6 12345678
    r"|\(?0[1-9](?:" + _SEP + r"\d){8}"                                                  # 06-12345678, 070 123 4567
    r"|0[89]0[09](?:" + _SEP + r"\d){4,7}"                                               # 0800/0900
    r")(?![\w]|[-.]\d)")
_POSTCODE = re.compile(r"\b[1-9]\d{3}(?:\s?(?!SA|SD|SS)[A-Z]{2}|(?!sa|sd|ss)[a-z]{2})\b")
_NUMBER9 = re.compile(r"(?<![\w.,])(?:\d{9}|\d{3}[. ]\d{3}[. ]\d{3}|\d{4}[. ]\d{2}[. ]\d{3})(?![\w]|[.,]\d)")
_NUMBER8 = re.compile(r"(?<![\w.,])\d{8}(?![\w]|[.,]\d)")
_MONTHS = ("januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
           "jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec")
_DATE = re.compile(
    rf"(?<![\w])(?:\d{{1,2}}(?:e|ste|de)?\s+(?i:{_MONTHS})\.?(?:\s+(?:19|20)\d{{2}})?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)?\d{2})(?![\w]|[-/.]\d)")
# Districts and villages of Haaglanden that deduce's place list lacks (case-sensitive, whole words).
_REGION_PLACES = re.compile(r"(?<![\w-])(?:" + "|".join(sorted((
    "Escamp", "Schilderswijk", "Transvaal", "Moerwijk", "Ypenburg", "Leidschenveen", "Segbroek",
    "Scheveningen", "Loosduinen", "Laak", "Haagse Hout", "Bouwlust", "Vrederust", "Morgenstond",
    "Duindorp", "Mariahoeve", "Stationsbuurt", "Spoorwijk", "Rustenburg", "Oostbroek", "Zuiderpark",
    "Bezuidenhout", "Regentessekwartier", "Valkenboskwartier", "Waldeck", "Wateringse Veld",
    "Meerzicht", "Palenstein", "Rokkeveen", "Oosterheem", "Seghwaert", "Buytenwegh",
    "Driemanspolder", "Noordhove", "Tanthof", "Voorhof", "Buitenhof", "Hof van Delft",
    "Naaldwijk", "Monster", "'s-Gravenzande", "Wateringen", "De Lier", "Honselersdijk", "Poeldijk",
    "Kwintsheul", "Maasdijk", "Steenvoorde", "Te Werve", "Voorburg", "Leidschendam", "Stompwijk",
    "Delfgauw", "Nootdorp", "Maasland", "Schipluiden", "Den Hoorn"), key=lambda p: -len(p)))
    + r")(?![\w-])")
_PLACEHOLDER = re.compile(r"\[[a-z-]+\]")

# A capitalised name after a role word ("mijn teamleider Petra", "collega Ahmed").
_ROLES = (
    "collega|teamleider|teamleidster|leidinggevende|manager|directeur|bestuurder|coördinator|"
    "coordinator|gedragswetenschapper|orthopedagoog|psycholoog|jeugdhulpverlener|jeugdconsulent|"
    "consulent|casusregisseur|regisseur|behandelaar|begeleider|mentor|stagiair|stagiaire|"
    "wethouder|ambtenaar|beleidsmedewerker|cliënt|client|jongere|moeder|vader|"
    "mevrouw|meneer|mevr\\.?|mw\\.?|dhr\\.?|juf|meester|dokter|dr\\.?"
)
_INFIX = r"(?i:van de|van der|van den|in 't|op de|van|de|der|den|het|ter|ten|te|in|'t|el|al|bin|ben|da|di|dos|du|le|la)"
_NAME_WORD = r"[A-Z][a-zà-ÿ'’-]+"
_INFIX_CAP = r"(?:Van der|Van den|Van de|Van|De|Den|Der|Ter|Ten|El|Al)"
_ROLE_NAME = re.compile(
    rf"(?<![\w])((?i:{_ROLES})[:,]?\s+)"
    rf"((?:{_INFIX_CAP}\s+)?{_NAME_WORD}(?:\s+(?:{_INFIX}\s+)?{_NAME_WORD}){{0,2}}|[A-Z]\.(?:\s?[A-Z]\.)*\s*(?:{_INFIX}\s+)?{_NAME_WORD})")
_NOT_NAMES = frozenset(
    "De Het Een Ik Jij Hij Zij Wij Jullie Die Dat Deze Dit En Maar Of Want Dus Als Ook Van Voor "
    "Met In Op Om Bij Uit Naar Niet Wel Geen Nog Al Er Hier Daar Toen Nu Wat Wie Waar Hoe "
    "Zo Veel Alle Elke Iedere Mijn Onze Haar Zijn".split())


def _role_names(text):
    """Spans of capitalised names after a role word, skipping ordinary sentence words."""
    for m in _ROLE_NAME.finditer(text):
        words = m.group(2).split()
        if words[0] in _NOT_NAMES and (len(words) == 1 or words[1] in _NOT_NAMES):
            continue
        yield m.start(2), m.end(2)


def _digits(s):
    return re.sub(r"\D", "", s)


def _is_bsn(s) -> bool:
    """The 11-proof (elfproef) of a BSN: sum(d_i * w_i) with weights 9..2, -1 is divisible by 11."""
    d = _digits(s).zfill(9)
    if len(d) != 9:
        return False
    total = sum(int(x) * w for x, w in zip(d, [9, 8, 7, 6, 5, 4, 3, 2, -1]))
    return total % 11 == 0 and int(d) != 0


def _compile_terms(redact_terms):
    """One case-insensitive whole-word pattern for the codebook's redact_terms (longest first)."""
    if isinstance(redact_terms, str):
        raise ValueError(f"`redact_terms` must be a list of terms, not the string {redact_terms!r}; "
                         f"write [{redact_terms!r}].")
    terms = sorted({" ".join(str(t).split()) for t in redact_terms if str(t).strip()},
                   key=lambda t: (-len(t), t))
    if not terms:
        return None
    parts = [r"\s+".join(re.escape(w) for w in t.split()) for t in terms]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def _regex_spans(text, terms_re):
    """(start, end, tag) of every rule match, earlier rules winning overlaps."""
    spans = []

    def add(start, end, tag):
        for s, e, _ in spans:
            if start < e and s < end:
                return
        spans.append((start, end, tag))

    for m in _EMAIL.finditer(text):
        add(m.start(), m.end(), "e-mail")
    for m in _URL.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in ".,;:!?)":
            end -= 1
        add(m.start(), end, "url")
    for m in _IBAN.finditer(text):
        add(m.start(), m.end(), "nummer")
    for m in _PHONE.finditer(text):
        add(m.start(), m.end(), "telefoon")
    for m in _POSTCODE.finditer(text):
        add(m.start(), m.end(), "postcode")
    for m in _DATE.finditer(text):
        add(m.start(), m.end(), "datum")
    for m in _REGION_PLACES.finditer(text):
        add(m.start(), m.end(), "plaats")
    for m in _NUMBER9.finditer(text):  # any 9-digit number: BSN-like, 11-proof or not
        add(m.start(), m.end(), "nummer")
    for m in _NUMBER8.finditer(text):  # 8 digits only when 11-proof (old BSNs without the 0)
        if _is_bsn(m.group()):
            add(m.start(), m.end(), "nummer")
    if terms_re is not None:
        for m in terms_re.finditer(text):
            add(m.start(), m.end(), "term")
    for start, end in _role_names(text):
        add(start, end, "naam")
    return spans


def _replace(text, spans):
    """Replace (start, end, tag) spans (non-overlapping) by their Dutch tags."""
    out, last = [], 0
    for start, end, tag in sorted(spans):
        out.append(text[last:start])
        out.append(TAGS.get(tag, TAGS["term"]))
        last = end
    out.append(text[last:])
    return "".join(out)


# Place names that are also ordinary Dutch words; kept only at the start of a sentence.
_PLACE_HOMOGRAPHS = frozenset(
    "Best Echt Made Mill Son Lent Well Loon Heel Haren Beek Bergen Putten Dalen Nes Wijk".split())
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s*|\n\s*)$")
_COLLAPSE = re.compile(r"(\[[a-z-]+\])(?:\s*(?:[,&]|en)?\s*\1)+")


def _deduce_default_path() -> Path | None:
    try:
        import importlib.util

        spec = importlib.util.find_spec("deduce")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "data" / "lookup"


def deduce_cache_path() -> Path:
    """Where deduce's lookup cache (``cache/lookup_structs.pickle``, ~83 MB) lives.

    deduce stores it inside its own package folder by default
    (``site-packages/deduce/data/lookup/cache``). That folder is used when it
    is writable or already holds the cache; otherwise (a shared, read-only
    install) a user cache folder: ``$PEO_DEDUCE_CACHE``, else
    ``$XDG_CACHE_HOME/peo_lib/deduce`` (``~/.cache/peo_lib/deduce``).

    Returns
    -------
    Path
        The folder to pass to ``Deduce(cache_path=...)``; the pickle is in its
        ``cache/`` subfolder.
    """
    env = os.environ.get("PEO_DEDUCE_CACHE")
    if env:
        return Path(env)
    default = _deduce_default_path()
    if default is not None:
        cache = default / "cache"
        if (cache / "lookup_structs.pickle").is_file() or os.access(cache if cache.is_dir() else default,
                                                                     os.W_OK):
            return default
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "peo_lib" / "deduce"


def _deduce_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("deduce")
    except PackageNotFoundError:
        return "absent"


@contextlib.contextmanager
def _file_lock(path: Path):
    """An exclusive lock across processes (xdist workers, parallel reports); no-op without fcntl."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: deduce may then build twice, which is slow but correct
        yield
        return
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _import_deduce():
    """Import deduce without letting it configure the root logger.

    deduce 3.0.6 calls ``logging.basicConfig(stream=sys.stdout, level=DEBUG)``
    at import, which would print every library's debug messages in notebooks.
    ``basicConfig`` does nothing when the root logger has a handler, so one is
    put there for the duration of the import.
    """
    root = logging.getLogger()
    guard = logging.NullHandler()
    had = bool(root.handlers)
    if not had:
        root.addHandler(guard)
    try:
        from deduce import Deduce
    except ImportError as exc:
        raise ImportError("scrubbing open answers needs the `deduce` package "
                          "(pip install 'deduce>=3.0.6'; it is in pyproject.toml).") from exc
    finally:
        if not had:
            root.removeHandler(guard)
    return Deduce


def _new_deduce(cache_path=None):
    """A Deduce instance; builds the lookup cache under a lock when it is missing."""
    Deduce = _import_deduce()
    path = Path(cache_path) if cache_path is not None else deduce_cache_path()
    pickle = path / "cache" / "lookup_structs.pickle"
    if pickle.is_file():
        return Deduce(cache_path=path)
    # First use: one process builds (about 3 minutes), others wait and then load.
    with _file_lock(path / "cache" / ".peo-build.lock"):
        return Deduce(cache_path=path)


class Scrubber:
    """De-identify Dutch open answers: regex rules first, then one deduce instance.

    Rules, applied before deduce so their tags are stable: e-mail addresses,
    URLs and bare domains (``horizon-jeugd.nl``), IBANs, Dutch phone numbers
    (``06-12345678``, ``+31 6 12345678``, ``0031...``, ``070-1234567``,
    ``(010) 123 4567``, 0800/0900), postcodes (``2511 AB``), 9-digit numbers
    (BSN-like, with or without 11-proof) and 8-digit numbers that pass the
    11-proof, the codebook's ``redact_terms`` (case-insensitive, whole words)
    and a capitalised name after a role word (``teamleider Petra``). deduce
    then finds names, places, addresses, institutions, dates and ages.
    Every find becomes a Dutch tag (:data:`TAGS`), and a tag repeated
    (``[naam] en [naam]``) is collapsed to one.

    Parameters
    ----------
    deduce : object, optional
        A ready ``deduce.Deduce`` instance (tests share one). Default: made on
        first use, which takes about 18 s and 1.1 GB (3 minutes the very
        first time, see :func:`deduce_cache_path`). Use :func:`get_scrubber`
        rather than building your own.
    cache_path : str or Path, optional
        deduce's lookup cache folder (default :func:`deduce_cache_path`).

    Attributes
    ----------
    version : str
        Rules version + deduce version: part of the scrub cache key.
    init_seconds : float or None
        How long deduce took to initialise (None until it has).
    """

    def __init__(self, *, deduce=None, cache_path=None):
        self._deduce = deduce
        self._cache_path = cache_path
        self._lock = threading.Lock()
        self.init_seconds = None if deduce is None else 0.0
        self.version = f"{SCRUBBER_VERSION}+deduce-{_deduce_version()}"

    def __repr__(self):
        state = "ready" if self._deduce is not None else "not initialised"
        return f"Scrubber(version={self.version!r}, deduce {state})"

    @property
    def deduce(self):
        """The deduce instance, initialised on first access (once)."""
        if self._deduce is None:
            with self._lock:
                if self._deduce is None:
                    t0 = time.perf_counter()
                    self._deduce = _new_deduce(self._cache_path)
                    self.init_seconds = time.perf_counter() - t0
        return self._deduce

    @property
    def initialised(self) -> bool:
        return self._deduce is not None

    def rules(self, text, *, redact_terms=()) -> str:
        """The regex pass alone (no deduce): a floor for benchmarks, and the first step."""
        return _replace(text, _regex_spans(text, _compile_terms(redact_terms)))

    def scrub(self, text, *, redact_terms=()):
        """Scrub one text. ``None``/NaN stay ``None``."""
        return self.scrub_many([text], redact_terms=redact_terms)[0]

    def scrub_many(self, texts, *, redact_terms=()) -> list:
        """Scrub many texts (the redact-term pattern is compiled once)."""
        terms_re = _compile_terms(redact_terms)
        out = []
        for text in texts:
            if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
                out.append(None)
                continue
            text = str(text)
            if not text.strip():
                out.append(text)
                continue
            out.append(self._scrub_one(text, terms_re))
        return out

    def _scrub_one(self, text, terms_re):
        first = _replace(text, _regex_spans(text, terms_re))
        doc = self.deduce.deidentify(first)
        held = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(first)]
        spans = []
        for ann in doc.annotations:
            s, e = ann.start_char, ann.end_char
            if any(s < he and hs < e for hs, he in held):
                # deduce matched around one of our tags: keep our tag, redact the rest
                parts, pos = [], s
                for hs, he in held:
                    if hs < e and s < he:
                        if pos < hs:
                            parts.append((pos, hs))
                        pos = max(pos, he)
                if pos < e:
                    parts.append((pos, e))
            else:
                parts = [(s, e)]
            tag = _DEDUCE_TAGS.get(ann.tag, "term")
            if tag == "plaats" and ann.text in _PLACE_HOMOGRAPHS and _SENTENCE_START.search(first[:s]):
                continue  # "Best lastig", "Echt niet": a word, not the town
            if tag == "plaats" and re.search(r"\d", ann.text):
                tag = "adres"  # deduce tags "Hoofdstraat 12" as locatie
            for ps, pe in parts:
                piece = first[ps:pe]
                if piece.strip(" ,.;:()-"):
                    lead = len(piece) - len(piece.lstrip(" ,.;:()-"))
                    trail = len(piece) - len(piece.rstrip(" ,.;:()-"))
                    spans.append((ps + lead, pe - trail, tag))
        spans = _merge_spans(spans)
        return _COLLAPSE.sub(r"\1", _replace(first, spans))


def _merge_spans(spans):
    """Drop spans inside others (deduce may return nested annotations); keep the longest."""
    spans = sorted(spans, key=lambda t: (t[0], -(t[1] - t[0])))
    out = []
    for s, e, tag in spans:
        if out and s < out[-1][1]:
            ps, pe, ptag = out[-1]
            out[-1] = (ps, max(pe, e), ptag)
            continue
        out.append((s, e, tag))
    return out


_SINGLETON = None
_SINGLETON_LOCK = threading.Lock()


def get_scrubber() -> Scrubber:
    """The process-wide :class:`Scrubber` (deduce is initialised at most once per run, lazily).

    Returns
    -------
    Scrubber
    """
    global _SINGLETON
    if _SINGLETON is None:
        with _SINGLETON_LOCK:
            if _SINGLETON is None:
                _SINGLETON = Scrubber()
    return _SINGLETON


def scrub_texts(texts, *, redact_terms=(), scrubber=None) -> list:
    """Scrub a list of open answers.

    Parameters
    ----------
    texts : iterable of str
        ``None`` and NaN stay ``None``.
    redact_terms : list of str
        Extra terms (the codebook's ``privacy.redact_terms``), removed
        case-insensitively as whole words.
    scrubber : Scrubber, optional
        Default :func:`get_scrubber`.

    Returns
    -------
    list of str
    """
    if isinstance(texts, str):
        raise ValueError("`texts` must be a list of answers, not one string; use [text].")
    scrubber = get_scrubber() if scrubber is None else scrubber
    return scrubber.scrub_many(list(texts), redact_terms=redact_terms)


def _scrub_cache_key(rnd, redact_terms, version) -> str:
    """SHA-256 of what the scrubbed answers depend on (raw file, columns, terms, rules)."""
    cb = rnd.codebook
    raw = rnd.raw_sha256
    if raw is None:  # a round built in memory: hash the answers themselves
        h = hashlib.sha256()
        for col in rnd.open_answers.columns:
            for v in rnd.open_answers[col]:
                h.update(b"\x00" if v is None else str(v).encode("utf-8") + b"\x01")
        raw = "content:" + h.hexdigest()
    payload = {
        "raw": raw,
        "round": rnd.id,
        "questions": {k: q.column for k, q in cb.open_questions.items()},
        "columns": list(map(str, rnd.open_answers.columns)),
        "terms": sorted({" ".join(str(t).split()).casefold() for t in redact_terms}),
        "version": version,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _default_scrub_cache() -> Path:
    from peo_lib.paths import OUT_DIR

    return OUT_DIR / ".cache" / "scrub"


def _atomic_write_text(path: Path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def scrub_open_answers(rnd, *, cache_dir=None, scrubber=None) -> pd.DataFrame:
    """The round's open answers, scrubbed (cached per raw file).

    Parameters
    ----------
    rnd : Round
        From :func:`peo_lib.load_round`.
    cache_dir : str or Path, optional
        Default ``outputs/.cache/scrub``. The cache file holds scrubbed text
        only, in row order, without respondent ids; its name is the SHA-256 of
        the raw file's SHA-256, the open question columns, the redact terms and
        the scrubber version, so any change makes a new one. On a cache hit
        deduce is not even initialised.
    scrubber : Scrubber, optional
        Default :func:`get_scrubber`.

    Returns
    -------
    DataFrame
        Same index and columns as ``rnd.open_answers``; ``None`` where there
        was no answer.
    """
    answers = rnd.open_answers
    terms = list(rnd.codebook.privacy.redact_terms)
    version = scrubber.version if scrubber is not None else f"{SCRUBBER_VERSION}+deduce-{_deduce_version()}"
    key = _scrub_cache_key(rnd, terms, version)
    cache_dir = Path(cache_dir) if cache_dir is not None else _default_scrub_cache()
    path = cache_dir / f"{rnd.id}-{key[:24]}.json"
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if (data.get("key") == key and data.get("columns") == list(map(str, answers.columns))
                    and all(len(v) == len(answers) for v in data["answers"])):
                return pd.DataFrame({c: pd.Series(v, index=answers.index, dtype=object)
                                     for c, v in zip(answers.columns, data["answers"])},
                                    index=answers.index, columns=answers.columns)
        except (ValueError, KeyError, TypeError, OSError):
            pass  # unreadable cache: scrub again and overwrite
    scrubber = get_scrubber() if scrubber is None else scrubber
    # scrub each distinct answer once ("Nee", "-" and copies are common)
    distinct = pd.unique(pd.Series(answers.to_numpy().ravel(), dtype=object).dropna())
    scrubbed = dict(zip(distinct, scrubber.scrub_many(list(distinct), redact_terms=terms)))
    out = pd.DataFrame({c: pd.Series([None if v is None or (isinstance(v, float) and np.isnan(v))
                                      else scrubbed[v] for v in answers[c]],
                                     index=answers.index, dtype=object)
                        for c in answers.columns}, index=answers.index, columns=answers.columns)
    record = {"key": key, "round": rnd.id, "version": scrubber.version,
              "columns": list(map(str, answers.columns)),
              "answers": [list(out[c]) for c in answers.columns]}
    _atomic_write_text(path, json.dumps(record, ensure_ascii=False))
    return out


_EMPTY_ANSWER = re.compile(r"^[\W_]*$")
ALL_GROUP = "Alle respondenten"
UNKNOWN_GROUP = "Onbekend"


def open_answers_for_output(rnd, *, by=None, cache_dir=None, scrubber=None,
                            min_n_open=None) -> pd.DataFrame:
    """Scrubbed open answers ready to show: tidy, grouped, unlinkable.

    Parameters
    ----------
    rnd : Round
    by : str, optional
        A column of ``rnd.background`` (``"ervaringsgroep"``, ``"functie"``):
        answers per group. Default: one group, ``"Alle respondenten"``.
        Respondents without a value are the group ``"Onbekend"``.
    cache_dir : str or Path, optional
        See :func:`scrub_open_answers`.
    scrubber : Scrubber, optional
    min_n_open : int, optional
        Default: the codebook's ``privacy.min_n_open``.

    Returns
    -------
    DataFrame
        Columns ``question`` (id), ``question_text``, ``group``, ``answer``;
        no respondent id; sorted by question, group and answer text (so the
        order says nothing about who wrote what). Only groups in which at
        least ``min_n_open`` respondents answered the question; the groups
        left out are in ``result.attrs["dropped"]`` (question, group and
        ``"n<10"``, never the exact count).

    Notes
    -----
    Show one grouping per question: per-group answers next to the answers
    of everyone would give the dropped group's answers by difference.
    """
    cb = rnd.codebook
    min_n_open = _check_min_n(cb.privacy.min_n_open if min_n_open is None else min_n_open,
                              "min_n_open")
    if by is not None and by not in rnd.background.columns:
        raise ValueError(f"`by` must be one of {list(rnd.background.columns)} (or None), "
                         f"but {by!r} was passed.")
    scrubbed = scrub_open_answers(rnd, cache_dir=cache_dir, scrubber=scrubber)
    if by is None:
        groups = pd.Series(ALL_GROUP, index=scrubbed.index, dtype=object)
    else:
        groups = rnd.background[by].astype(object).where(rnd.background[by].notna(), UNKNOWN_GROUP)
        groups = groups.map(str)
    rows, dropped = [], []
    for q in scrubbed.columns:
        text = cb.open_questions[q].text if q in cb.open_questions else str(q)
        answered = scrubbed[q].map(lambda v: isinstance(v, str) and not _EMPTY_ANSWER.match(v.strip()))
        for g, idx in groups[answered].groupby(groups[answered], sort=True).groups.items():
            if len(idx) < min_n_open:
                dropped.append({"question": q, "group": g, "n": f"n<{min_n_open}"})
                continue
            for a in scrubbed.loc[idx, q]:
                rows.append((q, text, g, a.strip()))
    out = pd.DataFrame(rows, columns=["question", "question_text", "group", "answer"])
    if len(out):
        out["_key"] = out["answer"].str.casefold()
        out = out.sort_values(["question", "group", "_key", "answer"], kind="stable")
        out = out.drop(columns="_key").reset_index(drop=True)
    out.attrs["dropped"] = dropped
    return out
