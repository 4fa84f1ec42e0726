"""Composition-adjusted trends: OLS on scale scores and the ordinal (proportional-odds) model on items.

See :mod:`peo_lib.stats.trends` for the rules (adjusted means at the pooled
composition, statsmodels' ``OrderedModel``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from peo_lib._validate import check_argument

from peo_lib.stats.series import (GROUP_COLUMNS, _as_rounds, _check_level, _item_rounds, _reused, _rounds_key,
                                  _scale_label, _scale_rounds, _series_ids, _weights_key, reused_in_block,
                                  round_mean, stack_rounds, stacked_weights)

__all__ = ["adjusted_trend", "fit_ordinal", "ordinal_coefficients", "predict_ordinal", "adjusted_item_trend"]

# -- design matrices (shared by OLS and the ordinal model) ----------------

def _usable_covariates(df: pd.DataFrame, covariates, *, what: str) -> list[str]:
    covariates = list(covariates)
    for c in covariates:
        check_argument("covariates", GROUP_COLUMNS, c)
    keep = []
    for c in covariates:
        absent = [str(r) for r in df["round"].cat.categories
                  if (df["round"] == r).any() and df.loc[df["round"] == r, c].isna().all()]
        if absent:
            warnings.warn(f"{what}: covariate {c!r} is unknown for everyone in round(s) "
                          f"{', '.join(absent)}; it is left out of the model", UserWarning, stacklevel=3)
            continue
        if df[c].nunique() < 2:
            continue
        keep.append(c)
    return keep


def _dummies(values: pd.Series, levels: list) -> np.ndarray:
    """Treatment-coded dummies (first level is the reference), as R ``contr.treatment``."""
    v = values.to_numpy(dtype=object)
    return np.column_stack([(v == lev).astype(float) for lev in levels[1:]]) if len(levels) > 1 \
        else np.empty((len(v), 0))


class _Design:
    """Column layout of ``C(round) + C(cov1) + ...`` for one fitted sample."""

    def __init__(self, df: pd.DataFrame, factors: list[str], *, constant: bool):
        self.factors = factors
        self.constant = constant
        self.levels = {}
        for f in factors:
            cats = df[f].cat.categories if isinstance(df[f].dtype, pd.CategoricalDtype) else sorted(df[f].unique())
            self.levels[f] = [c for c in cats if (df[f] == c).any()]
        self.names = (["Intercept"] if constant else []) + [
            f"C({f})[T.{lev}]" for f in factors for lev in self.levels[f][1:]]

    def matrix(self, df: pd.DataFrame, **fixed) -> np.ndarray:
        """Design rows for ``df``, with factors in ``fixed`` set to one level for everyone."""
        blocks = [np.ones((len(df), 1))] if self.constant else []
        for f in self.factors:
            values = pd.Series([fixed[f]] * len(df), dtype=object) if f in fixed else df[f].astype(object)
            blocks.append(_dummies(values, self.levels[f]))
        return np.hstack(blocks)


def _model_frame(rounds: dict, column: str, covariates, *, what: str):
    """Complete cases of ``column`` and the usable covariates, and those covariates.

    Inside a :func:`peo_lib.stats.series.reuse_stacks` block made once per rounds, column,
    covariates and caller (``what`` names the caller in the warnings); each call gets its own
    shallow copy (copy-on-write), so a caller may add columns.
    """
    covariates = tuple(covariates)

    def make():
        df = stack_rounds(rounds, items=True)
        covs = _usable_covariates(df, covariates, what=what)
        d = df.dropna(subset=[column, *covs]).copy()
        d["round"] = d["round"].cat.remove_unused_categories()
        for c in covs:
            d[c] = d[c].cat.remove_unused_categories()
        return d, covs

    d, covs = _reused(("model_frame", _rounds_key(rounds), column, covariates, what), make)
    return d.copy(deep=False), list(covs)


def _fitted_ols(rounds: dict, d: pd.DataFrame, column: str, covariates, factors, *, what: str, weights=None):
    """:func:`_fit_ols` of ``d = _model_frame(rounds, column, covariates, what=what)[0]``; inside a
    ``reuse_stacks`` block fitted once (the results are shared: read them, do not change them).
    ``weights``: the rounds' weights dict (:func:`peo_lib.stats.series.stacked_weights`)."""
    key = ("ols", _rounds_key(rounds), column, tuple(covariates), what, tuple(factors), _weights_key(weights))
    w = _model_weights(rounds, d, weights)
    return _reused(key, lambda: _fit_ols(d, column, list(factors), weights=w))


