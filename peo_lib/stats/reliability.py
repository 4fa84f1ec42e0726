"""Scale reliability: Cronbach's alpha (as R ``psych::alpha``) and omega total.

All functions take ``items``: a respondent x item DataFrame of numeric codes,
already reverse keyed (see :func:`peo_lib.stats.scoring.reverse_keyed`), NaN for
missing. Missing data is handled as ``psych::alpha`` does:

``missing="pairwise"`` (psych's default ``use="pairwise"``)
    The covariance matrix is ``cov(x, use="pairwise")``: every covariance uses
    the respondents who answered both items (``n - 1`` divisor per pair).
``missing="listwise"`` (psych ``use="complete.obs"``)
    Respondents with any missing item are dropped first.

Everything else is derived from that covariance matrix ``C`` and from
``R = cor(x, use=...)`` (standardised alpha, average r, G6), as psych does:
alpha if an item is deleted is the alpha of ``C[-i, -i]``, the item-rest
correlation comes from ``C``. The numbers match ``psych::alpha`` output
digit for digit (see tests/test_reliability.py).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from peo_lib._validate import check_argument

__all__ = [
    "cronbach_alpha",
    "omega_total",
    "reliability_table",
    "scale_reliability",
    "ReliabilityTable",
    "MISSING_POLICIES",
]

MISSING_POLICIES = ("pairwise", "listwise")




def _check_items(items, *, min_items: int = 2) -> pd.DataFrame:
    """Validate and normalise ``items`` to a float DataFrame."""
    if isinstance(items, pd.Series) or not isinstance(items, (pd.DataFrame, np.ndarray)):
        raise TypeError(
            f"items must be a DataFrame (respondent x item), got {type(items).__name__}; "
            "for a scale of a Round use peo_lib.stats.scoring.reverse_keyed(rnd, scale=...)"
        )
    df = pd.DataFrame(items)
    if df.ndim != 2 or df.shape[1] < min_items:
        raise ValueError(f"items has {df.shape[1]} column(s); reliability needs at least {min_items} items")
    bad = [str(c) for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        raise TypeError(f"items must be numeric codes; non-numeric column(s): {bad}")
    return df.astype(float)


def _covariance(df: pd.DataFrame, missing: str) -> tuple[np.ndarray, int]:
    """Covariance matrix per ``missing`` and the number of respondents it rests on."""
    C, _, n = _cov_cor(df, missing, corr=False)
    return C, n


def _cov_cor(df: pd.DataFrame, missing: str, *, corr: bool = True):
    """``(C, R, n)``: covariance and correlation matrices as psych::alpha forms them.

    psych uses ``C <- cov(x, use=use)`` and ``R <- cor(x, use=use)``; with
    pairwise deletion ``R`` is *not* ``cov2cor(C)``: every correlation uses
    the means and SDs of its own pair of items (pandas ``DataFrame.corr``
    does the same).
    """
    check_argument("missing", MISSING_POLICIES, missing)
    k = df.shape[1]
    if missing == "listwise":
        df = df.dropna()
        n = len(df)
        if n < 2:
            nan = np.full((k, k), np.nan)
            return nan, nan, n
        C = np.cov(df.to_numpy(), rowvar=False, ddof=1)
        return C, (_cov2cor(C) if corr else None), n
    n = int(df.notna().any(axis=1).sum())
    C = df.cov(min_periods=2).to_numpy()
    R = df.corr(min_periods=2).to_numpy() if corr else None
    return C, R, n


def _alpha_from_cov(C: np.ndarray) -> float:
    """psych ``alpha.1``: (1 - tr(C)/sum(C)) * k/(k-1)."""
    k = C.shape[0]
    total = C.sum()
    if not np.isfinite(total) or total <= 0:
        return float("nan")
    return float((1.0 - np.trace(C) / total) * k / (k - 1))


def _cov2cor(C: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diag(C))
    with np.errstate(invalid="ignore", divide="ignore"):
        return C / np.outer(sd, sd)


def cronbach_alpha(items, *, missing: str = "pairwise") -> float:
    """Cronbach's alpha, exactly as ``psych::alpha(items)$total$raw_alpha``.

    .. math:: \\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\operatorname{tr}(C)}{\\sum_{ij} C_{ij}}\\right)

    with ``C`` the item covariance matrix (Cronbach, 1951; Guttman's
    lambda-3).

    Parameters
    ----------
    items : DataFrame
        Respondent x item numeric codes, reverse keyed, NaN = missing.
    missing : {"pairwise", "listwise"}
        ``"pairwise"``: ``C = cov(x, use="pairwise")`` (psych default);
        ``"listwise"``: drop incomplete respondents first
        (``psych::alpha(x, use="complete.obs")``).

    Returns
    -------
    float
        NaN when the covariances cannot be computed (fewer than two
        respondents, or zero total variance).

    Examples
    --------
    >>> cronbach_alpha(items)                       # doctest: +SKIP
    0.7021
    """
    df = _check_items(items)
    C, _ = _covariance(df, missing)
    return _alpha_from_cov(C)


def omega_total(items, *, missing: str = "pairwise") -> float:
    """McDonald's omega total from a one-factor maximum-likelihood model.

    .. math:: \\omega_t = \\frac{(\\sum_i \\lambda_i)^2}{(\\sum_i \\lambda_i)^2 + \\sum_i \\psi_i}

    with loadings ``lambda`` and unique variances ``psi`` of one common
    factor on the item covariance matrix (McDonald, 1999, eq. 6.20b).

    The factor model is fitted by :class:`statsmodels.multivariate.factor.Factor`
    (``method="ml"``) on the item correlation matrix; ML is scale invariant,
    so loadings and uniquenesses are rescaled by the item SDs to the
    covariance metric. This is the estimator of a one-factor ML CFA in lavaan,
    so the value equals ``semTools::compRelSEM(fit, obs.var=FALSE)`` and
    ``MBESS::ci.reliability(x, type="omega")`` for complete data.
    ``psych::omega(x, nfactors=1)$omega.tot`` differs slightly: it uses a
    minres fit of the *correlation* matrix and the observed total variance
    ``sum(R)`` in the denominator (differences are usually in the second or
    third decimal).

    Parameters
    ----------
    items : DataFrame
        Respondent x item numeric codes, reverse keyed.
    missing : {"pairwise", "listwise"}
        How the covariance matrix is formed (see :func:`cronbach_alpha`).

    Returns
    -------
    float
        NaN for fewer than three items (one factor is not identified) or
        when the covariance matrix cannot be computed or factored.
    """
    df = _check_items(items)
    C, n = _covariance(df, missing)
    return _omega_from_cov(C, n)


def _omega_from_cov(C: np.ndarray, n: int) -> float:
    k = C.shape[0]
    if k < 3 or not np.all(np.isfinite(C)) or np.any(np.diag(C) <= 0) or n < 3:
        return float("nan")
    from statsmodels.multivariate.factor import Factor

    sd = np.sqrt(np.diag(C))
    R = _cov2cor(C)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = Factor(corr=R, n_factor=1, method="ml", nobs=n).fit()
    except (np.linalg.LinAlgError, ValueError):
        return float("nan")
    loadings = np.asarray(res.loadings, dtype=float)[:, 0] * sd
    uniq = np.asarray(res.uniqueness, dtype=float) * sd**2
    common = loadings.sum() ** 2
    return float(common / (common + uniq.sum()))


@dataclass(frozen=True)
class ReliabilityTable:
    """Result of :func:`reliability_table`.

    Attributes
    ----------
    scale : Series
        ``k``, ``n`` (respondents with at least one valid item),
        ``n_complete``, ``alpha`` (raw, per ``missing``), ``alpha_pairwise``,
        ``alpha_listwise``, ``alpha_std``, ``average_r``, ``g6``, ``omega``.
    items : DataFrame
        One row per item (index: item id): ``n``, ``mean``, ``sd``,
        ``item_rest`` (psych ``r.drop``), ``alpha_if_deleted`` (psych
        ``alpha.drop$raw_alpha``), ``alpha_std_if_deleted``.
    """

    scale: pd.Series
    items: pd.DataFrame

    def __repr__(self) -> str:
        return f"ReliabilityTable(\n{self.scale.to_string()}\n\n{self.items.to_string()}\n)"


def _std_alpha(R: np.ndarray) -> float:
    k = R.shape[0]
    rbar = (R.sum() - np.trace(R)) / (k * (k - 1))
    return float(k * rbar / (1 + (k - 1) * rbar))


def _g6(R: np.ndarray) -> float:
    """Guttman's lambda 6 (psych ``G6(smc)``): 1 - sum(1 - smc)/sum(R)."""
    try:
        smc = 1.0 - 1.0 / np.diag(np.linalg.inv(R))
    except np.linalg.LinAlgError:
        return float("nan")
    return float(1.0 - (1.0 - smc).sum() / R.sum())


