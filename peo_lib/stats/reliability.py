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

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from peo_lib._validate import check_argument

__all__ = [
    "cronbach_alpha",
    "omega_total",
    "omega_diagnostics",
    "OmegaFit",
    "UNIQUENESS_BOUNDS",
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


def omega_total(items, *, missing: str = "pairwise", return_reason: bool = False):
    """McDonald's omega total from a one-factor maximum-likelihood model.

    .. math:: \\omega_t = \\frac{(\\sum_i \\lambda_i)^2}{(\\sum_i \\lambda_i)^2 + \\sum_i \\psi_i}

    with loadings ``lambda`` and unique variances ``psi`` of one common
    factor on the item covariance matrix (McDonald, 1999, eq. 6.20b).

    The factor model is the one of R ``factanal(covmat=C, factors=1)``: ML on
    the item correlation matrix, uniquenesses bounded to ``[0.005, 1]``,
    loadings and uniquenesses rescaled by the item SDs to the covariance
    metric (ML is scale invariant). The fit is deterministic and global over
    a fixed set of starts (see :func:`omega_diagnostics`), so the value
    equals ``factanal`` at full convergence and, for a proper solution,
    lavaan's one-factor CFA, i.e. ``MBESS::ci.reliability(x, type="omega")``
    and ``semTools::compRelSEM(fit, obs.var=FALSE)`` for complete data (tests
    tests/test_omega_reference.py, to 1e-6). ``psych::omega(x,
    nfactors=1)$omega.tot`` differs slightly: it uses a minres fit and the
    observed total variance ``sum(R)`` in the denominator.

    Parameters
    ----------
    items : DataFrame
        Respondent x item numeric codes, reverse keyed.
    missing : {"pairwise", "listwise"}
        How the covariance matrix is formed (see :func:`cronbach_alpha`).
    return_reason : bool
        Also return why omega is NaN (a short English phrase for a
        footnote), ``None`` when it is a number.

    Returns
    -------
    float or (float, str or None)
        NaN for fewer than three items (one factor is not identified), when
        the covariance matrix cannot be computed or is not positive definite,
        when the fit does not converge, and for an improper solution (a
        Heywood case: a uniqueness at its bound 0.005, i.e. a loading of
        about 1 or more, where lavaan would report a negative variance).
    """
    check_argument("return_reason", [True, False], return_reason)
    fit = omega_diagnostics(items, missing=missing)
    return (fit.omega, fit.reason) if return_reason else fit.omega


#: factanal's bounds for the uniquenesses of the correlation matrix (``lower = 0.005``, upper 1).
UNIQUENESS_BOUNDS = (0.005, 1.0)
#: Largest projected gradient of the ML discrepancy accepted as converged.
_GTOL = 1e-8
#: Scales up to this many items also get one start per pair of items (k(k-1)/2 more starts).
_MAX_PAIR_STARTS = 6


@dataclass(frozen=True)
class OmegaFit:
    """Result of :func:`omega_diagnostics`: the one-factor ML fit behind omega.

    Attributes
    ----------
    omega : float
        Omega total, NaN when there is no proper solution (see ``reason``).
    reason : str or None
        Why ``omega`` is NaN (English, for a footnote), ``None`` otherwise.
    loadings, uniquenesses : Series
        Standardised (correlation metric, as ``factanal`` prints them); empty
        when no model was fitted. Omega uses them times the item SDs.
    objective : float
        The ML discrepancy at the optimum, ``factanal(...)$criteria["objective"]``.
    converged : bool
        The projected gradient at the optimum is below 1e-8.
    n_starts : int
        Starts tried (all fixed: the result does not depend on a random seed).
    n_optima : int
        Distinct local optima reached from those starts; more than one means
        the likelihood has local optima and the best one was kept.
    """

    omega: float
    reason: str | None
    loadings: pd.Series
    uniquenesses: pd.Series
    objective: float = float("nan")
    converged: bool = False
    n_starts: int = 0
    n_optima: int = 0

    def __float__(self) -> float:
        return float(self.omega)


def omega_diagnostics(items, *, missing: str = "pairwise") -> OmegaFit:
    """The one-factor ML fit behind :func:`omega_total`, with the reason for a NaN.

    The discrepancy ``F(psi) = sum_{j>1} (e_j - log e_j - 1)``, with ``e`` the
    eigenvalues of ``Psi^-1/2 R Psi^-1/2``, is minimised over the uniquenesses
    ``psi`` in ``[0.005, 1]``, with the loadings concentrated out, exactly as
    R ``factanal`` (``stats:::factanal.fit.mle``: same objective, gradient and
    bounds). Where ``factanal`` starts once from ``(1 - 0.5/k) / diag(R^-1)``
    and stops at ``optim``'s default tolerance, this fit starts from that
    point and from fixed others (the first principal component, a flat 0.5,
    one start with the factor close to each item, and for scales up to 6
    items one through each pair of items), descends from each with a
    projected quasi-Newton method (Fisher scoring matrix, BFGS updates) and
    polishes with Newton steps until the projected gradient is below 1e-8,
    and keeps the lowest discrepancy (the first start on an exact tie). A
    start that arrives in the basin of an optimum already found is not
    polished again. The answer is therefore the same on every call and
    equals ``factanal(covmat=C, factors=1, control=list(opt=list(factr=1,
    pgtol=0)))`` when that call is started in the basin of the global
    optimum (in simulations of weak 3-9 item scales with 40-200
    respondents, these starts found the best of 40 random starts every
    time; a one-factor likelihood often has local optima there, mostly
    with one uniqueness at its bound).

    An optimum with a uniqueness at the bound is improper (a Heywood case;
    lavaan would give a negative variance): omega is then NaN, with the
    item named in ``reason``, rather than a number from a boundary
    solution.

    Parameters
    ----------
    items : DataFrame
        Respondent x item numeric codes, reverse keyed.
    missing : {"pairwise", "listwise"}
        How the covariance matrix is formed (see :func:`cronbach_alpha`).

    Returns
    -------
    OmegaFit
        ``reason`` is one of: fewer than 3 items, fewer than 3 respondents,
        covariances that cannot be computed, a correlation matrix that is not
        positive definite, no convergence, or a Heywood case (which item).
    """
    df = _check_items(items)
    C, n = _covariance(df, missing)
    return _omega_fit(C, n, list(df.columns))


def _no_omega(reason: str) -> OmegaFit:
    """A NaN omega before any model was fitted."""
    return OmegaFit(float("nan"), reason, pd.Series(dtype=float), pd.Series(dtype=float))


def _items_phrase(k: int) -> str:
    return f"{k} item" + ("" if k == 1 else "s")


def _omega_fit(C: np.ndarray, n: int, names: list) -> OmegaFit:
    """Checks, the global one-factor fit of cov2cor(C), and omega in the covariance metric."""
    k = C.shape[0]
    if k < 3:
        return _no_omega(f"{_items_phrase(k)}: one factor needs at least 3 items")
    if n < 3:
        return _no_omega(f"{n} respondent{'' if n == 1 else 's'}: too few for a factor model")
    if not np.all(np.isfinite(C)) or np.any(np.diag(C) <= 0):
        return _no_omega("the item covariances cannot be computed (an item without variance or "
                         "a pair of items never answered together)")
    R = _cov2cor(C)
    if np.linalg.eigvalsh(R)[0] <= 1e-10:
        return _no_omega("the item correlation matrix is not positive definite (an item is a linear "
                         "combination of others, or pairwise deletion; try missing='listwise')")
    psi, objective, converged, n_starts, n_optima = _ml_one_factor(R)
    lam = _fa_loadings(psi, R)
    index = pd.Index(names, name="item")
    fields = {"loadings": pd.Series(lam, index=index), "uniquenesses": pd.Series(psi, index=index),
              "objective": objective, "converged": converged, "n_starts": n_starts, "n_optima": n_optima}
    lo = UNIQUENESS_BOUNDS[0]
    at_bound = [str(names[i]) for i in np.flatnonzero(psi <= lo * (1 + 1e-6))]
    if at_bound:
        reason = (f"improper solution (Heywood case): the uniqueness of {', '.join(at_bound)} is at its "
                  f"bound {lo} (standardised loading about 1)")
        return OmegaFit(float("nan"), reason, **fields)
    if not converged:
        return OmegaFit(float("nan"), "the one-factor ML fit did not converge", **fields)
    sd = np.sqrt(np.diag(C))
    common = (lam * sd).sum() ** 2
    return OmegaFit(float(common / (common + (psi * sd**2).sum())), None, **fields)


def _fa_loadings(psi: np.ndarray, R: np.ndarray) -> np.ndarray:
    """factanal's loadings given the uniquenesses: sqrt(psi) v1 sqrt(max(e1 - 1, 0)), sum >= 0."""
    s = np.sqrt(psi)
    e, v = np.linalg.eigh(R / np.outer(s, s))
    lam = s * v[:, -1] * np.sqrt(max(e[-1] - 1.0, 0.0))
    return lam if lam.sum() >= 0 else -lam


def _fa_objective(psi: np.ndarray, R: np.ndarray, *, hessian: bool = False):
    """``(F, dF/dpsi)``: factanal's ``FAfn`` and ``FAgr`` for one factor; with ``hessian`` also the
    expected second derivatives ``(P o P) / (psi psi')``, ``P`` the projection on the residual
    eigenvectors of ``Psi^-1/2 R Psi^-1/2`` (Joreskog, 1967: the Fisher-scoring matrix)."""
    s = np.sqrt(psi)
    e, v = np.linalg.eigh(R / np.outer(s, s))
    rest = e[:-1]
    if rest[0] <= 0:
        return (np.inf, np.zeros_like(psi)) + ((np.eye(len(psi)),) if hessian else ())
    lam = s * v[:, -1] * np.sqrt(max(e[-1] - 1.0, 0.0))
    out = (float(np.sum(rest - np.log(rest)) - len(rest)), (lam**2 + psi - 1.0) / psi**2)
    if not hessian:
        return out
    P = v[:, :-1] @ v[:, :-1].T
    return out + (P * P / np.outer(psi, psi),)


def _projected_gradient(psi: np.ndarray, g: np.ndarray) -> np.ndarray:
    """The gradient without the components that push against a bound."""
    lo, hi = UNIQUENESS_BOUNDS
    blocked = ((psi <= lo) & (g > 0)) | ((psi >= hi) & (g < 0))
    return np.where(blocked, 0.0, g)


def _fa_starts(R: np.ndarray) -> list:
    """Fixed starting uniquenesses (see :func:`omega_diagnostics`), in the order they are tried."""
    k = R.shape[0]
    lo, hi = UNIQUENESS_BOUNDS

    def inner(lam):
        return np.clip(1.0 - np.minimum(np.abs(lam), 0.99) ** 2, 0.02, 0.98)

    starts = [np.clip((1 - 0.5 / k) / np.diag(np.linalg.inv(R)), lo, hi)]   # factanal's start
    e, v = np.linalg.eigh(R)
    starts += [inner(v[:, -1] * np.sqrt(e[-1])), np.full(k, 0.5)]
    A = np.abs(R - np.eye(k))
    for i in range(k):                       # the factor close to item i
        lam = A[i].copy()
        lam[i] = 0.95
        starts.append(inner(lam))
    if k <= _MAX_PAIR_STARTS:
        for i, j in combinations(range(k), 2):   # the factor through items i and j
            r = max(A[i, j], 0.05)
            lam = (A[i] + A[j]) / (2 * np.sqrt(r))
            lam[[i, j]] = np.sqrt(r)
            starts.append(inner(lam))
    return starts


def _fa_newton(psi: np.ndarray, R: np.ndarray, f: float, g: np.ndarray):
    """Polish a near-optimum with Newton steps on the free uniquenesses (Hessian by central differences)."""
    lo, hi = UNIQUENESS_BOUNDS
    for _ in range(8):
        free = (_projected_gradient(psi, g) != 0) | ((psi > lo) & (psi < hi))
        if not free.any() or np.abs(_projected_gradient(psi, g)).max() < 1e-13:
            break
        idx = np.flatnonzero(free)
        H = np.empty((len(idx), len(idx)))
        for col, i in enumerate(idx):
            h = 1e-6 * max(psi[i], 1e-3)
            up, down = psi.copy(), psi.copy()
            up[i] += h
            down[i] -= h
            H[:, col] = (_fa_objective(up, R)[1][idx] - _fa_objective(down, R)[1][idx]) / (2 * h)
        try:
            step = np.linalg.solve((H + H.T) / 2, g[idx])
        except np.linalg.LinAlgError:
            break
        trial = psi.copy()
        trial[idx] = np.clip(psi[idx] - step, lo, hi)
        f_new, g_new = _fa_objective(trial, R)
        if not f_new <= f + 1e-14:
            break
        psi, f, g = trial, f_new, g_new
    return psi, f, g


def _fa_scoring(psi: np.ndarray, R: np.ndarray, *, gtol: float, max_iter: int = 500):
    """Projected quasi-Newton descent until the projected gradient is below ``gtol``.

    The first matrix is Joreskog's Fisher-scoring matrix, then BFGS updates; a backtracking
    (Armijo) line search along the projected step keeps the uniquenesses in their bounds.
    Plain numpy on a k-vector (scipy's L-BFGS-B spent most of its time in BLAS threads that
    contend on a busy machine: 0.7 s instead of 0.1 s per omega under load).
    """
    lo, hi = UNIQUENESS_BOUNDS
    f, g, H = _fa_objective(psi, R, hessian=True)
    for _ in range(max_iter):
        pg = _projected_gradient(psi, g)
        if np.abs(pg).max() < gtol:
            break
        free = np.flatnonzero(pg != 0)
        try:
            step = np.linalg.solve(H[np.ix_(free, free)] + 1e-10 * np.eye(len(free)), g[free])
        except np.linalg.LinAlgError:
            step = g[free]
        if step @ g[free] <= 0:              # not a descent direction: fall back to the gradient
            step = g[free]
        t = 1.0
        while t > 1e-12:
            trial = psi.copy()
            trial[free] = np.clip(psi[free] - t * step, lo, hi)
            f_new, g_new = _fa_objective(trial, R)
            if f_new <= f - 1e-4 * g[free] @ (psi[free] - trial[free]):
                break
            t /= 2
        else:
            break
        sv, yv = trial - psi, g_new - g
        if sv @ yv > 1e-16:                  # BFGS update of the scoring matrix with the curvature seen
            Bs = H @ sv
            H = H + np.outer(yv, yv) / (sv @ yv) - np.outer(Bs, Bs) / (sv @ Bs)
        psi, f, g = trial, f_new, g_new
    return psi, f, g


def _ml_one_factor(R: np.ndarray):
    """Global ML one-factor fit over the fixed starts: ``(psi, F, converged, n_starts, n_optima)``."""
    best, optima = None, []
    starts = _fa_starts(R)
    for start in starts:
        psi, f, g = _fa_scoring(np.clip(start, *UNIQUENESS_BOUNDS), R, gtol=1e-5)
        if any(np.abs(psi - q).max() < 2e-3 for q in optima):
            continue                    # in the basin of an optimum already found (and polished)
        psi, f, g = _fa_newton(psi, R, f, g)
        if np.abs(_projected_gradient(psi, g)).max() >= _GTOL:
            psi, f, g = _fa_scoring(psi, R, gtol=1e-10)     # Newton stalled: scoring, then Newton again
            psi, f, g = _fa_newton(psi, R, f, g)
        converged = bool(np.abs(_projected_gradient(psi, g)).max() < _GTOL)
        if converged and not any(np.abs(psi - q).max() < 1e-5 for q in optima):
            optima.append(psi)
        if best is None or (converged and not best[2]) or (converged == best[2] and f < best[1] - 1e-12):
            best = (psi, f, converged)
    return best[0], best[1], best[2], len(starts), len(optima)


@dataclass(frozen=True)
class ReliabilityTable:
    """Result of :func:`reliability_table`.

    Attributes
    ----------
    scale : Series
        ``k``, ``n`` (respondents with at least one valid item),
        ``n_complete``, ``alpha`` (raw, per ``missing``), ``alpha_pairwise``,
        ``alpha_listwise``, ``alpha_std``, ``average_r``, ``g6``, ``omega``,
        ``omega_reason`` (why omega is NaN, else None: :func:`omega_diagnostics`).
    items : DataFrame
        One row per item (index: item id): ``n``, ``mean``, ``sd`` (on every
        available answer of the item, whatever ``missing`` is, as psych
        does), ``item_rest`` (psych ``r.drop``), ``alpha_if_deleted`` (psych
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

    With ``missing="listwise"`` item ``n``, ``mean`` and ``sd`` are still on
    every available answer, as ``psych::alpha(x, use="complete.obs")`` prints
    them (``colSums(!is.na(x))``, ``colMeans(x, na.rm=TRUE)``); correlations
    and alphas use the ``n_complete`` complete cases. For a table of the
    complete cases only, use ``reliability_table(items.dropna())``.

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
            # psych::alpha: n, mean and sd on every available answer, also with use="complete.obs"
            "n": df.notna().sum().astype(int).to_numpy(),
            "mean": df.mean().to_numpy(),
            "sd": df.std(ddof=1).to_numpy(),
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
    fit = _omega_fit(C, n, list(df.columns))
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
            "omega": fit.omega,
            "omega_reason": fit.reason,
        },
        dtype=object,
    )
    return ReliabilityTable(scale=scale, items=table)


SCALE_COLUMNS = [
    "scale", "label", "k", "n", "n_complete", "alpha", "alpha_listwise", "alpha_std",
    "average_r", "omega", "min_item_rest", "weakest_item", "max_alpha_if_deleted", "omega_reason",
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
        ``max_alpha_if_deleted``, ``omega_reason`` (why omega is NaN, for a
        footnote; None when omega is a number). Scales with one item get NaN
        statistics.
    """
    from peo_lib.stats.scoring import reverse_keyed

    check_argument("missing", MISSING_POLICIES, missing)
    rows = []
    for sid, sc in rnd.codebook.scales.items():
        row = {"scale": sid, "label": sc.label, "k": len(sc.items)}
        items = reverse_keyed(rnd, scale=sid)
        if len(sc.items) < 2:
            row.update(n=int(items.notna().any(axis=1).sum()), n_complete=int(items.notna().all(axis=1).sum()),
                       omega_reason=f"{_items_phrase(len(sc.items))}: one factor needs at least 3 items")
            rows.append(row)
            continue
        rt = reliability_table(items, missing=missing)
        s, it = rt.scale, rt.items
        weakest = it["item_rest"].idxmin() if it["item_rest"].notna().any() else None
        row.update(
            n=int(s["n"]), n_complete=int(s["n_complete"]), alpha=s["alpha"],
            alpha_listwise=s["alpha_listwise"], alpha_std=s["alpha_std"], average_r=s["average_r"],
            omega=s["omega"], omega_reason=s["omega_reason"], min_item_rest=it["item_rest"].min(),
            weakest_item=weakest,
            max_alpha_if_deleted=it["alpha_if_deleted"].max(),
        )
        rows.append(row)
    out = pd.DataFrame(rows, columns=SCALE_COLUMNS)
    float_cols = ["alpha", "alpha_listwise", "alpha_std", "average_r", "omega", "min_item_rest",
                  "max_alpha_if_deleted"]
    out[float_cols] = out[float_cols].astype(float)
    return out