def _model_weights(rounds: dict, d: pd.DataFrame, weights) -> np.ndarray | None:
    """The weights of the model frame's rows (None: no round weighted); ``d`` keeps the stack's row labels."""
    w = stacked_weights(rounds, weights)
    return None if w is None else w[d.index.to_numpy()]


# -- adjusted trend (OLS) ----------------------------------------------------

class _SurveyFit:
    """What the trend code reads of a fit (``params``, ``cov_params()``, ``df_resid``) for a weighted
    linear model as R ``svyglm(y ~ ..., svydesign(ids=~1, weights=~w))``."""

    def __init__(self, params, cov, df_resid):
        self.params, self._cov, self.df_resid = params, cov, df_resid

    def cov_params(self):
        return self._cov


def _fit_ols(d: pd.DataFrame, column: str, factors: list[str], *, weights=None):
    """OLS of ``column ~ factors``; with ``weights`` the survey-weighted fit of R ``svyglm``:
    WLS estimates, the sandwich variance ``n / (n - 1) * HC0`` (one-stage design of the model's
    ``n`` complete cases; ``svyglm``'s linearisation) and ``n - p`` residual degrees of freedom."""
    # the module, not statsmodels.api: that imports every model family (0.3 s of a cold report)
    from statsmodels.regression.linear_model import OLS, WLS

    design = _Design(d, factors, constant=True)
    X = pd.DataFrame(design.matrix(d), columns=design.names, index=d.index)
    y = d[column].to_numpy(dtype=float)
    if weights is None:
        return OLS(y, X).fit(), design
    keep = np.isfinite(weights) & (weights > 0)
    Xk, yk, wk = X[keep], y[keep], weights[keep]
    fit = WLS(yk, Xk, weights=wk).fit(cov_type="HC0")
    n = int(keep.sum())
    cov = np.asarray(fit.cov_params()) * n / (n - 1)
    return _SurveyFit(pd.Series(np.asarray(fit.params), index=design.names), cov, float(n - Xk.shape[1])), design


def _predictive_margin(X: np.ndarray, res, w: np.ndarray | None) -> tuple[float, float]:
    """Mean prediction over the rows of ``X`` (every row set to one round) and its standard error.

    Unweighted: ``L = mean row``, ``se = sqrt(L V L')`` (R ``emmeans(..., weights="proportional")``).
    Weighted: ``L`` the weighted mean row, and the variance of the weighted average of the
    predictions (the composition is estimated too) added, as R ``svypredmeans``.
    """
    beta, cov = np.asarray(res.params), np.asarray(res.cov_params())
    if w is None:
        L = X.mean(axis=0)
        return float(L @ beta), float(np.sqrt(L @ cov @ L))
    L = np.average(X, axis=0, weights=w)
    est = float(L @ beta)
    n = len(X)
    z = w * (X @ beta - est) / w.sum()
    return est, float(np.sqrt(L @ cov @ L + n / (n - 1) * np.sum(z ** 2)))


def _fit_by(d: pd.DataFrame, scale: str, by: str, covs: list[str], w):
    """The ``C(round):C(by)`` model of :func:`adjusted_trend` (one factor ``_cell`` per round and
    level of ``by``, added to ``d``), its design and the cells that have respondents."""
    d["_cell"] = pd.Categorical(d["round"].astype(str) + "\x1f" + d[by].astype(str))
    res, design = _fit_ols(d, scale, ["_cell", *[c for c in covs if c != by]], weights=w)
    cells = [(rid, {by: g}) for rid in d["round"].cat.categories for g in d[by].cat.categories
             if ((d["round"] == rid) & (d[by] == g)).any()]
    return res, design, cells


