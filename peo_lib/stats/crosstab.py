"""Banner tables: column percentages with significance letters, as SPSS Custom Tables.

:func:`crosstab` is one item against one breakdown, tidy (design.md): one row
per (group, answer category), the unweighted count ``n``, the weighted column
percentage ``pct`` of the group's base (answers with a missing reason are not
in it), the ``letters`` of the groups whose proportion is significantly lower,
and ``suppressed``. :func:`banner` stacks it for several items and
breakdowns; :func:`crosstab_means` does the same for means (an item's codes or
a scale score) with "compare column means".

Compare column proportions
--------------------------
As SPSS CTABLES ``/COMPARETEST TYPE=PROP ALPHA=0.05 ADJUST=BONFERRONI``
(IBM SPSS Statistics Algorithms, "CTABLES: Pairwise comparisons of
proportions"). Within each answer category, for every pair of tested groups
``i, j`` with proportions ``p_i, p_j`` and (effective) bases ``n_i, n_j``::

    p = (n_i p_i + n_j p_j) / (n_i + n_j)                      pooled proportion
    z = (p_i - p_j) / sqrt(p (1 - p) (1 / n_i + 1 / n_j))
    p_value = 2 (1 - Phi(|z|)),  significant when  m * p_value < alpha

with ``m = k (k - 1) / 2`` the pairs of the ``k`` tested groups (Bonferroni;
the same ``m`` in every category). Unweighted, ``z**2`` is the statistic of
R ``prop.test(c(x_i, x_j), c(n_i, n_j), correct=FALSE)``. Weighted, ``p_i``
are the weighted proportions and ``n_i`` Kish's effective bases ``(sum
w)^2 / sum w^2`` of the group's base, in the pooled proportion too. A pair
is not compared in a category where either proportion is 0 % or 100 %. The
groups are lettered A, B, ... in the order of the ``by`` variable's values
in the codebook (a suppressed or empty group keeps its letter, so letters do
not shift between items); a group's cell lists the letters of the groups
whose proportion is significantly lower.

Compare column means
--------------------
As ``/COMPARETEST TYPE=MEAN ADJUST=BONFERRONI MEANSVARIANCE=ALLCATS``:
Student t-tests with the variance pooled over the tested groups,
``s^2 = sum_g (n_g - 1) s_g^2 / sum_g (n_g - 1)``, ``t = (m_i - m_j) /
sqrt(s^2 (1/n_i + 1/n_j))`` on ``sum_g (n_g - 1)`` degrees of freedom,
Bonferroni over the ``k (k - 1) / 2`` pairs. Unweighted this is R
``pairwise.t.test(y, g, pool.sd=TRUE, p.adjust.method="bonferroni")``;
weighted, ``m_g`` and ``s_g^2`` are weighted (``s_g^2 = n_g / (n_g - 1) *
sum w (y - m_g)^2 / sum w``) and ``n_g`` the Kish effective n.

Disclosure control
------------------
Decided on unweighted counts with
:func:`peo_lib.privacy.disclosure.group_size_mask`: a group whose base is
under ``min_n`` is blanked and not tested, and so is the next-smallest group
where the total over the groups (published elsewhere in every report) would
give it back. (This is the one place where ``stats`` calls ``privacy``:
design.md has ``crosstab`` return ``suppressed``.)
"""

from __future__ import annotations

from itertools import combinations
from string import ascii_uppercase

import numpy as np
import pandas as pd

from peo_lib._validate import check_argument, check_positive_int
from peo_lib.vocab import BREAKDOWNS, EXPERIENCE

__all__ = ["crosstab", "crosstab_means", "banner", "group_letters", "proportion_letters", "proportion_tests",
           "mean_letters", "mean_tests", "COLUMNS", "MEAN_COLUMNS", "NET_LABEL"]

#: Columns of :func:`crosstab`: design.md's six, then the group's own letter, its base and effective base.
COLUMNS = ["group", "category", "n", "pct", "letters", "suppressed", "letter", "base", "base_eff"]
#: Columns of :func:`crosstab_means`.
MEAN_COLUMNS = ["group", "n", "mean", "sd", "letters", "suppressed", "letter", "n_eff"]
#: Category label of the net score row (agree minus disagree, in percentage points).
NET_LABEL = "Netto (eens - oneens)"