def reliability_table(items, *, missing: str = "pairwise") -> ReliabilityTable:
    """Item and scale statistics as in ``psych::alpha`` output.

    Per item (psych's "Item statistics" and "Reliability if an item is
    dropped" tables), all derived from one covariance matrix ``C``:

    * ``item_rest`` = psych ``r.drop``: the correlation of the item with the
      sum of the other items, ``sum_{j!=i} C_ij / sqrt(C_ii * sum(C[-i,-i]))``;
    * ``alpha_if_deleted`` = raw alpha of ``C[-i, -i]``;
    * ``alpha_std_if_deleted`` = standardised alpha of ``R[-i, -i]``, with
      ``R = cor(x, use="pairwise")`` (pair-specific means and SDs, as psych).

    Per scale: raw alpha (pairwise and listwise), ``alpha_std`` =
    ``k * rbar / (1 + (k - 1) * rbar)`` from the correlation matrix
    (psych ``std.alpha``), ``average_r`` (``rbar``), Guttman's lambda 6
    (psych ``G6(smc)``), omega total (:func:`omega_total`).

    Parameters
    ----------
    items : DataFrame
        Respondent x item numeric codes, reverse keyed.
    missing : {"pairwise", "listwise"}
        Policy for the item statistics and ``alpha``/``omega``; the scale row
        always reports both ``alpha_pairwise`` and ``alpha_listwise``.

    Returns
    -------
    ReliabilityTable
        ``.scale`` (Series) and ``.items`` (DataFrame).
    """
    df = _check_items(items)
    check_argument("missing", MISSING_POLICIES, missing)
    C, R, n = _cov_cor(df, missing)
    k = C.shape[0]
    total = C.sum()
    col = C.sum(axis=0)
    diag = np.diag(C)
    rest_var = total - 2 * col + diag            # sum(C[-i, -i])
    rest_cov = col - diag                         # sum_{j != i} C_ij
    with np.errstate(invalid="ignore", divide="ignore"):
        item_rest = rest_cov / np.sqrt(diag * rest_var)
        alpha_del = (1 - (np.trace(C) - diag) / rest_var) * (k - 1) / (k - 2) if k > 2 else np.full(k, np.nan)
        r_off = R.sum() - np.trace(R)
        r_off_del = r_off - 2 * (R.sum(axis=0) - 1)
        rbar_del = r_off_del / ((k - 1) * (k - 2)) if k > 2 else np.full(k, np.nan)
        std_del = (k - 1) * rbar_del / (1 + (k - 2) * rbar_del) if k > 2 else np.full(k, np.nan)
    table = pd.DataFrame(
        {
            "n": df.notna().sum().astype(int).to_numpy() if missing == "pairwise"
            else np.full(k, len(df.dropna()), dtype=int),
            "mean": (df if missing == "pairwise" else df.dropna()).mean().to_numpy(),
            "sd": (df if missing == "pairwise" else df.dropna()).std(ddof=1).to_numpy(),
            "item_rest": item_rest,
            "alpha_if_deleted": alpha_del,
            "alpha_std_if_deleted": std_del,
        },
        index=pd.Index(df.columns, name="item"),
    )
    C_pair, _ = _covariance(df, "pairwise")
    C_list, n_complete = _covariance(df, "listwise")
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha_std = _std_alpha(R) if np.all(np.isfinite(R)) else float("nan")
        average_r = float((R.sum() - np.trace(R)) / (k * (k - 1)))
        g6 = _g6(R) if np.all(np.isfinite(R)) else float("nan")
    scale = pd.Series(
        {
            "k": k,
            "n": n,
            "n_complete": n_complete,
            "alpha": _alpha_from_cov(C),
            "alpha_pairwise": _alpha_from_cov(C_pair),
            "alpha_listwise": _alpha_from_cov(C_list),
            "alpha_std": alpha_std,
            "average_r": average_r,
            "g6": g6,
            "omega": _omega_from_cov(C, n),
        },
        dtype=object,
    )
    return ReliabilityTable(scale=scale, items=table)