@reused_in_block  # the trend report asks for the same margins from its tables, sentences and findings
def adjusted_trend(rounds, *, scale: str, covariates=("ervaringsgroep", "functie"),
                   by: str | None = None, level: float = 0.95, weights=None) -> pd.DataFrame:
    """Composition-adjusted mean of a scale per round (OLS marginal means).

    Fits ``scale ~ C(round) + C(ervaringsgroep) + C(functie)`` by OLS
    (statsmodels) on all rounds that have the scale, then predicts, for every
    round, the mean score *if that round's respondents had the pooled
    composition of all rounds*: the prediction for each respondent of the
    pooled complete-case sample with the round set to that round, averaged.

    Parameters
    ----------
    rounds : dict of Round or list of Round
    scale : str
    covariates : sequence of str, default ("ervaringsgroep", "functie")
        Background factors to adjust for (any of ``GROUP_COLUMNS``).
    by : str, optional
        One of ``covariates``: separate adjusted lines per level of it; the
        model then has a ``C(round):C(by)`` interaction and averages over the
        pooled composition of the other covariates only.
    level : float, default 0.95
    weights : dict, optional
        ``{round id: weights or None}`` (:func:`peo_lib.stats.weighting.round_weights` per round):
        then the survey-weighted model of R ``svyglm`` and its predictive margins, R
        ``svypredmeans(svyglm(scale ~ covariates, design), ~round)``: the weighted average of the
        predictions over the pooled weighted composition, with variance ``L V L'`` plus the
        variance of that average (the composition is estimated too), and a normal interval. A
        round without weights counts every respondent once. ``raw_mean`` is then weighted too.

    Returns
    -------
    DataFrame
        Columns ``round``, [``by``], ``n`` (respondents of the round in the
        model), ``raw_mean`` (their unadjusted mean), ``mean`` (adjusted),
        ``se``, ``ci_low``, ``ci_high`` (t interval with the model's residual
        df), ``series``. ``attrs`` hold ``formula``, ``covariates`` used,
        ``reference`` (pooled shares of each covariate level) and ``n``.

    Notes
    -----
    For an additive linear model the averaged prediction is ``L @ beta`` with
    ``L`` the mean design row (pooled dummy shares), so its variance is
    ``L V L'``; this is R ``emmeans(fit, ~ round, weights = "proportional")``.
    Complete cases on the covariates; see the module notes for missing
    covariates.
    """
    level = _check_level(level)
    rounds = _as_rounds(rounds)
    have = _scale_rounds(rounds, scale)
    sub = {r: rounds[r] for r in have}
    what = f"adjusted_trend(scale={scale!r})"
    d, covs = _model_frame(sub, scale, covariates, what=what)
    if by is not None:
        check_argument("by", tuple(covariates), by)
        if by not in covs:
            raise ValueError(f"by={by!r} cannot be used: it is not usable as a covariate in these rounds")
    series = _series_ids([rounds[r].codebook for r in have], scale=scale)
    w = _model_weights(sub, d, weights)
    if w is not None:  # respondents outside a round's weighted design are not in the model
        keep = np.isfinite(w) & (w > 0)
        d, w = d[keep], w[keep]
    if by is None:
        res, design = _fitted_ols(sub, d, scale, covariates, ["round", *covs], what=what, weights=weights)
        cells = [(rid, {}) for rid in design.levels["round"]]
    else:
        res, design, cells = _fit_by(d, scale, by, covs, w)
    # unweighted: t interval with the model's df (emmeans); weighted: normal (svypredmeans' confint)
    tq = stats.t.ppf(0.5 + level / 2, res.df_resid) if w is None else stats.norm.ppf(0.5 + level / 2)
    y = d[scale].to_numpy(dtype=float)
    rows = []
    for rid, extra in cells:
        if by is None:
            X = design.matrix(d, round=rid)
            mask = (d["round"] == rid).to_numpy()
        else:
            X = design.matrix(d, _cell=f"{rid}\x1f{extra[by]}")
            mask = ((d["round"] == rid) & (d[by] == extra[by])).to_numpy()
        est, se = _predictive_margin(X, res, w)
        raw = round_mean(y[mask], None if w is None else w[mask])
        rows.append({"round": rid, **extra, "n": int(mask.sum()), "raw_mean": raw, "mean": est, "se": se,
                     "ci_low": est - tq * se, "ci_high": est + tq * se, "series": series[rid]})
    out = pd.DataFrame(rows)
    formula = f"{scale} ~ C(round)" + (f" * C({by})" if by else "") + "".join(
        f" + C({c})" for c in covs if c != by)
    share = pd.Series(np.ones(len(d)) if w is None else w, index=d.index)
    reference = {c: (share.groupby(d[c], observed=False).sum() / share.sum()).to_dict() for c in covs}
    out.attrs.update(scale=scale, label=_scale_label(rounds, scale), level=level, kind="adjusted",
                     formula=formula, covariates=covs, reference=reference, n=len(d), names=design.names,
                     weighted=w is not None)
    return out