# ======================================================================
# the tests, on arrays (no Round): the statistics the tests pin to R
# ======================================================================

def _check_alpha(alpha) -> float:
    if not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ValueError(f"`alpha` must be a significance level between 0 and 1 (e.g. 0.05), but {alpha!r} was passed.")
    return float(alpha)


def _letters_from(lower: np.ndarray, letters) -> np.ndarray:
    """``lower[i, j, ...]`` (group j significantly lower than i) -> the string of j's letters per i."""
    out = np.full(lower.shape[:1] + lower.shape[2:], "", dtype=object)
    for j in range(lower.shape[1]):
        out = np.where(lower[:, j], out + letters[j], out)
    return out


def _check_groups(G: int) -> None:
    if G > len(ascii_uppercase):
        raise ValueError(f"{G} groups: letters go up to Z (26 groups); merge categories of `by` first")


def _proportion_z(p, e, tested, inner):
    """``(z, p_adjusted)`` arrays groups x groups x categories (NaN where a pair is not compared)."""
    from scipy.stats import norm

    G = p.shape[0]
    idx = np.flatnonzero(tested)
    m = len(idx) * (len(idx) - 1) / 2
    z = np.full((G, G) + p.shape[1:], np.nan)
    for i, j in combinations(idx, 2):
        pooled = (e[i] * p[i] + e[j] * p[j]) / (e[i] + e[j])
        with np.errstate(invalid="ignore", divide="ignore"):
            zij = (p[i] - p[j]) / np.sqrt(pooled * (1 - pooled) * (1 / e[i] + 1 / e[j]))
        zij = np.where(inner[i] & inner[j], zij, np.nan)
        z[i, j], z[j, i] = zij, -zij
    with np.errstate(invalid="ignore"):
        return z, np.minimum(1.0, m * 2 * norm.sf(np.abs(z)))


def _inner(p, counts, bases):
    """Proportions strictly between 0 % and 100 % (on the unweighted counts when given)."""
    if counts is None:
        return (p > 0) & (p < 1)
    c, b = np.asarray(counts, dtype=float), np.asarray(bases, dtype=float)[:, None]
    return (c > 0) & (c < b)


def proportion_letters(props, base_eff, tested, *, counts=None, bases=None, alpha: float = 0.05) -> np.ndarray:
    """Significance letters of SPSS "compare column proportions" (module docstring).

    Parameters
    ----------
    props : array (groups x categories)
        Column proportions as fractions (0-1; percentages divided by 100).
    base_eff : array (groups,)
        The (effective) base of each group.
    tested : array of bool (groups,)
        Groups that take part (not suppressed, base > 0); Bonferroni's ``k`` counts these.
    counts, bases : arrays, optional
        Unweighted counts and bases: 0 % / 100 % is decided on them (exactly), else on ``pct``.
    alpha : float

    Returns
    -------
    ndarray of str (groups x categories)
        Letters A, B, ... (by row position) of the groups whose proportion is significantly lower.
    """
    alpha = _check_alpha(alpha)
    p = np.asarray(props, dtype=float)
    _check_groups(p.shape[0])
    z, padj = _proportion_z(p, np.asarray(base_eff, dtype=float), np.asarray(tested, dtype=bool),
                            _inner(p, counts, bases))
    with np.errstate(invalid="ignore"):
        lower = (padj < alpha) & (z > 0)
    return _letters_from(lower, ascii_uppercase[:p.shape[0]])


def proportion_tests(props, base_eff, tested, *, counts=None, bases=None, alpha: float = 0.05) -> pd.DataFrame:
    """Every pairwise test behind :func:`proportion_letters`, for checking a letter by hand.

    Returns
    -------
    DataFrame
        One row per (category position, pair of tested groups ``a`` < ``b`` by
        letter) that was compared: ``category``, ``a``, ``b``, ``z`` (of ``a``
        minus ``b``), ``p_adjusted`` (Bonferroni, at most 1), ``significant``.
    """
    alpha = _check_alpha(alpha)
    p = np.asarray(props, dtype=float)
    _check_groups(p.shape[0])
    z, padj = _proportion_z(p, np.asarray(base_eff, dtype=float), np.asarray(tested, dtype=bool),
                            _inner(p, counts, bases))
    rows = [{"category": k, "a": ascii_uppercase[i], "b": ascii_uppercase[j], "z": z[i, j, k],
             "p_adjusted": padj[i, j, k], "significant": bool(padj[i, j, k] < alpha)}
            for k in range(p.shape[1]) for i, j in combinations(range(p.shape[0]), 2) if np.isfinite(z[i, j, k])]
    return pd.DataFrame(rows, columns=["category", "a", "b", "z", "p_adjusted", "significant"])


