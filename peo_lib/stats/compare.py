"""Two-group contrasts: starting vs experienced professionals (or any two groups).

Scales are compared with Welch's t-test (:func:`scipy.stats.ttest_ind` with
``equal_var=False``, R ``t.test(x, y)``) and Cohen's d with the pooled SD;
single Likert items with the Mann-Whitney U test
(:func:`scipy.stats.mannwhitneyu`, two-sided, continuity corrected, as R
``wilcox.test(x, y, correct=TRUE)``) and the rank-biserial correlation. All
p-values of one call are adjusted together with Benjamini-Hochberg
(:func:`statsmodels.stats.multitest.multipletests`, ``method="fdr_bh"``,
R ``p.adjust(p, "BH")``).

Signs: every difference is *group 1 minus group 2* (by default
``startend - ervaren``), so a negative ``diff``, ``cohen_d`` or
``rank_biserial`` means starters score lower.

Effect-size words follow Cohen (1988): |d| 0.2 klein, 0.5 middelgroot, 0.8
groot. The rank-biserial correlation is judged on the same benchmarks after
conversion through the common-language effect size (McGraw & Wong, 1992):
r = 2 * Phi(d / sqrt 2) - 1, i.e. 0.11, 0.28 and 0.43.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from peo_lib.stats.descriptives import _check_round, _groups
from peo_lib.stats.weighting import design_weights
from peo_lib._validate import check_argument
from peo_lib.sentences import COHEN_D_BENCHMARKS, RANK_BISERIAL_BENCHMARKS, effect_size_words  # noqa: F401
from peo_lib.vocab import EXPERIENCE

__all__ = [
    "bh_adjust",
    "compare_groups",
    "compare_samples",
    "cohen_d",
    "rank_biserial",
    "effect_size_words",
    "COHEN_D_BENCHMARKS",
    "RANK_BISERIAL_BENCHMARKS",
]

SIGNIFICANCE = 0.05
WHAT = ("scales", "items")
TIES = ("respondent_order", "midpoint")

COLUMNS = [
    "kind", "id", "label", "group1", "group2", "n1", "n2", "mean1", "mean2", "diff",
    "cohen_d", "rank_biserial", "test", "statistic", "p", "p_adj", "significant", "suppressed", "zin",
]


# -- effect sizes -------------------------------------------------------

def _clean(x) -> np.ndarray:
    a = np.asarray(x, dtype=float).ravel()
    return a[~np.isnan(a)]


def cohen_d(x, y) -> float:
    """Cohen's d with the pooled standard deviation (Cohen, 1988, eq. 2.2.1).

    .. math:: d = \\frac{\\bar x - \\bar y}{\\sqrt{((n_x-1)s_x^2 + (n_y-1)s_y^2)/(n_x+n_y-2)}}

    Lakens (2013) calls this :math:`d_s`. NaN values are dropped; NaN when
    a group has fewer than two values or the pooled SD is 0.
    """
    x, y = _clean(x), _clean(y)
    nx, ny = len(x), len(y)
    if nx < 2 or ny < 2:
        return float("nan")
    pooled = ((nx - 1) * x.var(ddof=1) + (ny - 1) * y.var(ddof=1)) / (nx + ny - 2)
    if pooled <= 0:
        return float("nan")
    return float((x.mean() - y.mean()) / math.sqrt(pooled))


def _mwu(x, y):
    from scipy import stats

    return stats.mannwhitneyu(x, y, alternative="two-sided", use_continuity=True, method="auto")


def rank_biserial(x, y) -> float:
    """Rank-biserial correlation from the Mann-Whitney U of ``x`` (Wendt, 1972).

    .. math:: r = \\frac{2 U_x}{n_x n_y} - 1 = P(X > Y) - P(X < Y)

    the "simple difference formula" of Kerby (2014): the share of (x, y)
    pairs favouring x minus the share favouring y (ties count for neither).
    Positive when ``x`` tends to be higher. ``U_x`` is
    ``scipy.stats.mannwhitneyu(x, y).statistic``.
    """
    x, y = _clean(x), _clean(y)
    if len(x) == 0 or len(y) == 0:
        return float("nan")
    u = _mwu(x, y).statistic
    return float(2 * u / (len(x) * len(y)) - 1)


def _normalise_what(what) -> tuple[str, ...]:
    if isinstance(what, str):
        what = (what,)
    what = tuple(what)
    for w in what:
        check_argument("what", WHAT, w)
    return what


def compare_groups(rnd, *, by: str = EXPERIENCE, groups=("startend", "ervaren"),
                   what=("scales", "items"), weights=None) -> pd.DataFrame:
    """Compare two groups on every scale and item of a round.

    Parameters
    ----------
    rnd : Round
    by : str, default "ervaringsgroep"
        Categorical background variable.
    groups : pair of str, default ("startend", "ervaren")
        Group 1 and group 2 (categories of ``by``); differences are group 1
        minus group 2.
    what : {"scales", "items"} or a tuple of them
        Scales (scores from :func:`peo_lib.stats.scoring.score_scales`), items
        (codes as asked, not reverse keyed), or both (default).
    weights : Series, optional
        Survey weights per respondent (:func:`peo_lib.stats.weighting.round_weights`; NaN = not
        in the design). Then means are weighted, scales get the design-based t-test (R
        ``svyttest(y ~ g, design)``), items the design-based Wilcoxon rank test (R
        ``svyranktest(y ~ g, design)``), ``cohen_d`` uses the weighted means and SDs and
        ``rank_biserial`` the weighted P(X > Y) - P(X < Y); ``n1``/``n2`` stay unweighted
        counts (suppression is decided on them), ``test`` is ``"svy_t"`` / ``"svy_wilcoxon"``.

    Returns
    -------
    DataFrame
        One row per scale (``kind="scale"``) and per item (``kind="item"``),
        scales first, in codebook order. Columns: ``kind``, ``id``, ``label``
        (scale label or item text), ``group1``, ``group2``, ``n1``, ``n2``
        (respondents with a score / valid answer), ``mean1``, ``mean2``,
        ``diff`` (mean1 - mean2), ``cohen_d`` (scales), ``rank_biserial``
        (items), ``test`` (``"welch_t"`` or ``"mann_whitney_u"``),
        ``statistic`` (t, or U of group 1), ``p``, ``p_adj``
        (Benjamini-Hochberg over all p of this table), ``significant``
        (``p_adj < 0.05``), ``suppressed`` and ``zin`` (a Dutch sentence).

        When either group has fewer than ``rnd.codebook.privacy.min_n``
        respondents (at least 2) on a row, that row has no statistics
        (``suppressed=True``, means and tests NaN) and its sentence says
        there are too few respondents. ``n1``/``n2`` are kept so the
        privacy module can decide what to show.
    """
    _check_round(rnd)
    what = _normalise_what(what)
    groups, m1, m2 = _resolve_groups(rnd, by, groups)
    min_n = max(int(rnd.codebook.privacy.min_n), 2)
    if weights is not None:
        w = design_weights(rnd, weights)
        m1, m2 = m1 & np.isfinite(w), m2 & np.isfinite(w)
    samples = []
    for kind, table, labels in _comparison_blocks(rnd, what):
        X = table.to_numpy(dtype=float)
        if weights is None:
            samples += [(kind, col, labels[col], X[m1, j], X[m2, j]) for j, col in enumerate(table.columns)]
        else:  # respondent order (as in the file): R's weighted mid-ranks depend on it within ties
            both = m1 | m2
            n_design = int(np.isfinite(w).sum())  # a domain of the whole design, as R subset(design, ...)
            samples += [(kind, col, labels[col], X[both, j], w[both], m1[both], n_design)
                        for j, col in enumerate(table.columns)]
    return compare_samples(samples, groups=groups, by=by, min_n=min_n)


def compare_samples(samples, *, groups, by: str, min_n: int, ties: str = "respondent_order") -> pd.DataFrame:
    """The table of :func:`compare_groups` from ready samples: one home for the tests and the BH step.

    Parameters
    ----------
    samples : iterable of (kind, id, label, x, y) or (kind, id, label, values, weights, in_group1, n_design)
        ``kind`` is ``"scale"`` (Welch's t, Cohen's d) or ``"item"`` (Mann-Whitney U, rank-biserial
        r); ``x`` and ``y`` are the values of group 1 and group 2 (NaN is dropped). Only the values
        count, not their order or who gave them, so value counts expanded to samples give the same
        row (the comparison with a previous round's stored distributions relies on that). With
        weights: the values of both groups in respondent order, their weights, a boolean array
        that is True for group 1 and the number of respondents in the whole design (the two groups
        are a domain of it); then the design-based tests of :func:`compare_groups`.
    groups : pair of str
        Group 1 and group 2 (their labels in the table).
    by : str
        The name of what separates the groups (``"ronde"``, ``"ervaringsgroep"``).
    min_n : int
        A row with fewer respondents in either group is suppressed (no statistics).
    ties : {"respondent_order", "midpoint"}
        Weighted rank test only: how tied answers are ranked. ``"respondent_order"`` is R
        ``svyranktest`` (each respondent's mid-point in the weighted cumulative sum in respondent
        order, averaged over the tie: it depends on the order of tied respondents with different
        weights). ``"midpoint"`` gives every tied answer the middle of the tie's weight (the weighted
        mid-distribution), which needs only each value's count, weight and squared weight, so it
        is what a comparison with a round's stored distributions uses. Equal when the weights in a
        tie are equal (unweighted: both are the ordinary mid-ranks).

    Returns
    -------
    DataFrame
        As :func:`compare_groups`.
    """
    check_argument("ties", TIES, ties)
    rows = [_compare_column(kind, col, label, x, y, tuple(groups), max(int(min_n), 2), *weights, ties=ties)
            for kind, col, label, x, y, *weights in samples]
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in ("p_adj", "significant", "zin")])
    _add_adjusted_p(out)
    return _finish_table(out, by=by, min_n=max(int(min_n), 2))


def _resolve_groups(rnd, by, groups):
    """Check ``by``/``groups`` and return ``(groups, mask1, mask2)``."""
    if by is None:
        raise ValueError("by=None: compare_groups needs a categorical background variable, "
                         "e.g. by='ervaringsgroep'")
    all_groups = dict(_groups(rnd, by))
    groups = tuple(groups) if not isinstance(groups, str) else (groups,)
    if len(groups) != 2 or groups[0] == groups[1]:
        raise ValueError(f"groups={groups!r}: give two different categories of {by!r}")
    for g in groups:
        check_argument("groups", tuple(all_groups), g)
    return groups, all_groups[groups[0]], all_groups[groups[1]]


def _comparison_blocks(rnd, what):
    """``(kind, table, labels)`` for the scale scores and/or the item codes asked for."""
    from peo_lib.stats.scoring import score_scales

    cb = rnd.codebook
    blocks = []
    if "scales" in what and cb.scales:
        blocks.append(("scale", score_scales(rnd), {s: sc.label for s, sc in cb.scales.items()}))
    if "items" in what:
        blocks.append(("item", rnd.items, {i: it.text for i, it in cb.items.items()}))
    return blocks


def _compare_column(kind, col, label, x, y, groups, min_n, in_group1=None, n_design=None, *,
                    ties="respondent_order"):
    """One result row: means and Welch t (scales) or Mann-Whitney U (items) of one column."""
    if in_group1 is not None:  # (values, weights, in_group1, n_design)
        return _compare_weighted(kind, col, label, x, y, in_group1, n_design, groups, min_n, ties=ties)
    x, y = _clean(x), _clean(y)
    row = dict(kind=kind, id=col, label=label, group1=groups[0], group2=groups[1],
               n1=len(x), n2=len(y), mean1=np.nan, mean2=np.nan, diff=np.nan, cohen_d=np.nan,
               rank_biserial=np.nan, test="welch_t" if kind == "scale" else "mann_whitney_u",
               statistic=np.nan, p=np.nan, suppressed=len(x) < min_n or len(y) < min_n)
    if not row["suppressed"]:
        row.update(mean1=x.mean(), mean2=y.mean(), diff=x.mean() - y.mean())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            row.update(_scale_test(x, y) if kind == "scale" else _item_test(x, y))
    return row


def _compare_weighted(kind, col, label, values, weights, in_group1, n_design, groups, min_n, *,
                      ties="respondent_order"):
    """One result row with survey weights: weighted means, design-based t or Wilcoxon rank test."""
    v, w, g1 = np.asarray(values, dtype=float), np.asarray(weights, dtype=float), np.asarray(in_group1, dtype=bool)
    ok = np.isfinite(v) & np.isfinite(w)
    v, w, g1 = v[ok], w[ok], g1[ok]
    x, wx, y, wy = v[g1], w[g1], v[~g1], w[~g1]
    row = dict(kind=kind, id=col, label=label, group1=groups[0], group2=groups[1],
               n1=len(x), n2=len(y), mean1=np.nan, mean2=np.nan, diff=np.nan, cohen_d=np.nan,
               rank_biserial=np.nan, test="svy_t" if kind == "scale" else "svy_wilcoxon",
               statistic=np.nan, p=np.nan, suppressed=len(x) < min_n or len(y) < min_n)
    if row["suppressed"] or wx.sum() <= 0 or wy.sum() <= 0:
        return row
    m1, m2 = np.average(x, weights=wx), np.average(y, weights=wy)
    row.update(mean1=m1, mean2=m2, diff=m1 - m2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if kind == "scale":
            v1, v2 = np.average((x - m1) ** 2, weights=wx), np.average((y - m2) ** 2, weights=wy)
            t, p = _svy_two_group_t(x, wx, y, wy, n_design=n_design)
            row.update(cohen_d=(m1 - m2) / math.sqrt((v1 + v2) / 2) if v1 + v2 > 0 else np.nan, statistic=t, p=p)
        elif np.ptp(np.concatenate([x, y])) > 0:
            rank = _weighted_ranks(v, w, ties=ties)
            t, p = _svy_two_group_t(rank[g1], wx, rank[~g1], wy, n_design=n_design)
            row.update(rank_biserial=_weighted_superiority(x, wx, y, wy), statistic=t, p=p)
    return row


def svy_kruskal_wallis(values, weights, groups, *, n_design) -> dict:
    """Design-based Kruskal-Wallis test of three or more groups, as R ``svyranktest(y ~ g, design,
    test = "KruskalWallis")`` on ``subset(design, g %in% groups)``.

    The rank scores of R ``svyranktest`` (weighted mid-ranks in respondent order, over the
    respondents with a value in the groups) are regressed on the group dummies by weighted least
    squares; the Wald statistic ``beta' V^-1 beta`` of the group coefficients uses the linearised
    variance ``N / (N - 1) * HC0`` (``N`` the respondents of the whole design, the groups a domain
    of it) and is referred to F with ``K - 1`` and ``n - K`` degrees of freedom.

    Parameters
    ----------
    values, weights : array-like
        In respondent order; NaN values or weights are left out.
    groups : array-like
        The group of each respondent (only the groups present take part).
    n_design : int
        Respondents in the whole weighted design.

    Returns
    -------
    dict
        ``chisq``, ``ndf``, ``ddf``, ``p`` (NaN with fewer than two groups or no spread).
    """
    from scipy import stats

    v, w = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    g = np.asarray(groups, dtype=object)
    ok = np.isfinite(v) & np.isfinite(w) & (w > 0) & pd.notna(g)
    v, w, g = v[ok], w[ok], g[ok]
    levels = list(dict.fromkeys(g))
    out = dict(chisq=np.nan, ndf=len(levels) - 1, ddf=np.nan, p=np.nan)
    if len(levels) < 2 or not np.ptp(v) > 0:
        return out
    r = _weighted_ranks(v, w, ties="respondent_order")
    X = np.column_stack([np.ones(len(v))] + [(g == lev).astype(float) for lev in levels[1:]])
    a_inv = np.linalg.inv(X.T @ (w[:, None] * X))
    beta = a_inv @ (X.T @ (w * r))
    infl = (X * (w * (r - X @ beta))[:, None]) @ a_inv
    N = max(int(n_design), len(v))
    V = N / (N - 1) * infl.T @ infl
    b, Vb = beta[1:], V[1:, 1:]
    chisq = float(b @ np.linalg.solve(Vb, b))
    ndf, ddf = len(levels) - 1, len(v) - len(levels)
    out.update(chisq=chisq, ddf=float(ddf), p=float(stats.f.sf(chisq / ndf, ndf, ddf)))
    return out


def _weighted_ranks(v, w, *, ties) -> np.ndarray:
    """Rank scores in (0, 1) of the values ``v`` with weights ``w`` (see ``ties`` in :func:`compare_samples`)."""
    if ties == "midpoint":
        values, index = np.unique(v, return_inverse=True)
        weight = np.bincount(index, weights=w, minlength=len(values))
        return (np.cumsum(weight) - weight / 2)[index] / w.sum()
    # R svyranktest: each respondent's mid-point in the weighted cumulative sum of both groups
    # (stable sort, respondent order), averaged over ties, divided by the total weight
    order = np.argsort(v, kind="mergesort")
    cum = np.cumsum(w[order]) - w[order] / 2
    rank = np.empty_like(cum)
    rank[order] = cum
    return pd.Series(rank).groupby(v).transform("mean").to_numpy() / w.sum()


def svy_mean_difference(x, wx, y, wy, *, n_design, level: float = 0.95) -> dict:
    """Weighted ``mean(x) - mean(y)`` with R ``svyttest``'s t, df, p and interval.

    The design and variance are those of :func:`_svy_two_group_t`; the interval is
    ``diff -/+ t(n - 2) * se`` (``svyttest(...)$conf.int``).

    Returns
    -------
    dict
        ``diff``, ``se``, ``t``, ``df``, ``p``, ``ci_low``, ``ci_high`` (NaN when a group is empty
        or has no spread).
    """
    from scipy import stats

    x, wx, y, wy = (np.asarray(a, dtype=float) for a in (x, wx, y, wy))
    okx, oky = np.isfinite(x) & np.isfinite(wx), np.isfinite(y) & np.isfinite(wy)
    x, wx, y, wy = x[okx], wx[okx], y[oky], wy[oky]
    out = dict(diff=np.nan, se=np.nan, t=np.nan, df=np.nan, p=np.nan, ci_low=np.nan, ci_high=np.nan)
    if not (wx.sum() > 0 and wy.sum() > 0):
        return out
    diff = float(np.average(x, weights=wx) - np.average(y, weights=wy))
    t, p = _svy_two_group_t(x, wx, y, wy, n_design=n_design)
    out["diff"] = diff
    if np.isfinite(t) and t != 0:
        se, df = diff / t, len(x) + len(y) - 2
        half = float(stats.t.ppf(0.5 + level / 2, df)) * se
        out.update(se=se, t=t, df=float(df), p=p, ci_low=diff - half, ci_high=diff + half)
    return out


def _svy_two_group_t(x, wx, y, wy, *, n_design) -> tuple[float, float]:
    """Design-based t of the weighted mean difference (group 1 - group 2), as R ``svyglm(y ~ g)``.

    One-stage design without strata or clusters (``svydesign(ids=~1, weights=~w)``), the two
    groups a domain of it (R ``svyttest(y ~ g, subset(design, ...))``): Taylor-linearised variance
    ``N / (N - 1) * sum(z^2)``, ``N`` the respondents of the whole design, ``z = w (v - mean_g) /
    W_g`` (with the sign of the group) for the respondents with a value and 0 for the others; t on
    ``n - 2`` degrees of freedom, ``n`` the respondents with a value in the two groups (R's
    ``degf`` counts the non-zero weights).
    """
    from scipy import stats

    n = len(x) + len(y)
    N = max(int(n_design), n)
    zx = wx * (x - np.average(x, weights=wx)) / wx.sum()
    zy = wy * (y - np.average(y, weights=wy)) / wy.sum()
    se = math.sqrt(N / (N - 1) * (np.sum(zx ** 2) + np.sum(zy ** 2)))
    if not se > 0 or n < 3:
        return np.nan, np.nan
    t = (np.average(x, weights=wx) - np.average(y, weights=wy)) / se
    return float(t), float(2 * stats.t.sf(abs(t), n - 2))


def _weighted_superiority(x, wx, y, wy) -> float:
    """Weighted P(X > Y) - P(X < Y): the rank-biserial r with survey weights (unweighted: R's r)."""
    values = np.union1d(x, y)
    px = pd.Series(wx).groupby(x).sum().reindex(values, fill_value=0).to_numpy() / wx.sum()
    py = pd.Series(wy).groupby(y).sum().reindex(values, fill_value=0).to_numpy() / wy.sum()
    below = np.cumsum(py) - py  # P(Y < v)
    above = 1 - np.cumsum(py)   # P(Y > v)
    return float(np.sum(px * (below - above)))


def _scale_test(x, y) -> dict:
    """Welch's t-test and Cohen's d of two score arrays."""
    from scipy import stats

    res = stats.ttest_ind(x, y, equal_var=False)
    return {"cohen_d": cohen_d(x, y), "statistic": float(res.statistic), "p": float(res.pvalue)}


def _item_test(x, y) -> dict:
    """Mann-Whitney U and rank-biserial r of two code arrays (nothing when all answers are equal)."""
    if not np.ptp(np.concatenate([x, y])) > 0:
        return {}
    res = _mwu(x, y)
    return {"rank_biserial": float(2 * res.statistic / (len(x) * len(y)) - 1),
            "statistic": float(res.statistic), "p": float(res.pvalue)}


def bh_adjust(pvalues) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values over the non-missing ``pvalues`` (NaN stays NaN).

    statsmodels ``multipletests(p, method="fdr_bh")``, as R ``p.adjust(p, "BH")``: the one home of
    the project's multiple-testing rule (a p is significant when its adjusted p is below
    :data:`SIGNIFICANCE`).
    """
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method="fdr_bh")[1]
    return out


def _add_adjusted_p(out: pd.DataFrame) -> None:
    """Add ``p_adj`` (Benjamini-Hochberg over all non-missing p) and ``significant`` in place."""
    out["p_adj"] = bh_adjust(out["p"].to_numpy(dtype=float))
    out["significant"] = out["p_adj"] < SIGNIFICANCE


def _finish_table(out: pd.DataFrame, *, by, min_n) -> pd.DataFrame:
    """Add the Dutch sentences, make counts int and order the columns."""
    from peo_lib.sentences import difference_sentence

    out["zin"] = [difference_sentence(r, by=by, min_n=min_n) for r in out.to_dict("records")]
    out["n1"] = out["n1"].astype(int)
    out["n2"] = out["n2"].astype(int)
    out.attrs["by"] = by
    return out[COLUMNS]