# -- ordinal model -----------------------------------------------------------

def _ordinal_design(data: pd.DataFrame, predictors) -> tuple[pd.DataFrame, list]:
    """Exog for OrderedModel: numeric columns as is, categoricals treatment-coded, no constant."""
    blocks = []
    factors = []
    for p in predictors:
        s = data[p]
        if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object:
            levels = list(s.cat.categories) if isinstance(s.dtype, pd.CategoricalDtype) else sorted(s.unique())
            levels = [lev for lev in levels if (s == lev).any()]
            factors.append((p, levels))
            blocks.append(pd.DataFrame(_dummies(s.astype(object), levels), index=data.index,
                                       columns=[f"C({p})[T.{lev}]" for lev in levels[1:]]))
        else:
            factors.append((p, None))
            blocks.append(pd.DataFrame({p: s.to_numpy(dtype=float)}, index=data.index))
    return pd.concat(blocks, axis=1), factors


def fit_ordinal(data: pd.DataFrame, *, outcome: str, predictors, categories=None, distr: str = "logit"):
    """Fit a proportional-odds (cumulative link) model with statsmodels ``OrderedModel``.

    Parameters
    ----------
    data : DataFrame
        Complete cases only (rows with a missing value raise).
    outcome : str
        Ordinal outcome column (codes, labels or an ordered categorical).
    predictors : sequence of str
        Numeric columns enter as is; categorical/text columns as treatment
        dummies (first category is the reference), as R ``contr.treatment``.
    categories : sequence, optional
        Order of the outcome categories (default: the categorical's order,
        else sorted values).
    distr : {"logit", "probit"}
        ``logit`` is the proportional-odds model.

    Returns
    -------
    statsmodels OrderedResults
        Fitted by BFGS, then polished by Newton steps to the maximum of the
        likelihood. ``model.peo_factors`` keeps the factor levels for
        :func:`predict_ordinal`.

    Notes
    -----
    Same model as R ``MASS::polr(outcome ~ predictors, method = "logistic")``:
    ``logit P(Y <= j) = zeta_j - x'beta``. statsmodels stores thresholds
    after the first as log-increments; :func:`ordinal_coefficients` reports
    them as R's ``zeta``. Tested against the UCLA ``ologit`` example (R
    ``polr``), as in statsmodels' own tests.
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    check_argument("distr", ("logit", "probit"), distr)
    cols = [outcome, *predictors]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in data; available: {list(data.columns)}")
    if data[cols].isna().any().any():
        raise ValueError("fit_ordinal: data has missing values in the model columns; drop incomplete rows first")
    y = data[outcome]
    if categories is None:
        categories = list(y.cat.categories) if isinstance(y.dtype, pd.CategoricalDtype) else sorted(y.unique())
    categories = [c for c in categories if (y == c).any()]
    if len(categories) < 2:
        raise ValueError(f"fit_ordinal: outcome {outcome!r} has fewer than two observed categories")
    endog = pd.Series(pd.Categorical(y, categories=categories, ordered=True), index=data.index, name=outcome)
    exog, factors = _ordinal_design(data, predictors)
    model = OrderedModel(endog, exog, distr=distr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = model.fit(method="bfgs", disp=False, maxiter=2000)
        try:  # polish with Newton steps: BFGS (like R's optim in polr) stops ~1e-4 short of the MLE
            polished = model.fit(start_params=np.asarray(res.params), method="newton", disp=False, maxiter=50)
            if np.isfinite(polished.llf) and polished.llf >= res.llf and np.all(np.isfinite(polished.bse)):
                res = polished
        except (np.linalg.LinAlgError, ValueError):
            pass
    if not res.mle_retvals.get("converged", True):
        warnings.warn(f"fit_ordinal: the model for {outcome!r} did not converge", UserWarning, stacklevel=2)
    model.peo_factors = factors
    model.peo_categories = categories
    return res


def ordinal_coefficients(res, *, level: float = 0.95) -> pd.DataFrame:
    """Tidy table of a :func:`fit_ordinal` result, thresholds on R's ``zeta`` scale.

    Returns
    -------
    DataFrame
        Columns ``term``, ``kind`` (``coef``/``threshold``), ``estimate``,
        ``se``, ``z``, ``p``, ``ci_low``, ``ci_high`` and, for coefficients,
        ``odds_ratio``, ``or_ci_low``, ``or_ci_high`` (Wald, as R
        ``exp(confint.default(fit))``). Threshold rows are named
        ``low|high`` as in R ``polr`` and their se comes from the delta
        method on statsmodels' increment parametrisation.
    """
    level = _check_level(level)
    model = res.model
    k_levels = len(model.peo_categories) if hasattr(model, "peo_categories") else model.k_levels
    n_thr = k_levels - 1
    params = np.asarray(res.params)
    cov = np.asarray(res.cov_params())
    names = list(res.model.exog_names)
    k = len(params) - n_thr
    z = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for j in range(k):
        est, se = params[j], float(np.sqrt(cov[j, j]))
        rows.append(dict(term=names[j], kind="coef", estimate=est, se=se, z=est / se,
                         p=2 * stats.norm.sf(abs(est / se)), ci_low=est - z * se, ci_high=est + z * se,
                         odds_ratio=np.exp(est), or_ci_low=np.exp(est - z * se), or_ci_high=np.exp(est + z * se)))
    # zeta_1 = a_1, zeta_m = a_1 + sum_{i<=m} exp(a_i) -> Jacobian for the delta method
    raw = params[k:]
    zeta = np.cumsum(np.concatenate([[raw[0]], np.exp(raw[1:])]))
    J = np.zeros((n_thr, n_thr))
    for m in range(n_thr):
        J[m, 0] = 1.0
        for i in range(1, m + 1):
            J[m, i] = np.exp(raw[i])
    vz = J @ cov[k:, k:] @ J.T
    cats = [str(c) for c in getattr(model, "peo_categories", range(k_levels))]
    for m in range(n_thr):
        se = float(np.sqrt(vz[m, m]))
        rows.append(dict(term=f"{cats[m]}|{cats[m + 1]}", kind="threshold", estimate=zeta[m], se=se,
                         z=zeta[m] / se, p=2 * stats.norm.sf(abs(zeta[m] / se)),
                         ci_low=zeta[m] - z * se, ci_high=zeta[m] + z * se,
                         odds_ratio=np.nan, or_ci_low=np.nan, or_ci_high=np.nan))
    return pd.DataFrame(rows)


def predict_ordinal(res, data: pd.DataFrame, *, params=None, **fixed) -> pd.DataFrame:
    """Predicted category probabilities of a :func:`fit_ordinal` model for new rows.

    Parameters
    ----------
    res : OrderedResults from :func:`fit_ordinal`
    data : DataFrame
        Rows to predict for (same predictor columns).
    params : array, optional
        Use these parameters instead of ``res.params`` (delta method).
    **fixed
        Predictor values to set for every row (counterfactual prediction),
        e.g. ``round="2021-1"``.

    Returns
    -------
    DataFrame
        One column per outcome category, rows as ``data``.
    """
    model = res.model
    blocks = []
    for name, levels in model.peo_factors:
        if levels is None:
            v = np.full(len(data), float(fixed[name])) if name in fixed else data[name].to_numpy(dtype=float)
            blocks.append(v[:, None])
        else:
            values = pd.Series([fixed[name]] * len(data), dtype=object) if name in fixed \
                else data[name].astype(object).reset_index(drop=True)
            blocks.append(_dummies(values, levels))
    X = np.hstack(blocks)
    p = np.asarray(res.params if params is None else params)
    probs = model.predict(p, exog=X)
    return pd.DataFrame(probs, index=data.index, columns=model.peo_categories)


def _agree_codes(rounds: dict, item: str, agree) -> list:
    if agree is not None:
        return [float(a) for a in agree]
    for r in reversed(list(rounds.values())):
        if item in r.codebook.items:
            codes = sorted(r.codebook.response_set_of(item).values)
            return [float(c) for c in codes[-2:]]
    raise ValueError(item)


def adjusted_item_trend(rounds, *, item: str, covariates=("ervaringsgroep", "functie"), agree=None,
                        level: float = 0.95) -> pd.DataFrame:
    """Composition-adjusted share agreeing with a statement, per round (ordinal logit).

    Fits the proportional-odds model ``item ~ C(round) + C(ervaringsgroep) +
    C(functie)`` (statsmodels ``OrderedModel``, ``distr="logit"``; R
    ``MASS::polr``) to the valid item codes of all rounds that asked the item.

    Parameters
    ----------
    rounds : dict of Round or list of Round
    item : str
        Item id, e.g. ``"PR01"``.
    covariates : sequence of str
    agree : sequence of int, optional
        Codes that count as agreeing (default: the two highest codes of the
        response set, e.g. 4 Eens and 5 Helemaal eens).
    level : float, default 0.95

    Returns
    -------
    DataFrame
        Columns ``round``, ``n``, ``raw_p_agree`` (share of the round's
        respondents in the model), ``p_agree`` (predicted share at the pooled
        composition: each pooled respondent's predicted probability of an
        agree code with the round set, averaged), ``ci_low``, ``ci_high``
        (delta method on the logit of ``p_agree``, numerical gradient),
        ``odds_ratio`` with ``or_ci_low``/``or_ci_high`` (the round's
        coefficient against the first round, Wald), ``series``.
    """
    from statsmodels.tools.numdiff import approx_fprime

    level = _check_level(level)
    rounds = _as_rounds(rounds)
    have = _item_rounds(rounds, item)
    sub = {r: rounds[r] for r in have}
    d, covs = _model_frame(sub, item, covariates, what=f"adjusted_item_trend(item={item!r})")
    agree_codes = _agree_codes(sub, item, agree)
    series = _series_ids([rounds[r].codebook for r in have], item=item)
    codes = sorted(d[item].unique())
    res = fit_ordinal(d, outcome=item, predictors=["round", *covs], categories=codes)
    coefs = ordinal_coefficients(res, level=level).set_index("term")
    agree_cols = [c for c in codes if c in agree_codes]
    z = stats.norm.ppf(0.5 + level / 2)
    cov = np.asarray(res.cov_params())
    rows = []
    round_levels = dict(res.model.peo_factors)["round"]
    for rid in round_levels:
        def f(params, rid=rid):
            pr = predict_ordinal(res, d, params=params, round=rid)
            return np.atleast_1d(pr[agree_cols].sum(axis=1).mean())

        p_hat = float(f(np.asarray(res.params))[0])
        grad = approx_fprime(np.asarray(res.params), f, centered=True).ravel()
        se_p = float(np.sqrt(grad @ cov @ grad))
        if 0 < p_hat < 1:
            se_logit = se_p / (p_hat * (1 - p_hat))
            lo = _expit(_logit(p_hat) - z * se_logit)
            hi = _expit(_logit(p_hat) + z * se_logit)
        else:
            lo = hi = np.nan
        mask = d["round"] == rid
        term = f"C(round)[T.{rid}]"
        if term in coefs.index:
            orr, olo, ohi = coefs.loc[term, ["odds_ratio", "or_ci_low", "or_ci_high"]]
        else:
            orr, olo, ohi = 1.0, np.nan, np.nan
        rows.append(dict(round=rid, n=int(mask.sum()),
                         raw_p_agree=float(d.loc[mask, item].isin(agree_codes).mean()),
                         p_agree=p_hat, ci_low=lo, ci_high=hi, odds_ratio=float(orr),
                         or_ci_low=float(olo), or_ci_high=float(ohi), series=series[rid]))
    out = pd.DataFrame(rows)
    out.attrs.update(item=item, covariates=covs, agree=agree_codes, level=level, kind="ordinal",
                     formula=f"{item} ~ C(round)" + "".join(f" + C({c})" for c in covs), n=len(d))
    return out


def _logit(p):
    return np.log(p / (1 - p))


def _expit(x):
    return 1 / (1 + np.exp(-x))