def _mean_t(mu, var, e, tested):
    """``(t, p_adjusted, df)``: pooled-variance t of every pair of tested groups (NaN elsewhere)."""
    from scipy.stats import t as student

    G = len(mu)
    ok = tested & (e > 1) & np.isfinite(var)
    idx = np.flatnonzero(ok)
    t = np.full((G, G), np.nan)
    df = float((e[idx] - 1).sum())
    if len(idx) < 2 or df <= 0:
        return t, t.copy(), df
    pooled = float(((e[idx] - 1) * var[idx]).sum() / df)
    for i, j in combinations(idx, 2):
        if pooled > 0 and mu[i] != mu[j]:
            t[i, j] = (mu[i] - mu[j]) / np.sqrt(pooled * (1 / e[i] + 1 / e[j]))
            t[j, i] = -t[i, j]
    m = len(idx) * (len(idx) - 1) / 2
    with np.errstate(invalid="ignore"):
        return t, np.minimum(1.0, m * 2 * student.sf(np.abs(t), df)), df


def mean_letters(means, variances, n_eff, tested, *, alpha: float = 0.05) -> np.ndarray:
    """Significance letters of SPSS "compare column means" (pooled-variance t-tests, Bonferroni).

    Parameters
    ----------
    means, variances, n_eff : arrays (groups,)
        Group means, sample variances (``n - 1`` divisor) and (effective) sizes.
    tested : array of bool (groups,)
    alpha : float

    Returns
    -------
    ndarray of str (groups,)
        Letters of the groups whose mean is significantly lower. Unweighted,
        the tests are R ``pairwise.t.test(y, g, pool.sd=TRUE,
        p.adjust.method="bonferroni")`` on the tested groups.
    """
    alpha = _check_alpha(alpha)
    mu, var, e = (np.asarray(a, dtype=float) for a in (means, variances, n_eff))
    _check_groups(len(mu))
    t, padj, _ = _mean_t(mu, var, e, np.asarray(tested, dtype=bool))
    with np.errstate(invalid="ignore"):
        lower = (padj < alpha) & (t > 0)
    return _letters_from(lower, ascii_uppercase[:len(mu)])


def mean_tests(means, variances, n_eff, tested, *, alpha: float = 0.05) -> pd.DataFrame:
    """Every pairwise t-test behind :func:`mean_letters`, for checking a letter by hand.

    Returns
    -------
    DataFrame
        One row per compared pair ``a`` < ``b`` (by letter): ``a``, ``b``, ``t``
        (of ``a`` minus ``b``), ``df``, ``p_adjusted`` (Bonferroni, at most 1),
        ``significant``.
    """
    alpha = _check_alpha(alpha)
    mu, var, e = (np.asarray(a, dtype=float) for a in (means, variances, n_eff))
    _check_groups(len(mu))
    t, padj, df = _mean_t(mu, var, e, np.asarray(tested, dtype=bool))
    rows = [{"a": ascii_uppercase[i], "b": ascii_uppercase[j], "t": t[i, j], "df": df, "p_adjusted": padj[i, j],
             "significant": bool(padj[i, j] < alpha)}
            for i, j in combinations(range(len(mu)), 2) if np.isfinite(t[i, j])]
    return pd.DataFrame(rows, columns=["a", "b", "t", "df", "p_adjusted", "significant"])


# ======================================================================
# a round's arrays
# ======================================================================

def _check_by(rnd, by) -> list:
    """The groups of background variable ``by`` in codebook order."""
    bg = rnd.background
    categorical = [c for c in bg.columns if isinstance(bg[c].dtype, pd.CategoricalDtype)]
    check_argument("by", categorical, by)
    return list(bg[by].cat.categories)


