"""Disclosure control of tables: which figures may be shown.

Every table, figure, Excel sheet and widget passes through this module before
anything is shown (design.md, "Privacy rules"). Open answers are handled in
:mod:`peo_lib.privacy.scrub` (scrubbing) and :mod:`peo_lib.privacy.open_answers`
(which scrubbed answers may be shown).

:func:`disclosure_mask` decides which cells of a table of respondent counts
must be hidden; :func:`suppress` replaces them by the label ``n<5``;
:func:`suppress_tidy` and :func:`suppress_groups` do the same for tidy tables
(one row per group, or per group and category); :func:`group_size_mask` and
:func:`distribution_mask` apply the rule to figures computed per group.

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
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from peo_lib._validate import check_argument, check_positive_int

__all__ = [
    "disclosure_mask",
    "suppress",
    "suppress_table",
    "suppress_tidy",
    "suppress_groups",
    "group_size_mask",
    "distribution_mask",
    "add_margins",
    "label_small",
    "TOTAL_LABEL",
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