SCALE_COLUMNS = [
    "scale", "label", "k", "n", "n_complete", "alpha", "alpha_listwise", "alpha_std",
    "average_r", "omega", "min_item_rest", "weakest_item", "max_alpha_if_deleted",
]


def scale_reliability(rnd, *, missing: str = "pairwise") -> pd.DataFrame:
    """Reliability of every scale of a round, one row per scale.

    Parameters
    ----------
    rnd : Round
        From :func:`peo_lib.load_round`; items are reverse keyed per scale with
        :func:`peo_lib.stats.scoring.reverse_keyed`.
    missing : {"pairwise", "listwise"}
        Policy for ``alpha``, ``alpha_std``, ``omega`` and the item
        statistics; ``alpha_listwise`` is always listwise.

    Returns
    -------
    DataFrame
        Columns ``scale`` (id), ``label``, ``k`` (items), ``n`` (respondents
        with at least one valid item; with ``missing="listwise"`` the
        complete cases), ``n_complete``, ``alpha`` (psych ``raw_alpha``),
        ``alpha_listwise``, ``alpha_std`` (psych ``std.alpha``),
        ``average_r``, ``omega`` (:func:`omega_total`), ``min_item_rest``
        (lowest psych ``r.drop``), ``weakest_item`` (its item id),
        ``max_alpha_if_deleted``. Scales with one item get NaN statistics.
    """
    from peo_lib.stats.scoring import reverse_keyed

    check_argument("missing", MISSING_POLICIES, missing)
    rows = []
    for sid, sc in rnd.codebook.scales.items():
        row = {"scale": sid, "label": sc.label, "k": len(sc.items)}
        items = reverse_keyed(rnd, scale=sid)
        if len(sc.items) < 2:
            row.update(n=int(items.notna().any(axis=1).sum()), n_complete=int(items.notna().all(axis=1).sum()))
            rows.append(row)
            continue
        rt = reliability_table(items, missing=missing)
        s, it = rt.scale, rt.items
        weakest = it["item_rest"].idxmin() if it["item_rest"].notna().any() else None
        row.update(
            n=int(s["n"]), n_complete=int(s["n_complete"]), alpha=s["alpha"],
            alpha_listwise=s["alpha_listwise"], alpha_std=s["alpha_std"], average_r=s["average_r"],
            omega=s["omega"], min_item_rest=it["item_rest"].min(), weakest_item=weakest,
            max_alpha_if_deleted=it["alpha_if_deleted"].max(),
        )
        rows.append(row)
    out = pd.DataFrame(rows, columns=SCALE_COLUMNS)
    float_cols = ["alpha", "alpha_listwise", "alpha_std", "average_r", "omega", "min_item_rest",
                  "max_alpha_if_deleted"]
    out[float_cols] = out[float_cols].astype(float)
    return out