def group_letters(rnd, by: str = EXPERIENCE) -> dict:
    """``{group: letter}``: A, B, ... in the order of the ``by`` variable's values in the codebook."""
    groups = _check_by(rnd, by)
    if len(groups) > len(ascii_uppercase):
        raise ValueError(f"`by` {by!r} has {len(groups)} values: letters go up to Z (26 groups)")
    return dict(zip(groups, ascii_uppercase))


def _weights(rnd, weights) -> np.ndarray:
    """Weights as an array aligned with ``rnd.items`` (1 when None; NaN = left out)."""
    n = len(rnd.items)
    if weights is None:
        return np.ones(n)
    if isinstance(weights, pd.Series):
        if not rnd.items.index.isin(weights.index).all():
            raise ValueError("`weights` must hold a weight (or NaN) for every respondent of the round: "
                             "use rake_weights(rnd, ...).")
        w = weights.reindex(rnd.items.index).to_numpy(dtype=float)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (n,):
            raise ValueError(f"`weights` must have one weight per respondent ({n}), got shape {w.shape}.")
    if (w < 0).any():
        raise ValueError("`weights` must not be negative.")
    return w


def _min_n(rnd, min_n) -> int:
    return check_positive_int(rnd.codebook.privacy.min_n if min_n is None else min_n, "min_n",
                              hint="from the codebook's privacy.min_n")


def _item_codes(rnd, item: str):
    """(category position per respondent, -1 = no valid answer; category labels; codes) of an item."""
    if item not in rnd.items.columns:
        if item in rnd.codebook.scales:
            raise ValueError(f"`item` {item!r} is a scale of round {rnd.id}: use crosstab_means for a scale.")
        check_argument("item", list(rnd.items.columns), item)
    rs = rnd.codebook.response_set_of(item)
    codes = list(rs.values)
    x = rnd.items[item].to_numpy(dtype=float)
    idx = np.full(len(x), -1, dtype=np.int64)
    for k, c in enumerate(codes):
        idx[x == c] = k
    return idx, list(rs.values.values()), codes


def _net_codes(net, codes: list):
    """``net`` -> (disagree positions, agree positions) in the response set, or None."""
    if net is False or net is None:
        return None
    if net is True:
        half = len(codes) // 2
        if half == 0:
            raise ValueError("a net score needs a response set with at least two values")
        return list(range(half)), list(range(len(codes) - half, len(codes)))
    try:
        low, high = net
        return [codes.index(c) for c in low], [codes.index(c) for c in high]
    except (TypeError, ValueError):
        raise ValueError(f"`net` must be True (the upper half of the response set's values minus the lower half) or "
                         f"a pair (disagree codes, agree codes) out of {codes}, but {net!r} was passed.") from None


def _hidden(bases: np.ndarray, min_n: int, cache: dict) -> np.ndarray:
    """group_size_mask on the unweighted bases (memoised within a banner)."""
    key = tuple(int(b) for b in bases)
    if key not in cache:
        from peo_lib.privacy.disclosure import group_size_mask

        cache[key] = group_size_mask(bases, min_n=min_n, total=True)[0]
    return cache[key]


def _table(cat: np.ndarray, K: int, grp: np.ndarray, G: int, w: np.ndarray, *, min_n, alpha, net, cache):
    """The arrays of one crosstab: counts, pct, letters, hidden, bases, effective bases (+ net row)."""
    ok = (cat >= 0) & (grp >= 0) & np.isfinite(w)
    cell = grp[ok] * K + cat[ok]
    wv = w[ok]
    counts = np.bincount(cell, minlength=G * K).reshape(G, K).astype(float)
    wsum = np.bincount(cell, weights=wv, minlength=G * K).reshape(G, K)
    bases = counts.sum(axis=1)
    wbase = wsum.sum(axis=1)
    w2 = np.bincount(grp[ok], weights=wv**2, minlength=G)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = 100 * wsum / wbase[:, None]
        base_eff = np.where(w2 > 0, wbase**2 / w2, 0.0)
    hidden = _hidden(bases, min_n, cache)
    tested = ~hidden & (bases > 0)
    letters = proportion_letters(pct / 100, base_eff, tested, counts=counts, bases=bases, alpha=alpha)
    if net is not None:
        low, high = net
        pct = np.hstack([pct, (pct[:, high].sum(axis=1) - pct[:, low].sum(axis=1))[:, None]])
        counts = np.hstack([counts, bases[:, None]])
        letters = np.hstack([letters, np.full((G, 1), "", dtype=object)])
    return counts, pct, letters, hidden, bases, base_eff


def _tidy(groups, categories, counts, pct, letters, hidden, bases, base_eff) -> dict:
    """The columns of one crosstab (one row per group x category), figures of hidden groups blanked."""
    G, K = counts.shape
    blank = np.repeat(hidden, K)
    return {
        "group": np.repeat(np.asarray(groups, dtype=object), K),
        "category": np.tile(np.asarray(categories, dtype=object), G),
        "n": np.where(blank, np.nan, counts.ravel()),
        "pct": np.where(blank, np.nan, pct.ravel()),
        "letters": np.where(blank, "", letters.ravel()).astype(object),
        "suppressed": blank,
        "letter": np.repeat(np.asarray(list(ascii_uppercase[:G]), dtype=object), K),
        "base": np.where(blank, np.nan, np.repeat(bases, K)),
        "base_eff": np.where(blank, np.nan, np.repeat(base_eff, K)),
    }


def crosstab(rnd, item: str, by: str = EXPERIENCE, weights=None, *, min_n=None, alpha: float = 0.05,
             net=False) -> pd.DataFrame:
    """One item against one breakdown: column percentages and SPSS column-proportion letters.

    Parameters
    ----------
    rnd : Round
    item : str
        Item id; its response set gives the categories (in codebook order).
    by : str
        A categorical background variable (``ervaringsgroep``, ``functie``,
        ``organisatie``, ``gemeente``, ...); its values in codebook order are
        the groups, lettered A, B, ...
    weights : Series, optional
        From :func:`peo_lib.stats.weighting.rake_weights`; a respondent with
        NaN weight is left out (also of ``n``). None: unweighted.
    min_n : int, optional
        Default the codebook's ``privacy.min_n``.
    alpha : float
        Significance level after Bonferroni (SPSS default 0.05).
    net : bool or (codes, codes)
        Add a row ``NET_LABEL`` per group: the percentage agreeing minus the
        percentage disagreeing (True: the upper half of the response set's
        values minus the lower half; or give the disagree and agree codes).
        Its ``n`` is the group's base; it is not tested (``letters`` empty).

    Returns
    -------
    DataFrame
        :data:`COLUMNS`: ``group``, ``category`` (label), ``n`` (unweighted
        count), ``pct`` (weighted % of the group's base), ``letters``,
        ``suppressed``, then ``letter`` (the group's own), ``base``
        (unweighted base) and ``base_eff`` (Kish effective base). Rows of
        suppressed groups have NaN figures and no letters.

    Examples
    --------
    >>> crosstab(rnd, "PR01", by="functie", weights=rake_weights(rnd))   # doctest: +SKIP
    """
    groups = _check_by(rnd, by)
    cat, labels, codes = _item_codes(rnd, item)
    w = _weights(rnd, weights)
    net = _net_codes(net, codes)
    grp = rnd.background[by].cat.codes.to_numpy().astype(np.int64)
    arrays = _table(cat, len(labels), grp, len(groups), w, min_n=_min_n(rnd, min_n), alpha=_check_alpha(alpha),
                    net=net, cache={})
    return pd.DataFrame(_tidy(groups, labels + ([NET_LABEL] if net is not None else []), *arrays))


def banner(rnd, items=None, by=BREAKDOWNS, weights=None, *, min_n=None, alpha: float = 0.05,
           net=False) -> pd.DataFrame:
    """Several items against several breakdowns side by side: :func:`crosstab` stacked.

    Parameters
    ----------
    rnd : Round
    items : list of str, optional
        Item ids (default: every item of the round, codebook order).
    by : str or list of str
        Breakdowns (default ``vocab.BREAKDOWNS`` that the round has).
    weights, min_n, alpha, net
        As in :func:`crosstab`.

    Returns
    -------
    DataFrame
        ``item``, ``by`` and then :data:`COLUMNS`; each (item, breakdown)
        is tested and protected on its own.
    """
    items = list(rnd.items.columns) if items is None else ([items] if isinstance(items, str) else list(items))
    if isinstance(by, str):
        by = [by]
    elif tuple(by) == BREAKDOWNS:
        by = [b for b in BREAKDOWNS if b in rnd.background.columns]
    groups = {b: _check_by(rnd, b) for b in by}
    codes_by = {b: rnd.background[b].cat.codes.to_numpy().astype(np.int64) for b in by}
    w = _weights(rnd, weights)
    min_n, alpha = _min_n(rnd, min_n), _check_alpha(alpha)
    cache: dict = {}
    parts = {c: [] for c in ["item", "by", *COLUMNS]}
    for item in items:
        cat, labels, codes = _item_codes(rnd, item)
        net_pos = _net_codes(net, codes)
        cats = labels + ([NET_LABEL] if net_pos is not None else [])
        for b in by:
            arrays = _table(cat, len(labels), codes_by[b], len(groups[b]), w, min_n=min_n, alpha=alpha,
                            net=net_pos, cache=cache)
            cols = _tidy(groups[b], cats, *arrays)
            rows = len(cols["group"])
            parts["item"].append(np.full(rows, item, dtype=object))
            parts["by"].append(np.full(rows, b, dtype=object))
            for c in COLUMNS:
                parts[c].append(cols[c])
    if not parts["item"]:
        return pd.DataFrame(columns=["item", "by", *COLUMNS])
    return pd.DataFrame({c: np.concatenate(v) for c, v in parts.items()})


def _values(rnd, var: str) -> np.ndarray:
    """An item's codes or a scale's scores (:func:`peo_lib.stats.scoring.score_scales`)."""
    if var in rnd.items.columns:
        return rnd.items[var].to_numpy(dtype=float)
    if var in rnd.codebook.scales:
        from peo_lib.stats.scoring import score_scales

        return score_scales(rnd)[var].reindex(rnd.items.index).to_numpy(dtype=float)
    check_argument("var", [*rnd.items.columns, *rnd.codebook.scales], var)


def crosstab_means(rnd, var: str, by: str = EXPERIENCE, weights=None, *, min_n=None,
                   alpha: float = 0.05) -> pd.DataFrame:
    """Mean of an item or scale per group with SPSS "compare column means" letters.

    Parameters
    ----------
    rnd : Round
    var : str
        An item id (mean of its codes) or a scale id (the scale score).
    by, weights, min_n, alpha
        As in :func:`crosstab`.

    Returns
    -------
    DataFrame
        :data:`MEAN_COLUMNS`: ``group``, ``n`` (unweighted respondents with a
        value), ``mean`` and ``sd`` (weighted), ``letters`` (groups with a
        significantly lower mean), ``suppressed``, ``letter``, ``n_eff``.
    """
    groups = _check_by(rnd, by)
    y = _values(rnd, var)
    w = _weights(rnd, weights)
    grp = rnd.background[by].cat.codes.to_numpy().astype(np.int64)
    ok = (grp >= 0) & np.isfinite(y) & np.isfinite(w)
    G = len(groups)
    n = np.bincount(grp[ok], minlength=G).astype(float)
    sw = np.bincount(grp[ok], weights=w[ok], minlength=G)
    sw2 = np.bincount(grp[ok], weights=w[ok] ** 2, minlength=G)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(grp[ok], weights=w[ok] * y[ok], minlength=G) / sw
        dev2 = np.bincount(grp[ok], weights=w[ok] * (y[ok] - mean[grp[ok]]) ** 2, minlength=G) / sw
        n_eff = np.where(sw2 > 0, sw**2 / sw2, 0.0)
        var_g = np.where(n_eff > 1, dev2 * n_eff / (n_eff - 1), np.nan)
    hidden = _hidden(n, _min_n(rnd, min_n), {})
    letters = mean_letters(mean, var_g, n_eff, ~hidden & (n > 0), alpha=alpha)
    return pd.DataFrame({
        "group": np.asarray(groups, dtype=object),
        "n": np.where(hidden, np.nan, n),
        "mean": np.where(hidden, np.nan, mean),
        "sd": np.where(hidden, np.nan, np.sqrt(var_g)),
        "letters": np.where(hidden, "", letters).astype(object),
        "suppressed": hidden,
        "letter": list(ascii_uppercase[:G]),
        "n_eff": np.where(hidden, np.nan, n_eff),
    })
